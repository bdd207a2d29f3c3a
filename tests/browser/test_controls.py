"""The page's controls as a reader uses them: switcher, chooser link, download menu, focus."""

from __future__ import annotations

import pytest

from browser_support import open_context, screenshot
from pages import content_pages, notebook_pages
from talimat.language import LANGUAGES

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_switcher_keeps_the_anchor_and_records_the_choice(page: object, site_url: str) -> None:
    anchor = "term-distillation"
    page.goto(f"{site_url}/tr/docs/glossary.html#{anchor}")  # type: ignore[attr-defined]
    page.locator("a.talimat-language-switch").click()  # type: ignore[attr-defined]
    page.wait_for_url(f"{site_url}/en/docs/glossary.html#{anchor}")  # type: ignore[attr-defined]
    term = page.locator(f"#{anchor}")  # type: ignore[attr-defined]
    assert term.is_visible()
    assert page.evaluate(f"document.getElementById('{anchor}').getBoundingClientRect().top") < 300  # type: ignore[attr-defined]
    assert page.evaluate("localStorage.getItem('talimat-language')") == "en"  # type: ignore[attr-defined]
    page.goto(f"{site_url}/index.html")  # type: ignore[attr-defined]
    page.wait_for_url(f"{site_url}/en/index.html")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("source", "other"), [(a, b) for a in LANGUAGES for b in LANGUAGES if a != b]
)
def test_switcher_keeps_the_section_being_read(
    page: object, site_url: str, source: str, other: str
) -> None:
    path = "docs/03-sample-counts.html"
    page.goto(f"{site_url}/{source}/{path}")  # type: ignore[attr-defined]
    sections = page.evaluate(  # type: ignore[attr-defined]
        "Array.from(document.querySelectorAll('article section section[id]')).map(s => s.id)"
    )
    assert len(sections) >= 3
    reading = sections[2]
    page.evaluate(  # type: ignore[attr-defined]
        f"""() => {{
          const top = document.getElementById('{reading}').getBoundingClientRect().top;
          window.scrollBy(0, top - 120);  // its heading just below the header
        }}"""
    )
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    # By keyboard, focused without scrolling: Playwright's click and a plain focus() both scroll
    # the sticky (and visible) header link to its place in the flow, away from the section.
    page.evaluate(
        "document.querySelector('a.talimat-language-switch').focus({preventScroll: true})"
    )  # type: ignore[attr-defined]
    assert page.evaluate("window.scrollY") > 1200  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url(f"{site_url}/{other}/{path}#{reading}")  # type: ignore[attr-defined]
    assert page.evaluate("localStorage.getItem('talimat-language')") == other  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_links_to_the_chooser(page: object, site_url: str, language: str) -> None:
    for path in [*content_pages(language), "search.html", "genindex.html"]:
        page.goto(f"{site_url}/{language}/{path}")  # type: ignore[attr-defined]
        link = page.locator(".talimat-chooser-link a")  # type: ignore[attr-defined]
        assert link.count() == 1, path
        href = link.evaluate("a => a.href")
        assert href == f"{site_url}/index.html?choose", path
    link.click()
    page.wait_for_url(f"{site_url}/index.html?choose")  # type: ignore[attr-defined]
    assert page.locator("a[data-language]").count() == 2  # type: ignore[attr-defined]


DOWNLOAD_MENUS = ".dropdown-download-buttons, .talimat-notebook-menu"


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_download_menu_and_every_item_works(page: object, site_url: str, language: str) -> None:
    notebooks = set(notebook_pages(language))
    for path in content_pages(language):
        page.goto(f"{site_url}/{language}/{path}")  # type: ignore[attr-defined]
        menus = page.locator(DOWNLOAD_MENUS)  # type: ignore[attr-defined]
        assert menus.count() == 1, f"{path}: {menus.count()} download menus"
        links = menus.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
        local = [url for url in links if url.startswith(site_url)]
        if path in notebooks:
            assert any(url.endswith(".ipynb") for url in local), path
        for url in local:
            response = page.request.get(url)  # type: ignore[attr-defined]
            assert response.status == 200, f"{path}: dead menu item {url}"
        assert menus.locator("button[onclick='window.print()']").count() == 1, path


FOCUSED_OUTLINE = """
() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    name: element.className || element.tagName,
    tag: element.tagName,
    visible: box.width > 0 && box.height > 0,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
}
"""


@pytest.mark.parametrize(("language", "device"), [("en", "desktop"), ("tr", "phone")])
def test_every_control_shows_keyboard_focus(
    browser: object, site_url: str, language: str, device: str
) -> None:
    options = PHONE if device == "phone" else {"viewport": {"width": 1280, "height": 900}}
    context, watch = open_context(browser, **options)
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{site_url}/{language}/notebooks/02-finding-datasets.html")
    page.wait_for_load_state("load")
    seen, unmarked = [], []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_OUTLINE)
        if not focused["visible"] or focused["tag"] == "BODY":
            continue
        seen.append(focused["name"])
        if not focused["outline"]:
            unmarked.append(focused["name"])
    screenshot(page, f"{language}-{device}-focus")
    context.close()  # type: ignore[attr-defined]
    names = " ".join(seen)
    for control in ("talimat-language-switch", "dropdown-toggle", "primary-toggle"):
        assert control in names, f"never focused {control}: {seen}"
    assert not unmarked, f"focus not visible on: {unmarked}"
    assert not watch.console_errors, watch.console_errors


def test_no_fullscreen_button_on_phones(browser: object, site_url: str) -> None:
    for options, expected in ((PHONE, False), ({"viewport": {"width": 1280, "height": 900}}, True)):
        context, _ = open_context(browser, **options)
        page = context.new_page()  # type: ignore[attr-defined]
        page.goto(f"{site_url}/en/docs/01-what-is-an-instruction-dataset.html")
        assert page.locator(".btn-fullscreen-button").is_visible() is expected
        context.close()  # type: ignore[attr-defined]
