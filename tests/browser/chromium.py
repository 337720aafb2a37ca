"""Debian's chromium, started headless the same way by the browser tests and the screenshot script.

Playwright never downloads a browser of its own here (that fails on a closed network, and CI must not
depend on it): it drives ``/usr/bin/chromium`` from Debian's ``chromium`` package (``.ci/install-browser``).
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("TUOPIN_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags chromium keeps trying to reach Google's services, and the
# closed network refuses every one of those connections; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",  # the browser's own texts (file and date inputs) in Chinese, as a clerk's browser shows them
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}  # a common phone (iPhone 12–14 size) for village staff


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install Debian's chromium (sudo .ci/install-browser)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install -r requirements.lock"
    return None


def launch(playwright):
    """A headless chromium browser from Debian's package, with the flags the closed network needs."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
