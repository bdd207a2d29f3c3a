"""The records kept so far by :func:`talimat.dedup.deduplicate_records`, on disk, not in memory.

Deduplication must remember every record it keeps: its exact and normalized keys, and for
near-duplicates its MinHash signature and the locality-sensitive hashing (LSH) band keys that
find the candidates worth comparing. ``datasketch.MinHashLSH`` keeps the band keys in Python
dicts and lists (about 4 KB per record in our measurements: 4 GiB for a million records); its
other storages are Redis and Cassandra servers, which a command line cannot assume. So this
index keeps the same things in an SQLite file in a temporary folder that it removes when it
is closed, with SQLite's page cache bounded (:data:`CACHE_KIB`). Memory is then flat in the
record count; the file grows instead, by about 800 bytes per kept record with ``near``.

The LSH is the one datasketch would build: the same number of bands and rows per band
(:func:`band_params` asks datasketch's own optimizer), over the same datasketch MinHash
values; two signatures are candidates when all values of one band are equal. Only the
storage differs: a band is stored as a 64-bit hash of its values rather than the values
themselves. Every candidate is checked against the threshold with the two signatures anyway,
so a hash collision (odds of about 2**-64 per pair of bands) cannot make a false duplicate.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import numpy as np

from talimat.errors import TalimatError

from .language import messages

__all__ = ["CACHE_KIB", "IndexStoreError", "KeptIndex", "band_keys", "band_params"]

_ = messages("dedup_index")

#: SQLite's page cache, the index's only memory that grows with use (then stays at this size).
CACHE_KIB = 32 * 1024
#: Keys per ``IN (...)`` query: below SQLite's oldest limit of 999 bound variables.
_CHUNK = 900

# FNV-1a's 64-bit offset and prime, then splitmix64's finalizer: hand-written because numpy
# has no vectorized hash of array rows, and hashing a million records' bands one by one in
# Python (hashlib) would cost more than the MinHash signatures themselves.
_OFFSET = np.uint64(0xCBF29CE484222325)
_PRIME = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


class IndexStoreError(TalimatError):
    """The temporary index could not be created or written (no space, no permission)."""


def band_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows per band that ``datasketch.MinHashLSH`` chooses for ``threshold``."""
    from datasketch import MinHashLSH

    try:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    except ValueError:
        # Near 1, datasketch's optimal banding has fewer than two bands, which it refuses;
        # two bands still propose every close pair, and each is checked anyway.
        return 2, num_perm // 2
    return int(lsh.b), int(lsh.r)


def band_keys(hashvalues: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One signed 64-bit key per band of each signature: an ``(n, bands)`` int64 array.

    ``hashvalues`` is ``(n, num_perm)``; band ``i`` covers values ``i * rows`` to
    ``(i + 1) * rows``, as in datasketch. The band number is hashed in, so equal values in
    different bands give different keys and one table holds all bands.
    """
    values = np.asarray(hashvalues, dtype=np.uint64)[:, : bands * rows]
    values = values.reshape(len(values), bands, rows)
    keys = np.broadcast_to(_OFFSET ^ np.arange(bands, dtype=np.uint64), values.shape[:2]).copy()
    for column in range(rows):
        keys = (keys ^ values[:, :, column]) * _PRIME
    keys = (keys ^ (keys >> np.uint64(30))) * _MIX1
    keys = (keys ^ (keys >> np.uint64(27))) * _MIX2
    keys ^= keys >> np.uint64(31)
    return keys.view(np.int64)


class KeptIndex:
    """Keys, band keys and signatures of the kept records, in a temporary SQLite file.

    Use it as a context manager: the folder (under ``folder``, or the system's temporary
    folder) is created on entry and removed with everything in it on exit, also after an
    error. Queries take and return batches, since one SQLite call per record would cost
    more than the work around it.
    """

    def __init__(self, folder: Path | None = None, *, num_perm: int = 128) -> None:
        self.folder = folder
        self.num_perm = num_perm
        self.path: Path | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._db: sqlite3.Connection | None = None

    def __enter__(self) -> KeptIndex:
        where = str(self.folder) if self.folder is not None else tempfile.gettempdir()
        try:
            self._tmp = tempfile.TemporaryDirectory(prefix="talimat-dedup-", dir=self.folder)
            self.path = Path(self._tmp.name) / "kept.sqlite"
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.executescript(
                f"""
                PRAGMA journal_mode = OFF;
                PRAGMA synchronous = OFF;
                PRAGMA locking_mode = EXCLUSIVE;
                PRAGMA temp_store = FILE;
                PRAGMA cache_size = -{CACHE_KIB};
                CREATE TABLE exact (key INTEGER PRIMARY KEY, record INTEGER NOT NULL);
                CREATE TABLE folded (key INTEGER PRIMARY KEY, record INTEGER NOT NULL);
                CREATE TABLE band (
                    key INTEGER NOT NULL, record INTEGER NOT NULL, PRIMARY KEY (key, record)
                ) WITHOUT ROWID;
                CREATE TABLE signature (record INTEGER PRIMARY KEY, hashes BLOB NOT NULL);
                """
            )
        except (OSError, sqlite3.Error) as error:
            self.close()
            raise IndexStoreError(_("cannot_create", None, folder=where, reason=error)) from error
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database and remove the temporary folder (safe to call twice)."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        if self._db is None:
            raise RuntimeError("KeptIndex used outside its `with` block")
        try:
            yield self._db
        except (OSError, sqlite3.Error) as error:
            raise IndexStoreError(_("cannot_write", None, path=self.path, reason=error)) from error

    def first(self, table: str, keys: Sequence[int]) -> dict[int, int]:
        """The kept record of each key found in ``table`` (``exact`` or ``folded``)."""
        if table not in ("exact", "folded"):
            raise ValueError(table)
        found: dict[int, int] = {}
        with self._guard() as db:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, record FROM {table} WHERE key IN ({marks})"
                found.update(db.execute(query, chunk).fetchall())
        return found

    def candidates(self, keys: Sequence[int]) -> dict[int, list[tuple[int, np.ndarray]]]:
        """For each band key found, the kept records that have it, with their signatures."""
        found: dict[int, list[tuple[int, np.ndarray]]] = {}
        with self._guard() as db:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    "SELECT band.key, band.record, signature.hashes FROM band"
                    f" JOIN signature USING (record) WHERE band.key IN ({marks})",
                    chunk,
                )
                for key, record, hashes in rows:
                    signature = np.frombuffer(hashes, dtype=np.uint32)
                    found.setdefault(key, []).append((record, signature))
        return found

    def add(
        self,
        keys: Sequence[tuple[int, int, int]],
        bands: Sequence[tuple[int, int]] = (),
        signatures: Sequence[tuple[int, bytes]] = (),
    ) -> None:
        """Remember kept records: ``(record, exact, folded)`` keys, band keys, signatures."""
        with self._guard() as db:
            db.execute("BEGIN")
            db.executemany("INSERT INTO exact VALUES (?, ?)", [(e, r) for r, e, _f in keys])
            db.executemany("INSERT INTO folded VALUES (?, ?)", [(f, r) for r, _e, f in keys])
            # Sorted, the inserts walk the band B-tree in order instead of jumping around it.
            db.executemany("INSERT OR IGNORE INTO band VALUES (?, ?)", sorted(bands))
            db.executemany("INSERT OR REPLACE INTO signature VALUES (?, ?)", signatures)
            db.execute("COMMIT")
