"""talimat.language: one language table for the whole project, numbers written its way."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

from built_site import ROOT
from talimat.language import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    TRANSLATED_LANGUAGES,
    UnsupportedLanguageError,
    format_number,
    format_share,
    messages,
    resolve_language,
    site_language,
    site_languages,
    turkish_lower,
)


def test_the_table_defines_the_languages() -> None:
    assert LANGUAGES == tuple(row.code for row in site_languages()) == ("en", "tr")
    assert SOURCE_LANGUAGE == "en"
    assert TRANSLATED_LANGUAGES == ("tr",)
    assert site_language("tr").og_locale == "tr_TR"
    assert site_language("tr_TR").name == "Türkçe"


def test_every_translated_language_has_its_catalogs() -> None:
    for code in TRANSLATED_LANGUAGES:
        assert any((ROOT / "locales" / code / "LC_MESSAGES").rglob("*.po")), code


def test_every_package_message_exists_in_every_language() -> None:
    folder = resources.files("talimat") / "data" / "messages"
    domains = sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )
    assert "choices" in domains
    for domain in domains:
        table = messages(domain)
        with (folder / f"{domain}.toml").open("rb") as handle:
            assert set(tomllib.load(handle)) == set(table.keys())
        for key in table.keys():  # noqa: SIM118 - Messages is not a dict
            for code in LANGUAGES:
                assert table(key, code).strip(), f"{domain}.{key} is empty in {code}"


# Written-out language lists in code are what the table replaced: this keeps them out.
LANGUAGE_LIST = re.compile(r"""[(\[{]\s*["']en["']\s*,\s*["']tr["']\s*[)\]}]""")


@pytest.mark.parametrize("folder", ["src", "tools", "tests", "benchmarks"])
def test_no_code_writes_the_list_of_languages_again(folder: str) -> None:
    offenders = []
    for path in (ROOT / folder).rglob("*.py"):
        if "node_modules" in path.parts or path.name == "test_language.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            exempt = line.lstrip().startswith("#") or "not the table" in line  # said so
            if LANGUAGE_LIST.search(line) and not exempt:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_numbers_follow_the_language() -> None:
    assert format_number(1_000_000, "tr") == "1.000.000"
    assert format_number(3.5, "en") == "3.5"
    assert format_share(0.3, "tr") == "%30"
    assert format_share(0.3, "en") == "30%"


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(UnsupportedLanguageError, match="use one of en, tr"):
        resolve_language("de")


def test_turkish_lowercasing() -> None:
    assert turkish_lower("IŞIK İstanbul") == "ışık istanbul"
