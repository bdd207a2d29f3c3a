"""One Turkish term per concept: the term list in ``locales/tr/terms.toml`` holds everywhere.

The list names, for each concept, the Turkish term the glossary chose and the variants that
must not appear. The check runs over every Turkish catalog of the site and over the package's
Turkish messages (CLI, tables, advice, catalog notes), so a variant that slips back in fails
here with the file, the message and the word.
"""

from __future__ import annotations

import csv
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[1]
DATA = Path(str(resources.files("talimat") / "data"))
TERMS = tomllib.loads((ROOT / "locales" / "tr" / "terms.toml").read_text(encoding="utf-8"))["term"]

# Not prose: roles with their targets, code spans, HTML tags, URLs, shell commands, and an
# English term in parentheses right after its Turkish one (the first-use gloss).
NOT_PROSE = re.compile(
    r"\{[a-z:-]+\}`[^`]*`|``[^`]*``|`[^`]*`|<[^>]*>|https?://\S+|pip install \S+"
    r"|\{\w+\}|\((?:[A-Za-z][A-Za-z0-9 .,/-]*)\)|\*İngilizcesi:\*[^.]*\."
    r"|'[^'\s]+'"  # a name or value quoted in a command-line message, as in English
    r"|--[a-z][a-z-]*|\b[a-z]+(?:_[a-z]+)+\b"  # a command-line option or an identifier
)


# The text a reader sees of a cross-reference role, {term}`belirteç <token>`, is prose.
LINK_TEXT = re.compile(r"\{(?:term|doc|ref)\}`([^`<]*?)\s*<[^>`]*>`")


def prose(text: str) -> str:
    return NOT_PROSE.sub(" ", LINK_TEXT.sub(r" \1 ", text))


def catalog_texts() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "locales" / "tr" / "LC_MESSAGES").rglob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if message.id and message.string:
                    yield f"{path.relative_to(ROOT)}: {str(message.id)[:50]!r}", message.string


def package_texts() -> Iterator[tuple[str, str]]:
    for path in sorted((DATA / "messages").glob("*.toml")):
        for key, entry in tomllib.loads(path.read_text(encoding="utf-8")).items():
            yield f"messages/{path.name}: {key}", entry["tr"]
    points = tomllib.loads((DATA / "reference_points.toml").read_text(encoding="utf-8"))
    for point in points["point"]:
        for field, value in point.items():
            if isinstance(value, dict) and "tr" in value:
                yield f"reference_points.toml: {point['key']}.{field}", value["tr"]
    with (DATA / "catalog.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for field, value in row.items():
                if field.endswith("_tr"):
                    yield f"catalog.csv: {row['hub_id']}.{field}", value


def violations(texts: Iterator[tuple[str, str]]) -> list[str]:
    found = []
    for where, text in texts:
        checked = prose(text)
        for term in TERMS:
            for pattern in term["avoid"]:
                match = re.search(pattern, checked, re.IGNORECASE)
                if match:
                    found.append(f"{where}: {match.group(0)!r} (use {term['use']!r})")
    return found


def test_the_term_list_is_well_formed():
    assert len(TERMS) >= 10
    for term in TERMS:
        assert term["concept"], term
        assert term["use"], term
        assert term["avoid"], term
        for pattern in term["avoid"]:
            re.compile(pattern)


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Modelin cevabı kısa.", True),
        ("Modelin yanıtı kısa.", False),
        ("LLaMA’yı 1.000 örnekle ayarladı.", True),
        ("LLaMA’ya 1.000 örnekle ince ayar yaptı.", False),
        ("Her belirteç (token) sayılır.", False),
        ("Her token sayılır.", True),
        ("`max_tokens` değeri", False),
        ("Hub'daki kümeler", True),
        ("Hub’daki kümeler", False),
        ('"yaklaşık bir milyon" diye', True),
        ("“yaklaşık bir milyon” diye", False),
        ("Bu veri seti küçük.", True),
        ("Her {term}`token <token>` sayılır.", True),
        ("Her {term}`belirteç <token>` sayılır.", False),
    ],
)
def test_the_check_catches_variants_and_spares_code_and_glosses(text, bad):
    assert bool(violations(iter([("example", text)]))) is bad


def test_turkish_catalogs_follow_the_term_list():
    found = violations(catalog_texts())
    assert not found, "\n".join(found)


def test_package_turkish_messages_follow_the_term_list():
    found = violations(package_texts())
    assert not found, "\n".join(found)


def test_sphinx_lint_passes_on_the_catalogs():
    """The pre-commit hook's sphinx-lint entry, run here so CI and contributors agree."""
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    command, *options = shlex.split(hooks["sphinx-lint"]["entry"])
    assert command == "sphinx-lint"
    catalogs = sorted(str(path) for path in (ROOT / "locales").rglob("*.po"))
    result = subprocess.run(
        [sys.executable, "-m", "sphinxlint", *options, *catalogs],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_term_is_glossed_in_english_once_per_page():
    """English in parentheses after a glossary term only at its first use on a page."""
    gloss = re.compile(r"\{term\}`[^`]*`\s*\(([A-Za-z][A-Za-z -]*)\)")
    repeated = []
    for path in sorted((ROOT / "locales" / "tr" / "LC_MESSAGES").rglob("*.po")):
        with path.open("rb") as handle:
            seen: dict[str, int] = {}
            for message in read_po(handle):
                for term in gloss.findall(message.string or ""):
                    seen[term] = seen.get(term, 0) + 1
        repeated += [f"{path.name}: ({term}) x{n}" for term, n in seen.items() if n > 1]
    assert not repeated, "\n".join(repeated)
