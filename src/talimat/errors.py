"""One base for every error ``talimat`` raises on bad input or bad data.

Catch :class:`TalimatError` to handle anything the package refuses; ``str(error)`` is a
complete sentence in the reader's language (the module that raises it localizes the
message), naming the file, record and field where there is one. The CLI prints that
sentence and exits without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["InvalidChoiceError", "TalimatError", "check_choice", "data_file_problem"]


class TalimatError(ValueError):
    """Input or data that ``talimat`` refuses; the message is already localized.

    It derives from :class:`ValueError` so code written against the earlier, separate
    error types (all ``ValueError`` subclasses) keeps working.
    """


class InvalidChoiceError(TalimatError):
    """An argument outside its fixed set of choices (a purpose, a coverage, a size band…)."""


def check_choice(
    name: str,
    value: object,
    allowed: Iterable[str],
    *,
    optional: bool = True,
    lang: str | None = None,
) -> None:
    """Refuse ``value`` unless it is one of ``allowed`` (or None, when ``optional``).

    The one check behind every fixed-choice argument of the package; its message names the
    argument, the choices and the value, in the reader's language.
    """
    if value is None and optional:
        return
    choices = tuple(allowed)
    if value not in choices:
        from talimat.language import messages

        raise InvalidChoiceError(
            messages("errors")(
                "invalid_choice",
                lang,
                name=name,
                choices=", ".join(map(repr, choices)),
                value=repr(value),
            )
        )


def data_file_problem(path: str, where: str, field: str, problem: str) -> str:
    """The one shape of a message about a packaged data file: file, entry, field, problem.

    >>> data_file_problem("catalog.csv", "row 3 (line 4)", "samples", "not a number")
    "catalog.csv, row 3 (line 4), field 'samples': not a number"
    """
    return f"{path}, {where}, field {field!r}: {problem}"
