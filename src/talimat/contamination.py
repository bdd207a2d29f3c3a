"""Benchmark contamination: word n-grams that training records share with a benchmark.

A model evaluated on questions it was trained on scores well for the wrong reason. The
check published practice uses is n-gram overlap: cut every benchmark item and every
training record into word n-grams and report the records that share at least one with an
item. The benchmark side is small and held in memory as an index from n-gram to items; the
training side is streamed, so the training set can be as large as a disk holds.

Words come from :func:`talimat.profile.normalize_text` (case folded the Turkish way,
punctuation removed) with ``ı`` and ``i`` merged, so a question copied with different
capitals or punctuation is still found, whatever language it is in.

A benchmark file is read as MT-Bench's ``question.jsonl`` is written (``question_id`` and a
list of ``turns``), or as any instruction dataset ``talimat`` reads (its user turns).
Benchmark items are named by their ``question_id`` (or ``id``) when they have one, else by
their 1-based record number.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from talimat.errors import TalimatError

from .language import format_number, messages, resolve_language
from .words import words

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_NGRAM",
    "BenchmarkIndex",
    "ContaminationError",
    "ContaminationReport",
    "Overlap",
    "find_contamination",
    "ngrams",
    "read_benchmark",
]

_ = messages("contamination")

#: GPT-3's decontamination used 13-grams (Brown et al., 2020, appendix C).
DEFAULT_NGRAM = 13


class ContaminationError(TalimatError):
    """A bad benchmark file or setting; the message names the file and record."""


def ngrams(text: str, n: int = DEFAULT_NGRAM) -> set[tuple[str, ...]]:
    """The word ``n``-grams of ``text`` after normalization (empty when it is shorter)."""
    if n < 1:
        raise ContaminationError(_("bad_ngram", None, value=n))
    found = words(text, merge_dotless_i=True)  # a copy in capitals must not be missed
    return {tuple(found[i : i + n]) for i in range(len(found) - n + 1)}


def _prompts(record: Mapping[str, Any]) -> str:
    return "\n".join(
        str(message.get("content") or "")
        for message in record.get("messages") or []
        if message.get("role") == "user"
    )


def read_benchmark(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """``(item id, text)`` for every item of a benchmark file.

    MT-Bench-style JSONL (``turns``: a list of strings) is read directly; anything else
    goes through :func:`talimat.formats.iter_records` and its user turns are the text.
    """
    source = Path(path)
    first = _first_object(source)
    if first is not None and "turns" in first:
        return list(_turn_items(source))
    from .streams import numbered_records

    items = []
    for number, record in numbered_records(source):
        identifier = record.get("question_id", record.get("id", number))
        items.append((str(identifier), _prompts(record)))
    return items


def _first_object(path: Path) -> dict[str, Any] | None:
    if path.suffix.lower() not in (".jsonl", ".ndjson"):
        return None
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                try:
                    value = json.loads(line)
                except ValueError:
                    return None
                return value if isinstance(value, dict) else None
    return None


def _turn_items(path: Path) -> Iterator[tuple[str, str]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError:
                raise ContaminationError(
                    _("bad_json", None, file=os.fspath(path), record=number)
                ) from None
            turns = item.get("turns") if isinstance(item, dict) else None
            if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
                raise ContaminationError(_("bad_turns", None, file=os.fspath(path), record=number))
            identifier = item.get("question_id", item.get("id", number))
            yield str(identifier), "\n".join(turns)


class BenchmarkIndex:
    """Every n-gram of a benchmark, mapped to the items it occurs in."""

    def __init__(self, items: Iterable[tuple[str, str]], n: int = DEFAULT_NGRAM) -> None:
        if n < 1:
            raise ContaminationError(_("bad_ngram", None, value=n))
        self.n = n
        self.items: list[str] = []
        self._index: dict[tuple[str, ...], list[str]] = defaultdict(list)
        self.short: list[str] = []
        for identifier, text in items:
            self.items.append(identifier)
            grams = ngrams(text, n)
            if not grams:
                self.short.append(identifier)  # shorter than n words: it cannot be found
            for gram in grams:
                self._index[gram].append(identifier)

    def __len__(self) -> int:
        return len(self.items)

    def overlaps(self, text: str) -> dict[str, list[str]]:
        """The items that share an n-gram with ``text``, each with the shared n-grams."""
        found: dict[str, list[str]] = defaultdict(list)
        for gram in sorted(ngrams(text, self.n)):
            for identifier in self._index.get(gram, ()):
                found[identifier].append(" ".join(gram))
        return dict(found)


@dataclass(frozen=True)
class Overlap:
    """One training record that shares n-grams with one benchmark item."""

    record: int
    benchmark_item: str
    ngrams: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        item: int | str = (
            int(self.benchmark_item) if self.benchmark_item.isdigit() else (self.benchmark_item)
        )
        return {"record": self.record, "benchmark_item": item, "ngrams": list(self.ngrams)}


@dataclass
class ContaminationReport:
    """Records checked, and each (record, benchmark item) pair that overlaps."""

    n: int
    benchmark_items: int
    records: int = 0
    contaminated: list[Overlap] = field(default_factory=list)

    @property
    def contaminated_records(self) -> int:
        return len({overlap.record for overlap in self.contaminated})

    def summary(self, lang: str | None = None) -> str:
        language = resolve_language(lang)
        return _(
            "summary",
            language,
            records=format_number(self.records, language),
            items=format_number(self.benchmark_items, language),
            n=self.n,
            contaminated=format_number(self.contaminated_records, language),
        )

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        import pandas as pd

        language = resolve_language(lang)
        rows = [(o.record, o.benchmark_item, len(o.ngrams), o.ngrams[0]) for o in self.contaminated]
        names = ("record", "benchmark_item", "shared", "example")
        return pd.DataFrame(rows, columns=[_(f"col_{name}", language) for name in names])

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "contaminated": [overlap.to_json() for overlap in self.contaminated],
        }


def find_contamination(
    records: Iterable[tuple[int, Mapping[str, Any]]],
    benchmark: BenchmarkIndex,
    *,
    all_turns: bool = True,
) -> ContaminationReport:
    """Check every ``(number, record)`` against the benchmark in one streaming pass.

    With ``all_turns`` (the default) the whole record is checked, answers included, since a
    benchmark question can hide in an answer too; otherwise only the user turns.
    """
    report = ContaminationReport(benchmark.n, len(benchmark))
    for number, record in records:
        report.records += 1
        text = (
            "\n".join(str(m.get("content") or "") for m in record.get("messages") or [])
            if all_turns
            else _prompts(record)
        )
        for identifier, shared in benchmark.overlaps(text).items():
            report.contaminated.append(Overlap(number, identifier, tuple(shared)))
    return report
