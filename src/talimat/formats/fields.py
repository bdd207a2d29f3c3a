"""Field checks every layout shares: strings, lists, the ``_layout`` object, the canonical shape.

The canonical record, which every reader produces and every writer consumes, is an
OpenAI/TRL-style conversational record:

* ``messages``: the conversation (for a preference record: the shared prompt);
* ``chosen`` and ``rejected``: lists of assistant messages (preference records only);
* ``label``: a boolean (unpaired preference, the last assistant turn is the completion);
* ``text``: a plain document instead of ``messages`` (language modeling, standard);
* ``tools`` and any key the source layout does not define, kept unchanged;
* ``_layout``: what only the source layout could show, so that round trips are exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from .problems import Bad, json_type

__all__ = [
    "KINDS",
    "LAYOUT_KEY",
    "Kind",
    "canonical_from",
    "is_text",
    "kind_of",
    "layout_of",
    "list_field",
    "text_field",
]

LAYOUT_KEY = "_layout"
"""Key of the canonical record that keeps what only the source layout could show."""

#: What a record trains: supervised fine-tuning, a preference pair, an unpaired
#: preference (KTO), plain language modeling, or a prompt alone (TRL's prompt-only type,
#: for online methods that generate the answer).
Kind = Literal["sft", "preference", "unpaired", "lm", "prompt"]
KINDS: tuple[Kind, ...] = ("sft", "preference", "unpaired", "lm", "prompt")


def text_field(value: object, field: str, *, allow_empty: bool = False) -> str:
    """``value`` if it is a string (non-blank unless ``allow_empty``), else raise Bad."""
    if type(value) is str and (allow_empty or (value and not value.isspace())):
        return value
    if value is None:
        raise Bad(field, "missing")
    if not isinstance(value, str):
        raise Bad(field, "wrong_type", expected_type="string", actual_type=json_type(value))
    if allow_empty or (value and not value.isspace()):
        return value  # a str subclass
    raise Bad(field, "empty")


def is_text(value: object) -> bool:
    """True for a non-blank string: the fast check of the hot loops."""
    return type(value) is str and bool(value) and not value.isspace()


def list_field(value: object, field: str) -> list[Any]:
    """``value`` if it is a non-empty list, else raise Bad."""
    if value is None:
        raise Bad(field, "missing")
    if not isinstance(value, list):
        raise Bad(field, "wrong_type", expected_type="array", actual_type=json_type(value))
    if not value:
        raise Bad(field, "empty")
    return value


def layout_of(record: Mapping[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A copy of the record's ``_layout`` without the keys the reader will set again."""
    layout = record.get(LAYOUT_KEY)
    if layout is None:
        return {}
    if not isinstance(layout, Mapping):
        raise Bad(LAYOUT_KEY, "wrong_type", expected_type="object", actual_type=json_type(layout))
    return {key: value for key, value in layout.items() if key not in drop and value is not None}


def kind_of(canonical: Mapping[str, Any]) -> Kind:
    """What a canonical record trains, from its keys."""
    if "chosen" in canonical:
        return "preference"
    if "label" in canonical:
        return "unpaired"
    if "messages" not in canonical and "text" in canonical:
        return "lm"
    layout = canonical.get(LAYOUT_KEY)
    if type(layout) is dict and layout.get("prompt_only") is True:
        return "prompt"
    return "sft"


def canonical_from(
    turns: list[dict[str, Any]],
    record: Mapping[str, Any],
    own_keys: frozenset[str],
    layout: dict[str, Any],
    **parts: Any,
) -> dict[str, Any]:
    """A canonical record: the turns, ``parts`` (chosen, label …), the source's other keys."""
    canonical: dict[str, Any] = {"messages": turns}
    canonical.update(parts)
    for key, value in record.items():
        if key in own_keys or key == LAYOUT_KEY:
            continue
        if key in canonical:
            raise Bad(key, "reserved_key", key=key)
        canonical[key] = value
    if layout:
        canonical[LAYOUT_KEY] = layout
    return canonical
