"""Notebooks for students: every executed notebook as an ``.ipynb`` in the page's language.

The theme's download button offers a page's *source*, which for our notebooks is English MyST
markdown. This extension writes, beside each notebook page, the notebook as executed by this
build (so outputs are in the page's language) with its markdown translated through the same
catalog the page uses, MyST-only syntax turned into what Jupyter and Colab render, and a first
cell that installs ``talimat`` when it is missing. It also gives notebook pages their download
and launch (Colab, Binder) links; both launchers open the published notebooks.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
from babel.messages.pofile import read_po
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from sphinx.application import Sphinx
from sphinx.util import logging

from talimat.language import messages

logger = logging.getLogger(__name__)

ROLE = re.compile(r"\{(?P<name>[a-z]+(?::[a-z]+)?)\}`(?P<body>[^`]+)`")
ROLE_WITH_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)

GLUE_MIME_PREFIX = "application/papermill.record/"

Translate = Callable[[str], str]


def load_catalog(path: Path) -> dict[str, str]:
    """A page's catalog as msgid -> msgstr (empty for English, whose catalog is the source)."""
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id and m.string}


@cache
def _parser() -> MarkdownIt:
    """markdown-it-py with the MyST block syntax our notebooks use, as MyST-Parser parses it."""
    return (
        MarkdownIt("commonmark")
        .enable("table")
        .use(colon_fence_plugin)
        .use(myst_block_plugin)
        .use(deflist_plugin)
    )


def message_id(inline: Token) -> str:
    """The catalog message of an inline block: its source, lines joined as Sphinx joins them."""
    return inline.content.replace("\n", " ").strip()


def _prefix(line: str, text: str) -> str:
    """What stands before a block's text on its first line (indent, list marker, ``>``)."""
    first = text.split("\n", 1)[0].strip()
    at = line.find(first) if first else -1
    return line[:at] if at >= 0 else line[: len(line) - len(line.lstrip())]


def translate_markdown(source: str, translate: Translate) -> str:
    """Translate a markdown cell message by message, cut the way Sphinx cuts the page.

    The cell is parsed with markdown-it-py (the parser under MyST-Parser), so the messages
    are the paragraphs, headings, table cells and definition terms Sphinx extracted into the
    catalog. Code is kept byte for byte, MyST targets and comments are dropped (they mean
    nothing in Jupyter), and a ``{dropdown}`` becomes ``<details>`` with its inside
    translated the same way.
    """
    lines = source.split("\n")
    tokens = _parser().parse(source)
    replaced: dict[int, tuple[int, list[str]]] = {}  # first line -> (end line, new lines)
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        begin, end = token.map
        first = lines[begin]
        if token.type in {"myst_target", "myst_line_comment", "myst_block_break"}:
            replaced[begin] = (end, [])
        elif token.type in {"heading_open", "paragraph_open", "dt_open"}:
            inline = tokens[index + 1]
            prefix = _prefix(first, inline.content)
            replaced[begin] = (end, [prefix + translate(message_id(inline))])
        elif token.type == "tr_open":
            cells = []
            for j in range(index + 1, len(tokens)):
                if tokens[j].type == "tr_close":
                    break
                if tokens[j].type == "inline":
                    cells.append(translate(message_id(tokens[j])))
            replaced[begin] = (begin + 1, [_prefix(first, "|") + "| " + " | ".join(cells) + " |"])
        elif token.type == "colon_fence" and token.info.strip().startswith("{dropdown}"):
            indent = first[: len(first) - len(first.lstrip())]
            summary = translate(token.info.strip().removeprefix("{dropdown}").strip())
            inner = translate_markdown(token.content.rstrip("\n"), translate).strip("\n")
            block = ["<details>", f"<summary>{summary}</summary>", "", *inner.split("\n"), ""]
            replaced[begin] = (
                end,
                [indent + part if part else "" for part in block] + [indent + "</details>"],
            )
    out: list[str] = []
    number = 0
    while number < len(lines):
        if number in replaced:
            end, new = replaced[number]
            out.extend(new)
            number = max(end, number + 1)
        else:
            out.append(lines[number])
            number += 1
    return "\n".join(out)


def plain_roles(text: str, glued: dict[str, str]) -> str:
    """Turn MyST roles into text Jupyter shows: terms and links keep their words, glue its value."""

    def replace(match: re.Match[str]) -> str:
        name, body = match["name"], match["body"]
        if name == "glue:text":
            key = body.split("::", 1)[-1].rsplit(":", 1)[0] if "::" in body else body
            return glued.get(key, body)
        if name in {"cite:p", "cite:t"}:
            keys = ", ".join(part.strip() for part in body.split(","))
            return f"[{keys}]"
        target = ROLE_WITH_TARGET.match(body)
        return target["text"] if target else body

    return ROLE.sub(replace, text)


def glued_values(glue_file: Path) -> dict[str, str]:
    """The plain-text value of each glued variable, as the page shows it."""
    if not glue_file.is_file():
        return {}
    values = {}
    for key, output in json.loads(glue_file.read_text(encoding="utf-8")).items():
        text = output.get("data", {}).get("text/plain")
        if text is None:
            continue
        try:
            values[key] = str(ast.literal_eval(text))
        except (ValueError, SyntaxError):
            values[key] = text
    return values


def setup_cell(language: str, install: str) -> nbformat.NotebookNode:
    """First cell: language, and talimat installed when missing (Colab, Binder, own Jupyter)."""
    comment = messages("notebooks")("setup_comment", language)
    source = f'''{comment}
import importlib.util
import os
import sys
import types

os.environ.setdefault("TALIMAT_LANG", "{language}")
if importlib.util.find_spec("talimat") is None:
    %pip install --quiet "{install}"
if importlib.util.find_spec("myst_nb") is None:
    import IPython.display

    def glue(name, value, display=True):
        if display:
            IPython.display.display(value)

    myst_nb = types.ModuleType("myst_nb")
    myst_nb.glue = glue
    sys.modules["myst_nb"] = myst_nb'''
    return nbformat.v4.new_code_cell(source)


def localize_notebook(
    executed: nbformat.NotebookNode,
    translate: Translate,
    glued: dict[str, str],
    language: str,
    install: str,
) -> nbformat.NotebookNode:
    """The executed notebook with translated markdown, plain roles and a setup cell first."""
    notebook = nbformat.from_dict(json.loads(json.dumps(executed)))
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = plain_roles(translate_markdown(cell.source, translate), glued).strip("\n")
        elif cell.cell_type == "code":
            # glue(..., display=False) leaves records only myst-nb reads; Jupyter would show
            # "no renderer" notices for them.
            cell.outputs = [output for output in cell.outputs if not _glue_record(output)]
        cell.metadata.pop("mystnb", None)
    notebook.cells.insert(0, setup_cell(language, install))
    notebook.metadata.pop("source_map", None)
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["language"] = language
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"
    return notebook


def with_outputs(notebook: nbformat.NotebookNode, config: Any) -> nbformat.NotebookNode:
    """The notebook with its executed outputs.

    When myst-nb serves a notebook from jupyter-cache, the copy it writes to
    ``jupyter_execute/`` has no outputs (they stay in the cache's copy), so they are merged
    back from the same cache here.
    """
    if config.nb_execution_mode != "cache" or not config.nb_execution_cache_path:
        return notebook
    from jupyter_cache import get_cache

    try:
        _, merged = get_cache(config.nb_execution_cache_path).merge_match_into_notebook(notebook)
    except KeyError:  # not in the cache: executed in this build, outputs already there
        return notebook
    return merged


def _glue_record(output: dict[str, Any]) -> bool:
    data = output.get("data") or {}
    return bool(data) and all(key.startswith(GLUE_MIME_PREFIX) for key in data)


def notebook_docnames(app: Sphinx) -> list[str]:
    """Documents that are executed notebooks: their source has a jupytext kernelspec."""
    return sorted(
        name
        for name in app.env.found_docs
        if "kernelspec:" in Path(app.env.doc2path(name)).read_text(encoding="utf-8")[:2000]
    )


def write_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """After a successful HTML build, write each notebook page's .ipynb beside it."""
    if exception is not None or app.builder.format != "html":
        return
    language = app.config.language
    executed_dir = Path(app.outdir).parent / "jupyter_execute"
    for docname in notebook_docnames(app):
        executed_path = executed_dir / f"{docname}.ipynb"
        if not executed_path.is_file():
            logger.warning("no executed notebook for %s at %s", docname, executed_path)
            continue
        catalog_path = Path(app.srcdir) / "locales" / language / "LC_MESSAGES" / f"{docname}.po"
        glue_path = executed_dir / f"{docname}.glue.json"
        target = Path(app.outdir) / f"{docname}.ipynb"
        # myst-nb rewrites the executed copy whenever the page is read again, so an older
        # executed copy, catalog and converter mean this notebook is already current.
        if _up_to_date(target, [executed_path, catalog_path, glue_path, Path(__file__)]):
            continue
        catalog = load_catalog(catalog_path)
        missing: list[str] = []

        def translate(
            text: str, catalog: dict[str, str] = catalog, missing: list[str] = missing
        ) -> str:
            if language == "en" or not text:
                return text
            if text not in catalog:
                missing.append(text)
            return catalog.get(text, text)

        notebook = localize_notebook(
            with_outputs(nbformat.read(executed_path, as_version=4), app.config),
            translate,
            glued_values(glue_path),
            language,
            app.config.talimat_install,
        )
        for text in missing:
            logger.warning("%s.ipynb: no %s translation for %r", docname, language, text[:80])
        if missing:  # not written: the next build tries again and warns again
            target.unlink(missing_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.validate(notebook)
        nbformat.write(notebook, target)


def _up_to_date(target: Path, sources: list[Path]) -> bool:
    """True when ``target`` exists and is newer than every source that exists."""
    if not target.is_file():
        return False
    built = target.stat().st_mtime
    return all(source.stat().st_mtime < built for source in sources if source.is_file())


def add_notebook_links(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Download and launch links for notebook pages (the template shows them in the header)."""
    if pagename not in notebook_docnames(app):
        return
    name = pagename.rsplit("/", 1)[-1] + ".ipynb"
    published = f"{app.config.language}/{pagename}.ipynb"
    repository = app.config.talimat_repository.removeprefix("https://github.com/").strip("/")
    branch = app.config.talimat_pages_branch
    context["talimat_notebook"] = {
        "download": name,
        "colab": f"https://colab.research.google.com/github/{repository}/blob/{branch}/{published}",
        "binder": f"https://mybinder.org/v2/gh/{repository}/{branch}?urlpath=lab/tree/{published}",
    }


def catalogs_digest(srcdir: Path) -> str:
    """Hash of every catalog under ``locales/``: what a notebook reading the catalogs depends on."""
    digest = hashlib.sha256()
    for path in sorted((srcdir / "locales").rglob("*.po")):
        digest.update(path.relative_to(srcdir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def reread_catalog_readers(
    app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Notebooks that read the catalogs (``talimat_catalog_readers``) are re-read when they change.

    Sphinx re-reads a page only when its source changed, and jupyter-cache keys a notebook on
    its code: a notebook that measures the catalogs (the Turkish token tax) would otherwise keep
    the figures of older catalogs. Such a notebook sets ``execution_mode: force`` in its own
    metadata, so re-reading it runs it again.
    """
    readers = [name for name in app.config.talimat_catalog_readers if name in env.found_docs]
    if not readers:
        return []
    digest = catalogs_digest(Path(app.srcdir))
    if getattr(env, "talimat_catalogs_digest", None) == digest:
        return []
    env.talimat_catalogs_digest = digest
    return readers


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("talimat_repository", "", "html", types=(str,))
    app.add_config_value("talimat_pages_branch", "gh-pages", "html", types=(str,))
    app.add_config_value("talimat_install", "talimat", "html", types=(str,))
    app.add_config_value("talimat_catalog_readers", [], "env", types=(list, tuple))
    app.connect("env-get-outdated", reread_catalog_readers)
    app.connect("build-finished", write_notebooks)
    app.connect("html-page-context", add_notebook_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
