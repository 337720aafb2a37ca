"""Pages of the exchange app: imports (upload → preview → commit), problem reports, the template,
member exports (masked, or unmasked with a reason), cross-checks and the disposition of hits.

Every object is read through ``visible_to(user)``: another village's batch, run or hit is a 404.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tuopin.accounts.roles import Capability

from . import actions, crosscheck, tasks
from .export import csv_lines, member_export, xlsx_file
from .files import Limits
from .layouts import LAYOUTS, layout_of
from .models import CommitMode, CrossCheckHit, CrossCheckRun, Department, Disposition, ImportBatch
from .report import problem_report, template_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(user: Any, capability: Capability) -> None:
    if not user.can(capability):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def _upload(request: HttpRequest, field: str = "file") -> tuple[Path, str]:
    """The uploaded file on disk; an oversize request is refused before Django reads its body."""
    limit = Limits.from_settings().max_bytes
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 1_000_000:
        raise ValidationError(_("文件过大，上限为 %(max)d MB。") % {"max": limit // 2**20})
    upload = request.FILES.get(field)
    if upload is None:
        raise ValidationError(_("请选择要上传的文件。"))
    tmp = tempfile.NamedTemporaryFile(delete=False, suffix=".upload")  # noqa: SIM115 - removed below by the caller
    for chunk in upload.chunks():
        tmp.write(chunk)
    tmp.close()
    return Path(tmp.name), upload.name


@never_cache
def index(request: HttpRequest) -> HttpResponse:
    """Import batches of the user's jurisdiction and the upload form."""
    user = request.user
    _require(user, Capability.VIEW_REGISTRY)
    if request.method == "POST":
        _require(user, Capability.IMPORT)
        try:
            path, name = _upload(request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("exchange:index")
        schema = request.POST.get("schema") or "households"
        if schema not in LAYOUTS:
            path.unlink(missing_ok=True)
            messages.error(request, _("未知的数据类型。"))
            return redirect("exchange:index")
        try:
            batch = actions.stage_import(
                actor=user, source=path, filename=name, schema=schema, origin=request.POST.get("source", "")
            )
        finally:
            path.unlink(missing_ok=True)
        if batch.status == "uploaded":
            transaction.on_commit(lambda: tasks.validate_import.enqueue(batch.pk, user.pk, get_language()))
        return redirect("exchange:batch", pk=batch.pk)
    batches = ImportBatch.objects.visible_to(user).select_related("operator")[:100]
    return render(
        request,
        "exchange/index.html",
        {
            "batches": batches,
            "can_import": user.can(Capability.IMPORT),
            "layouts": LAYOUTS.values(),
            "can_cross_check": user.can(Capability.CROSS_CHECK),
        },
    )


def batch_issues(batch: ImportBatch) -> list[tuple[int, str, int, str]]:
    return list(batch.issues.values_list("rownum", "column", "col_index", "message"))


def _shown_progress(progress: dict[str, Any]) -> dict[str, Any]:
    """The stored progress with its phase in the reader's language (stored in Chinese, see set_progress)."""
    if progress.get("phase"):
        progress = {**progress, "phase": _(str(progress["phase"]))}
    return progress


@never_cache
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview: counts, notes, problems, masked sample rows, progress, and the commit form."""
    batch = get_object_or_404(ImportBatch.objects.visible_to(request.user), pk=pk)
    if request.method == "POST":
        _require(request.user, Capability.IMPORT)
        mode = request.POST.get("mode", CommitMode.ALL)
        user = request.user
        transaction.on_commit(lambda: tasks.commit_import.enqueue(batch.pk, user.pk, mode, get_language()))
        return redirect("exchange:batch", pk=batch.pk)
    batch.refresh_from_db()
    return render(
        request,
        "exchange/batch.html",
        {
            "batch": batch,
            "layout": LAYOUTS.get(batch.schema),
            "issues": batch.issues.all()[:500],
            "progress": _shown_progress(actions.read_progress(batch)),
            "modes": CommitMode.choices,
            "can_import": request.user.can(Capability.IMPORT),
        },
    )


@never_cache
@require_GET
def batch_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The problem report: every problem listed, the uploaded rows with the bad cells marked."""
    batch = get_object_or_404(ImportBatch.objects.visible_to(request.user), pk=pk)
    data = problem_report(batch, actions.staged_path(batch) if batch.stored_name else None, batch_issues(batch))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-problems.xlsx"'
    return response


@require_GET
def template(request: HttpRequest) -> HttpResponse:
    """The .xlsx import template of a kind of file (``?schema=``) with its column names and code lists."""
    schema = request.GET.get("schema") or "households"
    if schema not in LAYOUTS:
        return HttpResponse(_("未知的数据类型。"), status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(template_xlsx(layout_of(schema)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{schema}-import-template.xlsx"'
    return response


@never_cache
@require_GET
def export_members(request: HttpRequest, fmt: str) -> HttpResponse:
    """Members of the filtered households; ``reason`` asks for the unmasked export (approvers only)."""
    params = {
        k: str(request.GET.get(k) or "").strip()[:40]
        for k in ("region", "status", "cause", "category", "year", "q", "current")
    }
    params = {k: v for k, v in params.items() if v}
    try:
        spec, _count, line = member_export(request.user, params, reason=str(request.GET.get("reason") or ""))
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    name = f"members-{timezone.localtime():%Y%m%d-%H%M}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(spec, line), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return FileResponse(xlsx_file(spec, line), as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX)


@never_cache
def crosscheck_index(request: HttpRequest) -> HttpResponse:
    """Runs in the user's jurisdiction; upload a department list or start the internal checks."""
    user = request.user
    _require(user, Capability.VIEW_REGISTRY)
    if request.method == "POST":
        _require(user, Capability.CROSS_CHECK)
        try:
            if request.POST.get("internal"):
                run = crosscheck.run_internal(actor=user)
            else:
                path, name = _upload(request)
                try:
                    run = crosscheck.run_department(
                        actor=user, path=path, filename=name, department=request.POST.get("department", "")
                    )
                finally:
                    path.unlink(missing_ok=True)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("exchange:crosscheck")
        return redirect("exchange:run", pk=run.pk)
    runs = CrossCheckRun.objects.visible_to(user).select_related("operator")[:100]
    return render(
        request,
        "exchange/crosscheck.html",
        {"runs": runs, "departments": Department.choices, "can_cross_check": user.can(Capability.CROSS_CHECK)},
    )


@never_cache
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Hits of a run that lie inside the user's jurisdiction."""
    run = get_object_or_404(CrossCheckRun.objects.visible_to(request.user), pk=pk)
    hits = (
        CrossCheckHit.objects.visible_to(request.user)
        .filter(run=run)
        .select_related("household", "member", "disposed_by")
        .order_by("disposition", "region_code", "id")[:1000]
    )
    return render(
        request,
        "exchange/run.html",
        {
            "run": run,
            "hits": hits,
            "dispositions": Disposition.choices,
            "can_dispose": request.user.can(Capability.EDIT_REGISTRY),
        },
    )


@require_POST
def dispose(request: HttpRequest, pk: int) -> HttpResponse:
    """Record 核实属实 / 核实不属实 with a reason."""
    hit = get_object_or_404(CrossCheckHit.objects.visible_to(request.user), pk=pk)
    try:
        actions.dispose_hit(
            hit,
            actor=request.user,
            disposition=request.POST.get("disposition", ""),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("已记录核实结果。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("exchange:run", pk=hit.run_id)
