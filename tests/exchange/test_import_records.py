"""Programme records from files — medical claims and micro-loans — through stage → validate → preview → commit,
writing what ``record_claim`` / ``issue_loan`` write, with every problem on its row and column."""

from __future__ import annotations

import datetime as dt
import functools
import io

import pytest
from python_calamine import CalamineWorkbook

from tests.assessment.conftest import standards  # noqa: F401 - the shipped standards (loan limits)
from tests.exchange.conftest import write_csv, write_xlsx
from tests.helpers import household, make_id, member
from tuopin.core.models import AuditEvent
from tuopin.exchange import actions
from tuopin.exchange.layouts import LAYOUTS
from tuopin.exchange.models import ImportSchema
from tuopin.exchange.records import iso_date
from tuopin.exchange.report import template_xlsx
from tuopin.programmes import actions as programmes
from tuopin.programmes.models import Loan, MedicalClaim
from tuopin.registry import actions as registry

CLAIM_HEADER = [
    "姓名",
    "身份证号",
    "结算日期",
    "就诊医院",
    "就诊类型",
    "医疗总费用",
    "基本医保",
    "大病保险",
    "医疗救助",
    "个人自付",
]
LOAN_HEADER = [
    "户编号",
    "借款人身份证号",
    "借款人姓名",
    "贷款银行",
    "贷款金额",
    "放款日期",
    "贷款期限",
    "年利率",
    "财政贴息",
    "用途",
]


def stage(user, path, schema):
    batch = actions.stage_import(actor=user, source=path, filename=path.name, schema=schema)
    assert batch.status == "uploaded", batch.message
    return actions.validate_batch(batch, actor=user)


def problems(batch) -> list[tuple[int, str, str]]:
    return list(batch.issues.values_list("rownum", "column", "message"))


def reported(found: list[tuple[int, str, str]], row: int, column: str, fragment: str) -> bool:
    """Whether a problem on ``row`` and ``column`` says ``fragment``."""
    return any(r == row and c == column and fragment in m for r, c, m in found)


def fields(row, skip=("id", "created_at", "_state")) -> dict:
    return {k: v for k, v in row.__dict__.items() if k not in skip}


@pytest.fixture
def family(clerk_a, regions):
    ids = [make_id("1960-05-01"), make_id("1962-03-08", male=False), make_id("1990-07-15")]
    h = household(
        clerk_a,
        regions["a"],
        members=[
            {"name": "王一", "id_number": ids[0], "relation": "01"},
            {"name": "李二", "id_number": ids[1], "relation": "02"},
            {"name": "王三", "id_number": ids[2], "relation": "03"},
        ],
    )
    return h, ids


@pytest.fixture
def hospital(approver, regions):
    return programmes.add_institution(
        actor=approver, region=regions["county"], name="东辽县人民医院", designated_year=2016
    )


def claim_row(
    name, number, settled="2019-05-01", total="12000", basic="7000", serious="2000", assist="2000", own="1000"
):
    return {
        "姓名": name,
        "身份证号": number,
        "结算日期": settled,
        "就诊医院": "东辽县人民医院",
        "就诊类型": "住院",
        "医疗总费用": total,
        "基本医保": basic,
        "大病保险": serious,
        "医疗救助": assist,
        "个人自付": own,
    }


def test_every_layout_is_a_batch_schema_and_has_a_template():
    assert set(LAYOUTS) == set(ImportSchema.values)
    for layout in LAYOUTS.values():
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(template_xlsx(layout))).get_sheet_by_index(0).to_python()
        assert [c.label for c in layout.columns] == sheet[0]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_claims_import_writes_what_record_claim_writes(media, clerk_a, family, hospital, fmt):
    h, ids = family
    rows = [claim_row("王一", ids[0], settled="2019/5/1"), claim_row("李二", ids[1], own="1000.00")]
    path = (write_xlsx if fmt == "xlsx" else write_csv)(media / f"claims.{fmt}", rows, CLAIM_HEADER)
    batch = stage(clerk_a, path, "claims")
    assert batch.error_count == 0, problems(batch)
    assert not any(ids[0] in str(r) for r in batch.preview)  # masked
    before = AuditEvent.objects.count()
    batch = actions.commit_batch(batch, actor=clerk_a)
    assert batch.created_records == 2 and AuditEvent.objects.count() == before + 1
    imported = MedicalClaim.objects.get(member__name="王一")
    ref = programmes.record_claim(
        actor=clerk_a,
        member=imported.member,
        settled_on="2019-05-01",
        total_cost="12000",
        institution=hospital,
        inpatient=True,
        basic_insurance="7000",
        serious_illness="2000",
        medical_assistance="2000",
        self_paid="1000",
    )
    ref.refresh_from_db()
    imported.refresh_from_db()
    assert fields(imported) == fields(ref)
    # The same claims in another file (other order, an extra column): recognised, nothing added.
    again = stage(clerk_a, write_csv(media / "again.csv", list(reversed(rows)), [*CLAIM_HEADER, "备注"]), "claims")
    assert again.error_count == 0 and again.existing_households == 2
    again = actions.commit_batch(again, actor=clerk_a)
    assert again.created_records == 0 and MedicalClaim.objects.count() == 3


def test_claim_problems_per_cell(media, clerk_a, family, hospital, actors, regions):
    h, ids = family
    elsewhere = make_id("1950-01-01")
    neighbour = household(
        actors["outsider"], regions["b"], members=[{"name": "邻村人", "id_number": elsewhere, "relation": "01"}]
    )
    registry.remove_member(h.members.get(name="王三"), actor=clerk_a, reason="deceased", date=dt.date(2018, 6, 1))
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    rows = [
        claim_row("王一", ids[0], own="900"),  # 2: layers do not add up
        claim_row("王一", ids[0], basic="-7000", own="15000"),  # 3: negative layer
        claim_row("王一", ids[0], settled=future),  # 4: in the future
        claim_row("王一", ids[0], settled="去年五月"),  # 5: not a date
        claim_row("邻村人", elsewhere),  # 6: outside the jurisdiction
        claim_row("无此人", make_id("1955-01-01")),  # 7: not registered
        claim_row("王三", ids[2]),  # 8: died in 2018, claim in 2019
        {**claim_row("李二", ids[1]), "就诊医院": "不存在医院"},  # 9: unknown institution
        claim_row("张冒", ids[1]),  # 10: name does not match the ID
        {**claim_row("李二", ids[1]), "就诊类型": "急诊?"},  # 11: not 住院/门诊
        claim_row("李二", ids[1][:-1] + ("0" if ids[1][-1] != "0" else "1")),  # 12: checksum
        claim_row("李二", ids[1], total="0", basic="0", serious="0", assist="0", own="0"),  # 13: total not positive
        claim_row("李二", ids[1], settled="2019-07-01"),  # 14
        claim_row("李二", ids[1], settled="2019-07-01"),  # 15: the same claim again
    ]
    batch = stage(clerk_a, write_xlsx(media / "bad.xlsx", rows, CLAIM_HEADER), "claims")
    found = problems(batch)
    text = "\n".join(f"{r}|{c}|{m}" for r, c, m in found)
    has = functools.partial(reported, found)
    assert has(2, "医疗总费用（元）", "不相等"), text
    assert has(3, "基本医保报销", "不能为负数"), text
    assert has(4, "结算日期", "不能晚于今天"), text
    assert has(5, "结算日期", "格式"), text
    assert has(6, "公民身份号码", "不在您的管辖范围"), text
    assert has(7, "公民身份号码", "不在您的管辖范围"), text
    assert has(8, "公民身份号码", "死亡"), text
    assert has(9, "医疗机构", "不存在"), text
    assert has(10, "姓名", "不一致"), text
    assert has(11, "住院", "是"), text
    assert has(12, "公民身份号码", "校验位"), text
    assert has(13, "医疗总费用（元）", "大于0"), text
    assert has(15, "公民身份号码", "另见第14行"), text
    assert not any(r == 14 for r, _c, _m in found), text
    assert neighbour.number not in text and regions["b"].name not in text  # nothing about another village
    assert batch.valid_households == 1  # row 14 only
    with pytest.raises(Exception, match="全部正确才导入"):
        actions.commit_batch(batch, actor=clerk_a)
    assert not MedicalClaim.objects.exists()


def test_loans_import_writes_what_issue_loan_writes(media, clerk_a, family, standards):  # noqa: F811
    h, ids = family
    rows = [
        {
            "户编号": h.number,
            "贷款银行": "吉林银行",
            "贷款金额": "30000",
            "放款日期": "2019年5月1日",
            "贷款期限": "36",
            "年利率": "0.0435",
        },
        {
            "借款人身份证号": ids[0],
            "借款人姓名": "王一",
            "贷款银行": "农商银行",
            "贷款金额": "20000",
            "放款日期": "20190601",
            "贷款期限": "24",
            "年利率": "0.04",
            "财政贴息": "800",
            "用途": "养牛",
        },
    ]
    batch = stage(clerk_a, write_csv(media / "loans.csv", rows, LOAN_HEADER, encoding="gbk"), "loans")
    assert batch.error_count == 0, problems(batch)
    batch = actions.commit_batch(batch, actor=clerk_a)
    assert batch.created_records == 2
    imported = Loan.objects.get(bank="农商银行")
    ref = programmes.issue_loan(
        actor=clerk_a,
        household=h,
        bank="农商银行",
        amount="20000",
        issued_on="2019-06-01",
        term_months=24,
        rate="0.04",
        interest_subsidy="800",
        purpose="养牛",
    )
    ref.refresh_from_db()
    imported.refresh_from_db()
    assert fields(imported) == fields(ref)
    assert Loan.objects.get(bank="吉林银行").due_on == dt.date(2022, 5, 1)


def test_loan_problems_per_cell(media, clerk_a, family, standards, actors, regions):  # noqa: F811
    h, ids = family
    other = household(actors["outsider"], regions["b"], members=[member("邻村户主", birth="1950-01-01")])
    base = {"户编号": h.number, "贷款银行": "吉林银行", "放款日期": "2019-05-01", "年利率": "0.0435"}
    rows = [
        {**base, "贷款金额": "50000.01", "贷款期限": "36"},  # 2: over loan_max_amount
        {**base, "贷款金额": "30000", "贷款期限": "37"},  # 3: over loan_max_years
        {**base, "户编号": other.number, "贷款金额": "30000", "贷款期限": "36"},  # 4: another village's household
        {**base, "贷款金额": "30000", "贷款期限": "36", "年利率": "4.35"},  # 5: a rate, not a percentage
        {
            **base,
            "户编号": "",
            "借款人身份证号": ids[1],
            "贷款金额": "1000",
            "贷款期限": "12",
        },  # 6: named by a member's ID
        {**base, "贷款金额": "三万", "贷款期限": "36"},  # 7: text in a number cell
        {**base, "户编号": "", "贷款金额": "1000", "贷款期限": "12"},  # 8: no household at all
    ]
    batch = stage(clerk_a, write_xlsx(media / "bad.xlsx", rows, LOAN_HEADER), "loans")
    found = problems(batch)
    text = "\n".join(f"{r}|{c}|{m}" for r, c, m in found)
    has = functools.partial(reported, found)
    assert has(2, "贷款金额（元）", "超过上限"), text
    assert has(3, "期限（月）", "超过扶贫小额信贷上限"), text
    assert has(4, "户编号", "不在您的管辖范围"), text
    assert other.number not in text
    assert has(5, "年利率", "0到1之间"), text
    assert has(7, "贷款金额（元）", "金额"), text
    assert has(8, "户编号", "请填写户编号或户主公民身份号码"), text
    assert not any(r == 6 for r, _c, _m in found), text  # a member of the household named by ID: accepted
    batch = actions.commit_batch(batch, actor=clerk_a, mode="valid_only")
    assert batch.created_records == 1 and Loan.objects.get().amount == 1000


def test_dates_spelled_as_clerks_write_them():
    assert [iso_date(v) for v in ("2019/5/1", "2019.05.01", "2019年5月1日", "20190501", "2019-05-01 00:00:00")] == [
        "2019-05-01"
    ] * 5
    assert iso_date("去年") == "去年"


def test_records_upload_page_and_templates(
    media, clerk_a, family, hospital, client_for, django_capture_on_commit_callbacks
):
    h, ids = family
    c = client_for(clerk_a)
    page = c.get("/exchange/").content.decode()
    assert "医疗费用结算" in page and "扶贫小额信贷" in page
    path = write_xlsx(media / "c.xlsx", [claim_row("王一", ids[0])], CLAIM_HEADER)
    with path.open("rb") as fh, django_capture_on_commit_callbacks(execute=True):
        response = c.post("/exchange/", {"file": fh, "schema": "claims"})
    assert response.status_code == 302
    detail = c.get(response["Location"]).content.decode()
    assert "已校验" in detail and ids[0] not in detail
    with django_capture_on_commit_callbacks(execute=True):
        c.post(response["Location"], {"mode": "all"})
    assert MedicalClaim.objects.filter(member__name="王一").count() == 1
    tpl = c.get("/exchange/template.xlsx?schema=loans")
    assert tpl.status_code == 200 and tpl.content[:2] == b"PK"
    assert c.get("/exchange/template.xlsx?schema=nothing").status_code == 404
