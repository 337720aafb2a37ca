"""Reads shared by the pages, the API and the home page: case lists, filters and "waiting for me"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tuopin.accounts.roles import Capability
from tuopin.core.scoping import code_prefix, prefix_range_q

from .choices import CaseKind, CaseState
from .models import Case, Notice

__all__ = ["visible_cases", "filter_cases", "waiting_for", "counts_by_state", "visible_notices"]

SHORT = (CaseKind.MONITORING_ENTRY, CaseKind.MONITORING_EXIT, CaseKind.RELAPSE)


def visible_cases(user: Any) -> QuerySet[Case]:
    """Cases in the user's jurisdiction, with what list rows show."""
    return Case.objects.visible_to(user).select_related("village", "household", "notice")


def visible_notices(user: Any) -> QuerySet[Notice]:
    """Notices posted inside the user's jurisdiction."""
    return Notice.objects.visible_to(user).select_related("region")


def filter_cases(qs: QuerySet[Case], params: dict[str, Any]) -> QuerySet[Case]:
    """List filters: kind, state, year, region prefix, open/closed."""
    if params.get("kind") in CaseKind.values:
        qs = qs.filter(kind=params["kind"])
    if params.get("state") in CaseState.values:
        qs = qs.filter(state=params["state"])
    if str(params.get("year") or "").isdigit():
        qs = qs.filter(year=int(params["year"]))
    region = str(params.get("region") or "").strip()
    if region.isdigit():
        qs = qs.filter(prefix_range_q("village_id", code_prefix(region)))
    if params.get("open") in ("1", "true"):
        qs = qs.exclude(state__in=[CaseState.DONE, CaseState.REJECTED, CaseState.WITHDRAWN])
    return qs


def waiting_for(user: Any, *, today: dt.date | None = None) -> QuerySet[Case]:
    """Cases whose next step is the user's to take (for the home page's "my work")."""
    today = today or timezone.localdate()
    notice_over = Q(notice__end_date__lt=today)
    q = Q(pk__in=[])
    if user.can(Capability.HANDLE_CASE):
        q |= Q(kind=CaseKind.IDENTIFICATION, state__in=[CaseState.APPLIED, CaseState.APPRAISED])
        q |= Q(kind=CaseKind.EXIT, state=CaseState.VERIFIED)
        q |= Q(state__in=[CaseState.APPROVED, CaseState.ANNOUNCED])
    if user.can(Capability.REVIEW_CASE):
        q |= Q(kind=CaseKind.IDENTIFICATION, state=CaseState.NOTICE1) & notice_over
        q |= Q(kind=CaseKind.IDENTIFICATION, state__in=[CaseState.OBJECTED, CaseState.REVIEWED])
        q |= Q(state=CaseState.PROPOSED) | Q(kind=CaseKind.EXIT, state=CaseState.OBJECTED)
    if user.can(Capability.APPROVE_CASE):
        own = Q(created_by=user)
        q |= (Q(state__in=[CaseState.NOTICE2, CaseState.NOTICE]) & notice_over) & ~own
        q |= Q(kind__in=SHORT, state=CaseState.VERIFIED) & ~own
    return visible_cases(user).filter(q).order_by("last_step_on", "id")


def counts_by_state(user: Any, year: int | None = None) -> dict[tuple[str, str], int]:
    """{(kind, state): n} in the user's jurisdiction (one GROUP BY)."""
    qs = Case.objects.visible_to(user)
    if year:
        qs = qs.filter(year=year)
    return {(r["kind"], r["state"]): r["n"] for r in qs.values("kind", "state").annotate(n=Count("id"))}
