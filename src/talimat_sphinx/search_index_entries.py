"""Keep the search index's index entries across incremental builds.

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
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import sphinx
from sphinx.application import Sphinx
from sphinx.search import IndexBuilder

__all__ = ["PATCHED_MAJOR", "check_patch_target", "keep_index_entries", "setup"]

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


def keep_index_entries() -> None:
    """Wrap ``IndexBuilder.load`` and ``prune`` once (see the module docstring)."""
    if getattr(IndexBuilder, "_talimat_keeps_index_entries", False):
        return
    original_load = IndexBuilder.load
    original_prune = IndexBuilder.prune

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

    IndexBuilder.load = load  # type: ignore[method-assign]
    IndexBuilder.prune = prune  # type: ignore[method-assign]
    IndexBuilder._talimat_keeps_index_entries = True  # type: ignore[attr-defined]


def setup(app: Sphinx) -> dict[str, Any]:
    check_patch_target()
    keep_index_entries()
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
