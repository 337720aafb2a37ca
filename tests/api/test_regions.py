"""/api/regions/: only the caller's jurisdiction (plus, on request, the regions above it)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/regions/"


def codes(response):
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return [r["code"] for r in rows]


def test_clerk_sees_own_village_only(api, regions):
    c = api("clerk_a")
    assert codes(c.get(URL)) == ["220422101201"]
    assert c.get(f"{URL}220422101201/").json()["name"] == "大榆村"
    assert c.get(f"{URL}220422101202/").status_code == 404
    assert c.get(f"{URL}220421102201/").status_code == 404


def test_ancestors_on_request(api, regions):
    c = api("clerk_a")
    assert codes(c.get(URL, {"ancestors": "true"})) == [
        "220000000000",
        "220400000000",
        "220422000000",
        "220422101000",
        "220422101201",
    ]
    # An ancestor can be read by code for its name, and its children lead down to the jurisdiction only.
    assert c.get(f"{URL}220422101000/").status_code == 200
    assert codes(c.get(f"{URL}220422101000/children/")) == ["220422101201"]
    assert codes(c.get(f"{URL}220422000000/children/")) == ["220422101000"]


def test_reviewer_filters(api, regions):
    c = api("reviewer")
    assert codes(c.get(URL, {"level": 5})) == ["220422101201", "220422101202"]
    assert codes(c.get(URL, {"parent": "220422101000"})) == ["220422101201", "220422101202"]
    assert codes(c.get(URL, {"q": "小榆"})) == ["220422101202"]
    assert codes(c.get(f"{URL}220422101000/children/")) == ["220422101201", "220422101202"]
    row = c.get(f"{URL}220422101202/").json()
    assert row == {
        "code": "220422101202",
        "name": "小榆村",
        "level": 5,
        "level_label": "村（社区）",
        "parent": "220422101000",
        "is_synthetic": True,
    }


def test_leader_sees_city_not_other_cities(api, regions):
    c = api("leader")
    r = c.get(URL, {"level": 3})
    assert r.status_code == 200
    assert all(code.startswith("2204") for code in codes(r)) and "220422000000" in codes(r)
    assert c.get(f"{URL}220100000000/").status_code == 404


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditadmin"])
def test_admins_see_no_regions(api, regions, role):
    c = api(role)
    assert codes(c.get(URL)) == []
    assert c.get(f"{URL}220422101201/").status_code == 404


def test_read_only(api, regions):
    c = api("approver")
    assert c.post(URL, {"code": "220422101299", "name": "新村"}).status_code == 405
    assert c.patch(f"{URL}220422101201/", {"name": "改"}).status_code == 405
