"""talimat_sphinx.search_ranking: the book's reading order, written into the search page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from talimat_sphinx.search_ranking import reading_order


def test_the_reading_order_walks_the_toctree_depth_first() -> None:
    includes = {
        "index": ["docs/01", "notebooks/01", "docs/02", "docs/glossary"],
        "docs/01": ["docs/01-detail"],
        "docs/02": ["docs/glossary"],  # listed twice: counted where the reader first meets it
    }
    assert reading_order(includes, "index") == [
        "index", "docs/01", "docs/01-detail", "notebooks/01", "docs/02", "docs/glossary",
    ]  # fmt: skip


def test_a_document_outside_every_toctree_has_no_place() -> None:
    assert reading_order({"index": ["a"], "orphan": ["b"]}, "index") == ["index", "a"]


def test_a_toctree_cycle_ends() -> None:
    assert reading_order({"index": ["a"], "a": ["index", "b"]}, "index") == ["index", "a", "b"]


@pytest.mark.sphinx("html", testroot="site", srcdir="search-ranking")
def test_the_search_page_carries_the_reading_order(app: SphinxTestApp) -> None:
    app.build()
    search = (Path(app.outdir) / "search.html").read_text(encoding="utf-8")
    found = re.search(r"window\.TALIMAT_READING_ORDER = (\[.*?\]);", search)
    assert found, "no reading order on the search page"
    assert json.loads(found[1]) == ["index", "api"]
    # the ranking script comes after the order it reads (both before Search.init runs)
    assert search.index("TALIMAT_READING_ORDER") < search.index("talimat-search.js")
    index = (Path(app.outdir) / "index.html").read_text(encoding="utf-8")
    assert "TALIMAT_READING_ORDER" not in index
    assert "talimat-search.js" not in index
