"""Tables on a phone: a word or identifier may wrap only at its punctuation, never mid-word."""

from __future__ import annotations

import pytest

from browser_support import open_context, screenshot
from pages import content_pages
from talimat.language import LANGUAGES

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

# Runs of letters and digits inside table cells that the browser drew over two lines. Chinese and
# Japanese text (real records of the identity set) has no spaces and wraps between any two
# characters by design (Unicode line breaking), so runs holding Han or kana are not words here.
SPLIT_WORDS = r"""() => {
  const split = [];
  const ideographic = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
  for (const cell of document.querySelectorAll("article td, article th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.nodeValue.matchAll(/[\p{L}\p{N}]+/gu)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
        if (lines.size > 1 && !ideographic.test(match[0])) split.push(match[0]);
      }
    }
  }
  return split;
}"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_table_words_stay_whole_on_a_phone(browser: object, site_url: str, language: str) -> None:
    context, watch = open_context(browser, **PHONE)
    page = context.new_page()  # type: ignore[attr-defined]
    offenders = {}
    for path in content_pages(language):
        page.goto(f"{site_url}/{language}/{path}")
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready")
        if split := page.evaluate(SPLIT_WORDS):
            offenders[path] = split[:5]
    page.goto(f"{site_url}/{language}/docs/02-finding-datasets.html")
    if page.locator("article table").count():
        page.locator("article table").first.scroll_into_view_if_needed()
    screenshot(page, f"{language}-phone-table")
    context.close()  # type: ignore[attr-defined]
    assert not offenders, offenders
    assert not watch.console_errors, watch.console_errors
