"""The region hierarchy (统计用区划代码) and each region's rural registered population by year."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuopin.core.scoping import ScopedQuerySet

from .choices import PREFIX_LENGTH, Level


class Region(models.Model):
    """A province, city, county, township or village, keyed by its 12-digit statistical code.

    The code is the primary key, so a household's ``village_id`` *is* the village code and a
    jurisdiction test is a range test on it (see ``tuopin.core.scoping``).
    """

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_synthetic = models.BooleanField(
        _("虚构代码"), default=False, help_text=_("演示用的虚构代码，不是真实的统计用区划代码。")
    )

    region_path = "code"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """The significant digits of the code: everything inside this region starts with them."""
        return self.code[: PREFIX_LENGTH[Level(self.level)]]

    @property
    def audit_region_code(self) -> str:
        return self.code

    def ancestors(self) -> list[Region]:
        """From the top (province) down to and including this region, in one query."""
        prefixes = {self.code[:n].ljust(12, "0") for n in PREFIX_LENGTH.values() if n <= len(self.prefix)}
        return list(Region.objects.filter(code__in=prefixes).order_by("level"))

    def full_name(self) -> str:
        """e.g. 吉林省辽源市东辽县渭津镇大榆村."""
        return "".join(r.name for r in self.ancestors())


class RegionPopulation(models.Model):
    """Rural registered population (农村户籍人口) of a region in a year: the denominator of 贫困发生率."""

    region = models.ForeignKey(Region, verbose_name=_("地区"), on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(_("年度"))
    rural_population = models.PositiveIntegerField(_("农村户籍人口"))

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("农村户籍人口")
        verbose_name_plural = _("农村户籍人口")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="uniq_region_population_year")]

    def __str__(self) -> str:
        return f"{self.region} {self.year}: {self.rural_population}"
