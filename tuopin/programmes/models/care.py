"""The guarantees' programmes: medical settlement (基本医疗), housing cases (住房), water works (饮水).

Medical insurance enrolment is the registry's ``MemberYear.medical_insured`` (one fact per member
and year, already read by the assessment); this module adds the claims and their payer layers.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Abs
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _

from .. import choices as c
from .base import HouseholdScoped, MemberScoped, RegionScoped, money

CLAIM_LAYERS = ("basic_insurance", "serious_illness", "medical_assistance", "supplementary", "fallback")


class Institution(RegionScoped):
    """A designated medical institution (定点医疗机构) and the settlement services it offers."""

    indicator = c.Indicator.MEDICAL

    name = models.CharField(_("机构名称"), max_length=120)
    designated_year = models.PositiveSmallIntegerField(_("定点年度"))
    one_stop = models.BooleanField(_("一站式即时结算"), default=True)
    treat_first = models.BooleanField(_("先诊疗后付费"), default=True)

    class Meta:
        verbose_name = _("定点医疗机构")
        verbose_name_plural = _("定点医疗机构")
        ordering = ["region", "name"]

    def __str__(self) -> str:
        return self.name


class MedicalClaim(MemberScoped):
    """A settled treatment: its total cost split over the payer layers and the self-paid part.

    The database itself refuses a claim whose layers and self-paid part do not add up to the total
    (a check constraint), so no path — action, import or SQL — can store an inconsistent claim.
    """

    indicator = c.Indicator.MEDICAL

    year = models.PositiveSmallIntegerField(_("年度"))
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="claims", verbose_name=_("医疗机构")
    )
    settled_on = models.DateField(_("结算日期"))
    inpatient = models.BooleanField(_("住院"), default=True)
    total_cost = money(_("医疗总费用（元）"))
    basic_insurance = money(_("基本医保报销"))
    serious_illness = money(_("大病保险报销"))
    medical_assistance = money(_("医疗救助"))
    supplementary = money(_("补充保险"))
    fallback = money(_("兜底保障"))
    self_paid = money(_("个人自付"))

    class Meta:
        verbose_name = _("医疗费用结算")
        verbose_name_plural = _("医疗费用结算")
        ordering = ["-settled_on", "id"]
        indexes = [models.Index(fields=["year", "household"]), models.Index(fields=["household", "year"])]
        constraints = [
            # Within half a cent rather than equal: SQLite keeps decimals as binary floats.
            models.CheckConstraint(
                condition=LessThan(
                    Abs(
                        F("total_cost")
                        - F("basic_insurance")
                        - F("serious_illness")
                        - F("medical_assistance")
                        - F("supplementary")
                        - F("fallback")
                        - F("self_paid")
                    ),
                    Value(Decimal("0.005")),
                ),
                name="claim_layers_add_up",
            ),
            models.CheckConstraint(
                condition=Q(
                    basic_insurance__gte=0,
                    serious_illness__gte=0,
                    medical_assistance__gte=0,
                    supplementary__gte=0,
                    fallback__gte=0,
                    self_paid__gte=0,
                ),
                name="claim_layers_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.settled_on}"

    @property
    def selfpay_ratio(self):
        return (self.self_paid / self.total_cost) if self.total_cost else None


class HousingCase(HouseholdScoped):
    """A housing-safety case: planned → started → completed → moved in, with the subsidy and dates.

    A case completed in a year makes the household's housing safe for that year's assessment.
    """

    indicator = c.Indicator.HOUSING

    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类型"), max_length=10, choices=c.HousingKind.choices)
    status = models.CharField(
        _("进度"), max_length=10, choices=c.HousingStatus.choices, default=c.HousingStatus.PLANNED
    )
    subsidy = money(_("补助资金（元）"))
    area = models.DecimalField(_("新房面积（平方米）"), max_digits=7, decimal_places=2, null=True, blank=True)
    planned_on = models.DateField(_("计划日期"))
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    completed_on = models.DateField(_("竣工日期"), null=True, blank=True)
    moved_in_on = models.DateField(_("入住日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("住房安全保障")
        verbose_name_plural = _("住房安全保障")
        ordering = ["-year", "household"]
        indexes = [models.Index(fields=["year", "status"]), models.Index(fields=["household", "year"])]

    def __str__(self) -> str:
        return f"{self.household_id}/{self.year}/{self.kind}"


class WaterProblem(HouseholdScoped):
    """A household's drinking-water problem found in a year and the fix applied to it."""

    indicator = c.Indicator.WATER

    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("问题类型"), max_length=10, choices=c.WaterProblemKind.choices)
    description = models.CharField(_("问题描述"), max_length=200, blank=True)
    fix = models.CharField(_("解决措施"), max_length=12, choices=c.WaterFixKind.choices, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=c.WorkStatus.choices, default=c.WorkStatus.OPEN)
    fixed_on = models.DateField(_("解决日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("饮水安全问题")
        verbose_name_plural = _("饮水安全问题")
        ordering = ["-year", "household"]
        indexes = [models.Index(fields=["household", "year"])]

    def __str__(self) -> str:
        return f"{self.household_id}/{self.year}/{self.kind}"
