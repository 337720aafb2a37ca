"""Coverage and annual figures of the responsibility chain, pairing and visits, counted from records.

"Poor households" are registered households whose status is poor or relapsed. A "not-yet-exited poor
village" is a village that still has such a household (tuopin has no separate village register yet;
see docs/decisions.md). Every count is one SQL aggregate over a region prefix.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from tuopin.core.scoping import prefix_range_q
from tuopin.geo.choices import Level
from tuopin.geo.models import Region
from tuopin.registry.choices import POOR_STATUSES
from tuopin.registry.models import Household

from .choices import LeaderLevel, SecretaryLevel, VisitKind
from .models import AssistanceAction, Cadre, LeaderVisit, Pairing, ResponsibilityLetter, Secretary, Visit

__all__ = [
    "poor_households",
    "household_coverage",
    "poor_villages",
    "village_coverage",
    "households_to_visit",
    "annual_figures",
]


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def poor_households(prefix: str) -> QuerySet[Household]:
    """Poor (or relapsed) households in a region prefix."""
    return Household.objects.in_region(prefix).filter(status__in=POOR_STATUSES)


def _visited_by_own_cadre(year: int) -> Exists:
    """A visit in ``year`` to the household by a cadre paired with it on the visit's date."""
    start, end = _year_range(year)
    paired = Pairing.objects.filter(
        household=OuterRef("household"), cadre=OuterRef("cadre"), start__lte=OuterRef("date")
    ).filter(Q(end__isnull=True) | Q(end__gte=OuterRef("date")))
    return Exists(Visit.objects.filter(household=OuterRef("pk"), date__range=(start, end)).filter(Exists(paired)))


def household_coverage(prefix: str, year: int) -> dict[str, Any]:
    """Share of poor households visited this year by their paired cadre, with counts."""
    qs = poor_households(prefix).annotate(
        visited=_visited_by_own_cadre(year), paired=Exists(Pairing.objects.filter(household=OuterRef("pk")))
    )
    # One COUNT per figure: aggregating over EXISTS annotations makes Django wrap the query in a
    # subquery whose outer references SQLite resolves wrongly.
    agg = {"total": qs.count(), "visited": qs.filter(visited=True).count(), "paired": qs.filter(paired=True).count()}
    total = agg["total"]
    return {**agg, "share": (Decimal(agg["visited"]) / total).quantize(Decimal("0.0001")) if total else None}


def poor_villages(prefix: str) -> QuerySet[Region]:
    """Villages in a region prefix that still have a poor household."""
    has_poor = Household.objects.filter(village=OuterRef("pk"), status__in=POOR_STATUSES)
    return Region.objects.filter(prefix_range_q("code", prefix), level=Level.VILLAGE).filter(Exists(has_poor))


def village_coverage(prefix: str, year: int, *, list_unvisited: bool = True) -> dict[int, dict[str, Any]]:
    """For each leader level: how many not-yet-exited poor villages were visited (遍访) in ``year``, the
    share, and the villages not visited."""
    start, end = _year_range(year)
    villages = poor_villages(prefix)
    ann = {}
    for level in LeaderLevel:
        ann[f"v{level.value}"] = Exists(
            LeaderVisit.objects.filter(region=OuterRef("pk"), level=level.value, date__range=(start, end))
        )
    rows = villages.annotate(**ann)
    agg = {"total": villages.count(), **{k: rows.filter(**{k: True}).count() for k in ann}}
    out = {}
    for level in LeaderLevel:
        key = f"v{level.value}"
        total, visited = agg["total"], agg[key]
        out[level.value] = {
            "label": str(level.label),
            "total": total,
            "visited": visited,
            "share": (Decimal(visited) / total).quantize(Decimal("0.0001")) if total else None,
            "unvisited": list(rows.filter(**{key: False}).values_list("code", "name")) if list_unvisited else [],
        }
    return out


def households_to_visit(user: Any, year: int | None = None) -> QuerySet[Household]:
    """Poor households the user should visit this year: a cadre's own paired households not yet
    visited by them; for other roles, poor households in their jurisdiction not visited by their cadre."""
    year = year or timezone.localdate().year
    today = timezone.localdate()
    qs = (
        Household.objects.visible_to(user)
        .filter(status__in=POOR_STATUSES)
        .annotate(visited=_visited_by_own_cadre(year))
    )
    if user.role == "cadre":
        mine = Pairing.objects.filter(household=OuterRef("pk"), cadre__user=user, start__lte=today).filter(
            Q(end__isnull=True) | Q(end__gte=today)
        )
        qs = (
            Household.objects.filter(status__in=POOR_STATUSES)
            .filter(Exists(mine))
            .annotate(visited=_visited_by_own_cadre(year))
        )
    return qs.filter(visited=False).select_related("village").order_by("village_id", "number")


def annual_figures(region: Region | str, year: int) -> dict[str, Any]:
    """Responsibility, leaders' visits, assistance actions and coverage of a region in a year (for the
    annual report), all counted from records."""
    code = region.code if isinstance(region, Region) else str(region).ljust(12, "0")
    region = Region.objects.get(code=code)
    prefix = region.prefix
    start, end = _year_range(year)
    secretaries = Secretary.objects.in_region(prefix).filter(year=year)
    by_level = dict(secretaries.values_list("level").annotate(n=Count("id")))
    letters = ResponsibilityLetter.objects.filter(year=year).filter(
        prefix_range_q("lower_region_id", prefix) | Q(upper_region=region)
    )
    leader = LeaderVisit.objects.in_region(prefix).filter(date__range=(start, end))
    lv = leader.aggregate(
        research=Count("id", filter=Q(kind=VisitKind.RESEARCH)), visits=Count("id", filter=Q(kind=VisitKind.VISIT))
    )
    actions = (
        AssistanceAction.objects.in_region(prefix)
        .filter(date__range=(start, end))
        .aggregate(n=Count("id"), amount=Sum("amount"))
    )
    return {
        "region": code,
        "year": year,
        "secretaries": {int(k): by_level.get(int(k), 0) for k in SecretaryLevel.values},
        "letters": letters.count(),
        "letters_from_region": letters.filter(upper_region=region).count(),
        "leader_research_visits": lv["research"],
        "leader_village_visits": lv["visits"],
        "assistance_actions": actions["n"],
        "assistance_amount": Decimal(actions["amount"] or 0).quantize(Decimal("0.01")),
        "cadres": Cadre.objects.in_region(prefix).count(),
        "cadre_visits": Visit.objects.in_region(prefix).filter(date__range=(start, end)).count(),
        "household_coverage": household_coverage(prefix, year),
        "village_coverage": village_coverage(prefix, year, list_unvisited=True),
    }
