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
  exactly two unescaped quotes per string of the decoded records, keys included (see
  :func:`_no_dropped_keys` for why that is exact); a batch that fails is checked line by
  line, and a line that fails takes the detailed path;
* blank contents (whitespace only), which the messages reader refuses: such a record
  takes the detailed path;
* the order of roles, which the callers check with :func:`sft_pattern_ok` and
  :func:`sharegpt_plan` — per role pattern, cached, computed by the detailed checker and
  writer themselves, so the two paths cannot disagree.

Converting to ShareGPT, a batch whose records all take the fast path is written in bulk
(:class:`ShareGPTBatch`): a few calls per batch instead of a dict and an encoder call per
record, the same bytes.

Tests check that both paths give the same reports and bytes (``tests/test_formats_fast.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from itertools import compress, groupby
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import orjson

from . import io as _io
from .io import (
    BLANK,
    EncodedBatch,
    Span,
    byte_counter,
    jsonl_blocks,
    parse_line,
    split_lines,
)
from .problems import Lossy

__all__ = [
    "PlainMessage",
    "PlainRecord",
    "ShareGPTBatch",
    "as_dict",
    "plain_batches",
    "plain_jsonl",
    "roles_of",
    "row_line",
    "rows_table",
    "sft_ok",
    "sft_pattern_ok",
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


def _escaped_quotes(source: bytes) -> int:
    """How many of the quotes in ``source``, JSON text, stand inside a string (``\\"``).

    A quote is escaped when an odd run of backslashes comes before it. Removing the
    escaped backslashes (``\\\\``, paired from the left as a JSON reader pairs them: the
    leftmost pair is always one, since a backslash inside a pair would make an earlier
    pair) leaves one backslash before each escaped quote and none before the others.
    Plain ``bytes`` calls, for single lines and small files: on a large block with many
    backslashes the replace and the two-byte count are slow (:func:`_escaped_quotes_numpy`).
    """
    if b"\\" not in source:  # memchr speed; many blocks have none
        return 0
    if b"\\\\" in source:
        source = source.replace(b"\\\\", b"")
    return source.count(b'\\"')


def _escaped_quotes_numpy(source: bytes) -> int:
    """:func:`_escaped_quotes` with numpy: the runs of backslashes, and the quotes after the
    odd ones.

    On blocks of answers full of ``\\n``, ``\\"`` and ``\\\\`` it takes about a quarter of
    what the replace and the count take (0.10 against 0.37 s for 200,000 such records),
    and the whole check about what the colon count it replaced took.
    """
    if b"\\" not in source:
        return 0
    if len(source) < _io._NUMPY_BLOCK:
        return _escaped_quotes(source)
    import numpy as np

    data = np.frombuffer(source, np.uint8)
    slashes = np.flatnonzero(data == 92)  # 92 is a backslash
    last = np.ones(len(slashes), np.bool_)  # the last backslash of each run
    last[:-1] = slashes[1:] != slashes[:-1] + 1
    ends = np.flatnonzero(last)  # the runs' last backslashes, as places in ``slashes``
    lengths = np.diff(ends, prepend=-1)
    # What follows each run (valid JSON does not end in a backslash; a run at the very
    # end is compared with its own last byte, never a quote).
    after = np.minimum(slashes[ends] + 1, len(data) - 1)
    return int(np.count_nonzero((data[after] == 34) & (lengths % 2 == 1)))


def _unescaped_quotes(source: bytes) -> int:
    """The quotes of ``source`` that no backslash escapes: two per JSON string."""
    return source.count(b'"') - _escaped_quotes(source)


def _quote_counter(size: int, count_byte: Callable[[bytes, int], int]) -> Callable[[bytes], int]:
    """:func:`_unescaped_quotes` for the blocks of a file of ``size`` bytes: the quotes by
    the file's :func:`~.io.byte_counter` (``count_byte``), the escaped ones with numpy
    from the size at which that counter uses it."""
    small = size < _io._NUMPY_COUNTS_FROM
    escaped = _escaped_quotes if small else _escaped_quotes_numpy
    return lambda source: count_byte(source, 34) - escaped(source)  # 34 is '"'


def _no_dropped_keys(
    source: bytes, records: int, messages: int, quotes: Callable[[bytes], int]
) -> bool:
    """True when ``source``, the lines of that many records, cannot hold a key decoding dropped.

    A plain record's strings are its keys (``1 + 2 × messages``), its roles and its
    contents, and each string is written between two quotes that no backslash escapes,
    whatever it holds and however it is spelled (a key written with ``\\u`` escapes too).
    So the lines hold exactly ``2 × (records + 4 × messages)`` such quotes unless a key
    was repeated: a repeated key is one more string, and so is a repeated key's value
    whenever it is one (the value must have decoded: a role, a text or a list of
    messages). ``quotes`` counts them (:func:`_quote_counter`); counting the colons
    instead, as this did first, needed the contents' colons as well (joining and
    scanning every text again: about twice the time, measured on the benchmark's file).
    """
    return quotes(source) == 2 * (records + 4 * messages)


def _plain(
    source: bytes, records: int, contents: list[str], quotes: Callable[[bytes], int]
) -> bool:
    """True when records decoded as plain from ``source`` are plain indeed: no content is
    blank (whitespace only, which the messages reader refuses) and no key was dropped."""
    if any(map(str.isspace, contents)):
        return False
    return _no_dropped_keys(source, records, len(contents), quotes)


def plain_batches(
    path: Path, span: Span | None = None
) -> Iterator[tuple[int, list[Any], list[str] | None]]:
    """(number of the first line, one value per line, their texts) for each batch of lines.

    A value is a :class:`PlainRecord` — a record that repeats no key and has no blank
    content — or what :func:`~.io.parse_line` gives for the line (a value, :class:`Bad`
    or :data:`~.io.BLANK`). When every value of the batch is a PlainRecord (the common
    case, which the callers handle in bulk), the texts are every message's content,
    record by record (the check below lists them anyway); otherwise they are None. The
    values that are not PlainRecords are exactly those of :func:`~.io.raw_jsonl`.

    The lines are read as blocks (:func:`~.io.jsonl_blocks`) and decoded as one JSON
    array; only a block that holds some other line is split into lines. With ``span``,
    only its lines are read (:func:`~.io.jsonl_blocks`).
    """
    decode, decode_all, parse, plain = _DECODE, _DECODE_ALL, parse_line, _plain
    error = msgspec.DecodeError  # ValidationError is one too
    # One counter for the newlines (jsonl_blocks) and the quotes (_no_dropped_keys).
    size = path.stat().st_size if path.is_file() else 0
    count_byte = byte_counter(size)
    quotes = _quote_counter(size, count_byte)
    for start, source, count in jsonl_blocks(path, count_byte, span):
        values: list[Any] = []
        # The whole block as one JSON array of its lines: a blank line or any other record
        # fails that decoding, or gives another count of records.
        with suppress(error):
            values = decode_all(_as_array(source))
        contents = [message.content for record in values for message in record.messages]
        if (
            len(values) == count
            and _one_record_a_line(source, count)
            and plain(source, count, contents, quotes)
        ):
            yield start, values, contents
            continue
        # Some line is not plain, repeats a key or has a blank content.
        values = []
        texts: list[str] | None = []
        for line in split_lines(source):
            try:
                record = decode(line)
            except error:
                record = None
            if record is not None:
                contents = [m.content for m in record.messages]
                if plain(line, 1, contents, _unescaped_quotes):
                    values.append(record)
                    if texts is not None:
                        texts += contents
                    continue
            values.append(parse(line))
            texts = None
        yield start, values, texts


def plain_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, :class:`PlainRecord` or what :func:`~.io.parse_line` gives) per line.

    :func:`plain_batches` one record at a time; blank lines are skipped but counted, so the
    numbers are those of :func:`~.io.raw_jsonl`.
    """
    for start, values, _texts in plain_batches(path):
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


# A template is a record's line with each text left as ``%s``, filled by ``bytes % texts``.
# The sentinel stands in for a text while the template is made: no key or speaker holds it.
_SENTINEL = "\x00"
_SENTINEL_JSON = _DUMPS(_SENTINEL)
_TEMPLATES: dict[tuple[str, ...], bytes] = {}


def _template(roles: tuple[str, ...], plan: tuple[bool, tuple[str, ...]]) -> bytes:
    """The JSON line of any record of this role pattern, its texts left as ``%s``.

    Made by :func:`row_line` itself, so the keys, their order and the speakers are what
    the per-record writer writes.
    """
    template = _TEMPLATES.get(roles)
    if template is None:
        system, speakers = plan
        texts = [_SENTINEL] * len(speakers)
        line = row_line((_SENTINEL if system else None, speakers, texts))
        template = b"%s".join(part.replace(b"%", b"%%") for part in line.split(_SENTINEL_JSON))
        if len(_TEMPLATES) < _CACHE_LIMIT:
            _TEMPLATES[roles] = template
    return template


_ENCODE_LINES = msgspec.json.Encoder().encode_lines


class ShareGPTBatch(EncodedBatch):
    """Plain records whose role patterns ShareGPT holds, encoded in bulk for any writer.

    The bytes are those of :func:`row_line` of :func:`sharegpt_row` for every record,
    made in a few calls per batch instead of a dict and an encoder call per record: one
    msgspec call encodes every text of the batch as JSON strings (msgspec and orjson
    escape every code point alike; the tests check it), and each record's line is the
    template of its role pattern filled with its texts, the whole batch in one
    ``bytes % texts``. Parquet takes Arrow columns built from the texts directly.

    The records are given as their role patterns, the plans of those patterns and every
    message's text, record by record (the texts :func:`plain_batches` lists).
    """

    __slots__ = ("_plans", "_roles", "_texts")

    def __init__(
        self,
        patterns: list[tuple[str, ...]],
        plans: Mapping[tuple[str, ...], tuple[bool, tuple[str, ...]]],
        texts: list[str],
    ) -> None:
        self._roles = patterns
        self._plans = plans
        self._texts = texts

    def __len__(self) -> int:
        return len(self._roles)

    @classmethod
    def joined(cls, batches: list[ShareGPTBatch]) -> ShareGPTBatch:
        """One batch of the records of ``batches``, in order."""
        if len(batches) == 1:
            return batches[0]
        patterns: list[tuple[str, ...]] = []
        plans: dict[tuple[str, ...], tuple[bool, tuple[str, ...]]] = {}
        texts: list[str] = []
        for batch in batches:
            patterns += batch._roles
            plans.update(batch._plans)
            texts += batch._texts
        return cls(patterns, plans, texts)

    def _filled(self, end: bytes, separator: bytes) -> bytes:
        """Every record's line (its final newline replaced by ``end``), joined by ``separator``."""
        plans = self._plans
        templates = {roles: _template(roles, plan)[:-1] + end for roles, plan in plans.items()}
        encoded = _ENCODE_LINES(self._texts).split(b"\n")  # a JSON string holds no raw newline
        encoded.pop()  # the empty piece after the last newline
        form = separator.join(map(templates.__getitem__, self._roles))
        data: bytes = form % tuple(encoded)
        return data

    def jsonl(self) -> bytes:
        """The records as JSON lines, each ending in a newline."""
        return self._filled(b"\n", b"")

    def json_items(self) -> bytes:
        """The records as the items of a JSON list, one a line, joined by commas."""
        return self._filled(b"", b",\n")

    def columns(self) -> tuple[Any, Any, Any, Any]:
        """(system texts or nulls, speakers, texts, turns per record) as Arrow arrays."""
        import numpy as np
        import pyarrow as pa

        plans, roles = self._plans, self._roles
        # Each record's pattern as a number; flags, sizes and speakers are looked up by it.
        number = {pattern: at for at, pattern in enumerate(plans)}
        ids = np.fromiter(map(number.__getitem__, roles), np.int64, len(roles))
        flags = np.array([plan[0] for plan in plans.values()], np.bool_)[ids]
        sizes = np.array([len(pattern) for pattern in plans], np.int64)[ids]
        if flags.any():
            # A top-level system is not a turn: the turns' texts, then the systems', go to
            # Arrow as one list and are sliced apart (no copy). Filtering one array of all
            # the texts copied nine tenths of them again (about 0.25 s a million records).
            starts = np.cumsum(sizes) - sizes  # each record's first message
            keep = np.ones(len(self._texts), np.bool_)
            keep[starts[flags]] = False
            ordered = list(compress(self._texts, keep.tolist()))
            turn_count = len(ordered)
            ordered += map(self._texts.__getitem__, starts[flags].tolist())
            values = pa.array(ordered, pa.string())
            del ordered
            texts = values.slice(0, turn_count)
            # Each record's system by its place among the systems, null without one.
            places = np.cumsum(flags) - 1
            systems = values.slice(turn_count).take(pa.array(places, mask=~flags))
        else:
            texts = pa.array(self._texts, pa.string())
            systems = pa.nulls(len(roles), pa.string())
        turns = sizes - flags
        speakers = _speakers(list(plans.values()), ids, turns)
        return systems, speakers, texts, turns


def _speakers(plans: list[tuple[bool, tuple[str, ...]]], ids: Any, turns: Any) -> Any:
    """Every turn's speaker, record by record, as an Arrow array, built with numpy.

    Record ``r`` follows plan ``plans[ids[r]]`` and has ``turns[r]`` turns: its speakers
    are that plan's. Turn by turn, the plan and the turn's place in its record index a
    table of speaker numbers, and the names are taken by number (no Python loop over
    the records).
    """
    import numpy as np
    import pyarrow as pa

    names = sorted({speaker for _, speakers in plans for speaker in speakers})
    if not names or not len(ids):
        return pa.array([], pa.string())
    code = {name: at for at, name in enumerate(names)}
    table = np.zeros((len(plans), max(len(speakers) for _, speakers in plans)), np.int32)
    for row, (_, speakers) in enumerate(plans):
        table[row, : len(speakers)] = [code[speaker] for speaker in speakers]
    plan_of_turn = np.repeat(ids, turns)
    first_turn = np.cumsum(turns) - turns
    place = np.arange(len(plan_of_turn)) - np.repeat(first_turn, turns)
    return pa.array(names, pa.string()).take(pa.array(table[plan_of_turn, place]))


def rows_table(items: list[Any]) -> Any:
    """An Arrow table of ShareGPT rows and batches, built from columns as Arrow's JSON reader would.

    ``items`` are rows of :func:`sharegpt_row` and :class:`ShareGPTBatch` objects, in order.
    The columns are those the JSON reader infers for their lines: ``system`` (only when
    some row has one) before ``conversations``, a list of ``{from, value}`` structs.
    """
    import numpy as np
    import pyarrow as pa

    parts: list[tuple[Any, Any, Any, Any]] = []
    # Consecutive single rows from Python lists; consecutive batches as one (Arrow's calls
    # cost per call).
    for single, run in groupby(items, key=lambda item: type(item) is tuple):
        if not single:
            parts.append(ShareGPTBatch.joined(list(run)).columns())
            continue
        rows = list(run)
        systems = pa.array([row[0] for row in rows], pa.string())
        speakers = pa.array([s for row in rows for s in row[1]], pa.string())
        texts = pa.array([text for row in rows for text in row[2]], pa.string())
        sizes = np.fromiter((len(row[1]) for row in rows), np.int64, len(rows))
        parts.append((systems, speakers, texts, sizes))
    if len(parts) == 1:  # the common case; concat_arrays copies even a single array
        systems, speakers, texts, sizes = parts[0]
    else:
        systems, speakers, texts = (pa.concat_arrays([part[i] for part in parts]) for i in range(3))
        sizes = np.concatenate([part[3] for part in parts])
    offsets = np.zeros(len(sizes) + 1, np.int32)
    np.cumsum(sizes, out=offsets[1:])
    if len(speakers):
        turns = pa.StructArray.from_arrays([speakers, texts], ["from", "value"])
    else:  # only empty conversations (system-only records): Arrow infers a list of nulls
        turns = pa.nulls(0)
    conversations = pa.ListArray.from_arrays(pa.array(offsets), turns)
    columns = {"conversations": conversations}
    if systems.null_count < len(systems):
        # First, as a system comes before its turns; in every block alike (Arrow's JSON
        # reader would put it where it first meets one), so that the blocks share a schema.
        columns = {"system": systems, **columns}
    return pa.table(columns)
