"""One _static folder for both languages: shared files move up, pages point at them."""

from __future__ import annotations

from pathlib import Path

import pytest

from talimat.language import LANGUAGES
from talimat_sphinx.shared_static import share_static


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
    assert (site / "_static" / "styles" / "pydata-sphinx-theme.css").is_file()
    assert not (site / "tr" / "_static" / "styles").exists()
