"""No English interface string on a Turkish page: the theme's own strings all appear in Turkish."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pydata_sphinx_theme
import pytest
import sphinx_book_theme
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

PYDATA_POT = Path(pydata_sphinx_theme.__file__).parent / "locale" / "sphinx.pot"
BOOK_PO = next(Path(sphinx_book_theme.__file__).parent.rglob("tr/LC_MESSAGES/booktheme.po"))
ROOT = Path(__file__).resolve().parent.parent
# Strings the themes hard-code in English; _templates/ shadows those components translatably.
HARD_CODED = ["Toggle primary sidebar", "Toggle secondary sidebar", "Main", "Search..."]
ATTRIBUTES = ("aria-label", "title", "placeholder", "data-bs-title", "alt")


def msgids(path: Path) -> list[str]:
    with path.open("rb") as handle:
        return [m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id]


@cache
def english_interface_strings() -> frozenset[str]:
    """The themes' English interface strings (placeholders and markup left out)."""
    candidates = set(msgids(PYDATA_POT)) | set(msgids(BOOK_PO)) | set(HARD_CODED)
    strings = {s for s in candidates if "%(" not in s and "<" not in s and len(s) > 1}
    same_in_turkish = {"GitHub", "Sphinx Book Theme", "PyData Sphinx Theme"}  # proper nouns
    return frozenset(strings - same_in_turkish)


def interface_strings(html_path: Path) -> set[str]:
    """Visible text and labels of a page outside the article (the theme's own interface)."""
    soup = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")
    for element in soup.select("article, script, style, noscript"):
        element.decompose()
    found = {text.strip() for text in soup.stripped_strings}
    for element in soup.find_all(True):
        found |= {element[name].strip() for name in ATTRIBUTES if element.get(name)}
    return found


def test_the_scan_sees_english_strings(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(
        '<html><body><a title="Back to top">x</a><span>Color mode</span>'
        "<article>Back to top</article></body></html>",
        encoding="utf-8",
    )
    assert interface_strings(page) & english_interface_strings() == {"Back to top", "Color mode"}


def test_no_turkish_page_shows_an_english_interface_string(site: Path) -> None:
    english = english_interface_strings()
    offenders = {}
    for page in sorted((site / "tr").rglob("*.html")):
        if shown := interface_strings(page) & english:
            offenders[str(page.relative_to(site))] = sorted(shown)
    assert not offenders, offenders


@pytest.mark.parametrize("text", ["Başa dön", "Renk modu", "Ana içeriğe geç", "Ara..."])
def test_supplied_turkish_strings_appear(site: Path, text: str) -> None:
    assert text in interface_strings(site / "tr" / "index.html")


def test_english_pages_keep_english_interface(site: Path) -> None:
    assert "Back to top" in interface_strings(site / "en" / "index.html")
