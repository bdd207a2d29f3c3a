"""What search engines read: absolute hreflang alternates with x-default, and descriptions."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from talimat.language import LANGUAGES
from talimat_sphinx import site_config
from talimat_sphinx.controls import hreflang_links

PAGES = ["index.html", "docs/glossary.html", "notebooks/03-sample-counts.html", "search.html"]


def test_alternates_are_absolute_and_include_x_default() -> None:
    links = hreflang_links(
        "https://example.org/site/tr/docs/a.html",
        "tr",
        [{"code": "en", "url": "../../en/docs/a.html"}],
        "../../index.html?choose",
    )
    assert links == [
        {"code": "tr", "url": "https://example.org/site/tr/docs/a.html"},
        {"code": "en", "url": "https://example.org/site/en/docs/a.html"},
        {"code": "x-default", "url": "https://example.org/site/"},
    ]


@pytest.mark.site
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_pages_have_absolute_alternates_and_a_description(
    site: Path, language: str, page: str
) -> None:
    html = BeautifulSoup((site / language / page).read_text("utf-8"), "html.parser")
    alternates = {link["hreflang"]: link["href"] for link in html.select('link[rel="alternate"]')}
    assert set(alternates) == {*LANGUAGES, "x-default"}
    assert all(url.startswith(site_config.SITE_URL) for url in alternates.values())
    assert alternates[language] == f"{site_config.SITE_URL}{language}/{page}"
    description = html.select_one('meta[name="description"]')
    assert description is not None
    assert len(description["content"]) > 40


@pytest.mark.site
def test_the_chooser_has_absolute_alternates_and_a_description(site: Path) -> None:
    html = BeautifulSoup((site / "index.html").read_text("utf-8"), "html.parser")
    alternates = {link["hreflang"]: link["href"] for link in html.select('link[rel="alternate"]')}
    assert alternates == {
        "en": f"{site_config.SITE_URL}en/index.html",
        "tr": f"{site_config.SITE_URL}tr/index.html",
        "x-default": site_config.SITE_URL,
    }
    assert html.select_one('meta[name="description"]')["content"]
