"""The page's controls: one download menu with live items, a way back to the language chooser.

* sphinx-book-theme's download menu offers the page source (``.md``, and ``.ipynb`` from
  ``_sources/``), but the sources are not published (``html_copy_source = False``): those items
  were 404s on every page. They are dropped; on notebook pages the notebook menu (which offers
  the notebook in the page's language) takes the theme menu's place: one download menu, not two.
* Every page links to the site's language chooser (``<root>/index.html?choose``).
* Absolute ``hreflang`` alternates (search engines and Lighthouse reject relative ones): every
  language, this one included, and ``x-default`` for the chooser.
* The language switcher script (``_static/talimat-switcher.js``) keeps the reader's place.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urljoin

from sphinx.application import Sphinx
from sphinx.locale import _

__all__ = ["chooser_url", "hreflang_links", "setup", "tidy_download_menu"]

DEAD = {"download-source-button", "download-notebook-button"}  # links into the unpublished _sources


def tidy_download_menu(
    buttons: list[dict[str, Any]], notebook_page: bool, handout: str | None = None
) -> list[dict[str, Any]]:
    """The header buttons without the download menu's dead items.

    On notebook pages the theme's menu goes: the notebook menu (``notebook-buttons.html``)
    offers the notebook, printing and the launch links, so the page has one menu, not two.
    """
    tidy = []
    for button in buttons:
        if button.get("label") == "download-buttons":
            items = [item for item in button["buttons"] if item.get("label") not in DEAD]
            if handout:  # the whole book as one PDF (talimat_sphinx.handout)
                items.append({
                    "type": "link", "url": handout, "text": _("Class handout (PDF)"),
                    "icon": "fas fa-file-pdf", "label": "talimat-handout",
                })  # fmt: skip
            if notebook_page or not items:
                continue
            button = {**button, "buttons": items}
        tidy.append(button)
    return tidy


def chooser_url(pagename: str) -> str:
    """Relative URL of the site's language chooser from ``pagename``.

    Ours: ``<root>/<lang>/<page>``; Read the Docs adds ``/<version>``.
    """
    version = os.environ.get("READTHEDOCS_VERSION") if os.environ.get("READTHEDOCS") else None
    depth = pagename.count("/") + 1 + (1 if version else 0)
    return "../" * depth + "index.html?choose"


def hreflang_links(page_url: str, current: str, alternates: list[dict[str, str]], chooser: str):
    """Absolute alternates of a page: each language's URL, then ``x-default`` (the chooser)."""
    links = [{"code": current, "url": page_url}]
    links += [{"code": alt["code"], "url": urljoin(page_url, alt["url"])} for alt in alternates]
    chooser_folder = chooser.split("?")[0].removesuffix("index.html")
    links.append({"code": "x-default", "url": urljoin(page_url, chooser_folder)})
    return links


def add_controls(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "header_buttons" in context:
        notebook_page = bool(context.get("talimat_notebook"))
        context["header_buttons"] = tidy_download_menu(
            context["header_buttons"], notebook_page, context.get("talimat_handout")
        )
    context["talimat_chooser_url"] = chooser_url(pagename)
    page_url = app.config.html_baseurl + app.builder.get_target_uri(pagename)
    context["talimat_hreflang"] = hreflang_links(
        page_url, app.config.language, context.get("talimat_alternates", []), chooser_url(pagename)
    )


def setup(app: Sphinx) -> dict[str, Any]:
    # After the theme's header buttons (501) and talimat_notebooks' links (500).
    app.connect("html-page-context", add_controls, priority=510)
    app.add_js_file("talimat-switcher.js", loading_method="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
