"""The building blocks of the trace pages: ``Column``, ``Trace``, ``measure`` and the columns many
traces share (definitions in ``traces_duty`` and ``traces_programmes``; assembled in ``traces``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from tuopin.accounts.roles import Capability
from tuopin.core.masking import mask_name
from tuopin.registry.choices import HouseholdStatus

from .sources import Sources


@dataclass(frozen=True)
class Column:
    """A column of a trace table: a dotted attribute path (choice fields show their label) or a
    function ``(obj, user) → value``; ``link="household"`` links the cell to the household page."""

    label: Promise
    path: str | Callable[[Any, Any], Any]
    link: str = ""
    num: bool = False

    def value(self, obj: Any, user: Any) -> Any:
        if callable(self.path):
            return self.path(obj, user)
        *head, last = self.path.split(".")
        for name in head:
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        display = getattr(obj, f"get_{last}_display", None)
        return display() if callable(display) else getattr(obj, last, None)


@dataclass(frozen=True)
class Trace:
    """The records behind one figure, how to show them, and how they add up to the figure."""

    records: Callable[[Sources], QuerySet]
    columns: tuple[Column, ...]
    measure: tuple[str, ...] = ("count",)
    select: tuple[str, ...] = ()
    order: tuple[str, ...] = ("pk",)
    params: tuple[str, ...] = ()  # GET parameters narrowing the list, e.g. ("project",)
    # Called with the page's rows before they are shown (e.g. to flag the standard row that applies).
    prepare: Callable[[list[Any], Sources], None] | None = None


def measure(trace: Trace, qs: QuerySet) -> Any:
    """The figure the records add up to: a row count, a count of distinct values, or a sum."""
    kind, *fields = trace.measure
    qs = qs.order_by()
    if kind == "count":
        return qs.count()
    if kind == "distinct":
        return qs.values(*fields).distinct().count()
    if kind == "sum":
        total = qs.aggregate(v=Sum(fields[0]))["v"] or 0
        return Decimal(total).quantize(Decimal("0.01")) if isinstance(total, Decimal | float) else total
    return None


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# --- columns shared by many traces -----------------------------------------------------------------

HH = Column(gettext_lazy("户编号"), "household.number", link="household")
HEAD = Column(gettext_lazy("户主"), "household.head_name")
VILLAGE = Column(gettext_lazy("村"), "household.village.name")
MEMBER = Column(gettext_lazy("姓名"), "member.name")
MEMBER_ID = Column(gettext_lazy("公民身份号码"), "member.id_mask")
REGION = Column(gettext_lazy("地区"), "region.name")
HOUSEHOLD_COLS = (HH, HEAD, VILLAGE)
HH_SELECT = ("household__village",)
MEMBER_SELECT = ("member", "household__village")


def _status_label(obj: Any, user: Any) -> str:
    try:
        return str(HouseholdStatus(obj.status).label)
    except ValueError:
        return obj.status


def _patient(obj: Any, user: Any) -> str:
    """Medical records tie a person to an illness: the name is masked without the health permission."""
    return (
        obj.member.name if user is not None and user.can(Capability.VIEW_HEALTH_DETAIL) else mask_name(obj.member.name)
    )
