"""Building the annual report of a region and year: every figure's value, display, reason and trace.

``build_report`` reads each source once (``Sources``) and evaluates every applicable ``Figure``;
``Report.content()`` is the deterministic part (what is archived and checksummed) and
``Report.as_json()`` adds who produced it and when. The HTML page, the xlsx workbook, the JSON
document and the CLI all render one ``Report``, so the three formats carry the same values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation

from tuopin.assistance.choices import LeaderLevel
from tuopin.geo.models import Region

from .figures import COUNT, MONEY, SCHEMA_VERSION, SECTIONS, TABLE, Figure, Section
from .sources import Sources
from .traces import TRACES

__all__ = ["Value", "Report", "build_report", "evaluate", "trace_url", "json_value", "REPORT_LANGUAGE"]

# The exported and archived report is always in Chinese, so that its checksum does not depend on
# the language of whoever asked for it; the web page follows the reader's language.
REPORT_LANGUAGE = "zh-hans"
RECORD_KINDS = (COUNT, MONEY, TABLE)


def trace_url(region: Region, year: int, key: str, **params: Any) -> str | None:
    """Path of the trace page of a figure (relative to the site), or None when it has none."""
    if key not in TRACES:
        return None
    url = reverse("reports:annual_trace", args=[region.code, year, key])
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{url}?{query}" if query else url


def json_value(value: Any) -> Any:
    """Integers stay numbers; money and ratios become exact decimal strings; None stays null."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_value(v) for v in value]
    return value


@dataclass
class Value:
    """A figure evaluated for one region and year."""

    figure: Figure
    value: Any
    reason: str
    trace: str | None

    @property
    def key(self) -> str:
        return self.figure.key

    @property
    def display(self) -> str:
        return self.figure.display(self.value)

    @property
    def missing(self) -> bool:
        return self.value is None

    @property
    def is_record_count(self) -> bool:
        """A count or sum of records (zero means "no records"), as opposed to a ratio or a standard."""
        return self.figure.kind in RECORD_KINDS

    @property
    def nonzero(self) -> bool:
        return self.is_record_count and bool(self.value)

    @property
    def year_has_records(self) -> bool:
        """Records of the year itself behind this figure (cumulative totals do not count)."""
        return self.nonzero and not self.figure.cumulative

    def as_json(self) -> dict[str, Any]:
        f = self.figure
        out = {
            "label": str(f.label),
            "unit": str(f.unit),
            "kind": f.kind,
            "value": json_value(self.value),
            "display": self.display,
            "reason": self.reason or None,
            "definition": str(f.note),
            "trace": self.trace,
        }
        if f.derived:
            out["derived_from"] = list(f.derived)
        return out


@dataclass
class Part:
    """A section of the report with its evaluated figures."""

    section: Section
    values: list[Value]

    @property
    def has_records(self) -> bool:
        return any(v.year_has_records for v in self.values)


@dataclass
class Report:
    """The annual report of a region and year, computed from records at ``generated_at``."""

    region: Region
    year: int
    as_of: dt.date
    generated_at: dt.datetime
    generated_by: str
    sources: Sources
    full_name: str = ""
    parts: list[Part] = field(default_factory=list)

    @property
    def values(self) -> dict[str, Value]:
        return {v.key: v for part in self.parts for v in part.values}

    def __getitem__(self, key: str) -> Value:
        return self.values[key]

    @property
    def by_section(self) -> dict[str, Part]:
        return {part.section.key: part for part in self.parts}

    @property
    def coverage_rows(self) -> list[dict[str, str]]:
        """One row per leader level of the village-visit (遍访) table: label and the two figure keys."""
        return [
            {
                "label": str(level.label),
                "visited": f"responsibility.villages_visited.{level.name.lower()}",
                "coverage": f"responsibility.village_coverage.{level.name.lower()}",
            }
            for level in LeaderLevel
        ]

    @property
    def run(self) -> Any:
        rollup = self.sources.rollup
        return rollup.run if rollup is not None else None

    @property
    def has_data(self) -> bool:
        """Any record behind any figure, or an assessment with households: otherwise the honest empty
        state is shown instead of a page of zeros."""
        rollup = self.sources.rollup
        return any(part.has_records for part in self.parts) or bool(rollup and rollup.households)

    @property
    def dividends(self) -> list[dict[str, Any]]:
        return self.values["industry.dividends_by_project"].value

    def assessment(self) -> dict[str, Any] | None:
        run = self.run
        if run is None:
            return None
        return {
            "run": run.pk,
            "run_region": run.region_id,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "ruleset": run.ruleset.label,
            "ruleset_year": run.ruleset.year,
            "ruleset_version": run.ruleset.version,
            "ruleset_hash": run.ruleset.content_hash,
        }

    def content(self) -> dict[str, Any]:
        """The deterministic content (no author, no timestamp): archived and checksummed as is."""
        with translation.override(REPORT_LANGUAGE):
            return {
                "report": "annual",
                "schema": SCHEMA_VERSION,
                "region": {"code": self.region.code, "name": self.region.name, "full_name": self.full_name},
                "year": self.year,
                "as_of": self.as_of.isoformat(),
                "has_data": self.has_data,
                "assessment": self.assessment(),
                "sections": [
                    {"key": p.section.key, "title": str(p.section.title), "figures": [v.key for v in p.values]}
                    for p in self.parts
                ],
                "figures": {v.key: v.as_json() for v in self.values.values()},
            }

    def as_json(self) -> dict[str, Any]:
        return {
            **self.content(),
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "generated_by": self.generated_by,
        }


def _who(user: Any) -> str:
    if user is None:
        return "系统（命令行）"
    return f"{user.full_name}（{user.username}）" if getattr(user, "full_name", "") else user.username


def evaluate(figure: Figure, s: Sources, region: Region, year: int) -> Value:
    """One figure of one region and year: value, or the reason it cannot be given, and its trace."""
    value = figure.get(s)
    reason = figure.why(s) if value is None and figure.why else ""
    if figure.kind == TABLE:
        value = [
            {**row, "trace": trace_url(region, year, "industry.dividends", project=row["project"])} for row in value
        ]
    return Value(figure, value, reason, trace_url(region, year, figure.key))


def build_report(
    region: Region, year: int, *, user: Any = None, as_of: dt.date | None = None, now: dt.datetime | None = None
) -> Report:
    """The report of ``region`` for ``year``. The caller has checked that the region is visible to
    ``user`` (``None``: the system, e.g. the CLI without ``--user``). ``as_of`` is the date overdue
    findings are judged on (today by default; an archived report keeps its own)."""
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    s = Sources(region, year, as_of=as_of)
    report = Report(region, int(year), as_of, now, _who(user), s, region.full_name())
    for section in SECTIONS:
        values = [evaluate(f, s, region, int(year)) for f in section.figures if f.applies is None or f.applies(region)]
        report.parts.append(Part(section, values))
    return report
