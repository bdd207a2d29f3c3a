"""Exact token counts of instruction records with Mistral's own tokenizers, offline.

``mistral-common`` (the optional extra ``tokens``) ships Mistral's tokenizer files inside its
wheel and renders a conversation exactly as the model sees it in training. Three of them
are named here after the ``mistral-common`` constructors they come from:

``mistral-v1``
    ``MistralTokenizer.v1()``: SentencePiece, Mistral 7B v0.1. No tool calls.
``mistral-v3``
    ``MistralTokenizer.v3()``: SentencePiece v3 (Mistral 7B v0.3), with tool calls.
``tekken``
    ``MistralTokenizer.v3(is_tekken=True)``: Tekken (Mistral NeMo), with tool calls.

Each is loaded once per process in *fine-tuning* validation mode, which accepts a
conversation that ends with an assistant turn. A record's count is the length of what that
tokenizer's ``encode_chat_completion`` returns (BOS and EOS included). Trained tokens are
those of the assistant turns (their text and closing EOS, or the tool call): the loss mask
of Mistral-style fine-tuning; everything else is context.

Files are counted in chunks: a plain conversation (system, user and assistant turns with
text, no tools) from its texts' batch-encoded lengths and the template's control tokens
(``talimat.token_plans``), every other record through ``encode_chat_completion``
itself. Both give the same count; the first is about as fast as the tokenizer alone.

The Turkish token tax is measured on the project's own gettext catalogs, where every
English message has a Turkish translation (:func:`catalog_pairs`, :func:`token_tax`).

``import talimat.tokens`` is cheap: ``mistral_common`` is imported on first use.
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableSequence, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import TalimatError
from .language import format_number, messages
from .token_plans import ROLE_INDEX, Plan, TemplateVersion, plan_record, role_counts

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHUNK_CHARACTERS",
    "CHUNK_RECORDS",
    "MAX_LENGTHS",
    "MIN_PROSE_SHARE",
    "MIN_PROSE_WORDS",
    "ROLES",
    "TOKENIZERS",
    "FileTokens",
    "ParallelMessage",
    "RecordTokens",
    "TemplateTokens",
    "TokenTax",
    "TokenTaxPlan",
    "TokensError",
    "catalog_pairs",
    "count_file",
    "count_record",
    "count_records",
    "count_text",
    "encode_record",
    "find_catalogs",
    "is_prose",
    "render_record",
    "template_tokens",
    "token_tax",
    "token_tax_plan",
    "token_tax_plan_table",
    "token_tax_table",
]

_ = messages("tokens")

#: Tokenizer names and the ``mistral-common`` constructor each maps to: ``mistral-v1`` is
#: ``MistralTokenizer.v1()``, ``mistral-v3`` is ``MistralTokenizer.v3()`` and ``tekken`` is
#: ``MistralTokenizer.v3(is_tekken=True)`` (said here: the value would not fit a phone).
#:
#: :meta hide-value:
TOKENIZERS: dict[str, str] = {
    "mistral-v1": "MistralTokenizer.v1()",
    "mistral-v3": "MistralTokenizer.v3()",
    "tekken": "MistralTokenizer.v3(is_tekken=True)",
}

#: Maximum sequence lengths a length report checks by default.
MAX_LENGTHS: tuple[int, ...] = (2048, 4096, 8192)

#: Keys of ``by_role``: where each token of a rendered conversation comes from. ``system``
#: and ``available_tools`` are the tokens the system prompt and the tool definitions add to
#: the user turn the template writes them into; the BOS token counts with ``user``.
ROLES: tuple[str, ...] = tuple(ROLE_INDEX)


class TokensError(TalimatError):
    """A record a tokenizer cannot render, or a missing ``mistral-common``; message localized."""


# --------------------------------------------------------------------------- tokenizers


@dataclass(frozen=True)
class _Tokenizer:
    """A loaded tokenizer and the parts of ``encode_chat_completion`` it is built from."""

    name: str
    mistral: Any  # MistralTokenizer in fine-tuning mode
    validator: Any
    normalizer: Any
    #: The template :mod:`talimat.token_plans` reproduces, if it is one of those it knows.
    template: TemplateVersion | None = None

    @property
    def instruct(self) -> Any:
        return self.mistral.instruct_tokenizer

    @property
    def raw(self) -> Any:
        """The plain text tokenizer (SentencePiece or Tekken) under the chat template."""
        return self.mistral.instruct_tokenizer.tokenizer

    def lengths(self, texts: list[str]) -> list[int]:
        """Each text's ``len(raw.encode(text, bos=False, eos=False))``, in fewer calls.

        Both of mistral-common's tokenizers pass the text unchanged to the model under
        them and return its ids (Tekken shifted past its special tokens, which does not
        change their number), so the model's own calls count the same tokens:
        SentencePiece's ``encode`` takes the whole list in one call; for tiktoken a plain
        loop of ``encode_ordinary`` (no special tokens are registered, so it equals
        ``encode``) is faster than its threaded ``encode_ordinary_batch`` on two cores.
        """
        from mistral_common.tokens.tokenizers.sentencepiece import SentencePieceTokenizer
        from mistral_common.tokens.tokenizers.tekken import Tekkenizer

        raw = self.raw
        model = getattr(raw, "_model", None)
        if type(raw) is SentencePieceTokenizer and model is not None:
            return [len(ids) for ids in model.encode(texts)]
        if type(raw) is Tekkenizer and model is not None and not model.special_tokens_set:
            encode = model.encode_ordinary
            return [len(encode(text)) for text in texts]
        return [len(raw.encode(text, bos=False, eos=False)) for text in texts]


@cache
def _load(name: str) -> _Tokenizer:
    """Build ``name`` once per process (Tekken takes about two seconds to load)."""
    if name not in TOKENIZERS:
        raise TokensError(_("unknown_tokenizer", name=name, allowed=", ".join(TOKENIZERS)))
    try:
        from mistral_common.protocol.instruct.normalize import get_normalizer
        from mistral_common.protocol.instruct.validator import ValidationMode, get_validator
        from mistral_common.tokens.tokenizers.mistral import MistralTokenizer
    except ImportError:
        raise TokensError(_("needs_mistral_common")) from None
    if name == "mistral-v1":
        base = MistralTokenizer.v1()
    else:
        base = MistralTokenizer.v3(is_tekken=name == "tekken")
    # The constructors load in "test" mode, which refuses a conversation that ends with an
    # assistant turn; training data needs fine-tuning validation. We keep the validator and
    # normalizer ourselves so that count_record can split the encoding by message.
    validator = get_validator(base.version, mode=ValidationMode.finetuning)
    settings = base.instruct_tokenizer.tokenizer.model_settings_builder
    normalizer = get_normalizer(base.version, settings)
    mistral = MistralTokenizer(
        base.instruct_tokenizer, validator=validator, request_normalizer=normalizer
    )
    return _Tokenizer(name, mistral, validator, normalizer, _template(base, validator, normalizer))


def _template(base: Any, validator: Any, normalizer: Any) -> TemplateVersion | None:
    """The plan version for these exact mistral-common classes, or ``None`` (no fast path).

    :mod:`talimat.token_plans` reproduces the code of these classes (mistral-common 1.13,
    pinned in ``constraints.txt``); a subclass or another version renders every record
    with ``encode_chat_completion`` instead.
    """
    from mistral_common.protocol.instruct.normalize import InstructRequestNormalizer
    from mistral_common.protocol.instruct.validator import (
        MistralRequestValidator,
        MistralRequestValidatorV3,
    )
    from mistral_common.tokens.tokenizers.instruct import (
        InstructTokenizerV1,
        InstructTokenizerV3,
    )

    if type(normalizer) is not InstructRequestNormalizer:
        return None
    known: dict[tuple[type, type], TemplateVersion] = {
        (InstructTokenizerV1, MistralRequestValidator): "v1",
        (InstructTokenizerV3, MistralRequestValidatorV3): "v3",
    }
    return known.get((type(base.instruct_tokenizer), type(validator)))


# --------------------------------------------------------------------------- records


class _Refused(Exception):
    """A record field the conversion or the tokenizer refuses (internal)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _tool_call_id(number: int) -> str:
    # Mistral's v3 template writes an id with every call and result, nine letters or
    # digits; the public datasets have none, so calls are numbered within the record.
    return f"call{number:05d}"


def _tools(raw: object) -> list[Any] | None:
    from mistral_common.protocol.instruct.tool_calls import Function, Tool

    if raw is None or raw == "" or raw == []:
        return None
    try:
        specs = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(specs, list):
            raise TypeError("expected a list")
        return [  # OpenAI's {"type": "function", "function": {...}} or the function itself
            Tool(function=Function(**spec.get("function", spec))) for spec in specs
        ]
    except (TypeError, ValueError) as error:
        raise _Refused("tools", str(error).splitlines()[0]) from None


def _unicode(where: str, value: Any) -> Any:
    """``value`` unless it is a string with a lone surrogate (possible in memory, never read
    from a JSON file), which SentencePiece would refuse with a bare ``RuntimeError``."""
    try:
        if isinstance(value, str):
            value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise _Refused(
            where, f"not valid Unicode (a lone surrogate at character {error.start + 1})"
        ) from None
    return value


def _chat_request(record: Mapping[str, Any]) -> Any:
    """A canonical ``messages`` record as a ``mistral-common`` chat completion request."""
    from mistral_common.protocol.instruct.messages import (
        AssistantMessage,
        SystemMessage,
        ToolMessage,
        UserMessage,
    )
    from mistral_common.protocol.instruct.request import ChatCompletionRequest
    from mistral_common.protocol.instruct.tool_calls import FunctionCall, ToolCall

    turns = record.get("messages")
    if not isinstance(turns, list):
        raise _Refused("messages", "expected a list of messages")
    built: list[Any] = []
    calls = 0
    for index, turn in enumerate(turns):
        where = f"messages[{index}]"
        if not isinstance(turn, Mapping):
            raise _Refused(where, "expected a message")
        role = turn.get("role")
        if role == "assistant" and turn.get("tool_calls"):
            # talimat's canonical (OpenAI/TRL) shape: tool_calls with function name and arguments
            made = []
            for number, call in enumerate(turn["tool_calls"]):
                function_spec = call.get("function") if isinstance(call, Mapping) else None
                if not isinstance(function_spec, Mapping) or "name" not in function_spec:
                    raise _Refused(
                        f"{where}.tool_calls[{number}]", "a tool call needs a function name"
                    )
                arguments = function_spec.get("arguments", {})
                text = (
                    arguments
                    if isinstance(arguments, str)
                    else json.dumps(arguments, ensure_ascii=False)
                )
                calls += 1
                function = FunctionCall(
                    name=_unicode(f"{where}.tool_calls[{number}].function", function_spec["name"]),
                    arguments=_unicode(f"{where}.tool_calls[{number}].function.arguments", text),
                )
                made.append(ToolCall(id=_tool_call_id(calls), function=function))
            said = turn.get("content")
            built.append(AssistantMessage(content=said or None, tool_calls=made))
            continue
        if not isinstance(turn.get("content"), str):
            raise _Refused(f"{where}.content", "expected a message with text content")
        content = _unicode(f"{where}.content", turn["content"])
        if role == "system":
            built.append(SystemMessage(content=content))
        elif role == "user":
            built.append(UserMessage(content=content))
        elif role == "assistant":
            built.append(AssistantMessage(content=content))
        elif role == "tool":
            built.append(ToolMessage(content=content, tool_call_id=_tool_call_id(calls)))
        else:
            raise _Refused(f"{where}.role", f"unknown role {role!r}")
    return ChatCompletionRequest(messages=built, tools=_tools(record.get("tools")))


def _instruct_request(record: Mapping[str, Any], tokenizer: _Tokenizer) -> Any:
    """Validate (fine-tuning mode) and normalize, as ``encode_chat_completion`` does."""
    from mistral_common.exceptions import MistralCommonException
    from pydantic import ValidationError

    try:
        request = _chat_request(record)
        validated = tokenizer.validator.validate_request(request)
        return tokenizer.normalizer.from_chat_completion_request(validated)
    except (MistralCommonException, ValidationError) as error:
        raise _Refused("messages", _first_line(error)) from None


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


@dataclass
class _Encoded:
    """One record rendered: its tokens, and how many of them each role contributed."""

    tokens: list[int]
    by_role: dict[str, int]

    @property
    def trained(self) -> int:
        return self.by_role.get("assistant", 0)


def _encode(record: Mapping[str, Any], tokenizer: _Tokenizer) -> _Encoded:
    """Render one record and attribute every token to the role it comes from.

    Hand-written because ``mistral-common`` returns one flat token list and no loss mask:
    this walks the messages exactly as ``InstructTokenizerBase.encode_instruct`` does in
    mistral-common 1.13 (BOS, then each message by its version's encoder), and the tests
    check the result against ``encode_chat_completion`` token for token.
    """
    from mistral_common.exceptions import MistralCommonException
    from mistral_common.protocol.instruct.messages import (
        AssistantMessage,
        ToolMessage,
        UserMessage,
    )

    request = _instruct_request(record, tokenizer)
    instruct = tokenizer.instruct
    first, last = instruct.find_first_last_user(request)
    tokens: list[int] = list(instruct.start())
    by_role = dict.fromkeys(ROLES, 0)
    by_role["user"] = len(tokens)
    try:
        for index, message in enumerate(request.messages):
            if isinstance(message, UserMessage):
                counts = _user_turn(instruct, request, message, index == first, index == last)
                for role, count in counts.items():
                    by_role[role] += count
                tokens.extend(counts.tokens)
                continue
            if isinstance(message, ToolMessage):
                role, new = "tool", instruct.encode_tool_message(message, index < last)[0]
            elif isinstance(message, AssistantMessage):
                role, new = "assistant", instruct.encode_assistant_message(message, index < last)
            else:  # the normalizer moved system messages into the request's system prompt
                raise _Refused("messages", f"cannot place a {type(message).__name__}")
            by_role[role] += len(new)
            tokens.extend(new)
    except (MistralCommonException, NotImplementedError) as error:
        raise _Refused("messages", _first_line(error)) from None
    return _Encoded(tokens, by_role)


class _UserTurn(dict[str, int]):
    """Token counts of one user turn by role, with the turn's tokens attached."""

    tokens: list[int]


def _user_turn(
    instruct: Any, request: Any, message: Any, is_first: bool, is_last: bool
) -> _UserTurn:
    """A user turn's tokens, with what the system prompt and tool definitions add split off.

    The template writes both into one user turn (v1: the first, v3 and Tekken: the last),
    so their share is measured by difference: the turn encoded with them, minus without.
    """

    def encode(tools: Any, system: str | None) -> list[int]:
        encoded: list[int] = instruct.encode_user_message(
            message,
            tools,
            is_last,
            is_first,
            system_prompt=system,
            force_img_first=True,
            settings=request.settings,
        )[0]
        return encoded

    full = encode(request.available_tools, request.system_prompt)
    turn = _UserTurn(user=len(full))
    turn.tokens = full
    if (is_first or is_last) and (request.available_tools or request.system_prompt):
        without_system = encode(request.available_tools, None) if request.system_prompt else full
        bare = encode(None, None) if request.available_tools else without_system
        turn["system"] = len(full) - len(without_system)
        turn["available_tools"] = len(without_system) - len(bare)
        turn["user"] = len(bare)
    return turn


def _tokenizer(name: str) -> _Tokenizer:
    """The loaded tokenizer ``name`` (a key of :data:`TOKENIZERS`), once per process."""
    return _load(name)


def _refused(refused: _Refused, file: str, number: int, tokenizer: str) -> TokensError:
    return TokensError(
        _(
            "refused",
            file=file,
            record=number,
            field=refused.field,
            tokenizer=tokenizer,
            reason=refused.reason,
        )
    )


def encode_record(
    record: Mapping[str, Any], tokenizer: str = "mistral-v3", *, file: str = "<record>"
) -> list[int]:
    """The record's tokens as ``encode_chat_completion`` (fine-tuning mode) returns them."""
    from mistral_common.exceptions import MistralCommonException
    from pydantic import ValidationError

    loaded = _tokenizer(tokenizer)
    try:
        request = _chat_request(record)
        return list(loaded.mistral.encode_chat_completion(request).tokens)
    except _Refused as refused:
        raise _refused(refused, file, 1, tokenizer) from None
    except (MistralCommonException, ValidationError, NotImplementedError) as error:
        raise _refused(_Refused("messages", _first_line(error)), file, 1, tokenizer) from None


def render_record(record: Mapping[str, Any], tokenizer: str = "mistral-v3") -> str:
    """The record as the model sees it: the decoded tokens, special tokens written out."""
    from mistral_common.tokens.tokenizers.base import SpecialTokenPolicy

    tokens = encode_record(record, tokenizer)
    return str(
        _tokenizer(tokenizer).raw.decode(tokens, special_token_policy=SpecialTokenPolicy.KEEP)
    )


def count_text(text: str, tokenizer: str = "mistral-v3") -> int:
    """Tokens of a plain text, without BOS, EOS or any template."""
    return len(_tokenizer(tokenizer).raw.encode(text, bos=False, eos=False))


@dataclass(frozen=True)
class RecordTokens:
    """Exact token counts of one rendered record.

    ``tokens`` includes BOS and EOS; ``trained_tokens`` are the assistant turns' tokens (the
    loss mask), ``context_tokens`` the rest; ``by_role`` splits ``tokens`` by :data:`ROLES`.
    """

    tokenizer: str
    tokens: int
    trained_tokens: int
    by_role: dict[str, int]

    @property
    def context_tokens(self) -> int:
        return self.tokens - self.trained_tokens


def count_record(
    record: Mapping[str, Any],
    tokenizer: str = "mistral-v3",
    *,
    file: str = "<record>",
    number: int = 1,
) -> RecordTokens:
    """Count one canonical ``messages`` record (see :func:`talimat.formats.to_messages`)."""
    loaded = _tokenizer(tokenizer)
    plan = plan_record(record, loaded.template) if loaded.template else None
    counts = _chunk_counts([(number, record, plan)], loaded, file)[0]
    by_role = dict(zip(ROLES, counts, strict=True))
    return RecordTokens(tokenizer, sum(counts), by_role["assistant"], by_role)


@dataclass(frozen=True)
class TemplateTokens:
    """What a chat template adds to a record: rendered tokens minus its texts' own tokens."""

    tokenizer: str
    content_tokens: int
    rendered_tokens: int

    @property
    def template_tokens(self) -> int:
        return self.rendered_tokens - self.content_tokens

    @property
    def template_share(self) -> float:
        return self.template_tokens / self.rendered_tokens if self.rendered_tokens else 0.0


def template_tokens(record: Mapping[str, Any], tokenizer: str = "mistral-v3") -> TemplateTokens:
    """Tokens of the record's message texts alone, and of the whole rendered conversation.

    Tool definitions count as template: they are JSON the template writes, not a message.
    """
    rendered = count_record(record, tokenizer).tokens
    turns = record.get("messages", [])
    content = sum(count_text(str(turn.get("content", "")), tokenizer) for turn in turns)
    return TemplateTokens(tokenizer, content, rendered)


# --------------------------------------------------------------------------- files


@dataclass
class FileTokens:
    """Token counts of a whole file, by role, against maximum sequence lengths.

    ``truncated[n]`` is how many records are longer than ``n`` tokens; ``packed[n]`` how
    many sequences of ``n`` tokens the records fill when packed in file order, each record
    cut to ``n`` and a new sequence started when the next one does not fit (next-fit,
    the streaming packing). ``lengths`` keeps each record's token count (4 bytes a record).
    """

    file: str
    tokenizer: str
    records: int = 0
    tokens: int = 0
    trained_tokens: int = 0
    by_role: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ROLES, 0))
    truncated: dict[int, int] = field(default_factory=dict)
    packed: dict[int, int] = field(default_factory=dict)
    lengths: MutableSequence[int] = field(default_factory=lambda: array("I"))
    trained_lengths: MutableSequence[int] = field(default_factory=lambda: array("I"))

    @property
    def median_tokens(self) -> float:
        return statistics.median(self.lengths) if self.lengths else 0.0

    @property
    def median_trained_tokens(self) -> float:
        return statistics.median(self.trained_lengths) if self.trained_lengths else 0.0

    def to_json(self) -> dict[str, Any]:
        """The figures ``talimat tokens --json`` prints."""
        return {
            "file": self.file,
            "tokenizer": self.tokenizer,
            "records": self.records,
            "tokens": self.tokens,
            "trained_tokens": self.trained_tokens,
            "by_role": {role: count for role, count in self.by_role.items() if count},
            "truncated": {str(length): count for length, count in self.truncated.items()},
            "packed_sequences": {str(length): count for length, count in self.packed.items()},
            "median_tokens": self.median_tokens,
            "median_trained_tokens": self.median_trained_tokens,
        }

    def summary(self, lang: str | None = None) -> str:
        """Totals, the trained share and the truncation counts as sentences in ``lang``."""

        def number(value: float) -> str:
            return format_number(value, lang, 0 if float(value).is_integer() else 1)

        share = self.trained_tokens / self.tokens if self.tokens else 0.0
        lines = [
            _(
                "summary_totals",
                lang,
                file=self.file,
                tokenizer=self.tokenizer,
                records=number(self.records),
                tokens=number(self.tokens),
                trained=number(self.trained_tokens),
                share=format_number(100 * share, lang, 1),
            ),
            _(
                "summary_medians",
                lang,
                tokens=number(self.median_tokens),
                trained=number(self.median_trained_tokens),
            ),
        ]
        for length in self.truncated:
            lines.append(
                _(
                    "summary_length",
                    lang,
                    length=number(length),
                    truncated=number(self.truncated[length]),
                    packed=number(self.packed[length]),
                )
            )
        return "\n".join(lines)

    def role_table(self, lang: str | None = None) -> pd.DataFrame:
        """Tokens by role, with each role's share of the total; headers in ``lang``."""
        import pandas as pd

        rows = [
            {
                _("column_role", lang): _(f"role_{role}", lang),
                _("column_tokens", lang): count,
                _("column_share", lang): count / self.tokens if self.tokens else 0.0,
            }
            for role, count in self.by_role.items()
            if count
        ]
        return pd.DataFrame(rows)


#: The most records encoded in one batch call. Enough that the cost of a call (and of
#: its threads waiting for each other) vanishes, few enough that memory stays flat.
CHUNK_RECORDS = 4096
#: The most characters of text encoded in one batch call (long records make short chunks).
CHUNK_CHARACTERS = 4_000_000


def _role_counts(
    records: Iterable[Mapping[str, Any]],
    loaded: _Tokenizer,
    file: str,
    numbers: Iterator[int] | None,
) -> Iterator[tuple[int, ...]]:
    """Tokens by role (in :data:`ROLES` order) of each record, in order, chunk by chunk.

    A plain record (:func:`talimat.token_plans.plan_record`) is counted from its texts'
    batch-encoded lengths; any other is rendered by mistral-common (:func:`_encode`),
    which counts it or refuses it; refusals keep the order of the records.
    """
    chunk: list[tuple[int, Mapping[str, Any], Plan | None]] = []
    characters = 0
    for index, record in enumerate(records, start=1):
        number = next(numbers, index) if numbers is not None else index
        plan = plan_record(record, loaded.template) if loaded.template else None
        chunk.append((number, record, plan))
        if plan is not None:
            characters += sum(map(len, plan.texts))
        if len(chunk) >= CHUNK_RECORDS or characters >= CHUNK_CHARACTERS:
            yield from _chunk_counts(chunk, loaded, file)
            chunk, characters = [], 0
    yield from _chunk_counts(chunk, loaded, file)


def _chunk_counts(
    chunk: Sequence[tuple[int, Mapping[str, Any], Plan | None]], loaded: _Tokenizer, file: str
) -> list[tuple[int, ...]]:
    """Tokens by role of one chunk's ``(number, record, plan)``: one batch call for the plans."""
    plans = [plan for _, _, plan in chunk if plan is not None]
    try:
        lengths = loaded.lengths([text for plan in plans for text in plan.texts])
    except (RuntimeError, TypeError, ValueError):
        # a text the model cannot take (a lone surrogate): render record by record, so
        # that the first record at fault is the one reported, as without batching
        plans, lengths = [], []
        chunk = [(number, record, None) for number, record, _ in chunk]
    planned = iter(role_counts(plans, lengths))
    counted: list[tuple[int, ...]] = []
    for number, record, plan in chunk:
        if plan is not None:
            counted.append(next(planned))
            continue
        try:
            by_role = _encode(record, loaded).by_role
        except _Refused as refused:
            raise _refused(refused, file, number, loaded.name) from None
        counted.append(tuple(by_role[role] for role in ROLES))
    return counted


def count_records(
    records: Iterable[Mapping[str, Any]],
    tokenizer: str = "mistral-v3",
    *,
    max_lengths: Sequence[int] = MAX_LENGTHS,
    file: str = "<records>",
    numbers: Iterable[int] | None = None,
) -> FileTokens:
    """Count canonical records chunk by chunk (:data:`CHUNK_RECORDS`,
    :data:`CHUNK_CHARACTERS`); memory stays flat but for 8 bytes a record.

    ``numbers`` gives each record's number in its file for error messages (default 1, 2, …).
    """
    loaded = _tokenizer(tokenizer)
    lengths = tuple(sorted(set(max_lengths)))
    for length in lengths:
        if length < 1:
            raise TokensError(_("bad_max_length", value=length))
    result = FileTokens(file, tokenizer)
    result.truncated = dict.fromkeys(lengths, 0)
    result.packed = dict.fromkeys(lengths, 0)
    free = dict.fromkeys(lengths, 0)  # room left in each length's current packed sequence
    totals = [0] * len(ROLES)
    assistant = ROLE_INDEX["assistant"]
    number_of = iter(numbers) if numbers is not None else None
    for by_role in _role_counts(records, loaded, file, number_of):
        size = sum(by_role)
        trained = by_role[assistant]
        for role, count in enumerate(by_role):
            totals[role] += count
        result.records += 1
        result.tokens += size
        result.trained_tokens += trained
        result.lengths.append(size)
        result.trained_lengths.append(trained)
        for length in lengths:
            used = min(size, length)
            if size > length:
                result.truncated[length] += 1
            if used > free[length]:
                result.packed[length] += 1
                free[length] = length
            free[length] -= used
    result.by_role = dict(zip(ROLES, totals, strict=True))
    return result


def count_file(
    path: str | os.PathLike[str],
    tokenizer: str = "mistral-v3",
    *,
    fmt: str | None = None,
    max_lengths: Sequence[int] = MAX_LENGTHS,
    progress: Callable[[Iterator[dict[str, Any]]], Iterator[dict[str, Any]]] | None = None,
) -> FileTokens:
    """Stream a dataset file (any format :func:`talimat.formats.iter_records` reads) and count it.

    A record the format reader refuses raises :class:`talimat.formats.RecordError`; one the
    tokenizer refuses raises :class:`TokensError`; both name the file, record and field.
    """
    from .formats import NumberedScan

    file = os.fspath(path)
    current = [0]  # the file's number of the record being counted (JSONL: its line)

    def counted(scan: NumberedScan) -> Iterator[dict[str, Any]]:
        for number, record in scan:
            current[0] = number
            yield record

    records: Iterator[dict[str, Any]] = counted(NumberedScan(path, fmt, strict=True))
    if progress is not None:
        records = progress(records)

    def numbers() -> Iterator[int]:
        while True:
            yield current[0]

    return count_records(records, tokenizer, max_lengths=max_lengths, file=file, numbers=numbers())


# --------------------------------------------------------------------------- Turkish token tax


@dataclass(frozen=True)
class ParallelMessage:
    """One catalog message: the English source and its Turkish translation."""

    catalog: str
    english: str
    turkish: str


_MARKUP = re.compile(
    r"```.*?```"  # fenced code
    r"|`[^`]*`"  # inline code and role targets
    r"|\{[a-z-]+\}"  # MyST roles such as {ref}
    r"|\[\w+\]"  # reference keys
    r"|https?://\S+"
    r"|<[^>]+>"  # HTML tags and link targets
    r"|\$\{?\w+\}?|\{\w+(?:![rsa])?\}|%\(\w+\)s",  # placeholders
    re.DOTALL,
)
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
# An English term glossed in parentheses after its Turkish translation: "(fine-tuning)".
_GLOSSED_TERM = re.compile(r"\s*\((?:[A-Za-z][A-Za-z'-]*)(?:[ -][A-Za-z][A-Za-z'-]*){0,4}\)")
#: Words a message must keep, once code, markup and links are removed, to count as prose.
MIN_PROSE_WORDS = 3
#: Share of a message's visible characters that must be letters for it to count as prose.
MIN_PROSE_SHARE = 0.6


def _without_glossed_terms(turkish: str) -> str:
    return _GLOSSED_TERM.sub("", turkish)


def is_prose(text: str) -> bool:
    """Whether a message is mostly prose: after removing code, markup, links and
    placeholders, at least :data:`MIN_PROSE_WORDS` words remain and letters make up at
    least :data:`MIN_PROSE_SHARE` of the message's non-space characters."""
    stripped = _MARKUP.sub(" ", text)
    if len(stripped.split()) < MIN_PROSE_WORDS:
        return False
    visible = sum(1 for char in text if not char.isspace())
    letters = len(_LETTERS.findall(stripped))
    return visible > 0 and letters / visible >= MIN_PROSE_SHARE


def catalog_pairs(locales: str | os.PathLike[str]) -> list[ParallelMessage]:
    """Every translated, mostly-prose message of the ``.po`` catalogs under ``locales``.

    Untranslated and fuzzy messages are skipped (they have no trusted Turkish), as are
    messages that are mostly code or markup (:func:`is_prose` on both sides). The English
    term the Turkish text glosses in parentheses at its first use, as in "ince ayar
    (fine-tuning)", is removed: it is not in the English source and would inflate the tax.
    """
    from babel.messages.pofile import read_po

    root = Path(locales)
    files = sorted(root.rglob("*.po"))
    if not files:
        raise TokensError(_("no_catalogs", folder=root))
    pairs: list[ParallelMessage] = []
    for path in files:
        with path.open("rb") as handle:
            catalog = read_po(handle)
        name = path.relative_to(root).as_posix()
        for message in catalog:
            if not message.id or message.fuzzy or not isinstance(message.id, str):
                continue
            english, turkish = message.id, message.string
            if not isinstance(turkish, str) or not turkish:
                continue
            turkish = _without_glossed_terms(turkish)
            if is_prose(english) and is_prose(turkish):
                pairs.append(ParallelMessage(name, english, turkish))
    return pairs


def _quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        value = values[0] if values else math.nan
        return value, value, value
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


@dataclass(frozen=True)
class TokenTax:
    """Tokens per message in English and Turkish, and their ratio, for one tokenizer."""

    tokenizer: str
    english_tokens: tuple[int, ...]
    turkish_tokens: tuple[int, ...]

    @property
    def messages(self) -> int:
        return len(self.english_tokens)

    @property
    def ratios(self) -> tuple[float, ...]:
        return tuple(
            tr / en for en, tr in zip(self.english_tokens, self.turkish_tokens, strict=True) if en
        )

    @property
    def median_english(self) -> float:
        return statistics.median(self.english_tokens)

    @property
    def median_turkish(self) -> float:
        return statistics.median(self.turkish_tokens)

    @property
    def ratio_median(self) -> float:
        return _quartiles(self.ratios)[1]

    @property
    def ratio_q1(self) -> float:
        return _quartiles(self.ratios)[0]

    @property
    def ratio_q3(self) -> float:
        return _quartiles(self.ratios)[2]

    @property
    def total_ratio(self) -> float:
        """The tax on a whole corpus, the sum of Turkish tokens over the sum of English ones."""
        return sum(self.turkish_tokens) / sum(self.english_tokens)


def token_tax(pairs: Sequence[ParallelMessage], tokenizer: str = "mistral-v3") -> TokenTax:
    """Count both sides of every parallel message with one tokenizer (plain text, no template)."""
    if not pairs:
        raise TokensError(_("no_pairs"))
    loaded = _tokenizer(tokenizer)
    english = tuple(loaded.lengths([pair.english for pair in pairs]))
    turkish = tuple(loaded.lengths([pair.turkish for pair in pairs]))
    return TokenTax(tokenizer, english, turkish)


@dataclass(frozen=True)
class TokenTaxPlan:
    """What the Turkish token tax does to a training plan: a projection from real records.

    The English side is measured on real English records. The Turkish side keeps each
    record's template tokens and multiplies its message tokens by the median Turkish/English
    ratio of :class:`TokenTax` (a template costs the same in both languages). ``turn`` is
    one rendered exchange, a user message and the assistant's answer.
    """

    tokenizer: str
    records: int
    ratio: float
    english_tokens_per_record: float
    turkish_tokens_per_record: float
    english_turn: float
    turkish_turn: float
    context_length: int

    @property
    def english_tokens(self) -> int:
        return round(self.records * self.english_tokens_per_record)

    @property
    def turkish_tokens(self) -> int:
        return round(self.records * self.turkish_tokens_per_record)

    @property
    def extra_tokens(self) -> int:
        return self.turkish_tokens - self.english_tokens

    @property
    def extra_share(self) -> float:
        return self.extra_tokens / self.english_tokens if self.english_tokens else 0.0

    @property
    def english_turns(self) -> int:
        return int(self.context_length // self.english_turn)

    @property
    def turkish_turns(self) -> int:
        return int(self.context_length // self.turkish_turn)

    @property
    def fewer_turns(self) -> int:
        return self.english_turns - self.turkish_turns


def token_tax_plan(
    tax: TokenTax,
    records: Sequence[Mapping[str, Any]],
    *,
    count: int = 1000,
    context_length: int = 4096,
) -> TokenTaxPlan:
    """Project ``count`` records like ``records`` (English, canonical) into Turkish with ``tax``.

    Totals use the mean tokens per record (a sum of ``count`` records); turns per context
    window use the median exchange, BOS left out.
    """
    if not records or count < 0 or context_length < 1:
        raise TokensError(_("bad_plan"))
    english: list[float] = []
    turkish: list[float] = []
    for record in records:
        measured = template_tokens(record, tax.tokenizer)
        english.append(measured.rendered_tokens)
        turkish.append(measured.template_tokens + measured.content_tokens * tax.ratio_median)
    bos = 1
    return TokenTaxPlan(
        tokenizer=tax.tokenizer,
        records=count,
        ratio=tax.ratio_median,
        english_tokens_per_record=statistics.fmean(english),
        turkish_tokens_per_record=statistics.fmean(turkish),
        english_turn=statistics.median(english) - bos,
        turkish_turn=statistics.median(turkish) - bos,
        context_length=context_length,
    )


def find_catalogs(start: str | os.PathLike[str] | None = None) -> Path:
    """The project's Turkish catalogs, ``locales/tr/LC_MESSAGES``, in ``start`` or above it.

    The catalogs live in the source repository, not in the installed package: notebooks
    run inside the repository and find them from their own folder.
    """
    here = Path(start) if start is not None else Path.cwd()
    for folder in (here, *here.resolve().parents):
        candidate = folder / "locales" / "tr" / "LC_MESSAGES"
        if candidate.is_dir():
            return candidate
    raise TokensError(_("no_catalogs", folder=here))


#: Columns of :func:`token_tax_table`, attributes of :class:`TokenTax`.
_TAX_COLUMNS = (
    "tokenizer",
    "messages",
    "median_english",
    "median_turkish",
    "ratio_q1",
    "ratio_median",
    "ratio_q3",
    "total_ratio",
)
#: Columns of :func:`token_tax_plan_table`, attributes of :class:`TokenTaxPlan`.
_PLAN_COLUMNS = (
    "tokenizer",
    "english_tokens",
    "turkish_tokens",
    "extra_tokens",
    "english_turns",
    "turkish_turns",
    "fewer_turns",
)


def _table(
    items: Iterable[object], columns: Sequence[str], prefix: str, lang: str | None
) -> pd.DataFrame:
    """One row per item, one column per attribute, headed by the message ``{prefix}_{name}``."""
    import pandas as pd

    rows = [[getattr(item, name) for name in columns] for item in items]
    return pd.DataFrame(rows, columns=[_(f"{prefix}_{name}", lang) for name in columns])


def token_tax_table(taxes: Iterable[TokenTax], lang: str | None = None) -> pd.DataFrame:
    """One row per tokenizer: tokens per message in each language and the ratio's quartiles."""
    return _table(taxes, _TAX_COLUMNS, "tax", lang)


def token_tax_plan_table(plans: Iterable[TokenTaxPlan], lang: str | None = None) -> pd.DataFrame:
    """One row per tokenizer: what the same records cost in each language, and turns per window."""
    return _table(plans, _PLAN_COLUMNS, "plan", lang)
