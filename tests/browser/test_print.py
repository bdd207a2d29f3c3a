"""Printed pages (the class handout): long outputs and tables wrap instead of being clipped."""

from __future__ import annotations

import pytest

from pages import content_pages
from talimat.language import LANGUAGES

pytestmark = pytest.mark.browser

# Boxes whose content is wider than the box (on paper: cut off at the margin, with a scrollbar).
CLIPPED = """() => Array.from(document.querySelectorAll(
    "article pre, article .cell_output, article .output, article .pst-scrollable-table-container"))
  .filter((box) => box.offsetParent !== null && box.scrollWidth - box.clientWidth > 1)
  .map((box) => (box.textContent || "").trim().slice(0, 60))"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_is_clipped_on_paper(page: object, site_url: str, language: str) -> None:
    page.set_viewport_size({"width": 700, "height": 1000})  # type: ignore[attr-defined]  # A4 text width
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    clipped = {}
    for path in content_pages(language):
        page.goto(f"{site_url}/{language}/{path}")  # type: ignore[attr-defined]
        page.wait_for_load_state("load")  # type: ignore[attr-defined]
        if boxes := page.evaluate(CLIPPED):  # type: ignore[attr-defined]
            clipped[path] = boxes[:3]
    assert not clipped, clipped
