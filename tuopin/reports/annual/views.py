"""Pages of the annual report (/reports/annual/): choose a region and year, the report itself (also as
xlsx and JSON), the trace page behind every figure, archiving (存档) and an archived report.

Every page looks the region (or archive) up through ``visible_to(request.user)`` first, so a region
outside the jurisdiction is a 404 for every role; then the role is checked (403).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.core.scoping import code_in_prefix, user_prefix
from tuopin.geo.models import Region
from tuopin.web.views.common import region_choices, require

from . import formats
from .actions import freeze_annual_report
from .archive import MIN_YEAR, check_year, compare
from .figures import FIGURES, MONEY
from .models import AnnualReportArchive
from .report import REPORT_LANGUAGE, build_report, evaluate, trace_url
from .sources import Sources
from .traces import TRACES, measure

PAGE_SIZE = 50


def _region(user: Any, code: str) -> Region:
    code = code.strip()
    if code.isdigit() and len(code) < 12:
        code = code.ljust(12, "0")  # /reports/annual/220400/2019/ works as well
    return get_object_or_404(Region.objects.visible_to(user), code=code)


def _year(year: int) -> int:
    try:
        return check_year(year)
    except ValidationError:
        raise Http404 from None


def _years() -> list[int]:
    """The years offered for a report, newest first (2014, the first year of 建档立卡 data, at the end)."""
    return list(range(timezone.localdate().year, MIN_YEAR, -1))


@login_required
@require_GET
def annual_index(request: HttpRequest) -> HttpResponse:
    """Choose a region of the jurisdiction and a year; submitting opens the report."""
    user = request.user
    require(user, Capability.VIEW_REGISTRY)
    region, year = request.GET.get("region", ""), request.GET.get("year", "")
    if region and year.isdigit():
        return redirect("reports:annual_report", code=region, year=int(year))
    recent = AnnualReportArchive.objects.visible_to(user).select_related("region").order_by("-created_at")[:10]
    return render(
        request,
        "reports/annual/index.html",
        {
            "title": _("年度脱贫攻坚报告"),
            "regions": region_choices(user),
            "years": _years(),
            "default_year": timezone.localdate().year - 1,
            "own": user.jurisdiction_id,
            "recent": recent,
        },
    )


def _export(request: HttpRequest, report: Any, fmt: str) -> HttpResponse:
    """The report as a file: needs the export permission; every download is audited."""
    require(request.user, Capability.EXPORT)
    body = formats.as_xlsx_bytes(report) if fmt == "xlsx" else formats.as_json_bytes(report)
    with transaction.atomic():
        audit.record(
            request.user,
            "reports.annual_export",
            object_type="reports.annual",
            object_id=f"{report.region.code}/{report.year}",
            region_code=report.region.code,
            summary=f"导出{report.region.name}{report.year}年度脱贫攻坚报告（{fmt}）",
            changes={"format": fmt, "region": report.region.code, "year": report.year},
        )
    return _attachment(body, fmt, formats.filename(report, fmt))


def _attachment(body: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=formats.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def annual_report(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The report of a region and year; ``?format=xlsx`` or ``?format=json`` downloads it."""
    user = request.user
    region = _region(user, code)
    require(user, Capability.VIEW_REGISTRY)
    year = _year(year)
    fmt = request.GET.get("format", "html")
    if fmt not in formats.FORMATS:
        fmt = "html"
    # The report itself is a Chinese document (its reasons are worded when it is built): the page
    # around it follows the reader's language, the body stays Chinese (lang="zh-hans").
    with translation.override(REPORT_LANGUAGE):
        report = build_report(region, year, user=user)
    own = user_prefix(user)
    if fmt != "html":
        return _export(request, report, fmt)
    archives = (
        AnnualReportArchive.objects.visible_to(user)
        .filter(region=region, year=year)
        .only("pk", "created_at", "created_by_name", "sha256", "note")[:10]
    )
    children = Region.objects.visible_to(user).filter(parent=region).order_by("code").only("code", "name")
    return render(
        request,
        "reports/annual/report.html",
        {
            "title": _("%(region)s%(year)d年度脱贫攻坚工作报告") % {"region": report.full_name, "year": report.year},
            "report": report,
            "v": report.values,
            "stamp": formats.stamp_line(report, "生成"),
            "archives": archives,
            "children": children,
            "crumbs": [r for r in region.ancestors() if r.code != region.code and code_in_prefix(r.code, own)],
            "years": _years(),
            "can_export": user.can(Capability.EXPORT),
        },
    )


def _in_report_language(text: Any) -> str:
    with translation.override(REPORT_LANGUAGE):
        return text()


def _as_of(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


@login_required
@require_GET
def annual_trace(request: HttpRequest, code: str, year: int, figure: str) -> HttpResponse:
    """The records behind one figure, inside the user's jurisdiction, masked and paged."""
    user = request.user
    region = _region(user, code)
    require(user, Capability.VIEW_REGISTRY)
    year = _year(year)
    fig, trace = FIGURES.get(figure), TRACES.get(figure)
    if fig is None or trace is None or (fig.applies is not None and not fig.applies(region)):
        raise Http404
    s = Sources(region, year, as_of=_as_of(request))
    evaluated = evaluate(fig, s, region, year)
    value = evaluated.value
    everything = trace.records(s)
    narrowed: dict[str, str] = {}
    for name in trace.params:
        raw = request.GET.get(name, "")
        if raw.isdigit():
            everything = everything.filter(**{f"{name}_id": int(raw)})
            narrowed[name] = raw
    scoped = everything.visible_to(user) if hasattr(everything, "visible_to") else everything
    rows_qs = scoped.select_related(*trace.select).order_by(*trace.order)
    page = Paginator(rows_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    objects = list(page.object_list)
    if trace.prepare is not None:
        trace.prepare(objects, s)
    rows = [(obj, [(col, col.value(obj, user)) for col in trace.columns]) for obj in objects]
    total = page.paginator.count
    hidden = everything.count() - total
    context = {
        # The figure's label is the Chinese document's own wording: an English title names the key.
        "title": _("%(label)s · 记录明细")
        % {"label": fig.label if translation.get_language().startswith("zh") else fig.key},
        "region": region,
        "year": year,
        "figure": fig,
        "value": value,
        "display": _in_report_language(lambda: evaluated.display),
        "reason": evaluated.reason,
        "trace": trace,
        "total": total,
        "hidden": hidden,
        "measured": measure(trace, scoped) if not narrowed else None,
        "is_money": fig.kind == MONEY,
        "page": page,
        "rows": rows,
        "narrowed": narrowed,
        "query": "&".join(f"{k}={v}" for k, v in narrowed.items()),
        "report_url": reverse("reports:annual_report", args=[region.code, year]),
        "derived": [(FIGURES[k], trace_url(region, year, k)) for k in fig.derived],
    }
    return render(request, "reports/annual/trace.html", context)


@login_required
@require_POST
def annual_freeze(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """存档: freeze the report as it stands now (figures, checksum, rule-set version), audited."""
    user = request.user
    region = _region(user, code)
    require(user, Capability.EXPORT)
    year = _year(year)
    try:
        archive = freeze_annual_report(actor=user, region=region, year=year, note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("reports:annual_report", code=region.code, year=year)
    messages.success(request, _("已存档，SHA-256 校验值 %(h)s。") % {"h": archive.sha256})
    return redirect("reports:annual_archive", pk=archive.pk)


@login_required
@require_GET
def annual_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """An archived report: its figures as archived, whether the archive is intact, and whether
    today's records still give the same numbers. ``?format=json`` downloads it as archived."""
    user = request.user
    archive = get_object_or_404(
        AnnualReportArchive.objects.visible_to(user).select_related("region", "run", "ruleset"), pk=pk
    )
    require(user, Capability.VIEW_REGISTRY)
    if request.GET.get("format") == "json":
        require(user, Capability.EXPORT)
        name = f"annual-report-{archive.region_id}-{archive.year}-archive-{archive.pk}.json"
        return _attachment(formats.archive_json_bytes(archive), "json", name)
    result = compare(archive)
    content = archive.content
    sections = [
        (sec["title"], [(key, content["figures"][key]) for key in sec["figures"]]) for sec in content["sections"]
    ]
    return render(
        request,
        "reports/annual/archive.html",
        {
            "title": _("年度报告存档 #%(n)d") % {"n": archive.pk},
            "archive": archive,
            "result": result,
            "sections": sections,
            "report_url": reverse("reports:annual_report", args=[archive.region_id, archive.year]),
        },
    )


__all__ = ["annual_index", "annual_report", "annual_trace", "annual_freeze", "annual_archive"]
