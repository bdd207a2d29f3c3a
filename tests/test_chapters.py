"""The chapters as built: present in both languages, citations and glossary complete, tables
agreeing with the package's data, and no English sentence left on a Turkish page."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from babel.numbers import NumberFormatError, parse_decimal
from bs4 import BeautifulSoup
from pybtex.database import parse_file

from talimat.catalog import load_catalog
from talimat.hub import listing_frame, most_popular_instruction_datasets
from talimat.language import LANGUAGES
from talimat.sizing import reference_points

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = [
    "docs/01-what-is-an-instruction-dataset",
    "notebooks/01-what-is-an-instruction-dataset",
    "docs/02-finding-datasets",
    "notebooks/02-finding-datasets",
    "docs/03-sample-counts",
    "notebooks/03-sample-counts",
    "notebooks/03-turkish-token-tax",
    "docs/04-task-vs-domain",
    "notebooks/04-task-vs-domain",
    "notebooks/05-from-small-dataset-to-mix",
    "docs/06-curation",
    "notebooks/06-curation",
    "docs/07-preference-and-synthetic",
    "notebooks/07-preference-and-synthetic",
]
CITE = re.compile(r"\{cite:[pt]\}`([^`]+)`")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_exists_in_both_languages_with_exercises(site: Path, chapter: str) -> None:
    titles = {}
    for language in LANGUAGES:
        page = soup(site / language / f"{chapter}.html")
        titles[language] = page.h1.get_text(strip=True)
        headings = [h.get_text(strip=True).rstrip("#") for h in page.select("article h2")]
        assert ("Summary" if language == "en" else "Özet") in headings, (language, chapter)
    assert titles["en"] != titles["tr"], chapter


@pytest.mark.parametrize("number", ["01", "02", "03", "04", "05", "06", "07"])
def test_every_chapter_has_exercises_with_hidden_solutions(site: Path, number: str) -> None:
    for language in LANGUAGES:
        pages = [p for p in CHAPTERS if p.split("/")[1].startswith(number)]
        solutions = [
            d
            for p in pages
            for d in soup(site / language / f"{p}.html").select("details.sd-dropdown")
        ]
        assert len(solutions) >= 3, f"chapter {number} ({language}): {len(solutions)} solutions"
        assert all(not d.has_attr("open") for d in solutions), "solutions must start hidden"


def cited_keys() -> set[str]:
    keys: set[str] = set()
    for source in [*ROOT.glob("docs/*.md"), *ROOT.glob("notebooks/*.md")]:
        for group in CITE.findall(source.read_text(encoding="utf-8")):
            keys |= {key.strip() for key in group.split(",")}
    return keys


def test_every_citation_resolves_to_a_reference() -> None:
    entries = set(parse_file(ROOT / "docs" / "references.bib").entries)
    cited = cited_keys()
    assert len(cited) >= 15
    assert cited <= entries, f"cited but not in references.bib: {sorted(cited - entries)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_references_page_lists_every_cited_work(site: Path, language: str) -> None:
    page = soup(site / language / "docs" / "references.html")
    listed = page.select("div.citation, dl.citation > dt, .citation")
    assert len(listed) >= len(cited_keys())
    # citations in the text link to the references page
    linked = soup(site / language / "docs" / "03-sample-counts.html").select(
        'a[href*="references.html#"]'
    )
    assert linked


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_glossary_term_is_defined_and_used(site: Path, language: str) -> None:
    glossary = soup(site / language / "docs" / "glossary.html")
    for permalink in glossary.select("a.headerlink"):
        permalink.decompose()
    terms = {dt["id"]: dt.get_text(" ", strip=True) for dt in glossary.select("dl.glossary dt[id]")}
    assert len(terms) == 32
    used: set[str] = set()
    for page in (site / language).rglob("*.html"):
        if page.name == "glossary.html":
            continue
        for link in soup(page).select('a[href*="glossary.html#term-"]'):
            used.add(link["href"].split("#", 1)[1])
    assert set(terms) <= used, f"{language}: defined but never used: {sorted(set(terms) - used)}"
    for definition in glossary.select("dl.glossary dd"):
        counterpart = "Turkish:" if language == "en" else "İngilizcesi:"
        assert definition.get_text().strip().startswith(counterpart), definition.get_text()[:60]
    if language == "tr":
        assert "ince ayar" in terms.values()
        assert "fine-tuning" not in terms.values()


def test_no_english_sentence_on_a_turkish_page(site: Path) -> None:
    """Sphinx silently keeps the English of a message whose translation it cannot use."""
    leftovers = {}
    for english in sorted((site / "en").rglob("*.html")):
        relative = english.relative_to(site / "en")
        if relative.parts[0].startswith("_") or relative.name in {"genindex.html", "search.html"}:
            continue
        # Bibliography entries are the works' own; API docstrings are English on both sites.
        if relative.as_posix() in {"docs/references.html", "docs/api.html"}:
            continue
        same = text_blocks(english) & text_blocks(site / "tr" / relative)
        if same:
            leftovers[relative.as_posix()] = sorted(same)[:3]
    assert not leftovers, leftovers


def text_blocks(path: Path) -> set[str]:
    article = soup(path).select_one("article")
    for element in article.select("div.cell_output, pre, table, .highlight, script, style"):
        element.decompose()
    blocks = set()
    for element in article.find_all(
        ["p", "li", "h1", "h2", "h3", "dt", "dd", "figcaption", "summary"]
    ):
        text = " ".join(element.get_text(" ", strip=True).split())
        if len(text.split()) >= 4:
            blocks.add(text)
    return blocks


def expected_figures(language: str) -> dict[tuple[str, str], dict[str, float]]:
    """(key column, value column) -> {row key: number}, from the package in ``language``."""
    catalog = load_catalog(language)
    points = reference_points(language)
    listing = listing_frame(
        most_popular_instruction_datasets(limit=100, online=False, lang=language), language
    )
    pairs = {}
    hub_id, name, samples = catalog.columns[1], catalog.columns[0], catalog.columns[2]
    pairs[(hub_id, samples)] = dict(zip(catalog[hub_id], catalog[samples], strict=True))
    pairs[(name, samples)] = dict(zip(catalog[name], catalog[samples], strict=True))
    point = points.columns[1]
    for column in points.columns[3:5]:
        pairs[(point, column)] = dict(zip(points[point], points[column], strict=True))
    dataset, likes = listing.columns[0], listing.columns[1]
    pairs[(dataset, likes)] = dict(zip(listing[dataset], listing[likes], strict=True))
    return {
        key: {k: float(v) for k, v in values.items() if pd.notna(v)}
        for key, values in pairs.items()
    }


def number(text: str, language: str) -> float | None:
    try:
        return float(parse_decimal(text.strip(), locale=language, strict=False))
    except (NumberFormatError, ValueError):
        return None


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_notebook_table_contradicts_the_package_data(site: Path, language: str) -> None:
    expected = expected_figures(language)
    checked, wrong = 0, []
    for page in sorted((site / language / "notebooks").glob("*.html")):
        for table in soup(page).select("article table"):
            headers = [th.get_text(strip=True) for th in table.select("thead th")]
            rows = [
                [td.get_text(strip=True) for td in tr.select("td, th")]
                for tr in table.select("tbody tr")
            ]
            for (key_column, value_column), values in expected.items():
                if key_column not in headers or value_column not in headers:
                    continue
                k, v = headers.index(key_column), headers.index(value_column)
                for row in rows:
                    if len(row) != len(headers) or row[k] not in values:
                        continue
                    shown = number(row[v], language)
                    checked += 1
                    if shown != values[row[k]]:
                        wrong.append(
                            f"{page.name}: {row[k]} {value_column} = {row[v]}, "
                            f"data says {values[row[k]]}"
                        )
    assert checked >= 10, f"only {checked} figures checked in {language} notebook tables"
    assert not wrong, wrong
