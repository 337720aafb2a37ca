"""The household page (一户一档): content, masking, health detail by role, audit trail, 404 outside."""

from __future__ import annotations

import pytest

from tuopin.registry import actions

from .conftest import FULL_ID


def url(h):
    return f"/households/{h.pk}/"


def test_clerk_sees_the_household(client_for, clerk_a, house_a):
    response = client_for(clerk_a).get(url(house_a))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("王德福", "李秀兰", "王小明", "三组", "因病", "未脱贫", "之子", "小学"):
        assert text in body, text
    assert "138****5678" in body and "***************0123" in body  # masked phone and account
    assert "13812345678" not in body and "6217001234567890123" not in body
    assert "¥12,000.00" in body and "¥3,000.50" in body and "¥5,000.17" in body  # per capita of 3
    assert not FULL_ID.search(response.content)
    # The clerk edits but may not reveal IDs.
    assert f"/households/{house_a.pk}/edit/" in body and "查看完整号码" not in body


def test_audit_trail_newest_first(client_for, clerk_a, house_a):
    son = house_a.members.get(name="王小明")
    actions.remove_member(son, actor=clerk_a, reason="moved_out", date=son.birth_date.replace(year=2020))
    body = client_for(clerk_a).get(url(house_a)).content.decode()
    trail = body[body.index("操作记录") :]
    assert trail.index("减员") < trail.index("录入年度户信息") < trail.index("登记建档立卡户")
    assert "clerk_a" in trail
    assert "已减员成员" in body and "迁出" in body


@pytest.mark.parametrize("name", ["outsider", "clerk_c", "sysadmin", "secadmin", "auditadmin"])
def test_outside_the_jurisdiction_is_404(client_for, actors, house_a, name):
    response = client_for(actors[name]).get(url(house_a))
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "王德福" not in body and house_a.number not in body


def test_missing_household_is_404(client_for, clerk_a):
    assert client_for(clerk_a).get("/households/999999/").status_code == 404


def test_health_detail_only_for_roles_allowed(client_for, clerk_a, approver, house_a):
    wife = house_a.members.get(name="李秀兰")
    actions.set_member_year(wife, actor=clerk_a, year=2019, health="4", disability_category="4", disability_grade="2")
    clerk_body = client_for(clerk_a).get(url(house_a)).content.decode()
    assert "残疾" in clerk_body and "肢体残疾" not in clerk_body and "二级" not in clerk_body
    approver_body = client_for(approver).get(url(house_a)).content.decode()
    assert "肢体残疾" in approver_body and "二级" in approver_body


def test_year_selector(client_for, clerk_a, house_a):
    actions.set_household_year(house_a, actor=clerk_a, year=2020, wage_income="30000")
    c = client_for(clerk_a)
    body = c.get(url(house_a)).content.decode()
    assert "2020年度户信息" in body and "¥30,000.00" in body
    body = c.get(url(house_a), {"year": "2019"}).content.decode()
    assert "2019年度户信息" in body and "¥12,000.00" in body
    # Members have no 2020 facts yet.
    assert "2020年度未录入" in c.get(url(house_a), {"year": "2020"}).content.decode()
    assert c.get(url(house_a), {"year": "abc"}).status_code == 200


def test_leader_sees_page_without_edit_buttons(client_for, actors, house_a):
    body = client_for(actors["leader"]).get(url(house_a)).content.decode()
    assert "王德福" in body and "/edit/" not in body and "录入年度信息" not in body


def test_detail_query_count(client_for, clerk_a, house_a, django_assert_max_num_queries):
    c = client_for(clerk_a)
    # 24: a fixed budget (one query per programme kind for the support section), whatever the household size
    with django_assert_max_num_queries(24):
        c.get(url(house_a))
