"""Writing in a second thread, so that a file is written while the next records are encoded.

Most of what writing a file costs happens outside Python and releases the GIL: the
``write`` and ``fdatasync`` system calls, Arrow's Parquet encoding and compression. Run
in one other thread, it overlaps the reading, decoding and encoding of the records that
come next, which hold the GIL. The standard library's ``ThreadPoolExecutor`` would run
the calls too, but it goes on with the calls queued after one that failed; a writer must
stop at its first error (nothing is written after a full disk), so this is a small queue
and one thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

__all__ = ["Background"]


class Background:
    """Calls run one after another in one other thread, in the order they were given.

    At most ``limit`` calls wait at a time: :meth:`submit` blocks while the queue is full,
    so memory stays bounded however fast the caller produces. The first call that raises
    stops the rest (they are skipped, not run) and its exception is raised in the
    caller's thread, by the next :meth:`submit`, by :meth:`wait` or when the block ends.
    Leaving the block with an exception of the caller's own skips what is still queued.
    """

    def __init__(self, limit: int = 4) -> None:
        self._queue: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = queue.Queue(
            limit
        )
        self._error: BaseException | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="talimat-writer", daemon=True)

    def __enter__(self) -> Background:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is not None:
            self._stopped = True
        self._queue.put(None)
        self._thread.join()
        if kind is None:
            self._check()

    def _run(self) -> None:
        get, done = self._queue.get, self._queue.task_done
        while (item := get()) is not None:
            if self._error is None and not self._stopped:
                call, args = item
                try:
                    call(*args)
                except BaseException as exc:  # raised again in the caller's thread
                    self._error = exc
            done()
        done()

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(self, call: Callable[..., Any], *args: Any) -> None:
        """Run ``call(*args)`` after the calls given before; raise an earlier call's error."""
        self._check()
        self._queue.put((call, args))

    def wait(self) -> None:
        """Return when every call given so far has run; raise the first one's error."""
        self._queue.join()
        self._check()
