"""Sphinx configuration for Talimat: one source tree, one build per language.

Build with ``nox -s docs``; it runs ``sphinx-build -D language=<code>`` once per language of
``src/talimat/data/languages.toml`` (see ``talimat_sphinx.site_build``). Anything that depends
on the build language is decided in the ``talimat_sphinx`` extension's ``config-inited`` hook,
because ``-D language=tr`` is applied after this file runs.
"""

from __future__ import annotations

from talimat_sphinx import site_config

# -- Project -----------------------------------------------------------------
project = "Talimat"
author = "Talimat"
copyright = "2026 Talimat"  # language-neutral: the footer shows it on both sites
language = "en"
root_doc = "index"
include_patterns = ["index.md", "docs/**", "notebooks/**"]
# The source folder is the repository root: name the other top-level folders so Sphinx does not
# walk .nox/, _build/ or .git/ looking for pages (that walk alone took 2 s). A fixed list, not one
# read from the disk: a list that changed when _build/ appeared would re-read every page.
exclude_patterns = [
    ".ci", ".git", ".github", ".hypothesis", ".nox", ".pytest_cache", ".ruff_cache", ".venv",
    "_build", "_static", "_templates", "benchmarks", "locales", "src", "test-artifacts", "tests",
    "tools", "venv",
]  # fmt: skip
exclude_patterns += ["**/.ipynb_checkpoints"]
templates_path = ["_templates"]

# -- Extensions --------------------------------------------------------------
extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx_design",
    "sphinx_copybutton",
    "sphinxcontrib.bibtex",
    "talimat_sphinx",  # src/talimat_sphinx: kernels, languages, links, i18n, notebooks, search
]
nitpicky = True
bibtex_bibfiles = ["docs/references.bib"]
bibtex_default_style = "unsrt"
bibtex_reference_style = "author_year"
autodoc_typehints = "description"
# Types from other libraries cannot be linked: intersphinx would download their inventories, and
# builds are offline. Everything of talimat's own must still resolve (nitpicky).
nitpick_ignore_regex = [
    ("py:class", r"(pd|pandas|np|numpy)\..*"),
    ("py:class", r"(collections\.abc|os|pathlib|datetime|typing)\..*"),
    ("py:class", r"(Axes|Figure|Styler|date|Path)"),
]
autodoc_member_order = "bysource"

# -- MyST and myst-nb ---------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "substitution", "attrs_inline"]
myst_heading_anchors = 3
nb_execution_mode = "cache"  # per-language cache path: set by talimat_sphinx.languages
nb_execution_raise_on_error = True  # a failing cell fails the build
nb_execution_show_tb = True
nb_execution_timeout = 120
nb_merge_streams = True
# Notebooks that measure the translation catalogs: re-read and re-run when a catalog changes
# (their own metadata sets execution_mode: force; talimat_sphinx.notebooks explains why).
talimat_catalog_readers = ["notebooks/03-turkish-token-tax"]

# -- Internationalisation ------------------------------------------------------
# Turkish lives in locales/tr/LC_MESSAGES/, one catalog per page (gettext_compact off);
# `nox -s i18n` extracts and updates them, and its check is a gate in the tests.
locale_dirs = ["locales/", "locales/theme/"]  # theme/: the theme's strings it lacks in Turkish
gettext_compact = False
gettext_uuid = False
gettext_location = False  # keep catalog diffs to the text that changed

# -- Classroom: notebooks to download and launch ----------------------------------
# Each notebook page gets its .ipynb (in the page's language, with outputs) beside it, and
# Colab / Binder links to the copy published on the Pages branch (see .github/workflows).
talimat_repository = site_config.REPOSITORY
talimat_pages_branch = site_config.PAGES_BRANCH
talimat_install = site_config.INSTALL

# -- Publishing ------------------------------------------------------------------
# Where the assembled site lives (GitHub Pages by default). Each language's canonical URL,
# Open Graph URLs are derived from it in talimat_sphinx.languages (config-inited).
talimat_site_url = site_config.SITE_URL

# -- HTML ------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Talimat"
html_favicon = "_static/favicon.svg"
html_context = {"default_mode": "auto"}  # else the theme logs a console error on first visit
html_static_path = ["_static"]
html_css_files = ["talimat.css", "print.css"]
html_last_updated_fmt = ""
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "article_header_end": [
        "language-switcher.html",
        "notebook-buttons.html",
        "article-header-buttons.html",
    ],
    "use_download_button": True,
    "use_fullscreen_button": True,
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "search_bar_text": "Search...",  # translated at builder-inited (talimat_sphinx.i18n)
    "navbar_persistent": [],  # the sidebar has the search field: no second one in a header
    # No "By <author>" line: the theme's Turkish for it ("Tarafından X") reads backwards.
    "footer_content_items": ["copyright.html", "last-updated.html", "language-chooser-link.html"],
}
