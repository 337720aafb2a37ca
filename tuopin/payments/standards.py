"""Reading a live policy standard for one region and year (programmes and payments validate with it)."""

from __future__ import annotations

from typing import Any

from tuopin.policy.models import Standard
from tuopin.policy.resolve import Resolver

__all__ = ["standard_value"]


def standard_value(name: str, region_code: str, year: int, default: Any = None) -> Any:
    """The active value of standard ``name`` for ``region_code`` in ``year`` (most specific region wins)."""
    rows = Standard.objects.filter(name=name, retired_at__isnull=True, effective_year__lte=year).values(
        "name", "region_prefix", "effective_year", "value"
    )
    return Resolver(rows).value(name, region_code, year, default)
