"""The household list: jurisdiction, filters, search (incl. exact ID), sorting, paging, query count."""

from __future__ import annotations

import pytest

from tests.helpers import household, make_id, member

from .conftest import FULL_ID

URL = "/households/"


def test_anonymous_redirected_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_clerk_sees_own_village_only(client_for, clerk_a, house_a, house_b):
    body = client_for(clerk_a).get(URL).content.decode()
    assert house_a.number in body and "王德福" in body
    assert house_b.number not in body and "孙大海" not in body
    assert "共 1 户" in body


def test_outsider_never_sees_village_a(client_for, outsider, house_a, house_b, head_id):
    c = client_for(outsider)
    for response in (
        c.get(URL),
        c.get(URL, {"q": "王德福"}),
        c.get(URL, {"q": house_a.number}),
        c.get(URL, {"q": head_id}),
        c.post(URL, {"q": head_id}),
        c.get(URL, {"region": "220422101201"}),
    ):
        body = response.content.decode()
        assert f'href="/households/{house_a.pk}/"' not in body  # the search box may echo what was typed
        assert ">王德福<" not in body


def test_reviewer_and_leader_see_both_villages(client_for, actors, house_a, house_b):
    for name in ("reviewer", "leader", "approver"):
        body = client_for(actors[name]).get(URL).content.decode()
        assert house_a.number in body and house_b.number in body, name


@pytest.mark.parametrize("admin", ["sysadmin", "secadmin", "auditadmin"])
def test_three_admins_see_no_data(client_for, actors, admin, house_a):
    response = client_for(actors[admin]).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert house_a.number not in body and "王德福" not in body
    assert "三员分立" in body
    assert "导出" not in body


def test_search_by_name_number_and_exact_id(client_for, clerk_a, house_a, regions, head_id):
    other = household(clerk_a, regions["a"], members=[member("赵铁柱", birth="1970-01-01")])
    c = client_for(clerk_a)
    assert other.number not in c.get(URL, {"q": "王德"}).content.decode()
    assert house_a.number in c.get(URL, {"q": "李秀兰"}).content.decode()  # any member's name
    body = c.get(URL, {"q": other.number}).content.decode()
    assert other.number in body and house_a.number not in body
    # An ID search is posted, answered directly, and the number is shown masked only.
    response = c.post(URL, {"q": head_id})
    assert response.status_code == 200
    assert house_a.number in response.content.decode() and other.number not in response.content.decode()
    assert not FULL_ID.search(response.content)
    # A text search posted redirects to an ordinary GET URL.
    response = c.post(URL, {"q": "赵铁柱", "status": "poor"})
    assert response.status_code == 302 and "q=%E8%B5%B5" in response["Location"]


def test_id_search_by_get_does_not_echo_the_number(client_for, clerk_a, house_a, head_id):
    response = client_for(clerk_a).get(URL, {"q": head_id})
    assert house_a.number in response.content.decode()
    assert not FULL_ID.search(response.content)


def test_filters(client_for, clerk_a, house_a, regions):
    other = household(
        clerk_a, regions["a"], members=[member("赵铁柱", birth="1970-01-01")], main_cause="2", category="2"
    )
    c = client_for(clerk_a)

    def numbers(**params):
        body = c.get(URL, params).content.decode()
        return {n for n in (house_a.number, other.number) if n in body}

    assert numbers(cause="2") == {other.number}
    assert numbers(cause="1") == {house_a.number}
    assert numbers(category="2") == {other.number}
    assert numbers(status="poor") == {house_a.number, other.number}
    assert numbers(status="exited") == set()
    assert numbers(year="2019") == {house_a.number, other.number}
    assert numbers(year="2015") == set()
    assert numbers(region="220422101000") == {house_a.number, other.number}
    assert numbers(region="220422101202") == set()
    assert numbers(status="nonsense") == {house_a.number, other.number}  # ignored, not an error
    assert "没有符合条件的建档立卡户" in c.get(URL, {"status": "exited"}).content.decode()


def test_region_select_lists_only_the_jurisdiction(client_for, actors, regions):
    body = client_for(actors["reviewer"]).get(URL).content.decode()
    assert "大榆村" in body and "小榆村" in body and "横道河村" not in body
    body = client_for(actors["clerk_a"]).get(URL).content.decode()
    assert "小榆村" not in body


def test_sorting(client_for, clerk_a, house_a, regions):
    other = household(clerk_a, regions["a"], members=[member("阿大", birth="1970-01-01")])
    c = client_for(clerk_a)
    asc = c.get(URL, {"sort": "number"}).content.decode()
    desc = c.get(URL, {"sort": "-number"}).content.decode()
    assert asc.index(house_a.number) < asc.index(other.number)
    assert desc.index(house_a.number) > desc.index(other.number)
    assert 'aria-sort="descending"' in desc
    assert c.get(URL, {"sort": "village__parent__name; drop"}).status_code == 200  # unknown: default order


def test_empty_state(client_for, clerk_a):
    body = client_for(clerk_a).get(URL).content.decode()
    assert "您的管辖范围内还没有建档立卡户" in body


def _many(clerk_a, regions, n):
    for i in range(n):
        household(
            clerk_a,
            regions["a"],
            members=[{"name": f"户主{i}", "id_number": make_id("1960-01-01", seq=500 + i), "relation": "01"}],
        )


def test_paging_and_query_count(client_for, clerk_a, regions, django_assert_max_num_queries):
    _many(clerk_a, regions, 55)
    c = client_for(clerk_a)
    with django_assert_max_num_queries(10):
        first = c.get(URL)
    body = first.content.decode()
    assert "共 55 户" in body and "第 1 / 2 页" in body
    assert body.count("<tr>") - 1 == 50  # header row + 50 households
    with django_assert_max_num_queries(10):
        second = c.get(URL, {"page": 2, "sort": "-size", "status": "poor"})
    assert second.content.decode().count("<tr>") - 1 == 5


def test_query_count_does_not_grow_with_rows(client_for, clerk_a, regions, django_assert_max_num_queries):
    _many(clerk_a, regions, 3)
    c = client_for(clerk_a)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        c.get(URL)
    _many_more = [household(clerk_a, regions["a"], members=[member(f"户{i}", birth="1971-01-01")]) for i in range(20)]
    with CaptureQueriesContext(connection) as more:
        c.get(URL)
    assert len(more) == len(few)


def test_list_for_approver_has_no_full_id(client_for, approver, house_a):
    response = client_for(approver).get(URL)
    assert not FULL_ID.search(response.content)


def test_region_filter_on_a_village_code_ending_in_zero_keeps_to_that_village(client_for, actors, regions):
    """220422101210 must not take in 220422101211…219: the filter reads the code's segments, it does
    not strip trailing zeros."""
    from tuopin.geo.actions import create_region

    reviewer = actors["reviewer"]
    ten = create_region(actor=None, parent=regions["town"], code="220422101210", name="十村", is_synthetic=True)
    eleven = create_region(actor=None, parent=regions["town"], code="220422101211", name="十一村", is_synthetic=True)
    in_ten = household(reviewer, ten, members=[member("钱十", birth="1971-01-01")])
    in_eleven = household(reviewer, eleven, members=[member("孙十一", birth="1972-01-01")])
    c = client_for(reviewer)

    def numbers(region):
        body = c.get(URL, {"region": region}).content.decode()
        return {h.number for h in (in_ten, in_eleven) if h.number in body}

    assert numbers("220422101210") == {in_ten.number}
    assert numbers("220422101211") == {in_eleven.number}
    assert numbers("220422101000") == {in_ten.number, in_eleven.number}
