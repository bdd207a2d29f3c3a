"""Talimat: instruction datasets for fine-tuning LLMs, in Turkish and English.

Submodules are imported on first use (PEP 562) so that ``import talimat`` stays
fast and pulls in neither pandas nor matplotlib until a reader needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "catalog",
    "cli",
    "display",
    "formats",
    "hub",
    "language",
    "mix",
    "profile",
    "samples",
    "sizing",
    "templates",
    "tokens",
]

_SUBMODULES = frozenset(__all__) - {"__version__"}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from . import (
        catalog,
        cli,
        display,
        formats,
        hub,
        language,
        mix,
        profile,
        samples,
        sizing,
        templates,
        tokens,
    )


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
