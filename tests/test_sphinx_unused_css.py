"""talimat_sphinx.unused_css: the theme CSS no page can use is dropped, nothing a page uses is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tinycss2
from hypothesis import given
from hypothesis import strategies as st

from talimat_sphinx.unused_css import prune_css, prune_site_css, required_names, site_words

WORDS = site_words(
    ['<html data-theme="dark"><div class="card active" id="top"><a href="#">x</a></div>']
)


def selectors(css: str) -> list[str]:
    return [
        tinycss2.serialize(rule.prelude).strip()
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
        if rule.type == "qualified-rule"
    ]


def test_a_rule_for_absent_classes_is_dropped() -> None:
    pruned = prune_css(".card{color:red}.modal{color:blue}.card .modal{margin:0}", WORDS)
    assert selectors(pruned) == [".card"]


def test_only_the_used_selectors_of_a_list_stay() -> None:
    assert selectors(prune_css(".modal,.card>a,#top{x:1}", WORDS)) == [".card>a,#top"]


def test_elements_attributes_and_pseudo_classes() -> None:
    css = (
        "a:hover{x:1} table td{x:1} html[data-theme=dark] .card::before{x:1}"
        "[data-mode=x]{x:1} :root{--c:1} *{x:1} DIV{x:1}"
    )
    assert selectors(prune_css(css, WORDS)) == [
        "a:hover", "html[data-theme=dark] .card::before", ":root", "*", "DIV",
    ]  # fmt: skip


def test_what_a_functional_pseudo_class_excludes_is_not_required() -> None:
    # :not(.modal) matches exactly where "modal" is absent; :is() arguments are alternatives
    assert required_names(".card:not(.modal)") == {"card"}
    assert selectors(prune_css(".card:not(.modal){x:1}.card:is(.a,.b){x:1}", WORDS)) == [
        ".card:not(.modal)", ".card:is(.a,.b)",
    ]  # fmt: skip


def test_escaped_names_are_kept() -> None:
    assert required_names(r".sm\:flex") is None
    assert selectors(prune_css(r".sm\:flex{x:1}", WORDS)) == [r".sm\:flex"]


def test_at_rules() -> None:
    css = (
        "@media (min-width: 960px){.modal{x:1}.card{x:2}}"
        "@media print{.modal{x:1}}"
        "@font-face{font-family:f;src:url(f.woff2)}"
        "@keyframes spin{from{x:0}to{x:1}}"
    )
    pruned = prune_css(css, WORDS)
    assert "@media (min-width: 960px){.card{x:2}}" in pruned
    assert "print" not in pruned  # emptied: dropped whole
    assert "@font-face" in pruned
    assert "@keyframes spin" in pruned


def test_declarations_are_kept_as_written() -> None:
    css = '.card{background:url("a b.svg") no-repeat;--pst-x: 1px 2px;content:"}"}'
    assert prune_css(css, WORDS).strip() == css


@given(st.lists(st.sampled_from([".card", ".modal", "a", "#top", "#nav", "td", ".active"])))
def test_pruning_twice_changes_nothing(names: list[str]) -> None:
    css = "".join(f"{name}{{x:{i}}}" for i, name in enumerate(names))
    once = prune_css(css, WORDS)
    assert prune_css(once, WORDS) == once


def test_the_site_is_pruned_with_the_words_of_every_language(tmp_path: Path) -> None:
    for language, markup in (("en", '<p class="only-en">'), ("tr", '<p class="only-tr">')):
        (tmp_path / language / "_static").mkdir(parents=True)
        (tmp_path / language / "page.html").write_text(markup, encoding="utf-8")
        (tmp_path / language / "_static" / "site.css").write_text(
            ".only-en{x:1}.only-tr{x:2}.by-script{x:3}.nowhere{x:4}", encoding="utf-8"
        )
    (tmp_path / "en" / "_static" / "app.js").write_text('el.classList.add("by-script")', "utf-8")
    (tmp_path / "en" / "searchindex.js").write_text('Search.setIndex({"nowhere": 1})', "utf-8")
    result = prune_site_css(tmp_path)
    assert result.files == 2
    assert result.after < result.before
    folders = ("en", "tr")  # the two fixture folders written above, not the table
    sheets = [tmp_path / language / "_static" / "site.css" for language in folders]
    pruned = {sheet.read_text("utf-8") for sheet in sheets}
    assert len(pruned) == 1  # the same bytes in both languages, so they can be shared
    assert selectors(pruned.pop()) == [".only-en", ".only-tr", ".by-script"]


@pytest.mark.site
def test_no_selector_a_built_page_matches_was_dropped(site: Path) -> None:
    """Every rule of the theme's own stylesheet that matches an element of a built page (both
    languages, every kind of page) is still in the published stylesheet, matched by soupsieve,
    independently of the pruner's word test."""
    import pydata_sphinx_theme
    from bs4 import BeautifulSoup

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    original = (theme / "static" / "styles" / "pydata-sphinx-theme.css").read_text("utf-8")
    (stylesheet,) = (site / "_static" / "styles").glob("pydata-sphinx-theme.*.css")
    published = stylesheet.read_text("utf-8")
    assert len(published) < len(original) / 2
    kept = {s.strip() for rule in selectors(published) for s in rule.split(",")}
    pages = ["en/docs/03-sample-counts.html", "tr/notebooks/03-sample-counts.html"]
    soups = [BeautifulSoup((site / page).read_text("utf-8"), "html.parser") for page in pages]
    classes = {c for soup in soups for tag in soup.find_all(class_=True) for c in tag["class"]}
    dropped, checked = [], 0
    for rule in selectors(original):
        for selector in (s.strip() for s in rule.split(",")):
            plain = re.sub(r"::?[\w-]+(\([^()]*\))?", "", selector).strip()
            needed = set(re.findall(r"\.([\w-]+)", plain))
            if not plain or not needed or not needed <= classes:  # cannot match: skip quickly
                continue
            try:
                matched = any(soup.select_one(plain) for soup in soups)
            except Exception:  # a selector soupsieve does not support
                continue
            checked += 1
            if matched and selector not in kept:
                dropped.append(selector)
    assert checked > 100
    assert not dropped, dropped[:10]
