"""No English interface string anywhere in the Turkish site's live DOM, attributes included.

The static scan (tests/test_interface_tr.py) reads the HTML outside the article; this one reads
what the browser shows after the scripts ran (the copy button is drawn by JavaScript), inside the
article too (permalink titles, signature marks), and every attribute a reader can meet as a
tooltip or a screen-reader label.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import sphinx
import sphinx_copybutton
from babel.messages.pofile import read_po

from built_site import SITE
from pages import content_pages
from test_interface_tr import english_interface_strings

pytestmark = pytest.mark.browser

SPHINX_POT = Path(sphinx.__file__).parent / "locale" / "sphinx.pot"
COPYBUTTON_JS = Path(sphinx_copybutton.__file__).parent / "_static" / "copybutton.js_t"

# Every string the page shows or announces: text outside code and the untranslated API
# docstrings (English by design), and the attributes that become tooltips or labels.
READ_STRINGS = """
() => {
  const skip = "pre, code, script, style, dl.py > dd, .sig, .cell_output, .bibliography";
  const found = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim();
    if (text && !node.parentElement.closest(skip)) found.add(text);
  }
  const names = ["title", "aria-label", "placeholder", "alt", "data-tooltip", "data-bs-title"];
  for (const element of document.querySelectorAll("*")) {
    for (const name of names) {
      const value = element.getAttribute(name);
      if (value && value.trim()) found.add(value.trim());
    }
  }
  document.querySelectorAll("svg title").forEach((t) => found.add(t.textContent.trim()));
  return Array.from(found);
}
"""


@cache
def english_strings() -> frozenset[str]:
    """English interface strings of Sphinx, the themes and sphinx-copybutton."""
    with SPHINX_POT.open("rb") as handle:
        sphinx_ids = {m.id for m in read_po(handle) if isinstance(m.id, str) and m.id}
    sphinx_ids = {s for s in sphinx_ids if "%" not in s and "<" not in s and len(s) > 3}
    english_block = re.search(r"'en': \{(.*?)\}", COPYBUTTON_JS.read_text("utf-8"), re.S)
    assert english_block, "copybutton.js_t changed: update the test"
    copybutton = set(re.findall(r":\s*'([^']+)'", english_block.group(1)))
    # Names that read the same in Turkish (or are code) are not English interface text.
    same = {"Python", "GitHub", "Sphinx", "PDF", "Talimat", "None", "Binder", "Colab"}
    return frozenset((sphinx_ids | copybutton | english_interface_strings()) - same)


def test_the_lists_hold_the_strings_seen_before() -> None:
    assert {"Copy", "Copied!", "Link to this heading", "Link to this term"} <= english_strings()
    assert "Keyword-only parameters separator (PEP 3102)" in english_strings()


def turkish_pages() -> list[str]:
    return [*content_pages("tr"), "search.html", "genindex.html"]


@pytest.mark.parametrize("path", turkish_pages())
def test_turkish_dom_has_no_english_interface_string(
    page: object, site_url: str, path: str
) -> None:
    if not (SITE / "tr" / path).is_file():
        pytest.skip(f"{path} not built")
    page.goto(f"{site_url}/tr/{path}")  # type: ignore[attr-defined]
    page.wait_for_load_state("load")  # type: ignore[attr-defined]
    shown = set(page.evaluate(READ_STRINGS))  # type: ignore[attr-defined]
    english = sorted(shown & english_strings())
    assert not english, f"tr/{path} shows English: {english}"


def test_copy_button_answers_in_turkish(page: object, site_url: str) -> None:
    """Deferred, copybutton.js draws its buttons before the Turkish labels' script runs (the
    English "Copy" came back when the scripts were first deferred): the labels must hold."""
    page.goto(f"{site_url}/tr/notebooks/02-finding-datasets.html")  # type: ignore[attr-defined]
    script = page.locator('head script[src*="copybutton"]')  # type: ignore[attr-defined]
    assert script.get_attribute("defer") is not None  # the case this test is about
    button = page.locator("button.copybtn").first  # type: ignore[attr-defined]
    assert button.get_attribute("data-tooltip") == "Kopyala"
    button.click()  # copied or refused by the headless clipboard: either answer is Turkish
    assert button.get_attribute("data-tooltip") in {"Kopyalandı!", "Kopyalanamadı"}
    assert "Panoya kopyala" in button.inner_html() or "Kopyalandı!" in button.inner_html()
