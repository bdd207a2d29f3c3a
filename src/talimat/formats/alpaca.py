"""The ``alpaca`` layout, as LLaMA-Factory reads it (``data/README.md`` of hiyouga/LLaMA-Factory).

``instruction``, ``input`` (optional, may be ``""``) and ``output``, with an optional
``system`` string and ``history`` list of ``[user, assistant]`` pairs. Its preference
(ranking) form has ``chosen`` and ``rejected`` strings instead of ``output``; its KTO form
adds a boolean ``kto_tag``. An ``input`` is joined to the instruction the way
LLaMA-Factory does it, ``instruction + "\\n" + input``; the canonical record remembers the
length of the input in ``_layout.input_chars`` so that the split can be undone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .fields import LAYOUT_KEY, canonical_from, kind_of, layout_of, text_field
from .problems import Bad, Lossy, json_type

__all__ = ["KEYS", "from_canonical", "plain_turns", "read", "split_input"]

KEYS = frozenset(
    {"instruction", "input", "output", "system", "history", "chosen", "rejected", "kto_tag"}
)
_LAYOUT = ("input_chars", "no_input", "system", "empty_history")


def read(record: Mapping[str, Any]) -> dict[str, Any]:
    """Check an alpaca record (SFT, ranking or KTO) and build its canonical form."""
    instruction = text_field(record.get("instruction"), "instruction")
    ranking = "output" not in record and ("chosen" in record or "rejected" in record)
    parts: dict[str, Any] = {}
    if ranking:
        chosen = text_field(record.get("chosen"), "chosen", allow_empty=True)
        rejected = text_field(record.get("rejected"), "rejected", allow_empty=True)
        parts["chosen"] = [{"role": "assistant", "content": chosen}]
        parts["rejected"] = [{"role": "assistant", "content": rejected}]
        output = None
    else:
        output = text_field(record.get("output"), "output")
    if "kto_tag" in record:
        parts["label"] = record["kto_tag"]  # its type is the unpaired task's check
    layout = layout_of(record, _LAYOUT)
    turns: list[dict[str, Any]] = []
    system = record.get("system")
    if system is not None:
        text_field(system, "system", allow_empty=True)
        if system.strip():
            turns.append({"role": "system", "content": system})
        else:
            layout["system"] = system
    history = record.get("history")
    if history is not None:
        if not isinstance(history, list):
            raise Bad(
                "history", "wrong_type", expected_type="array", actual_type=json_type(history)
            )
        if not history:
            layout["empty_history"] = True
        for index, pair in enumerate(history):
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise Bad(f"history[{index}]", "bad_pair")
            user = text_field(pair[0], f"history[{index}][0]")
            assistant = text_field(pair[1], f"history[{index}][1]")
            turns.append({"role": "user", "content": user})
            turns.append({"role": "assistant", "content": assistant})
    extra = record.get("input")
    if extra is None:
        layout["no_input"] = True
        prompt = instruction
    elif not isinstance(extra, str):
        raise Bad("input", "wrong_type", expected_type="string", actual_type=json_type(extra))
    elif extra:
        prompt = f"{instruction}\n{extra}"
        layout["input_chars"] = len(extra)
    else:
        prompt = instruction
    turns.append({"role": "user", "content": prompt})
    if output is not None:
        turns.append({"role": "assistant", "content": output})
    return canonical_from(turns, record, KEYS, layout, **parts)


def split_input(prompt: str, chars: object) -> tuple[str, str]:
    """Undo ``instruction + "\\n" + input`` when ``_layout.input_chars`` still fits the text."""
    if (
        type(chars) is int
        and 0 < chars <= len(prompt) - 2
        and prompt[-chars - 1] == "\n"
        and prompt[: -chars - 1].strip()
    ):
        return prompt[: -chars - 1], prompt[-chars:]
    return prompt, ""


def plain_turns(turns: list[Mapping[str, Any]], target: str, field: str = "messages") -> None:
    """Refuse what a plain-text layout (alpaca, ShareGPT) cannot write: parts, roles, legacy."""
    for index, message in enumerate(turns):
        role = message["role"]
        if role in ("developer", "function") or message.get("function_call") is not None:
            raise Lossy("lossy_role", target=target, role=role, index=index, field=field)
        content = message.get("content")
        if isinstance(content, list):
            raise Lossy("lossy_parts", target=target, index=index, field=field)


def _single_answer(turns: object, field: str) -> str:
    """The text of a chosen or rejected answer that alpaca and ShareGPT can hold."""
    if (
        not isinstance(turns, list)
        or len(turns) != 1
        or turns[0].get("role") != "assistant"
        or not isinstance(turns[0].get("content"), str)
        or len(turns[0]) != 2
    ):
        raise Lossy("lossy_answer", target="alpaca", field=field)
    return str(turns[0]["content"])


def _extra_keys(message: Mapping[str, Any], allowed: tuple[str, ...]) -> list[str]:
    """Keys of ``message`` beyond ``allowed`` that carry a value (null carries none)."""
    return [key for key, value in message.items() if key not in allowed and value is not None]


def from_canonical(record: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical record → alpaca; raise Lossy when alpaca cannot hold it."""
    target = "alpaca"
    kind = kind_of(record)
    if kind == "lm":
        raise Lossy("lossy_kind", target=target, kind=kind, better="trl")
    turns = record["messages"]
    layout = dict(record.get(LAYOUT_KEY) or {})
    start = 1 if turns and turns[0]["role"] == "system" else 0
    for index, message in enumerate(turns):
        role = message["role"]
        if role == "tool" or message.get("tool_calls") is not None:
            raise Lossy("lossy_tool", target=target, role=role, index=index)
        extra = _extra_keys(message, ("role", "content"))
        if extra:
            raise Lossy("lossy_message_keys", target=target, keys=", ".join(extra), index=index)
        if index < start:
            continue
        if role == "system":
            raise Lossy("lossy_system_position", target=target, index=index)
        if role != ("user" if (index - start) % 2 == 0 else "assistant"):
            raise Lossy("lossy_alternation", target=target, index=index, role=role)
    plain_turns(turns, target)
    answers = (len(turns) - start) % 2 == 0
    if kind == "preference":
        if answers:
            raise Lossy("lossy_prompt_end", target=target, index=len(turns) - 1)
    elif not answers:
        raise Lossy("lossy_last_user", target=target, index=len(turns) - 1)
    for key in record:
        if key in KEYS and key not in ("chosen", "rejected"):
            raise Lossy("lossy_key_clash", target=target, key=key)
    prompt_at = len(turns) - (1 if kind == "preference" else 2)
    chars = layout.pop("input_chars", None)
    instruction, extra_input = split_input(turns[prompt_at]["content"], chars)
    alpaca: dict[str, Any] = {"instruction": instruction}
    if not (layout.pop("no_input", None) is True and not extra_input):
        alpaca["input"] = extra_input
    if kind == "preference":
        alpaca["chosen"] = _single_answer(record["chosen"], "chosen")
        alpaca["rejected"] = _single_answer(record["rejected"], "rejected")
    else:
        alpaca["output"] = turns[-1]["content"]
    kept_system = layout.pop("system", None)
    if start:
        alpaca["system"] = turns[0]["content"]
    elif isinstance(kept_system, str):
        alpaca["system"] = kept_system
    history = [
        [turns[index]["content"], turns[index + 1]["content"]]
        for index in range(start, prompt_at, 2)
    ]
    if layout.pop("empty_history", None) is True or history:
        alpaca["history"] = history
    for key, value in record.items():
        if key in ("messages", "chosen", "rejected", LAYOUT_KEY):
            continue
        alpaca["kto_tag" if key == "label" else key] = value
    if layout:
        alpaca[LAYOUT_KEY] = layout
    return alpaca
