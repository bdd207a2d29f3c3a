"""Tests for talimat.samples: the shipped sample files and the problems planted in them."""

from __future__ import annotations

import json

import pytest

from talimat.formats import read_records, validate_file
from talimat.profile import deduplicate, profile_records
from talimat.samples import (
    BOOKSHOP_PLANTED_PROBLEMS,
    BOOKSHOP_SUPPORT,
    GENERAL_STANDIN,
    SAMPLE_FILES,
    sample_path,
)

SCRIPT = "<script>window.__talimatInjected = true</script>"
FORMAT_KINDS = {"broken_json", "missing_field", "empty_turn", "unknown_role"}


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALIMAT_LANG", raising=False)


def planted(*kinds: str) -> list[int]:
    return sorted(p.line for p in BOOKSHOP_PLANTED_PROBLEMS if p.kind in kinds)


def test_sample_path_finds_every_shipped_file() -> None:
    for name in SAMPLE_FILES:
        assert sample_path(name).is_file()


def test_sample_path_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match=r"unknown sample file 'nope\.jsonl'"):
        sample_path("nope.jsonl")


def test_validator_reports_exactly_the_planted_format_problems() -> None:
    report = validate_file(sample_path(BOOKSHOP_SUPPORT))
    assert report.format == "sharegpt"
    found = {(p.record, p.field) for p in report.problems}
    expected = {(p.line, p.field) for p in BOOKSHOP_PLANTED_PROBLEMS if p.kind in FORMAT_KINDS}
    assert found == expected
    assert report.total == len(sample_path(BOOKSHOP_SUPPORT).read_text("utf-8").splitlines())


def test_deduplication_finds_exactly_the_planted_duplicates() -> None:
    path = sample_path(BOOKSHOP_SUPPORT)
    loaded = read_records(path, strict=False)
    bad = {p.record for p in loaded.problems}
    lines = [n for n in range(1, len(path.read_text("utf-8").splitlines()) + 1) if n not in bad]
    _, exact = deduplicate(loaded.records, normalized=False)
    _, normalized = deduplicate(loaded.records)
    as_lines = {(lines[r - 1], lines[f - 1]) for r, f in normalized.dropped.itertuples(index=False)}
    expected = {
        (p.line, p.repeats)
        for p in BOOKSHOP_PLANTED_PROBLEMS
        if p.kind in ("exact_duplicate", "near_duplicate")
    }
    assert as_lines == expected
    assert sorted(lines[r - 1] for r in exact.dropped["record"]) == planted("exact_duplicate")


def test_markup_line_holds_the_script_text_inside_a_valid_answer() -> None:
    text = sample_path(BOOKSHOP_SUPPORT).read_text("utf-8").splitlines()
    [line] = planted("markup")
    assert [n for n, row in enumerate(text, 1) if SCRIPT in row] == [line]
    record = json.loads(text[line - 1])
    assert record["conversations"][1]["value"].count(SCRIPT) == 1


def test_bookshop_file_is_mostly_turkish_and_has_system_prompts() -> None:
    loaded = read_records(sample_path(BOOKSHOP_SUPPORT), strict=False)
    assert 60 <= len(loaded.records) <= 90
    profile = profile_records(loaded.records)
    languages = profile.languages.set_index("language")["share"]
    assert 0.55 <= languages["tr"] <= 0.75
    counts = profile.counts.set_index("measure")["value"]
    assert counts["with_system"] > 0
    assert counts["multi_turn"] > 0


def test_general_standin_is_valid_bilingual_alpaca() -> None:
    report = validate_file(sample_path(GENERAL_STANDIN))
    assert report.ok
    assert report.format == "alpaca"
    assert 120 <= report.total <= 200
    loaded = read_records(sample_path(GENERAL_STANDIN))
    profile = profile_records(loaded.records)
    languages = profile.languages.set_index("language")["records"]
    assert languages["tr"] > 0.4 * report.total
    assert languages["en"] > 0.4 * report.total
    _, dedup = deduplicate(loaded.records)
    assert dedup.dropped.empty


# --------------------------------------------------------------------------- public data


def test_every_public_file_is_listed_with_its_record_count() -> None:
    from importlib import resources

    from talimat.samples import PUBLIC_FILES, count_public_records, provenance

    folder = resources.files("talimat").joinpath("data", "public")
    shipped = sorted(
        f"{source.name}/{item.name}"
        for source in folder.iterdir()
        if source.is_dir()
        for item in source.iterdir()
        if item.is_file()
    )
    assert sorted(PUBLIC_FILES) == shipped
    table = provenance(raw=True).set_index("file")
    assert sorted(table.index) == shipped
    counted = provenance(raw=True, counted=True).set_index("file")
    for name in PUBLIC_FILES:
        assert table.loc[name, "records"] == count_public_records(name), name
        assert counted.loc[name, "records"] == table.loc[name, "records"]
    assert table["licence"].str.len().min() > 0
    assert table["allows"].str.len().min() > 0


def test_provenance_in_turkish() -> None:
    from talimat.samples import provenance

    turkish = provenance("tr")["Lisansın izin verdikleri"]
    english = provenance("en")["What the licence allows"]
    assert (turkish != english).all()
    assert turkish.str.contains("ticari").any()


def test_public_path_and_loader() -> None:
    from talimat.samples import PublicDataError, load_public, public_path

    identity = load_public("llamafactory/identity.json")
    assert len(identity) == 91
    assert "{{name}}" in identity[0]["output"]
    assert public_path("fastchat/judge_prompts.jsonl").is_file()
    with pytest.raises(PublicDataError, match=r"unknown public file 'alpaca\.json'"):
        public_path("alpaca.json")
