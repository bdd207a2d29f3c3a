"""What can be measured offline about generated instructions: novelty and variety.

Self-Instruct grows a pool of tasks from human-written seeds by asking a model for new
instructions, and adds a generated instruction to the pool only when it is new enough: its
ROUGE-L similarity with every instruction already in the pool must be less than 0.7
(Wang et al., 2023). :func:`novelty_filter` runs that filter on any list of candidate
instructions, here the real seed tasks and the real Alpaca sample, without calling a
model. :func:`opening_diversity` counts how instructions start, a cheap check that a
generator did not fall into a few templates ("Generate a list of …").

ROUGE-L comes from Google's ``rouge-score`` package, the implementation Self-Instruct
used. Its default tokenizer keeps ``[a-z0-9]`` only and would cut Turkish words at every
``ç``, ``ğ``, ``ı``, ``ö``, ``ş`` and ``ü``, so the scorer here gets a tokenizer that splits
:func:`talimat.profile.normalize_text` into words; on English text the two agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from talimat.errors import TalimatError

from .language import format_number, format_share, messages, resolve_language, turkish_lower
from .words import WORD
from .words import words as normalized_words

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SELF_INSTRUCT_THRESHOLD",
    "NoveltyReport",
    "OpeningReport",
    "Rejected",
    "SyntheticError",
    "novelty_filter",
    "opening_diversity",
    "rouge_l",
]

_ = messages("synthetic")

#: Self-Instruct keeps a new instruction when its ROUGE-L with every pool instruction is < 0.7.
SELF_INSTRUCT_THRESHOLD = 0.7


class SyntheticError(TalimatError):
    """A bad setting: a threshold outside [0, 1], a non-positive opening length."""


class _Tokenizer:
    """Words of the normalized text, for rouge-score (Turkish letters kept)."""

    def tokenize(self, text: str) -> list[str]:
        return normalized_words(text)


@cache
def _scorer() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False, tokenizer=_Tokenizer())


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F-measure of two texts (longest common subsequence of their words)."""
    return float(_scorer().score(reference, candidate)["rougeL"].fmeasure)


@dataclass(frozen=True)
class Rejected:
    """A candidate the filter rejected, the pool instruction it is closest to, and the score."""

    index: int
    instruction: str
    closest: str
    score: float


@dataclass
class NoveltyReport:
    """Which candidates the novelty filter kept and which it rejected, with their scores."""

    candidates: int
    threshold: float
    kept: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    best_scores: list[float] = field(default_factory=list)

    @property
    def kept_share(self) -> float:
        return len(self.kept) / self.candidates if self.candidates else 0.0

    def summary(self, lang: str | None = None) -> str:
        language = resolve_language(lang)
        return _(
            "novelty_summary",
            language,
            candidates=format_number(self.candidates, language),
            kept=format_number(len(self.kept), language),
            share=format_share(self.kept_share, language),
            threshold=format_number(self.threshold, language),
        )

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """The rejected candidates with their closest pool instruction, headers in ``lang``."""
        import pandas as pd

        language = resolve_language(lang)
        rows = [(r.instruction, r.closest, r.score) for r in self.rejected]
        names = ("candidate", "closest", "rouge_l")
        return pd.DataFrame(rows, columns=[_(f"col_{name}", language) for name in names])


def novelty_filter(
    candidates: Iterable[str],
    pool: Sequence[str],
    *,
    threshold: float = SELF_INSTRUCT_THRESHOLD,
    grow: bool = True,
) -> NoveltyReport:
    """Keep the candidates whose ROUGE-L with every pool instruction is below ``threshold``.

    With ``grow=True``, as in Self-Instruct, every kept candidate joins the pool, so a later
    candidate must also differ from the earlier kept ones. Comparing every pair is
    quadratic, so pass a few hundred candidates, not tens of thousands.
    """
    if not 0 <= threshold <= 1:
        raise SyntheticError(_("bad_threshold", None, value=threshold))
    scorer = _scorer()
    tokenize = _Tokenizer().tokenize
    current = list(pool)
    items = list(candidates)
    report = NoveltyReport(len(items), threshold)
    for index, instruction in enumerate(items):
        best, closest = 0.0, ""
        if tokenize(instruction):
            for reference in current:
                score = scorer.score(reference, instruction)["rougeL"].fmeasure
                if score > best:
                    best, closest = score, reference
        report.best_scores.append(best)
        if best >= threshold:
            report.rejected.append(Rejected(index, instruction, closest, best))
            continue
        report.kept.append(instruction)
        if grow:
            current.append(instruction)
    return report


@dataclass
class OpeningReport:
    """How instructions open: counts of their first ``words`` words, most common first."""

    instructions: int
    words: int
    counts: dict[str, int]

    def most_common(self, k: int = 10) -> list[tuple[str, int]]:
        """The ``k`` most common openings with their counts."""
        return list(self.counts.items())[:k]

    @property
    def distinct(self) -> int:
        return len(self.counts)

    def top_share(self, k: int = 10) -> float:
        """Share of the instructions that open with one of the ``k`` most common openings."""
        if not self.instructions:
            return 0.0
        return sum(count for _o, count in self.most_common(k)) / self.instructions

    def to_frame(self, k: int = 10, lang: str | None = None) -> pd.DataFrame:
        import pandas as pd

        language = resolve_language(lang)
        rows = [
            (opening, count, count / self.instructions if self.instructions else 0.0)
            for opening, count in self.most_common(k)
        ]
        return pd.DataFrame(rows, columns=["opening", "count", "share"]).rename(
            columns={name: _(f"col_{name}", language) for name in ("opening", "count", "share")}
        )


def opening_diversity(
    instructions: Iterable[str], words: int = 1, *, text_language: str = "en"
) -> OpeningReport:
    """Count the first ``words`` lowercased words of every instruction.

    ``text_language`` is the language of the instructions, not of the reader: Turkish text
    is lowercased the Turkish way (``I`` → ``ı``), any other the default Unicode way, so that
    an English "Identify" is counted as "identify".
    """
    if words < 1:
        raise SyntheticError(_("bad_words", None, value=words))
    lower = turkish_lower if text_language == "tr" else str.lower
    counts: Counter[str] = Counter()
    total = 0
    for instruction in instructions:
        total += 1
        counts[" ".join(WORD.findall(lower(instruction))[:words])] += 1
    return OpeningReport(total, words, dict(counts.most_common()))
