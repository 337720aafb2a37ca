"""R6 — the access-control matrix, generated from the URL configuration.

Every URL pattern of the project is requested by every named actor, with GET and POST, against the
objects of village A. A pattern that takes an object id must be listed in ``KINDS`` (which says
which of A's objects it names); a new page or API endpoint that is not listed fails
``test_every_url_pattern_is_covered`` until someone decides what it exposes — so coverage is 100% by
construction, not by memory. Expectations:

* the outsider (neighbouring village's clerk) and the three administrators get **404** on any of
  A's objects, whatever the method (or 405 where the endpoint has no such method for any object),
  and A's household number never appears in any response;
* anonymous users are sent to the login page (pages) or get 401/403 (API);
* village A's own clerk never gets 404 on A's objects.

The figure (cells tested, mismatches, coverage) is written to test-artifacts/security/R6.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.assessment.conftest import GOOD_YEAR, standards  # noqa: F401 - fixture
from tests.helpers import household, login_quietly
from tuopin.assessment.actions import execute_run, start_run
from tuopin.assessment.models import Determination, RegionRollup
from tuopin.policy.models import RuleSet, Standard
from tuopin.registry import actions

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "security"

# URL name → which object of village A its id names. "public" objects (policy) are readable by every
# signed-in official; "admin" patterns belong to the role-based admin site (tests/core/test_admin_roles.py).
KINDS: dict[str, str] = {
    "region-detail": "village",
    "region-children": "village",
    "region_detail": "village",
    "household-detail": "household",
    "household-audit": "household",
    "household-change-status": "household",
    "household-set-year": "household",
    "household_detail": "household",
    "household_edit": "household",
    "member_add": "household",
    "household_year": "household",
    "member-detail": "member",
    "member-remove": "member",
    "member-reveal-id": "member",
    "member_edit": "member",
    "member_remove": "member",
    "member_reveal": "member",
    "assessment-run-detail": "run",
    "run_detail": "run",
    "run_progress": "run",
    "run_replay": "run",
    "assessment-determination-detail": "determination",
    "assessment-determination-explain": "determination",
    "assessment-rollup-detail": "rollup",
    "standard-detail": "public:standard",
    "standard_detail": "public:standard",
    "ruleset-detail": "public:ruleset",
}
OUTSIDERS = ("outsider", "clerk_c", "sysadmin", "secadmin", "auditadmin")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def url_patterns() -> list[tuple[str, URLPattern]]:
    """Every pattern except DRF's ``.json``-style format-suffix twins (same view, same checks)."""
    return [(route, p) for route, p in _walk(get_resolver().url_patterns) if "format" not in p.pattern.regex.groupindex]


def _kwargs(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def _build(route: str, kwargs: dict[str, str]) -> str:
    """Turn a route or regex into a concrete path."""
    path = route.replace("^", "").replace("$", "").replace("\\.", ".")
    for name, value in kwargs.items():
        path = re.sub(rf"\(\?P<{name}>[^)]*\)", value, path)
        path = re.sub(rf"<(?:\w+:)?{name}>", value, path)
    return "/" + path


@pytest.fixture
def world(actors, regions, standards, django_capture_on_commit_callbacks):  # noqa: F811
    clerk = actors["clerk_a"]
    h = household(clerk, regions["a"])
    actions.set_household_year(h, actor=clerk, year=2019, **GOOD_YEAR)
    run = execute_run(start_run(actor=None, year=2019, region=regions["a"], enqueue=False).pk)
    return {
        "household": str(h.pk),
        "member": str(h.members.first().pk),
        "village": regions["a"].code,
        "run": str(run.pk),
        "determination": str(Determination.objects.get(run=run).pk),
        "rollup": str(RegionRollup.objects.get(run=run, region=regions["a"]).pk),
        "public:standard": str(Standard.objects.first().pk),
        "public:ruleset": str(RuleSet.objects.first().pk),
        "admin": "1",
        "_number": h.number,
        "_head": h.head_name,
    }


def _object_kind(name: str | None, route: str) -> str | None:
    if route.startswith("admin/"):
        return "admin"
    return KINDS.get(name or "")


def test_every_url_pattern_is_covered():
    missing = [
        f"{route} ({p.name})" for route, p in url_patterns() if _kwargs(p) and _object_kind(p.name, route) is None
    ]
    assert not missing, "URL patterns with object ids missing from the access matrix KINDS:\n" + "\n".join(missing)


def test_access_matrix(actors, world):
    cells, mismatches, covered = 0, [], 0
    clients = {}
    for name in ("clerk_a", *OUTSIDERS):
        client = Client()
        login_quietly(client, actors[name])
        clients[name] = client
    clients["anonymous"] = Client()
    for route, pattern in url_patterns():
        kind = _object_kind(pattern.name, route)
        params = _kwargs(pattern)
        path = _build(route, dict.fromkeys(params, world[kind])) if params else _build(route, {})
        if route.startswith("admin/") and params:
            continue  # object pages of the admin are role-gated as a whole (tests/core/test_admin_roles.py)
        covered += 1
        for actor, client in clients.items():
            for method in ("get", "post"):
                if pattern.name in {"logout", "set_language"} and method == "post" and actor != "anonymous":
                    continue  # would end or alter the session mid-matrix; tested in tests/accounts and tests/web
                cells += 1
                response = getattr(client, method)(path)
                raw = b"".join(response.streaming_content) if response.streaming else response.content
                body = raw.decode("utf-8", "replace") if response.status_code < 300 else ""
                problem = None
                if actor == "anonymous":
                    if response.status_code == 200 and not path.startswith(("/accounts/login", "/healthz")):
                        problem = "anonymous got 200"
                elif actor in OUTSIDERS:
                    scoped = kind is not None and not kind.startswith(("public:", "admin"))
                    # 405 (method not supported by the endpoint at all) is decided before any lookup and is
                    # the same for every id, so it tells nothing about A's objects.
                    if scoped and response.status_code not in (404, 405):
                        problem = f"expected 404, got {response.status_code}"
                    elif world["_number"] in body:
                        problem = "village A's household number in the response"
                elif actor == "clerk_a" and kind and not kind.startswith("admin") and response.status_code == 404:
                    problem = "own village's object answered 404"
                if problem:
                    mismatches.append(f"{actor} {method.upper()} {path}: {problem}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    total = len(url_patterns())
    (ARTIFACTS / "R6.json").write_text(
        json.dumps(
            {
                "family": "R6 access-control matrix",
                "cells": cells,
                "mismatches": len(mismatches),
                "url_patterns": total,
                "patterns_requested": covered,
                "admin_object_patterns_delegated": total - covered,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    print(f"\nR6: {cells} cells over {covered} URL patterns, {len(mismatches)} mismatches")
    assert not mismatches, "\n".join(mismatches)
