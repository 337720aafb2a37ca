"""Shared pieces of programme models: money fields and the household/member link."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tuopin.core.scoping import ScopedQuerySet


def money(label: str, **extra) -> models.DecimalField:
    """Yuan with two places (design.md §9)."""
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=Decimal("0"), **extra)


class HouseholdScoped(models.Model):
    """A record about one registered household (and optionally one member), scoped by its village."""

    household = models.ForeignKey(
        "registry.Household",
        verbose_name=pgettext_lazy("a record's household", "建档立卡户"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    region_path = "household__village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def audit_region_code(self) -> str:
        return self.household.village_id


class MemberScoped(HouseholdScoped):
    """A record about one member (its household is kept too, for scoping without a join)."""

    member = models.ForeignKey("registry.Member", verbose_name=_("成员"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class RegionScoped(models.Model):
    """A record placed in a region (project, school, institution, site), scoped by that code."""

    region = models.ForeignKey("geo.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def audit_region_code(self) -> str:
        return self.region_id
