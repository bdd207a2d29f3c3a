"""The search index's index entries: kept across incremental builds, none repeating an object.

Sphinx 9.0's ``IndexBuilder.load`` restores titles and terms from the previous
``searchindex.js`` but not its ``indexentries``, and the environment it keeps between builds
is pickled before the pages are written, so it holds none either. An incremental build
therefore writes a search index with the entries of the re-written pages only: after the
second ``nox -s tests`` build the glossary's and the API reference's entries were gone, and
"distillation" no longer found its glossary term first (a fresh build found it). Upstream
knows: sphinx-doc/sphinx#12599 ("'indexentries' section missing results from search index
following non-fresh project rebuild"), open since Sphinx 7.4.

:func:`keep_index_entries` wraps ``load`` to restore the entries of the pages that are not
written again (the pages that are get theirs from ``feed``, as before) and ``prune`` to drop
those of removed pages. It does nothing when ``load`` already restores them, so a Sphinx that
fixes this makes the wrapper a no-op; :func:`check_patch_target` refuses an untested major
version so the build says so instead of silently drifting.

The same wrapper of ``freeze`` leaves out the index entries that only repeat an API object
(``load() (talimat.catalog modülü içinde)``, pointing at the anchor of the object ``load``): 262
of the 314 entries, 25 KB of the Turkish index's 144 KB (and 24 KB of the English 96 KB), that
every reader downloads with the search page. ``searchtools.js`` matches an entry only when the
query is a substring at least half the entry's length, so such an entry answers only queries
like "talimat.catalog modülü içinde", and then as a second copy of a result the object search
already gives. The general index (``genindex.html``) is built from the environment and keeps
them; the glossary's entries and any other entry that points at prose stay in the search index.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import sphinx
from sphinx.application import Sphinx
from sphinx.search import IndexBuilder

__all__ = [
    "PATCHED_MAJOR",
    "check_patch_target",
    "keep_index_entries",
    "object_anchors",
    "setup",
    "without_object_entries",
]

PATCHED_MAJOR = 9  # the Sphinx major version whose IndexBuilder.load this was written for


class PatchTargetChanged(RuntimeError):
    """Sphinx is not the version this patch was written for."""


def check_patch_target() -> None:
    """Refuse a Sphinx major version the wrapper was not checked against."""
    if sphinx.version_info[0] != PATCHED_MAJOR:
        raise PatchTargetChanged(
            f"talimat_sphinx.search_index_entries was written for Sphinx {PATCHED_MAJOR}.x, "
            f"found {sphinx.__version__}: check whether IndexBuilder.load restores "
            "'indexentries' now, then update or remove the module"
        )


def _restored(frozen: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    """``indexentries`` of a frozen index, back in ``IndexBuilder._index_entries``' shape."""
    names = frozen["docnames"]
    entries: dict[str, list[tuple[str, str, str]]] = {}
    for entry, places in frozen.get("indexentries", {}).items():
        for document, target, main in places:
            entries.setdefault(names[document], []).append((entry, target, "main" if main else ""))
    return {name: sorted(found) for name, found in entries.items()}


def object_anchors(frozen: dict[str, Any]) -> set[tuple[int, str]]:
    """(page number, anchor) of every object of a frozen index.

    ``objects`` keeps each anchor short, as ``IndexBuilder.get_objects`` writes it: ``""`` for
    the full name, ``"-"`` for ``<type>-<full name>``, anything else for itself.
    """
    anchors: set[tuple[int, str]] = set()
    # Numbers as keys while Sphinx freezes, strings once read back from searchindex.js.
    types = {str(number): name for number, name in frozen.get("objtypes", {}).items()}
    for prefix, found in frozen.get("objects", {}).items():
        for document, type_index, _priority, short, name in found:
            full = f"{prefix}.{name}" if prefix else name
            kind = types[str(type_index)].split(":")[-1]
            anchor = full if short == "" else f"{kind}-{full}" if short == "-" else short
            anchors.add((document, anchor))
    return anchors


def without_object_entries(frozen: dict[str, Any]) -> dict[str, Any]:
    """``frozen`` without the index entries whose every place is an object's anchor."""
    anchors = object_anchors(frozen)
    frozen["indexentries"] = {
        entry: places
        for entry, places in frozen.get("indexentries", {}).items()
        if not all((document, target) in anchors for document, target, _main in places)
    }
    return frozen


def keep_index_entries() -> None:
    """Wrap ``IndexBuilder.load``, ``prune`` and ``freeze`` once (see the module docstring)."""
    if getattr(IndexBuilder, "_talimat_keeps_index_entries", False):
        return
    original_load = IndexBuilder.load
    original_prune = IndexBuilder.prune
    original_freeze = IndexBuilder.freeze

    def load(self: IndexBuilder, stream: Any, format: Any) -> None:
        if isinstance(format, str):
            format = self.formats[format]
        data = stream.read()
        original_load(
            self, io.StringIO(data) if isinstance(data, str) else io.BytesIO(data), format
        )
        if not self._index_entries:  # Sphinx left them out: take them from the old index
            self._index_entries.update(_restored(format.loads(data)))

    def prune(self: IndexBuilder, docnames: Iterable[str]) -> None:
        keep = set(docnames)
        original_prune(self, keep)
        for name in [name for name in self._index_entries if name not in keep]:
            del self._index_entries[name]

    def freeze(self: IndexBuilder) -> dict[str, Any]:
        return without_object_entries(original_freeze(self))

    IndexBuilder.load = load  # type: ignore[method-assign]
    IndexBuilder.prune = prune  # type: ignore[method-assign]
    IndexBuilder.freeze = freeze  # type: ignore[method-assign]
    IndexBuilder._talimat_keeps_index_entries = True  # type: ignore[attr-defined]


def setup(app: Sphinx) -> dict[str, Any]:
    check_patch_target()
    keep_index_entries()
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
