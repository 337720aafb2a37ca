"""产业扶贫: projects, their funds by source and year, beneficiaries (利益联结) and dividends."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuopin.core.scoping import ScopedQuerySet

from .. import choices as c
from .base import HouseholdScoped, RegionScoped, money


class Project(RegionScoped):
    """An industry project (产业扶贫项目) in a county, town or village, with its dividend rule.

    Dividend rules: ``percent`` pays ``dividend_rate`` × the poverty funds invested up to the year;
    ``fixed`` pays ``dividend_fixed`` per household (or per person); ``profit`` pays ``dividend_rate``
    × the year's recorded profit. The pool is shared among dividend beneficiaries by household or
    by person (``dividend_basis``).
    """

    indicator = c.Indicator.INCOME

    name = models.CharField(_("项目名称"), max_length=120)
    kind = models.CharField(_("产业类型"), max_length=16, choices=c.ProjectKind.choices)
    operator = models.CharField(_("经营主体（企业或合作社）"), max_length=120, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    built_on = models.DateField(_("建成日期"), null=True, blank=True)
    dividend_rule = models.CharField(
        _("分红方式"), max_length=10, choices=c.DividendRule.choices, default=c.DividendRule.NONE
    )
    dividend_rate = models.DecimalField(
        _("分红比例"), max_digits=6, decimal_places=4, default=Decimal("0"), help_text=_("如 0.08 表示 8%")
    )
    dividend_fixed = money(_("定额分红（元/户或元/人）"))
    dividend_basis = models.CharField(
        _("分配方式"), max_length=10, choices=c.DividendBasis.choices, default=c.DividendBasis.HOUSEHOLD
    )
    dividends_from_year = models.PositiveSmallIntegerField(_("起始分红年度"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("产业扶贫项目")
        verbose_name_plural = _("产业扶贫项目")
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return self.name


class ProjectFund(models.Model):
    """Money put into a project in one year from one source."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funds", verbose_name=_("项目"))
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("资金来源"), max_length=12, choices=c.FundSource.choices)
    amount = money(_("金额（元）"))

    region_path = "project__region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目资金")
        verbose_name_plural = _("项目资金")
        ordering = ["project", "year", "source"]
        constraints = [models.UniqueConstraint(fields=["project", "year", "source"], name="uniq_project_fund")]
        indexes = [models.Index(fields=["year", "source"])]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.year}/{self.source}"


class ProjectProfit(models.Model):
    """A project's profit in a year (the base of a profit-share dividend)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="profits", verbose_name=_("项目"))
    year = models.PositiveSmallIntegerField(_("年度"))
    profit = money(_("利润（元）"))

    region_path = "project__region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目利润")
        verbose_name_plural = _("项目利润")
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="uniq_project_profit")]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.year}"


class Beneficiary(HouseholdScoped):
    """A household linked to a project (利益联结); people are counted from its members."""

    indicator = c.Indicator.INCOME

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beneficiaries", verbose_name=_("项目"))
    linkage = models.CharField(_("联结方式"), max_length=12, choices=c.Linkage.choices)
    since_year = models.PositiveSmallIntegerField(_("起始年度"))
    until_year = models.PositiveSmallIntegerField(_("截止年度"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目受益户")
        verbose_name_plural = _("项目受益户")
        ordering = ["project", "household"]
        constraints = [
            models.UniqueConstraint(fields=["project", "household", "linkage"], name="uniq_project_beneficiary")
        ]
        indexes = [models.Index(fields=["since_year", "project"])]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.household_id}"


class Dividend(HouseholdScoped):
    """A household's dividend from a project for a year: property income, paid through a batch."""

    indicator = c.Indicator.INCOME

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="dividends", verbose_name=_("项目"))
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = money(_("分红金额（元）"))
    people = models.PositiveSmallIntegerField(_("计分红人数"), default=0)
    payment = models.ForeignKey(
        "payments.Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("发放")
    )

    class Meta:
        verbose_name = _("项目分红")
        verbose_name_plural = _("项目分红")
        ordering = ["project", "year", "household"]
        constraints = [models.UniqueConstraint(fields=["project", "household", "year"], name="uniq_dividend")]
        indexes = [models.Index(fields=["year", "project"])]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.household_id}/{self.year}"
