"""/api/members/: list, detail, add, PATCH, remove, reveal-id; masking of ID, birth date and health detail."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.conftest import ID_RE
from tests.helpers import household, make_id, member
from tuopin.core.models import AuditEvent
from tuopin.registry.models import Member, MemberYear

pytestmark = pytest.mark.django_db

URL = "/api/members/"


@pytest.fixture
def home(actors, regions):
    return household(
        actors["clerk_a"],
        regions["a"],
        members=[
            member("周大", birth="1955-04-06"),
            member("周小", "03", birth="1990-09-10", health="4", disability_category="4", disability_grade="2"),
        ],
    )


def test_list_and_detail_mask_identity(api, actors, home):
    c = api("clerk_a")
    r = c.get(URL)
    assert r.status_code == 200 and r.json()["count"] == 2
    row = r.json()["results"][0]
    assert row["id_mask"].startswith("220422") and "*" * 8 in row["id_mask"]
    assert row["birth_date"] is None and row["age"] >= 60
    assert row["household_number"] == home.number
    son = home.members.get(relation="03")
    r = c.get(f"{URL}{son.pk}/")
    assert r.status_code == 200
    year = r.json()["years"][0]
    # the health status (残疾) for every role; the disability category and grade only with VIEW_HEALTH_DETAIL
    assert year["health"] == "4" and year["disability_category"] is None and year["disability_grade"] is None
    assert "1990-09-10" not in r.content.decode()


def test_plaintext_and_health_roles_see_birth_date_and_grade(api, actors, home):
    son = home.members.get(relation="03")
    r = api("approver").get(f"{URL}{son.pk}/")
    assert r.status_code == 200
    assert not ID_RE.search(r.content.decode())  # even for the approver, only reveal-id shows the number
    assert r.json()["birth_date"] == "1990-09-10"
    assert r.json()["years"][0]["disability_grade"] == "2"
    # Household detail applies the same rules to nested members.
    r = api("clerk_a").get(f"/api/households/{home.pk}/")
    nested = {m["name"]: m for m in r.json()["members"]}
    assert nested["周小"]["years"][0]["disability_grade"] is None and nested["周小"]["birth_date"] is None


def test_list_filters(api, actors, regions, home):
    other = household(actors["clerk_a"], regions["a"])
    c = api("clerk_a")
    r = c.get(URL, {"household": other.pk})
    assert {m["household"] for m in r.json()["results"]} == {other.pk}
    son = home.members.get(relation="03")
    c.post(f"{URL}{son.pk}/remove/", {"reason": "moved_out", "date": "2020-03-01"})
    assert [m["name"] for m in c.get(URL, {"current": "false"}).json()["results"]] == ["周小"]
    assert "周小" not in [m["name"] for m in c.get(URL, {"current": "true"}).json()["results"]]


def test_add_member(api, actors, home):
    c = api("clerk_a")
    before = AuditEvent.objects.count()
    body = {
        "household": home.pk,
        "year": 2019,
        "name": "周孙",
        "id_number": make_id("2015-01-02"),
        "relation": "07",
        "school_status": "2",
    }
    r = c.post(URL, body)
    assert r.status_code == 201, r.json()
    assert r.json()["name"] == "周孙" and r.json()["years"][0]["school_status"] == "2"
    assert AuditEvent.objects.count() == before + 1
    home.refresh_from_db()
    assert home.member_count == 3 and home.version == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id_number": "bad-checksum"}, "id_number"),
        ({"birth_date": "2015-01-03"}, "birth_date"),
        ({"relation": "01"}, "members"),  # a second head
        ({"relation": "00"}, "relation"),
        ({"year": None}, "year"),
        ({"migrant_months": 13}, "migrant_months"),
        ({"disability_category": "4"}, "disability_grade"),
        ({"household": 999999}, "household"),
        ({"is_current": False}, "is_current"),
    ],
)
def test_add_member_bad_input(api, actors, home, change, field):
    body = {"household": home.pk, "year": 2019, "name": "周孙", "id_number": make_id("2015-01-02"), "relation": "07"}
    body.update(change)
    if body["id_number"] == "bad-checksum":
        good = make_id("2015-01-02")
        body["id_number"] = good[:-1] + ("1" if good[-1] == "0" else "0")
    before = (Member.objects.count(), AuditEvent.objects.count())
    r = api("clerk_a").post(URL, body)
    assert r.status_code == 400 and field in r.json(), r.json()
    assert (Member.objects.count(), AuditEvent.objects.count()) == before


def test_add_member_person_in_other_household(api, actors, regions, home):
    taken = home.members.get(relation="03")
    other = household(actors["clerk_a"], regions["a"])
    r = api("approver").post(f"{URL}{taken.pk}/reveal-id/", {"reason": "核对重复登记"})
    pid = r.json()["id_number"]
    r = api("clerk_a").post(
        URL, {"household": other.pk, "year": 2019, "name": "周小", "id_number": pid, "relation": "03"}
    )
    assert r.status_code == 400 and "id_number" in r.json()
    assert other.members.count() == 2


def test_add_member_to_invisible_household_reads_as_missing(api, actors, home):
    body = {"household": home.pk, "year": 2019, "name": "外人", "id_number": make_id("2000-01-01"), "relation": "99"}
    r = api("outsider").post(URL, body)
    missing = api("outsider").post(URL, {**body, "household": 987654})
    assert r.status_code == missing.status_code == 400
    assert r.json()["household"] == [m.replace("987654", str(home.pk)) for m in missing.json()["household"]]
    assert home.members.count() == 2


def test_patch_member_identity_and_year(api, actors, home):
    son = home.members.get(relation="03")
    c = api("clerk_a")
    before = AuditEvent.objects.count()
    r = c.patch(
        f"{URL}{son.pk}/", {"name": "周晓", "year": 2020, "labour": "2", "migrant_work": "4", "migrant_months": 8}
    )
    assert r.status_code == 200, r.json()
    assert r.json()["name"] == "周晓"
    assert {y["year"] for y in r.json()["years"]} == {2019, 2020}
    assert MemberYear.objects.get(member=son, year=2020).migrant_months == 8
    assert AuditEvent.objects.count() == before + 1
    # Year facts without a year, unknown fields and contradicting birth dates are refused.
    for payload, field in (
        ({"labour": "1"}, "year"),
        ({"household": home.pk + 1}, "household"),
        ({"is_current": False}, "is_current"),
        ({"id_mask": "x"}, "id_mask"),
        ({"birth_date": "1990-09-11"}, "birth_date"),
        ({"relation": "01"}, "members"),  # would make two heads
    ):
        r = c.patch(f"{URL}{son.pk}/", payload)
        assert r.status_code == 400 and field in r.json(), (payload, r.json())
    son.refresh_from_db()
    assert son.household_id == home.pk and son.is_current and son.relation == "03" and son.name == "周晓"
    assert AuditEvent.objects.count() == before + 1


def test_remove_member(api, actors, home):
    son = home.members.get(relation="03")
    head = home.members.get(relation="01")
    c = api("clerk_a")
    before = AuditEvent.objects.count()
    r = c.post(f"{URL}{head.pk}/remove/", {"reason": "deceased", "date": "2020-01-01"})
    assert r.status_code == 400 and "relation" in r.json()
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    assert c.post(f"{URL}{son.pk}/remove/", {"reason": "deceased", "date": future}).status_code == 400
    assert c.post(f"{URL}{son.pk}/remove/", {"reason": "eloped", "date": "2020-01-01"}).status_code == 400
    assert AuditEvent.objects.count() == before
    r = c.post(f"{URL}{son.pk}/remove/", {"reason": "deceased", "date": "2020-01-01"})
    assert r.status_code == 200 and r.json()["is_current"] is False and r.json()["deceased_on"] == "2020-01-01"
    assert AuditEvent.objects.count() == before + 1
    home.refresh_from_db()
    assert home.member_count == 1
    r = c.post(f"{URL}{son.pk}/remove/", {"reason": "deceased", "date": "2020-01-01"})
    assert r.status_code == 400 and "non_field_errors" in r.json()


def test_reveal_id_for_approver_with_reason(api, actors, home):
    son = home.members.get(relation="03")
    c = api("approver")
    before = AuditEvent.objects.count()
    assert c.post(f"{URL}{son.pk}/reveal-id/", {"reason": " "}).status_code == 400
    assert c.post(f"{URL}{son.pk}/reveal-id/", {}).status_code == 400
    assert AuditEvent.objects.count() == before
    r = c.post(f"{URL}{son.pk}/reveal-id/", {"reason": "医保报销核对身份"})
    assert r.status_code == 200
    number = r.json()["id_number"]
    assert ID_RE.fullmatch(number)  # the scanner used on every other response would catch this
    assert len(number) == 18 and number[:6] + "********" + number[-4:] == son.id_mask
    assert r["Cache-Control"] == "no-store"
    event = AuditEvent.objects.latest("seq")
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.object_id, event.actor_name) == ("member.reveal_id", str(son.pk), "approver")
    assert number not in event.summary


@pytest.mark.parametrize("role", ["clerk_a", "reviewer", "leader"])
def test_reveal_id_refused_without_permission(api, actors, home, role):
    son = home.members.get(relation="03")
    before = AuditEvent.objects.count()
    r = api(role).post(f"{URL}{son.pk}/reveal-id/", {"reason": "想看看"})
    assert r.status_code == 403
    assert AuditEvent.objects.count() == before
