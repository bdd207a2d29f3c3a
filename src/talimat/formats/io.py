"""Reading and writing dataset files: one reader for every command, atomic writes.

Readers yield ``(record number, raw record)`` pairs, or ``(number, Bad)`` for a record that
cannot be parsed, so that a caller can report and go on. Every JSON text is parsed with
orjson. Files that are not one of the supported kinds fail as a whole with one line
naming the file (:class:`~.problems.InputError`): UTF-16 text, a pretty-printed JSON array
saved as ``.jsonl``, an unreadable Parquet file.

Writers take records already encoded as JSON (:func:`encode`), write them to a temporary
file in the target's folder and rename it into place (:func:`atomic_target`), so a failed
or interrupted write — a full disk included — leaves the previous target as it was; a
target that is one of the inputs (the same path, a symlink or a hard link to it) is
refused before anything is written. Parquet is written in batches (spooled beside the
target when their schemas must be unified), so memory stays flat in the record count; a
tool call's ``arguments`` is stored there as JSON text, objects listed under ``_layout``
and given back as objects by the reader (see :func:`_text_arguments`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple

import orjson

from .background import Background
from .problems import Bad, FormatError, InputError, text

__all__ = [
    "BLANK",
    "READ_SUFFIXES",
    "WRITE_SUFFIXES",
    "EncodedBatch",
    "Pending",
    "Span",
    "atomic_target",
    "byte_counter",
    "check_not_input",
    "encode",
    "jsonl_batches",
    "jsonl_blocks",
    "line_spans",
    "parse_line",
    "raw_records",
    "split_lines",
    "strip_nulls",
    "write_encoded",
]

READ_SUFFIXES: tuple[str, ...] = (".jsonl", ".ndjson", ".json", ".parquet", ".csv")
WRITE_SUFFIXES: tuple[str, ...] = (".jsonl", ".ndjson", ".json", ".parquet")
PARQUET_BATCH = 8_192
_BOM = b"\xef\xbb\xbf"

# orjson's error messages, so a reader is told what is wrong in their language.
# The messages of orjson 3.9 to 3.13 (the wording changed on the way); one the table does
# not know is shown as orjson wrote it, in English.
_JSON_REASONS = {
    "unexpected end of data": "unterminated",
    "unexpected character, expected ':' after key": "colon",
    "unexpected character, expected ',' or '}' after object value": "comma",
    "unexpected character, expected ',' or ']' after list element": "comma",
    "unexpected character, expected ',' or '}'": "comma",
    "unexpected character, expected ',' or ']'": "comma",
    "unexpected character, expected a JSON value": "value",
    "unexpected character, expected string or '}' after '{'": "key",
    "unexpected character, expected a string key": "key",
    "unexpected content after document": "extra",
    "unexpected control character in string": "control",
    "depth limit exceeded": "deep",
    "no low surrogate in string": "surrogate",
    "unexpected low surrogate in string": "surrogate",
    "invalid high surrogate in string": "surrogate",
    "str is not valid UTF-8: surrogates not allowed": "utf8",
    "invalid literal, expected 'true'": "literal",
    "invalid literal, expected 'false'": "literal",
    "invalid literal, expected 'null'": "literal",
    "number with leading zero is not allowed": "number",
    "no digit after decimal point": "number",
    "no digit after sign": "number",
    "no digit after exponent sign": "number",
    "invalid escaped sequence in string": "escape",
    "trailing comma is not allowed": "trailing_comma",
}


def suffix_of(path: Path) -> str:
    return path.suffix.lower()


def _open(path: Path) -> io.BufferedReader:
    """The file opened for reading, or an InputError naming it."""
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise InputError(text("file_not_found", None, file=os.fspath(path))) from None
    except IsADirectoryError:
        raise InputError(text("is_a_directory", None, file=os.fspath(path))) from None
    except OSError as exc:
        raise InputError(
            text("unreadable", None, file=os.fspath(path), error=exc.strerror or exc)
        ) from None


def _sniff(path: Path, head: bytes) -> bytes:
    """The head without a UTF-8 BOM; an InputError for UTF-16/32 text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4096]:
        raise InputError(text("utf16", None, file=os.fspath(path)))
    return head[3:] if head.startswith(_BOM) else head


_ESCAPED = re.compile(r"\\.", re.DOTALL)


def _bad_json(exc: orjson.JSONDecodeError) -> Bad:
    reason = _JSON_REASONS.get(exc.msg, "other")
    # orjson says "unexpected end of data" for any text cut short: inside a string (an
    # odd number of unescaped quotes) or after it, with an object or list left open.
    if reason == "unterminated" and not _ESCAPED.sub("", exc.doc).count('"') % 2:
        reason = "unclosed"
    return Bad("<json>", "bad_json", column=exc.colno, reason=reason, error=exc.msg)


def _duplicate_key(data: bytes) -> str | None:
    """The first key repeated in one object of ``data`` (the slow, exact check)."""
    found: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen = set()
        for key, _ in items:
            if key in seen and not found:
                found.append(key)
            seen.add(key)
        return dict(items)

    try:
        json.loads(data, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return None
    return found[0] if found else None


def _may_repeat_keys(source: bytes, value: Any) -> bool:
    """True when ``source`` may hold more keys than the parsed value kept.

    orjson keeps the last of repeated keys silently. Every key is followed by exactly
    one ``:`` outside strings, whatever the spacing, and the encoders write a colon
    inside a string as it is: so when ``source`` holds no ``\\u003a`` escape, it has
    more colons than the re-encoded value exactly when a key was repeated (or a repeated
    key's dropped value held some). That C-speed count never misses a repeat; a true
    answer takes the exact path (:func:`_duplicate_key`).
    """
    if b"\\u003" in source:
        return True
    try:
        return source.count(b":") > orjson.dumps(value).count(b":")
    except (TypeError, orjson.JSONEncodeError):
        return True


BLANK: Any = object()
"""What :func:`parse_line` returns for a blank line (skipped, but counted in the numbering)."""

# Bytes of lines read at once by jsonl_batches and jsonl_blocks. Not a megabyte: glibc's
# malloc hands freed buffers that large back to the system and faults them in again, which
# made a block's copies cost more than its parsing; 64 KiB buffers are reused. Measured on
# 1,000,000 records: validate 1.7-2.7x the parse floor with 1 MiB, 1.3x with 64 KiB.
_LINES_HINT = 64 * 1024


def _head_lines(path: Path, lines: list[bytes]) -> bool:
    """Check the file's first lines in place; True while no non-blank line was seen.

    The file-level checks: a UTF-8 BOM is dropped, UTF-16 text and a JSON array saved as
    ``.jsonl`` raise :class:`InputError` naming the file.
    """
    for index, line in enumerate(lines):
        line = lines[index] = _sniff(path, line)
        stripped = line.strip()
        if stripped:
            if stripped.startswith(b"[") and stripped != b"[]":
                raise InputError(text("jsonl_is_array", None, file=os.fspath(path)))
            return False
    return True


def jsonl_batches(path: Path) -> Iterator[tuple[int, list[bytes]]]:
    """(number of the first line, lines) for the lines of a JSONL file, about 64 KiB at a time.

    The file-level checks of :func:`_head_lines` happen here, once.
    """
    with _open(path) as handle:
        first = True
        number = 1
        while True:
            lines = handle.readlines(_LINES_HINT)
            if not lines:
                return
            if first:
                first = _head_lines(path, lines)
            yield number, lines
            number += len(lines)


_NUMPY_COUNTS_FROM = 64 * 1024**2  # file size from which byte_counter counts with numpy
_NUMPY_BLOCK = 4096  # shorter data is counted by bytes.count even then (numpy's call costs more)


def byte_counter(size: int) -> Callable[[bytes, int], int]:
    """A function counting one byte value in a block, for a file of ``size`` bytes.

    ``bytes.count`` of one byte is a plain loop (about 2.5 GB/s here); numpy compares and
    counts with vector instructions, 4 to 6 times faster (measured on 1 MiB blocks, where
    it saved about a fifth of what parsing a large file costs: two counts per block). Importing
    numpy takes about 0.1 s, so only files of :data:`_NUMPY_COUNTS_FROM` bytes or more
    use it; the counts are the same either way (tested).
    """
    if size < _NUMPY_COUNTS_FROM:
        return lambda data, byte: data.count(byte)
    import numpy as np

    def count(data: bytes, byte: int) -> int:
        if len(data) < _NUMPY_BLOCK:
            return data.count(byte)
        return int(np.count_nonzero(np.frombuffer(data, np.uint8) == byte))

    return count


class Span(NamedTuple):
    """A part of a JSONL file made of whole lines: bytes ``start`` to ``end``, first line's number.

    ``start`` is 0 or just after a newline and ``end`` just after one (or the file's
    size), so each line is in exactly one span (:func:`line_spans`).
    """

    start: int
    end: int
    first_line: int


def jsonl_blocks(
    path: Path,
    count_byte: Callable[[bytes, int], int] | None = None,
    span: Span | None = None,
) -> Iterator[tuple[int, bytes, int]]:
    """(number of the first line, whole lines as one bytes, how many) about 64 KiB at a time.

    The lines of :func:`jsonl_batches`, joined, without splitting them: a reader that
    handles a batch in bulk saves the split (a quarter of what parsing the lines costs),
    and :func:`split_lines` gives the same lines back when it needs them. A line longer
    than a block is read whole. The newlines are counted by ``count_byte``, by default
    the :func:`byte_counter` for the file's size. With ``span``, only its lines are read,
    numbered from its first line; the file-level checks of the head (:func:`_head_lines`)
    belong to the span that starts the file.
    """
    with _open(path) as handle:
        if count_byte is None:
            count_byte = byte_counter(os.fstat(handle.fileno()).st_size)
        read, readline = handle.read, handle.readline
        first = True
        number = 1
        left = -1  # bytes of the span still to read; -1: to the end of the file
        if span is not None:
            handle.seek(span.start)
            first, number, left = span.start == 0, span.first_line, span.end - span.start
        while left:
            block = read(_LINES_HINT if left < 0 else min(_LINES_HINT, left))
            if not block:
                return
            if not block.endswith(b"\n"):
                # The rest of the last line (nothing at the end of the file). ``+=`` grows
                # the block in place: no copy, where joining two pieces costs a fifth of
                # what parsing the block does (measured).
                block += readline()
            if left > 0:
                left = max(0, left - len(block))
            if first:
                lines = split_lines(block)
                first = _head_lines(path, lines)
                block = b"".join(lines)
            count = count_byte(block, 10) + (not block.endswith(b"\n"))
            yield number, block, count
            number += count


def line_spans(path: Path, parts: int) -> list[Span]:
    """``parts`` spans of about equal size covering the file, in order (fewer if lines are long).

    A span's first line number comes from counting the newlines before it, 1 MiB at a
    time by :func:`byte_counter`, as :func:`jsonl_blocks` counts them: about 0.05 s for
    the 330 MiB before the second half of the benchmark's file (16 MiB pieces, each
    compared into an array of its size, took 0.8 s).
    """
    starts = [0]
    with _open(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        for part in range(1, parts):
            handle.seek(max(starts[-1], size * part // parts))
            if handle.tell() > 0:
                handle.seek(handle.tell() - 1)
                handle.readline()  # to just after a newline (the one before, if it is one)
            if starts[-1] < handle.tell() < size:
                starts.append(handle.tell())
        count_byte = byte_counter(size)
        handle.seek(0)
        spans, newlines, position = [], 0, 0
        for start, end in zip(starts, [*starts[1:], size], strict=True):
            while position < start:  # the newlines before this span, not those in the last
                block = handle.read(min(_COUNT_PIECE, start - position))
                if not block:
                    break
                newlines += count_byte(block, 10)
                position += len(block)
            spans.append(Span(start, end, newlines + 1))
    return spans


_COUNT_PIECE = 1024**2


def split_lines(block: bytes) -> list[bytes]:
    """The lines of a block of :func:`jsonl_blocks`, as ``readlines`` gives them."""
    lines = block.split(b"\n")
    last = lines.pop()
    lines = [line + b"\n" for line in lines]
    if last:
        lines.append(last)
    return lines


def parse_line(line: bytes) -> Any:
    """One JSONL line parsed by orjson: the value, :class:`Bad`, or :data:`BLANK`.

    A line that does not parse and an object with a repeated key are Bad, named for what
    is wrong (orjson would keep the last of repeated keys silently).
    """
    if not line.strip():
        return BLANK
    try:
        # Without its line ending, a line cut short is reported for what it lacks.
        value = orjson.loads(line.rstrip(b"\r\n"))
    except orjson.JSONDecodeError as exc:
        return _bad_json(exc)
    if type(value) is dict and _may_repeat_keys(line, value):
        key = _duplicate_key(line)
        if key is not None:
            return Bad("<record>", "duplicate_key", key=key)
    return value


def raw_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value or Bad) for each non-blank line, streamed."""
    parse = parse_line
    for start, lines in jsonl_batches(path):
        for number, line in enumerate(lines, start):
            value = parse(line)
            if value is not BLANK:
                yield number, value


WHOLE_JSON_LIMIT = 64 * 1024**2
"""A .json file up to this size is parsed whole by orjson; a larger one is streamed."""

_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]', re.S)
_CHUNK = 4 * 1024**2


def raw_json(path: Path) -> Iterator[tuple[int, Any]]:
    """(position, value) for each item of a .json list.

    Files up to :data:`WHOLE_JSON_LIMIT` are parsed whole (fastest); larger ones item by
    item (:func:`_stream_json`), so memory stays flat in the record count.
    """
    with _open(path) as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(0)
        if size > WHOLE_JSON_LIMIT:
            head = handle.read(4096)
            _sniff(path, head)
            handle.seek(len(_BOM) if head.startswith(_BOM) else 0)
            yield from _stream_json(path, handle)
            return
        data = _sniff(path, handle.read())
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(text("json_unreadable", None, file=os.fspath(path), error=exc)) from None
    if not isinstance(value, list):
        _not_a_list(path, value)
    repeats = _item_duplicates(data) if _may_repeat_keys(data, value) else {}
    for number, item in enumerate(value, 1):
        if number in repeats:
            yield number, Bad("<record>", "duplicate_key", key=repeats[number])
            continue
        yield number, item


def _not_a_list(path: Path, value: Any) -> None:
    from .problems import json_type, render

    params = (("file", os.fspath(path)), ("actual_type", json_type(value)))
    raise InputError(render("json_not_list", None, params))


def _stream_json(path: Path, handle: IO[bytes]) -> Iterator[tuple[int, Any]]:
    """The items of a large JSON list, each parsed by orjson as soon as it is complete.

    Hand-written because no maintained streaming parser is a dependency here: a regular
    expression finds strings (skipped whole), brackets and commas, which is enough to
    cut the list into items; a cut that falls inside a string at the end of the buffer
    fails to parse and is retried with more data.
    """
    buffer = b""
    eof = False
    position = 0  # where scanning resumes
    started = False
    number = 0
    while True:
        if not eof:
            chunk = handle.read(_CHUNK)
            eof = not chunk
            buffer = buffer[position:] + chunk
            position = 0
        if not started:
            stripped = buffer.lstrip()
            if not stripped and not eof:
                continue
            if not stripped.startswith(b"["):
                first = stripped[:1]
                kind = {b"{": {}, b'"': "", b"t": True, b"f": False, b"n": None}.get(first, 0)
                _not_a_list(path, kind)  # a representative of the value's JSON type
            position = len(buffer) - len(stripped) + 1
            started = True
        depth = 0
        start = position
        progressed = False
        for match in _JSON_TOKENS.finditer(buffer, position):
            token = match.group()
            if token[:1] == b'"':
                continue
            if token in (b"[", b"{"):
                depth += 1
            elif token in (b"]", b"}") and depth:
                depth -= 1
            elif depth == 0:  # a comma or the closing bracket of the list
                item = buffer[start : match.start()].strip()
                if item:
                    try:
                        value = orjson.loads(item)
                    except orjson.JSONDecodeError as exc:
                        if not eof:
                            break  # perhaps cut inside a string: read on and retry
                        raise InputError(
                            text("json_unreadable", None, file=os.fspath(path), error=exc)
                        ) from None
                    number += 1
                    if type(value) is dict and _may_repeat_keys(item, value):
                        repeated = _item_duplicates(b"[" + item + b"]").get(1)
                        if repeated is not None:
                            value = Bad("<record>", "duplicate_key", key=repeated)
                    yield number, value
                start = position = match.end()
                progressed = True
                if token == b"]":
                    return
        if eof and not progressed:
            raise InputError(
                text("json_unreadable", None, file=os.fspath(path), error="unexpected end of data")
            )


def _item_duplicates(data: bytes) -> dict[int, str]:
    """Item number → first repeated key, for the items of a JSON list (the slow, exact way)."""
    current: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen and not current:
                current.append(key)
            seen.add(key)
        return dict(items)

    decoder = json.JSONDecoder(object_pairs_hook=pairs)
    source = data.decode("utf-8", "replace")
    found: dict[int, str] = {}
    try:
        index = source.index("[") + 1
        number = 0
        while True:
            while index < len(source) and source[index] in " \t\r\n,":
                index += 1
            if index >= len(source) or source[index] == "]":
                break
            number += 1
            current.clear()
            _, index = decoder.raw_decode(source, index)
            if current:
                found[number] = current[0]
    except (ValueError, RecursionError):
        pass
    return found


def strip_nulls(value: Any) -> Any:
    """Drop the nulls Arrow writes for absent struct fields, at every depth; lists as lists.

    Parquet files and Arrow-backed datasets give every row every field of the schema,
    absent ones as null; numpy arrays (pandas cells) become lists and numpy scalars
    Python numbers.
    """
    if isinstance(value, dict):
        return {key: strip_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [strip_nulls(item) for item in value]
    module = type(value).__module__
    if module == "numpy" and hasattr(value, "tolist"):
        return strip_nulls(value.tolist())
    return value


def raw_parquet(path: Path) -> Iterator[tuple[int, Any]]:
    """(row number, record) for each row, read in batches."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except FileNotFoundError:
        raise InputError(text("file_not_found", None, file=os.fspath(path))) from None
    except (pa.ArrowException, OSError) as exc:
        raise InputError(
            text("parquet_unreadable", None, file=os.fspath(path), error=exc)
        ) from None
    number = 0
    with parquet:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH):
            for row in batch.to_pylist():
                number += 1
                record = strip_nulls(row)
                layout = record.get(LAYOUT)
                if type(layout) is dict and ARGUMENTS_KEY in layout:
                    _object_arguments(record, layout)
                yield number, record


# --------------------------------------------------------------------------- tool-call arguments
#
# A tool call's ``arguments`` is JSON text in OpenAI's format and often an object in
# datasets (LLaMA-Factory, TRL); a Parquet column holds one type, so a file mixing both
# could not be written. The rule: in Parquet, every ``arguments`` is stored as JSON text.
# One that was an object is listed, by its path, under ``_layout`` (key
# ``ARGUMENTS_KEY``), and the reader turns it back into the same object, so a Parquet
# round trip gives the records back unchanged.

LAYOUT = "_layout"
ARGUMENTS_KEY = "parquet_arguments"
_CALL_KEYS = ("function", "function_call")


def _text_arguments(record: dict[str, Any]) -> bool:
    """Store every object ``arguments`` in ``record`` as JSON text, listing where; True if any."""
    layout = record.get(LAYOUT)
    if layout is not None and type(layout) is not dict:
        return False  # not ours to extend: written as it is
    paths: list[str] = []

    def walk(value: Any, path: list[Any]) -> None:
        if type(value) is dict:
            for key in _CALL_KEYS:
                call = value.get(key)
                if type(call) is dict and call.get("arguments") is not None:
                    arguments = call["arguments"]
                    if type(arguments) is not str:
                        call["arguments"] = orjson.dumps(arguments).decode()
                        paths.append(orjson.dumps([*path, key]).decode())
            for key, item in value.items():
                if type(item) is dict or type(item) is list:
                    walk(item, [*path, key])
        else:
            for index, item in enumerate(value):
                if type(item) is dict or type(item) is list:
                    walk(item, [*path, index])

    walk({k: v for k, v in record.items() if k != LAYOUT}, [])
    if paths:
        record[LAYOUT] = {**(layout or {}), ARGUMENTS_KEY: paths}
    return bool(paths)


def _object_arguments(record: dict[str, Any], layout: dict[str, Any]) -> None:
    """Undo :func:`_text_arguments` on a record read from Parquet."""
    for path in layout.pop(ARGUMENTS_KEY) or ():
        place: Any = record
        for step in orjson.loads(path):
            place = place[step]
        place["arguments"] = orjson.loads(place["arguments"])
    if not layout:
        del record[LAYOUT]


def raw_csv(path: Path) -> Iterator[tuple[int, Any]]:
    """(row number, record) for each data row of an alpaca-style CSV file.

    Empty ``system`` and ``history`` cells mean absent; a ``history`` cell holds JSON.
    """
    with _open(path) as binary:
        head = binary.read(4096)
        _sniff(path, head)
        binary.seek(0)
        handle = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        try:
            for number, row in enumerate(csv.DictReader(handle), 1):
                if None in row:
                    yield number, Bad("<csv>", "csv_extra_cells")
                    continue
                record: dict[str, Any] = {k: v for k, v in row.items() if v is not None}
                for key in ("system", "history"):
                    if record.get(key) == "":
                        del record[key]
                if "history" in record:
                    try:
                        record["history"] = orjson.loads(record["history"])
                    except orjson.JSONDecodeError as exc:
                        yield number, Bad("history", "bad_json", error=exc.msg)
                        continue
                yield number, record
        except UnicodeDecodeError as exc:
            raise InputError(
                text("text_unreadable", None, file=os.fspath(path), error=exc)
            ) from None


def raw_records(
    path: Path, csv_ok: bool = True, fmt: str | None = None
) -> Iterator[tuple[int, Any]]:
    """The raw records of a file, chosen by suffix."""
    suffix = suffix_of(path)
    if suffix in (".jsonl", ".ndjson"):
        return raw_jsonl(path)
    if suffix == ".json":
        return raw_json(path)
    if suffix == ".parquet":
        return raw_parquet(path)
    if suffix == ".csv":
        if not csv_ok:
            raise FormatError(text("csv_alpaca_only", None, file=os.fspath(path), name=fmt))
        return raw_csv(path)
    raise InputError(text("unknown_suffix", None, file=os.fspath(path), suffix=path.suffix))


# --------------------------------------------------------------------------- writing


def _non_finite(value: Any) -> bool:
    """True when a NaN or an infinity hides anywhere in ``value`` (JSON cannot hold one)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is float:
            if not math.isfinite(item):
                return True
        elif kind is dict:
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
    return False


_APPEND_NEWLINE = orjson.OPT_APPEND_NEWLINE


def encode(record: Mapping[str, Any], *, check_numbers: bool = True) -> bytes:
    """One record as a line of UTF-8 JSON (ending in ``\\n``); Bad for what JSON cannot hold.

    orjson would write NaN as null: the value would change, so it is refused instead
    (so are lone surrogates). ``check_numbers=False`` skips that scan for records
    parsed from JSON text, which cannot hold NaN.
    """
    if check_numbers and _non_finite(record):
        raise Bad("<record>", "not_finite")
    try:
        return orjson.dumps(record, option=_APPEND_NEWLINE)
    except (TypeError, orjson.JSONEncodeError) as exc:
        error = str(exc)
    if "Recursion limit" in error:  # orjson stops at 255 levels; the json module goes deeper
        try:
            dumped = json.dumps(record, ensure_ascii=False, allow_nan=False)
            return dumped.encode("utf-8") + b"\n"
        except (ValueError, TypeError, RecursionError) as exc:
            error = str(exc) or type(exc).__name__
    raise Bad("<record>", "unwritable", error=error)


def check_not_input(target: Path, inputs: Sequence[str | os.PathLike[str]]) -> None:
    """Refuse a target that is one of the inputs: same path, a symlink or a hard link."""
    if not target.exists():
        return
    for source in inputs:
        try:
            same = os.path.samefile(target, source)
        except OSError:
            same = False
        if same:
            raise FormatError(text("same_file", None, file=os.fspath(target)))


class Pending:
    """A temporary file beside the target; renamed onto it at the end unless ``commit`` is off."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.commit = True


@contextmanager
def atomic_target(target: Path) -> Iterator[Pending]:
    """A temporary path beside ``target``, renamed onto it when the block succeeds.

    Errors name ``target``, never the temporary file; on any failure the temporary file
    is removed and a previous ``target`` stays as it was.
    """
    folder = target.parent if str(target.parent) else Path(".")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=folder)
    except FileNotFoundError:
        raise FormatError(text("no_folder", None, file=os.fspath(target))) from None
    except OSError as exc:
        raise FormatError(
            text("write_failed", None, file=os.fspath(target), error=exc.strerror or exc)
        ) from None
    os.close(handle)
    # mkstemp makes the file private (0600); the result gets the previous target's mode,
    # or the usual 0644 for a new file.
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    os.chmod(name, mode)
    pending = Pending(Path(name))
    try:
        yield pending
        if pending.commit:
            os.replace(pending.path, target)
    except OSError as exc:
        raise FormatError(
            text("write_failed", None, file=os.fspath(target), error=exc.strerror or exc)
        ) from None
    finally:
        pending.path.unlink(missing_ok=True)


class EncodedBatch:
    """Many records a fast path encodes in bulk, in the form each writer asks for.

    :func:`write_encoded` takes one in place of their lines; the bytes must be those of
    :func:`encode` for each record (:class:`.fast.ShareGPTBatch` is one).
    """

    __slots__ = ()

    def __len__(self) -> int:
        raise NotImplementedError

    def jsonl(self) -> bytes:
        """The records as JSON lines, each ending in a newline."""
        raise NotImplementedError

    def json_items(self) -> bytes:
        """The records as the items of a JSON list, one a line, joined by ``,\\n``."""
        raise NotImplementedError


def write_encoded(lines: Iterable[Any], target: Path, temporary: Path) -> int:
    """Write encoded records (lines from :func:`encode`) to ``temporary`` in ``target``'s format.

    An item may also be a list of lines, an :class:`EncodedBatch`, or one of the fast
    path's rows (Parquet only).

    Returns how many records were written.
    """
    suffix = suffix_of(target)
    try:
        if suffix in (".jsonl", ".ndjson"):
            return _write_jsonl(lines, temporary)
        if suffix == ".json":
            return _write_json(lines, temporary)
        return _write_parquet(lines, target, temporary)
    except OSError as exc:
        raise FormatError(
            text("write_failed", None, file=os.fspath(target), error=exc.strerror or exc)
        ) from None


_CHUNK = 8 * 1024**2  # bytes of JSON text handed to the writer thread at a time
_IOV_MAX = 1024  # pieces one writev call takes (Linux's IOV_MAX)
_SYNC_EVERY = 64 * 1024**2  # bytes written between two fdatasync calls


class _SyncedFile:
    """A file written by a :class:`~.background.Background` thread, synced as it grows.

    ``fdatasync`` every :data:`_SYNC_EVERY` bytes, in the writer's thread, leaves little for
    the final ``fsync`` (the one the rename into place waits for) to write; done only at
    the end, it was a tenth of a large conversion.
    """

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.unsynced = 0

    def write(self, parts: list[bytes]) -> None:
        fd = self.handle.fileno()
        # One system call for many pieces releases the GIL once: a thread waits up to the
        # switch interval (5 ms) each time it takes the GIL back from a busy caller.
        writev = getattr(os, "writev", None)  # not on Windows: one joined write there
        for start in range(0, len(parts), _IOV_MAX):
            pieces = parts[start : start + _IOV_MAX]
            size = sum(map(len, pieces))
            written = writev(fd, pieces) if writev is not None else 0
            if written < size:  # a short write: the rest, in one piece
                rest = memoryview(b"".join(pieces))[written:]
                while rest:
                    rest = rest[os.write(fd, rest) :]
            self.unsynced += size
        if self.unsynced >= _SYNC_EVERY:
            getattr(os, "fdatasync", os.fsync)(fd)  # macOS has only fsync
            self.unsynced = 0

    def sync(self) -> None:
        os.fsync(self.handle.fileno())


def _write_pieces(pieces: Iterable[bytes], path: Path) -> None:
    """Write ``pieces`` to ``path`` from a second thread, about :data:`_CHUNK` bytes a hand-off.

    The JSON writers' one loop: the pieces are gathered here, written and synced by a
    :class:`_SyncedFile` in a :class:`~.background.Background` thread.
    """
    parts: list[bytes] = []
    size = 0
    with path.open("wb", buffering=0) as handle, Background(2) as background:
        out = _SyncedFile(handle)
        for piece in pieces:
            parts.append(piece)
            size += len(piece)
            if size >= _CHUNK:
                background.submit(out.write, parts)
                parts = []
                size = 0
        background.submit(out.write, parts)
        background.submit(out.sync)


def _write_jsonl(lines: Iterable[Any], path: Path) -> int:
    """JSON lines, streamed by :func:`_write_pieces`."""
    count = 0

    def pieces() -> Iterator[bytes]:
        nonlocal count
        for line in lines:
            if type(line) is bytes:
                count += 1
                yield line
            elif type(line) is list:  # a batch of lines
                count += len(line)
                yield from line
            else:  # an EncodedBatch
                count += len(line)
                yield line.jsonl()

    _write_pieces(pieces(), path)
    return count


def _write_json(lines: Iterable[Any], path: Path) -> int:
    """A JSON list, one record a line, streamed by :func:`_write_pieces`."""
    count = 0

    def pieces() -> Iterator[bytes]:
        nonlocal count
        yield b"["
        for line in lines:
            if type(line) is bytes:
                items, data = 1, line[:-1]
            elif type(line) is list:  # a batch of lines, joined in one call
                if not line:
                    continue
                items, data = len(line), b",\n".join([one[:-1] for one in line])
            else:  # an EncodedBatch
                items, data = len(line), line.json_items()
            yield b",\n" if count else b"\n"
            yield data
            count += items
        yield b"\n]\n"

    _write_pieces(pieces(), path)
    return count


def _write_parquet(lines: Iterable[Any], target: Path, path: Path) -> int:
    """Parse the lines into Arrow batches and write them; memory stays flat in the record count.

    Each batch of :data:`PARQUET_BATCH` lines is parsed by Arrow's own JSON reader (C++,
    columns built without Python objects); rows of the fast path (:mod:`.fast`) are
    built into columns directly. Batches are written as they come while they share the
    first batch's schema — the common case. When a batch's schema differs, what was
    written so far and the rest are spooled beside the target as Arrow IPC streams while
    the schema is unified over every batch, then cast to it and written again.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    count = 0
    writer: Any = None
    schema: Any = None
    spool: _Spool | None = None
    try:
        with Background(2) as background:  # Arrow encodes and compresses in that thread
            for first, table in _tables(lines, target):
                count = first - 1 + table.num_rows
                if spool is None and writer is None:
                    schema = table.schema
                    writer = pq.ParquetWriter(path, schema)
                if spool is None and table.schema == schema:
                    background.submit(writer.write_table, table)
                    continue
                background.wait()
                if spool is None:  # a new schema: spool what was written, then go on spooling
                    writer.close()
                    writer = None
                    spool = _Spool(path.with_name(path.name + ".spool"), target)
                    for written in pq.ParquetFile(path).iter_batches(batch_size=PARQUET_BATCH):
                        spool.add(pa.Table.from_batches([written]), 1)
                spool.add(table, first)
        if spool is not None:
            spool.write(path)
        elif writer is None:
            pq.write_table(pa.table({}), path)
        else:
            writer.close()
            writer = None
    finally:
        if writer is not None:
            writer.close()
        if spool is not None:
            spool.close()
    _fsync(path)
    return count


def _fsync(path: Path) -> None:
    """Sync a file another writer wrote (Arrow's), as the JSON writers sync theirs."""
    handle = os.open(path, os.O_RDWR if os.name == "nt" else os.O_RDONLY)  # Windows: writable
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _tables(lines: Iterable[Any], target: Path) -> Iterator[tuple[int, Any]]:
    """(number of the first record, Arrow table) for each batch of encoded lines or rows."""
    batch: list[Any] = []
    count = 0  # records so far
    rows = 0  # records in ``batch``
    for line in lines:
        if type(line) is list:  # a batch of rows or lines
            batch.extend(line)
            size = len(line)
        else:  # a line, a row or an EncodedBatch
            batch.append(line)
            size = len(line) if isinstance(line, EncodedBatch) else 1
        count += size
        rows += size
        if rows >= PARQUET_BATCH:
            yield count - rows + 1, _batch_table(batch, count - rows + 1, target)
            batch = []
            rows = 0
    if batch:
        yield count - rows + 1, _batch_table(batch, count - rows + 1, target)


def _batch_table(batch: list[Any], first: int, target: Path) -> Any:
    from .fast import ShareGPTBatch, row_line, rows_table

    if all(type(item) is tuple or type(item) is ShareGPTBatch for item in batch):
        return rows_table(batch)
    lines: list[bytes] = []
    for item in batch:
        if type(item) is tuple:
            lines.append(row_line(item))
        elif isinstance(item, EncodedBatch):
            lines.extend(item.jsonl().splitlines(keepends=True))
        else:
            lines.append(item)
    for index, line in enumerate(lines):
        if b'"arguments"' in line:  # tool calls: arguments as JSON text (see above)
            record = orjson.loads(line)
            if type(record) is dict and _text_arguments(record):
                lines[index] = orjson.dumps(record, option=_APPEND_NEWLINE)
    return _json_table(b"".join(lines), first, target)


class _Spool:
    """Arrow tables of any schemas, in an IPC file beside the target, and their unified schema."""

    def __init__(self, path: Path, target: Path) -> None:
        self.path = path
        self.target = target
        self.handle = path.open("w+b")
        self.segments: list[tuple[int, int]] = []
        self.schema: Any = None

    def add(self, table: Any, first: int) -> None:
        import pyarrow as pa
        import pyarrow.ipc as ipc

        sink = pa.BufferOutputStream()
        with ipc.new_stream(sink, table.schema) as stream:
            stream.write_table(table)
        data = sink.getvalue()
        self.segments.append((self.handle.tell(), data.size))
        self.handle.write(data)
        self.schema = _unify(self.schema, table.schema, self.target, first)

    def write(self, path: Path) -> None:
        """Every spooled table, cast to the unified schema, as the Parquet file ``path``."""
        import pyarrow as pa
        import pyarrow.ipc as ipc
        import pyarrow.parquet as pq

        struct = pa.struct(list(self.schema))
        with pq.ParquetWriter(path, self.schema) as writer:
            for offset, length in self.segments:
                self.handle.seek(offset)
                table = ipc.open_stream(pa.py_buffer(self.handle.read(length))).read_all()
                if table.schema != self.schema:
                    try:
                        table = pa.Table.from_struct_array(table.to_struct_array().cast(struct))
                    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
                        file = os.fspath(self.target)
                        raise FormatError(
                            text("parquet_mixed", None, file=file, record="?", error=exc)
                        ) from None
                writer.write_table(table)

    def close(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)


def _no_times(kind: Any) -> Any:
    """``kind`` with the timestamps Arrow's JSON reader infers from strings made strings again."""
    import pyarrow as pa

    if pa.types.is_timestamp(kind) or pa.types.is_date(kind) or pa.types.is_time(kind):
        return pa.string()
    if pa.types.is_struct(kind):
        return pa.struct([field.with_type(_no_times(field.type)) for field in kind])
    if pa.types.is_list(kind):
        return pa.list_(kind.value_field.with_type(_no_times(kind.value_type)))
    return kind


def _json_table(data: bytes, first: int, target: Path) -> Any:
    """JSON lines as an Arrow table; strings stay strings (never timestamps)."""
    import pyarrow as pa
    import pyarrow.json as pj

    def read(schema: Any = None) -> Any:
        options = pj.ReadOptions(block_size=len(data) + 1)
        parse = pj.ParseOptions(explicit_schema=schema) if schema is not None else None
        try:
            return pj.read_json(pa.py_buffer(data), read_options=options, parse_options=parse)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise FormatError(
                text("parquet_mixed", None, file=os.fspath(target), record=first, error=exc)
            ) from None

    table = read()
    plain = pa.schema([field.with_type(_no_times(field.type)) for field in table.schema])
    return table if plain == table.schema else read(plain)


def _unify(schema: Any, batch_schema: Any, target: Path, first: int) -> Any:
    import pyarrow as pa

    if schema is None:
        return batch_schema
    try:
        return pa.unify_schemas([schema, batch_schema], promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise FormatError(
            text("parquet_mixed", None, file=os.fspath(target), record=first, error=exc)
        ) from None
