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

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from talimat.errors import TalimatError, data_file_problem

from .formats import to_messages
from .language import LANGUAGES, messages, resolve_language

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PreferenceDataError",
    "PreferenceError",
    "PreferenceRounds",
    "RecordKind",
    "answer_text",
    "pair_to_kto",
    "pair_to_sft",
    "preference_rounds",
    "read_preference_rounds",
    "record_kind",
    "shares_frame",
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


# --- published rounds of preference data -----------------------------------------------
# Recipes that say how they collected preference data round by round but give no pair
# count (so they cannot join the [[preference_point]] ranges): [[preference_rounds]] in
# talimat/data/reference_points.toml.

_NUMBERS = (
    "avg_turns_per_dialog",
    "avg_tokens_per_example",
    "avg_tokens_in_prompt",
    "avg_tokens_in_response",
)
_TEXTS = ("key", "name", "model", "source_url", "bibtex_key", "checked")


class PreferenceDataError(TalimatError):
    """A ``[[preference_rounds]]`` entry that is missing a field or has a wrong value."""


@dataclass(frozen=True)
class PreferenceRounds:
    """How a published recipe ran its preference rounds, in one language.

    ``shares`` pairs each category of comparisons with its percent, as the source prints
    it; the averages are per example, an example being one prompt with one response.
    """

    key: str
    name: str
    model: str
    rounds: int
    shares: tuple[tuple[str, float], ...]
    avg_turns_per_dialog: float
    avg_tokens_per_example: float
    avg_tokens_in_prompt: float
    avg_tokens_in_response: float
    source_url: str
    bibtex_key: str
    checked: str
    where: str
    note: str


def _problem(path: str, entry: int, key: str, field: str, problem: str) -> PreferenceDataError:
    where = _("data_entry", None, entry=entry, key=key or "?")
    return PreferenceDataError(data_file_problem(path, where, field, _(problem, None)))


def _texts(raw: object, path: str, entry: int, key: str, field: str) -> dict[str, str]:
    if not isinstance(raw, Mapping) or any(
        not isinstance(raw.get(code), str) or not raw[code].strip() for code in LANGUAGES
    ):
        raise _problem(path, entry, key, field, "problem_languages")
    return {code: raw[code] for code in LANGUAGES}


def _parse_rounds(raw: Mapping[str, Any], path: str, entry: int) -> dict[str, Any]:
    key: str = raw["key"] if isinstance(raw.get("key"), str) else ""
    for name in _TEXTS:
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise _problem(path, entry, key, name, "problem_text")
    if not raw["source_url"].startswith("https://"):
        raise _problem(path, entry, key, "source_url", "problem_url")
    rounds = raw.get("rounds")
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1:
        raise _problem(path, entry, key, "rounds", "problem_rounds")
    for name in _NUMBERS:
        value = raw.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise _problem(path, entry, key, name, "problem_number")
    shares = raw.get("shares")
    if not isinstance(shares, list) or not shares:
        raise _problem(path, entry, key, "shares", "problem_shares")
    parsed = []
    for share in shares:
        percent = share.get("percent") if isinstance(share, Mapping) else None
        if isinstance(percent, bool) or not isinstance(percent, int | float) or percent < 0:
            raise _problem(path, entry, key, "shares", "problem_shares")
        parsed.append((_texts(share, path, entry, key, "shares"), float(percent)))
    # The source's rounded percents add up to 100 within rounding.
    if not math.isclose(sum(percent for _names, percent in parsed), 100, abs_tol=0.05):
        raise _problem(path, entry, key, "shares", "problem_total")
    return {
        **{name: raw[name] for name in _TEXTS},
        "rounds": rounds,
        "shares": parsed,
        **{name: float(raw[name]) for name in _NUMBERS},
        "where": _texts(raw.get("where"), path, entry, key, "where"),
        "note": _texts(raw.get("note"), path, entry, key, "note"),
    }


def read_preference_rounds(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read and check the ``[[preference_rounds]]`` entries of a reference-point file."""
    label = str(path)
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise PreferenceDataError(_("data_not_toml", None, path=label, reason=error)) from None
    entries = raw.get("preference_rounds")
    if not isinstance(entries, list) or not entries:
        raise PreferenceDataError(_("data_none", None, path=label))
    return [_parse_rounds(entry, label, number) for number, entry in enumerate(entries, 1)]


@cache
def _packaged_rounds() -> tuple[dict[str, Any], ...]:
    with resources.as_file(resources.files("talimat") / "data" / "reference_points.toml") as path:
        return tuple(read_preference_rounds(Path(path)))


def preference_rounds(lang: str | None = None) -> dict[str, PreferenceRounds]:
    """The packaged ``[[preference_rounds]]`` entries by key, their texts in ``lang``."""
    language = resolve_language(lang)
    return {
        raw["key"]: PreferenceRounds(
            key=raw["key"],
            name=raw["name"],
            model=raw["model"],
            rounds=raw["rounds"],
            shares=tuple((names[language], percent) for names, percent in raw["shares"]),
            avg_turns_per_dialog=raw["avg_turns_per_dialog"],
            avg_tokens_per_example=raw["avg_tokens_per_example"],
            avg_tokens_in_prompt=raw["avg_tokens_in_prompt"],
            avg_tokens_in_response=raw["avg_tokens_in_response"],
            source_url=raw["source_url"],
            bibtex_key=raw["bibtex_key"],
            checked=raw["checked"],
            where=raw["where"][language],
            note=raw["note"][language],
        )
        for raw in _packaged_rounds()
    }


def shares_frame(rounds: PreferenceRounds, lang: str | None = None) -> pd.DataFrame:
    """The percent of comparisons per category of one recipe as a table, headers in ``lang``."""
    import pandas as pd

    language = resolve_language(lang)
    columns = [_("col_category", language), _("col_share", language)]
    return pd.DataFrame(list(rounds.shares), columns=columns)
