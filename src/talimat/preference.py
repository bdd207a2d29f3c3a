"""Records for preference training, and conversions between the shapes trainers read.

Each training method reads its own record shape:

SFT
    a conversation whose last turn is the answer to learn (``messages``);
DPO, ORPO and reward modelling
    a prompt with a ``chosen`` and a ``rejected`` answer (a *preference pair*);
KTO
    a conversation with one answer and a ``label``: ``True`` when the answer is desirable,
    ``False`` when it is not; no pair is needed.

LLaMA-Factory's samples keep ``chosen`` and ``rejected`` as single ShareGPT turns
(``{"from": "gpt", "value": ...}``); Hugging Face datasets such as UltraFeedback keep them as
lists of messages that repeat the prompt. Both are read. A pair can always be turned into
an SFT record (keep the chosen answer) or into two KTO records (chosen desirable, rejected
undesirable); the way back needs two answers to one prompt, which a KTO set may not have.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from talimat.errors import TalimatError

from .formats import to_messages
from .language import messages

__all__ = [
    "PreferenceError",
    "RecordKind",
    "answer_text",
    "pair_to_kto",
    "pair_to_sft",
    "record_kind",
]

_ = messages("preference")

RecordKind = Literal["sft", "pair", "kto"]


class PreferenceError(TalimatError):
    """A record that is not the preference shape asked for; the message names the field."""


def record_kind(record: Mapping[str, Any]) -> RecordKind:
    """Which training method a record is shaped for: ``pair``, ``kto`` or ``sft``."""
    if "chosen" in record and "rejected" in record:
        return "pair"
    if isinstance(record.get("label"), bool):
        return "kto"
    return "sft"


def answer_text(answer: object, field: str = "chosen") -> str:
    """The text of a ``chosen`` or ``rejected`` answer in any of the shapes datasets use."""
    if isinstance(answer, str):
        return answer
    if isinstance(answer, Mapping):
        text = answer.get("value", answer.get("content"))
        if isinstance(text, str):
            return text
    if isinstance(answer, list) and answer and isinstance(answer[-1], Mapping):
        return answer_text(answer[-1], field)
    raise PreferenceError(_("bad_answer", None, field=field))


def _prompt(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    canonical = to_messages(
        {key: value for key, value in record.items() if key not in ("chosen", "rejected")}
    )
    turns = [dict(message) for message in canonical["messages"]]
    if not turns or turns[-1].get("role") != "user":
        raise PreferenceError(_("no_prompt", None))
    return turns


def _check_pair(record: Mapping[str, Any]) -> None:
    if record_kind(record) != "pair":
        raise PreferenceError(_("not_pair", None))


def pair_to_sft(record: Mapping[str, Any]) -> dict[str, Any]:
    """A preference pair as an SFT record: the prompt and the chosen answer."""
    _check_pair(record)
    answer = answer_text(record["chosen"], "chosen")
    return {"messages": [*_prompt(record), {"role": "assistant", "content": answer}]}


def pair_to_kto(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A preference pair as two KTO records: chosen (``label`` True), rejected (False)."""
    _check_pair(record)
    prompt = _prompt(record)
    return [
        {
            "messages": [
                *prompt,
                {"role": "assistant", "content": answer_text(record[side], side)},
            ],
            "label": side == "chosen",
        }
        for side in ("chosen", "rejected")
    ]
