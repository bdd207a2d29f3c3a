"""The writer thread: calls in order, bounded, stopped at the first error; the writers on it."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from talimat.formats import FormatError, convert_file, write_records
from talimat.formats import io as formats_io
from talimat.formats.background import Background


def test_calls_run_in_order_in_another_thread() -> None:
    done: list[tuple[int, str]] = []
    with Background(2) as background:
        for number in range(50):
            background.submit(lambda n: done.append((n, threading.current_thread().name)), number)
        background.wait()
        assert [n for n, _ in done] == list(range(50))
    assert {name for _, name in done} == {"talimat-writer"}


def test_the_first_error_stops_the_rest_and_reaches_the_caller() -> None:
    done: list[int] = []

    def call(number: int) -> None:
        if number == 3:
            raise OSError(28, "No space left on device")
        done.append(number)

    def run() -> None:
        with Background(8) as background:
            for number in range(10):
                background.submit(call, number)

    with pytest.raises(OSError, match="No space left"):
        run()
    assert done == [0, 1, 2]  # nothing after the failed call ran


def test_wait_raises_the_error_of_a_call_already_made() -> None:
    with Background() as background:
        background.submit(int, "not a number")
        with pytest.raises(ValueError, match="invalid literal"):
            background.wait()
        with pytest.raises(ValueError, match="invalid literal"):  # every later call is refused
            background.submit(print, "never")
        background._error = None  # the block may now end cleanly


def test_an_error_of_the_caller_skips_what_is_queued() -> None:
    started = threading.Event()
    release = threading.Event()
    done: list[int] = []

    def slow(number: int) -> None:
        started.set()
        release.wait(5)
        done.append(number)

    def run() -> None:
        with Background(4) as background:
            background.submit(slow, 0)
            started.wait(5)
            for number in range(1, 4):
                background.submit(done.append, number)
            threading.Timer(0.3, release.set).start()  # after the block has ended
            raise KeyError("the caller's own error")

    with pytest.raises(KeyError, match="the caller's own error"):
        run()
    assert done == [0]  # the call under way finished; the queued ones were skipped


def test_submit_blocks_while_the_queue_is_full() -> None:
    release = threading.Event()
    waiting: list[float] = []
    with Background(1) as background:
        background.submit(release.wait, 5)  # running
        background.submit(time.sleep, 0)  # queued: the queue is full
        threading.Timer(0.2, release.set).start()
        start = time.perf_counter()
        background.submit(time.sleep, 0)  # waits for the first call to end
        waiting.append(time.perf_counter() - start)
    assert waiting[0] >= 0.15


# --------------------------------------------------------------------------- the writers


def plain_lines(count: int) -> bytes:
    record = {
        "messages": [
            {"role": "user", "content": "Bir soru: şu nedir?"},
            {"role": "assistant", "content": "Bir yanıt."},
        ]
    }
    return (json.dumps(record, ensure_ascii=False) + "\n").encode() * count


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of a few lines and pieces of about 1,000 bytes: many writes per small file."""
    monkeypatch.setattr(formats_io, "_CHUNK", 1000)
    monkeypatch.setattr(formats_io, "_LINES_HINT", 300)


def converted_before(tmp_path: Path, records: int, suffix: str) -> tuple[Path, bytes]:
    """A source of plain records and what converting it writes with the writers untouched."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(plain_lines(records))
    expected = tmp_path / f"expected{suffix}"
    convert_file(source, expected, "sharegpt")
    data = expected.read_bytes()
    expected.unlink()
    return source, data


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_short_writes_are_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """``writev`` may write less than it was given; the rest is written after it."""
    source, expected = converted_before(tmp_path, 400, suffix)
    writev = os.writev

    def short(fd: int, parts: list[bytes]) -> int:
        data = b"".join(parts)
        return writev(fd, [data[: max(1, len(data) // 3)]])

    monkeypatch.setattr(formats_io, "_CHUNK", 1000)
    monkeypatch.setattr(os, "writev", short)
    target = tmp_path / f"out{suffix}"
    convert_file(source, target, "sharegpt")
    assert target.read_bytes() == expected


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("missing", ["writev", "fdatasync"])
def test_systems_without_writev_or_fdatasync_write_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    """Windows has no writev, macOS no fdatasync: the writer falls back to write and fsync."""
    source, expected = converted_before(tmp_path, 2000, ".jsonl")
    monkeypatch.setattr(formats_io, "_SYNC_EVERY", 10_000)
    monkeypatch.delattr(os, missing, raising=False)
    target = tmp_path / "out.jsonl"
    convert_file(source, target, "sharegpt")
    assert target.read_bytes() == expected


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_a_full_disk_in_the_writer_thread_keeps_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    source, _ = converted_before(tmp_path, 400, suffix)
    target = tmp_path / f"out{suffix}"
    target.write_text("previous\n", encoding="utf-8")
    calls: list[int] = []
    writev = os.writev

    def full(fd: int, parts: list[bytes]) -> int:
        calls.append(len(parts))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return writev(fd, parts)

    monkeypatch.setattr(os, "writev", full)
    with pytest.raises(FormatError) as caught:
        convert_file(source, target, "sharegpt")
    assert str(caught.value).startswith(f"{target}: could not be written (No space left on device)")
    assert len(calls) == 2  # nothing written after the error
    assert target.read_text("utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", target.name]


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".parquet"])
def test_every_written_file_is_synced_before_it_is_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    synced: list[int] = []
    replaced: list[int] = []
    fsync, replace = os.fsync, os.replace

    def recorded_fsync(fd: int) -> None:
        synced.append(os.fstat(fd).st_size)
        fsync(fd)

    def recorded_replace(source: Any, target: Any) -> None:
        replaced.append(len(synced))
        replace(source, target)

    monkeypatch.setattr(os, "fsync", recorded_fsync)
    monkeypatch.setattr(os, "replace", recorded_replace)
    target = tmp_path / f"out{suffix}"
    write_records([{"text": "bir"}, {"text": "iki"}], target)
    assert replaced == [1]
    assert synced == [target.stat().st_size]  # the whole file, before the rename


def test_large_outputs_are_synced_as_they_grow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fdatasync every _SYNC_EVERY bytes leaves little for the last fsync to wait for."""
    synced: list[int] = []
    monkeypatch.setattr(formats_io, "_CHUNK", 2000)  # about five lines a piece
    monkeypatch.setattr(formats_io, "_LINES_HINT", 300)
    monkeypatch.setattr(formats_io, "_SYNC_EVERY", 10_000)
    monkeypatch.setattr(os, "fdatasync", lambda fd: synced.append(os.fstat(fd).st_size))
    source = tmp_path / "in.jsonl"
    source.write_bytes(plain_lines(1000))
    target = tmp_path / "out.jsonl"
    convert_file(source, target, "sharegpt")
    size = target.stat().st_size
    assert len(synced) in (size // 10_000 - 1, size // 10_000)
    gaps = [after - before for before, after in zip([0, *synced], synced, strict=False)]
    assert all(10_000 <= gap < 12_500 for gap in gaps)  # about every _SYNC_EVERY bytes
    assert size - synced[-1] < 12_500


def test_parquet_written_in_the_thread_reads_back(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(plain_lines(30_000))  # several Parquet batches
    target = tmp_path / "out.parquet"
    report = convert_file(source, target, "sharegpt")
    assert report.converted == 30_000
    table = pq.read_table(target)
    assert table.num_rows == 30_000
    assert table.column("conversations")[29_999].as_py()[1] == {
        "from": "gpt",
        "value": "Bir yanıt.",
    }
