"""The synthetic city of the security tests (access matrix, field-level rules, mass assignment) and of
the English-page check: import ``city`` from here into a conftest or test module."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.urlmap import OUTSIDER_ROLES, make_user
from tuopin.accounts.models import User
from tuopin.accounts.roles import Role
from tuopin.assessment.actions import execute_run, start_run
from tuopin.geo.models import Region
from tuopin.payments import actions as pay
from tuopin.programmes import actions as prog
from tuopin.programmes.models import EcommerceSite, Loan
from tuopin.registry.models import Household
from tuopin.reports.annual.actions import freeze_annual_report


@pytest.fixture
def city(db, django_capture_on_commit_callbacks, tmp_path, settings):
    """The synthetic city with a year of programmes and procedures, and the matrix's actors."""
    from tuopin.cases.scenario import seed_procedures_liaoyuan_2019
    from tuopin.programmes.scenario import seed_programmes_liaoyuan_2019
    from tuopin.registry.scenario import seed_liaoyuan_2019

    settings.MEDIA_ROOT = str(tmp_path / "media")
    seed_liaoyuan_2019(scale=1, seed=2019)
    seed_programmes_liaoyuan_2019()
    with django_capture_on_commit_callbacks(execute=True):
        seed_procedures_liaoyuan_2019()
    # A county's own assessment run, and a township payment batch for village A's households, so those pages have objects.
    execute_run(start_run(actor=None, year=2019, region="220422000000", enqueue=False).pk)
    maker = make_user("m_maker", Role.REVIEWER, "220422101000")
    village_a = Household.objects.filter(village_id="220422101201", status="exited").order_by("pk")[:3]
    pay.create_batch(
        actor=maker,
        kind="yulu",
        programme="yulu",
        period="2019-2",
        region="220422101000",
        title="雨露计划 2019秋",
        lines=[{"household": h, "amount": "1500.00"} for h in village_a],
    )
    # One of each record the scenario does not make: a repayment, a risk-compensation draw, a sale.
    county = make_user("m_county_clerk", Role.APPROVER, "220422000000")
    loan = Loan.objects.filter(household__village__code__startswith="220422").order_by("pk").first()
    prog.record_repayment(loan, actor=county, paid_on=loan.issued_on, principal="1")
    prog.draw_risk_compensation(actor=county, region="220422000000", year=2019, amount="100")
    site = EcommerceSite.objects.filter(region__code__startswith="220422").order_by("pk").first()
    prog.record_ecommerce_sale(site, actor=county, year=2019, product="木耳", amount="100")
    freeze_annual_report(actor=county, region=Region.objects.get(code="220422101201"), year=2019)  # an archived report
    actors = {
        "village_in": make_user("m_clerk_a", Role.CLERK, "220422101201"),
        "village_out": make_user("m_clerk_b", Role.CLERK, "220422101202"),
        "county_in": make_user("m_approver", Role.APPROVER, "220422000000"),
        "county_out": make_user(
            "m_clerk_df",
            Role.CLERK,
            Region.objects.filter(code__startswith="220421", level=5).order_by("code").first().code,
        ),
        "city_in": make_user("m_leader", Role.LEADER, "220400000000"),
        **{name: make_user(f"m_{name}", name, "220400000000") for name in OUTSIDER_ROLES},
    }
    _exchange_records(actors, tmp_path)
    return actors


def _exchange_records(actors: dict[str, User], tmp_path: Path) -> None:
    """An import batch of village A's clerk, and a county cross-check whose hits lie in village A."""
    from tuopin.core.crypto import decrypt
    from tuopin.exchange import actions as exchange
    from tuopin.exchange import crosscheck
    from tuopin.registry.models import Member

    upload = tmp_path / "import.csv"
    upload.write_text("户编号,姓名,公民身份号码\n1,张三,220422195001010011\n", encoding="utf-8")
    exchange.stage_import(actor=actors["village_in"], source=upload, filename=upload.name)
    people = Member.objects.filter(household__village_id="220422101201", is_current=True).order_by("pk")[:3]
    listing = tmp_path / "deaths.csv"
    listing.write_text(
        "姓名,公民身份号码,死亡日期\n" + "".join(f"{m.name},{decrypt(m.id_enc)},2019-05-01\n" for m in people),
        encoding="utf-8",
    )
    crosscheck.run_department(actor=actors["county_in"], path=listing, filename=listing.name, department="deaths")
