"""Instruction-dataset records: detect the format, validate, convert, read and write files.

Three formats are understood:

``alpaca``
    ``instruction``, ``input`` (optional, may be ``""``) and ``output``, with an optional
    ``system`` string and ``history`` list of ``[user, assistant]`` pairs, as LLaMA-Factory
    reads them.
``sharegpt``
    ``conversations``: a list of ``{"from", "value"}`` turns with the roles ``system``,
    ``human``, ``gpt``, ``function_call`` and ``observation`` (``tool`` is read as
    ``observation``), and an optional top-level ``system`` and ``tools``, as in
    LLaMA-Factory and FastChat. Turns alternate: ``human``/``observation`` first, then
    ``gpt``/``function_call``.
``messages``
    OpenAI style, ``{"messages": [{"role": "system"|"user"|"assistant"|"tool",
    "content": str}]}``. This is the canonical in-memory form that everything converts
    through. A ShareGPT ``function_call`` turn becomes an assistant message marked
    ``"tool_call": true`` whose content is the call's JSON text, kept verbatim.

Choices that keep round trips exact:

* An alpaca ``input`` is joined to the instruction the way LLaMA-Factory does it,
  ``instruction + "\\n" + input``, and left out when empty. So that the split can be undone,
  the canonical record keeps a small ``_layout`` object with what only the source format
  could show (here ``{"input_chars": 12}``; also a missing ``input``, an empty ``system``
  or ``history``, a ShareGPT system turn, ``tool`` spelled instead of ``observation``).
  ``_layout`` is written only when it differs from the defaults, is ignored when it no
  longer matches the text, and can be dropped when writing (``keep_layout=False``).
* What a target format cannot hold (tool turns in alpaca, a conversation that ends on a
  user turn, a system turn in the middle) raises :class:`LossyConversionError` saying
  exactly what would be lost, instead of converting approximately.
* Values that are ``null`` in optional fields count as absent: Parquet and CSV write
  missing values that way.

Bad input never passes silently: with ``strict=True`` (the default) the first bad record
raises :class:`RecordError`; with ``strict=False`` every bad record becomes a
:class:`Problem` naming the file, the 1-based record number (the line number in JSONL)
and the field, and every good record is kept.
"""

from __future__ import annotations

import csv
import gc
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

from talimat.errors import TalimatError
from talimat.language import messages

if TYPE_CHECKING:
    import pandas as pd

#: The three record layouts, Alpaca, ShareGPT and OpenAI-style messages (the canonical form).
FormatName = Literal["alpaca", "sharegpt", "messages"]
FORMATS: tuple[FormatName, ...] = cast(tuple[FormatName, ...], get_args(FormatName))

LAYOUT_KEY = "_layout"
"""Key of the canonical record that keeps what only the source format could show."""

ROLES: tuple[str, ...] = ("system", "user", "assistant", "tool")
SHAREGPT_ROLES: tuple[str, ...] = ("system", "human", "gpt", "function_call", "observation", "tool")
_ROLE_SET = frozenset(ROLES)

READ_SUFFIXES: tuple[str, ...] = (".jsonl", ".ndjson", ".json", ".parquet", ".csv")
WRITE_SUFFIXES: tuple[str, ...] = (".jsonl", ".ndjson", ".json", ".parquet")

_ALPACA_KEYS = frozenset({"instruction", "input", "output", "system", "history"})
_SHAREGPT_KEYS = frozenset({"conversations", "system"})
_ALPACA_LAYOUT = ("input_chars", "no_input", "system", "empty_history")
_SHAREGPT_LAYOUT = ("system_turn", "tool_role", "system")
_SHAREGPT_PROMPT_SIDE = frozenset({"human", "observation", "tool"})
_SHAREGPT_REPLY_SIDE = frozenset({"gpt", "function_call"})
_PARQUET_BATCH = 8_192

__all__ = [
    "FORMATS",
    "LAYOUT_KEY",
    "ROLES",
    "SHAREGPT_ROLES",
    "ConversionReport",
    "FormatError",
    "FormatName",
    "LoadResult",
    "LossyConversionError",
    "Problem",
    "RecordError",
    "ValidationReport",
    "convert_file",
    "convert_record",
    "detect_format",
    "from_messages",
    "iter_records",
    "read_records",
    "to_messages",
    "validate_file",
]


# --------------------------------------------------------------------------- errors


def _text(key: str, lang: str | None = None, /, **fields: object) -> str:
    """One localized string of this module (``data/messages/formats.toml``)."""
    return messages("formats")(key, lang, **fields)


def _render(code: str, lang: str | None, params: tuple[tuple[str, Any], ...]) -> str:
    """A problem's message in ``lang``, with JSON type names localized too."""
    fields = dict(params)
    for name in ("expected_type", "actual_type"):
        if name in fields:
            fields[name] = _text(f"type_{fields[name]}", lang)
    if "reason" in fields:  # a JSON line that does not parse: say where and why
        fields["reason"] = _text(f"json_{fields['reason']}", lang, error=fields.get("error", ""))
        return _text("bad_json_line", lang, **fields)
    return _text(code, lang, **fields)


def _json_type(value: object) -> str:
    """The JSON name of a value's type, for messages: ``string``, ``array``, …"""
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return "null" if value is None else "other"


@dataclass(frozen=True)
class Problem:
    """One bad record or field: where it is and what is wrong with it.

    ``message`` is written in the active language when the problem is found;
    :meth:`localized` and :meth:`describe` give it in any language.
    """

    file: str
    record: int
    field: str
    message: str
    code: str = dc_field(default="", compare=False, repr=False)
    params: tuple[tuple[str, Any], ...] = dc_field(default=(), compare=False, repr=False)

    def localized(self, lang: str | None = None) -> str:
        """The message alone, in ``lang`` (the active language by default)."""
        return _render(self.code, lang, self.params) if self.code else self.message

    def describe(self, lang: str | None = None) -> str:
        """The whole line in ``lang``: file, record number, field and message."""
        return _text(
            "problem_line",
            lang,
            file=self.file,
            record=self.record,
            field=self.field,
            message=self.localized(lang),
        )

    def __str__(self) -> str:
        return self.describe()


class FormatError(TalimatError):
    """Base of this module's errors: input that is not a valid instruction dataset."""


class RecordError(FormatError):
    """A bad record; ``.problem`` names the file, record number and field."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class LossyConversionError(FormatError):
    """The target format cannot carry the record exactly; the message says what is lost."""

    def __init__(self, message: str, *, target: FormatName, problem: Problem | None = None) -> None:
        super().__init__(message)
        self.target = target
        self.problem = problem


class _Bad(Exception):
    """Internal: a bad field, raised while checking and turned into a :class:`Problem`."""

    def __init__(self, field: str, code: str, **params: Any) -> None:
        super().__init__(field, code)
        self.field = field
        self.code = code
        self.params = tuple(params.items())

    def problem(self, file: str, number: int) -> Problem:
        message = _render(self.code, None, self.params)
        return Problem(file, number, self.field, message, self.code, self.params)


class _Lossy(Exception):
    """Internal: what a target format cannot carry, before the file and record are known."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = tuple(params.items())
        self.target = cast(FormatName, params["target"])

    def error(self, file: str | None = None, number: int = 0) -> LossyConversionError:
        message = _render(self.code, None, self.params)
        if file is None:
            return LossyConversionError(message, target=self.target)
        problem = Problem(file, number, "<record>", message, self.code, self.params)
        line = _text("lossy_line", None, file=file, record=number, message=message)
        return LossyConversionError(line, target=self.target, problem=problem)


# --------------------------------------------------------------------------- checks


def _text_field(value: object, field: str, *, allow_empty: bool = False) -> str:
    """``value`` if it is a string (non-blank unless ``allow_empty``), else raise _Bad."""
    if type(value) is str and (allow_empty or (value and not value.isspace())):
        return value
    if value is None:
        raise _Bad(field, "missing")
    if not isinstance(value, str):
        raise _Bad(field, "wrong_type", expected_type="string", actual_type=_json_type(value))
    if allow_empty or (value and not value.isspace()):
        return value  # a str subclass
    raise _Bad(field, "empty")


def _is_text(value: object) -> bool:
    """True for a non-blank string: the fast check of the hot loops."""
    return type(value) is str and bool(value) and not value.isspace()


def _list_field(value: object, field: str) -> list[Any]:
    """``value`` if it is a non-empty list, else raise _Bad."""
    if value is None:
        raise _Bad(field, "missing")
    if not isinstance(value, list):
        raise _Bad(field, "wrong_type", expected_type="array", actual_type=_json_type(value))
    if not value:
        raise _Bad(field, "empty")
    return value


def _layout_of(record: Mapping[str, Any], drop: tuple[str, ...]) -> dict[str, Any]:
    """A copy of the record's ``_layout`` without the keys the reader will set again."""
    layout = record.get(LAYOUT_KEY)
    if layout is None:
        return {}
    if not isinstance(layout, Mapping):
        raise _Bad(LAYOUT_KEY, "wrong_type", expected_type="object", actual_type=_json_type(layout))
    return {key: value for key, value in layout.items() if key not in drop and value is not None}


def _alpaca_to_messages(record: Mapping[str, Any]) -> dict[str, Any]:
    """Check an alpaca record and build its canonical form."""
    instruction = _text_field(record.get("instruction"), "instruction")
    output = _text_field(record.get("output"), "output")
    layout = _layout_of(record, _ALPACA_LAYOUT)
    turns: list[dict[str, Any]] = []
    system = record.get("system")
    if system is not None:
        _text_field(system, "system", allow_empty=True)
        if system.strip():
            turns.append({"role": "system", "content": system})
        else:
            layout["system"] = system
    history = record.get("history")
    if history is not None:
        if not isinstance(history, list):
            raise _Bad(
                "history", "wrong_type", expected_type="array", actual_type=_json_type(history)
            )
        if not history:
            layout["empty_history"] = True
        for index, pair in enumerate(history):
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise _Bad(f"history[{index}]", "bad_pair")
            user = _text_field(pair[0], f"history[{index}][0]")
            assistant = _text_field(pair[1], f"history[{index}][1]")
            turns.append({"role": "user", "content": user})
            turns.append({"role": "assistant", "content": assistant})
    extra = record.get("input")
    if extra is None:
        layout["no_input"] = True
        prompt = instruction
    elif not isinstance(extra, str):
        raise _Bad("input", "wrong_type", expected_type="string", actual_type=_json_type(extra))
    elif extra:
        prompt = f"{instruction}\n{extra}"
        layout["input_chars"] = len(extra)
    else:
        prompt = instruction
    turns.append({"role": "user", "content": prompt})
    turns.append({"role": "assistant", "content": output})
    return _canonical(turns, record, _ALPACA_KEYS, layout)


def _canonical(
    turns: list[dict[str, Any]],
    record: Mapping[str, Any],
    own_keys: frozenset[str],
    layout: dict[str, Any],
) -> dict[str, Any]:
    """A messages record: the turns, the source's extra keys kept, and layout if any."""
    canonical: dict[str, Any] = {"messages": turns}
    for key, value in record.items():
        if key not in own_keys and key != LAYOUT_KEY:
            canonical[key] = value
    if layout:
        canonical[LAYOUT_KEY] = layout
    return canonical


def _sharegpt_to_messages(record: Mapping[str, Any]) -> dict[str, Any]:
    """Check a ShareGPT record (alternating turns) and build its canonical form."""
    conversation = _list_field(record.get("conversations"), "conversations")
    layout = _layout_of(record, _SHAREGPT_LAYOUT)
    system = record.get("system")
    if system is not None:
        _text_field(system, "system", allow_empty=True)
    turns: list[dict[str, Any]] = []
    position = 0  # index among non-system turns: even = prompt side, odd = reply side
    for index, item in enumerate(conversation):
        # Fast path for well-formed turns; _sharegpt_turn_error says what is wrong otherwise.
        if type(item) is not dict and not isinstance(item, Mapping):
            _sharegpt_turn_error(item, index, position)
        speaker = item.get("from")
        value = item.get("value")
        if type(speaker) is not str or not _is_text(value):
            _sharegpt_turn_error(item, index, position)
        if speaker == "system":
            if index != 0:
                raise _Bad(f"conversations[{index}].from", "system_not_first")
            if system is not None and system.strip():
                raise _Bad("system", "duplicate_system")
            message: dict[str, Any] = {"role": "system", "content": value}
            layout["system_turn"] = True
        else:
            side = _SHAREGPT_PROMPT_SIDE if position % 2 == 0 else _SHAREGPT_REPLY_SIDE
            if speaker not in side:
                _sharegpt_turn_error(item, index, position)
            position += 1
            if speaker == "human":
                message = {"role": "user", "content": value}
            elif speaker == "gpt":
                message = {"role": "assistant", "content": value}
            elif speaker == "function_call":
                message = {"role": "assistant", "content": value, "tool_call": True}
            else:
                message = {"role": "tool", "content": value}
                if speaker == "tool":
                    layout["tool_role"] = "tool"
        if len(item) > 2:
            for key, extra in item.items():
                if key in ("from", "value"):
                    continue
                if key in message:
                    raise _Bad(f"conversations[{index}].{key}", "reserved_key", key=key)
                message[key] = extra
        turns.append(message)
    if position == 0:
        raise _Bad("conversations", "no_dialogue")
    if system is not None:
        if system.strip():
            turns.insert(0, {"role": "system", "content": system})
        else:
            layout["system"] = system
    return _canonical(turns, record, _SHAREGPT_KEYS, layout)


def _sharegpt_turn_error(item: object, index: int, position: int) -> None:
    """Raise _Bad naming what is wrong with one ShareGPT turn (the slow path)."""
    where = f"conversations[{index}]"
    if not isinstance(item, Mapping):
        raise _Bad(where, "wrong_type", expected_type="object", actual_type=_json_type(item))
    speaker = _text_field(item.get("from"), f"{where}.from")
    if speaker not in SHAREGPT_ROLES:
        allowed = ", ".join(SHAREGPT_ROLES)
        raise _Bad(f"{where}.from", "unknown_role", role=speaker, allowed=allowed)
    _text_field(item.get("value"), f"{where}.value")
    if speaker != "system":
        expected = "human/observation" if position % 2 == 0 else "gpt/function_call"
        raise _Bad(f"{where}.from", "not_alternating", expected=expected, actual=speaker)


def _check_messages(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """Check a messages record; return it unchanged (the caller copies if it must)."""
    turns = _list_field(record.get("messages"), "messages")
    dialogue = False
    roles = _ROLE_SET
    for index, message in enumerate(turns):
        # Fast path for well-formed messages; _message_error says what is wrong otherwise.
        if type(message) is not dict and not isinstance(message, Mapping):
            _message_error(message, index)
        role = message.get("role")
        if type(role) is not str or role not in roles or not _is_text(message.get("content")):
            _message_error(message, index)
        marker = message.get("tool_call")
        if marker is not None and (marker is not True or role != "assistant"):
            raise _Bad(f"messages[{index}].tool_call", "bad_tool_call")
        if role != "system":
            dialogue = True
    if not dialogue:
        raise _Bad("messages", "no_dialogue")
    _layout_of(record, ())
    return record


def _message_error(message: object, index: int) -> None:
    """Raise _Bad naming what is wrong with one message (the slow path)."""
    where = f"messages[{index}]"
    if not isinstance(message, Mapping):
        raise _Bad(where, "wrong_type", expected_type="object", actual_type=_json_type(message))
    role = _text_field(message.get("role"), f"{where}.role")
    if role not in ROLES:
        raise _Bad(f"{where}.role", "unknown_role", role=role, allowed=", ".join(ROLES))
    _text_field(message.get("content"), f"{where}.content")


_READERS = {
    "alpaca": _alpaca_to_messages,
    "sharegpt": _sharegpt_to_messages,
    "messages": _check_messages,
}


def _detect(record: Mapping[str, Any]) -> FormatName | None:
    """The format a record's keys announce, or None."""
    if "messages" in record:
        return "messages"
    if "conversations" in record:
        return "sharegpt"
    if "instruction" in record or "output" in record:
        return "alpaca"
    return None


def _check_format_name(name: str) -> FormatName:
    """``name`` if it is one of :data:`FORMATS`, else a clear error."""
    if name not in FORMATS:
        raise FormatError(_text("unknown_format_name", None, name=name, allowed=", ".join(FORMATS)))
    return name


# --------------------------------------------------------------------------- writers


def _extra_keys(message: Mapping[str, Any], allowed: tuple[str, ...]) -> list[str]:
    """Keys of ``message`` beyond ``allowed`` that carry a value (null carries none)."""
    return [key for key, value in message.items() if key not in allowed and value is not None]


def _split_input(prompt: str, chars: object) -> tuple[str, str]:
    """Undo ``instruction + "\\n" + input`` when ``_layout.input_chars`` still fits the text."""
    if (
        type(chars) is int
        and 0 < chars <= len(prompt) - 2
        and prompt[-chars - 1] == "\n"
        and prompt[: -chars - 1].strip()
    ):
        return prompt[: -chars - 1], prompt[-chars:]
    return prompt, ""


def _messages_to_alpaca(record: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical record → alpaca; raise _Lossy when alpaca cannot hold it."""
    target = "alpaca"
    turns = record["messages"]
    layout = dict(record.get(LAYOUT_KEY) or {})
    start = 1 if turns[0]["role"] == "system" else 0
    for index, message in enumerate(turns):
        role = message["role"]
        if role == "tool" or message.get("tool_call"):
            raise _Lossy("lossy_tool", target=target, role=role, index=index)
        extra = _extra_keys(message, ("role", "content", "tool_call"))
        if extra:
            raise _Lossy("lossy_message_keys", target=target, keys=", ".join(extra), index=index)
        if index < start:
            continue
        if role == "system":
            raise _Lossy("lossy_system_position", target=target, index=index)
        if role != ("user" if (index - start) % 2 == 0 else "assistant"):
            raise _Lossy("lossy_alternation", target=target, index=index, role=role)
    if (len(turns) - start) % 2:
        raise _Lossy("lossy_last_user", target=target, index=len(turns) - 1)
    for key in record:
        if key in _ALPACA_KEYS:
            raise _Lossy("lossy_key_clash", target=target, key=key)
    prompt = turns[-2]["content"]
    instruction, extra_input = _split_input(prompt, layout.pop("input_chars", None))
    alpaca: dict[str, Any] = {"instruction": instruction}
    if not (layout.pop("no_input", None) is True and not extra_input):
        alpaca["input"] = extra_input
    alpaca["output"] = turns[-1]["content"]
    kept_system = layout.pop("system", None)
    if start:
        alpaca["system"] = turns[0]["content"]
    elif isinstance(kept_system, str):
        alpaca["system"] = kept_system
    history = [
        [turns[index]["content"], turns[index + 1]["content"]]
        for index in range(start, len(turns) - 2, 2)
    ]
    if layout.pop("empty_history", None) is True or history:
        alpaca["history"] = history
    for key, value in record.items():
        if key != "messages" and key != LAYOUT_KEY:
            alpaca[key] = value
    if layout:
        alpaca[LAYOUT_KEY] = layout
    return alpaca


def _messages_to_sharegpt(record: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical record → ShareGPT; raise _Lossy when ShareGPT cannot hold it."""
    target = "sharegpt"
    turns = record["messages"]
    layout = dict(record.get(LAYOUT_KEY) or {})
    system_turn = layout.pop("system_turn", None) is True
    tool_role = "tool" if layout.pop("tool_role", None) == "tool" else "observation"
    kept_system = layout.pop("system", None)
    for key in record:
        if key in _SHAREGPT_KEYS:
            raise _Lossy("lossy_key_clash", target=target, key=key)
    sharegpt: dict[str, Any] = {}
    conversation: list[dict[str, Any]] = []
    start = 0
    if turns[0]["role"] == "system":
        start = 1
        first = turns[0]
        extra = _extra_keys(first, ("role", "content"))
        if system_turn or extra:
            conversation.append(_sharegpt_turn(first, "system", 0))
        else:
            sharegpt["system"] = first["content"]
    if "system" not in sharegpt and isinstance(kept_system, str):
        sharegpt["system"] = kept_system
    for index in range(start, len(turns)):
        message = turns[index]
        role = message["role"]
        if role == "system":
            raise _Lossy("lossy_system_position", target=target, index=index)
        if role == "user":
            speaker = "human"
        elif role == "assistant":
            speaker = "function_call" if message.get("tool_call") else "gpt"
        else:
            speaker = tool_role
        expected = _SHAREGPT_PROMPT_SIDE if (index - start) % 2 == 0 else _SHAREGPT_REPLY_SIDE
        if speaker not in expected:
            raise _Lossy("lossy_alternation", target=target, index=index, role=role)
        conversation.append(_sharegpt_turn(message, speaker, index))
    sharegpt["conversations"] = conversation
    for key, value in record.items():
        if key != "messages" and key != LAYOUT_KEY:
            sharegpt[key] = value
    if layout:
        sharegpt[LAYOUT_KEY] = layout
    return sharegpt


def _sharegpt_turn(message: Mapping[str, Any], speaker: str, index: int) -> dict[str, Any]:
    """One ShareGPT turn, with the message's extra keys carried along."""
    turn: dict[str, Any] = {"from": speaker, "value": message["content"]}
    if len(message) > 2:
        for key, value in message.items():
            if key in ("role", "content", "tool_call"):
                continue
            if key in turn:
                raise _Lossy("lossy_message_keys", target="sharegpt", keys=key, index=index)
            turn[key] = value
    return turn


def _canonical_copy(record: Mapping[str, Any]) -> dict[str, Any]:
    """A messages record as a new dict, ``_layout`` included."""
    return dict(record)


_WRITERS = {
    "alpaca": _messages_to_alpaca,
    "sharegpt": _messages_to_sharegpt,
    "messages": _canonical_copy,
}


# --------------------------------------------------------------------------- records


def detect_format(record: Mapping[str, Any]) -> FormatName:
    """Name the format a record is in, from its keys.

    ``messages`` → messages, ``conversations`` → sharegpt, ``instruction`` or ``output``
    → alpaca. Detection looks at keys only; :func:`to_messages` then checks the values.
    """
    if not isinstance(record, Mapping):
        raise FormatError(_render("not_object", None, (("actual_type", _json_type(record)),)))
    found = _detect(record)
    if found is None:
        raise FormatError(_text("unknown_format"))
    return found


def to_messages(
    record: Mapping[str, Any],
    fmt: FormatName | None = None,
    *,
    file: str = "<memory>",
    number: int = 1,
) -> dict[str, Any]:
    """Check a record and return its canonical ``{"messages": [...]}`` form.

    Keys the format does not define are kept as they are. ``file`` and ``number`` only
    label the :class:`RecordError` raised for a bad record.
    """
    try:
        if not isinstance(record, Mapping):
            raise _Bad("<record>", "not_object", actual_type=_json_type(record))
        source = _check_format_name(fmt) if fmt is not None else _detect(record)
        if source is None:
            raise _Bad("<record>", "unknown_format")
        return dict(_READERS[source](record))
    except _Bad as bad:
        raise RecordError(bad.problem(file, number)) from None


def from_messages(record: Mapping[str, Any], target: FormatName) -> dict[str, Any]:
    """Turn a canonical messages record into ``target``, exactly or not at all.

    Raises :class:`LossyConversionError` when ``target`` cannot carry the record (tool
    turns or a final user turn in alpaca, a system turn in the middle, turns that do not
    alternate), so that no conversion silently drops or merges text.
    """
    writer = _WRITERS[_check_format_name(target)]
    canonical = to_messages(record, "messages")
    try:
        return writer(canonical)
    except _Lossy as lossy:
        raise lossy.error() from None


def convert_record(
    record: Mapping[str, Any], target: FormatName, source: FormatName | None = None
) -> dict[str, Any]:
    """Convert one record from ``source`` (detected when None) to ``target``."""
    writer = _WRITERS[_check_format_name(target)]
    canonical = to_messages(record, source)
    try:
        return writer(canonical)
    except _Lossy as lossy:
        raise lossy.error() from None


# --------------------------------------------------------------------------- files


def _suffix(path: Path) -> str:
    return path.suffix.lower()


# json's error messages, so a reader is told what is wrong in their language.
_JSON_REASONS = {
    "Expecting value": "value",
    "Expecting ',' delimiter": "comma",
    "Expecting ':' delimiter": "colon",
    "Expecting property name enclosed in double quotes": "key",
    "Unterminated string starting at": "unterminated",
    "Invalid control character at": "control",
    "Extra data": "extra",
}


def _raw_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value or _Bad) for each non-blank line, streamed."""
    loads = json.loads
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                # Without its line ending, a line cut short is reported for what it lacks
                # (an unclosed string or brace), not as a stray control character.
                yield number, loads(line.rstrip(b"\r\n"))
            except json.JSONDecodeError as exc:
                reason = _JSON_REASONS.get(exc.msg, "other")
                yield (
                    number,
                    _Bad("<json>", "bad_json", column=exc.colno, reason=reason, error=exc.msg),
                )
            except ValueError as exc:  # invalid UTF-8 in the line
                yield number, _Bad("<json>", "bad_json", error=str(exc))


def _raw_json(path: Path) -> Iterator[tuple[int, Any]]:
    """(position, value) for each item of a .json list (parsed whole: use JSONL for size)."""
    try:
        with path.open("rb") as handle:
            data = json.load(handle)
    except ValueError as exc:
        raise FormatError(_text("json_unreadable", None, file=str(path), error=exc)) from exc
    if not isinstance(data, list):
        raise FormatError(
            _render("json_not_list", None, (("file", str(path)), ("actual_type", _json_type(data))))
        )
    yield from enumerate(data, 1)


def _without_nulls(row: dict[str, Any]) -> dict[str, Any]:
    """Drop the nulls Parquet writes for absent values, in the record and in its turns."""
    clean: dict[str, Any] = {}
    for key, value in row.items():
        if value is None:
            continue
        if key in ("messages", "conversations") and isinstance(value, list):
            value = [
                {k: v for k, v in turn.items() if v is not None} if isinstance(turn, dict) else turn
                for turn in value
            ]
        clean[key] = value
    return clean


def _raw_parquet(path: Path) -> Iterator[tuple[int, Any]]:
    """(row number, record) for each row, read in batches."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise FormatError(_text("parquet_unreadable", None, file=str(path), error=exc)) from exc
    number = 0
    with parquet:
        for batch in parquet.iter_batches(batch_size=_PARQUET_BATCH):
            for row in batch.to_pylist():
                number += 1
                yield number, _without_nulls(row)


def _raw_csv(path: Path) -> Iterator[tuple[int, Any]]:
    """(row number, record) for each data row of an alpaca-style CSV file.

    Empty ``system`` and ``history`` cells mean absent; a ``history`` cell holds JSON.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for number, row in enumerate(csv.DictReader(handle), 1):
                if None in row:
                    yield number, _Bad("<csv>", "csv_extra_cells")
                    continue
                record: dict[str, Any] = {k: v for k, v in row.items() if v is not None}
                for key in ("system", "history"):
                    if record.get(key) == "":
                        del record[key]
                if "history" in record:
                    try:
                        record["history"] = json.loads(record["history"])
                    except ValueError as exc:
                        yield number, _Bad("history", "bad_json", error=str(exc))
                        continue
                yield number, record
    except UnicodeDecodeError as exc:
        raise FormatError(_text("text_unreadable", None, file=str(path), error=exc)) from exc


def _raw_records(path: Path, fmt: FormatName | None) -> Iterator[tuple[int, Any]]:
    """The raw records of a file, chosen by suffix."""
    suffix = _suffix(path)
    if suffix in (".jsonl", ".ndjson"):
        return _raw_jsonl(path)
    if suffix == ".json":
        return _raw_json(path)
    if suffix == ".parquet":
        return _raw_parquet(path)
    if suffix == ".csv":
        if fmt not in (None, "alpaca"):
            raise FormatError(_text("csv_alpaca_only", None, file=str(path), name=fmt))
        return _raw_csv(path)
    raise FormatError(_text("unknown_suffix", None, file=str(path), suffix=path.suffix))


@dataclass
class _State:
    """What a scan has learned so far: the file's format."""

    format: FormatName | None


def _scan(
    path: str | os.PathLike[str],
    fmt: FormatName | None,
    strict: bool,
    problems: list[Problem] | None,
    state: _State,
    on_record: Callable[[int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Check the arguments now, then stream canonical records (shared by every reader)."""
    if not strict and problems is None:
        raise TypeError(_text("needs_problem_list"))
    if fmt is not None:
        state.format = _check_format_name(fmt)
    raw = _raw_records(Path(path), state.format)
    return _canonical_records(raw, os.fspath(path), strict, problems, state, on_record)


def _canonical_records(
    raw: Iterator[tuple[int, Any]],
    file: str,
    strict: bool,
    problems: list[Problem] | None,
    state: _State,
    on_record: Callable[[int], None] | None,
) -> Iterator[dict[str, Any]]:
    """Yield canonical records, raising or reporting bad ones."""
    readers = _READERS
    for number, record in raw:
        try:
            if isinstance(record, _Bad):
                raise record
            if type(record) is not dict:
                raise _Bad("<record>", "not_object", actual_type=_json_type(record))
            found = _detect(record)
            current = state.format
            if current is None:
                if found is None:
                    raise _Bad("<record>", "unknown_format")
                canonical = readers[found](record)
                state.format = found
            else:
                if found is not None and found != current:
                    raise _Bad("<record>", "mixed_format", found=found, expected=current)
                canonical = readers[current](record)
        except _Bad as bad:
            problem = bad.problem(file, number)
            if strict:
                raise RecordError(problem) from None
            cast(list[Problem], problems).append(problem)
            continue
        if on_record is not None:
            on_record(number)
        yield cast(dict[str, Any], canonical)


def iter_records(
    path: str | os.PathLike[str],
    fmt: FormatName | None = None,
    *,
    strict: bool = True,
    problems: list[Problem] | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the canonical records of a file, one at a time.

    Reads ``.jsonl`` line by line (blank lines are skipped but counted), ``.parquet`` in
    batches, ``.csv`` (alpaca columns) row by row and ``.json`` (a list) whole. The format
    is ``fmt``, or that of the first valid record; a later record in another format is a
    problem. With ``strict=False`` bad records are appended to ``problems`` (required).
    """
    return _scan(path, fmt, strict, problems, _State(None))


@dataclass
class LoadResult:
    """A whole file read into memory: canonical records and what was wrong."""

    file: str
    format: FormatName | None
    records: list[dict[str, Any]]
    problems: list[Problem]


def read_records(
    path: str | os.PathLike[str], fmt: FormatName | None = None, *, strict: bool = True
) -> LoadResult:
    """Read a whole file into canonical records (see :func:`iter_records`)."""
    problems: list[Problem] = []
    state = _State(None)
    records = list(_scan(path, fmt, strict, problems, state))
    return LoadResult(os.fspath(path), state.format, records, problems)


def _problem_frame(problems: list[Problem], lang: str | None) -> pd.DataFrame:
    """Problems as a table with localized headers and messages."""
    import pandas as pd

    columns = [_text(f"column_{name}", lang) for name in ("file", "record", "field", "problem")]
    rows = [(p.file, p.record, p.field, p.localized(lang)) for p in problems]
    return pd.DataFrame(rows, columns=columns)


@dataclass
class ValidationReport:
    """How many records of a file are valid, and what is wrong with the others."""

    file: str
    format: FormatName | None
    total: int
    valid: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        """True when every record is valid."""
        return not self.problems

    @property
    def invalid(self) -> int:
        """Number of distinct bad records."""
        return self.total - self.valid

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """The problems as a table, headers and messages in ``lang``."""
        return _problem_frame(self.problems, lang)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a loop we own streams records.

    Records hold no reference cycles and are freed by reference counting, but the
    collector would still scan the young ones every few hundred allocations; pausing it
    makes validating and converting large files about a third faster.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


Progress = Callable[[Iterator[dict[str, Any]]], Iterable[dict[str, Any]]]


def validate_file(
    path: str | os.PathLike[str], fmt: FormatName | None = None, *, progress: Progress | None = None
) -> ValidationReport:
    """Check every record of a file without stopping at the first bad one.

    ``progress`` wraps the stream of good records, e.g. in a progress bar (the CLI's).
    """
    problems: list[Problem] = []
    state = _State(None)
    valid = 0
    records = _scan(path, fmt, False, problems, state)
    with _gc_paused():
        for _ in progress(records) if progress else records:
            valid += 1
    bad = len({problem.record for problem in problems})
    return ValidationReport(os.fspath(path), state.format, valid + bad, valid, problems)


@dataclass
class ConversionReport:
    """What :func:`convert_file` wrote, skipped as bad, and refused as lossy."""

    source: str
    target: str
    source_format: FormatName | None
    target_format: FormatName
    total: int
    converted: int
    problems: list[Problem]
    lossy: list[Problem]

    @property
    def ok(self) -> bool:
        """True when every record was converted."""
        return not self.problems and not self.lossy

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """Bad and lossy records as one table, headers and messages in ``lang``."""
        return _problem_frame([*self.problems, *self.lossy], lang)


def convert_file(
    source: str | os.PathLike[str],
    target_path: str | os.PathLike[str],
    target: FormatName,
    *,
    source_format: FormatName | None = None,
    strict: bool = True,
    keep_layout: bool = True,
    progress: Progress | None = None,
) -> ConversionReport:
    """Convert a file to ``target`` and write it by suffix: .jsonl (streamed), .json, .parquet.

    The output appears only when the conversion finishes (it is written to a temporary
    file first). With ``strict=False`` bad and lossy records are skipped and listed in the
    report. ``keep_layout=False`` leaves out ``_layout``, at the cost of exact round trips.
    ``progress`` wraps the stream of records read, e.g. in a progress bar.
    """
    writer = _WRITERS[_check_format_name(target)]
    source_path, out_path = Path(source), Path(target_path)
    suffix = _suffix(out_path)
    if suffix not in WRITE_SUFFIXES:
        raise FormatError(
            _text("unknown_target_suffix", None, file=os.fspath(out_path), suffix=out_path.suffix)
        )
    if out_path.exists() and out_path.resolve() == source_path.resolve():
        raise FormatError(_text("same_file", None, file=os.fspath(out_path)))
    problems: list[Problem] = []
    lossy: list[Problem] = []
    state = _State(None)
    numbers: list[int] = [0]

    def remember(number: int) -> None:
        numbers[0] = number

    file = os.fspath(source)
    records = _scan(source, source_format, strict, problems, state, remember)
    if progress:
        records = iter(progress(records))

    def converted() -> Iterator[dict[str, Any]]:
        for canonical in records:
            try:
                out = writer(canonical)
            except _Lossy as exc:
                error = exc.error(file, numbers[0])
                if strict:
                    raise error from None
                lossy.append(cast(Problem, error.problem))
                continue
            if not keep_layout:
                out.pop(LAYOUT_KEY, None)
            yield out

    temporary = out_path.with_name(f".{out_path.name}.partial")
    try:
        with _gc_paused():
            if suffix in (".jsonl", ".ndjson"):
                count = _write_jsonl(temporary, converted())
            elif suffix == ".json":
                count = _write_json(temporary, converted())
            else:
                count = _write_parquet(temporary, converted())
        temporary.replace(out_path)
    finally:
        temporary.unlink(missing_ok=True)
    total = count + len({p.record for p in problems}) + len({p.record for p in lossy})
    return ConversionReport(
        file, os.fspath(out_path), state.format, target, total, count, problems, lossy
    )


def _write_jsonl(path: Path, records: Iterator[dict[str, Any]]) -> int:
    """Write one JSON object per line, UTF-8, streamed; return how many."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        write = handle.write
        for record in records:
            write(encode(record))
            write("\n")
            count += 1
    return count


def _write_json(path: Path, records: Iterator[dict[str, Any]]) -> int:
    """Write a JSON list of records; return how many."""
    data = list(records)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    return len(data)


def _write_parquet(path: Path, records: Iterator[dict[str, Any]]) -> int:
    """Write a Parquet file, its schema inferred from every record, not just the first.

    (``Table.from_pylist`` looks at the first row only and would drop later keys.)
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = list(records)
    if not data:
        pq.write_table(pa.table({}), path)
        return 0
    pq.write_table(pa.Table.from_struct_array(pa.array(data)), path)
    return len(data)
