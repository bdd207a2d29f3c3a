"""Tests for talimat.contamination and the ``talimat contamination`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curation_support import ALPACA, MT_BENCH, pair, write_jsonl
from talimat.cli import main
from talimat.contamination import (
    DEFAULT_NGRAM,
    BenchmarkIndex,
    ContaminationError,
    find_contamination,
    ngrams,
    read_benchmark,
)
from talimat.streams import numbered_records

pytestmark = pytest.mark.usefixtures("english_by_default")


def test_ngrams_normalize_and_count() -> None:
    assert ngrams("A b, C d!", 2) == {("a", "b"), ("b", "c"), ("c", "d")}
    assert ngrams("too short", 3) == set()
    with pytest.raises(ContaminationError):
        ngrams("x", 0)


def test_real_mt_bench_is_read_with_its_ids() -> None:
    items = read_benchmark(MT_BENCH)
    assert len(items) == 80
    assert items[0][0] == "81"
    assert "Hawaii" in items[0][1]


def test_real_alpaca_sample_is_clean_and_planted_prompts_are_found(tmp_path: Path) -> None:
    items = read_benchmark(MT_BENCH)
    index = BenchmarkIndex(items, DEFAULT_NGRAM)
    assert find_contamination(numbered_records(ALPACA), index).contaminated == []
    records = json.loads(ALPACA.read_text("utf-8"))[:20]
    planted = {5: items[0], 12: items[10]}
    for position, (_identifier, text) in planted.items():
        # copied with other capitals and punctuation, as a scrape would
        records[position - 1]["instruction"] = text.split("\n")[0].upper().replace(",", "")
    copy = tmp_path / "train.json"
    copy.write_text(json.dumps(records), "utf-8")
    report = find_contamination(numbered_records(copy), index)
    assert [(o.record, o.benchmark_item) for o in report.contaminated] == [
        (5, items[0][0]),
        (12, items[10][0]),
    ]
    assert all(len(gram.split()) == DEFAULT_NGRAM for o in report.contaminated for gram in o.ngrams)
    assert report.contaminated_records == 2


def test_short_items_are_listed() -> None:
    index = BenchmarkIndex([("1", "two words"), ("2", "a b c d e f")], n=4)
    assert index.short == ["1"]


def test_bad_benchmark_file(tmp_path: Path) -> None:
    bench = tmp_path / "bench.jsonl"
    bench.write_text('{"turns": ["ok"]}\n{"turns": "not a list"}\n', "utf-8")
    with pytest.raises(ContaminationError, match="record 2, field 'turns'"):
        read_benchmark(bench)


# --------------------------------------------------------------------------- CLI


def test_cli_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    question = read_benchmark(MT_BENCH)[3][1].split("\n")[0]
    train = write_jsonl(
        tmp_path / "train.jsonl",
        [pair("Name a colour.", "Blue."), pair(question, "Sure."), pair("Hi", "Hello")],
    )
    code = main(["contamination", str(train), "--against", str(MT_BENCH), "--ngram", "8", "--json"])
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"records", "contaminated"}
    assert report["records"] == 3
    [hit] = report["contaminated"]
    assert set(hit) == {"record", "benchmark_item", "ngrams"}
    assert hit["record"] == 2
    assert hit["benchmark_item"] == 84
    assert all(len(gram.split()) == 8 for gram in hit["ngrams"])


def test_cli_clean_file_in_turkish(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "tr", "contamination", str(ALPACA), "--against", str(MT_BENCH)]) == 0
    assert "999 kayıt, 80 kıyaslama ögesiyle 13-gram’lar" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["--ngram", "0"],
        ["--ngram", "-3"],
        ["--ngram", "x"],
    ],
)
def test_cli_bad_ngram(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    assert main(["contamination", str(ALPACA), "--against", str(MT_BENCH), *args]) in (1, 2)
    assert "Traceback" not in capsys.readouterr().err


def test_cli_hostile_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench = tmp_path / "bench.jsonl"
    bench.write_bytes(b'{"turns": ["x"]}\n{broken\n')
    assert main(["contamination", str(ALPACA), "--against", str(bench)]) == 1
    error = capsys.readouterr().err
    assert "bench.jsonl, record 2" in error
    assert (
        main(["contamination", str(tmp_path / "none.jsonl"), "--against", str(MT_BENCH)]) == 2
    )  # unusable input (missing): exit 2, as for every command
    assert "none.jsonl" in capsys.readouterr().err
    bad = tmp_path / "train.jsonl"
    bad.write_bytes(b"\x00\x01\x02\n")
    assert main(["contamination", str(bad), "--against", str(MT_BENCH)]) == 2  # not a dataset
    error = capsys.readouterr().err
    assert "train.jsonl" in error
    assert "Traceback" not in error
