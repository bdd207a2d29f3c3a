"""The ``sharegpt`` layout, as LLaMA-Factory and FastChat read it.

``conversations``: a list of ``{"from", "value"}`` turns with the roles ``system``,
``human``, ``gpt``, ``function_call`` and ``observation`` (``tool`` is read as
``observation``); an optional top-level ``system`` and ``tools``. Turns alternate:
``human``/``observation`` first, then ``gpt``/``function_call``. Its preference form
(LLaMA-Factory ``ranking``) ends the conversation on a ``human`` turn and adds ``chosen``
and ``rejected`` ``{"from": "gpt", "value"}`` objects; its KTO form adds ``kto_tag``.
Other role and key names are read through a column mapping (:mod:`.mapping`).

A ``function_call`` turn holds the call as JSON text, ``{"name", "arguments"}`` (or a list
of them for parallel calls); it becomes an OpenAI/TRL assistant message with
``tool_calls``, and an ``observation`` turn becomes a ``tool`` message, as TRL documents
(https://huggingface.co/docs/trl/dataset_formats#tool-calling).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from .alpaca import plain_turns
from .fields import LAYOUT_KEY, canonical_from, is_text, kind_of, layout_of, list_field, text_field
from .problems import Bad, Lossy, json_type

__all__ = ["KEYS", "ROLES", "from_canonical", "read"]

ROLES: tuple[str, ...] = ("system", "human", "gpt", "function_call", "observation", "tool")
KEYS = frozenset({"conversations", "system", "chosen", "rejected", "kto_tag"})
_LAYOUT = ("system_turn", "tool_role", "system", "call_text")
_PROMPT_SIDE = frozenset({"human", "observation", "tool"})
_REPLY_SIDE = frozenset({"gpt", "function_call"})


def _dump(value: Any) -> str:
    """JSON text the way Python's json module (and so most datasets) writes it."""
    return json.dumps(value, ensure_ascii=False)


def _calls(value: str, where: str) -> list[dict[str, Any]]:
    """The OpenAI/TRL ``tool_calls`` of a ShareGPT ``function_call`` value."""
    try:  # the json module, not orjson: it keeps integers of any size exactly
        parsed = json.loads(value)
    except (ValueError, RecursionError):
        raise Bad(where, "bad_function_call") from None
    items = parsed if isinstance(parsed, list) and parsed else [parsed]
    calls = []
    for item in items:
        if not isinstance(item, dict) or not is_text(item.get("name")):
            raise Bad(where, "bad_function_call")
        calls.append({"type": "function", "function": item})
    return calls


def _call_value(calls: list[Mapping[str, Any]], parallel: bool) -> Any:
    functions = [call["function"] for call in calls]
    return functions if parallel or len(functions) > 1 else functions[0]


def read(record: Mapping[str, Any]) -> dict[str, Any]:
    """Check a ShareGPT record (alternating turns) and build its canonical form."""
    conversation = list_field(record.get("conversations"), "conversations")
    layout = layout_of(record, _LAYOUT)
    system = record.get("system")
    if system is not None:
        text_field(system, "system", allow_empty=True)
    turns: list[dict[str, Any]] = []
    call_text: dict[str, str] = {}
    calls_seen = 0
    position = 0  # index among non-system turns: even = prompt side, odd = reply side
    for index, item in enumerate(conversation):
        # Fast path for well-formed turns; _turn_error says what is wrong otherwise.
        if type(item) is not dict and not isinstance(item, Mapping):
            _turn_error(item, index, position)
        speaker = item.get("from")
        value = item.get("value")
        if type(speaker) is not str or not is_text(value):
            _turn_error(item, index, position)
        if speaker == "system":
            if index != 0:
                raise Bad(f"conversations[{index}].from", "system_not_first")
            if system is not None and system.strip():
                raise Bad("system", "duplicate_system")
            message: dict[str, Any] = {"role": "system", "content": value}
            layout["system_turn"] = True
        else:
            side = _PROMPT_SIDE if position % 2 == 0 else _REPLY_SIDE
            if speaker not in side:
                _turn_error(item, index, position)
            position += 1
            if speaker == "human":
                message = {"role": "user", "content": value}
            elif speaker == "gpt":
                message = {"role": "assistant", "content": value}
            elif speaker == "function_call":
                calls = _calls(value, f"conversations[{index}].value")
                message = {"role": "assistant", "tool_calls": calls}
                if (
                    _dump(_call_value(cast(list[Mapping[str, Any]], calls), False)) != value
                ):  # what the writer would write
                    call_text[str(calls_seen)] = value
                calls_seen += 1
            else:
                message = {"role": "tool", "content": value}
                if speaker == "tool":
                    layout["tool_role"] = "tool"
        if len(item) > 2:
            for key, extra in item.items():
                if key in ("from", "value"):
                    continue
                if key in message:
                    raise Bad(f"conversations[{index}].{key}", "reserved_key", key=key)
                message[key] = extra
        turns.append(message)
    if call_text:
        layout["call_text"] = call_text
    if position == 0:
        raise Bad("conversations", "no_dialogue")
    if system is not None:
        if system.strip():
            turns.insert(0, {"role": "system", "content": system})
        else:
            layout["system"] = system
    parts: dict[str, Any] = {}
    if "chosen" in record or "rejected" in record:
        if position % 2 == 0:
            raise Bad(f"conversations[{len(conversation) - 1}].from", "ranking_prompt_end")
        for key in ("chosen", "rejected"):
            parts[key] = [_answer(record.get(key), key)]
    if "kto_tag" in record:
        parts["label"] = record["kto_tag"]
    return canonical_from(turns, record, KEYS, layout, **parts)


def _answer(value: object, field: str) -> dict[str, Any]:
    """A ranking answer: one ``{"from": "gpt", "value"}`` object."""
    if value is None:
        raise Bad(field, "missing")
    if not isinstance(value, Mapping):
        raise Bad(field, "wrong_type", expected_type="object", actual_type=json_type(value))
    speaker = text_field(value.get("from"), f"{field}.from")
    if speaker != "gpt":
        raise Bad(f"{field}.from", "unknown_role", role=speaker, allowed="gpt")
    content = text_field(value.get("value"), f"{field}.value", allow_empty=True)
    message = {"role": "assistant", "content": content}
    for key, extra in value.items():
        if key not in ("from", "value"):
            message[key] = extra
    return message


def _turn_error(item: object, index: int, position: int) -> None:
    """Raise Bad naming what is wrong with one ShareGPT turn (the slow path)."""
    where = f"conversations[{index}]"
    if not isinstance(item, Mapping):
        raise Bad(where, "wrong_type", expected_type="object", actual_type=json_type(item))
    speaker = text_field(item.get("from"), f"{where}.from")
    if speaker not in ROLES:
        raise Bad(f"{where}.from", "unknown_role", role=speaker, allowed=", ".join(ROLES))
    text_field(item.get("value"), f"{where}.value")
    if speaker != "system":
        expected = "human/observation" if position % 2 == 0 else "gpt/function_call"
        raise Bad(f"{where}.from", "not_alternating", expected=expected, actual=speaker)


def from_canonical(record: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical record → ShareGPT; raise Lossy when ShareGPT cannot hold it."""
    target = "sharegpt"
    kind = kind_of(record)
    if kind == "lm":
        raise Lossy("lossy_kind", target=target, kind=kind, better="trl")
    turns = record["messages"]
    plain_turns(turns, target)
    layout = dict(record.get(LAYOUT_KEY) or {})
    system_turn = layout.pop("system_turn", None) is True
    tool_role = "tool" if layout.pop("tool_role", None) == "tool" else "observation"
    kept_system = layout.pop("system", None)
    call_text = layout.pop("call_text", None)
    if not isinstance(call_text, Mapping):
        call_text = {}
    for key in record:
        if key in KEYS and key not in ("chosen", "rejected"):
            raise Lossy("lossy_key_clash", target=target, key=key)
    sharegpt: dict[str, Any] = {}
    conversation: list[dict[str, Any]] = []
    start = 0
    if turns and turns[0]["role"] == "system":
        start = 1
        first = turns[0]
        extra = [key for key in first if key not in ("role", "content")]
        if system_turn or extra:
            conversation.append(_turn(first, "system", first["content"], 0))
        else:
            sharegpt["system"] = first["content"]
    if "system" not in sharegpt and isinstance(kept_system, str):
        sharegpt["system"] = kept_system
    calls_seen = 0
    for index in range(start, len(turns)):
        message = turns[index]
        role = message["role"]
        if role == "system":
            raise Lossy("lossy_system_position", target=target, index=index)
        value = message.get("content")
        if role == "user":
            speaker = "human"
        elif role == "assistant":
            calls = message.get("tool_calls")
            if calls is not None:
                speaker = "function_call"
                value = _function_value(calls, call_text.get(str(calls_seen)), message, index)
                calls_seen += 1
            else:
                speaker = "gpt"
        else:
            speaker = tool_role
        expected = _PROMPT_SIDE if (index - start) % 2 == 0 else _REPLY_SIDE
        if speaker not in expected:
            raise Lossy("lossy_alternation", target=target, index=index, role=role)
        conversation.append(_turn(message, speaker, value, index))
    ends_on_prompt = (len(turns) - start) % 2 == 1
    if kind == "preference":
        if not ends_on_prompt:
            raise Lossy("lossy_prompt_end", target=target, index=len(turns) - 1)
        for key in ("chosen", "rejected"):
            answer = record[key]
            if not isinstance(answer, list) or len(answer) != 1:
                raise Lossy("lossy_answer", target=target, field=key)
            plain_turns(answer, target, key)
            if answer[0]["role"] != "assistant" or answer[0].get("tool_calls") is not None:
                raise Lossy("lossy_answer", target=target, field=key)
    sharegpt["conversations"] = conversation
    for key, value in record.items():
        if key in ("messages", LAYOUT_KEY):
            continue
        if key in ("chosen", "rejected"):
            value = _turn(value[0], "gpt", value[0]["content"], 0)
        sharegpt["kto_tag" if key == "label" else key] = value
    if layout:
        sharegpt[LAYOUT_KEY] = layout
    return sharegpt


def _function_value(
    calls: list[Mapping[str, Any]], raw: object, message: Mapping[str, Any], index: int
) -> str:
    """The JSON text of a ``function_call`` turn: the source's own text when it still fits."""
    content = message.get("content")
    if content not in (None, ""):
        raise Lossy("lossy_call_content", target="sharegpt", index=index)
    for call in calls:
        if set(call) - {"type", "function"}:
            keys = ", ".join(sorted(set(call) - {"type", "function"}))
            raise Lossy("lossy_message_keys", target="sharegpt", keys=keys, index=index)
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError):
            parsed = None
        if parsed == _call_value(calls, isinstance(parsed, list)):
            return raw
    return _dump(_call_value(calls, False))


def _turn(message: Mapping[str, Any], speaker: str, value: Any, index: int) -> dict[str, Any]:
    """One ShareGPT turn, with the message's extra keys carried along."""
    turn: dict[str, Any] = {"from": speaker, "value": value}
    if len(message) > 2:
        for key, extra in message.items():
            if key in ("role", "content", "tool_calls"):
                continue
            if key in turn:
                raise Lossy("lossy_message_keys", target="sharegpt", keys=key, index=index)
            turn[key] = extra
    return turn
