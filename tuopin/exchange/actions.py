"""Every state change of the exchange app: stage, validate and commit an import; dispose of a hit.

Each takes the acting user, checks capability and jurisdiction, and writes its audit row in its own
transaction. The commit is one transaction (nothing partial survives a crash: R12) with one audit
row carrying the counts and the file hash.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.core.bulk import bulk_session, paused_gc
from tuopin.core.scoping import check_in_jurisdiction, user_prefix

from . import plancache
from .files import FileRefused, Limits, check_upload, read_table
from .layouts import layout_of
from .models import BatchStatus, CommitMode, CrossCheckHit, Disposition, ImportBatch, ImportIssue
from .schema import Problems, bind_header

__all__ = ["stage_import", "validate_batch", "commit_batch", "dispose_hit", "staged_path", "read_progress"]

MAX_STORED_ISSUES = 50_000  # the report lists every problem; the database keeps the first ones for the page


def _require(actor: Any, capability: Capability) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.can(capability):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def staging_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "exchange"
    path.mkdir(parents=True, exist_ok=True)
    return path


def staged_path(batch: ImportBatch) -> Path:
    return staging_dir() / batch.stored_name


def _progress_path(batch: ImportBatch) -> Path:
    return staging_dir() / f"{batch.stored_name}.progress"


def set_progress(batch: ImportBatch, phase: str, done: int, total: int) -> None:
    """Progress lives in a small file beside the staged file: visible to pages while the commit's
    transaction is still open (a row update inside it would not be). The phase is stored in Chinese
    (the API's value); pages translate it when they show it."""
    data = {"phase": phase, "done": done, "total": total, "at": time.time()}
    _progress_path(batch).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def read_progress(batch: ImportBatch) -> dict[str, Any]:
    try:
        return json.loads(_progress_path(batch).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def stage_import(
    *, actor: Any, source: Path, filename: str, schema: str = "households", origin: str = ""
) -> ImportBatch:
    """Copy the upload to the staging area under a server-made name and check it; a hostile or
    disguised file is recorded as refused (with the reason) and removed at once."""
    _require(actor, Capability.IMPORT)
    prefix = user_prefix(actor)
    if not prefix:
        raise PermissionDenied(_("您没有管辖范围，不能导入。"))
    stored = uuid.uuid4().hex
    target = staging_dir() / stored
    shutil.copyfile(source, target)
    batch = ImportBatch(
        schema=schema,
        source=origin[:100],
        filename=Path(filename).name[:255],
        file_hash=_hash_file(target),
        file_size=target.stat().st_size,
        stored_name=stored,
        operator=actor,
        region_code=actor.jurisdiction_id,
    )
    try:
        batch.file_kind = check_upload(target, filename)
    except FileRefused as exc:
        target.unlink(missing_ok=True)
        batch.status, batch.message = BatchStatus.REFUSED, " ".join(exc.messages)[:500]
    with transaction.atomic():
        batch.save()
        audit.record(
            actor,
            "import.upload",
            obj=batch,
            summary=f"上传导入文件 {batch.filename}（{batch.get_status_display()}）",
            changes={"file_hash": batch.file_hash, "size": batch.file_size, "result": batch.status},
        )
    return batch


def _plan(batch: ImportBatch, actor: Any, *, keep: bool) -> tuple[Any, Problems, list[str], bool]:
    """The batch's validated plan, its problems and reading notes; whether the preview's cells were reused.

    Cell validation is reused from the preview when nothing it depended on has changed (the cache's
    fingerprint); the checks against the registry always run now. ``keep`` stores the validated cells
    for the commit (the preview does).
    """
    layout = layout_of(batch.schema)
    path = staged_path(batch)
    key = plancache.fingerprint(batch, actor)
    cached = None if keep else plancache.load(path, key)
    if cached is not None:
        plan, notes = cached
    else:
        set_progress(batch, gettext_noop("读取文件"), 0, 1)
        table = read_table(path, batch.file_kind, Limits.from_settings())
        problems = Problems()
        bound = bind_header(table, layout.columns, problems)
        notes = table.notes
        del table  # the rows as text are no longer needed: columns from here on
        if bound is None or problems.fatal:
            return None, problems, notes, False
        plan = layout.validate_cells(
            bound, problems, actor=actor, progress=lambda d, t: set_progress(batch, gettext_noop("校验"), d, t)
        )
        if problems.fatal:
            return None, problems, notes, False
        if keep:
            plancache.save(path, key, (layout.cacheable(plan), notes))
    set_progress(batch, gettext_noop("与登记簿比对"), 0, 1)
    layout.check_registry(plan, actor)
    return plan, plan.problems, notes, cached is not None


def issue_rows(batch: ImportBatch, plan: Any, problems: Problems) -> list[tuple[int, str, int, str]]:
    """(row number, column label, file column index, message), in file order."""
    if plan is None:
        return [(0, "", -1, m) for m in problems.fatal]
    labels = layout_of(batch.schema).labels
    pos, nums = plan.bound.positions, plan.bound.rownums
    out = [(nums[i], labels.get(k, k), pos.get(k, -1), m) for i, k, m in problems.items]
    out.sort(key=lambda r: (r[0], r[2]))
    return out


def validate_batch(batch: ImportBatch, *, actor: Any) -> ImportBatch:
    """Parse and check the staged file; store counts, problems and a masked preview (no registry change)."""
    _require(actor, Capability.IMPORT)
    batch = ImportBatch.objects.visible_to(actor).get(pk=batch.pk)
    if batch.status not in (BatchStatus.UPLOADED, BatchStatus.VALIDATED, BatchStatus.FAILED):
        raise ValidationError(_("该批次当前状态为“%(s)s”，不能校验。") % {"s": batch.get_status_display()})
    started = time.perf_counter()
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.VALIDATING)
    try:
        with paused_gc():
            plan, problems, notes, _reused = _plan(batch, actor, keep=True)
    except FileRefused as exc:
        staged_path(batch).unlink(missing_ok=True)
        plancache.discard(staged_path(batch))
        ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.REFUSED, message=" ".join(exc.messages)[:500])
        batch.refresh_from_db()
        return batch
    issues = issue_rows(batch, plan, problems)
    batch.notes = notes
    batch.error_count = len(issues)
    batch.error_rows = len({r for r, *_x in issues})
    if plan is not None:
        layout = layout_of(batch.schema)
        for name, value in layout.counts(plan).items():
            setattr(batch, name, value)
        batch.preview = layout.preview(plan)
    batch.status, batch.validated_at = BatchStatus.VALIDATED, timezone.now()
    batch.message = _("文件无法导入：%(m)s") % {"m": "；".join(problems.fatal)} if problems.fatal else ""
    batch.seconds = round(time.perf_counter() - started, 3)
    with transaction.atomic():
        batch.issues.all().delete()
        ImportIssue.objects.bulk_create(
            [
                ImportIssue(batch=batch, rownum=r, column=col[:64], col_index=j, message=m[:300])
                for r, col, j, m in issues[:MAX_STORED_ISSUES]
            ],
            batch_size=5000,
        )
        batch.save()
    set_progress(batch, gettext_noop("校验完成"), 1, 1)
    return batch


def commit_batch(batch: ImportBatch, *, actor: Any, mode: str = CommitMode.ALL) -> ImportBatch:
    """Write the batch into the registry in one transaction, or nothing at all.

    The checks against the registry run again inside the transaction, so they see the registry as it
    is at commit (someone may have registered a person since the preview); the cells are validated
    again too unless the preview's validation still holds (same file, regions, importer and day).
    ``mode`` "all" refuses a file with any problem; "valid_only" writes only the households (records)
    without one. A file already committed (same hash) adds nothing; households already registered with
    the same members, and records already recorded, are skipped.
    """
    _require(actor, Capability.IMPORT)
    batch = ImportBatch.objects.visible_to(actor).get(pk=batch.pk)
    check_in_jurisdiction(actor, batch.region_code)
    if batch.status not in (BatchStatus.VALIDATED, BatchStatus.FAILED, BatchStatus.COMMITTING):
        # COMMITTING: a commit killed part-way left nothing (one transaction) and may be run again
        raise ValidationError(_("请先校验文件；当前状态为“%(s)s”。") % {"s": batch.get_status_display()})
    if mode not in CommitMode.values:
        raise ValidationError(_("未知的导入方式。"))
    done = ImportBatch.objects.filter(
        schema=batch.schema, file_hash=batch.file_hash, status=BatchStatus.COMMITTED
    ).first()
    if done is not None:
        raise ValidationError(
            _("同一文件已于%(at)s导入（批次%(id)d），不再重复导入。")
            % {"at": timezone.localtime(done.committed_at).strftime("%Y-%m-%d %H:%M"), "id": done.pk},
            code="duplicate_file",
        )
    started = time.perf_counter()
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.COMMITTING, mode=mode)
    try:
        with paused_gc(), transaction.atomic(), bulk_session():
            plan, problems, _notes, reused = _plan(batch, actor, keep=False)
            if plan is None:
                raise ValidationError(_("文件无法导入：%(m)s") % {"m": "；".join(problems.fatal)})
            if problems.items and mode == CommitMode.ALL:
                raise ValidationError(
                    _(
                        "文件中有%(n)d处问题，按“全部正确才导入”未导入任何数据；请修正后重新上传，或选择“只导入无错误的户”。"
                    )
                    % {"n": len(problems.items)},
                    code="has_errors",
                )
            layout = layout_of(batch.schema)
            counts = layout.write(
                plan,
                batch=batch,
                actor=actor,
                only_valid=mode == CommitMode.VALID_ONLY,
                progress=lambda d, t: set_progress(batch, gettext_noop("写入"), d, t),
            )
            batch.status, batch.committed_at, batch.mode = BatchStatus.COMMITTED, timezone.now(), mode
            batch.created_households = counts.get("households", 0)
            batch.created_members = counts.get("members", 0)
            batch.year_rows = counts.get("years", 0)
            batch.created_records = counts.get("records", 0)
            batch.seconds = round(time.perf_counter() - started, 3)
            batch.save()
            audit.record(
                actor,
                "import.commit",
                obj=batch,
                summary=f"导入 {batch.filename}：{layout.describe(counts)}",
                changes={
                    "file_hash": batch.file_hash,
                    "schema": batch.schema,
                    "mode": mode,
                    "rows": plan.n,
                    **counts,
                    "problems": len(problems.items),
                    # the cells as validated by the preview (same file, regions, importer, day) or again now
                    "cells_validated": "preview" if reused else "commit",
                },
            )
    except IntegrityError:
        # The database's unique indexes (one current household per person, household number, committed
        # file) caught a race with another writer: nothing was written.
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.FAILED,
            message=_("导入期间登记簿发生变化（有人同时登记了相同的人或户），未导入任何数据，请重新校验。"),
        )
        raise ValidationError(
            _("导入期间登记簿发生变化，未导入任何数据，请重新校验后再导入。"), code="conflict"
        ) from None
    except ValidationError as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED, message=" ".join(exc.messages)[:500])
        raise
    staged_path(batch).unlink(missing_ok=True)  # the registry now holds the data; keep the hash, not the file
    plancache.discard(staged_path(batch))
    set_progress(batch, gettext_noop("完成"), 1, 1)
    return batch


@transaction.atomic
def dispose_hit(hit: CrossCheckHit, *, actor: Any, disposition: str, reason: str) -> CrossCheckHit:
    """Record the verification of a hit (属实/不属实) with who, when and why. Changes nothing else:
    correcting the registry is a separate action by whoever is responsible."""
    _require(actor, Capability.EDIT_REGISTRY)
    hit = CrossCheckHit.objects.visible_to(actor).select_for_update().get(pk=hit.pk)
    if disposition not in (Disposition.CONFIRMED, Disposition.DISMISSED):
        raise ValidationError({"disposition": _("核实结果应为“核实属实”或“核实不属实”。")})
    if len(reason.strip()) < 4:
        raise ValidationError({"reason": _("请填写核实说明（至少4个字）。")})
    before = hit.disposition
    hit.disposition, hit.reason = disposition, reason.strip()[:500]
    hit.disposed_by, hit.disposed_at = actor, timezone.now()
    hit.save()
    audit.record(
        actor,
        "crosscheck.dispose",
        obj=hit,
        summary=f"比对疑点#{hit.pk} {hit.get_disposition_display()}：{hit.reason[:80]}",
        changes={"disposition": [before, disposition]},
    )
    return hit
