"""Helpers of the browser tests: a local server for the built site, watched browser contexts.

Imported by name from the tests (a module named ``conftest`` exists twice, so it is not).
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from built_site import ROOT

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


def screenshot(page: object, name: str) -> Path:
    """Keep a screenshot of what the test saw (CI artifacts)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)  # type: ignore[attr-defined]
    return path
