"""The 2019 report of 辽源市 on the seeded Liaoyuan scenario shows the 《吉林日报》 article's figures.

The article's figures are typed here (and in the scenarios that generate the records) only; the
report code computes them from the records. The test also adds a housing case and sees 430.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from tuopin.accounts.models import User
from tuopin.accounts.roles import Role
from tuopin.geo.models import Region
from tuopin.programmes import actions as prog
from tuopin.programmes.models import HousingCase
from tuopin.registry.models import Household
from tuopin.reports.annual.report import build_report

pytestmark = pytest.mark.django_db

W = Decimal("10000")


@pytest.fixture
def liaoyuan(db, django_capture_on_commit_callbacks):
    call_command("seed", "--scenario", "liaoyuan-2019", "--scale", "1", "--no-parallel", verbosity=0)
    call_command("policy", "load", verbosity=0)
    call_command("seed-programmes", verbosity=0)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed-procedures", verbosity=0)
    return Region.objects.get(code="220400000000")


def test_the_2019_report_of_liaoyuan_shows_the_articles_figures(liaoyuan, client):
    r = build_report(liaoyuan, 2019)
    v = {key: value.value for key, value in r.values.items()}
    # 产业: 19 projects, ¥1933万, 2212 people, 3498 person-times.
    assert (v["industry.projects"], v["industry.funds"], v["industry.people"], v["industry.employment"]) == (
        19,
        1933 * W,
        2212,
        3498,
    )
    # 住房: 429 = 84 + 340 + 5, all moved in.
    assert (v["housing.households"], v["housing.renovation"], v["housing.steel"], v["housing.homeless"]) == (
        429,
        84,
        340,
        5,
    )
    assert v["housing.moved_in"] == 429
    # 雨露计划: 190 students, ¥28.5万 (¥156.9万 in all).
    assert (v["education.yulu_students"], v["education.yulu_amount"], v["education.yulu_cumulative"]) == (
        190,
        Decimal("28.5") * W,
        Decimal("156.9") * W,
    )
    # 医疗: ¥2111.48万 treated, ¥217.35万 self-paid, 10.29%.
    assert (v["medical.total_cost"], v["medical.self_paid"], v["medical.selfpay_ratio"]) == (
        Decimal("2111.48") * W,
        Decimal("217.35") * W,
        Decimal("0.1029"),
    )
    assert (v["medical.institutions_new"], v["medical.institutions"]) == (4, 54)
    # 兜底: 4222 pensioners; 低保 3700 → 3900.
    assert v["safety_net.pensioners"] == 4222
    assert (v["safety_net.dibao_standard_prev"], v["safety_net.dibao_standard"]) == (3700, 3900)
    # 金融: ¥322万 new, ¥396.74万 in all, 户贷率 5.35%, up 5 points, none overdue.
    assert (v["credit.loans_new"], v["credit.loans_cumulative"]) == (322 * W, Decimal("396.74") * W)
    assert (v["credit.loan_rate"], v["credit.loan_rate_change"], v["credit.overdue"]) == (
        Decimal("0.0535"),
        Decimal("0.0500"),
        0,
    )
    # 责任: the accountability figures of the article.
    assert (v["accountability.exposed"], v["accountability.disciplined"]) == (13, 12)
    assert (v["accountability.admonished"], v["accountability.interviewed"], v["accountability.promoted"]) == (
        3,
        15,
        12,
    )
    assert (v["accountability.awarded_people"], v["accountability.awarded_organisations"]) == (68, 3)
    assert v["responsibility.village_coverage.county"] == Decimal("1")  # 未退出贫困村遍访全覆盖
    # The page prints them the way the article does.
    leader = User.objects.create(username="ly-leader", role=Role.LEADER, jurisdiction=liaoyuan)
    client.force_login(leader)
    body = client.get("/reports/annual/220400/2019/").content.decode()
    for text in (
        "1,933万元",
        "2,212人",
        "3,498人次",
        "429户",
        "84户",
        "340户",
        "5户",
        "190人",
        "28.5万元",
        "2,111.48万元",
        "217.35万元",
        "10.29%",
        "4,222人",
        "3,700元/年",
        "3,900元/年",
        "322万元",
        "396.74万元",
        "5.35%",
        "+5.00个百分点",
    ):
        assert text in body, text
    # Add a housing case → 430.
    approver = User.objects.create(username="dl-approver", role=Role.APPROVER, jurisdiction_id="220422000000")
    household = (
        Household.objects.filter(village__code__startswith="220422", member_count__gt=0)
        .exclude(pk__in=HousingCase.objects.values("household"))
        .order_by("pk")
        .first()
    )
    prog.open_housing_case(
        actor=approver, household=household, year=2019, kind="renovation", subsidy="12000", planned_on="2019-03-01"
    )
    assert build_report(liaoyuan, 2019)["housing.households"].value == 430
    trace = client.get("/reports/annual/220400000000/2019/trace/housing.households/")
    assert trace.context["total"] == 430 and trace.context["measured"] == 430
