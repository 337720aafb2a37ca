"""Fixtures of the procedure tests: standards loaded, households in village A assessed for 2019."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.conftest import ApiClient
from tests.assessment.conftest import make_household, standards  # noqa: F401 - fixtures
from tests.helpers import member
from tuopin.accounts.models import User
from tuopin.accounts.roles import Role
from tuopin.assessment.actions import execute_run, start_run

D = dt.date


@pytest.fixture
def api(actors):
    """``api(user_or_name)`` → JSON client that fails on any leaked full ID number."""

    def make(user):
        return ApiClient(actors[user] if isinstance(user, str) else user)

    return make


@pytest.fixture
def approver2(regions):
    """A second county approver (the proposer may not approve their own case)."""
    return User.objects.create(
        username="approver2", role=Role.APPROVER, jurisdiction=regions["county"], full_name="县审批员乙"
    )


@pytest.fixture
def assess():
    """``assess(region, year)`` → a finished assessment run."""

    def run(region, year=2019):
        return execute_run(start_run(actor=None, year=year, region=region, enqueue=False).pk)

    return run


@pytest.fixture
def eligible(make_household, assess, regions):  # noqa: F811 - the imported fixture
    """Three households in village A that pass every indicator in 2019, and one that fails on income."""
    good = [
        make_household(
            members=[
                member(f"户主{i}", birth="1960-01-0%d" % (i + 1)),
                member(f"配偶{i}", "02", birth="1962-01-0%d" % (i + 1), male=False),
            ]
        )
        for i in range(3)
    ]
    poor = make_household(
        members=[member("低收入", birth="1955-02-02")],
        wage_income="0",
        business_income="0",
        property_income="0",
        transfer_income="100",
    )
    assess(regions["a"])
    return good, poor


APPLICANT = {
    "main_cause": "1",
    "group": "一组",
    "members": [
        member("申请人甲", birth="1970-04-04"),
        member("申请人乙", "02", birth="1972-05-05", male=False),
    ],
}
