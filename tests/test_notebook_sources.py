"""What readers see of the notebooks, checked on their jupytext MyST sources.

Cells that only feed the prose (``glue``) or check planted problems (``assert``) run on every
build but are hidden from readers with the ``remove-input`` or ``remove-cell`` tag, as Jupyter
Book does; and every notebook ends with exercises whose solutions sit in folded dropdowns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("[0-9][0-9]-*.md"))
HIDDEN = {"remove-input", "remove-cell"}
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(?P<body>.*?)^```$", re.S | re.M)
TAGS = re.compile(r"^:tags:\s*\[(?P<tags>[^\]]*)\]", re.M)


@dataclass(frozen=True)
class CodeCell:
    line: int
    tags: frozenset[str]
    code: str


def code_cells(text: str) -> list[CodeCell]:
    cells = []
    for match in CELL.finditer(text):
        body = match.group("body")
        found = TAGS.search(body)
        tags = frozenset(
            tag.strip().strip("'\"") for tag in (found.group("tags").split(",") if found else [])
        )
        code = "\n".join(line for line in body.splitlines() if not line.startswith(":"))
        cells.append(CodeCell(text.count("\n", 0, match.start()) + 1, tags, code))
    return cells


def test_cell_parser_reads_tags_and_code():
    text = "x\n```{code-cell} ipython3\n:tags: [remove-cell]\n\nglue('a', 1)\n```\n"
    (cell,) = code_cells(text)
    assert cell.tags == {"remove-cell"}
    assert "glue(" in cell.code
    assert cell.line == 2


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 5


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_no_visible_cell_calls_glue_or_asserts(path: Path):
    visible = [
        cell.line
        for cell in code_cells(path.read_text(encoding="utf-8"))
        if not cell.tags & HIDDEN and re.search(r"(^|[^\w.])glue\(|^\s*assert\b", cell.code, re.M)
    ]
    assert not visible, f"{path.name}: glue() or assert in visible cells at lines {visible}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_prose_does_not_narrate_the_plumbing(path: Path):
    prose = CELL.sub("", path.read_text(encoding="utf-8"))
    narrations = (
        "`glue`",
        "with glue",
        "next cell keeps",
        "for the chapter's prose",
        "the cell reads",
    )
    for phrase in narrations:
        assert phrase not in prose, f"{path.name} mentions {phrase!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_every_notebook_ends_with_exercises_and_folded_solutions(path: Path):
    text = path.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.M)
    last = sections[-1]
    assert last.startswith("Exercises\n"), f"{path.name}: the last section is not Exercises"
    exercises = re.findall(r"^\d+\. ", last, re.M)
    solutions = re.findall(r"^\s*:::\{dropdown\}", last, re.M)
    assert exercises, f"{path.name}: no numbered exercises"
    assert len(solutions) >= len(exercises), f"{path.name}: an exercise has no folded solution"
