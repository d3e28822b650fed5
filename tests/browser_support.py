"""Headless Chromium for the preview tests: Debian's browser, driven by Playwright for Python.

Playwright's own browser downloads are never used: the tests launch the system Chromium
(``/usr/bin/chromium``, which ``.ci/run`` installs when missing) with the flags below, which keep
the browser itself off the network. :class:`Opened` records every request a page makes and every
dialog it opens, so a test can demand "no request, no script".
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("WAFORM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Where screenshots go (a CI artifact directory); default: the test's tmp_path.
SCREENSHOT_DIR = os.environ.get("WAFORM_PREVIEW_SCREENSHOTS")


def _why_no_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} is missing (Debian: apt-get install -y chromium; .ci/run does this)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One browser per test module. While it runs, Playwright's event loop is the thread's
    running loop, so ``asyncio.run`` (the CLI's plan, drift, apply) fails: a module builds its
    pages before it asks for the browser."""
    reason = _why_no_browser()
    if reason is not None:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Opened:
    """A page opened from a file, with what it asked of the outside world."""

    page: object
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def outside_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith("file://")]


def open_page(browser: object, path: Path, *, width: int = 1500) -> Opened:
    """Open ``path``; every request is routed (anything not ``file://`` is refused and
    recorded), and a dialog (``alert``, …) is recorded and dismissed."""
    context = browser.new_context(viewport={"width": width, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    opened = Opened(page)

    def route(route_, request) -> None:  # noqa: ANN001 - Playwright's callback types
        if request.url.startswith("file://"):
            route_.continue_()
        else:
            opened.blocked.append(request.url)
            route_.abort()

    def dialog(d) -> None:  # noqa: ANN001
        opened.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    context.route("**/*", route)
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("dialog", dialog)
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return opened


def screenshot(opened: Opened, name: str, tmp_path: Path) -> Path:
    """A full-page screenshot, kept where ``WAFORM_PREVIEW_SCREENSHOTS`` says (or tmp_path)."""
    directory = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    opened.page.screenshot(path=str(target), full_page=True)  # type: ignore[attr-defined]
    return target
