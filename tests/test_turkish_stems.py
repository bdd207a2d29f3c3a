"""Consonant mutation folded into one search key, the same on the index and the query side."""

from __future__ import annotations

import re

import pytest

from built_site import ROOT
from talimat_sphinx import search_tr as talimat_search_tr
from talimat_sphinx.turkish_stems import fold_mutation


@pytest.mark.parametrize(
    "forms",
    [["katalog", "kataloğu", "KATALOĞU", "katalogda", "kataloglar"],
     ["kod", "kodu", "kodda"], ["örnek", "örneği", "örnekler"], ["kitap", "kitabı"]],
)  # fmt: skip
def test_every_form_of_a_word_gets_one_key(forms: list[str]) -> None:
    keys = {talimat_search_tr.snowball(form) for form in forms}
    assert len(keys) == 1, keys


def test_the_query_side_mirrors_the_index_side() -> None:
    script = (ROOT / "_static" / "talimat-search-tr.js").read_text(encoding="utf-8")
    assert 'replace(/([gd])[ıiuü]$/u, "$1")' in script
    assert 'replace(/k$/u, "g").replace(/t$/u, "d")' in script
    for stem, key in [("katalogu", "katalog"), ("katalok", "katalog"), ("kot", "kod")]:
        folded = re.sub(r"([gd])[ıiuü]$", r"\1", stem)
        folded = re.sub(r"t$", "d", re.sub(r"k$", "g", folded))
        assert folded == fold_mutation(stem) == key
