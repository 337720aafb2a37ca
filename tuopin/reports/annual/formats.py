"""The annual report as a file: JSON (figures by stable key), xlsx (xlsxwriter, formula-safe) and a
standalone HTML page (the web page's body with its stylesheet inlined, printable on A4).

All three render the same ``Report``; each names who produced it and when.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tuopin.exchange.export import safe_cell

from .figures import CHANGE, MONEY, RATIO, STANDARD, TABLE
from .report import REPORT_LANGUAGE, Report

__all__ = ["archive_json_bytes", "as_json_bytes", "as_xlsx_bytes", "as_html", "FORMATS", "filename", "stamp_line"]

FORMATS = ("html", "xlsx", "json")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filename(report: Report, fmt: str) -> str:
    return f"annual-report-{report.region.code}-{report.year}.{fmt}"


def stamp_line(report: Report, verb: str = "导出") -> str:
    """Who produced the file and when (the first line of every export; the page says 生成)."""
    at = timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M:%S")
    return f"{verb}人：{report.generated_by}　{verb}时间：{at}　数据截至：{report.as_of:%Y-%m-%d}"


def title(report: Report) -> str:
    return f"{report.full_name}{report.year}年度脱贫攻坚工作报告"


def as_json_bytes(report: Report, extra: dict[str, Any] | None = None) -> bytes:
    """The report as JSON: ``figures`` keyed by stable key (README, "Annual report JSON")."""
    doc = {**report.as_json(), "title": title(report), "stamp": stamp_line(report), **(extra or {})}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def archive_json_bytes(archive: Any) -> bytes:
    """An archived report exactly as stored, with its checksum and who archived it and when."""
    doc = {
        **archive.content,
        "archive": {
            "id": archive.pk,
            "sha256": archive.sha256,
            "checksum_of": "content without this 'archive' member: JSON, keys sorted, separators (',', ':'), UTF-8",
            "created_by": archive.created_by_name,
            "created_at": archive.created_at.isoformat(timespec="seconds"),
            "note": archive.note,
        },
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def as_xlsx_bytes(report: Report) -> bytes:
    """Sheet 年度报告 (one row per figure) and sheet 项目分红 (the dividend table)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    formats = {
        MONEY: book.add_format({"num_format": "#,##0.00"}),
        STANDARD: book.add_format({"num_format": "#,##0"}),
        RATIO: book.add_format({"num_format": "0.00%"}),
        CHANGE: book.add_format({"num_format": "0.00%"}),
    }
    with translation.override(REPORT_LANGUAGE):
        sheet = book.add_worksheet("年度报告")
        sheet.write(0, 0, safe_cell(title(report)), bold)
        sheet.write(1, 0, safe_cell(stamp_line(report)))
        run = report.run
        sheet.write(
            2,
            0,
            safe_cell(
                f"评估批次 #{run.pk}（{run.ruleset.label}）" if run is not None else f"尚无{report.year}年度已完成评估"
            ),
        )
        columns = ["章节", "指标代码", "指标", "数值", "单位", "显示", "说明", "记录"]
        for c, name in enumerate(columns):
            sheet.write(4, c, name, head)
        row = 5
        for part in report.parts:
            for v in part.values:
                if v.figure.kind == TABLE:
                    continue
                cells = [str(part.section.title), v.key, str(v.figure.label)]
                for c, text in enumerate(cells):
                    sheet.write(row, c, safe_cell(text))
                if v.value is None:
                    sheet.write_blank(row, 3, None)
                else:
                    sheet.write_number(row, 3, _number(v.value), formats.get(v.figure.kind))
                sheet.write(row, 4, safe_cell(str(v.figure.unit)))
                sheet.write(row, 5, safe_cell(v.display))
                sheet.write(row, 6, safe_cell(v.reason or str(v.figure.note)))
                sheet.write(row, 7, safe_cell(v.trace or ""))
                row += 1
        sheet.set_column(0, 0, 16)
        sheet.set_column(1, 1, 34)
        sheet.set_column(2, 2, 30)
        sheet.set_column(3, 5, 16)
        sheet.set_column(6, 7, 48)
        _dividend_sheet(book, report, head, formats[MONEY])
    book.close()
    return buffer.getvalue()


DIVIDEND_COLUMNS = (
    ("name", "项目"),
    ("operator", "经营主体"),
    ("region", "地区代码"),
    ("rule", "分红方式"),
    ("households", "受益户"),
    ("people", "受益人口"),
    ("funds", "本年度扶贫资金（元）"),
    ("dividends", "本年度分红（元）"),
    ("dividend_households", "分红户"),
    ("per_household", "户均分红（元）"),
    ("dividends_to_year", "累计分红（元）"),
    ("jobs", "带动就业（人次）"),
    ("trace", "记录"),
)


def _dividend_sheet(book: Any, report: Report, head: Any, money: Any) -> None:
    sheet = book.add_worksheet("项目分红")
    sheet.write(0, 0, safe_cell(f"{title(report)} · 项目分红和带贫情况"))
    sheet.write(1, 0, safe_cell(stamp_line(report)))
    for c, (_key, name) in enumerate(DIVIDEND_COLUMNS):
        sheet.write(3, c, name, head)
    for r, row in enumerate(report.dividends, start=4):
        for c, (key, _name) in enumerate(DIVIDEND_COLUMNS):
            value = row.get(key)
            if isinstance(value, Decimal):
                sheet.write_number(r, c, float(value), money)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value is None:
                sheet.write_blank(r, c, None)
            else:
                sheet.write(r, c, safe_cell(str(value)))
    sheet.set_column(0, 1, 28)
    sheet.set_column(2, 11, 14)
    sheet.set_column(12, 12, 48)


def _stylesheet() -> str:
    parts = []
    for name in ("tuopin/tuopin.css", "reports/annual.css"):
        path = finders.find(name)
        if path:
            with open(path, encoding="utf-8") as fh:
                parts.append(fh.read())
    return "\n".join(parts)


def as_html(report: Report) -> str:
    """A standalone HTML document (stylesheets inlined), for the CLI and for printing offline."""
    with translation.override(REPORT_LANGUAGE):
        return render_to_string(
            "reports/annual/standalone.html",
            {"report": report, "v": report.values, "stamp": stamp_line(report), "css": _stylesheet()},
        )
