"""Helpers shared by the page views: capability checks, the household list query, error mapping."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
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
# Lists up to this many rows are counted exactly and paged by number; beyond it, counting every row
# would cost more than the page itself (a COUNT over a city's million households), so the list says
# "more than" and pages by keyset: each page starts after the last row of the one before, at any depth.
COUNT_CAP = 10_000

# Sortable columns: URL key → ordering fields (the primary key breaks ties). Anything else in ?sort= is
# ignored. The household number sorts village by village: an official's list is one range of village
# codes, and the index (village, number, id) serves its first page and every keyset page from that
# range. Ordered by the number alone, the database walked the number index from the city's first
# household and skipped every other county's on the way (0.57 s for a county approver at 1M
# households); where numbers begin with the village code, as the demo's and the national form's do,
# the two orders are the same.
SORTS: dict[str, tuple[str, ...]] = {
    "number": ("village_id", "number"),
    "head": ("head_name",),
    "village": ("village_id",),  # statistical code order (town by town): indexed, unlike the name join
    "size": ("member_count",),
    "category": ("category",),
    "cause": ("main_cause",),
    "status": ("status",),
}


def sort_fields(sort: str) -> tuple[tuple[str, ...], bool]:
    """The ordering fields of a ?sort= value and whether it is descending (unknown keys: by number)."""
    return SORTS.get(sort.lstrip("-"), SORTS["number"]), sort.startswith("-")


def ordering(fields: tuple[str, ...], desc: bool) -> list[str]:
    """``order_by`` arguments for the fields, the primary key last."""
    return [f"-{f}" if desc else f for f in (*fields, "pk")]


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
    """The regions inside the user's jurisdiction, indented by level: down to villages, or down to
    townships when the villages would make the list longer than ``MAX_REGION_OPTIONS`` (a city of
    fifty thousand villages is chosen town by town, never cut off at an arbitrary village)."""
    if user.jurisdiction_id is None or not user.sees_business_data:
        return []
    top = user.jurisdiction.level
    regions = Region.objects.visible_to(user).order_by("code").values_list("code", "name", "level")
    rows = list(regions[: MAX_REGION_OPTIONS + 1])
    if len(rows) > MAX_REGION_OPTIONS:
        rows = list(regions.filter(level__lt=Level.VILLAGE)[:MAX_REGION_OPTIONS])
    indent = "\u3000"  # ideographic space: lines up under Chinese names
    return [(code, indent * (level - top) + name) for code, name, level in rows]


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
    fields, desc = sort_fields(params.get("sort", "number"))
    return qs.order_by(*ordering(fields, desc))


class _CountedPaginator(Paginator):
    """A paginator whose count is already known (the capped count), so it does not count again."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


class KeysetPage:
    """A page of a list too long to count: the rows after (or before) a cursor, in the list's order."""

    keyset = True
    exact = False

    def __init__(self, rows: list[Any], *, has_next: bool, has_previous: bool, fields: tuple[str, ...]) -> None:
        self.object_list = rows
        self.has_next = has_next and bool(rows)
        self.has_previous = has_previous and bool(rows)
        self.next_cursor = encode_cursor(rows[-1], fields) if rows else ""
        self.previous_cursor = encode_cursor(rows[0], fields) if rows else ""
        self.count = COUNT_CAP


def encode_cursor(row: Any, fields: tuple[str, ...]) -> str:
    """An opaque cursor for a row: its sort values and primary key (both needed: sort values repeat)."""
    raw = json.dumps([*(getattr(row, f) for f in fields), row.pk], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str | None, fields: tuple[str, ...]) -> tuple[list[Any], int] | None:
    """The (sort values, pk) of a cursor for these fields, or None for a missing or hand-edited one
    (then: the first page)."""
    if not text:
        return None
    try:
        *values, pk = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(pk, int) or len(values) != len(fields):
        return None
    if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
        return None
    return values, pk


def _beyond(fields: tuple[str, ...], cursor: tuple[list[Any], int], *, forward: bool) -> Q:
    """Rows strictly after (``forward``) or before the cursor in (fields…, pk) order, as nested
    comparisons (a > A, or a = A and (b > B, or b = B and pk > P)). The redundant ``>=``/``<=`` on
    the first field lets the database start an index range scan at the cursor."""
    values, pk = cursor
    op = "gt" if forward else "lt"
    q = Q(**{f"pk__{op}": pk})
    for field, value in reversed(list(zip(fields, values, strict=True))):
        q = Q(**{f"{field}__{op}": value}) | (Q(**{field: value}) & q)
    return Q(**{f"{fields[0]}__{op}e": values[0]}) & q


def paginate_households(qs: QuerySet[Household], params: dict[str, str], data: Any) -> Any:
    """The page of the list asked for: a numbered page of an exactly counted list up to ``COUNT_CAP``
    rows, else a keyset page (``after``/``before`` cursors, ``last=1`` for the end). Either way the
    database reads at most ``COUNT_CAP + 1`` index entries to count and one page of rows to show."""
    capped = qs.select_related(None).order_by().values("pk")[: COUNT_CAP + 1].count()
    if capped <= COUNT_CAP:
        page = _CountedPaginator(qs, PAGE_SIZE, capped).get_page(data.get("page"))
        page.keyset, page.exact = False, True
        return page
    fields, desc = sort_fields(params.get("sort", "number"))
    ahead, behind = ordering(fields, desc), ordering(fields, not desc)
    after, before = decode_cursor(data.get("after"), fields), decode_cursor(data.get("before"), fields)
    if after is not None:
        rows = list(qs.filter(_beyond(fields, after, forward=not desc)).order_by(*ahead)[: PAGE_SIZE + 1])
        return KeysetPage(rows[:PAGE_SIZE], has_next=len(rows) > PAGE_SIZE, has_previous=True, fields=fields)
    if before is not None:
        rows = list(qs.filter(_beyond(fields, before, forward=desc)).order_by(*behind)[: PAGE_SIZE + 1])
        more = len(rows) > PAGE_SIZE
        return KeysetPage(rows[:PAGE_SIZE][::-1], has_next=True, has_previous=more, fields=fields)
    if data.get("last") == "1":
        rows = list(qs.order_by(*behind)[:PAGE_SIZE])
        return KeysetPage(rows[::-1], has_next=False, has_previous=True, fields=fields)
    rows = list(qs.order_by(*ahead)[: PAGE_SIZE + 1])
    return KeysetPage(rows[:PAGE_SIZE], has_next=len(rows) > PAGE_SIZE, has_previous=False, fields=fields)


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
