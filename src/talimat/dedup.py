"""Find repeated records: exact, normalized and near-duplicates (MinHash + LSH).

Three levels, each catching what the one before misses:

exact
    the same roles and the same texts, byte for byte;
normalized
    the same after :func:`talimat.profile.normalize_text` (case folded the Turkish way,
    punctuation and extra spaces removed), so ``"İade nasıl yapılır?"`` and
    ``"iade nasıl yapılır"`` are one record;
near
    texts whose sets of word shingles overlap by at least ``threshold`` (Jaccard
    similarity), estimated with MinHash signatures and found without comparing every pair
    thanks to locality-sensitive hashing (LSH), both from ``datasketch``.

Shingles are Turkish-aware: words come from :func:`~talimat.profile.normalize_text`, so
``I``/``ı`` and ``İ``/``i`` fold the Turkish way, and ``prefix`` can cut every word to its
first few letters, so that the same stem with different suffixes (``kitabım``,
``kitabınız``) counts as the same word: in Turkish retrieval experiments, cutting words to
their first five letters worked about as well as a lemmatizer-based stemmer (Can et al., 2008).

Every removed record is reported with the earlier record it repeats and the similarity,
numbered from 1 as ``talimat validate`` numbers them. Records are streamed, and what is
remembered of the kept ones (two 8-byte keys for the exact and normalized checks and, with
``near=True``, a MinHash signature of ``num_perm`` 32-bit values and its LSH band keys) lives
in a temporary SQLite file, never in memory (``talimat.dedup_index``): memory stays flat
in the record count, apart from the list of removed records the report returns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from talimat.errors import TalimatError

from .dedup_index import KeptIndex, band_keys, band_params
from .language import format_number, messages, resolve_language
from .profile import normalize_text
from .words import words

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BATCH",
    "DEFAULT_THRESHOLD",
    "DedupError",
    "DedupResult",
    "Removed",
    "deduplicate_records",
    "jaccard",
    "minhashes",
    "pairs_frame",
    "record_text",
    "shingles",
    "signatures",
    "similar_pairs",
]

_ = messages("dedup")

DEFAULT_THRESHOLD = 0.8
#: How many records are decided together, with one batch of index look-ups and one write.
BATCH = 1_000
Kind = Literal["exact", "normalized", "near"]


class DedupError(TalimatError):
    """A bad setting: a threshold outside (0, 1], a shingle size or batch below 1."""


def record_text(record: Mapping[str, Any]) -> str:
    """The text of a canonical record that near-duplicate detection compares.

    User and assistant turns, one per line; system prompts are left out, because a dataset
    often repeats one system prompt in every record and it would make unrelated records look
    alike.
    """
    turns = record.get("messages") or []
    return "\n".join(
        str(message.get("content") or "")
        for message in turns
        if isinstance(message, Mapping) and message.get("role") != "system"
    )


def shingles(text: str, n: int = 3, prefix: int | None = None) -> set[str]:
    """The word ``n``-grams of ``text`` after Turkish-aware normalization.

    >>> sorted(shingles("İade süresi KAÇ gün?", n=2))
    ['iade süresi', 'kaç gün', 'süresi kaç']

    ``prefix`` cuts each word to its first ``prefix`` characters before the shingles are
    made. A text with fewer than ``n`` words gives one shingle, the whole text.
    """
    if n < 1:
        raise DedupError(_("bad_ngram", None, value=n))
    found = words(text)
    if prefix is not None:
        found = [word[:prefix] for word in found]
    if len(found) < n:
        return {" ".join(found)} if found else set()
    return {" ".join(found[i : i + n]) for i in range(len(found) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """The exact Jaccard similarity of two shingle sets: shared over all."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _digest(parts: Iterable[str]) -> int:
    """An 8-byte hash of ``parts``, signed, as SQLite stores integers."""
    hasher = hashlib.blake2b(digest_size=8)
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\x00")
    return int.from_bytes(hasher.digest(), "little", signed=True)


def _keys(record: Mapping[str, Any]) -> tuple[int, int]:
    """Exact and normalized keys of a record: 8-byte hashes of its roles and texts."""
    exact: list[str] = []
    folded: list[str] = []
    for message in record.get("messages") or []:
        role = str(message.get("role", ""))
        content = str(message.get("content") or "")
        exact += [role, content]
        folded += [role, normalize_text(content)]
    return _digest(exact), _digest(folded)


def _check(threshold: float, ngram: int) -> None:
    if not 0 < threshold <= 1:
        raise DedupError(_("bad_threshold", None, value=threshold))
    if ngram < 1:
        raise DedupError(_("bad_ngram", None, value=ngram))


def minhashes(
    texts: Iterable[str],
    *,
    num_perm: int = 128,
    ngram: int = 3,
    prefix: int | None = None,
    seed: int = 1,
) -> list[Any]:
    """The datasketch ``MinHash`` of each text's shingles, in one ``MinHash.bulk`` call.

    The permutations are drawn once for all texts (the same for the same ``seed``).
    """
    from datasketch import MinHash

    grams = [
        [gram.encode("utf-8", "surrogatepass") for gram in shingles(text, ngram, prefix)]
        for text in texts
    ]
    return MinHash.bulk(grams, num_perm=num_perm, seed=seed)


def signatures(
    texts: Iterable[str],
    *,
    num_perm: int = 128,
    ngram: int = 3,
    prefix: int | None = None,
    seed: int = 1,
) -> np.ndarray:
    """The :func:`minhashes` values of ``texts`` as one ``(n, num_perm)`` uint32 array.

    MinHash values are below 2**32 (datasketch's hash range), so 32 bits hold them.
    """
    found = minhashes(texts, num_perm=num_perm, ngram=ngram, prefix=prefix, seed=seed)
    if not found:
        return np.empty((0, num_perm), dtype=np.uint32)
    return np.stack([minhash.hashvalues for minhash in found]).astype(np.uint32)


def similar_pairs(
    texts: Iterable[str],
    threshold: float = 0.5,
    *,
    num_perm: int = 128,
    ngram: int = 3,
    prefix: int | None = None,
) -> list[tuple[int, int, float, float]]:
    """Every pair of texts that LSH proposes at ``threshold``, with both similarities.

    Returns ``(i, j, estimated, exact)`` tuples (0-based positions, ``i < j``), where
    ``estimated`` comes from the MinHash signatures and ``exact`` is :func:`jaccard` of the
    shingle sets, sorted from the most similar pair down. It keeps every text in memory, in
    datasketch's own in-memory ``MinHashLSH``, to let a reader look at the pairs around a
    threshold before choosing one; the streaming :func:`deduplicate_records` is for whole
    files.
    """
    from datasketch import MinHashLSH

    _check(threshold, ngram)
    texts = list(texts)
    grams = [shingles(text, ngram, prefix) for text in texts]
    found = minhashes(texts, num_perm=num_perm, ngram=ngram, prefix=prefix)
    lsh = MinHashLSH(threshold, num_perm, params=band_params(threshold, num_perm))
    pairs: list[tuple[int, int, float, float]] = []
    for position, minhash in enumerate(found):
        for key in lsh.query(minhash):
            same = np.count_nonzero(found[key].hashvalues == minhash.hashvalues)
            estimated = float(same) / num_perm
            exact = jaccard(grams[key], grams[position])
            if max(estimated, exact) >= threshold:
                pairs.append((key, position, estimated, exact))
        lsh.insert(position, minhash, check_duplication=False)
    return sorted(pairs, key=lambda pair: (-pair[3], pair[0], pair[1]))


def pairs_frame(
    pairs: Iterable[tuple[int, int, float, float]],
    texts: list[str],
    *,
    width: int = 60,
    lang: str | None = None,
) -> pd.DataFrame:
    """:func:`similar_pairs` as a readable table: numbers from 1, texts cut to ``width``."""
    import pandas as pd

    language = resolve_language(lang)
    rows = [
        (i + 1, j + 1, round(estimated, 2), round(exact, 2), texts[i][:width], texts[j][:width])
        for i, j, estimated, exact in pairs
    ]
    names = ("record", "other", "estimated", "exact", "text", "other_text")
    return pd.DataFrame(rows, columns=[_(f"pair_{name}", language) for name in names])


@dataclass(frozen=True, slots=True)
class Removed:
    """A removed record, the earlier record it repeats, how similar and at which level."""

    record: int
    duplicate_of: int
    similarity: float
    kind: Kind

    def to_json(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "duplicate_of": self.duplicate_of,
            "similarity": round(self.similarity, 4),
        }


@dataclass
class DedupResult:
    """What a deduplication run saw: records read, kept and every removed one."""

    total: int = 0
    kept: int = 0
    removed: list[Removed] = field(default_factory=list)
    near: bool = False
    threshold: float = DEFAULT_THRESHOLD

    def counts(self) -> dict[Kind, int]:
        found: dict[Kind, int] = {"exact": 0, "normalized": 0, "near": 0}
        for item in self.removed:
            found[item.kind] += 1
        return found

    def summary(self, lang: str | None = None) -> str:
        language = resolve_language(lang)
        counts = self.counts()
        return _(
            "summary_near" if self.near else "summary",
            language,
            total=format_number(self.total, language),
            kept=format_number(self.kept, language),
            exact=format_number(counts["exact"], language),
            normalized=format_number(counts["normalized"], language),
            near=format_number(counts["near"], language),
            threshold=format_number(self.threshold, language),
        )

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """The removed records as a table, headers and levels in ``lang``."""
        import pandas as pd

        language = resolve_language(lang)
        rows = [
            (r.record, r.duplicate_of, r.similarity, _(f"kind_{r.kind}", language))
            for r in self.removed
        ]
        names = ("record", "duplicate_of", "similarity", "kind")
        return pd.DataFrame(rows, columns=[_(f"col_{name}", language) for name in names])

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.total,
            "kept": self.kept,
            "removed": [item.to_json() for item in self.removed],
        }


def deduplicate_records(
    records: Iterable[tuple[int, Mapping[str, Any]]],
    result: DedupResult,
    *,
    near: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = 128,
    ngram: int = 3,
    prefix: int | None = None,
    folder: Path | None = None,
    batch: int = BATCH,
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Stream the ``(number, record)`` pairs to keep; list the others in ``result``.

    The first occurrence is kept. Exact and normalized duplicates are always removed;
    with ``near=True`` so are records whose shingle sets reach ``threshold`` Jaccard
    similarity with an earlier kept record (the most similar one is named; of equals, the
    earliest).

    What is remembered of the kept records lives in a temporary SQLite file under
    ``folder`` (default: the system's temporary folder), removed when the run ends, fails
    or is abandoned, so memory stays flat however many records there are
    (``talimat.dedup_index``). Records are decided ``batch`` at a time, in their order,
    and each kept record is yielded once its batch is decided.
    """
    _check(threshold, ngram)
    if batch < 1:
        raise DedupError(_("bad_batch", None, value=batch))
    result.near, result.threshold = near, threshold
    settings = _Settings(
        near,
        threshold,
        num_perm,
        ngram,
        prefix,
        band_params(threshold, num_perm) if near else (0, 0),
    )
    with KeptIndex(folder, num_perm=num_perm) as index:
        chunk: list[tuple[int, Mapping[str, Any]]] = []
        for item in records:
            chunk.append(item)
            if len(chunk) == batch:
                yield from _decide(chunk, index, result, settings)
                chunk = []
        if chunk:
            yield from _decide(chunk, index, result, settings)


@dataclass(frozen=True)
class _Settings:
    """How :func:`deduplicate_records` compares: the near-duplicate settings and LSH bands."""

    near: bool
    threshold: float
    num_perm: int
    ngram: int
    prefix: int | None
    bands: tuple[int, int]


def _decide(
    chunk: list[tuple[int, Mapping[str, Any]]],
    index: KeptIndex,
    result: DedupResult,
    settings: _Settings,
) -> list[tuple[int, Mapping[str, Any]]]:
    """Keep or remove each record of ``chunk``, in order, against earlier batches and itself.

    Earlier batches are looked up in ``index`` once for the whole chunk; records kept
    earlier in this chunk are held in small dicts until the chunk is added to the index.
    """
    keys = [_keys(record) for _number, record in chunk]
    exact_seen = index.first("exact", [exact for exact, _folded in keys])
    folded_seen = index.first("folded", [folded for _exact, folded in keys])
    # Records the index already removes need no signature.
    todo = [i for i, (e, f) in enumerate(keys) if e not in exact_seen and f not in folded_seen]
    rows: dict[int, np.ndarray] = {}
    row_bands: dict[int, list[int]] = {}
    earlier: dict[int, list[tuple[int, np.ndarray]]] = {}
    if settings.near and todo:
        values = signatures(
            [record_text(chunk[i][1]) for i in todo],
            num_perm=settings.num_perm,
            ngram=settings.ngram,
            prefix=settings.prefix,
        )
        banded = band_keys(values, *settings.bands).tolist()
        rows = dict(zip(todo, values, strict=True))
        row_bands = dict(zip(todo, banded, strict=True))
        earlier = index.candidates(sorted({key for row in banded for key in row}))
    kept: list[tuple[int, Mapping[str, Any]]] = []
    new_keys: list[tuple[int, int, int]] = []
    new_bands: list[tuple[int, int]] = []
    new_signatures: list[tuple[int, bytes]] = []
    for position, (number, record) in enumerate(chunk):
        result.total += 1
        exact, folded = keys[position]
        first = exact_seen.get(exact)
        if first is not None:
            result.removed.append(Removed(number, first, 1.0, "exact"))
            continue
        first = folded_seen.get(folded)
        if first is not None:
            result.removed.append(Removed(number, first, 1.0, "normalized"))
            continue
        if settings.near:
            row = rows[position]
            match = _best(row, row_bands[position], earlier, settings.threshold)
            if match is not None:
                result.removed.append(Removed(number, match[0], match[1], "near"))
                continue
            for key in row_bands[position]:
                earlier.setdefault(key, []).append((number, row))
                new_bands.append((key, number))
            new_signatures.append((number, row.tobytes()))
        exact_seen[exact] = number
        folded_seen[folded] = number
        new_keys.append((number, exact, folded))
        result.kept += 1
        kept.append((number, record))
    index.add(new_keys, new_bands, new_signatures)
    return kept


def _best(
    row: np.ndarray,
    keys: list[int],
    earlier: Mapping[int, list[tuple[int, np.ndarray]]],
    threshold: float,
) -> tuple[int, float] | None:
    """The most similar kept record sharing a band with ``row`` at or above the threshold."""
    best: tuple[int, float] | None = None
    seen: set[int] = set()
    for key in keys:
        for other, values in earlier.get(key, ()):
            if other in seen:
                continue
            seen.add(other)
            similarity = float(np.count_nonzero(values == row)) / len(row)
            if similarity >= threshold and (
                best is None or similarity > best[1] or (similarity == best[1] and other < best[0])
            ):
                best = (other, similarity)
    return best
