"""Checking an archived annual report (存档, made by ``actions.freeze_annual_report``): the checksum of
its canonical JSON, and a comparison with today's records.

No peer system freezes a report as a versioned artefact tied to its data (anchors.md §10.2): here
an archive keeps the report's deterministic content, the SHA-256 of its canonical JSON, the
figure-definition version, the assessment run and rule-set version it read, who archived it and
when (audited). ``compare`` recomputes the report from today's records *as of the archive's date*
and lists every figure whose value changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import AnnualReportArchive
from .report import build_report

__all__ = ["canonical", "checksum", "check_year", "compare", "Comparison", "MIN_YEAR", "MAX_YEAR"]

MIN_YEAR, MAX_YEAR = 2013, 2100


def canonical(content: dict[str, Any]) -> bytes:
    """The one serialisation the checksum is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def checksum(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def check_year(year: Any) -> int:
    """The report year as an int, or a Chinese ``ValidationError`` keyed by ``year``."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("年度必须是数字。")}) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": _("年度须在%(a)d年至%(b)d年之间。") % {"a": MIN_YEAR, "b": MAX_YEAR}})
    return year


@dataclass
class Comparison:
    """An archive checked against itself (intact?) and against today's records (same numbers?)."""

    intact: bool
    same_content: bool
    changed: list[dict[str, Any]]
    today: dict[str, Any]

    @property
    def same_values(self) -> bool:
        return not self.changed


def compare(archive: AnnualReportArchive) -> Comparison:
    """Recompute the archived report from today's records (same region, year and as-of date)."""
    stored = archive.content
    today = build_report(archive.region, archive.year, as_of=archive.as_of).content()
    old, new = stored.get("figures", {}), today["figures"]
    changed = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key, {}).get("value"), new.get(key, {}).get("value")
        if a != b:
            label = (new.get(key) or old.get(key))["label"]
            changed.append(
                {
                    "key": key,
                    "label": label,
                    "archived": (old.get(key) or {}).get("display", "—"),
                    "today": (new.get(key) or {}).get("display", "—"),
                    "trace": (new.get(key) or {}).get("trace"),
                }
            )
    return Comparison(
        intact=checksum(stored) == archive.sha256,
        same_content=checksum(today) == archive.sha256,
        changed=changed,
        today=today,
    )
