"""The light site: inline icons, search scripts on the search page only, no source maps."""

from __future__ import annotations

from pathlib import Path

import pytest
from sphinx.errors import ExtensionError

from talimat.language import LANGUAGES
from talimat_sphinx.assets import (
    ADMONITION_ICONS,
    admonition_icons_css,
    inline_icons,
    strip_source_maps,
    theme_icons,
)

SEARCH_ASSETS = ("searchtools.js", "language_data.js", "searchindex.js")


def test_the_theme_icons_cover_every_icon_the_site_uses() -> None:
    icons = theme_icons()
    used = {"bars", "list", "magnifying-glass", "sun", "moon", "circle-half-stroke", "language",
            "expand", "download", "file-pdf", "rocket", "arrow-up", "angle-left", "angle-right",
            "arrow-up-right-from-square"}  # fmt: skip
    assert used | set(ADMONITION_ICONS.values()) <= set(icons)
    assert icons["search"] == icons["magnifying-glass"]  # aliases too


def test_icons_become_inline_svg_and_the_script_goes() -> None:
    page = (
        '<script defer src="_static/scripts/fontawesome.js?digest=1"></script>'
        '<button><i class="theme-switch fa-solid fa-sun fa-lg" data-mode="light" title="Açık">'
        '</i></button><span aria-hidden="true"\n class="fa-solid fa-bars"></span>'
    )
    light = inline_icons(page, theme_icons())
    assert "fontawesome.js" not in light
    assert "<i " not in light
    assert light.count("<svg") == 2
    assert 'class="theme-switch talimat-icon-lg talimat-icon"' in light
    assert 'data-mode="light"' in light
    assert 'title="Açık"' in light
    assert "fa-" not in light.replace("talimat-icon", "")  # no web-font glyph classes left


def test_an_unknown_icon_fails_the_build() -> None:
    with pytest.raises(ExtensionError, match="fa-no-such-icon"):
        inline_icons('<i class="fa-solid fa-no-such-icon"></i>', theme_icons(), "x.html")


def test_admonition_icons_are_masks() -> None:
    css = admonition_icons_css(theme_icons())
    assert "div.admonition.note > .admonition-title::after" in css
    assert "mask-image" in css
    assert "#" not in css.split("*/", 1)[1]  # escaped inside data URLs


def test_source_maps_and_their_comments_go(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text("let a = 1;\n//# sourceMappingURL=a.js.map\n")
    (tmp_path / "a.js.map").write_text("{}")
    (tmp_path / "b.css").write_text("a{}\n/*# sourceMappingURL=b.css.map */\n")
    strip_source_maps(tmp_path)
    assert not (tmp_path / "a.js.map").exists()
    assert (tmp_path / "a.js").read_text().rstrip() == "let a = 1;"
    assert "sourceMappingURL" not in (tmp_path / "b.css").read_text()


@pytest.mark.site
@pytest.mark.parametrize("language", LANGUAGES)
def test_published_pages_are_light(site: Path, language: str) -> None:
    root = site / language
    assert not list(root.rglob("*.map"))
    assert not (root / "_static" / "scripts" / "fontawesome.js").exists()
    for page in root.rglob("*.html"):
        if page.is_relative_to(root / "_static"):
            continue
        html = page.read_text("utf-8")
        assert "fontawesome.js" not in html, page
        assert '<i class="fa' not in html, page
        search = page.name == "search.html" and page.parent == root
        for asset in SEARCH_ASSETS:
            assert (asset in html) == search, f"{page}: {asset}"


def test_inline_images_become_files_named_by_their_content(tmp_path: Path) -> None:
    import base64

    from talimat_sphinx.assets import extract_data_images

    png = b"\x89PNG\r\n\x1a\n" + b"chart" * 50
    encoded = base64.b64encode(png).decode()
    page = tmp_path / "notebooks" / "page.html"
    text = (
        f'<img class="talimat-figure" src="data:image/png;base64,{encoded}" alt="A chart"'
        ' width="990" height="550"><img src="data:image/svg+xml,%3Csvg%3E" alt="kept">'
    )
    light = extract_data_images(text, page, tmp_path)
    (image,) = (tmp_path / "_images").iterdir()
    assert image.read_bytes() == png
    assert image.name.startswith("inline-")
    assert image.suffix == ".png"
    assert f'src="../_images/{image.name}" alt="A chart" width="990" height="550">' in light
    assert "base64" not in light
    assert 'src="data:image/svg+xml,%3Csvg%3E"' in light  # not base64 raster data: left inline
    assert extract_data_images(text, page, tmp_path) == light  # same bytes, same file


@pytest.mark.site
def test_no_page_carries_a_base64_image(site: Path) -> None:
    heavy = [
        str(page.relative_to(site))
        for page in site.rglob("*.html")
        if 'src="data:image/png;base64' in page.read_text("utf-8")
    ]
    assert not heavy, heavy
