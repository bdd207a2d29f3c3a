"""The ``messages`` layout (OpenAI and TRL conversational), which is also the canonical form.

A message has a ``role`` (``system``, ``developer``, ``user``, ``assistant``, ``tool``, or
the legacy ``function``) and a ``content`` that is a string or a list of content parts
(``{"type": "text", "text": …}``, or ``"value"`` in LLaMA-Factory's v1 layout; other part
types such as ``image_url`` are kept as they are). An assistant message may carry
``tool_calls`` (``[{"type": "function", "function": {"name", "arguments"}}]``, with an
optional ``id``) or the legacy ``function_call`` instead of content; a ``tool`` message may
name its ``tool_call_id``. ``name``, ``weight`` (0 or 1, OpenAI), ``loss_weight`` and any
other key are kept. A record may add ``tools`` (a list, or LLaMA-Factory's JSON string),
the legacy ``functions``, and ``label`` (a boolean: LLaMA-Factory's KTO layout).

LLaMA-Factory v1's preference (DPO) layout belongs to this family: instead of
``messages``, a record holds ``chosen_messages`` and ``rejected_messages``, each a whole
conversation — the shared prompt, then the preferred or the rejected answer — in the
same message form (content parts ``{"type": "text", "value": …}``, a ``loss_weight`` per
message). The reader splits off the longest shared prefix as the prompt, leaving each
side at least its last message; the writer writes any preference record that way.
Sources: LLaMA-Factory's ``docs/zh/data-preparation/data-processing.md`` ("DPO 样本格式")
and ``src/llamafactory/v1/trainers/dpo_trainer.py`` (``_validate_dpo_dataset_format``
requires both keys), https://github.com/hiyouga/LlamaFactory.

Sources: OpenAI's fine-tuning chat format
(https://platform.openai.com/docs/guides/supervised-fine-tuning), TRL's dataset formats
(https://huggingface.co/docs/trl/dataset_formats) and LLaMA-Factory's ``data/README.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .fields import LAYOUT_KEY, canonical_from, kind_of, layout_of, list_field, text_field
from .problems import Bad, Lossy, json_type

__all__ = ["PAIR_KEYS", "ROLES", "check_turns", "from_canonical", "read"]

#: The keys of LLaMA-Factory v1's preference layout.
PAIR_KEYS = frozenset({"chosen_messages", "rejected_messages"})

ROLES: tuple[str, ...] = ("system", "developer", "user", "assistant", "tool", "function")
_ROLE_SET = frozenset(ROLES)
_PLAIN_ROLES = frozenset({"system", "user", "assistant", "tool"})


def check_turns(turns: object, field: str) -> list[Any]:
    """Check a list of messages; return it unchanged. Raise Bad naming the first bad field."""
    turns = list_field(turns, field)
    roles = _PLAIN_ROLES
    for index, message in enumerate(turns):
        # Fast path: a plain message of role and non-blank string content (is_text inlined).
        if type(message) is dict and len(message) == 2:
            content = message.get("content")
            if (
                type(content) is str
                and content
                and not content.isspace()
                and message.get("role") in roles
            ):
                continue
        check_message(message, f"{field}[{index}]")
    return turns


def check_message(message: object, where: str) -> None:
    """Check one message in full (the slow path)."""
    if not isinstance(message, Mapping):
        raise Bad(where, "wrong_type", expected_type="object", actual_type=json_type(message))
    role = text_field(message.get("role"), f"{where}.role")
    if role not in _ROLE_SET:
        raise Bad(f"{where}.role", "unknown_role", role=role, allowed=", ".join(ROLES))
    calls = message.get("tool_calls")
    legacy = message.get("function_call")
    if calls is not None or legacy is not None:
        if role != "assistant":
            raise Bad(f"{where}.tool_calls", "calls_not_assistant", role=role)
        if calls is not None:
            _check_calls(calls, f"{where}.tool_calls")
        if legacy is not None:
            _check_call(legacy, f"{where}.function_call")
        content = message.get("content")
        if content is not None and content != "":
            check_content(content, f"{where}.content")
    else:
        check_content(message.get("content"), f"{where}.content")
    for key in ("tool_call_id", "name"):
        value = message.get(key)
        if value is not None:
            text_field(value, f"{where}.{key}")
    weight = message.get("weight")
    if weight is not None and (type(weight) not in (int, float) or weight not in (0, 1)):
        raise Bad(f"{where}.weight", "bad_weight")


def check_content(content: object, where: str) -> None:
    """A non-blank string, or a non-empty list of content parts."""
    if isinstance(content, list):
        if not content:
            raise Bad(where, "empty")
        for index, part in enumerate(content):
            at = f"{where}[{index}]"
            if not isinstance(part, Mapping):
                raise Bad(at, "wrong_type", expected_type="object", actual_type=json_type(part))
            kind = text_field(part.get("type"), f"{at}.type")
            if kind == "text":
                key = "text" if "text" in part or "value" not in part else "value"
                text_field(part.get(key), f"{at}.{key}", allow_empty=True)
        return
    text_field(content, where)


def _check_calls(calls: object, where: str) -> None:
    for index, call in enumerate(list_field(calls, where)):
        at = f"{where}[{index}]"
        if not isinstance(call, Mapping):
            raise Bad(at, "wrong_type", expected_type="object", actual_type=json_type(call))
        kind = call.get("type")
        if kind is not None and kind != "function":
            raise Bad(f"{at}.type", "bad_call_type", type=kind)
        _check_call(call.get("function"), f"{at}.function")


def _check_call(function: object, where: str) -> None:
    if function is None:
        raise Bad(where, "missing")
    if not isinstance(function, Mapping):
        raise Bad(where, "wrong_type", expected_type="object", actual_type=json_type(function))
    text_field(function.get("name"), f"{where}.name")
    arguments = function.get("arguments")
    if arguments is not None and not isinstance(arguments, str | Mapping):
        raise Bad(f"{where}.arguments", "bad_arguments", actual_type=json_type(arguments))


def check_tools(record: Mapping[str, Any]) -> None:
    """``tools`` is a list (OpenAI, TRL) or a JSON string (LLaMA-Factory), when present."""
    tools = record.get("tools")
    if tools is not None and not isinstance(tools, str | list):
        raise Bad("tools", "wrong_type", expected_type="array", actual_type=json_type(tools))


def read(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """Check a messages record; return it unchanged (it is already canonical).

    A record of LLaMA-Factory v1's preference layout becomes a canonical preference record.
    """
    if "messages" not in record and ("chosen_messages" in record or "rejected_messages" in record):
        return _read_pair(record)
    check_turns(record.get("messages"), "messages")
    if "tools" in record:
        check_tools(record)
    if LAYOUT_KEY in record:
        layout_of(record)
    return record


def _read_pair(record: Mapping[str, Any]) -> dict[str, Any]:
    """``chosen_messages`` and ``rejected_messages`` → the shared prompt and two answers."""
    chosen = check_turns(record.get("chosen_messages"), "chosen_messages")
    rejected = check_turns(record.get("rejected_messages"), "rejected_messages")
    if "tools" in record:
        check_tools(record)
    shared = 0
    limit = min(len(chosen), len(rejected)) - 1  # each side keeps its last message
    while shared < limit and chosen[shared] == rejected[shared]:
        shared += 1
    return canonical_from(
        list(chosen[:shared]),
        record,
        PAIR_KEYS,
        layout_of(record),
        chosen=list(chosen[shared:]),
        rejected=list(rejected[shared:]),
    )


def from_canonical(record: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical → messages: a preference pair as LLaMA-Factory v1's chosen/rejected messages.

    A plain text cannot be a conversation.
    """
    kind = kind_of(record)
    if kind == "lm":
        raise Lossy("lossy_kind", target="messages", kind=kind, better="trl")
    if kind != "preference":
        return dict(record)
    for key in PAIR_KEYS:
        if key in record:
            raise Lossy("lossy_key_clash", target="messages", key=key)
    prompt = list(record["messages"])
    out: dict[str, Any] = {
        "chosen_messages": prompt + list(record["chosen"]),
        "rejected_messages": prompt + list(record["rejected"]),
    }
    for key, value in record.items():
        if key not in ("messages", "chosen", "rejected", LAYOUT_KEY):
            out[key] = value  # tools and any other key, as they are
    if record.get(LAYOUT_KEY):
        out[LAYOUT_KEY] = record[LAYOUT_KEY]
    return out
