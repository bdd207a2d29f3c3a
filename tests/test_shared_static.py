"""One _static folder for both languages: shared files move up, pages point at them."""

from __future__ import annotations

from pathlib import Path

import pytest

from talimat.language import LANGUAGES
from talimat_sphinx.shared_static import HEADERS, hash_names, hashed_name, share_static


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_common_files_are_shared_and_pages_repointed(tmp_path: Path) -> None:
    for language in LANGUAGES:
        write(tmp_path / language / "_static" / "styles" / "theme.css", "a{}")
        write(tmp_path / language / "_static" / "documentation_options.js", f"lang={language}")
        write(
            tmp_path / language / "docs" / "page.html",
            '<link href="../_static/styles/theme.css?v=1">'
            '<script src="../_static/documentation_options.js"></script>',
        )
    write(tmp_path / "tr" / "_static" / "translations.js", "tr only")
    result = share_static(tmp_path)
    assert (result.shared, result.kept) == (1, 2)
    assert (tmp_path / "_static" / "styles" / "theme.css").read_text() == "a{}"
    assert not (tmp_path / "en" / "_static" / "styles").exists()
    assert (tmp_path / "tr" / "_static" / "translations.js").is_file()
    page = (tmp_path / "tr" / "docs" / "page.html").read_text()
    assert 'href="../../_static/styles/theme.css?v=1"' in page
    assert 'src="../_static/documentation_options.js"' in page  # differs: stays per language
    # A rebuild of one language (the other already shared) keeps sharing the same files.
    write(tmp_path / "tr" / "_static" / "styles" / "theme.css", "a{}")
    assert share_static(tmp_path).shared == 1
    assert not (tmp_path / "tr" / "_static" / "styles" / "theme.css").exists()


def test_linked_shared_files_get_content_hashed_names(tmp_path: Path) -> None:
    write(tmp_path / "_static" / "styles" / "theme.css", "a{}")
    write(tmp_path / "_static" / "talimat.css", "b{}")
    write(tmp_path / "_static" / "basic.css", "c{}")  # imported by name from a stylesheet
    write(tmp_path / "_static" / "sheet.css", '@import "basic.css";')
    write(tmp_path / "_static" / "loader.js", "fetch(ROOT + '_static/talimat.js')")
    write(tmp_path / "_static" / "talimat.js", "d()")  # its URL is built by a script
    for language in LANGUAGES:
        write(
            tmp_path / language / "docs" / "page.html",
            '<link href="../../_static/styles/theme.css?digest=1">'
            '<link href="../../_static/talimat.css?v=2"><link href="../../_static/basic.css">'
            '<link href="../../_static/sheet.css"><script src="../../_static/talimat.js"></script>'
            '<script src="../_static/documentation_options.js"></script>',
        )
        write(tmp_path / language / "_static" / "documentation_options.js", language)
    result = hash_names(tmp_path, "/talimat/")
    theme = hashed_name("styles/theme.css", b"a{}")
    assert theme.startswith("styles/theme.")
    assert len(theme) == len("styles/theme.css") + 11
    assert result.renamed == {
        "styles/theme.css": theme, "talimat.css": hashed_name("talimat.css", b"b{}"),
        "sheet.css": hashed_name("sheet.css", b'@import "basic.css";'),
    }  # fmt: skip
    assert (tmp_path / "_static" / theme).read_text() == "a{}"
    assert not (tmp_path / "_static" / "styles" / "theme.css").exists()
    assert (tmp_path / "_static" / "basic.css").is_file()
    assert (tmp_path / "_static" / "talimat.js").is_file()
    page = (tmp_path / "tr" / "docs" / "page.html").read_text()
    assert f'href="../../_static/{theme}"' in page  # the hash is the version: no ?digest=
    assert 'href="../../_static/basic.css"' in page
    assert 'src="../_static/documentation_options.js"' in page  # per language: not shared
    headers = (tmp_path / HEADERS).read_text()
    assert f"/talimat/_static/{theme}\n  Cache-Control: public, max-age=31536000, immutable" in (
        headers
    )
    assert "basic.css" not in headers


def test_a_name_changes_with_the_content() -> None:
    assert hashed_name("a.css", b"x") != hashed_name("a.css", b"y")
    assert hashed_name("a.css", b"x") == hashed_name("a.css", b"x")


@pytest.mark.site
def test_both_languages_link_the_same_hashed_assets(site: Path) -> None:
    import hashlib
    import re

    linked = {}
    for language in LANGUAGES:
        page = site / language / "docs" / "glossary.html"
        refs = re.findall(r'(?:href|src)="([^"#?]*_static/[^"#?]+)', page.read_text("utf-8"))
        linked[language] = {(page.parent / ref).resolve() for ref in refs}
    shared = set.intersection(*linked.values())
    hashed = [path for path in shared if re.search(r"\.[0-9a-f]{10}\.(css|js|svg)$", path.name)]
    assert len(hashed) >= 10, sorted(p.name for p in shared)
    for path in hashed:  # the name's hash is the file's
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        assert path.name.split(".")[-2] == digest, path.name
        assert path.is_relative_to((site / "_static").resolve())
    headers = (site / HEADERS).read_text("utf-8")
    assert all(path.name in headers for path in hashed)


@pytest.mark.site
def test_every_referenced_static_file_exists(site: Path) -> None:
    import re

    missing = set()
    for page in site.rglob("*.html"):
        if "_static" in page.relative_to(site).parts:  # theme templates copied as files
            continue
        for ref in re.findall(r'(?:href|src)="([^"#?]*_static/[^"#?]+)', page.read_text("utf-8")):
            target = (page.parent / ref).resolve() if not ref.startswith("/") else None
            if target is not None and not target.is_file():
                missing.add(f"{page.relative_to(site)} -> {ref}")
    assert not missing, sorted(missing)[:10]
    assert list((site / "_static" / "styles").glob("pydata-sphinx-theme.*.css"))
    assert not (site / "tr" / "_static" / "styles").exists()
