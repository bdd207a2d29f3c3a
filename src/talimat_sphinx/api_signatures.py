"""API signatures that wrap like code on a phone: only after ``_`` or ``.``, never mid-word.

Sphinx draws each part of a signature in a ``nowrap`` span, so a long function name
(``most_popular_instruction_datasets``) is one unbreakable box wider than a phone. A ``<wbr>``
after each underscore of names gives the browser a break opportunity at the punctuation only;
the CSS (``_static/talimat.css``) keeps everything else whole. Done on the rendered body rather
than in the doctree: the search index and catalogs keep the plain names.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx

__all__ = ["break_identifiers", "setup"]

# The name of an object and of each parameter, as Sphinx's HTML writer emits them.
_NAME = re.compile(r'(<span class="(?:sig-name descname|n)"><span class="pre">)([^<]+)(</span>)')


def break_identifiers(html: str) -> str:
    """Insert ``<wbr>`` after every inner underscore of signature names in ``html``."""

    def add_breaks(match: re.Match[str]) -> str:
        name = re.sub(r"(?<=[^_])_(?=[^_])", "_<wbr>", match.group(2))
        return match.group(1) + name + match.group(3)

    return _NAME.sub(add_breaks, html)


def add_breaks_to_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "body" in context and 'class="sig ' in context["body"]:
        context["body"] = break_identifiers(context["body"])


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", add_breaks_to_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
