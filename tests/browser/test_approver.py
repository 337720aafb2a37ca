"""The county approver in a real browser: start an assessment run from the assessment page, watch its
progress (htmx polling) until the job finishes, open the run page and the region page, and see the
Plotly charts drawn — with no request leaving the live server."""

from __future__ import annotations

import logging
import re
import signal
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from .conftest import origin

pytestmark = pytest.mark.browser

# The test suite runs jobs at once (django-tasks ImmediateBackend, see TASKS in settings): the run
# would be finished before its page opens. Here jobs wait in the database queue, as in production,
# until the test runs the worker.
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


@contextmanager
def worker_settings_restored():
    """db_worker installs its own SIGINT/SIGTERM handlers and sets its loggers' levels for the whole
    process; give pytest its own back afterwards."""
    signals = [getattr(signal, s) for s in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, s)]
    handlers = {sig: signal.getsignal(sig) for sig in signals}
    loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    levels = {logger: (logger.level, list(logger.handlers)) for logger in loggers}
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        for logger, (level, kept) in levels.items():
            logger.setLevel(level)
            logger.handlers[:] = kept


def run_worker() -> None:
    """What ``tuopin db_worker`` does in production: run the queued jobs (here: all, then stop)."""
    with worker_settings_restored():
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def served_in_turn(route) -> None:
    """Let the live server answer this request while the test waits for the answer.

    On SQLite the live server shares the test's in-memory database connection; a poll answered while
    the test thread runs the worker would interleave two transactions on one connection. Served from
    here, a poll is only ever answered while the test is waiting in a Playwright call.
    """
    route.fulfill(response=route.fetch(max_redirects=0))


def tile(page, key):
    return page.locator(".tile", has=page.locator(".k", has_text=key)).locator(".v")


def test_approver_runs_an_assessment_and_sees_the_charts(
    page, login_as, shot, cohort, settings, live_server, seen_requests
):
    settings.TASKS = DATABASE_QUEUE
    households = list(cohort.values())
    people = sum(h.member_count for h in households)
    # Everything the test expects is read from the records first: on SQLite the test thread must not
    # query while the live server is answering the browser (they share one connection).
    per_village = {}
    for h in households:
        per_village[h.village.name] = per_village.get(h.village.name, 0) + 1
    town = households[0].village.parent
    in_town = [h for h in households if h.village.parent_id == town.code]

    login_as("approver")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="脱贫评估").click()
    expect(page).to_have_url(re.compile(r"/assessment/$"))
    expect(page.locator("main")).to_contain_text("还没有评估批次")
    expect(page.get_by_label("评估年度")).to_have_value("2019")  # the newest year with household facts
    expect(page.get_by_label("评估范围")).to_have_value("220422000000")  # the approver's county
    shot("01-assessment-page")

    page.route("**/assessment/runs/*/progress/", served_in_turn)
    page.get_by_role("button", name="开始评估").click()
    expect(page).to_have_url(re.compile(r"/assessment/runs/\d+/$"))
    run_url = page.url
    expect(page.locator(".messages")).to_contain_text("评估已加入队列")
    progress = page.locator("#run-progress")
    expect(progress).to_contain_text("排队中")
    expect(progress).to_have_attribute("hx-trigger", "every 2s")
    shot("02-queued")

    run_worker()
    # The next poll sees the run finished and reloads the page (HX-Refresh): the figures appear
    # without the approver doing anything.
    expect(tile(page, "建档立卡户 / 人")).to_have_text(f"{len(households)} / {people}")
    expect(page.locator("#run-progress")).to_have_count(0)
    assert page.url == run_url
    polls = [u for u in seen_requests if u.endswith("/progress/")]
    assert polls, "the run page never polled its progress"
    expect(page.locator(".page-head")).to_contain_text("完成")
    shot("03-run-done")

    # Drill down from the county to the town to its villages: each village row counts its households.
    table = page.locator("table.rollups")
    table.get_by_role("link", name=town.name).click()
    expect(page).to_have_url(re.compile(rf"\?region={town.code}$"))
    for village, count in per_village.items():
        row = table.locator("tbody tr", has=page.get_by_role("link", name=village))
        expect(row.locator("td").first).to_have_text(str(count))
    shot("04-drill-down")

    page.get_by_role("link", name="地区看板").last.click()
    expect(page).to_have_url(re.compile(rf"/reports/dashboard/{town.code}/\?year=2019$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(town.name)
    expect(tile(page, "建档立卡户 / 人")).to_have_text(f"{len(in_town)} / {sum(h.member_count for h in in_town)}")
    dashboard_charts = page.locator("[data-chart]")
    assert dashboard_charts.count() >= 2  # the trend and the guarantees
    for n in range(dashboard_charts.count()):
        expect(dashboard_charts.nth(n).locator("svg.main-svg").first).to_be_attached()
    shot("05-dashboard")

    page.get_by_role("link", name="收入分布与多维贫困分析").click()
    expect(page).to_have_url(re.compile(rf"/regions/{town.code}/\?year=2019$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(town.name)
    charts = page.locator("[data-chart]")
    assert charts.count() >= 2
    for n in range(charts.count()):
        expect(charts.nth(n).locator("svg.main-svg").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    shot("06-region-analysis")

    assert any("/static/plotly/plotly.min.js" in u for u in seen_requests)
    elsewhere = sorted({origin(u) for u in seen_requests} - {live_server.url})
    assert not elsewhere, f"requests left the live server: {elsewhere}"
