"""The reader's language: which one is active, localized labels, and numbers written its way.

The docs build passes its language to notebook kernels through the ``TALIMAT_LANG``
environment variable, so tables and plots made by ``talimat`` follow the page they
appear on. Numbers are formatted with Babel (CLDR data), never by hand: Turkish writes
``1.000.000`` and ``3,5`` where English writes ``1,000,000`` and ``3.5``.
"""

from __future__ import annotations

import math
import numbers
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from babel import Locale
from babel.numbers import format_decimal, format_percent

from talimat.errors import TalimatError

if TYPE_CHECKING:  # pandas is imported lazily to keep `import talimat` fast
    import pandas as pd
    from pandas.io.formats.style import Styler

ENV_VAR = "TALIMAT_LANG"

#: A language code from the table in ``talimat/data/languages.toml`` (``"en"``, ``"tr"``).
Language = str


@dataclass(frozen=True)
class SiteLanguage:
    """One row of the language table: what every part of the project knows of a language."""

    code: str
    name: str
    tagline: str
    og_locale: str
    babel_locale: str
    not_found_title: str
    not_found_text: str
    not_found_home: str
    not_found_or: str
    not_found_search: str


@cache
def site_languages() -> tuple[SiteLanguage, ...]:
    """The language table (``talimat/data/languages.toml``), source language first.

    The package, the Sphinx extension, the build and catalog tools, the tests and the
    benchmarks all read this one table: adding a language is adding a row (and its catalogs).
    """
    path = resources.files("talimat") / "data" / "languages.toml"
    with path.open("rb") as handle:
        rows = tomllib.load(handle)["language"]
    return tuple(SiteLanguage(**row) for row in rows)


def site_language(code: str) -> SiteLanguage:
    """The table row of ``code`` (checked: an unknown code raises UnsupportedLanguageError)."""
    language = resolve_language(code)
    return next(row for row in site_languages() if row.code == language)


#: Every language's code, the source language first (``("en", "tr")``).
LANGUAGES: tuple[Language, ...] = tuple(row.code for row in site_languages())
#: The language the sources are written in; the others live in catalogs.
SOURCE_LANGUAGE: Language = LANGUAGES[0]
#: The languages translated from the source, each with catalogs under ``locales/<code>/``.
TRANSLATED_LANGUAGES: tuple[Language, ...] = LANGUAGES[1:]

__all__ = [
    "ENV_VAR",
    "LANGUAGES",
    "SOURCE_LANGUAGE",
    "TRANSLATED_LANGUAGES",
    "Language",
    "Messages",
    "SiteLanguage",
    "UnsupportedLanguageError",
    "current_language",
    "format_number",
    "format_share",
    "localized_table",
    "messages",
    "resolve_language",
    "site_language",
    "site_languages",
    "turkish_lower",
]


class UnsupportedLanguageError(TalimatError):
    """Raised for a language code that is not in the language table."""


def resolve_language(lang: str | None = None) -> Language:
    """Return ``lang`` checked, or the active language when ``lang`` is None.

    The active language is ``$TALIMAT_LANG`` (set by the docs build for each site),
    falling back to English. Region suffixes are accepted: ``tr_TR`` and ``en-GB`` work.
    """
    code = lang if lang is not None else os.environ.get(ENV_VAR) or "en"
    base = code.replace("-", "_").split("_", 1)[0].lower()
    if base not in LANGUAGES:
        raise UnsupportedLanguageError(
            f"unsupported language {code!r}; use one of {', '.join(LANGUAGES)}"
        )
    return base


def current_language() -> Language:
    """The language that tables, plots and messages use when no ``lang`` is given."""
    return resolve_language(None)


def format_number(value: float, lang: str | None = None, decimals: int | None = None) -> str:
    """Format a number with the language's digit grouping and decimal mark.

    >>> format_number(1_000_000, "tr"), format_number(3.5, "tr"), format_number(3.5, "en")
    ('1.000.000', '3,5', '3.5')
    """
    locale = site_language(resolve_language(lang)).babel_locale
    if decimals is None:
        return format_decimal(value, locale=locale)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=locale)


def format_share(value: float, lang: str | None = None, decimals: int = 0) -> str:
    """Format a share in [0, 1] as a percentage: ``%30`` in Turkish, ``30%`` in English."""
    locale = site_language(resolve_language(lang)).babel_locale
    pattern = Locale.parse(locale).percent_formats[None].pattern
    if decimals > 0:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * decimals)
    return format_percent(value, format=pattern, locale=locale)


def turkish_lower(text: str) -> str:
    """Lowercase the Turkish way: ``I`` → ``ı`` and ``İ`` → ``i``.

    ``str.lower`` maps ``I`` to ``i`` and ``İ`` to ``i`` + U+0307, which is wrong for Turkish.
    """
    # Two replaces then lower(): the same result as a translation table, several times faster.
    return text.replace("İ", "i").replace("I", "ı").lower()


@dataclass(frozen=True)
class Messages:
    """A module's localized strings, loaded from ``talimat/data/messages/<domain>.toml``.

    Each key maps to one string per language; a test checks every key has both.
    """

    domain: str
    table: Mapping[str, Mapping[str, str]]

    def __call__(self, key: str, lang: str | None = None, /, **fields: object) -> str:
        """Return the string for ``key`` in ``lang``, with ``{fields}`` filled in."""
        try:
            entry = self.table[key]
        except KeyError:
            raise KeyError(
                f"no message {key!r} in talimat/data/messages/{self.domain}.toml"
            ) from None
        text = entry[resolve_language(lang)]
        return text.format(**fields) if fields else text

    def keys(self) -> list[str]:
        return list(self.table)


@cache
def messages(domain: str) -> Messages:
    """Load the localized strings of one module (``catalog``, ``sizing``, …)."""
    path = resources.files("talimat") / "data" / "messages" / f"{domain}.toml"
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    table: dict[str, dict[str, str]] = {}
    for key, entry in raw.items():
        missing = [lang for lang in LANGUAGES if not isinstance(entry, dict) or lang not in entry]
        if missing:
            raise ValueError(
                f"talimat/data/messages/{domain}.toml: message {key!r} lacks {', '.join(missing)}"
            )
        table[key] = {lang: str(entry[lang]) for lang in LANGUAGES}
    return Messages(domain, table)


def localized_table(frame: pd.DataFrame, lang: str | None = None, decimals: int = 0) -> Styler:
    """Style a table for display: numbers formatted the language's way, text HTML-escaped.

    The frame keeps its numeric data (sorting, plotting and tests still see numbers); only
    what the reader sees changes. Escaping matters: dataset records can contain HTML or
    script text, and a notebook must show it as text, never run it.
    """
    import numpy as np
    import pandas as pd

    language = resolve_language(lang)

    def number(value: object) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return "–"
        if isinstance(value, bool | np.bool_):
            return str(value)
        if isinstance(value, numbers.Real):  # numpy integers and floats included
            places = 0 if float(value).is_integer() else decimals
            return format_number(float(value), language, places)
        return str(value)

    numeric = frame.select_dtypes("number").columns
    return (
        frame.style.format(escape="html")
        .format(number, subset=list(numeric), escape="html")
        .format_index(escape="html", axis=1)
        .hide(axis="index")
    )
