"""Nothing in ``<head>`` holds up the first paint but the style sheets the screen needs.

Sphinx, the themes and the extensions add their scripts as plain ``<script src>`` tags in
``<head>``: the browser stops parsing the page at each one until it has fetched and run it. On a
throttled phone (Lighthouse's mobile settings) that cost every page about a second of blank
screen, and the search page most: its index (``searchindex.js``, 37 KB gzipped in Turkish) was one
of them. None of these scripts draws anything the first paint needs, so each script file is
loaded with ``defer`` (fetched in parallel, run in document order once the page is parsed, before
``DOMContentLoaded``) and each inline script becomes ``type="module"``: inline scripts ignore
``defer``, but a module script waits in the same queue, in document order, so the theme's
``DOCUMENTATION_OPTIONS.pagename = …`` still runs after ``documentation_options.js``.
The print style sheet (``_static/print.css``, all of it inside ``@media print``) is linked with
``media="print"``: the same rules, and a request the screen no longer waits for.

Deferring changes when scripts run relative to each other, which some of them care about:

* Sphinx's ``_ready`` (doctools.js) and sphinx-copybutton run their callbacks at once when the
  page is already parsed, as it is for a deferred script: the order of the files becomes the
  order of the work. So ``translations.js`` moves right after ``doctools.js`` (the search page
  writes "Searching" as soon as ``searchtools.js`` runs), and on the search page
  ``searchtools.js`` and ``language_data.js`` come before ``sphinx_highlight.js`` (which skips
  highlighting only when it sees ``Search``) and before our scripts that wrap ``Search``.
* ``searchindex.js`` (from the search page's template) is deferred after all of them:
  ``Search.setIndex`` runs the query that ``Search.init`` queued, with every wrapper in place.
* The copy button's Turkish labels no longer depend on coming first:
  ``_static/talimat-translations-tr.js`` relabels buttons already drawn.
"""

from __future__ import annotations

import os
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript

__all__ = ["PRINT_ONLY", "deferred_scripts", "print_only_styles", "setup"]

#: Files that must run right after ``doctools.js``, in this order; the search scripts only on
#: the search page (elsewhere they are not loaded at all).
AFTER_DOCTOOLS = ("translations.js",)
SEARCH_SCRIPTS = ("searchtools.js", "language_data.js")
#: Style sheets whose every rule sits inside ``@media print`` (tests/test_sphinx_render_blocking
#: checks it): linked with ``media="print"``, they no longer block the screen's first paint.
PRINT_ONLY = frozenset({"print.css"})


def _name(asset: _JavaScript | _CascadingStyleSheet) -> str:
    return os.path.basename(os.fspath(asset.filename or ""))


def _deferred(script: _JavaScript, priority: int) -> _JavaScript:
    attributes = dict(script.attributes)
    if not script.filename:
        attributes.setdefault("type", "module")
    elif "async" not in attributes:
        attributes["defer"] = "defer"
    return _JavaScript(script.filename, priority=priority, **attributes)


def deferred_scripts(scripts: list[_JavaScript], search_page: bool) -> list[_JavaScript]:
    """``scripts`` (in Sphinx's priority order) deferred and in the order they must run.

    On the search page, Sphinx's search scripts join the list (the template's own tags for them
    are dropped by ``_templates/search.html``). Each script's priority becomes its position, so
    Sphinx's sort by priority keeps this order.
    """
    ordered = sorted(scripts, key=lambda script: script.priority)
    moved = [s for s in ordered if _name(s) in AFTER_DOCTOOLS]
    rest = [s for s in ordered if _name(s) not in AFTER_DOCTOOLS]
    if search_page:
        rest = [s for s in rest if _name(s) not in SEARCH_SCRIPTS]
        moved += [_JavaScript(f"_static/{name}") for name in SEARCH_SCRIPTS]
    names = [_name(script) for script in rest]
    at = names.index("doctools.js") + 1 if "doctools.js" in names else 0
    final = rest[:at] + moved + rest[at:]
    return [_deferred(script, position) for position, script in enumerate(final)]


def print_only_styles(styles: list[_CascadingStyleSheet]) -> list[_CascadingStyleSheet]:
    """``styles`` with the print-only style sheets linked for print media."""
    return [
        _CascadingStyleSheet(
            style.filename, priority=style.priority, **{**style.attributes, "media": "print"}
        )
        if _name(style) in PRINT_ONLY
        else style
        for style in styles
    ]


def unblock_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if app.builder.format != "html":
        return
    if "script_files" in context:
        context["script_files"] = deferred_scripts(
            list(context["script_files"]), search_page=pagename == "search"
        )
    if "css_files" in context:
        context["css_files"] = print_only_styles(list(context["css_files"]))


def setup(app: Sphinx) -> dict[str, Any]:
    # Late: after every handler that adds a page's own scripts (search_ranking, search_tr, …).
    app.connect("html-page-context", unblock_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
