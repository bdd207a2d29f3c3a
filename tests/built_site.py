"""Where the built site is, for the tests that read it (imported by name: conftest is not)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
