"""Per-person benefits: employment (就业), education (教育), the safety net and pensions (兜底)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import choices as c
from .base import MemberScoped, RegionScoped, money


class Employment(MemberScoped):
    """One person-time (人次) of work in a year: public-welfare post, enterprise or migrant job.

    ``wages`` (months × monthly wage) is added to the household's wage income for the year.
    """

    indicator = c.Indicator.INCOME

    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("就业类型"), max_length=12, choices=c.EmploymentKind.choices)
    employer = models.CharField(_("用工单位/岗位"), max_length=120, blank=True)
    project = models.ForeignKey(
        "programmes.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name=_("带动项目"),
    )
    site = models.ForeignKey(
        "programmes.EcommerceSite",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name=_("电商站点"),
    )
    months = models.PositiveSmallIntegerField(_("务工月数"))
    monthly_wage = money(_("月工资（元）"))
    wages = money(_("工资收入（元）"))

    class Meta:
        verbose_name = _("就业")
        verbose_name_plural = _("就业")
        ordering = ["-year", "household", "id"]
        indexes = [models.Index(fields=["year", "kind"]), models.Index(fields=["household", "year"])]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.year}/{self.kind}"


class SafetyNetBenefit(MemberScoped):
    """低保、特困供养 or a pension (养老金) received by a member in a year; counts as transfer income."""

    indicator = c.Indicator.INCOME

    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=8, choices=c.SafetyNetKind.choices)
    months = models.PositiveSmallIntegerField(_("享受月数"), default=12)
    amount = money(_("全年金额（元）"))

    class Meta:
        verbose_name = _("兜底保障")
        verbose_name_plural = _("兜底保障")
        ordering = ["-year", "household", "kind"]
        constraints = [models.UniqueConstraint(fields=["member", "year", "kind"], name="uniq_safety_net")]
        indexes = [models.Index(fields=["year", "kind"]), models.Index(fields=["household", "year"])]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.year}/{self.kind}"


class PolicyPackage(models.Model):
    """A configurable policy bundle (雨露计划, 五免五助一奖一贷, 五点双享两救助): named items, each with
    an amount (or none when the item is a waiver), an eligibility note and the paying department."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("政策名称"), max_length=64)
    area = models.CharField(_("领域"), max_length=12, choices=c.PackageArea.choices)
    eligibility = models.CharField(_("享受条件"), max_length=200, blank=True)
    department = models.CharField(_("发放部门"), max_length=64, blank=True)
    items = models.JSONField(_("政策项目"), default=list, help_text=_('如 [{"code": "term", "name": "每学期补助"}]'))
    per_term_standard = models.CharField(
        _("金额标准"), max_length=40, blank=True, help_text=_("金额取自此政策标准（如 yulu_subsidy_per_term）")
    )

    class Meta:
        verbose_name = _("政策包")
        verbose_name_plural = _("政策包")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def item_name(self, code: str) -> str:
        return next((i.get("name", code) for i in self.items if i.get("code") == code), code)


class EducationSubsidy(MemberScoped):
    """An education benefit paid to (or waived for) a student in a term of a year."""

    indicator = c.Indicator.EDUCATION

    package = models.ForeignKey(PolicyPackage, on_delete=models.PROTECT, related_name="+", verbose_name=_("政策"))
    item = models.CharField(_("政策项目"), max_length=32)
    year = models.PositiveSmallIntegerField(_("年度"))
    term = models.PositiveSmallIntegerField(_("学期"), choices=[(1, _("春季学期")), (2, _("秋季学期"))])
    amount = money(_("金额（元）"))

    class Meta:
        verbose_name = _("教育资助")
        verbose_name_plural = _("教育资助")
        ordering = ["-year", "-term", "household"]
        constraints = [
            models.UniqueConstraint(fields=["member", "package", "item", "year", "term"], name="uniq_education_subsidy")
        ]
        indexes = [models.Index(fields=["year", "package"])]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.year}-{self.term}/{self.package_id}"


class SchoolProject(RegionScoped):
    """改薄: improvement of a rural school (buildings, equipment) with the funds spent in a year."""

    indicator = c.Indicator.EDUCATION

    school = models.CharField(_("学校"), max_length=120)
    year = models.PositiveSmallIntegerField(_("年度"))
    content = models.CharField(_("建设内容"), max_length=200, blank=True)
    funds = money(_("投入资金（元）"))

    class Meta:
        verbose_name = _("薄弱学校改造")
        verbose_name_plural = _("薄弱学校改造")
        ordering = ["-year", "school"]
        indexes = [models.Index(fields=["year"])]

    def __str__(self) -> str:
        return f"{self.school} {self.year}"
