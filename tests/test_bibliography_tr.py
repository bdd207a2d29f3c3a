"""The Turkish bibliography and citation tooltips speak Turkish (names, months, notes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pybtex.database import parse_file

from built_site import ROOT
from talimat_sphinx.bibliography_tr import TRANSLATED_FIELDS, turkish_fields

# What the English style writes: connectives, notes' English words, English number format.
ENGLISH = re.compile(
    r", and |\bet al\.|\. In |\bChecked\b|\bDataset card\b|\bGitHub repository\b|\band others\b"
    r"|\b(January|February|March|April|June|July|August|September|October|November|December)\b"
    r"|\b\d{1,3},\d{3}\b"
)


def _titles() -> list[str]:
    """The works' own titles: the authors' words, which stay as they wrote them."""
    entries = parse_file(ROOT / "docs" / "references.bib").entries.values()
    return [" ".join(e.fields["title"].replace("{", "").replace("}", "").split()) for e in entries]


TITLES = _titles()


def bibliography_texts(html: Path) -> list[str]:
    """Bibliography entries, citation labels and citation tooltips of one page (titles left out)."""
    soup = BeautifulSoup(html.read_text("utf-8"), "html.parser")
    texts = [" ".join(e.get_text().split()) for e in soup.select(".citation, .bibliography")]
    for link in soup.select('a[href*="references.html#"], a[href^="#id"]'):
        texts += [link.get("title", ""), link.get_text()]
    for title in TITLES:  # the style may change a title's case ("sentence case")
        texts = [re.sub(re.escape(title), " ", text, flags=re.IGNORECASE) for text in texts]
    return [t for t in texts if t.strip()]


def test_every_english_only_field_has_its_turkish() -> None:
    entries = parse_file(ROOT / "docs" / "references.bib").entries
    fields = turkish_fields()
    missing = [
        f"{key}.{name}"
        for key, entry in entries.items()
        for name in TRANSLATED_FIELDS
        if name in entry.fields and not fields.get(key, {}).get(name)
    ]
    assert not missing
    assert not set(fields) - set(entries), "Turkish notes for keys the bib file no longer has"


@pytest.mark.site
def test_turkish_citations_have_no_english_connectives(site: Path) -> None:
    offenders = {}
    for page in sorted((site / "tr").rglob("*.html")):
        if found := {m.group(0) for t in bibliography_texts(page) for m in ENGLISH.finditer(t)}:
            offenders[page.relative_to(site).as_posix()] = sorted(found)
    assert not offenders, offenders
    assert "Erişim tarihi" in (site / "tr" / "docs" / "references.html").read_text("utf-8")


@pytest.mark.site
def test_the_check_sees_the_english_site(site: Path) -> None:
    texts = bibliography_texts(site / "en" / "docs" / "references.html")
    assert any(ENGLISH.search(text) for text in texts)
