"""API reference signatures read in the right order in the built HTML.

Regression: the transform keeping docstrings out of the catalogs marked inline signature nodes
``translatable``; Sphinx's ``RemoveTranslatableInline`` then unwrapped them and moved their text
to the end of the parent, printing ``filter_catalog(*, =purposeNone)`` and ``classtalimat...``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from talimat.language import LANGUAGES
from talimat_sphinx.api_signatures import break_identifiers

# One parameter as Python writes it: a separator, or a name with optional annotation and default.
PARAMETER = re.compile(r"^(\*|/|\*{0,2}[A-Za-z_]\w*(\s*:\s*[^=]+?)?(\s*=\s*\S.*)?)$")
# A keyword printed against the object's qualified name ("classtalimat.catalog.DatasetEntry").
GLUED_KEYWORD = re.compile(r"^(class|exception|async|property|classmethod|staticmethod)talimat\.")
PAIRS = {")": "(", "]": "[", "}": "{"}


def signature_text(element: Tag) -> str:
    for link in element.select("a.headerlink"):
        link.decompose()
    return " ".join(element.get_text().split())


def balanced(text: str) -> bool:
    """Brackets open before they close (string literals in defaults skipped)."""
    stack: list[str] = []
    for char in re.sub(r"'[^']*'|\"[^\"]*\"", "''", text):
        if char in "([{":
            stack.append(char)
        elif char in PAIRS and (not stack or stack.pop() != PAIRS[char]):
            return False
    return not stack


def check_signature(text: str, parameters: list[str]) -> list[str]:
    """What is wrong with one signature's text (empty when it reads as Python)."""
    problems = [f"parameter {p!r}" for p in parameters if not PARAMETER.match(p)]
    if not balanced(text):
        problems.append("brackets out of order")
    if GLUED_KEYWORD.match(text):
        problems.append("keyword glued to the name")
    return problems


def test_the_check_rejects_scrambled_signatures() -> None:
    assert check_signature("f(*, =purposeNone)", ["*", "=purposeNone"])
    assert check_signature("SIZE_BANDS tupleSizeBand ]:[,...", [])
    assert check_signature("classtalimat.catalog.DatasetEntry(hub_id)", ["hub_id"])
    good = "class talimat.catalog.f(hub_id, *, lang=None, size: int = 3)"
    assert check_signature(good, ["hub_id", "*", "lang=None", "size: int = 3"]) == []


def test_names_may_break_after_inner_underscores_only() -> None:
    name = '<span class="n"><span class="pre">{}</span></span>'
    other = '<span class="pre">a_b</span>'  # not a name: left alone
    html = name.format("__size_band__") + other
    assert break_identifiers(html) == name.format("__size_<wbr>band__") + other


@pytest.mark.site
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_api_signature_reads_as_python(site: Path, language: str) -> None:
    soup = BeautifulSoup((site / language / "docs" / "api.html").read_text("utf-8"), "html.parser")
    signatures = soup.select("dt.sig")
    assert len(signatures) > 50
    offenders = {}
    for dt in signatures:
        parameters = [" ".join(em.get_text().split()) for em in dt.select("em.sig-param")]
        if problems := check_signature(signature_text(dt), parameters):
            offenders[dt.get("id")] = problems
    assert not offenders, offenders
