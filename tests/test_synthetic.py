"""Tests for talimat.synthetic on the real Self-Instruct seeds and the Alpaca sample."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from talimat.synthetic import (
    SELF_INSTRUCT_THRESHOLD,
    SyntheticError,
    novelty_filter,
    opening_diversity,
    rouge_l,
)

DATA = resources.files("talimat") / "data/public"


def seed_instructions() -> list[str]:
    with (DATA / "stanford_alpaca/seed_tasks.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line)["instruction"] for line in handle]


def alpaca_instructions() -> list[str]:
    records = json.loads((DATA / "llamafactory/alpaca_en_demo.json").read_text("utf-8"))
    return [record["instruction"] for record in records]


def test_real_seed_count() -> None:
    assert len(seed_instructions()) == 175  # Self-Instruct's human-written seed tasks


def test_rouge_l_keeps_turkish_letters() -> None:
    assert rouge_l("Kitabın iade süresi kaç gün?", "kitabın iade süresi kaç gün") == 1.0
    # rouge-score's own tokenizer would split "çiçek" and "üzüm" into pieces
    assert rouge_l("çiçek", "üzüm") == 0.0
    assert rouge_l("a b c d", "a b x y") == pytest.approx(0.5)


def test_novelty_filter_rejects_copies_and_grows_the_pool() -> None:
    pool = ["Write a poem about the sea."]
    report = novelty_filter(
        [
            "Write a poem about the sea.",
            "Explain how vaccines work.",
            "Explain how vaccines work in detail.",
            "List three prime numbers.",
        ],
        pool,
    )
    assert report.kept == ["Explain how vaccines work.", "List three prime numbers."]
    assert [r.index for r in report.rejected] == [0, 2]
    assert report.rejected[1].closest == "Explain how vaccines work."
    assert report.threshold == SELF_INSTRUCT_THRESHOLD
    assert pool == ["Write a poem about the sea."]  # the caller's pool is not changed
    without_growth = novelty_filter(["a b c", "a b c"], [], grow=False)
    assert len(without_growth.kept) == 2


def test_real_alpaca_against_real_seeds() -> None:
    report = novelty_filter(alpaca_instructions()[:120], seed_instructions())
    assert report.candidates == 120
    assert len(report.kept) + len(report.rejected) == 120
    assert all(score <= 1 for score in report.best_scores)
    assert all(r.score >= SELF_INSTRUCT_THRESHOLD for r in report.rejected)
    assert all(
        score < SELF_INSTRUCT_THRESHOLD
        for score, text in zip(report.best_scores, alpaca_instructions()[:120], strict=True)
        if text in report.kept
    )


def test_openings_are_lowercased_by_text_language() -> None:
    english = opening_diversity(["Identify the verb.", "identify a noun", "Write a poem."])
    assert english.counts == {"identify": 2, "write": 1}
    assert english.top_share(1) == pytest.approx(2 / 3)
    turkish = opening_diversity(["IRMAK nedir?"], text_language="tr")
    assert turkish.counts == {"ırmak": 1}
    assert opening_diversity(alpaca_instructions()).instructions == 999


def test_bad_settings() -> None:
    with pytest.raises(SyntheticError):
        novelty_filter(["a"], [], threshold=1.5)
    with pytest.raises(SyntheticError):
        opening_diversity(["a"], words=0)
