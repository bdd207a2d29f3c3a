"""The Turkish catalogs are complete, and the gate catches what would make them incomplete."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from talimat_sphinx import catalogs as i18n


@pytest.fixture(scope="session")
def pot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh extraction of the English sources (no notebook is executed)."""
    return i18n.extract(tmp_path_factory.mktemp("gettext") / "gettext")


@pytest.fixture
def locale_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "locales"
    shutil.copytree(i18n.LOCALE_DIR, copy)
    return copy


def edit_first_message(po_path: Path, **changes: object) -> str:
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    message = next(m for m in catalog if m.id)
    for name, value in changes.items():
        if name == "fuzzy":
            message.flags.add("fuzzy")
        else:
            setattr(message, name, value)
    with po_path.open("wb") as handle:
        write_po(handle, catalog)
    return str(message.id)


def test_turkish_catalogs_are_complete_and_current(pot_dir: Path) -> None:
    problems = i18n.check(pot_dir)
    assert not problems, "\n".join(map(str, problems))


def page_catalog(locale_dir: Path) -> Path:
    return locale_dir / "tr" / "LC_MESSAGES" / "docs" / "01-what-is-an-instruction-dataset.po"


def test_gate_names_an_untranslated_message(pot_dir: Path, locale_copy: Path) -> None:
    msgid = edit_first_message(page_catalog(locale_copy), string="")
    problems = i18n.check(pot_dir, locale_copy)
    assert [(p.file.name, p.message, p.reason) for p in problems] == [
        ("01-what-is-an-instruction-dataset.po", msgid, "untranslated")
    ]
    assert "01-what-is-an-instruction-dataset.po" in str(problems[0])


def test_gate_names_a_fuzzy_message(pot_dir: Path, locale_copy: Path) -> None:
    msgid = edit_first_message(page_catalog(locale_copy), fuzzy=True)
    assert [(p.message, p.reason) for p in i18n.check(pot_dir, locale_copy)] == [(msgid, "fuzzy")]


def test_gate_catches_a_catalog_behind_its_source(
    pot_dir: Path, locale_copy: Path, tmp_path: Path
) -> None:
    stale_pot = tmp_path / "pot"
    shutil.copytree(pot_dir, stale_pot)
    pot = stale_pot / "docs" / "01-what-is-an-instruction-dataset.pot"
    pot.write_text(
        pot.read_text(encoding="utf-8")
        + '\nmsgid "A sentence added to the English page."\nmsgstr ""\n',
        encoding="utf-8",
    )
    problems = i18n.check(stale_pot, locale_copy)
    assert [(p.message, p.reason) for p in problems] == [
        ("A sentence added to the English page.", "stale: message not in catalog")
    ]


def test_gate_catches_a_catalog_for_a_removed_page(pot_dir: Path, locale_copy: Path) -> None:
    orphan = locale_copy / "tr" / "LC_MESSAGES" / "docs" / "99-gone.po"
    shutil.copy(page_catalog(locale_copy), orphan)
    reasons = {p.reason for p in i18n.check(pot_dir, locale_copy)}
    assert reasons == {"catalog for a page that no longer exists"}


def test_theme_strings_without_turkish_are_supplied() -> None:
    problems = i18n.check_theme_catalog()
    assert not problems, "\n".join(map(str, problems))


def test_theme_gate_names_a_missing_string(tmp_path: Path) -> None:
    catalog = tmp_path / "sphinx.po"
    shutil.copy(i18n.THEME_CATALOG, catalog)
    msgid = edit_first_message(catalog, string="")
    assert [(p.message, p.reason) for p in i18n.check_theme_catalog(catalog)] == [
        (msgid, "theme string without Turkish")
    ]


def test_an_update_keeps_the_catalog_header(tmp_path: Path) -> None:
    """sphinx-intl rewrites POT-Creation-Date on every update; the old header comes back."""
    po = tmp_path / "page.po"
    old = (
        'msgid ""\nmsgstr ""\n"POT-Creation-Date: 2026-11-25 15:00+0000\\n"\n'
        '"Generated-By: Babel 2.18.0\\n"'
    )
    po.write_text(old + '\n\nmsgid "Hello"\nmsgstr "Merhaba"\n', encoding="utf-8")
    before = i18n.header(po)
    new = old.replace("2026-11-25 15:00", "2026-12-01 19:32").replace("2.18.0", "2.19.0")
    po.write_text(new + '\n\nmsgid "Hello, world"\nmsgstr ""\n', encoding="utf-8")
    i18n.keep_header(po, before)
    assert po.read_text(encoding="utf-8") == old + '\n\nmsgid "Hello, world"\nmsgstr ""\n'
