"""R6 — the access-control matrix, generated from the URL configuration.

Every URL pattern of the project is requested by every named actor, with GET and POST, over the
synthetic Liaoyuan city (registry, programmes, payments, procedures, assistance, supervision). For a
pattern that names an object, the matrix finds the model behind it — a DRF view's ``scoped_model``
or queryset, or ``FUNCTION_VIEWS`` (tests/security/urlmap.py) for a plain Django view — and picks an object that the insider
sees and the outsider does not. A new pattern whose model cannot be found fails
``test_every_url_pattern_is_covered`` until someone says what it exposes, so coverage stays 100% by
construction, not by memory.

Pairs (insider / outsider): the village clerk of 大榆村 and the clerk of the neighbouring 小榆村 for
objects inside that village; otherwise the 东辽县 approver and a 东丰县 clerk. The three administrators
(三员) are outsiders to everything. Expectations:

* outsiders get 404 on the object (or 405 where the endpoint has no such method for any object), and
  never see the insider's household numbers in a list;
* anonymous users are sent to the login page (pages) or get 401/403 (API);
* the insider never gets 404 on an object it can see; nobody ever gets a 5xx.

The figure is written to test-artifacts/security/R6.json.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.test import Client

from tests.helpers import login_quietly
from tests.security.urlmap import OUTSIDER_ROLES, PLAIN_PARAMS, concrete, model_of, params, url_patterns
from tuopin.registry.models import Household

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "security"


def test_every_url_pattern_is_covered():
    missing = [
        f"{route} ({p.name})"
        for route, p in url_patterns()
        if set(params(p)) - set(PLAIN_PARAMS) - {"slug"} and model_of(route, p) is None
    ]
    assert not missing, "URL patterns whose object model the access matrix cannot tell:\n" + "\n".join(missing)


def test_access_matrix(city):
    actors = city
    clients: dict[str, Client] = {}
    for name, user in actors.items():
        clients[name] = Client()
        login_quietly(clients[name], user)
    clients["anonymous"] = Client()
    secret = set(Household.objects.visible_to(actors["village_in"]).values_list("number", flat=True)[:50])

    cells, mismatches, unexercised, requested = 0, [], [], 0

    def check(actor: str, method: str, path: str, expect_404: bool, insider: bool) -> None:
        nonlocal cells
        cells += 1
        response = getattr(clients[actor], method)(path)
        status = response.status_code
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8", "replace") if status < 300 else ""
        problem = None
        if status >= 500:
            problem = f"server error {status}"
        elif actor == "anonymous":
            if status == 200 and not path.startswith(("/accounts/login", "/healthz")):
                problem = "anonymous got 200"
        elif expect_404 and status not in (404, 405):
            problem = f"expected 404, got {status}"
        elif insider and status == 404:
            problem = "insider got 404 on an object it can see"
        elif not insider and any(number in body for number in secret):
            problem = "another village's household number in the response"
        if problem:
            mismatches.append(f"{actor} {method.upper()} {path}: {problem}")

    for route, pattern, path, picked, names in concrete(actors):
        if path is None:
            unexercised.append(f"{route} [{names}]")
            continue
        inside, outside = picked[1:] if picked is not None else ("", "")
        requested += 1
        for method in ("get", "post"):
            if pattern.name in {"logout", "set_language"} and method == "post":
                continue  # would end or alter the session mid-matrix; tested in tests/accounts, tests/web
            check("anonymous", method, path, False, False)
            if picked is None:  # lists and forms: outsiders must not see the insider's records
                for actor in ("village_out", "county_out", *OUTSIDER_ROLES):
                    check(actor, method, path, False, False)
                continue
            check(inside, method, path, False, True)
            if not outside:  # public reference data: readable by every official, nothing to hide
                continue
            for actor in ((outside,) if outside != "-" else ()) + OUTSIDER_ROLES:
                check(actor, method, path, True, False)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "R6.json").write_text(
        json.dumps(
            {
                "family": "R6 access-control matrix",
                "cells": cells,
                "mismatches": len(mismatches),
                "url_patterns": len(url_patterns()),
                "paths_requested": requested,
                "not_exercised": unexercised,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    print(
        f"\nR6: {cells} cells over {requested} paths from {len(url_patterns())} URL patterns, "
        f"{len(mismatches)} mismatches, {len(unexercised)} object patterns without an object in the city"
    )
    assert not mismatches, "\n".join(mismatches[:80])
    assert len(unexercised) <= 6, "object patterns with no object in the matrix city:\n" + "\n".join(unexercised)
