"""The batched counts of talimat.tokens (talimat.token_plans) equal mistral-common's own.

Every count is compared with the slow path kept in talimat.tokens: ``encode_record`` is
``encode_chat_completion`` in fine-tuning mode, and ``_encode`` splits that very token list
by role (it is checked against ``encode_record`` token for token in test_tokens.py).
"""

from __future__ import annotations

import importlib.util
import itertools
import json
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("mistral_common")

from talimat import token_plans, tokens
from talimat.formats import read_records
from talimat.samples import BOOKSHOP_SUPPORT, sample_path

PUBLIC = Path(str(resources.files("talimat").joinpath("data", "public")))
LLAMAFACTORY = PUBLIC / "llamafactory"
ROOT = Path(__file__).resolve().parents[1]
NAMES = list(tokens.TOKENIZERS)


def records(path: Path) -> list[dict[str, Any]]:
    return read_records(path, strict=False).records


def preference_conversations(path: Path) -> list[dict[str, Any]]:
    """Each DPO record as the two conversations a trainer renders: prompt + chosen, + rejected."""
    found = []
    for record in records(path):
        for answer in (record["chosen"], record["rejected"]):
            found.append({"messages": [*record["messages"], *answer]})
    return found


def catalog_conversations(count: int) -> list[dict[str, Any]]:
    """Turkish text from the project's own catalogs: the msgstrs, answering their msgids."""
    pairs = tokens.catalog_pairs(tokens.find_catalogs(ROOT))[:count]
    return [
        {
            "messages": [
                {"role": "system", "content": "Türkçe yanıt ver."},
                {"role": "user", "content": pair.english},
                {"role": "assistant", "content": pair.turkish},
            ]
        }
        for pair in pairs
    ]


def reference(record: Mapping[str, Any], tokenizer: str) -> tuple[int, ...] | str:
    """mistral-common's counts by role, or the message it refuses the record with."""
    try:
        encoded = tokens._encode(record, tokens._load(tokenizer))
    except tokens._Refused as refused:
        return str(tokens._refused(refused, "<records>", 1, tokenizer))
    return tuple(encoded.by_role[role] for role in tokens.ROLES)


def batched(records: Iterable[Mapping[str, Any]], tokenizer: str) -> list[tuple[int, ...]]:
    return list(tokens._role_counts(records, tokens._load(tokenizer), "<records>", None))


CASES = {
    "alpaca": lambda: records(LLAMAFACTORY / "alpaca_en_demo.json"),
    "identity": lambda: records(LLAMAFACTORY / "identity.json"),
    "kto": lambda: records(LLAMAFACTORY / "kto_en_demo.json"),
    "dpo": lambda: preference_conversations(LLAMAFACTORY / "dpo_en_demo.json"),
    "bookshop, Turkish system prompts": lambda: records(sample_path(BOOKSHOP_SUPPORT)),
    "catalogs, Turkish": lambda: catalog_conversations(300),
}


@pytest.mark.parametrize("tokenizer", NAMES)
@pytest.mark.parametrize("case", list(CASES))
def test_every_plain_real_record_is_batched_and_exact(case: str, tokenizer: str) -> None:
    sample = CASES[case]()
    assert len(sample) >= 75, case
    template = tokens._load(tokenizer).template
    assert template is not None
    plans = [token_plans.plan_record(record, template) for record in sample]
    assert all(plan is not None for plan in plans)  # none falls back to the slow path
    assert batched(sample, tokenizer) == [reference(record, tokenizer) for record in sample]
    for record in sample[:20]:
        counted = tokens.count_record(record, tokenizer)
        assert counted.tokens == len(tokens.encode_record(record, tokenizer))


@pytest.mark.parametrize("tokenizer", ["mistral-v3", "tekken"])
def test_tool_calls_fall_back_and_stay_exact(tokenizer: str) -> None:
    sample = records(LLAMAFACTORY / "glaive_toolcall_en_demo.json")
    template = tokens._load(tokenizer).template
    assert template is not None
    assert all(token_plans.plan_record(record, template) is None for record in sample)
    counted = batched(sample, tokenizer)
    assert counted == [reference(record, tokenizer) for record in sample]
    assert [sum(c) for c in counted] == [len(tokens.encode_record(r, tokenizer)) for r in sample]


def test_mixed_chunks_keep_record_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain and tool-call records interleaved across chunk boundaries come out in order."""
    monkeypatch.setattr(tokens, "CHUNK_RECORDS", 7)
    plain = records(LLAMAFACTORY / "alpaca_en_demo.json")[:30]
    calls = records(LLAMAFACTORY / "glaive_toolcall_en_demo.json")[:10]
    mixed = [record for pair in itertools.zip_longest(plain, calls) for record in pair if record]
    assert batched(mixed, "tekken") == [reference(record, "tekken") for record in mixed]


def test_refusal_names_the_first_bad_record_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "CHUNK_RECORDS", 4)
    good = records(LLAMAFACTORY / "identity.json")[:9]
    bad = {"messages": [{"role": "user", "content": "no answer"}]}
    with pytest.raises(tokens.TokensError, match=r"^<records>: record 7: field messages:"):
        tokens.count_records([*good[:6], bad, *good[6:], bad])


def test_a_batch_the_model_refuses_is_counted_record_by_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(self: Any, texts: list[str]) -> list[int]:
        raise RuntimeError("the model cannot take one of these texts")

    monkeypatch.setattr(tokens._Tokenizer, "lengths", refuse)
    sample = records(LLAMAFACTORY / "identity.json")[:12]
    assert batched(sample, "mistral-v3") == [reference(record, "mistral-v3") for record in sample]


def test_lengths_are_the_tokenizers_own() -> None:
    texts = ["", " ", "Merhaba dünya!", "  iki  boşluk  ", "\n\tsekme\n", "emoji 🙂 ve ğüşiöç"]
    for pair in tokens.catalog_pairs(tokens.find_catalogs(ROOT))[:200]:  # as token_tax reads
        texts += [pair.english, pair.turkish]
    for name in NAMES:
        loaded = tokens._load(name)
        expected = [len(loaded.raw.encode(text, bos=False, eos=False)) for text in texts]
        assert loaded.lengths(texts) == expected


def test_file_figures_unchanged_with_small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """``count_file`` equals the per-record loop it replaced, whatever the chunk size."""
    path = LLAMAFACTORY / "kto_en_demo.json"
    expected = tokens.count_file(path, "mistral-v1", max_lengths=(128, 512)).to_json()
    monkeypatch.setattr(tokens, "CHUNK_RECORDS", 13)
    assert tokens.count_file(path, "mistral-v1", max_lengths=(128, 512)).to_json() == expected
    monkeypatch.setattr(tokens, "CHUNK_CHARACTERS", 1)
    assert tokens.count_file(path, "mistral-v1", max_lengths=(128, 512)).to_json() == expected
    assert expected == per_record_figures(records(path), "mistral-v1", (128, 512), path)


# --------------------------------------------------------------------------- generated


def per_record_figures(
    sample: Iterable[Mapping[str, Any]], tokenizer: str, max_lengths: tuple[int, ...], file: Path
) -> dict[str, Any]:
    """``FileTokens.to_json`` as the per-record loop before batching computed it."""
    result = tokens.FileTokens(str(file), tokenizer)
    result.truncated = dict.fromkeys(max_lengths, 0)
    result.packed = dict.fromkeys(max_lengths, 0)
    free = dict.fromkeys(max_lengths, 0)
    loaded = tokens._load(tokenizer)
    for record in sample:
        encoded = tokens._encode(record, loaded)
        size = len(encoded.tokens)
        result.records += 1
        result.tokens += size
        result.trained_tokens += encoded.trained
        for role, count in encoded.by_role.items():
            result.by_role[role] += count
        result.lengths.append(size)
        result.trained_lengths.append(encoded.trained)
        for length in max_lengths:
            if size > length:
                result.truncated[length] += 1
            if min(size, length) > free[length]:
                result.packed[length] += 1
                free[length] = length
            free[length] -= min(size, length)
    return result.to_json()


def load_bench() -> Any:
    spec = importlib.util.spec_from_file_location(
        "bench_tokens", ROOT / "benchmarks" / "bench_tokens.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("tokenizer", NAMES)
def test_bench_file_figures_unchanged(tmp_path: Path, tokenizer: str) -> None:
    """The bench file (100,000 records): trained tokens, roles, truncation and packing are
    those of the per-record loop, computed here on the records the file cycles through."""
    path = tmp_path / "records.jsonl"
    load_bench().generate(path, 100_000)
    counted = tokens.count_file(path, tokenizer).to_json()
    with path.open(encoding="utf-8") as handle:
        sample = [json.loads(line) for line in itertools.islice(handle, 999)]
    cycle = itertools.islice(itertools.cycle(sample), 100_000)
    assert counted == per_record_figures(cycle, tokenizer, tokens.MAX_LENGTHS, path)


WHITESPACE = st.sampled_from(["", " ", "  ", "\n", "\n\n", "\t", " \n ", "\r\n", "\u00a0"])
WORDS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),
    max_size=30,
)
PIECE = st.one_of(WORDS, st.sampled_from(["İstanbul’da", "ağaç", "[INST]", "</s>", "  "]))
CONTENT = st.builds(lambda a, b, c: a + b + c, WHITESPACE, PIECE, WHITESPACE)
TURN = st.fixed_dictionaries(
    {"role": st.sampled_from(["system", "user", "assistant"]), "content": CONTENT}
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    turns=st.lists(TURN, min_size=1, max_size=6),
    end=st.one_of(st.none(), CONTENT),
    tokenizer=st.sampled_from(NAMES),
)
def test_generated_conversations(
    turns: list[dict[str, str]], end: str | None, tokenizer: str
) -> None:
    """Odd whitespace, empty texts, any unicode, system prompts anywhere, merged turns:
    the batched count is mistral-common's, and a refused record is refused the same way."""
    if end is not None:  # most generated conversations should end as training data does
        turns = [*turns, {"role": "assistant", "content": end}]
    record = {"messages": turns}
    expected = reference(record, tokenizer)
    plan = token_plans.plan_record(record, tokens._load(tokenizer).template or "v3")
    assert (plan is None) == isinstance(expected, str)
    if isinstance(expected, str):
        with pytest.raises(tokens.TokensError) as caught:
            tokens.count_records([record], tokenizer)
        assert str(caught.value) == expected
    else:
        assert batched([record], tokenizer) == [expected]
        assert sum(expected) == len(tokens.encode_record(record, tokenizer))


def test_other_shapes_have_no_plan() -> None:
    plain = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    assert token_plans.plan_record({"messages": plain}, "v3") is not None
    assert token_plans.plan_record({"messages": plain, "tools": []}, "v3") is not None
    for record in (
        {"messages": plain, "tools": "[]"},
        {"messages": [*plain[:1], {"role": "assistant", "content": [{"text": "Hello"}]}]},
        {"messages": [*plain[:1], {"role": "tool", "content": "{}"}, plain[1]]},
        {"messages": ()},
        {"messages": [*plain, {"role": "system", "content": "late"}, *plain]},
    ):
        assert token_plans.plan_record(record, "v3") is None
