"""Resolving which value of a standard applies to a region and year.

Works on plain rows (dicts with name, region_prefix, effective_year, value) so that the same code
resolves live standards and the frozen content of an old rule set — which is what makes replay
exact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from .definitions import DEFINITIONS, parse_value

__all__ = ["Resolver"]


class Resolver:
    """Index of standard rows answering ``value(name, region_code, year)``."""

    def __init__(self, rows: Iterable[dict[str, Any]]):
        # name → prefix → sorted [(effective_year, raw value)]
        self._rows: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
        for row in rows:
            self._rows[row["name"]][row["region_prefix"]].append((int(row["effective_year"]), row["value"]))
        for by_prefix in self._rows.values():
            for entries in by_prefix.values():
                entries.sort()

    def row(self, name: str, region_code: str, year: int) -> tuple[str, int, str] | None:
        """(prefix, effective_year, raw value) of the applicable row, or None when nothing applies.

        Each prefix of the region contributes its latest row effective in ``year``; the longest
        (most specific) prefix with such a row wins.
        """
        by_prefix = self._rows.get(name)
        if not by_prefix:
            return None
        best: tuple[str, int, str] | None = None
        for prefix, entries in by_prefix.items():
            if not region_code.startswith(prefix):
                continue
            applicable = [e for e in entries if e[0] <= year]
            if not applicable:
                continue
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, applicable[-1][0], applicable[-1][1])
        return best

    def value(self, name: str, region_code: str, year: int, default: Any = None) -> Any:
        """The parsed value of a standard for a region and year (``default`` when none applies)."""
        found = self.row(name, region_code, year)
        return default if found is None else parse_value(name, found[2])

    def values_for(self, region_code: str, year: int) -> dict[str, Any]:
        """Every defined standard's value for a region and year (missing ones are None)."""
        return {name: self.value(name, region_code, year) for name in DEFINITIONS}
