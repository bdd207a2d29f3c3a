"""What the curation tests (filters, dedup, contamination) share: real files and small records."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

__all__ = ["ALPACA", "BOOKSHOP", "MT_BENCH", "pair", "write_jsonl"]

_DATA = resources.files("talimat") / "data"
ALPACA = Path(str(_DATA / "public/llamafactory/alpaca_en_demo.json"))
BOOKSHOP = Path(str(_DATA / "samples/bookshop_support.jsonl"))
MT_BENCH = Path(str(_DATA / "public/fastchat/mt_bench_question.jsonl"))


def pair(prompt: str, answer: str) -> dict:
    """A canonical two-turn record: the user's prompt and the assistant's answer."""
    return {
        "messages": [
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": answer},
        ]
    }


def write_jsonl(path: Path, records: list[object]) -> Path:
    """Write ``records`` as JSON Lines (UTF-8, non-ASCII kept), creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path
