"""Profile an instruction dataset: sizes, turns, lengths, duplicates and language mix.

One streaming pass over canonical records (OpenAI ``messages`` form) collects everything,
in memory flat in the record count but for a few bytes a turn. Plain records from a
JSONL file are measured a batch at a time (``talimat.profile_text`` holds the text
measurement); ``benchmarks/bench_package.py`` measures the pass against a parse-only
floor.

>>> from talimat.profile import profile_records
>>> report = profile_records([{"messages": [{"role": "user", "content": "Merhaba"}]}])
>>> int(report.counts.set_index("measure").loc["records", "value"])
1

Language shares come from a seeded random sample (reservoir sampling) classified with
py3langid, and are reported with their sample size and a 95% interval: a sample of 2,000
records cannot tell 61.2% from 61.7%, and the report does not pretend it can.
"""

from __future__ import annotations

import json
import math
import os
import random
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING, Any, cast

from talimat.errors import TalimatError

from .formats.fast import PlainRecord, as_dict
from .language import format_number, format_share, messages, resolve_language
from .profile_text import is_turkish, measure_flat, measure_texts, normalize_text, padded_form

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "DatasetProfile",
    "DedupReport",
    "ProfileError",
    "deduplicate",
    "is_turkish",
    "normalize_text",
    "profile_file",
    "profile_records",
]

_ = messages("profile")

ROLES = ("system", "user", "assistant", "tool")
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.99)
LANGUAGE_TEXT_LIMIT = 600  # characters per sampled record given to the language detector
EXAMPLES_SHOWN = 5
#: Plain records measured together: enough that the few calls per batch cost little per
#: record, few enough that a batch's buffers (about 180 kB of text for Alpaca-sized
#: records) stay in a core's cache; 256 measured faster than 64, 1024 or 2048.
BATCH_RECORDS = 256
#: The flat arrays of :class:`_Accumulator` (per turn, then per record).
TALLIES = ("chars", "words", "codes", "numbers", "exact_keys", "normalized_keys")


class ProfileError(TalimatError):
    """A record is not in canonical ``messages`` form; the message names record and field."""


def _message_fields(message: Any, number: int, index: int) -> tuple[str, str]:
    """Role and content of a message that missed the fast path: checked, ``None`` as ``""``."""
    where = f"record {number}, field 'messages[{index}]"
    if not isinstance(message, Mapping):
        raise ProfileError(f"{where}': expected an object, got {type(message).__name__}")
    role, content = message.get("role"), message.get("content")
    if not isinstance(role, str):
        raise ProfileError(f"{where}.role': expected a string, got {type(role).__name__}")
    if content is None:  # an assistant turn that only calls tools
        content = ""
    elif isinstance(content, list):  # content parts: their text, one part a line
        content = "\n".join(
            str(part.get("text", part.get("value", "")))
            for part in content
            if isinstance(part, Mapping) and part.get("type") == "text"
        )
    elif not isinstance(content, str):
        raise ProfileError(f"{where}.content': expected a string, got {type(content).__name__}")
    return role, content


def _canonical(
    record: Any, number: int, file: str = "<memory>", fmt: str | None = None
) -> Mapping[str, Any]:
    """A record in ``messages`` form: checked, or converted from alpaca or ShareGPT."""
    if not isinstance(record, Mapping):
        raise ProfileError(f"record {number}: expected an object, got {type(record).__name__}")
    if "messages" in record and fmt in (None, "messages"):
        if not isinstance(record["messages"], list):
            raise ProfileError(f"record {number}, field 'messages': expected a list of messages")
        return record
    from .formats import to_messages  # alpaca and ShareGPT records convert on the way in

    canonical = to_messages(record, cast(Any, fmt), file=file, number=number)
    if "messages" not in canonical:  # TRL language modeling: one document, no roles
        return {"messages": [{"role": "text", "content": canonical["text"]}]}
    if "chosen" in canonical:  # a preference pair is profiled as its preferred conversation
        return {"messages": [*canonical["messages"], *canonical["chosen"]]}
    return canonical


_ROLE_CODES = {"user": 1, "assistant": 2}
_PLAIN_CODES = {role: _ROLE_CODES.get(role, 0) for role in ROLES}  # a PlainRecord's roles


def _checked_turns(turns: list[Any], number: int) -> tuple[list[str], list[str]]:
    """Roles and contents of messages that missed the fast path: checked, ``None`` as ``""``."""
    roles, texts = [], []
    for index, message in enumerate(turns):
        role, content = _message_fields(message, number, index)
        roles.append(role)
        texts.append(content)
    return roles, texts


def _turns(record: Any, number: int) -> list[tuple[str, str, Mapping[str, Any]]]:
    """The checked (role, content, message) triples of a record."""
    turns = []
    for index, message in enumerate(_canonical(record, number)["messages"]):
        role, content = _message_fields(message, number, index)
        turns.append((role, content, message))
    return turns


def _exact_key(messages: list[Any]) -> int:
    """Exact duplicate key of messages with extra keys (name, tool_call …): all of them count."""
    return hash(
        tuple(json.dumps(m, ensure_ascii=False, sort_keys=True, default=str) for m in messages)
    )


def _key(turns: list[tuple[str, str, Mapping[str, Any]]], normalized: bool) -> int:
    """The duplicate key of a record, the same as the one the profile computes in its pass.

    A 64-bit hash of the roles and texts: two different records share a key with a
    probability of about n² / 2⁶⁵, under one in ten million for a million records.
    """
    roles = tuple(role for role, _, _ in turns)
    texts = [content for _, content, _ in turns]
    if normalized:
        return hash((roles, padded_form(measure_texts(texts)[1])))
    messages = [message for _, _, message in turns]
    if _plain(messages):
        return hash((roles, tuple(texts)))
    return _exact_key(messages)


def _plain(messages: list[Any]) -> bool:
    """True when the messages hold only a role and a content each (they all have a role)."""
    return sum(map(len, messages)) == 2 * len(messages)


def _wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval for a proportion; honest for small samples and shares near 0."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def _repeats(keys: Any, numbers: Any) -> tuple[Any, Any]:
    """(records, first records with the same key): two arrays, a repeat each, in record order.

    The same pairs a dict of first sightings gives while streaming, from two flat arrays
    sorted once at the end (a stable sort keeps each key's records in file order). Kept
    as arrays (16 bytes a pair): as Python tuples a file of mostly repeated records took
    about 700 MiB for its 800,000 pairs of each kind (measured).
    """
    import numpy as np

    if not len(keys):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.empty(len(ordered), dtype=bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    del ordered
    first_positions = np.flatnonzero(starts)
    repeat_positions = np.flatnonzero(~starts)
    del starts
    # Each repeat's group starts at the last first position before it.
    group = first_positions[np.searchsorted(first_positions, repeat_positions, side="right") - 1]
    later, first = order[repeat_positions], order[group]
    del order
    in_file_order = np.argsort(later, kind="stable")
    later, first = later[in_file_order], first[in_file_order]
    return numbers[later], numbers[first]


def _sample_text(turns: Iterable[Any]) -> str:
    """What the language detector reads of a record: its prompts and responses, the first
    :data:`LANGUAGE_TEXT_LIMIT` characters."""
    return "\n".join(
        message.get("content") or ""
        for message in turns
        if isinstance(message, Mapping) and message.get("role") in ("user", "assistant")
    )[:LANGUAGE_TEXT_LIMIT]


class _Reservoir:
    """A uniform sample of a stream by reservoir sampling, Algorithm L (Li, 1994).

    Each item is kept with equal probability; only items that enter the reservoir cost
    random draws, so a million records need a few thousand. Which positions enter, and
    where, depends on the seed and the positions only, never on the items: :meth:`skip`
    replays the draws for items read elsewhere, so a worker reading a later part of a
    file samples exactly as one pass over the whole file would.
    """

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.items: list[Any] = []
        self.rng = random.Random(seed)
        self.weight = 1.0
        self.next_pick = 0

    def wants(self, position: int) -> bool:
        """True when the item at ``position`` (1-based, in stream order) enters the sample."""
        return len(self.items) < self.size or position == self.next_pick

    def put(self, position: int, item: Any) -> None:
        """Put the item at ``position`` in the sample; only for a position it :meth:`wants`."""
        size = self.size
        if len(self.items) < size:
            self.items.append(item)
            if len(self.items) < size:
                return
        else:
            self.items[self.rng.randrange(size)] = item
        self.weight *= math.exp(math.log(self._uniform()) / size)
        gap = math.log(self._uniform()) / math.log1p(-self.weight) if self.weight < 1 else 0.0
        self.next_pick = position + math.floor(gap) + 1

    def skip(self, count: int) -> None:
        """Take ``count`` items seen elsewhere, from the start: their places hold None."""
        if self.size <= 0:
            return
        while len(self.items) < min(self.size, count):
            self.put(len(self.items) + 1, None)
        while len(self.items) == self.size and self.next_pick <= count:
            self.put(self.next_pick, None)

    def _uniform(self) -> float:
        """A random number in (0, 1): never 0, so its logarithm is finite."""
        value = self.rng.random()
        while value == 0.0:
            value = self.rng.random()
        return value


class _Accumulator:
    """Everything the profile needs, gathered in one pass (the hot loop of this module).

    Per record it keeps only what cannot be recovered later: turn lengths in flat arrays,
    the record's role pattern (counted in a small dict: conversations repeat a handful
    of patterns), and its two duplicate keys. Counts by role and turn are derived from
    the patterns in :meth:`finish`.
    """

    def __init__(
        self, language_sample: int, seed: int, file: str = "<memory>", fmt: str | None = None
    ) -> None:
        self.file = file
        self.format = fmt  # None: canonical records, alpaca and ShareGPT ones converted
        self.records = 0
        self.empty_records = 0
        self.empty_turns = 0
        self.patterns: dict[tuple[str, ...], list[Any]] = {}  # roles → [records, role codes]
        # Flat arrays, not per-record objects: 4 bytes per turn for each length, 8 per
        # record for each duplicate key and its number (under 60 bytes a record in all).
        # chars, words, codes (1 user, 2 assistant, 0 other roles): per turn, in order;
        # numbers, exact_keys, normalized_keys: per record, its number and duplicate keys.
        self.chars, self.words, self.codes = array("i"), array("i"), array("b")
        self.numbers, self.exact_keys, self.normalized_keys = array("q"), array("q"), array("q")
        #: kind → (records, first records with the same key), two int64 arrays (finish)
        self.pairs: dict[str, tuple[Any, Any]] = {}
        self.sample_size = language_sample
        self.reservoir = _Reservoir(language_sample, seed)

    @property
    def sample(self) -> list[tuple[int, str]]:
        """The sampled records' (number, text) pairs, for the language detector."""
        return self.reservoir.items

    def add(self, number: int, record: Any) -> None:
        turns = record.get("messages") if type(record) is dict and not self.format else None
        if type(turns) is not list:
            turns = _canonical(record, number, self.file, self.format)["messages"]
        try:  # fast path: str roles and contents; a join or a lookup fails otherwise
            roles = [message["role"] for message in turns]
            texts = [message["content"] for message in turns]
            "".join(roles)
            word_counts, folded = measure_texts(texts)
        except (TypeError, KeyError):
            roles, texts = _checked_turns(turns, number)
            word_counts, folded = measure_texts(texts)
        exact = hash((tuple(roles), tuple(texts))) if _plain(turns) else _exact_key(turns)
        self._take(number, roles, texts, word_counts, folded, exact, turns)

    def add_plain(self, number: int, record: PlainRecord) -> None:
        """A plain record of the fast path (role and string content per message)."""
        messages = record.messages
        roles: list[str] = [message.role for message in messages]
        texts = [message.content for message in messages]
        word_counts, folded = measure_texts(texts)
        exact = hash((tuple(roles), tuple(texts)))
        self._take(number, roles, texts, word_counts, folded, exact, record)

    def add_batch(
        self,
        numbers: list[int],
        records: list[PlainRecord],
        patterns: list[tuple[str, ...]],
        texts: list[str],
    ) -> None:
        """Plain records of the fast path, measured together: what :meth:`add_plain` of
        each would give, with a few calls per batch where that takes a few per record.

        ``patterns`` are the records' roles and ``texts`` every message's content, record
        by record, as the reader lists them (:class:`~.formats.convert.PlainBatch`).
        """
        import numpy as np

        sizes = list(map(len, patterns))
        words, folded = measure_flat(texts, sizes)
        codes = {}
        for role_key, count in Counter(patterns).items():  # first seen first, as _take
            codes[role_key] = self._count_pattern(role_key, count)
        self.codes.frombytes(b"".join([codes[role_key] for role_key in patterns]))
        self.chars.extend(map(len, texts))
        self.words.frombytes(words.astype(np.int32).tobytes())
        nonempty = words > 0
        self.empty_turns += len(words) - int(np.count_nonzero(nonempty))
        ends = list(accumulate(sizes))
        starts = [0, *ends[:-1]]
        per_record = np.add.reduceat(nonempty.astype(np.int32), starts)
        self.empty_records += len(records) - int(np.count_nonzero(per_record))
        self.numbers.extend(numbers)
        # Each record's texts as a tuple, sliced from the flat list: the key add_plain makes.
        record_texts = map(tuple, map(texts.__getitem__, map(slice, starts, ends)))
        self.exact_keys.extend(map(hash, zip(patterns, record_texts, strict=True)))
        self.normalized_keys.extend(map(hash, zip(patterns, folded, strict=True)))
        before = self.records
        self.records += len(records)
        if self.sample_size > 0:
            self._sample_batch(before, numbers, records)

    def _sample_batch(self, before: int, numbers: list[int], records: list[PlainRecord]) -> None:
        """The reservoir steps :meth:`_take` takes for these records (``before`` were read)."""
        reservoir, index = self.reservoir, 0
        while len(reservoir.items) < reservoir.size and index < len(records):
            text = _sample_text(as_dict(records[index])["messages"])
            reservoir.put(before + index + 1, (numbers[index], text))
            index += 1
        if len(reservoir.items) >= reservoir.size:
            while reservoir.next_pick <= self.records:
                index = reservoir.next_pick - before - 1
                text = _sample_text(as_dict(records[index])["messages"])
                reservoir.put(reservoir.next_pick, (numbers[index], text))

    def _count_pattern(self, role_key: tuple[str, ...], count: int) -> bytes:
        """Count ``count`` records of this role pattern; return its role codes, one a turn."""
        pattern = self.patterns.get(role_key)
        if pattern is None:
            codes = bytes(_ROLE_CODES.get(role, 0) for role in role_key)
            pattern = self.patterns[role_key] = [0, codes]
        pattern[0] += count
        return cast(bytes, pattern[1])

    def _take(
        self,
        number: int,
        roles: list[str],
        texts: list[str],
        word_counts: list[int],
        folded: bytes,
        exact: int,
        source: Any,
    ) -> None:
        self.records += 1
        role_key = tuple(roles)
        self.codes.frombytes(self._count_pattern(role_key, 1))
        self.chars.extend(map(len, texts))
        self.words.extend(word_counts)
        empty = word_counts.count(0)
        self.empty_turns += empty
        self.empty_records += empty == len(word_counts)
        self.numbers.append(number)
        self.exact_keys.append(exact)
        self.normalized_keys.append(hash((role_key, padded_form(folded))))
        if self.sample_size > 0 and self.reservoir.wants(self.records):
            if type(source) is PlainRecord:
                source = as_dict(source)["messages"]
            self.reservoir.put(self.records, (number, _sample_text(source)))

    def finish(self) -> None:
        """Derive the counts from the role patterns, split lengths by role, find duplicates."""
        import numpy as np

        self.roles: Counter[str] = Counter()
        self.turns_per_record: Counter[int] = Counter()
        self.single_turn = self.multi_turn = self.no_prompt = self.with_system = 0
        for roles, (count, _codes) in self.patterns.items():
            self.turns_per_record[len(roles)] += count
            for role in roles:
                self.roles[role] += count
            users = roles.count("user")
            if users == 0:
                self.no_prompt += count
            elif users == 1:
                self.single_turn += count
            else:
                self.multi_turn += count
            self.with_system += count * ("system" in roles)
        # Each flat array is released as soon as what it holds has been derived, so the
        # peak stays near the arrays themselves (a million records: well under 100 MB).
        codes = np.frombuffer(self.codes, dtype=np.int8)
        chars = np.frombuffer(self.chars, dtype=np.int32)
        words = np.frombuffer(self.words, dtype=np.int32)
        prompt, response = codes == 1, codes == 2
        self.prompt_chars, self.prompt_words = chars[prompt], words[prompt]
        self.response_chars, self.response_words = chars[response], words[response]
        del codes, chars, words, prompt, response
        self.codes, self.chars, self.words = array("b"), array("i"), array("i")
        numbers = np.frombuffer(self.numbers, dtype=np.int64)
        exact = _repeats(np.frombuffer(self.exact_keys, dtype=np.int64), numbers)
        self.exact_keys = array("q")
        normalized = _repeats(np.frombuffer(self.normalized_keys, dtype=np.int64), numbers)
        self.normalized_keys = array("q")
        del numbers
        self.numbers = array("q")
        self.pairs = {"exact": exact, "normalized": normalized}

    def take_tallies(self) -> dict[str, array[Any]]:
        """The flat arrays gathered so far, by name, each replaced by an empty one.

        A worker process writes them to files as it goes (:mod:`talimat.profile_workers`),
        so that its memory stays flat.
        """
        taken = {}
        for name in TALLIES:
            taken[name] = getattr(self, name)
            setattr(self, name, array(taken[name].typecode))
        return taken

    def absorb(self, part: _Accumulator) -> None:
        """Take in what another accumulator gathered over the records after this one's.

        ``part`` started where this one stops (its ``records`` counted from there, its
        reservoir replaying the draws before it): the result is what one accumulator
        would hold after reading both in order.
        """
        self.records = part.records
        self.empty_records += part.empty_records
        self.empty_turns += part.empty_turns
        for role_key, (count, codes) in part.patterns.items():  # first seen first
            pattern = self.patterns.setdefault(role_key, [0, codes])
            pattern[0] += count
        for name in TALLIES:
            mine, theirs = getattr(self, name), getattr(part, name)
            if not len(mine):  # nothing here yet: the part's array, not a copy of it
                setattr(self, name, theirs)
            elif len(theirs):
                mine.extend(theirs)
            setattr(part, name, None)  # let each go as soon as it is taken
        items = self.reservoir.items
        for place, item in enumerate(part.reservoir.items):
            if item is not None:  # None: a place the records before it filled
                if place < len(items):
                    items[place] = item
                else:
                    items.append(item)


@dataclass
class DatasetProfile:
    """What :func:`profile_records` found; tables keep English keys and raw numbers.

    Use :meth:`tables` for headers in the reader's language, :meth:`summary` for a
    paragraph and :meth:`plot_lengths` for a histogram.
    """

    records: int
    counts: pd.DataFrame
    turns_per_record: pd.DataFrame
    lengths: pd.DataFrame
    duplicates: pd.DataFrame
    duplicate_pairs: pd.DataFrame
    languages: pd.DataFrame
    language_sample_size: int
    turn_lengths: pd.DataFrame = field(repr=False)
    lang: str | None = None
    #: What ``talimat validate`` reports for the file (:func:`profile_file` only).
    problems: list[Any] = field(default_factory=list, repr=False)

    def _count(self, measure: str) -> int:
        return int(cast(float, self.counts.set_index("measure").loc[measure, "value"]))

    def summary(self, lang: str | None = None) -> str:
        """A short paragraph in the reader's language; numbers written their way."""
        language = resolve_language(lang if lang is not None else self.lang)
        if self.records == 0:
            return _("summary_empty", language)

        def number(value: float) -> str:
            return format_number(value, language)

        def share(part: int) -> str:
            return format_share(part / self.records, language)

        median = self.lengths.set_index("measure")["median"]
        sentences = [
            _(
                "summary_size",
                language,
                records=number(self.records),
                multi=number(self._count("multi_turn")),
                multi_share=share(self._count("multi_turn")),
                turns=number(self._count("turns")),
            )
        ]
        prompt_words, response_words = median["prompt_words"], median["response_words"]
        if not (math.isnan(prompt_words) or math.isnan(response_words)):
            sentences.append(
                _(
                    "summary_lengths",
                    language,
                    prompt=number(round(prompt_words)),
                    response=number(round(response_words)),
                )
            )
        dup = self.duplicates.set_index("kind")["duplicates"]
        exact, normalized = int(dup["exact"]), int(dup["normalized"])
        if normalized == 0:
            sentences.append(_("summary_no_duplicates", language))
        else:
            sentences.append(
                _(
                    "summary_duplicates",
                    language,
                    exact=number(exact),
                    exact_share=share(exact),
                    normalized=number(normalized),
                    normalized_share=share(normalized),
                )
            )
        empty_records, empty_turns = self._count("empty_records"), self._count("empty_turns")
        if empty_records or empty_turns:
            sentences.append(
                _(
                    "summary_empty_parts",
                    language,
                    records=number(empty_records),
                    turns=number(empty_turns),
                )
            )
        sentences.append(self._language_sentence(language))
        return " ".join(sentences)

    def _language_sentence(self, language: str) -> str:
        n = self.language_sample_size
        if n == 0:
            return _("summary_language_skipped", language)
        rows = self.languages.set_index("language")
        census = n == self.records

        def part(code: str) -> str:
            count = int(cast(float, rows.loc[code, "records"]))
            text = format_share(count / n, language)
            if census:
                return text
            low, high = (float(cast(float, rows.loc[code, side])) for side in ("low", "high"))
            margin = max(1, round(100 * (high - low) / 2))
            return _(
                "share_with_margin", language, share=text, margin=format_number(margin, language)
            )

        key = "summary_language_census" if census else "summary_language_sample"
        return _(
            key,
            language,
            sample=format_number(n, language),
            tr=part("tr"),
            en=part("en"),
            other=part("other"),
        )

    def tables(self, lang: str | None = None) -> dict[str, pd.DataFrame]:
        """The report's tables with headers and row labels in the reader's language.

        Keys: ``counts``, ``turns``, ``lengths``, ``duplicates``, ``languages``. Values stay
        numeric; pass a table to :func:`talimat.language.localized_table` to display it.
        """
        language = resolve_language(lang if lang is not None else self.lang)

        def label(column: Any) -> list[str]:
            return [_(f"row_{key}", language) for key in column]

        counts = self.counts.assign(measure=label(self.counts["measure"]))
        lengths = self.lengths.assign(measure=label(self.lengths["measure"]))
        duplicates = self.duplicates.assign(kind=label(self.duplicates["kind"]))
        languages = self.languages.assign(language=label(self.languages["language"]))
        frames = {
            "counts": counts,
            "turns": self.turns_per_record,
            "lengths": lengths,
            "duplicates": duplicates,
            "languages": languages,
        }
        return {
            name: frame.rename(columns={c: _(f"col_{c}", language) for c in frame.columns})
            for name, frame in frames.items()
        }

    def plot_lengths(
        self, ax: Axes | None = None, lang: str | None = None, *, unit: str = "words"
    ) -> Axes:
        """Histogram of prompt and response lengths (``unit``: ``words`` or ``characters``).

        Lengths are skewed, so bins are logarithmic; empty turns are counted in the first bin.
        """
        import numpy as np

        if unit not in ("words", "characters"):
            raise ValueError(f"unit must be 'words' or 'characters', not {unit!r}")
        language = resolve_language(lang if lang is not None else self.lang)
        if ax is None:
            import matplotlib.pyplot as plt

            _figure, ax = plt.subplots(figsize=(7, 4))
        values = self.turn_lengths[unit].to_numpy()
        top = max(2, int(values.max()) + 1) if len(values) else 2
        bins = np.unique(np.geomspace(1, top, 40).round())
        for side in ("prompt", "response"):
            subset = self.turn_lengths.loc[self.turn_lengths["side"] == side, unit].to_numpy()
            if len(subset):
                ax.hist(
                    np.clip(subset, 1, None),
                    bins=list(bins),
                    alpha=0.6,
                    label=_(f"legend_{side}", language),
                )
        ax.set_xscale("log")
        # Tick labels the reader's way (1.000 in Turkish), not matplotlib's plain numbers.
        from matplotlib.ticker import FuncFormatter

        ticks = FuncFormatter(
            lambda value, _pos: format_number(value, language) if value >= 1 else ""
        )
        ax.xaxis.set_major_formatter(ticks)
        ax.yaxis.set_major_formatter(ticks)
        ax.set_xlabel(_(f"axis_length_{unit}", language))
        ax.set_ylabel(_("axis_turns", language))
        ax.set_title(_("plot_title", language))
        if len(values):
            ax.legend()
        return ax


def _length_table(acc: _Accumulator) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    rows = []
    for measure, values in (
        ("prompt_characters", acc.prompt_chars),
        ("prompt_words", acc.prompt_words),
        ("response_characters", acc.response_chars),
        ("response_words", acc.response_words),
    ):
        data = np.asarray(values)
        row: dict[str, Any] = {"measure": measure, "turns": len(data)}
        if len(data):
            quantiles = np.quantile(data, QUANTILES)
            row |= {"mean": float(data.mean()), "min": int(data.min())}
            row |= {_quantile_name(q): float(v) for q, v in zip(QUANTILES, quantiles, strict=True)}
            row["max"] = int(data.max())
        else:
            row |= {"mean": math.nan, "min": math.nan, "max": math.nan}
            row |= {_quantile_name(q): math.nan for q in QUANTILES}
        rows.append(row)
    columns = ["measure", "turns", "mean", "min", *map(_quantile_name, QUANTILES), "max"]
    return pd.DataFrame(rows, columns=columns)


def _quantile_name(q: float) -> str:
    return "median" if q == 0.5 else f"p{round(q * 100)}"


def _turn_lengths(acc: _Accumulator) -> pd.DataFrame:
    """One row per prompt and response turn: its side, characters and words (for plots)."""
    import numpy as np
    import pandas as pd

    side = pd.Categorical.from_codes(
        np.repeat(
            np.array([0, 1], dtype=np.int8), [len(acc.prompt_chars), len(acc.response_chars)]
        ),
        categories=pd.Index(["prompt", "response"]),
    )
    return pd.DataFrame(
        {
            "side": side,
            "characters": np.concatenate([acc.prompt_chars, acc.response_chars]),
            "words": np.concatenate([acc.prompt_words, acc.response_words]),
        },
        copy=False,  # the columns are fresh int32 arrays already
    )


def _detect_languages(sample: list[tuple[int, str]]) -> Counter[str]:
    """Each sampled text's language, by py3langid's own model (what ``py3langid.classify`` uses).

    The model is loaded for the call and let go after it, not kept in py3langid's global:
    it holds 72 MiB that the rest of a large profile needs (a file of repeated records
    peaked at 300 MiB with it kept, 1,000,000 records). Loading it again costs about 0.5 s
    a profile.
    """
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    found: Counter[str] = Counter()
    texts = [text for _number, text in sample if text.strip()]
    if len(texts) < len(sample):
        found["none"] = len(sample) - len(texts)
    if not texts:
        return found
    classify = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False).classify
    for text in texts:
        code, _score = classify(text)
        found[code if code in ("tr", "en") else "other"] += 1
    return found


def profile_records(
    records: Iterable[Mapping[str, Any]],
    *,
    lang: str | None = None,
    language_sample: int = 2000,
    seed: int = 0,
) -> DatasetProfile:
    """Profile records in one streaming pass.

    ``records`` may be any iterable of records in ``messages`` form (alpaca and ShareGPT
    records are converted on the way); it is read once. Record numbers in the report are
    1-based. ``lang`` sets the default language of :meth:`DatasetProfile.summary` and
    friends. Language shares are estimated from ``language_sample`` records drawn at
    random with ``seed`` (0 skips language detection). To profile a file, see
    :func:`profile_file`.
    """
    return _profile(enumerate(records, start=1), _Accumulator(language_sample, seed), lang)


def profile_file(
    path: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    lang: str | None = None,
    language_sample: int = 2000,
    seed: int = 0,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
    workers: int | None = None,
) -> DatasetProfile:
    """Profile a dataset file, read by the validator's reader and record checker.

    Every record is checked as ``talimat validate`` checks it, and
    :attr:`DatasetProfile.problems` lists exactly the problems validation reports. A
    profile still counts what validation refuses (empty turns, records without a prompt):
    a bad record that is still a conversation is profiled as it is. A record that is
    not one at all (a line that does not parse, a message without a string role or
    content) raises :class:`ProfileError` or :class:`talimat.formats.RecordError` naming
    the file, record (the line number) and field. ``fmt`` forces the records' format.

    ``workers`` is how many processes read a large JSONL file, each a part of it
    (:mod:`talimat.profile_workers`); the report is the same for any number. ``None``
    lets :func:`talimat.profile_workers.workers_for` choose (one for a small file, a
    progress bar or another format); 1 reads the file in this process. ``progress``
    wraps the record stream of a pass in this process, for a progress bar; worker
    processes do not call it.
    """
    from .formats.convert import checked_batches, checked_records
    from .profile_workers import profile_in_workers, workers_for

    _check_options(language_sample, lang)
    file = os.fspath(path)
    problems: list[Any] = []
    accumulator = _Accumulator(language_sample, seed, file, None)
    count = workers_for(file, fmt, workers, progress is not None)
    try:
        parts = profile_in_workers(file, fmt, count, language_sample, seed) if count > 1 else None
        if parts is not None:
            for part, found in parts:
                accumulator.absorb(part)
                problems += found
        elif progress is not None:
            # A progress bar counts records: it gets them one by one, the pass in blocks.
            _pass(progress(_readable(checked_records(file, fmt, problems), file)), accumulator)
        else:
            _pass(_readable(checked_batches(file, fmt, problems), file), accumulator)
    except ProfileError as error:
        raise ProfileError(f"{file}: {error}") from None
    result = _report(accumulator, lang)
    result.problems = problems
    return result


def _check_options(language_sample: int, lang: str | None) -> None:
    if language_sample < 0:
        raise ValueError(f"language_sample must be 0 or more, not {language_sample}")
    if lang is not None:
        resolve_language(lang)


def _readable(items: Iterable[Any], file: str) -> Iterator[Any]:
    """The checked records and blocks, raising :class:`ProfileError` at the first one that
    is not a record at all (nothing to profile: it says why, as validate does)."""
    from .formats.convert import PlainBatch
    from .formats.problems import Bad

    for item in items:
        if type(item) is not PlainBatch and isinstance(item[1], Bad):
            number, record = item
            raise ProfileError(f"record {number}: {record.problem(file, number).localized()}")
        yield item


def _profile(
    numbered: Iterable[Any],
    acc: _Accumulator,
    lang: str | None,
    batch_size: int = BATCH_RECORDS,
) -> DatasetProfile:
    """Run the pass over numbered records (and blocks of plain records) and build the report."""
    _check_options(acc.sample_size, lang)
    _pass(numbered, acc, batch_size)
    return _report(acc, lang)


def _pass(numbered: Iterable[Any], acc: _Accumulator, batch_size: int = BATCH_RECORDS) -> None:
    """Give ``acc`` every record of ``numbered``, in order.

    ``numbered`` gives ``(number, record)`` pairs and :class:`~.formats.convert.PlainBatch`
    blocks, in file order. Plain records are measured at least ``batch_size`` at a time
    (:meth:`_Accumulator.add_batch`; whole blocks, so a little more); 0 measures each
    alone (:meth:`_Accumulator.add_plain`), the reference path the batch path is tested
    against.
    """
    from .formats import gc_paused  # one pause helper for every streaming loop
    from .formats.convert import PlainBatch

    # Plain records waiting to be measured together, in file order.
    numbers: list[int] = []
    batch: list[PlainRecord] = []
    patterns: list[tuple[str, ...]] = []
    texts: list[str] = []

    def measure() -> None:
        nonlocal numbers, batch, patterns, texts
        if batch:
            acc.add_batch(numbers, batch, patterns, texts)
            numbers, batch, patterns, texts = [], [], [], []

    with gc_paused():
        for item in numbered:
            if type(item) is PlainBatch:
                if batch_size == 0:
                    for number, record in enumerate(item.records, item.first):
                        acc.add_plain(number, record)
                    continue
                numbers += range(item.first, item.first + len(item.records))
                batch += item.records
                patterns += item.patterns
                texts += item.texts
                if len(batch) >= batch_size:
                    measure()
                continue
            number, record = item
            if batch_size == 0:
                if type(record) is PlainRecord:
                    acc.add_plain(number, record)
                else:
                    acc.add(number, record)
            elif type(record) is PlainRecord:
                numbers.append(number)
                batch.append(record)
                roles = tuple([message.role for message in record.messages])
                patterns.append(roles)
                texts += [message.content for message in record.messages]
                if len(batch) >= batch_size:
                    measure()
            else:
                measure()  # records stay in file order
                acc.add(number, record)
        measure()


def _report(acc: _Accumulator, lang: str | None) -> DatasetProfile:
    """The report of a finished pass."""
    import pandas as pd

    # Languages first: the detector's model (about 100 MB at its peak while it loads)
    # then never meets the temporaries of finish(). Loading it in a thread during the
    # pass hid its 0.4 to 0.8 s on a free core but raised the peak on 1,000,000 records
    # from 279 to 290-297 MiB (measured), too near the 300 MiB target.
    found = _detect_languages(acc.sample)
    acc.finish()

    other_roles = sum(n for role, n in acc.roles.items() if role not in ROLES)
    count_rows = [
        ("records", acc.records),
        ("single_turn", acc.single_turn),
        ("multi_turn", acc.multi_turn),
        ("no_prompt", acc.no_prompt),
        ("with_system", acc.with_system),
        ("turns", sum(acc.roles.values())),
        *((f"turns_{role}", acc.roles.get(role, 0)) for role in ROLES),
        ("turns_other", other_roles),
        ("empty_records", acc.empty_records),
        ("empty_turns", acc.empty_turns),
    ]
    counts = pd.DataFrame(count_rows, columns=["measure", "value"])

    turns = pd.DataFrame(sorted(acc.turns_per_record.items()), columns=["turns", "records"])
    turns["share"] = turns["records"] / acc.records if acc.records else []

    import numpy as np

    duplicate_rows = []
    for kind in ("exact", "normalized"):
        records, firsts = acc.pairs[kind]
        shown = zip(
            records[:EXAMPLES_SHOWN].tolist(), firsts[:EXAMPLES_SHOWN].tolist(), strict=True
        )
        duplicate_rows.append(
            {
                "kind": kind,
                "duplicates": len(records),
                "groups": len(np.unique(firsts)),
                "share": len(records) / acc.records if acc.records else math.nan,
                "examples": ", ".join(f"{record}→{first}" for record, first in shown),
            }
        )
    duplicates = pd.DataFrame(duplicate_rows)
    # Columns from the arrays, not copied again, with the kind as a category: no Python
    # object per pair, as a file can repeat almost every record (then each array is
    # about as long as the file, measured: 1,000,000 records, 1,616,110 pairs).
    pairs = [acc.pairs.pop(kind) for kind in ("exact", "normalized")]
    kinds = pd.Categorical.from_codes(
        np.repeat(np.array([0, 1], dtype=np.int8), [len(pairs[0][0]), len(pairs[1][0])]),
        categories=pd.Index(["exact", "normalized"]),
    )
    repeats = np.concatenate([pairs[0][0], pairs[1][0]])
    firsts = np.concatenate([pairs[0][1], pairs[1][1]])
    del pairs
    duplicate_pairs = pd.DataFrame(
        {"kind": kinds, "record": repeats, "first_record": firsts}, copy=False
    )
    del repeats, firsts

    n = len(acc.sample)
    language_rows = []
    census = n == acc.records  # every record was checked: no sampling error to report
    for code in ("tr", "en", "other", "none"):
        share = found[code] / n if n else math.nan
        low, high = (share, share) if census else _wilson(found[code], n)
        language_rows.append(
            {"language": code, "records": found[code], "share": share, "low": low, "high": high}
        )
    languages = pd.DataFrame(language_rows)

    return DatasetProfile(
        records=acc.records,
        counts=counts,
        turns_per_record=turns,
        lengths=_length_table(acc),
        duplicates=duplicates,
        duplicate_pairs=duplicate_pairs,
        languages=languages,
        language_sample_size=n,
        turn_lengths=_turn_lengths(acc),
        lang=lang,
    )


@dataclass
class DedupReport:
    """What :func:`deduplicate` dropped: each record number with the earlier one it repeats."""

    total: int
    kept: int
    dropped: pd.DataFrame  # columns: record, duplicate_of (1-based record numbers)
    normalized: bool

    def summary(self, lang: str | None = None) -> str:
        language = resolve_language(lang)
        key = "dedup_normalized" if self.normalized else "dedup_exact"
        return _(
            key,
            language,
            total=format_number(self.total, language),
            kept=format_number(self.kept, language),
            dropped=format_number(len(self.dropped), language),
        )

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """The dropped records, with headers in the reader's language."""
        language = resolve_language(lang)
        return self.dropped.rename(
            columns={c: _(f"col_{c}", language) for c in self.dropped.columns}
        )


def deduplicate(
    records: Iterable[Mapping[str, Any]], *, normalized: bool = True
) -> tuple[list[Mapping[str, Any]], DedupReport]:
    """Drop repeated records, keeping the first occurrence of each.

    With ``normalized=True`` two records count as the same when their roles match and
    their texts match after :func:`normalize_text`; otherwise messages must be identical.
    Every dropped record is listed in the report with the record it repeats.
    """
    import pandas as pd

    seen: dict[int, int] = {}
    kept: list[Mapping[str, Any]] = []
    dropped: list[tuple[int, int]] = []
    total = 0
    for number, record in enumerate(records, start=1):
        total = number
        first = seen.setdefault(_key(_turns(record, number), normalized), number)
        if first == number:
            kept.append(record)
        else:
            dropped.append((number, first))
    frame = pd.DataFrame(dropped, columns=["record", "duplicate_of"])
    return kept, DedupReport(total=total, kept=len(kept), dropped=frame, normalized=normalized)
