"""Screenshots of the main pages of a running demo, at desktop and phone sizes, in Debian's chromium.

    .venv/bin/tuopin demo --port 8104 &
    .venv/bin/python -m tests.browser.screenshots --base http://127.0.0.1:8104 [--docs]

Every shot goes to ``test-artifacts/screenshots/`` (desktop ``NAME.png``, phone ``NAME-phone.png``);
``--docs`` also refreshes ``docs/screenshots/`` with the ones the README and the issue show. It logs in
with the demo accounts (``tuopin demo`` prints them). Starting the queued run for ``11a`` and revealing
an ID number for ``06`` write to the demo database (a run that stays queued without a worker, and an
audit row), as a user doing the same would.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from . import chromium

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "tuopin-demo-2019"  # the demo accounts' password (tuopin.core.management.commands.demo)
DESKTOP = {"width": 1366, "height": 900}
MAX_HEIGHT = 2400  # long pages are cut here: the top of a page is what a screenshot is for
# Desktop shots copied to docs/screenshots (the README shows some); phone shots under their own names.
DOCS = {
    "01-login",
    "02-household-list",
    "03-household-page",
    "04-create-form-errors",
    "06-approver-reveal",
    "07-english-household",
    "08-member-form-errors",
    "10-assessment-runs",
    "11-run-page",
    "11a-run-progress",
    "13-standards",
    "13a-ruleset-diff",
    "14-region-page",
    "20-programmes",
    "21-cases",
    "22-assistance",
    "23-supervision",
    "24-payments",
    "25-exchange",
}
PHONE_DOCS = {"02-household-list": "05-phone-list", "03-household-page": "05b-phone-household"}
ELEMENT_DOCS = {"04a-create-live-id-check", "12-household-assessment"}


class Shooter:
    """Logs the demo accounts in (one browser context each, desktop and phone) and takes the shots."""

    def __init__(self, browser, base: str, out: Path, docs: Path | None):
        self.browser, self.base, self.out, self.docs = browser, base.rstrip("/"), out, docs
        self.pages: dict[tuple[str, str], object] = {}
        out.mkdir(parents=True, exist_ok=True)

    def page(self, account: str | None, size: str = "desktop"):
        key = (account or "", size)
        if key not in self.pages:
            options = {"viewport": DESKTOP} if size == "desktop" else {"viewport": chromium.PHONE}
            context = self.browser.new_context(
                base_url=self.base, locale="zh-CN", device_scale_factor=1 if size == "desktop" else 2, **options
            )
            page = context.new_page()
            if account:
                page.goto("/accounts/login/")
                page.get_by_label("用户名", exact=True).fill(account)
                page.get_by_label("密码", exact=True).fill(PASSWORD)
                page.get_by_role("button", name="登录").click()
                expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
            self.pages[key] = page
        return self.pages[key]

    def save(self, page, name: str, *, full: bool = False, phone: bool = False) -> None:
        page.wait_for_load_state("networkidle")
        suffix = "-phone" if phone else ""
        path = self.out / f"{name}{suffix}.png"
        if full and not phone:  # a phone shot is one screen, as the clerk sees it on opening the page
            height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
            width = page.viewport_size["width"]
            page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
        else:
            page.screenshot(path=str(path))
        if self.docs and not phone and name in DOCS:
            self.docs.joinpath(f"{name}.png").write_bytes(path.read_bytes())
        if self.docs and phone and name in PHONE_DOCS:
            self.docs.joinpath(f"{PHONE_DOCS[name]}.png").write_bytes(path.read_bytes())
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

    def element(self, locator, name: str) -> None:
        path = self.out / f"{name}.png"
        locator.screenshot(path=str(path))
        if self.docs and name in ELEMENT_DOCS:
            self.docs.joinpath(f"{name}.png").write_bytes(path.read_bytes())
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

    def both(self, account: str, url: str, name: str, *, full: bool = False, ready=None) -> None:
        """The same page at desktop and phone size."""
        for phone in (False, True):
            page = self.page(account, "phone" if phone else "desktop")
            page.goto(url)
            if ready:
                ready(page)
            self.save(page, name, full=full, phone=phone)


def first_link(page, url: str, selector: str) -> str | None:
    """The address of the first link on a page that ``selector`` (CSS, inside ``main``) picks."""
    page.goto(url)
    links = page.locator(f"main {selector}")
    return links.first.get_attribute("href") if links.count() else None


def charts_drawn(page) -> None:
    for n in range(page.locator("[data-chart]").count()):
        expect(page.locator("[data-chart]").nth(n).locator("svg.main-svg").first).to_be_attached()


def take_all(s: Shooter) -> None:
    login = s.page(None)
    login.goto("/accounts/login/")
    s.save(login, "01-login")

    s.both("clerk", "/households/", "02-household-list")
    clerk = s.page("clerk")
    household = first_link(clerk, "/households/", "td a[href^='/households/']")
    s.both("clerk", household, "03-household-page", full=True)
    clerk.goto(household)
    assessment = clerk.locator("#sec-assess + section, #sec-assess + .empty").first
    s.element(assessment, "12-household-assessment")

    member = first_link(clerk, household, "a[href^='/members/'][href*='/edit/']")
    for phone in (False, True):
        page = s.page("clerk", "phone" if phone else "desktop")
        page.goto(member)
        page.get_by_label("务工时间（月）").fill("15")
        page.get_by_role("button", name="保存").click()
        expect(page.locator(".field.invalid").first).to_be_visible()
        s.save(page, "08-member-form-errors", full=True, phone=phone)

        page.goto("/households/new/")
        page.get_by_role("button", name="保存登记").click()
        expect(page.locator(".errorbox, .field.invalid").first).to_be_visible()
        s.save(page, "04-create-form-errors", full=True, phone=phone)

    clerk.goto("/households/new/")
    id_input = clerk.locator("input[name$='id_number']").first
    id_input.fill("220422196005010000")  # wrong check digit: the live check says so
    id_input.press("Tab")
    hint = clerk.locator(".hint.bad").first
    expect(hint).not_to_be_empty()
    s.element(clerk.locator("fieldset", has=id_input), "04a-create-live-id-check")

    clerk.goto(household)
    clerk.get_by_role("button", name="English").click()
    expect(clerk.locator("html")).to_have_attribute("lang", "en")
    s.save(clerk, "07-english-household")
    clerk.get_by_role("button", name="中文").click()
    expect(clerk.locator("html")).to_have_attribute("lang", "zh-hans")

    approver = s.page("approver")
    s.both("approver", "/assessment/", "10-assessment-runs")
    run = first_link(approver, "/assessment/", "tr:has(.run-done) a[href^='/assessment/runs/']")
    s.both("approver", run, "11-run-page", full=True)
    region = "/regions/220422000000/?year=2019"
    s.both("approver", region, "14-region-page", full=True, ready=charts_drawn)
    s.both("approver", "/policy/standards/", "13-standards", full=True)
    diff = first_link(approver, "/policy/rulesets/", "a[href*='/policy/rulesets/diff/']")
    if diff:
        s.both("approver", diff, "13a-ruleset-diff")
    for url, name in (
        ("/programmes/", "20-programmes"),
        ("/cases/", "21-cases"),
        ("/assistance/", "22-assistance"),
        ("/supervision/", "23-supervision"),
        ("/payments/", "24-payments"),
        ("/exchange/", "25-exchange"),
    ):
        s.both("approver", url, name, full=True)

    approver.goto(household)
    approver.locator("details.reveal summary").first.click()
    approver.get_by_placeholder("查看事由（必填）").first.fill("核对低保申请材料")
    approver.get_by_role("button", name="查看", exact=True).first.click()
    expect(approver.locator(".plain").first).to_be_visible()
    s.save(approver, "06-approver-reveal")

    # Last, since it adds a run: without a worker it stays queued, polling its progress.
    approver.goto("/assessment/")
    approver.get_by_role("button", name="开始评估").click()
    expect(approver.locator("#run-progress")).to_be_visible()
    s.save(approver, "11a-run-progress")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000", help="the running demo")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screenshots")
    parser.add_argument("--docs", action="store_true", help="also refresh docs/screenshots/")
    args = parser.parse_args()
    reason = chromium.missing()
    if reason:
        raise SystemExit(reason)
    with sync_playwright() as pw:
        browser = chromium.launch(pw)
        take_all(Shooter(browser, args.base, args.out, ROOT / "docs" / "screenshots" if args.docs else None))
        browser.close()


if __name__ == "__main__":
    main()
