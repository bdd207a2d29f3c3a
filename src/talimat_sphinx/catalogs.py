"""Keep the Turkish catalogs in step with the English sources, and gate on completeness.

    python tools/translations.py extract   # sources -> _build/gettext/*.pot (no execution)
    python tools/translations.py update    # .pot -> locales/<lang>/LC_MESSAGES/*.po
    python tools/translations.py check     # fail on a missing, fuzzy, empty, stale or obsolete one
    python tools/translations.py extract update check --only docs/03-x.md --pot-dir /tmp/p
                                           # one page's catalog, in a private folder

``sphinx-intl stat`` is not used as the gate: it lets fuzzy and obsolete entries through
(seen in probes). The check reads every catalog with Babel and compares it message by
message with a fresh extraction, naming the file and the message that fails.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from talimat.language import TRANSLATED_LANGUAGES
from talimat_sphinx.project import ROOT

POT_DIR = ROOT / "_build" / "gettext"
LOCALE_DIR = ROOT / "locales"
LANGUAGES = TRANSLATED_LANGUAGES


@dataclass(frozen=True)
class CatalogProblem:
    """One message (or file) that keeps a catalog from being complete."""

    file: Path
    message: str
    reason: str

    def __str__(self) -> str:
        shown = self.message if len(self.message) <= 70 else self.message[:67] + "..."
        where = self.file.relative_to(ROOT) if self.file.is_relative_to(ROOT) else self.file
        return f"{where}: {self.reason}: {shown!r}"


def extract(pot_dir: Path = POT_DIR, source_dir: Path = ROOT) -> Path:
    """Extract every translatable message of the sources into ``pot_dir``.

    Notebooks are not executed (outputs are not messages), so glued values do not exist
    here. Warnings are not fatal in this run: the HTML build is the gate for them, and one
    page's warning must not stop the catalogs of the others from being extracted.
    """
    quiet_glue = "suppress_warnings=mystnb.glue,mystnb.glue_ref"
    doctrees = pot_dir.with_name(pot_dir.name + "-doctrees")
    subprocess.run(
        [
            sys.executable, "-m", "sphinx", "-b", "gettext", "-q", "-E",  # -E: no stale doctrees
            "-D", "nb_execution_mode=off", "-D", quiet_glue, "-d", str(doctrees),
            str(source_dir), str(pot_dir),
        ],
        check=True,
    )  # fmt: skip
    return pot_dir


def document_name(source: str) -> Path:
    """``docs/03-x.md`` -> ``docs/03-x``: the name a page's catalog and template share."""
    return Path(source).with_suffix("")


def update(
    pot_dir: Path = POT_DIR, locale_dir: Path = LOCALE_DIR, only: list[Path] | None = None
) -> None:
    """Merge new and changed messages into the catalogs with sphinx-intl."""
    with tempfile.TemporaryDirectory() as selected:
        if only:  # sphinx-intl updates every template it is given: give it just these
            for name in only:
                target = Path(selected) / name.with_suffix(".pot")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(pot_dir / name.with_suffix(".pot"), target)
            pot_dir = Path(selected)
        for language in LANGUAGES:
            catalog_dir = locale_dir / language / "LC_MESSAGES"
            headers = {po: header(po) for po in catalog_dir.rglob("*.po")}
            subprocess.run(
                [
                    sys.executable, "-m", "sphinx_intl", "update", "-p", str(pot_dir),
                    "-d", str(locale_dir), "-l", language, "-w", "0",
                ],
                check=True,
            )  # fmt: skip
            for pot in pot_dir.rglob("*.pot"):
                po = catalog_dir / pot.relative_to(pot_dir).with_suffix(".po")
                drop_obsolete(po)
                if po in headers:
                    keep_header(po, headers[po])


def header(po_path: Path) -> str:
    """A catalog's header entry (``msgid ""`` and its ``msgstr``), as text."""
    text = po_path.read_text(encoding="utf-8")
    start = text.find('msgid ""\n')
    end = text.find("\n\n", start)
    return text[start:end] if start >= 0 and end > start else ""


def keep_header(po_path: Path, old: str) -> None:
    """Put a catalog's previous header back after an update.

    sphinx-intl writes a new ``POT-Creation-Date`` (and Babel its own version) into every
    catalog it touches, so one changed English sentence would change every catalog's header.
    The header carries nothing a translator needs; keeping it keeps diffs to the messages.
    """
    new = header(po_path)
    if old and new and new != old:
        text = po_path.read_text(encoding="utf-8")
        po_path.write_text(text.replace(new, old, 1), encoding="utf-8")


def drop_obsolete(po_path: Path) -> None:
    """Remove entries sphinx-intl keeps as ``#~`` after their message left the sources.

    They are dead weight the gate would flag; git history keeps old translations.
    """
    catalog = _read(po_path)
    if catalog.obsolete:
        with po_path.open("wb") as handle:
            write_po(handle, catalog, width=0, ignore_obsolete=True)


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def _msgid(message_id: str | tuple[str, ...] | list[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def check(
    pot_dir: Path = POT_DIR,
    locale_dir: Path = LOCALE_DIR,
    languages: tuple[str, ...] = LANGUAGES,
    only: list[Path] | None = None,
) -> list[CatalogProblem]:
    """Every message of every ``.pot`` must be translated, not fuzzy, and nothing stale kept."""
    problems: list[CatalogProblem] = []
    templates = {p.relative_to(pot_dir).with_suffix(""): p for p in sorted(pot_dir.rglob("*.pot"))}
    if not templates:
        raise FileNotFoundError(f"no .pot files under {pot_dir}; run the extract step first")
    if only:
        templates = {name: path for name, path in templates.items() if name in only}
    for language in languages:
        catalog_dir = locale_dir / language / "LC_MESSAGES"
        catalogs = {
            p.relative_to(catalog_dir).with_suffix(""): p for p in catalog_dir.rglob("*.po")
        }
        for name, pot_path in templates.items():
            po_path = catalog_dir / name.with_suffix(".po")
            wanted = {_msgid(m.id) for m in _read(pot_path) if m.id}
            if name not in catalogs:
                problems.append(CatalogProblem(po_path, str(name), "catalog missing"))
                continue
            po = _read(po_path)
            have = {_msgid(m.id): m for m in po if m.id}
            for msgid in sorted(wanted):
                message = have.get(msgid)
                if message is None:
                    problems.append(CatalogProblem(po_path, msgid, "stale: message not in catalog"))
                elif message.fuzzy:
                    problems.append(CatalogProblem(po_path, msgid, "fuzzy"))
                elif not message.string or (
                    isinstance(message.string, tuple) and not all(message.string)
                ):
                    problems.append(CatalogProblem(po_path, msgid, "untranslated"))
            for msgid in sorted(set(have) - wanted):
                problems.append(
                    CatalogProblem(po_path, msgid, "stale: message no longer in sources")
                )
            for obsolete in po.obsolete:
                problems.append(CatalogProblem(po_path, _msgid(obsolete), "obsolete entry kept"))
        for name in [] if only else sorted(set(catalogs) - set(templates)):
            problems.append(
                CatalogProblem(
                    catalogs[name], str(name), "catalog for a page that no longer exists"
                )
            )
    return problems


THEME_CATALOG = LOCALE_DIR / "theme" / "tr" / "LC_MESSAGES" / "sphinx.po"
THEME_OPTION_STRINGS = ("Search...",)  # theme options talimat_sphinx.i18n translates


def check_theme_catalog(catalog_path: Path = THEME_CATALOG) -> list[CatalogProblem]:
    """Every pydata-sphinx-theme string that Sphinx has no Turkish for is translated by us."""
    import gettext

    import pydata_sphinx_theme
    import sphinx

    theme_pot = Path(pydata_sphinx_theme.__file__).parent / "locale" / "sphinx.pot"
    sphinx_tr = gettext.translation(
        "sphinx", Path(sphinx.__file__).parent / "locale", languages=["tr"]
    )
    wanted = {_msgid(m.id) for m in _read(theme_pot) if m.id} | set(THEME_OPTION_STRINGS)
    missing_in_sphinx = {msgid for msgid in wanted if sphinx_tr.gettext(msgid) == msgid}
    have = {_msgid(m.id): m for m in _read(catalog_path) if m.id} if catalog_path.is_file() else {}
    problems = []
    for msgid in sorted(missing_in_sphinx):
        message = have.get(msgid)
        if message is None or not message.string or message.fuzzy:
            problems.append(CatalogProblem(catalog_path, msgid, "theme string without Turkish"))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("steps", nargs="+", choices=["extract", "update", "check"])
    parser.add_argument("--pot-dir", type=Path, default=POT_DIR, help="where templates go")
    parser.add_argument("--only", nargs="+", metavar="SOURCE", help="pages to update/check")
    args = parser.parse_args(argv)
    only = [document_name(source) for source in args.only] if args.only else None
    for step in args.steps:
        if step == "extract":
            extract(args.pot_dir)
        elif step == "update":
            update(args.pot_dir, only=only)
        else:
            problems = check(args.pot_dir, only=only) + check_theme_catalog()
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                print(
                    f"{len(problems)} translation problem(s). Translate the messages above in "
                    "locales/tr/LC_MESSAGES/ (see TRANSLATING.md), then run "
                    "`nox -s i18n` again.",
                    file=sys.stderr,
                )
                return 1
            print("Turkish catalogs: every message translated, none fuzzy or stale.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
