"""The class handout: one PDF per language, linked from every page's download menu."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from built_site import ROOT
from talimat_sphinx import handout
from talimat_sphinx.controls import tidy_download_menu

THEME_MENU = {
    "label": "download-buttons",
    "buttons": [
        {"type": "link", "label": "download-source-button", "url": "../_sources/"},
        {"type": "javascript", "label": "download-pdf-button", "javascript": "window.print()"},
    ],
}


def test_the_menu_links_the_handout_only_on_handout_builds() -> None:
    plain = tidy_download_menu([THEME_MENU], notebook_page=False)
    assert [b["label"] for b in plain[0]["buttons"]] == ["download-pdf-button"]  # no dead .md
    with_pdf = tidy_download_menu([THEME_MENU], notebook_page=False, handout="../talimat-en.pdf")
    assert with_pdf[0]["buttons"][-1]["url"] == "../talimat-en.pdf"
    assert tidy_download_menu([THEME_MENU], notebook_page=True) == []  # the notebook menu instead


def test_pages_link_the_handout_of_their_language(monkeypatch: pytest.MonkeyPatch) -> None:
    config = SimpleNamespace(language="tr", talimat_handout=None)
    app = SimpleNamespace(builder=SimpleNamespace(name="html"), config=config)
    context: dict[str, object] = {}
    monkeypatch.delenv(handout.ENVIRONMENT, raising=False)
    handout.read_handout_flag(app, config)  # type: ignore[arg-type]
    handout.add_handout_link(app, "docs/glossary", "page.html", context, None)  # type: ignore[arg-type]
    assert "talimat_handout" not in context  # not a handout build
    monkeypatch.setenv(handout.ENVIRONMENT, "1")
    handout.read_handout_flag(app, config)  # type: ignore[arg-type]
    assert config.talimat_handout is True
    handout.add_handout_link(app, "docs/glossary", "page.html", context, None)  # type: ignore[arg-type]
    assert context["talimat_handout"] == "../talimat-tr.pdf"


@pytest.mark.slow
def test_a_handout_is_a_pdf_of_the_whole_book(tmp_path: Path) -> None:
    if not handout.chromium():
        pytest.skip("no Chromium")
    site = tmp_path / "html"
    (site / "en").mkdir(parents=True)
    result = handout.build_handout(ROOT, ROOT / "_build", site, "en")
    assert result.error == ""
    data = result.path.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) > 50
