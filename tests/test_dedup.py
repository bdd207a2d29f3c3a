"""Tests for talimat.dedup, talimat.streams and the ``talimat dedup`` command."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curation_support import ALPACA, BOOKSHOP, pair, write_jsonl
from talimat.cli import main
from talimat.dedup import (
    DedupError,
    DedupResult,
    Removed,
    deduplicate_records,
    jaccard,
    record_text,
    shingles,
    signatures,
    similar_pairs,
)
from talimat.dedup_index import IndexStoreError, band_keys, band_params
from talimat.profile import normalize_text
from talimat.samples import BOOKSHOP_PLANTED_PROBLEMS
from talimat.streams import StreamError, atomic_jsonl, numbered_records

pytestmark = pytest.mark.usefixtures("english_by_default")


def run(records: list[dict], **options: object) -> tuple[list[int], DedupResult]:
    result = DedupResult()
    kept = [n for n, _r in deduplicate_records(enumerate(records, 1), result, **options)]  # type: ignore[arg-type]
    return kept, result


def test_shingles_fold_turkish_case_and_punctuation() -> None:
    assert shingles("İADE süresi, kaç gün?", n=2) == shingles("iade süresi kaç gün", n=2)
    assert shingles("IŞIK", n=1) == {"ışık"}
    assert shingles("kitabım geldi", n=1, prefix=5) == shingles("kitabınız geldi", n=1, prefix=5)
    assert shingles("tek", n=3) == {"tek"}
    assert shingles("", n=3) == set()
    with pytest.raises(DedupError):
        shingles("a", n=0)


def test_jaccard() -> None:
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard(set(), set()) == 1.0


def test_record_text_leaves_out_system_prompts() -> None:
    record = {"messages": [{"role": "system", "content": "Be nice."}, *pair("a", "b")["messages"]]}
    assert record_text(record) == "a\nb"


def test_exact_and_normalized_duplicates() -> None:
    records = [
        pair("İade nasıl yapılır?", "Hesabım sayfasından."),
        pair("İade nasıl yapılır?", "Hesabım sayfasından."),
        pair("iade  nasıl yapılır", "hesabım sayfasından"),
        pair("Kargo ne zaman gelir?", "İki iş günü içinde."),
    ]
    kept, result = run(records)
    assert kept == [1, 4]
    assert [(r.record, r.duplicate_of, r.kind) for r in result.removed] == [
        (2, 1, "exact"),
        (3, 1, "normalized"),
    ]
    assert result.to_json() == {
        "records": 4,
        "kept": 2,
        "removed": [
            {"record": 2, "duplicate_of": 1, "similarity": 1.0},
            {"record": 3, "duplicate_of": 1, "similarity": 1.0},
        ],
    }


def test_near_duplicates_need_near_and_respect_the_threshold() -> None:
    base = "Describe the water cycle in three short sentences for a ten year old child at school"
    records = [
        pair(base, "Water evaporates, forms clouds and falls as rain again."),
        pair(base + " today", "Water evaporates, forms clouds and falls as rain again."),
        pair("Name three prime numbers.", "2, 3 and 5."),
    ]
    assert run(records)[0] == [1, 2, 3]
    kept, result = run(records, near=True, threshold=0.7)
    assert kept == [1, 3]
    [removed] = result.removed
    assert (removed.record, removed.duplicate_of, removed.kind) == (2, 1, "near")
    exact = jaccard(shingles(record_text(records[0])), shingles(record_text(records[1])))
    assert removed.similarity == pytest.approx(exact, abs=0.15)  # MinHash estimates Jaccard
    assert run(records, near=True, threshold=0.99)[0] == [1, 2, 3]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["a b c d", "a b c e", "x y z", "A B C D!"]), max_size=12))
def test_every_record_is_kept_or_removed_once(texts: list[str]) -> None:
    records = [pair(text, "ok") for text in texts]
    kept, result = run(records, near=True, threshold=0.5)
    removed = [r.record for r in result.removed]
    assert sorted(kept + removed) == list(range(1, len(records) + 1))
    assert all(r.duplicate_of in kept and r.duplicate_of < r.record for r in result.removed)


@pytest.mark.parametrize("threshold", [0, -0.1, 1.5, float("nan")])
def test_bad_threshold(threshold: float) -> None:
    with pytest.raises(DedupError):
        run([pair("a", "b")], near=True, threshold=threshold)
    with pytest.raises(DedupError):
        similar_pairs(["a b c"], threshold)


def test_bookshop_planted_duplicates_are_found() -> None:
    result = DedupResult()
    list(deduplicate_records(numbered_records(BOOKSHOP, strict=False), result))
    planted = {
        (p.line, p.repeats) for p in BOOKSHOP_PLANTED_PROBLEMS if p.kind.endswith("duplicate")
    }
    assert {(r.record, r.duplicate_of) for r in result.removed} == planted


def test_real_alpaca_sample_has_exact_duplicates() -> None:
    result = DedupResult()
    kept = list(deduplicate_records(numbered_records(ALPACA), result, near=True))
    assert result.total == 999
    assert len(kept) + len(result.removed) == 999
    assert result.counts()["exact"] > 0


# ----------------------------------------------------- the same result as datasketch's LSH


def reference_dedup(records: list[dict], threshold: float) -> tuple[list[int], list[Removed]]:
    """The previous in-memory algorithm: dict keys and datasketch's own ``MinHashLSH``."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold, 128, params=band_params(threshold, 128))
    exact_seen: dict[tuple, int] = {}
    folded_seen: dict[tuple, int] = {}
    stored: dict[int, object] = {}
    kept: list[int] = []
    removed: list[Removed] = []
    for number, record in enumerate(records, 1):
        turns = [(m["role"], m["content"]) for m in record["messages"]]
        exact = tuple(turns)
        folded = tuple((role, normalize_text(text)) for role, text in turns)
        if exact in exact_seen:
            removed.append(Removed(number, exact_seen[exact], 1.0, "exact"))
            continue
        if folded in folded_seen:
            removed.append(Removed(number, folded_seen[folded], 1.0, "normalized"))
            continue
        minhash = MinHash(num_perm=128, seed=1)
        minhash.update_batch([g.encode() for g in shingles(record_text(record))])
        best = None
        for key in lsh.query(minhash):
            similarity = float((stored[key].hashvalues == minhash.hashvalues).mean())
            if similarity >= threshold and (
                best is None or (similarity, -key) > (best[1], -best[0])
            ):
                best = (key, similarity)
        if best is not None:
            removed.append(Removed(number, best[0], best[1], "near"))
            continue
        lsh.insert(number, minhash, check_duplication=False)
        stored[number] = minhash
        exact_seen[exact], folded_seen[folded] = number, number
        kept.append(number)
    return kept, removed


def alpaca_records(count: int | None = None) -> list[dict]:
    return [record for _n, record in numbered_records(ALPACA)][:count]


def planted_near_duplicates() -> tuple[list[dict], dict[int, int]]:
    """80 real Alpaca records with near copies planted: {copy's number: original's number}."""
    records = alpaca_records(80)
    planted: dict[int, int] = {}
    for original in (1, 5, 6, 30, 61):
        copy = json.loads(json.dumps(records[original - 1]))
        answer = copy["messages"][-1]
        answer["content"] = answer["content"].rstrip(".") + " as well, indeed."
        records.insert(original + 1 + len(planted), copy)  # right after it: the same batch
        planted[original + 2 + len(planted)] = original
    copy = json.loads(json.dumps(records[1]))
    copy["messages"][-1]["content"] += " Thanks!"
    records.append(copy)  # far from it: another batch
    planted[len(records)] = 2
    return records, planted


@pytest.mark.parametrize("batch", [1, 3, 1000])
def test_planted_near_duplicates_as_datasketch_finds_them(batch: int) -> None:
    records, planted = planted_near_duplicates()
    kept, result = run(records, near=True, threshold=0.7, batch=batch)
    near = {r.record: r.duplicate_of for r in result.removed if r.kind == "near"}
    assert near == planted
    assert (kept, result.removed) == reference_dedup(records, 0.7)


@pytest.mark.parametrize("threshold", [0.5, 0.8, 1.0])
def test_real_alpaca_sample_as_datasketch_dedups_it(threshold: float) -> None:
    records = alpaca_records()
    kept, result = run(records, near=True, threshold=threshold, batch=100)
    assert (kept, result.removed) == reference_dedup(records, threshold)


def test_band_keys_agree_with_equal_bands() -> None:
    values = signatures(["a b c d e f", "a b c d e f g", "x y z"])
    bands, rows = band_params(0.5, 128)
    keys = band_keys(values, bands, rows)
    assert keys.shape == (3, bands)
    assert keys.dtype.name == "int64"
    split = values[:, : bands * rows].reshape(3, bands, rows)
    outcomes = set()
    for i in range(3):
        for j in range(3):
            for band in range(bands):
                same = bool((split[i, band] == split[j, band]).all())
                assert bool(keys[i, band] == keys[j, band]) == same
                outcomes.add(same)
    assert outcomes == {True, False}
    assert len(set(keys[0].tolist())) == bands  # the band number is hashed in


# ------------------------------------------------ the temporary index and the input


def test_temporary_index_is_removed_after_a_run(tmp_path: Path) -> None:
    records, _planted = planted_near_duplicates()
    work = tmp_path / "work"
    work.mkdir()
    stream = deduplicate_records(
        enumerate(records, 1), DedupResult(), near=True, folder=work, batch=10
    )
    next(stream)
    [index_folder] = work.iterdir()  # created while the run goes on …
    assert (index_folder / "kept.sqlite").is_file()
    list(stream)
    assert list(work.iterdir()) == []  # … and gone once it ends


def test_temporary_index_is_removed_when_abandoned_or_failing(tmp_path: Path) -> None:
    records, _planted = planted_near_duplicates()
    stream = deduplicate_records(
        enumerate(records, 1), DedupResult(), near=True, folder=tmp_path, batch=10
    )
    next(stream)
    stream.close()
    assert list(tmp_path.iterdir()) == []

    def broken():  # type: ignore[no-untyped-def]
        yield from enumerate(records[:25], 1)
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        list(deduplicate_records(broken(), DedupResult(), near=True, folder=tmp_path, batch=10))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("batch", [0, -1])
def test_bad_batch(batch: int) -> None:
    with pytest.raises(DedupError, match="batch size"):
        run([pair("a", "b")], batch=batch)


def test_unusable_index_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexStoreError, match="temporary deduplication database in"):
        list(deduplicate_records([(1, pair("a", "b"))], DedupResult(), folder=tmp_path / "no"))


def test_cli_dedup_never_writes_its_input_and_leaves_only_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records, planted = planted_near_duplicates()
    source = write_jsonl(tmp_path / "in" / "data.jsonl", records)
    before = (source.read_bytes(), source.stat().st_mtime_ns)
    out = tmp_path / "out" / "clean.jsonl"
    out.parent.mkdir()
    assert main(["dedup", str(source), str(out), "--near", "--threshold", "0.7", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {r["record"] for r in report["removed"]} >= set(planted)
    assert (source.read_bytes(), source.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["clean.jsonl", "data.jsonl", "in", "out"]


def test_atomic_write_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", "utf-8")

    def broken():  # type: ignore[no-untyped-def]
        yield {"a": 1}
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_jsonl(target, broken())
    assert target.read_text("utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_atomic_write_refuses_symlinked_input(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("{}\n", "utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(source)
    with pytest.raises(StreamError):
        atomic_jsonl(link, iter([{}]), source)
    assert source.read_text("utf-8") == "{}\n"


# --------------------------------------------------------------------------- CLI


def test_cli_dedup_json_on_the_bookshop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "clean.jsonl"
    assert main(["dedup", str(BOOKSHOP), str(out), "--lenient", "--near", "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert set(report) == {"records", "kept", "removed"}
    assert report["records"] == 75  # 79 lines, 4 of them bad: skipped and listed on stderr
    error = captured.err
    assert "4 bad records skipped" in error
    assert "record 11" in error
    assert report["kept"] == 75 - len(report["removed"])
    assert {"record": 31, "duplicate_of": 4, "similarity": 1.0} in report["removed"]
    assert len(out.read_text("utf-8").splitlines()) == report["kept"]
    first = json.loads(out.read_text("utf-8").splitlines()[0])
    assert "conversations" in first  # written back in ShareGPT, the input's format


def test_cli_dedup_stops_on_a_bad_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "clean.jsonl"
    assert main(["dedup", str(BOOKSHOP), str(out)]) == 1
    error = capsys.readouterr().err
    assert "record 11" in error
    assert "Traceback" not in error
    assert not out.exists()


def test_cli_dedup_in_turkish(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [pair("Merhaba", "Selam"), pair("merhaba", "selam")]
    )
    assert main(["--lang", "tr", "dedup", str(source), str(tmp_path / "out.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "2 kayıt okundu, 1 kayıt tutuldu" in out
    assert "kayıt 2, kayıt 1 ile aynı (normalleştirilmiş" in out


@pytest.mark.parametrize("threshold", ["0", "1.5", "nan", "abc"])
def test_cli_dedup_bad_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], threshold: str
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [pair("a", "b")])
    code = main(
        ["dedup", str(source), str(tmp_path / "o.jsonl"), "--near", "--threshold", threshold]
    )
    assert code in (1, 2)
    assert "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "o.jsonl").exists()


def test_cli_dedup_refuses_to_overwrite_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [pair("a", "b")])
    link = tmp_path / "link.jsonl"
    link.symlink_to(source)
    before = source.read_bytes()
    for target in (source, link):
        assert main(["dedup", str(source), str(target)]) == 1
        assert "refusing to write over the input" in capsys.readouterr().err
    assert source.read_bytes() == before


def test_cli_dedup_directory_and_empty_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dedup", str(tmp_path), str(tmp_path / "o.jsonl")]) == 2  # unusable input
    assert "Traceback" not in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", "utf-8")
    assert main(["dedup", str(empty), str(tmp_path / "o.jsonl"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"records": 0, "kept": 0, "removed": []}
