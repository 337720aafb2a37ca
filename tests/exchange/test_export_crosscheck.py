"""Member exports masked by role (no full ID anywhere in the file), formula-safe, unmasked only with a
reason; department cross-checks by keyed hash and by pinyin-aware name + birth date; internal checks;
dispositions audited; hits never change the registry and stay inside the jurisdiction."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest

from tests.exchange.conftest import write_csv
from tests.helpers import household, make_id, member
from tuopin.core.models import AuditEvent
from tuopin.exchange import actions, crosscheck
from tuopin.exchange.models import CrossCheckHit, Department, HitRule
from tuopin.registry import actions as registry_actions
from tuopin.registry.models import Member

FULL_ID = re.compile(rb"(?<![0-9])\d{17}[\dX](?![0-9])")


@pytest.fixture
def homes(clerk_a, actors, regions):
    a = household(
        clerk_a,
        regions["a"],
        members=[
            {"name": '=HYPERLINK("http://x")', "id_number": make_id("1958-03-12", seq=11), "relation": "01"},
            {"name": "张玮", "id_number": make_id("1985-02-03", male=False, seq=12), "relation": "02"},
            {"name": "李四", "id_number": make_id("2001-04-05", seq=13), "relation": "03"},
        ],
        bank_account="6217001234567890123",
    )
    b = household(
        actors["outsider"],
        regions["b"],
        members=[member("孙大海", birth="1955-01-01")],
        bank_account="6217001234567890123",
    )
    return a, b


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("who", ["clerk_a", "reviewer", "approver", "leader", "outsider"])
def test_member_export_masked_for_every_role(client_for, actors, homes, who):
    c = client_for(actors[who])
    for fmt in ("csv", "xlsx"):
        response = c.get(f"/exchange/export/members.{fmt}")
        assert response.status_code == 200
        data = body(response)
        if fmt == "xlsx":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        assert not FULL_ID.search(data), who
        text = data.decode("utf-8", "replace")
        assert ("李四" in text) == (who != "outsider") and "导出人：" in text
    event = AuditEvent.objects.latest("seq")
    assert event.action == "member.export" and event.changes["unmasked"] is False


def test_formula_injection_neutralised(client_for, clerk_a, homes):
    text = body(client_for(clerk_a).get("/exchange/export/members.csv")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert any(r[2] == '\'=HYPERLINK("http://x")' for r in rows[2:])


def test_unmasked_export_needs_the_right_and_a_reason(client_for, actors, homes):
    assert (
        client_for(actors["reviewer"]).get("/exchange/export/members.csv", {"reason": "核对低保名单"}).status_code
        == 403
    )
    c = client_for(actors["approver"])
    assert c.get("/exchange/export/members.csv", {"reason": "查"}).status_code == 400
    text = body(c.get("/exchange/export/members.csv", {"reason": "核对低保名单"})).decode("utf-8-sig")
    assert FULL_ID.search(text.encode()) and text.count("仅限“核对低保名单”使用") == 2  # watermark top and bottom
    event = AuditEvent.objects.latest("seq")
    assert event.action == "member.export_unmasked" and event.changes["reason"] == "核对低保名单"
    assert not FULL_ID.search(str(event.changes).encode())
    xlsx = body(c.get("/exchange/export/members.xlsx", {"reason": "核对低保名单"}))
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "核对低保名单" in sheet and "<oddHeader>" in sheet


def test_department_list_matched_by_id_and_by_name(media, actors, homes):
    approver = actors["approver"]
    a, b = homes
    li = Member.objects.get(name="李四")
    rows = [
        {"姓名": "李四", "身份证号": make_id("2001-04-05", seq=13), "死亡日期": "2019-03-01", "说明": "火化"},
        {"姓名": "张伟", "出生日期": "1985-02-03", "说明": "火化"},  # no ID: 张伟 sounds like 张玮
        {"姓名": "路人甲", "身份证号": make_id("1970-01-01", seq=77), "说明": "火化"},  # not registered
        {
            "姓名": "孙大海",
            "身份证号": "220422195501010000",
            "说明": "无效号码",
        },  # bad checksum → name + birth? none given
    ]
    path = write_csv(media / "deaths.csv", rows, ["姓名", "身份证号", "出生日期", "死亡日期", "说明"], encoding="gbk")
    before_members = list(Member.objects.values_list("id", "is_current", "deceased_on"))
    run = crosscheck.run_department(actor=approver, path=path, filename="deaths.csv", department=Department.DEATHS)
    assert (run.rows, run.matched_by_id, run.matched_by_name) == (4, 1, 1)
    hits = {h.member.name: h for h in CrossCheckHit.objects.filter(run=run).select_related("member")}
    assert hits["李四"].method == "id" and hits["李四"].member_id == li.pk and str(hits["李四"].confidence) == "1.00"
    assert hits["张玮"].method == "name_birth" and str(hits["张玮"].confidence) == "0.80"
    assert list(Member.objects.values_list("id", "is_current", "deceased_on")) == before_members  # a flag, not a change
    assert not FULL_ID.search(str(list(run.department_rows.values())).encode())  # only hashes and masks kept
    event = AuditEvent.objects.latest("seq")
    assert event.action == "crosscheck.run" and event.changes["by_id"] == 1


def test_a_namesake_without_id_is_found_inside_the_jurisdiction_only(media, actors, regions):
    """A row without an ID number and a person of the same name and birth date: a hit of confidence
    1.00 in the approver's county; the namesake in the neighbouring county is not the approver's."""
    ours = household(actors["clerk_a"], regions["a"], members=[member("王大山", birth="1960-06-06")])
    household(actors["clerk_c"], regions["c"], members=[member("王大山", birth="1960-06-06")])
    household(actors["clerk_c"], regions["c"], members=[member("刘小红", birth="1970-07-07", male=False)])
    rows = [
        {"姓名": "王大山", "出生日期": "1960-06-06", "说明": "火化"},
        {"姓名": "刘小红", "出生日期": "1970-07-07", "说明": "火化"},  # registered only in the other county
    ]
    path = write_csv(media / "deaths.csv", rows, ["姓名", "出生日期", "说明"])
    run = crosscheck.run_department(
        actor=actors["approver"], path=path, filename="deaths.csv", department=Department.DEATHS
    )
    hits = list(CrossCheckHit.objects.filter(run=run).values_list("household_id", "method", "confidence"))
    assert (run.matched_by_id, run.matched_by_name, run.hits) == (0, 1, 1)
    assert [(h, m, str(c)) for h, m, c in hits] == [(ours.pk, "name_birth", "1.00")]
    assert run.department_rows.get().name == "王大山"  # only the row that hit is kept


def test_internal_checks_and_disposition(actors, homes, client_for):
    a, b = homes
    approver = actors["approver"]
    li = Member.objects.get(name="李四")
    registry_actions.remove_member(
        li, actor=actors["clerk_a"], reason="deceased", date=__import__("datetime").date(2020, 1, 1)
    )
    Member.objects.filter(pk=li.pk).update(is_current=True)  # planted: deceased yet still current
    run = crosscheck.run_internal(actor=approver)
    rules = set(CrossCheckHit.objects.filter(run=run).values_list("rule", "household_id"))
    assert (HitRule.SHARED_ACCOUNT, a.pk) in rules and (HitRule.SHARED_ACCOUNT, b.pk) in rules
    assert (HitRule.DECEASED_CURRENT, a.pk) in rules
    # The outsider sees neither the run nor village A's hits (404), and cannot dispose of them.
    hit_a = CrossCheckHit.objects.filter(run=run, household=a).first()
    c = client_for(actors["outsider"])
    assert c.get(f"/exchange/crosscheck/{run.pk}/").status_code == 404
    assert (
        c.post(f"/exchange/hits/{hit_a.pk}/dispose", {"disposition": "dismissed", "reason": "无此事项"}).status_code
        == 404
    )
    # The clerk of village A sees A's hits but not the run list of the county… only its own region's hits.
    with pytest.raises(Exception, match="核实说明"):
        actions.dispose_hit(hit_a, actor=actors["clerk_a"], disposition="confirmed", reason="")
    before = AuditEvent.objects.count()
    hit = actions.dispose_hit(hit_a, actor=actors["clerk_a"], disposition="confirmed", reason="入户核实属实")
    assert hit.disposition == "confirmed" and hit.disposed_by == actors["clerk_a"]
    assert AuditEvent.objects.count() == before + 1
    page = client_for(approver).get(f"/exchange/crosscheck/{run.pk}/")
    assert page.status_code == 200 and "入户核实属实" in page.content.decode() and not FULL_ID.search(page.content)
