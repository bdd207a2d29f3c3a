"""talimat_sphinx.search_tr: Turkish case folding and the glossary's stems, index and query."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sphinx.errors import ConfigError
from sphinx.testing.util import SphinxTestApp

from talimat_sphinx import search_tr


def index_terms(outdir: Path) -> dict[str, object]:
    text = (outdir / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(re.search(r"Search\.setIndex\((.*)\)\s*$", text, re.DOTALL)[1])["terms"]


@pytest.mark.sphinx("html", testroot="site", srcdir="search-tr", confoverrides={"language": "tr"})
def test_an_inflected_form_is_indexed_under_the_bare_form(app: SphinxTestApp) -> None:
    app.build()
    terms = index_terms(Path(app.outdir))
    bare = search_tr.snowball("kümesi")
    assert search_tr.snowball("kümelerinde") != bare  # Snowball alone splits them ...
    assert bare in terms  # ... the page says "kümelerinde", and the index has the bare stem
    assert search_tr.snowball("kümelerinde") not in terms
    search_page = (Path(app.outdir) / "search.html").read_text(encoding="utf-8")
    assert "talimat-search-tr.js" in search_page
    assert "window.TALIMAT_STEM_TABLE" in search_page


@pytest.mark.sphinx("html", testroot="site", srcdir="search-en")
def test_the_english_site_keeps_the_stock_search(app: SphinxTestApp) -> None:
    app.build()
    assert "talimat-search-tr.js" not in (Path(app.outdir) / "search.html").read_text("utf-8")


def test_case_folds_the_turkish_way() -> None:
    search = search_tr.TurkishSearch({})
    assert search.stem("İNCE") == search.stem("ince")
    assert search.stem("DAMITMA") == search.stem("damıtma")


def test_a_missing_forms_table_is_a_clear_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="talimat_turkish_search=0"):
        search_tr.load_forms(tmp_path / "search-forms.toml")


def test_a_form_that_is_not_the_term_first_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "forms.toml"
    path.write_text('"veri kümesi" = ["veri kümeleri", "veri kümesi"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="first form must be the term itself"):
        search_tr.load_forms(path)


@pytest.mark.parametrize(
    "forms",
    [
        {"kitap": ["kitap", "kitabı"], "defter": ["defter", "kitabı"]},  # one form, two terms
        {"kitap": ["kitap"], "defter": ["defter", "kitapları"]},  # a form on another's stem
    ],
)
def test_a_stem_claimed_by_two_terms_is_refused(forms: dict[str, list[str]]) -> None:
    with pytest.raises(ConfigError, match="already stands for"):
        search_tr.stem_table(forms)


def test_the_project_forms_table_is_consistent() -> None:
    from talimat_sphinx.project import ROOT

    table = search_tr.stem_table(search_tr.load_forms(ROOT / search_tr.FORMS_FILE))
    assert table  # the glossary's forms add stems Snowball alone would miss
