"""Fixtures of the web tests: households in village A (and one in the neighbouring village B)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.helpers import household, login_quietly, make_id, member
from tuopin.registry import actions

# A full 18-character ID number anywhere in a response body (security.md §2.4 a).
FULL_ID = re.compile(rb"(?<![0-9])\d{17}[\dX](?![0-9])")


@pytest.fixture
def head_id():
    """The ID number of house_a's head (to search for, and to make sure it never shows)."""
    return make_id("1958-03-12")


@pytest.fixture
def house_a(clerk_a, regions, head_id):
    """A household in village A with a head and two members, facts for 2019."""
    h = household(
        clerk_a,
        regions["a"],
        members=[
            {"name": "王德福", "id_number": head_id, "relation": "01"},
            member("李秀兰", "02", birth="1960-07-08", male=False),
            member("王小明", "03", birth="2008-09-01", education="2", school_status="3"),
        ],
        phone="13812345678",
        bank_name="农村信用社",
        bank_account="6217001234567890123",
        group="三组",
    )
    actions.set_household_year(h, actor=clerk_a, year=2019, wage_income="12000", transfer_income="3000.5")
    return h


@pytest.fixture
def house_b(actors, regions):
    """A household in the neighbouring village B (the outsider's)."""
    return household(actors["outsider"], regions["b"], members=[member("孙大海", birth="1955-01-01")])


@pytest.fixture
def csrf_client_for():
    """``csrf_client_for(user)`` → a client that enforces CSRF, logged in as that user."""

    def login(user):
        c = Client(enforce_csrf_checks=True)
        login_quietly(c, user)
        return c

    return login


def csrf_token(client: Client, url: str) -> str:
    """The CSRF token of the form on ``url``."""
    body = client.get(url).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
