"""The Liaoyuan 2019 programme scenario: the report's figures come back from the records."""

from decimal import Decimal

import pytest

from tuopin.accounts.models import User
from tuopin.accounts.roles import Role
from tuopin.programmes import actions as a
from tuopin.programmes.models import HousingCase, Project
from tuopin.programmes.queries import annual_figures, dividend_plan_total, project_figures
from tuopin.programmes.scenario import ScenarioError, seed_programmes_liaoyuan_2019
from tuopin.registry.models import HouseholdYear
from tuopin.registry.scenario import seed_liaoyuan_2019

pytestmark = pytest.mark.django_db

W = Decimal("10000")


@pytest.fixture
def city(db, standards):
    seed_liaoyuan_2019(scale=1, seed=2019)
    seed_programmes_liaoyuan_2019()


def test_figures_equal_the_report(city):
    f = annual_figures("220400000000", 2019)
    assert f["industry_projects"] == 19
    assert f["industry_funds"] == 1933 * W
    assert f["industry_people"] == 2212
    assert f["employment_person_times"] == 3498
    assert (f["ecommerce_bases_new"], f["ecommerce_stations_new"]) == (1, 7)
    assert (f["ecommerce_bases"], f["ecommerce_stations"], f["ecommerce_people"]) == (2, 98, 260)
    assert f["housing_households"] == f["housing_moved_in"] == 429
    assert f["housing_by_kind"] == {"renovation": 84, "steel": 340, "homeless": 5}
    assert (f["yulu_students"], f["yulu_amount"], f["yulu_cumulative"]) == (
        190,
        Decimal("285000.00"),
        Decimal("1569000.00"),
    )
    assert (f["school_funds_cumulative"], f["schools_improved"]) == (Decimal("314000000.00"), 102)
    assert (f["medical_total_cost"], f["medical_self_paid"]) == (Decimal("21114800.00"), Decimal("2173500.00"))
    assert f["medical_selfpay_ratio"] == Decimal("0.1029")
    assert (f["institutions"], f["institutions_new"]) == (54, 4)
    assert f["pension_people"] == 4222
    assert (f["loans_new"], f["loans_cumulative"]) == (Decimal("3220000.00"), Decimal("3967400.00"))
    assert (f["loan_rate"], f["loan_rate_change"], f["loans_overdue"]) == (Decimal("0.0535"), Decimal("0.0500"), 0)


def test_named_projects(city):
    tengxiang = project_figures(Project.objects.get(name="腾祥牧业养猪项目"), 2019)
    assert (tengxiang["households"], tengxiang["people"], tengxiang["funds_year"]) == (116, 240, 200 * W)
    assert tengxiang["dividend_per_household"] == Decimal("1300.00")
    zhonglian = Project.objects.get(operator="东辽县众联农业发展公司")
    assert project_figures(zhonglian, 2018)["dividends_to_year"] == 1160 * W
    assert 300 * W <= dividend_plan_total(zhonglian, 2019) < 400 * W
    assert project_figures(Project.objects.get(operator__startswith="龙山区达诺"), 2019)["people"] == 156
    textile = project_figures(Project.objects.get(operator="东北袜业园"), 2019)
    assert textile["jobs"] == 50 and textile["min_monthly_wage"] >= 2000
    dayu = Project.objects.get(name="大球盖菇种植扶贫项目")
    assert str(dayu.built_on) == "2019-10-15" and dayu.dividends_from_year == 2020


def test_a_new_record_changes_the_figures(city):
    # The regions fixture would clash with the seeded villages, so the county approver is made here.
    approver = User.objects.create(username="dl-approver", role=Role.APPROVER, jurisdiction_id="220422000000")
    household = (
        HouseholdYear.objects.filter(year=2019, household__village__code__startswith="220422")
        .exclude(household__in=HousingCase.objects.values("household"))
        .first()
        .household
    )
    a.open_housing_case(
        actor=approver, household=household, year=2019, kind="renovation", subsidy="12000", planned_on="2019-03-01"
    )
    f = annual_figures("220400000000", 2019)
    assert f["housing_households"] == 430 and f["housing_moved_in"] == 429


def test_scenario_refuses_to_run_twice(city):
    with pytest.raises(ScenarioError):
        seed_programmes_liaoyuan_2019()
