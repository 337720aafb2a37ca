"""Cases through the API (scoped, leak-checked), "my work", and the Liaoyuan 2019 scenario counted from records."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cases.conftest import APPLICANT
from tuopin.cases import actions as a
from tuopin.cases.queries import waiting_for

D = dt.date


def test_case_api_path_and_scope(api, eligible, actors, regions):
    good, poor = eligible
    clerk = api("clerk_a")
    r = clerk.post("/api/cases/exit/", {"household": good[0].pk, "year": 2019, "date": "2019-10-01"})
    assert r.status_code == 201, r.content
    case_id = r.json()["id"]
    r = clerk.post("/api/cases/exit/", {"household": poor.pk, "year": 2019})
    assert r.status_code == 400 and "未达到退出标准" in r.content.decode()
    assert api("outsider").get(f"/api/cases/{case_id}/").status_code == 404
    assert api("outsider").post(f"/api/cases/{case_id}/verify/", {"verifiers": ["甲", "乙", "丙"]}).status_code == 404
    assert clerk.post(f"/api/cases/{case_id}/verify/", {"verifiers": ["甲", "乙", "丙"]}).status_code == 403
    r = api("reviewer").post(
        f"/api/cases/{case_id}/verify/",
        {"verifiers": ["甲", "乙", "丙"], "decision": "approve", "household_agrees": True, "date": "2019-10-02"},
    )
    assert r.status_code == 200 and r.json()["state"] == "verified"
    r = clerk.post(
        "/api/notices/",
        {
            "cases": [case_id],
            "region": "220422101201",
            "start_date": "2019-10-03",
            "end_date": "2019-10-05",
            "contact": "村委会",
            "address": "公开栏",
        },
    )
    assert r.status_code == 400 and "不得少于7天" in r.content.decode()
    r = clerk.post(
        "/api/notices/",
        {
            "cases": [case_id],
            "region": "220422101201",
            "start_date": "2019-10-03",
            "end_date": "2019-10-09",
            "contact": "村委会",
            "address": "公开栏",
        },
    )
    assert r.status_code == 201 and r.json()["entries"][0]["id_public"].startswith("2*")
    notice_id = r.json()["id"]
    r = api("approver").post(f"/api/cases/{case_id}/approve/", {"decision": "approve", "date": "2019-10-09"})
    assert r.status_code == 400 and "2019-10-10" in r.content.decode()
    assert api("approver").get(f"/api/notices/{notice_id}/docx/").status_code == 200
    assert api("outsider").get(f"/api/notices/{notice_id}/").status_code == 404
    assert case_id in [c.pk for c in waiting_for(actors["approver"])]
    assert case_id not in [c.pk for c in waiting_for(actors["clerk_a"])]
    r = clerk.post("/api/cases/identification/", {"village": "220422101201", "year": 2019, "applicant": APPLICANT})
    assert r.status_code == 201 and "id_number" not in r.content.decode()
    assert clerk.post("/api/cases/bulk-exit/", {"region": "220422101", "year": 2019}).status_code == 403  # the town
    r = api("reviewer").post("/api/cases/bulk-exit/", {"region": "220422101", "year": 2019})
    assert r.status_code == 200 and r.json()["created"] == 2
    assert api("reviewer").post("/api/cases/bulk-exit/", {"region": "220422101", "year": 2019}).json()["created"] == 0
    assert api("clerk_a").client.get("/cases/").status_code == 200
    assert api("clerk_a").client.get(f"/cases/{case_id}/").status_code == 200
    assert api("outsider").client.get(f"/cases/{case_id}/").status_code == 404


def test_page_step_shows_too_early_message(eligible, actors, client_for):
    good, _ = eligible
    case = a.propose_exit(good[0], actor=actors["clerk_a"], year=2019)
    c = client_for(actors["approver"])
    r = c.post(f"/cases/{case.pk}/approve/", {"decision": "approve"}, follow=True)
    assert "不能进行" in r.content.decode()


@pytest.mark.django_db(transaction=False)
def test_liaoyuan_2019_scenario_counts(regions, standards):
    from tuopin.assistance.queries import annual_figures as assistance_figures
    from tuopin.cases.scenario import REPORT_2019, ScenarioExists, seed_procedures_liaoyuan_2019
    from tuopin.registry.scenario import seed_liaoyuan_2019
    from tuopin.supervision.queries import annual_figures as supervision_figures

    seed_liaoyuan_2019(households=300)
    result = seed_procedures_liaoyuan_2019()
    a_fig = assistance_figures("220400", 2019)
    s_fig = supervision_figures("220400", 2019)
    assert a_fig["leader_research_visits"] >= 200 and a_fig["assistance_actions"] >= 340
    assert a_fig["leader_research_visits"] == REPORT_2019["research_visits"]
    assert a_fig["letters_from_region"] == 4
    vc = a_fig["village_coverage"][3]
    assert vc["total"] > 0 and vc["visited"] == vc["total"] and vc["unvisited"] == []
    assert (s_fig["cases_exposed"], s_fig["disciplined"], s_fig["admonished"], s_fig["interviewed"]) == (13, 12, 3, 15)
    assert (s_fig["promoted"], s_fig["awarded_people"], s_fig["awarded_organisations"]) == (12, 68, 3)
    assert result["cases"]["identification"] > 0
    with pytest.raises(ScenarioExists):
        seed_procedures_liaoyuan_2019()
