"""The URL configuration as the security tests see it: every pattern, the model behind it, and how to
build a concrete path to an object (shared by the access matrix and the field-level rules)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from tuopin.accounts.models import User
from tuopin.geo.models import Region
from tuopin.registry.models import Household

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
    "reports/annual/archives/<int:pk>/": "reports.AnnualReportArchive",
    "reports/annual/<str:code>/<int:year>/": "geo.Region",
    "reports/annual/<str:code>/<int:year>/trace/<str:figure>/": "geo.Region",
    "reports/annual/<str:code>/<int:year>/archive/": "geo.Region",
    # DRF views whose queryset is built in get_queryset() only:
    "api/^policy/standards/(?P<pk>[^/.]+)/$": "policy.Standard",
}
# Parameters that are not object ids, with the value to use.
PLAIN_PARAMS = {"year": "2019", "fmt": "csv", "step": "review", "figure": "housing.households"}
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


def params(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def model_of(route: str, pattern: URLPattern) -> str | None:
    """'app.Model' named by an object pattern, or None when it cannot be told."""
    cls = getattr(pattern.callback, "cls", None)
    if cls is not None:
        model = getattr(cls, "scoped_model", None) or getattr(getattr(cls, "queryset", None), "model", None)
        if model is None and "household_id" in params(pattern):
            model = Household
        if model is not None:
            return model._meta.label
    return FUNCTION_VIEWS.get(route)


def build(route: str, values: dict[str, str]) -> str:
    path = route.replace("^", "").replace("$", "").replace("\\.", ".")
    for name, value in values.items():
        path = re.sub(rf"\(\?P<{name}>[^)]*\)", value, path)
        path = re.sub(rf"<(?:\w+:)?{name}>", value, path)
    return "/" + path


class Concrete(NamedTuple):
    """A URL pattern made concrete: ``path`` is None when the city holds no object for it; ``picked``
    is ``(object, insider, outsider)`` for a pattern that names an object, None for lists and forms;
    ``names`` is what the pattern names (a model label, or the programme kind of a ``<slug>``)."""

    route: str
    pattern: URLPattern
    path: str | None
    picked: tuple[Any, str, str] | None
    names: str | None


def concrete(actors: dict[str, User]) -> Iterator[Concrete]:
    """Every URL pattern made concrete over the city, once per programme kind for ``<slug>`` patterns."""
    for route, pattern in url_patterns():
        object_params = [p for p in params(pattern) if p not in PLAIN_PARAMS]
        label = model_of(route, pattern) if set(object_params) - {"slug"} else None
        for slug in slugs() if "slug" in object_params else [None]:
            values = dict(PLAIN_PARAMS)
            if slug is not None:
                values["slug"] = slug
            picked = None
            if label is not None:
                picked = pick(label, actors, slug)
                if picked is None:
                    yield Concrete(route, pattern, None, None, slug or label)
                    continue
                key = "code" if "code" in object_params else next(p for p in object_params if p != "slug")
                values[key] = str(picked[0].pk)
            yield Concrete(route, pattern, build(route, values), picked, slug or label)


def make_user(username: str, role: str, code: str) -> User:
    user = User(username=username, role=role, jurisdiction=Region.objects.get(code=code))
    user.set_unusable_password()
    user.save()
    return user


def pick(label: str, actors: dict[str, User], kind: str | None = None) -> tuple[Any, str, str] | None:
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


def slugs() -> list[str]:
    from tuopin.programmes.kinds import KINDS

    return list(KINDS) if isinstance(KINDS, dict) else [k.slug for k in KINDS]
