"""Streaming a dataset file record by record, with numbers, and writing results atomically.

The curation commands (``filter``, ``dedup``) read a file once, decide about each record as
it passes and write what they keep. Two things are shared by all of them and live here:

* :func:`numbered_records` yields ``(number, canonical record)`` pairs, numbered from 1 the
  way ``talimat validate`` numbers them (the line number in a JSONL file), so that a report
  can name the record a reader will find in the file;
* :func:`atomic_jsonl` writes JSONL to a temporary file in the target's folder and renames it
  into place only when every record is written, and refuses a target that is one of the
  inputs, also when it is reached through a symbolic or a hard link. It is a thin wrapper
  over the writer and input guard of ``talimat.formats.io``, which every command shares.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

from talimat.errors import TalimatError

from .formats import FormatError, FormatName, NumberedScan, Problem, from_messages, write_records
from .formats.io import check_not_input
from .language import messages

__all__ = [
    "JSONL_SUFFIXES",
    "NumberedRecords",
    "StreamError",
    "atomic_jsonl",
    "check_target",
    "numbered_records",
]

_ = messages("streams")

JSONL_SUFFIXES = (".jsonl", ".ndjson")


class StreamError(TalimatError):
    """A target that cannot be written: not JSONL, or the same file as an input."""


class NumberedRecords:
    """The canonical records of a file with their 1-based numbers, streamed.

    Iterating yields ``(number, record)``. After the loop, ``format`` is the format the
    file was read as (detected from its first good record) and, with ``strict=False``,
    ``problems`` lists every bad record, which was skipped and is never silently lost.
    """

    def __init__(
        self, path: str | os.PathLike[str], fmt: str | None = None, *, strict: bool = True
    ) -> None:
        self.path = Path(path)
        self.problems: list[Problem] = []
        # The reader every command shares (talimat.formats), which numbers records as its
        # problems do.
        self._scan = NumberedScan(self.path, fmt, strict=strict, problems=self.problems)

    @property
    def format(self) -> str | None:
        """The format the file is read as, given or detected from its first good record."""
        return self._scan.format

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        return iter(self._scan)

    def original(self, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` back in the file's own format (exact, thanks to its ``_layout``)."""
        return from_messages(record, cast(FormatName, self.format)) if self.format else record


def numbered_records(
    path: str | os.PathLike[str], fmt: str | None = None, *, strict: bool = True
) -> NumberedRecords:
    """Stream ``(number, canonical record)`` pairs from a file (see :class:`NumberedRecords`)."""
    return NumberedRecords(path, fmt, strict=strict)


def check_target(target: str | os.PathLike[str], *inputs: str | os.PathLike[str]) -> Path:
    """Refuse a target that is not JSONL or that is one of ``inputs``; return it as a Path.

    The input guard is ``talimat.formats.io.check_not_input`` (the same path, a
    symbolic or a hard link); this wrapper only adds the JSONL rule and names the input.
    """
    out = Path(target)
    if out.suffix.lower() not in JSONL_SUFFIXES:
        raise StreamError(_("not_jsonl", None, file=os.fspath(out), suffix=out.suffix or "''"))
    for source in inputs:
        try:
            check_not_input(out, [source])
        except FormatError:
            raise StreamError(
                _("same_file", None, file=os.fspath(out), source=os.fspath(source))
            ) from None
    return out


def atomic_jsonl(
    target: str | os.PathLike[str],
    records: Iterable[dict[str, Any]],
    *inputs: str | os.PathLike[str],
) -> int:
    """Write ``records`` as JSONL to ``target`` atomically; return how many were written.

    :func:`talimat.formats.write_records`, the package's one writer, after
    :func:`check_target`: the records go to a temporary file in the target's folder and
    replace ``target`` only when all are written, so a run that fails half-way leaves the
    old target, or none, never a truncated file; a value JSON cannot hold (NaN) raises
    :class:`~talimat.formats.RecordError` naming the record.
    """
    out = check_target(target, *inputs)
    return write_records(records, out)
