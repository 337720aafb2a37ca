"""Changes to the region hierarchy (villages are added and renamed; the upper levels are reference data)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuopin.core import audit

from .choices import PREFIX_LENGTH, Level
from .models import Region, RegionPopulation

__all__ = ["create_region", "set_rural_population", "load_reference_regions"]


@transaction.atomic
def create_region(*, actor: Any, parent: Region, code: str, name: str, is_synthetic: bool = False) -> Region:
    """Add a region one level below ``parent``; its code must extend the parent's prefix."""
    level = Level(parent.level + 1)
    code = code.strip()
    if not (code.isdigit() and len(code) == 12):
        raise ValidationError({"code": _("区划代码应为12位数字。")})
    if not code.startswith(parent.prefix) or code[PREFIX_LENGTH[level] :].strip("0"):
        raise ValidationError({"code": _("区划代码%(code)s不属于%(parent)s。") % {"code": code, "parent": parent.name}})
    if Region.objects.filter(code=code).exists():
        raise ValidationError({"code": _("区划代码%(code)s已存在。") % {"code": code}})
    if not name.strip():
        raise ValidationError({"name": _("请填写名称。")})
    region = Region.objects.create(code=code, name=name.strip(), level=level, parent=parent, is_synthetic=is_synthetic)
    audit.record(actor, "region.create", obj=region, summary=f"新增{level.label} {name}")
    return region


@transaction.atomic
def set_rural_population(*, actor: Any, region: Region, year: int, rural_population: int) -> RegionPopulation:
    """Record a region's rural registered population for a year (the incidence denominator)."""
    if rural_population < 0:
        raise ValidationError({"rural_population": _("人口数不能为负数。")})
    row, _created = RegionPopulation.objects.update_or_create(
        region=region, year=year, defaults={"rural_population": rural_population}
    )
    audit.record(
        actor, "region.population", obj=region, summary=f"{region.name} {year}年农村户籍人口 {rural_population}"
    )
    return row


def load_reference_regions(apps: Any = None) -> int:
    """Create 吉林省 → 辽源市 → counties → towns (real codes) if missing; returns how many were added.

    Called from a data migration (with the historical ``apps``), so every installation has them.
    """
    from . import data

    model = apps.get_model("geo", "Region") if apps else Region
    rows = [
        model(code=data.PROVINCE[0], name=data.PROVINCE[1], level=Level.PROVINCE, parent_id=None),
        model(code=data.CITY[0], name=data.CITY[1], level=Level.CITY, parent_id=data.PROVINCE[0]),
    ]
    for county, (cname, towns) in data.COUNTIES.items():
        ccode = county.ljust(12, "0")
        rows.append(model(code=ccode, name=cname, level=Level.COUNTY, parent_id=data.CITY[0]))
        rows += [
            model(code=f"{county}{suffix}000", name=tname, level=Level.TOWNSHIP, parent_id=ccode)
            for suffix, tname in towns
        ]
    existing = set(model.objects.values_list("code", flat=True))
    new = [r for r in rows if r.code not in existing]
    model.objects.bulk_create(new)
    return len(new)
