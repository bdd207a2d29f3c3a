"""Index entries Sphinx writes in English whatever the language: ``module; talimat.catalog``.

Sphinx's Python domain builds each module's index entry from a hard-coded English word, so the
Turkish general index listed every module under "module". This transform puts Sphinx's own
translation of the word (the one its object descriptions use) into those entries.
"""

from __future__ import annotations

from typing import Any

from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.transforms import SphinxTransform

from talimat.language import SOURCE_LANGUAGE

__all__ = ["TranslateModuleIndexEntries", "setup"]

PREFIX = "module; "  # as sphinx.domains.python.PyModule writes it


class TranslateModuleIndexEntries(SphinxTransform):
    """Translate the word "module" of module index entries on non-English pages."""

    default_priority = 30  # after the Locale transform (20)

    def apply(self, **kwargs: Any) -> None:
        if (self.config.language or SOURCE_LANGUAGE) == SOURCE_LANGUAGE:
            return
        word = _("module")
        for index in self.document.findall(addnodes.index):
            index["entries"] = [
                (kind, f"{word}; {value[len(PREFIX) :]}", *rest)
                if kind == "pair" and value.startswith(PREFIX)
                else (kind, value, *rest)
                for kind, value, *rest in index["entries"]
            ]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_transform(TranslateModuleIndexEntries)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
