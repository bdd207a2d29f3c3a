"""Every layout and type: detection, validation counts, exact round trips, target shapes.

Real files come from ``talimat/data/public/llamafactory`` (copied unchanged from
LLaMA-Factory); the documented OpenAI and TRL example shapes are small fixtures in
``tests/data/formats`` (their README cites the documentation of each).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talimat.formats import (
    FORMATS,
    LAYOUT_KEY,
    ColumnMapping,
    LossyConversionError,
    check_record,
    convert_file,
    convert_record,
    detect_format,
    extract_prompt,
    read_records,
    to_messages,
    validate_file,
)

FIXTURES = Path(__file__).parent / "data" / "formats"
PUBLIC = resources.files("talimat") / "data" / "public" / "llamafactory"


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALIMAT_LANG", raising=False)


def load(path: Any) -> list[dict[str, Any]]:
    data = Path(str(path)).read_bytes()
    if str(path).endswith(".json"):
        return list(orjson.loads(data))
    return [orjson.loads(line) for line in data.splitlines() if line.strip()]


# --------------------------------------------------------------------------- real files

# file, layout, task, records, targets that can hold every record
REAL = [
    ("alpaca_en_demo.json", "alpaca", "sft", 999, ("alpaca", "sharegpt", "messages", "trl")),
    ("identity.json", "alpaca", "sft", 91, ("alpaca", "sharegpt", "messages", "trl")),
    ("glaive_toolcall_en_demo.json", "sharegpt", "sft", 300, ("sharegpt", "messages", "trl")),
    (
        "dpo_en_demo.json",
        "sharegpt",
        "preference",
        300,
        ("alpaca", "sharegpt", "messages", "trl", "openai-dpo"),  # messages: LLaMA-Factory v1
    ),
    ("kto_en_demo.json", "messages", "unpaired", 300, ("alpaca", "sharegpt", "messages", "trl")),
]


@pytest.mark.parametrize(("name", "layout", "task", "records", "targets"), REAL)
def test_real_files_validate_for_their_task(
    name: str, layout: str, task: str, records: int, targets: tuple[str, ...]
) -> None:
    report = validate_file(PUBLIC / name)
    assert (report.format, report.task, report.total, report.valid) == (
        layout,
        task,
        records,
        records,
    )
    assert report.counts == {}


@pytest.mark.parametrize(("name", "layout", "task", "records", "targets"), REAL)
def test_real_files_convert_to_every_target_and_back_unchanged(
    tmp_path: Path, name: str, layout: str, task: str, records: int, targets: tuple[str, ...]
) -> None:
    original = load(PUBLIC / name)
    for target in FORMATS:
        out = tmp_path / f"{target}.jsonl"
        report = convert_file(PUBLIC / name, out, target, strict=False)
        if target not in targets:
            assert report.converted < records  # refused, with the reason, record by record
            assert all(p.code.startswith("lossy_") for p in report.lossy)
            continue
        assert (report.converted, report.ok) == (records, True)
        back = tmp_path / f"{target}.back.jsonl"
        convert_file(out, back, layout)
        assert load(back) == original, target


def test_refused_targets_name_the_reason() -> None:
    (glaive,) = [r for r in load(PUBLIC / "glaive_toolcall_en_demo.json")[:1]]
    with pytest.raises(LossyConversionError, match="alpaca cannot carry tool turns"):
        convert_record(glaive, "alpaca")
    with pytest.raises(LossyConversionError, match="messages cannot hold a lm record"):
        convert_record({"text": "A document."}, "messages")


def test_glaive_tool_calls_become_openai_trl_tool_calls() -> None:
    record = load(PUBLIC / "glaive_toolcall_en_demo.json")[0]
    converted = convert_record(record, "messages")
    call, result = converted["messages"][3], converted["messages"][4]
    assert call == {
        "role": "assistant",
        "tool_calls": [
            {
                "type": "function",
                "function": {
                    "name": "search_recipes",
                    "arguments": {"ingredients": ["chicken", "bell peppers", "rice"]},
                },
            }
        ],
    }
    assert result["role"] == "tool"
    assert result["content"] == record["conversations"][4]["value"]
    assert converted["tools"] == record["tools"]
    trl = convert_record(record, "trl")
    assert trl["prompt"][-1]["role"] == "user"
    assert call in trl["prompt"] + trl["completion"]
    assert "tool_call" not in json.dumps(converted).replace("tool_calls", "")


def test_dpo_record_becomes_trl_preference_and_openai_dpo() -> None:
    record = load(PUBLIC / "dpo_en_demo.json")[0]
    trl = convert_record(record, "trl")
    assert trl == {
        "prompt": [{"role": "user", "content": record["conversations"][0]["value"]}],
        "chosen": [{"role": "assistant", "content": record["chosen"]["value"]}],
        "rejected": [{"role": "assistant", "content": record["rejected"]["value"]}],
    }
    openai = convert_record(record, "openai-dpo")
    assert openai == {
        "input": {"messages": trl["prompt"]},
        "preferred_output": trl["chosen"],
        "non_preferred_output": trl["rejected"],
    }


def test_kto_record_becomes_trl_unpaired_preference() -> None:
    record = load(PUBLIC / "kto_en_demo.json")[0]
    trl = convert_record(record, "trl")
    assert trl == {
        "prompt": record["messages"][:1],
        "completion": record["messages"][1:],
        "label": record["label"],
    }
    assert convert_record(record, "alpaca")["kto_tag"] is record["label"]


def test_real_kto_labels_are_counted() -> None:
    labels = [record["label"] for record in load(PUBLIC / "kto_en_demo.json")]
    report = validate_file(PUBLIC / "kto_en_demo.json", task="unpaired")
    assert report.valid == len(labels)
    assert {type(label) for label in labels} == {bool}


# --------------------------------------------------------------------------- documented shapes

# fixture, layout, kind of every record, records
DOCUMENTED = [
    ("trl_language_modeling.jsonl", "trl", "lm", 2),
    ("trl_prompt_only.jsonl", "trl", "prompt", 2),
    ("trl_prompt_completion.jsonl", "trl", "sft", 2),
    ("trl_preference.jsonl", "trl", "preference", 4),
    ("trl_unpaired_preference.jsonl", "trl", "unpaired", 2),
    ("trl_tool_calling.jsonl", "messages", "sft", 1),
    ("openai_chat.jsonl", "messages", "sft", 3),
    ("openai_dpo.jsonl", "openai-dpo", "preference", 1),
    ("llamafactory_ranking.jsonl", "alpaca", "preference", 1),
    ("llamafactory_kto.jsonl", "alpaca", "unpaired", 1),
]


@pytest.mark.parametrize(("name", "layout", "kind", "records"), DOCUMENTED)
def test_documented_layouts_validate(name: str, layout: str, kind: str, records: int) -> None:
    report = validate_file(FIXTURES / name)
    assert (report.format, report.total, report.valid) == (layout, records, records)
    assert report.kinds == {kind: records}
    assert report.task == kind


@pytest.mark.parametrize(("name", "layout", "kind", "records"), DOCUMENTED)
def test_documented_layouts_round_trip_through_every_target_that_holds_them(
    name: str, layout: str, kind: str, records: int
) -> None:
    held = 0
    for record in load(FIXTURES / name):
        for target in FORMATS:
            try:
                converted = convert_record(record, target)
            except LossyConversionError:
                continue
            held += 1
            assert convert_record(converted, layout) == record, (target, record)
    assert held >= records  # at least its own layout holds every record


def test_trl_implicit_prompt_is_extracted_like_trl() -> None:
    assert extract_prompt("The sky is blue.", "The sky is green.") == (
        "The sky is",
        " blue.",
        " green.",
    )
    implicit = load(FIXTURES / "trl_preference.jsonl")[3]
    canonical = to_messages(implicit)
    assert canonical["messages"] == [{"role": "user", "content": "What color is the sky?"}]
    assert canonical["chosen"] == [{"role": "assistant", "content": "It is blue."}]
    assert convert_record(implicit, "openai-dpo")["input"]["messages"] == canonical["messages"]


def test_openai_chat_keeps_weights_ids_string_arguments_and_developer() -> None:
    weights, tools, parts = load(FIXTURES / "openai_chat.jsonl")
    assert convert_record(weights, "sharegpt")["conversations"][1]["weight"] == 0
    with pytest.raises(LossyConversionError, match="extra keys weight"):
        convert_record(weights, "alpaca")
    trl = convert_record(tools, "trl")
    assert trl["completion"][0]["tool_calls"][0]["id"] == "call_id"
    assert trl["parallel_tool_calls"] is False
    with pytest.raises(LossyConversionError, match="extra keys id"):
        convert_record(tools, "sharegpt")
    with pytest.raises(LossyConversionError, match="no developer role"):
        convert_record(parts, "sharegpt")
    assert convert_record(parts, "trl")["prompt"][1]["content"][1]["type"] == "image_url"


def test_content_parts_cannot_become_plain_text() -> None:
    record = {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
            {
                "role": "assistant",
                "content": [{"type": "text", "value": "Hello", "loss_weight": 1}],
            },
        ]
    }
    assert detect_format(record) == "messages"
    assert validate_records_ok(record)  # the v1 "value" spelling is accepted
    assert to_messages(record) == record
    with pytest.raises(LossyConversionError, match="content parts of messages\\[0\\]"):
        convert_record(record, "alpaca")


def test_dataset_info_mapping_reads_custom_columns_and_tags() -> None:
    info = FIXTURES / "dataset_info.json"
    custom = ColumnMapping.from_dataset_info(info, "custom")
    result = read_records(FIXTURES / "custom_columns.jsonl", mapping=custom)
    assert result.format == "alpaca"
    assert result.records[0] == {
        "messages": [
            {"role": "user", "content": "What color is the sky?"},
            {"role": "assistant", "content": "Blue."},
        ],
        "meta": 1,
        LAYOUT_KEY: {"no_input": True},
    }
    tags = ColumnMapping.from_dataset_info(info, "openai_tags")
    report = validate_file(FIXTURES / "llamafactory_openai_tags.jsonl", mapping=tags)
    assert (report.format, report.valid) == ("sharegpt", 1)
    by_hand = ColumnMapping("sharegpt", tags={"role_tag": "role", "content_tag": "content"})
    assert by_hand.apply({"conversations": [{"role": "human", "content": "x"}]}) == {
        "conversations": [{"from": "human", "value": "x"}]
    }


def test_mapping_errors_are_clear(tmp_path: Path) -> None:
    from talimat.formats import FormatError, InputError

    with pytest.raises(InputError, match="no dataset entry 'nope'"):
        ColumnMapping.from_dataset_info(FIXTURES / "dataset_info.json", "nope")
    with pytest.raises(FormatError, match="unknown column 'answer'"):
        ColumnMapping("alpaca", columns={"answer": "x"})


def validate_records_ok(record: dict[str, Any]) -> bool:
    from talimat.formats import validate_records

    return validate_records([record]).ok


# --------------------------------------------------------------------------- property tests

texts = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20).filter(
    lambda text: bool(text.strip())
)
turns_of = st.builds(lambda t: [{"role": "assistant", "content": t}], texts)


@st.composite
def preference_records(draw: st.DrawFn) -> dict[str, Any]:
    """LLaMA-Factory ShareGPT ranking records, with a system turn or not, and history."""
    conversation: list[dict[str, Any]] = []
    if draw(st.booleans()):
        conversation.append({"from": "system", "value": draw(texts)})
    for _ in range(draw(st.integers(0, 2))):
        conversation += [
            {"from": "human", "value": draw(texts)},
            {"from": "gpt", "value": draw(texts)},
        ]
    conversation.append({"from": "human", "value": draw(texts)})
    chosen, rejected = draw(texts), draw(texts)
    return {
        "conversations": conversation,
        "chosen": {"from": "gpt", "value": chosen},
        "rejected": {"from": "gpt", "value": rejected},
    }


@settings(max_examples=150, deadline=None)
@given(preference_records())
def test_preference_round_trips_through_trl_openai_and_alpaca(record: dict[str, Any]) -> None:
    for target in ("trl", "openai-dpo", "alpaca"):
        assert convert_record(convert_record(record, target), "sharegpt") == record


@settings(max_examples=150, deadline=None)
@given(texts, texts, texts, st.booleans())
def test_standard_trl_preference_round_trips(
    prompt: str, chosen: str, rejected: str, implicit: bool
) -> None:
    record: dict[str, Any] = {"prompt": prompt, "chosen": chosen, "rejected": rejected}
    if implicit:
        record = {"chosen": prompt + chosen, "rejected": prompt + rejected}
    for target in ("trl", "openai-dpo", "sharegpt"):
        try:
            converted = convert_record(record, target)
        except LossyConversionError:
            continue  # e.g. an implicit prompt that leaves an empty answer
        assert convert_record(converted, "trl") == record


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=3), st.booleans())
def test_unpaired_round_trips(pairs: list[tuple[str, str]], label: bool) -> None:
    turns = []
    for user, assistant in pairs:
        turns += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    record = {"messages": turns, "label": label}
    for target in ("trl", "alpaca", "sharegpt", "messages"):
        assert convert_record(convert_record(record, target), "messages") == record


# LLaMA-Factory v1's DPO sample, as its docs/zh/data-preparation/data-processing.md shows it.
def v1_message(role: str, text: str, weight: float) -> dict[str, Any]:
    return {"role": role, "content": [{"type": "text", "value": text}], "loss_weight": weight}


V1_DPO = {
    "chosen_messages": [
        v1_message("user", "用户提问", 0.0),
        v1_message("assistant", "更优的回答", 1.0),
    ],
    "rejected_messages": [
        v1_message("user", "用户提问", 0.0),
        v1_message("assistant", "较差的回答", 1.0),
    ],
}


def test_llamafactory_v1_dpo_is_read_as_a_preference_pair() -> None:
    assert detect_format(V1_DPO) == "messages"
    canonical = to_messages(V1_DPO)
    assert canonical["messages"] == [V1_DPO["chosen_messages"][0]]  # the shared prompt
    assert canonical["chosen"] == V1_DPO["chosen_messages"][1:]
    assert canonical["rejected"] == V1_DPO["rejected_messages"][1:]
    assert check_record(V1_DPO) == []
    assert convert_record(V1_DPO, "messages") == V1_DPO  # written back as it was
    openai = convert_record(V1_DPO, "openai-dpo")
    assert openai["input"]["messages"] == canonical["messages"]
    assert convert_record(openai, "messages") == V1_DPO


def test_llamafactory_v1_dpo_problems_are_named() -> None:
    same = {**V1_DPO, "rejected_messages": V1_DPO["chosen_messages"]}
    assert [p.code for p in check_record(same)] == ["same_answers"]
    no_prompt = {
        "chosen_messages": [v1_message("assistant", "a", 1.0)],
        "rejected_messages": [v1_message("assistant", "b", 1.0)],
    }
    assert [p.code for p in check_record(no_prompt)] == ["no_shared_prompt"]
    missing = {"chosen_messages": V1_DPO["chosen_messages"]}
    (problem,) = check_record(missing)
    assert (problem.field, problem.code) == ("rejected_messages", "missing")
    assert [p.code for p in check_record(V1_DPO, task="sft")] == ["task_mismatch"]


def test_real_dpo_records_become_llamafactory_v1_pairs(tmp_path: Path) -> None:
    """LLaMA-Factory's own DPO demo (ShareGPT ranking) → v1 chosen/rejected messages → back."""
    original = load(PUBLIC / "dpo_en_demo.json")
    v1 = [convert_record(record, "messages") for record in original]
    for record, pair in zip(original, v1, strict=True):
        assert pair["chosen_messages"][-1]["content"] == record["chosen"]["value"]
        assert pair["rejected_messages"][-1]["content"] == record["rejected"]["value"]
        assert len(pair["chosen_messages"]) == len(record["conversations"]) + 1
    path = tmp_path / "v1.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in v1), "utf-8")
    report = validate_file(path)
    assert (report.format, report.task, report.valid, report.counts) == (
        "messages",
        "preference",
        len(original),
        {},
    )
    back = tmp_path / "back.json"
    convert_file(path, back, "sharegpt")
    assert load(back) == original
