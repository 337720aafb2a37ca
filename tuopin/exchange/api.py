"""REST API of data exchange: import batches, member exports, department cross-checks and their hits.

* ``/api/exchange/batches/`` — upload a file (validated in the background), read its problems and
  masked preview, download the problem report, commit it (all / valid rows only) as a background
  job with an ``Idempotency-Key``, poll its progress.
* ``/api/exchange/exports/members/`` — members of a filtered household list, masked by role; the
  full ID numbers only with ``VIEW_PLAINTEXT_ID`` and a stated reason (audited, watermarked).
* ``/api/exchange/crosscheck/runs/`` — upload a department's list (matched in the background) or run
  the registry's internal checks; ``/api/exchange/crosscheck/hits/`` — the flags to verify, with
  filters, and their disposition (核实属实 / 核实不属实, with a reason).

Every object is read through ``visible_to`` (another jurisdiction's batch, run or hit is a 404) and
every change is one call of ``exchange.actions`` / ``exchange.crosscheck``; the serializers only parse.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import transaction
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tuopin.accounts.roles import Capability
from tuopin.core.api import NoBodySerializer, ScopedViewSetMixin, StrictInputMixin
from tuopin.core.scoping import prefix_range_q
from tuopin.geo.models import Region
from tuopin.payments.idempotency import run_once
from tuopin.registry import choices as rc
from tuopin.registry.api.views import ERRORS

from . import actions, crosscheck, tasks
from .export import csv_lines, member_export, xlsx_file
from .files import Limits
from .models import CommitMode, CrossCheckHit, CrossCheckRun, Department, Disposition, HitRule, ImportBatch, ImportIssue
from .report import problem_report

S = serializers
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_FILE = {(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="Excel 文件"), **ERRORS}
EXPORT_FILE = {
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV（UTF-8，带 BOM），逐行传输"),
    **XLSX_FILE,
}


class ImportIssueSerializer(S.ModelSerializer):
    """One problem of one cell: the row and column of the file, and what is wrong, in Chinese."""

    class Meta:
        model = ImportIssue
        fields = ["rownum", "column", "message"]
        read_only_fields = fields


class ImportBatchSerializer(S.ModelSerializer):
    """A batch: counts, problems summary and the masked preview (never a full ID number)."""

    status_label = S.CharField(source="get_status_display", read_only=True)
    operator = S.CharField(source="operator.username", read_only=True)
    file_sha256 = S.CharField(source="file_hash", read_only=True, help_text="文件的 SHA-256（来源凭据）")
    preview = S.ListField(child=S.DictField(), read_only=True, help_text="前20行，身份证号已脱敏")
    notes = S.ListField(child=S.CharField(), read_only=True, help_text="读取文件时代为处理的事项")

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "schema",
            "source",
            "filename",
            "file_sha256",
            "file_size",
            "file_kind",
            "status",
            "status_label",
            "mode",
            "message",
            "notes",
            "preview",
            "rows",
            "households",
            "error_count",
            "error_rows",
            "valid_households",
            "existing_households",
            "created_households",
            "created_members",
            "year_rows",
            "seconds",
            "operator",
            "created_at",
            "validated_at",
            "committed_at",
        ]
        read_only_fields = fields


class UploadInput(StrictInputMixin, S.Serializer):
    file = S.FileField(help_text="xlsx 或 csv（UTF-8、GB18030/GBK）")
    source = S.CharField(required=False, allow_blank=True, default="", max_length=100, help_text="数据来源")


class DepartmentUploadInput(StrictInputMixin, S.Serializer):
    file = S.FileField(help_text="部门数据：须有“公民身份号码”列，或“姓名”和“出生日期”列")
    department = S.ChoiceField(choices=Department.choices, help_text="部门数据类型")


class CommitInput(StrictInputMixin, S.Serializer):
    mode = S.ChoiceField(choices=CommitMode.choices, help_text="all：全部正确才导入；valid_only：只导入无错误的户")


class ProgressSerializer(S.Serializer):
    status = S.CharField()
    status_label = S.CharField()
    phase = S.CharField(help_text="校验 / 写入 / 完成")
    done = S.IntegerField()
    total = S.IntegerField()
    message = S.CharField()


class CrossCheckRunSerializer(S.ModelSerializer):
    """A cross-check run: queued → running → done (or failed, with the reason)."""

    department_label = S.CharField(source="get_department_display", read_only=True)
    operator = S.CharField(source="operator.username", read_only=True)
    file_sha256 = S.CharField(source="file_hash", read_only=True, help_text="部门数据文件的 SHA-256")

    class Meta:
        model = CrossCheckRun
        fields = [
            "id",
            "kind",
            "department",
            "department_label",
            "filename",
            "file_sha256",
            "status",
            "message",
            "rows",
            "matched_by_id",
            "matched_by_name",
            "hits",
            "seconds",
            "operator",
            "created_at",
        ]
        read_only_fields = fields


class CrossCheckHitSerializer(S.ModelSerializer):
    """A flag to verify: the household and member (ID masked), why, and its disposition."""

    rule_label = S.CharField(source="get_rule_display", read_only=True)
    household_number = S.CharField(source="household.number", read_only=True)
    member_name = S.CharField(source="member.name", read_only=True, default="")
    member_id_mask = S.CharField(source="member.id_mask", read_only=True, default="")
    disposition_label = S.CharField(source="get_disposition_display", read_only=True)
    disposed_by = S.CharField(source="disposed_by.username", read_only=True, default="")

    class Meta:
        model = CrossCheckHit
        fields = [
            "id",
            "run",
            "rule",
            "rule_label",
            "household",
            "household_number",
            "member",
            "member_name",
            "member_id_mask",
            "region_code",
            "method",
            "confidence",
            "source_rownum",
            "detail",
            "disposition",
            "disposition_label",
            "disposed_by",
            "disposed_at",
            "reason",
        ]
        read_only_fields = fields


class DisposeInput(StrictInputMixin, S.Serializer):
    disposition = S.ChoiceField(
        choices=[
            (Disposition.CONFIRMED, Disposition.CONFIRMED.label),
            (Disposition.DISMISSED, Disposition.DISMISSED.label),
        ]
    )
    reason = S.CharField(max_length=500, help_text="核实说明（至少4个字）")


def _parse(cls, request):
    s = cls(data=request.data)
    s.is_valid(raise_exception=True)
    return s.validated_data


@contextmanager
def _uploaded(upload) -> Iterator[Path]:
    """The uploaded file on disk for the length of the block; oversize is refused first."""
    limit = Limits.from_settings().max_bytes
    if upload.size > limit:
        raise exceptions.ValidationError({"file": [_("文件过大，上限为 %(max)d MB。") % {"max": limit // 2**20}]})
    tmp = tempfile.NamedTemporaryFile(delete=False, suffix=".upload")  # noqa: SIM115 - removed below
    try:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.close()
        yield Path(tmp.name)
    finally:
        Path(tmp.name).unlink(missing_ok=True)


def _int_param(request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


@extend_schema(tags=["exchange"])
class ImportBatchViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Import batches of the caller's jurisdiction (newest first)."""

    scoped_model = ImportBatch
    serializer_class = ImportBatchSerializer
    filter_backends: list = []
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def scope_queryset(self, qs):
        return qs.select_related("operator")

    @extend_schema(request={"multipart/form-data": UploadInput}, responses={201: ImportBatchSerializer, **ERRORS})
    def create(self, request):
        """Upload a file (``stage_import``); a hostile or disguised file is recorded as refused. The
        validation runs as a background job: poll the batch (or its progress) until "已校验，待确认"."""
        self.require(Capability.IMPORT)
        data = _parse(UploadInput, request)
        with _uploaded(data["file"]) as path:
            batch = actions.stage_import(
                actor=request.user, source=path, filename=data["file"].name, origin=data["source"]
            )
        if batch.status == "uploaded":
            user = request.user
            transaction.on_commit(lambda: tasks.validate_import.enqueue(batch.pk, user.pk, get_language()))
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ImportIssueSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"])
    def problems(self, request, pk=None):
        """Every stored problem of the batch, by row and column (paginated)."""
        batch = self.get_object()
        page = self.paginate_queryset(batch.issues.order_by("rownum", "col_index", "id"))
        return self.get_paginated_response(ImportIssueSerializer(page, many=True).data)

    @extend_schema(responses=XLSX_FILE)
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        """The problem report (.xlsx): every problem listed, the uploaded rows with the bad cells marked."""
        batch = self.get_object()
        issues = list(batch.issues.values_list("rownum", "column", "col_index", "message"))
        data = problem_report(batch, actions.staged_path(batch) if batch.stored_name else None, issues)
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-problems.xlsx"'
        return response

    @extend_schema(request=CommitInput, responses={202: ImportBatchSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        """Commit the validated batch as a background job (``commit_batch``: all-or-nothing, or only the
        households without a problem). Send an ``Idempotency-Key``: a replay starts nothing new. Poll
        ``progress``; a refusal (problems, a file already imported) is the batch's message."""
        batch = self.get_object()
        self.require(Capability.IMPORT)
        user = request.user

        def start():
            mode = _parse(CommitInput, request)["mode"]
            transaction.on_commit(lambda: tasks.commit_import.enqueue(batch.pk, user.pk, mode, get_language()))
            return Response(ImportBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)

        return run_once(request, f"import.commit.{batch.pk}", start)

    @extend_schema(responses={200: ProgressSerializer, **ERRORS})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Where validation or commit stands: phase, rows done of total, and the batch's status."""
        batch = self.get_object()
        p = actions.read_progress(batch)
        return Response(
            {
                "status": batch.status,
                "status_label": batch.get_status_display(),
                "phase": str(p.get("phase", "")),
                "done": int(p.get("done", 0)),
                "total": int(p.get("total", 0)),
                "message": batch.message,
            }
        )


EXPORT_PARAMS = [
    OpenApiParameter("fmt", OpenApiTypes.STR, enum=["csv", "xlsx"], description="文件格式（默认 csv）"),
    OpenApiParameter("region", OpenApiTypes.STR, description="地区代码（管辖范围内）"),
    OpenApiParameter("status", OpenApiTypes.STR, enum=rc.HouseholdStatus.values, description="户状态"),
    OpenApiParameter("cause", OpenApiTypes.STR, enum=rc.PovertyCause.values, description="致贫原因"),
    OpenApiParameter("category", OpenApiTypes.STR, enum=rc.HouseholdCategory.values, description="贫困户属性"),
    OpenApiParameter("year", OpenApiTypes.INT, description="有该年度信息的户"),
    OpenApiParameter("q", OpenApiTypes.STR, description="户编号、姓名"),
    OpenApiParameter("current", OpenApiTypes.STR, enum=["1"], description="1 只导出在册成员"),
    OpenApiParameter("reason", OpenApiTypes.STR, description="导出完整身份证号的事由（须有查看完整身份证号的权限）"),
]


@extend_schema(tags=["exchange"])
class MemberExportView(APIView):
    """Members of the filtered household list as CSV (streamed) or Excel, masked by role."""

    @extend_schema(parameters=EXPORT_PARAMS, responses=EXPORT_FILE)
    def get(self, request):
        """The export names the user and the time on its first line; the audit row is written before
        the first byte. With ``reason`` (and the right) the full ID numbers and a watermark."""
        params = {
            k: str(request.query_params.get(k) or "").strip()[:40]
            for k in ("region", "status", "cause", "category", "year", "q", "current")
        }
        spec, _count, line = member_export(
            request.user,
            {k: v for k, v in params.items() if v},
            reason=str(request.query_params.get("reason") or "")[:200],
        )
        name = f"members-{timezone.localtime():%Y%m%d-%H%M}"
        if request.query_params.get("fmt") == "xlsx":
            return FileResponse(xlsx_file(spec, line), as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX)
        response = StreamingHttpResponse(csv_lines(spec, line), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


@extend_schema(tags=["exchange"])
class CrossCheckRunViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Cross-check runs of the caller's jurisdiction; poll a run until its status is done or failed."""

    scoped_model = CrossCheckRun
    serializer_class = CrossCheckRunSerializer
    filter_backends: list = []

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def scope_queryset(self, qs):
        return qs.select_related("operator")

    @extend_schema(
        request={"multipart/form-data": DepartmentUploadInput}, responses={202: CrossCheckRunSerializer, **ERRORS}
    )
    def create(self, request):
        """Upload a department's list (``queue_department``); it is matched in the background by keyed
        hash and, without an ID number, by name and birth date. Every hit is a flag to verify."""
        self.require(Capability.CROSS_CHECK)
        data = _parse(DepartmentUploadInput, request)
        with _uploaded(data["file"]) as path:
            run = crosscheck.queue_department(
                actor=request.user, source=path, filename=data["file"].name, department=data["department"]
            )
        user = request.user
        transaction.on_commit(lambda: tasks.crosscheck_department.enqueue(run.pk, user.pk, get_language()))
        return Response(CrossCheckRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=NoBodySerializer, responses={201: CrossCheckRunSerializer, **ERRORS})
    @action(detail=False, methods=["post"])
    def internal(self, request):
        """Run the registry's own checks (shared accounts, duplicates, the deceased, fraud patterns)."""
        self.require(Capability.CROSS_CHECK)
        _parse(NoBodySerializer, request)  # takes no input: a field sent is refused by name, not ignored
        run = crosscheck.run_internal(actor=request.user)
        return Response(CrossCheckRunSerializer(run).data, status=status.HTTP_201_CREATED)


HIT_PARAMS = [
    OpenApiParameter("run", OpenApiTypes.INT, description="比对批次"),
    OpenApiParameter("rule", OpenApiTypes.STR, enum=HitRule.values, description="规则"),
    OpenApiParameter("disposition", OpenApiTypes.STR, enum=Disposition.values, description="核实结果"),
    OpenApiParameter("method", OpenApiTypes.STR, enum=["id", "name_birth", "internal"], description="匹配方式"),
    OpenApiParameter("region", OpenApiTypes.STR, description="地区代码（任意级别）"),
    OpenApiParameter("household", OpenApiTypes.INT, description="户"),
]


@extend_schema(tags=["exchange"])
class CrossCheckHitViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Cross-check hits inside the caller's jurisdiction (by the household's village)."""

    scoped_model = CrossCheckHit
    serializer_class = CrossCheckHitSerializer
    filter_backends: list = []

    def scope_queryset(self, qs):
        qs = qs.select_related("household", "member", "disposed_by")
        if self.action != "list":
            return qs
        q = self.request.query_params
        for key in ("rule", "disposition", "method"):
            if q.get(key):
                qs = qs.filter(**{key: q[key][:24]})
        for key in ("run", "household"):
            value = _int_param(self.request, key)
            if value is not None:
                qs = qs.filter(**{f"{key}_id": value})
        region = q.get("region", "")[:12]
        if region:
            found = Region.objects.filter(code=region).first() if len(region) == 12 else None
            qs = (
                qs.filter(prefix_range_q("region_code", found.prefix if found else region))
                if region.isdigit()
                else qs.none()
            )
        return qs.order_by("disposition", "region_code", "id")

    @extend_schema(parameters=HIT_PARAMS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=DisposeInput, responses={200: CrossCheckHitSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def dispose(self, request, pk=None):
        """Record the verification (``dispose_hit``): who, when, why. The registry itself is not changed."""
        hit = self.get_object()
        self.require(Capability.EDIT_REGISTRY)
        data = _parse(DisposeInput, request)
        hit = actions.dispose_hit(hit, actor=request.user, disposition=data["disposition"], reason=data["reason"])
        return Response(CrossCheckHitSerializer(self.get_queryset().get(pk=hit.pk)).data)
