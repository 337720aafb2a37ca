"""Residual information (等保 剩余信息保护, security.md R16): what must not be left behind, found.

``tuopin hygiene`` looks for

* **staged import files that should be gone** — the file of a batch that was committed or refused (the
  registry, or nobody, holds the data now), and files in the staging directory that belong to no batch;
* **stray uploads** — ``*.upload`` files in the temporary directory older than an hour (a request that died
  between writing the upload and staging it);
* **stale staged files** — batches still open (uploaded, validated, failed) whose file, with plaintext
  ID numbers, has waited longer than ``TUOPIN_STAGED_RETENTION_DAYS`` (a warning: someone should finish
  or discard them);
* **expired sessions** still stored (``--purge`` deletes them, as ``clearsessions`` does).

The exit status is 1 when anything of the first two kinds is found, so a scheduler or CI can alert on it.
Files are only reported, never deleted: an import batch's file belongs to the exchange app's lifecycle.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils import timezone

__all__ = ["Findings", "scan"]

FINISHED = ("committed", "refused")
STRAY_UPLOAD_SECONDS = 3600


@dataclass
class Findings:
    """What the scan found; ``leftovers`` make the check fail, ``warnings`` do not."""

    leftovers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    expired_sessions: int = 0
    purged_sessions: int = 0

    @property
    def ok(self) -> bool:
        return not self.leftovers


def _staging() -> Path:
    return Path(settings.MEDIA_ROOT) / "exchange"


def scan(*, purge_sessions: bool = False, now: dt.datetime | None = None) -> Findings:
    """Look for residual personal data in files and sessions (see the module docstring)."""
    now = now or timezone.now()
    found = Findings()
    batch_model = apps.get_model("exchange", "ImportBatch")
    batches = {
        b.stored_name: b
        for b in batch_model.objects.exclude(stored_name="").only("pk", "stored_name", "status", "created_at")
    }
    staging = _staging()
    retention = dt.timedelta(days=settings.STAGED_RETENTION_DAYS)
    if staging.is_dir():
        # A batch's files: the staged upload and its validated-cell cache (exchange.plancache, "<name>.plan"),
        # which goes with it. One finding per batch, naming every file it left.
        files: dict[str, list[str]] = {}
        for path in sorted(staging.iterdir()):
            if path.is_file() and path.suffix != ".progress":  # progress files hold counts only, no personal data
                files.setdefault(path.name.removesuffix(".plan"), []).append(path.name)
        for name, left in files.items():
            batch = batches.get(name)
            if batch is None:
                found.leftovers.append(f"暂存目录中有不属于任何导入批次的文件：{'、'.join(left)}")
            elif batch.status in FINISHED:
                found.leftovers.append(
                    f"导入批次 {batch.pk}（{batch.get_status_display()}）的暂存文件仍在：{'、'.join(left)}"
                )
            elif now - batch.created_at > retention:
                found.warnings.append(
                    f"导入批次 {batch.pk}（{batch.get_status_display()}）的暂存文件已保留 {(now - batch.created_at).days} 天，"
                    "含完整身份证号，请完成导入或作废。"
                )
    cutoff = time.time() - STRAY_UPLOAD_SECONDS
    for path in Path(tempfile.gettempdir()).glob("*.upload"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                found.leftovers.append(f"临时目录中有遗留的上传文件：{path}")
        except OSError:
            continue  # removed while we looked
    session_model = apps.get_model("sessions", "Session")
    expired = session_model.objects.filter(expire_date__lt=now)
    found.expired_sessions = expired.count()
    if purge_sessions and found.expired_sessions:
        found.purged_sessions, _detail = expired.delete()
    return found
