"""The fast path for plain ``messages`` records in JSONL: typed msgspec decoding, checked in bulk.

Most records of a large dataset are plain: ``{"messages": [{"role", "content"}, …]}``
with string contents and the roles ``system``, ``user``, ``assistant`` and ``tool``.
msgspec decodes a whole batch of such lines straight into typed Structs
(:class:`PlainRecord`), checking the shape as it goes, for about what orjson takes to build
the dicts (measured: 0.8 to 1.2 times, with the machine's load); a line of any other shape
fails that decoding and takes the detailed path (:func:`~.io.parse_line` and the layout
readers), so every named problem stays exactly what the detailed checker says.

What the Structs cannot say is checked here, in bulk:

* repeated keys (msgspec, like orjson, keeps the last one): a batch's lines must hold
  exactly one colon per key of the decoded records plus those of their contents (see
  :func:`_no_dropped_keys` for why that is exact); a batch that fails is checked line by
  line, and a line that fails takes the detailed path;
* blank contents (whitespace only), which the messages reader refuses: such a record
  takes the detailed path;
* the order of roles, which the callers check with :func:`sft_pattern_ok` and
  :func:`sharegpt_plan` — per role pattern, cached, computed by the detailed checker and
  writer themselves, so the two paths cannot disagree.

Tests check that both paths give the same reports and bytes (``tests/test_formats_fast.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import orjson

from .io import (
    BLANK,
    byte_counter,
    jsonl_blocks,
    parse_line,
    split_lines,
)
from .problems import Lossy

__all__ = [
    "PlainMessage",
    "PlainRecord",
    "as_dict",
    "plain_batches",
    "plain_jsonl",
    "roles_of",
    "row_line",
    "rows_table",
    "sft_ok",
    "sft_pattern_ok",
    "sharegpt_lines",
    "sharegpt_plan",
    "sharegpt_row",
]


class PlainMessage(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A message of role and non-empty string content, nothing else."""

    role: Literal["system", "user", "assistant", "tool"]
    content: Annotated[str, msgspec.Meta(min_length=1)]


class PlainRecord(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A ``messages`` record of plain messages and no other key."""

    messages: Annotated[list[PlainMessage], msgspec.Meta(min_length=1)]


_DECODE = msgspec.json.Decoder(PlainRecord).decode
_DECODE_ALL = msgspec.json.Decoder(list[PlainRecord]).decode
_ENCODE = msgspec.json.Encoder().encode
_CACHE_LIMIT = 10_000  # role patterns kept per cache; datasets repeat a handful


def _as_array(source: bytes) -> bytes:
    """The lines of ``source`` as the items of one JSON array (two copies of the block)."""
    items = source.replace(b"\n", b",")
    if source.endswith(b"\n"):  # the comma that stands for the last newline
        return b"".join((b"[", memoryview(items)[:-1], b"]"))
    return b"".join((b"[", items, b"]"))


def _one_record_a_line(source: bytes, lines: int) -> bool:
    """True when each of the ``lines`` lines of ``source`` starts the way its first does,
    with ``{`` and the key ``"messages"``.

    Joined by commas, the lines of a record broken between two messages decode as that
    record; with another line holding two records, the block holds as many records as
    lines, none of them what the lines hold. A plain record holds no ``"messages"`` key
    below its top (decoding refuses it in a message) and a line no raw newline inside a
    string, so when every line starts so, no record goes on past its line.
    """
    key = source.find(b'"messages"', 0, 64)
    if key < 1 or source[:1] != b"{" or source[1:key].strip(b" \t"):
        return False
    # The start up to the first message's first key: the longer, the faster the count.
    end = key + len(b'"messages"')
    while end < key + 24 and source[end : end + 1] in (b" ", b"\t", b":", b"[", b"{"):
        end += 1
    if source[end : end + 1] == b'"':
        end += 1
    return source.count(b"\n" + source[:end]) == lines - 1


def _no_dropped_keys(
    source: bytes, records: int, contents: list[str], count_byte: Callable[[bytes, int], int]
) -> bool:
    """True when ``source``, the lines of that many records, cannot hold a key decoding dropped.

    Every key is followed by exactly one colon outside strings, whatever the spacing,
    and a colon inside a string is written as it is unless escaped as ``\\u003a``. A
    plain record has ``1 + 2 × messages`` keys and no strings but its roles (which hold
    no colon) and ``contents``; so without that escape the lines hold exactly this many
    colons unless a key was repeated (then there are more).
    """
    # A backslash is found at memchr speed; most files have none, or few.
    if b"\\" in source and b"\\u003" in source:
        return False
    keys = records + 2 * len(contents)
    return count_byte(source, 58) == keys + "".join(contents).count(":")  # 58 is ":"


def _plain(
    source: bytes, records: int, contents: list[str], count_byte: Callable[[bytes, int], int]
) -> bool:
    """True when records decoded as plain from ``source`` are plain indeed: no content is
    blank (whitespace only, which the messages reader refuses) and no key was dropped."""
    if any(map(str.isspace, contents)):
        return False
    return _no_dropped_keys(source, records, contents, count_byte)


def plain_batches(path: Path) -> Iterator[tuple[int, list[Any], bool]]:
    """(number of the first line, one value per line, all plain) for each batch of lines.

    A value is a :class:`PlainRecord` — a record that repeats no key and has no blank
    content — or what :func:`~.io.parse_line` gives for the line (a value, :class:`Bad`
    or :data:`~.io.BLANK`). The flag is True when every value of the batch is a
    PlainRecord (the common case, which the callers check in bulk). The values that are
    not PlainRecords are exactly those of :func:`~.io.raw_jsonl`.

    The lines are read as blocks (:func:`~.io.jsonl_blocks`) and decoded as one JSON
    array; only a block that holds some other line is split into lines.
    """
    decode, decode_all, parse, plain = _DECODE, _DECODE_ALL, parse_line, _plain
    error = msgspec.DecodeError  # ValidationError is one too
    count_byte = byte_counter(path.stat().st_size if path.is_file() else 0)
    for start, source, count in jsonl_blocks(path):
        values: list[Any] = []
        # The whole block as one JSON array of its lines: a blank line or any other record
        # fails that decoding, or gives another count of records.
        with suppress(error):
            values = decode_all(_as_array(source))
        contents = [message.content for record in values for message in record.messages]
        if (
            len(values) == count
            and _one_record_a_line(source, count)
            and plain(source, count, contents, count_byte)
        ):
            yield start, values, True
            continue
        # Some line is not plain, repeats a key, escapes a colon or has a blank content.
        values = []
        every = True
        for line in split_lines(source):
            try:
                record = decode(line)
            except error:
                record = None
            if record is None or not plain(
                line, 1, [m.content for m in record.messages], bytes.count
            ):
                values.append(parse(line))
                every = False
            else:
                values.append(record)
        yield start, values, every


def plain_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, :class:`PlainRecord` or what :func:`~.io.parse_line` gives) per line.

    :func:`plain_batches` one record at a time; blank lines are skipped but counted, so the
    numbers are those of :func:`~.io.raw_jsonl`.
    """
    for start, values, _ in plain_batches(path):
        for number, value in enumerate(values, start):
            if value is not BLANK:
                yield number, value


def as_dict(record: PlainRecord) -> dict[str, Any]:
    """The record as the dicts orjson would have given (for the detailed path)."""
    return {"messages": [{"role": m.role, "content": m.content} for m in record.messages]}


def _placeholder(roles: tuple[str, ...]) -> dict[str, Any]:
    return {"messages": [{"role": role, "content": "x"} for role in roles]}


_SFT_OK: dict[tuple[str, ...], bool] = {}


def roles_of(records: list[PlainRecord]) -> list[tuple[str, ...]]:
    """The role pattern of each record."""
    return [tuple([message.role for message in record.messages]) for record in records]


def sft_pattern_ok(roles: tuple[str, ...]) -> bool:
    """True when the detailed checker accepts this role pattern (non-blank texts) for SFT."""
    ok = _SFT_OK.get(roles)
    if ok is None:
        from .tasks import check_task

        ok = not check_task(_placeholder(roles), "sft")
        if len(_SFT_OK) < _CACHE_LIMIT:
            _SFT_OK[roles] = ok
    return ok


def sft_ok(record: PlainRecord) -> bool:
    """True when the detailed checker finds nothing wrong with the record for SFT.

    Its contents are non-blank strings (:func:`plain_jsonl` says so); a role order the
    task refuses sends the record to the detailed path, which names the problem.
    """
    return sft_pattern_ok(tuple([m.role for m in record.messages]))


# Role pattern → (the first message is the top-level system, the speakers), or None when
# the ShareGPT writer refuses the pattern (the detailed path then says why).
_SHAREGPT: dict[tuple[str, ...], tuple[bool, tuple[str, ...]] | None] = {}


def _sharegpt_plan(roles: tuple[str, ...]) -> tuple[bool, tuple[str, ...]] | None:
    from .sharegpt import from_canonical

    try:
        out = from_canonical(_placeholder(roles))
    except Lossy:
        return None
    if set(out) - {"system", "conversations"}:
        return None  # not a shape this path writes
    speakers = tuple(turn["from"] for turn in out["conversations"])
    if any(len(turn) != 2 for turn in out["conversations"]):
        return None
    return "system" in out, speakers


def sharegpt_plan(roles: tuple[str, ...]) -> tuple[bool, tuple[str, ...]] | None:
    """(the first message is the top-level system, the speakers) for a role pattern, or None.

    None when the ShareGPT writer refuses the pattern (the detailed path then says why).
    """
    plan = _SHAREGPT.get(roles, False)
    if plan is False:
        plan = _sharegpt_plan(roles)
        if len(_SHAREGPT) < _CACHE_LIMIT:
            _SHAREGPT[roles] = plan
    return plan  # type: ignore[return-value]


def sharegpt_row(
    record: PlainRecord, plan: tuple[bool, tuple[str, ...]] | None = None
) -> tuple[Any, ...] | None:
    """The record as a ShareGPT row (system text or None, speakers, texts), or None.

    None sends the record to the detailed path (the writer refuses its role order). The
    row is what :func:`.sharegpt.from_canonical` builds for the record, key for key:
    :func:`row_line` encodes it as that writer's output would be, :func:`rows_table`
    builds the Arrow table of many rows directly.
    """
    messages = record.messages
    if plan is None:
        plan = sharegpt_plan(tuple([m.role for m in messages]))
        if plan is None:
            return None
    system, speakers = plan
    texts = [m.content for m in messages]
    if system:
        return texts[0], speakers, texts[1:]
    return None, speakers, texts


_DUMPS = orjson.dumps


def row_line(row: tuple[Any, ...]) -> bytes:
    """A ShareGPT row as a JSON line, byte for byte what the detailed path writes."""
    system, speakers, texts = row
    out: dict[str, Any] = {} if system is None else {"system": system}
    out["conversations"] = [
        {"from": speaker, "value": text} for speaker, text in zip(speakers, texts, strict=True)
    ]
    line: bytes = _DUMPS(out, option=orjson.OPT_APPEND_NEWLINE)
    return line


def sharegpt_lines(
    records: list[PlainRecord],
    patterns: list[tuple[str, ...]],
    plans: dict[tuple[str, ...], tuple[bool, tuple[str, ...]]],
) -> list[bytes]:
    """The ShareGPT lines of many records (their role patterns and plans known): the bulk
    spelling of :func:`row_line` of :func:`sharegpt_row`, the same bytes."""
    dumps, option = _DUMPS, orjson.OPT_APPEND_NEWLINE
    lines = []
    for record, roles in zip(records, patterns, strict=True):
        system, speakers = plans[roles]
        messages = record.messages
        if system:
            out: dict[str, Any] = {
                "system": messages[0].content,
                "conversations": [
                    {"from": speaker, "value": m.content}
                    for speaker, m in zip(speakers, messages[1:], strict=True)
                ],
            }
        else:
            out = {
                "conversations": [
                    {"from": speaker, "value": m.content}
                    for speaker, m in zip(speakers, messages, strict=True)
                ]
            }
        lines.append(dumps(out, option=option))
    return lines


def rows_table(rows: list[tuple[Any, ...]]) -> Any:
    """An Arrow table of ShareGPT rows, built from columns (as Arrow's JSON reader would).

    The columns are those the JSON reader infers for the rows' lines: ``system`` (only
    when some row has one) before ``conversations``, a list of ``{from, value}`` structs.
    """
    import pyarrow as pa

    systems = [row[0] for row in rows]
    speakers = [speaker for row in rows for speaker in row[1]]
    texts = [text for row in rows for text in row[2]]
    offsets = [0]
    total = 0
    for row in rows:
        total += len(row[1])
        offsets.append(total)
    turns = pa.StructArray.from_arrays(
        [pa.array(speakers, pa.string()), pa.array(texts, pa.string())], ["from", "value"]
    )
    conversations = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), turns)
    columns = {"conversations": conversations}
    if any(system is not None for system in systems):
        columns = {"system": pa.array(systems, pa.string()), **columns}
    return pa.table(columns)
