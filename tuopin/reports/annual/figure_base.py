"""The building blocks of the annual report's figures: ``Figure``, ``Section`` and how values print.
The definitions are in ``figures_duty`` and ``figures_programmes``, assembled in ``figures``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from tuopin.geo.models import Region

from .sources import Sources

# Version of the figure definitions: part of every archived report, so that a reader knows which
# definitions produced it. Raise it when a key, a unit or a definition changes.
SCHEMA_VERSION = 1

COUNT, MONEY, RATIO, CHANGE, STANDARD, TABLE = "count", "money", "ratio", "change", "standard", "table"
W, YI = Decimal("10000"), Decimal("100000000")


@dataclass(frozen=True)
class Figure:
    """One figure of the report: stable key, label, unit, how to read it and why it may be missing."""

    key: str
    label: Promise
    unit: Promise
    kind: str
    get: Callable[[Sources], Any]
    note: Promise | str = ""
    why: Callable[[Sources], str] | None = None
    derived: tuple[str, ...] = ()
    applies: Callable[[Region], bool] | None = None
    # Cumulative or current-state figures (累计, 截至本年度, 当前状态) are not evidence that the year
    # itself has records: a report of a year without any is shown as empty, not as a page of totals.
    cumulative: bool = False

    def display(self, value: Any) -> str:
        """The value as the report prints it (万元 for large sums, % for shares)."""
        if value is None:
            return _("无法计算")
        if self.kind == MONEY:
            return money_text(value)
        if self.kind == RATIO:
            return f"{Decimal(value) * 100:.2f}%"
        if self.kind == CHANGE:
            points = Decimal(value) * 100
            return _("%(sign)s%(v)s个百分点") % {"sign": "+" if points > 0 else "", "v": f"{points:.2f}"}
        if self.kind == STANDARD:
            return f"{Decimal(value):,.0f}{self.unit}"
        if self.kind == TABLE:
            return _("%(n)d个项目") % {"n": len(value)}
        return f"{value:,}{self.unit}"


def money_text(value: Any) -> str:
    """Yuan as the report writes them: 3.14亿元, 1,933万元, 28.5万元, 8,500元."""
    v = Decimal(value)
    if abs(v) >= YI:
        text = f"{(v / YI).quantize(Decimal('0.01')):,.2f}".rstrip("0").rstrip(".")
        return _("%(v)s亿元") % {"v": text}
    if abs(v) >= W:
        text = f"{(v / W).quantize(Decimal('0.01')):,.2f}".rstrip("0").rstrip(".")
        return _("%(v)s万元") % {"v": text}
    text = f"{v:,.2f}".removesuffix(".00")
    return _("%(v)s元") % {"v": text}


@dataclass(frozen=True)
class Section:
    """A part of the report, titled as the article titles it."""

    key: str
    title: Promise
    figures: tuple[Figure, ...]
