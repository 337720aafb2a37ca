"""The forms that change the registry: each POST calls an action and leaves exactly one audit row;
bad input re-renders with the Chinese message next to the field and nothing saved; roles without
EDIT_REGISTRY get 403; households outside the jurisdiction are 404; CSRF is enforced."""

from __future__ import annotations

import re

import pytest

from tests.helpers import make_id
from tuopin.core.models import AuditEvent
from tuopin.registry.models import Household, HouseholdYear, Member, MemberYear

from .conftest import FULL_ID, csrf_token

NEW = "/households/new/"


def create_data(members: list[dict], **header) -> dict:
    data = {
        "village": "220422101201",
        "group": "一组",
        "address": "",
        "identification_year": "2019",
        "year": "2019",
        "identification_standard": "1",
        "category": "1",
        "main_cause": "1",
        "other_cause_1": "",
        "other_cause_2": "",
        "phone": "",
        "bank_name": "",
        "bank_account": "",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "30",
        **header,
    }
    for i, m in enumerate(members):
        row = {"name": "", "id_number": "", "relation": "", "ethnicity": "01", "gender": "", "birth_date": ""}
        row.update(m)
        data.update({f"members-{i}-{k}": v for k, v in row.items()})
    return data


def field_block(body: str, name: str) -> str:
    """The HTML of the form field whose input is named ``name`` (its label, input and errors)."""
    start = body.index(f'name="{name}"')
    start = body.rindex('<div class="field', 0, start)
    end = body.index('<div class="field', start + 10) if '<div class="field' in body[start + 10 :] else len(body)
    return body[start:end]


def test_create_household(client_for, clerk_a):
    c = client_for(clerk_a)
    page = c.get(NEW).content.decode()
    assert "登记新户" in page and "大榆村" in page and "小榆村" not in page
    before = AuditEvent.objects.count()
    data = create_data(
        [
            {"name": "张大山", "id_number": make_id("1961-02-03"), "relation": "01"},
            {"name": "张小花", "id_number": make_id("1990-05-06", male=False), "relation": "04", "education": "4"},
            {},  # an empty row is ignored
        ],
        phone="139 0000 1111",
        bank_account="6217 0000 1111 2222",
        other_cause_1="8",
    )
    response = c.post(NEW, data)
    h = Household.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/households/{h.pk}/"
    assert h.member_count == 2 and h.head_name == "张大山" and h.other_cause_1 == "8"
    assert h.phone_mask == "139****1111"
    assert MemberYear.objects.get(member__name="张小花", year=2019).education == "4"
    assert AuditEvent.objects.count() == before + 1
    assert "已登记建档立卡户" in c.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"id_number": "220422196102030000"}, "members-0-id_number", "校验位错误"),
        ({"ethnicity": "77"}, "members-0-ethnicity", "民族的代码“77”不在国家代码表中"),
        ({"birth_date": "1961-02-04"}, "members-0-birth_date", "出生日期与公民身份号码不符"),
        ({"gender": "2"}, "members-0-gender", "性别与公民身份号码不符"),
        ({"name": ""}, "members-0-name", "请填写姓名"),
    ],
)
def test_create_bad_member_input(client_for, clerk_a, row, field, message):
    c = client_for(clerk_a)
    before = AuditEvent.objects.count()
    head = {"name": "张大山", "id_number": make_id("1961-02-03"), "relation": "01", **row}
    response = c.post(NEW, create_data([head]))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in field_block(body, field)
    assert "未保存" in body
    assert not Household.objects.exists() and not Member.objects.exists()
    assert AuditEvent.objects.count() == before


def test_create_unknown_cause_code(client_for, clerk_a):
    response = client_for(clerk_a).post(
        NEW, create_data([{"name": "张", "id_number": make_id(), "relation": "01"}], main_cause="55")
    )
    assert "主要致贫原因的代码“55”不在国家代码表中" in field_block(response.content.decode(), "main_cause")
    assert not Household.objects.exists()


def test_create_without_head(client_for, clerk_a):
    response = client_for(clerk_a).post(NEW, create_data([{"name": "李", "id_number": make_id(), "relation": "02"}]))
    body = response.content.decode()
    assert "每户必须有且只有一名户主" in body
    assert not Household.objects.exists()


def test_create_person_already_in_another_household(client_for, clerk_a, house_a, head_id):
    new_head = make_id("1970-01-01")
    response = client_for(clerk_a).post(
        NEW,
        create_data(
            [
                {"name": "新户主", "id_number": new_head, "relation": "01"},
                {"name": "王德福", "id_number": head_id, "relation": "11"},
            ]
        ),
    )
    body = response.content.decode()
    assert "此人已在户" in field_block(body, "members-1-id_number")
    assert Household.objects.count() == 1
    # The form gives back what the clerk typed (so nothing has to be typed twice), not stored numbers,
    # and is never cached.
    assert "no-store" in response["Cache-Control"]
    assert not FULL_ID.search(response.content.replace(head_id.encode(), b"").replace(new_head.encode(), b""))


def test_create_in_another_village_refused(client_for, outsider):
    response = client_for(outsider).post(
        NEW, create_data([{"name": "张", "id_number": make_id(), "relation": "01"}], village="220422101201")
    )
    assert response.status_code == 200
    assert "行政村" in response.content.decode() and not Household.objects.exists()


def test_edit_header_and_stale_version(client_for, clerk_a, house_a):
    c = client_for(clerk_a)
    edit = f"/households/{house_a.pk}/edit/"
    page = c.get(edit).content.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert "138****5678" in page and "13812345678" not in page  # phone never prefilled
    data = {
        "group": "四组",
        "address": "大榆村4号",
        "identification_year": "2016",
        "identification_standard": "1",
        "category": "2",
        "main_cause": "1",
        "other_cause_1": "",
        "other_cause_2": "",
        "phone": "",
        "bank_name": "农村信用社",
        "bank_account": "",
        "version": version,
    }
    before = AuditEvent.objects.count()
    response = c.post(edit, data)
    assert response.status_code == 302
    house_a.refresh_from_db()
    assert house_a.group == "四组" and house_a.category == "2" and house_a.phone_mask == "138****5678"
    assert AuditEvent.objects.count() == before + 1
    # Same (now stale) version again: refused with the Chinese message, nothing overwritten.
    response = c.post(edit, {**data, "group": "五组"})
    assert response.status_code == 200
    assert "该记录已被他人修改" in response.content.decode()
    house_a.refresh_from_db()
    assert house_a.group == "四组"
    assert AuditEvent.objects.count() == before + 1


def test_edit_header_bad_cause(client_for, clerk_a, house_a):
    c = client_for(clerk_a)
    response = c.post(
        f"/households/{house_a.pk}/edit/",
        {
            "identification_year": "2016",
            "identification_standard": "1",
            "category": "1",
            "main_cause": "1",
            "other_cause_1": "1",
            "version": str(house_a.version),
        },
    )
    assert "不能与主要致贫原因重复" in field_block(response.content.decode(), "other_cause_1")


def member_data(**extra):
    data = {
        "name": "王小红",
        "id_number": make_id("2012-04-05", male=False),
        "relation": "04",
        "ethnicity": "01",
        "gender": "",
        "birth_date": "",
        "year": "2019",
        "education": "2",
        "school_status": "3",
        "health": "1",
        "disability_category": "",
        "disability_grade": "",
        "labour": "4",
        "migrant_work": "0",
        "migrant_months": "",
        "medical_insured": "on",
    }
    data.update(extra)
    return data


def test_add_member(client_for, clerk_a, house_a):
    c = client_for(clerk_a)
    add = f"/households/{house_a.pk}/members/new/"
    assert c.get(add).status_code == 200
    before = AuditEvent.objects.count()
    response = c.post(add, member_data())
    assert response.status_code == 302
    house_a.refresh_from_db()
    assert house_a.member_count == 4
    assert AuditEvent.objects.count() == before + 1
    # A second head is refused next to the relation field.
    response = c.post(add, member_data(name="二号户主", id_number=make_id("1950-01-01"), relation="01"))
    assert "户主" in field_block(response.content.decode(), "relation") or "户主" in response.content.decode()
    house_a.refresh_from_db()
    assert house_a.member_count == 4


def test_edit_member_identity_and_year(client_for, clerk_a, house_a):
    son = house_a.members.get(name="王小明")
    c = client_for(clerk_a)
    edit = f"/members/{son.pk}/edit/"
    page = c.get(edit, {"year": "2019"})
    assert page.status_code == 200 and not FULL_ID.search(page.content)
    before = AuditEvent.objects.count()
    data = member_data(name="王晓明", id_number="", relation="03", year="2020", school_status="4", education="3")
    response = c.post(edit, data)
    assert response.status_code == 302
    son.refresh_from_db()
    assert son.name == "王晓明"
    assert MemberYear.objects.get(member=son, year=2020).school_status == "4"
    assert AuditEvent.objects.count() == before + 1
    # A wrong checksum on a corrected ID number is refused.
    response = c.post(edit, {**data, "id_number": "220422200809010000"})
    assert "校验位错误" in field_block(response.content.decode(), "id_number")


def test_remove_member(client_for, clerk_a, house_a):
    son = house_a.members.get(name="王小明")
    c = client_for(clerk_a)
    remove = f"/members/{son.pk}/remove/"
    assert c.get(remove).status_code == 200
    response = c.post(remove, {"reason": "deceased", "date": "2007-01-01"})  # before birth
    assert "日期不合理" in response.content.decode()
    before = AuditEvent.objects.count()
    response = c.post(remove, {"reason": "moved_out", "date": "2020-03-01"})
    assert response.status_code == 302
    son.refresh_from_db()
    assert not son.is_current and son.moved_out_on.isoformat() == "2020-03-01"
    assert AuditEvent.objects.count() == before + 1
    head = house_a.members.get(relation="01")
    response = c.post(f"/members/{head.pk}/remove/", {"reason": "deceased", "date": "2020-03-01"})
    assert "户主不能直接减员" in response.content.decode()


def test_household_year(client_for, clerk_a, house_a):
    c = client_for(clerk_a)
    year_url = f"/households/{house_a.pk}/year/"
    page = c.get(year_url, {"year": "2019"}).content.decode()
    assert 'value="12000.00"' in page
    before = AuditEvent.objects.count()
    data = {
        "year": "2020",
        "wage_income": "9,000",
        "transfer_income": "1200.5",
        "housing_safety": "B",
        "water_quality_ok": "true",
        "has_electricity": "on",
        "food_clothing_secure": "on",
    }
    response = c.post(year_url, data)
    assert response.status_code == 302
    row = HouseholdYear.objects.get(household=house_a, year=2020)
    assert str(row.net_income_per_capita) == "3400.17" and row.water_quality_ok is True
    assert AuditEvent.objects.count() == before + 1
    response = c.post(year_url, {**data, "wage_income": "-5"})
    assert "工资性收入不能为负数" in field_block(response.content.decode(), "wage_income")
    response = c.post(year_url, {**data, "housing_safety": "Z"})
    assert "不在国家代码表中" in field_block(response.content.decode(), "housing_safety")


def form_urls(h, m):
    return [
        "/households/new/",
        f"/households/{h.pk}/edit/",
        f"/households/{h.pk}/members/new/",
        f"/households/{h.pk}/year/",
        f"/members/{m.pk}/edit/",
        f"/members/{m.pk}/remove/",
    ]


@pytest.mark.parametrize(
    ("name", "status"), [("leader", 403), ("sysadmin", 404), ("secadmin", 404), ("auditadmin", 404)]
)
def test_roles_without_edit_are_refused(client_for, actors, house_a, name, status):
    """The leader sees the household but may not edit (403); the 三员 see no household at all (404)."""
    c = client_for(actors[name])
    son = house_a.members.get(name="王小明")
    before = AuditEvent.objects.count()
    for u in form_urls(house_a, son):
        expected = 403 if u.endswith("/households/new/") else status  # creating names no object: 403 for all
        for response in (c.get(u), c.post(u, {"name": "x", "version": "1", "reason": "deceased"})):
            assert response.status_code == expected, u
            if expected == 403:
                assert "无权访问" in response.content.decode()
    assert c.post("/households/check-id/", {"id_number": make_id()}).status_code == 403
    assert AuditEvent.objects.count() == before


def test_outsider_gets_404_on_every_form(client_for, outsider, house_a):
    c = client_for(outsider)
    son = house_a.members.get(name="王小明")
    for u in form_urls(house_a, son)[1:]:
        assert c.get(u).status_code == 404, u
        assert c.post(u, {"reason": "deceased", "date": "2020-01-01"}).status_code == 404, u
    son.refresh_from_db()
    assert son.is_current


def test_csrf_enforced(csrf_client_for, clerk_a, house_a):
    c = csrf_client_for(clerk_a)
    son = house_a.members.get(name="王小明")
    remove = f"/members/{son.pk}/remove/"
    assert c.post(remove, {"reason": "moved_out", "date": "2020-03-01"}).status_code == 403
    son.refresh_from_db()
    assert son.is_current
    token = csrf_token(c, remove)
    response = c.post(remove, {"reason": "moved_out", "date": "2020-03-01", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    son.refresh_from_db()
    assert not son.is_current


def test_check_id_endpoint(client_for, clerk_a):
    c = client_for(clerk_a)
    ok = c.post("/households/check-id/", {"members-0-id_number": make_id("1961-02-03", male=False)})
    assert "号码有效" in ok.content.decode() and "女" in ok.content.decode() and "1961-02-03" in ok.content.decode()
    bad = c.post("/households/check-id/", {"id_number": "220422196102030000"})
    assert "校验位错误" in bad.content.decode()
    assert c.get("/households/check-id/").status_code == 405
