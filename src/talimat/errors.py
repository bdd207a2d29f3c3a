"""One base for every error ``talimat`` raises on bad input or bad data.

Catch :class:`TalimatError` to handle anything the package refuses; ``str(error)`` is a
complete sentence in the reader's language (the module that raises it localizes the
message), naming the file, record and field where there is one. The CLI prints that
sentence and exits without a traceback.
"""

from __future__ import annotations

__all__ = ["TalimatError", "data_file_problem"]


class TalimatError(ValueError):
    """Input or data that ``talimat`` refuses; the message is already localized.

    It derives from :class:`ValueError` so code written against the earlier, separate
    error types (all ``ValueError`` subclasses) keeps working.
    """


def data_file_problem(path: str, where: str, field: str, problem: str) -> str:
    """The one shape of a message about a packaged data file: file, entry, field, problem.

    >>> data_file_problem("catalog.csv", "row 3 (line 4)", "samples", "not a number")
    "catalog.csv, row 3 (line 4), field 'samples': not a number"
    """
    return f"{path}, {where}, field {field!r}: {problem}"
