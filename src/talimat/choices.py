"""The one check behind every fixed-choice argument of the package (a purpose, a size band…).

The command line offers the same tuples as its ``choices``, so both accept exactly the same.
"""

from __future__ import annotations

from collections.abc import Iterable

from talimat.errors import TalimatError
from talimat.language import messages

__all__ = ["InvalidChoiceError", "check_choice"]


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
        raise InvalidChoiceError(
            messages("choices")(
                "invalid_choice",
                lang,
                name=name,
                choices=", ".join(map(repr, choices)),
                value=repr(value),
            )
        )
