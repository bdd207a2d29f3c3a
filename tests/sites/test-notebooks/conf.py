"""A tiny site with one notebook, for the notebook downloads of talimat_sphinx."""

project = "Talimat notebook test site"
extensions = ["myst_nb", "sphinx_design", "talimat_sphinx"]
talimat_site_url = "https://example.org/talimat/"
talimat_repository = "https://github.com/example/talimat"
talimat_install = "talimat @ git+https://github.com/example/talimat"
exclude_patterns = ["_build"]
locale_dirs = ["locales/"]
gettext_compact = False
nb_execution_mode = "force"
myst_enable_extensions = ["colon_fence"]
bibtex_bibfiles = ["references.bib"]  # talimat_sphinx sets up sphinxcontrib-bibtex
bibtex_default_style = "unsrt"  # as the real site (bibliography_tr translates these)
bibtex_reference_style = "author_year"
