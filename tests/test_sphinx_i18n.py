"""talimat_sphinx.i18n: docstrings stay out of the catalogs; the page's own prose does not."""

from __future__ import annotations

from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from talimat.errors import TalimatError


@pytest.mark.sphinx("gettext", testroot="site", srcdir="i18n-gettext")
def test_api_docstrings_are_not_extracted_but_the_page_prose_is(app: SphinxTestApp) -> None:
    app.build()
    pot = (Path(app.outdir) / "api.pot").read_text(encoding="utf-8")
    assert "The prose of the API page is translated." in pot
    docstring_start = (TalimatError.__doc__ or "").split("\n", 1)[0][:30]
    assert docstring_start
    assert docstring_start not in pot
    assert "TalimatError" not in pot


@pytest.mark.sphinx(
    "html",
    testroot="site",
    srcdir="i18n-theme-option",
    confoverrides={
        "language": "tr",
        "html_theme_options": {"search_bar_text": "Search the docs"},
    },
)
def test_theme_option_text_goes_through_the_catalog(app: SphinxTestApp) -> None:
    assert app.config.html_theme_options["search_bar_text"] == "Belgelerde ara"


@pytest.mark.sphinx("html", testroot="site", srcdir="i18n-signatures")
def test_api_signatures_keep_their_reading_order(app: SphinxTestApp) -> None:
    from bs4 import BeautifulSoup

    app.build()
    page = BeautifulSoup((Path(app.outdir) / "api.html").read_text("utf-8"), "html.parser")
    signature = page.select_one("dt#talimat\\.choices\\.check_choice")
    assert signature is not None
    text = " ".join(signature.get_text(" ", strip=True).split()).replace(" ¶", "")
    text = text.replace("_ ", "_")  # api_signatures lets names break after an underscore
    assert text == (
        "talimat.choices. check_choice ( name : str , value : object , allowed : Iterable [ str ] "
        ", * , optional : bool = True , lang : str | None = None ) → None"
    )
