"""One ``_static`` folder for both languages, so switching language downloads no asset twice.

Each language's Sphinx build writes its own ``<lang>/_static/``, byte for byte the same files
but for a handful (``documentation_options.js``, the stemmer, Sphinx's ``translations.js``).
A reader switching language downloaded every stylesheet and script again (~150 KiB gzipped),
because the browser caches by URL. After the languages are assembled, every file that is the
same in all of them moves to ``<site>/_static/`` and the pages point there; the files that differ
stay in ``<lang>/_static/``. Run by the build script's assemble step (``share_static``).

Then the shared files the pages link get their content's hash in their name
(``talimat.css`` -> ``talimat.3f2a9c01d4.css``) and the pages' links say so (``hash_names``):
a name then always means the same bytes, so a host may let browsers keep them for a year.
GitHub Pages sends ``max-age=600`` for everything and cannot be told otherwise; hosts that
read a ``_headers`` file (Netlify, Cloudflare Pages) get one listing the hashed files as
immutable. A file whose name also occurs elsewhere (in a stylesheet's ``@import``, a script
that builds its URL, a page's inline script) keeps its name: renaming it would break that use.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HEADERS", "HashedNames", "SharedStatic", "hash_names", "hashed_name", "share_static"]

#: The host's header rules (Netlify and Cloudflare Pages format), at the site's root.
HEADERS = "_headers"
IMMUTABLE = "Cache-Control: public, max-age=31536000, immutable"
_ALREADY_HASHED = re.compile(r"\.[0-9a-f]{16,}\.")
_ANY_REFERENCE = re.compile(
    r'(?P<attr>href|src)="(?P<up>(?:\.\./)*)_static/(?P<rel>[^"?#]+)(?P<query>\?[^"#]*)?'
)

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


@dataclass(frozen=True)
class HashedNames:
    """What hashing did: shared file (old relative name) -> its hashed name."""

    renamed: dict[str, str]


def hashed_name(rel: str, data: bytes) -> str:
    """``rel`` with the first 10 hex digits of its content's SHA-256 before the suffix."""
    path = Path(rel)
    digest = hashlib.sha256(data).hexdigest()[:10]
    return path.with_name(f"{path.stem}.{digest}{path.suffix}").as_posix()


def _pages(site: Path) -> list[Path]:
    shared = site / "_static"
    return [page for page in site.rglob("*.html") if not page.is_relative_to(shared)]


def hash_names(site: Path, root_path: str = "/") -> HashedNames:
    """Give the shared files the pages link a content-hashed name; point the links at it.

    ``root_path`` is the site's path on its host (``/talimat/``), for the ``_headers`` rules.
    """
    shared = site / "_static"
    pages = {page: page.read_text(encoding="utf-8") for page in _pages(site)}
    linked: dict[str, int] = {}  # shared file -> how many links name it
    for page, text in pages.items():
        for match in _ANY_REFERENCE.finditer(text):
            if (page.parent / match["up"] / "_static" / match["rel"]).resolve().is_relative_to(
                shared.resolve()
            ) and (shared / match["rel"]).is_file():
                linked[match["rel"]] = linked.get(match["rel"], 0) + 1
    static_texts = [
        path.read_text(encoding="utf-8", errors="replace")
        for path in site.rglob("*")
        if path.suffix in {".css", ".js", ".json"} and "_static" in path.parts
    ]  # (the theme's *.html under _static are Jinja macros copied as files, never loaded)
    renamed: dict[str, str] = {}
    for rel, links in sorted(linked.items()):
        name = Path(rel).name
        mentions = sum(text.count(name) for text in pages.values())
        if mentions != links or any(name in text for text in static_texts):
            continue  # used by name somewhere else too
        if _ALREADY_HASHED.search(name):
            continue  # myst-nb names its stylesheet by its hash already
        renamed[rel] = hashed_name(rel, (shared / rel).read_bytes())
    for rel, new in renamed.items():
        (shared / rel).rename(shared / new)

    def repoint(page: Path, match: re.Match[str]) -> str:
        rel = match["rel"]
        target = (page.parent / match["up"] / "_static" / rel).resolve()
        if rel not in renamed or not target.is_relative_to(shared.resolve()):
            return match.group(0)
        return f'{match["attr"]}="{match["up"]}_static/{renamed[rel]}'  # the name is the version

    for page, text in pages.items():
        moved = _ANY_REFERENCE.sub(functools.partial(repoint, page), text)
        if moved != text:
            page.write_text(moved, encoding="utf-8")
    rules = "".join(
        f"{root_path}_static/{new}\n  {IMMUTABLE}\n" for new in sorted(renamed.values())
    )
    (site / HEADERS).write_text(rules, encoding="utf-8")
    return HashedNames(renamed)
