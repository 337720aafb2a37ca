"""Usable without training, on a phone and with the keyboard alone, in Chinese or English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .chromium import PHONE

pytestmark = pytest.mark.browser


def body_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (> 0: the whole page scrolls sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def assert_nav_reachable(page) -> None:
    """Every main-navigation link can be brought into view (the bar scrolls by itself) and lies inside it
    (to a pixel: boxes have fractional widths)."""
    links = page.get_by_role("navigation", name="主导航").get_by_role("link")
    assert links.count() >= 2
    for n in range(links.count()):
        link = links.nth(n)
        link.scroll_into_view_if_needed()
        box = link.bounding_box()
        assert box and box["x"] >= -1 and box["x"] + box["width"] <= PHONE["width"] + 1, (link.inner_text(), box)
        assert body_overflow(page) <= 0


def test_clerk_on_a_phone(open_page, login_as, shot, cohort, county_run):
    assessed = cohort["d_house"]  # assessed by the county run: its page shows the indicator table too
    in_village = [h for h in cohort.values() if h.village_id == assessed.village_id]
    phone = open_page(viewport=PHONE)
    login_as("clerk_a", on=phone)
    expect(phone.get_by_role("heading", level=1)).to_have_text("我的工作")
    assert body_overflow(phone) <= 0
    shot("00-home", on=phone)
    phone.get_by_role("navigation", name="主导航").get_by_role("link", name="户籍管理").click()
    expect(phone.locator(".summary-line")).to_contain_text(f"共 {len(in_village)} 户")
    assert body_overflow(phone) <= 0
    shot("01-list", on=phone)
    assert_nav_reachable(phone)

    phone.get_by_role("link", name=assessed.number).click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text(assessed.head_name)
    expect(phone.locator("table.indicators")).to_be_visible()
    assert body_overflow(phone) <= 0
    shot("02-household", on=phone)
    # The wide member table scrolls inside its own box; its edit buttons stay in view at its right edge.
    members = phone.locator("#sec-members ~ .table-wrap").first
    assert members.evaluate("el => el.scrollWidth > el.clientWidth")
    members.scroll_into_view_if_needed()  # down to the table, not sideways in it
    edit = members.get_by_role("link", name="修改").first
    expect(edit).to_be_in_viewport()
    box = edit.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    edit.click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("修改成员信息")
    assert body_overflow(phone) <= 0
    shot("03-member-form", on=phone)

    links = phone.get_by_role("navigation", name="主导航").get_by_role("link")
    last = links.last
    target = last.get_attribute("href")
    last.scroll_into_view_if_needed()
    last.click()
    expect(phone).to_have_url(re.compile(re.escape(target) + "$"))
    assert body_overflow(phone) <= 0


def focused(page, locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, limit: int = 40) -> int:
    """Press Tab until the element has the focus; the number of presses (fails after ``limit``)."""
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focused(page, locator):
            return n
    raise AssertionError(f"{locator} not reached with {limit} presses of Tab")


def test_login_and_search_with_the_keyboard_only(page, actors, shot, house_a):
    page.goto("/households/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/households/"))
    expect(page.get_by_label("用户名", exact=True)).to_be_focused()  # autofocus: type straight away
    page.keyboard.type(actors["clerk_a"].username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("密码", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/households/$"))
    page.wait_for_load_state()

    # The first Tab stop is the skip link; Enter on it moves the focus to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到正文")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    search = page.get_by_label("搜索")
    tab_to(page, search)
    page.keyboard.type(house_a.head_name)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(page.locator("table tbody tr")).to_have_count(1)
    shot("01-search-by-keyboard")

    link = page.get_by_role("link", name=house_a.number)
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/households/{house_a.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(house_a.head_name)


def test_switch_to_english_and_back(page, login_as, shot, house_a):
    login_as("clerk_a")
    page.goto(f"/households/{house_a.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="操作记录")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"/households/{house_a.pk}/$"))  # the same page, now in English
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main navigation")).to_contain_text("Households")
    expect(page.get_by_role("heading", level=1)).to_contain_text(house_a.head_name)  # data stays as recorded
    expect(page.get_by_role("heading", name="操作记录")).to_have_count(0)
    shot("01-household-in-english")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Region dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("dashboard")
    shot("02-dashboard-in-english")
    page.goto(f"/households/{house_a.pk}/")

    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="操作记录")).to_be_visible()
    expect(page.get_by_role("navigation", name="主导航")).to_contain_text("户籍管理")
