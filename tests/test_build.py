"""The assembled bilingual site: both languages, switchers, chooser, localized notebook output."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from bs4 import BeautifulSoup

from talimat.language import LANGUAGES, site_languages
from talimat_sphinx import site_build as build


def pages(site: Path, language: str) -> set[Path]:
    root = site / language
    return {
        p.relative_to(root)
        for p in root.rglob("*.html")
        if not p.relative_to(root).parts[0].startswith("_")
    }


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_both_languages_have_the_same_pages(site: Path) -> None:
    english, turkish = pages(site, "en"), pages(site, "tr")
    assert Path("index.html") in english
    assert english == turkish, english ^ turkish


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_switches_to_the_same_page_in_the_other_language(
    site: Path, language: str
) -> None:
    other = "tr" if language == "en" else "en"
    for page in pages(site, language):
        html = soup(site / language / page)
        links = html.select("a.talimat-language-switch")
        assert len(links) == 1, f"{language}/{page}: expected one language switcher"
        target = (site / language / page).parent / urldefrag(links[0]["href"]).url
        assert target.resolve() == (site / other / page).resolve(), f"{language}/{page}"
        assert target.is_file()
        assert links[0]["hreflang"] == other


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_declare_their_language(site: Path, language: str) -> None:
    for page in pages(site, language):
        assert soup(site / language / page).html["lang"] == language, page


def test_chooser_offers_both_languages_and_follows_the_browser(site: Path) -> None:
    html = soup(site / "index.html")
    targets = {a["href"] for a in html.select("a[data-language]")}
    assert targets == {f"{lang}/index.html" for lang in LANGUAGES}
    assert "navigator.languages" in str(html.script)
    assert all((site / target).is_file() for target in targets)


def test_notebook_output_is_in_the_page_language(site: Path) -> None:
    page = "notebooks/01-what-is-an-instruction-dataset.html"
    headers = {
        lang: [th.get_text(strip=True) for th in soup(site / lang / page).select("table th")]
        for lang in LANGUAGES
    }
    assert "Instruction" in headers["en"]
    assert "Talimat" in headers["tr"]
    assert "Instruction" not in headers["tr"]


def test_turkish_pages_are_translated(site: Path) -> None:
    html = soup(site / "tr" / "docs" / "01-what-is-an-instruction-dataset.html")
    assert html.h1 is not None
    assert "Talimat veri kümesi nedir?" in html.h1.get_text()


def test_build_leftovers_are_not_published(site: Path) -> None:
    published = {p.name for p in site.rglob("*")}
    assert "jupyter_execute" not in published
    assert "jupyter_cache" not in published
    assert ".buildinfo" not in published


def test_sphinx_is_run_strictly() -> None:
    command = build.sphinx_command("tr")
    for flag in ("-W", "--keep-going", "-n"):
        assert flag in command
    assert "language=tr" in command


def test_each_language_has_its_own_tree() -> None:
    commands = {lang: build.sphinx_command(lang) for lang in LANGUAGES}
    outputs = {commands[lang][-1] for lang in LANGUAGES}
    assert len(outputs) == len(LANGUAGES)
    assert all(re.search(rf"_build/{lang}/html$", commands[lang][-1]) for lang in LANGUAGES)


def test_rebuilding_one_language_keeps_every_language_in_the_sitemap(tmp_path: Path) -> None:
    for language in LANGUAGES:  # two earlier builds, one tree each
        (tmp_path / language / "html").mkdir(parents=True)
        (tmp_path / language / "html" / "index.html").write_text("<html></html>")
    build.assemble(list(LANGUAGES), tmp_path)
    build.assemble([LANGUAGES[-1]], tmp_path)  # then only the last language again
    index = (tmp_path / "html" / "sitemap.xml").read_text(encoding="utf-8")
    for language in LANGUAGES:
        assert f"/{language}/sitemap.xml" in index
        assert (tmp_path / "html" / language / "sitemap.xml").is_file()


def test_the_other_language_comes_from_the_table() -> None:
    assert tuple(row.code for row in site_languages()) == LANGUAGES
    assert build.sphinx_command(LANGUAGES[0])[-1].endswith(f"_build/{LANGUAGES[0]}/html")
