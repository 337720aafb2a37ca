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
