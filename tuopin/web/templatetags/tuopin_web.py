"""Template filters of the web pages: money, codes and labels."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    """Money as ¥1,234.50 (two decimals); blank shows a dash."""
    if value in (None, ""):
        return "—"
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return "—"
    return f"¥{amount:,.2f}"


@register.filter
def dash(value: Any) -> Any:
    """A dash for an empty value (tables read better than with blank cells)."""
    return "—" if value in (None, "") else value


@register.filter
def choice_label(obj: Any, field: str) -> str:
    """The display label of a choice field, or a dash when blank: ``{{ row|choice_label:"fuel" }}``."""
    if obj is None or not getattr(obj, field, ""):
        return "—"
    return str(getattr(obj, f"get_{field}_display")())


# Indicator results as marks: 1 pass ✓, 0 fail ✗, 2 cannot assess ? (tuopin.assessment.choices.Result).
_MARKS = {0: ("✗", "fail"), 1: ("✓", "pass"), 2: ("?", "cannot")}


@register.filter
def mark(value: Any) -> str:
    """The mark of an indicator result (``{{ d.income|mark }}``)."""
    return _MARKS.get(value, ("—", ""))[0]


@register.filter
def mark_class(value: Any) -> str:
    """CSS class of an indicator result: ``pass``, ``fail`` or ``cannot``."""
    return _MARKS.get(value, ("—", ""))[1]


@register.filter
def percent(value: Any, places: int = 2) -> str:
    """A share (0.0123) as a percentage ("1.23%"); blank shows a dash — never a made-up 0."""
    if value in (None, ""):
        return "—"
    try:
        return f"{Decimal(str(value)) * 100:.{int(places)}f}%"
    except ArithmeticError:
        return "—"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``{{ row|get:name }}``: a dict value by a variable key (None when missing)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
