"""Browser fixtures: the built site served on 127.0.0.1, and Debian's Chromium under Playwright.

Every page a test opens is watched: a console error, an uncaught exception or a request to any
host but 127.0.0.1 fails the test that caused it. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from browser_support import AXE, CHROMIUM_ARGS, Watch, missing, open_context, serve
from built_site import SITE


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    if not (SITE / "tr" / "index.html").is_file():
        pytest.fail(f"no built site under {SITE}: run `nox -s docs` first")
    with serve(SITE) as url:
        yield url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("TALIMAT_CHROMIUM") or shutil.which("chromium")
    if not path:
        missing("no Chromium found (apt-get install chromium, or set TALIMAT_CHROMIUM)")
    return str(path)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def watched(browser: object) -> Iterator[tuple[object, Watch]]:
    """A desktop-sized context; fails the test on console errors or external requests."""
    context, watch = open_context(browser, viewport={"width": 1280, "height": 900})
    yield context, watch
    context.close()  # type: ignore[attr-defined]
    assert not watch.console_errors, watch.console_errors
    assert not watch.external_requests, watch.external_requests


@pytest.fixture
def page(watched: tuple[object, Watch]) -> object:
    context, _ = watched
    return context.new_page()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        missing("axe-core not installed: run `npm ci --prefix tests/browser`")
    return AXE.read_text(encoding="utf-8")
