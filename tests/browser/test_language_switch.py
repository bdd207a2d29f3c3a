"""The language chooser and the per-page switcher, as a reader uses them."""

from __future__ import annotations

import pytest

from browser_support import open_context
from pages import content_pages
from talimat.language import LANGUAGES


@pytest.mark.parametrize(
    ("browser_locale", "expected"), [("tr-TR", "tr"), ("en-US", "en"), ("de-DE", "en")]
)
def test_chooser_follows_the_browser_language(
    browser: object, site_url: str, browser_locale: str, expected: str
) -> None:
    context, watch = open_context(browser, locale=browser_locale)
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{site_url}/index.html")
    page.wait_for_url(f"{site_url}/{expected}/index.html")
    assert page.evaluate("document.documentElement.lang") == expected
    context.close()  # type: ignore[attr-defined]
    assert not watch.console_errors
    assert not watch.external_requests


def test_chooser_shows_both_languages_and_remembers_the_choice(page: object, site_url: str) -> None:
    page.goto(f"{site_url}/index.html?choose")  # type: ignore[attr-defined]
    links = page.locator("a[data-language]")  # type: ignore[attr-defined]
    assert links.all_inner_texts() == ["English", "Türkçe"]
    page.get_by_text("Türkçe").click()  # type: ignore[attr-defined]
    page.wait_for_url(f"{site_url}/tr/index.html")  # type: ignore[attr-defined]
    page.goto(f"{site_url}/index.html")  # type: ignore[attr-defined]
    page.wait_for_url(f"{site_url}/tr/index.html")  # type: ignore[attr-defined]


@pytest.mark.parametrize("source", LANGUAGES)
def test_switcher_lands_on_the_same_page_in_the_other_language(
    page: object, site_url: str, source: str
) -> None:
    other = "tr" if source == "en" else "en"
    for path in content_pages(source):
        page.goto(f"{site_url}/{source}/{path}")  # type: ignore[attr-defined]
        page.locator("a.talimat-language-switch").click()  # type: ignore[attr-defined]
        page.wait_for_url(f"{site_url}/{other}/{path}")  # type: ignore[attr-defined]
        assert page.evaluate("document.documentElement.lang") == other  # type: ignore[attr-defined]
