"""Workbooks the exchange app hands out: the import template and the problem report with marked cells."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

import xlsxwriter
from django.utils.translation import gettext as _

from .export import safe_cell
from .files import Limits, read_table
from .layouts import Layout, layout_of
from .models import ImportBatch
from .schema import national_names


def template_xlsx(layout: Layout | None = None) -> bytes:
    """The import template: the form's column names, one example row, and the code lists on a second sheet."""
    layout = layout or layout_of("households")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet(str(layout.sheet))
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    req = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    text = book.add_format({"num_format": "@"})
    for j, col in enumerate(layout.columns):
        sheet.write_string(0, j, col.label, req if col.required else head)
        sheet.write_string(1, j, layout.example.get(col.key, ""))
        sheet.set_column(j, j, 18 if col.key in ("id_number", "number", "village_code") else 12, text)
        if col.synonyms:
            sheet.write_comment(0, j, _("也可写作：") + "、".join(col.synonyms))
    sheet.freeze_panes(1, 0)
    codes = book.add_worksheet(_("代码表"))
    codes.write_row(0, 0, [_("字段"), _("代码"), _("名称")], head)
    r = 1
    labels = layout.labels
    for key, choices in layout.code_lists:
        for code, name in national_names(choices):  # the names an import accepts
            if code:
                codes.write_row(r, 0, [labels.get(key, key), code, name])
                r += 1
    codes.set_column(0, 2, 16)
    book.close()
    return buffer.getvalue()


def problem_report(batch: ImportBatch, path: Path | None, issues: list[tuple[int, str, int, str]]) -> bytes:
    """The uploaded rows with every problem cell filled red and commented, plus a list sheet of problems.

    ``path`` is the staged file (re-read to copy the rows); without it only the list sheet is written.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"constant_memory": False, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    bold = book.add_format({"bold": True})
    listing = book.add_worksheet(_("问题清单"))
    listing.write_string(
        0, 0, safe_cell(_("文件：%(f)s　SHA-256：%(h)s") % {"f": batch.filename, "h": batch.file_hash})
    )
    listing.write_row(1, 0, [_("行号"), _("列"), _("问题")], bold)
    for k, (rownum, col, _j, message) in enumerate(issues, start=2):
        listing.write_row(k, 0, [rownum or "", col, safe_cell(message)])
    listing.set_column(0, 0, 8)
    listing.set_column(1, 1, 14)
    listing.set_column(2, 2, 80)
    if path is not None and path.exists():
        table = read_table(path, batch.file_kind, Limits.from_settings())
        marks: dict[tuple[int, int], list[str]] = defaultdict(list)
        row_marks: dict[int, list[str]] = defaultdict(list)
        for rownum, col, j, message in issues:
            if j >= 0:
                marks[(rownum, j)].append(message)
            else:
                row_marks[rownum].append(f"{col}：{message}" if col else message)
        sheet = book.add_worksheet(_("原始数据（问题已标红）"))
        width = max((len(r) for r in table.rows), default=0)
        sheet.write_string(0, width, _("行问题"), bold)
        for i, (row, rownum) in enumerate(zip(table.rows, table.rownums, strict=True)):
            for j, value in enumerate(row):
                messages = marks.get((rownum, j))
                sheet.write_string(i, j, str(safe_cell(value)), bad if messages else None)
                if messages and len(marks) <= 60000:  # Excel slows to a crawl beyond tens of thousands of comments
                    sheet.write_comment(i, j, "\n".join(messages))
            if row_marks.get(rownum):
                sheet.write_string(i, width, safe_cell("；".join(row_marks[rownum])), bad)
    book.close()
    return buffer.getvalue()
