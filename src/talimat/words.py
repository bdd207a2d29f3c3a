"""Words as the curation modules compare them: normalized text split on word characters.

Deduplication (shingles), decontamination (n-grams) and the Self-Instruct novelty filter
(ROUGE-L) must cut a text into the same words, so they share this one definition: the text
goes through :func:`talimat.profile.normalize_text` (case folded the Turkish way, punctuation
removed) and every run of word characters (``\\w+``, Unicode-aware) is a word.
"""

from __future__ import annotations

import re

from .profile import normalize_text

__all__ = ["WORD", "words"]

#: One word: a run of Unicode word characters (letters with their Turkish accents, digits, _).
WORD = re.compile(r"\w+")


def words(text: str, *, merge_dotless_i: bool = False) -> list[str]:
    """The words of ``text`` after normalization.

    >>> words("İADE süresi, KAÇ gün?")
    ['iade', 'süresi', 'kaç', 'gün']

    ``merge_dotless_i`` also turns ``ı`` into ``i``: next to Turkish text, an English word in
    capitals folds the Turkish way (``IŞIK HAWAII`` gives ``hawaıı``), and a check that must
    not miss a copy treats the two letters as one.
    """
    folded = normalize_text(text)
    return WORD.findall(folded.replace("ı", "i") if merge_dotless_i else folded)
