"""The package's version is written once, and the changelog has an entry for it."""

from __future__ import annotations

import importlib.metadata

import talimat
from built_site import ROOT


def test_the_installed_version_is_the_one_in_the_package() -> None:
    assert importlib.metadata.version("talimat") == talimat.__version__


def test_the_changelog_has_the_current_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {talimat.__version__} — " in changelog
    assert "## Unreleased" in changelog.split(f"## {talimat.__version__}")[0]
