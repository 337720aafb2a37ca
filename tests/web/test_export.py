"""Exports of the household list: same filters, visible rows only, masked, formula-safe, audited."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from tests.helpers import household, member
from tuopin.core.models import AuditEvent
from tuopin.web.views.export import safe_cell

from .conftest import FULL_ID


def read_csv(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese correctly
    assert not FULL_ID.search(raw)
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    data = response.content
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            assert not FULL_ID.search(z.read(name)), name
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_csv_export(client_for, clerk_a, house_a, house_b):
    before = AuditEvent.objects.count()
    response = client_for(clerk_a).get("/households/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    rows = read_csv(response)
    assert rows[0][0].startswith("导出人：clerk_a（clerk_a）") and "导出时间：" in rows[0][0]
    assert rows[1][:3] == ["户编号", "户主", "户主身份证号（脱敏）"]
    assert len(rows) == 3
    row = dict(zip(rows[1], rows[2], strict=True))
    assert row["户编号"] == house_a.number and row["户主"] == "王德福"
    assert row["户主身份证号（脱敏）"].startswith("220422********")
    assert row["联系电话（脱敏）"] == "138****5678" and row["银行账号（脱敏）"].endswith("0123")
    assert row["行政村"] == "大榆村" and row["乡（镇）"] == "渭津镇" and row["县（区）"] == "东辽县"
    assert house_b.number not in str(rows)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "household.export" and event.object_type == "registry.household"
    assert event.region_code == "220422101201"
    assert event.changes["rows"] == 1 and event.changes["format"] == "csv"


def test_xlsx_export_with_filters(client_for, actors, house_a, house_b):
    response = client_for(actors["reviewer"]).get("/households/export.xlsx", {"region": "220422101202"})
    assert response.status_code == 200
    rows = read_xlsx(response)
    assert rows[0][0].startswith("导出人：reviewer")
    numbers = [r[0] for r in rows[2:]]
    assert numbers == [house_b.number]
    event = AuditEvent.objects.latest("seq")
    assert event.changes == {"rows": 1, "format": "xlsx", "filters": {"region": "220422101202"}}


def test_exact_id_search_export_masks_the_filter(client_for, clerk_a, house_a, head_id):
    rows = read_csv(client_for(clerk_a).get("/households/export.csv", {"q": head_id}))
    assert [r[0] for r in rows[2:]] == [house_a.number]
    event = AuditEvent.objects.latest("seq")
    assert head_id not in str(event.changes) and event.changes["filters"]["q"].startswith("220422****")


def test_outsider_export_never_contains_village_a(client_for, outsider, house_a, house_b, head_id):
    c = client_for(outsider)
    for params in ({}, {"q": head_id}, {"region": "220422101201"}, {"q": "王德福"}):
        rows = read_csv(c.get("/households/export.csv", params))
        assert house_a.number not in str(rows) and "王德福" not in str(rows)


@pytest.mark.parametrize("name", ["cadre", "sysadmin", "secadmin", "auditadmin"])
def test_roles_without_export_get_403(client_for, actors, regions, house_a, name):
    from tuopin.accounts.models import User

    user = actors.get(name) or User.objects.create(username=name, role=name, jurisdiction=regions["a"])
    before = AuditEvent.objects.count()
    for fmt in ("csv", "xlsx"):
        assert client_for(user).get(f"/households/export.{fmt}").status_code == 403
    assert AuditEvent.objects.count() == before


def test_formula_cells_neutralised(client_for, clerk_a, regions):
    household(
        clerk_a,
        regions["a"],
        members=[member('=HYPERLINK("http://x","点我")', birth="1966-06-06")],
        group="+1组",
        address="-2号",
        bank_name="@银行",
    )
    c = client_for(clerk_a)
    rows = read_csv(c.get("/households/export.csv"))
    row = dict(zip(rows[1], rows[2], strict=True))
    assert row["户主"] == '\'=HYPERLINK("http://x","点我")'
    assert row["村民小组"] == "'+1组" and row["住址"] == "'-2号" and row["开户银行"] == "'@银行"
    xrows = read_xlsx(c.get("/households/export.xlsx"))
    assert xrows[2][1] == '\'=HYPERLINK("http://x","点我")' and xrows[2][6] == "'+1组"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-3", "'-3"),
        ("@SUM", "'@SUM"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("张三", "张三"),
        ("", ""),
        (5, 5),
        (None, ""),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_export_query_count(client_for, clerk_a, regions, django_assert_max_num_queries):
    for i in range(5):
        household(clerk_a, regions["a"], members=[member(f"户{i}", birth="1971-01-01")])
    c = client_for(clerk_a)
    with django_assert_max_num_queries(20):
        read_csv(c.get("/households/export.csv"))
