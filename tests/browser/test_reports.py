"""A city leader opens the annual report (脱贫答卷) for the city, follows a figure to the records behind
it, and finds an honest empty state for a year without records; the figures are the records' own
(computed independently from the ledger of what the fixture created)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.reports.annual_city import YEAR, expected
from tests.reports.annual_city import city as annual_city  # noqa: F401  (fixture)

CITY = "220400000000"


def figure(page, key: str):
    """The figure's first link (the text; the appendix table repeats it)."""
    return page.locator(f'a[data-key="{key}"]').first


def test_leader_opens_the_annual_report_and_follows_a_figure(page, login_as, shot, annual_city, seen_requests):  # noqa: F811
    # Read everything the test expects first: on SQLite the live server shares the test's connection.
    want = expected(annual_city, "2204")
    housed = sorted({number for village, number, _, _ in annual_city.housing if village.startswith("2204")})
    assert want["housing.households"] == len(housed) > 0

    login_as("leader")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="年度报告").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("年度脱贫攻坚报告")
    page.get_by_label("地区").select_option(CITY)
    page.get_by_label("年度").select_option(str(YEAR))
    page.get_by_role("button", name="生成报告").click()
    expect(page).to_have_url(re.compile(rf"/reports/annual/{CITY}/{YEAR}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("辽源市")
    # The four parts of the article, and figures of each computed from the records.
    for part in ("sec-responsibility", "sec-industry", "sec-guarantees", "sec-finance"):
        expect(page.locator(f"h2#{part}")).to_be_visible()
    expect(figure(page, "housing.households")).to_have_text(f"{want['housing.households']}户")
    expect(figure(page, "housing.renovation")).to_contain_text(str(want["housing.renovation"]))
    expect(figure(page, "credit.loans_new")).to_be_visible()
    shot("01-annual-report")

    figure(page, "housing.households").click()
    expect(page).to_have_url(re.compile(rf"/reports/annual/{CITY}/{YEAR}/trace/housing\.households/$"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(len(housed))
    for number in housed:
        expect(page.locator("table tbody")).to_contain_text(number)
    shot("02-trace")

    # A year before any record: the report says so instead of showing zeros.
    page.goto(f"/reports/annual/{CITY}/2015/")
    empty = page.locator(".annual-empty")
    expect(empty).to_contain_text("没有任何可计入报告的记录")
    expect(page.locator("a[data-key]")).to_have_count(0)
    shot("03-empty-year")
    assert all(u.startswith(page.url.split("/reports/")[0]) for u in seen_requests)  # nothing from elsewhere
