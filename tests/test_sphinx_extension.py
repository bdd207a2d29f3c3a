"""talimat_sphinx on a tiny site (sphinx.testing): every part set up by one extension name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sphinx.errors import ConfigError
from sphinx.testing.util import SphinxTestApp

import talimat_sphinx

pytestmark = pytest.mark.sphinx("html", testroot="site")


def test_one_name_sets_up_every_part(app: SphinxTestApp) -> None:
    for part in talimat_sphinx.EXTENSIONS:
        assert part in app.extensions
    assert app.extensions["talimat_sphinx"].parallel_read_safe


def test_the_tiny_site_builds_without_warnings(app: SphinxTestApp) -> None:
    app.build()
    assert app.warning.getvalue() == ""
    assert (Path(app.outdir) / "index.html").is_file()


@pytest.mark.sphinx("html", testroot="site", confoverrides={"language": "de"})
def test_a_language_outside_the_table_stops_the_build(make_app: Any, app_params: Any) -> None:
    args, kwargs = app_params
    with pytest.raises(ConfigError, match="language='de'"):
        make_app(*args, **kwargs)


def test_a_change_to_the_extension_code_makes_sphinx_read_every_page_again(
    app: SphinxTestApp,
) -> None:
    from talimat_sphinx import source_version

    assert app.registry.get_envversion(app)["talimat_sphinx"] == source_version()
