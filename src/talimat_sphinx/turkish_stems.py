"""One search key for the forms a Turkish consonant mutation gives a stem (katalog / kataloğu).

Turkish softens a stem's final consonant before a vowel (katalog -> kataloğu, kod -> kodu,
örnek -> örneği). Snowball's Turkish stemmer undoes part of it and adds an inconsistency of its
own: it turns a final ``ğ`` into ``k`` and ``d`` into ``t`` (kataloğu -> katalok, kodu -> kot),
but appends a vowel to stems that end in ``g`` or ``d`` (katalog -> katalogu, kod -> kodu). A
search for "KATALOĞU" therefore missed the pages that say "katalog". Folding every stem the same
way on the index side (:mod:`talimat_sphinx.search_tr`) and the query side
(``_static/talimat-search-tr.js``, which mirrors :func:`fold_mutation`) gives all of them one key.
"""

from __future__ import annotations

import re

__all__ = ["fold_mutation"]

_APPENDED_VOWEL = re.compile(r"([gd])[ıiuü]$")
_HARD_FINAL = {"k": "g", "t": "d"}


def fold_mutation(stem: str) -> str:
    """The key of a Snowball stem: Snowball's appended vowel dropped, a final k/t softened."""
    stem = _APPENDED_VOWEL.sub(r"\1", stem)
    if stem and stem[-1] in _HARD_FINAL:
        stem = stem[:-1] + _HARD_FINAL[stem[-1]]
    return stem
