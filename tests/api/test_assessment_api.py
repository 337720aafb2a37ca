"""Assessment and policy through the API: queue a run, poll it, read determinations and explanations,
edit standards — scoped, permissioned, audited."""

import pytest

from tests.assessment.conftest import GOOD_YEAR, standards  # noqa: F401 - fixture
from tests.helpers import household
from tuopin.core.models import AuditEvent
from tuopin.registry import actions


@pytest.fixture
def assessed(actors, regions, standards, api, django_capture_on_commit_callbacks):  # noqa: F811
    clerk = actors["clerk_a"]
    h = household(clerk, regions["a"])
    actions.set_household_year(h, actor=clerk, year=2019, **{**GOOD_YEAR, "housing_safety": "D"})
    with django_capture_on_commit_callbacks(execute=True):
        resp = api("approver").post("/api/assessment/runs/", {"year": 2019, "region": "220422"})
    assert resp.status_code == 202, resp.content
    return h, resp.json()["id"]


def test_run_is_queued_and_finishes(assessed, api):
    _h, run_id = assessed
    run = api("approver").get(f"/api/assessment/runs/{run_id}/").json()
    assert (run["status"], run["progress"], run["counts"]["households"]) == ("done", 100, 1)
    assert AuditEvent.objects.filter(action="assessment.start", object_id=str(run_id)).count() == 1


def test_determination_and_explanation(assessed, api):
    h, run_id = assessed
    client = api("clerk_a")
    rows = client.get("/api/assessment/determinations/", {"run": run_id}).json()["results"]
    assert len(rows) == 1 and rows[0]["household"] == h.pk and rows[0]["housing"] == 0
    text = client.get(f"/api/assessment/determinations/{rows[0]['id']}/explain/").json()
    housing = next(i for i in text["indicators"] if i["name"] == "housing")
    assert housing["result"] == "未达标" and "D级" in housing["reason"]
    assert text["standards"]["poverty_line"]["value"] == "3218"


def test_outsider_sees_no_run_results(assessed, api):
    _h, run_id = assessed
    client = api("outsider")
    assert client.get(f"/api/assessment/runs/{run_id}/").status_code == 404
    assert client.get("/api/assessment/determinations/", {"run": run_id}).json()["count"] == 0
    assert client.get("/api/assessment/rollups/", {"run": run_id}).json()["count"] == 0


def test_clerk_and_leader_cannot_start_runs(regions, standards, api):  # noqa: F811
    assert api("clerk_a").post("/api/assessment/runs/", {"year": 2019, "region": "220422101201"}).status_code == 403
    assert api("leader").post("/api/assessment/runs/", {"year": 2019, "region": "2204"}).status_code == 403
    resp = api("approver").post("/api/assessment/runs/", {"year": 2019, "region": "220421", "extra": 1})
    assert resp.status_code == 400


def test_approver_cannot_run_outside_jurisdiction(regions, standards, api):  # noqa: F811
    resp = api("approver").post("/api/assessment/runs/", {"year": 2019, "region": "220421"})
    assert resp.status_code == 400 and "region" in resp.json()


def test_rollups_for_the_county(assessed, api):
    _h, run_id = assessed
    rows = {r["region"]: r for r in api("approver").get("/api/assessment/rollups/", {"run": run_id}).json()["results"]}
    assert rows["220422000000"]["households"] == 1 and rows["220422000000"]["fail_housing"] == 1


def test_standards_readable_and_editable_with_history(regions, standards, api):  # noqa: F811
    rows = api("clerk_a").get("/api/policy/standards/", {"name": "dibao_standard"}).json()["results"]
    assert {r["value"] for r in rows} == {"3700", "3900"}
    approver = api("approver")
    created = approver.post(
        "/api/policy/standards/",
        {"name": "monitoring_line", "region_prefix": "220422", "effective_year": 2020, "value": "5100"},
    )
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    changed = approver.patch(f"/api/policy/standards/{sid}/", {"value": "5200", "reason": "县里调整"})
    assert changed.status_code == 200 and changed.json()["value"] == "5200"
    history = approver.get("/api/policy/standards/", {"name": "monitoring_line", "history": "true"}).json()
    assert [r["value"] for r in history["results"] if r["region_prefix"] == "220422"] == ["5100", "5200"]
    overlap = approver.post(
        "/api/policy/standards/",
        {"name": "monitoring_line", "region_prefix": "220422", "effective_year": 2020, "value": "1"},
    )
    assert overlap.status_code == 400 and "重叠" in overlap.content.decode()
    national = next(r for r in rows if r["value"] == "3900")
    assert approver.patch(f"/api/policy/standards/{national['id']}/", {"value": "1", "reason": "x"}).status_code == 403
    assert (
        api("leader")
        .post(
            "/api/policy/standards/",
            {"name": "monitoring_line", "region_prefix": "2204", "effective_year": 2021, "value": "1"},
        )
        .status_code
        == 403
    )
