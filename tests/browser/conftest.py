"""Fixtures of the browser tests: a live server, Debian's chromium driven by Playwright, logins through
the real login form, and screenshots kept as CI artefacts.

- ``live_server`` serves the test database on 127.0.0.1 at an ephemeral port (SQLite: the server
  thread shares the in-memory test database; PostgreSQL: its own connection to the test database).
  Tests that use it are transactional: what the test creates is committed and the server sees it.
- ``browser``: one headless chromium for all the browser tests (``chromium.launch``).
- ``page``: a fresh browser context (no cookies) and page per test, at desktop size; ``open_page``
  opens more (another actor, a phone). Every request any of them makes is in ``seen_requests``.
- ``login_as("clerk_a")`` logs a named actor of ``tests/conftest.py`` in through the login form.
- ``shot("step")`` writes ``test-artifacts/browser/<test>/<step>.png``; a failing test also leaves
  ``failure-<n>.png`` of each of its pages there.

Without chromium the tests skip, unless ``TUOPIN_REQUIRE_BROWSER=1`` (set by ``.ci/run``): then they
fail, saying what is missing.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.assessment.conftest import make_household, standards  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD
from tests.web.analysis.conftest import cohort, county_run  # noqa: F401  (fixtures)
from tests.web.conftest import FULL_ID, head_id, house_a, house_b  # noqa: F401  (fixtures)

from . import chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PAGES = pytest.StashKey[list]()  # the pages a test opened, for its failure screenshots
TIMEOUT_MS = 15_000  # generous: the machine is shared, and a wait ends as soon as its condition holds


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's live server, bound to 127.0.0.1 (not ``localhost``, which may be ::1) at a free port."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


@pytest.fixture(scope="package", autouse=True)
def _flush_by_delete():
    """Empty the tables after each browser test with DELETE instead of TRUNCATE on PostgreSQL.

    A live-server test is transactional: Django empties every table afterwards, on PostgreSQL with
    one TRUNCATE of all ~80 tables, which rewrites each table's files and took 2–5 s per test here.
    DELETE of the few rows a browser test writes takes milliseconds. Foreign keys are deferred on
    PostgreSQL, so the order of the deletes does not matter. Package scope: active from before the
    first test's database setup until after the last one's flush.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))};" for t in tables]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(scope="package")
def browser():
    """Headless Debian chromium for the browser tests, closed after the last of them.

    Playwright's sync API keeps its asyncio loop marked as running in this thread between calls, so
    Django's guard against database access from async code would refuse the test's own queries (the
    test is not async). ``DJANGO_ALLOW_ASYNC_UNSAFE`` lifts the guard for these tests only.
    """
    reason = chromium.missing()
    if reason:
        if os.environ.get("TUOPIN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required (TUOPIN_REQUIRE_BROWSER=1) but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            browser = chromium.launch(pw)
            yield browser
            browser.close()


@pytest.fixture
def seen_requests():
    """The URL of every request the test's pages made, in order."""
    return []


@pytest.fixture
def open_page(browser, live_server, seen_requests, request):
    """``open_page(viewport=chromium.PHONE)`` → a page in a new browser context (its own cookies)."""
    contexts = []
    pages = request.node.stash[PAGES] = []

    def open_(viewport=chromium.DESKTOP):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", lambda r: seen_requests.append(r.url))
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def login_as(actors, page):
    """``login_as("clerk_a", page=None)``: log a named actor in through the login form; returns the user."""
    from playwright.sync_api import expect

    def login(name, on=None):
        on = on or page
        user = actors[name]
        on.goto("/accounts/login/")
        on.get_by_label("用户名", exact=True).fill(user.username)
        on.get_by_label("密码", exact=True).fill(PASSWORD)
        on.get_by_role("button", name="登录").click()
        expect(on).not_to_have_url(re.compile(r"/accounts/login/"))
        return user

    return login


def artefact_dir(node) -> Path:
    return ARTIFACTS / re.sub(r"[^\w.-]+", "_", node.name).strip("_")


@pytest.fixture
def shot(page, request):
    """``shot("step", on=None)``: a full-page screenshot of the page as it is now, kept as an artefact."""
    folder = artefact_dir(request.node)
    shutil.rmtree(folder, ignore_errors=True)

    def take(step, on=None):
        folder.mkdir(parents=True, exist_ok=True)
        (on or page).screenshot(path=str(folder / f"{step}.png"), full_page=True)

    return take


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test leaves a screenshot of each of its pages beside its step screenshots."""
    report = yield
    if report.when == "call" and report.failed:
        folder = artefact_dir(item)
        folder.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(item.stash.get(PAGES, []), 1):
            try:
                page.screenshot(path=str(folder / f"failure-{n}.png"), full_page=True)
            except Exception as exc:  # a crashed page must not hide the test's own failure
                report.sections.append(("browser", f"no failure screenshot of page {n}: {exc}"))
    return report


def assert_no_full_id(page) -> None:
    """No full 18-character ID number anywhere in the page: its HTML (attributes, hidden inputs,
    scripts) and the text the user sees (security.md §2.4 a)."""
    html = page.content()
    found = FULL_ID.search(html.encode()) or FULL_ID.search(page.inner_text("body").encode())
    assert not found, f"full ID number on {page.url}: {found.group().decode()}"


def origin(url: str) -> str:
    """``scheme://host:port`` of a URL."""
    match = re.match(r"^([a-z][a-z0-9+.-]*://[^/?#]*)", url)
    return match.group(1) if match else url
