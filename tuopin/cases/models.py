"""Procedures as recorded cases (两公示一公告, exit, monitoring, relapse), their steps, documents and notices.

A :class:`Case` is one household's passage through one procedure; each :class:`Step` is a recorded
step of it (who, when, decision, note, structured data such as the vote record) written only through
``cases.events``; an :class:`Attachment` is a document uploaded with a step. A :class:`Notice` is a
公示 or 公告 posted in a village or town listing several cases (:class:`NoticeEntry`), with the public
masks of names and ID numbers frozen as posted. Every change goes through ``cases.actions``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuopin.core.scoping import ScopedQuerySet

from .choices import FINAL_STATES, CaseKind, CaseState, Decision, MonitorCategory, NoticeKind, Source, StepKind


class Case(models.Model):
    """One household (or applicant) going through one procedure in one year."""

    kind = models.CharField(_("程序"), max_length=20, choices=CaseKind.choices)
    state = models.CharField(_("进度"), max_length=12, choices=CaseState.choices, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    village = models.ForeignKey("geo.Region", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("建档立卡户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # Identification: the applicant's household as entered, encrypted (it holds ID numbers) until the
    # household is registered; a masked summary for display and notices; the head's lookup hash so
    # that one applicant cannot have two open applications.
    applicant_enc = models.TextField(blank=True, editable=False)
    applicant_summary = models.JSONField(_("申请人概况"), default=dict, blank=True)
    applicant_hash = models.CharField(max_length=64, blank=True, editable=False)
    source = models.CharField(_("发现途径"), max_length=12, choices=Source.choices, blank=True)
    monitor_category = models.CharField(_("监测类型"), max_length=10, choices=MonitorCategory.choices, blank=True)
    reason = models.CharField(_("事由"), max_length=300, blank=True)
    notice = models.ForeignKey(
        "Notice", verbose_name=_("当前公示"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_on = models.DateField(_("发起日期"))
    last_step_on = models.DateField(_("最近办理日期"))
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    region_path = "village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("程序案件")
        verbose_name_plural = _("程序案件")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["village", "kind", "state"]), models.Index(fields=["year", "kind", "state"])]
        constraints = [
            # One open case per household and procedure: the guard that makes bulk proposals idempotent.
            models.UniqueConstraint(
                fields=["household", "kind"], condition=~Q(state__in=sorted(FINAL_STATES)), name="uniq_open_case"
            ),
            models.UniqueConstraint(
                fields=["applicant_hash", "kind"],
                condition=~Q(state__in=sorted(FINAL_STATES)) & ~Q(applicant_hash=""),
                name="uniq_open_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def audit_region_code(self) -> str:
        return self.village_id

    @property
    def is_open(self) -> bool:
        return self.state not in FINAL_STATES

    @property
    def display_name(self) -> str:
        """The head's name (household or applicant) for internal pages."""
        if self.household_id:
            return self.household.head_name
        return self.applicant_summary.get("head_name", "")


class Notice(models.Model):
    """A 公示 or 公告 posted in a village or town for a period, listing cases."""

    kind = models.CharField(_("类别"), max_length=12, choices=NoticeKind.choices)
    procedure = models.CharField(_("程序"), max_length=20, choices=CaseKind.choices)
    region = models.ForeignKey("geo.Region", verbose_name=_("张贴地区"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=120)
    issuer = models.CharField(_("发布单位"), max_length=120)
    start_date = models.DateField(_("公示开始"))
    end_date = models.DateField(_("公示结束"))
    contact = models.CharField(_("异议受理联系人及电话"), max_length=120)
    address = models.CharField(_("异议受理地点"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示公告")
        verbose_name_plural = _("公示公告")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def is_announcement(self) -> bool:
        return self.kind == NoticeKind.ANNOUNCEMENT


class NoticeEntry(models.Model):
    """A line of a notice: the case, and the public masks exactly as posted."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="entries")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notice_entries")
    village_name = models.CharField(_("村"), max_length=64)
    group = models.CharField(_("村民小组"), max_length=32, blank=True)
    name_public = models.CharField(_("户主"), max_length=64)
    id_public = models.CharField(_("公民身份号码"), max_length=18)
    size = models.PositiveSmallIntegerField(_("人口"), default=0)
    cause = models.CharField(_("致贫原因"), max_length=32, blank=True)

    region_path = "case__village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示名单")
        verbose_name_plural = _("公示名单")
        ordering = ["notice", "id"]
        constraints = [models.UniqueConstraint(fields=["notice", "case"], name="uniq_notice_case")]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.name_public}"


class Step(models.Model):
    """One recorded step of a case: who, when (business date and clock time), decision, note, data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("环节"), max_length=12, choices=StepKind.choices)
    from_state = models.CharField(_("原进度"), max_length=12, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("新进度"), max_length=12, choices=CaseState.choices)
    date = models.DateField(_("日期"))
    at = models.DateTimeField(_("录入时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("办理人"), on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("办理人"), max_length=150)
    decision = models.CharField(_("意见"), max_length=8, choices=Decision.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("记录"), default=dict, blank=True)
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="steps")

    region_path = "case__village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["case", "date", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"


def _upload_to(instance: Attachment, filename: str) -> str:
    # Server-generated name: the uploader's file name never reaches the file system (ASVS 5.3.2).
    return f"cases/{instance.uploaded_on:%Y/%m}/{uuid.uuid4().hex}.{instance.extension}"


class Attachment(models.Model):
    """A document attached to a step (vote record, verification form, notice photo), checked by content."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=80)
    extension = models.CharField(max_length=5)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_on = models.DateField()

    region_path = "step__case__village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["step", "id"]

    def __str__(self) -> str:
        return self.original_name
