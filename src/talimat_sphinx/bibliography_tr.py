"""A Turkish bibliography: Turkish connectives, months and notes on the Turkish site.

sphinxcontrib-bibtex formats entries with pybtex's English ``unsrt`` style and cites with
English name lists, so Turkish pages read "Zhou *et al.*", "Taori, ..., and Hashimoto",
"In Proceedings of ..." and the notes of ``docs/references.bib`` ("Dataset card: 52,000 ...
Checked 2026-11-25."), in the bibliography and in every citation's tooltip.

On the Turkish build this module switches to a formatting style and a referencing style
registered here: "ve" and "vd." for the name lists, "... içinde" for proceedings, Turkish month
names, and the ``note`` / ``howpublished`` fields from ``locales/tr/references.toml``. A bib
entry without its Turkish fields fails the build (a missing translation).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pybtex.plugin
from pybtex.database import Entry, Person
from pybtex.richtext import Tag, Text
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.formatting.unsrt import pages
from pybtex.style.template import join, names, optional, optional_field, sentence, words
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

__all__ = ["TurkishReferenceStyle", "TurkishStyle", "setup", "turkish_fields"]

#: The Turkish notes, relative to the project's source folder (set at config-inited).
NOTES_FILE = Path("locales") / "tr" / "references.toml"
_notes_path: Path | None = None
TRANSLATED_FIELDS = ("note", "howpublished")
MONTHS = {
    "January": "Ocak", "February": "Şubat", "March": "Mart", "April": "Nisan", "May": "Mayıs",
    "June": "Haziran", "July": "Temmuz", "August": "Ağustos", "September": "Eylül",
    "October": "Ekim", "November": "Kasım", "December": "Aralık",
}  # fmt: skip
OTHERS = "diğerleri"  # BibTeX's "and others" in a full author list


def turkish_fields(path: Path | None = None) -> dict[str, dict[str, str]]:
    """The Turkish ``note`` / ``howpublished`` of each bib key (the build's file by default)."""
    if path is None:
        from talimat_sphinx.project import find_root

        path = _notes_path or find_root() / NOTES_FILE
    return _read_notes(path)


@cache
def _read_notes(path: Path) -> dict[str, dict[str, str]]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def turkish_entry(entry: Entry, fields: dict[str, dict[str, str]]) -> Entry:
    """A copy of ``entry`` with its English-only fields in Turkish."""
    translated = dict(entry.fields)
    wanted = [name for name in TRANSLATED_FIELDS if name in entry.fields]
    for name in wanted:
        try:
            translated[name] = fields[entry.key][name]
        except KeyError:
            raise ConfigError(
                f"{NOTES_FILE.name}: no Turkish {name!r} for bib entry {entry.key!r}"
            ) from None
    if "month" in translated:
        translated["month"] = MONTHS.get(translated["month"], translated["month"])
    persons = {
        role: [Person(OTHERS) if str(p) == "others" else p for p in people]
        for role, people in entry.persons.items()
    }
    copy = Entry(entry.type, fields=translated, persons=persons)
    copy.key = entry.key
    return copy


class TurkishStyle(UnsrtStyle):
    """pybtex's ``unsrt`` with Turkish connectives and the Turkish fields."""

    def format_entry(self, label: str, entry: Entry, bib_data: Any = None) -> Any:
        return super().format_entry(label, turkish_entry(entry, turkish_fields()), bib_data)

    def format_names(self, role: str, as_sentence: bool = True) -> Any:
        formatted = names(role, sep=", ", sep2=" ve ", last_sep=" ve ")
        return sentence[formatted] if as_sentence else formatted

    def get_inproceedings_template(self, e: Entry) -> Any:
        # Turkish puts the container first: "<Kitap adı> içinde", where English says "In <...>".
        container = join(sep=", ")[
            optional[self.format_editor(e, as_sentence=False)],
            self.format_btitle(e, "booktitle", as_sentence=False),
            self.format_volume_and_series(e, as_sentence=False),
            optional[pages],
        ]
        return toplevel[
            sentence[self.format_names("author")],
            self.format_title(e, "title"),
            sentence[words[container, "içinde"]],
            self.format_address_organization_publisher_date(e),
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]


def _turkish_person() -> PersonStyle:
    return PersonStyle(sep2=" ve ", last_sep=" ve ", other=Text(" ", Tag("em", "vd.")))


@dataclass
class TurkishReferenceStyle(AuthorYearReferenceStyle):
    """Author–year citations with "ve" and "vd." (Turkish for "and", "et al.")."""

    person: PersonStyle = field(default_factory=_turkish_person)


def use_turkish_styles(app: Sphinx, config: Config) -> None:
    global _notes_path
    if config.language != "tr":
        return
    _notes_path = Path(app.srcdir) / NOTES_FILE
    if config.bibtex_default_style != "unsrt" or config.bibtex_reference_style != "author_year":
        raise ConfigError(
            "bibliography_tr translates the 'unsrt' and 'author_year' styles only; got "
            f"{config.bibtex_default_style!r} and {config.bibtex_reference_style!r}"
        )
    config.bibtex_default_style = "talimat_unsrt_tr"
    config.bibtex_reference_style = "talimat_author_year_tr"


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinxcontrib.bibtex")
    pybtex.plugin.register_plugin("pybtex.style.formatting", "talimat_unsrt_tr", TurkishStyle)
    register_plugin("sphinxcontrib.bibtex.style.referencing", "talimat_author_year_tr",
                    TurkishReferenceStyle)  # fmt: skip
    app.connect("config-inited", use_turkish_styles)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
