"""Build the site: one Sphinx build per language, run side by side, then assembled.

    python tools/build_site.py                 # every language -> _build/html/<lang>/ + chooser
    python tools/build_site.py --lang tr       # one language only
    python tools/build_site.py --serve [tr]    # live preview of one language (sphinx-autobuild)
    python tools/build_site.py --open          # open the built site in a browser afterwards
    python tools/build_site.py --pdf           # also the class handout, one PDF per language

Each language builds into its own tree (``_build/<lang>/``) because myst-nb writes its
``jupyter_execute`` folder and cache beside the output folder: sharing a parent would mix
the languages and publish build leftovers (seen in probes). The two builds run at once,
one per core, which spreads notebook execution over both cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
import time
import webbrowser
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from talimat.language import LANGUAGES, site_languages
from talimat_sphinx import site_config
from talimat_sphinx.handout import ENVIRONMENT, build_handouts
from talimat_sphinx.project import ROOT
from talimat_sphinx.shared_static import hash_names, share_static
from talimat_sphinx.unused_css import prune_site_css

BUILD = ROOT / "_build"


@dataclass(frozen=True)
class BuildResult:
    """What one language's Sphinx run did."""

    language: str
    returncode: int
    seconds: float
    log: str


def sphinx_command(language: str, build_dir: Path = BUILD) -> list[str]:
    """The sphinx-build call for one language: warnings are errors, references checked."""
    return [
        sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n", "-q",
        "-D", f"language={language}",
        "-d", str(build_dir / language / "doctrees"),
        str(ROOT), str(build_dir / language / "html"),
    ]  # fmt: skip


def build_language(language: str, build_dir: Path = BUILD) -> BuildResult:
    """Run one language's build, capturing its log so parallel logs do not interleave."""
    start = time.perf_counter()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    completed = subprocess.run(
        sphinx_command(language, build_dir), cwd=ROOT, env=env, capture_output=True, text=True
    )
    log = completed.stdout + completed.stderr
    if completed.returncode:
        # Sphinx re-reads only changed pages, and a page read with warnings is not read again:
        # without this, running a failed build a second time would "pass". Forget the pickled
        # environment so the next run reads every page (the notebook cache keeps it quick).
        (build_dir / language / "doctrees" / "environment.pickle").unlink(missing_ok=True)
    return BuildResult(language, completed.returncode, time.perf_counter() - start, log)


def assembled_languages(site: Path) -> list[str]:
    """The table's languages that have pages in the assembled ``site``, in table order."""
    return [code for code in LANGUAGES if (site / code / "index.html").is_file()]


def assemble(languages: list[str], build_dir: Path = BUILD) -> Path:
    """Copy each language's pages into ``<build_dir>/html/<lang>/`` and write the chooser.

    The root files (sitemaps, chooser) cover every language the site has, not only the ones
    just built: rebuilding one language must not drop the others from the sitemap index.
    """
    site = build_dir / "html"
    site.mkdir(parents=True, exist_ok=True)
    if set(assembled_languages(site)) <= set(languages):  # every language anew: so is _static
        shutil.rmtree(site / "_static", ignore_errors=True)  # (no stale hashed files left)
    for language in languages:
        target = site / language
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(
            build_dir / language / "html", target, ignore=shutil.ignore_patterns(".buildinfo")
        )
    prune_site_css(site)  # the theme CSS no page uses (before sharing: same words, same bytes)
    share_static(site)  # one _static for every language: switching language re-downloads nothing
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(ROOT / "_templates" / "site"), autoescape=True
    )
    context = {
        "project": "Talimat",
        "codes": list(LANGUAGES),
        "languages": [dataclasses.asdict(row) for row in site_languages()],
        "root_path": urlsplit(site_config.SITE_URL).path,
        "site_url": site_config.SITE_URL,  # absolute hreflang links (relative ones are invalid)
    }
    for page in ("index.html", "404.html"):
        html = environment.get_template(page).render(**context)
        (site / page).write_text(html, encoding="utf-8")
    hash_names(site, urlsplit(site_config.SITE_URL).path)  # names that change with the bytes
    write_publishing_files(site, assembled_languages(site))
    return site


SITEMAP_SKIP = {"genindex.html", "search.html", "py-modindex.html"}


def write_sitemap(site: Path, language: str, languages: list[str]) -> None:
    """``<lang>/sitemap.xml``: every page, with its translations as hreflang alternates."""
    root = site / language
    pages = sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*.html")
        if not path.relative_to(root).parts[0].startswith("_") and path.name not in SITEMAP_SKIP
    )
    entries = []
    for page in pages:
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{other}" '
            f'href="{site_config.SITE_URL}{other}/{page}"/>'
            for other in languages
            if (site / other / page).is_file()
        )
        entries.append(f"<url><loc>{site_config.SITE_URL}{language}/{page}</loc>{alternates}</url>")
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">' + "".join(entries) + "</urlset>\n",
        encoding="utf-8",
    )


def write_publishing_files(site: Path, languages: list[str]) -> None:
    """Root files a host needs: sitemaps, robots.txt, .nojekyll, Binder's environment.

    The sitemaps are written here from the assembled pages rather than by sphinx-sitemap,
    which lists only the pages written in the current build (incremental builds would
    publish partial sitemaps).
    """
    for language in languages:
        write_sitemap(site, language, languages)
    index = "".join(
        f"<sitemap><loc>{site_config.SITE_URL}{language}/sitemap.xml</loc></sitemap>"
        for language in languages
    )
    (site / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>\n',
        encoding="utf-8",
    )
    (site / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\nSitemap: {site_config.SITE_URL}sitemap.xml\n", encoding="utf-8"
    )
    # GitHub Pages runs Jekyll by default, which drops folders starting with "_" (_static).
    (site / ".nojekyll").write_text("", encoding="utf-8")
    # Binder builds its environment from the published branch when a reader launches a notebook.
    (site / "binder").mkdir(exist_ok=True)
    (site / "binder" / "requirements.txt").write_text(f"{site_config.INSTALL}\n", encoding="utf-8")


def build(languages: list[str], build_dir: Path = BUILD) -> list[BuildResult]:
    """Build the languages side by side; report each one's time and any failure."""
    with ThreadPoolExecutor(max_workers=len(languages)) as pool:
        results = list(pool.map(lambda lang: build_language(lang, build_dir), languages))
    for result in results:
        status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
        print(f"[{result.language}] {status} in {result.seconds:.1f} s")
        if result.returncode != 0 or result.log.strip():
            for line in result.log.splitlines():
                if not line.startswith(("myst v", "myst-nb v")):  # config dumps, not news
                    print(f"[{result.language}] {line}")
    return results


def serve(language: str) -> int:
    """Live preview of one language with sphinx-autobuild (rebuilds on source or catalog edits)."""
    command = [
        sys.executable, "-m", "sphinx_autobuild", "-D", f"language={language}", "-n",
        "-d", str(BUILD / language / "doctrees"), "--watch", str(ROOT / "locales"),
        "--watch", str(ROOT / "src"), "--ignore", str(BUILD), "--open-browser",
        "--port", "8000", str(ROOT), str(BUILD / language / "html"),
    ]  # fmt: skip
    return subprocess.call(command, cwd=ROOT)


def should_open() -> bool:
    """Open a browser only for a person at a terminal, never in CI."""
    return sys.stdout.isatty() and not os.environ.get("CI")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lang", nargs="+", choices=list(LANGUAGES), default=list(LANGUAGES))
    parser.add_argument(
        "--serve", nargs="?", const="en", choices=list(LANGUAGES), help="live preview"
    )
    parser.add_argument(
        "--open", action="store_true", default=None, help="open the site afterwards"
    )
    parser.add_argument("--no-open", dest="open", action="store_false")
    parser.add_argument(
        "--pdf", action="store_true", help="also the class handout PDF per language"
    )
    parser.add_argument(
        "--build-dir", type=Path, default=BUILD, help="another build folder (default: _build)"
    )
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve)
    start = time.perf_counter()
    build_dir = args.build_dir.resolve()
    if args.pdf:
        os.environ[ENVIRONMENT] = "1"  # the pages link the handout (talimat_sphinx.handout)
    results = build(args.lang, build_dir)
    if any(result.returncode for result in results):
        failed = ", ".join(r.language for r in results if r.returncode)
        print(
            f"Build failed for: {failed}. The log above names the file and line.", file=sys.stderr
        )
        return 1
    site = assemble(args.lang, build_dir)
    if args.pdf:
        for handout in build_handouts(ROOT, build_dir, site, args.lang):
            if handout.error:
                print(f"[{handout.language}] handout: {handout.error}", file=sys.stderr)
                return 1
            print(f"[{handout.language}] handout: {handout.path}")
    print(f"Site ready in {time.perf_counter() - start:.1f} s: {site / 'index.html'}")
    if args.open if args.open is not None else should_open():
        webbrowser.open((site / "index.html").as_uri())
    return 0


if __name__ == "__main__":
    sys.exit(main())
