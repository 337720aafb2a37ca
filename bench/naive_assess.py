"""The baseline for bench_assess.py: the way a team would write the assessment first — one household
at a time through the ORM, with the indicator rules in Python. It follows the same rules as
``tuopin.assessment.engine`` (and the benchmark checks that both agree on the sample), so the
ratio measures the method, not a difference in what is computed."""

from __future__ import annotations

import datetime as dt

from tuopin.policy.resolve import Resolver
from tuopin.registry.models import Household, HouseholdStatusChange, HouseholdYear, MemberYear

SCHOOL_OK = {str(c) for c in range(3, 17)} | {"90"}


def evaluate_household(household_id: int, year: int, content: dict) -> dict:
    """Evaluate one household (several queries each), returning the indicator results 0/1/2."""
    resolver = Resolver(content["standards"])
    h = Household.objects.get(pk=household_id)
    std = resolver.values_for(h.village_id, year)
    last = HouseholdStatusChange.objects.filter(household=h, year__lte=year).order_by("-year", "-date", "-id").first()
    status = last.to_status if last else "poor"
    hy = HouseholdYear.objects.filter(household=h, year=year).first()
    end = dt.date(year, 12, 31)
    members = [
        my
        for my in MemberYear.objects.filter(household=h, year=year).select_related("member")
        if not (my.member.deceased_on and my.member.deceased_on <= end)
        and not (my.member.moved_out_on and my.member.moved_out_on <= end)
    ]
    if hy is None or not members or std["poverty_line"] is None:
        return {"income": 2, "education": 2, "medical": 2, "housing": 2, "water": 2, "status": status}
    income = 1 if hy.net_income_per_capita >= std["poverty_line"] else 0
    month, day = (int(x) for x in std["school_cutoff"].split("-"))
    cutoff = dt.date(year, month, day)
    out = unknown = 0
    for my in members:
        b = my.member.birth_date
        age = cutoff.year - b.year - ((cutoff.month, cutoff.day) < (b.month, b.day))
        if std["school_age_min"] <= age <= std["school_age_max"]:
            if not my.school_status:
                unknown += 1
            elif my.school_status not in SCHOOL_OK:
                out += 1
    education = 0 if out else (2 if unknown else 1)
    medical = 0 if any(not my.medical_insured for my in members) else 1
    grades = (std["housing_safe_grades"] or "").split(",")
    if not hy.housing_safety:
        housing = 2
    elif hy.housing_safety in grades or (
        hy.housing_safety == "N" and hy.housed_otherwise and std["homeless_housed_is_safe"]
    ):
        housing = 1
    else:
        housing = 0
    checks = []
    checks.append(None if hy.water_litres_per_day is None else hy.water_litres_per_day >= std["water_litres_min"])
    checks.append(hy.water_quality_ok)
    near = [
        None if v is None else v <= limit
        for v, limit in (
            (hy.water_trip_minutes, std["water_trip_minutes_max"]),
            (hy.water_horizontal_m, std["water_horizontal_m_max"]),
            (hy.water_vertical_m, std["water_vertical_m_max"]),
        )
    ]
    checks.append(True if hy.water_piped or any(near) else (None if all(v is None for v in near) else False))
    checks.append(None if hy.water_shortage_days is None else hy.water_shortage_days <= std["water_shortage_days_max"])
    water = 0 if any(c is False for c in checks) else (2 if any(c is None for c in checks) else 1)
    return {
        "income": income,
        "education": education,
        "medical": medical,
        "housing": housing,
        "water": water,
        "status": status,
    }
