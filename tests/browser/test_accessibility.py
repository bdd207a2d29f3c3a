"""An axe-core scan of representative pages in both languages: no serious or critical issue."""

from __future__ import annotations

import json

import pytest

from browser_support import ARTIFACTS
from talimat.language import LANGUAGES

PAGES = [
    "index.html",
    "docs/01-what-is-an-instruction-dataset.html",
    "notebooks/01-what-is-an-instruction-dataset.html",
    "docs/03-sample-counts.html",
    "notebooks/03-sample-counts.html",
    "docs/glossary.html",
    "search.html",
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(
    page: object, site_url: str, axe_source: str, language: str, path: str
) -> None:
    page.goto(f"{site_url}/{language}/{path}")  # type: ignore[attr-defined]
    page.wait_for_load_state("load")  # type: ignore[attr-defined]
    page.add_script_tag(content=axe_source)  # type: ignore[attr-defined]
    results = page.evaluate(  # type: ignore[attr-defined]
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    violations = results["violations"]
    ARTIFACTS.mkdir(exist_ok=True)
    name = f"axe-{language}-{path.replace('/', '-')}.json"
    (ARTIFACTS / name).write_text(json.dumps(violations, indent=1), encoding="utf-8")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]
    assert not serious, serious
