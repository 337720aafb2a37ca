"""The printed notice (公示/公告): the same content as an A4 HTML page and as a Word (.docx) file.

Only what was frozen on the notice's lines is shown — the public masks of names (张*) and ID
numbers (2****************4) — so neither output can contain a full name or ID number, whoever
prints it.

The notice is an official Chinese document posted in the village: its text is Chinese whatever the
language of the interface (not marked for translation); the printed page marks it ``lang="zh-hans"``.
"""

from __future__ import annotations

import io
from typing import Any

from .choices import CaseKind, NoticeKind
from .models import Notice
from .rules import fmt

__all__ = ["notice_context", "notice_docx"]


def notice_context(notice: Notice) -> dict[str, Any]:
    """Everything a notice shows: title, body text, the masked list, the period and where to object."""
    entries = list(notice.entries.order_by("village_name", "group", "id"))
    is_exit = notice.procedure == CaseKind.EXIT
    if notice.kind == NoticeKind.ANNOUNCEMENT:
        body = "经村民代表大会民主评议、村级公示、乡镇审核和县级审批，以下%(n)d户%(what)s，现予公告。" % {
            "n": len(entries),
            "what": "退出贫困户" if is_exit else "确定为建档立卡贫困户",
        }
    else:
        body = (
            "根据精准扶贫工作要求，经%(how)s，以下%(n)d户%(what)s，现予公示。公示期自%(s)s至%(e)s。"
            "公示期内如有异议，请以书面或口头形式向%(contact)s反映（受理地点：%(addr)s）。"
        ) % {
            "how": "村两委和驻村工作队入户核实" if is_exit else "本人申请、村民代表大会民主评议",
            "n": len(entries),
            "what": "拟退出贫困户" if is_exit else "拟确定为建档立卡贫困户",
            "s": fmt(notice.start_date),
            "e": fmt(notice.end_date),
            "contact": notice.contact,
            "addr": notice.address,
        }
    columns = ["序号", "村", "村民小组", "户主", "公民身份号码", "家庭人口"]
    if not is_exit:
        columns.append("主要致贫原因")
    rows = [
        [str(i), e.village_name, e.group or "—", e.name_public, e.id_public, str(e.size)]
        + ([] if is_exit else [e.cause or "—"])
        for i, e in enumerate(entries, start=1)
    ]
    return {
        "notice": notice,
        "title": notice.title,
        "body": body,
        "columns": columns,
        "rows": rows,
        "period": "%(s)s至%(e)s" % {"s": fmt(notice.start_date), "e": fmt(notice.end_date)},
        "object_to": "异议受理：%(c)s；地点：%(a)s" % {"c": notice.contact, "a": notice.address},
        "issuer": notice.issuer,
        "issued_on": fmt(notice.start_date),
    }


def notice_docx(notice: Notice) -> bytes:
    """The notice as a Word document (A4, 宋体), ready to print and post."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    ctx = notice_context(notice)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.2))
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(ctx["title"])
    run.bold, run.font.size = True, Pt(18)
    doc.add_paragraph(ctx["body"])
    table = doc.add_table(rows=1, cols=len(ctx["columns"]))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ctx["columns"], strict=True):
        cell.text = text
    for row in ctx["rows"]:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    doc.add_paragraph("公示（公告）期：" + ctx["period"])
    doc.add_paragraph(ctx["object_to"])
    sign = doc.add_paragraph(f"{ctx['issuer']}\n{ctx['issued_on']}")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
