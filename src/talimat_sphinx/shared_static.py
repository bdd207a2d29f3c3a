"""One ``_static`` folder for both languages, so switching language downloads no asset twice.

Each language's Sphinx build writes its own ``<lang>/_static/``, byte for byte the same files
but for a handful (``documentation_options.js``, the stemmer, Sphinx's ``translations.js``).
A reader switching language downloaded every stylesheet and script again (~150 KiB gzipped),
because the browser caches by URL. After the languages are assembled, every file that is the
same in all of them moves to ``<site>/_static/`` and the pages point there; the files that differ
stay in ``<lang>/_static/``. Run by the build script's assemble step (``share_static``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SharedStatic", "share_static"]

_REFERENCE = re.compile(r'(?P<attr>href|src)="(?P<up>(?:\.\./)*)_static/(?P<rel>[^"?#]+)')


@dataclass(frozen=True)
class SharedStatic:
    """What sharing did: files moved to the shared folder, files kept per language."""

    shared: int
    kept: int


def _same_everywhere(rel: str, data: bytes, site: Path, languages: list[str]) -> bool:
    """``rel`` has these bytes in every language (or is already shared with these bytes)."""
    shared = site / "_static" / rel
    for language in languages:
        own = site / language / "_static" / rel
        if own.is_file():
            if own.read_bytes() != data:
                return False
        elif not (shared.is_file() and shared.read_bytes() == data):
            return False
    return True


def share_static(site: Path, languages: list[str] | None = None) -> SharedStatic:
    """Move the files common to every ``<site>/<lang>/_static/`` to ``<site>/_static/``."""
    if languages is None:
        languages = sorted(p.parent.name for p in site.glob("*/_static") if p.parent != site)
    shared_dir = site / "_static"
    common: set[str] = set()
    kept: set[str] = set()
    for language in languages:
        static = site / language / "_static"
        for path in sorted(static.rglob("*")):
            rel = path.relative_to(static).as_posix()
            if not path.is_file() or rel in common or rel in kept:
                continue
            data = path.read_bytes()
            if _same_everywhere(rel, data, site, languages):
                common.add(rel)
                target = shared_dir / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            else:
                kept.add(rel)
    for language in languages:
        static = site / language / "_static"
        for rel in common:
            (static / rel).unlink(missing_ok=True)
        for folder in sorted(static.rglob("*"), reverse=True):  # empty folders left behind
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        for page in (site / language).rglob("*.html"):
            _repoint(page, common)
    return SharedStatic(shared=len(common), kept=len(kept))


def _repoint(page: Path, common: set[str]) -> None:
    """Point ``page``'s references to shared files one folder up, at ``<site>/_static/``."""

    def repoint(match: re.Match[str]) -> str:
        if match["rel"] not in common:
            return match.group(0)
        return f'{match["attr"]}="{match["up"]}../_static/{match["rel"]}'

    text = page.read_text(encoding="utf-8")
    moved = _REFERENCE.sub(repoint, text)
    if moved != text:
        page.write_text(moved, encoding="utf-8")
