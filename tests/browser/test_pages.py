"""Pages as a reader sees them: notebook output, phone-sized screens, hostile dataset text."""

from __future__ import annotations

import pytest

from conftest import open_context, screenshot
from pages import content_pages, notebook_pages

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("language", ["en", "tr"])
def test_every_page_loads_without_errors(page: object, site_url: str, language: str) -> None:
    for path in content_pages(language):
        response = page.goto(f"{site_url}/{language}/{path}")  # type: ignore[attr-defined]
        assert response is not None
        assert response.status == 200, path
        page.wait_for_load_state("load")  # type: ignore[attr-defined]
    # the `watched` fixture fails this test on any console error or external request


@pytest.mark.parametrize("language", ["en", "tr"])
def test_notebook_pages_show_their_tables_and_figures(
    page: object, site_url: str, language: str
) -> None:
    figures = 0
    for path in notebook_pages(language):
        page.goto(f"{site_url}/{language}/{path}")  # type: ignore[attr-defined]
        page.wait_for_load_state("load")  # type: ignore[attr-defined]
        assert page.locator("table").first.is_visible(), path  # type: ignore[attr-defined]
        images = page.locator("article img")  # type: ignore[attr-defined]
        for index in range(images.count()):
            image = images.nth(index)
            image.scroll_into_view_if_needed()
            assert image.evaluate("img => img.complete && img.naturalWidth > 0"), path
            alt = image.get_attribute("alt") or ""
            assert alt, f"{path}: image without alt text"
            assert not alt.endswith(".png"), f"{path}: alt text is a file name: {alt}"
            figures += 1
    assert figures, "no notebook shows a figure"
    page.goto(f"{site_url}/{language}/notebooks/03-sample-counts.html")  # type: ignore[attr-defined]
    screenshot(page, f"{language}-notebook-sample-counts")


@pytest.mark.parametrize("language", ["en", "tr"])
def test_pages_fit_a_phone_screen(browser: object, site_url: str, language: str) -> None:
    context, watch = open_context(browser, **PHONE)
    page = context.new_page()  # type: ignore[attr-defined]
    for path in content_pages(language):
        page.goto(f"{site_url}/{language}/{path}")
        page.wait_for_load_state("load")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{language}/{path} scrolls sideways by {overflow}px on a phone"
        assert page.locator("a.talimat-language-switch").is_visible(), path
    page.goto(f"{site_url}/{language}/docs/03-sample-counts.html")
    screenshot(page, f"{language}-phone-sample-counts")
    context.close()  # type: ignore[attr-defined]
    assert not watch.console_errors, watch.console_errors
    assert not watch.external_requests, watch.external_requests


def test_screenshots_of_the_home_pages(page: object, site_url: str) -> None:
    for language in ("en", "tr"):
        page.goto(f"{site_url}/{language}/index.html")  # type: ignore[attr-defined]
        assert screenshot(page, f"{language}-home").stat().st_size > 10_000
