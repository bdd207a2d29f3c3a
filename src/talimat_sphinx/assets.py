"""A light site: inline SVG icons instead of fontawesome.js, search scripts on the search page only,
no source maps in the output.

* pydata-sphinx-theme loads ``fontawesome.js`` (1.5 MB, 0.5 MB gzipped) on every page to draw
  about fifteen icons. After each build the icons of every page become inline ``<svg>`` elements
  drawn from the same Font Awesome paths (read from the theme's own copy of the script, so they
  match the theme's version), and the script is no longer referenced or published.
* The theme also loads Sphinx's search scripts and the whole search index on every page, for a
  search-as-you-type dialog that is off (``search_as_you_type = False``): only ``search.html``
  gets them (``_templates/layout.html`` leaves them out of the others).
* Source maps (``*.map``, 3.5 MB) are build artefacts: removed from the output with the
  ``sourceMappingURL`` comments that point at them.
* Figures the notebooks draw arrive as ``data:`` URIs inside the page (``<img src="data:image/
  png;base64,…">``): a notebook page's HTML was 129 KiB (57 KiB gzipped), most of it one chart,
  and the browser parses all of it before the first paint. Each such image becomes a file in
  ``_images/`` named by its content's hash, fetched alongside the page instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

__all__ = [
    "Icon",
    "admonition_icons_css",
    "extract_data_images",
    "inline_icons",
    "load_solid_icons",
    "setup",
    "strip_source_maps",
]

# The theme draws admonition icons with Font Awesome's web font (115 KB, for one glyph per box);
# talimat-icons.css draws the same icons as CSS masks. Admonition class -> Font Awesome icon,
# as pydata-sphinx-theme assigns them (--pst-icon-admonition-*).
ADMONITION_ICONS = {
    "": "bell", "attention": "circle-exclamation", "caution": "triangle-exclamation",
    "danger": "triangle-exclamation", "error": "circle-xmark", "hint": "lightbulb",
    "important": "circle-exclamation", "note": "circle-info", "seealso": "share",
    "tip": "lightbulb", "todo": "pencil", "warning": "triangle-exclamation",
}  # fmt: skip
ICONS_CSS = "talimat-icons.css"

MODIFIERS = {"fa-solid", "fas", "fa-lg", "fa-fw", "fa-regular", "far", "fa-brands", "fab"}
_ICON_ELEMENT = re.compile(r'<(i|span)\s([^>]*?\bclass="[^"]*\bfa-[^"]*"[^>]*)>\s*</\1>', re.S)
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
_FONTAWESOME_SCRIPT = re.compile(r'\s*<script defer src="[^"]*fontawesome\.js[^"]*"></script>')
_DATA_IMAGE = re.compile(
    r'(<img\b[^>]*?\bsrc=")data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\s]+)(")'
)
_SOURCE_MAP = re.compile(r"\n?/[/*]# sourceMappingURL=\S+?(?: \*/)?\s*$")
# One icon of Font Awesome's packs: name:[width,height,[aliases],"unicode","path"] (the name is
# quoted when it has a hyphen).
_PACK_ICON = re.compile(r'[{,]"?([a-z0-9-]+)"?:\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]+","([^"]+)"\]')


@dataclass(frozen=True)
class Icon:
    """One icon's outline: its box and its SVG path."""

    width: int
    height: int
    path: str


@cache
def load_solid_icons(script: Path) -> dict[str, Icon]:
    """The solid pack of a ``fontawesome.js`` build, by icon name and alias."""
    text = script.read_text(encoding="utf-8")
    start, end = text.find('p("far"'), text.find('p("fas"')
    if start < 0 or end < start:
        raise ExtensionError(f"{script}: no Font Awesome solid pack found (theme changed?)")
    icons: dict[str, Icon] = {}
    for name, width, height, aliases, path in _PACK_ICON.findall(text, start, end):
        icon = Icon(int(width), int(height), path)
        icons.setdefault(name, icon)
        for alias in re.findall(r'"([a-z0-9-]+)"', aliases):
            icons.setdefault(alias, icon)
    return icons


def _svg(attributes: str, icons: dict[str, Icon], where: str) -> str:
    attrs = dict(_ATTRIBUTE.findall(attributes))
    classes = attrs.pop("class").split()
    names = [c.removeprefix("fa-") for c in classes if c.startswith("fa-") and c not in MODIFIERS]
    found = [icons[name] for name in names if name in icons]
    if not found:
        raise ExtensionError(f"{where}: no inline icon for {' '.join(classes)!r}")
    icon = found[0]
    attrs.setdefault("aria-hidden", "true")
    extra = "".join(f' {key}="{html.escape(value)}"' for key, value in attrs.items())
    # Font Awesome's classes would give the SVG the web font's ::before glyph (and load the
    # font): keep the others, and the size modifiers under our own names.
    kept = [c for c in classes if not c.startswith("fa-") and c not in MODIFIERS]
    kept += [f"talimat-icon-{c[3:]}" for c in classes if c in {"fa-lg", "fa-fw"}]
    return (
        f'<svg class="{" ".join([*kept, "talimat-icon"])}" viewBox="0 0 {icon.width} {icon.height}"'
        f' width="{icon.width / icon.height:.3g}em" height="1em" focusable="false"{extra}>'
        f'<path d="{icon.path}"/></svg>'
    )


def admonition_icons_css(icons: dict[str, Icon]) -> str:
    """CSS drawing each admonition's title icon as a mask in the title's colour."""
    rules = []
    for kind, name in ADMONITION_ICONS.items():
        icon = icons[name]
        svg = (
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {icon.width} {icon.height}'>"
            f"<path d='{icon.path}'/></svg>"
        )
        url = 'url("data:image/svg+xml,' + svg.replace("#", "%23").replace('"', "'") + '")'
        selector = f"div.admonition{'.' + kind if kind else ''} > .admonition-title::after"
        rules.append(f"{selector} {{ -webkit-mask-image: {url}; mask-image: {url}; }}")
    base = (
        "div.admonition > .admonition-title::after { content: '' !important; font: inherit; "
        "background-color: currentColor; -webkit-mask: no-repeat center / contain; "
        "mask: no-repeat center / contain; }"
    )
    return "/* Written by talimat_sphinx.assets: admonition icons without the web font. */\n" + (
        "\n".join([base, *rules]) + "\n"
    )


def inline_icons(page: str, icons: dict[str, Icon], where: str = "page") -> str:
    """``page`` with its Font Awesome elements drawn as inline SVG and the script dropped."""
    page = _ICON_ELEMENT.sub(lambda m: _svg(m.group(2), icons, where), page)
    return _FONTAWESOME_SCRIPT.sub("", page)


def extract_data_images(page: str, where: Path, outdir: Path) -> str:
    """``page`` (the file ``where`` under ``outdir``) with each base64 ``<img>`` written out to
    ``outdir/_images/<hash>.<ext>`` and linked from there. Undecodable data is left as it is."""

    def write_out(match: re.Match[str]) -> str:
        try:
            data = base64.b64decode(match[3], validate=False)
        except (binascii.Error, ValueError):
            return match.group(0)
        extension = "jpg" if match[2] == "jpeg" else match[2]
        image = outdir / "_images" / f"inline-{hashlib.sha256(data).hexdigest()[:16]}.{extension}"
        if not image.is_file():
            image.parent.mkdir(parents=True, exist_ok=True)
            image.write_bytes(data)
        link = Path(os.path.relpath(image, where.parent)).as_posix()
        return f"{match[1]}{link}{match[4]}"

    return _DATA_IMAGE.sub(write_out, page)


def strip_source_maps(static: Path) -> None:
    """Delete ``*.map`` files under ``static`` and the comments that point to them."""
    for source_map in static.rglob("*.map"):
        source_map.unlink()
    for asset in [*static.rglob("*.js"), *static.rglob("*.css")]:
        text = asset.read_text(encoding="utf-8", errors="surrogateescape")
        stripped = _SOURCE_MAP.sub("", text)
        if stripped != text:
            asset.write_text(stripped, encoding="utf-8", errors="surrogateescape")


def theme_icons() -> dict[str, Icon]:
    """The solid icons of the installed pydata-sphinx-theme's Font Awesome build."""
    import pydata_sphinx_theme

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    return load_solid_icons(theme / "static" / "scripts" / "fontawesome.js")


def write_icons_css(app: Sphinx) -> None:
    """Write talimat-icons.css before the pages: Sphinx links (and hashes) files that exist."""
    if app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / ICONS_CSS).write_text(admonition_icons_css(theme_icons()), encoding="utf-8")


def lighten_output(app: Sphinx, exception: Exception | None) -> None:
    """Inline every page's icons, write out its inline images, drop fontawesome.js and maps."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    icons = theme_icons()
    for page in outdir.rglob("*.html"):
        if page.is_relative_to(static):
            continue
        text = page.read_text(encoding="utf-8")
        light = inline_icons(text, icons, str(page.relative_to(outdir)))
        light = extract_data_images(light, page, outdir)
        if light != text:
            page.write_text(light, encoding="utf-8")
    (static / "scripts" / "fontawesome.js").unlink(missing_ok=True)
    strip_source_maps(static)


def leave_search_scripts_out(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Tell the layout whether this page needs Sphinx's search scripts (only the search page)."""
    context["talimat_search_page"] = pagename == "search"


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", leave_search_scripts_out)
    app.connect("builder-inited", write_icons_css)
    app.connect("build-finished", lighten_output)
    app.add_css_file(ICONS_CSS, priority=900)  # after the theme's CSS, whose rules it overrides
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
