"""The build language: checked against the language table, passed to kernels, one cache each.

Sphinx knows the build language only after ``conf.py`` has run (``-D language=tr`` is applied
later), so everything that depends on it happens in the ``config-inited`` handler here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

from talimat.language import ENV_VAR, LANGUAGES

#: How many package fingerprints keep a notebook cache: the current one and the one before,
#: so switching between two branches does not re-execute every notebook each time.
CACHES_KEPT = 2


def package_dir() -> Path:
    """The folder of the installed ``talimat`` package (its code and data)."""
    import talimat

    return Path(talimat.__file__).resolve().parent


def package_fingerprint(directory: Path | None = None) -> str:
    """Hash of the talimat package's code and data.

    jupyter-cache keys a notebook on its own code only, so a change to the package the
    notebooks import would otherwise be served stale outputs from the cache.
    """
    directory = directory or package_dir()
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(directory).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def notebook_cache(caches: Path, fingerprint: str, kept: int = CACHES_KEPT) -> Path:
    """This fingerprint's cache folder under ``caches``; only the ``kept`` newest survive.

    A cache in use is touched, so "newest" means most recently built with.
    """
    current = caches / fingerprint
    current.mkdir(parents=True, exist_ok=True)
    os.utime(current)
    others = sorted(
        (path for path in caches.iterdir() if path.is_dir() and path != current),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    for stale in others[kept - 1 :]:
        shutil.rmtree(stale, ignore_errors=True)
    return current


def configure_language(app: Sphinx, config: Config) -> None:
    """Pass the build language to notebook kernels and give each language its own cache."""
    language = config.language or LANGUAGES[0]
    if language not in LANGUAGES:
        raise ConfigError(f"Talimat builds {', '.join(LANGUAGES)}; got language={language!r}")
    # Kernels started by myst-nb inherit this process's environment: the language, and
    # the rule that builds never reach the network (talimat.hub then uses its snapshot).
    os.environ[ENV_VAR] = language
    os.environ["HF_HUB_OFFLINE"] = "1"
    # Outputs depend on the language but jupyter-cache keys on code only: one cache per
    # language (beside this language's output folder) and per package version.
    caches = Path(app.outdir).parent / "jupyter_cache"
    config.nb_execution_cache_path = str(notebook_cache(caches, package_fingerprint()))
    configure_urls(config, language)


def configure_urls(config: Config, language: str) -> None:
    """Canonical and Open Graph URLs for this language's part of the site.

    On Read the Docs each language is its own project under ``/<lang>/<version>/``.
    """
    if os.environ.get("READTHEDOCS") == "True":
        config.html_baseurl = os.environ.get("READTHEDOCS_CANONICAL_URL", "")
        return
    root = config.talimat_site_url.rstrip("/") + "/"
    config.html_baseurl = f"{root}{language}/"


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("talimat_site_url", "", "html", types=(str,))
    app.connect("config-inited", configure_language)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
