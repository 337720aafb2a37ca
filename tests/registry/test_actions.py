"""Registry actions: validation in Chinese naming the field, nothing half-saved, jurisdiction, history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.helpers import household, make_id, member
from tuopin.core.crypto import decrypt
from tuopin.core.models import AuditEvent
from tuopin.registry import actions
from tuopin.registry.models import Household, HouseholdYear, Member, MemberYear


def _counts():
    return (
        Household.objects.count(),
        Member.objects.count(),
        MemberYear.objects.count(),
        HouseholdYear.objects.count(),
        AuditEvent.objects.count(),
    )


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize(
    ("members", "extra", "field"),
    [
        (
            [member("甲"), {"name": "乙", "id_number": "220422195001010011", "relation": "02"}],
            {},
            "members[1].id_number",
        ),
        ([member("甲"), member("乙", "77")], {}, "members[1].relation"),
        ([member("甲")], {"main_cause": "42"}, "main_cause"),
        ([member("甲")], {"main_cause": ""}, "main_cause"),
        ([member("甲")], {"other_causes": ["1"], "main_cause": "1"}, "other_causes"),
        ([member("甲"), member("乙", "02", birth="1962-01-01", gender="1", male=False)], {}, "members[1].gender"),
        ([member("甲", birth_date="1961-05-01")], {}, "members[0].birth_date"),
        ([member("甲", "02")], {}, "members"),
        ([member("甲"), member("乙")], {}, "members"),
        ([member("甲", ethnicity="77")], {}, "members[0].ethnicity"),
        ([member("")], {}, "members[0].name"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(clerk_a, regions, members, extra, field):
    before = _counts()
    with pytest.raises(ValidationError) as err:
        household(clerk_a, regions["a"], members=members, **extra)
    assert field in err.value.message_dict, err.value.message_dict
    assert all(_has_chinese(m) for m in err.value.message_dict[field])
    assert _counts() == before


def test_person_already_in_another_household(clerk_a, regions):
    pid = make_id("1944-04-04")
    first = household(clerk_a, regions["a"], members=[{"name": "甲", "id_number": pid, "relation": "01"}])
    before = _counts()
    with pytest.raises(ValidationError) as err:
        household(clerk_a, regions["a"], members=[member("乙"), {"name": "甲", "id_number": pid, "relation": "02"}])
    assert first.number in err.value.message_dict["members[1].id_number"][0]
    assert _counts() == before


def test_moved_out_person_may_join_another_household(clerk_a, regions):
    pid = make_id("1990-04-04")
    h1 = household(clerk_a, regions["a"], members=[member("户主"), {"name": "甲", "id_number": pid, "relation": "03"}])
    actions.remove_member(h1.members.get(name="甲"), actor=clerk_a, reason="moved_out", date=dt.date(2019, 3, 1))
    h2 = household(clerk_a, regions["a"], members=[{"name": "甲", "id_number": pid, "relation": "01"}])
    assert h2.member_count == 1
    h1.refresh_from_db()
    assert h1.member_count == 1


def test_id_stored_encrypted_with_mask(clerk_a, regions):
    pid = make_id("1958-08-08")
    h = household(clerk_a, regions["a"], members=[{"name": "甲", "id_number": pid, "relation": "01"}])
    m = h.members.get()
    assert pid not in m.id_enc and decrypt(m.id_enc) == pid
    assert m.id_mask == pid[:6] + "********" + pid[-4:]
    assert m.birth_date == dt.date(1958, 8, 8) and m.gender == "1"


def test_outsider_cannot_change_or_move_into_village_a(actors, regions):
    clerk_a, outsider = actors["clerk_a"], actors["outsider"]
    h = household(clerk_a, regions["a"])
    before = _counts()
    with pytest.raises(PermissionDenied):
        actions.update_household(h, actor=outsider, address="x")
    with pytest.raises(PermissionDenied):
        actions.add_member(h, actor=outsider, year=2019, **member("丙", "03", birth="2010-01-01"))
    with pytest.raises(PermissionDenied):
        actions.move_household(h, actor=clerk_a, village=regions["b"])  # B is outside clerk A's village
    assert _counts() == before
    reviewer = actors["reviewer"]
    moved = actions.move_household(h, actor=reviewer, village=regions["b"])
    assert moved.village_id == regions["b"].code
    assert Household.objects.visible_to(outsider).filter(pk=h.pk).exists()


def test_read_only_roles_cannot_write(actors, regions):
    with pytest.raises(PermissionDenied):
        household(actors["leader"], regions["a"])
    with pytest.raises(PermissionDenied):
        household(actors["sysadmin"], regions["a"])


def test_stale_edit_refused(clerk_a, regions):
    h = household(clerk_a, regions["a"])
    version = h.version
    actions.update_household(h, actor=clerk_a, expected_version=version, address="1组")
    with pytest.raises(ValidationError) as err:
        actions.update_household(h, actor=clerk_a, expected_version=version, address="2组")
    assert err.value.code == "stale"
    h.refresh_from_db()
    assert h.address == "1组"


def test_year_income_arithmetic(clerk_a, regions):
    h = household(clerk_a, regions["a"])
    row = actions.set_household_year(
        h,
        actor=clerk_a,
        year=2019,
        wage_income="5000",
        business_income="2000.10",
        property_income=1000,
        transfer_income="1200",
        business_expenses="800.05",
    )
    assert row.net_income == Decimal("8400.05")
    assert row.net_income_per_capita == Decimal("4200.03")  # 8400.05 / 2, half-up


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("wage_income", "-1"),
        ("wage_income", "abc"),
        ("wage_income", "99999999"),
        ("housing_safety", "E"),
        ("water_trip_minutes", "-3"),
        ("water_litres_per_day", "40000"),  # beyond the column's type: refused, not a database error
        ("housing_area", "NaN"),
        ("water_shortage_days", "400"),
        ("housing_built_year", "1800"),
        ("water_piped", "maybe"),  # yes/no words only, never bool("maybe")
        ("nonsense", 1),
    ],
)
def test_year_bad_values(clerk_a, regions, field, value):
    h = household(clerk_a, regions["a"])
    with pytest.raises(ValidationError) as err:
        actions.set_household_year(h, actor=clerk_a, year=2019, **{field: value})
    assert field in err.value.message_dict


def test_status_history_and_transitions(clerk_a, regions):
    h = household(clerk_a, regions["a"])
    actions.change_status(h, actor=clerk_a, to_status="exited", year=2019, reason="经评估达到退出标准")
    with pytest.raises(ValidationError):
        actions.change_status(h, actor=clerk_a, to_status="poor", year=2019, reason="x")
    actions.change_status(h, actor=clerk_a, to_status="relapsed", year=2020, reason="因病返贫")
    h.refresh_from_db()
    assert (h.status, h.status_year) == ("relapsed", 2020)
    assert list(h.status_changes.values_list("to_status", flat=True)) == ["poor", "exited", "relapsed"]


def test_head_cannot_be_removed_and_deceased_member_recorded(clerk_a, regions):
    h = household(clerk_a, regions["a"])
    head = h.members.get(relation="01")
    with pytest.raises(ValidationError):
        actions.remove_member(head, actor=clerk_a, reason="deceased", date=dt.date(2019, 1, 1))
    other = h.members.exclude(relation="01").get()
    actions.remove_member(other, actor=clerk_a, reason="deceased", date=dt.date(2019, 6, 1))
    other.refresh_from_db()
    h.refresh_from_db()
    assert not other.is_current and other.deceased_on == dt.date(2019, 6, 1) and h.member_count == 1


def test_update_member_identity_cross_checked(clerk_a, regions):
    h = household(clerk_a, regions["a"])
    m = h.members.exclude(relation="01").get()
    with pytest.raises(ValidationError) as err:
        actions.update_member(m, actor=clerk_a, birth_date="1999-01-01")
    assert "birth_date" in err.value.message_dict
    updated = actions.update_member(m, actor=clerk_a, year=2019, school_status="1", health="2", name="赵家堡")
    assert updated.name == "赵家堡"
    assert MemberYear.objects.get(member=m, year=2019).health == "2"


def test_reveal_requires_permission_and_reason(actors, regions):
    h = household(actors["clerk_a"], regions["a"])
    m = h.members.first()
    with pytest.raises(PermissionDenied):
        actions.reveal_id_number(m, actor=actors["clerk_a"], reason="核对")
    with pytest.raises(ValidationError):
        actions.reveal_id_number(m, actor=actors["approver"], reason="")
    before = AuditEvent.objects.count()
    assert actions.reveal_id_number(m, actor=actors["approver"], reason="核对低保名单") == decrypt(m.id_enc)
    assert AuditEvent.objects.count() == before + 1


def test_duplicate_message_does_not_reveal_other_jurisdictions(actors, regions):
    pid = make_id("1947-07-07")
    household(actors["clerk_c"], regions["c"], members=[{"name": "甲", "id_number": pid, "relation": "01"}])
    with pytest.raises(ValidationError) as err:
        household(actors["clerk_a"], regions["a"], members=[{"name": "甲", "id_number": pid, "relation": "01"}])
    message = err.value.message_dict["members[0].id_number"][0]
    assert "其他地区" in message and "220421" not in message


def test_outsider_cannot_register_a_household_in_village_a(outsider, regions):
    before = _counts()
    with pytest.raises(PermissionDenied):
        household(outsider, regions["a"])
    assert _counts() == before
