"""Every change to inspections, findings, rectification, accountability and recognition records.

Inspectors record inspections, findings, accountability and recognition and close findings (销号);
the township or county responsible for a finding reports rectification. One audit row per action.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.core.actions import snapshot
from tuopin.core.scoping import check_in_jurisdiction
from tuopin.core.validation import clean_choice as _choice
from tuopin.core.validation import clean_date
from tuopin.core.validation import clean_text as _text
from tuopin.geo.models import Region

from .choices import AccountabilityKind, FindingCategory, FindingStatus, InspectionKind, RecipientType, RecognitionKind
from .models import AccountabilityRecord, Finding, Inspection, Recognition, Rectification

__all__ = [
    "open_inspection",
    "record_finding",
    "report_rectification",
    "close_finding",
    "record_accountability",
    "record_recognition",
]


def _date(value: Any, field: str) -> dt.date:
    return clean_date(value, field, default=timezone.localdate())  # a blank date means today


def _require(actor: Any, capability: str) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.can(capability):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def _region(value: Any) -> Region:
    code = value.code if isinstance(value, Region) else str(value or "").ljust(12, "0")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region": _("地区代码不存在。")})
    return region


def _audit(actor: Any, verb: str, obj: Any, summary: str, **extra: Any) -> None:
    audit.record(actor, f"supervision.{verb}", obj=obj, summary=summary, changes={**snapshot(obj), **extra})


@transaction.atomic
def open_inspection(*, actor: Any, region: Any, kind: Any, title: str, start: Any, end: Any, team: str) -> Inspection:
    """Record an inspection of a region (scope), its period and team."""
    _require(actor, Capability.EDIT_SUPERVISION)
    region = _region(region)
    check_in_jurisdiction(actor, region.code)
    start, end = _date(start, "start"), _date(end, "end")
    if end < start:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    row = Inspection.objects.create(
        region=region,
        kind=_choice(kind, InspectionKind, "kind", _("类型")),
        title=_text(title, "title", _("名称"), 120),
        start=start,
        end=end,
        team=_text(team, "team", _("巡察组"), 200),
        created_by=actor,
    )
    _audit(actor, "inspection", row, f"巡察：{row.title}")
    return row


@transaction.atomic
def record_finding(
    *,
    actor: Any,
    region: Any,
    category: Any,
    description: str,
    responsible_unit: str,
    deadline: Any,
    found_on: Any = None,
    inspection: Inspection | None = None,
) -> Finding:
    """Record a problem found (inside the inspection's scope when it comes from one)."""
    _require(actor, Capability.EDIT_SUPERVISION)
    region = _region(region)
    check_in_jurisdiction(actor, region.code)
    if inspection is not None and not region.code.startswith(inspection.region.prefix):
        raise ValidationError({"region": _("问题所在地区不在该次巡察范围内。")})
    found_on, deadline = _date(found_on, "found_on"), _date(deadline, "deadline")
    if deadline < found_on:
        raise ValidationError({"deadline": _("整改期限不能早于发现日期。")})
    row = Finding.objects.create(
        inspection=inspection,
        region=region,
        category=_choice(category, FindingCategory, "category", _("问题类别")),
        description=_text(description, "description", _("问题描述")),
        responsible_unit=_text(responsible_unit, "responsible_unit", _("责任单位"), 120),
        found_on=found_on,
        deadline=deadline,
    )
    _audit(actor, "finding", row, f"发现问题：{row.description[:60]}")
    return row


@transaction.atomic
def report_rectification(
    finding: Finding, *, actor: Any, measures: str, evidence: str = "", date: Any = None
) -> Rectification:
    """The responsible side reports measures and evidence; the finding becomes 整改中."""
    _require(actor, Capability.RECTIFY)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    check_in_jurisdiction(actor, finding.region_id)
    if finding.status == FindingStatus.CLOSED:
        raise ValidationError({"status": _("该问题已销号。")})
    row = Rectification.objects.create(
        finding=finding,
        date=_date(date, "date"),
        measures=_text(measures, "measures", _("整改措施")),
        evidence=evidence,
        reported_by=actor,
    )
    Finding.objects.filter(pk=finding.pk).update(status=FindingStatus.RECTIFYING)
    _audit(actor, "rectify", row, f"填报整改：问题{finding.pk}")
    return row


@transaction.atomic
def close_finding(finding: Finding, *, actor: Any, note: str, date: Any = None) -> Finding:
    """销号: an inspector closes a finding after rectification has been reported."""
    _require(actor, Capability.EDIT_SUPERVISION)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    check_in_jurisdiction(actor, finding.region_id)
    if finding.status == FindingStatus.CLOSED:
        raise ValidationError({"status": _("该问题已销号。")})
    if not finding.rectifications.exists():
        raise ValidationError({"status": _("尚未填报整改情况，不能销号。")}, code="no_rectification")
    finding.status, finding.closed_on, finding.closed_by = FindingStatus.CLOSED, _date(date, "date"), actor
    finding.close_note = _text(note, "note", _("销号意见"))
    finding.save(update_fields=["status", "closed_on", "closed_by", "close_note"])
    _audit(actor, "close", finding, f"问题销号：{finding.pk}")
    return finding


@transaction.atomic
def record_accountability(
    *,
    actor: Any,
    region: Any,
    kind: Any,
    subject: str,
    description: str,
    date: Any = None,
    finding: Finding | None = None,
) -> AccountabilityRecord:
    """One case exposed, or one person disciplined, admonished or interviewed."""
    _require(actor, Capability.EDIT_SUPERVISION)
    region = _region(region)
    check_in_jurisdiction(actor, region.code)
    row = AccountabilityRecord.objects.create(
        region=region,
        kind=_choice(kind, AccountabilityKind, "kind", _("类型")),
        date=_date(date, "date"),
        subject=_text(subject, "subject", _("对象"), 120),
        description=_text(description, "description", _("事由")),
        finding=finding,
    )
    _audit(actor, "accountability", row, f"{row.get_kind_display()}：{row.subject}")
    return row


@transaction.atomic
def record_recognition(
    *, actor: Any, region: Any, kind: Any, recipient_type: Any, recipient: str, title: str, date: Any = None
) -> Recognition:
    """An award to a person or organisation, or a grass-roots cadre's promotion."""
    _require(actor, Capability.EDIT_SUPERVISION)
    region = _region(region)
    check_in_jurisdiction(actor, region.code)
    row = Recognition.objects.create(
        region=region,
        kind=_choice(kind, RecognitionKind, "kind", _("类型")),
        recipient_type=_choice(recipient_type, RecipientType, "recipient_type", _("对象类型")),
        recipient=_text(recipient, "recipient", _("对象"), 120),
        title=_text(title, "title", _("奖项或职务"), 120),
        date=_date(date, "date"),
    )
    _audit(actor, "recognition", row, f"{row.get_kind_display()}：{row.recipient}")
    return row
