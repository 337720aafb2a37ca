"""Fixtures for programme and payment tests: households with bank accounts, the shipped standards."""

import itertools

import pytest

from tests.api.conftest import api  # noqa: F401  (the leak-checking JSON client)
from tests.assessment.conftest import standards  # noqa: F401
from tests.helpers import household, member

_acct = itertools.count(1)


def account() -> str:
    return f"622848{next(_acct):013d}"


@pytest.fixture
def make_hh(clerk_a, regions, standards):  # noqa: F811
    """``make_hh(village="a", members=None, bank_account=...)``: a household with a bank account."""

    def make(village="a", members=None, bank_account=None, actor=None, **fields):
        who = actor or clerk_a
        return household(who, regions[village], members=members, bank_account=bank_account or account(), **fields)

    return make


@pytest.fixture
def reviewer(actors):
    return actors["reviewer"]


__all__ = ["api", "standards", "member"]
