"""Lighthouse scores of the pages readers open most, in both languages, served like GitHub Pages.

    python benchmarks/lighthouse.py [--runs 3] [--json out.json]

Needs ``npm ci --prefix benchmarks/lighthouse`` and Debian's Chromium (``CHROME_PATH``, default
``/usr/bin/chromium``). Lighthouse's default (mobile) settings: a throttled phone. Targets
(issue 15): performance >= 95, accessibility, best practices and SEO = 100 on the chooser, a
chapter, a notebook, the glossary and the search page. Scores are medians of ``--runs``; the exit
code is 1 when one misses its target.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from page_weight import SITE, pages_like_server

from talimat.language import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = Path(__file__).parent / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
PAGES = [
    "docs/03-sample-counts.html",
    "notebooks/03-sample-counts.html",
    "docs/glossary.html",
    "search.html",
]
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}


def audit(url: str) -> dict[str, int]:
    """One Lighthouse run: the four category scores (0-100) of ``url``."""
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
             "--only-categories=" + ",".join(TARGETS),
             "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
            check=True, env={**os.environ, "CHROME_PATH": chrome},
            capture_output=True,
        )  # fmt: skip
        categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
    return {name: round(categories[name]["score"] * 100) for name in TARGETS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=ROOT / "_build" / "bench" / "lighthouse.json")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.is_file():
        print("run `npm ci --prefix benchmarks/lighthouse` first", file=sys.stderr)
        return 1
    results: dict[str, dict[str, float]] = {}
    missed = []
    with pages_like_server(SITE) as base:
        urls = {"chooser": f"{base}/index.html?choose"}
        urls |= {f"{lang}/{page}": f"{base}/{lang}/{page}" for lang in LANGUAGES for page in PAGES}
        for name, url in urls.items():
            runs = [audit(url) for _ in range(args.runs)]
            scores = {c: statistics.median(run[c] for run in runs) for c in TARGETS}
            results[name] = scores
            print(f"{name}: " + ", ".join(f"{c} {s:.0f}" for c, s in scores.items()))
            missed += [f"{name} {c} {s:.0f}" for c, s in scores.items() if s < TARGETS[c]]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if missed:
        print("below target: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
