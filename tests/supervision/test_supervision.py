"""Findings, rectification, 销号, overdue flags, accountability and recognition counted per year and region."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuopin.accounts.models import User
from tuopin.accounts.roles import Role
from tuopin.supervision import actions as s
from tuopin.supervision.queries import annual_figures, overdue_findings

D = dt.date


@pytest.fixture
def inspector(regions):
    return User.objects.create(username="inspector", role=Role.INSPECTOR, jurisdiction=regions["city"])


@pytest.fixture
def findings(inspector, regions):
    insp = s.open_inspection(
        actor=inspector,
        region=regions["county"],
        kind="patrol",
        title="专项巡察",
        start=D(2019, 4, 1),
        end=D(2019, 6, 30),
        team="第一巡察组",
    )
    make = lambda deadline, region="town": s.record_finding(  # noqa: E731
        actor=inspector,
        inspection=insp,
        region=regions[region],
        category="funds",
        description="资金拨付滞后",
        responsible_unit="渭津镇政府",
        found_on=D(2019, 6, 1),
        deadline=deadline,
    )
    return make(D(2019, 7, 1)), make(D(2019, 8, 1)), make(D(2099, 1, 1)), insp


def test_rectify_close_and_overdue(findings, inspector, actors, regions):
    late, on_time, future, insp = findings
    reviewer = actors["reviewer"]
    with pytest.raises(ValidationError):  # no rectification reported yet
        s.close_finding(on_time, actor=inspector, note="同意销号", date=D(2019, 7, 20))
    s.report_rectification(on_time, actor=reviewer, measures="已拨付到位", evidence="拨付凭证", date=D(2019, 7, 10))
    with pytest.raises(PermissionDenied):
        s.close_finding(on_time, actor=reviewer, note="自己销号")
    s.close_finding(on_time, actor=inspector, note="整改到位，同意销号", date=D(2019, 7, 20))
    overdue = list(overdue_findings(reviewer, today=D(2019, 9, 1)))
    assert overdue == [late]
    f = annual_figures(regions["city"], 2019, today=D(2019, 9, 1))
    assert f["findings"] == {"total": 3, "closed": 1, "overdue": 1} and f["inspections"] == 1
    assert list(overdue_findings(actors["outsider"], today=D(2019, 9, 1))) == []
    with pytest.raises(ValidationError):  # outside the inspection's scope
        s.record_finding(
            actor=inspector,
            inspection=insp,
            region=regions["c"],
            category="funds",
            description="x",
            responsible_unit="y",
            found_on=D(2019, 6, 1),
            deadline=D(2019, 7, 1),
        )


def test_accountability_and_recognition_counted(inspector, regions, actors):
    for kind, n in (("exposed", 2), ("disciplined", 3), ("admonished", 1), ("interviewed", 4)):
        for i in range(n):
            s.record_accountability(
                actor=inspector,
                region=regions["county"],
                kind=kind,
                subject=f"对象{i}",
                description="作风问题",
                date=D(2019, 5, 1),
            )
    s.record_accountability(
        actor=inspector, region=regions["c"], kind="exposed", subject="东丰", description="x", date=D(2019, 5, 1)
    )
    s.record_accountability(
        actor=inspector, region=regions["county"], kind="exposed", subject="去年", description="x", date=D(2018, 5, 1)
    )
    s.record_recognition(
        actor=inspector,
        region=regions["county"],
        kind="award",
        recipient_type="person",
        recipient="王某",
        title="省脱贫攻坚奖",
        date=D(2019, 11, 1),
    )
    s.record_recognition(
        actor=inspector,
        region=regions["county"],
        kind="award",
        recipient_type="organisation",
        recipient="大榆村党支部",
        title="省脱贫攻坚奖",
        date=D(2019, 11, 1),
    )
    s.record_recognition(
        actor=inspector,
        region=regions["county"],
        kind="promotion",
        recipient_type="person",
        recipient="李某",
        title="副镇长",
        date=D(2019, 11, 1),
    )
    f = annual_figures(regions["county"], 2019)
    assert (f["cases_exposed"], f["disciplined"], f["admonished"], f["interviewed"]) == (2, 3, 1, 4)
    assert (f["awarded_people"], f["awarded_organisations"], f["promoted"]) == (1, 1, 1)
    assert annual_figures(regions["city"], 2019)["cases_exposed"] == 3
    with pytest.raises(PermissionDenied):
        s.record_accountability(
            actor=actors["clerk_a"], region=regions["a"], kind="exposed", subject="x", description="y"
        )


def test_api(api, findings, inspector, actors):
    late, on_time, _future, _insp = findings
    r = api(actors["reviewer"]).get("/api/supervision/findings/", {"overdue": "1"})  # today: both deadlines passed
    assert r.status_code == 200 and [x["id"] for x in r.json()["results"]] == [late.pk, on_time.pk]
    assert api("outsider").get(f"/api/supervision/findings/{late.pk}/").status_code == 404
    r = api(actors["reviewer"]).post(f"/api/supervision/findings/{late.pk}/rectify/", {"measures": "已整改"})
    assert r.status_code == 200 and r.json()["status"] == "rectifying"
    r = api(actors["reviewer"]).post(f"/api/supervision/findings/{late.pk}/close/", {"note": "x"})
    assert r.status_code == 403
    r = api(inspector).post(f"/api/supervision/findings/{late.pk}/close/", {"note": "整改到位"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert api(actors["reviewer"]).get("/supervision/").status_code == 200
