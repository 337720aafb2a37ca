"""Responsibility, pairing (overlaps refused), visits and coverage counted from records; API scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.helpers import household, member
from tuopin.assistance import actions as a
from tuopin.assistance.queries import annual_figures, household_coverage, households_to_visit, village_coverage
from tuopin.core.models import AuditEvent

D = dt.date


@pytest.fixture
def homes(clerk_a, regions, outsider):
    h1 = household(clerk_a, regions["a"], members=[member("甲一", birth="1950-01-01")])
    h2 = household(clerk_a, regions["a"], members=[member("甲二", birth="1951-01-01")])
    hb = household(outsider, regions["b"], members=[member("乙一", birth="1952-01-01")])
    return h1, h2, hb


@pytest.fixture
def cadre(actors, regions):
    return a.add_cadre(
        actor=actors["approver"],
        region=regions["county"],
        name="刘志强",
        unit="县农业农村局",
        unit_level="county",
        phone="13904371234",
    )


def test_overlapping_pairing_refused(homes, cadre, actors):
    h1, _h2, _hb = homes
    clerk = actors["clerk_a"]
    a.pair(actor=clerk, cadre=cadre, household=h1, start=D(2018, 1, 1), end=D(2019, 6, 30))
    with pytest.raises(ValidationError) as exc:
        a.pair(actor=clerk, cadre=cadre, household=h1, start=D(2019, 6, 1))
    assert "时间重叠" in str(exc.value)
    a.pair(actor=clerk, cadre=cadre, household=h1, start=D(2019, 7, 1))  # after the first ended: fine
    with pytest.raises(ValidationError):
        a.pair(actor=clerk, cadre=cadre, household=h1, start=D(2017, 1, 1), end=D(2018, 2, 1))


def test_outsider_cannot_pair_or_visit(homes, cadre, actors):
    h1, _h2, _hb = homes
    with pytest.raises(PermissionDenied):
        a.pair(actor=actors["outsider"], cadre=cadre, household=h1, start=D(2019, 1, 1))
    with pytest.raises(PermissionDenied):
        a.record_visit(actor=actors["outsider"], cadre=cadre, household=h1, date=D(2019, 3, 1), content="走访")


def test_household_and_village_coverage(homes, cadre, actors, regions):
    h1, h2, hb = homes
    clerk, approver = actors["clerk_a"], actors["approver"]
    other = a.add_cadre(actor=approver, region=regions["county"], name="王德", unit="县教育局", unit_level="county")
    a.pair(actor=clerk, cadre=cadre, household=h1, start=D(2018, 1, 1))
    a.pair(actor=clerk, cadre=cadre, household=h2, start=D(2018, 1, 1))
    a.pair(actor=actors["outsider"], cadre=cadre, household=hb, start=D(2018, 1, 1))
    before = AuditEvent.objects.count()
    a.record_visit(actor=clerk, cadre=cadre, household=h1, date=D(2019, 3, 1), content="入户走访")
    assert AuditEvent.objects.count() == before + 1
    a.record_visit(actor=clerk, cadre=other, household=h2, date=D(2019, 3, 1), content="非结对干部走访")  # not counted
    a.record_visit(actor=clerk, cadre=cadre, household=h2, date=D(2018, 3, 1), content="去年走访")  # other year
    cov = household_coverage("220422101", 2019)
    assert (cov["total"], cov["visited"], cov["paired"]) == (3, 1, 3)
    assert str(cov["share"]) == "0.3333"
    assert set(households_to_visit(clerk, 2019)) == {h2}
    a.record_leader_visit(
        actor=approver,
        region=regions["a"],
        date=D(2019, 5, 1),
        leader="县委书记甲",
        level=3,
        kind="visit",
        content="遍访",
    )
    a.record_leader_visit(
        actor=approver,
        region=regions["a"],
        date=D(2019, 5, 2),
        leader="县长乙",
        level=3,
        kind="research",
        content="调研",
    )
    vc = village_coverage("220422", 2019)
    assert (vc[3]["total"], vc[3]["visited"]) == (2, 1)
    assert vc[3]["unvisited"] == [("220422101202", "小榆村")]
    assert vc[2]["visited"] == 0 and len(vc[2]["unvisited"]) == 2


def test_annual_figures_and_letters(actors, regions, homes, cadre):
    leader, approver = actors["leader"], actors["approver"]
    a.set_secretary(actor=leader, region=regions["city"], year=2019, name="市委书记", post="市委书记")
    a.set_secretary(actor=approver, region=regions["county"], year=2019, name="县委书记", post="县委书记")
    a.sign_letter(
        actor=leader,
        year=2019,
        upper_region=regions["city"],
        lower_region=regions["county"],
        upper_party="市委市政府",
        lower_party="东辽县委县政府",
        signed_on=D(2019, 3, 6),
    )
    with pytest.raises(ValidationError):
        a.sign_letter(
            actor=leader,
            year=2019,
            upper_region=regions["city"],
            lower_region=regions["county"],
            upper_party="市委市政府",
            lower_party="东辽县委县政府",
            signed_on=D(2019, 3, 6),
        )
    with pytest.raises(ValidationError):  # the lower party must be below the upper one
        a.sign_letter(
            actor=leader,
            year=2019,
            upper_region=regions["county"],
            lower_region=regions["c"],
            upper_party="x",
            lower_party="y",
            signed_on=D(2019, 3, 6),
        )
    a.record_action(
        actor=approver,
        unit="县农业农村局",
        kind="funds",
        date=D(2019, 6, 1),
        household=homes[0],
        amount="2000",
        description="资金帮扶",
        cadre=cadre,
    )
    f = annual_figures(regions["city"], 2019)
    assert f["letters"] == 1 and f["secretaries"][2] == 1 and f["secretaries"][3] == 1
    assert f["assistance_actions"] == 1 and str(f["assistance_amount"]) == "2000.00"


def test_api_scoped(api, actors, regions, homes, cadre):
    h1, _h2, _hb = homes
    r = api("clerk_a").post("/api/assistance/pairings/", {"cadre": cadre.pk, "household": h1.pk, "start": "2019-01-01"})
    assert r.status_code == 201, r.content
    r = api("clerk_a").post(
        "/api/assistance/visits/", {"cadre": cadre.pk, "household": h1.pk, "date": "2019-02-01", "content": "走访"}
    )
    assert r.status_code == 201
    visit_id = r.json()["id"]
    assert api("outsider").get(f"/api/assistance/visits/{visit_id}/").status_code == 404
    assert api("outsider").get("/api/assistance/visits/").json()["count"] == 0
    assert (
        api("outsider")
        .post("/api/assistance/visits/", {"cadre": cadre.pk, "household": h1.pk, "date": "2019-02-01", "content": "x"})
        .status_code
        == 404
    )
    body = api("clerk_a").get("/api/assistance/cadres/").content.decode()
    assert "13904371234" not in body
    r = api("approver").get("/api/assistance/figures/", {"region": "220422", "year": 2019})
    assert r.status_code == 200 and r.json()["household_coverage"]["total"] == 3
    assert api("clerk_c").get("/api/assistance/figures/", {"region": "220422", "year": 2019}).status_code == 404
    assert api("clerk_a").get("/assistance/").status_code == 200
