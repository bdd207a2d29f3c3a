"""Shared fixtures: the built site, and sphinx.testing's fixtures for the extension's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from built_site import ROOT, SITE
from talimat.language import LANGUAGES

pytest_plugins = ["sphinx.testing.fixtures"]


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds the tiny sites (``tests/sites/test-<name>/``)."""
    return ROOT / "tests" / "sites"


@pytest.fixture(scope="session")
def site() -> Path:
    """The assembled bilingual site; `nox -s tests` builds it before running pytest."""
    missing = [lang for lang in LANGUAGES if not (SITE / lang / "index.html").is_file()]
    if missing:
        pytest.fail(
            f"built site missing for {', '.join(missing)} under {SITE}: "
            "run `nox -s docs` (or `nox -s tests`, which builds first)"
        )
    return SITE


BROWSER_TESTS = ROOT / "tests" / "browser"
#: Fixtures that take seconds: a fresh gettext extraction of every page.
SLOW_FIXTURES = frozenset({"pot_dir"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Apply the declared markers, so ``-m "not site and not browser"`` runs without a build.

    ``site``: the test reads the built site (it asks for the ``site`` fixture);
    ``browser``: it drives Chromium (it lives in ``tests/browser/``), which needs the site too;
    ``slow``: it needs a slow fixture (or says so itself).
    """
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)
        in_browser = BROWSER_TESTS in Path(item.path).parents
        if in_browser:
            item.add_marker(pytest.mark.browser)
        if in_browser or "site" in fixtures:
            item.add_marker(pytest.mark.site)


@pytest.fixture
def english_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """No language from the environment: messages in English unless a test asks for another.

    Modules opt in with ``pytestmark = pytest.mark.usefixtures("english_by_default")``.
    """
    from talimat.language import ENV_VAR

    monkeypatch.delenv(ENV_VAR, raising=False)
