"""Lighthouse scores of the pages readers open most, in both languages, served like GitHub Pages.

    python benchmarks/lighthouse.py [--runs 3] [--json out.json]

Needs ``npm ci --prefix benchmarks/lighthouse`` and Debian's Chromium (``CHROME_PATH``, default
``/usr/bin/chromium``). Lighthouse's default (mobile) settings: a throttled phone. Targets
(issue 15): performance >= 95, accessibility, best practices and SEO = 100 on the chooser, a
chapter, a notebook, the glossary and the search page. Scores are medians of ``--runs``; the exit
code is 1 when one misses its target. Lighthouse's simulated phone is only as steady as the
machine under it: each page's line (and the JSON) also gives the 1-minute load average before
and after its runs.
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
    results: dict[str, dict[str, object]] = {}
    missed = []
    with pages_like_server(SITE) as base:
        urls = {"chooser": f"{base}/index.html?choose"}
        urls |= {f"{lang}/{page}": f"{base}/{lang}/{page}" for lang in LANGUAGES for page in PAGES}
        for name, url in urls.items():
            load_before = os.getloadavg()[0]
            runs = [audit(url) for _ in range(args.runs)]
            load = (load_before, os.getloadavg()[0])
            scores = {c: statistics.median(run[c] for run in runs) for c in TARGETS}
            results[name] = {**scores, "load": load}
            print(
                f"{name}: "
                + ", ".join(f"{c} {s:.0f}" for c, s in scores.items())
                + f" (load {load[0]:.2f}-{load[1]:.2f})"
            )
            missed += [f"{name} {c} {s:.0f}" for c, s in scores.items() if s < TARGETS[c]]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if missed:
        print("below target: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
