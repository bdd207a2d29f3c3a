"""The built pages load nothing from another host: no CDN scripts, styles, fonts or images."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?((?:https?:)?//[^'")\s]+)""", re.IGNORECASE)
# Attributes through which a page *loads* something (links in <a href> are not loads).
ASSET_ATTRIBUTES = {
    "script": ["src"],
    "link": ["href"],
    "img": ["src", "srcset"],
    "iframe": ["src"],
    "source": ["src", "srcset"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "embed": ["src"],
    "object": ["data"],
}
# <link> relations that name a page rather than fetch an asset.
NON_ASSET_LINKS = {"alternate", "canonical", "author", "license", "help", "search"}


def external_assets(html_path: Path) -> list[str]:
    """Every external URL the page would fetch when opened."""
    soup = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")
    found = []
    for tag, attributes in ASSET_ATTRIBUTES.items():
        for element in soup.find_all(tag):
            if tag == "link" and NON_ASSET_LINKS & set(element.get("rel", [])):
                continue
            for attribute in attributes:
                value = element.get(attribute) or ""
                urls = [part.strip().split(" ")[0] for part in value.split(",")]
                found += [f"<{tag} {attribute}={url}>" for url in urls if EXTERNAL.match(url)]
    for style in soup.find_all("style"):
        found += CSS_URL.findall(style.get_text())
    return found


def test_detector_sees_external_assets(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(
        '<script src="https://cdn.example/x.js"></script><link rel="stylesheet" '
        'href="//fonts.example/f.css"><a href="https://example.org">ok</a>'
        '<link rel="alternate" href="https://example.org/tr/"><style>a{background:url('
        "https://img.example/i.png)}</style>",
        encoding="utf-8",
    )
    assert len(external_assets(page)) == 3


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    offenders = {
        str(page.relative_to(site)): urls
        for page in site.rglob("*.html")
        if (urls := external_assets(page))
    }
    assert not offenders, offenders


def test_no_stylesheet_pulls_from_another_host(site: Path) -> None:
    offenders = []
    for path in site.rglob("*.css"):
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{path.name}: {url}" for url in CSS_URL.findall(text)]
        offenders += [
            f"{path.name}: {url}"
            for url in re.findall(r"@import\s+(?:url\()?['\"]?((?:https?:)?//[^'\")\s]+)", text)
        ]
    assert not offenders, offenders
