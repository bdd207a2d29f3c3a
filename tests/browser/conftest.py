"""Browser fixtures: the built site served on 127.0.0.1, and Debian's Chromium under Playwright.

Every page a test opens is watched: a console error, an uncaught exception or a request to any
host but 127.0.0.1 fails the test that caused it. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing(what: str) -> None:
    """Skip locally with the reason; in CI (which installs everything) fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI must install it: see .ci/run)")
    pytest.skip(what)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) for the duration of the block."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


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


@dataclass
class Watch:
    """What a page did that a reader would notice: errors, and requests off this machine."""

    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)


def _guard(watch: Watch, route: object) -> None:
    url = route.request.url  # type: ignore[attr-defined]
    host = urlsplit(url).hostname
    if url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
        route.continue_()  # type: ignore[attr-defined]
    else:
        watch.external_requests.append(url)
        route.abort()  # type: ignore[attr-defined]


def open_context(browser: object, **options: object) -> tuple[object, Watch]:
    """A fresh browser context (new profile) whose pages are all watched."""
    watch = Watch()
    context = browser.new_context(**options)  # type: ignore[attr-defined]
    context.route("**/*", functools.partial(_guard, watch))

    def on_page(page: object) -> None:
        page.on(  # type: ignore[attr-defined]
            "console",
            lambda message: (
                message.type == "error"
                and watch.console_errors.append(f"{page.url}: {message.text}")
            ),  # type: ignore[attr-defined]
        )
        page.on("pageerror", lambda error: watch.console_errors.append(f"{page.url}: {error}"))  # type: ignore[attr-defined]

    context.on("page", on_page)
    return context, watch


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


def screenshot(page: object, name: str) -> Path:
    """Keep a screenshot of what the test saw (CI artifacts)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)  # type: ignore[attr-defined]
    return path


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        missing("axe-core not installed: run `npm ci --prefix tests/browser`")
    return AXE.read_text(encoding="utf-8")
