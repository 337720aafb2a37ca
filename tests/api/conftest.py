"""API test fixtures: a JSON client per actor that scans every response for leaked ID numbers.

``api(user)`` returns a client logged in as ``user``. Every response it receives is checked: for a
role without the plaintext-ID permission, no body may contain an 18-character ID number
(security.md §2.4 a) — so every API test is also a leak test, not only the ones that look for it.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from tests.helpers import login_quietly
from tuopin.accounts.roles import Capability

ID_RE = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9])")


class ApiClient:
    """A thin JSON wrapper around Django's test client that records and scans every response."""

    def __init__(self, user=None):
        self.user = user
        self.client = Client()
        if user is not None:
            login_quietly(self.client, user)
        self.may_see_plaintext = bool(user is not None and user.can(Capability.VIEW_PLAINTEXT_ID))
        self.responses = []

    def _check(self, response):
        body = response.content.decode("utf-8", "replace")
        self.responses.append(response)
        if not self.may_see_plaintext:
            leaked = ID_RE.findall(body)
            assert not leaked, f"{self.user} received a full ID number in {response.request['PATH_INFO']}: {leaked}"
        return response

    def get(self, path, params=None, **extra):
        return self._check(self.client.get(path, params or {}, **extra))

    def post(self, path, data=None, **extra):
        return self._check(self.client.post(path, json.dumps(data or {}), content_type="application/json", **extra))

    def patch(self, path, data=None, **extra):
        return self._check(self.client.patch(path, json.dumps(data or {}), content_type="application/json", **extra))

    def put(self, path, data=None, **extra):
        return self._check(self.client.put(path, json.dumps(data or {}), content_type="application/json", **extra))

    def delete(self, path, **extra):
        return self._check(self.client.delete(path, **extra))


@pytest.fixture
def api(actors):
    """``api(user_or_actor_name)`` → an :class:`ApiClient` logged in as that user."""

    def make(user):
        return ApiClient(actors[user] if isinstance(user, str) else user)

    return make


@pytest.fixture
def anon():
    """A client with no login."""
    return ApiClient(None)
