"""Region prefixes for region-level queries."""

from __future__ import annotations

from tuopin.geo.choices import PREFIX_LENGTH, Level
from tuopin.geo.models import Region


def prefix_of(region: Region | str) -> str:
    """The significant prefix of a region (``220400`` → ``2204``) for ``in_region`` queries."""
    if not isinstance(region, Region):
        region = Region.objects.get(code=str(region).ljust(12, "0"))
    return region.code[: PREFIX_LENGTH[Level(region.level)]]
