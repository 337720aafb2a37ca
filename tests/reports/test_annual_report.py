"""The annual report on a small city built through actions: every figure equals what the test computes
from the records it created, changes when a record changes, is traceable to exactly those records,
and stays inside the reader's jurisdiction."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.assessment.conftest import standards  # noqa: F401  (fixture)
from tests.helpers import household, login_quietly, member
from tests.reports.annual_city import YEAR, city, expected  # noqa: F401  (fixture)
from tuopin.geo.actions import create_region
from tuopin.programmes import actions as prog
from tuopin.reports.annual.figures import COUNT, FIGURES, MONEY
from tuopin.reports.annual.report import build_report
from tuopin.reports.annual.traces import TRACES

pytestmark = pytest.mark.django_db

CITY, COUNTY, VILLAGE_A, VILLAGE_B = "220400000000", "220422000000", "220422101201", "220422101202"


def report_of(code: str, year: int = YEAR):
    from tuopin.geo.models import Region

    return build_report(Region.objects.get(code=code), year)


def page(client, user, code: str, year: int = YEAR, suffix: str = "", **params):
    login_quietly(client, user)
    return client.get(f"/reports/annual/{code}/{year}/{suffix}", params)


@pytest.mark.parametrize("code", [CITY, COUNTY, VILLAGE_A, "220421102201"])
def test_figures_equal_the_records_created(city, code):  # noqa: F811
    report = report_of(code)
    want = expected(city, code.rstrip("0") if code != VILLAGE_A else code)
    got = {key: report[key].value for key in want}
    assert got == want


def test_ratios_are_computed_from_their_parts(city):  # noqa: F811
    r = report_of(CITY)
    total, paid = r["medical.total_cost"].value, r["medical.self_paid"].value
    assert r["medical.selfpay_ratio"].value == (paid / total).quantize(Decimal("0.0001"))
    households, base = r["credit.loan_households"].value, r["credit.loan_base"].value
    assert r["credit.loan_rate"].value == (Decimal(households) / base).quantize(Decimal("0.0001"))
    # 2018: only village B's loan, over the households registered by then (all of them, identified 2016).
    prev = (Decimal(1) / base).quantize(Decimal("0.0001"))
    assert r["credit.loan_rate_prev"].value == prev
    assert r["credit.loan_rate_change"].value == r["credit.loan_rate"].value - prev
    assert r["credit.loan_rate_change"].display.startswith("+")


def test_dibao_standards_come_from_the_policy_table(city, client):  # noqa: F811
    from tuopin.payments.standards import standard_value

    r = report_of(CITY)
    for key, year in (("safety_net.dibao_standard", YEAR), ("safety_net.dibao_standard_prev", YEAR - 1)):
        assert r[key].value == standard_value("dibao_standard", CITY, year)
        rows = page(client, city.actors["leader"], CITY, suffix=f"trace/{key}/").context["rows"]
        applied = [obj for obj, _cells in rows if obj.applied]
        assert len(applied) == 1 and int(applied[0].value) == r[key].value and applied[0].effective_year <= year


def test_dividend_table_equals_project_figures(city):  # noqa: F811
    from tuopin.programmes.queries import project_figures

    rows = {row["project"]: row for row in report_of(CITY).dividends}
    for key in ("p1", "p2"):
        p = city.projects[key]
        f = project_figures(p, YEAR)
        row = rows[p.pk]
        assert (row["households"], row["people"], row["dividends"], row["per_household"], row["jobs"]) == (
            f["households"],
            f["people"],
            f["dividends_year"],
            f["dividend_per_household"],
            f["jobs"],
        )
    assert city.projects["p3"].pk not in rows  # no dividend rule, no dividends


def test_a_new_record_changes_the_figure(city, client):  # noqa: F811
    leader = city.actors["leader"]
    before = report_of(CITY)["housing.households"].value
    prog.open_housing_case(
        actor=city.actors["clerk_a"],
        household=city.households["a3"],
        year=YEAR,
        kind="renovation",
        subsidy="12000",
        planned_on="2019-03-01",
    )
    assert report_of(CITY)["housing.households"].value == before + 1
    body = page(client, leader, CITY).content.decode()
    assert f'data-key="housing.households" href="/reports/annual/{CITY}/{YEAR}/trace/housing.households/"' in body
    trace = page(client, leader, CITY, suffix="trace/housing.households/")
    assert trace.context["total"] == before + 1


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_every_trace_lists_exactly_the_records_counted(city, client):  # noqa: F811
    leader = city.actors["leader"]
    report = report_of(CITY)
    checked = 0
    for key, trace in TRACES.items():
        if key not in report.values:
            continue
        response = page(client, leader, CITY, suffix=f"trace/{key}/")
        assert response.status_code == 200, key
        ctx = response.context
        value = report[key].value
        assert ctx["value"] == value, key
        assert ctx["hidden"] == 0, key
        listed = len(re.findall(r"<tr>", response.content.decode().split("<tbody>", 1)[-1]))
        assert listed == min(ctx["total"], 50), key
        if FIGURES[key].kind in (COUNT, MONEY) and trace.measure[0] != "none":
            assert ctx["measured"] == value, key
            if trace.measure == ("count",):
                assert ctx["total"] == value, key
            checked += 1
    assert checked >= 60


def test_traces_are_masked(city, client):  # noqa: F811
    response = page(client, city.actors["leader"], CITY, suffix="trace/industry.people/")
    body = response.content.decode()
    assert not re.search(r"(?<![0-9])\d{17}[0-9Xx](?![0-9])", body)
    assert "********" in body  # the masked ID numbers are there
    claims = page(client, city.actors["leader"], CITY, suffix="trace/medical.total_cost/").content.decode()
    assert "甲一户主" not in claims and "甲**主" in claims  # a patient's name needs the health permission
    approver = page(client, city.actors["approver"], COUNTY, suffix="trace/medical.total_cost/").content.decode()
    assert "甲一户主" in approver


def test_the_outsider_gets_404_on_another_village(city, client):  # noqa: F811
    outsider = city.actors["outsider"]
    for suffix in ("", "trace/housing.households/", "?format=json"):
        assert page(client, outsider, VILLAGE_A, suffix=suffix).status_code == 404
    assert page(client, outsider, COUNTY).status_code == 404
    assert client.post(f"/reports/annual/{VILLAGE_A}/{YEAR}/archive/").status_code == 404
    for role in ("sysadmin", "secadmin", "auditadmin"):
        assert page(client, city.actors[role], CITY).status_code == 404


def test_the_outsider_never_sees_another_village_in_a_trace(city, client):  # noqa: F811
    outsider = city.actors["outsider"]
    a_numbers = [h.number for n, h in city.households.items() if n.startswith("a")]
    for key in TRACES:
        response = page(client, outsider, VILLAGE_B, suffix=f"trace/{key}/")
        if response.status_code == 404:  # figures that do not apply to a village
            assert FIGURES[key].applies is not None
            continue
        body = response.content.decode()
        assert not any(n in body for n in a_numbers), key
        assert "甲一户主" not in body and "甲二户主" not in body, key


def test_a_trace_of_people_outside_the_jurisdiction_says_so(city, client):  # noqa: F811
    # The county project's beneficiaries live in villages A and B; village A's clerk sees only A's.
    village_report = page(client, city.actors["approver"], COUNTY, suffix="trace/industry.people/")
    assert village_report.context["hidden"] == 0
    a_clerk = page(client, city.actors["clerk_a"], VILLAGE_A, suffix="trace/industry.dividends/")
    assert a_clerk.status_code == 200 and a_clerk.context["hidden"] == 0


def test_query_count_does_not_grow_with_the_records(city, client, django_assert_max_num_queries):  # noqa: F811
    leader = city.actors["leader"]

    def count() -> int:
        with CaptureQueriesContext(connection) as q:
            assert page(client, leader, CITY).status_code == 200
        return len(q)

    count()  # the first request of a session loads the session and the user once more
    first = count()
    approver = city.actors["approver"]
    p = prog.create_project(
        actor=approver, name="新项目", kind="planting", region=COUNTY, dividend_rule="fixed", dividend_fixed="500"
    )
    prog.add_fund(p, actor=approver, year=YEAR, source="special", amount="9000")
    extra = [
        household(
            city.actors["clerk_a"],
            city.regions["a"],
            members=[member("新户主", birth="1958-01-01")],
            bank_account="6228481234567890123",
        )
        for _ in range(3)
    ]
    prog.add_beneficiaries(p, actor=approver, households=extra, linkage="dividend", since_year=YEAR)
    for h in extra:
        prog.open_housing_case(
            actor=approver, household=h, year=YEAR, kind="steel", subsidy="30000", planned_on="2019-03-01"
        )
    assert count() == first
    with django_assert_max_num_queries(90):
        page(client, leader, CITY)


def test_missing_figures_say_why(city, client):  # noqa: F811
    r = report_of(CITY, YEAR - 1)  # no assessment run for 2018
    assert r["overview.households"].missing and "尚无" in r["overview.households"].reason
    town = create_region(actor=None, parent=city.regions["town"], code="220422101209", name="空村", is_synthetic=True)
    empty = report_of(town.code)
    assert empty["medical.selfpay_ratio"].missing and "没有医疗费用结算记录" in empty["medical.selfpay_ratio"].reason
    assert empty["credit.loan_rate"].missing and "无法计算户贷率" in empty["credit.loan_rate"].reason
    body = page(client, city.actors["leader"], CITY, YEAR - 1).content.decode()
    assert "尚无覆盖辽源市的2018年度已完成评估" in body


def test_a_region_or_year_without_records_shows_an_empty_state(city, client):  # noqa: F811
    leader = city.actors["leader"]
    town = create_region(actor=None, parent=city.regions["town"], code="220422101209", name="空村", is_synthetic=True)
    for code, year in [(town.code, YEAR), (CITY, 2030)]:
        response = page(client, leader, code, year)
        assert response.status_code == 200
        body = response.content.decode()
        assert "没有任何可计入报告的记录" in body
        assert 'class="fig' not in body  # no figure at all, rather than a page of zeros
        assert not response.context["report"].has_data
    assert page(client, leader, CITY, 1999).status_code == 404


def test_role_checks(city, client):  # noqa: F811
    from tests.reports.annual_city import user
    from tuopin.accounts.roles import Role

    cadre = user("a_cadre", Role.CADRE, VILLAGE_A)
    assert page(client, cadre, VILLAGE_A).status_code == 200
    assert page(client, cadre, VILLAGE_A, format="json").status_code == 403
    assert client.post(f"/reports/annual/{VILLAGE_A}/{YEAR}/archive/").status_code == 403
    client.logout()
    assert client.get(f"/reports/annual/{CITY}/{YEAR}/").status_code == 302


def test_index_opens_the_chosen_report(city, client):  # noqa: F811
    login_quietly(client, city.actors["approver"])
    response = client.get("/reports/annual/")
    assert response.status_code == 200 and COUNTY in response.content.decode()
    go = client.get("/reports/annual/", {"region": COUNTY, "year": "2019"})
    assert go.status_code == 302 and go["Location"] == f"/reports/annual/{COUNTY}/2019/"
    short = page(client, city.actors["leader"], "220400")
    assert short.status_code == 200 and short.context["report"].region.code == CITY
