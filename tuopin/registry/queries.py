"""Reads shared by pages, the API and exports: household filtering and search.

Everything starts from ``Household.objects.visible_to(user)``; these functions only narrow it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tuopin.core.crypto import lookup_hash
from tuopin.core.idnumber import parse_id_number
from tuopin.core.scoping import code_prefix, prefix_range_q

from .models import Household, Member

__all__ = ["visible_households", "filter_households", "search_households", "HOUSEHOLD_FILTERS"]

HOUSEHOLD_FILTERS = ("region", "status", "cause", "category", "year")


def visible_households(user: Any) -> QuerySet[Household]:
    """The households a user may see, with the village loaded for display."""
    return Household.objects.visible_to(user).select_related("village")


def filter_households(qs: QuerySet[Household], params: dict[str, Any]) -> QuerySet[Household]:
    """Apply the list filters: region (any code prefix inside the user's scope), status, main or other
    cause, category, and year (households registered that year: identified in or before it and with
    facts recorded for it)."""
    region = str(params.get("region") or "").strip()
    if region.isdigit():
        qs = qs.filter(prefix_range_q("village_id", code_prefix(region)))
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("cause"):
        cause = str(params["cause"])
        qs = qs.filter(Q(main_cause=cause) | Q(other_cause_1=cause) | Q(other_cause_2=cause))
    if params.get("category"):
        qs = qs.filter(category=params["category"])
    year = str(params.get("year") or "")
    if year.isdigit():
        qs = qs.filter(years__year=int(year))
    return qs


def search_households(qs: QuerySet[Household], text: str) -> QuerySet[Household]:
    """Search by household number, any member's name (the head's included), or an exact ID number.

    A full ID number is matched through its keyed hash, never by storing or comparing plaintext. A name
    matches from its start (姓 or 姓名, as a clerk searches): a prefix uses the index on member names,
    where "contains" reads every member of the city. The head's name is a current member's name
    (``household.head_name`` is kept from it), so searching members finds heads too.
    """
    text = (text or "").strip()
    if not text:
        return qs
    try:
        parsed = parse_id_number(text)
    except Exception:  # noqa: BLE001 - not an ID number: search as text
        parsed = None
    if parsed is not None:
        ids = Member.objects.filter(id_hash=lookup_hash(parsed.number)).values("household_id")
        return qs.filter(pk__in=ids)
    if text.isdigit():
        return qs.filter(number__startswith=text)
    # From the name's first character, as a clerk searches, through the index on member names (its
    # LIKE twin on PostgreSQL); "contains" read every member of the registry (2.2M rows at 1M households).
    # The head's name is a current member's name, so heads are found too.
    return qs.filter(pk__in=Member.objects.filter(name__startswith=text).values("household_id"))
