"""Exports of filtered lists (households, members) as CSV or Excel, masked by role, formula-safe.

Shared by the household-list export of the web app and the exchange pages. Every file starts with a
line naming the exporter and the time; an unmasked export (full ID numbers, birth dates) needs
``VIEW_PLAINTEXT_ID`` and a stated reason, is audited with that reason, and carries a watermark line
(and an Excel page header) naming who took it, when and why.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from typing import Any

import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.core.crypto import decrypt
from tuopin.registry.models import Member
from tuopin.registry.queries import filter_households, search_households, visible_households

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
CHUNK_ROWS = 2000

__all__ = ["safe_cell", "FORMULA_PREFIXES", "ExportSpec", "member_export", "stamp", "csv_lines", "xlsx_file"]


def safe_cell(value: Any) -> Any:
    """A cell value a spreadsheet will not run: text starting with = + - @ TAB CR NUL gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def stamp(user: Any, *, reason: str = "") -> str:
    """The first line of every export: who and when (and, unmasked, the watermark with the reason)."""
    now = timezone.localtime()
    who = f"{user.full_name}（{user.username}）" if getattr(user, "full_name", "") else user.username
    line = _("导出人：%(who)s　导出时间：%(at)s") % {"who": who, "at": now.strftime("%Y-%m-%d %H:%M:%S")}
    if reason:
        line += _("　【含完整身份证号，仅限“%(r)s”使用，不得外传】") % {"r": reason}
    return line


class ExportSpec:
    """Columns and rows of one export; ``rows()`` yields formula-safe lists."""

    title = ""
    audit_action = ""

    def __init__(self, qs: QuerySet, *, unmasked: bool):
        self.qs, self.unmasked = qs, unmasked

    def columns(self) -> list[str]:
        raise NotImplementedError

    def row(self, obj: Any) -> list[Any]:
        raise NotImplementedError

    def rows(self) -> Iterator[list[Any]]:
        for obj in self.qs.iterator(chunk_size=CHUNK_ROWS):
            yield [safe_cell(v) for v in self.row(obj)]


class MemberExport(ExportSpec):
    """Members of the filtered households: masked ID by default; full ID and birth date when unmasked."""

    title = "家庭成员"
    audit_action = "member.export"

    def columns(self) -> list[str]:
        cols = [
            _("户编号"),
            _("行政村"),
            _("姓名"),
            _("性别"),
            _("公民身份号码") if self.unmasked else _("公民身份号码（脱敏）"),
        ]
        if self.unmasked:
            cols.append(_("出生日期"))  # the default mask hides the birth date; only the unmasked export shows it
        return cols + [_("与户主关系"), _("民族"), _("在册")]

    def row(self, m: Member) -> list[Any]:
        out = [m.household.number, m.household.village.name, m.name, m.get_gender_display()]
        out += [decrypt(m.id_enc), m.birth_date.isoformat()] if self.unmasked else [m.id_mask]
        return out + [m.get_relation_display(), m.get_ethnicity_display(), _("是") if m.is_current else _("否")]


def member_export(user: Any, params: dict[str, str], *, reason: str = "") -> tuple[MemberExport, int, str]:
    """Check rights, build the member query, write the audit row; returns (spec, count, stamp line)."""
    if not user.can(Capability.EXPORT):
        raise PermissionDenied(_("您的角色无权进行此操作。"))
    unmasked = bool(reason)
    if unmasked:
        if not user.can(Capability.VIEW_PLAINTEXT_ID):
            raise PermissionDenied(_("您的角色无权导出完整身份证号。"))
        if len(reason.strip()) < 4:
            raise ValidationError({"reason": _("导出完整身份证号须填写事由（至少4个字）。")})
        reason = reason.strip()[:100]
    households = search_households(filter_households(visible_households(user), params), params.get("q", ""))
    qs = (
        Member.objects.visible_to(user)
        .filter(household__in=households.values("pk"))
        .select_related("household__village")
        .order_by("household__number", "relation", "id")
    )
    if params.get("current") == "1":
        qs = qs.filter(is_current=True)
    count = qs.count()
    with transaction.atomic():
        audit.record(
            user,
            "member.export_unmasked" if unmasked else "member.export",
            object_type="registry.member",
            region_code=user.jurisdiction_id or "",
            summary=f"导出家庭成员名单（{count}人{'，含完整身份证号：' + reason if unmasked else ''}）",
            changes={
                "rows": count,
                "unmasked": unmasked,
                "reason": reason,
                "filters": {k: v for k, v in params.items() if k != "q"},
            },
        )
    return MemberExport(qs, unmasked=unmasked), count, stamp(user, reason=reason if unmasked else "")


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(spec: ExportSpec, stamp_line: str) -> Iterator[str]:
    """UTF-8 with BOM (Excel shows the Chinese), one line at a time (streamed)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([safe_cell(stamp_line)])
    yield writer.writerow(spec.columns())
    for row in spec.rows():
        yield writer.writerow(row)
    if spec.unmasked:
        yield writer.writerow([safe_cell(stamp_line)])  # the watermark at the end too: a cut-off top line is noticed


def xlsx_file(spec: ExportSpec, stamp_line: str) -> Any:
    """An Excel workbook written row by row in constant memory to a temporary file (returned open, at 0)."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    book = xlsxwriter.Workbook(
        tmp, {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    sheet = book.add_worksheet(_(spec.title))
    if spec.unmasked:
        sheet.set_header("&C" + stamp_line.replace("&", "&&"))
        sheet.set_footer("&C" + stamp_line.replace("&", "&&"))
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, safe_cell(stamp_line))
    for col, title in enumerate(spec.columns()):
        sheet.write_string(1, col, title, bold)
    for r, row in enumerate(spec.rows(), start=2):
        for col, value in enumerate(row):
            if isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))
    book.close()
    tmp.seek(0)
    return tmp
