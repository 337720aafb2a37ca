"""Supervision reads: overdue findings and the figures of a year, counted from records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from tuopin.geo.models import Region

from .choices import AccountabilityKind, FindingStatus, RecipientType, RecognitionKind
from .models import AccountabilityRecord, Finding, Inspection, Recognition

__all__ = ["overdue_q", "with_overdue", "overdue_findings", "annual_figures"]


def overdue_q(today: dt.date) -> Q:
    """Findings past their deadline and not closed, or closed after it."""
    return (~Q(status=FindingStatus.CLOSED) & Q(deadline__lt=today)) | Q(
        status=FindingStatus.CLOSED, closed_on__gt=F("deadline")
    )


def with_overdue(qs: QuerySet[Finding], today: dt.date | None = None) -> QuerySet[Finding]:
    """Annotate ``overdue`` (a boolean computed in SQL) on findings."""
    today = today or timezone.localdate()
    return qs.annotate(
        overdue=Case(When(overdue_q(today), then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def overdue_findings(user: Any, today: dt.date | None = None) -> QuerySet[Finding]:
    """Open findings past their deadline in the user's jurisdiction (for "my work")."""
    today = today or timezone.localdate()
    return (
        Finding.objects.visible_to(user)
        .exclude(status=FindingStatus.CLOSED)
        .filter(deadline__lt=today)
        .select_related("region")
        .order_by("deadline", "id")
    )


def annual_figures(region: Region | str, year: int, *, today: dt.date | None = None) -> dict[str, Any]:
    """Inspections, findings (open, closed, overdue), accountability and recognition of a region in a year."""
    code = region.code if isinstance(region, Region) else str(region).ljust(12, "0")
    prefix = Region.objects.get(code=code).prefix
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    today = today or timezone.localdate()
    findings = (
        Finding.objects.in_region(prefix)
        .filter(found_on__range=(start, end))
        .aggregate(
            total=Count("id"),
            closed=Count("id", filter=Q(status=FindingStatus.CLOSED)),
            overdue=Count("id", filter=overdue_q(today)),
        )
    )
    acc = (
        AccountabilityRecord.objects.in_region(prefix)
        .filter(date__range=(start, end))
        .aggregate(**{k.value: Count("id", filter=Q(kind=k.value)) for k in AccountabilityKind})
    )
    rec = (
        Recognition.objects.in_region(prefix)
        .filter(date__range=(start, end))
        .aggregate(
            awarded_people=Count("id", filter=Q(kind=RecognitionKind.AWARD, recipient_type=RecipientType.PERSON)),
            awarded_organisations=Count(
                "id", filter=Q(kind=RecognitionKind.AWARD, recipient_type=RecipientType.ORGANISATION)
            ),
            promoted=Count("id", filter=Q(kind=RecognitionKind.PROMOTION)),
        )
    )
    return {
        "region": code,
        "year": year,
        "inspections": Inspection.objects.in_region(prefix).filter(start__lte=end, end__gte=start).count(),
        "findings": findings,
        "cases_exposed": acc[AccountabilityKind.EXPOSED],
        "disciplined": acc[AccountabilityKind.DISCIPLINED],
        "admonished": acc[AccountabilityKind.ADMONISHED],
        "interviewed": acc[AccountabilityKind.INTERVIEWED],
        **rec,
    }
