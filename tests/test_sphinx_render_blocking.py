"""talimat_sphinx.render_blocking: every script deferred in the order they need, print CSS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript
from sphinx.testing.util import SphinxTestApp

from talimat_sphinx.render_blocking import PRINT_ONLY, deferred_scripts, print_only_styles

ROOT = Path(__file__).resolve().parent.parent

_SCRIPT = re.compile(r"<script\b([^>]*)>")


def sphinx_like() -> list[_JavaScript]:
    """The scripts of a page as Sphinx, the themes and the extensions add them."""
    return [
        _JavaScript("_static/talimat-highlight-tr.js", priority=150),
        _JavaScript("_static/documentation_options.js", priority=200),
        _JavaScript("_static/doctools.js", priority=200),
        _JavaScript("_static/sphinx_highlight.js", priority=200),
        _JavaScript("_static/clipboard.min.js"),
        _JavaScript("_static/copybutton.js"),
        _JavaScript("_static/translations.js"),
        _JavaScript("", body="DOCUMENTATION_OPTIONS.pagename = 'search';"),
        _JavaScript("_static/gid.js", **{"async": "async"}),  # add_js_file(loading_method=…)
        _JavaScript("_static/talimat-translations-tr.js", priority=600),
        _JavaScript("_static/talimat-search.js", priority=800, defer="defer"),
    ]


def names(scripts: list[_JavaScript]) -> list[str]:
    return [Path(str(script.filename)).name or "(inline)" for script in scripts]


def test_every_script_is_deferred() -> None:
    scripts = deferred_scripts(sphinx_like(), search_page=False)
    blocking = [
        Path(str(s.filename)).name
        for s in scripts
        if s.filename and "defer" not in s.attributes and "async" not in s.attributes
    ]
    assert blocking == []
    # Inline scripts ignore defer; as modules they wait in the same queue, in document order.
    inline = [s for s in scripts if not s.filename]
    assert inline
    assert all(s.attributes.get("type") == "module" for s in inline)
    gid = [s.attributes for s in scripts if "gid" in str(s.filename)]
    assert gid == [{"async": "async"}]  # an async script stays async


def test_an_inline_script_still_runs_after_the_options_it_sets() -> None:
    order = names(deferred_scripts(sphinx_like(), search_page=False))
    assert order.index("documentation_options.js") < order.index("(inline)")


def test_translations_run_right_after_doctools() -> None:
    order = names(deferred_scripts(sphinx_like(), search_page=False))
    assert order[order.index("doctools.js") + 1] == "translations.js"
    assert order.index("translations.js") < order.index("talimat-translations-tr.js")
    assert "searchtools.js" not in order


def test_the_search_page_runs_searchtools_before_what_needs_search() -> None:
    order = names(deferred_scripts(sphinx_like(), search_page=True))
    assert order.count("searchtools.js") == 1
    at = order.index("searchtools.js")
    # "Searching" needs the translations; sphinx_highlight.js must see Search; ours wrap it.
    assert order.index("translations.js") < at < order.index("language_data.js")
    assert order.index("language_data.js") < order.index("sphinx_highlight.js")
    assert at < order.index("talimat-search.js")


def test_priorities_keep_the_order_through_sphinxs_sort() -> None:
    scripts = deferred_scripts(sphinx_like(), search_page=True)
    assert sorted(scripts, key=lambda script: script.priority) == scripts


def test_print_only_style_sheets_are_for_print_media() -> None:
    styles = [
        _CascadingStyleSheet("_static/talimat.css"),
        _CascadingStyleSheet("_static/print.css"),
    ]
    linked = {Path(str(s.filename)).name: s.attributes for s in print_only_styles(styles)}
    assert linked["print.css"]["media"] == "print"
    assert linked["print.css"]["rel"] == "stylesheet"
    assert "media" not in linked["talimat.css"]


@pytest.mark.parametrize("name", sorted(PRINT_ONLY))
def test_a_print_only_style_sheet_has_every_rule_inside_media_print(name: str) -> None:
    """Else media="print" would drop its screen rules."""
    css = re.sub(r"/\*.*?\*/", "", (ROOT / "_static" / name).read_text("utf-8"), flags=re.S)
    css = css.strip()
    assert css.startswith("@media print {")
    depth = 0
    for position, char in enumerate(css):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and char == "}":
            assert position == len(css) - 1, "a rule outside @media print"


@pytest.mark.sphinx("html", testroot="site", srcdir="render-blocking")
def test_a_built_page_loads_no_script_that_blocks(app: SphinxTestApp) -> None:
    app.build()
    page = (Path(app.outdir) / "index.html").read_text(encoding="utf-8")
    head = page[: page.index("</head>")]
    blocking = [
        attributes
        for attributes in _SCRIPT.findall(head)
        if "src=" in attributes and "defer" not in attributes and "async" not in attributes
    ]
    assert blocking == []
    assert re.search(r'<script defer="defer" src="[^"]*documentation_options\.js', head)
