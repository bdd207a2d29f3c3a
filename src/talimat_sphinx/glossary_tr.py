"""The Turkish glossary in Turkish alphabetical order (c < ç, g < ğ, ı < i, o < ö, s < ş, u < ü).

The glossary's source is English and in English order; its terms are translated by the catalog,
so on the Turkish site the list came out in the English order of the English terms. After the
translation is applied, this transform sorts each glossary by its Turkish terms.

The collation key is hand-written: Python has no Turkish collation without PyICU (a compiled
ICU binding), and the Turkish alphabet is a fixed, short list.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

from talimat.language import turkish_lower

__all__ = ["SortTurkishGlossary", "setup", "turkish_sort_key"]

# The Turkish alphabet, with q, w and x where Turkish dictionaries put foreign letters.
ALPHABET = "abcçdefgğhıijklmnoöpqrsştuüvwxyz"
_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}
_PLAIN = str.maketrans("âîû", "aiu")  # circumflexed vowels sort with their plain vowel


def turkish_sort_key(text: str) -> tuple[tuple[int, int], ...]:
    """A key that orders strings as a Turkish dictionary does (case-insensitively).

    Letters rank by the Turkish alphabet; digits come before letters and anything else
    (spaces, hyphens) before digits, so "ince ayar" sorts before "incelemek".
    """
    key = []
    for char in turkish_lower(text).translate(_PLAIN):
        if char in _RANK:
            key.append((2, _RANK[char]))
        elif char.isdigit():
            key.append((1, ord(char)))
        else:
            key.append((0, ord(char)))
    return tuple(key)


def _term_text(item: nodes.Node) -> str:
    term = item.next_node(nodes.term)
    return term.astext() if term is not None else ""


class SortTurkishGlossary(SphinxTransform):
    """Sort every glossary of a Turkish page by its (translated) terms."""

    default_priority = 25  # after sphinx.transforms.i18n.Locale (20) has put the Turkish in

    def apply(self, **kwargs: Any) -> None:
        if self.config.language != "tr":
            return
        for glossary in self.document.findall(addnodes.glossary):
            for definitions in glossary.findall(nodes.definition_list):
                items = list(definitions.children)
                items.sort(key=lambda item: turkish_sort_key(_term_text(item)))
                definitions.children = []
                definitions.extend(items)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_transform(SortTurkishGlossary)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
