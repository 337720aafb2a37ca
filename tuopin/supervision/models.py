"""Inspections (巡察), findings and their rectification (整改, 销号), accountability and recognition records.

Scoped by region code and changed only through ``supervision.actions``; the figures of a year are
counted from these rows (``supervision.queries``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tuopin.core.scoping import ScopedQuerySet

from .choices import AccountabilityKind, FindingCategory, FindingStatus, InspectionKind, RecipientType, RecognitionKind

USER = settings.AUTH_USER_MODEL


class Inspection(models.Model):
    """An inspection of a region over a period by a team."""

    region = models.ForeignKey("geo.Region", verbose_name=_("巡察范围"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=InspectionKind.choices)
    title = models.CharField(_("名称"), max_length=120)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    team = models.CharField(_("巡察组"), max_length=200)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡察督查")
        verbose_name_plural = _("巡察督查")
        ordering = ["-start", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_region_code(self) -> str:
        return self.region_id


class Finding(models.Model):
    """A problem found: where, what kind, who must fix it and by when, and its rectification state."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("来源"), null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    region = models.ForeignKey("geo.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("问题类别"), max_length=16, choices=FindingCategory.choices)
    description = models.TextField(_("问题描述"))
    responsible_unit = models.CharField(_("责任单位"), max_length=120)
    found_on = models.DateField(_("发现日期"))
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(
        _("整改状态"), max_length=12, choices=FindingStatus.choices, default=FindingStatus.OPEN, db_index=True
    )
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, verbose_name=_("销号人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.TextField(_("销号意见"), blank=True)

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    def is_overdue(self, today) -> bool:
        """Past its deadline and not closed, or closed after the deadline."""
        if self.status == FindingStatus.CLOSED:
            return self.closed_on is not None and self.closed_on > self.deadline
        return today > self.deadline


class Rectification(models.Model):
    """A report of rectification on a finding: measures taken and evidence."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="rectifications")
    date = models.DateField(_("日期"))
    measures = models.TextField(_("整改措施"))
    evidence = models.TextField(_("佐证材料"), blank=True)
    reported_by = models.ForeignKey(USER, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+")

    region_path = "finding__region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改情况")
        verbose_name_plural = _("整改情况")
        ordering = ["finding", "date", "id"]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.date}"

    @property
    def audit_region_code(self) -> str:
        return self.finding.region_id


class AccountabilityRecord(models.Model):
    """One case exposed (曝光) or one person disciplined, admonished or interviewed."""

    region = models.ForeignKey("geo.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=AccountabilityKind.choices)
    date = models.DateField(_("日期"))
    subject = models.CharField(_("对象"), max_length=120)
    description = models.TextField(_("事由"))
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("相关问题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability",
    )

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("问责记录")
        verbose_name_plural = _("问责记录")
        ordering = ["-date", "id"]
        indexes = [models.Index(fields=["date", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id


class Recognition(models.Model):
    """An award (to a person or an organisation) or a promotion (of a grass-roots cadre)."""

    region = models.ForeignKey("geo.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=RecognitionKind.choices)
    recipient_type = models.CharField(
        pgettext_lazy("recognition", "对象类型"), max_length=12, choices=RecipientType.choices
    )
    recipient = models.CharField(_("对象"), max_length=120)
    title = models.CharField(_("奖项或职务"), max_length=120)
    date = models.DateField(_("日期"))

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("表彰和提拔")
        verbose_name_plural = _("表彰和提拔")
        ordering = ["-date", "id"]

    def __str__(self) -> str:
        return f"{self.recipient} {self.title}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id
