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
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
from babel.messages.pofile import read_po
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

LABEL = re.compile(r"^\(([^)]+)\)=\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
DROPDOWN = re.compile(r"^:::\{dropdown\}\s*(.*)$")
LIST_ITEM = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)(.*)$")
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


def translate_markdown(source: str, translate: Translate) -> str:
    """Translate a markdown cell block by block, as Sphinx cut it into messages."""
    lines = source.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            out.append("")
            i += 1
        elif LABEL.match(line):
            i += 1  # MyST target labels mean nothing in Jupyter
        elif match := HEADING.match(line):
            out.append(f"{match[1]} {translate(match[2].strip())}")
            i += 1
        elif match := FENCE.match(line):
            end = _closing_fence(lines, i, match[2])
            out.extend(lines[i : end + 1])  # code is never translated
            i = end + 1
        elif match := DROPDOWN.match(line.strip()):
            end = _closing_colons(lines, i)
            inner = translate_markdown("\n".join(lines[i + 1 : end]), translate)
            summary = translate(match[1].strip())
            out += [
                "<details>",
                f"<summary>{summary}</summary>",
                "",
                inner.strip("\n"),
                "",
                "</details>",
            ]
            i = end + 1
        elif match := LIST_ITEM.match(line):
            marker = match[1]
            body, i = _list_item_body(lines, i, len(marker))
            translated = translate_markdown("\n".join([match[2], *body]), translate).split("\n")
            indent = " " * len(marker)
            out.append(marker + translated[0])
            out += [indent + rest if rest else "" for rest in translated[1:]]
        elif line.startswith(">"):
            quoted = []
            while i < len(lines) and lines[i].startswith(">"):
                quoted.append(lines[i][1:].removeprefix(" "))
                i += 1
            inner = translate_markdown("\n".join(quoted), translate)
            out += ["> " + part if part else ">" for part in inner.split("\n")]
        else:
            paragraph = []
            while i < len(lines) and lines[i].strip() and not _starts_block(lines[i]):
                paragraph.append(lines[i].strip())
                i += 1
            out.append(translate(" ".join(paragraph)))
    return "\n".join(out)


def _starts_block(line: str) -> bool:
    stripped = line.strip()
    return bool(
        HEADING.match(line)
        or FENCE.match(line)
        or DROPDOWN.match(stripped)
        or stripped == ":::"
        or LIST_ITEM.match(line)
        or line.startswith(">")
    )


def _closing_fence(lines: list[str], start: int, fence: str) -> int:
    for j in range(start + 1, len(lines)):
        if (
            lines[j].strip().startswith(fence[0] * len(fence))
            and not lines[j].strip()[len(fence) :].strip()
        ):
            return j
    return len(lines) - 1


def _closing_colons(lines: list[str], start: int) -> int:
    depth = 0
    for j in range(start + 1, len(lines)):
        stripped = lines[j].strip()
        if stripped.startswith(":::{"):
            depth += 1
        elif stripped == ":::":
            if depth == 0:
                return j
            depth -= 1
    return len(lines) - 1


def _list_item_body(lines: list[str], start: int, width: int) -> tuple[list[str], int]:
    """The lines after a list item's first line that belong to it, dedented."""
    body: list[str] = []
    j = start + 1
    while j < len(lines):
        line = lines[j]
        if not line.strip():
            following = next((k for k in range(j, len(lines)) if lines[k].strip()), None)
            if following is None or not lines[following].startswith(" " * width):
                break
            body.append("")
        elif line.startswith(" " * width):
            body.append(line[width:])
        elif (body and body[-1] == "") or _starts_block(line):
            break
        else:
            body.append(line.strip())  # a lazy continuation of the item's paragraph
        j += 1
    return body, j


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


SETUP_COMMENT = {
    "en": "# Setup: runs anywhere (Colab, Binder, your own Jupyter); installs talimat if missing.",
    "tr": "# Kurulum: her yerde çalışır (Colab, Binder, kendi Jupyter'iniz); talimat yoksa kurar.",
}


def setup_cell(language: str, install: str) -> nbformat.NotebookNode:
    """First cell: language, and talimat installed when missing (Colab, Binder, own Jupyter)."""
    source = f'''{SETUP_COMMENT[language]}
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


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("talimat_repository", "", "html", types=(str,))
    app.add_config_value("talimat_pages_branch", "gh-pages", "html", types=(str,))
    app.add_config_value("talimat_install", "talimat", "html", types=(str,))
    app.connect("build-finished", write_notebooks)
    app.connect("html-page-context", add_notebook_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
