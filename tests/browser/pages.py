"""The pages of the built site, for tests that visit each of them."""

from __future__ import annotations

from pathlib import Path

from built_site import SITE


def content_pages(language: str = "en") -> list[str]:
    """Relative paths of the chapter, notebook and reference pages (plus the home page)."""
    root = SITE / language
    found = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.html")
        if p.relative_to(root).parts[0] in {"docs", "notebooks"}
    )
    return ["index.html", *found]


def notebook_pages(language: str = "en") -> list[str]:
    return [page for page in content_pages(language) if page.startswith("notebooks/")]


def exists(language: str, page: str) -> bool:
    return (Path(SITE) / language / page).is_file()
