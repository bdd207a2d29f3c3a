"""Build a training mixture from several sources with target shares.

The typical case: a small domain set (a few hundred records) augmented with open data so
that, say, 30% of the mixture is code, 20% math and 50% general instructions:

>>> from talimat.mix import Source, build_mixture
>>> code = [{"messages": [{"role": "user", "content": f"code {i}"}]} for i in range(5)]
>>> chat = [{"messages": [{"role": "user", "content": f"chat {i}"}]} for i in range(20)]
>>> mixture = build_mixture([Source("code", code, 0.3), Source("chat", chat, 0.7)], total=10)
>>> mixture.report["taken"].tolist()
[3, 7]

Counts per source are ``share × total`` rounded by the largest-remainder method, so they
always add up to ``total``. A source with fewer records than its count is up-sampled:
whole passes over it first, then a seeded random remainder, so no record is repeated more
than once more than any other.
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from talimat.errors import TalimatError

from .language import format_number, format_share, messages, resolve_language

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Mixture",
    "MixtureError",
    "Source",
    "build_mixture",
    "largest_remainder_counts",
]

_ = messages("mix")

SHARE_TOLERANCE = 1e-6
SOURCE_TAG = "source"


class MixtureError(TalimatError):
    """Bad mixture input: shares that do not add up, an empty source, a bad total."""


@dataclass(frozen=True)
class Source:
    """One input of a mixture: a name, its records and the share of the total it should get."""

    name: str
    records: Sequence[Mapping[str, Any]]
    share: float


def largest_remainder_counts(shares: Sequence[float], total: int) -> list[int]:
    """Split ``total`` in proportion to ``shares``; the counts always add up to ``total``.

    Each count is ``share × total`` rounded down, and the seats left over go to the largest
    remainders (ties to the earlier share). Arithmetic is exact, so the result does not
    depend on float rounding:

    >>> largest_remainder_counts([0.3, 0.2, 0.5], 7)
    [2, 1, 4]
    """
    if total < 0:
        raise MixtureError(f"total must be 0 or more, not {total}")
    exact = [Fraction(share) for share in shares]
    if any(share < 0 for share in exact):
        raise MixtureError("shares must be 0 or more")
    weight = sum(exact)
    if weight == 0:
        raise MixtureError("shares must not all be 0")
    quotas = [share / weight * total for share in exact]
    counts = [math.floor(quota) for quota in quotas]
    left = total - sum(counts)
    by_remainder = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for index in by_remainder[:left]:
        counts[index] += 1
    return counts


def _check(sources: Sequence[Source], total: int) -> None:
    if isinstance(total, bool) or not isinstance(total, int) or total <= 0:
        raise MixtureError(f"field 'total': expected a positive whole number, got {total!r}")
    if not sources:
        raise MixtureError("no sources given")
    names: set[str] = set()
    for source in sources:
        if not isinstance(source.name, str) or not source.name:
            raise MixtureError(f"source {source.name!r}, field 'name': expected a non-empty name")
        if source.name in names:
            raise MixtureError(f"source {source.name!r}, field 'name': the name is used twice")
        names.add(source.name)
        share = source.share
        if (
            isinstance(share, bool)
            or not isinstance(share, int | float)
            or not math.isfinite(share)
        ):
            raise MixtureError(
                f"source {source.name!r}, field 'share': expected a number, got {share!r}"
            )
        if not 0 <= share <= 1:
            raise MixtureError(f"source {source.name!r}, field 'share': {share} is outside 0…1")
    shares_sum = math.fsum(source.share for source in sources)
    if abs(shares_sum - 1) > SHARE_TOLERANCE:
        listing = ", ".join(f"{source.name}={source.share:g}" for source in sources)
        raise MixtureError(f"field 'share': shares add up to {shares_sum:g}, not 1 ({listing})")


@dataclass(frozen=True)
class _ReportRow:
    """One source's line of the mixture report, with plain Python values."""

    source: str
    available: int
    taken: int
    repeats: int
    actual_share: float


@dataclass
class Mixture:
    """The mixed records (each tagged with its source) and a report of what was taken."""

    records: list[dict[str, Any]]
    report: pd.DataFrame
    seed: int
    lang: str | None = None

    def report_table(self, lang: str | None = None) -> pd.DataFrame:
        """The report with headers in the reader's language (values stay numeric)."""
        language = resolve_language(lang if lang is not None else self.lang)
        return self.report.rename(columns={c: _(f"col_{c}", language) for c in self.report.columns})

    def _rows(self) -> list[_ReportRow]:
        return [
            _ReportRow(
                source=str(row["source"]),
                available=int(row["available"]),
                taken=int(row["taken"]),
                repeats=int(row["repeats"]),
                actual_share=float(row["actual_share"]),
            )
            for row in self.report.to_dict("records")
        ]

    def summary(self, lang: str | None = None) -> str:
        """A short paragraph: how many records from where, and which sources were repeated."""
        language = resolve_language(lang if lang is not None else self.lang)
        total = len(self.records)
        parts = [
            _(
                "summary_part",
                language,
                source=row.source,
                taken=format_number(row.taken, language),
                share=format_share(row.actual_share, language),
            )
            for row in self._rows()
        ]
        sentences = [
            _(
                "summary_head",
                language,
                total=format_number(total, language),
                sources=format_number(len(self.report), language),
                seed=self.seed,
                parts=", ".join(parts),
            )
        ]
        for row in self._rows():
            if row.repeats > 0:
                sentences.append(
                    _(
                        "summary_upsampled",
                        language,
                        source=row.source,
                        available=format_number(row.available, language),
                        factor=format_number(row.taken / row.available, language, 1),
                        repeats=format_number(row.repeats, language),
                    )
                )
        return " ".join(sentences)

    def to_jsonl(self, path: str | os.PathLike[str]) -> None:
        """Write the mixed records as JSON Lines (UTF-8, Turkish characters kept as they are)."""
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            for record in self.records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _pick(source: Source, count: int, seed: int, allow_upsampling: bool, total: int) -> list[int]:
    """Indices into ``source.records``: without replacement, or whole passes plus a remainder."""
    available = len(source.records)
    rng = random.Random(f"{seed}:{source.name}")  # a source's draw ignores the other sources
    if count <= available:
        return rng.sample(range(available), count)
    if not allow_upsampling:
        raise MixtureError(
            f"source {source.name!r}, field 'records': has {available} records but its share "
            f"{source.share:g} of {total} needs {count}; lower the share or allow up-sampling"
        )
    passes, remainder = divmod(count, available)
    return [*range(available)] * passes + rng.sample(range(available), remainder)


def build_mixture(
    sources: Sequence[Source],
    total: int,
    *,
    seed: int = 0,
    allow_upsampling: bool = True,
    shuffle: bool = True,
    lang: str | None = None,
) -> Mixture:
    """Mix ``sources`` into ``total`` records with the given shares.

    Shares must add up to 1 (within 1e-6). Each source is down-sampled without replacement,
    or, when it is too small and ``allow_upsampling`` is true, repeated in whole passes with
    a seeded random remainder. The same ``seed`` gives the same mixture. Every record is a
    shallow copy of its original with ``"source"`` set to the source name (an existing
    ``"source"`` key is overwritten). ``shuffle`` interleaves the sources; without it they
    follow one another in the order given.
    """
    import pandas as pd

    _check(sources, total)
    counts = largest_remainder_counts([source.share for source in sources], total)
    for source, count in zip(sources, counts, strict=True):
        if count > 0 and not source.records:
            raise MixtureError(
                f"source {source.name!r}, field 'records': no records, but its share "
                f"{source.share:g} asks for {count}"
            )

    mixed: list[dict[str, Any]] = []
    rows = []
    for source, count in zip(sources, counts, strict=True):
        indices = _pick(source, count, seed, allow_upsampling, total)
        mixed.extend({**source.records[i], SOURCE_TAG: source.name} for i in indices)
        unique = len(set(indices))
        rows.append(
            {
                "source": source.name,
                "available": len(source.records),
                "target_share": float(source.share),
                "taken": count,
                "unique_taken": unique,
                "repeats": count - unique,
                "actual_share": count / total,
            }
        )
    if shuffle:
        random.Random(f"{seed}:shuffle").shuffle(mixed)
    return Mixture(records=mixed, report=pd.DataFrame(rows), seed=seed, lang=lang)
