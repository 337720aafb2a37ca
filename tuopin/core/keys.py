"""Field-key rotation: re-encrypt every protected column under the newest key (``tuopin keys``).

``TUOPIN_FIELD_KEYS`` lists ``id:secret`` pairs, newest first; every ciphertext starts with the id of
the key that made it (:mod:`tuopin.core.crypto`). Rotating is therefore: put the new pair first, keep
the old ones, run ``tuopin keys rotate``, check ``tuopin keys verify`` with the new key alone, then
drop the old pair (keep it as long as backups made under it are kept).

How the rotation stays safe on a live system:

* **Every protected column, found not listed.** A protected column is any concrete field whose name
  ends in ``_enc`` (the project's convention: ``id_enc``, ``bank_account_enc``, ``phone_enc``,
  ``account_enc``, ``applicant_enc``, …), so a new encrypted field is rotated without anyone adding
  it here.
* **Batches, each its own transaction.** Rows are walked in primary-key order; a batch re-encrypts
  its values and commits. A run killed part-way leaves some values under the new key and the rest
  under the old one — both readable, since the old key is still configured — and the next run picks
  up whatever still names an old key. Running it again when nothing is left changes nothing.
* **No lost update.** Each value is written back only where the column still holds the ciphertext
  that was read (``UPDATE … WHERE pk = %s AND col = %s``); a value an official changed meanwhile is
  already under the new key and is left alone.
* **No plaintext out.** Values are decrypted into memory only; progress, errors and the audit row
  name columns, key ids, counts and primary keys, never a value.
* **One audit row per run**, written before the first value is touched (so a run that cannot be
  audited changes nothing, and a run killed part-way is on record), with the counts it set out to
  re-encrypt per column and key id.

The lookup (HMAC) key is a separate procedure with the application stopped: see docs/decisions.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Left, StrIndex

from . import audit
from .crypto import configured_key_ids, current_key_id, decrypt, encrypt

__all__ = ["Column", "protected_columns", "key_counts", "rotate", "verify", "RotationResult", "RotationRefused"]


class RotationRefused(Exception):
    """A rotation that cannot run: a value under a key that is not configured, or one that fails to decrypt."""


@dataclass(frozen=True)
class Column:
    """One protected (encrypted) column of one model."""

    model: type[models.Model]
    field: str

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field}"

    def nonempty(self) -> models.QuerySet:
        return self.model._base_manager.exclude(**{self.field: ""}).exclude(**{f"{self.field}__isnull": True})


def protected_columns() -> list[Column]:
    """Every ``*_enc`` field of every tuopin model, in a stable order."""
    out = []
    for model in apps.get_models():
        meta = model._meta
        if not meta.managed or meta.proxy or not model.__module__.startswith("tuopin."):
            continue
        out += [Column(model, f.name) for f in meta.concrete_fields if f.name.endswith("_enc")]
    return sorted(out, key=lambda c: c.label)


def key_counts() -> dict[str, dict[str, int]]:
    """Per protected column, how many values each key id holds (the ``--dry-run`` figure)."""
    result: dict[str, dict[str, int]] = {}
    for col in protected_columns():
        rows = (
            col.nonempty()
            .annotate(_kid=Left(F(col.field), StrIndex(F(col.field), Value("$")) - 1))
            .values("_kid")
            .annotate(n=Count("pk"))
            .order_by("_kid")
        )
        result[col.label] = {r["_kid"] or "?": r["n"] for r in rows}
    return result


@dataclass
class RotationResult:
    """What a run did: values re-encrypted per column, and the key they now use."""

    to_key: str
    planned: dict[str, dict[str, int]]
    rotated: dict[str, int] = field(default_factory=dict)
    skipped_changed: int = 0  # values an official changed while the batch was being prepared

    @property
    def total(self) -> int:
        return sum(self.rotated.values())


def _stale(col: Column, current: str) -> models.QuerySet:
    return col.nonempty().exclude(**{f"{col.field}__startswith": f"{current}$"})


def rotate(
    *,
    actor: Any = None,
    batch_size: int = 1000,
    pause: float = 0.0,
    progress: Callable[[str, int, int], None] | None = None,
) -> RotationResult:
    """Re-encrypt every value still under an older key with the newest key, batch by batch.

    ``pause`` seconds between batches leave a busy database room for officials' work. ``progress``
    is called after each batch with (column label, done, to do in this column).
    """
    current = current_key_id()
    configured = set(configured_key_ids())
    planned = {label: {k: n for k, n in counts.items() if k != current} for label, counts in key_counts().items()}
    planned = {label: counts for label, counts in planned.items() if counts}
    unknown = sorted({k for counts in planned.values() for k in counts} - configured)
    if unknown:
        raise RotationRefused(
            f"有数据使用未配置的密钥（{', '.join(unknown)}）加密，无法读取。请在 TUOPIN_FIELD_KEYS 中保留该密钥后再轮换。"
        )
    with transaction.atomic():
        audit.record(
            actor,
            "keys.rotate",
            object_type="core.fieldkey",
            object_id=current,
            summary=f"轮换字段加密密钥：{sum(sum(c.values()) for c in planned.values())}个值改用密钥 {current}",
            changes={"to_key": current, "planned": planned},
        )
    result = RotationResult(to_key=current, planned=planned)
    for col in protected_columns():
        todo = sum(planned.get(col.label, {}).values())
        if not todo:
            continue
        done = _rotate_column(
            col, current, batch_size, pause, result, lambda n, c=col, t=todo: progress and progress(c.label, n, t)
        )
        result.rotated[col.label] = done
    return result


def _rotate_column(
    col: Column, current: str, batch_size: int, pause: float, result: RotationResult, report: Callable[[int], Any]
) -> int:
    qn = connection.ops.quote_name
    meta = col.model._meta
    column = meta.get_field(col.field).column
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {qn(column)} = %s "  # noqa: S608 - names from the model registry
        f"WHERE {qn(meta.pk.column)} = %s AND {qn(column)} = %s"
    )
    stale, last, done = _stale(col, current), None, 0
    while True:
        page = stale if last is None else stale.filter(pk__gt=last)
        rows = list(page.order_by("pk").values_list("pk", col.field)[:batch_size])
        if not rows:
            return done
        params = []
        for pk, token in rows:
            try:
                params.append((encrypt(decrypt(token)), pk, token))
            except Exception as exc:  # noqa: BLE001 - name the row, never the value
                raise RotationRefused(
                    f"{col.label} 主键 {pk} 的密文无法解密（{type(exc).__name__}），轮换已停止。"
                ) from None
        with transaction.atomic(), connection.cursor() as cur:
            for p in params:  # one statement per row: the rowcount tells a changed value from a rotated one
                cur.execute(sql, p)
                if cur.rowcount:
                    done += 1
                else:
                    result.skipped_changed += 1
        last = rows[-1][0]
        report(done)
        if pause:
            time.sleep(pause)


@dataclass
class VerifyResult:
    """Outcome of decrypting every protected value with the keys configured now."""

    checked: int = 0
    failed: int = 0
    by_key: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # the first few, by column and primary key

    @property
    def ok(self) -> bool:
        return not self.failed


def verify(*, batch_size: int = 2000, limit_failures: int = 50) -> VerifyResult:
    """Decrypt every protected value (in memory, discarded) and report what fails, by column and key."""
    result = VerifyResult()
    for col in protected_columns():
        last = None
        while True:
            page = col.nonempty() if last is None else col.nonempty().filter(pk__gt=last)
            rows = list(page.order_by("pk").values_list("pk", col.field)[:batch_size])
            if not rows:
                break
            for pk, token in rows:
                kid = token.partition("$")[0]
                try:
                    decrypt(token)
                except Exception as exc:  # noqa: BLE001 - name the row, never the value
                    result.failed += 1
                    if len(result.failures) < limit_failures:
                        result.failures.append(f"{col.label} 主键 {pk}（密钥 {kid}）：{type(exc).__name__}")
                    continue
                result.checked += 1
                result.by_key[kid] = result.by_key.get(kid, 0) + 1
            last = rows[-1][0]
    return result
