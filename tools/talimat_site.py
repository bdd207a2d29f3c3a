"""Sphinx extension with Talimat's build hooks: language plumbing, switcher, i18n details.

Everything here depends on the build language, which Sphinx only knows after ``conf.py``
has run (``-D language=tr`` is applied later), so it happens in event handlers.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.transforms import SphinxTransform

LANGUAGES = {"en": "English", "tr": "Türkçe"}
ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "src" / "talimat"


def package_fingerprint(package_dir: Path = PACKAGE_DIR) -> str:
    """Hash of the talimat package's code and data.

    jupyter-cache keys a notebook on its own code only, so a change to the package the
    notebooks import would otherwise be served stale outputs from the cache.
    """
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def configure_language(app: Sphinx, config: Config) -> None:
    """Pass the build language to notebook kernels and give each language its own cache."""
    language = config.language or "en"
    if language not in LANGUAGES:
        raise ConfigError(f"Talimat builds {', '.join(LANGUAGES)}; got language={language!r}")
    # Kernels started by myst-nb inherit this process's environment: the language, and
    # the rule that builds never reach the network (talimat.hub then uses its snapshot).
    os.environ["TALIMAT_LANG"] = language
    os.environ["HF_HUB_OFFLINE"] = "1"
    # Outputs depend on the language but jupyter-cache keys on code only: one cache per
    # language (beside this language's output folder) and per package version.
    caches = Path(app.outdir).parent / "jupyter_cache"
    current = caches / package_fingerprint()
    if caches.is_dir():
        for stale in caches.iterdir():
            if stale != current:
                shutil.rmtree(stale, ignore_errors=True)
    config.nb_execution_cache_path = str(current)
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


def use_ipc_kernels() -> None:
    """Make notebook kernels talk over IPC sockets in a private folder instead of TCP ports.

    Both language builds start kernels at the same moment; with TCP, each kernel manager
    picks free ports by binding and releasing them, so two processes can pick the same one
    ("Address already in use", seen in probes). myst-nb offers no option to configure the
    kernel manager; both of its execution modes run notebooks through jupyter-cache's
    ``executenb`` (nbclient's ``execute``), so that one call gets the manager class.
    """
    import functools
    import tempfile

    import jupyter_cache.executors.utils as cache_utils
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import execute
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        """A kernel manager whose sockets are files in a fresh temporary folder."""

        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_default(self) -> str:
            # Absolute, so the kernel (whose cwd is the notebook's folder) and this
            # process agree on the socket paths; unique, so kernels never share them.
            return str(Path(tempfile.mkdtemp(prefix="talimat-kernel-")) / "kernel")

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart:
                shutil.rmtree(Path(self.ip).parent, ignore_errors=True)

    cache_utils.executenb = functools.partial(execute, kernel_manager_class=IPCKernelManager)


def switch_url(app: Sphinx, pagename: str, language: str) -> str:
    """Relative URL of ``pagename`` on the site of ``language`` (sites are siblings).

    Ours: ``<root>/<lang>/<page>``. Read the Docs: ``<root>/<lang>/<version>/<page>``.
    """
    version = os.environ.get("READTHEDOCS_VERSION") if os.environ.get("READTHEDOCS") else None
    depth = pagename.count("/") + 1 + (1 if version else 0)  # climb out of lang (and version)
    prefix = f"{language}/{version}/" if version else f"{language}/"
    return "../" * depth + prefix + app.builder.get_target_uri(pagename)


def add_language_links(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Give templates the same page in every other language (switcher and hreflang)."""
    current = app.config.language
    context["talimat_language"] = current
    context["talimat_alternates"] = [
        {"code": code, "name": name, "url": switch_url(app, pagename, code)}
        for code, name in LANGUAGES.items()
        if code != current
    ]


OG_LOCALES = {"en": "en_US", "tr": "tr_TR"}


def add_open_graph(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Open Graph data for link previews (the layout template writes the meta tags).

    Written here rather than with sphinxext-opengraph: that extension imports matplotlib when
    it loads (for social cards, even when they are off), 0.35 s of every build process, which
    alone pushed an unchanged rebuild past its 2 s budget.
    """
    description = ""
    if doctree is not None:
        for paragraph in doctree.findall(nodes.paragraph):
            text = " ".join(paragraph.astext().split())
            if len(text) > 40:
                description = text if len(text) <= 200 else text[:197].rsplit(" ", 1)[0] + "…"
                break
    context["talimat_og"] = {
        "url": app.config.html_baseurl + app.builder.get_target_uri(pagename),
        "locale": OG_LOCALES.get(app.config.language, app.config.language),
        "description": description,
    }


class KeepApiReferenceUntranslated(SphinxTransform):
    """Keep generated API documentation out of the translation catalogs.

    Docstrings are the package's English source of truth; translating them in a catalog
    would fork them. The API page's own prose is translated as usual.
    """

    default_priority = 10  # before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs: Any) -> None:
        for desc in self.document.findall(addnodes.desc):  # signatures and member docs
            for node in desc.findall(nodes.TextElement):
                # Never on inline nodes: Sphinx's RemoveTranslatableInline unwraps every inline
                # carrying "translatable" and appends its children at the end of the parent,
                # which scrambled signatures (`f(=langNone)`). Inline text is not extracted anyway.
                if not isinstance(node, nodes.inline):
                    node["translatable"] = False
        for node in self.document.findall(nodes.TextElement):  # module docstrings
            if ":docstring of " in (node.source or ""):
                node["translatable"] = False


def translate_theme_options(app: Sphinx) -> None:
    """Translate the theme option the theme shows untranslated (the search box placeholder)."""
    from sphinx.locale import _

    options = app.config.html_theme_options
    if "search_bar_text" in options:
        options["search_bar_text"] = _(options["search_bar_text"])


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("talimat_site_url", "", "html", types=(str,))
    use_ipc_kernels()
    app.connect("config-inited", configure_language)
    app.connect("builder-inited", translate_theme_options)
    app.connect("html-page-context", add_language_links)
    app.connect("html-page-context", add_open_graph)
    app.add_transform(KeepApiReferenceUntranslated)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
