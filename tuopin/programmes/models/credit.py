"""扶贫小额信贷 (loans, repayments, risk-compensation draws) and 电商 (bases, stations, sales)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuopin.core.scoping import ScopedQuerySet

from .. import choices as c
from .base import HouseholdScoped, RegionScoped, money


class Loan(HouseholdScoped):
    """A poverty micro-loan to a household (≤ loan_max_amount, ≤ loan_max_years, interest subsidised)."""

    indicator = c.Indicator.INCOME

    bank = models.CharField(_("贷款银行"), max_length=64)
    amount = money(_("贷款金额（元）"))
    issued_on = models.DateField(_("发放日期"))
    term_months = models.PositiveSmallIntegerField(_("期限（月）"))
    rate = models.DecimalField(_("年利率"), max_digits=6, decimal_places=4, help_text=_("如 0.0435"))
    interest_subsidy = money(_("财政贴息（元）"))
    due_on = models.DateField(_("到期日"))
    extended_to = models.DateField(_("展期至"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=c.LoanStatus.choices, default=c.LoanStatus.NORMAL)
    purpose = models.CharField(_("用途"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("扶贫小额信贷")
        verbose_name_plural = _("扶贫小额信贷")
        ordering = ["-issued_on", "id"]
        indexes = [models.Index(fields=["issued_on"]), models.Index(fields=["household", "issued_on"])]

    def __str__(self) -> str:
        return f"{self.household_id}/{self.issued_on}/{self.amount}"


class Repayment(models.Model):
    """A repayment of principal (and interest) on a loan."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="repayments", verbose_name=_("贷款"))
    paid_on = models.DateField(_("还款日期"))
    principal = money(_("本金（元）"))
    interest = money(_("利息（元）"))

    region_path = "loan__household__village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("还款")
        verbose_name_plural = _("还款")
        ordering = ["loan", "paid_on"]

    def __str__(self) -> str:
        return f"{self.loan_id}/{self.paid_on}"


class RiskCompensation(RegionScoped):
    """A draw on a county's risk-compensation fund (风险补偿金) to cover a loan loss."""

    year = models.PositiveSmallIntegerField(_("年度"))
    loan = models.ForeignKey(Loan, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = money(_("代偿金额（元）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("风险补偿金代偿")
        verbose_name_plural = _("风险补偿金代偿")
        ordering = ["-year", "id"]


class EcommerceSite(RegionScoped):
    """An e-commerce incubation base or village service station and the year it was built.

    People employed are the ``Employment`` rows that name the site.
    """

    indicator = c.Indicator.INCOME

    kind = models.CharField(_("类型"), max_length=8, choices=c.SiteKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    built_year = models.PositiveSmallIntegerField(_("建成年度"))
    products = models.CharField(_("主要产品"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("电商站点")
        verbose_name_plural = _("电商站点")
        ordering = ["region", "kind", "name"]
        indexes = [models.Index(fields=["kind", "built_year"])]

    def __str__(self) -> str:
        return self.name


class EcommerceSale(models.Model):
    """Products sold through a site in a year (消费扶贫)."""

    site = models.ForeignKey(EcommerceSite, on_delete=models.CASCADE, related_name="sales", verbose_name=_("站点"))
    year = models.PositiveSmallIntegerField(_("年度"))
    product = models.CharField(_("产品"), max_length=64)
    amount = money(_("销售额（元）"))

    region_path = "site__region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("电商销售")
        verbose_name_plural = _("电商销售")
        ordering = ["-year", "site"]

    def __str__(self) -> str:
        return f"{self.site_id}/{self.year}/{self.product}"
