"""Named actors and regions shared by every test (design.md §8).

Regions: 东辽县 (220422) → 渭津镇 (220422101) → village A 大榆村 (220422101201) and its neighbour
village B 小榆村 (220422101202); another county's village C in 东丰县 横道河镇.

Actors: ``clerk_a`` (village A clerk), ``reviewer`` (渭津镇), ``outsider`` (clerk of village B, the
neighbouring village), ``approver`` (东辽县), ``leader`` (辽源市), ``clerk_c`` (东丰县 village C),
and the three administrators ``sysadmin``, ``secadmin``, ``auditadmin`` (三员, no business data).
"""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.helpers import login_quietly
from tuopin.accounts.models import User
from tuopin.accounts.roles import Role
from tuopin.geo.actions import create_region, load_reference_regions
from tuopin.geo.models import Region

PASSWORD = "Tp!test-pass-2019"


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts and ends in the default language: a request in English activates English in
    this thread (LocaleMiddleware never deactivates it), and the next test would then read English
    labels where it expects the Chinese ones."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def regions(db):
    load_reference_regions()  # transactional tests flush the rows the data migration created
    town = Region.objects.get(code="220422101000")
    other_town = Region.objects.get(code="220421102000")
    a = create_region(actor=None, parent=town, code="220422101201", name="大榆村", is_synthetic=True)
    b = create_region(actor=None, parent=town, code="220422101202", name="小榆村", is_synthetic=True)
    c = create_region(actor=None, parent=other_town, code="220421102201", name="横道河村", is_synthetic=True)
    return {
        "town": town,
        "county": Region.objects.get(code="220422000000"),
        "city": Region.objects.get(code="220400000000"),
        "a": a,
        "b": b,
        "c": c,
    }


def _user(username: str, role: str, region: Region | None) -> User:
    user = User(username=username, role=role, jurisdiction=region, full_name=username)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def actors(regions):
    return {
        "clerk_a": _user("clerk_a", Role.CLERK, regions["a"]),
        "reviewer": _user("reviewer", Role.REVIEWER, regions["town"]),
        "outsider": _user("outsider", Role.CLERK, regions["b"]),
        "approver": _user("approver", Role.APPROVER, regions["county"]),
        "leader": _user("leader", Role.LEADER, regions["city"]),
        "clerk_c": _user("clerk_c", Role.CLERK, regions["c"]),
        "sysadmin": _user("sysadmin", Role.SYSADMIN, regions["city"]),
        "secadmin": _user("secadmin", Role.SECADMIN, regions["city"]),
        "auditadmin": _user("auditadmin", Role.AUDITADMIN, regions["city"]),
    }


@pytest.fixture
def clerk_a(actors):
    return actors["clerk_a"]


@pytest.fixture
def outsider(actors):
    return actors["outsider"]


@pytest.fixture
def approver(actors):
    return actors["approver"]


@pytest.fixture
def client_for(client):
    """``client_for(user)`` → a test client logged in as that user."""

    def login(user):
        login_quietly(client, user)
        return client

    return login
