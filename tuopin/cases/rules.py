"""Shared checks of the procedures: capabilities, dates, live standards, and the notice period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tuopin.policy.definitions import DEFINITIONS
from tuopin.policy.models import Standard
from tuopin.policy.resolve import Resolver

__all__ = ["require", "standard", "business_date", "fmt", "later_than"]


def require(actor: Any, capability: str) -> None:
    """Refuse an actor whose role lacks ``capability``."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.can(capability):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def standard(name: str, region_code: str, year: int) -> Any:
    """The live value of a standard for a region and year; refused when the standard is not set.

    Procedures read thresholds (公示天数, 核实人数) from the standards table like the engine does,
    never from code; a database without standards cannot run procedures.
    """
    rows = Standard.objects.filter(name=name, retired_at__isnull=True).values(
        "name", "region_prefix", "effective_year", "value"
    )
    value = Resolver(rows).value(name, region_code, year)
    if value is None:
        raise ValidationError(
            _("未设置标准“%(label)s”，请先导入政策标准（tuopin policy load）。") % {"label": DEFINITIONS[name].label},
            code="no_standard",
        )
    return value


def fmt(d: dt.date) -> str:
    """A date as a clerk reads it in a message (2019年6月8日)."""
    return f"{d.year}年{d.month}月{d.day}日"


def business_date(value: Any, *, field: str = "date") -> dt.date:
    """The date a step took place: today by default, never in the future."""
    if value in (None, ""):
        return timezone.localdate()
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError({field: _("日期格式应为YYYY-MM-DD。")}) from None
    if value > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天。")})
    return value


def later_than(date: dt.date, earliest: dt.date, *, field: str = "date") -> None:
    """Refuse a step dated before the previous one."""
    if date < earliest:
        raise ValidationError({field: _("办理日期不能早于上一环节（%(d)s）。") % {"d": fmt(earliest)}})
