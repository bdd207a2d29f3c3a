"""Hostile inputs and safe writes: no traceback, input never changed, output always valid JSON."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talimat.cli import main
from talimat.formats import (
    FormatError,
    InputError,
    RecordError,
    convert_file,
    convert_records,
    validate_file,
    write_records,
)

GOOD = {"instruction": "Selam ver.", "output": "Selam!"}


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALIMAT_LANG", raising=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def line(record: Any) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode() + b"\n"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# name, file content, exit code of validate, (record, code) of the problem or None
HOSTILE: list[tuple[str, bytes, int, tuple[int, str] | None]] = [
    (
        "deep.jsonl",
        b'{"instruction": "a", "output": "b", "x": '
        + b"[" * 5000
        + b"]" * 5000
        + b"}\n"
        + line(GOOD),
        1,
        (1, "bad_json"),
    ),
    (
        "surrogate.jsonl",
        line(GOOD) + b'{"instruction": "\\ud800", "output": "b"}\n',
        1,
        (2, "bad_json"),
    ),
    ("nan.jsonl", line(GOOD) + b'{"instruction": "a", "output": NaN}\n', 1, (2, "bad_json")),
    (
        "infinity.jsonl",
        line(GOOD) + b'{"instruction": "a", "output": "b", "score": Infinity}\n',
        1,
        (2, "bad_json"),
    ),
    (
        "duplicate.jsonl",
        line(GOOD) + b'{"instruction": "a", "output": "b", "output": "c"}\n',
        1,
        (2, "duplicate_key"),
    ),
    (
        "spaced_duplicate.jsonl",
        b'{"instruction" : "a", "output" : "b", "output" : "c"}\n' + line(GOOD),
        1,
        (1, "duplicate_key"),
    ),
    ("bom.jsonl", b"\xef\xbb\xbf" + line(GOOD), 0, None),
    ("bom.json", b"\xef\xbb\xbf" + json.dumps([GOOD]).encode(), 0, None),
    (
        "invalid_utf8.jsonl",
        line(GOOD) + b'{"instruction": "\xff", "output": "b"}\n',
        1,
        (2, "bad_json"),
    ),
    ("array.jsonl", json.dumps([GOOD, GOOD], indent=2).encode(), 2, None),
    ("utf16.jsonl", line(GOOD).decode().encode("utf-16"), 2, None),
    ("utf16be.jsonl", line(GOOD).decode().encode("utf-16-be"), 2, None),
    ("empty.jsonl", b"\n\n", 2, None),
    ("numbers.jsonl", b"1\n2\n", 2, None),
    ("not_a_dataset.jsonl", line({"a": 1}), 2, None),
    (
        "duplicate.json",
        b'[{"instruction": "a", "output": "b", "output": "c"}, ' + json.dumps(GOOD).encode() + b"]",
        1,
        (1, "duplicate_key"),
    ),
]


@pytest.mark.parametrize(("name", "content", "code", "problem"), HOSTILE)
def test_hostile_inputs_become_named_problems_or_one_line_errors(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    content: bytes,
    code: int,
    problem: tuple[int, str] | None,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = digest(path)
    exit_code, out, err = cli(capsys, "validate", str(path), "--json")
    assert exit_code == code
    if code == 2:
        assert err.count("\n") == 1
        assert str(path) in err
    else:
        report = json.loads(out)
        assert report["file"] == str(path)
        if problem is not None:
            first = report["problems"][0]
            assert (first["record"], first["code"]) == problem
    target = tmp_path / f"{name}.out.jsonl"
    exit_code, _, err = cli(
        capsys, "convert", str(path), str(target), "--to", "sharegpt", "--lenient"
    )
    assert exit_code == (2 if code == 2 else 0)  # something converts in every usable file
    assert ".partial" not in err
    if target.exists():
        for text_line in target.read_text("utf-8").splitlines():
            json.loads(text_line)  # valid JSON, and no NaN slipped through
            assert "NaN" not in text_line
    assert digest(path) == before  # the input is never changed


def test_a_record_too_deep_to_write_is_a_problem_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    deep: Any = []
    for _ in range(900):
        deep = [deep]
    source = tmp_path / "deep.jsonl"
    source.write_bytes(line({**GOOD, "x": deep}) + line(GOOD))
    code, out, _ = cli(
        capsys, "convert", str(source), str(tmp_path / "o.jsonl"), "--to", "messages", "--lenient"
    )
    assert code == 0
    assert (
        "Converted 1 of 2 records" in out or "cannot be written" in out or "Converted 2 of 2" in out
    )
    for text_line in (tmp_path / "o.jsonl").read_text("utf-8").splitlines():
        json.loads(text_line)


def test_nan_from_memory_or_parquet_is_refused_on_output(tmp_path: Path) -> None:
    records = [{**GOOD, "score": float("nan")}, {**GOOD, "score": 1.5}]
    result = convert_records(records, "messages", strict=False)
    assert [p.code for p in result.report.problems] == []  # NaN is fine in memory …
    with pytest.raises(RecordError, match="NaN or an infinity"):
        write_records(result.records, tmp_path / "out.jsonl")  # … but not in JSON
    assert not (tmp_path / "out.jsonl").exists()
    table = pa.table(
        {"instruction": ["a", "b"], "output": ["x", "y"], "score": [float("inf"), 2.0]}
    )
    pq.write_table(table, tmp_path / "in.parquet")
    report = convert_file(tmp_path / "in.parquet", tmp_path / "out.jsonl", "sharegpt", strict=False)
    assert (report.converted, [p.code for p in report.problems]) == (1, ["not_finite"])
    assert json.loads((tmp_path / "out.jsonl").read_text("utf-8"))["score"] == 2.0


def test_mixed_types_in_a_parquet_column_name_the_target(tmp_path: Path) -> None:
    source = tmp_path / "mixed.jsonl"
    source.write_bytes(line({**GOOD, "meta": "text"}) + line({**GOOD, "meta": [1, 2]}))
    target = tmp_path / "out.parquet"
    with pytest.raises(
        FormatError, match=r"out\.parquet: a column holds values of different types"
    ):
        convert_file(source, target, "messages")
    assert not target.exists()
    assert not list(tmp_path.glob(".*partial*"))


def test_parquet_output_is_written_in_batches_with_a_schema_over_every_batch(
    tmp_path: Path,
) -> None:
    from talimat.formats import io

    records = [dict(GOOD) for _ in range(io.PARQUET_BATCH + 5)]
    records[-1]["extra"] = "only in the last batch"
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(line(r) for r in records))
    convert_file(source, tmp_path / "out.parquet", "alpaca")
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.num_rows == len(records)
    assert table.column("extra").to_pylist()[-1] == "only in the last batch"


@pytest.mark.parametrize("kind", ["same", "symlink", "hardlink"])
def test_a_command_never_writes_over_its_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(line(GOOD))
    before = digest(source)
    target = source
    if kind == "symlink":
        target = tmp_path / "link.jsonl"
        target.symlink_to(source)
    elif kind == "hardlink":
        target = tmp_path / "hard.jsonl"
        os.link(source, target)
    code, _, err = cli(capsys, "convert", str(source), str(target), "--to", "messages")
    assert code == 1
    assert "the target is the source file itself" in err
    assert digest(source) == before
    with pytest.raises(FormatError, match="the target is the source file itself"):
        write_records([GOOD], target, inputs=[source])


def test_a_full_disk_leaves_the_previous_target_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from talimat.formats import io

    source = tmp_path / "in.jsonl"
    source.write_bytes(line(GOOD) * 3)
    target = tmp_path / "out.jsonl"
    target.write_text("previous\n", encoding="utf-8")

    def full(lines: Any, path: Path) -> int:
        with path.open("wb") as handle:
            handle.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(io, "_write_jsonl", full)
    with pytest.raises(FormatError) as caught:
        convert_file(source, target, "sharegpt")
    message = str(caught.value)
    assert message.startswith(f"{target}: could not be written (No space left on device)")
    assert ".partial" not in message
    assert target.read_text("utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_lenient_convert_that_converts_nothing_exits_non_zero_and_keeps_the_target(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "tools.jsonl"
    call = {"from": "function_call", "value": '{"name": "f", "arguments": {}}'}
    record = {
        "conversations": [
            {"from": "human", "value": "a"},
            call,
            {"from": "observation", "value": "b"},
            {"from": "gpt", "value": "c"},
        ]
    }
    source.write_bytes(line(record))
    target = tmp_path / "out.jsonl"
    target.write_text("previous\n", encoding="utf-8")
    code, out, _ = cli(capsys, "convert", str(source), str(target), "--to", "alpaca", "--lenient")
    assert code == 1
    assert "Nothing was converted" in out
    assert target.read_text("utf-8") == "previous\n"


def test_missing_and_folder_inputs_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = cli(capsys, "validate", str(tmp_path / "nope.jsonl"))
    assert (code, err.strip()) == (2, f"talimat: error: {tmp_path / 'nope.jsonl'}: no such file")
    code, _, err = cli(capsys, "convert", str(tmp_path), str(tmp_path / "o.jsonl"), "--to", "trl")
    assert code == 2
    with pytest.raises(InputError):
        validate_file(tmp_path / "nope.jsonl")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "instruction": st.text(alphabet='ab[]{},"\\: \n', min_size=1).filter(str.strip),
                "output": st.text(alphabet='xy[]{},"\\é', min_size=1).filter(str.strip),
            }
        ),
        min_size=0,
        max_size=6,
    ),
    st.integers(1, 40),
    st.sampled_from([None, 1, 2]),
)
def test_large_json_lists_are_streamed_item_by_item(
    tmp_path_factory: Any, records: list[dict[str, str]], chunk: int, indent: int | None
) -> None:
    from talimat.formats import io

    path = tmp_path_factory.mktemp("stream") / "big.json"
    path.write_text(json.dumps(records, indent=indent, ensure_ascii=False), encoding="utf-8")
    whole = list(io.raw_json(path))
    limit, size = io.WHOLE_JSON_LIMIT, io._CHUNK
    io.WHOLE_JSON_LIMIT, io._CHUNK = 0, chunk
    try:
        streamed = list(io.raw_json(path))
    finally:
        io.WHOLE_JSON_LIMIT, io._CHUNK = limit, size
    assert streamed == whole == list(enumerate(records, 1))


def test_streamed_json_reports_repeated_keys_and_broken_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from talimat.formats import io

    monkeypatch.setattr(io, "WHOLE_JSON_LIMIT", 0)
    monkeypatch.setattr(io, "_CHUNK", 16)
    path = tmp_path / "big.json"
    path.write_bytes(
        b'[{"instruction": "a", "output": "b", "output": "c"}, ' + json.dumps(GOOD).encode() + b"]"
    )
    report = validate_file(path)
    assert (report.total, report.valid, report.problems[0].code) == (2, 1, "duplicate_key")
    path.write_bytes(b'[{"instruction": "a", "output": "b"}, {"instruction": ')
    with pytest.raises(InputError, match=r"big\.json: not valid JSON"):
        validate_file(path)
    path.write_bytes(b'{"instruction": "a"}')
    with pytest.raises(InputError, match="must hold a list of records"):
        validate_file(path)


def call(arguments: Any) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "user", "content": "Hava nasıl?"},
            {
                "role": "assistant",
                "tool_calls": [
                    {"type": "function", "function": {"name": "hava", "arguments": arguments}}
                ],
            },
            {"role": "tool", "content": "güneşli"},
            {"role": "assistant", "content": "Güneşli."},
        ]
    }


@pytest.mark.parametrize("batch", ["one", "across"])
def test_tool_call_arguments_of_both_types_round_trip_through_parquet(
    tmp_path: Path, batch: str
) -> None:
    """OpenAI writes arguments as JSON text, many datasets as an object: Parquet holds both."""
    from talimat.formats import io, read_records

    records = [
        call('{"şehir": "İzmir"}'),
        call({"şehir": "Ankara", "gün": 2, "saat": [9.5, 18]}),
        call("{}"),
        call({}),
        {**call({"a": {"b": None}}), "_layout": {"kept": True}},
    ]
    if batch == "across":  # the object first appears in a later batch than the text
        records = [call("{}")] * io.PARQUET_BATCH + records
    target = tmp_path / "calls.parquet"
    assert write_records(records, target) == len(records)
    message = pq.read_schema(target).field("messages").type.value_type
    function = message.field("tool_calls").type.value_type.field("function").type
    assert function.field("arguments").type == pa.string()  # stored as JSON text
    loaded = read_records(target, "messages")
    assert loaded.problems == []
    assert loaded.records == records
    jsonl = tmp_path / "calls.jsonl"
    convert_file(target, jsonl, "messages")
    assert [json.loads(row) for row in jsonl.read_text("utf-8").splitlines()] == records


# The block reader (the fast path's) and the line reader (every other one) see the same
# lines: bytes lines with any ending, blank ones, a BOM, lines longer than a block.
byte_line = st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")) | st.sampled_from(
    [b"", b"   ", b"\r", b'{"a": 1}\r', b"[1]", b"\xef\xbb\xbf{}", b"x" * 300]
)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(byte_line, max_size=12),
    end=st.sampled_from([b"", b"\n", b"\r\n"]),
    hint=st.sampled_from([1, 7, 64, 1024**2]),
)
def test_blocks_hold_the_lines_the_line_reader_reads(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes], end: bytes, hint: int
) -> None:
    from talimat.formats import io

    path = tmp_path_factory.mktemp("blocks") / "lines.jsonl"
    path.write_bytes(b"\n".join(lines) + (end if lines else b""))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(io, "_LINES_HINT", hint)

        def read(reader: Any) -> Any:
            try:
                return list(reader(path))
            except InputError as error:
                return str(error)

        by_lines = read(io.jsonl_batches)
        by_blocks = read(io.jsonl_blocks)
    if isinstance(by_lines, str):
        assert by_blocks == by_lines  # the same file-level error, naming the file
        return
    numbered = [(n, x) for start, batch in by_lines for n, x in enumerate(batch, start)]
    from_blocks = [
        (n, x)
        for start, block, count in by_blocks
        for n, x in enumerate(io.split_lines(block), start)
    ]
    assert from_blocks == numbered
    assert [count for _, _, count in by_blocks] == [
        len(io.split_lines(block)) for _, block, _ in by_blocks
    ]


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=3000), byte=st.sampled_from([10, 58, 0, 255]))
def test_numpy_counts_bytes_as_bytes_count_does(data: bytes, byte: int) -> None:
    from talimat.formats import io

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(io, "_NUMPY_COUNTS_FROM", 0)
        patch.setattr(io, "_NUMPY_BLOCK", 0)
        assert io.byte_counter(1)(data, byte) == data.count(byte)  # numpy's count
    assert io.byte_counter(1)(data, byte) == data.count(byte)  # a small file's


def messages_lines(count: int) -> bytes:
    record = {
        "messages": [
            {"role": "user", "content": "Selam"},
            {"role": "assistant", "content": "Merhaba"},
        ]
    }
    return line(record) * count


def test_a_full_disk_while_parquet_blocks_are_written_keeps_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain records, written in bulk: the writer's error is one line naming the target."""
    from talimat.formats import io

    source = tmp_path / "in.jsonl"
    source.write_bytes(messages_lines(50))
    target = tmp_path / "out.parquet"
    target.write_text("previous\n", encoding="utf-8")
    monkeypatch.setattr(io, "PARQUET_BATCH", 4)
    monkeypatch.setattr(io, "_LINES_HINT", 200)  # several batches of lines
    calls: list[int] = []
    write_table = pq.ParquetWriter.write_table

    def full(self: Any, table: Any, *args: Any, **kwargs: Any) -> None:
        calls.append(table.num_rows)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        write_table(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full)
    with pytest.raises(FormatError) as caught:
        convert_file(source, target, "sharegpt")
    assert str(caught.value).startswith(f"{target}: could not be written (No space left on device)")
    assert len(calls) == 3  # nothing written after the error
    assert target.read_text("utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.parquet"]
