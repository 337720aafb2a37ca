"""/api/households/: list, detail, create, PATCH with optimistic locking, status, years, audit trail."""

from __future__ import annotations

import pytest

from tests.helpers import household, make_id, member
from tuopin.core.models import AuditEvent
from tuopin.registry.models import Household, HouseholdYear, Member

pytestmark = pytest.mark.django_db

URL = "/api/households/"


def detail(h):
    return f"{URL}{h.pk}/"


def new_household_body(village="220422101201", **extra):
    return {
        "village": village,
        "identification_year": 2016,
        "year": 2019,
        "main_cause": "1",
        "other_causes": ["7"],
        "phone": "13812345678",
        "bank_account": "6217000012345678901",
        "members": [
            {"name": "钱大", "id_number": make_id("1958-02-03"), "relation": "01", "education": "2", "labour": "1"},
            {"name": "钱二", "id_number": make_id("1988-07-09", male=False), "relation": "04", "gender": "2"},
        ],
        **extra,
    }


def test_clerk_lists_and_reads_own_village(api, actors, regions):
    h = household(actors["clerk_a"], regions["a"], phone="13912345678", bank_account="6222020200112233445")
    c = api("clerk_a")
    r = c.get(URL)
    assert r.status_code == 200
    assert [row["number"] for row in r.json()["results"]] == [h.number]
    r = c.get(detail(h))
    assert r.status_code == 200
    body = r.json()
    assert body["phone_mask"] == "139****5678"
    assert body["bank_account_mask"].endswith("3445") and "6222020200112233445" not in r.content.decode()
    assert len(body["members"]) == 2 and body["members"][0]["id_mask"].startswith("220422********")
    assert body["years"][0]["year"] == 2019
    assert body["status_changes"][0]["to_status"] == "poor"
    for forbidden in ("id_enc", "id_hash", "phone_enc", "bank_account_enc", "bank_account_hash"):
        assert forbidden not in r.content.decode()


def test_list_filters_and_search(api, actors, regions):
    clerk = actors["clerk_a"]
    pid = make_id("1970-01-01")
    h1 = household(clerk, regions["a"], members=[member("孙立", id_number=pid)], main_cause="2")
    h2 = household(clerk, regions["a"], category="2")
    c = api("clerk_a")

    def numbers(**params):
        r = c.get(URL, params)
        assert r.status_code == 200
        return {row["number"] for row in r.json()["results"]}

    assert numbers(cause="2") == {h1.number}
    assert numbers(category="2") == {h2.number}
    assert numbers(status="poor") == {h1.number, h2.number}
    assert numbers(status="exited") == set()
    assert numbers(region="220422101") == {h1.number, h2.number}
    assert numbers(year=2019) == {h1.number, h2.number}
    assert numbers(year=2018) == set()
    assert numbers(search="孙立") == {h1.number}
    assert numbers(search=pid) == {h1.number}
    assert numbers(search=h2.number) == {h2.number}


def test_create_household(api, actors, regions):
    c = api("clerk_a")
    before = AuditEvent.objects.count()
    r = c.post(URL, new_household_body())
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["member_count"] == 2 and body["head_name"] == "钱大"
    assert body["phone_mask"] == "138****5678" and body["other_causes"] == ["7"]
    assert body["status"] == "poor" and body["version"] == 1
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("seq").action == "household.create"


def _bad_checksum(number):
    return number[:-1] + ("1" if number[-1] == "0" else "0")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda b: b["members"][0].update(id_number=_bad_checksum(b["members"][0]["id_number"])),
            "members[0].id_number",
        ),
        (lambda b: b.update(main_cause="42"), "main_cause"),
        (lambda b: b.update(other_causes=["1"]), "other_causes"),
        (lambda b: b["members"][0].update(relation="02"), "members"),
        (lambda b: b["members"][1].update(birth_date="1988-07-10"), "members[1].birth_date"),
        (lambda b: b["members"][1].update(gender="1"), "members[1].gender"),
        (lambda b: b["members"][1].update(relation="77"), "members[1].relation"),
        (lambda b: b.update(village="220422101000"), "village"),
        (lambda b: b.update(identification_year=1999), "identification_year"),
        (lambda b: b.update(members=[]), "members"),
        (lambda b: b.update(bank_account="12"), "bank_account"),
        (lambda b: b.update(other_causes=["7", "x"]), "other_causes[1]"),
        (lambda b: b["members"][1].update(id_enc="x", is_current=False), "members[1].id_enc"),
        (lambda b: b["members"][0].update(name=""), "members[0].name"),
    ],
)
def test_create_bad_input_is_400_with_field_and_saves_nothing(api, actors, regions, change, field):
    body = new_household_body()
    change(body)
    audit_before = AuditEvent.objects.count()
    r = api("clerk_a").post(URL, body)
    assert r.status_code == 400, r.content
    assert field in r.json(), r.json()
    assert all(isinstance(m, str) for m in r.json()[field])
    assert not Household.objects.exists() and not Member.objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_create_person_already_in_another_household(api, actors, regions):
    pid = make_id("1950-01-01")
    household(actors["clerk_a"], regions["a"], members=[{"name": "甲", "id_number": pid, "relation": "01"}])
    body = new_household_body()
    body["members"][1]["id_number"] = pid
    body["members"][1].pop("gender")
    r = api("clerk_a").post(URL, body)
    assert r.status_code == 400
    assert "members[1].id_number" in r.json()
    assert "已在户" in r.json()["members[1].id_number"][0]
    assert Household.objects.count() == 1


def test_create_refuses_unknown_fields(api, actors, regions):
    r = api("clerk_a").post(URL, new_household_body(status="exited", member_count=9, number="X1"))
    assert r.status_code == 400
    assert {"status", "member_count", "number"} <= set(r.json())
    assert not Household.objects.exists()


def test_create_out_of_jurisdiction_refused(api, actors, regions):
    for name in ("outsider", "clerk_c"):
        r = api(name).post(URL, new_household_body())
        assert r.status_code == 403, name
    assert not Household.objects.exists()


def test_patch_with_version(api, actors, regions):
    h = household(actors["clerk_a"], regions["a"])
    c = api("clerk_a")
    before = AuditEvent.objects.count()
    r = c.patch(
        detail(h), {"version": 1, "address": "大榆村三组5号", "other_causes": ["7", "9"], "phone": "13700001111"}
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["address"] == "大榆村三组5号" and body["version"] == 2 and body["phone_mask"] == "137****1111"
    assert AuditEvent.objects.count() == before + 1
    # The same version again is stale now: refused with 409, nothing changes, no audit row.
    r = c.patch(detail(h), {"version": 1, "address": "覆盖"})
    assert r.status_code == 409
    assert "已被他人修改" in r.json()["detail"]
    h.refresh_from_db()
    assert h.address == "大榆村三组5号" and h.version == 2
    assert AuditEvent.objects.count() == before + 1


def test_patch_requires_version(api, actors, regions):
    h = household(actors["clerk_a"], regions["a"])
    r = api("clerk_a").patch(detail(h), {"address": "x"})
    assert r.status_code == 400 and "version" in r.json()


@pytest.mark.parametrize(
    "extra",
    [
        {"status": "exited"},
        {"village": "220422101202"},
        {"member_count": 9},
        {"head_name": "某人"},
        {"number": "1"},
        {"id": 999},
        {"phone_enc": "x"},
        {"bank_account_hash": "x"},
        {"status_year": 2020},
    ],
)
def test_patch_mass_assignment_refused(api, actors, regions, extra):
    h = household(actors["clerk_a"], regions["a"])
    r = api("clerk_a").patch(detail(h), {"version": 1, "address": "新地址", **extra})
    assert r.status_code == 400
    assert set(extra) <= set(r.json())
    fresh = Household.objects.get(pk=h.pk)
    assert (fresh.status, fresh.village_id, fresh.member_count, fresh.version, fresh.address) == (
        "poor",
        "220422101201",
        2,
        1,
        "",
    )


def test_patch_bad_cause_is_400(api, actors, regions):
    h = household(actors["clerk_a"], regions["a"])
    r = api("clerk_a").patch(detail(h), {"version": 1, "main_cause": "1", "other_causes": ["1"]})
    assert r.status_code == 400 and "other_causes" in r.json()


def test_change_status(api, actors, regions):
    h = household(actors["clerk_a"], regions["a"])
    c = api("clerk_a")
    before = AuditEvent.objects.count()
    r = c.post(f"{detail(h)}status/", {"to_status": "exited", "year": 2019, "reason": "两不愁三保障达标，收入超过标准"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "exited" and r.json()["version"] == 2
    assert [s["to_status"] for s in r.json()["status_changes"]] == ["poor", "exited"]
    assert AuditEvent.objects.count() == before + 1
    r = c.post(f"{detail(h)}status/", {"to_status": "risk_cleared", "year": 2019, "reason": "x"})
    assert r.status_code == 400 and "to_status" in r.json()
    r = c.post(f"{detail(h)}status/", {"to_status": "relapsed", "year": 2020, "reason": " "})
    assert r.status_code == 400 and "reason" in r.json()
    assert AuditEvent.objects.count() == before + 1


def test_set_year(api, actors, regions):
    h = household(actors["clerk_a"], regions["a"])
    c = api("clerk_a")
    before = AuditEvent.objects.count()
    r = c.post(
        f"{detail(h)}years/",
        {
            "year": 2020,
            "wage_income": "6000",
            "business_income": "2000.50",
            "business_expenses": "500",
            "housing_safety": "B",
            "water_quality_ok": True,
        },
    )
    assert r.status_code == 200, r.json()
    assert r.json()["net_income"] == "7500.50" and r.json()["net_income_per_capita"] == "3750.25"
    assert AuditEvent.objects.count() == before + 1
    # Upsert: same year again updates the row.
    r = c.post(f"{detail(h)}years/", {"year": 2020, "wage_income": "8000"})
    assert r.status_code == 200 and r.json()["net_income"] == "9500.50"
    assert HouseholdYear.objects.filter(household=h, year=2020).count() == 1
    assert AuditEvent.objects.count() == before + 2
    bad_inputs = [
        ({"year": 2020, "wage_income": "-1"}, "wage_income"),
        ({"year": 2020, "housing_safety": "Z"}, "housing_safety"),
        ({"year": 2020, "housing_safety": "N", "housing_area": "40"}, "housing_area"),
        ({"year": 2020, "net_income": "1"}, "net_income"),  # computed, never written
        ({"wage_income": "1"}, "year"),
        ({"year": 2009}, "year"),
    ]
    for payload, field in bad_inputs:
        r = c.post(f"{detail(h)}years/", payload)
        assert r.status_code == 400 and field in r.json(), (payload, r.json())
    assert HouseholdYear.objects.get(household=h, year=2020).wage_income == 8000


def test_audit_trail(api, actors, regions):
    clerk = actors["clerk_a"]
    h = household(clerk, regions["a"])
    other = household(clerk, regions["a"])
    c = api("clerk_a")
    head = h.members.get(relation="01")
    c.patch(
        f"/api/members/{head.pk}/", {"year": 2019, "health": "4", "disability_category": "4", "disability_grade": "2"}
    )
    r = c.get(f"{detail(h)}audit/")
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [row["action"] for row in rows] == ["member.update", "household.create"]
    assert all(row["object_id"] != str(other.pk) or row["object_type"] != "registry.household" for row in rows)
    assert rows[0]["changes"]["year_2019"]["disability_grade"] is None  # withheld from the clerk (FIELD_CAPABILITIES)
    assert rows[0]["changes"]["year_2019"]["disability_category"] is None
    assert rows[0]["changes"]["year_2019"]["health"] == ["1", "4"]
    # The approver (health detail) sees the grade change itself.
    r = api("approver").get(f"{detail(h)}audit/")
    assert r.status_code == 200 and "disability_grade" in r.content.decode()
    assert r.json()["results"][0]["changes"]["year_2019"]["disability_grade"] == ["", "2"]


def test_no_put_or_delete(api, actors, regions):
    h = household(actors["clerk_a"], regions["a"])
    c = api("clerk_a")
    assert c.put(detail(h), {"version": 1}).status_code == 405
    assert c.delete(detail(h)).status_code == 405
    assert Household.objects.filter(pk=h.pk).exists()
