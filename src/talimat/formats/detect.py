"""Which layout a record is in, from its keys alone (the readers then check the values)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal, cast, get_args

from . import alpaca, messages, openai_dpo, sharegpt, trl
from .problems import FormatError, text

__all__ = ["FORMATS", "READERS", "WRITERS", "FormatName", "check_format_name", "detect"]

#: The record layouts: Alpaca, ShareGPT, OpenAI/TRL messages (the canonical form), TRL's
#: typed columns and OpenAI's DPO layout.
FormatName = Literal["alpaca", "sharegpt", "messages", "trl", "openai-dpo"]
FORMATS: tuple[FormatName, ...] = cast(tuple[FormatName, ...], get_args(FormatName))

READERS: dict[str, Callable[[Mapping[str, Any]], Mapping[str, Any]]] = {
    "alpaca": alpaca.read,
    "sharegpt": sharegpt.read,
    "messages": messages.read,
    "trl": trl.read,
    "openai-dpo": openai_dpo.read,
}
WRITERS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "alpaca": alpaca.from_canonical,
    "sharegpt": sharegpt.from_canonical,
    "messages": messages.from_canonical,
    "trl": trl.from_canonical,
    "openai-dpo": openai_dpo.from_canonical,
}


def detect(record: Mapping[str, Any]) -> FormatName | None:
    """The layout a record's keys announce, or None.

    ``messages`` (or LLaMA-Factory v1's ``chosen_messages``) → messages, ``conversations``
    → sharegpt, ``instruction`` or ``output`` → alpaca, ``input`` with ``preferred_output``
    → openai-dpo, ``prompt``, ``chosen`` or ``text`` → trl.
    """
    if "messages" in record or "chosen_messages" in record or "rejected_messages" in record:
        return "messages"  # the last two: LLaMA-Factory v1's preference layout
    if "conversations" in record:
        return "sharegpt"
    if "instruction" in record or "output" in record:
        return "alpaca"
    if "preferred_output" in record or "non_preferred_output" in record:
        return "openai-dpo"
    if "prompt" in record or "chosen" in record or "rejected" in record or "text" in record:
        return "trl"
    return None


def check_format_name(name: str) -> FormatName:
    """``name`` if it is one of :data:`FORMATS`, else a clear error."""
    if name not in FORMATS:
        raise FormatError(text("unknown_format_name", None, name=name, allowed=", ".join(FORMATS)))
    return name
