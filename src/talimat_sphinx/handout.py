"""The class handout: the whole book as one PDF per language, printed by Chromium.

``python tools/build_site.py --pdf`` (``nox -s docs -- --pdf``, and the Pages workflow) builds each
language once more with Sphinx's ``singlehtml`` builder (notebook outputs come from the same
per-language cache as the site) and prints that single page to ``<site>/<lang>/talimat-<lang>.pdf``
with headless Chromium, through the site's print stylesheet. A maintained PDF builder (LaTeX)
would need a TeX installation and renders notebook outputs differently from the site; Chromium
prints what readers see.

On such builds ``TALIMAT_HANDOUT=1`` is set, and every page's download menu links the PDF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

__all__ = ["Handout", "build_handouts", "handout_name", "setup"]

ENVIRONMENT = "TALIMAT_HANDOUT"


@dataclass(frozen=True)
class Handout:
    """One language's PDF, or why it could not be made."""

    language: str
    path: Path
    error: str = ""


def handout_name(language: str) -> str:
    return f"talimat-{language}.pdf"


def chromium() -> str | None:
    return os.environ.get("TALIMAT_CHROMIUM") or shutil.which("chromium")


def build_handout(root: Path, build_dir: Path, site: Path, language: str) -> Handout:
    """Build ``language`` as a single page and print it to ``<site>/<language>/``."""
    out = build_dir / language / "singlehtml"
    target = site / language / handout_name(language)
    command = [
        sys.executable, "-m", "sphinx", "-b", "singlehtml", "-q", "-D", f"language={language}",
        "-d", str(build_dir / language / "singlehtml-doctrees"), str(root), str(out),
    ]  # fmt: skip
    built = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if built.returncode:
        return Handout(language, target, f"single-page build failed:\n{built.stdout}{built.stderr}")
    browser = chromium()
    if not browser:
        return Handout(language, target, "no Chromium found (apt-get install chromium)")
    printed = subprocess.run(
        [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={target}", (out / "index.html").as_uri()],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if printed.returncode or not target.is_file() or target.stat().st_size < 10_000:
        return Handout(language, target, f"Chromium did not print the PDF:\n{printed.stderr}")
    return Handout(language, target)


def build_handouts(root: Path, build_dir: Path, site: Path, languages: list[str]) -> list[Handout]:
    return [build_handout(root, build_dir, site, language) for language in languages]


def read_handout_flag(app: Sphinx, config: Config) -> None:
    """The environment variable as a config value: when it changes, Sphinx rewrites every page
    (an incremental build would otherwise keep links to a PDF the next assembly removed)."""
    config.talimat_handout = os.environ.get(ENVIRONMENT) == "1"


def add_handout_link(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """On handout builds, the PDF's URL for the download menu (relative to the page)."""
    if app.config.talimat_handout and app.builder.name == "html":
        depth = pagename.count("/")
        context["talimat_handout"] = "../" * depth + handout_name(app.config.language)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("talimat_handout", False, "html", types=(bool,))
    app.connect("config-inited", read_handout_flag)
    app.connect("html-page-context", add_handout_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
