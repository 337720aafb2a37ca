"""Import of the 贫困户登记表: staging → validation → preview → commit; every problem per row and column."""

from __future__ import annotations

import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from tests.exchange.conftest import HEADER, family, write_csv, write_xlsx
from tests.helpers import household, make_id, member
from tuopin.core.models import AuditEvent
from tuopin.exchange import actions
from tuopin.exchange.models import BatchStatus, CommitMode, ImportedHousehold
from tuopin.exchange.report import problem_report, template_xlsx
from tuopin.exchange.views import batch_issues
from tuopin.registry.models import Household, HouseholdStatusChange, HouseholdYear, Member, MemberYear

FULL_ID = __import__("re").compile(rb"(?<![0-9])\d{17}[\dX](?![0-9])")


def stage(user, path):
    batch = actions.stage_import(actor=user, source=path, filename=path.name)
    assert batch.status == BatchStatus.UPLOADED, batch.message
    return actions.validate_batch(batch, actor=user)


def problems(batch) -> list[tuple[int, str, str]]:
    return list(batch.issues.values_list("rownum", "column", "message"))


def test_xlsx_import_matches_the_action(media, clerk_a, regions):
    rows = family("2204221012019001") + family("2204221012019002", size=2)
    batch = stage(clerk_a, write_xlsx(media / "a.xlsx", rows))
    assert batch.error_count == 0 and batch.rows == 5 and batch.households == 2
    assert not any(FULL_ID.search(str(p).encode()) for p in batch.preview)  # the preview is masked
    before = AuditEvent.objects.count()
    batch = actions.commit_batch(batch, actor=clerk_a)
    assert (batch.created_households, batch.created_members, batch.year_rows) == (2, 5, 2)
    assert AuditEvent.objects.count() == before + 1  # one audit row per committed batch
    event = AuditEvent.objects.latest("seq")
    assert event.action == "import.commit" and event.changes["file_hash"] == batch.file_hash
    assert event.changes["households"] == 2 and not FULL_ID.search(str(event.changes).encode())
    # The same household through the action: the import writes the same rows.
    ref = household(
        clerk_a,
        regions["a"],
        members=[
            member("参照户主", birth="1960-05-01", education="3", labour="1", migrant_work="4", migrant_months=6),
            member(
                "参照配偶",
                "02",
                birth="1962-03-08",
                male=False,
                education="3",
                labour="1",
                migrant_work="4",
                migrant_months=6,
            ),
            member("参照子", "03", birth="1990-07-15", education="3", labour="1", migrant_work="4", migrant_months=6),
        ],
        other_causes=["7"],
        group="一组",
    )
    imp = Household.objects.get(number="2204221012019001")
    for f in (
        "village_id",
        "group",
        "identification_year",
        "identification_standard",
        "category",
        "main_cause",
        "other_cause_1",
        "other_cause_2",
        "status",
        "status_year",
        "member_count",
        "version",
    ):
        assert getattr(imp, f) == getattr(ref, f), f
    assert imp.head_name == "成员90010"
    skip = {"id", "member_id", "household_id", "dibao", "medical_insured"}
    mi = MemberYear.objects.filter(household=imp).order_by("member__relation")
    mr = MemberYear.objects.filter(household=ref).order_by("member__relation")
    for a, b in zip(mi, mr, strict=True):
        assert {k: v for k, v in a.__dict__.items() if k not in skip | {"_state"}} == {
            k: v for k, v in b.__dict__.items() if k not in skip | {"_state"}
        }
    assert HouseholdStatusChange.objects.filter(household=imp).count() == 1
    hy = HouseholdYear.objects.get(household=imp, year=2019)
    assert str(hy.net_income) == "13500.50" and str(hy.net_income_per_capita) == "4500.17"
    member0 = Member.objects.get(household=imp, relation="01")
    assert member0.id_mask.startswith("220422") and "*" in member0.id_mask and member0.gender == "1"
    assert ImportedHousehold.objects.filter(batch=batch).count() == 2  # provenance per household


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_csv_encodings(media, clerk_a, encoding):
    batch = stage(clerk_a, write_csv(media / "a.csv", family("2204221012019003"), encoding=encoding))
    assert batch.error_count == 0, problems(batch)
    assert any("编码" in n for n in batch.notes)
    actions.commit_batch(batch, actor=clerk_a)
    assert Member.objects.filter(household__number="2204221012019003").count() == 3


def test_every_error_type_reported_per_row_and_column(media, clerk_a, actors, regions):
    other = household(actors["outsider"], regions["b"], members=[member("别村户主", birth="1950-01-01")])
    taken_id = make_id("1950-01-01", seq=999)
    household(actors["outsider"], regions["b"], members=[{"name": "已登记者", "id_number": taken_id, "relation": "01"}])
    good = family("2204221012019100")
    bad = family("2204221012019101", size=4)
    bad[0]["公民身份号码"] = bad[0]["公民身份号码"][:-1] + (
        "0" if bad[0]["公民身份号码"][-1] != "0" else "1"
    )  # checksum
    bad[1]["性别"] = "男"  # the ID says female
    bad[2]["民族"] = "火星族"  # unknown code
    bad[3]["务工时间"] = "13"  # out of range
    dup = family("2204221012019102", size=2)
    dup[1]["公民身份号码"] = good[1]["公民身份号码"]  # same person twice in the file
    headless = family("2204221012019103", size=2)
    headless[0]["与户主关系"] = "配偶"
    orphan = family("2204221012019104", size=1)
    orphan[0]["户编号"] = ""
    elsewhere = family("2204221012019105", size=1)
    elsewhere[0]["公民身份号码"] = taken_id  # already current in another household (outside clerk_a's view)
    outside = family("2204221012029106", size=1, village="小榆村")
    money = family("2204221012019107", size=1)
    money[0]["工资性收入"] = "-5"
    inconsistent = family("2204221012019108", size=2)
    inconsistent[1]["主要致贫原因"] = "因学"
    birth = family("2204221012019109", size=1)
    birth[0]["出生日期"] = "1961-01-01"
    header = [*HEADER, "出生日期"]
    rows = good + bad + dup + headless + orphan + elsewhere + outside + money + inconsistent + birth
    batch = stage(clerk_a, write_xlsx(media / "bad.xlsx", rows, header))
    found = problems(batch)
    text = "\n".join(f"{r}|{c}|{m}" for r, c, m in found)

    def has(row: int, column: str, fragment: str) -> bool:
        return any(r == row and c == column and fragment in m for r, c, m in found)

    assert has(5, "公民身份号码", "校验位"), text
    assert has(6, "性别", "不符"), text
    assert has(7, "民族", "不在国家代码表"), text
    assert has(8, "务工时间", "0至12"), text
    assert has(10, "公民身份号码", "两次"), text
    assert has(11, "与户主关系", "户主"), text
    assert has(13, "户编号", "缺少户编号"), text
    assert has(14, "公民身份号码", "其他地区"), text
    assert other.number not in text  # never where, outside the clerk's jurisdiction
    assert has(15, "行政村", "管辖范围"), text
    assert has(16, "工资性收入", "负数"), text
    assert has(18, "主要致贫原因", "不一致"), text
    assert has(19, "出生日期", "不符"), text
    assert batch.valid_households == 1
    with pytest.raises(Exception, match="全部正确才导入"):
        actions.commit_batch(batch, actor=clerk_a)
    assert not Household.objects.filter(number__startswith="22042210120191").exists()  # all or nothing
    # The problem report marks the bad cells (comments and colour) and lists every problem.
    data = problem_report(batch, actions.staged_path(batch), batch_issues(batch))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        comments = b"".join(z.read(n) for n in z.namelist() if "comments" in n).decode()
        assert "校验位" in comments and "不在国家代码表" in comments
    listing = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert len(listing) - 2 == len(found)
    # "Valid households only" writes the one good household and nothing else.
    batch = actions.commit_batch(batch, actor=clerk_a, mode=CommitMode.VALID_ONLY)
    assert batch.created_households == 1
    assert list(Household.objects.filter(number__startswith="22042210120191").values_list("number", flat=True)) == [
        "2204221012019100"
    ]


def test_reimport_is_idempotent(media, clerk_a):
    rows = family("2204221012019200") + family("2204221012019201")
    path = write_csv(media / "a.csv", rows)
    actions.commit_batch(stage(clerk_a, path), actor=clerk_a)
    counts = (
        Household.objects.count(),
        Member.objects.count(),
        MemberYear.objects.count(),
        HouseholdYear.objects.count(),
    )
    again = stage(clerk_a, path)
    with pytest.raises(Exception, match="同一文件已于"):
        actions.commit_batch(again, actor=clerk_a)
    # The same households in a different file (an extra column, other order): recognised, nothing added.
    other = stage(clerk_a, write_xlsx(media / "b.xlsx", list(reversed(rows)), [*HEADER, "备注"]))
    assert other.error_count == 0 and other.existing_households == 2
    other = actions.commit_batch(other, actor=clerk_a)
    assert other.created_households == 0 and other.year_rows == 0
    assert counts == (
        Household.objects.count(),
        Member.objects.count(),
        MemberYear.objects.count(),
        HouseholdYear.objects.count(),
    )
    # Next year's data for the same households adds only the year rows.
    for r in rows:
        r["数据年度"] = "2020"
    nxt = actions.commit_batch(stage(clerk_a, write_csv(media / "c.csv", rows)), actor=clerk_a)
    assert (nxt.created_households, nxt.year_rows) == (0, 2)
    assert MemberYear.objects.filter(year=2020).count() == 6


def test_messy_input_understood_or_reported(media, clerk_a):
    rows = family("2204221012019300", size=3)
    rows[0]["公民身份号码"] = rows[0]["公民身份号码"].translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows[1]["务工时间"] = 6  # a number cell where text is expected: understood
    rows[2]["公民身份号码"] = float(rows[2]["公民身份号码"][:17] + "1")  # an ID stored as a number: digits lost
    path = media / "messy.xlsx"
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, 5, "贫困户登记表（2019年）")
    header = [*HEADER, "自定义列"]
    sheet.write_row(1, 0, header)
    r = 2
    for k, row in enumerate(rows):
        for j, key in enumerate(header):
            value = row.get(key, "")
            if key in ("县", "乡镇", "行政村", "户编号") and k > 0:
                continue  # merged below
            (sheet.write_number if isinstance(value, (int, float)) else sheet.write_string)(r, j, value)
        r += 1
    r += 1  # a blank line, then one more household
    extra = family("2204221012019301", size=1)[0]
    for j, key in enumerate(header):
        sheet.write_string(r, j, str(extra.get(key, "")))
    for key in ("县", "乡镇", "行政村", "户编号"):
        j = header.index(key)
        sheet.merge_range(2, j, 4, j, rows[0][key])
    book.close()
    batch = stage(clerk_a, path)
    found = problems(batch)
    assert [(r, c) for r, c, _m in found] == [(5, "公民身份号码")], found
    assert "15位" in found[0][2]
    notes = "".join(batch.notes)
    assert "合并单元格" in notes and "空行" in notes and "自定义列" in notes


def test_outsider_cannot_import_into_village_a_or_see_its_batches(media, clerk_a, outsider, client_for):
    batch = stage(outsider, write_csv(media / "a.csv", family("2204221012019400")))
    assert any("管辖范围" in m for _r, _c, m in problems(batch))
    mine = stage(clerk_a, write_csv(media / "b.csv", family("2204221012019401")))
    c = client_for(outsider)
    assert c.get(f"/exchange/batches/{mine.pk}/").status_code == 404
    assert c.get(f"/exchange/batches/{mine.pk}/report.xlsx").status_code == 404
    assert c.post(f"/exchange/batches/{mine.pk}/", {"mode": "all"}).status_code == 404
    assert mine.filename not in c.get("/exchange/").content.decode() or "b.csv" != "a.csv"
    with pytest.raises(Exception):  # noqa: B017 - DoesNotExist through visible_to
        actions.commit_batch(mine, actor=outsider)


def test_upload_page_flow(media, clerk_a, client_for, django_capture_on_commit_callbacks):
    c = client_for(clerk_a)
    path = write_xlsx(media / "a.xlsx", family("2204221012019500"))
    with path.open("rb") as fh, django_capture_on_commit_callbacks(execute=True):
        response = c.post("/exchange/", {"file": fh})
    assert response.status_code == 302
    page = c.get(response["Location"])
    assert page.status_code == 200 and "已校验" in page.content.decode()
    assert not FULL_ID.search(page.content)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(response["Location"], {"mode": "all"})
    assert Household.objects.filter(number="2204221012019500").exists()
    tpl = c.get("/exchange/template.xlsx")
    assert tpl.status_code == 200 and tpl.content[:2] == b"PK"
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(template_xlsx())).get_sheet_by_index(0).to_python()
    assert "公民身份号码" in sheet[0] and "户编号" in sheet[0]
