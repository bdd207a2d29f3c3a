"""Tests for talimat.profile on small hand-written records."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talimat.formats import RecordError
from talimat.language import turkish_lower
from talimat.profile import (
    DatasetProfile,
    ProfileError,
    deduplicate,
    is_turkish,
    normalize_text,
    profile_file,
    profile_records,
)

TR_TEXT = (
    "Türkiye'nin en kalabalık şehri İstanbul'dur ve iki kıtaya yayılmıştır. "
    "Şehrin tarihi yarımadası, yüzyıllar boyunca pek çok medeniyete ev sahipliği yaptı."
)
EN_TEXT = (
    "The quick brown fox jumps over the lazy dog while the children watch from the window. "
    "Afterwards they write a short story about what they have seen."
)


def chat(*turns: tuple[str, str]) -> dict:
    return {"messages": [{"role": role, "content": content} for role, content in turns]}


def pair(prompt: str, response: str) -> dict:
    return chat(("user", prompt), ("assistant", response))


@pytest.fixture
def records() -> list[dict]:
    return [
        pair("İSTANBUL nerede?", "Türkiye'de, iki kıtanın kesiştiği yerde."),  # 1
        pair(
            "istanbul   nerede", "Türkiye'de iki kıtanın kesiştiği yerde"
        ),  # 2: normalized dup of 1
        pair("İSTANBUL nerede?", "Türkiye'de, iki kıtanın kesiştiği yerde."),  # 3: exact dup of 1
        chat(  # 4: multi-turn with a system message and an empty turn
            ("system", "Be brief."),
            ("user", "What is the capital of France?"),
            ("assistant", "Paris."),
            ("user", "And of Italy?"),
            ("assistant", ""),
        ),
        chat(("user", "   "), ("assistant", "")),  # 5: no text at all
        pair("ISIK nedir?", "Işık bir enerji türüdür."),  # 6
        pair("isik nedir?", "Işık bir enerji türüdür."),  # 7: I → ı, so not a dup of 6
    ]


@pytest.fixture
def profile(records: list[dict]) -> DatasetProfile:
    return profile_records(records)


def count(profile: DatasetProfile, measure: str) -> int:
    return int(profile.counts.set_index("measure").loc[measure, "value"])


def test_counts_are_exact(profile: DatasetProfile) -> None:
    assert profile.records == 7
    expected = {
        "records": 7,
        "single_turn": 6,
        "multi_turn": 1,
        "no_prompt": 0,
        "with_system": 1,
        "turns": 17,
        "turns_system": 1,
        "turns_user": 8,
        "turns_assistant": 8,
        "turns_tool": 0,
        "turns_other": 0,
        "empty_records": 1,
        "empty_turns": 3,
    }
    assert {measure: count(profile, measure) for measure in expected} == expected


def test_turns_per_record(profile: DatasetProfile) -> None:
    table = profile.turns_per_record.set_index("turns")
    assert table["records"].to_dict() == {2: 6, 5: 1}
    assert table["share"].sum() == pytest.approx(1)


def test_length_quantiles() -> None:
    result = profile_records([pair("a b", "one two three four"), pair("c d e f", "x")])
    lengths = result.lengths.set_index("measure")
    assert lengths.loc["prompt_words", "turns"] == 2
    assert lengths.loc["prompt_words", "min"] == 2
    assert lengths.loc["prompt_words", "max"] == 4
    assert lengths.loc["prompt_words", "median"] == pytest.approx(3)
    assert lengths.loc["response_characters", "max"] == len("one two three four")
    assert len(result.turn_lengths) == 4


def test_exact_and_normalized_duplicates(profile: DatasetProfile) -> None:
    duplicates = profile.duplicates.set_index("kind")
    assert duplicates.loc["exact", "duplicates"] == 1
    assert duplicates.loc["normalized", "duplicates"] == 2
    assert duplicates.loc["normalized", "groups"] == 1
    assert duplicates.loc["exact", "examples"] == "3→1"
    pairs = profile.duplicate_pairs
    normalized = pairs[pairs["kind"] == "normalized"]
    assert list(zip(normalized["record"], normalized["first_record"], strict=True)) == [
        (2, 1),
        (3, 1),
    ]


def test_a_file_of_repeats_lists_every_pair_in_columns(tmp_path: Path) -> None:
    """Pairs are as many as the records here; they are held as columns, not as objects."""
    answer = {"role": "assistant", "content": "Evet."}
    rows = [{"messages": [{"role": "user", "content": f"Soru {n}"}, answer]} for n in range(300)]
    path = tmp_path / "repeats.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows * 4), encoding="utf-8")
    result = profile_file(path, language_sample=0)
    pairs = result.duplicate_pairs
    assert list(pairs.columns) == ["kind", "record", "first_record"]
    assert isinstance(pairs["kind"].dtype, pd.CategoricalDtype)
    assert pairs["record"].dtype == "int64"
    assert pairs["first_record"].dtype == "int64"
    exact = pairs[pairs["kind"] == "exact"]
    assert len(exact) == 900
    assert len(pairs) == 1800
    assert (exact["first_record"].to_numpy() == (exact["record"].to_numpy() - 1) % 300 + 1).all()
    assert result.duplicates.set_index("kind").loc["exact", "groups"] == 300
    assert result.duplicates.set_index("kind").loc["exact", "examples"] == (
        "301→1, 302→2, 303→3, 304→4, 305→5"
    )


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ("İSTANBUL", "istanbul", True),
        ("IŞIK", "ışık", True),
        ("IŞIK", "isik", False),  # Turkish I is dotless ı
        ("I do.", "i do", True),  # English I is dotted: no Turkish letter, no Turkish fold
        ("Merhaba,   dünya!", "merhaba dünya", True),
        ("Straße", "STRASSE", True),  # case folding: ß → ss
    ],
)
def test_normalize_text_turkish_case(left: str, right: str, same: bool) -> None:
    assert (normalize_text(left) == normalize_text(right)) is same


def test_normalize_text_follows_the_given_language() -> None:
    assert normalize_text("KIRMIZI", "tr") == "kırmızı"
    assert normalize_text("KIRMIZI", "en") == normalize_text("KIRMIZI") == "kirmizi"
    assert normalize_text("IŞIK", "en") == "işik"


def test_english_duplicates_are_no_longer_hidden() -> None:
    records = [pair("I like it.", "Good."), pair("i like it", "good")]
    profile = profile_records(records, language_sample=0)
    normalized = profile.duplicates.set_index("kind").loc["normalized", "duplicates"]
    assert normalized == 1


def test_language_mix_on_clear_texts() -> None:
    data = [pair(TR_TEXT, TR_TEXT)] * 6 + [pair(EN_TEXT, EN_TEXT)] * 4
    result = profile_records(data)
    languages = result.languages.set_index("language")
    assert result.language_sample_size == 10
    assert languages.loc["tr", "records"] == 6
    assert languages.loc["en", "records"] == 4
    assert languages.loc["tr", "share"] == pytest.approx(0.6)
    # Every record was checked: no sampling interval around the shares.
    assert languages.loc["tr", "low"] == languages.loc["tr", "high"] == pytest.approx(0.6)


def test_language_sample_is_seeded_and_bounded() -> None:
    data = [pair(TR_TEXT, TR_TEXT)] * 50 + [pair(EN_TEXT, EN_TEXT)] * 50
    first = profile_records(data, language_sample=20, seed=3)
    again = profile_records(data, language_sample=20, seed=3)
    assert first.language_sample_size == 20
    assert first.languages.equals(again.languages)
    languages = first.languages.set_index("language")
    assert languages["records"].sum() == 20
    low, high = languages.loc["tr", "low"], languages.loc["tr", "high"]
    assert 0 <= low < languages.loc["tr", "share"] < high <= 1
    assert "±" in first.summary("en")


def test_language_sample_zero_skips_detection(profile: DatasetProfile) -> None:
    result = profile_records([pair("a", "b")], language_sample=0)
    assert result.language_sample_size == 0
    assert "skipped" in result.summary("en")


def test_summary_in_both_languages(profile: DatasetProfile) -> None:
    english = profile.summary("en")
    turkish = profile.summary("tr")
    assert "Records: 7" in english
    assert "Exact repeats of an earlier record: 1 (14%)" in english
    assert "7 kayıt var" in turkish
    assert "%14" in turkish
    assert "birebir tekrarı" in turkish


def test_summary_uses_the_profile_language(records: list[dict]) -> None:
    assert "kayıt" in profile_records(records, lang="tr").summary()


def test_summary_formats_large_numbers_per_language() -> None:
    result = profile_records(
        [pair(f"soru {i}", f"cevap {i}") for i in range(1200)], language_sample=0
    )
    assert "1,200" in result.summary("en")
    assert "1.200" in result.summary("tr")


def test_empty_dataset() -> None:
    result = profile_records([])
    assert result.records == 0
    assert "empty" in result.summary("en")
    assert "boş" in result.summary("tr")


def test_tables_have_localized_headers(profile: DatasetProfile) -> None:
    english = profile.tables("en")
    turkish = profile.tables("tr")
    assert set(english) == {"counts", "turns", "lengths", "duplicates", "languages"}
    assert list(english["counts"].columns) == ["Measure", "Value"]
    assert list(turkish["counts"].columns) == ["Ölçüt", "Değer"]
    assert "Çok turlu sohbet" in turkish["counts"]["Ölçüt"].tolist()
    assert "Medyan" in turkish["lengths"].columns
    assert "Türkçe" in turkish["languages"]["Dil"].tolist()
    # Values stay numeric for sorting and plotting.
    assert turkish["counts"]["Değer"].dtype.kind == "i"


def test_plot_lengths_labels_follow_language(profile: DatasetProfile) -> None:
    ax = profile.plot_lengths(lang="tr")
    assert "sözcük" in ax.get_xlabel()
    assert ax.get_ylabel() == "Tur sayısı"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["İstemler", "Yanıtlar"]
    plt.close(ax.figure)
    figure, ax = plt.subplots()
    assert profile.plot_lengths(ax, lang="en", unit="characters") is ax
    assert "characters" in ax.get_xlabel()
    plt.close(figure)


def test_deduplicate_keeps_first_and_reports_dropped(records: list[dict]) -> None:
    kept, report = deduplicate(records)
    assert kept == [records[i] for i in (0, 3, 4, 5, 6)]
    assert report.total == 7
    assert report.kept == 5
    assert report.dropped.to_dict("list") == {"record": [2, 3], "duplicate_of": [1, 1]}
    assert "2" in report.summary("en")
    assert list(report.to_frame("tr").columns) == ["Kayıt", "Tekrar ettiği kayıt"]


def test_deduplicate_exact_only(records: list[dict]) -> None:
    kept, report = deduplicate(records, normalized=False)
    assert len(kept) == 6
    assert report.dropped.to_dict("list") == {"record": [3], "duplicate_of": [1]}
    assert "birebir" in report.summary("tr")


def test_streams_a_generator() -> None:
    generated = (pair(f"q{i}", f"a{i}") for i in range(100))
    assert profile_records(generated, language_sample=5).records == 100


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"messages": "hello"}, "'messages'"),
        ({"messages": [{"role": "user", "content": 3}]}, "'messages[0].content'"),
        ({"messages": [{"content": "x"}]}, "'messages[0].role'"),
        ("text", "expected an object"),
    ],
)
def test_bad_record_names_record_and_field(record: object, field: str) -> None:
    with pytest.raises(ProfileError, match="record 2") as error:
        profile_records([pair("a", "b"), record])
    assert field in str(error.value)


def test_alpaca_and_sharegpt_records_are_converted() -> None:
    alpaca = {"instruction": "Çevir:", "input": "Good morning", "output": "Günaydın"}
    sharegpt = {
        "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hey"}]
    }
    result = profile_records([alpaca, sharegpt], language_sample=0)
    assert count(result, "turns_user") == 2
    assert count(result, "turns_assistant") == 2


def test_bad_alpaca_record_names_record_and_field() -> None:
    with pytest.raises(RecordError, match=r"record 2.*'output'"):
        profile_records([pair("a", "b"), {"instruction": "x"}])


@settings(max_examples=300, deadline=None)  # the first call builds Unicode tables
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_normalize_text_matches_its_definition(text: str) -> None:
    """The fast paths agree with the plain definition: Turkish lowering, case folding,
    punctuation (P*), control and format characters (C*) removed, whitespace collapsed."""
    folded = (turkish_lower(text) if is_turkish(text) else text).casefold()
    kept = "".join(ch for ch in folded if ch.isspace() or unicodedata.category(ch)[0] not in "PC")
    assert normalize_text(text) == " ".join(kept.split())
    for lang in ("tr", "en"):
        folded = (turkish_lower(text) if lang == "tr" else text).casefold()
        kept = "".join(
            ch for ch in folded if ch.isspace() or unicodedata.category(ch)[0] not in "PC"
        )
        assert normalize_text(text, lang) == " ".join(kept.split())


@settings(max_examples=300, deadline=None)  # the first call builds Unicode tables
@given(
    st.text(
        alphabet=st.sampled_from(list("aıIİiŞşÇç .,!?'\t\n\x0b\x1f\xa0\u2019—_-xX0é\u0307ß")),
        max_size=30,
    )
)
def test_normalize_text_fast_paths_on_tricky_characters(text: str) -> None:
    folded = (turkish_lower(text) if is_turkish(text) else text).casefold()
    kept = "".join(ch for ch in folded if ch.isspace() or unicodedata.category(ch)[0] not in "PC")
    assert normalize_text(text) == " ".join(kept.split())
    for lang in ("tr", "en"):
        folded = (turkish_lower(text) if lang == "tr" else text).casefold()
        kept = "".join(
            ch for ch in folded if ch.isspace() or unicodedata.category(ch)[0] not in "PC"
        )
        assert normalize_text(text, lang) == " ".join(kept.split())


@settings(deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_word_counts_match_str_split(text: str) -> None:
    result = profile_records([chat(("user", text))], language_sample=0)
    assert result.lengths.set_index("measure").loc["prompt_words", "max"] == len(text.split())


def test_extra_message_keys_count_for_exact_duplicates() -> None:
    named = {"messages": [{"role": "user", "content": "Selam", "name": "ayse"}]}
    other = {"messages": [{"role": "user", "content": "Selam", "name": "mehmet"}]}
    result = profile_records([named, other, dict(named)], language_sample=0)
    duplicates = result.duplicates.set_index("kind")["duplicates"]
    assert duplicates.to_dict() == {"exact": 1, "normalized": 2}
    assert deduplicate([named, other, dict(named)], normalized=False)[1].kept == 2


def test_profile_file_counts_what_validation_refuses(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    lines = [
        json.dumps(pair("Merhaba", "Selam"), ensure_ascii=False),
        "",  # blank lines are skipped but keep the line numbers
        json.dumps(chat(("user", "Selam"), ("assistant", "  ")), ensure_ascii=False),
        json.dumps({"instruction": "Merhaba", "input": "", "output": "Selam"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = profile_file(path, language_sample=0)
    assert result.records == 3
    assert count(result, "empty_turns") == 1
    pairs = result.duplicate_pairs
    assert pairs[pairs["kind"] == "exact"][["record", "first_record"]].values.tolist() == [[4, 1]]


def test_profile_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(pair("a", "b")) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"broken\.jsonl: record 2: not valid JSON"):
        profile_file(path)
    path.write_text(json.dumps({"messages": [{"role": "user", "content": 5}]}) + "\n")
    with pytest.raises(
        ProfileError, match=r"broken\.jsonl: record 1, field 'messages\[0\]\.content'"
    ):
        profile_file(path)


def test_profile_file_reads_other_formats(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text(json.dumps([pair("a", "b"), pair("c", "d")]), encoding="utf-8")
    assert profile_file(path, language_sample=0).records == 2


def test_profile_and_validate_agree_on_the_bad_records(tmp_path: Path) -> None:
    """One reader and one checker: the profile lists exactly what validate reports."""
    from talimat.formats import validate_file

    records = [
        pair("Merhaba", "Selam"),
        chat(("user", "Soru"), ("assistant", "  ")),  # blank answer
        pair("İstanbul", "Boğaz"),
        chat(("user", "Soru"), ("assistant", "Cevap"), ("user", "Yine?")),  # no final answer
        chat(("user", "a"), ("user", "b"), ("assistant", "c")),  # two user turns in a row
        chat(("robot", "bip"), ("assistant", "bop")),  # unknown role
        chat(("user", "a"), ("system", "late"), ("assistant", "b")),  # system in the middle
        pair("Merhaba", "Selam"),  # an exact duplicate: not a problem
    ]
    path = tmp_path / "planted.jsonl"
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    path.write_text("\n".join([*lines[:3], "", *lines[3:]]) + "\n", encoding="utf-8")
    profile = profile_file(path, language_sample=0)
    report = validate_file(path)
    assert [p.to_dict() for p in profile.problems] == [p.to_dict() for p in report.problems]
    assert {p.record for p in profile.problems} == {2, 5, 6, 7, 8}
    assert profile.records == len(records)  # bad records are still profiled
    assert count(profile, "empty_turns") == 1
