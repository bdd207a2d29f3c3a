"""Profile a large JSONL file in several processes, each reading a part of it.

Measuring the texts is most of a profile's time (about three times what parsing the
file costs, on one core), and it is work on each record alone: a file cut into whole
lines can be read by one process per part and the parts' tallies joined in order. The
report is the one a single pass gives, figure for figure (tested):

- **Record numbers** are line numbers; a part starts at the line that follows the
  newlines before it.
- **The layout.** A part after the first is read as the rest of a ``messages`` file;
  the parts before it must have been one (checked after the fact, from what each part
  was read as).
- **The language sample.** Which records the reservoir keeps depends on the seed and
  the record count only, so a part starts its reservoir where the records before it
  leave it: it assumes one record a line (no blank lines), which is checked after the
  fact too.
- **Duplicate keys** are Python hashes of the records' texts: the workers share one
  ``PYTHONHASHSEED`` (chosen at random for each profile, as Python's own seed is), so
  their keys compare.
- **Errors.** A part that meets a line that is not a record reports it; the first one in
  file order is raised, as a single pass would have raised it.

When an assumption does not hold, or a worker cannot run (it could not start, crashed,
was killed), the file is profiled again in this process: slower, never different.

Subprocesses with pipes, not ``multiprocessing``: the workers need their own hash
seed, which only the environment of a new interpreter sets, and they must not import a
user's ``__main__`` (a notebook, a script without a main guard).
"""

from __future__ import annotations

import logging
import os
import pickle
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .formats.io import Span
    from .formats.problems import Problem
    from .profile import _Accumulator

__all__ = ["DEFAULT_WORKERS", "PARALLEL_FROM", "serve", "workers_for"]

PARALLEL_FROM = 64 * 1024**2
"""Files from this size are profiled in worker processes when ``workers`` is not given.

A worker is a new interpreter importing numpy and the readers (about 0.15 s), and the
language sample is classified after the pass whatever the count. On the benchmark's
records (medians of 5): at 32 MiB two workers take as long as one pass (1.03 s against
1.01 s), at 64 MiB 1.26 s against 1.61 s.
"""

WRITE_EVERY = 65_536
"""Records between the writes of a worker's tallies (about 3 MB for the benchmark's records)."""

DEFAULT_WORKERS = 2
"""How many workers are chosen when none is given, fewer on fewer cores.

Two even on a larger machine, as each holds its part's tallies and its own interpreter,
and a profile's memory target is 300 MiB in all (``benchmarks/bench_package.py`` counts
the workers' memory with the caller's).
"""

_log = logging.getLogger(__name__)


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def workers_for(
    path: str | os.PathLike[str], fmt: str | None, workers: int | None, progress: bool
) -> int:
    """How many processes profile ``path``: ``workers`` if given, else a choice.

    Only a JSONL file of ``messages`` records read by the fast path can be split; the
    choice is 1 for any other file, for a file under :data:`PARALLEL_FROM`, with a
    progress bar (it counts records as one pass reads them) or on one core.
    """
    from .formats.io import suffix_of

    if workers is not None and (type(workers) is not int or workers < 1):
        raise ValueError(f"workers must be a whole number of 1 or more, not {workers!r}")
    source = Path(path)
    if fmt not in (None, "messages") or suffix_of(source) not in (".jsonl", ".ndjson"):
        return 1
    if workers is not None:
        return workers
    try:
        size = source.stat().st_size if source.is_file() else -1
    except OSError:
        size = -1
    if size < 0:
        return 1  # not a file: the pass in this process says what is wrong with it
    if progress or size < PARALLEL_FROM:
        return 1
    return min(DEFAULT_WORKERS, _cores())


def profile_in_workers(
    file: str, fmt: str | None, workers: int, language_sample: int, seed: int
) -> list[tuple[_Accumulator, list[Problem]]] | None:
    """Each part's tallies and problems, in file order; None when the file must be read
    by one pass after all (an assumption of the module's docstring does not hold, or a
    worker failed). Raises the first error in file order, as one pass would.

    The flat arrays of every part come back joined, in the first part's accumulator.
    """
    from .formats.io import line_spans

    if not _is_python(sys.executable):
        return None
    environment = dict(os.environ)
    environment["PYTHONHASHSEED"] = str(secrets.randbits(32))
    package_root = str(Path(__file__).resolve().parent.parent)  # where talimat imports from
    path = environment.get("PYTHONPATH")
    environment["PYTHONPATH"] = package_root if not path else package_root + os.pathsep + path
    command = [sys.executable, "-c", "from talimat.profile_workers import serve; serve()"]
    started: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="talimat-profile-")))
        stack.callback(_stop, started)
        try:
            # The workers start (about 0.15 s of imports) while the spans are counted.
            for _ in range(workers):
                # What a worker prints goes to a file the log can show if it fails.
                errors = stack.enter_context(tempfile.TemporaryFile())
                worker = subprocess.Popen(
                    command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    env=environment,
                )
                started.append((worker, errors))
            spans = line_spans(Path(file), workers)
            if len(spans) < 2:
                return None
            # Lines too long for so many parts leave some workers without one: _stop ends them.
            for index, ((worker, _errors), span) in enumerate(zip(started, spans, strict=False)):
                tallies = str(folder / str(index))
                task = (file, fmt, span, language_sample, seed, tallies)
                assert worker.stdin is not None
                pickle.dump(task, worker.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                worker.stdin.close()
            parts = _collect(started[: len(spans)], spans)
            if parts is not None:
                _join_tallies(parts[0][0], [folder / str(index) for index in range(len(spans))])
            return parts
        except OSError as error:  # no interpreter to start, a broken pipe, a full disk
            _log.debug("profile workers for %s failed: %s", file, error)
            return None


def _is_python(executable: str) -> bool:
    """True when ``executable`` is named as a Python interpreter is (python3.12, pypy3.exe…).

    An embedding program's ``sys.executable`` can be the program itself (a WSGI server,
    say), which must not be started with a worker's ``-c``; such a caller gets one pass.
    """
    name = executable.replace("\\", "/").rsplit("/", 1)[-1].lower()  # either separator
    return name.startswith(("python", "pypy"))


def _stop(started: list[tuple[subprocess.Popen[bytes], IO[bytes]]]) -> None:
    """End the workers that are still running (an error or an interrupt came first)."""
    for worker, _errors in started:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        for pipe in (worker.stdin, worker.stdout):
            if pipe is not None:
                with suppress(OSError):  # a pipe to a worker that ended: nothing to flush
                    pipe.close()


def _collect(
    started: list[tuple[subprocess.Popen[bytes], IO[bytes]]], spans: list[Span]
) -> list[tuple[_Accumulator, list[Problem]]] | None:
    """The workers' results in file order (see :func:`profile_in_workers`)."""
    parts = []
    for index, (worker, errors) in enumerate(started):
        assert worker.stdout is not None
        try:
            kind, *result = pickle.load(worker.stdout)
        except Exception as failure:  # a worker that ended without its result
            worker.wait()
            errors.seek(0)
            said = errors.read()[-2000:].decode(errors="replace")
            _log.debug(
                "profile worker %d ended without its result (%r, exit %s): %s",
                index,
                failure,
                worker.returncode,
                said,
            )
            return None
        if kind == "error":
            raise result[0]
        accumulator, problems, layout = result
        # The next part assumed what one pass would know when it reaches it.
        if index + 1 < len(spans) and (
            layout != "messages" or accumulator.records != spans[index + 1].first_line - 1
        ):
            return None
        parts.append((accumulator, problems))
    return parts


def _join_tallies(first: _Accumulator, prefixes: list[Path]) -> None:
    """Read every part's flat arrays from its files into ``first``, each array joined.

    One numpy array of the final size per tally, read into in place: the parts' arrays
    are never in memory twice (arrays grown from pieces sent through a pipe took about
    twice their size, measured: 100 MB for 55 MB of tallies on 1,000,000 records).
    """
    import numpy as np

    from .profile import TALLIES

    for name in TALLIES:
        dtype = np.dtype(getattr(first, name).typecode)
        files = [prefix.with_name(f"{prefix.name}.{name}") for prefix in prefixes]
        sizes = [file.stat().st_size for file in files]
        joined = np.empty(sum(sizes) // dtype.itemsize, dtype)
        into = joined.view(np.uint8).data
        offset = 0
        for file, size in zip(files, sizes, strict=True):
            with file.open("rb") as handle:
                while size:
                    read = handle.readinto(into[offset : offset + size])
                    if not read:
                        raise OSError(f"{file} ended early")
                    offset, size = offset + read, size - read
            file.unlink()  # the page cache and the disk are freed as they are read
        setattr(first, name, joined)


def profile_span(
    file: str,
    fmt: str | None,
    span: Span,
    language_sample: int,
    seed: int,
    tallies: str,
) -> tuple[_Accumulator, list[Problem], str | None]:
    """One part's pass: its tallies, problems and layout.

    Records are counted from those before the span, one a line (the assumption the
    caller checks afterwards).

    The flat arrays are written to files named ``tallies`` and a suffix each (the tally's
    name), every :data:`WRITE_EVERY` records and at the end, so that a worker holds little;
    the accumulator returned holds the rest.
    """
    from .formats.convert import checked_batches
    from .profile import TALLIES, _Accumulator, _pass, _readable

    problems: list[Problem] = []
    layout: list[str | None] = []
    accumulator = _Accumulator(language_sample, seed, file, None)
    accumulator.records = span.first_line - 1
    accumulator.reservoir.skip(accumulator.records)
    with ExitStack() as stack:
        files = {name: stack.enter_context(open(f"{tallies}.{name}", "wb")) for name in TALLIES}

        def write() -> None:
            for name, values in accumulator.take_tallies().items():
                values.tofile(files[name])

        def writing(items: Iterable[Any]) -> Iterator[Any]:
            written = accumulator.records
            for item in items:
                yield item  # the pass takes it in before it asks for the next one
                if accumulator.records - written >= WRITE_EVERY:
                    write()
                    written = accumulator.records

        checked = checked_batches(file, fmt, problems, span, layout)
        _pass(writing(_readable(checked, file)), accumulator)
        write()
    return accumulator, problems, layout[0]


def serve() -> None:
    """A worker's life: a task on stdin, its result or its error on stdout, both pickled.

    Errors that name the user's file or record (``TalimatError``) go back to be raised by
    the caller; anything else ends the worker, and the caller profiles in one pass.
    """
    from .errors import TalimatError

    task = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer

    def send(message: tuple[Any, ...]) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        send(("done", *profile_span(*task)))
    except TalimatError as error:
        send(("error", error))
    out.flush()
