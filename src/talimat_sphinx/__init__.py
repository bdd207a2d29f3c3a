"""Talimat's Sphinx extension: one ``setup()``, one module per concern.

``conf.py`` lists ``"talimat_sphinx"``; this loads, in order:

* :mod:`~talimat_sphinx.kernels`: notebook kernels on IPC sockets (a guarded jupyter-cache patch);
* :mod:`~talimat_sphinx.languages`: the build language checked, passed to kernels, one cache each;
* :mod:`~talimat_sphinx.links`: the same page in the other languages, Open Graph data;
* :mod:`~talimat_sphinx.i18n`: what stays out of the catalogs, translated theme options;
* :mod:`~talimat_sphinx.notebooks`: each notebook as a translated ``.ipynb``, launch links;
* :mod:`~talimat_sphinx.search_tr`: Turkish case folding and stems in the search.

The build and catalog tools (:mod:`~talimat_sphinx.site_build`,
:mod:`~talimat_sphinx.catalogs`) live here too, so ``tools/`` holds only their command lines.
"""

from __future__ import annotations

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
)


def setup(app: Sphinx) -> dict[str, Any]:
    for extension in EXTENSIONS:
        app.setup_extension(extension)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": __version__}
