"""Search results that lead to the teaching pages, with snippets of their text.

Three defects of the stock search with this theme, fixed on the query side by
``_static/talimat-search.js`` (search page only, both languages):

* Snippets: Sphinx cuts them from the page's ``[role="main"]`` element, which in
  sphinx-book-theme also holds the article header's menus and the print-only table of
  contents, so a result showed "…pdf Sistem ayarları Açık Koyu…" instead of the article.
* Ranking among the pages: Sphinx's ``searchtools.js`` scores a full-text match 15 when the
  word is in the page title *or in any heading*, 5 otherwise, and orders equal scores by title,
  alphabetically. Most queries match a dozen pages at 15, so the alphabet decided: when chapter
  7 ("Beyond SFT pairs…", one heading "Growing a small dataset") arrived, it came first for
  "datasets". The script also counts the query's words in the page title and in how many
  headings they stand, keeps a notebook below the chapter it practises, and orders equal scores
  by the book's reading order, which this module writes into the search page
  (``window.TALIMAT_READING_ORDER``, from the toctree).
* Ranking of the API reference: API objects score as object-name matches, above any chapter's
  text; for most queries ("datasets", "şablonları") the API reference came first. Its results
  now sit below the chapters and notebooks, still in the list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sphinx.application import Sphinx

__all__ = ["REFERENCE_PAGES", "reading_order", "setup"]

REFERENCE_PAGES = ("docs/api", "genindex", "py-modindex")  # mirrored in talimat-search.js


def reading_order(includes: Mapping[str, Sequence[str]], root: str) -> list[str]:
    """The documents in the order a reader meets them: the toctree walked depth first from
    ``root``, each document once (a page listed in two toctrees counts where it comes first)."""
    order: list[str] = []
    seen: set[str] = set()
    stack = [root]
    while stack:
        docname = stack.pop()
        if docname in seen:
            continue
        seen.add(docname)
        order.append(docname)
        stack.extend(reversed(includes.get(docname, ())))
    return order


def add_search_script(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if pagename != "search":
        return
    order = reading_order(app.env.toctree_includes, app.config.root_doc)
    app.add_js_file(None, body=f"window.TALIMAT_READING_ORDER = {json.dumps(order)};", priority=800)
    app.add_js_file("talimat-search.js", loading_method="defer", priority=800)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", add_search_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
