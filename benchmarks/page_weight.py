"""Page weight of typical pages: the bytes a first visit loads (HTML + every asset), per language.

    python benchmarks/page_weight.py [--json out.json]

Loads each page in headless Chromium (fresh profile, so nothing is cached) from a local server
on the built site and adds up the response bodies by kind. Needs a built site and Chromium.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import sys
import threading
from collections import defaultdict
from pathlib import Path

from talimat.language import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
PAGES = [
    "docs/03-sample-counts.html",
    "notebooks/03-sample-counts.html",
    "notebooks/05-from-small-dataset-to-mix.html",
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def weigh(browser: object, url: str) -> dict[str, int]:
    """Bytes loaded by a first visit to ``url``, grouped by resource type."""
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    sizes: dict[str, int] = defaultdict(int)

    def on_response(response: object) -> None:
        try:
            body = response.body()  # type: ignore[attr-defined]
        except Exception:
            return
        sizes[response.request.resource_type] += len(body)  # type: ignore[attr-defined]

    page.on("response", on_response)
    page.goto(url, wait_until="networkidle")
    context.close()
    sizes["total"] = sum(sizes.values())
    return dict(sizes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, default=ROOT / "_build" / "bench" / "page-weight.json")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if not chromium or not (SITE / "en" / "index.html").is_file():
        print("page weight needs Chromium and a built site (nox -s docs)", file=sys.stderr)
        return 1
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-background-networking"]
        )
        for language in LANGUAGES:
            for page in PAGES:
                results[f"{language}/{page}"] = weigh(browser, f"{base}/{language}/{page}")
        browser.close()
    server.shutdown()
    for name, sizes in results.items():
        parts = ", ".join(f"{kind} {size / 1024:.0f} KiB" for kind, size in sorted(sizes.items()))
        print(f"{name}: {parts}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
