"""Helpers shared by the page views: capability checks, the household list query, error mapping."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.core.idnumber import mask_id, parse_id_number
from tuopin.geo.choices import Level
from tuopin.geo.models import Region
from tuopin.registry import choices as c
from tuopin.registry.models import Household
from tuopin.registry.queries import HOUSEHOLD_FILTERS, filter_households, search_households, visible_households

PAGE_SIZE = 50
MAX_REGION_OPTIONS = 3000

# Sortable columns: URL key → ordering field. Anything else in ?sort= is ignored.
SORTS = {
    "number": "number",
    "head": "head_name",
    "village": "village__name",
    "size": "member_count",
    "category": "category",
    "cause": "main_cause",
    "status": "status",
}
LIST_PARAMS = ("q", *HOUSEHOLD_FILTERS)
CODE_PARAMS = {"status": c.HouseholdStatus, "cause": c.PovertyCause, "category": c.HouseholdCategory}


def require(user: Any, capability: Capability) -> None:
    """Refuse (403) a user whose role lacks ``capability``."""
    if not user.can(capability):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def as_id_number(text: str) -> str | None:
    """The normalised ID number if ``text`` is one, else None (used to keep IDs out of pages and URLs)."""
    text = (text or "").strip()
    if len(text) < 15:
        return None
    try:
        return parse_id_number(text).number
    except ValidationError:
        return None


def region_choices(user: Any) -> list[tuple[str, str]]:
    """The regions inside the user's jurisdiction, down to villages, indented by level."""
    if user.jurisdiction_id is None or not user.sees_business_data:
        return []
    top = user.jurisdiction.level
    rows = Region.objects.visible_to(user).order_by("code").values_list("code", "name", "level")
    indent = "\u3000"  # ideographic space: lines up under Chinese names
    return [(code, indent * (level - top) + name) for code, name, level in rows[:MAX_REGION_OPTIONS]]


def village_choices(user: Any) -> list[tuple[str, str]]:
    """Villages where the user may register households, labelled "乡镇 村"."""
    if user.jurisdiction_id is None or not user.sees_business_data:
        return []
    rows = (
        Region.objects.visible_to(user)
        .filter(level=Level.VILLAGE)
        .select_related("parent")
        .order_by("code")
        .only("code", "name", "parent__name")
    )
    return [(r.code, f"{r.parent.name} {r.name}" if r.parent else r.name) for r in rows]


def list_params(data: Any) -> dict[str, str]:
    """The list's filter, search and sort values from GET or POST data (strings, blanks dropped)."""
    out = {}
    for key in (*LIST_PARAMS, "sort"):
        value = str(data.get(key) or "").strip()[:40]
        if not value or (key in CODE_PARAMS and value not in CODE_PARAMS[key].values):
            continue  # a stale or hand-edited value is dropped rather than emptying the list
        if key in ("region", "year") and not value.isdigit():
            continue
        out[key] = value
    return out


def household_list_queryset(user: Any, params: dict[str, str]) -> QuerySet[Household]:
    """Visible households, filtered, searched and sorted: the list page and the exports read this."""
    qs = filter_households(visible_households(user), params)
    qs = search_households(qs, params.get("q", ""))
    sort = params.get("sort", "number")
    field = SORTS.get(sort.lstrip("-"), "number")
    desc = sort.startswith("-")
    return qs.order_by(f"-{field}" if desc else field, "-pk" if desc else "pk")


def masked_params(params: dict[str, str]) -> dict[str, str]:
    """Params safe to show or record: an ID number typed into the search box is masked."""
    out = dict(params)
    number = as_id_number(out.get("q", ""))
    if number:
        out["q"] = mask_id(number)
    return out


_MEMBER_KEY = re.compile(r"members\[(\d+)\]\.(\w+)")


def attach_errors(
    exc: ValidationError,
    form: forms.Form,
    *,
    rows: list[forms.Form] | None = None,
    aliases: dict[str, str | None] | None = None,
) -> list[str]:
    """Put an action's ``ValidationError`` messages on the fields they name.

    Keys like ``members[0].id_number`` go to that row of the member table (``rows`` are the rows
    passed to the action, in order); ``aliases`` renames action keys to form fields (``None``: the
    form's general errors). Returns the messages about the member table as a whole (key
    ``members``), which the template shows above it.
    """
    aliases = aliases or {}
    table_errors: list[str] = []
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return table_errors
    for key, messages in exc.message_dict.items():
        match = _MEMBER_KEY.fullmatch(key)
        if match and rows is not None and int(match[1]) < len(rows):
            row, field = rows[int(match[1])], match[2]
            _add(row, field if field in row.fields else None, messages)
            continue
        if key == "members" and rows is not None:
            table_errors.extend(messages)
            continue
        field = aliases.get(key, key)
        _add(form, field if field in form.fields else None, messages)
    return table_errors


def _add(form: forms.Form, field: str | None, messages: Iterable[str]) -> None:
    for message in messages:
        form.add_error(field, message)
