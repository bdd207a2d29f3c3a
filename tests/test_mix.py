"""Tests for talimat.mix: counts, shares, reproducibility and up-sampling."""

from __future__ import annotations

import json
import math
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from talimat.mix import MixtureError, Source, build_mixture, largest_remainder_counts


def records(prefix: str, n: int) -> list[dict]:
    return [
        {"messages": [{"role": "user", "content": f"{prefix} {i}"}], "id": f"{prefix}-{i}"}
        for i in range(n)
    ]


@pytest.fixture
def sources() -> list[Source]:
    return [
        Source("code", records("code", 500), 0.3),
        Source("math", records("math", 400), 0.2),
        Source("general", records("general", 2000), 0.5),
    ]


def test_counts_match_shares_and_sum_to_total(sources: list[Source]) -> None:
    mixture = build_mixture(sources, total=1000)
    assert len(mixture.records) == 1000
    report = mixture.report.set_index("source")
    assert report["taken"].to_dict() == {"code": 300, "math": 200, "general": 500}
    assert report["actual_share"].to_dict() == pytest.approx(
        {"code": 0.3, "math": 0.2, "general": 0.5}
    )
    assert Counter(record["source"] for record in mixture.records) == {
        "code": 300,
        "math": 200,
        "general": 500,
    }


def test_downsampling_takes_no_record_twice(sources: list[Source]) -> None:
    mixture = build_mixture(sources, total=1000)
    ids = [record["id"] for record in mixture.records]
    assert len(set(ids)) == len(ids)
    assert mixture.report["repeats"].sum() == 0
    assert (mixture.report["unique_taken"] == mixture.report["taken"]).all()


def test_same_seed_same_mixture(sources: list[Source]) -> None:
    first = build_mixture(sources, total=700, seed=7)
    again = build_mixture(sources, total=700, seed=7)
    other = build_mixture(sources, total=700, seed=8)
    assert first.records == again.records
    assert first.records != other.records


def test_records_are_tagged_copies(sources: list[Source]) -> None:
    mixture = build_mixture(sources, total=10)
    assert all("source" not in record for source in sources for record in source.records)
    assert {record["source"] for record in mixture.records} <= {"code", "math", "general"}


def test_upsampling_repeats_whole_passes_then_a_remainder() -> None:
    small = Source("domain", records("domain", 30), 0.5)
    large = Source("open", records("open", 1000), 0.5)
    mixture = build_mixture([small, large], total=200)
    taken = Counter(record["id"] for record in mixture.records if record["source"] == "domain")
    assert sum(taken.values()) == 100
    assert len(taken) == 30  # every domain record is used
    assert set(taken.values()) == {3, 4}  # 3 passes, then 10 records once more
    report = mixture.report.set_index("source")
    assert report.loc["domain", "unique_taken"] == 30
    assert report.loc["domain", "repeats"] == 70
    assert "up-sampled" in mixture.summary("en")
    assert "çoğaltıldı" in mixture.summary("tr")


def test_upsampling_can_be_refused() -> None:
    small = Source("domain", records("domain", 30), 0.5)
    large = Source("open", records("open", 1000), 0.5)
    with pytest.raises(MixtureError, match=r"source 'domain', field 'records'.*needs 100"):
        build_mixture([small, large], total=200, allow_upsampling=False)


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ((0.5, 0.4), r"field 'share': shares add up to 0\.9"),
        ((0.7, 0.7), r"add up to 1\.4"),
        ((1.2, -0.2), r"source 'a', field 'share': 1\.2 is outside"),
        ((math.nan, 1.0), r"source 'a', field 'share': expected a number"),
    ],
)
def test_bad_shares_raise(shares: tuple[float, float], message: str) -> None:
    pair = [Source("a", records("a", 5), shares[0]), Source("b", records("b", 5), shares[1])]
    with pytest.raises(MixtureError, match=message):
        build_mixture(pair, total=10)


def test_shares_within_tolerance_are_accepted() -> None:
    thirds = [Source(name, records(name, 10), 1 / 3) for name in "abc"]
    assert len(build_mixture(thirds, total=10).records) == 10


@pytest.mark.parametrize("total", [0, -5, 2.5, True])
def test_bad_total_raises(total: object) -> None:
    with pytest.raises(MixtureError, match="field 'total'"):
        build_mixture([Source("a", records("a", 5), 1.0)], total=total)  # type: ignore[arg-type]


def test_empty_source_with_a_share_raises() -> None:
    with pytest.raises(MixtureError, match=r"source 'empty', field 'records': no records"):
        build_mixture([Source("empty", [], 0.5), Source("b", records("b", 5), 0.5)], total=10)


def test_duplicate_names_raise() -> None:
    with pytest.raises(MixtureError, match="used twice"):
        build_mixture([Source("a", records("a", 5), 0.5), Source("a", records("a", 5), 0.5)], 10)


def test_report_table_and_summary_are_localized(sources: list[Source]) -> None:
    mixture = build_mixture(sources, total=1000)
    assert list(mixture.report_table("en").columns) == [
        "Source",
        "Available",
        "Target share",
        "Taken",
        "Unique taken",
        "Repeats",
        "Actual share",
    ]
    assert "Hedef pay" in mixture.report_table("tr").columns
    assert "code 300 (30%)" in mixture.summary("en")
    assert "code 300 (%30)" in mixture.summary("tr")
    assert "1.000 kayıtlık" in mixture.summary("tr")


def test_unshuffled_keeps_source_order(sources: list[Source]) -> None:
    mixture = build_mixture(sources, total=10, shuffle=False)
    assert [record["source"] for record in mixture.records] == ["code"] * 3 + ["math"] * 2 + [
        "general"
    ] * 5


def test_to_jsonl_writes_turkish_as_is(tmp_path: Path) -> None:
    data = [{"messages": [{"role": "user", "content": "Işık hızı nedir?"}]}]
    mixture = build_mixture([Source("tr", data, 1.0)], total=2)
    path = tmp_path / "mix.jsonl"
    mixture.to_jsonl(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert "Işık" in lines[0]
    assert json.loads(lines[0])["source"] == "tr"


def test_largest_remainder_example() -> None:
    assert largest_remainder_counts([0.3, 0.2, 0.5], 7) == [2, 1, 4]
    assert largest_remainder_counts([1 / 3, 1 / 3, 1 / 3], 10) == [4, 3, 3]  # tie → first


@given(
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8).filter(any),
    total=st.integers(min_value=0, max_value=10**9),
)
def test_largest_remainder_property(weights: list[int], total: int) -> None:
    shares = [w / sum(weights) for w in weights]
    counts = largest_remainder_counts(shares, total)
    assert sum(counts) == total
    exact = [Fraction(s) / sum(map(Fraction, shares)) * total for s in shares]
    for count, quota in zip(counts, exact, strict=True):
        assert math.floor(quota) <= count <= math.ceil(quota)
    # Largest remainder: a source rounded up never has a smaller remainder than one rounded down.
    up = [
        quota - math.floor(quota)
        for count, quota in zip(counts, exact, strict=True)
        if count > quota
    ]
    down = [
        quota - math.floor(quota)
        for count, quota in zip(counts, exact, strict=True)
        if count == math.floor(quota) and quota != count
    ]
    if up and down:
        assert min(up) >= max(down)


@given(
    weights=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=5),
    sizes=st.lists(st.integers(min_value=1, max_value=40), min_size=5, max_size=5),
    total=st.integers(min_value=1, max_value=300),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_mixture_counts_property(
    weights: list[int], sizes: list[int], total: int, seed: int
) -> None:
    sources = [
        Source(f"s{i}", records(f"s{i}", sizes[i]), w / sum(weights)) for i, w in enumerate(weights)
    ]
    mixture = build_mixture(sources, total=total, seed=seed)
    assert len(mixture.records) == total
    expected = largest_remainder_counts([source.share for source in sources], total)
    assert mixture.report["taken"].tolist() == expected
    tally = Counter(record["source"] for record in mixture.records)
    assert [tally[source.name] for source in sources] == expected
