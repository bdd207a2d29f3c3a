"""What a training task needs from a record, checked on the canonical form.

``sft``
    A final assistant turn; after an optional system (or developer) turn, turns a chat
    template accepts: the user speaks first, user and assistant alternate, a ``tool``
    turn answers an assistant turn with tool calls; no empty assistant turn.
``preference``
    A shared prompt with a user turn; ``chosen`` and ``rejected`` present, non-empty and
    different.
``unpaired``
    A boolean ``label`` and a completion (a final assistant turn).
``lm``
    Some text to model.
``prompt``
    A prompt alone (TRL's prompt-only type, for online methods): a user turn, and no
    answer after the last one.

For every task, ``images`` (LLaMA-Factory) must be a list with one entry per ``<image>``
marker in the text. The checks return every problem of a record, each with a stable
code, so a report can count them per kind as OpenAI's format checker does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from operator import itemgetter, methodcaller
from typing import Any, Literal, cast, get_args

from .fields import kind_of
from .problems import Bad, json_type

__all__ = ["TASKS", "Task", "check_task", "default_task"]

Task = Literal["sft", "preference", "unpaired", "lm", "prompt"]
TASKS: tuple[Task, ...] = cast(tuple[Task, ...], get_args(Task))
IMAGE_MARKER = "<image>"


def default_task(canonical: Mapping[str, Any]) -> Task:
    """The task a record's layout implies."""
    return kind_of(canonical)


def _blank(content: object) -> bool:
    """True for content with no text and nothing else (an empty string or empty parts)."""
    if content is None:
        return True
    if isinstance(content, str):
        return not content.strip()
    if isinstance(content, list):
        for part in content:
            if not isinstance(part, Mapping):
                return False
            if part.get("type") != "text":
                return False
            value = part.get("text", part.get("value"))
            if isinstance(value, str) and value.strip():
                return False
        return True
    return False


def _texts(turns: list[Any]) -> Iterator[str]:
    for message in turns:
        content = message.get("content") if isinstance(message, Mapping) else None
        if isinstance(content, str):
            yield content
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, Mapping):
                    value = part.get("text", part.get("value"))
                    if isinstance(value, str):
                        yield value


def _order(turns: list[Any], field: str) -> Iterator[Bad]:
    """Turn order a chat template accepts, after leading system/developer turns."""
    start = 0
    while start < len(turns) and turns[start]["role"] in ("system", "developer"):
        start += 1
    previous = None
    for index in range(start, len(turns)):
        message = turns[index]
        role = message["role"]
        where = f"{field}[{index}].role"
        if role in ("system", "developer"):
            yield Bad(where, "order_system_later", role=role)
            return
        if previous is None and role != "user":
            yield Bad(where, "order_first_user", role=role)
            return
        if role == "tool" or role == "function":
            if previous not in ("call", "tool"):
                yield Bad(where, "order_tool_without_call")
                return
            previous = "tool"
            continue
        if role == "user" and previous == "user":
            yield Bad(where, "order_repeated", role=role)
            return
        if role == "assistant" and previous == "assistant":
            yield Bad(where, "order_repeated", role=role)
            return
        if role == "assistant":
            calls = message.get("tool_calls") is not None or message.get("function_call")
            previous = "call" if calls else "assistant"
        else:
            previous = role


_STR_ONLY = {str}
_content = methodcaller("get", "content")
_PLAIN_SFT: dict[tuple[str, ...], tuple[tuple[str, str, tuple[tuple[str, Any], ...]], ...]] = {}


def _sft(canonical: Mapping[str, Any], bad: list[Bad]) -> None:
    turns = canonical["messages"]
    if sum(map(len, turns)) == 2 * len(turns) and set(map(type, map(_content, turns))) == _STR_ONLY:
        # Plain messages (role and content only): the reader has checked that every content
        # is non-blank text, so only the role pattern matters, and datasets repeat a few.
        roles = tuple(map(itemgetter("role"), turns))
        found = _PLAIN_SFT.get(roles)
        if found is None:
            checked: list[Bad] = []
            _sft_full(turns, checked)
            found = tuple((b.field, b.code, b.params) for b in checked)
            if len(_PLAIN_SFT) < 10_000:
                _PLAIN_SFT[roles] = found
        bad.extend(Bad(where, code, **dict(params)) for where, code, params in found)
        return
    _sft_full(turns, bad)


def _sft_full(turns: list[Any], bad: list[Bad]) -> None:
    bad.extend(_order(turns, "messages"))
    for index, message in enumerate(turns):
        calls = message.get("tool_calls") is not None or message.get("function_call") is not None
        if message["role"] == "assistant" and not calls and _blank(message.get("content")):
            bad.append(Bad(f"messages[{index}].content", "empty_assistant"))
    if not turns or turns[-1]["role"] != "assistant":
        bad.append(Bad(f"messages[{len(turns) - 1}]", "no_final_assistant"))


def _preference(canonical: Mapping[str, Any], bad: list[Bad]) -> None:
    turns = canonical["messages"]
    if not any(message.get("role") == "user" for message in turns):
        bad.append(Bad("prompt", "no_shared_prompt"))
    else:
        bad.extend(_order([*turns, {"role": "assistant"}], "prompt"))
    answers = {}
    for key in ("chosen", "rejected"):
        value = canonical[key]
        if not value or all(
            _blank(m.get("content")) and m.get("tool_calls") is None for m in value
        ):
            bad.append(Bad(key, "empty_answer", side=key))
        answers[key] = value
    if answers["chosen"] == answers["rejected"]:
        bad.append(Bad("rejected", "same_answers"))


def _unpaired(canonical: Mapping[str, Any], bad: list[Bad]) -> None:
    label = canonical["label"]
    if type(label) is not bool:
        bad.append(Bad("label", "label_not_boolean", actual_type=json_type(label)))
    turns = canonical["messages"]
    if not turns or turns[-1]["role"] != "assistant" or _blank(turns[-1].get("content")):
        bad.append(Bad("completion", "no_completion"))


def _prompt(canonical: Mapping[str, Any], bad: list[Bad]) -> None:
    turns = canonical["messages"]
    if not any(message.get("role") == "user" for message in turns):
        bad.append(Bad("prompt", "no_shared_prompt"))
    elif turns[-1]["role"] == "assistant":
        bad.append(Bad(f"messages[{len(turns) - 1}]", "prompt_has_answer"))


def _images(canonical: Mapping[str, Any], bad: list[Bad]) -> None:
    images = canonical.get("images")
    if images is None:
        return
    if not isinstance(images, list):
        bad.append(
            Bad("images", "wrong_type", expected_type="array", actual_type=json_type(images))
        )
        return
    turns = list(canonical.get("messages", ()))
    for key in ("chosen", "rejected"):
        turns += canonical.get(key) or []
    markers = sum(text.count(IMAGE_MARKER) for text in _texts(turns))
    if markers != len(images):
        bad.append(Bad("images", "image_mismatch", images=len(images), markers=markers))


def check_task(canonical: Mapping[str, Any], task: Task | None = None) -> list[Bad]:
    """Every problem that stops the record from training ``task`` (its own by default)."""
    kind = kind_of(canonical)
    task = task or kind
    bad: list[Bad] = []
    if task == "lm":
        if kind == "preference":
            bad.append(Bad("<record>", "task_mismatch", task=task, kind=kind))
    elif task == "sft":
        if kind in ("preference", "lm"):
            bad.append(Bad("<record>", "task_mismatch", task=task, kind=kind))
        else:
            _sft(canonical, bad)
    elif task == "prompt":
        if kind in ("preference", "lm"):
            bad.append(Bad("<record>", "task_mismatch", task=task, kind=kind))
        else:
            _prompt(canonical, bad)
    elif kind != task:
        bad.append(Bad("<record>", "task_mismatch", task=task, kind=kind))
    elif task == "preference":
        _preference(canonical, bad)
    else:
        _unpaired(canonical, bad)
    if "images" in canonical:
        _images(canonical, bad)
    return bad
