"""Template tags of the annual report: a figure printed inside the report's sentences, linked to the
records behind it (or saying why it cannot be given)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tuopin.reports.annual.figures import money_text

register = template.Library()


@register.simple_tag
def fig(values: dict[str, Any], key: str) -> str:
    """``{% fig v "industry.funds" %}``: the figure's display, linked to its trace page; a figure that
    cannot be computed shows 无法计算 with the reason; a figure that does not apply prints nothing."""
    v = values.get(key)
    if v is None:
        return ""
    if v.missing:
        return format_html('<span class="fig missing" data-key="{}" title="{}">{}</span>', key, v.reason, _("无法计算"))
    if v.trace:
        return format_html(
            '<a class="fig" data-key="{}" href="{}" title="{}">{}</a>', key, v.trace, v.figure.label, v.display
        )
    return format_html('<span class="fig" data-key="{}" title="{}">{}</span>', key, v.figure.label, v.display)


@register.filter
def trend(values: dict[str, Any], pair: str) -> str:
    """``{{ v|trend:"a,b" }}``: 提高 / 降低 / 保持 from figure ``a`` to figure ``b`` ('' when one is missing)."""
    a, b = (values.get(k) for k in pair.split(","))
    if a is None or b is None or a.missing or b.missing:
        return ""
    if b.value > a.value:
        return "up"
    return "down" if b.value < a.value else "same"


@register.filter
def get_reason(values: dict[str, Any], key: str) -> str:
    """Why a figure cannot be given ('' when it can)."""
    v = values.get(key)
    return v.reason if v is not None else ""


@register.filter
def nonzero(values: dict[str, Any], key: str) -> bool:
    """Whether a count or sum has any record behind it."""
    v = values.get(key)
    return v is not None and v.nonzero


@register.filter
def money(value: Any) -> str:
    """Yuan as the report prints them (万元 for large sums)."""
    return "—" if value is None else money_text(value)
