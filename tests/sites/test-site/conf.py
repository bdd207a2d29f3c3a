"""A tiny site for the talimat_sphinx tests: one page of prose, one of API reference."""

project = "Talimat test site"
extensions = ["myst_nb", "sphinx.ext.autodoc", "talimat_sphinx"]  # as the real site
talimat_site_url = "https://example.org/talimat/"
exclude_patterns = ["_build"]
locale_dirs = ["locales/"]
gettext_compact = False
bibtex_bibfiles = ["references.bib"]  # talimat_sphinx sets up sphinxcontrib-bibtex
bibtex_default_style = "unsrt"  # as the real site (bibliography_tr translates these)
bibtex_reference_style = "author_year"
