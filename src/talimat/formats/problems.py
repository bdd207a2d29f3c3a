"""Problems and errors of ``talimat.formats``: what is wrong, where, in the reader's language.

A :class:`Problem` names the file, the 1-based record number (the line number in JSONL),
the field and a stable ``code``; its message is rendered from
``talimat/data/messages/formats.toml`` in English or Turkish. The internal exceptions
:class:`Bad` (a bad field) and :class:`Lossy` (what a target layout cannot hold) are
raised deep in the readers and writers, before the file and record are known, and turned
into problems or public errors by the callers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from talimat.errors import TalimatError
from talimat.language import messages

__all__ = [
    "Bad",
    "FormatError",
    "InputError",
    "Lossy",
    "LossyConversionError",
    "Problem",
    "RecordError",
    "json_type",
    "render",
    "text",
]


def text(key: str, lang: str | None = None, /, **fields: object) -> str:
    """One localized string of this package (``data/messages/formats.toml``)."""
    return messages("formats")(key, lang, **fields)


def render(code: str, lang: str | None, params: tuple[tuple[str, Any], ...]) -> str:
    """A problem's message in ``lang``, with JSON type names localized too."""
    fields = dict(params)
    for name in ("expected_type", "actual_type"):
        if name in fields:
            fields[name] = text(f"type_{fields[name]}", lang)
    if "reason" in fields:  # a JSON line that does not parse: say where and why
        fields["reason"] = text(f"json_{fields['reason']}", lang, error=fields.get("error", ""))
        return text("bad_json_line", lang, **fields)
    return text(code, lang, **fields)


def json_type(value: object) -> str:
    """The JSON name of a value's type, for messages: ``string``, ``array``, …"""
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return "null" if value is None else "other"


@dataclass(frozen=True)
class Problem:
    """One bad record or field: where it is, what kind of problem (``code``) and why.

    ``message`` is written in the active language when the problem is found;
    :meth:`localized` and :meth:`describe` give it in any language, :meth:`to_dict` as
    the JSON report writes it.
    """

    file: str
    record: int
    field: str
    message: str
    code: str = dc_field(default="", compare=False, repr=False)
    params: tuple[tuple[str, Any], ...] = dc_field(default=(), compare=False, repr=False)

    def localized(self, lang: str | None = None) -> str:
        """The message alone, in ``lang`` (the active language by default)."""
        return render(self.code, lang, self.params) if self.code else self.message

    def describe(self, lang: str | None = None) -> str:
        """The whole line in ``lang``: file, record number, field and message."""
        return text(
            "problem_line",
            lang,
            file=self.file,
            record=self.record,
            field=self.field,
            message=self.localized(lang),
        )

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """``record``, ``field``, ``code`` and ``message`` (in ``lang``), for JSON reports."""
        return {
            "record": self.record,
            "field": self.field,
            "code": self.code or "other",
            "message": self.localized(lang),
        }

    def __str__(self) -> str:
        return self.describe()


class FormatError(TalimatError):
    """Base of this package's errors: input that is not a valid instruction dataset."""


class InputError(FormatError):
    """The input cannot be used at all: missing, unreadable, empty or not a dataset.

    The CLI exits with status 2 for it (1 means: some records are bad).
    """


class RecordError(FormatError):
    """A bad record; ``.problem`` names the file, record number and field."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem

    def __reduce__(self) -> tuple[type[RecordError], tuple[Problem]]:
        # Pickled with its problem (a profile's worker process sends it to the caller).
        return type(self), (self.problem,)


class LossyConversionError(FormatError):
    """The target layout cannot carry the record exactly; the message says what is lost."""

    def __init__(self, message: str, *, target: str, problem: Problem | None = None) -> None:
        super().__init__(message)
        self.target = target
        self.problem = problem


class Bad(Exception):
    """Internal: a bad field, raised while checking and turned into a :class:`Problem`."""

    def __init__(self, field: str, code: str, **params: Any) -> None:
        super().__init__(field, code)
        self.field = field
        self.code = code
        self.params = tuple(params.items())

    def problem(self, file: str, number: int) -> Problem:
        message = render(self.code, None, self.params)
        return Problem(file, number, self.field, message, self.code, self.params)


class Lossy(Exception):
    """Internal: what a target layout cannot carry, before the file and record are known."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = tuple(params.items())
        self.target = str(params["target"])

    def error(self, file: str | None = None, number: int = 0) -> LossyConversionError:
        message = render(self.code, None, self.params)
        if file is None:
            return LossyConversionError(message, target=self.target)
        problem = Problem(file, number, "<record>", message, self.code, self.params)
        line = text("lossy_line", None, file=file, record=number, message=message)
        return LossyConversionError(line, target=self.target, problem=problem)
