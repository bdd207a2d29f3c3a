"""Small example records the chapters use to show what an instruction dataset looks like.

The records are written for this project (no third-party text), in English and Turkish,
so the first notebook runs offline and shows the reader examples in their own language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .language import messages, resolve_language

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ALPACA_EXAMPLES", "alpaca_examples"]

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
