"""Rule-based filters for instruction records: each rule names what it caught and why.

A filter is only as useful as its reasons: a record dropped without one cannot be checked,
and every rule also catches some records that are fine. So each rule here is a named
function that returns *flags* — the record number, the rule, the field and a reason in the
reader's language — and nothing is dropped without a flag that says why:

``length``
    an assistant answer shorter than ``min_chars`` or longer than ``max_chars`` characters;
``repetition``
    an assistant answer of at least ``repetition_min_words`` words in which at least
    ``max_repeated_share`` of the word 3-grams repeat an earlier one (a model stuck in a loop);
``refusal``
    refusals and assistant boilerplate ("As an AI language model…", "Bir yapay zekâ olarak…");
``markup``
    broken markup: an unclosed code fence, raw HTML tags or HTML entities outside code;
``language``
    a message of at least ``language_min_words`` words whose language, as py3langid detects
    it with a probability of at least ``language_min_confidence``, is not one of ``languages``;
``placeholder``
    template slots that leaked into the text: ``{{name}}``, ``{% … %}``, ``[Your Name]``,
    ``<noinput>``.

Markup and placeholders are looked for outside code blocks and inline code only, so an answer
that *teaches* HTML or Jinja in a fenced block is not flagged. Code blocks are found with
markdown-it-py, the CommonMark parser, rather than with a regular expression.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from talimat.errors import TalimatError

from .language import format_number, format_share, messages, resolve_language

if TYPE_CHECKING:
    import pandas as pd
    from markdown_it import MarkdownIt

__all__ = [
    "RULES",
    "FilterConfig",
    "FilterError",
    "FilterReport",
    "Flag",
    "check_record",
    "filter_records",
    "prose",
    "repeated_share",
]

_ = messages("filters")

#: Every rule, in the order they are checked and reported.
RULES: tuple[str, ...] = ("length", "repetition", "refusal", "markup", "language", "placeholder")

_WORD = re.compile(r"\w+")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")

# Refusals and boilerplate, English and Turkish. Matched case-insensitively on the answer.
_REFUSAL = re.compile(
    r"\bas an? (?:ai|artificial intelligence)\b"
    r"|\bas a (?:large )?language model\b"
    r"|\bI(?:'|’| a)m (?:just |only )?an? (?:ai|artificial intelligence|language model)\b"
    r"|\bI(?:'|’| a)m (?:sorry|afraid),? (?:but )?I (?:cannot|can't|can’t|am unable|'m unable)"
    r"|\bbir yapay zek[aâ] (?:dil modeli |asistanı )?olarak\b"
    r"|\byapay zek[aâ] (?:dil modeli |asistanı )?olduğum için\b"
    r"|\bbir dil modeli olarak\b",
    re.IGNORECASE,
)

_HTML_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,5}|#x[0-9a-fA-F]{2,4});")
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)

_PLACEHOLDER = re.compile(
    r"\{\{[^{}\n]{0,60}\}\}"  # {{name}}
    r"|\{%[^%\n]{0,60}%\}"  # {% if … %}
    r"|<(?:no ?input|no ?output)>"  # Self-Instruct / Alpaca's markers
    r"|\[(?:your|insert|enter|recipient|customer|company|name|date|adınız|adınızı|"
    r"isim|ad soyad|şirket adı|tarih)\b[^\]\n]{0,40}\]"  # [Your Name], [insert date]
    r"|\[[A-ZÇĞİÖŞÜ][A-ZÇĞİÖŞÜ_ ]{2,30}\]",  # [NAME], [COMPANY_NAME]
    re.IGNORECASE,
)


class FilterError(TalimatError):
    """A bad filter setting: an unknown rule, or a limit that cannot hold."""


@dataclass(frozen=True)
class FilterConfig:
    """The limits the rules use; the defaults are starting points, not truths.

    ``languages`` empty means the language rule is off (it needs to know what is expected).
    """

    min_chars: int = 2
    max_chars: int = 10_000
    repetition_min_words: int = 20
    max_repeated_share: float = 0.5
    languages: tuple[str, ...] = ()
    language_min_words: int = 8
    language_min_confidence: float = 0.9

    def __post_init__(self) -> None:
        if not 0 <= self.min_chars <= self.max_chars:
            raise FilterError(_("bad_limits", None, low=self.min_chars, high=self.max_chars))
        if not 0 < self.max_repeated_share <= 1:
            raise FilterError(_("bad_share", None, value=self.max_repeated_share))


@dataclass(frozen=True)
class Flag:
    """One rule that caught one field of one record, and why."""

    record: int
    rule: str
    field: str
    code: str
    params: tuple[tuple[str, Any], ...] = ()

    def reason(self, lang: str | None = None) -> str:
        """Why the rule caught the field, in ``lang``."""
        language = resolve_language(lang)
        fields = {
            key: format_number(value, language) if isinstance(value, int) else value
            for key, value in self.params
        }
        if "share" in fields:
            fields["share"] = format_share(float(dict(self.params)["share"]), language)
        return _(f"reason_{self.code}", language, **fields)

    def describe(self, lang: str | None = None) -> str:
        """The whole line: record, field, rule and reason."""
        language = resolve_language(lang)
        return _(
            "flag_line",
            language,
            record=self.record,
            field=self.field,
            rule=self.rule,
            reason=self.reason(language),
        )

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "record": self.record,
            "rule": self.rule,
            "field": self.field,
            "reason": self.reason(lang),
        }


# --------------------------------------------------------------------------- text helpers


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def prose(text: str) -> str:
    """``text`` without its fenced and indented code blocks and inline code.

    What is left is what a reader sees as prose, where stray HTML or a ``{{slot}}`` is a
    defect; inside code it is usually the point of the answer.
    """
    if "`" not in text and "~~~" not in text and "    " not in text:
        return text
    lines = text.split("\n")
    keep = [True] * len(lines)
    for token in _markdown().parse(text):
        if token.type in ("fence", "code_block") and token.map:
            for index in range(token.map[0], min(token.map[1], len(lines))):
                keep[index] = False
    kept = "\n".join(line for line, shown in zip(lines, keep, strict=True) if shown)
    return re.sub(r"`+[^`\n]*`+", " ", kept)


def repeated_share(text: str, n: int = 3) -> tuple[int, float]:
    """Words in ``text`` and the share of its word ``n``-grams that repeat an earlier one."""
    words = _WORD.findall(text.lower())
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    if not grams:
        return len(words), 0.0
    distinct = len(set(grams))
    return len(words), (len(grams) - distinct) / len(grams)


def _html_tags(text: str) -> list[str]:
    """Raw HTML that markdown-it finds in ``text`` (block or inline), tag names first seen."""
    if "<" not in text:
        return []
    found: list[str] = []
    for token in _markdown().parse(text):
        pieces = [token] if token.type == "html_block" else (token.children or [])
        for piece in pieces:
            if piece.type in ("html_block", "html_inline"):
                match = re.match(r"\s*</?\s*([A-Za-z!][\w-]*)", piece.content)
                if match and match.group(1).lower() not in found:
                    found.append(match.group(1).lower())
    return found


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    # Normalized probabilities, so that a weak guess on a list or a formula can be ignored.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _detect_language(text: str) -> tuple[str, float]:
    """The language py3langid finds in ``text`` and its probability."""
    code, probability = _identifier().classify(text)
    return str(code), float(probability)


# --------------------------------------------------------------------------- rules

Found = list[tuple[str, str, tuple[tuple[str, Any], ...]]]  # (field, code, params)
Rule = Callable[[list[Mapping[str, Any]], FilterConfig], Found]


def _answers(turns: list[Mapping[str, Any]]) -> Iterator[tuple[int, str]]:
    for index, message in enumerate(turns):
        if message.get("role") == "assistant" and not message.get("tool_call"):
            yield index, str(message.get("content") or "")


def _where(index: int) -> str:
    return f"messages[{index}].content"


def _length(turns: list[Mapping[str, Any]], config: FilterConfig) -> Found:
    found: Found = []
    for index, text in _answers(turns):
        size = len(text.strip())
        if size < config.min_chars:
            found.append(
                (_where(index), "too_short", (("chars", size), ("limit", config.min_chars)))
            )
        elif size > config.max_chars:
            found.append(
                (_where(index), "too_long", (("chars", size), ("limit", config.max_chars)))
            )
    return found


def _repetition(turns: list[Mapping[str, Any]], config: FilterConfig) -> Found:
    found: Found = []
    for index, text in _answers(turns):
        words, share = repeated_share(text)
        if words >= config.repetition_min_words and share >= config.max_repeated_share:
            found.append((_where(index), "repetition", (("share", share), ("words", words))))
    return found


def _refusal(turns: list[Mapping[str, Any]], config: FilterConfig) -> Found:
    found: Found = []
    for index, text in _answers(turns):
        match = _REFUSAL.search(text)
        if match:
            found.append((_where(index), "refusal", (("phrase", match.group(0)),)))
    return found


def _markup(turns: list[Mapping[str, Any]], config: FilterConfig) -> Found:
    found: Found = []
    for index, message in enumerate(turns):
        text = str(message.get("content") or "")
        if message.get("tool_call") or not text:
            continue
        if len(_FENCE_LINE.findall(text)) % 2:
            found.append((_where(index), "unclosed_fence", ()))
            continue
        plain = prose(text)
        tags = _html_tags(plain)
        if tags:
            found.append((_where(index), "html", (("tags", ", ".join(tags[:5])),)))
            continue
        entity = _HTML_ENTITY.search(plain)
        if entity:
            found.append((_where(index), "entity", (("entity", entity.group(0)),)))
    return found


def _language(turns: list[Mapping[str, Any]], config: FilterConfig) -> Found:
    if not config.languages:
        return []
    found: Found = []
    for index, message in enumerate(turns):
        if message.get("role") not in ("user", "assistant") or message.get("tool_call"):
            continue
        text = prose(str(message.get("content") or ""))
        if len(_LETTER_WORD.findall(text)) < config.language_min_words:
            continue  # lists, numbers and formulas: too few words for a guess worth acting on
        code, probability = _detect_language(text)
        if code not in config.languages and probability >= config.language_min_confidence:
            expected = ", ".join(config.languages)
            found.append((_where(index), "language", (("found", code), ("expected", expected))))
    return found


def _placeholder(turns: list[Mapping[str, Any]], config: FilterConfig) -> Found:
    found: Found = []
    for index, message in enumerate(turns):
        text = str(message.get("content") or "")
        if message.get("tool_call") or not text:
            continue
        plain = prose(text)
        match = _PLACEHOLDER.search(plain)
        if match:
            found.append((_where(index), "placeholder", (("slot", match.group(0)),)))
    return found


_RULE_FUNCTIONS: dict[str, Rule] = {
    "length": _length,
    "repetition": _repetition,
    "refusal": _refusal,
    "markup": _markup,
    "language": _language,
    "placeholder": _placeholder,
}


def _check_rules(rules: Sequence[str] | None) -> tuple[str, ...]:
    if rules is None:
        return RULES
    unknown = [rule for rule in rules if rule not in _RULE_FUNCTIONS]
    if unknown:
        raise FilterError(_("unknown_rule", None, rule=unknown[0], rules=", ".join(RULES)))
    return tuple(rule for rule in RULES if rule in rules)


def check_record(
    record: Mapping[str, Any],
    number: int = 1,
    *,
    rules: Sequence[str] | None = None,
    config: FilterConfig | None = None,
) -> list[Flag]:
    """Every flag the rules raise on one canonical record (empty when it passes)."""
    settings = config or FilterConfig()
    turns = list(record.get("messages") or [])
    flags = []
    for rule in _check_rules(rules):
        for where, code, params in _RULE_FUNCTIONS[rule](turns, settings):
            flags.append(Flag(number, rule, where, code, params))
    return flags


@dataclass
class FilterReport:
    """What a filter run saw: how many records, how many kept, and every flag."""

    total: int = 0
    kept: int = 0
    flags: list[Flag] = field(default_factory=list)

    @property
    def removed(self) -> int:
        return self.total - self.kept

    def counts(self) -> dict[str, int]:
        """Records caught by each rule (a record caught twice by one rule counts once)."""
        return dict(Counter(rule for _record, rule in {(f.record, f.rule) for f in self.flags}))

    def summary(self, lang: str | None = None) -> str:
        language = resolve_language(lang)
        return _(
            "summary",
            language,
            total=format_number(self.total, language),
            kept=format_number(self.kept, language),
            removed=format_number(self.removed, language),
        )

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """The flags as a table (record, rule, field, reason), headers in ``lang``."""
        import pandas as pd

        language = resolve_language(lang)
        rows = [(f.record, f.rule, f.field, f.reason(language)) for f in self.flags]
        columns = [_(f"col_{name}", language) for name in ("record", "rule", "field", "reason")]
        return pd.DataFrame(rows, columns=columns)

    def rule_table(self, lang: str | None = None) -> pd.DataFrame:
        """Records caught per rule, every rule listed (zero included)."""
        import pandas as pd

        language = resolve_language(lang)
        counts = self.counts()
        return pd.DataFrame(
            {
                _("col_rule", language): list(RULES),
                _("col_records", language): [counts.get(rule, 0) for rule in RULES],
            }
        )

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "records": self.total,
            "kept": self.kept,
            "removed": [flag.to_json(lang) for flag in self.flags],
        }


def filter_records(
    records: Iterable[tuple[int, Mapping[str, Any]]],
    report: FilterReport,
    *,
    rules: Sequence[str] | None = None,
    config: FilterConfig | None = None,
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Stream the ``(number, record)`` pairs that pass; count and flag the rest in ``report``.

    ``records`` is typically :func:`talimat.streams.numbered_records` of a file; the report
    is filled as the stream is consumed, so nothing is held in memory but the flags.
    """
    chosen = _check_rules(rules)
    settings = config or FilterConfig()
    for number, record in records:
        report.total += 1
        flags = check_record(record, number, rules=chosen, config=settings)
        if flags:
            report.flags.extend(flags)
            continue
        report.kept += 1
        yield number, record
