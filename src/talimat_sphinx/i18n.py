"""Translation details Sphinx leaves to projects: what stays untranslated, theme options."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

#: Theme options whose text the theme shows as given: translated at builder-inited.
TRANSLATED_THEME_OPTIONS = ("search_bar_text",)


class KeepApiReferenceUntranslated(SphinxTransform):
    """Keep generated API documentation out of the translation catalogs.

    Docstrings are the package's English source of truth; translating them in a catalog
    would fork them. The API page's own prose is translated as usual.
    """

    default_priority = 10  # before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs: Any) -> None:
        for desc in self.document.findall(addnodes.desc):  # signatures and member docs
            for node in desc.findall(nodes.TextElement):
                # Never on inline nodes: Sphinx's RemoveTranslatableInline unwraps every inline
                # carrying "translatable" and appends its children at the end of the parent,
                # which scrambled signatures (`f(=langNone)`). Inline text is not extracted anyway.
                if not isinstance(node, nodes.inline):
                    node["translatable"] = False
        for node in self.document.findall(nodes.TextElement):  # module docstrings
            if ":docstring of " in (node.source or ""):
                node["translatable"] = False


def translate_theme_options(app: Sphinx) -> None:
    """Translate the theme options the theme shows untranslated (the search box placeholder)."""
    from sphinx.locale import _

    options = app.config.html_theme_options
    for name in TRANSLATED_THEME_OPTIONS:
        if name in options:
            options[name] = _(options[name])


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", translate_theme_options)
    app.add_transform(KeepApiReferenceUntranslated)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
