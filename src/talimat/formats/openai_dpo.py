"""OpenAI's preference (DPO) fine-tuning layout.

``{"input": {"messages": [...], "tools": [...], "parallel_tool_calls": true},
"preferred_output": [assistant message], "non_preferred_output": [assistant message]}``,
as documented at https://platform.openai.com/docs/guides/direct-preference-optimization.
The prompt's ``tools`` become the canonical record's ``tools``; ``parallel_tool_calls``
and any other key of ``input`` are kept under their own names and put back on writing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .fields import LAYOUT_KEY, canonical_from, kind_of, layout_of
from .messages import check_tools, check_turns
from .problems import Bad, Lossy, json_type

__all__ = ["KEYS", "from_canonical", "read"]

KEYS = frozenset({"input", "preferred_output", "non_preferred_output"})
_INPUT_KEYS = ("tools", "parallel_tool_calls")


def read(record: Mapping[str, Any]) -> dict[str, Any]:
    """Check an OpenAI DPO record and build its canonical preference record."""
    given = record.get("input")
    if not isinstance(given, Mapping):
        if given is None:
            raise Bad("input", "missing")
        raise Bad("input", "wrong_type", expected_type="object", actual_type=json_type(given))
    turns = list(check_turns(given.get("messages"), "input.messages"))
    chosen = list(check_turns(record.get("preferred_output"), "preferred_output"))
    rejected = list(check_turns(record.get("non_preferred_output"), "non_preferred_output"))
    layout = layout_of(record, ("input_keys",))
    parts: dict[str, Any] = {"chosen": chosen, "rejected": rejected}
    others = {}
    for key, value in given.items():
        if key == "messages":
            continue
        if key in _INPUT_KEYS:
            if key in record:
                raise Bad(f"input.{key}", "reserved_key", key=key)
            parts[key] = value
        else:
            others[key] = value
    if "tools" in parts:
        check_tools(parts)
    if others:
        layout["input_keys"] = others
    return canonical_from(turns, record, KEYS, layout, **parts)


def from_canonical(record: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical preference record → OpenAI DPO; other kinds cannot be written."""
    target = "openai-dpo"
    kind = kind_of(record)
    if kind != "preference":
        raise Lossy(
            "lossy_kind", target=target, kind=kind, better="alpaca, sharegpt, messages, trl"
        )
    for key in record:
        if key in KEYS:
            raise Lossy("lossy_key_clash", target=target, key=key)
    for key in ("chosen", "rejected"):
        try:  # what this layout's reader would refuse (an empty answer) is not written
            check_turns(record[key], key)
        except Bad:
            raise Lossy("lossy_answer", target=target, field=key) from None
    layout = dict(record.get(LAYOUT_KEY) or {})
    prompt: dict[str, Any] = {"messages": record["messages"]}
    for key in _INPUT_KEYS:
        if key in record:
            prompt[key] = record[key]
    others = layout.pop("input_keys", None)
    if isinstance(others, Mapping):
        for key, value in others.items():
            prompt.setdefault(key, value)
    out: dict[str, Any] = {
        "input": prompt,
        "preferred_output": record["chosen"],
        "non_preferred_output": record["rejected"],
    }
    for key, value in record.items():
        if key not in ("messages", "chosen", "rejected", LAYOUT_KEY, *_INPUT_KEYS):
            out[key] = value
    if layout:
        out[LAYOUT_KEY] = layout
    return out
