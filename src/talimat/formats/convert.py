"""Validation and conversion, for one record, a file, or records held in memory.

Every path goes through one reader (:mod:`.io`) and one record checker (the layout
readers of :mod:`.detect` and the task checks of :mod:`.tasks`): the CLI, the profile and
the in-memory functions agree on what a valid record is. A conversion is exact or
refused: what the target cannot hold raises :class:`LossyConversionError` naming the
record and the reason, or, with ``strict=False``, is skipped and listed.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .detect import READERS, WRITERS, FormatName, check_format_name, detect
from .fast import (
    PlainRecord,
    ShareGPTBatch,
    as_dict,
    plain_batches,
    roles_of,
    row_line,
    sft_ok,
    sft_pattern_ok,
    sharegpt_plan,
    sharegpt_row,
)
from .fields import LAYOUT_KEY, kind_of
from .io import (
    BLANK,
    WRITE_SUFFIXES,
    Span,
    atomic_target,
    check_not_input,
    encode,
    raw_records,
    strip_nulls,
    suffix_of,
    write_encoded,
)
from .mapping import ColumnMapping
from .problems import (
    Bad,
    FormatError,
    InputError,
    Lossy,
    Problem,
    RecordError,
    json_type,
    render,
    text,
)
from .tasks import TASKS, Task, check_task

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ConversionReport",
    "ConversionResult",
    "ExampleConverter",
    "ExampleValidator",
    "LoadResult",
    "PlainBatch",
    "ValidationReport",
    "check_record",
    "checked_batches",
    "checked_records",
    "convert_file",
    "convert_record",
    "convert_records",
    "detect_format",
    "from_messages",
    "gc_paused",
    "iter_records",
    "read_records",
    "to_messages",
    "validate_file",
    "validate_records",
    "write_records",
]

MEMORY = "<memory>"
_BATCH = 8_192

# Keys each target layout defines itself; any other key of an output record was kept.
_OWN_KEYS: dict[str, frozenset[str]] = {
    "alpaca": frozenset(
        {"instruction", "input", "output", "system", "history", "chosen", "rejected", "kto_tag"}
    ),
    "sharegpt": frozenset({"conversations", "system", "tools", "chosen", "rejected", "kto_tag"}),
    "messages": frozenset(
        {"messages", "tools", "functions", "label", "chosen_messages", "rejected_messages"}
    ),
    "trl": frozenset({"text", "prompt", "completion", "chosen", "rejected", "label", "tools"}),
    "openai-dpo": frozenset({"input", "preferred_output", "non_preferred_output"}),
}


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a loop we own streams records.

    Records hold no reference cycles and are freed by reference counting, but the
    collector would still scan the young ones every few hundred allocations; pausing it
    makes validating and converting large files about a third faster.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_task_name(task: str | None) -> Task | None:
    if task is not None and task not in TASKS:
        raise FormatError(text("unknown_task", None, name=task, allowed=", ".join(TASKS)))
    return task


@dataclass
class _Scan:
    """One pass over raw records: what it has learned and what was wrong."""

    file: str
    format: str | None = None
    mapping: ColumnMapping | None = None
    task: Task | None = None
    check_tasks: bool = False
    strict: bool = True
    problems: list[Problem] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    bad_records: set[int] = field(default_factory=set)
    detected: bool = False
    keep: bool = False  # return the canonical form of a record the task checks refuse

    def fail(self, bad: Bad, number: int) -> None:
        problem = bad.problem(self.file, number)
        if self.strict:
            raise RecordError(problem)
        self.problems.append(problem)
        self.bad_records.add(number)

    def records(self, raw: Iterable[tuple[int, Any]]) -> Iterator[tuple[int, Mapping[str, Any]]]:
        """(number, canonical record) for each good record; bad ones raise or are listed."""
        check = self.check
        for number, record in raw:
            canonical = check(number, record)
            if canonical is not None:
                yield number, canonical

    def check(self, number: int, record: Any) -> Mapping[str, Any] | None:
        """The canonical form of one raw record, or None when it is bad (listed or raised)."""
        try:
            if type(record) is not dict:
                if isinstance(record, Bad):
                    raise record
                if not isinstance(record, Mapping):
                    raise Bad("<record>", "not_object", actual_type=json_type(record))
            mapping = self.mapping
            if mapping is not None:
                record = mapping.apply(record)
            found = detect(record)
            current = self.format
            if current is None:
                if found is None:
                    raise Bad("<record>", "unknown_format")
                canonical = READERS[found](record)
                self.format = found
            else:
                if found is not None and found != current and mapping is None:
                    raise Bad("<record>", "mixed_format", found=found, expected=current)
                canonical = READERS[current](record)
            self.detected = True
            if self.check_tasks:
                found_bad = check_task(canonical, self.task)
                if found_bad:
                    if self.strict:
                        raise found_bad[0]
                    for bad in found_bad:
                        self.fail(bad, number)
                    return canonical if self.keep else None
        except Bad as bad:
            self.fail(bad, number)
            return None
        except RecursionError:
            self.fail(Bad("<record>", "too_deep"), number)
            return None
        return canonical

    @property
    def plain_ok(self) -> bool:
        """True while the fast path's plain records may be taken (no other layout was found)."""
        return self.format in ("messages", None)

    def took_plain(self) -> None:
        """The fast path took a plain record: the file's layout is ``messages``."""
        self.format = "messages"
        self.detected = True

    def fast(self, path: Path) -> bool:
        """True when the fast path may read ``path``: plain JSONL ``messages`` records."""
        return self.mapping is None and self.plain_ok and suffix_of(path) in (".jsonl", ".ndjson")


def _start(
    fmt: str | None, mapping: ColumnMapping | None, task: str | None, file: str, strict: bool
) -> _Scan:
    scan = _Scan(file, mapping=mapping, task=_check_task_name(task), strict=strict)
    if fmt is not None:
        scan.format = check_format_name(fmt)
    if mapping is not None:
        scan.format = mapping.formatting
    return scan


def _file_records(path: Path, scan: _Scan) -> Iterator[tuple[int, Any]]:
    return raw_records(path, scan.format in (None, "alpaca"), scan.format)


# --------------------------------------------------------------------------- in memory


def _memory_rows(records: Any) -> Iterator[tuple[int, Any]]:
    """(number, plain record) for a list of dicts, a DataFrame or a datasets.Dataset.

    DataFrame and Dataset rows come from Arrow or numpy: absent values are nulls (or NaN
    in a pandas column) and are dropped, numpy arrays become lists.
    """
    kind = type(records)
    module = kind.__module__
    if module.startswith("pandas") and kind.__name__ == "DataFrame":
        import pandas as pd

        for start in range(0, len(records), _BATCH):
            chunk = records.iloc[start : start + _BATCH].to_dict("records")
            for offset, row in enumerate(chunk):
                clean = {
                    key: value
                    for key, value in row.items()
                    if not (value is None or (isinstance(value, float) and value != value))
                    and value is not pd.NA
                }
                yield start + offset + 1, strip_nulls(clean)
        return
    if module.startswith("datasets") and hasattr(records, "iter"):
        number = 0
        for batch in records.iter(batch_size=_BATCH):
            columns = list(batch)
            for index in range(len(batch[columns[0]]) if columns else 0):
                number += 1
                yield number, strip_nulls({name: batch[name][index] for name in columns})
        return
    yield from enumerate(records, 1)


@dataclass
class LoadResult:
    """A whole file read into memory: canonical records and what was wrong."""

    file: str
    format: FormatName | None
    records: list[dict[str, Any]]
    problems: list[Problem]


def _problem_frame(problems: list[Problem], lang: str | None) -> pd.DataFrame:
    """Problems as a table with localized headers and messages."""
    import pandas as pd

    columns = [text(f"column_{name}", lang) for name in ("file", "record", "field", "problem")]
    rows = [(p.file, p.record, p.field, p.localized(lang)) for p in problems]
    return pd.DataFrame(rows, columns=columns)


@dataclass
class ValidationReport:
    """How many records are valid for their training task, and what is wrong with the others."""

    file: str
    format: FormatName | None
    total: int
    valid: int
    problems: list[Problem]
    task: str | None = None
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every record is valid."""
        return not self.problems

    @property
    def invalid(self) -> int:
        """Number of distinct bad records."""
        return self.total - self.valid

    @property
    def counts(self) -> dict[str, int]:
        """How many problems of each kind (code), most frequent first."""
        return dict(Counter(p.code or "other" for p in self.problems).most_common())

    @property
    def usable(self) -> bool:
        """False when nothing in the input looked like a dataset record at all."""
        return self.total > 0 and self.format is not None

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """The problems as a table, headers and messages in ``lang``."""
        return _problem_frame(self.problems, lang)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The report as the CLI's ``--json`` prints it."""
        return {
            "file": self.file,
            "format": self.format,
            "task": self.task,
            "records": self.total,
            "valid": self.valid,
            "invalid": self.invalid,
            "kinds": self.kinds,
            "counts": self.counts,
            "problems": [problem.to_dict(lang) for problem in self.problems],
        }


Progress = Callable[[Iterator[Any]], Iterable[Any]]


Batches = Iterable[tuple[int, list[Any], list[str] | None]]  # what plain_batches yields


def _numbered(batches: Batches) -> Iterator[tuple[int, Any]]:
    """The fast path's batches one record at a time, blank lines left out."""
    for start, values, _ in batches:
        for number, value in enumerate(values, start):
            if value is not BLANK:
                yield number, value


def _validate(
    raw: Iterable[tuple[int, Any]],
    scan: _Scan,
    progress: Progress | None,
    batches: Batches | None = None,
) -> ValidationReport:
    """Count the good records by kind, from ``raw`` or from the fast path's ``batches``.

    A batch of plain records (see :mod:`.fast`) whose role patterns are all valid for SFT
    is counted in bulk; any other record goes through the detailed checker.
    """
    scan.check_tasks = True
    scan.strict = False
    fast = batches is not None and scan.task in (None, "sft")
    kinds: Counter[str] = Counter()
    valid = 0
    plain = 0  # plain records found valid in bulk or one by one: sft, every one

    def note_plain(count: int) -> None:
        nonlocal plain
        if not plain:
            scan.took_plain()
            kinds.setdefault("sft", 0)  # the order kinds are first seen in
        plain += count

    def good(items: Iterable[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
        """(number, canonical record or a valid PlainRecord) for each good record."""
        check = scan.check
        for number, record in items:
            if type(record) is PlainRecord:
                if fast and scan.plain_ok and sft_ok(record):
                    yield number, record
                    continue
                record = as_dict(record)
            canonical = check(number, record)
            if canonical is not None:
                yield number, canonical

    def count(records: Iterable[tuple[int, Any]]) -> None:
        nonlocal valid
        for _number, record in records:
            if type(record) is PlainRecord:
                note_plain(1)
            else:
                valid += 1
                kinds[kind_of(record)] += 1

    with gc_paused():
        if batches is None:
            count(progress(good(raw)) if progress else good(raw))
        elif progress is not None:
            count(progress(good(_numbered(batches))))
        else:
            for start, values, texts in batches:
                if (
                    texts is not None
                    and fast
                    and scan.plain_ok
                    and all(map(sft_pattern_ok, set(roles_of(values))))
                ):
                    note_plain(len(values))
                    continue
                count(good(_numbered([(start, values, texts)])))
    valid += plain
    kinds["sft"] += plain
    if not kinds["sft"]:
        del kinds["sft"]
    task = scan.task or (kinds.most_common(1)[0][0] if kinds else None)
    total = valid + len(scan.bad_records)
    return ValidationReport(
        scan.file,
        cast(FormatName | None, scan.format),
        total,
        valid,
        scan.problems,
        task,
        dict(kinds),
    )


def validate_file(
    path: str | os.PathLike[str],
    fmt: FormatName | None = None,
    *,
    task: Task | None = None,
    mapping: ColumnMapping | None = None,
    progress: Progress | None = None,
) -> ValidationReport:
    """Check every record of a file for its layout and its training task.

    ``task`` is ``sft``, ``preference``, ``unpaired`` or ``lm`` (default: what each
    record's layout implies). ``mapping`` renames columns and roles first (see
    :class:`~talimat.formats.ColumnMapping`). ``progress`` wraps the stream of good
    records, e.g. in a progress bar (the CLI's). A file that cannot be read at all raises
    :class:`~talimat.formats.InputError`.
    """
    scan = _start(fmt, mapping, task, os.fspath(path), False)
    if scan.fast(Path(path)):
        return _validate((), scan, progress, plain_batches(Path(path)))
    return _validate(_file_records(Path(path), scan), scan, progress)


def validate_records(
    records: Any,
    fmt: FormatName | None = None,
    *,
    task: Task | None = None,
    mapping: ColumnMapping | None = None,
    name: str = MEMORY,
) -> ValidationReport:
    """:func:`validate_file` for a list of dicts, a pandas DataFrame or a datasets.Dataset."""
    scan = _start(fmt, mapping, task, name, False)
    return _validate(_memory_rows(records), scan, None)


def iter_records(
    path: str | os.PathLike[str],
    fmt: FormatName | None = None,
    *,
    strict: bool = True,
    problems: list[Problem] | None = None,
    mapping: ColumnMapping | None = None,
    task: Task | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the canonical records of a file, one at a time.

    Reads ``.jsonl`` line by line (blank lines are skipped but counted), ``.parquet`` in
    batches, ``.csv`` (alpaca columns) row by row and ``.json`` (a list) whole. The layout
    is ``fmt``, or that of the first valid record; a later record in another layout is a
    problem. With ``strict=False`` bad records are appended to ``problems`` (required).
    With ``task``, records that cannot train it are bad too.
    """
    if not strict and problems is None:
        raise TypeError(text("needs_problem_list"))
    scan = _start(fmt, mapping, task, os.fspath(path), strict)
    scan.check_tasks = task is not None
    if problems is not None:
        scan.problems = problems
    raw = _file_records(Path(path), scan)
    return (cast(dict[str, Any], canonical) for _, canonical in scan.records(raw))


@dataclass(frozen=True, slots=True)
class PlainBatch:
    """Consecutive plain records that validation finds valid for SFT, read in bulk.

    What :func:`checked_batches` gives for a block of them, so that a reader measuring
    them in bulk (the profile) need not take them apart and gather them again.
    """

    first: int  #: the number (line) of the first record; the others follow it
    records: list[PlainRecord]
    patterns: list[tuple[str, ...]]  #: each record's roles
    texts: list[str]  #: every message's content, record by record


def checked_records(
    path: str | os.PathLike[str], fmt: str | None, problems: list[Problem]
) -> Iterator[tuple[int, Any]]:
    """(number, record) for every record of a file, checked as :func:`validate_file` checks it.

    The profile's reader: ``problems`` receives exactly the problems validation reports.
    A record is given in the form a profile reads — a :class:`~.fast.PlainRecord`, a
    canonical record (a preference pair as its preferred conversation, a plain text as
    one ``text`` turn), or, when the layout reader refused it, the raw value as it is
    (:class:`Bad` for a line that does not parse), for the caller to profile if it still
    can.
    """
    for item in checked_batches(path, fmt, problems):
        if type(item) is PlainBatch:
            yield from enumerate(item.records, item.first)
        else:
            yield item  # type: ignore[misc]


def checked_batches(
    path: str | os.PathLike[str],
    fmt: str | None,
    problems: list[Problem],
    span: Span | None = None,
    layout: list[str | None] | None = None,
) -> Iterator[PlainBatch | tuple[int, Any]]:
    """:func:`checked_records`, with blocks of plain records valid for SFT as one
    :class:`PlainBatch` each, in file order among the other records.

    With ``span`` (a JSONL file read by the fast path), only its lines are read. A span
    that does not start the file is read as the rest of a ``messages`` file: what the
    whole pass knows by then when the lines before it are messages records (the caller
    checks that they were, from ``layout``, which receives the layout the records were
    read as once they are all read; see :mod:`talimat.profile_workers`).
    """
    scan = _start(fmt, None, None, os.fspath(path), False)
    scan.problems = problems
    scan.check_tasks = True
    scan.keep = True
    source = Path(path)
    if span is not None:
        if not scan.fast(source):
            raise ValueError(f"a span is read by the fast path only, not for {source}")
        if span.start > 0:
            scan.took_plain()

    def checked(number: int, record: Any) -> tuple[int, Any]:
        canonical = scan.check(number, record)
        if canonical is None:
            return number, record
        if "messages" not in canonical:  # TRL language modeling: one document, no roles
            return number, {"messages": [{"role": "text", "content": canonical["text"]}]}
        if "chosen" in canonical:  # a preference pair: its preferred conversation
            return number, {"messages": [*canonical["messages"], *canonical["chosen"]]}
        return number, canonical

    if not scan.fast(source):
        for number, record in _file_records(source, scan):
            yield checked(number, record)
    else:
        yield from _checked_fast(scan, source, span, checked)
    if layout is not None:
        layout.append(scan.format)


def _checked_fast(
    scan: _Scan,
    source: Path,
    span: Span | None,
    checked: Callable[[int, Any], tuple[int, Any]],
) -> Iterator[PlainBatch | tuple[int, Any]]:
    """:func:`checked_batches` on the fast path: plain JSONL lines read in blocks."""
    for start, values, texts in plain_batches(source, span):
        if texts is not None and scan.plain_ok:
            patterns = roles_of(values)
            if all(map(sft_pattern_ok, set(patterns))):
                scan.took_plain()
                yield PlainBatch(start, values, patterns, texts)
                continue
        for number, value in enumerate(values, start):
            if value is BLANK:
                continue
            if type(value) is PlainRecord:
                if scan.plain_ok and sft_ok(value):
                    scan.took_plain()
                    yield number, value
                    continue
                value = as_dict(value)
            yield checked(number, value)


class NumberedScan:
    """The ``(number, canonical record)`` pairs of a file, streamed, numbered as problems are.

    ``format`` is the layout once the first good record is read (or the one given);
    with ``strict=False`` bad records go to ``problems`` instead of raising. The commands that
    report records by number (``tokens``, ``filter``, ``dedup``) read through this.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fmt: str | None = None,
        *,
        strict: bool = True,
        problems: list[Problem] | None = None,
        mapping: ColumnMapping | None = None,
    ) -> None:
        self.file = os.fspath(path)
        self._scan = _start(fmt, mapping, None, self.file, strict)
        if problems is not None:
            self._scan.problems = problems
        self._raw = _file_records(Path(path), self._scan)

    @property
    def format(self) -> str | None:
        """The layout (one of ``FORMATS``), once known."""
        return self._scan.format

    @property
    def problems(self) -> list[Problem]:
        """Every bad record met so far (with ``strict=False``)."""
        return self._scan.problems

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for number, canonical in self._scan.records(self._raw):
            yield number, cast(dict[str, Any], canonical)


def read_records(
    path: str | os.PathLike[str],
    fmt: FormatName | None = None,
    *,
    strict: bool = True,
    mapping: ColumnMapping | None = None,
) -> LoadResult:
    """Read a whole file into canonical records (see :func:`iter_records`)."""
    scan = _start(fmt, mapping, None, os.fspath(path), strict)
    raw = _file_records(Path(path), scan)
    records = [cast(dict[str, Any], canonical) for _, canonical in scan.records(raw)]
    return LoadResult(os.fspath(path), cast(FormatName | None, scan.format), records, scan.problems)


# --------------------------------------------------------------------------- conversion


@dataclass
class ConversionReport:
    """What :func:`convert_file` wrote, skipped as bad, and refused as lossy."""

    source: str
    target: str
    source_format: FormatName | None
    target_format: FormatName
    total: int
    converted: int
    problems: list[Problem]
    lossy: list[Problem]
    kept_keys: dict[str, int] = field(default_factory=dict)
    written: bool = True

    @property
    def ok(self) -> bool:
        """True when every record was converted."""
        return not self.problems and not self.lossy

    @property
    def counts(self) -> dict[str, int]:
        """How many skipped records of each kind (code)."""
        return dict(Counter(p.code or "other" for p in [*self.problems, *self.lossy]).most_common())

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """Bad and lossy records as one table, headers and messages in ``lang``."""
        return _problem_frame([*self.problems, *self.lossy], lang)


@dataclass
class ConversionResult:
    """Records converted in memory, with what was skipped (see :func:`convert_records`)."""

    records: list[dict[str, Any]]
    report: ConversionReport


class _Converter:
    """Canonical records → target records, counting kept keys and refusing lossy ones."""

    def __init__(self, target: str, scan: _Scan, keep_layout: bool) -> None:
        self.writer = WRITERS[target]
        self.own = _OWN_KEYS[target]
        self.scan = scan
        self.keep_layout = keep_layout
        self.lossy: list[Problem] = []
        self.kept: Counter[str] = Counter()
        self._extras: dict[tuple[str, ...], tuple[str, ...]] = {}

    def convert(
        self, records: Iterable[tuple[int, Mapping[str, Any]]]
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        one = self.one
        for number, canonical in records:
            out = one(number, canonical)
            if out is not None:
                yield number, out

    def one(self, number: int, canonical: Mapping[str, Any]) -> dict[str, Any] | None:
        """One canonical record in the target layout, or None when it is lossy (listed)."""
        try:
            out = self.writer(canonical)
        except Lossy as exc:
            error = exc.error(self.scan.file, number)
            if self.scan.strict:
                raise error from None
            self.lossy.append(cast(Problem, error.problem))
            return None
        if not self.keep_layout:
            out.pop(LAYOUT_KEY, None)
        keys = tuple(out)
        extras = self._extras.get(keys)
        if extras is None:
            extras = self._extras[keys] = tuple(
                k for k in keys if k not in self.own and k != LAYOUT_KEY
            )
        if extras:
            self.kept.update(extras)
        return out


def convert_file(
    source: str | os.PathLike[str],
    target_path: str | os.PathLike[str],
    target: FormatName,
    *,
    source_format: FormatName | None = None,
    strict: bool = True,
    keep_layout: bool = True,
    mapping: ColumnMapping | None = None,
    progress: Progress | None = None,
) -> ConversionReport:
    """Convert a file to ``target`` and write it by suffix: .jsonl, .json, .parquet (streamed).

    The output is written to a temporary file beside the target and renamed into place
    when the conversion finishes; the target may not be the source (or a link to it).
    With ``strict=False`` bad and lossy records are skipped and listed in the report, and
    when nothing converts the target is left as it was (``report.written`` is False).
    ``keep_layout=False`` leaves out ``_layout``, at the cost of exact round trips.
    ``progress`` wraps the stream of records read, e.g. in a progress bar.
    """
    name = check_format_name(target)
    source_path, out_path = Path(source), Path(target_path)
    if suffix_of(out_path) not in WRITE_SUFFIXES:
        raise FormatError(
            text("unknown_target_suffix", None, file=os.fspath(out_path), suffix=out_path.suffix)
        )
    scan = _start(source_format, mapping, None, os.fspath(source), strict)
    # The fast path writes plain messages records as ShareGPT without building them twice.
    fast = name == "sharegpt" and scan.fast(source_path)
    batches = plain_batches(source_path) if fast else None
    raw = _numbered(batches) if batches is not None else _file_records(source_path, scan)
    check_not_input(out_path, [source_path])
    from_text = suffix_of(source_path) != ".parquet"
    converter = _Converter(name, scan, keep_layout)
    # Parquet takes the fast path's rows as they are (io builds their columns directly).
    rows_ok = suffix_of(out_path) == ".parquet"

    def good(items: Iterable[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
        """(number, a fast ShareGPT row or the canonical record) for each good record."""
        check = scan.check
        for number, record in items:
            if type(record) is PlainRecord:
                if scan.plain_ok:
                    row = sharegpt_row(record)
                    if row is not None:
                        scan.took_plain()
                        yield number, row
                        continue
                record = as_dict(record)
            canonical = check(number, record)
            if canonical is not None:
                yield number, canonical

    def encoded(records: Iterable[tuple[int, Any]]) -> Iterator[Any]:
        one = converter.one
        for number, record in records:
            if type(record) is tuple:
                yield record if rows_ok else row_line(record)
                continue
            out = one(number, record)
            if out is None:
                continue
            try:
                yield encode(out, check_numbers=not from_text)
            except Bad as bad:
                scan.fail(bad, number)

    def bulk(batches: Batches) -> Iterator[Any]:
        """Batches of plain records whose role patterns ShareGPT holds, written in bulk."""
        for start, values, texts in batches:
            if texts is not None and scan.plain_ok:
                patterns = roles_of(values)
                plans = {roles: sharegpt_plan(roles) for roles in set(patterns)}
                if None not in plans.values():
                    scan.took_plain()
                    # Encoded by the writer, in its own form, in a few calls per batch.
                    yield ShareGPTBatch(patterns, plans, texts)  # type: ignore[arg-type]
                    continue
            yield from encoded(good(_numbered([(start, values, texts)])))

    def lines() -> Iterator[Any]:
        if batches is not None and progress is None:
            return bulk(batches)
        return encoded(progress(good(raw)) if progress else good(raw))

    with atomic_target(out_path) as pending, gc_paused():
        count = write_encoded(lines(), out_path, pending.path)
        written = bool(count) or not (scan.problems or converter.lossy)
        pending.commit = written
    total = count + len(scan.bad_records) + len({p.record for p in converter.lossy})
    if count == 0 and not scan.detected:
        if total == 0:
            raise InputError(text("no_records", None, file=os.fspath(source)))
        if {p.code for p in scan.problems} <= {"unknown_format", "not_object"}:
            raise InputError(text("not_a_dataset", None, file=os.fspath(source)))
    return ConversionReport(
        os.fspath(source),
        os.fspath(out_path),
        cast(FormatName | None, scan.format),
        name,
        total,
        count,
        scan.problems,
        converter.lossy,
        dict(converter.kept),
        written,
    )


def convert_records(
    records: Any,
    target: FormatName,
    *,
    source_format: FormatName | None = None,
    strict: bool = True,
    keep_layout: bool = True,
    mapping: ColumnMapping | None = None,
    name: str = MEMORY,
) -> ConversionResult:
    """:func:`convert_file` for a list of dicts, a DataFrame or a Dataset; records returned."""
    target_name = check_format_name(target)
    scan = _start(source_format, mapping, None, name, strict)
    converter = _Converter(target_name, scan, keep_layout)
    out = [record for _, record in converter.convert(scan.records(_memory_rows(records)))]
    total = len(out) + len(scan.bad_records) + len({p.record for p in converter.lossy})
    report = ConversionReport(
        name,
        MEMORY,
        cast(FormatName | None, scan.format),
        target_name,
        total,
        len(out),
        scan.problems,
        converter.lossy,
        dict(converter.kept),
        False,
    )
    return ConversionResult(out, report)


def write_records(
    records: Iterable[Mapping[str, Any]],
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> int:
    """Write records as they are to ``path`` (.jsonl, .json or .parquet); return how many.

    The same writer the CLI uses: atomic (a temporary file renamed into place), streamed,
    refusing to write over any of ``inputs`` and any value JSON cannot hold (NaN, lone
    surrogates), which raises :class:`RecordError` naming the record.
    """
    out_path = Path(path)
    if suffix_of(out_path) not in WRITE_SUFFIXES:
        raise FormatError(
            text("unknown_target_suffix", None, file=os.fspath(out_path), suffix=out_path.suffix)
        )
    check_not_input(out_path, list(inputs))
    file = os.fspath(out_path)

    def lines() -> Iterator[bytes]:
        for number, record in enumerate(records, 1):
            try:
                yield encode(record)
            except Bad as bad:
                raise RecordError(bad.problem(file, number)) from None

    with atomic_target(out_path) as pending:
        return write_encoded(lines(), out_path, pending.path)


# --------------------------------------------------------------------------- one record


def detect_format(record: Mapping[str, Any]) -> FormatName:
    """Name the layout a record is in, from its keys (:func:`to_messages` checks the values)."""
    if not isinstance(record, Mapping):
        raise FormatError(render("not_object", None, (("actual_type", json_type(record)),)))
    found = detect(record)
    if found is None:
        raise FormatError(text("unknown_format"))
    return found


def to_messages(
    record: Mapping[str, Any],
    fmt: FormatName | None = None,
    *,
    file: str = MEMORY,
    number: int = 1,
    mapping: ColumnMapping | None = None,
) -> dict[str, Any]:
    """Check a record and return its canonical form (``messages`` and, for pairs, more).

    Keys the layout does not define are kept as they are. ``file`` and ``number`` only
    label the :class:`RecordError` raised for a bad record.
    """
    try:
        if not isinstance(record, Mapping):
            raise Bad("<record>", "not_object", actual_type=json_type(record))
        if mapping is not None:
            record = mapping.apply(record)
            fmt = cast(FormatName, mapping.formatting)
        source = check_format_name(fmt) if fmt is not None else detect(record)
        if source is None:
            raise Bad("<record>", "unknown_format")
        return dict(READERS[source](record))
    except Bad as bad:
        raise RecordError(bad.problem(file, number)) from None
    except RecursionError:
        raise RecordError(Bad("<record>", "too_deep").problem(file, number)) from None


def from_messages(record: Mapping[str, Any], target: FormatName) -> dict[str, Any]:
    """Turn a canonical record into ``target``, exactly or not at all.

    Raises :class:`LossyConversionError` when ``target`` cannot carry the record (tool
    turns or a final user turn in alpaca, a system turn in the middle, turns that do not
    alternate, a preference pair in ``messages``), so that no conversion silently drops
    or merges text.
    """
    writer = WRITERS[check_format_name(target)]
    canonical = to_messages(record, "messages") if "messages" in record else dict(record)
    try:
        return writer(canonical)
    except Lossy as lossy:
        raise lossy.error() from None


def convert_record(
    record: Mapping[str, Any], target: FormatName, source: FormatName | None = None
) -> dict[str, Any]:
    """Convert one record from ``source`` (detected when None) to ``target``."""
    writer = WRITERS[check_format_name(target)]
    canonical = to_messages(record, source)
    try:
        return writer(canonical)
    except Lossy as lossy:
        raise lossy.error() from None


def check_record(
    record: Mapping[str, Any],
    fmt: FormatName | None = None,
    *,
    task: Task | None = None,
    number: int = 1,
    file: str = MEMORY,
) -> list[Problem]:
    """Every problem of one record, for its layout and training task; [] when valid."""
    try:
        canonical = to_messages(record, fmt, file=file, number=number)
    except RecordError as error:
        return [error.problem]
    return [bad.problem(file, number) for bad in check_task(canonical, _check_task_name(task))]


@dataclass(frozen=True)
class ExampleValidator:
    """A picklable per-example check for ``datasets.Dataset.map(num_proc=…)``.

    Returns ``{"valid": bool, "problems": [code, …]}`` for each example; Arrow's nulls
    for absent fields are dropped first.
    """

    fmt: FormatName | None = None
    task: Task | None = None

    def __call__(self, example: Mapping[str, Any]) -> dict[str, Any]:
        problems = check_record(strip_nulls(dict(example)), self.fmt, task=self.task)
        return {"valid": not problems, "problems": [p.code for p in problems]}


@dataclass(frozen=True)
class ExampleConverter:
    """A picklable per-example conversion for ``datasets.Dataset.map(num_proc=…)``.

    Use with ``remove_columns=dataset.column_names``; a record the target cannot hold
    raises :class:`LossyConversionError` naming the reason. ``keep_layout=False`` leaves
    out the ``_layout`` column, at the cost of exact round trips.
    """

    target: FormatName
    source: FormatName | None = None
    keep_layout: bool = True

    def __call__(self, example: Mapping[str, Any]) -> dict[str, Any]:
        out = convert_record(strip_nulls(dict(example)), self.target, self.source)
        if self.keep_layout:
            out.setdefault(LAYOUT_KEY, None)  # Dataset.map needs the same columns in every row
        else:
            out.pop(LAYOUT_KEY, None)
        return out
