"""API signatures as a reader sees them: in reading order, identifiers whole, on every width.

The HTML once had signature parts out of order (``filter_catalog(*, =purposeNone)``); this
reads the rendered boxes, so CSS that reorders, overlaps or splits parts fails too.
"""

from __future__ import annotations

import pytest

from browser_support import open_context, screenshot
from talimat.language import LANGUAGES

pytestmark = pytest.mark.browser

# For every signature: its text in the order a reader sees it (line by line, left to right),
# its text in source order, the text runs drawn over two lines (a word split), its overflow.
READ_SIGNATURES = """
() => Array.from(document.querySelectorAll("dt.sig")).map((dt) => {
  const walker = document.createTreeWalker(dt, NodeFilter.SHOW_TEXT);
  const pieces = [];
  const split = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest(".headerlink")) continue;
    if (!node.nodeValue.trim()) {  // a space between parts: part of the piece before it
      if (pieces.length) pieces[pieces.length - 1].text += " ";
      continue;
    }
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = range.getClientRects();
    const rect = rects[0];
    // A text node is one unbroken run (breaks may fall only between nodes: after "_", "," ...).
    if (rects.length > 1) split.push(node.nodeValue);
    if (rect) {
      pieces.push({text: node.nodeValue, top: rect.top, bottom: rect.bottom, left: rect.left});
    }
  }
  const lines = [];
  pieces.forEach((piece, index) => {
    const line = lines.find((l) => piece.top < l.bottom - 2 && piece.bottom > l.top + 2);
    const entry = {...piece, index};
    if (line) line.pieces.push(entry);
    else lines.push({top: piece.top, bottom: piece.bottom, pieces: [entry]});
  });
  lines.sort((a, b) => a.top - b.top);
  const visual = lines.flatMap((l) => l.pieces.sort((a, b) => a.left - b.left));
  const article = dt.closest("article").getBoundingClientRect();
  const sticksOut = dt.getBoundingClientRect().right - article.right;
  return {
    id: dt.id,
    visual: visual.map((p) => p.text).join(""),
    source: pieces.map((p) => p.text).join(""),
    split,
    overflow: Math.max(dt.scrollWidth - dt.clientWidth, sticksOut),
  };
})
"""


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", [390, 1280])
def test_signatures_read_in_order_at_every_width(
    browser: object, site_url: str, language: str, width: int
) -> None:
    from test_api_signatures import check_signature

    context, watch = open_context(browser, viewport={"width": width, "height": 900})
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{site_url}/{language}/docs/api.html")
    page.evaluate("document.fonts.ready")
    signatures = page.evaluate(READ_SIGNATURES)
    assert len(signatures) > 50
    problems = {}
    for signature in signatures:
        found = []
        if signature["visual"] != signature["source"]:
            found.append(f"drawn as {signature['visual']!r}")
        found += check_signature(" ".join(signature["visual"].split()), [])
        if signature["split"]:
            found.append(f"split inside a word: {signature['split']}")
        if signature["overflow"] > 1:
            found.append(f"overflows by {signature['overflow']:.0f}px")
        if found:
            problems[signature["id"]] = found
    page.locator("#talimat\\.catalog\\.filter_catalog").scroll_into_view_if_needed()
    screenshot(page, f"{language}-api-signatures-{width}")
    context.close()  # type: ignore[attr-defined]
    assert not problems, problems
    assert not watch.console_errors, watch.console_errors
