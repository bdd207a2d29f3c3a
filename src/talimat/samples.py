"""Small example records the chapters use to show what an instruction dataset looks like.

The records are written for this project (no third-party text), in English and Turkish,
so the first notebook runs offline and shows the reader examples in their own language.
Real third-party records ship beside them, unchanged, in ``talimat/data/public/``: see
:data:`PUBLIC_FILES`, :func:`public_path`, :func:`load_public` and :func:`provenance`.

Two sample files ship in ``talimat/data/samples/`` for the hands-on chapters:

:data:`BOOKSHOP_SUPPORT`
    Customer-support conversations of a fictional Turkish online bookshop (ShareGPT JSONL,
    about two thirds Turkish), with the realistic problems listed in
    :data:`BOOKSHOP_PLANTED_PROBLEMS` left in on purpose.
:data:`GENERAL_STANDIN`
    Short general-purpose instructions in English and Turkish (alpaca JSONL): a small
    stand-in for open data from the catalog, since builds run offline.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import TalimatError
from .language import messages, resolve_language

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ALPACA_EXAMPLES",
    "BOOKSHOP_PLANTED_PROBLEMS",
    "BOOKSHOP_SUPPORT",
    "CONVERSATION_EXAMPLES",
    "GENERAL_STANDIN",
    "PUBLIC_FILES",
    "SAMPLE_FILES",
    "TOOL_CALL_EXAMPLES",
    "PlantedProblem",
    "PublicDataError",
    "alpaca_examples",
    "alpaca_record",
    "conversation_example",
    "count_public_records",
    "load_public",
    "provenance",
    "public_path",
    "sample_path",
    "tool_call_example",
]

#: Alpaca-style records (instruction, optional input, output) in each language.
ALPACA_EXAMPLES: dict[str, list[dict[str, str]]] = {
    "en": [
        {
            "instruction": "Translate the sentence into Turkish.",
            "input": "The library opens at nine.",
            "output": "Kütüphane dokuzda açılıyor.",
        },
        {
            "instruction": "Classify the sentiment of the review as positive or negative.",
            "input": "The battery died after two days.",
            "output": "negative",
        },
        {
            "instruction": "Give three tips for writing clear instructions.",
            "input": "",
            "output": "Say what you want first, name the format of the answer, "
            "and give one example.",
        },
    ],
    "tr": [
        {
            "instruction": "Cümleyi İngilizceye çevir.",
            "input": "Kütüphane dokuzda açılıyor.",
            "output": "The library opens at nine.",
        },
        {
            "instruction": "Yorumun duygusunu olumlu ya da olumsuz diye sınıflandır.",
            "input": "Pil iki gün sonra bitti.",
            "output": "olumsuz",
        },
        {
            "instruction": "Açık talimat yazmak için üç öneri ver.",
            "input": "",
            "output": "Önce ne istediğini söyle, cevabın biçimini belirt ve bir örnek ver.",
        },
    ],
}


def alpaca_examples(lang: str | None = None) -> pd.DataFrame:
    """The example records as a table whose column headers are in the reader's language."""
    import pandas as pd

    language = resolve_language(lang)
    text = messages("samples")
    frame = pd.DataFrame(ALPACA_EXAMPLES[language])
    return frame.rename(columns={column: text(f"column.{column}", language) for column in frame})


#: A multi-turn conversation with a system prompt, in the messages format, in each language.
CONVERSATION_EXAMPLES: dict[str, dict[str, Any]] = {
    "en": {
        "messages": [
            {
                "role": "system",
                "content": "You are the assistant of a city library. Answer in one sentence.",
            },
            {"role": "user", "content": "When does the library open?"},
            {"role": "assistant", "content": "At nine in the morning on weekdays."},
            {"role": "user", "content": "Can I return books while it is closed?"},
            {"role": "assistant", "content": "Yes, use the drop box next to the main door."},
        ]
    },
    "tr": {
        "messages": [
            {
                "role": "system",
                "content": "Bir şehir kütüphanesinin asistanısın. Tek cümleyle cevap ver.",
            },
            {"role": "user", "content": "Kütüphane ne zaman açılıyor?"},
            {"role": "assistant", "content": "Hafta içi sabah dokuzda."},
            {"role": "user", "content": "Kapalıyken kitap iade edebilir miyim?"},
            {"role": "assistant", "content": "Evet, ana kapının yanındaki iade kutusunu kullanın."},
        ]
    },
}

#: The same assistant calling a tool, in the ShareGPT format (function_call, observation).
TOOL_CALL_EXAMPLES: dict[str, dict[str, Any]] = {
    "en": {
        "system": "You are the assistant of a city library. Answer in one sentence.",
        "conversations": [
            {"from": "human", "value": "Is the library open on Sunday?"},
            {
                "from": "function_call",
                "value": '{"name": "opening_hours", "arguments": {"day": "Sunday"}}',
            },
            {"from": "observation", "value": '{"open": "12:00", "close": "17:00"}'},
            {"from": "gpt", "value": "Yes, on Sunday it is open from 12:00 to 17:00."},
        ],
    },
    "tr": {
        "system": "Bir şehir kütüphanesinin asistanısın. Tek cümleyle cevap ver.",
        "conversations": [
            {"from": "human", "value": "Kütüphane pazar günü açık mı?"},
            {
                "from": "function_call",
                "value": '{"name": "opening_hours", "arguments": {"day": "pazar"}}',
            },
            {"from": "observation", "value": '{"open": "12:00", "close": "17:00"}'},
            {"from": "gpt", "value": "Evet, pazar günü 12.00 ile 17.00 arasında açık."},
        ],
    },
}


def alpaca_record(index: int = 0, lang: str | None = None) -> dict[str, str]:
    """One Alpaca record of :data:`ALPACA_EXAMPLES` in the reader's language, as a new dict."""
    return dict(ALPACA_EXAMPLES[resolve_language(lang)][index])


def conversation_example(lang: str | None = None) -> dict[str, Any]:
    """A multi-turn conversation with a system prompt (messages format), as a new dict."""
    return copy.deepcopy(CONVERSATION_EXAMPLES[resolve_language(lang)])


def tool_call_example(lang: str | None = None) -> dict[str, Any]:
    """A ShareGPT conversation with a tool call and its result, as a new dict."""
    return copy.deepcopy(TOOL_CALL_EXAMPLES[resolve_language(lang)])


# --------------------------------------------------------------------------- sample files

BOOKSHOP_SUPPORT = "bookshop_support.jsonl"
"""Support conversations of the fictional bookshop Kırkambar Kitap (ShareGPT JSONL)."""

GENERAL_STANDIN = "general_standin.jsonl"
"""Short general-purpose instructions, English and Turkish (alpaca JSONL)."""

SAMPLE_FILES: tuple[str, ...] = (BOOKSHOP_SUPPORT, GENERAL_STANDIN)
"""Every file in ``talimat/data/samples/``."""


def sample_path(name: str) -> Path:
    """The path of a shipped sample file, e.g. ``sample_path(BOOKSHOP_SUPPORT)``.

    The package is installed as plain files (editable or wheel), so the resource is a
    real path that :func:`talimat.formats.validate_file` and friends can open.
    """
    if name not in SAMPLE_FILES:
        raise ValueError(f"unknown sample file {name!r}; use one of {', '.join(SAMPLE_FILES)}")
    return Path(str(resources.files("talimat").joinpath("data", "samples", name)))


@dataclass(frozen=True)
class PlantedProblem:
    """A problem left in a sample file on purpose, so a notebook can find and explain it.

    ``line`` is the 1-based line of the file; ``field`` is where the validator reports it
    (empty for duplicates); ``repeats`` is the line a duplicate repeats.
    """

    line: int
    kind: str  # broken_json, missing_field, empty_turn, unknown_role,
    # exact_duplicate, near_duplicate or markup
    field: str = ""
    repeats: int | None = None


#: The problems in :data:`BOOKSHOP_SUPPORT`, by line. The first four break the format
#: (the validator reports them); the duplicates differ from the line they repeat not at
#: all, or only in case (one Turkish ``İ``), spacing and punctuation; the markup line is
#: a valid record whose answer kept a ``<script>`` element, as a careless scrape would.
BOOKSHOP_PLANTED_PROBLEMS: tuple[PlantedProblem, ...] = (
    PlantedProblem(11, "broken_json", "<json>"),
    PlantedProblem(23, "missing_field", "conversations"),
    PlantedProblem(31, "exact_duplicate", repeats=4),
    PlantedProblem(36, "empty_turn", "conversations[1].value"),
    PlantedProblem(44, "near_duplicate", repeats=5),
    PlantedProblem(51, "unknown_role", "conversations[1].from"),
    PlantedProblem(60, "exact_duplicate", repeats=19),
    PlantedProblem(66, "near_duplicate", repeats=55),
    PlantedProblem(67, "markup", "conversations[1].value"),
    PlantedProblem(70, "exact_duplicate", repeats=18),
    PlantedProblem(76, "near_duplicate", repeats=13),
)


# --------------------------------------------------------------------------- public data

#: Every real third-party file in ``talimat/data/public/``, by its path there. Each is
#: copied byte for byte from a public repository; ``provenance.csv`` says from where, and the
#: site's data sources page lists them (the value, nine paths, would not fit a phone here).
#:
#: :meta hide-value:
PUBLIC_FILES: tuple[str, ...] = (
    "llamafactory/alpaca_en_demo.json",
    "llamafactory/identity.json",
    "llamafactory/glaive_toolcall_en_demo.json",
    "llamafactory/dpo_en_demo.json",
    "llamafactory/kto_en_demo.json",
    "fastchat/mt_bench_question.jsonl",
    "fastchat/mt_bench_reference_answer_gpt-4.jsonl",
    "fastchat/judge_prompts.jsonl",
    "stanford_alpaca/seed_tasks.jsonl",
)

_PROVENANCE_COLUMNS = (
    "file",
    "records",
    "repository",
    "commit",
    "path",
    "upstream",
    "licence",
    "allows",
    "checked",
    "sources",
)


class PublicDataError(TalimatError):
    """An unknown public file name; the message lists the shipped ones."""


def public_path(name: str) -> Path:
    """The path of a shipped real file, e.g. ``public_path("llamafactory/identity.json")``."""
    if name not in PUBLIC_FILES:
        text = messages("samples")
        raise PublicDataError(text("unknown_public", name=name, allowed=", ".join(PUBLIC_FILES)))
    return Path(str(resources.files("talimat").joinpath("data", "public", name)))


def load_public(name: str) -> list[Any]:
    """The raw records of a shipped real file, as its authors wrote them (JSON or JSONL).

    Use :func:`talimat.formats.read_records` on :func:`public_path` for canonical records.
    """
    import json

    path = public_path(name)
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, list) else [loaded]


def count_public_records(name: str) -> int:
    """How many records a shipped real file holds, counted from the file itself."""
    return len(load_public(name))


def provenance(
    lang: str | None = None, *, raw: bool = False, counted: bool = False
) -> pd.DataFrame:
    """Where each shipped real file comes from, its upstream dataset and licence.

    Read from ``talimat/data/public/provenance.csv``; ``upstream``, ``licence`` and
    ``allows`` (what the licence allows) are in the reader's language. With ``raw=True``
    the column names stay English; with ``counted=True`` the record counts are counted from
    the files themselves.
    """
    import pandas as pd

    language = resolve_language(lang)
    path = resources.files("talimat").joinpath("data", "public", "provenance.csv")
    with path.open(encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype={"commit": str})
    if counted:
        frame["records"] = [count_public_records(name) for name in frame["file"]]
    frame["upstream"] = frame[f"upstream_{language}"]
    frame["licence"] = frame[f"licence_{language}"]
    frame["allows"] = frame[f"allows_{language}"]
    frame = frame[list(_PROVENANCE_COLUMNS)]
    if raw:
        return frame
    text = messages("samples")
    return frame.rename(columns={name: text(f"provenance.{name}", language) for name in frame})
