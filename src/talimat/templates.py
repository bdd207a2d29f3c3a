"""Render conversations with real chat templates and measure what the template adds.

Templates are rendered the way Hugging Face ``transformers`` does in
``tokenizer.apply_chat_template``: Jinja2 in an ``ImmutableSandboxedEnvironment`` with
``trim_blocks`` and ``lstrip_blocks``, the ``raise_exception`` global, a ``tojson`` filter
that keeps non-ASCII text, and the variables ``messages``, ``add_generation_prompt``,
``bos_token`` and ``eos_token``. The template texts are copied from the models' published
``tokenizer_config.json`` files and live in ``talimat/data/templates/*.jinja``, each with a
comment naming its source.

Token counts are exact counts with a named tokenizer from ``talimat.tokens`` (default
``mistral-v3``; needs the ``tokens`` extra), with each special token of the template
(``<|im_start|>``, ``[INST]``, …) counted as one, as the model's own tokenizer does. Only
Mistral's tokenizers are available offline, so for the other families (ChatML, Llama 3,
Qwen2, Gemma, Alpaca) the tokenizer is a *stand-in*: the counts show how the templates
differ, not what those models' tokenizers would give. For a Mistral model's exact count of a
whole record, use :func:`talimat.tokens.count_record`. :func:`approx_token_count` (words and
punctuation marks) is kept for code written against it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from talimat.errors import TalimatError
from talimat.formats import LAYOUT_KEY, _split_input, to_messages
from talimat.language import messages

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_TOKENIZER",
    "TEMPLATES",
    "ChatTemplate",
    "ChatTemplateError",
    "TemplateOverhead",
    "approx_token_count",
    "chat_template",
    "compare_templates",
    "render",
    "template_overhead",
    "token_count",
]


@dataclass(frozen=True)
class ChatTemplate:
    """A shipped chat template: where its text comes from and the tokens it uses."""

    name: str
    model: str
    bos_token: str
    eos_token: str
    special_tokens: tuple[str, ...]

    @property
    def source(self) -> str:
        """The Jinja2 text, as shipped in ``talimat/data/templates/<name>.jinja``."""
        path = resources.files("talimat") / "data" / "templates" / f"{self.name}.jinja"
        return path.read_text(encoding="utf-8")


_CHATML_TOKENS = ("<|im_start|>", "<|im_end|>")
_SPECS: tuple[ChatTemplate, ...] = (
    # teknium/OpenHermes-2.5-Mistral-7B tokenizer_config.json; see chatml.jinja.
    ChatTemplate("chatml", "OpenHermes-2.5 (ChatML)", "", "<|im_end|>", _CHATML_TOKENS),
    # Qwen/Qwen2-7B-Instruct tokenizer_config.json; see qwen2.jinja.
    ChatTemplate("qwen2", "Qwen2-Instruct (ChatML)", "", "<|im_end|>", _CHATML_TOKENS),
    # meta-llama/Meta-Llama-3-8B-Instruct tokenizer_config.json; see llama3.jinja.
    ChatTemplate(
        "llama3",
        "Llama 3 Instruct",
        "<|begin_of_text|>",
        "<|eot_id|>",
        ("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"),
    ),
    # mistralai/Mistral-7B-Instruct-v0.2 tokenizer_config.json; see mistral.jinja.
    ChatTemplate(
        "mistral", "Mistral Instruct", "<s>", "</s>", ("<s>", "</s>", "[INST]", "[/INST]")
    ),
    # google/gemma-2b-it tokenizer_config.json; see gemma.jinja.
    ChatTemplate(
        "gemma", "Gemma IT", "<bos>", "<eos>", ("<bos>", "<start_of_turn>", "<end_of_turn>")
    ),
    # tatsu-lab/stanford_alpaca train.py PROMPT_DICT (LLaMA eos "</s>"); see alpaca.jinja.
    ChatTemplate("alpaca", "Stanford Alpaca", "", "</s>", ("</s>",)),
)
_BY_NAME = {spec.name: spec for spec in _SPECS}

TEMPLATES: tuple[str, ...] = tuple(_BY_NAME)
"""Names of the shipped chat templates, in the order tables show them."""


class ChatTemplateError(TalimatError):
    """An unknown template, or a template that refuses the conversation.

    When a template refuses, ``.template`` names it and ``.reason`` gives its own words.
    """

    def __init__(self, message: str, *, template: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.template = template
        self.reason = reason


def _text(key: str, lang: str | None = None, /, **fields: object) -> str:
    """One localized string of this module (``data/messages/templates.toml``)."""
    return messages("templates")(key, lang, **fields)


def chat_template(name: str) -> ChatTemplate:
    """The shipped template called ``name`` (one of :data:`TEMPLATES`)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        allowed = ", ".join(TEMPLATES)
        raise ChatTemplateError(
            _text("unknown_template", None, name=name, allowed=allowed)
        ) from None


# --------------------------------------------------------------------------- rendering


def _raise_exception(message: str) -> None:
    """What a template calls to refuse a conversation, as in ``transformers``."""
    raise jinja2.TemplateError(message)


def _tojson(
    value: Any,
    ensure_ascii: bool = False,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
    sort_keys: bool = False,
) -> str:
    """The ``tojson`` filter of ``transformers``: JSON that keeps non-ASCII text readable."""
    return json.dumps(
        value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
    )


def _strftime_now(format: str) -> str:
    """The ``strftime_now`` global of ``transformers`` (used by some newer templates)."""
    return datetime.now().strftime(format)


@cache
def _environment() -> ImmutableSandboxedEnvironment:
    """The sandbox ``transformers`` compiles chat templates in, built once."""
    environment = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols]
    )
    environment.filters["tojson"] = _tojson
    environment.globals["raise_exception"] = _raise_exception
    environment.globals["strftime_now"] = _strftime_now
    return environment


@cache
def _compiled(name: str) -> jinja2.Template:
    """The compiled template ``name``, built once."""
    return _environment().from_string(chat_template(name).source)


def _conversation(record_or_messages: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> Any:
    """The messages a template sees, from a record in any format or a list of messages.

    For a record that came from alpaca with an ``input``, the last user message also gets
    ``instruction`` and ``input`` keys, so the Alpaca template can print its Input section.
    """
    if isinstance(record_or_messages, Mapping):
        canonical = to_messages(record_or_messages)
    elif isinstance(record_or_messages, Sequence) and not isinstance(record_or_messages, str):
        canonical = to_messages({"messages": list(record_or_messages)}, "messages")
    else:
        actual = type(record_or_messages).__name__
        raise ChatTemplateError(_text("no_messages", None, actual=actual))
    turns = [dict(message) for message in canonical["messages"]]
    layout = canonical.get(LAYOUT_KEY) or {}
    last_user = next(
        (index for index in range(len(turns) - 1, -1, -1) if turns[index]["role"] == "user"),
        None,
    )
    if last_user is not None and isinstance(layout, Mapping):
        instruction, extra = _split_input(turns[last_user]["content"], layout.get("input_chars"))
        if extra:
            turns[last_user]["instruction"] = instruction
            turns[last_user]["input"] = extra
    return turns


def _render_turns(turns: list[dict[str, Any]], spec: ChatTemplate, generation: bool) -> str:
    """Render prepared turns, turning a template's refusal into ChatTemplateError."""
    try:
        return _compiled(spec.name).render(
            messages=turns,
            add_generation_prompt=generation,
            bos_token=spec.bos_token,
            eos_token=spec.eos_token,
        )
    except jinja2.TemplateError as exc:
        reason = exc.message or type(exc).__name__
        message = _text("template_refused", None, template=spec.name, reason=reason)
        raise ChatTemplateError(message, template=spec.name, reason=reason) from exc


def render(
    record_or_messages: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    template: str,
    *,
    add_generation_prompt: bool = False,
) -> str:
    """Render a record (alpaca, sharegpt or messages) or a list of messages with a template.

    ``add_generation_prompt=True`` appends what opens the assistant's reply, for
    inference; templates without one (Mistral, Alpaca) ignore it, as in ``transformers``.
    """
    spec = chat_template(template)
    return _render_turns(_conversation(record_or_messages), spec, add_generation_prompt)


# --------------------------------------------------------------------------- overhead

_WORD_OR_MARK = r"\w+|[^\w\s]"


@cache
def _token_pattern(special_tokens: tuple[str, ...]) -> re.Pattern[str]:
    """Special tokens first (longest first), then words and single punctuation marks."""
    specials = sorted(special_tokens, key=len, reverse=True)
    return re.compile("|".join([*(re.escape(token) for token in specials), _WORD_OR_MARK]))


def approx_token_count(text: str, special_tokens: Iterable[str] = ()) -> int:
    """Approximate tokens: words, punctuation marks and whole special tokens, one each.

    >>> approx_token_count("<|im_start|>user\\nMerhaba, dünya!", ["<|im_start|>"])
    6
    """
    return len(_token_pattern(tuple(special_tokens)).findall(text))


@dataclass(frozen=True)
class TemplateOverhead:
    """How much a chat template adds to a conversation, in characters and in tokens.

    Tokens are counted with ``tokenizer`` (a name of :data:`talimat.tokens.TOKENIZERS`),
    each of the template's special tokens as one; see the module docstring.
    """

    template: str
    content_chars: int
    rendered_chars: int
    overhead_chars: int
    overhead_share: float
    content_tokens: int
    rendered_tokens: int
    overhead_tokens: int
    tokenizer: str = ""


DEFAULT_TOKENIZER = "mistral-v3"
"""The tokenizer template token counts use unless told otherwise."""


def token_count(
    text: str, special_tokens: Iterable[str] = (), tokenizer: str = DEFAULT_TOKENIZER
) -> int:
    """Tokens of ``text`` with ``tokenizer``, each of ``special_tokens`` counted as one.

    The text between special tokens is encoded with the named tokenizer (no BOS or EOS).
    """
    from talimat.tokens import count_text

    specials = sorted(set(special_tokens), key=len, reverse=True)
    if not specials:
        return count_text(text, tokenizer) if text else 0
    pattern = re.compile("(" + "|".join(re.escape(token) for token in specials) + ")")
    total = 0
    for index, piece in enumerate(pattern.split(text)):
        if index % 2:
            total += 1
        elif piece:
            total += count_text(piece, tokenizer)
    return total


def _overhead(
    turns: list[dict[str, Any]], spec: ChatTemplate, tokenizer: str = DEFAULT_TOKENIZER
) -> TemplateOverhead:
    """Measure one prepared conversation under one template."""
    rendered = _render_turns(turns, spec, False)
    contents = [turn["content"] for turn in turns]
    content_chars = sum(len(text) for text in contents)
    content_tokens = sum(token_count(text, (), tokenizer) for text in contents)
    rendered_tokens = token_count(rendered, spec.special_tokens, tokenizer)
    overhead_chars = len(rendered) - content_chars
    share = overhead_chars / len(rendered) if rendered else 0.0
    return TemplateOverhead(
        spec.name,
        content_chars,
        len(rendered),
        overhead_chars,
        share,
        content_tokens,
        rendered_tokens,
        rendered_tokens - content_tokens,
        tokenizer,
    )


def template_overhead(
    record_or_messages: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    template: str,
    tokenizer: str = DEFAULT_TOKENIZER,
) -> TemplateOverhead:
    """Characters and tokens a template adds to one conversation (training text).

    Content is the messages' text; overhead is everything else the template writes: role
    headers, special tokens, default system prompts, the Alpaca preamble. Tokens are
    counted with ``tokenizer``, a stand-in for every family but Mistral's.
    """
    return _overhead(_conversation(record_or_messages), chat_template(template), tokenizer)


_COLUMNS = (
    "template",
    "content_chars",
    "rendered_chars",
    "overhead_chars",
    "overhead_share",
    "content_tokens",
    "rendered_tokens",
    "overhead_tokens",
    "note",
)


def compare_templates(
    record: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    templates: Iterable[str] = TEMPLATES,
    lang: str | None = None,
    tokenizer: str = DEFAULT_TOKENIZER,
) -> pd.DataFrame:
    """One row per template: what it adds to ``record``; headers in ``lang``.

    A template that refuses the conversation (Gemma has no system role) gets empty numbers
    and its reason in the note column, so one table still compares them all.
    """
    import pandas as pd

    turns = _conversation(record)
    content = {
        "content_chars": sum(len(turn["content"]) for turn in turns),
        "content_tokens": sum(token_count(turn["content"], (), tokenizer) for turn in turns),
    }
    rows: list[dict[str, Any]] = []
    for name in templates:
        spec = chat_template(name)
        try:
            measured = _overhead(turns, spec, tokenizer)
        except ChatTemplateError as exc:
            note = _text("template_refused", lang, template=name, reason=exc.reason)
            rows.append({"template": name, **content, "note": note})
            continue
        row = {column: getattr(measured, column) for column in _COLUMNS[:-1]}
        rows.append({**row, "note": ""})
    frame = pd.DataFrame(rows, columns=list(_COLUMNS))
    integers = [column for column in _COLUMNS[1:-1] if column != "overhead_share"]
    frame[integers] = frame[integers].astype("Int64")
    frame["overhead_share"] = frame["overhead_share"].astype("float64")
    frame["note"] = frame["note"].fillna("").astype(str)
    return frame.rename(
        columns={
            column: _text(f"column_{column}", lang, tokenizer=tokenizer) for column in _COLUMNS
        }
    )
