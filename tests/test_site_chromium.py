"""The published site's PDFs are printed by the Chromium that CI's browser tests use."""

from __future__ import annotations

import re

import yaml

from built_site import ROOT

PAGES = ROOT / ".github" / "workflows" / "pages.yml"
CI_RUN = ROOT / ".ci" / "run"


def publish_steps() -> list[dict[str, str]]:
    return yaml.safe_load(PAGES.read_text(encoding="utf-8"))["jobs"]["publish"]["steps"]


def test_the_pages_workflow_names_no_browser_it_does_not_install() -> None:
    text = PAGES.read_text(encoding="utf-8")
    assert "google-chrome" not in text
    for step in publish_steps():
        assert "TALIMAT_CHROMIUM" not in step.get("env", {}), step["name"]


def test_the_pages_workflow_finds_chromium_as_ci_does() -> None:
    steps = publish_steps()
    names = [step.get("name", "") for step in steps]
    browser = next(step for step in steps if "command -v chromium" in step.get("run", ""))
    build = next(step for step in steps if "nox -s docs -- --pdf" in step.get("run", ""))
    assert names.index(browser["name"]) < names.index(build["name"])
    assert 'echo "TALIMAT_CHROMIUM=$(command -v chromium)" >> "$GITHUB_ENV"' in browser["run"]
    # the same Debian/Ubuntu packages .ci/run installs when `chromium` is not on PATH
    installed = re.search(r"apt-get install[^\n]*--no-install-recommends ([^\n]+)", browser["run"])
    assert installed
    assert installed[1].split() == ["chromium", "fonts-dejavu-core"]
    assert "command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)" in (
        CI_RUN.read_text(encoding="utf-8")
    )
