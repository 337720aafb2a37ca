"""The household list beyond the count cap: "more than" instead of a count, keyset pages that visit
every row exactly once in the list's order (forwards, backwards, from the end), at a fixed cost."""

from __future__ import annotations

import re

import pytest

from tests.helpers import household, member
from tuopin.registry.models import Household
from tuopin.web.views import common

URL = "/households/"


@pytest.fixture
def many(clerk_a, regions, monkeypatch):
    monkeypatch.setattr(common, "COUNT_CAP", 5)
    monkeypatch.setattr(common, "PAGE_SIZE", 4)
    sizes = [1, 3, 2, 3, 1, 2, 3, 1, 2, 2, 3]  # repeated sort values: the cursor needs the pk too
    for i, n in enumerate(sizes):
        people = [member(f"户主{i}", birth="1960-01-01")] + [
            member(f"家人{i}{k}", "99", birth="1990-01-01") for k in range(n - 1)
        ]
        household(clerk_a, regions["a"], members=people)
    return Household.objects.filter(village=regions["a"])


def numbers(body: str) -> list[str]:
    return re.findall(r'<td class="mono nowrap"><a href="/households/\d+/">(\d+)</a>', body)


def link(body: str, rel: str) -> str | None:
    m = re.search(rf'href="\?([^"]*)" rel="{rel}"', body)
    return m.group(1).replace("&amp;", "&") if m else None


@pytest.mark.parametrize("sort", ["number", "-size", "head"])
def test_keyset_pages_visit_every_row_once_in_order(client_for, clerk_a, many, sort, django_assert_max_num_queries):
    order = {"number": ["number", "pk"], "-size": ["-member_count", "-pk"], "head": ["head_name", "pk"]}[sort]
    expected = list(many.order_by(*order).values_list("number", flat=True))
    c = client_for(clerk_a)
    body = c.get(URL, {"sort": sort}).content.decode()
    assert "超过 5 户" in body and "共 " not in body
    seen, pages = numbers(body), [numbers(body)]
    while (nxt := link(body, "next")) is not None:
        with django_assert_max_num_queries(10):
            body = c.get(f"{URL}?{nxt}").content.decode()
        pages.append(numbers(body))
        seen += pages[-1]
    assert seen == expected
    # Backwards from the last page gives the same pages in reverse.
    back = []
    while (prev := link(body, "prev")) is not None:
        body = c.get(f"{URL}?{prev}").content.decode()
        back.append(numbers(body))
    assert back == pages[-2::-1][: len(back)] and back[-1] == pages[0]
    last = c.get(URL, {"sort": sort, "last": "1"}).content.decode()
    assert numbers(last) == expected[-4:]


def test_small_lists_keep_numbered_pages_and_a_count(client_for, clerk_a, regions, monkeypatch):
    monkeypatch.setattr(common, "PAGE_SIZE", 4)
    for i in range(6):
        household(clerk_a, regions["a"], members=[member(f"户{i}", birth="1961-01-01")])
    body = client_for(clerk_a).get(URL).content.decode()
    assert "共 6 户" in body and "第 1 / 2 页" in body


def test_a_hand_edited_cursor_gives_the_first_page(client_for, clerk_a, many):
    c = client_for(clerk_a)
    first = numbers(c.get(URL).content.decode())
    assert numbers(c.get(URL, {"after": "not-a-cursor"}).content.decode()) == first


def test_a_jurisdiction_with_too_many_villages_is_chosen_down_to_townships(client_for, actors, regions, monkeypatch):
    monkeypatch.setattr(common, "MAX_REGION_OPTIONS", 2)  # the town and its two villages are three
    body = client_for(actors["reviewer"]).get(URL).content.decode()
    assert 'value="220422101000"' in body and 'value="220422101201"' not in body
    monkeypatch.setattr(common, "MAX_REGION_OPTIONS", 3000)
    body = client_for(actors["reviewer"]).get(URL).content.decode()
    assert 'value="220422101201"' in body and 'value="220422101202"' in body


def test_by_number_the_list_goes_village_by_village(client_for, actors, regions, monkeypatch):
    """Numbers need not begin with the village code (an imported registry's may not): the default order
    is village, then number, and the keyset pages still visit every row once across the villages."""
    monkeypatch.setattr(common, "COUNT_CAP", 3)
    monkeypatch.setattr(common, "PAGE_SIZE", 2)
    numbers_by_village = {
        "a": ["9000000000000003", "9000000000000001", "9000000000000005"],
        "b": ["1000000000000002", "1000000000000004"],
    }
    clerks = {"a": actors["clerk_a"], "b": actors["outsider"]}
    for key, given in numbers_by_village.items():
        for i, number in enumerate(given):
            household(clerks[key], regions[key], number=number, members=[member(f"户{key}{i}", birth="1962-01-01")])
    expected = sorted(numbers_by_village["a"]) + sorted(numbers_by_village["b"])  # 大榆村 (…201) before 小榆村 (…202)
    c = client_for(actors["reviewer"])
    body = c.get(URL).content.decode()
    assert "超过 3 户" in body
    seen = numbers(body)
    while (nxt := link(body, "next")) is not None:
        body = c.get(f"{URL}?{nxt}").content.decode()
        seen += numbers(body)
    assert seen == expected
    # A cursor of the old form (number and id only) is a hand-edited one now: the first page, not an error.
    old = common.base64.urlsafe_b64encode(b'["9000000000000001", 1]').decode().rstrip("=")
    assert numbers(c.get(URL, {"after": old}).content.decode()) == expected[:2]
