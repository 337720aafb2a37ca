"""The preview's validated cells, kept beside the staged file so the commit need not validate them again.

Cell validation depends on the file, the regions (villages and jurisdiction), the importer and the
date — never on the registry's households and members, which :func:`.lookups.check_registry` reads
afresh inside the commit's transaction. The preview stores its validated plan with a fingerprint of
those inputs; the commit uses it only when the fingerprint is unchanged and validates the file again
otherwise (a region renamed or added, another importer, a new day, a new version of the rules).

The cache holds what the staged file holds and no more (the file's values, cleaned), lives beside it
under a server-made name and is deleted with it. It is signed with a key derived from SECRET_KEY and
refused unless the signature verifies, so nothing but this code's own output is ever unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import pickle  # noqa: S403 - only our own signed output is loaded (see load)
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.crypto import salted_hmac

from tuopin.core.scoping import prefix_range_q, user_prefix
from tuopin.geo.models import Region

__all__ = ["fingerprint", "save", "load", "discard"]

VERSION = 2  # bump when the validation rules or the plan's shape change: older caches are then ignored
_SALT = "tuopin.exchange.plancache"


def fingerprint(batch: Any, actor: Any) -> str:
    """What cell validation depended on: rules, file, importer, date, and the regions of the jurisdiction."""
    prefix = user_prefix(actor) or ""
    regions = Region.objects.filter(prefix_range_q("code", prefix))
    digest = hashlib.sha256()
    for row in regions.order_by("code").values_list("code", "name", "level", "parent_id").iterator(chunk_size=5000):
        digest.update(repr(row).encode())
    parts = (
        VERSION,
        batch.schema,
        batch.file_hash,
        actor.pk,
        actor.role,
        actor.jurisdiction_id,
        timezone.localdate().isoformat(),
        Region.objects.count(),
        digest.hexdigest(),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _path(staged: Path) -> Path:
    return staged.with_name(staged.name + ".plan")


def save(staged: Path, key: str, payload: Any) -> None:
    """Store ``payload`` under ``key`` (a fingerprint) beside the staged file, signed."""
    data = pickle.dumps((key, payload), protocol=pickle.HIGHEST_PROTOCOL)
    tmp = _path(staged).with_suffix(".tmp")
    with tmp.open("wb") as fh:
        fh.write(salted_hmac(_SALT, data, algorithm="sha256").digest())
        fh.write(data)
    tmp.replace(_path(staged))  # atomic: a reader sees the old cache or the new one, never half


def load(staged: Path, key: str) -> Any | None:
    """The payload stored under ``key``, or None (no cache, another fingerprint, a bad signature)."""
    try:
        raw = _path(staged).read_bytes()
    except OSError:
        return None
    tag, data = raw[:32], raw[32:]
    if not hmac.compare_digest(tag, salted_hmac(_SALT, data, algorithm="sha256").digest()):
        return None
    stored, payload = pickle.loads(data)  # noqa: S301 - signed by us, verified above
    return payload if stored == key else None


def discard(staged: Path) -> None:
    """Remove the cache (with the staged file, at commit or refusal)."""
    _path(staged).unlink(missing_ok=True)
