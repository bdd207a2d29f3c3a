"""Notebooks for students: markdown translated block by block, MyST turned into plain Jupyter."""

from __future__ import annotations

import nbformat
import pytest

import talimat_sphinx.notebooks as nb
from talimat.language import LANGUAGES

CATALOG = {
    "Hands-on": "Uygulama",
    "A paragraph that spans two lines.": "İki satıra yayılan bir paragraf.",
    "First item with a {term}`sample <sample>`.": "{term}`Örnek <sample>` içeren ilk madde.",
    "Solution": "Çözüm",
    "Inside the dropdown.": "Açılır kutunun içinde.",
    "Quoted {glue:text}`03-x.md::lima:s` text.": "Alıntılanan {glue:text}`03-x.md::lima:s` metin.",
}


def translate(text: str) -> str:
    return CATALOG.get(text, f"<missing:{text}>")


SOURCE = """(label-here)=
# Hands-on

A paragraph that
spans two lines.

1. First item with a {term}`sample <sample>`.

   :::{dropdown} Solution
   ```python
   print("code stays")
   ```
   Inside the dropdown.
   :::

> Quoted {glue:text}`03-x.md::lima:s` text."""


def test_markdown_is_translated_block_by_block() -> None:
    out = nb.translate_markdown(SOURCE, translate)
    assert "<missing" not in out
    assert "(label-here)=" not in out
    assert out.startswith("# Uygulama")
    assert "İki satıra yayılan bir paragraf." in out
    assert '   print("code stays")' in out
    assert "<details>" in out
    assert "<summary>Çözüm</summary>" in out
    assert "   Açılır kutunun içinde." in out


def test_roles_become_plain_text() -> None:
    glued = {"lima": "1.000"}
    text = nb.plain_roles(
        "{term}`Örnek <sample>`, {glue:text}`03-x.md::lima:s`, {glue:text}`lima`, "
        "{cite:p}`zhou2023lima,taori2023alpaca`, {ref}`label`, {doc}`the page <../docs/x>`",
        glued,
    )
    assert text == "Örnek, 1.000, 1.000, [zhou2023lima, taori2023alpaca], label, the page"


def test_localized_notebook_has_setup_cell_first_and_is_valid() -> None:
    executed = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Hands-on"),
            nbformat.v4.new_code_cell(
                "print(1)",
                outputs=[
                    nbformat.v4.new_output("stream", text="1\n"),
                    nbformat.v4.new_output(
                        "display_data", data={"application/papermill.record/text/plain": "'x'"}
                    ),
                ],
            ),
        ],
        metadata={"jupytext": {}, "source_map": [1]},
    )
    notebook = nb.localize_notebook(executed, translate, {}, "tr", "talimat @ git+https://x/y")
    nbformat.validate(notebook)
    assert notebook.cells[0].cell_type == "code"
    assert 'os.environ.setdefault("TALIMAT_LANG", "tr")' in notebook.cells[0].source
    assert "%pip install --quiet" in notebook.cells[0].source
    assert notebook.cells[1].source == "# Uygulama"
    assert [o.output_type for o in notebook.cells[2].outputs] == ["stream"]  # glue records gone
    assert "jupytext" not in notebook.metadata


@pytest.mark.parametrize("language", LANGUAGES)
def test_built_notebooks_are_valid_and_in_the_page_language(site, language: str) -> None:
    pages = sorted((site / language / "notebooks").glob("*.ipynb"))
    assert pages, "no notebook written beside its page"
    for path in pages:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        assert "{term}" not in markdown
        assert "{glue:text}" not in markdown
        assert ":::{dropdown}" not in markdown
        outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
        assert outputs, f"{path.name} has no outputs"
    first = nbformat.read(
        site / language / "notebooks" / "01-what-is-an-instruction-dataset.ipynb", 4
    )
    heading = next(c.source for c in first.cells if c.cell_type == "markdown").splitlines()[0]
    expected = {"en": "Hands-on: a first look", "tr": "Uygulama: talimat kayıtlarına ilk bakış"}
    assert expected[language] in heading


def test_a_downloaded_turkish_notebook_runs(site, tmp_path) -> None:
    from nbclient import NotebookClient

    notebook = nbformat.read(
        site / "tr" / "notebooks" / "01-what-is-an-instruction-dataset.ipynb", 4
    )
    NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    table = next(
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "text/html" in o.get("data", {})
    )
    assert "Talimat" in table["data"]["text/html"]


def test_a_notebook_is_rewritten_only_when_a_source_is_newer(tmp_path) -> None:
    import os

    source, target = tmp_path / "executed.ipynb", tmp_path / "page.ipynb"
    source.write_text("{}")
    assert not nb._up_to_date(target, [source])
    target.write_text("{}")
    os.utime(source, (1_000, 1_000))
    assert nb._up_to_date(target, [source, tmp_path / "no-catalog.po"])
    os.utime(source, None)
    os.utime(target, (1_000, 1_000))
    assert not nb._up_to_date(target, [source])


@pytest.mark.slow
@pytest.mark.sphinx(
    "html", testroot="notebooks", srcdir="notebooks-tr", confoverrides={"language": "tr"}
)
def test_a_built_notebook_is_downloadable_in_the_page_language(app) -> None:
    from pathlib import Path

    app.build()
    # sphinx.testing shows docutils' own notice that it has no Turkish labels; nothing else.
    warnings = [
        line for line in app.warning.getvalue().splitlines() if "Docutils-generated" not in line
    ]
    assert warnings == []
    notebook = nbformat.read(Path(app.outdir) / "notebooks" / "first.ipynb", as_version=4)
    nbformat.validate(notebook)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "# İlk not defteri" in markdown
    assert "İki satıra yayılan bir paragraf." in markdown
    assert "<summary>Çözüm</summary>" in markdown
    assert 'os.environ.setdefault("TALIMAT_LANG", "tr")' in notebook.cells[0].source
    code = [c for c in notebook.cells if c.cell_type == "code"][1]
    assert code.outputs[0]["text"] == "42\n"  # executed by this build, outputs kept
    page = (Path(app.outdir) / "notebooks" / "first.html").read_text(encoding="utf-8")
    assert "İlk not defteri" in page


@pytest.mark.slow
@pytest.mark.sphinx(
    "html", testroot="notebooks", srcdir="notebooks-missing", confoverrides={"language": "tr"}
)
def test_a_missing_translation_is_a_warning_and_no_notebook(app, rootdir) -> None:
    from pathlib import Path

    catalog = Path(app.srcdir) / "locales" / "tr" / "LC_MESSAGES" / "notebooks" / "first.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").split('msgid "Solution"')[0])
    app.build()
    assert "no tr translation for 'Solution'" in app.warning.getvalue()
    assert not (Path(app.outdir) / "notebooks" / "first.ipynb").exists()


@pytest.mark.slow
def test_a_notebook_reading_the_catalogs_is_reread_when_a_catalog_changes(
    make_app, rootdir, sphinx_test_tempdir
) -> None:
    import shutil

    srcdir = sphinx_test_tempdir / "notebooks-readers"
    shutil.copytree(rootdir / "test-notebooks", srcdir, dirs_exist_ok=True)
    settings = {
        "srcdir": srcdir,
        "confoverrides": {
            "talimat_catalog_readers": ["notebooks/first"],
            "nb_execution_mode": "off",
        },
    }

    def read_docs() -> list[str]:
        app = make_app("html", **settings)
        read: list[str] = []
        app.connect("env-before-read-docs", lambda app, env, docs: read.extend(docs))
        app.build()
        return read

    assert "notebooks/first" in read_docs()  # the first build reads everything
    assert read_docs() == []  # nothing changed: nothing is read again
    catalog = srcdir / "locales" / "tr" / "LC_MESSAGES" / "notebooks" / "first.po"
    catalog.write_text(catalog.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert read_docs() == ["notebooks/first"]  # a catalog changed: only the reader is read
