"""Search results that lead to the teaching pages, with snippets of their text.

Two defects of the stock search with this theme, fixed on the query side by
``_static/talimat-search.js`` (search page only, both languages):

* Snippets: Sphinx cuts them from the page's ``[role="main"]`` element, which in
  sphinx-book-theme also holds the article header's menus and the print-only table of
  contents, so a result showed "…pdf Sistem ayarları Açık Koyu…" instead of the article.
* Ranking: API objects score as object-name matches, above any chapter's text; for most
  queries ("datasets", "şablonları") the API reference came first. Its results now sit below
  the chapters and notebooks, still in the list.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

__all__ = ["REFERENCE_PAGES", "setup"]

REFERENCE_PAGES = ("docs/api", "genindex", "py-modindex")  # mirrored in talimat-search.js


def add_search_script(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if pagename == "search":
        app.add_js_file("talimat-search.js", loading_method="defer", priority=800)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", add_search_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
