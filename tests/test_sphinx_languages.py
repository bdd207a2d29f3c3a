"""talimat_sphinx.languages: the build language checked, passed to kernels, one cache each."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from sphinx.testing.util import SphinxTestApp

from talimat.language import LANGUAGES
from talimat_sphinx import languages

pytestmark = pytest.mark.sphinx("html", testroot="site")


def test_fingerprint_changes_with_package_code(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    before = languages.package_fingerprint(tmp_path)
    assert before == languages.package_fingerprint(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "catalog.csv").write_text("id\n1\n")
    assert languages.package_fingerprint(tmp_path) != before


def test_the_installed_package_is_fingerprinted() -> None:
    assert languages.package_dir().name == "talimat"
    assert len(languages.package_fingerprint()) == 16


def test_two_caches_survive_a_branch_switch(tmp_path: Path) -> None:
    first = languages.notebook_cache(tmp_path, "aaaa")
    (first / "cache.db").write_text("x")
    second = languages.notebook_cache(tmp_path, "bbbb")
    assert first.is_dir()
    assert second.is_dir()
    assert languages.notebook_cache(tmp_path, "aaaa") == first
    assert (first / "cache.db").read_text() == "x"
    languages.notebook_cache(tmp_path, "cccc")  # a third: the least recently used goes
    assert sorted(path.name for path in tmp_path.iterdir()) == ["aaaa", "cccc"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_reaches_kernels_with_its_own_cache_and_url(
    make_app: Any, rootdir: Path, sphinx_test_tempdir: Path, language: str
) -> None:
    srcdir = sphinx_test_tempdir / f"languages-{language}"
    shutil.copytree(rootdir / "test-site", srcdir, dirs_exist_ok=True)
    app: SphinxTestApp = make_app(
        "html", srcdir=srcdir, confoverrides={"language": language}, builddir=srcdir / "_build"
    )
    assert os.environ["TALIMAT_LANG"] == language
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    cache = Path(app.config.nb_execution_cache_path)
    assert cache.parent == Path(app.outdir).parent / "jupyter_cache"
    assert cache.name == languages.package_fingerprint()
    assert app.config.html_baseurl == f"https://example.org/talimat/{language}/"


def test_read_the_docs_sets_the_canonical_url(
    monkeypatch: pytest.MonkeyPatch, app: SphinxTestApp
) -> None:
    monkeypatch.setenv("READTHEDOCS", "True")
    monkeypatch.setenv("READTHEDOCS_CANONICAL_URL", "https://talimat.readthedocs.io/tr/latest/")
    languages.configure_urls(app.config, "tr")
    assert app.config.html_baseurl == "https://talimat.readthedocs.io/tr/latest/"
