"""Turkish collation of the glossary: c < ç, g < ğ, ı < i, o < ö, s < ş, u < ü."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from talimat_sphinx.glossary_tr import ALPHABET, turkish_sort_key

TURKISH_WORDS = st.text(alphabet=ALPHABET + ALPHABET.upper() + " -", max_size=12)


@pytest.mark.parametrize(
    ("before", "after"),
    [("cam", "çam"), ("gaz", "ğ"), ("ılık", "iğne"), ("ot", "öz"), ("su", "şu"), ("un", "ün"),
     ("ince ayar", "incelemek"), ("Irmak", "ismail"), ("İnce", "jeton"), ("z", "zz")],
)  # fmt: skip
def test_turkish_letters_sort_after_their_base_letter(before: str, after: str) -> None:
    assert turkish_sort_key(before) < turkish_sort_key(after)


@given(TURKISH_WORDS, TURKISH_WORDS)
def test_the_order_ignores_case_the_turkish_way(a: str, b: str) -> None:
    from talimat.language import turkish_lower

    assert turkish_sort_key(a) == turkish_sort_key(turkish_lower(a))
    if turkish_lower(a) != turkish_lower(b):
        assert turkish_sort_key(a) != turkish_sort_key(b)


@pytest.mark.site
def test_turkish_glossary_is_in_turkish_order(site: Path) -> None:
    for language in ("tr", "en"):
        html = (site / language / "docs" / "glossary.html").read_text("utf-8")
        terms = [
            " ".join(dt.get_text().replace("#", "").split())
            for dt in BeautifulSoup(html, "html.parser").select("dl.glossary > dt")
        ]
        assert len(terms) > 10
        if language == "tr":
            assert terms == sorted(terms, key=turkish_sort_key)
        else:  # the English source order stays as written (alphabetical)
            assert terms == sorted(terms, key=str.casefold)
