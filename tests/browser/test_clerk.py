"""The village clerk's journey in a real browser: log in, find a household through the search box,
edit a member through the form, see the change and its audit entry; the neighbouring village's clerk
gets the Chinese 404 page; no page the clerk opens shows a full ID number."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_full_id

pytestmark = pytest.mark.browser


def audit_rows(page):
    """The rows of the household page's audit trail (操作记录), newest first."""
    return page.locator("#sec-audit + .table-wrap tbody tr")


def test_clerk_finds_a_household_edits_a_member_and_sees_the_audit_entry(page, open_page, login_as, shot, house_a):
    login_as("clerk_a")
    # The clerk lands on her own work (我的工作) and goes to the registry from the main navigation.
    expect(page).to_have_url(re.compile(r"/reports/home/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的工作")
    shot("00-home")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="户籍管理").click()
    expect(page).to_have_url(re.compile(r"/households/$"))
    expect(page.get_by_role("heading", name="建档立卡户")).to_be_visible()
    shot("01-household-list")

    head = house_a.head_name
    page.get_by_label("搜索").fill(head)
    page.get_by_label("搜索").press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q="))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(head)
    expect(page.locator(".summary-line")).to_contain_text("共 1 户")
    shot("02-search-result")

    page.get_by_role("link", name=house_a.number).click()
    expect(page).to_have_url(re.compile(rf"/households/{house_a.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{head}户")
    assert_no_full_id(page)
    entries_before = audit_rows(page).count()
    assert entries_before > 0
    shot("03-household-page")

    wife = house_a.members.get(relation="02")
    row = page.locator("tbody tr", has=page.get_by_text(wife.name, exact=True))
    row.get_by_role("link", name="修改").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"修改成员信息：{wife.name}")
    assert_no_full_id(page)  # the ID field is empty ("留空表示不修改"); only the mask is shown
    work = page.get_by_label("务工状况")
    current = work.input_value()
    options = work.locator("option").evaluate_all("os => os.map(o => [o.value, o.textContent.trim()])")
    new_value, new_label = next((v, label) for v, label in options if v and v != current)
    work.select_option(new_value)
    shot("04-member-form")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(rf"/households/{house_a.pk}/\?year="))
    expect(page.locator(".messages")).to_contain_text(f"成员 {wife.name} 的信息已保存")
    member_row = page.locator("tbody tr", has=page.get_by_text(wife.name, exact=True))
    expect(member_row).to_contain_text(new_label)
    expect(audit_rows(page)).to_have_count(entries_before + 1)
    newest = audit_rows(page).first
    expect(newest).to_contain_text("修改成员信息")
    expect(newest).to_contain_text(wife.name)
    expect(newest).to_contain_text("clerk_a")
    assert_no_full_id(page)
    shot("05-after-edit")

    neighbour = open_page()
    login_as("outsider", on=neighbour)
    response = neighbour.goto(f"/households/{house_a.pk}/")
    assert response.status == 404
    expect(neighbour.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(neighbour.locator("main")).to_contain_text("不在您的管辖范围内")
    expect(neighbour.locator("main")).not_to_contain_text(head)
    shot("06-outsider-404", on=neighbour)


CLERK_PAGES = [
    "/households/",
    "/households/{pk}/",
    "/households/{pk}/edit/",
    "/households/{pk}/year/",
    "/households/{pk}/members/new/",
    "/members/{member}/edit/",
    "/members/{member}/remove/",
    "/assessment/",
    "/assessment/runs/{run}/",
    "/households/{assessed}/",
    "/regions/",
    "/regions/{village}/?year=2019",
    "/cases/",
    "/programmes/",
    "/payments/",
    "/assistance/",
    "/supervision/",
    "/exchange/",
]


def test_no_page_the_clerk_opens_shows_a_full_id_number(page, login_as, house_a, head_id, cohort, county_run):
    member = house_a.members.exclude(relation="01").first()
    ids = {"pk": house_a.pk, "member": member.pk, "run": county_run.pk, "assessed": cohort["ok1"].pk}
    ids["village"] = house_a.village_id
    login_as("clerk_a")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="户籍管理").click()
    # Searching by the full number finds the household and shows it masked (the search posts: the
    # number is not in the URL either).
    page.get_by_label("搜索").fill(head_id)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    assert head_id not in page.url
    assert_no_full_id(page)  # the search box shows the number masked
    opened = []
    for template in CLERK_PAGES:
        response = page.goto(template.format(**ids))
        assert response.status == 200, (template, response.status)
        assert_no_full_id(page)
        opened.append(page.url)
    assert len(opened) == len(CLERK_PAGES)
