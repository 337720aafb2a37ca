"""Helpers every app's ``actions.py`` uses: field diffs for the audit row, version checks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

__all__ = ["snapshot", "diff", "check_version"]

# Fields whose values never enter an audit row; only the fact that they are set. The birth date is
# here because, beside the default ID mask (which hides exactly the birth date), it would reveal
# the whole ID number.
SENSITIVE_SUFFIXES = ("_enc", "_hash")
SENSITIVE_FIELDS = frozenset({"birth_date"})


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-friendly data (sensitive ones reduced to a marker)."""
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        value = getattr(obj, f.attname)
        if value and f.name.endswith(SENSITIVE_SUFFIXES):
            out[f.name] = "<encrypted>"
        elif value and f.name in SENSITIVE_FIELDS:
            out[f.name] = "<protected>"
        else:
            out[f.name] = _plain(value)
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field that changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def check_version(obj: models.Model, expected: int | None) -> None:
    """Optimistic locking: refuse an edit made on a stale copy instead of silently overwriting."""
    if expected is not None and int(expected) != obj.version:
        raise ValidationError(
            _("该记录已被他人修改（当前版本%(cur)d，您编辑的是版本%(old)d），请刷新后重新编辑。"),
            code="stale",
            params={"cur": obj.version, "old": int(expected)},
        )
