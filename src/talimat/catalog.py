"""A curated catalog of notable instruction datasets, each row tied to its source.

The data ship in ``talimat/data/catalog.csv``: one dataset per row with its sample count
as the card or paper states it (and what that count means), languages, licence, purpose,
record format, how it was made and where its content comes from (its provenance), the source
URL, a BibTeX key for ``docs/references.bib`` and the day it was checked. :func:`load_catalog`
validates the file on load.

Whether a dataset may be used commercially follows from its licence *and* its provenance: an
Apache 2.0 label on a translation of non-commercial data, or on answers written by a model whose
terms restrict their use, does not make the data free to use. :func:`commercial_use` decides
from both and says why; ``filter_catalog(commercial=True)`` keeps only the datasets both allow,
and :func:`commercial_exclusions` lists the others with their reasons.

>>> frame = load_catalog(raw=True)
>>> int(frame.loc[frame["hub_id"] == "GAIR/lima", "samples"].iloc[0])
1000
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from talimat.choices import check_choice
from talimat.errors import TalimatError, data_file_problem

from .language import LANGUAGES, localized_table, messages, resolve_language

if TYPE_CHECKING:  # pandas is imported lazily
    import pandas as pd
    from pandas.io.formats.style import Styler

__all__ = [
    "COMMERCIAL_LICENSES",
    "FIELDS",
    "LOCALIZED_FIELDS",
    "SIZE_BANDS",
    "CatalogDataError",
    "CommercialUse",
    "DatasetEntry",
    "SizeBand",
    "UnknownDatasetError",
    "catalog_table",
    "commercial_exclusions",
    "commercial_use",
    "filter_catalog",
    "get_dataset",
    "load_catalog",
    "read_catalog",
    "size_band_of",
]

Purpose = Literal["general", "task", "domain"]
RecordFormat = Literal["alpaca", "sharegpt", "messages", "other"]
Origin = Literal["human", "synthetic", "mixed", "unknown"]
# Where the content comes from, as far as it bears on commercial use:
#   people                written or collected by people: no model answers, no restricted source
#   teacher_model         answers written by a model whose terms restrict the use of its outputs
#   noncommercial_source  derived (translated, filtered) from a non-commercial dataset
#   mixed_sources         compiled from sources under different terms, not all stated or open
#   unstated              the card does not say how the data was made
Provenance = Literal["people", "teacher_model", "noncommercial_source", "mixed_sources", "unstated"]

PURPOSES: tuple[str, ...] = get_args(Purpose)
FORMATS: tuple[str, ...] = get_args(RecordFormat)
ORIGINS: tuple[str, ...] = get_args(Origin)
PROVENANCES: tuple[str, ...] = get_args(Provenance)

#: Licences (as the catalog spells them) whose terms permit commercial use. Anything with
#: ``-nc`` forbids it; ``unspecified`` gives no permission; anything else (e.g. a bare ``cc``
#: that does not say which Creative Commons licence) is treated as unclear, hence not allowed.
COMMERCIAL_LICENSES = frozenset({"apache-2.0", "mit", "cc-by-4.0", "cc-by-sa-3.0", "odc-by"})

#: The fields written once per language (``samples_note_en``, ``samples_note_tr``, …): one
#: column for each language of the language table.
LOCALIZED_FIELDS: tuple[str, ...] = ("samples_note", "focus", "provenance_note")


def _per_language(name: str) -> tuple[str, ...]:
    return tuple(f"{name}_{code}" for code in LANGUAGES)


FIELDS: tuple[str, ...] = (
    "hub_id",
    "name",
    "samples",
    *_per_language("samples_note"),
    "languages",
    "license",
    "purpose",
    *_per_language("focus"),
    "format",
    "origin",
    "provenance",
    *_per_language("provenance_note"),
    "source_url",
    "bibtex_key",
    "checked",
)
_REQUIRED = frozenset(FIELDS) - set(_per_language("focus"))

_msg = messages("catalog")


class CatalogDataError(TalimatError):
    """The catalog file is malformed; the message names the file, row and field."""


class UnknownDatasetError(TalimatError, KeyError):
    """No catalog entry has the requested Hub ID."""

    def __str__(self) -> str:  # KeyError would otherwise show the repr of the message
        return str(self.args[0])


@dataclass(frozen=True)
class SizeBand:
    """A range of sample counts, ``low <= n < high`` (``high`` None: no upper end)."""

    code: str
    low: int
    high: int | None

    def contains(self, samples: int) -> bool:
        return samples >= self.low and (self.high is None or samples < self.high)

    def label(self, lang: str | None = None) -> str:
        return _msg(f"band_{self._key}", lang)

    @property
    def _key(self) -> str:
        return {
            "<1k": "lt1k",
            "1k-10k": "1k_10k",
            "10k-100k": "10k_100k",
            "100k-1M": "100k_1m",
            ">=1M": "ge1m",
        }[self.code]


#: The size bands datasets are grouped in, smallest first (``filter_catalog(size_band=...)``).
SIZE_BANDS: tuple[SizeBand, ...] = (
    SizeBand("<1k", 0, 1_000),
    SizeBand("1k-10k", 1_000, 10_000),
    SizeBand("10k-100k", 10_000, 100_000),
    SizeBand("100k-1M", 100_000, 1_000_000),
    SizeBand(">=1M", 1_000_000, None),
)


def size_band_of(samples: int) -> SizeBand:
    """The band a sample count falls in."""
    for band in SIZE_BANDS:
        if band.contains(samples):
            return band
    raise ValueError(f"samples must be a non-negative integer; got {samples!r}")


@dataclass(frozen=True)
class DatasetEntry:
    """One catalog row: a dataset and the facts we checked about it."""

    hub_id: str
    name: str
    samples: int
    languages: tuple[str, ...]
    license: str
    purpose: str
    format: str
    origin: str
    provenance: str
    source_url: str
    bibtex_key: str
    checked: date
    #: The per-language fields by column name (``"focus_tr"``): see :data:`LOCALIZED_FIELDS`.
    texts: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def size_band(self) -> SizeBand:
        return size_band_of(self.samples)

    def value(self, column: str) -> object:
        """The value of one catalog column, per-language ones (``"focus_tr"``) included."""
        return self.texts[column] if column in self.texts else getattr(self, column)

    def _text(self, name: str, lang: str | None) -> str:
        return self.texts[f"{name}_{resolve_language(lang)}"]

    def samples_note(self, lang: str | None = None) -> str:
        """What the sample count means, in ``lang``."""
        return self._text("samples_note", lang)

    def focus(self, lang: str | None = None) -> str:
        """The task or domain (empty for general-purpose sets), in ``lang``."""
        return self._text("focus", lang)

    def provenance_note(self, lang: str | None = None) -> str:
        """Where the content comes from, in ``lang``."""
        return self._text("provenance_note", lang)


@dataclass(frozen=True)
class CommercialUse:
    """Whether a dataset may be used commercially, and why: licence and provenance both count."""

    hub_id: str
    license_allows: bool
    provenance_allows: bool
    reasons: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return self.license_allows and self.provenance_allows

    def explanation(self, lang: str | None = None) -> str:
        """One sentence for readers: allowed or not, then the reasons."""
        key = "commercial_yes" if self.allowed else "commercial_no"
        return _msg(key, lang, reasons="; ".join(self.reasons))


def commercial_use(entry: DatasetEntry, lang: str | None = None) -> CommercialUse:
    """Decide commercial use from the entry's licence and its provenance, with the reasons.

    A dataset is allowed only when its licence permits commercial use and its content was
    written by people (no model answers, no non-commercial or unstated source). The reasons
    name what failed (or, when allowed, what was checked), in ``lang``.
    """
    language = resolve_language(lang)
    license = entry.license
    if license in COMMERCIAL_LICENSES:
        license_key, license_allows = "license_permits", True
    elif "-nc" in license:
        license_key, license_allows = "license_noncommercial", False
    elif license == "unspecified":
        license_key, license_allows = "license_missing", False
    else:
        license_key, license_allows = "license_unclear", False
    provenance_allows = entry.provenance == "people"
    license_reason = _msg(license_key, language, license=license)
    provenance_reason = _msg(
        f"provenance_{entry.provenance}",
        language,
        note=entry.provenance_note(language).rstrip("."),
    )
    reasons: tuple[str, ...]
    if license_allows and provenance_allows:
        reasons = (license_reason, provenance_reason)
    else:
        reasons = tuple(
            reason
            for reason, fails in (
                (license_reason, not license_allows),
                (provenance_reason, not provenance_allows),
            )
            if fails
        )
    return CommercialUse(entry.hub_id, license_allows, provenance_allows, reasons)


# --- reading and validation ----------------------------------------------------------


def _bad(path: str, row: int, field: str, problem: str) -> CatalogDataError:
    return CatalogDataError(data_file_problem(path, f"row {row} (line {row + 1})", field, problem))


def _parse_row(record: dict[str, str], path: str, row: int) -> DatasetEntry:
    values = {name: (record.get(name) or "").strip() for name in FIELDS}
    for name in FIELDS:
        if name in _REQUIRED and not values[name]:
            raise _bad(path, row, name, "empty")
    if "/" not in values["hub_id"]:
        raise _bad(path, row, "hub_id", f"{values['hub_id']!r} is not of the form owner/name")
    try:
        samples = int(values["samples"])
    except ValueError:
        samples = 0
    if samples <= 0:
        raise _bad(path, row, "samples", f"expected a positive integer, got {values['samples']!r}")
    for name, allowed in (
        ("purpose", PURPOSES),
        ("format", FORMATS),
        ("origin", ORIGINS),
        ("provenance", PROVENANCES),
    ):
        if values[name] not in allowed:
            raise _bad(path, row, name, f"{values[name]!r} is not one of {', '.join(allowed)}")
    if values["purpose"] != "general":
        for name in _per_language("focus"):
            if not values[name]:
                raise _bad(
                    path, row, name, f"a {values['purpose']} dataset needs its task or domain"
                )
    if not values["source_url"].startswith("https://"):
        raise _bad(
            path, row, "source_url", f"expected an https:// URL, got {values['source_url']!r}"
        )
    try:
        checked = date.fromisoformat(values["checked"])
    except ValueError:
        raise _bad(
            path, row, "checked", f"{values['checked']!r} is not a YYYY-MM-DD date"
        ) from None
    languages = tuple(code.strip() for code in values["languages"].split(";") if code.strip())
    return DatasetEntry(
        hub_id=values["hub_id"],
        name=values["name"],
        samples=samples,
        languages=languages,
        license=values["license"].lower(),
        purpose=values["purpose"],
        format=values["format"],
        origin=values["origin"],
        provenance=values["provenance"],
        source_url=values["source_url"],
        bibtex_key=values["bibtex_key"],
        checked=checked,
        texts={
            column: values[column] for name in LOCALIZED_FIELDS for column in _per_language(name)
        },
    )


def read_catalog(path: str | os.PathLike[str]) -> tuple[DatasetEntry, ...]:
    """Read and validate a catalog CSV; errors name the file, the row (1-based) and the field."""
    label = str(path)
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [name for name in FIELDS if name not in header]
        if missing:
            raise CatalogDataError(f"{label}, header: missing field(s) {', '.join(missing)}")
        entries = []
        seen: dict[str, int] = {}
        for row, record in enumerate(reader, 1):
            if None in record:  # more cells than header fields
                raise _bad(label, row, "(extra cells)", "the row has more cells than the header")
            entry = _parse_row(record, label, row)
            if entry.hub_id in seen:
                raise _bad(label, row, "hub_id", f"duplicate of row {seen[entry.hub_id]}")
            seen[entry.hub_id] = row
            entries.append(entry)
    if not entries:
        raise CatalogDataError(f"{label}: no rows")
    return tuple(entries)


@cache
def _packaged_entries() -> tuple[DatasetEntry, ...]:
    with resources.as_file(resources.files("talimat") / "data" / "catalog.csv") as path:
        return read_catalog(Path(path))


# --- tables --------------------------------------------------------------------------

# The loaded table: the file's fields, with the size band derived from the sample count and
# the commercial-use decision derived from licence and provenance.
_RAW_COLUMNS = (*FIELDS[:3], "size_band", *FIELDS[3:-3], "commercial", *FIELDS[-3:])
_READER_COLUMNS = (
    "name",
    "hub_id",
    "samples",
    "samples_note",
    "size_band",
    "languages",
    "license",
    "purpose",
    "focus",
    "format",
    "origin",
    "commercial",
    "source_url",
    "bibtex_key",
    "checked",
)


def _raw_frame(entries: Iterable[DatasetEntry]) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for entry in entries:
        derived = {"size_band", "commercial"}
        row = {name: entry.value(name) for name in _RAW_COLUMNS if name not in derived}
        row["size_band"] = entry.size_band.code
        row["commercial"] = commercial_use(entry).allowed
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(_RAW_COLUMNS))
    frame["samples"] = frame["samples"].astype("int64")
    frame["commercial"] = frame["commercial"].astype("bool")
    return frame


def _localize(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    import pandas as pd

    def languages(codes: tuple[str, ...]) -> str:
        return ", ".join(
            _msg("language_multi", language) if code == "multi" else code for code in codes
        )

    bands = {band.code: band.label(language) for band in SIZE_BANDS}
    note_column = f"samples_note_{language}"
    focus_column = f"focus_{language}"
    shown = pd.DataFrame(
        {
            "name": frame["name"],
            "hub_id": frame["hub_id"],
            "samples": frame["samples"],
            "samples_note": frame[note_column],
            "size_band": frame["size_band"].map(bands),
            "languages": frame["languages"].map(languages),
            "license": [
                _msg("license_unspecified", language) if value == "unspecified" else value
                for value in frame["license"]
            ],
            "purpose": [_msg(f"purpose_{value}", language) for value in frame["purpose"]],
            "focus": frame[focus_column],
            "format": [_msg(f"format_{value}", language) for value in frame["format"]],
            "origin": [_msg(f"origin_{value}", language) for value in frame["origin"]],
            "commercial": [
                commercial_use(get_dataset(hub_id), language).explanation(language)
                for hub_id in frame["hub_id"]
            ],
            "source_url": frame["source_url"],
            "bibtex_key": frame["bibtex_key"],
            "checked": frame["checked"].map(date.isoformat),
        }
    )
    return shown.rename(columns={name: _msg(f"col_{name}", language) for name in _READER_COLUMNS})


def load_catalog(lang: str | None = None, *, raw: bool = False) -> pd.DataFrame:
    """The catalog as a DataFrame.

    ``raw=True`` gives stable English snake_case columns and codes (for code and tests);
    otherwise headers, purposes, formats and size bands are in ``lang`` (``"tr"``: Turkish).
    """
    frame = _raw_frame(_packaged_entries())
    return frame if raw else _localize(frame, resolve_language(lang))


def _matching(
    purpose: str | None,
    language: str | None,
    license: str | None,
    size_band: str | None,
    commercial: bool | None,
) -> list[DatasetEntry]:
    check_choice("purpose", purpose, PURPOSES)
    check_choice("size_band", size_band, (band.code for band in SIZE_BANDS))
    if language is not None and (not isinstance(language, str) or not language.strip()):
        raise ValueError(f"language must be a language code such as 'tr'; got {language!r}")
    if license is not None and (not isinstance(license, str) or not license.strip()):
        raise ValueError(
            f"license must be a licence identifier such as 'apache-2.0'; got {license!r}"
        )
    if commercial is not None and not isinstance(commercial, bool):
        raise ValueError(f"commercial must be True, False or None; got {commercial!r}")
    return [
        entry
        for entry in _packaged_entries()
        if (purpose is None or entry.purpose == purpose)
        and (language is None or language.strip().lower() in entry.languages)
        and (license is None or entry.license == license.strip().lower())
        and (size_band is None or entry.size_band.code == size_band)
        and (commercial is None or commercial_use(entry).allowed == commercial)
    ]


def filter_catalog(
    *,
    purpose: str | None = None,
    language: str | None = None,
    license: str | None = None,
    size_band: str | None = None,
    commercial: bool | None = None,
    lang: str | None = None,
    raw: bool = False,
) -> pd.DataFrame:
    """Catalog rows matching every given criterion, localized like :func:`load_catalog`.

    ``language`` is a language code (``"tr"``); ``license`` a licence identifier as in the
    catalog (``"apache-2.0"``); ``size_band`` one of the codes in :data:`SIZE_BANDS`.
    ``commercial=True`` keeps only datasets whose licence *and* provenance allow commercial
    use (``False``: only the others); every table says why in its commercial-use column, and
    :func:`commercial_exclusions` lists the ones left out with their reasons.
    """
    entries = _matching(purpose, language, license, size_band, commercial)
    frame = _raw_frame(entries)
    return frame if raw else _localize(frame, resolve_language(lang))


def commercial_exclusions(
    *,
    purpose: str | None = None,
    language: str | None = None,
    license: str | None = None,
    size_band: str | None = None,
    lang: str | None = None,
) -> tuple[CommercialUse, ...]:
    """The datasets matching the other criteria that commercial use excludes, each with why.

    The counterpart of ``filter_catalog(commercial=True)`` with the same criteria: together
    they account for every matching row, so a listing can show what it left out.
    """
    shown_in = resolve_language(lang)
    return tuple(
        commercial_use(entry, shown_in)
        for entry in _matching(purpose, language, license, size_band, commercial=False)
    )


def catalog_table(lang: str | None = None) -> Styler:
    """The catalog for readers: localized headers, numbers written the language's way."""
    language = resolve_language(lang)
    return localized_table(load_catalog(language), language)


def get_dataset(hub_id: str) -> DatasetEntry:
    """The catalog entry for a Hub ID such as ``"GAIR/lima"`` (case-insensitive)."""
    wanted = hub_id.strip().lower() if isinstance(hub_id, str) else hub_id
    for entry in _packaged_entries():
        if entry.hub_id.lower() == wanted:
            return entry
    known = ", ".join(entry.hub_id for entry in _packaged_entries())
    raise UnknownDatasetError(f"no catalog entry for {hub_id!r}; known: {known}")
