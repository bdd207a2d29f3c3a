"""Shared fixtures: paths of the repository, the built site and the build tools."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from built_site import LANGUAGES, ROOT, SITE

sys.path.insert(0, str(ROOT / "tools"))


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
