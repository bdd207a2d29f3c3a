"""talimat_sphinx.search_index_entries: an incremental build keeps the search's index entries."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sphinx.testing.util import SphinxTestApp

from talimat_sphinx.search_index_entries import _restored, object_anchors, without_object_entries


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
    api = Path(app.srcdir) / "api.md"  # an entry of its own: object entries are left out
    api.write_text(
        api.read_text(encoding="utf-8") + "\n```{index} single: error message\n```\n",
        encoding="utf-8",
    )
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


def test_entries_that_repeat_an_object_are_left_out() -> None:
    frozen = {
        "docnames": ["api", "glossary"],
        "objects": {
            "talimat": [[0, 0, 0, "-", "catalog"]],
            "talimat.catalog": [[0, 1, 1, "", "load"], [0, 1, 1, "custom-anchor", "save"]],
        },
        "objtypes": {0: "py:module", 1: "py:function"},  # numbers as Sphinx freezes them
        "indexentries": {
            "modül; talimat.catalog": [[0, "module-talimat.catalog", False]],
            "load() (talimat.catalog modülü içinde)": [[0, "talimat.catalog.load", False]],
            "save()": [[0, "custom-anchor", False]],
            "damıtma": [[1, "term-damitma", True]],
            "load": [[0, "talimat.catalog.load", False], [1, "term-load", False]],
        },
    }
    assert object_anchors(frozen) == {
        (0, "module-talimat.catalog"),
        (0, "talimat.catalog.load"),
        (0, "custom-anchor"),
    }
    kept = without_object_entries(frozen)["indexentries"]
    assert sorted(kept) == ["damıtma", "load"]  # prose, and an entry with a prose place too


@pytest.mark.sphinx("html", testroot="site", srcdir="search-index-objects")
def test_the_built_index_has_no_entry_that_only_repeats_an_object(app: SphinxTestApp) -> None:
    app.build()
    text = (Path(app.outdir) / "searchindex.js").read_text(encoding="utf-8")
    frozen = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    anchors = object_anchors(frozen)
    assert (frozen["docnames"].index("api"), "talimat.errors.TalimatError") in anchors
    repeating = [
        entry
        for entry, places in frozen["indexentries"].items()
        if all((document, target) in anchors for document, target, _ in places)
    ]
    assert not repeating
    # The general index still lists the objects.
    assert "TalimatError" in (Path(app.outdir) / "genindex.html").read_text(encoding="utf-8")
