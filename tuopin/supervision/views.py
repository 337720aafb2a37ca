"""Pages of the supervision app: findings with overdue flags and figures; a finding with its rectification."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import actions, queries
from .choices import FindingStatus
from .models import AccountabilityRecord, Finding


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Findings (filter by status, overdue) and the year's supervision figures."""
    user = request.user
    if user.jurisdiction_id is None or not user.sees_business_data:
        raise Http404
    today = timezone.localdate()
    asked = str(request.GET.get("year") or "")
    # Default (and for bad input): the latest year with a finding, else this year.
    latest = Finding.objects.visible_to(user).order_by("-deadline").values_list("deadline__year", flat=True).first()
    year = int(asked) if asked.isdigit() and 2000 <= int(asked) <= 2100 else (latest or today.year)
    qs = queries.with_overdue(Finding.objects.visible_to(user).select_related("region"), today)
    if request.GET.get("status") in FindingStatus.values:
        qs = qs.filter(status=request.GET["status"])
    if request.GET.get("overdue") == "1":
        qs = qs.filter(overdue=True)
    return render(
        request,
        "supervision/overview.html",
        {
            "findings": qs[:200],
            "year": year,
            "f": queries.annual_figures(user.jurisdiction, year, today=today),
            "statuses": FindingStatus.choices,
            "params": request.GET,
            "title": _("巡察整改与问责"),
            "records": AccountabilityRecord.objects.visible_to(user)
            .filter(date__year=year)
            .select_related("region")[:100],
        },
    )


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One finding with its rectification reports, and the forms to report or close (销号)."""
    finding = get_object_or_404(queries.with_overdue(Finding.objects.visible_to(request.user)), pk=pk)
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("what") == "close":
                actions.close_finding(finding, actor=request.user, note=p.get("note", ""), date=p.get("date") or None)
            else:
                actions.report_rectification(
                    finding,
                    actor=request.user,
                    measures=p.get("measures", ""),
                    evidence=p.get("evidence", ""),
                    date=p.get("date") or None,
                )
            messages.success(request, _("已保存。"))
            return redirect("supervision:finding", pk=finding.pk)
        except (ValidationError, PermissionDenied) as exc:
            for msg in getattr(exc, "messages", [str(exc)]):
                messages.error(request, msg)
    return render(
        request,
        "supervision/finding.html",
        {
            "finding": finding,
            "reports": finding.rectifications.select_related("reported_by"),
            "title": _("问题整改"),
        },
    )
