"""TRL's dataset types, standard (strings) and conversational (lists of messages).

As TRL documents them (https://huggingface.co/docs/trl/dataset_formats):

=====================  ==========================================  =======================
type                   columns                                     canonical record
=====================  ==========================================  =======================
language modeling      ``text``                                    ``text``
prompt-only            ``prompt``                                  ``messages`` (no answer)
prompt-completion      ``prompt``, ``completion``                  ``messages``
preference             ``prompt``, ``chosen``, ``rejected``        ``messages`` + pair
  implicit prompt      ``chosen``, ``rejected``                    prompt extracted
unpaired preference    ``prompt``, ``completion``, ``label``       ``messages`` + label
=====================  ==========================================  =======================

(Conversational language modeling, ``messages``, is the :mod:`.messages` layout.) An
implicit prompt is the shared start of ``chosen`` and ``rejected``, found the way TRL's
``extract_prompt`` finds it: the common leading messages, or for strings the common
leading characters, without a space right before the split.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from .fields import LAYOUT_KEY, canonical_from, kind_of, layout_of, text_field
from .messages import check_tools, check_turns
from .problems import Bad, Lossy

__all__ = ["KEYS", "default_split", "extract_prompt", "from_canonical", "read"]

KEYS = frozenset({"text", "prompt", "completion", "chosen", "rejected", "label"})
_LAYOUT = ("standard", "prompt_turns", "implicit_prompt", "prompt_only")


def default_split(turns: list[Mapping[str, Any]]) -> int:
    """Where the prompt ends: after the last user turn (after a leading system turn if none)."""
    for index in range(len(turns) - 1, -1, -1):
        if turns[index].get("role") == "user":
            return index + 1
    start = 0
    while start < len(turns) and turns[start].get("role") in ("system", "developer"):
        start += 1
    return start


def _string_prefix(chosen: str, rejected: str) -> int:
    """Length of the implicit prompt of two strings, as TRL's extract_prompt computes it."""
    index = 0
    limit = min(len(chosen), len(rejected))
    while index < limit and chosen[index] == rejected[index]:
        index += 1
    if index < limit and index > 0 and chosen[index - 1] == " ":
        index -= 1
    return index


def _turn_prefix(chosen: list[Any], rejected: list[Any]) -> int:
    index = 0
    while index < min(len(chosen), len(rejected)) and chosen[index] == rejected[index]:
        index += 1
    return index


def extract_prompt(chosen: Any, rejected: Any) -> tuple[Any, Any, Any]:
    """Split an implicit-prompt pair into (prompt, chosen, rejected), strings or message lists."""
    if isinstance(chosen, str) and isinstance(rejected, str):
        cut = _string_prefix(chosen, rejected)
    else:
        cut = _turn_prefix(chosen, rejected)
    return chosen[:cut], chosen[cut:], rejected[cut:]


def _user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}] if text else []


def _assistant(text: str) -> list[dict[str, Any]]:
    return [{"role": "assistant", "content": text}]


def read(record: Mapping[str, Any]) -> dict[str, Any]:
    """Check a TRL record of any type and build its canonical form."""
    layout = layout_of(record, _LAYOUT)
    prompt = record.get("prompt")
    parts: dict[str, Any] = {}
    if "tools" in record:
        check_tools(record)
    if "chosen" in record or "rejected" in record:
        chosen, rejected = record.get("chosen"), record.get("rejected")
        standard = isinstance(chosen, str) or isinstance(prompt, str)
        if standard:
            chosen = text_field(chosen, "chosen", allow_empty=True)
            rejected = text_field(rejected, "rejected", allow_empty=True)
        else:
            check_turns(chosen, "chosen")
            check_turns(rejected, "rejected")
        if prompt is None:
            layout["implicit_prompt"] = True
            prompt, chosen, rejected = extract_prompt(chosen, rejected)
        elif standard:
            text_field(prompt, "prompt")
        else:
            check_turns(prompt, "prompt")
        if standard:
            layout["standard"] = True
            turns = _user(prompt)
            parts["chosen"] = _assistant(cast(str, chosen))
            parts["rejected"] = _assistant(cast(str, rejected))
        else:
            turns = list(prompt)
            parts["chosen"] = list(cast(list[Any], chosen))
            parts["rejected"] = list(cast(list[Any], rejected))
    elif "prompt" in record:
        completion = record.get("completion")
        if isinstance(prompt, str):
            text_field(prompt, "prompt")
            layout["standard"] = True
            turns = _user(prompt)
            if "completion" in record:
                turns += _assistant(text_field(completion, "completion"))
        else:
            turns = list(check_turns(prompt, "prompt"))
            if "completion" in record:
                answer = check_turns(completion, "completion")
                whole = turns + list(answer)
                if default_split(whole) != len(turns):
                    layout["prompt_turns"] = len(turns)
                turns = whole
        if "completion" not in record:
            layout["prompt_only"] = True
        if "label" in record:
            parts["label"] = record["label"]
    elif "text" in record:
        text = text_field(record.get("text"), "text")
        canonical: dict[str, Any] = {"text": text}
        for key, value in record.items():
            if key not in KEYS and key != LAYOUT_KEY:
                canonical[key] = value
        if layout:
            canonical[LAYOUT_KEY] = layout
        return canonical
    else:
        raise Bad("<record>", "unknown_format")
    return canonical_from(turns, record, KEYS, layout, **parts)


def _standard_text(turns: list[Mapping[str, Any]], role: str) -> str | None:
    """The string of a one-message list of ``role`` with string content, else None."""
    if len(turns) == 1 and len(turns[0]) == 2 and turns[0].get("role") == role:
        content = turns[0].get("content")
        if isinstance(content, str):
            return content
    return None


def from_canonical(record: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical record → TRL columns for its type; standard strings when the source had them."""
    kind = kind_of(record)
    layout = dict(record.get(LAYOUT_KEY) or {})
    standard = layout.pop("standard", None) is True
    implicit = layout.pop("implicit_prompt", None) is True
    split = layout.pop("prompt_turns", None)
    layout.pop("prompt_only", None)  # implied by a prompt without completion
    out: dict[str, Any] = {}
    for key in record:
        if key in KEYS and key not in ("chosen", "rejected", "label", "text"):
            raise Lossy("lossy_key_clash", target="trl", key=key)
    if kind == "lm":
        out["text"] = record["text"]
    else:
        turns = list(record["messages"])
        if kind == "preference":
            out.update(_preference(turns, record["chosen"], record["rejected"], standard, implicit))
        else:
            if not (type(split) is int and 0 < split <= len(turns)):
                split = default_split(turns)
            prompt, completion = turns[:split], turns[split:]
            prompt_text = _standard_text(prompt, "user") if standard else None
            answer_text = _standard_text(completion, "assistant") if completion else ""
            if prompt_text is not None and answer_text is not None:
                out["prompt"] = prompt_text
                if completion:
                    out["completion"] = answer_text
            else:
                out["prompt"] = prompt
                if completion:
                    out["completion"] = completion
            if kind == "unpaired":
                if not completion:
                    raise Lossy("lossy_no_completion", target="trl")
                out["label"] = record["label"]
    for key, value in record.items():
        if key not in out and key not in ("messages", "chosen", "rejected", LAYOUT_KEY):
            out[key] = value
    if layout:
        out[LAYOUT_KEY] = layout
    return out


def _preference(
    prompt: list[Any], chosen: list[Any], rejected: list[Any], standard: bool, implicit: bool
) -> dict[str, Any]:
    """The preference columns: explicit prompt, or implicit when extraction gives it back."""
    if standard:
        texts = [_standard_text(chosen, "assistant"), _standard_text(rejected, "assistant")]
        prompt_text = _standard_text(prompt, "user") if prompt else ""
        if prompt_text is not None and None not in texts:
            good, bad = str(texts[0]), str(texts[1])
            if implicit and _string_prefix(prompt_text + good, prompt_text + bad) == len(
                prompt_text
            ):
                return {"chosen": prompt_text + good, "rejected": prompt_text + bad}
            return {"prompt": prompt_text, "chosen": good, "rejected": bad}
    for key, answer in (("chosen", chosen), ("rejected", rejected)):
        try:  # what the conversational reader would refuse (an empty answer) is not written
            check_turns(answer, key)
        except Bad:
            raise Lossy("lossy_answer", target="trl", field=key) from None
    if implicit and _turn_prefix(prompt + chosen, prompt + rejected) == len(prompt):
        return {"chosen": prompt + chosen, "rejected": prompt + rejected}
    return {"prompt": prompt, "chosen": chosen, "rejected": rejected}
