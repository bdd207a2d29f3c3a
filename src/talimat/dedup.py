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
numbered from 1 as ``talimat validate`` numbers them. Records are streamed: the index keeps
an 8-byte key per kept record for exact and normalized checks and, with ``near=True``, a
MinHash signature of ``num_perm`` 32-bit values per kept record, but never the records.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from talimat.errors import TalimatError

from .language import format_number, messages, resolve_language
from .profile import normalize_text

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_THRESHOLD",
    "DedupError",
    "DedupResult",
    "NearDuplicateIndex",
    "Removed",
    "deduplicate_records",
    "jaccard",
    "pairs_frame",
    "record_text",
    "shingles",
    "similar_pairs",
]

_ = messages("dedup")

DEFAULT_THRESHOLD = 0.8
Kind = Literal["exact", "normalized", "near"]
_WORDS = re.compile(r"\w+")


class DedupError(TalimatError):
    """A bad setting: a threshold outside (0, 1], a shingle size below 1."""


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
    words = _WORDS.findall(normalize_text(text))
    if prefix is not None:
        words = [word[:prefix] for word in words]
    if len(words) < n:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """The exact Jaccard similarity of two shingle sets: shared over all."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _digest(parts: Iterable[str]) -> int:
    hasher = hashlib.blake2b(digest_size=8)
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\x00")
    return int.from_bytes(hasher.digest(), "little")


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


class NearDuplicateIndex:
    """MinHash signatures of the texts seen so far, with an LSH index to query them.

    ``threshold`` is the Jaccard similarity from which two texts count as near-duplicates;
    LSH proposes candidates and each is checked against the estimate from the two
    signatures, so a candidate below the threshold is not reported.
    """

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        num_perm: int = 128,
        ngram: int = 3,
        prefix: int | None = None,
        seed: int = 1,
    ) -> None:
        if not 0 < threshold <= 1:
            raise DedupError(_("bad_threshold", None, value=threshold))
        if ngram < 1:
            raise DedupError(_("bad_ngram", None, value=ngram))
        from datasketch import MinHash, MinHashLSH

        self.threshold = threshold
        self.num_perm = num_perm
        self.ngram = ngram
        self.prefix = prefix
        self._template = MinHash(num_perm=num_perm, seed=seed)
        try:
            self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        except ValueError:
            # Near 1, datasketch's optimal banding has fewer than two bands, which it refuses;
            # two bands still propose every close pair, and each is checked below anyway.
            self._lsh = MinHashLSH(threshold, num_perm, params=(2, num_perm // 2))
        self._signatures: dict[int, np.ndarray] = {}

    def signature(self, text: str) -> Any:
        """The datasketch ``MinHash`` of ``text``'s shingles (permutations shared, not redrawn)."""
        from datasketch import MinHash

        minhash = MinHash(
            num_perm=self.num_perm,
            seed=self._template.seed,
            permutations=self._template.permutations,
            scheme=self._template.scheme,
        )
        grams = shingles(text, self.ngram, self.prefix)
        if grams:
            minhash.update_batch([gram.encode("utf-8", "surrogatepass") for gram in grams])
        return minhash

    def query(self, minhash: Any) -> tuple[int, float] | None:
        """The most similar earlier key at or above the threshold, with its similarity."""
        values = minhash.hashvalues.astype(np.uint32)
        best: tuple[int, float] | None = None
        for key in self._lsh.query(minhash):
            similarity = float(np.count_nonzero(self._signatures[key] == values)) / self.num_perm
            if similarity >= self.threshold and (
                best is None or similarity > best[1] or (similarity == best[1] and key < best[0])
            ):
                best = (key, similarity)
        return best

    def add(self, key: int, minhash: Any) -> None:
        """Remember ``minhash`` under ``key`` (a record number) for later queries."""
        # MinHash values are below 2**32 (datasketch's hash range), so 32 bits hold them.
        self._signatures[key] = minhash.hashvalues.astype(np.uint32)
        self._lsh.insert(key, minhash, check_duplication=False)

    def __len__(self) -> int:
        return len(self._signatures)


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
    shingle sets, sorted from the most similar pair down. It keeps every text in memory, to
    let a reader look at the pairs around a threshold before choosing one; the streaming
    :func:`deduplicate_records` is for whole files.
    """
    index = NearDuplicateIndex(threshold, num_perm=num_perm, ngram=ngram, prefix=prefix)
    grams: list[set[str]] = []
    signatures: list[np.ndarray] = []
    pairs: list[tuple[int, int, float, float]] = []
    for position, text in enumerate(texts):
        minhash = index.signature(text)
        values = minhash.hashvalues.astype(np.uint32)
        grams.append(shingles(text, ngram, prefix))
        for key in index._lsh.query(minhash):
            estimated = float(np.count_nonzero(signatures[key] == values)) / num_perm
            exact = jaccard(grams[key], grams[position])
            if max(estimated, exact) >= threshold:
                pairs.append((key, position, estimated, exact))
        signatures.append(values)
        index.add(position, minhash)
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


@dataclass(frozen=True)
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
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Stream the ``(number, record)`` pairs to keep; list the others in ``result``.

    The first occurrence is kept. Exact and normalized duplicates are always removed;
    with ``near=True`` so are records whose shingle sets reach ``threshold`` Jaccard
    similarity with an earlier kept record.
    """
    index = (
        NearDuplicateIndex(threshold, num_perm=num_perm, ngram=ngram, prefix=prefix)
        if near
        else None
    )
    if not 0 < threshold <= 1:
        raise DedupError(_("bad_threshold", None, value=threshold))
    result.near, result.threshold = near, threshold
    exact_seen: dict[int, int] = {}
    folded_seen: dict[int, int] = {}
    for number, record in records:
        result.total += 1
        exact, folded = _keys(record)
        first = exact_seen.get(exact)
        if first is not None:
            result.removed.append(Removed(number, first, 1.0, "exact"))
            continue
        first = folded_seen.get(folded)
        if first is not None:
            result.removed.append(Removed(number, first, 1.0, "normalized"))
            continue
        if index is not None:
            minhash = index.signature(record_text(record))
            match = index.query(minhash)
            if match is not None:
                result.removed.append(Removed(number, match[0], match[1], "near"))
                continue
            index.add(number, minhash)
        exact_seen[exact] = number
        folded_seen[folded] = number
        result.kept += 1
        yield number, record
