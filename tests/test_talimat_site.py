"""The Sphinx extension's own logic: language checks, cache keys, switcher URLs."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.errors import ConfigError

import talimat_site


def test_fingerprint_changes_with_package_code(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    before = talimat_site.package_fingerprint(tmp_path)
    assert before == talimat_site.package_fingerprint(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "catalog.csv").write_text("id\n1\n")
    assert talimat_site.package_fingerprint(tmp_path) != before


@pytest.mark.parametrize(
    ("pagename", "uri", "expected"),
    [
        ("index", "index.html", "../tr/index.html"),
        ("docs/01-x", "docs/01-x.html", "../../tr/docs/01-x.html"),
        ("search", "search.html", "../tr/search.html"),
    ],
)
def test_switch_url_climbs_to_the_sibling_site(pagename: str, uri: str, expected: str) -> None:
    app = SimpleNamespace(builder=SimpleNamespace(get_target_uri=lambda name: uri))
    assert talimat_site.switch_url(app, pagename, "tr") == expected  # type: ignore[arg-type]


def test_unsupported_language_is_a_config_error(tmp_path: Path) -> None:
    app = SimpleNamespace(outdir=str(tmp_path / "de" / "html"))
    config = SimpleNamespace(language="de", talimat_site_url="https://example.org/")
    with pytest.raises(ConfigError, match="language='de'"):
        talimat_site.configure_language(app, config)  # type: ignore[arg-type]


def test_language_reaches_kernels_and_cache_is_per_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TALIMAT_LANG", raising=False)
    paths = {}
    for language in ("en", "tr"):
        app = SimpleNamespace(outdir=str(tmp_path / language / "html"))
        config = SimpleNamespace(
            language=language, nb_execution_cache_path="", talimat_site_url="https://example.org/"
        )
        talimat_site.configure_language(app, config)  # type: ignore[arg-type]
        assert talimat_site.os.environ["TALIMAT_LANG"] == language
        paths[language] = Path(config.nb_execution_cache_path)
        assert config.html_baseurl == f"https://example.org/{language}/"
    assert paths["en"].parent.parent != paths["tr"].parent.parent
