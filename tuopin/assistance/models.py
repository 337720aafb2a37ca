"""Responsibility (五级书记, 目标责任书), leaders' visits, cadres, pairings, work teams, visits and actions.

Every model is scoped by a region code (``region_path``) and changed only through
``assistance.actions``. Coverage figures are computed from these rows (``assistance.queries``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuopin.core.scoping import ScopedQuerySet

from .choices import ActionKind, LeaderLevel, PairingKind, SecretaryLevel, UnitLevel, VisitKind

USER = settings.AUTH_USER_MODEL


class Secretary(models.Model):
    """The party secretary responsible for poverty alleviation in a region for a year (五级书记抓扶贫)."""

    region = models.ForeignKey("geo.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.PositiveSmallIntegerField(_("层级"), choices=SecretaryLevel.choices)
    name = models.CharField(_("姓名"), max_length=64)
    post = models.CharField(_("职务"), max_length=64)

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("扶贫责任书记")
        verbose_name_plural = _("扶贫责任书记")
        ordering = ["year", "region"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="uniq_secretary_region_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id


class ResponsibilityLetter(models.Model):
    """A 脱贫攻坚目标责任书 signed between an upper and a lower region's party committee and government."""

    year = models.PositiveSmallIntegerField(_("年度"))
    upper_region = models.ForeignKey("geo.Region", verbose_name=_("上级"), on_delete=models.PROTECT, related_name="+")
    lower_region = models.ForeignKey("geo.Region", verbose_name=_("下级"), on_delete=models.PROTECT, related_name="+")
    upper_party = models.CharField(_("甲方"), max_length=120)
    lower_party = models.CharField(_("乙方"), max_length=120)
    signed_on = models.DateField(_("签订日期"))
    title = models.CharField(_("名称"), max_length=120)

    region_path = "lower_region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("目标责任书")
        verbose_name_plural = _("目标责任书")
        ordering = ["-signed_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "upper_region", "lower_region"], name="uniq_letter_parties_year")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_region_code(self) -> str:
        return self.lower_region_id


class LeaderVisit(models.Model):
    """A leader's visit to a region: 遍访 of a poor village or a 调研 (research) visit."""

    region = models.ForeignKey("geo.Region", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    leader = models.CharField(_("领导姓名"), max_length=64)
    post = models.CharField(_("职务"), max_length=64, blank=True)
    level = models.PositiveSmallIntegerField(_("领导层级"), choices=LeaderLevel.choices)
    kind = models.CharField(_("类型"), max_length=10, choices=VisitKind.choices)
    content = models.TextField(_("内容"))

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("领导遍访和调研")
        verbose_name_plural = _("领导遍访和调研")
        ordering = ["-date", "id"]
        indexes = [models.Index(fields=["date", "level"])]

    def __str__(self) -> str:
        return f"{self.date} {self.leader}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id


class Cadre(models.Model):
    """A 帮扶责任人 / 驻村干部: name, unit, unit level and (protected) contact."""

    region = models.ForeignKey("geo.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=64)
    unit = models.CharField(_("单位"), max_length=120)
    unit_level = models.CharField(_("单位层级"), max_length=10, choices=UnitLevel.choices)
    post = models.CharField(_("职务"), max_length=64, blank=True)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_mask = models.CharField(_("联系电话"), max_length=20, blank=True)
    user = models.ForeignKey(
        USER,
        verbose_name=_("系统账户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre_profiles",
    )

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶干部")
        verbose_name_plural = _("帮扶干部")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"

    @property
    def audit_region_code(self) -> str:
        return self.region_id


class Pairing(models.Model):
    """A cadre paired with a household (包户) or a village (包村) for a period; one current per household."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("帮扶干部"), on_delete=models.PROTECT, related_name="pairings")
    kind = models.CharField(_("类型"), max_length=10, choices=PairingKind.choices)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("结对户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    village = models.ForeignKey("geo.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)

    region_path = "village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["-start", "id"]
        indexes = [models.Index(fields=["household", "start"])]

    def __str__(self) -> str:
        return f"{self.cadre_id}→{self.household_id or self.village_id}"

    @property
    def audit_region_code(self) -> str:
        return self.village_id


class WorkTeam(models.Model):
    """A 驻村工作队 sent to a village by a unit, led by its 第一书记."""

    village = models.ForeignKey("geo.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(_("派出单位"), max_length=120)
    first_secretary = models.ForeignKey(
        Cadre, verbose_name=_("第一书记"), on_delete=models.PROTECT, related_name="led_teams"
    )
    members = models.ManyToManyField(Cadre, verbose_name=_("队员"), blank=True, related_name="teams")
    start = models.DateField(_("进驻日期"))
    end = models.DateField(_("撤离日期"), null=True, blank=True)

    region_path = "village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("驻村工作队")
        verbose_name_plural = _("驻村工作队")
        ordering = ["-start", "id"]

    def __str__(self) -> str:
        return f"{self.village_id} {self.unit}"

    @property
    def audit_region_code(self) -> str:
        return self.village_id


class Visit(models.Model):
    """A cadre's visit to a paired household (or village): what was done, problems found, follow-up."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("帮扶干部"), on_delete=models.PROTECT, related_name="visits")
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("走访户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    village = models.ForeignKey("geo.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    content = models.TextField(_("走访内容"))
    problems = models.TextField(_("发现问题"), blank=True)
    follow_up = models.TextField(_("跟进措施"), blank=True)

    region_path = "village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("入户走访")
        verbose_name_plural = _("入户走访")
        ordering = ["-date", "id"]
        indexes = [models.Index(fields=["household", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.cadre_id}"

    @property
    def audit_region_code(self) -> str:
        return self.village_id


class AssistanceAction(models.Model):
    """A 帮扶行动 by a paired unit or cadre: 慰问, 资金帮扶 … with the amount given."""

    unit = models.CharField(_("帮扶单位"), max_length=120)
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("帮扶干部"), null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("受助户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    village = models.ForeignKey("geo.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=12, choices=ActionKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, default=Decimal("0"))
    description = models.TextField(_("内容"))

    region_path = "village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶行动")
        verbose_name_plural = _("帮扶行动")
        ordering = ["-date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.unit}"

    @property
    def audit_region_code(self) -> str:
        return self.village_id


__all__ = [
    "Secretary",
    "ResponsibilityLetter",
    "LeaderVisit",
    "Cadre",
    "Pairing",
    "WorkTeam",
    "Visit",
    "AssistanceAction",
    "PairingKind",
    "UnitLevel",
    "VisitKind",
    "LeaderLevel",
    "SecretaryLevel",
    "ActionKind",
]
