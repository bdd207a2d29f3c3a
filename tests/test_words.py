"""Tests for talimat.words, the one word split of dedup, contamination and synthetic."""

from __future__ import annotations

from talimat.contamination import ngrams
from talimat.dedup import shingles
from talimat.synthetic import rouge_l
from talimat.words import words


def test_words_fold_turkish_case_and_drop_punctuation() -> None:
    assert words("İADE süresi, KAÇ gün?") == ["iade", "süresi", "kaç", "gün"]
    assert words("IŞIK HAWAII") == ["ışık", "hawaıı"]  # Turkish letters: Turkish casing
    assert words("IŞIK HAWAII", merge_dotless_i=True) == ["işik", "hawaii"]
    assert words(" ,.! ") == []


def test_the_curation_modules_split_the_same_words() -> None:
    text = "Kitabım NE ZAMAN gelir? İade süresi kaç gün?"
    assert shingles(text, n=1) == set(words(text))
    assert ngrams(text, 1) == {(word.replace("ı", "i"),) for word in words(text)}
    assert rouge_l(text, " ".join(words(text))) == 1.0
