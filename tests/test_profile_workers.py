"""A profile read by worker processes, each a part of the file, is the single pass's report.

``talimat.profile_workers`` cuts a JSONL file into whole lines, profiles each part in its
own interpreter and joins the tallies. These tests compare every figure of the report
(the fingerprint payload of ``test_profile_batch``) with a pass in this process, on real
records with repeats across the parts, and check each way back to that pass: blank
lines, another layout, a worker that cannot run.
"""

from __future__ import annotations

import itertools
import json
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talimat import profile_workers
from talimat.cli import main
from talimat.formats import RecordError
from talimat.formats.io import jsonl_blocks, line_spans, split_lines
from talimat.formats.problems import Problem
from talimat.language import ENV_VAR
from talimat.profile import ProfileError, _Reservoir, profile_file
from test_profile_batch import fingerprint_payload, mixed_records, write_jsonl


@pytest.fixture(scope="module")
def mixed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real conversations with repeats, near repeats, records off the fast path, and
    records that validation refuses for SFT (a last turn that is not the assistant's)."""
    records = mixed_records()
    records[len(records) // 3 :: 97] = [
        {"messages": [{"role": "user", "content": "Bir soru, yanıtsız"}]}
    ] * len(records[len(records) // 3 :: 97])
    return write_jsonl(tmp_path_factory.mktemp("workers") / "mixed.jsonl", records)


class Spy:
    """Wraps ``profile_in_workers`` to tell whether the workers' result was used."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.results: list[Any] = []
        real = profile_workers.profile_in_workers

        def spy(*args: Any) -> Any:
            result = real(*args)
            self.results.append(result)
            return result

        monkeypatch.setattr(profile_workers, "profile_in_workers", spy)

    @property
    def used(self) -> bool:
        return bool(self.results) and all(result is not None for result in self.results)


def single_pass(path: Path, **options: Any) -> dict[str, Any]:
    return fingerprint_payload(profile_file(path, workers=1, **options))


@pytest.mark.parametrize("workers", [2, 3, 5])
@pytest.mark.parametrize("sample", [{"language_sample": 50, "seed": 3}, {}, {"language_sample": 0}])
def test_workers_give_the_single_pass_report(
    monkeypatch: pytest.MonkeyPatch, mixed_file: Path, workers: int, sample: dict[str, int]
) -> None:
    spy = Spy(monkeypatch)
    report = profile_file(mixed_file, workers=workers, **sample)
    assert spy.used
    assert fingerprint_payload(report) == single_pass(mixed_file, **sample)
    assert report.problems  # the refused records of every part, in file order
    pairs = report.duplicate_pairs
    middle = report.records // 2
    # Repeats of records in an earlier part were found (their keys agree across workers).
    assert ((pairs["record"] > middle) & (pairs["first_record"] <= middle)).any()


def test_every_part_samples_for_the_languages(
    monkeypatch: pytest.MonkeyPatch, mixed_file: Path
) -> None:
    spy = Spy(monkeypatch)
    report = profile_file(mixed_file, workers=3, language_sample=200, seed=1)
    assert spy.used
    parts = [part for part, _problems in spy.results[0]]
    kept = [sum(item is not None for item in part.reservoir.items) for part in parts]
    assert all(kept)  # later parts replace some of the earlier parts' picks
    assert report.language_sample_size == 200


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.mark.parametrize(
    ("lang", "said"), [("en", "a key in double quotes"), ("tr", "çift tırnak içinde bir anahtar")]
)
def test_a_bad_line_in_a_later_part_is_the_single_pass_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mixed_file: Path, lang: str, said: str
) -> None:
    """The worker writes the message in the caller's language (it inherits the environment)."""
    monkeypatch.setenv(ENV_VAR, lang)
    lines = lines_of(mixed_file)
    at = len(lines) * 3 // 4
    path = tmp_path / "bad.jsonl"
    path.write_text("".join([*lines[:at], "{not json\n", *lines[at:]]), encoding="utf-8")
    with pytest.raises(ProfileError) as single:
        profile_file(path, workers=1)
    with pytest.raises(ProfileError) as parts:
        profile_file(path, workers=2)
    assert str(parts.value) == str(single.value)
    assert f"{path}: record {at + 1}:" in str(parts.value)
    assert said in str(parts.value)  # the problem itself, localized


def test_the_first_bad_line_in_file_order_is_raised(tmp_path: Path, mixed_file: Path) -> None:
    lines = lines_of(mixed_file)
    early, late = len(lines) // 5, len(lines) * 4 // 5
    bad = [*lines[:early], '{"messages": 1}\n', *lines[early:late], "[\n", *lines[late:]]
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(bad), encoding="utf-8")
    with pytest.raises((ProfileError, RecordError)) as single:
        profile_file(path, workers=1)
    with pytest.raises(type(single.value)) as parts:
        profile_file(path, workers=3)
    assert str(parts.value) == str(single.value)
    assert f"record {early + 1}" in str(parts.value)


def test_blank_lines_before_a_part_fall_back_to_one_pass(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mixed_file: Path
) -> None:
    """A blank line shifts the record count a later part's sample starts from."""
    lines = lines_of(mixed_file)
    path = tmp_path / "blank.jsonl"
    path.write_text("".join([*lines[:10], "\n", "  \n", *lines[10:]]), encoding="utf-8")
    spy = Spy(monkeypatch)
    report = profile_file(path, workers=2, language_sample=50)
    assert spy.results == [None]
    assert fingerprint_payload(report) == single_pass(path, language_sample=50)


def test_another_layout_falls_back_to_one_pass(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    records = [
        {"instruction": f"Soru {n}", "input": "", "output": f"Yanıt {n % 7}"} for n in range(400)
    ]
    path = write_jsonl(tmp_path / "alpaca.jsonl", records)
    spy = Spy(monkeypatch)
    report = profile_file(path, workers=2)
    assert spy.results == [None]
    assert fingerprint_payload(report) == single_pass(path)


@pytest.mark.parametrize("executable", ["/nonexistent/python", "/bin/false", "/bin/true"])
def test_a_worker_that_cannot_run_falls_back_to_one_pass(
    monkeypatch: pytest.MonkeyPatch, mixed_file: Path, executable: str
) -> None:
    expected = single_pass(mixed_file)
    spy = Spy(monkeypatch)
    monkeypatch.setattr(sys, "executable", executable)
    report = profile_file(mixed_file, workers=2)
    assert spy.results == [None]
    assert fingerprint_payload(report) == expected


@pytest.mark.parametrize(
    ("executable", "python"),
    [
        ("/usr/bin/python3", True),
        ("/opt/venv/bin/python3.12", True),
        ("C:\\Python312\\python.exe", True),
        ("/usr/bin/pypy3", True),
        ("/usr/sbin/uwsgi", False),
        ("", False),
    ],
)
def test_only_a_python_interpreter_is_started_as_a_worker(executable: str, python: bool) -> None:
    assert profile_workers._is_python(executable) is python


def test_workers_for_chooses_one_unless_splitting_pays(
    monkeypatch: pytest.MonkeyPatch, mixed_file: Path, tmp_path: Path
) -> None:
    choose = profile_workers.workers_for
    assert choose(mixed_file, None, None, False) == 1  # under PARALLEL_FROM
    assert choose(mixed_file, None, 3, False) == 3
    assert choose(mixed_file, "alpaca", 3, False) == 1
    assert choose(tmp_path / "data.parquet", None, 3, False) == 1
    monkeypatch.setattr(profile_workers, "PARALLEL_FROM", 0)
    monkeypatch.setattr(profile_workers, "_cores", lambda: 8)
    assert choose(mixed_file, None, None, False) == profile_workers.DEFAULT_WORKERS
    assert choose(mixed_file, "messages", None, False) == profile_workers.DEFAULT_WORKERS
    assert choose(mixed_file, None, None, True) == 1  # a progress bar counts one pass
    assert choose(tmp_path / "missing.jsonl", None, None, False) == 1
    monkeypatch.setattr(profile_workers, "_cores", lambda: 1)
    assert choose(mixed_file, None, None, False) == 1
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="workers must be"):
            choose(mixed_file, None, bad, False)  # type: ignore[arg-type]


def test_a_large_file_takes_the_workers_by_default(
    monkeypatch: pytest.MonkeyPatch, mixed_file: Path
) -> None:
    monkeypatch.setattr(profile_workers, "PARALLEL_FROM", 0)
    monkeypatch.setattr(profile_workers, "_cores", lambda: 2)
    spy = Spy(monkeypatch)
    report = profile_file(mixed_file)
    assert spy.used
    assert fingerprint_payload(report) == single_pass(mixed_file)
    calls: list[Any] = []
    profile_file(mixed_file, progress=lambda items: calls.append(1) or items)
    assert calls == [1]  # a progress bar: one pass in this process
    assert len(spy.results) == 1


def test_the_command_takes_workers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, mixed_file: Path
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    outputs = []
    for workers in ("1", "2"):
        assert main(["profile", str(mixed_file), "--workers", workers]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert "Records:" in outputs[0]
    assert main(["profile", str(mixed_file), "--workers", "0"]) == 1  # as --language-sample
    assert "--workers must be 1 or more, not 0" in capsys.readouterr().err


# --- the pieces: spans of lines, the reservoir's replay, errors that cross a pipe -------

line_texts = st.lists(
    st.text(st.sampled_from("ab{}\r ş"), max_size=40).map(lambda text: text + "\n"), max_size=40
)


@settings(max_examples=200, deadline=None)
@given(line_texts, st.booleans(), st.integers(1, 7))
def test_spans_cut_the_file_into_whole_lines(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], cut_last: bool, parts: int
) -> None:
    data = "".join(lines).encode()
    if cut_last and data:
        data = data[:-1]  # a last line without its newline
    path = tmp_path_factory.mktemp("spans") / "data.jsonl"
    path.write_bytes(data)
    spans = line_spans(path, parts)
    assert 1 <= len(spans) <= parts
    assert spans[0].start == 0
    assert spans[-1].end == len(data)
    read: list[bytes] = []
    for span, following in zip(spans, [*spans[1:], None], strict=True):
        assert span.start < span.end or len(data) == 0
        if following is not None:
            assert following.start == span.end
            assert data[span.end - 1 : span.end] == b"\n"
        assert span.first_line == data[: span.start].count(b"\n") + 1
        number = span.first_line
        for first, block, count in jsonl_blocks(path, span=span):
            assert first == number
            assert count == len(split_lines(block))
            read.append(block)
            number += count
    assert b"".join(read) == data


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(0, 150),
    st.lists(st.integers(0, 150), max_size=4),
    st.integers(0, 5),
)
def test_a_reservoir_replays_the_draws_of_the_items_before_it(
    size: int, total: int, cuts: list[int], seed: int
) -> None:
    """Parts that skip the items before them and are joined in order: one reservoir."""
    whole = _Reservoir(size, seed)
    for position in range(1, total + 1):
        if whole.wants(position):
            whole.put(position, position)
    bounds = sorted({0, total, *(cut for cut in cuts if cut < total)})
    joined: list[Any] = []
    for start, end in itertools.pairwise(bounds):
        part = _Reservoir(size, seed)
        part.skip(start)
        assert len(part.items) == min(size, start)
        for position in range(start + 1, end + 1):
            if part.wants(position):
                part.put(position, position)
        for place, item in enumerate(part.items):
            if item is not None:
                joined[place : place + 1] = [item]
    assert joined == whole.items


def test_record_errors_cross_a_pipe_with_their_problem() -> None:
    problem = Problem("data.jsonl", 7, "messages[1].content", "the content is empty")
    error = pickle.loads(pickle.dumps(RecordError(problem)))
    assert error.problem == problem
    assert str(error) == str(RecordError(problem))
    assert json.loads(json.dumps(error.problem.to_dict()))["record"] == 7


def test_a_missing_file_is_the_single_pass_error(tmp_path: Path) -> None:
    from talimat.formats import InputError

    missing = tmp_path / "missing.jsonl"
    with pytest.raises(InputError) as single:
        profile_file(missing, workers=1)
    with pytest.raises(InputError) as parts:
        profile_file(missing, workers=2)
    assert str(parts.value) == str(single.value)
    assert str(missing) in str(parts.value)


def test_the_workers_files_are_removed_after_a_profile_and_after_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mixed_file: Path
) -> None:
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    spy = Spy(monkeypatch)
    profile_file(mixed_file, workers=2)
    assert spy.used
    lines = lines_of(mixed_file)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join([*lines[:-5], "{oops\n", *lines[-5:]]), encoding="utf-8")
    with pytest.raises(ProfileError):
        profile_file(bad, workers=2)
    assert list(scratch.iterdir()) == []
