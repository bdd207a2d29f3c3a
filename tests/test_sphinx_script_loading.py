"""talimat_sphinx.script_loading: every script file deferred, in the order the scripts need."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sphinx.builders.html._assets import _JavaScript
from sphinx.testing.util import SphinxTestApp

from talimat_sphinx.script_loading import deferred_scripts

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


def test_every_script_file_but_the_options_is_deferred() -> None:
    scripts = deferred_scripts(sphinx_like(), search_page=False)
    blocking = [
        Path(str(s.filename)).name
        for s in scripts
        if s.filename and "defer" not in s.attributes and "async" not in s.attributes
    ]
    assert blocking == ["documentation_options.js"]
    inline = [s for s in scripts if not s.filename]
    assert inline
    assert all("defer" not in s.attributes for s in inline)  # defer means nothing there
    gid = [s.attributes for s in scripts if "gid" in str(s.filename)]
    assert gid == [{"async": "async"}]  # an async script stays async


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


@pytest.mark.sphinx("html", testroot="site", srcdir="script-loading")
def test_a_built_page_loads_no_script_file_that_blocks_but_the_options(
    app: SphinxTestApp,
) -> None:
    app.build()
    page = (Path(app.outdir) / "index.html").read_text(encoding="utf-8")
    head = page[: page.index("</head>")]
    blocking = [
        attributes
        for attributes in _SCRIPT.findall(head)
        if "src=" in attributes and "defer" not in attributes and "async" not in attributes
    ]
    assert len(blocking) == 1, blocking
    assert "documentation_options.js" in blocking[0]
    assert re.search(r'<script defer="defer" src="[^"]*doctools\.js', head)
