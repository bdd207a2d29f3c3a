"""Links between a page's languages (switcher, hreflang) and its Open Graph preview data."""

from __future__ import annotations

import os
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from talimat.language import site_language, site_languages


def switch_url(app: Sphinx, pagename: str, language: str) -> str:
    """Relative URL of ``pagename`` on the site of ``language`` (sites are siblings).

    Ours: ``<root>/<lang>/<page>``. Read the Docs: ``<root>/<lang>/<version>/<page>``.
    """
    version = os.environ.get("READTHEDOCS_VERSION") if os.environ.get("READTHEDOCS") else None
    depth = pagename.count("/") + 1 + (1 if version else 0)  # climb out of lang (and version)
    prefix = f"{language}/{version}/" if version else f"{language}/"
    return "../" * depth + prefix + app.builder.get_target_uri(pagename)


def add_language_links(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Give templates the same page in every other language (switcher and hreflang)."""
    current = app.config.language
    context["talimat_language"] = current
    context["talimat_alternates"] = [
        {"code": row.code, "name": row.name, "url": switch_url(app, pagename, row.code)}
        for row in site_languages()
        if row.code != current
    ]


def page_description(doctree: nodes.document | None, shortest: int = 40, longest: int = 200) -> str:
    """The page's first real paragraph, shortened at a word to ``longest`` characters."""
    if doctree is None:
        return ""
    for paragraph in doctree.findall(nodes.paragraph):
        text = " ".join(paragraph.astext().split())
        if len(text) > shortest:
            return text if len(text) <= longest else text[: longest - 3].rsplit(" ", 1)[0] + "…"
    return ""


def add_open_graph(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Open Graph data for link previews (the layout template writes the meta tags).

    Written here rather than with sphinxext-opengraph: that extension imports matplotlib when
    it loads (for social cards, even when they are off), 0.35 s of every build process, which
    alone pushed an unchanged rebuild past its 2 s budget.
    """
    context["talimat_og"] = {
        "url": app.config.html_baseurl + app.builder.get_target_uri(pagename),
        "locale": site_language(app.config.language).og_locale,
        "description": page_description(doctree),
    }


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", add_language_links)
    app.connect("html-page-context", add_open_graph)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
