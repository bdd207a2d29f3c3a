"""Page weight as a reader pays it: bytes over the wire from a server that acts like GitHub Pages.

    python benchmarks/page_weight.py [--json out.json] [--runs 3]

The built site is served on 127.0.0.1 the way GitHub Pages serves it: text assets gzip-encoded,
``Cache-Control: max-age=600``, ``ETag`` / ``Last-Modified`` with 304 answers, and ``404.html`` for
missing paths. Headless Chromium (a fresh profile per scenario) reports the bytes it received for
every request (``Network.loadingFinished.encodedDataLength``: compressed body plus headers; 0 for a
request served from its cache). Scenarios, each the median of ``--runs`` runs:

* first visit: a chapter page (and a notebook page) with an empty cache;
* language switch: after that first visit, the switcher to the same page in the other language.

Budgets (issue 15), for a chapter page: first visit <= 200 KiB, language switch <= 60 KiB. A
notebook page is measured and reported too. The exit code is 1 when a median is over its budget.
"""

from __future__ import annotations

import argparse
import email.utils
import functools
import gzip
import hashlib
import http.server
import json
import shutil
import statistics
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from talimat.language import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
KIB = 1024
BUDGETS = {"first visit": 200 * KIB, "language switch": 60 * KIB}
CHAPTER = "docs/03-sample-counts.html"
NOTEBOOK = "notebooks/03-sample-counts.html"
# What GitHub Pages compresses (text types); images and fonts go as they are.
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".ipynb", ".map"}


class PagesLikeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with GitHub Pages' gzip, cache headers, validators and 404 page."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        status = 200
        if not path.is_file():
            path, status = Path(self.directory) / "404.html", 404
        body = path.read_bytes()
        etag = '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'
        if status == 200 and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "max-age=600")
            self.end_headers()
            return None
        gzipped = path.suffix in COMPRESSED and "gzip" in self.headers.get("Accept-Encoding", "")
        if gzipped:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        self.send_response(status)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("ETag", etag)
        modified = email.utils.formatdate(path.stat().st_mtime, usegmt=True)
        self.send_header("Last-Modified", modified)
        self.end_headers()
        self.wfile.write(body)
        return None


@contextmanager
def pages_like_server(directory: Path) -> Iterator[str]:
    handler = functools.partial(PagesLikeHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Meter:
    """Bytes received by one page, per request, from Chromium's network events."""

    def __init__(self, context: object, page: object) -> None:
        self.received: dict[str, int] = {}
        self.urls: dict[str, str] = {}
        session = context.new_cdp_session(page)  # type: ignore[attr-defined]
        session.send("Network.enable")
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event: dict) -> None:
        self.received[event["requestId"]] = int(event["encodedDataLength"])

    def take(self) -> tuple[int, dict[str, int]]:
        """Bytes since the last call, and the biggest requests."""
        by_url = {self.urls.get(key, key): size for key, size in self.received.items()}
        self.received = {}
        return sum(by_url.values()), dict(sorted(by_url.items(), key=lambda kv: -kv[1])[:8])


def settle(page: object) -> None:
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    page.evaluate("document.fonts.ready.then(() => true)")  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]


def visit_and_switch(browser: object, base: str, language: str, path: str) -> dict[str, object]:
    """A first visit of ``language/path``, then the switcher to the other language."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    meter = Meter(context, page)
    page.goto(f"{base}/{language}/{path}")
    settle(page)
    first, first_top = meter.take()
    page.locator("a.talimat-language-switch").first.click()
    page.wait_for_url(f"**/{path}*")
    settle(page)
    switch, switch_top = meter.take()
    context.close()
    return {"first visit": first, "language switch": switch, "top": [first_top, switch_top]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, default=ROOT / "_build" / "bench" / "page-weight.json")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if not chromium or not (SITE / "en" / "index.html").is_file():
        print("page weight needs Chromium and a built site (nox -s docs)", file=sys.stderr)
        return 1
    results: dict[str, dict[str, object]] = {}
    over = []
    with pages_like_server(SITE) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-background-networking"]
        )
        for language in LANGUAGES:
            for path in (CHAPTER, NOTEBOOK):
                runs = [visit_and_switch(browser, base, language, path) for _ in range(args.runs)]
                entry: dict[str, object] = {"largest requests": runs[0]["top"]}
                for scenario, budget in BUDGETS.items():
                    median = statistics.median(int(run[scenario]) for run in runs)  # type: ignore[call-overload]
                    entry[scenario] = median
                    # The budgets are the chapter page's; a notebook page is reported beside it
                    # (its HTML carries the notebook's figures: content, not page chrome).
                    limited = path == CHAPTER
                    mark = ""
                    if limited:
                        mark = f" (budget {budget / KIB:.0f} KiB, ratio {median / budget:.2f})"
                        if median > budget:
                            over.append(f"{language}/{path} {scenario}")
                    print(f"{language}/{path}: {scenario} {median / KIB:.1f} KiB{mark}")
                results[f"{language}/{path}"] = entry
        browser.close()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if over:
        print("over budget: " + ", ".join(over), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
