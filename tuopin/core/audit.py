"""The append-only, hash-chained audit trail (design.md §4.2, security.md §1 安全审计).

Every action calls :func:`record` inside its own transaction, so the business write and its
audit row commit together or not at all. Rows carry a sequence number and the hash of the
previous row; a single ``AuditHead`` row holds the latest sequence and hash and is locked
(``SELECT … FOR UPDATE``) while a row is appended, which serialises writers on PostgreSQL and
lets :func:`verify` notice a row modified, deleted, inserted or cut off the end.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from .middleware import current_request_context

__all__ = ["record", "batch", "verify", "purge", "VerifyResult", "GENESIS"]

GENESIS = "0" * 64

# Set inside ``batch()``: the chain head as it was when the batch locked it (seq, hash).
_batch_start: contextvars.ContextVar[tuple[int, str] | None] = contextvars.ContextVar("audit_batch", default=None)


def _row_digest(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def _hashed_fields(event: Any) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "region_code": event.region_code,
        "summary": event.summary,
        "changes": event.changes,
        "result": event.result,
        "ip": event.ip,
        "request_id": event.request_id,
    }


def record(
    actor: Any,
    action: str,
    *,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    region_code: str = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
    result: str = "ok",
) -> Any:
    """Append one audit row; must run inside the caller's transaction.

    ``changes`` must already be masked: it is stored as evidence and shown to auditors, so it
    never holds a plaintext ID number, account or diagnosis.
    """
    from .models import AuditEvent, AuditHead

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the action's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        region_code = region_code or (getattr(obj, "audit_region_code", "") or "")
    start = _batch_start.get()
    if start is None:
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
        last_seq, last_hash = head.seq, head.hash
    else:
        last_seq, last_hash = _last_since(start)
    ctx = current_request_context()
    event = AuditEvent(
        seq=last_seq + 1,
        at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "") or ("system" if actor is None else str(actor)),
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        region_code=region_code,
        summary=summary[:500],
        # Round-trip through JSON so the digest computed now equals the one computed on reload.
        changes=json.loads(json.dumps(changes or {}, ensure_ascii=False, default=str)),
        result=result,
        ip=ctx.get("ip", ""),
        request_id=ctx.get("request_id", ""),
        prev_hash=last_hash,
    )
    event.hash = _row_digest(last_hash, _hashed_fields(event))
    event.save(force_insert=True)
    if start is None:
        AuditHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)
    return event


def _last_since(start: tuple[int, str]) -> tuple[int, str]:
    """The chain's last (seq, hash) inside a batch: the newest row written since the batch began, read
    from the table itself, so a row rolled back with a savepoint is never chained onto."""
    from .models import AuditEvent

    last = AuditEvent.objects.filter(seq__gt=start[0]).order_by("-seq").values_list("seq", "hash").first()
    return last or start


@contextmanager
def batch() -> Iterator[None]:
    """Many audit rows in one transaction (scenario seeds, long loops of actions): the head row is
    locked once and written once, when the block ends, instead of after every row.

    Why: on PostgreSQL every UPDATE of the one head row inside a single transaction leaves a row
    version that cannot be pruned until the commit, so the n-th update walks n versions — a loop of
    100,000 actions in one transaction slows to a crawl. The head stays locked for the whole block,
    so writers are serialised exactly as before. Must be entered inside the caller's transaction and
    outside any savepoint it may roll back; nested batches join the outer one.
    """
    from .models import AuditHead

    if _batch_start.get() is not None:
        yield
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.batch() must be entered inside the caller's transaction")
    head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
    start = (head.seq, head.hash)
    token = _batch_start.set(start)
    try:
        yield
    finally:
        _batch_start.reset(token)
        if not transaction.get_connection().needs_rollback:
            seq, digest = _last_since(start)
            if seq != start[0]:
                AuditHead.objects.filter(pk=1).update(seq=seq, hash=digest)


@dataclass
class VerifyResult:
    """Outcome of a chain check: ``ok`` and, when broken, where and why."""

    ok: bool
    checked: int
    problems: list[str]


def verify(*, limit_problems: int = 20) -> VerifyResult:
    """Recompute the chain from the first row; report every break (up to ``limit_problems``)."""
    from .models import AuditEvent, AuditHead

    problems: list[str] = []
    head = AuditHead.objects.filter(pk=1).first()
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    if head is not None and head.base_seq:
        prev_hash, expected_seq = head.base_hash, head.base_seq + 1
    rows = AuditEvent.objects.order_by("seq").iterator(chunk_size=5000)
    for ev in rows:
        checked += 1
        if ev.seq != expected_seq:
            problems.append(
                f"seq {expected_seq}–{ev.seq - 1}: rows missing (deleted)"
                if ev.seq > expected_seq
                else f"seq {ev.seq}: duplicate or out-of-order row (inserted)"
            )
        if ev.prev_hash != prev_hash:
            problems.append(f"seq {ev.seq}: previous-hash link broken (row inserted or removed before it)")
        if _row_digest(ev.prev_hash, _hashed_fields(ev)) != ev.hash:
            problems.append(f"seq {ev.seq}: content does not match its hash (row modified)")
        prev_hash, expected_seq = ev.hash, ev.seq + 1
        if len(problems) >= limit_problems:
            break
    if len(problems) < limit_problems and head is not None and (head.seq != expected_seq - 1 or head.hash != prev_hash):
        problems.append(
            f"chain head says seq {head.seq} but the log ends at seq {expected_seq - 1} (rows cut off the end)"
        )
    return VerifyResult(ok=not problems, checked=checked, problems=problems)


def purge(*, before, actor: Any = None) -> int:
    """Delete audit rows older than ``before`` — never rows younger than the retention period.

    The chain stays verifiable: the head remembers the sequence number and hash of the last purged
    row, and verification starts there. The purge itself is recorded as a new row.
    """
    from django.conf import settings

    from .models import AuditEvent, AuditHead

    limit = timezone.now() - timezone.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    if before > limit:
        raise ValueError(f"审计日志至少保留{settings.AUDIT_RETENTION_DAYS}天：只能清理 {limit:%Y-%m-%d} 之前的记录。")
    with transaction.atomic():
        AuditHead.objects.select_for_update().get(pk=1)  # hold the chain while rows go
        last = AuditEvent.objects.filter(at__lt=before).order_by("-seq").first()
        if last is None:
            return 0
        # A queryset delete (the model itself refuses deletes: only this retention path removes rows).
        count, _by_model = AuditEvent.objects.filter(seq__lte=last.seq).delete()
        AuditHead.objects.filter(pk=1).update(base_seq=last.seq, base_hash=last.hash)
        record(
            actor,
            "audit.purge",
            object_type="core.auditevent",
            object_id=str(last.seq),
            summary=f"按保留期清理审计记录至序号 {last.seq}（{count} 条）",
            changes={"rows": count},
        )
    return count
