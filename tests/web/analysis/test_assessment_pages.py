"""Assessment run pages: start (approver) and refusal (leader), progress polling, covering runs seen
only inside the jurisdiction, drill-down, filters, replay, 404 outside, query counts."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import FULL_ID, csrf_token
from tuopin.assessment.actions import start_run
from tuopin.assessment.models import Run

from .conftest import run_now


def run_url(run, query=""):
    return f"/assessment/runs/{run.pk}/{query}"


def test_approver_starts_a_run_and_sees_its_counts(
    csrf_client_for, approver, cohort, django_capture_on_commit_callbacks
):
    client = csrf_client_for(approver)
    token = csrf_token(client, "/assessment/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/assessment/", {"year": "2019", "region": "220422000000", "csrfmiddlewaretoken": token})
    run = Run.objects.get()
    assert response.status_code == 302 and response["Location"] == run_url(run)
    assert run.status == "done" and run.requested_by == "approver"
    body = client.get(run_url(run)).content.decode()
    assert "2019年脱贫评估 · 东辽县" in body and "2019年规则集 第1版" in body
    tiles = body[body.index('class="tiles"') :]
    assert re.search(r"建档立卡户 / 人</div><div class=\"v\">5 <small>/ 9</small>", tiles)
    assert "hx-trigger" not in body  # finished: nothing polls
    listing = client.get("/assessment/").content.decode()
    assert f"#{run.pk}" in listing and "已完成" in listing and "approver" in listing


def test_start_without_csrf_is_refused(csrf_client_for, approver, cohort):
    response = csrf_client_for(approver).post("/assessment/", {"year": "2019", "region": "220422000000"})
    assert response.status_code == 403 and not Run.objects.exists()


def test_leader_views_but_cannot_start(client_for, actors, county_run):
    client = client_for(actors["leader"])
    listing = client.get("/assessment/").content.decode()
    assert "开始评估" not in listing and f"#{county_run.pk}" in listing
    assert client.get(run_url(county_run)).status_code == 200
    assert client.post("/assessment/", {"year": "2019", "region": "220422000000"}).status_code == 403
    assert client.post(f"/assessment/runs/{county_run.pk}/replay/").status_code == 403
    assert Run.objects.count() == 1


def test_reviewer_cannot_start_outside_the_town(client_for, actors, cohort):
    response = client_for(actors["reviewer"]).post("/assessment/", {"year": "2019", "region": "220422000000"})
    assert response.status_code == 200 and not Run.objects.exists()
    assert "errorlist" in response.content.decode()


def test_queued_run_polls_and_reloads_when_done(client_for, approver, cohort):
    from tuopin.assessment.actions import execute_run

    run = start_run(actor=approver, year=2019, region="220422000000", enqueue=False)
    client = client_for(approver)
    body = client.get(run_url(run)).content.decode()
    assert 'hx-trigger="every 2s"' in body and f"/assessment/runs/{run.pk}/progress/" in body and "排队中" in body
    fragment = client.get(f"/assessment/runs/{run.pk}/progress/", headers={"HX-Request": "true"})
    assert "every 2s" in fragment.content.decode() and "HX-Refresh" not in fragment
    execute_run(run.pk)
    fragment = client.get(f"/assessment/runs/{run.pk}/progress/", headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true" and "every 2s" not in fragment.content.decode()


def test_a_running_stage_reads_in_the_officials_language(client_for, approver, cohort):
    """The stage is stored as its Chinese text and shown translated: 写入结果 / Writing results."""
    run = start_run(actor=approver, year=2019, region="220422000000", enqueue=False)
    Run.objects.filter(pk=run.pk).update(status="running", stage="写入结果", progress=60)
    client = client_for(approver)
    assert "60% 写入结果" in client.get("/assessment/").content.decode()
    client.cookies["django_language"] = "en"
    listing = client.get("/assessment/").content.decode()
    assert "60% Writing results" in listing and "写入结果" not in listing


def test_clerk_sees_only_own_village_of_a_county_run(client_for, clerk_a, cohort, county_run):
    client = client_for(clerk_a)
    listing = client.get("/assessment/").content.decode()
    assert f"#{county_run.pk}" in listing and "仅显示大榆村" in listing
    body = client.get(run_url(county_run)).content.decode()
    assert "只显示大榆村的结果" in body
    assert cohort["ok1"].number in body and cohort["d_house"].number in body
    assert cohort["b"].number not in body and "小榆村" not in body
    assert re.search(r"建档立卡户 / 人</div><div class=\"v\">4 <small>/ 8</small>", body)
    # Drilling into the neighbouring village, or the town above, is 404.
    assert client.get(run_url(county_run, "?region=220422101202")).status_code == 404
    assert client.get(run_url(county_run, "?region=220422101000")).status_code == 404
    assert not FULL_ID.search(client.get(run_url(county_run)).content)


@pytest.mark.parametrize("name", ["outsider", "clerk_c", "sysadmin", "auditadmin"])
def test_run_of_village_a_is_404_outside(client_for, actors, cohort, name):
    run = run_now("220422101201")
    client = client_for(actors[name])
    assert client.get(run_url(run)).status_code in (403, 404) if name.endswith("admin") else 404
    if not name.endswith("admin"):
        assert client.get(f"/assessment/runs/{run.pk}/progress/").status_code == 404
        assert f"#{run.pk}<" not in client.get("/assessment/").content.decode()


def test_drill_down_and_filters(client_for, approver, cohort, county_run):
    client = client_for(approver)
    top = client.get(run_url(county_run)).content.decode()
    assert "?region=220422101000" in top  # the town row links one level down
    town = client.get(run_url(county_run, "?region=220422101000")).content.decode()
    assert "?region=220422101201" in town and "?region=220422101202" in town
    village = client.get(run_url(county_run, "?region=220422101201&failing=housing")).content.decode()
    assert cohort["d_house"].number in village and cohort["ok1"].number not in village
    assert "共 1 户" in village
    eligible = client.get(run_url(county_run, "?eligible=1")).content.decode()
    assert cohort["ok1"].number in eligible and cohort["low"].number not in eligible
    assert cohort["d_house"].number not in eligible
    income = client.get(run_url(county_run, "?failing=income")).content.decode()
    assert cohort["low"].number in income and "共 1 户" in income


def test_replay_shows_zero_differing(client_for, approver, cohort, county_run):
    client = client_for(approver)
    response = client.post(f"/assessment/runs/{county_run.pk}/replay/")
    replay = Run.objects.get(replay_of=county_run)
    assert response.status_code == 302 and response["Location"] == run_url(replay)
    body = client.get(run_url(replay)).content.decode()
    card = body[body.index("重放结果") :]
    assert re.search(r"输入相同而结果不同</dt><dd class=\"pass\"><strong>0</strong>", card)
    assert re.search(r"输入未变</dt><dd>5</dd>", card)
    assert "评估可复现" in card
    # Shown once; the replay's page afterwards is an ordinary run page.
    assert "重放结果" not in client.get(run_url(replay)).content.decode()


def test_clerk_cannot_replay(client_for, clerk_a, county_run):
    assert client_for(clerk_a).post(f"/assessment/runs/{county_run.pk}/replay/").status_code == 403


def test_run_page_query_count_does_not_grow(
    client_for, approver, make_household, cohort, django_assert_max_num_queries
):
    run = run_now("220422000000")
    client = client_for(approver)
    url = run_url(run, "?region=220422101201")
    client.get(url)
    with django_assert_max_num_queries(12):
        small = client.get(url)
    for _ in range(15):
        make_household()
    bigger = run_now("220422000000")
    with django_assert_max_num_queries(12):
        big = client.get(run_url(bigger, "?region=220422101201"))
    assert small.status_code == big.status_code == 200
    assert "共 19 户" in big.content.decode()
    with django_assert_max_num_queries(11):
        assert client.get("/assessment/").status_code == 200
