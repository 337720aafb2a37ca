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


def _columns(withheld: frozenset[str]) -> list[tuple[str, str]]:
    """(key, header) of each column; a labelled field (``roles.FIELD_CAPABILITIES``) only for roles that may see it."""
    cols = [
        ("number", _("户编号")),
        ("head_name", _("户主")),
        ("head_id_mask", _("户主身份证号（脱敏）")),
        ("county", _("县（区）")),
        ("town", _("乡（镇）")),
        ("village", _("行政村")),
        ("group", _("村民小组")),
        ("address", _("住址")),
        ("member_count", _("家庭人口")),
        ("category", _("贫困户属性")),
        ("identification_standard", _("识别标准")),
        ("identification_year", _("识别年度")),
        ("main_cause", _("主要致贫原因")),
        ("other_causes", _("其他致贫原因")),
        ("status", _("状态")),
        ("status_year", _("状态年度")),
        ("phone_mask", _("联系电话（脱敏）")),
        ("bank_name", _("开户银行")),
        ("bank_account_mask", _("银行账号（脱敏）")),
    ]
    return [(key, title) for key, title in cols if key not in withheld]


def _row(h: Household) -> dict[str, Any]:
    town = h.village.parent
    county = town.parent if town else None
    others = _("、").join(str(c.PovertyCause(x).label) for x in h.other_causes if x in c.PovertyCause.values)
    return {
        "number": h.number,
        "head_name": h.head_name,
        "head_id_mask": h.head_id_mask or "",
        "county": county.name if county else "",
        "town": town.name if town else "",
        "village": h.village.name,
        "group": h.group,
        "address": h.address,
        "member_count": h.member_count,
        "category": h.get_category_display(),
        "identification_standard": h.get_identification_standard_display(),
        "identification_year": h.identification_year,
        "main_cause": h.get_main_cause_display(),
        "other_causes": others,
        "status": h.get_status_display(),
        "status_year": h.status_year,
        "phone_mask": h.phone_mask,
        "bank_name": h.bank_name,
        "bank_account_mask": h.bank_account_mask,
    }


def _export_rows(qs: QuerySet[Household], keys: list[str]) -> Iterator[list[Any]]:
    head_mask = Member.objects.filter(household=OuterRef("pk"), is_current=True, relation=c.Relation.HEAD)
    qs = qs.select_related("village__parent__parent").annotate(head_id_mask=Subquery(head_mask.values("id_mask")[:1]))
    for h in qs.iterator(chunk_size=CHUNK_ROWS):
        row = _row(h)
        yield [safe_cell(row[k]) for k in keys]


def _stamp(user: Any) -> str:
    now = timezone.localtime()
    who = (
        _("%(name)s（%(user)s）") % {"name": user.full_name, "user": user.username} if user.full_name else user.username
    )
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
    columns = _columns(request.user.withheld_fields)

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([safe_cell(stamp)])
        yield writer.writerow([title for _key, title in columns])
        for row in _export_rows(qs, [key for key, _title in columns]):
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
    columns = _columns(request.user.withheld_fields)
    for col, (_key, title) in enumerate(columns):
        sheet.write_string(1, col, title, bold)
    for r, row in enumerate(_export_rows(qs, [key for key, _title in columns]), start=2):
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
