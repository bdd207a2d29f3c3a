"""The fast path (msgspec Structs for plain messages records) agrees with the detailed one.

Every comparison runs the same file twice: once as the package reads it, once with the
fast path switched off, and asserts the same report, problems and output bytes.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talimat.formats import convert, convert_file, validate_file
from talimat.formats.fast import (
    PlainRecord,
    ShareGPTBatch,
    as_dict,
    plain_batches,
    plain_jsonl,
    roles_of,
    row_line,
    rows_table,
    sharegpt_plan,
    sharegpt_row,
)
from talimat.formats.io import BLANK, _json_table, parse_line, raw_jsonl
from talimat.formats.problems import Bad
from talimat.formats.sharegpt import from_canonical

ROLES = ["system", "user", "assistant", "tool", "developer", "function", "human", ""]
FIXTURES = [HealthCheck.function_scoped_fixture]
TEXTS = ["Merhaba", "İstanbul’da ışık", "a: b", "x\u003ay", " ", "", "\t\n", 'say "hi"', "\u00a0"]
TEXTS += [":first", "last:", 'quote":', "s", "e :", "\\"]  # colons, quotes, backslashes by keys
# Quotes after runs of backslashes, and texts that spell keys
TEXTS += ['\\"', '\\\\"', "a\\\\", '"\\"', '"role": "user"', '"content"']


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
    # inside the last message, before its closing brace; the value is JSON text
    lambda line, key, sep, value: line[:-3] + f', "{key}"{sep}{value}' + line[-3:],
    plain_line,
    st.sampled_from(["role", "content", "rol\\u0065", "c\\u006fntent"]),
    st.sampled_from([": ", ":", "  :", "\t:", "\\u003a"]),
    st.sampled_from([r'"x"', r'"user"', r'"\""', r'"a\\"', r'"\\\""', r'"\\"']),
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


def to_sharegpt(path: Path, folder: Path, name: str, suffix: str, strict: bool) -> Any:
    """What converting ``path`` to ShareGPT gives: the error, or the report and the output
    (checked to be valid JSON), for comparing the fast path with the detailed one."""
    target = folder / f"{name}.sharegpt{suffix}"
    target.unlink(missing_ok=True)
    try:
        report = convert_file(path, target, "sharegpt", strict=strict)
    except Exception as error:
        return type(error).__name__, str(error)
    if not target.exists():
        return report.problems, report.lossy, None
    if suffix == ".parquet":
        output: Any = pq.read_table(target).to_pylist()
    else:
        output = target.read_bytes()
        if suffix == ".json":
            json.loads(output)
        else:
            [json.loads(one) for one in output.splitlines()]
    return report.total, report.converted, report.problems, report.lossy, output


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

    fast, slow = both(monkeypatch, lambda name: to_sharegpt(path, tmp_path, name, suffix, False))
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


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURES)
@given(
    texts=st.lists(st.text(alphabet='\\"ab\n/\u00e9', max_size=8), max_size=6),
    ascii_only=st.booleans(),
    counter=st.sampled_from(["bytes", "numpy"]),
)
def test_escaped_quotes_are_those_inside_strings(
    texts: list[str], ascii_only: bool, counter: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every string JSON writes has exactly two quotes no backslash escapes: its own.
    from talimat.formats import fast, io

    monkeypatch.setattr(io, "_NUMPY_BLOCK", 0)  # numpy even for the shortest text
    escaped = fast._escaped_quotes if counter == "bytes" else fast._escaped_quotes_numpy
    source = json.dumps(texts, ensure_ascii=ascii_only).encode()
    assert escaped(source) == source.count(b'"') - 2 * len(texts)


def test_texts_with_escapes_stay_on_the_bulk_path(
    tmp_path: Path, file_size: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Quotes, backslashes and newlines in the texts: every block is still checked in bulk,
    # never split into lines, as without them; only a repeated key or another line is.
    from talimat.formats import fast

    texts = ['say "hi"', "C:\\\\dir\\\\", 'a\\"b', "line\nline", '\\\\"x\\\\', "plain"]
    rows = [
        messages_line([("user", texts[i % 6]), ("assistant", texts[(i + 1) % 6])])
        for i in range(2_000)
    ]
    path = write(tmp_path / "escapes.jsonl", rows)
    split: list[int] = []
    monkeypatch.setattr(fast, "split_lines", lambda block: split.append(1) or block.splitlines())
    batches = list(plain_batches(path))
    assert len(batches) > 1
    assert all(listed is not None for _, _, listed in batches)
    assert not split


def test_a_repeated_key_whose_text_holds_escaped_quotes_is_named(
    tmp_path: Path, file_size: str
) -> None:
    # The dropped text's quotes are escaped: only the key and its value's own quotes count.
    line = messages_line([("user", 'a \\" b')])[:-3] + ', "content": "\\"\\\\\\"\\\\"}]}'
    path = write(tmp_path / "quotes.jsonl", [messages_line([("user", 'say "hi"')]), line])
    values = [value for _, value in plain_jsonl(path)]
    assert type(values[0]) is PlainRecord
    assert "duplicate_key" in repr(values[1])


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
    assert all(texts is not None for _, _, texts in batches)

    def run(name: str) -> Any:
        target = tmp_path / f"{name}.sharegpt{suffix}"
        report = convert_file(path, target, "sharegpt")
        assert report.converted == len(rows) * 3
        return pq.read_table(target).to_pylist() if suffix == ".parquet" else target.read_bytes()

    fast, slow = both(monkeypatch, run)
    assert fast == slow


# --------------------------------------------------------------------------- bulk encoders
#
# ShareGPTBatch encodes a whole batch of plain records in a few calls; every byte must be
# what the per-record writer (row_line of sharegpt_row) writes, and Parquet's columns what
# Arrow's JSON reader builds from those lines.

ODD_TEXTS = [
    "İstanbul’da ışık",
    "emoji 😀👍🏽 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "control \x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f\x7f end",
    "separators \u2028 and \u2029, bom \ufeff",
    'quote " backslash \\ slash / percent %s %% %(x)s',
    "x" * 70_000,
    "\u0085 \u00a0 \u200b",
    '{"role":"user","content":"fake"}',
]
text = st.sampled_from(ODD_TEXTS) | st.text(min_size=1, max_size=40)
# Every role pattern a plain record can have: ShareGPT holds some, refuses the others.
any_roles = st.lists(
    st.sampled_from(["system", "user", "assistant", "tool"]), min_size=1, max_size=7
)
# Patterns ShareGPT holds: a system first or not, then prompt and reply sides alternating.
held_roles = st.builds(
    lambda system, prompts, cut: (
        ["system"] * system
        + [role for prompt in prompts for role in (prompt, "assistant")][: 2 * len(prompts) - cut]
    ),
    st.booleans(),
    st.lists(st.sampled_from(["user", "tool"]), min_size=1, max_size=3),
    st.sampled_from([0, 1]),  # 1: ends on a prompt
)


def plain_line(roles: list[str], texts: list[str]) -> str:
    """A messages line of these roles and texts (a blank text gets an ``x``: not blank)."""
    messages = [
        {"role": role, "content": t if t.strip() else f"{t}x"}
        for role, t in zip(roles, texts, strict=True)
    ]
    return json.dumps({"messages": messages}, ensure_ascii=False)


def lines_of(roles: st.SearchStrategy[list[str]], size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(
        roles.flatmap(
            lambda roles: st.lists(text, min_size=len(roles), max_size=len(roles)).map(
                lambda texts: plain_line(roles, texts)
            )
        ),
        min_size=size,
        max_size=30,
    )


def decoded(rows: list[str]) -> list[PlainRecord]:
    """The lines as the fast path decodes them."""
    return [msgspec.json.decode(row, type=PlainRecord) for row in rows]


plain_records = lines_of(any_roles | held_roles, 1).map(decoded)


def test_msgspec_and_orjson_encode_every_code_point_alike() -> None:
    """The bulk encoder's premise: both escape exactly the same characters, the same way."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    bulk = msgspec.json.Encoder().encode_lines(chars)
    assert bulk == b"".join(orjson.dumps(char) + b"\n" for char in chars)


def held(records: list[PlainRecord]) -> ShareGPTBatch | None:
    """The records whose role patterns ShareGPT holds, as one batch (None if none)."""
    patterns = roles_of(records)
    plans = {roles: sharegpt_plan(roles) for roles in set(patterns)}
    kept = [(r, p) for r, p in zip(records, patterns, strict=True) if plans[p] is not None]
    if not kept:
        return None
    used = {p: plans[p] for _, p in kept}
    texts = [m.content for r, _ in kept for m in r.messages]
    return ShareGPTBatch([p for _, p in kept], used, texts)  # type: ignore[arg-type]


def lines_written(records: list[PlainRecord]) -> list[bytes]:
    """The per-record writer's line for each record ShareGPT holds."""
    rows = [sharegpt_row(record) for record in records]
    return [row_line(row) for row in rows if row is not None]


def same_columns(built: Any, json_reader: Any) -> bool:
    """The same columns, types and rows (the JSON reader orders columns as it meets them)."""
    types = {field.name: field.type for field in built.schema}
    return types == {field.name: field.type for field in json_reader.schema} and (
        built.to_pylist() == json_reader.to_pylist()
    )


@settings(max_examples=200, deadline=None)
@given(records=plain_records)
def test_a_sharegpt_batch_writes_the_bytes_of_the_per_record_writer(
    records: list[PlainRecord],
) -> None:
    for record in records:
        plan = sharegpt_plan(tuple(m.role for m in record.messages))
        row = sharegpt_row(record)
        if plan is None:  # refused: the record takes the detailed path, which says why
            assert row is None
            continue
        assert row is not None
        detailed = from_canonical(as_dict(record))
        assert orjson.dumps(detailed, option=orjson.OPT_APPEND_NEWLINE) == row_line(row)
    batch = held(records)
    if batch is None:
        return
    lines = lines_written(records)
    assert len(batch) == len(lines)
    assert batch.jsonl() == b"".join(lines)
    assert batch.json_items() == b",\n".join(line[:-1] for line in lines)
    json_reader = _json_table(b"".join(lines), 1, Path("x.parquet"))
    built = rows_table([batch])
    assert same_columns(built, json_reader)


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(plain_records, min_size=1, max_size=4), single=st.booleans())
def test_rows_and_batches_make_one_table_as_the_json_reader_would(
    parts: list[list[PlainRecord]], single: bool
) -> None:
    """A Parquet block mixes single rows (from mixed batches) and whole batches."""
    items: list[Any] = []
    lines: list[bytes] = []
    for records in parts:
        batch = held(records)
        if batch is None:
            continue
        lines += lines_written(records)
        if single:
            items += [row for row in map(sharegpt_row, records) if row is not None]
        else:
            items.append(batch)
        single = not single
    if not items:
        return
    built = rows_table(items)
    json_reader = _json_table(b"".join(lines), 1, Path("x.parquet"))
    assert same_columns(built, json_reader)


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(plain_records, min_size=2, max_size=5))
def test_consecutive_batches_are_joined_into_the_json_readers_table(
    parts: list[list[PlainRecord]],
) -> None:
    """Batches in a row are built as one (Arrow's calls cost per call), the same table."""
    batches = [batch for batch in map(held, parts) if batch is not None]
    if not batches:
        return
    lines = [line for records in parts for line in lines_written(records)]
    built = rows_table(list(batches))
    assert same_columns(built, _json_table(b"".join(lines), 1, Path("x.parquet")))
    assert len(ShareGPTBatch.joined(batches)) == len(lines)


plain_files = st.builds(
    lambda held, other: held[: len(held) // 2] + other + held[len(held) // 2 :],
    lines_of(held_roles, 1),
    st.just([]) | lines_of(any_roles, 1).map(lambda rows: rows[:1]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURES)
@given(
    rows=plain_files,
    copies=st.sampled_from([1, 40]),
    suffix=st.sampled_from([".jsonl", ".json", ".parquet"]),
    strict=st.booleans(),
)
def test_files_of_plain_records_convert_in_bulk_to_the_same_bytes_and_reports(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rows: list[str],
    copies: int,
    suffix: str,
    strict: bool,
) -> None:
    """Every line plain (the bulk path): odd texts, system and tool turns, a refused pattern."""
    path = write(tmp_path / "p.jsonl", rows * copies)

    fast, slow = both(monkeypatch, lambda name: to_sharegpt(path, tmp_path, name, suffix, strict))
    assert fast == slow


def test_parquet_blocks_of_plain_records_share_one_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks that start with or without a system text are written as they come, unspooled."""
    from talimat.formats import io

    system = plain_line(["system", "user", "assistant"], ["Kısa yanıtla.", "Selam", "Merhaba"])
    other = plain_line(["user", "assistant"], ["2+2?", "4"])
    path = write(tmp_path / "s.jsonl", [other, system, other, system, system, other] * 50)
    monkeypatch.setattr(io, "PARQUET_BATCH", 7)
    monkeypatch.setattr(io, "_LINES_HINT", 300)  # input batches of a few lines

    def no_spool(*args: Any) -> None:
        raise AssertionError("the blocks' schemas differ")

    monkeypatch.setattr(io, "_Spool", no_spool)
    target = tmp_path / "s.sharegpt.parquet"
    assert convert_file(path, target, "sharegpt").converted == 300
    parquet = pq.ParquetFile(target)
    assert parquet.metadata.num_row_groups > 10
    rows = parquet.read().to_pylist()
    assert rows[:2] == [
        {
            "system": None,
            "conversations": [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"}],
        },
        {
            "system": "Kısa yanıtla.",
            "conversations": [
                {"from": "human", "value": "Selam"},
                {"from": "gpt", "value": "Merhaba"},
            ],
        },
    ]


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".parquet"])
def test_bulk_batches_and_a_batch_with_a_refused_record_write_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """Small batches: most are written in bulk, one record by record (it holds a refused
    pattern and a record with a key of its own), so Parquet blocks mix both; lenient mode
    lists the refused record."""
    from talimat.formats import io

    monkeypatch.setattr(io, "_LINES_HINT", 300)
    monkeypatch.setattr(io, "PARQUET_BATCH", 5)
    held = [
        plain_line(["system", "user", "assistant"], ["Kısa yanıtla 😀", "a\u2028b", "c\x00d"]),
        plain_line(["user", "assistant", "tool", "assistant"], ['"q"', "r\\", "{}", "s%s"]),
    ]
    refused = plain_line(["user", "system", "assistant"], ["a", "b", "c"])
    own_key = '{"messages": [{"role": "user", "content": "x"}], "id": 7}'
    path = write(tmp_path / "m.jsonl", held * 10 + [refused, own_key] + held * 10)

    def run(name: str) -> Any:
        target = tmp_path / f"{name}.sharegpt{suffix}"
        report = convert_file(path, target, "sharegpt", strict=False)
        output = pq.read_table(target).to_pylist() if suffix == ".parquet" else target.read_bytes()
        return report.total, report.converted, report.lossy, output

    fast, slow = both(monkeypatch, run)
    assert fast == slow
    assert fast[:2] == (42, 41)
    assert [(p.record, p.code) for p in fast[2]] == [(21, "lossy_system_position")]


def test_checked_batches_give_plain_blocks_whole_and_the_rest_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The profile's bulk reader: the same records, numbers and problems as record by record."""
    from talimat.formats import io

    monkeypatch.setattr(io, "_LINES_HINT", 2000)  # many blocks
    rows = real_messages(tmp_path).read_text(encoding="utf-8").splitlines()
    rows[40:40] = ["", "{broken", messages_line([("assistant", "no prompt")])]
    path = write(tmp_path / "mixed.jsonl", rows)
    problems_batches: list[Any] = []
    problems_records: list[Any] = []
    items = list(convert.checked_batches(path, None, problems_batches))
    blocks = [item for item in items if type(item) is convert.PlainBatch]
    assert len(blocks) > 5
    flattened: list[tuple[int, Any]] = []
    for item in items:
        if type(item) is convert.PlainBatch:
            assert item.patterns == roles_of(item.records)
            assert item.texts == [m.content for r in item.records for m in r.messages]
            flattened += enumerate(item.records, item.first)
        elif isinstance(item, tuple):
            flattened.append(item)
    one_by_one = list(convert.checked_records(path, None, problems_records))

    def comparable(pairs: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
        return [(n, repr(value) if isinstance(value, Bad) else value) for n, value in pairs]

    assert comparable(flattened) == comparable(one_by_one)
    assert problems_batches == problems_records
    assert {problem.record for problem in problems_records} >= {42, 43}
