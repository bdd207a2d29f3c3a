"""talimat_sphinx.links: the same page in the other languages, and link-preview data."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sphinx.testing.util import SphinxTestApp

from talimat.language import site_languages
from talimat_sphinx import links


def build_capturing(make_app: Any, rootdir: Path, tmp: Path, language: str) -> dict[str, Any]:
    """Build the tiny site in ``language``; return each page's template context."""
    srcdir = tmp / f"links-{language}"
    shutil.copytree(rootdir / "test-site", srcdir, dirs_exist_ok=True)
    app: SphinxTestApp = make_app(
        "html", srcdir=srcdir, confoverrides={"language": language}, builddir=srcdir / "_build"
    )
    contexts: dict[str, Any] = {}

    def capture(app: Any, pagename: str, templatename: str, context: Any, doctree: Any) -> None:
        contexts[pagename] = dict(context)

    app.connect("html-page-context", capture, priority=900)
    app.build(force_all=True)
    return contexts


@pytest.mark.parametrize(
    ("pagename", "expected"),
    [
        ("index", "../tr/index.html"),
        ("docs/01-x", "../../tr/docs/01-x.html"),
        ("search", "../tr/search.html"),
    ],
)
def test_switch_url_climbs_to_the_sibling_site(
    make_app: Any, rootdir: Path, sphinx_test_tempdir: Path, pagename: str, expected: str
) -> None:
    srcdir = sphinx_test_tempdir / "links-switch"
    shutil.copytree(rootdir / "test-site", srcdir, dirs_exist_ok=True)
    app = make_app("html", srcdir=srcdir, builddir=srcdir / "_build")
    assert links.switch_url(app, pagename, "tr") == expected


def test_every_other_language_of_the_table_is_offered(
    make_app: Any, rootdir: Path, sphinx_test_tempdir: Path
) -> None:
    contexts = build_capturing(make_app, rootdir, sphinx_test_tempdir, "tr")
    others = [row for row in site_languages() if row.code != "tr"]
    assert contexts["api"]["talimat_language"] == "tr"
    assert contexts["api"]["talimat_alternates"] == [
        {"code": row.code, "name": row.name, "url": f"../{row.code}/api.html"} for row in others
    ]


def test_open_graph_data_comes_from_the_page_and_the_table(
    make_app: Any, rootdir: Path, sphinx_test_tempdir: Path
) -> None:
    contexts = build_capturing(make_app, rootdir, sphinx_test_tempdir, "tr")
    og = contexts["index"]["talimat_og"]
    assert og["url"] == "https://example.org/talimat/tr/index.html"
    assert og["locale"] == "tr_TR"
    assert og["description"].startswith("An instruction dataset pairs instructions")


def test_a_long_first_paragraph_is_cut_at_a_word() -> None:
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    document = new_document("x", get_default_settings(Parser))
    Parser().parse("Short.\n\n" + "word " * 100, document)
    description = links.page_description(document)
    assert description.endswith("word…")
    assert len(description) <= 200
