"""The exact texts a Mistral chat template encodes for a plain conversation, ahead of encoding.

``talimat tokens`` spends most of its time per record in ``mistral-common``'s request
objects, validation and one tokenizer call per message, not in the tokenizer. For the
common record shape — ``system``, ``user`` and ``assistant`` turns with text content, no
tools — this module reproduces what ``encode_chat_completion`` does in fine-tuning mode
(mistral-common 1.13: validation, ``InstructRequestNormalizer``, ``InstructTokenizerV1``
and ``V3``) as a :class:`Plan`: the strings the template passes to the tokenizer, and
the control tokens it writes around them. The caller encodes the plans of many records
in one batch call and adds up the lengths (:func:`role_counts`). Every other record
shape (tool calls, tool results, tool definitions, content parts) and every record the
validator would refuse gets no plan (``None``): the caller renders it with
``mistral-common`` itself, which counts it or names the reason it refuses.

Hand-written because ``mistral-common`` has no batch or counting API; the tests compare
every plan's counts with ``encode_chat_completion`` on the real records and on generated
conversations, for each tokenizer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["ROLE_INDEX", "Plan", "TemplateVersion", "plan_record", "role_counts"]

#: The instruct template versions a plan reproduces: ``v1`` (Mistral 7B v0.1) and ``v3``
#: (v3 SentencePiece and Tekken; Tekken differs only in the tokenizer under it).
TemplateVersion = Literal["v1", "v3"]

#: Index of each role of ``talimat.tokens.ROLES`` in a plan's counts.
ROLE_INDEX: dict[str, int] = {
    "system": 0,
    "available_tools": 1,
    "user": 2,
    "assistant": 3,
    "tool": 4,
}
_SYSTEM, _USER, _ASSISTANT = ROLE_INDEX["system"], ROLE_INDEX["user"], ROLE_INDEX["assistant"]
_JOIN = "\n\n"  # mistral-common's join of system prompts and of merged turns, and its separator


@dataclass(frozen=True)
class Plan:
    """One record's token count, before encoding: texts to encode and what to add up.

    ``fixed`` holds each role's control tokens (BOS, ``[INST]``/``[/INST]``, EOS);
    ``terms`` says, for each ``(role, text, sign)``, that ``sign`` times the length of
    ``texts[text]`` goes to ``role``. The system prompt's share is measured as
    ``talimat.tokens`` always did: its user turn encoded with it, minus without.
    """

    texts: tuple[str, ...]
    fixed: tuple[int, int, int, int, int]
    terms: tuple[tuple[int, int, int], ...]

    def counts(self, lengths: Sequence[int], start: int = 0) -> tuple[int, ...]:
        """Tokens by role, given the lengths of ``texts`` from ``lengths[start]`` on."""
        counts = list(self.fixed)
        for role, text, sign in self.terms:
            counts[role] += sign * lengths[start + text]
        return tuple(counts)


def _encodable(text: str) -> bool:
    """Whether ``text`` is valid Unicode (no lone surrogate), as a tokenizer needs."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _turns(record: Mapping[str, Any]) -> tuple[list[str], list[str]] | None:
    """Roles and contents of a plain conversation the fine-tuning validator accepts."""
    tools = record.get("tools")
    if not (tools is None or tools == "" or tools == []):
        return None
    turns = record.get("messages")
    if type(turns) is not list or len(turns) < 2:
        return None  # one turn alone must be a user or system turn, so not a finished one
    roles: list[str] = []
    contents: list[str] = []
    previous = None
    for turn in turns:
        if not isinstance(turn, Mapping):
            return None
        role = turn.get("role")
        content = turn.get("content")
        if type(content) is not str or role not in ("system", "user", "assistant"):
            return None
        if role == "assistant" and (not content or turn.get("tool_calls")):
            return None  # no text, or a tool call: mistral-common decides
        if not content.isascii() and not _encodable(content):
            return None  # a lone surrogate: the slow path names the field and refuses it
        if role == "system" and previous == "assistant":
            return None  # the validator refuses a system turn after an assistant turn
        previous = role
        roles.append(role)
        contents.append(content)
    if previous != "assistant":
        return None  # fine-tuning mode refuses a conversation that ends otherwise
    return roles, contents


def _normalized(roles: list[str], contents: list[str]) -> tuple[str | None, list[tuple[str, str]]]:
    """The system prompt and the merged turns, as ``InstructRequestNormalizer`` makes them.

    System turns are joined (empty ones skipped) into one prompt and leave the
    conversation; runs of turns of one role (a system turn ends a run) are merged, their
    non-empty texts joined; a conversation that does not start with a user turn gets an
    empty one.
    """
    pairs = list(zip(roles, contents, strict=True))
    system = _JOIN.join(text for role, text in pairs if role == "system" and text)
    merged: list[tuple[str, str]] = []
    run_role: str | None = None
    run: list[str] = []
    for role, text in pairs:
        if role != run_role:
            if run_role is not None and run_role != "system":
                merged.append((run_role, _JOIN.join(part for part in run if part)))
            run_role, run = role, []
        run.append(text)
    if run_role is not None and run_role != "system":
        merged.append((run_role, _JOIN.join(part for part in run if part)))
    if not merged or merged[0][0] != "user":
        merged.insert(0, ("user", ""))
    return system or None, merged


def plan_record(record: Mapping[str, Any], version: TemplateVersion) -> Plan | None:
    """The plan of a canonical ``messages`` record, or ``None`` if the shape is not plain.

    What each turn contributes (mistral-common 1.13, ``instruct.py``):

    * BOS, once, counted with ``user``;
    * ``v1`` user turn: the text ``"[INST] {content} [/INST]"``, the system prompt and a
      blank line before the content of the *first* user turn;
    * ``v3`` user turn: ``[INST]``, the content (the system prompt and a blank line before
      the content of the *last* user turn), ``[/INST]``;
    * assistant turn: its content (``v3``: trailing spaces stripped), then EOS.
    """
    shape = _turns(record)
    if shape is None:
        return None
    system, turns = _normalized(*shape)
    users = [index for index, (role, _) in enumerate(turns) if role == "user"]
    carrier = users[0] if version == "v1" else users[-1]  # the turn the system prompt joins
    texts: list[str] = []
    terms: list[tuple[int, int, int]] = []
    fixed = [0, 0, 1, 0, 0]  # BOS

    def text(value: str) -> int:
        texts.append(value)
        return len(texts) - 1

    for index, (role, content) in enumerate(turns):
        if role == "assistant":
            said = content if version == "v1" else content.rstrip(" ")
            terms.append((_ASSISTANT, text(said), 1))
            fixed[_ASSISTANT] += 1  # EOS
            continue
        if version == "v1":
            bare = text(f"[INST] {content} [/INST]")
        else:
            bare = text(content)
            fixed[_USER] += 2  # [INST] and [/INST]
        terms.append((_USER, bare, 1))
        if system is not None and index == carrier:
            joined = system + _JOIN + content
            full = text(f"[INST] {joined} [/INST]" if version == "v1" else joined)
            terms += [(_SYSTEM, full, 1), (_SYSTEM, bare, -1)]
    return Plan(tuple(texts), (fixed[0], fixed[1], fixed[2], fixed[3], fixed[4]), tuple(terms))


def role_counts(plans: Sequence[Plan], lengths: Sequence[int]) -> list[tuple[int, ...]]:
    """Tokens by role of each plan, given the lengths of all their texts in order."""
    counted = []
    start = 0
    for plan in plans:
        counted.append(plan.counts(lengths, start))
        start += len(plan.texts)
    return counted
