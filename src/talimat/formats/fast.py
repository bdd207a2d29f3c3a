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
from itertools import chain
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import orjson

from .io import (
    BLANK,
    byte_counter,
    counts_with_numpy,
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
# A block decoded whole: each line wrapped in an array of at most one record (see plain_batches).
_DECODE_ALL = msgspec.json.Decoder(
    list[Annotated[list[PlainRecord], msgspec.Meta(max_length=1)]]
).decode
_ENCODE = msgspec.json.Encoder().encode
_CACHE_LIMIT = 10_000  # role patterns kept per cache; datasets repeat a handful


def _key_colons(source: bytes) -> int | None:
    """The keys of the plain records decoded from ``source``, counted with numpy at vector
    speed, or None when this count cannot tell (then :func:`_no_dropped_keys` counts).

    A plain record's keys are ``messages``, ``role`` and ``content`` (decoding refuses any
    other). Unless some ``\\u`` escape could spell one of them, each is written as it
    is, and unless some colon comes right after whitespace, each is followed by its colon
    at once: ``s":``, ``e":`` or ``t":``. Nothing else reads so: inside a string a quote
    is escaped (``\\"``), and a quote that opens a string follows a colon, comma, bracket
    or whitespace, never a letter. So these triples are every key of ``source``, dropped
    ones included.
    """
    import numpy as np

    data = np.frombuffer(source, np.uint8)
    colon, before, ending = data[2:] == 58, data[1:-1], data[:-2]
    if np.count_nonzero(colon & (before <= 32)):  # a colon after a space, tab, CR…
        return None
    if b"\\" in source and np.count_nonzero((data[:-1] == 92) & (data[1:] == 117)):
        return None  # a \u escape, which could spell a key
    last_letter = (ending == 115) | (ending == 101) | (ending == 116)  # s, e, t
    return int(np.count_nonzero(colon & (before == 34) & last_letter))


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


def _plain_keys(source: bytes, records: int, messages: int) -> bool | None:
    """For a large file's block: True when no key was dropped, False when one was, None
    when :func:`_key_colons` cannot tell (then :func:`_no_dropped_keys` does)."""
    keys = _key_colons(source)
    return None if keys is None else keys == records + 2 * messages


def _plain(
    source: bytes,
    records: int,
    contents: list[str],
    count_byte: Callable[[bytes, int], int],
    large: bool = False,
) -> bool:
    """True when records decoded as plain from ``source`` are plain indeed: no content is
    blank (whitespace only, which the messages reader refuses) and no key was dropped."""
    if any(map(str.isspace, contents)):
        return False
    if large:
        plain_keys = _plain_keys(source, records, len(contents))
        if plain_keys is not None:
            return plain_keys
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
    size = path.stat().st_size if path.is_file() else 0
    count_byte, large = byte_counter(size), counts_with_numpy(size)
    for start, source, count in jsonl_blocks(path):
        values: list[Any] = []
        # The whole block decoded at once, each line as the one element of an array of its
        # own: ``[[line 1],[line 2],…]`` (a final newline adds an empty array). A line that
        # is not one plain record fails that decoding, or gives an empty array (a blank line,
        # then the count differs); a record broken across lines puts ``],[`` inside an
        # object, which is never valid JSON. (Joining the lines with commas alone would
        # accept a record broken between two messages when another line holds two records;
        # a line holding "],[" between two records makes one array too many.)
        arrays = 0
        with suppress(error):
            lines = decode_all(b"[[" + source.replace(b"\n", b"],[") + b"]]")
            arrays = len(lines) - source.endswith(b"\n")  # one per line, if no line holds "],["
            values = list(chain.from_iterable(lines))
        contents = [message.content for record in values for message in record.messages]
        if arrays == len(values) == count and plain(source, count, contents, count_byte, large):
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
