"""Fixtures for assessment tests: the shipped standards file, and households with full yearly facts."""

import json

import pytest

from tests.helpers import household, member
from tuopin.policy.actions import load_standards
from tuopin.policy.management.commands.policy import DEFAULT_FILE
from tuopin.registry import actions

GOOD_YEAR = {
    "wage_income": "6000",
    "business_income": "2000",
    "property_income": "300",
    "transfer_income": "1200",
    "business_expenses": "500",
    "food_clothing_secure": True,
    "housing_safety": "B",
    "housing_area": "60",
    "water_litres_per_day": 60,
    "water_quality_ok": True,
    "water_piped": True,
    "water_shortage_days": 0,
}


@pytest.fixture
def standards(db):
    return load_standards(json.loads(DEFAULT_FILE.read_text(encoding="utf-8")), actor=None)


@pytest.fixture
def make_household(clerk_a, regions, standards):
    """``make_household(members=[...], year=2019, **facts)``: a household in village A with the
    year's facts (defaults all pass: ¥4,250 per capita for two people)."""

    def make(*, members=None, year=2019, identification_year=2016, **facts):
        members = members or [
            member("户主甲", birth="1960-01-01"),
            member("配偶乙", "02", birth="1962-01-01", male=False),
        ]
        h = household(clerk_a, regions["a"], members=members, year=year, identification_year=identification_year)
        actions.set_household_year(h, actor=clerk_a, year=year, **{**GOOD_YEAR, **facts})
        return h

    return make
