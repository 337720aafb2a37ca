"""Each indicator at its edges, through a real run (CLI-equivalent actions) on stored records."""

import datetime as dt

import pytest

from tests.helpers import member
from tuopin.assessment.actions import execute_run, start_run
from tuopin.assessment.choices import CannotReason, ExitBlock, Monitor, Result
from tuopin.assessment.models import Determination
from tuopin.registry import actions

P, F, C = Result.PASS, Result.FAIL, Result.CANNOT


def assess(h, year=2019):
    run = execute_run(start_run(actor=None, year=year, region=h.village, enqueue=False).pk)
    return Determination.objects.get(run=run, household=h)


def child(name, birth, school, **kw):
    return member(name, "03", birth=birth, school_status=school, **kw)


def test_all_pass_household_is_exit_eligible(make_household):
    d = assess(make_household())
    assert [d.income, d.food, d.education, d.medical, d.housing, d.water] == [P] * 6
    assert d.exit_eligible and d.exit_block == ExitBlock.NONE
    assert str(d.net_income_per_capita) == "4500.00" and str(d.poverty_line) == "3218.00"


@pytest.mark.parametrize(("wage", "result"), [("3436", P), ("3435.98", F)])
def test_income_exactly_at_and_just_below_the_line(make_household, wage, result):
    # (3436 + 2000 + 300 + 1200 − 500) / 2 = 3218.00 exactly: at the line passes; a cent below fails.
    d = assess(make_household(wage_income=wage))
    assert d.income == result
    assert d.exit_eligible is (result == P)


def test_child_fifteen_years_eleven_months_must_be_in_school(make_household):
    # Born 2003-09-30: on the 2019-08-31 cut-off, 15 years 11 months → compulsory-school age.
    out = make_household(members=[member("父"), child("子", "2003-09-30", "1")])
    d = assess(out)
    assert (d.education, d.children_school_age, d.children_out_of_school) == (F, 1, 1)
    assert d.exit_block == ExitBlock.INDICATOR and not d.exit_eligible
    ok = make_household(members=[member("母", male=False), child("女", "2003-09-30", "6", male=False)])
    assert assess(ok).education == P


def test_sixteen_year_old_in_vocational_school_or_not_is_beyond_compulsory_age(make_household):
    d1 = assess(make_household(members=[member("父"), child("子", "2003-08-01", "10")]))
    d2 = assess(make_household(members=[member("父"), child("子", "2003-08-01", "1")]))
    assert (d1.education, d1.children_school_age) == (P, 0)
    assert (d2.education, d2.children_school_age) == (P, 0)


def test_exempted_disabled_child_passes(make_household):
    d = assess(
        make_household(
            members=[
                member("父"),
                child("子", "2010-05-05", "90", health="4", disability_category="5", disability_grade="1"),
            ]
        )
    )
    assert (d.education, d.children_school_age, d.children_out_of_school) == (P, 1, 0)


@pytest.mark.parametrize(
    ("grade", "housed", "result"),
    [("A", False, P), ("B", False, P), ("C", False, F), ("D", False, F), ("N", True, P), ("N", False, F)],
)
def test_housing_grades(make_household, grade, housed, result):
    facts = {"housing_safety": grade, "housed_otherwise": housed}
    if grade == "N":
        facts["housing_area"] = "0"
    assert assess(make_household(**facts)).housing == result


def test_grade_c_house_renovated_next_year_passes_then(make_household, clerk_a):
    h = make_household(housing_safety="C")
    assert assess(h).housing == F
    actions.set_household_year(h, actor=clerk_a, year=2019, housing_safety="A")  # renovation completed
    assert assess(h).housing == P


@pytest.mark.parametrize(("minutes", "result"), [(20, P), (21, F)])
def test_water_trip_of_exactly_twenty_minutes(make_household, minutes, result):
    d = assess(make_household(water_piped=False, water_trip_minutes=minutes))
    assert (d.water, d.water_convenience_ok) == (result, result == P)


def test_water_far_by_time_but_near_by_distance_passes(make_household):
    d = assess(make_household(water_piped=False, water_trip_minutes=40, water_horizontal_m=500))
    assert d.water == P


@pytest.mark.parametrize(
    ("facts", "flag"),
    [
        ({"water_litres_per_day": 19}, "water_quantity_ok"),
        ({"water_quality_ok": False}, "water_quality_ok"),
        ({"water_shortage_days": 40}, "water_guarantee_ok"),
    ],
)
def test_each_water_indicator_fails_alone(make_household, facts, flag):
    d = assess(make_household(**facts))
    assert d.water == F and getattr(d, flag) is False


def test_unknown_water_quality_cannot_be_assessed_never_a_silent_pass(make_household):
    d = assess(make_household(water_quality_ok=None))
    assert d.water == C and d.water_quality_ok is None and not d.exit_eligible


def test_member_who_died_this_year_is_not_counted(make_household, clerk_a):
    h = make_household(members=[member("父"), child("子", "2008-01-01", "1")])
    assert assess(h).education == F
    kid = h.members.get(relation="03")
    actions.remove_member(kid, actor=clerk_a, reason="deceased", date=dt.date(2019, 5, 1))
    d = assess(h)
    assert (d.education, d.members) == (P, 1)


def test_uninsured_member_fails_medical(make_household):
    d = assess(make_household(members=[member("父"), member("母", "02", male=False, medical_insured=False)]))
    assert (d.medical, d.members_uninsured) == (F, 1)


def test_household_identified_this_year_cannot_exit(make_household):
    d = assess(make_household(identification_year=2019))
    assert d.meets_standard and not d.exit_eligible and d.exit_block == ExitBlock.NEW_THIS_YEAR


def test_relapsed_this_year_cannot_exit(make_household, clerk_a):
    h = make_household()
    actions.change_status(h, actor=clerk_a, to_status="exited", year=2018, reason="脱贫")
    actions.change_status(h, actor=clerk_a, to_status="relapsed", year=2019, reason="因病返贫")
    d = assess(h)
    assert d.exit_block == ExitBlock.RELAPSED_THIS_YEAR and not d.exit_eligible


def test_household_without_year_data_cannot_be_assessed(make_household):
    h = make_household(year=2018)  # facts only for 2018
    d = assess(h, year=2019)
    assert d.cannot_reason == CannotReason.NO_YEAR_DATA
    assert [d.income, d.food, d.education, d.medical, d.housing, d.water] == [C] * 6 and not d.exit_eligible


def test_year_without_a_standard_cannot_be_assessed(make_household):
    d = assess(make_household(year=2013, identification_year=2013), year=2013)
    assert d.cannot_reason == CannotReason.NO_STANDARD and d.income == C


def test_monitoring_triggers(make_household, clerk_a):
    h = make_household(year=2018, wage_income="9000")  # 2018: (9000+3000)/2 = 6000 per capita
    actions.set_household_year(
        h,
        actor=clerk_a,
        year=2019,
        **{
            "wage_income": "1000",
            "business_income": "2000",
            "property_income": "300",
            "transfer_income": "1200",
            "business_expenses": "500",
            "rigid_spending": "13000",
            "food_clothing_secure": True,
            "housing_safety": "B",
            "water_litres_per_day": 60,
            "water_quality_ok": True,
            "water_piped": True,
            "water_shortage_days": 0,
        },
    )
    for m in h.members.all():
        actions.set_member_year(m, actor=clerk_a, year=2019, medical_insured=True)
    d = assess(h)
    flags = Monitor(d.monitor_flags)
    assert Monitor.BELOW_MONITORING_LINE in flags  # 2000 < 4827
    assert Monitor.RIGID_SPENDING in flags  # 13000 > 12000 last year
    assert Monitor.INCOME_DROP in flags  # 6000 → 2000
