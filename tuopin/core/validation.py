"""Small input cleaners the apps' actions share: each raises ``ValidationError`` keyed by the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = ["clean_date", "clean_text", "clean_choice"]


def clean_date(value: Any, field: str, *, default: dt.date | None = None) -> dt.date:
    """A date from a date or an ISO string; ``default`` (when given) stands in for a blank value."""
    if value in (None, "") and default is not None:
        return default
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("日期格式应为YYYY-MM-DD。")}) from None


def clean_text(value: Any, field: str, label: str, max_length: int = 0) -> str:
    """Required text, stripped (and cut to ``max_length`` when given)."""
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: _("请填写%(l)s。") % {"l": label}})
    return text[:max_length] if max_length else text


def clean_choice(value: Any, choices: Any, field: str, label: str) -> Any:
    """One of a ``TextChoices``/``IntegerChoices``' values (given as itself or as text)."""
    values = [str(v) for v in choices.values]
    if str(value) not in values:
        raise ValidationError({field: _("请选择%(l)s。") % {"l": label}})
    return choices.values[values.index(str(value))]
