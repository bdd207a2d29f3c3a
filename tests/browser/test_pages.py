"""Pages as a reader sees them: notebook output, phone-sized screens, hostile dataset text."""

from __future__ import annotations

import pytest

from browser_support import open_context, screenshot
from pages import content_pages, notebook_pages
from talimat.language import LANGUAGES

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_loads_without_errors(page: object, site_url: str, language: str) -> None:
    for path in content_pages(language):
        response = page.goto(f"{site_url}/{language}/{path}")  # type: ignore[attr-defined]
        assert response is not None
        assert response.status == 200, path
        page.wait_for_load_state("load")  # type: ignore[attr-defined]
    # the `watched` fixture fails this test on any console error or external request


@pytest.mark.parametrize("language", LANGUAGES)
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


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_fit_a_phone_screen(browser: object, site_url: str, language: str) -> None:
    context, watch = open_context(browser, **PHONE)
    page = context.new_page()  # type: ignore[attr-defined]
    for path in content_pages(language):
        page.goto(f"{site_url}/{language}/{path}")
        page.wait_for_load_state("load")
        overflow = settled_overflow(page)
        assert overflow <= 1, f"{language}/{path} scrolls sideways by {overflow}px on a phone"
        assert page.locator("a.talimat-language-switch").is_visible(), path
    page.goto(f"{site_url}/{language}/docs/03-sample-counts.html")
    screenshot(page, f"{language}-phone-sample-counts")
    context.close()  # type: ignore[attr-defined]
    assert not watch.console_errors, watch.console_errors
    assert not watch.external_requests, watch.external_requests


def settled_overflow(page: object) -> int:
    """Sideways overflow once layout has settled (sidebars animate in and out on load)."""
    page.evaluate("document.fonts.ready")  # type: ignore[attr-defined]
    overflow = 0
    for _ in range(10):
        overflow = page.evaluate(  # type: ignore[attr-defined]
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow <= 1:
            return overflow
        page.wait_for_timeout(200)  # type: ignore[attr-defined]
    return overflow


def test_screenshots_of_the_home_pages(page: object, site_url: str) -> None:
    for language in LANGUAGES:
        page.goto(f"{site_url}/{language}/index.html")  # type: ignore[attr-defined]
        assert screenshot(page, f"{language}-home").stat().st_size > 10_000


@pytest.mark.parametrize("language", LANGUAGES)
def test_dataset_html_is_shown_as_text_never_run(
    page: object, site_url: str, language: str
) -> None:
    """A record whose answer holds a <script> (as scraped data can) is displayed, not executed."""
    page.goto(f"{site_url}/{language}/notebooks/05-from-small-dataset-to-mix.html")  # type: ignore[attr-defined]
    page.wait_for_load_state("load")  # type: ignore[attr-defined]
    shown = page.locator("article").inner_text()  # type: ignore[attr-defined]
    assert "<script>window.__talimatInjected = true</script>" in shown
    assert page.evaluate("typeof window.__talimatInjected") == "undefined"  # type: ignore[attr-defined]
    scripts = page.locator("article script").count()  # type: ignore[attr-defined]
    assert scripts == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_notebook_menu_downloads_a_valid_notebook_in_the_page_language(
    page: object, site_url: str, language: str, tmp_path: object
) -> None:
    import nbformat

    page.goto(f"{site_url}/{language}/notebooks/01-what-is-an-instruction-dataset.html")  # type: ignore[attr-defined]
    page.locator(".talimat-notebook-menu > button").click()  # type: ignore[attr-defined]
    with page.expect_download() as download_info:  # type: ignore[attr-defined]
        page.locator("a.talimat-download-notebook").click()  # type: ignore[attr-defined]
    download = download_info.value
    assert download.suggested_filename == "01-what-is-an-instruction-dataset.ipynb"
    path = tmp_path / download.suggested_filename  # type: ignore[operator]
    download.save_as(path)
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    title = next(c.source for c in notebook.cells if c.cell_type == "markdown").splitlines()[0]
    assert title.startswith("# Uygulama" if language == "tr" else "# Hands-on")
    launch = {
        name: page.locator(f"a.talimat-launch-{name}").get_attribute("href")  # type: ignore[attr-defined]
        for name in ("colab", "binder")
    }
    assert launch["colab"].startswith("https://colab.research.google.com/github/")
    assert launch["colab"].endswith(
        f"/{language}/notebooks/01-what-is-an-instruction-dataset.ipynb"
    )
    assert launch["binder"].startswith("https://mybinder.org/v2/gh/")
