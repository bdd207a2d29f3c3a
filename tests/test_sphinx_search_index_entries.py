"""talimat_sphinx.search_index_entries: an incremental build keeps the search's index entries."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sphinx.testing.util import SphinxTestApp

from talimat_sphinx.search_index_entries import _restored


def _index_entries(outdir: Path) -> dict[str, Any]:
    text = (outdir / "searchindex.js").read_text(encoding="utf-8")
    frozen = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    names = frozen["docnames"]
    return {
        entry: sorted((names[doc], target, main) for doc, target, main in places)
        for entry, places in frozen["indexentries"].items()
    }


@pytest.mark.sphinx("html", testroot="site", srcdir="search-index-entries")
def test_an_incremental_build_keeps_the_entries_of_pages_it_does_not_write(
    app: SphinxTestApp, make_app: Callable[..., SphinxTestApp]
) -> None:
    """Sphinx 9.0 wrote only the re-written pages' entries: the API page's were lost."""
    app.build()
    first = _index_entries(Path(app.outdir))
    assert any(page == "api" for places in first.values() for page, _, _ in places)
    index = Path(app.srcdir) / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    again = make_app("html", srcdir=app.srcdir, freshenv=False)
    again.build()
    assert _index_entries(Path(again.outdir)) == first


def test_entries_come_back_in_the_builders_shape() -> None:
    frozen = {
        "docnames": ["api", "glossary"],
        "indexentries": {"distillation": [[1, "term-distillation", True]], "x": [[0, "", False]]},
    }
    assert _restored(frozen) == {
        "api": [("x", "", "")],
        "glossary": [("distillation", "term-distillation", "main")],
    }
