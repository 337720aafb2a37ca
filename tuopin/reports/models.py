"""Precomputed dashboard figures: the reports app's rollup table and its high-water mark.

The dashboard reads the assessment's ``RegionRollup`` for everything a run determines. What no run
determines — programme spend and reach, visit coverage — is summed from records into one
``RegionFigures`` row per year and region code *where the records lie* (a village for a household's
records, a county for a county's project), so any region's figures are a ``SUM`` over the rows in its
code range. ``FiguresState`` says up to which audit row the table is current: every change writes an
audit row in its transaction (design.md §4.2), so the rows to redo are those of the regions named by
the audit rows after that mark — a clerk's edit redoes one village, not the city.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuopin.core.scoping import ScopedQuerySet

# Programme kinds with a records / households / amount column each (see dashboard_figures.PROGRAMMES).
PROGRAMME_KEYS = (
    "projects",
    "dividends",
    "employment",
    "education",
    "schools",
    "claims",
    "housing",
    "water",
    "safety_net",
    "loans",
)
COVERAGE_KEYS = ("poor", "paired", "visited")


def _count() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=0)


def _amount() -> models.DecimalField:
    return models.DecimalField(max_digits=16, decimal_places=2, default=0)


class RegionFigures(models.Model):
    """The programme and coverage figures of the records lying exactly at one region code in a year.

    Columns: for each programme kind ``<kind>_records``, ``<kind>_households`` (distinct households
    reached) and ``<kind>_amount`` (yuan); for visit coverage the poor households, those paired with
    a cadre and those visited by their own cadre in the year. Every column is additive over disjoint
    regions (a household lies in one village), which is what makes a prefix ``SUM`` exact.
    """

    region = models.ForeignKey("geo.Region", verbose_name=_("地区"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))

    projects_records, projects_households, projects_amount = _count(), _count(), _amount()
    dividends_records, dividends_households, dividends_amount = _count(), _count(), _amount()
    employment_records, employment_households, employment_amount = _count(), _count(), _amount()
    education_records, education_households, education_amount = _count(), _count(), _amount()
    schools_records, schools_households, schools_amount = _count(), _count(), _amount()
    claims_records, claims_households, claims_amount = _count(), _count(), _amount()
    housing_records, housing_households, housing_amount = _count(), _count(), _amount()
    water_records, water_households, water_amount = _count(), _count(), _amount()
    safety_net_records, safety_net_households, safety_net_amount = _count(), _count(), _amount()
    loans_records, loans_households, loans_amount = _count(), _count(), _amount()
    poor, paired, visited = _count(), _count(), _count()

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("地区帮扶与走访汇总")
        verbose_name_plural = _("地区帮扶与走访汇总")
        constraints = [models.UniqueConstraint(fields=["year", "region"], name="uniq_region_figures")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"


class FiguresState(models.Model):
    """Up to which audit row the ``RegionFigures`` of a year are current, and when they were last redone."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    audit_seq = models.BigIntegerField(_("截至审计序号"), default=0)
    refreshed_at = models.DateTimeField(_("汇总时间"), null=True)
    seconds = models.FloatField(_("上次汇总耗时（秒）"), default=0)
    regions = models.PositiveIntegerField(_("上次汇总的地区数"), default=0)

    class Meta:
        verbose_name = _("汇总进度")
        verbose_name_plural = _("汇总进度")

    def __str__(self) -> str:
        return f"{self.year} @{self.audit_seq}"


FIGURE_COLUMNS = (
    tuple(f"{k}_{part}" for k in PROGRAMME_KEYS for part in ("records", "households", "amount")) + COVERAGE_KEYS
)


# The annual report keeps its model in its own module (tuopin/reports/annual/models.py).
from .annual.models import AnnualReportArchive  # noqa: E402

__all__ = ["RegionFigures", "FiguresState", "AnnualReportArchive"]
