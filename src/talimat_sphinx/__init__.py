"""Talimat's Sphinx extension: one ``setup()``, one module per concern.

``conf.py`` lists ``"talimat_sphinx"``; this loads, in order:

* :mod:`~talimat_sphinx.kernels`: notebook kernels on IPC sockets (a guarded jupyter-cache patch);
* :mod:`~talimat_sphinx.languages`: the build language checked, passed to kernels, one cache each;
* :mod:`~talimat_sphinx.links`: the same page in the other languages, Open Graph data;
* :mod:`~talimat_sphinx.i18n`: what stays out of the catalogs, translated theme options;
* :mod:`~talimat_sphinx.notebooks`: each notebook as a translated ``.ipynb``, launch links;
* :mod:`~talimat_sphinx.search_tr`: Turkish case folding and stems in the search;
  :mod:`~talimat_sphinx.search_ranking`: snippets from the article, chapters before the API;
* :mod:`~talimat_sphinx.api_signatures`: API signatures that wrap only between their parts;
* :mod:`~talimat_sphinx.glossary_tr`, :mod:`~talimat_sphinx.index_tr`,
  :mod:`~talimat_sphinx.bibliography_tr`: the Turkish glossary order, index and bibliography;
* :mod:`~talimat_sphinx.controls`: the switcher's anchor, one download menu, visible focus;
* :mod:`~talimat_sphinx.assets`: inline SVG icons, search assets only on the search page;
* :mod:`~talimat_sphinx.render_blocking`: every script deferred, in the order they need, and the
  print style sheet for print only;
* :mod:`~talimat_sphinx.handout`: the class handout, one PDF per language.

The build and catalog tools (:mod:`~talimat_sphinx.site_build`,
:mod:`~talimat_sphinx.catalogs`) live here too, so ``tools/`` holds only their command lines.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

__version__ = "1"

#: The extension's parts, in the order they are set up.
EXTENSIONS = (
    "talimat_sphinx.kernels",
    "talimat_sphinx.languages",
    "talimat_sphinx.links",
    "talimat_sphinx.i18n",
    "talimat_sphinx.notebooks",
    "talimat_sphinx.search_tr",
    "talimat_sphinx.search_ranking",
    "talimat_sphinx.search_index_entries",
    "talimat_sphinx.api_signatures",
    "talimat_sphinx.glossary_tr",
    "talimat_sphinx.index_tr",
    "talimat_sphinx.bibliography_tr",
    "talimat_sphinx.controls",
    "talimat_sphinx.assets",
    "talimat_sphinx.render_blocking",
    "talimat_sphinx.handout",
)


def source_version() -> int:
    """A number that changes whenever this package's code does.

    Given to Sphinx as the extension's ``env_version``: the transforms here shape the doctrees
    Sphinx keeps between builds, so a change to them must make Sphinx read every page again
    (otherwise an incremental build keeps pages transformed by the old code).
    """
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return int(digest.hexdigest()[:12], 16)


def setup(app: Sphinx) -> dict[str, Any]:
    for extension in EXTENSIONS:
        app.setup_extension(extension)
    return {
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "version": __version__,
        "env_version": source_version(),
    }
