"""The fast path (msgspec Structs for plain messages records) agrees with the detailed one.

Every comparison runs the same file twice: once as the package reads it, once with the
fast path switched off, and asserts the same report, problems and output bytes.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talimat.formats import convert, convert_file, validate_file
from talimat.formats.fast import PlainRecord, as_dict, plain_batches, plain_jsonl
from talimat.formats.io import BLANK, parse_line, raw_jsonl

ROLES = ["system", "user", "assistant", "tool", "developer", "function", "human", ""]
FIXTURES = [HealthCheck.function_scoped_fixture]
TEXTS = ["Merhaba", "İstanbul’da ışık", "a: b", "x\u003ay", " ", "", "\t\n", 'say "hi"', "\u00a0"]
TEXTS += [":first", "last:", 'quote":', "s", "e :", "\\"]  # colons, quotes, backslashes by keys


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALIMAT_LANG", raising=False)


def detailed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch the fast path off: every record takes the detailed checker."""
    monkeypatch.setattr(convert._Scan, "fast", lambda self, path: False)


def both(monkeypatch: pytest.MonkeyPatch, run: Any) -> tuple[Any, Any]:
    fast = run("fast")
    with monkeypatch.context() as patch:
        detailed(patch)
        slow = run("slow")
    return fast, slow


def messages_line(turns: list[tuple[str, str]], sep: str = ": ", comma: str = ", ") -> str:
    body = comma.join(
        "{" + f'"role"{sep}{json.dumps(r)}{comma}"content"{sep}{json.dumps(c)}' + "}"
        for r, c in turns
    )
    return "{" + f'"messages"{sep}[{body}]' + "}"


# Lines a dataset may hold: plain records, near-plain ones, repeated keys spelled with
# any spacing, escaped colons, blank and odd contents, broken JSON.
turn = st.tuples(st.sampled_from(ROLES), st.sampled_from(TEXTS) | st.text(max_size=8))
plain_line = st.builds(
    messages_line,
    st.lists(turn, min_size=0, max_size=5),
    st.sampled_from([": ", ":", " : ", "\t:", "  :"]),
    st.sampled_from([", ", ","]),
)
repeated = st.builds(
    # inside the last message, before its closing brace
    lambda line, key, sep: line[:-3] + f', "{key}"{sep}"x"' + line[-3:],
    plain_line,
    st.sampled_from(["role", "content", "rol\\u0065", "c\\u006fntent"]),
    st.sampled_from([": ", ":", "  :", "\t:", "\\u003a"]),
)
top_repeat = st.builds(
    lambda line, sep: line[:-1] + f', "messages"{sep}[]' + "}",
    plain_line,
    st.sampled_from([":", " :", "\t:"]),
)
# A plain record broken between its two messages, and lines holding two records: read as
# one block, these can add up to as many records as lines.
_C, _D = (
    '{"messages": [{"role": "user", "content": "c"}]}',
    '{"messages": [{"role": "user", "content": "d"}]}',
)
BROKEN_AND_DOUBLED = [
    '{"messages": [{"role": "user", "content": "a"}',
    '{"role": "assistant", "content": "b"}]}',
    f"{_C},{_D}",
    f"{_C}],[{_D}",
    f"{_C} {_D}",
]
other = st.sampled_from(
    [
        "",
        "   ",
        "1",
        "null",
        '{"messages": "no"}',
        '{"messages": [], "tools": []}',
        '{"messages": [{"role": "user", "content": "a", "name": "x"}]}',
        '{"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}]}]}',
        '{"instruction": "a", "output": "b"}',
        '{"messages": [{"role": "user", "content": "a"}',
        '{"messages": [{"role": "user", "content": "\\ud800"}]}',
        '{"messages": [{"role": "user", "content": "a\\u003ab"}, '
        '{"role": "assistant", "content": "c"}]}',
        *BROKEN_AND_DOUBLED,
    ]
)
lines = st.lists(plain_line | repeated | top_repeat | other, min_size=1, max_size=12)


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_a_plain_record_is_what_the_detailed_reader_parses(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", [messages_line([("user", "a"), ("assistant", "b")])])
    ((number, value),) = list(plain_jsonl(path))
    assert number == 1
    assert type(value) is PlainRecord
    assert as_dict(value) == parse_line(path.read_bytes())


@pytest.fixture(params=["small file", "large file"])
def file_size(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Read as a small file (bytes.count) or as a large one (numpy's counts)."""
    if request.param == "large file":
        from talimat.formats import io

        monkeypatch.setattr(io, "_NUMPY_COUNTS_FROM", 0)
        monkeypatch.setattr(io, "_NUMPY_BLOCK", 0)
    return str(request.param)


@settings(max_examples=150, deadline=None, suppress_health_check=FIXTURES)
@given(rows=lines)
def test_fast_reader_never_accepts_what_the_detailed_reader_refuses(
    tmp_path: Path, rows: list[str], file_size: str
) -> None:
    path = write(tmp_path / "lines.jsonl", rows)
    fast = list(plain_jsonl(path))
    slow = list(raw_jsonl(path))
    assert [number for number, _ in fast] == [number for number, _ in slow]
    data = path.read_bytes().splitlines(keepends=True)
    for (number, value), (_, reference) in zip(fast, slow, strict=True):
        if type(value) is PlainRecord:
            # Only records the detailed reader parses to the same dict, with no repeated
            # key and no blank content, take the fast path.
            assert as_dict(value) == reference
            assert parse_line(data[number - 1]) is not BLANK
            assert all(m.content.strip() for m in value.messages)
        else:
            assert repr(value) == repr(reference)


@settings(max_examples=100, deadline=None, suppress_health_check=FIXTURES)
@given(rows=lines, hint=st.sampled_from([1, 50, 200]))
def test_small_blocks_read_the_same_values(tmp_path: Path, rows: list[str], hint: int) -> None:
    # Blocks of a few lines, or one line read in many pieces: each block is decoded in
    # bulk or line by line on its own, and the values are those of whole-file blocks.
    from talimat.formats import io

    path = write(tmp_path / "blocks.jsonl", rows)
    whole = [(n, repr(v)) for n, v in plain_jsonl(path)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(io, "_LINES_HINT", hint)
        small = [(n, repr(v)) for n, v in plain_jsonl(path)]
        # and with the counts a large file makes with numpy
        patch.setattr(io, "_NUMPY_COUNTS_FROM", 0)
        patch.setattr(io, "_NUMPY_BLOCK", 0)
        counted = [(n, repr(v)) for n, v in plain_jsonl(path)]
    assert small == whole
    assert counted == whole


@settings(max_examples=80, deadline=None, suppress_health_check=FIXTURES)
@given(rows=lines, task=st.sampled_from([None, "sft", "prompt"]))
def test_validate_reports_the_same_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[str], task: Any
) -> None:
    path = write(tmp_path / "v.jsonl", rows)
    fast, slow = both(monkeypatch, lambda _: validate_file(path, task=task).to_dict())
    assert fast == slow


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURES)
@given(rows=lines, suffix=st.sampled_from([".jsonl", ".json", ".parquet"]))
def test_convert_writes_the_same_bytes_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[str], suffix: str
) -> None:
    path = write(tmp_path / "c.jsonl", rows)

    def run(name: str) -> tuple[Any, Any]:
        target = tmp_path / f"{name}.sharegpt{suffix}"
        target.unlink(missing_ok=True)
        try:
            report = convert_file(path, target, "sharegpt", strict=False)
        except Exception as error:
            return type(error).__name__, str(error)
        if not target.exists():
            return report.problems, report.lossy, None
        if suffix == ".parquet":
            output: Any = pq.read_table(target).to_pylist()
        else:
            output = target.read_bytes()
        return (report.total, report.converted, report.problems, report.lossy, output)

    fast, slow = both(monkeypatch, run)
    assert fast == slow


DEMOS = ("alpaca_en_demo.json", "identity.json", "glaive_toolcall_en_demo.json")


def real_messages(tmp_path: Path, names: tuple[str, ...] = DEMOS) -> Path:
    """LLaMA-Factory's own demo files as one messages JSONL file (the detailed converter)."""
    folder = resources.files("talimat.data.public") / "llamafactory"
    rows: list[str] = []
    for name in names:
        source = tmp_path / name
        source.write_bytes((folder / name).read_bytes())
        out = tmp_path / f"{name}.messages.jsonl"
        convert_file(source, out, "messages", strict=False, keep_layout=False)
        rows += out.read_text(encoding="utf-8").splitlines()
    return write(tmp_path / "real.messages.jsonl", rows)


def test_real_records_validate_and_convert_the_same_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = real_messages(tmp_path)
    plain = sum(type(value) is PlainRecord for _, value in plain_jsonl(path))
    assert plain > 1000  # most real records take the fast path

    def run(name: str) -> tuple[Any, ...]:
        report = validate_file(path).to_dict()
        outputs = []
        for suffix in (".jsonl", ".json", ".parquet"):
            target = tmp_path / f"{name}.sharegpt{suffix}"
            converted = convert_file(path, target, "sharegpt", strict=False)
            if suffix == ".parquet":
                outputs.append((converted.converted, pq.read_table(target).to_pylist()))
            else:
                outputs.append((converted.converted, converted.lossy, target.read_bytes()))
        return report, outputs

    fast, slow = both(monkeypatch, run)
    assert fast == slow


@pytest.mark.parametrize(
    "rows",
    [
        [BROKEN_AND_DOUBLED[0], BROKEN_AND_DOUBLED[1], BROKEN_AND_DOUBLED[2]],
        [BROKEN_AND_DOUBLED[3], "", messages_line([("user", "e")])],
        [BROKEN_AND_DOUBLED[0], BROKEN_AND_DOUBLED[1], BROKEN_AND_DOUBLED[4]],
    ],
)
def test_lines_that_are_not_one_record_each_are_never_read_as_records(
    tmp_path: Path, rows: list[str]
) -> None:
    # Each of these files holds as many records as lines, but not one per line: every
    # line is what the detailed reader says it is (broken JSON, extra content, blank).
    path = write(tmp_path / "broken.jsonl", rows)
    fast = [(n, repr(as_dict(v) if type(v) is PlainRecord else v)) for n, v in plain_jsonl(path)]
    slow = [(n, repr(value)) for n, value in raw_jsonl(path)]
    assert fast == slow


@pytest.mark.parametrize("end", ["", "\n", "\r\n", "\n\n", ",", " "])
def test_the_last_line_is_read_as_the_detailed_reader_reads_it(tmp_path: Path, end: str) -> None:
    # A last line without its newline, with a trailing comma, or followed by a blank line.
    path = tmp_path / "last.jsonl"
    rows = [messages_line([("user", "a"), ("assistant", "b")])] * 2
    path.write_bytes(("\n".join(rows) + end).encode())
    fast = [(n, repr(as_dict(v) if type(v) is PlainRecord else v)) for n, v in plain_jsonl(path)]
    slow = [(n, repr(value)) for n, value in raw_jsonl(path)]
    assert fast == slow


def test_a_key_repeated_with_an_escape_is_named(tmp_path: Path, file_size: str) -> None:
    # The only \u escape of the file spells a repeated key: no key count may miss it.
    line = messages_line([("user", "a")])[:-3] + ', "rol\\u0065": "assistant"}]}'
    path = write(tmp_path / "escaped.jsonl", [messages_line([("user", "b")]), line])
    values = [value for _, value in plain_jsonl(path)]
    assert type(values[0]) is PlainRecord
    assert repr(values[1]) == repr(parse_line(line.encode()))
    assert "duplicate_key" in repr(values[1])


def test_repeated_keys_are_named_whatever_the_spacing(tmp_path: Path) -> None:
    rows = [
        '{"messages": [{"role": "user", "content": "a", "content"  : "b"}]}',
        '{"messages": [{"role": "user", "content": "a"}], "messages"\t: []}',
    ]
    report = validate_file(write(tmp_path / "r.jsonl", rows))
    assert [(p.record, p.code) for p in report.problems] == [
        (1, "duplicate_key"),
        (2, "duplicate_key"),
    ]


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".parquet"])
def test_batches_of_plain_real_records_are_written_in_bulk_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """Every line plain: the bulk writers take whole batches, and the bytes stay the same."""
    path = real_messages(tmp_path, ("alpaca_en_demo.json", "identity.json"))
    rows = path.read_text(encoding="utf-8").splitlines()
    path = write(tmp_path / "plain.messages.jsonl", rows * 3)  # more than one batch
    batches = list(plain_batches(path))
    assert len(batches) > 1
    assert all(every for _, _, every in batches)

    def run(name: str) -> Any:
        target = tmp_path / f"{name}.sharegpt{suffix}"
        report = convert_file(path, target, "sharegpt")
        assert report.converted == len(rows) * 3
        return pq.read_table(target).to_pylist() if suffix == ".parquet" else target.read_bytes()

    fast, slow = both(monkeypatch, run)
    assert fast == slow
