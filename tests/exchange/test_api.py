"""The exchange REST API through the named actors: import batches (upload → problems and masked preview →
report → commit as a job with an Idempotency-Key → progress), member exports masked by role, department
cross-checks (upload → run → poll) and hits (filters, disposition). Outsiders get 404 on every object."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.exchange.conftest import family, write_csv
from tests.helpers import household, make_id, member
from tuopin.core.models import AuditEvent
from tuopin.exchange.models import CrossCheckHit, CrossCheckRun, ImportBatch
from tuopin.registry.models import Household, Member

FULL_ID = re.compile(rb"(?<![0-9])\d{17}[\dX](?![0-9])")
BATCHES = "/api/exchange/batches/"
RUNS = "/api/exchange/crosscheck/runs/"
HITS = "/api/exchange/crosscheck/hits/"


def upload(client, path, url, **fields):
    """A multipart upload through the leak-checking client's underlying Django client."""
    with path.open("rb") as fh:
        return client._check(client.client.post(url, {"file": fh, **fields}))


@pytest.fixture
def good_file(media, regions):
    return write_csv(media / "good.csv", family("2204221012019001") + family("2204221012019002", size=2))


def test_import_through_the_api(api, actors, media, good_file, django_capture_on_commit_callbacks):
    clerk = api("clerk_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(clerk, good_file, BATCHES, source="县扶贫办")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    batch = clerk.get(f"{BATCHES}{pk}/").json()  # validated by the background job
    assert batch["status"] == "validated" and (batch["rows"], batch["households"], batch["error_count"]) == (5, 2, 0)
    assert batch["preview"] and batch["preview"][0]["公民身份号码"].count("*") == 8  # masked preview
    assert clerk.get(f"{BATCHES}{pk}/problems/").json()["count"] == 0
    assert clerk.post(f"{BATCHES}{pk}/commit/").status_code == 400  # the mode is required: nothing starts
    assert Household.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        first = clerk.post(f"{BATCHES}{pk}/commit/", {"mode": "all"}, HTTP_IDEMPOTENCY_KEY="commit-1")
    assert first.status_code == 202 and Household.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        replay = clerk.post(f"{BATCHES}{pk}/commit/", {"mode": "all"}, HTTP_IDEMPOTENCY_KEY="commit-1")
    assert replay.status_code == 202 and replay["Idempotent-Replayed"] == "true" and not callbacks
    progress = clerk.get(f"{BATCHES}{pk}/progress/").json()
    assert progress["status"] == "committed" and progress["phase"] == "完成"
    assert Member.objects.count() == 5 and ImportBatch.objects.get(pk=pk).created_members == 5
    # The neighbouring village's clerk and the 三员 do not see the batch at all.
    for who in ("outsider", "clerk_c", "sysadmin"):
        other = api(who)
        assert other.get(f"{BATCHES}{pk}/").status_code == 404
        assert other.get(f"{BATCHES}{pk}/problems/").status_code == 404
        assert other.get(f"{BATCHES}{pk}/report/").status_code == 404
        assert other.post(f"{BATCHES}{pk}/commit/", {"mode": "all"}).status_code == 404
        assert pk not in [b["id"] for b in other.get(BATCHES).json()["results"]]


def test_problems_and_report_of_a_bad_file(api, media, regions, django_capture_on_commit_callbacks):
    rows = family("2204221012019003")
    rows[1]["公民身份号码"] = rows[1]["公民身份号码"][:-1] + ("0" if rows[1]["公民身份号码"][-1] != "0" else "1")
    rows[2]["性别"] = "未知"
    path = write_csv(media / "bad.csv", rows)
    clerk = api("clerk_a")
    with django_capture_on_commit_callbacks(execute=True):
        pk = upload(clerk, path, BATCHES).json()["id"]
    problems = clerk.get(f"{BATCHES}{pk}/problems/").json()
    columns = {(p["rownum"], p["column"]) for p in problems["results"]}
    assert (3, "公民身份号码") in columns and any(col == "性别" for _r, col in columns)
    assert all(p["message"] for p in problems["results"])
    report = clerk.client.get(f"{BATCHES}{pk}/report/")
    assert report.status_code == 200 and report["Content-Type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(report.content)) as z:
        assert "公民身份号码校验位错误" in b"".join(z.read(n) for n in z.namelist()).decode("utf-8", "replace")
    with django_capture_on_commit_callbacks(execute=True):
        assert clerk.post(f"{BATCHES}{pk}/commit/", {"mode": "all"}).status_code == 202
    batch = clerk.get(f"{BATCHES}{pk}/").json()
    assert batch["status"] == "failed" and "问题" in batch["message"] and Household.objects.count() == 0


def test_upload_needs_the_import_right_and_refuses_hostile_files(api, media, regions):
    exe = media / "list.csv"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    clerk = api("clerk_a")
    refused = upload(clerk, exe, BATCHES).json()
    assert refused["status"] == "refused" and refused["message"]
    assert upload(api("leader"), exe, BATCHES).status_code == 403
    assert clerk.post(BATCHES, {"source": "x"}).status_code == 400  # no file


@pytest.fixture
def homes(actors, regions):
    a = household(
        actors["clerk_a"],
        regions["a"],
        members=[member("李四", birth="1958-03-12"), member("张玮", "02", birth="1985-02-03", male=False)],
        bank_account="6217001234567890123",
    )
    b = household(actors["outsider"], regions["b"], members=[member("孙大海", birth="1955-01-01")])
    return a, b


def test_member_export_masked_by_role(api, actors, homes):
    for who in ("clerk_a", "reviewer", "leader", "outsider"):
        response = api(who).client.get("/api/exchange/exports/members/", {"fmt": "csv"})
        assert response.status_code == 200, who
        data = b"".join(response.streaming_content)
        assert not FULL_ID.search(data) and ("李四" in data.decode("utf-8-sig")) == (who != "outsider")
    xlsx = api("clerk_a").client.get("/api/exchange/exports/members/", {"fmt": "xlsx", "region": "220422101201"})
    with zipfile.ZipFile(io.BytesIO(b"".join(xlsx.streaming_content))) as z:
        assert not FULL_ID.search(b"".join(z.read(n) for n in z.namelist()))
    assert api("reviewer").get("/api/exchange/exports/members/", {"reason": "核对低保名单"}).status_code == 403
    assert api("approver").get("/api/exchange/exports/members/", {"reason": "查"}).status_code == 400
    full = api("approver").client.get("/api/exchange/exports/members/", {"reason": "核对低保名单"})
    text = b"".join(full.streaming_content)
    li = Member.objects.get(name="李四")
    assert FULL_ID.search(text) and li.id_mask[-4:].encode() in text
    event = AuditEvent.objects.latest("seq")
    assert event.action == "member.export_unmasked" and event.changes["reason"] == "核对低保名单"
    assert api("sysadmin").get("/api/exchange/exports/members/").status_code == 403


def test_department_cross_check_through_the_api(api, actors, media, homes, django_capture_on_commit_callbacks):
    a, b = homes
    li = Member.objects.get(name="李四")
    rows = [
        {"姓名": "李四", "公民身份号码": make_id("1958-03-12", seq=1), "死亡日期": "2019-03-01", "说明": "火化"},
        {"姓名": "路人", "公民身份号码": make_id("1970-01-01", seq=77), "说明": "火化"},
        {"姓名": "张伟", "出生日期": "1985-02-03", "说明": "火化"},
    ]
    # make_id's numbers are sequential: rebuild 李四's own number from the registry's mask is impossible,
    # so the list carries the number the fixture registered (read back through the plaintext action).
    from tuopin.registry.actions import reveal_id_number

    rows[0]["公民身份号码"] = reveal_id_number(li, actor=actors["approver"], reason="比对测试核对")
    path = write_csv(media / "deaths.csv", rows, ["姓名", "公民身份号码", "出生日期", "死亡日期", "说明"])
    approver = api("approver")
    assert upload(api("clerk_a"), path, RUNS, department="deaths").status_code == 403  # a clerk cannot cross-check
    assert upload(approver, path, RUNS, department="nonsense").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(approver, path, RUNS, department="deaths")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    run = approver.get(f"{RUNS}{response.json()['id']}/").json()
    assert run["status"] == "done" and (run["rows"], run["matched_by_id"], run["matched_by_name"]) == (3, 1, 1)
    hits = approver.get(HITS, {"run": run["id"]}).json()["results"]
    assert {(h["member_name"], h["method"]) for h in hits} == {("李四", "id"), ("张玮", "name_birth")}
    assert all("*" in h["member_id_mask"] for h in hits) and "2019-03-01" in hits[0]["detail"] + hits[1]["detail"]
    # Filters, and the neighbouring village sees neither the run nor village A's hits.
    assert approver.get(HITS, {"run": run["id"], "method": "id"}).json()["count"] == 1
    assert approver.get(HITS, {"region": "220422101202"}).json()["count"] == 0
    outsider = api("outsider")
    assert outsider.get(f"{RUNS}{run['id']}/").status_code == 404
    assert outsider.get(HITS, {"run": run["id"]}).json()["count"] == 0
    hit = next(h for h in hits if h["method"] == "id")
    assert outsider.get(f"{HITS}{hit['id']}/").status_code == 404
    assert (
        outsider.post(f"{HITS}{hit['id']}/dispose/", {"disposition": "dismissed", "reason": "无此事项"}).status_code
        == 404
    )
    # Disposition: a role without the registry right may look but not dispose; a reason is required.
    assert (
        api("leader")
        .post(f"{HITS}{hit['id']}/dispose/", {"disposition": "confirmed", "reason": "属实属实"})
        .status_code
        == 403
    )
    clerk = api("clerk_a")
    assert clerk.post(f"{HITS}{hit['id']}/dispose/", {"disposition": "confirmed", "reason": ""}).status_code == 400
    assert (
        clerk.post(f"{HITS}{hit['id']}/dispose/", {"disposition": "open", "reason": "入户核实属实"}).status_code == 400
    )
    done = clerk.post(f"{HITS}{hit['id']}/dispose/", {"disposition": "confirmed", "reason": "入户核实属实"}).json()
    assert done["disposition"] == "confirmed" and done["disposed_by"] == "clerk_a" and done["reason"] == "入户核实属实"
    assert Member.objects.get(pk=li.pk).is_current  # a flag, never a change to the registry
    assert clerk.get(HITS, {"disposition": "confirmed"}).json()["count"] == 1


def test_department_list_refused_in_the_background_is_reported(api, media, homes, django_capture_on_commit_callbacks):
    path = write_csv(media / "cars.csv", [{"车牌号": "吉D12345"}], ["车牌号", "品牌"])
    with django_capture_on_commit_callbacks(execute=True):
        pk = upload(api("approver"), path, RUNS, department="vehicles").json()["id"]
    run = CrossCheckRun.objects.get(pk=pk)
    assert run.status == "failed" and "公民身份号码" in run.message


def test_internal_checks_and_hit_list_queries(api, actors, homes, regions):
    approver = api("approver")
    assert api("clerk_a").post(f"{RUNS}internal/").status_code == 403

    def shared_account_hits(extra: int) -> tuple[int, int]:
        for k in range(extra):  # more households sharing the account
            household(
                actors["clerk_a"], regions["a"], members=[member(f"共用{extra}{k}")], bank_account="6217001234567890123"
            )
        run = approver.post(f"{RUNS}internal/")
        assert (
            run.status_code == 201 and run.json()["hits"] == CrossCheckHit.objects.filter(run=run.json()["id"]).count()
        )
        with CaptureQueriesContext(connection) as queries:
            count = approver.get(HITS, {"rule": "shared_account", "run": run.json()["id"]}).json()["count"]
        return count, len(queries)

    a, _b = homes
    few = shared_account_hits(1)
    assert few[0] == Household.objects.filter(bank_account_hash=a.bank_account_hash).count() == 2
    many = shared_account_hits(5)
    assert many[0] == Household.objects.filter(bank_account_hash=a.bank_account_hash).count() == 7
    assert few[1] == many[1]  # one query count whatever the number of hits
