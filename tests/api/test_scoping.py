"""Jurisdiction and role matrix over every registry endpoint (security.md §3: IDOR → 404).

The outsider (clerk of neighbouring village B), the other county's clerk and the three system
administrators get 404 on every object endpoint of village A and never see A's rows in lists or
search, exact ID search included; the leader sees the whole city but cannot write (403); an
anonymous caller gets 401. Nothing changes and no audit row is written by any refused call.
"""

from __future__ import annotations

import pytest

from tests.helpers import household, make_id, member
from tuopin.core.models import AuditEvent
from tuopin.registry.models import Household, HouseholdYear, Member

pytestmark = pytest.mark.django_db

BLIND = ["outsider", "clerk_c", "sysadmin", "secadmin", "auditadmin"]


@pytest.fixture
def village_a(actors, regions):
    pid = make_id("1962-06-07")
    h = household(
        actors["clerk_a"], regions["a"], members=[member("吴一", id_number=pid), member("吴二", "02", male=False)]
    )
    return {"household": h, "member": h.members.get(relation="01"), "pid": pid}


def object_calls(h, m):
    """Every (method, path, body) on one household or member, reads and writes."""
    return [
        ("get", f"/api/households/{h.pk}/", None),
        ("patch", f"/api/households/{h.pk}/", {"version": 1, "address": "x"}),
        ("post", f"/api/households/{h.pk}/status/", {"to_status": "exited", "year": 2019, "reason": "达标"}),
        ("post", f"/api/households/{h.pk}/years/", {"year": 2019, "wage_income": "100"}),
        ("get", f"/api/households/{h.pk}/audit/", None),
        ("get", f"/api/members/{m.pk}/", None),
        ("patch", f"/api/members/{m.pk}/", {"name": "改名"}),
        ("post", f"/api/members/{m.pk}/remove/", {"reason": "moved_out", "date": "2020-01-01"}),
        ("post", f"/api/members/{m.pk}/reveal-id/", {"reason": "核对身份"}),
    ]


def _state():
    return (
        list(Household.objects.values_list("pk", "version", "status", "address")),
        list(Member.objects.values_list("pk", "name", "is_current")),
        list(HouseholdYear.objects.values_list("pk", "wage_income")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("role", BLIND)
def test_out_of_jurisdiction_is_404_everywhere(api, village_a, role):
    c = api(role)
    before = _state()
    for method, path, body in object_calls(village_a["household"], village_a["member"]):
        r = getattr(c, method)(path, body) if body is not None else getattr(c, method)(path)
        assert r.status_code == 404, (role, method, path, r.status_code)
    assert _state() == before


@pytest.mark.parametrize("role", BLIND)
def test_out_of_jurisdiction_never_listed_or_found(api, village_a, role):
    c = api(role)
    h = village_a["household"]
    for params in (
        {},
        {"search": village_a["pid"]},
        {"search": "吴一"},
        {"search": h.number},
        {"region": "220422101201"},
    ):
        r = c.get("/api/households/", params)
        assert r.status_code == 200 and r.json()["count"] == 0, (role, params)
    assert c.get("/api/members/").json()["count"] == 0
    assert c.get("/api/members/", {"household": h.pk}).json()["count"] == 0


def test_outsider_sees_own_village_only(api, actors, regions, village_a):
    mine = household(actors["outsider"], regions["b"])
    r = api("outsider").get("/api/households/")
    assert [row["id"] for row in r.json()["results"]] == [mine.pk]
    # ...and cannot move or write anything into village A through their own household's endpoints.
    r = api("outsider").patch(f"/api/households/{mine.pk}/", {"version": 1, "village": "220422101201"})
    assert r.status_code == 400 and Household.objects.get(pk=mine.pk).village_id == "220422101202"


def test_wider_roles_see_village_a(api, village_a):
    h = village_a["household"]
    for role in ("reviewer", "approver", "leader"):
        c = api(role)
        assert c.get("/api/households/").json()["count"] == 1, role
        assert c.get("/api/households/", {"search": village_a["pid"]}).json()["count"] == 1, role
        assert c.get(f"/api/households/{h.pk}/").status_code == 200, role
        assert c.get(f"/api/members/{village_a['member'].pk}/").status_code == 200, role


def test_leader_reads_but_cannot_write(api, village_a):
    c = api("leader")
    before = _state()
    for method, path, body in object_calls(village_a["household"], village_a["member"]):
        r = getattr(c, method)(path, body) if body is not None else getattr(c, method)(path)
        assert r.status_code == (200 if method == "get" else 403), (method, path, r.status_code)
    body = {
        "village": "220422101201",
        "identification_year": 2016,
        "main_cause": "1",
        "members": [{"name": "新", "id_number": make_id("1970-01-01"), "relation": "01"}],
    }
    assert c.post("/api/households/", body).status_code == 403
    member_body = {
        "household": village_a["household"].pk,
        "year": 2019,
        "name": "新",
        "id_number": make_id("2001-01-01"),
        "relation": "03",
    }
    assert c.post("/api/members/", member_body).status_code == 403
    assert _state() == before


def test_reviewer_writes_inside_township(api, village_a):
    h = village_a["household"]
    r = api("reviewer").patch(f"/api/households/{h.pk}/", {"version": 1, "group": "三组"})
    assert r.status_code == 200 and r.json()["group"] == "三组"


def test_admins_cannot_create(api, regions):
    body = {
        "village": "220422101201",
        "identification_year": 2016,
        "main_cause": "1",
        "members": [{"name": "新", "id_number": make_id("1970-01-01"), "relation": "01"}],
    }
    for role in ("sysadmin", "secadmin", "auditadmin"):
        assert api(role).post("/api/households/", body).status_code == 403
    assert not Household.objects.exists()


def test_anonymous_is_401(anon, village_a):
    h, m = village_a["household"], village_a["member"]
    for method, path, body in object_calls(h, m) + [
        ("get", "/api/households/", None),
        ("get", "/api/members/", None),
        ("get", "/api/regions/", None),
        ("post", "/api/households/", {}),
    ]:
        r = getattr(anon, method)(path, body) if body is not None else getattr(anon, method)(path)
        assert r.status_code == 401, (method, path)


def test_basic_auth_wrong_password_is_401(anon, actors):
    import base64

    token = base64.b64encode(b"clerk_a:wrong").decode()
    r = anon.get("/api/households/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert r.status_code == 401
