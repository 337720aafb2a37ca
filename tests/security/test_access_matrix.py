"""R6 — the access-control matrix, generated from the URL configuration.

Every URL pattern of the project is requested by every named actor, with GET and POST, over the
synthetic Liaoyuan city (registry, programmes, payments, procedures, assistance, supervision). For a
pattern that names an object, the matrix finds the model behind it — a DRF view's ``scoped_model``
or queryset, or ``FUNCTION_VIEWS`` for a plain Django view — and picks an object that the insider
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
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.helpers import login_quietly
from tuopin.accounts.models import User
from tuopin.accounts.roles import Role
from tuopin.assessment.actions import execute_run, start_run
from tuopin.geo.models import Region
from tuopin.payments import actions as pay
from tuopin.programmes import actions as prog
from tuopin.programmes.models import EcommerceSite, Loan
from tuopin.registry.models import Household

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "security"

# Plain Django views that take an object id: route → "app_label.Model" of the object it names.
FUNCTION_VIEWS: dict[str, str] = {
    "households/<int:pk>/": "registry.Household",
    "households/<int:pk>/edit/": "registry.Household",
    "households/<int:pk>/members/new/": "registry.Household",
    "households/<int:pk>/year/": "registry.Household",
    "members/<int:pk>/edit/": "registry.Member",
    "members/<int:pk>/remove/": "registry.Member",
    "members/<int:pk>/reveal/": "registry.Member",
    "assessment/runs/<int:pk>/": "assessment.Run",
    "assessment/runs/<int:pk>/progress/": "assessment.Run",
    "assessment/runs/<int:pk>/replay/": "assessment.Run",
    "policy/standards/<int:pk>/": "policy.Standard",
    "regions/<str:code>/": "geo.Region",
    "reports/dashboard/<str:code>/": "geo.Region",
    "programmes/support/<int:household_id>/<int:year>/": "registry.Household",
    "programmes/<slug:slug>/<int:pk>/": "programmes.<slug>",
    "payments/<int:pk>/": "payments.Batch",
    "cases/<int:pk>/": "cases.Case",
    "cases/<int:pk>/<slug:step>/": "cases.Case",
    "cases/notices/<int:pk>/print/": "cases.Notice",
    "cases/notices/<int:pk>/notice.docx": "cases.Notice",
    "cases/attachments/<int:pk>/": "cases.Attachment",
    "supervision/findings/<int:pk>/": "supervision.Finding",
    "exchange/batches/<int:pk>/": "exchange.ImportBatch",
    "exchange/batches/<int:pk>/report.xlsx": "exchange.ImportBatch",
    "exchange/crosscheck/<int:pk>/": "exchange.CrossCheckRun",
    "exchange/hits/<int:pk>/dispose": "exchange.CrossCheckHit",
    # DRF views whose queryset is built in get_queryset() only:
    "api/^policy/standards/(?P<pk>[^/.]+)/$": "policy.Standard",
}
# Parameters that are not object ids, with the value to use.
PLAIN_PARAMS = {"year": "2019", "fmt": "csv", "step": "review"}
OUTSIDER_ROLES = ("sysadmin", "secadmin", "auditadmin")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def url_patterns() -> list[tuple[str, URLPattern]]:
    """Every pattern except DRF's format-suffix twins (same view) and the admin site, whose pages are
    gated by role as a whole (tests/core/test_admin_roles.py)."""
    return [
        (route, p)
        for route, p in _walk(get_resolver().url_patterns)
        if "format" not in p.pattern.regex.groupindex and not route.startswith("admin/")
    ]


def _params(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def _model_of(route: str, pattern: URLPattern) -> str | None:
    """'app.Model' named by an object pattern, or None when it cannot be told."""
    cls = getattr(pattern.callback, "cls", None)
    if cls is not None:
        model = getattr(cls, "scoped_model", None) or getattr(getattr(cls, "queryset", None), "model", None)
        if model is None and "household_id" in _params(pattern):
            model = Household
        if model is not None:
            return model._meta.label
    return FUNCTION_VIEWS.get(route)


def _build(route: str, values: dict[str, str]) -> str:
    import re

    path = route.replace("^", "").replace("$", "").replace("\\.", ".")
    for name, value in values.items():
        path = re.sub(rf"\(\?P<{name}>[^)]*\)", value, path)
        path = re.sub(rf"<(?:\w+:)?{name}>", value, path)
    return "/" + path


def test_every_url_pattern_is_covered():
    missing = [
        f"{route} ({p.name})"
        for route, p in url_patterns()
        if set(_params(p)) - set(PLAIN_PARAMS) - {"slug"} and _model_of(route, p) is None
    ]
    assert not missing, "URL patterns whose object model the access matrix cannot tell:\n" + "\n".join(missing)


def _user(username: str, role: str, code: str) -> User:
    user = User(username=username, role=role, jurisdiction=Region.objects.get(code=code))
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def city(db, django_capture_on_commit_callbacks):
    """The synthetic city with a year of programmes and procedures, and the matrix's actors."""
    from tuopin.cases.scenario import seed_procedures_liaoyuan_2019
    from tuopin.programmes.scenario import seed_programmes_liaoyuan_2019
    from tuopin.registry.scenario import seed_liaoyuan_2019

    seed_liaoyuan_2019(scale=1, seed=2019)
    seed_programmes_liaoyuan_2019()
    with django_capture_on_commit_callbacks(execute=True):
        seed_procedures_liaoyuan_2019()
    # A county's own assessment run, and a township payment batch for village A's households, so those pages have objects.
    execute_run(start_run(actor=None, year=2019, region="220422000000", enqueue=False).pk)
    maker = _user("m_maker", Role.REVIEWER, "220422101000")
    village_a = Household.objects.filter(village_id="220422101201", status="exited").order_by("pk")[:3]
    pay.create_batch(
        actor=maker,
        kind="yulu",
        programme="yulu",
        period="2019-2",
        region="220422101000",
        title="雨露计划 2019秋",
        lines=[{"household": h, "amount": "1500.00"} for h in village_a],
    )
    # One of each record the scenario does not make: a repayment, a risk-compensation draw, a sale.
    county = _user("m_county_clerk", Role.APPROVER, "220422000000")
    loan = Loan.objects.filter(household__village__code__startswith="220422").order_by("pk").first()
    prog.record_repayment(loan, actor=county, paid_on=loan.issued_on, principal="1")
    prog.draw_risk_compensation(actor=county, region="220422000000", year=2019, amount="100")
    site = EcommerceSite.objects.filter(region__code__startswith="220422").order_by("pk").first()
    prog.record_ecommerce_sale(site, actor=county, year=2019, product="木耳", amount="100")
    return {
        "village_in": _user("m_clerk_a", Role.CLERK, "220422101201"),
        "village_out": _user("m_clerk_b", Role.CLERK, "220422101202"),
        "county_in": _user("m_approver", Role.APPROVER, "220422000000"),
        "county_out": _user(
            "m_clerk_df",
            Role.CLERK,
            Region.objects.filter(code__startswith="220421", level=5).order_by("code").first().code,
        ),
        "city_in": _user("m_leader", Role.LEADER, "220400000000"),
        **{name: _user(f"m_{name}", name, "220400000000") for name in OUTSIDER_ROLES},
    }


def _pick(label: str, actors: dict[str, User], kind: str | None = None) -> tuple[Any, str, str] | None:
    """An object of the model the insider sees and the outsider does not: (object, insider, outsider)."""
    if label.endswith(".<slug>"):
        from tuopin.programmes.kinds import KINDS

        model = KINDS[kind].model if isinstance(KINDS, dict) else next(k.model for k in KINDS if k.slug == kind)
    else:
        model = apps.get_model(label)
    if not hasattr(model.objects, "visible_to"):  # public reference data (policy standards, rule sets)
        obj = model.objects.order_by("pk").first()
        return None if obj is None else (obj, "village_in", "")
    for inside, outside in (("village_in", "village_out"), ("county_in", "county_out"), ("city_in", None)):
        mine = model.objects.visible_to(actors[inside])
        if outside is not None:
            mine = mine.exclude(pk__in=model.objects.visible_to(actors[outside]).values("pk"))
        obj = mine.order_by("pk").first()
        if obj is not None:
            return obj, inside, outside or "-"  # city-wide objects: only the 三员 are outsiders
    return None


def _slugs() -> list[str]:
    from tuopin.programmes.kinds import KINDS

    return list(KINDS) if isinstance(KINDS, dict) else [k.slug for k in KINDS]


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

    for route, pattern in url_patterns():
        params = _params(pattern)
        object_params = [p for p in params if p not in PLAIN_PARAMS]
        label = _model_of(route, pattern) if set(object_params) - {"slug"} else None
        for slug in _slugs() if "slug" in object_params else [None]:
            values = dict(PLAIN_PARAMS)
            if slug is not None:
                values["slug"] = slug
            picked = None
            if label is not None:
                picked = _pick(label, actors, slug)
                if picked is None:
                    unexercised.append(f"{route} [{slug or label}]")
                    continue
                obj, inside, outside = picked
                key = "code" if "code" in object_params else next(p for p in object_params if p != "slug")
                values[key] = str(obj.pk)
            path = _build(route, values)
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
