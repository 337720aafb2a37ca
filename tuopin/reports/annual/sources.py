"""Where the annual report's numbers come from: the apps' own ``annual_figures`` (called once each),
the region's rollup in the latest finished assessment, and the policy standards of the year.

Nothing here re-derives a figure that an app already computes; the only aggregates written here
are the ones no app offers — the per-project dividend table (one grouped query instead of
``project_figures`` per project) and the denominators of 户贷率 (``programmes.queries.loan_rate``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from tuopin.assessment.choices import RunStatus
from tuopin.assessment.models import RegionRollup
from tuopin.assistance.queries import annual_figures as assistance_figures
from tuopin.geo.models import Region
from tuopin.payments.standards import standard_value
from tuopin.programmes import choices as pc
from tuopin.programmes.models import Beneficiary, Dividend, Employment, Project, ProjectFund
from tuopin.programmes.queries import annual_figures as programme_figures
from tuopin.programmes.queries import loan_rate
from tuopin.registry.models import Member
from tuopin.supervision.queries import annual_figures as supervision_figures

__all__ = ["Sources", "active_beneficiaries", "latest_rollup", "report_projects"]

CENT = Decimal("0.01")


def latest_rollup(region: Region, year: int) -> RegionRollup | None:
    """The region's rollup in the latest finished (not replayed) assessment run of the year."""
    return (
        RegionRollup.objects.filter(
            region=region, run__year=year, run__status=RunStatus.DONE, run__replay_of__isnull=True
        )
        .select_related("run__ruleset")
        .order_by("-run_id")
        .first()
    )


def active_beneficiaries(year: int):
    """Beneficiary links in force in ``year`` (the condition ``project_figures`` uses)."""
    return Beneficiary.objects.filter(since_year__lte=year).filter(Q(until_year__isnull=True) | Q(until_year__gte=year))


def report_projects(prefix: str, year: int):
    """Projects of the dividend table: placed in the region, with a dividend rule and beneficiaries in
    force in the year, or with dividends recorded for the year."""
    linked = active_beneficiaries(year).values("project_id")
    paid = Dividend.objects.filter(year=year).values("project_id")
    return (
        Project.objects.in_region(prefix)
        .filter(Q(pk__in=linked) & ~Q(dividend_rule=pc.DividendRule.NONE) | Q(pk__in=paid))
        .order_by("region_id", "name", "pk")
    )


def _scalar(qs, expr, name: str = "v") -> Subquery:
    """A correlated aggregate over ``qs`` (already filtered on ``project=OuterRef('pk')``)."""
    return Subquery(qs.order_by().values("project").annotate(**{name: expr}).values(name)[:1])


class Sources:
    """The raw numbers of one region and year, each read at most once (``cached_property``)."""

    def __init__(self, region: Region, year: int, *, as_of: dt.date):
        self.region, self.year, self.as_of = region, int(year), as_of
        self.prefix = region.prefix

    @cached_property
    def programmes(self) -> dict[str, Any]:
        return programme_figures(self.region, self.year)

    @cached_property
    def assistance(self) -> dict[str, Any]:
        return assistance_figures(self.region, self.year)

    @cached_property
    def supervision(self) -> dict[str, Any]:
        return supervision_figures(self.region, self.year, today=self.as_of)

    @cached_property
    def rollup(self) -> RegionRollup | None:
        return latest_rollup(self.region, self.year)

    def standard(self, name: str, year: int) -> Any:
        return standard_value(name, self.region.code, year)

    @cached_property
    def dibao(self) -> tuple[Any, Any]:
        """农村低保标准 of the year before and of the year (None where no standard applies)."""
        return self.standard("dibao_standard", self.year - 1), self.standard("dibao_standard", self.year)

    def loan_denominator(self, year: int) -> str:
        return standard_value("loan_rate_denominator", self.region.code, year, "registered")

    @cached_property
    def loans(self) -> dict[str, tuple[int, int, Decimal | None]]:
        """户贷率 of the year and the year before as (households with a loan, denominator, rate)."""
        return {
            "now": loan_rate(self.prefix, self.year, self.loan_denominator(self.year)),
            "prev": loan_rate(self.prefix, self.year - 1, self.loan_denominator(self.year - 1)),
        }

    @cached_property
    def dividends(self) -> list[dict[str, Any]]:
        """Per project of the region: beneficiary households and people in force, the year's poverty
        funds, dividends of the year (total, households paid, per household), dividends up to the
        year and jobs — one query, the same definitions as ``programmes.queries.project_figures``."""
        y = self.year
        ben = active_beneficiaries(y).filter(project=OuterRef("pk"))
        div = Dividend.objects.filter(project=OuterRef("pk"))
        people = Member.objects.filter(
            household_id__in=active_beneficiaries(y).filter(project=OuterRef(OuterRef("pk"))).values("household_id"),
            is_current=True,
        )
        money = Coalesce(Sum("amount"), Decimal("0"))
        rows = report_projects(self.prefix, y).annotate(
            ben_households=Coalesce(_scalar(ben, Count("household_id", distinct=True)), 0),
            ben_people=Coalesce(
                Subquery(
                    people.order_by().values("is_current").annotate(n=Count("id")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            funds_year=Coalesce(
                _scalar(
                    ProjectFund.objects.filter(project=OuterRef("pk"), year=y, source__in=pc.POVERTY_FUND_SOURCES),
                    Sum("amount"),
                ),
                Decimal("0"),
            ),
            dividends_year=Coalesce(_scalar(div.filter(year=y), money), Decimal("0")),
            dividend_rows=Coalesce(_scalar(div.filter(year=y), Count("id")), 0),
            dividends_to_year=Coalesce(_scalar(div.filter(year__lte=y), money), Decimal("0")),
            job_count=Coalesce(_scalar(Employment.objects.filter(project=OuterRef("pk"), year=y), Count("id")), 0),
        )
        out = []
        for p in rows:
            paid = Decimal(p.dividends_year).quantize(CENT)
            out.append(
                {
                    "project": p.pk,
                    "name": p.name,
                    "operator": p.operator,
                    "region": p.region_id,
                    "rule": str(p.get_dividend_rule_display()),
                    "households": p.ben_households,
                    "people": p.ben_people,
                    "funds": Decimal(p.funds_year).quantize(CENT),
                    "dividends": paid,
                    "dividend_households": p.dividend_rows,
                    "per_household": (paid / p.dividend_rows).quantize(CENT) if p.dividend_rows else None,
                    "dividends_to_year": Decimal(p.dividends_to_year).quantize(CENT),
                    "jobs": p.job_count,
                }
            )
        # Projects that paid (or have paid) dividends first, as the article lists them.
        out.sort(key=lambda r: (-r["dividends"], -r["dividends_to_year"], -r["people"], r["project"]))
        return out
