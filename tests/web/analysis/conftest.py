"""Fixtures of the assessment, standards and region page tests: the shipped standards, a cohort in
villages A and B with 2019 facts, and a finished county run."""

from __future__ import annotations

import pytest

from tests.assessment.conftest import GOOD_YEAR, make_household, standards  # noqa: F401  (fixtures)
from tests.helpers import household, member
from tuopin.assessment.actions import execute_run, start_run
from tuopin.registry import actions


@pytest.fixture
def cohort(make_household, actors, regions):  # noqa: F811
    """Village A: two passing households, one in a D-grade house, one with income below the line;
    village B: one passing household (the outsider's)."""
    hs = {
        "ok1": make_household(),
        "ok2": make_household(),
        "d_house": make_household(housing_safety="D"),
        "low": make_household(wage_income="100"),
    }
    b = household(actors["outsider"], regions["b"], members=[member("孙大海", birth="1955-01-01")], year=2019)
    actions.set_household_year(b, actor=actors["outsider"], year=2019, **GOOD_YEAR)
    hs["b"] = b
    return hs


def run_now(region_code: str, year: int = 2019, actor=None):
    """A finished run, executed synchronously (the system as actor unless given)."""
    return execute_run(start_run(actor=actor, year=year, region=region_code, enqueue=False).pk)


@pytest.fixture
def county_run(cohort):
    return run_now("220422000000")
