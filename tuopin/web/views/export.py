"""Export of the filtered household list as CSV (streamed) or Excel.

Same filters and search as the list, only visible rows, masked personal numbers, spreadsheet
formulas neutralised (security.md §3, ASVS 1.2.10), a first line naming who exported and when, and
one audit row per export written before the first byte leaves.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import xlsxwriter
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.exchange.export import FORMULA_PREFIXES, safe_cell  # noqa: F401 - shared helpers (re-exported)
from tuopin.registry import choices as c
from tuopin.registry.models import Household, Member

from .common import household_list_queryset, list_params, masked_params, require

CHUNK_ROWS = 2000


def _columns() -> list[str]:
    return [
        _("户编号"),
        _("户主"),
        _("户主身份证号（脱敏）"),
        _("县（区）"),
        _("乡（镇）"),
        _("行政村"),
        _("村民小组"),
        _("住址"),
        _("家庭人口"),
        _("贫困户属性"),
        _("识别标准"),
        _("识别年度"),
        _("主要致贫原因"),
        _("其他致贫原因"),
        _("状态"),
        _("状态年度"),
        _("联系电话（脱敏）"),
        _("开户银行"),
        _("银行账号（脱敏）"),
    ]


def _row(h: Household) -> list[Any]:
    town = h.village.parent
    county = town.parent if town else None
    others = "、".join(str(c.PovertyCause(x).label) for x in h.other_causes if x in c.PovertyCause.values)
    return [
        h.number,
        h.head_name,
        h.head_id_mask or "",
        county.name if county else "",
        town.name if town else "",
        h.village.name,
        h.group,
        h.address,
        h.member_count,
        h.get_category_display(),
        h.get_identification_standard_display(),
        h.identification_year,
        h.get_main_cause_display(),
        others,
        h.get_status_display(),
        h.status_year,
        h.phone_mask,
        h.bank_name,
        h.bank_account_mask,
    ]


def _export_rows(qs: QuerySet[Household]) -> Iterator[list[Any]]:
    head_mask = Member.objects.filter(household=OuterRef("pk"), is_current=True, relation=c.Relation.HEAD)
    qs = qs.select_related("village__parent__parent").annotate(head_id_mask=Subquery(head_mask.values("id_mask")[:1]))
    for h in qs.iterator(chunk_size=CHUNK_ROWS):
        yield [safe_cell(v) for v in _row(h)]


def _stamp(user: Any) -> str:
    now = timezone.localtime()
    who = f"{user.full_name}（{user.username}）" if user.full_name else user.username
    return _("导出人：%(who)s　导出时间：%(at)s") % {"who": who, "at": now.strftime("%Y-%m-%d %H:%M:%S")}


def _start_export(request: HttpRequest, fmt: str) -> tuple[QuerySet[Household], int, str]:
    """Check the permission, build the query and write the audit row; returns (rows, count, stamp)."""
    user = request.user
    require(user, Capability.EXPORT)
    params = list_params(request.GET)
    qs = household_list_queryset(user, params)
    count = qs.count()
    shown = masked_params(params)
    with transaction.atomic():
        audit.record(
            user,
            "household.export",
            object_type="registry.household",
            region_code=user.jurisdiction_id or "",
            summary=f"导出建档立卡户名单（{fmt}，{count}户）",
            changes={"rows": count, "format": fmt, "filters": shown},
        )
    return qs, count, _stamp(user)


def _filename(ext: str) -> str:
    return f"households-{timezone.localtime():%Y%m%d-%H%M}.{ext}"


class _Echo:
    """A file-like object whose ``write`` returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


@never_cache
@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """UTF-8 CSV with BOM (so Excel shows the Chinese), streamed row by row."""
    qs, _count, stamp = _start_export(request, "csv")
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([safe_cell(stamp)])
        yield writer.writerow(_columns())
        for row in _export_rows(qs):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@never_cache
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """Excel workbook, written row by row in constant-memory mode (xlsxwriter's temporary files are
    removed when the workbook closes)."""
    qs, count, stamp = _start_export(request, "xlsx")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(_("建档立卡户"))
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, safe_cell(stamp))
    for col, title in enumerate(_columns()):
        sheet.write_string(1, col, title, bold)
    for r, row in enumerate(_export_rows(qs), start=2):
        for col, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))
    sheet.set_column(0, 0, 18)
    sheet.set_column(2, 2, 20)
    book.close()
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
