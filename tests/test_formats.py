"""Tests for talimat.formats: detection, readers, conversions, streaming, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talimat.formats import (
    FORMATS,
    LAYOUT_KEY,
    FormatError,
    LossyConversionError,
    Problem,
    RecordError,
    convert_file,
    convert_record,
    detect_format,
    from_messages,
    iter_records,
    read_records,
    to_messages,
    validate_file,
)

DATA = Path(__file__).parent / "data"
VALID = DATA / "formats"
MALFORMED = DATA / "malformed"


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages in these tests are checked in English unless a test asks otherwise."""
    monkeypatch.delenv("TALIMAT_LANG", raising=False)


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"instruction": "a", "input": "", "output": "b"}, "alpaca"),
        ({"instruction": "a", "output": "b", "history": []}, "alpaca"),
        ({"conversations": [{"from": "human", "value": "a"}]}, "sharegpt"),
        ({"messages": [{"role": "user", "content": "a"}]}, "messages"),
    ],
)
def test_detect_format(record: dict[str, Any], expected: str) -> None:
    assert detect_format(record) == expected


def test_detect_format_rejects_unknown_shapes() -> None:
    with pytest.raises(FormatError, match="matches no format"):
        detect_format({"question": "a", "answer": "b"})
    with pytest.raises(FormatError, match="not a JSON object"):
        detect_format(["a", "b"])  # type: ignore[arg-type]


def test_formats_tuple() -> None:
    assert FORMATS == ("alpaca", "sharegpt", "messages", "trl", "openai-dpo")


# --------------------------------------------------------------------------- records


def test_alpaca_input_is_joined_like_llama_factory_and_split_back() -> None:
    record = {"instruction": "Çevir.", "input": "Ağaç", "output": "Tree", "id": 3}
    canonical = to_messages(record)
    assert canonical["messages"] == [
        {"role": "user", "content": "Çevir.\nAğaç"},
        {"role": "assistant", "content": "Tree"},
    ]
    assert canonical["id"] == 3
    assert canonical[LAYOUT_KEY] == {"input_chars": 4}
    assert from_messages(canonical, "alpaca") == record


def test_empty_input_adds_no_layout_and_stays_empty() -> None:
    record = {"instruction": "Say hi.", "input": "", "output": "Hi."}
    canonical = to_messages(record)
    assert LAYOUT_KEY not in canonical
    assert from_messages(canonical, "alpaca") == record


def test_missing_input_stays_missing() -> None:
    record = {"instruction": "Say hi.", "output": "Hi."}
    assert convert_record(convert_record(record, "messages"), "alpaca") == record


def test_alpaca_system_and_history_become_turns() -> None:
    record = {
        "instruction": "İkinci soru",
        "input": "",
        "output": "İkinci yanıt",
        "system": "Kısa yanıt ver.",
        "history": [["Birinci soru", "Birinci yanıt"]],
    }
    roles = [(m["role"], m["content"]) for m in to_messages(record)["messages"]]
    assert roles == [
        ("system", "Kısa yanıt ver."),
        ("user", "Birinci soru"),
        ("assistant", "Birinci yanıt"),
        ("user", "İkinci soru"),
        ("assistant", "İkinci yanıt"),
    ]


def test_layout_that_no_longer_fits_is_ignored() -> None:
    canonical = {
        "messages": [{"role": "user", "content": "short"}, {"role": "assistant", "content": "x"}],
        LAYOUT_KEY: {"input_chars": 40},
    }
    assert from_messages(canonical, "alpaca") == {
        "instruction": "short",
        "input": "",
        "output": "x",
    }


def test_sharegpt_tools_map_to_messages_and_back() -> None:
    record = {
        "conversations": [
            {"from": "human", "value": "Hava?"},
            {"from": "function_call", "value": '{"name": "hava"}'},
            {"from": "observation", "value": '{"derece": 24}'},
            {"from": "gpt", "value": "24 derece."},
        ],
        "tools": '[{"name": "hava"}]',
        "system": "Kısa yanıt ver.",
    }
    canonical = to_messages(record)
    assert [m["role"] for m in canonical["messages"]] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
    ]
    assert canonical["messages"][2] == {
        "role": "assistant",
        "tool_calls": [{"type": "function", "function": {"name": "hava"}}],
    }
    assert canonical["tools"] == record["tools"]
    assert from_messages(canonical, "sharegpt") == record


def test_sharegpt_tool_role_is_read_as_observation_and_written_back() -> None:
    record = {
        "conversations": [
            {"from": "human", "value": "a"},
            {"from": "function_call", "value": '{"name": "f", "arguments": {}}'},
            {"from": "tool", "value": "b"},
            {"from": "gpt", "value": "c"},
        ]
    }
    canonical = to_messages(record)
    assert canonical["messages"][2]["role"] == "tool"
    assert from_messages(canonical, "sharegpt") == record


def test_sharegpt_system_turn_keeps_its_place() -> None:
    record = {
        "conversations": [
            {"from": "system", "value": "Kibar ol."},
            {"from": "human", "value": "Selam"},
            {"from": "gpt", "value": "Merhaba!", "weight": None},
        ]
    }
    canonical = to_messages(record)
    assert canonical["messages"][0] == {"role": "system", "content": "Kibar ol."}
    assert from_messages(canonical, "sharegpt") == record


def test_message_keys_with_values_are_lossy_for_alpaca_but_nulls_are_not() -> None:
    canonical = {
        "messages": [
            {"role": "user", "content": "a", "weight": None},
            {"role": "assistant", "content": "b", "name": "bot"},
        ]
    }
    with pytest.raises(LossyConversionError, match=r"extra keys name of messages\[1\]"):
        from_messages(canonical, "alpaca")
    canonical["messages"][1].pop("name")
    assert from_messages(canonical, "alpaca") == {"instruction": "a", "input": "", "output": "b"}


@pytest.mark.parametrize(
    ("turns", "target", "pattern"),
    [
        (["user", "assistant", "tool", "assistant"], "alpaca", r"cannot carry tool turns"),
        (["user", "assistant", "user"], "alpaca", r"final user turn messages\[2\] would be lost"),
        (["user", "system", "assistant"], "alpaca", r"messages\[1\] is a later system turn"),
        (["user", "system", "assistant"], "sharegpt", r"messages\[1\] is a later system turn"),
        (["user", "user", "assistant"], "alpaca", r"alternate; messages\[1\] is user"),
        (["assistant", "user"], "sharegpt", r"alternate; messages\[0\] is assistant"),
    ],
)
def test_lossy_conversions_say_what_is_lost(turns: list[str], target: str, pattern: str) -> None:
    record = {"messages": [{"role": role, "content": f"t{i}"} for i, role in enumerate(turns)]}
    with pytest.raises(LossyConversionError, match=pattern) as caught:
        from_messages(record, target)  # type: ignore[arg-type]
    assert caught.value.target == target


def test_key_clash_is_lossy() -> None:
    record = {
        "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}],
        "output": "kept elsewhere",
    }
    with pytest.raises(LossyConversionError, match="uses the key 'output' itself"):
        from_messages(record, "alpaca")


def test_record_error_names_file_record_and_field() -> None:
    with pytest.raises(RecordError) as caught:
        to_messages({"instruction": "a", "input": ""}, file="data.jsonl", number=7)
    problem = caught.value.problem
    assert (problem.file, problem.record, problem.field) == ("data.jsonl", 7, "output")
    assert str(caught.value) == "data.jsonl: record 7: field 'output': missing"


def test_problem_text_follows_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALIMAT_LANG", "tr")
    with pytest.raises(RecordError) as caught:
        to_messages({"instruction": "a", "output": 5}, file="veri.jsonl", number=2)
    assert (
        str(caught.value)
        == "veri.jsonl: 2. kayıt: 'output' alanı: metin (string) olmalı, sayı bulundu"
    )
    assert caught.value.problem.describe("en") == (
        "veri.jsonl: record 2: field 'output': expected a string, got a number"
    )


def test_problem_equality_ignores_language() -> None:
    english = Problem("f", 1, "output", "missing", "missing")
    turkish = Problem("f", 1, "output", "eksik", "missing")
    assert english.localized("tr") == turkish.localized("tr") == "eksik"


# --------------------------------------------------------------------------- readers

ALPACA_CANONICAL = [
    {
        "messages": [
            {"role": "user", "content": "Türkiye'nin başkenti neresidir?"},
            {"role": "assistant", "content": "Ankara."},
        ]
    },
    {
        "messages": [
            {"role": "user", "content": "Cümleyi İngilizceye çevir.\nAğaçlar çiçek açtı."},
            {"role": "assistant", "content": "The trees blossomed."},
        ],
        LAYOUT_KEY: {"input_chars": 19},
    },
    {
        "messages": [
            {"role": "system", "content": "Sen bir şairsin."},
            {"role": "user", "content": "Merhaba!"},
            {"role": "assistant", "content": "Merhaba, nasıl yardımcı olabilirim?"},
            {"role": "user", "content": "Bir şiir yaz."},
            {"role": "assistant", "content": "Işıl ışıl\ngöl."},
        ]
    },
]


@pytest.mark.parametrize("name", ["alpaca.json", "alpaca.jsonl", "alpaca.csv"])
def test_alpaca_readers_agree(name: str) -> None:
    result = read_records(VALID / name)
    assert result.format == "alpaca"
    assert result.problems == []
    expected = ALPACA_CANONICAL
    if name == "alpaca.csv":  # the CSV fixture has no history column
        expected = [*ALPACA_CANONICAL[:2], {"messages": [ALPACA_CANONICAL[2]["messages"][0]]}]
        expected[2]["messages"] += ALPACA_CANONICAL[2]["messages"][3:]
    assert result.records == expected


def test_parquet_reader_matches_jsonl() -> None:
    from_parquet = read_records(VALID / "sharegpt.parquet")
    from_jsonl = read_records(VALID / "sharegpt.jsonl")
    assert from_parquet.format == from_jsonl.format == "sharegpt"
    assert from_parquet.records == from_jsonl.records
    assert read_records(VALID / "alpaca.parquet").records == ALPACA_CANONICAL[:2]


def test_messages_reader_keeps_extra_keys() -> None:
    records = read_records(VALID / "messages.jsonl").records
    assert [record["id"] for record in records] == ["m1", "m2"]


def test_unknown_suffix_names_the_file() -> None:
    with pytest.raises(FormatError, match=r"records\.txt: unsupported file type '\.txt'"):
        iter_records(MALFORMED / "records.txt")


def test_csv_holds_alpaca_only() -> None:
    with pytest.raises(FormatError, match="CSV files hold alpaca records only"):
        read_records(VALID / "alpaca.csv", "sharegpt")


def test_explicit_format_is_checked() -> None:
    with pytest.raises(FormatError, match="unknown format 'openai'"):
        read_records(VALID / "messages.jsonl", "openai")  # type: ignore[arg-type]
    result = read_records(VALID / "sharegpt.jsonl", "alpaca", strict=False)
    assert result.records == []
    assert {p.message for p in result.problems} == {
        "the record is in sharegpt format, but the file is alpaca"
    }


def test_iter_records_streams(tmp_path: Path) -> None:
    good = {"instruction": "a", "output": "b"}
    path = tmp_path / "stream.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n{broken\n", encoding="utf-8")
    records = iter_records(path)
    assert next(records)["messages"][0]["content"] == "a"  # read before the bad line
    assert next(records)["messages"][1]["content"] == "b"
    with pytest.raises(RecordError, match="record 3: field '<json>'"):
        next(records)


def test_non_strict_iteration_needs_a_problem_list() -> None:
    with pytest.raises(TypeError, match="problems list"):
        iter_records(VALID / "alpaca.jsonl", strict=False)


# --------------------------------------------------------------------------- malformed corpus

# file, record number, field, message start, good records kept
MALFORMED_CASES = [
    ("broken_json_line.jsonl", 3, "<json>", "not valid JSON", 2),
    ("invalid_utf8.jsonl", 2, "<json>", "not valid JSON", 2),
    ("missing_field.jsonl", 2, "output", "missing", 2),
    ("unknown_role.jsonl", 2, "conversations[1].from", "unknown role 'bot'", 1),
    ("unknown_message_role.jsonl", 1, "messages[1].role", "unknown role 'bot'", 1),
    ("empty_turn.jsonl", 3, "messages[1].content", "empty", 2),
    ("wrong_type.jsonl", 1, "output", "expected a string, got a number", 1),
    ("non_object.jsonl", 2, "<record>", "the record is a list, not a JSON object", 2),
    ("mixed_formats.jsonl", 3, "<record>", "the record is in sharegpt format", 3),
    ("not_alternating.jsonl", 2, "conversations[1].from", "turns must alternate", 1),
    ("system_not_first.jsonl", 1, "conversations[1].from", "a system turn may only", 1),
    ("bad_history.jsonl", 2, "history[0]", "expected a [user, assistant] pair", 1),
    ("unknown_format.jsonl", 1, "<record>", "matches no format", 1),
    ("bad_column.parquet", 1, "output", "missing", 0),
    ("wrong_type.parquet", 1, "conversations", "expected a list, got a string", 0),
    ("bad_column.csv", 1, "output", "missing", 0),
    ("extra_cells.csv", 2, "<csv>", "the row has more cells than the header", 2),
]


@pytest.mark.parametrize(("name", "record", "field", "message", "good"), MALFORMED_CASES)
def test_malformed_strict_raises_with_location(
    name: str, record: int, field: str, message: str, good: int
) -> None:
    with pytest.raises(RecordError) as caught:
        read_records(MALFORMED / name)
    problem = caught.value.problem
    assert Path(problem.file).name == name
    assert (problem.record, problem.field) == (record, field)
    assert problem.message.startswith(message)
    assert f"{name}: record {record}: field '{field}': {message}" in str(caught.value)


@pytest.mark.parametrize(("name", "record", "field", "message", "good"), MALFORMED_CASES)
def test_malformed_lenient_keeps_every_good_record(
    name: str, record: int, field: str, message: str, good: int
) -> None:
    result = read_records(MALFORMED / name, strict=False)
    assert len(result.records) == good
    assert (result.problems[0].record, result.problems[0].field) == (record, field)
    report = validate_file(MALFORMED / name)
    assert report.valid == good
    assert report.total == report.valid + len({p.record for p in report.problems})
    assert not report.ok


def test_first_valid_record_decides_the_format() -> None:
    report = validate_file(MALFORMED / "wrong_type.jsonl")
    assert (report.format, report.total, report.valid) == ("alpaca", 2, 1)


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("broken.json", r"broken\.json: not valid JSON"),
        ("not_a_list.json", r"not_a_list\.json: a \.json file must hold a list of records"),
        ("not_parquet.parquet", r"not_parquet\.parquet: not a readable Parquet file"),
    ],
)
def test_unreadable_files_fail_whole_naming_the_file(name: str, pattern: str) -> None:
    with pytest.raises(FormatError, match=pattern):
        validate_file(MALFORMED / name)


def test_validation_report_frame_is_localized() -> None:
    report = validate_file(MALFORMED / "missing_field.jsonl")
    english = report.to_frame("en")
    turkish = report.to_frame("tr")
    assert list(english.columns) == ["File", "Record", "Field", "Problem"]
    assert list(turkish.columns) == ["Dosya", "Kayıt", "Alan", "Sorun"]
    assert turkish.iloc[0].tolist()[1:] == [2, "output", "eksik"]
    assert isinstance(english, pd.DataFrame)


# --------------------------------------------------------------------------- convert_file


def test_convert_file_to_each_suffix(tmp_path: Path) -> None:
    source = VALID / "alpaca.jsonl"
    for suffix in (".jsonl", ".json", ".parquet"):
        target = tmp_path / f"out{suffix}"
        report = convert_file(source, target, "sharegpt")
        assert (report.total, report.converted, report.ok) == (3, 3, True)
        assert report.source_format == "alpaca"
        back = read_records(target)
        assert back.format == "sharegpt"
        assert back.records == ALPACA_CANONICAL
    converted_back = tmp_path / "back.jsonl"
    convert_file(tmp_path / "out.jsonl", converted_back, "alpaca")
    original = [json.loads(line) for line in source.read_text("utf-8").splitlines() if line]
    assert [json.loads(line) for line in converted_back.read_text("utf-8").splitlines()] == original


def test_convert_file_writes_readable_utf8(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    convert_file(VALID / "alpaca.jsonl", target, "messages", keep_layout=False)
    text = target.read_text(encoding="utf-8")
    assert "Ağaçlar çiçek açtı." in text
    assert LAYOUT_KEY not in text


def test_convert_file_lossy_strict_and_lenient(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]},
            {"messages": [{"role": "user", "content": "only a question"}]},
            {"messages": [{"role": "user"}]},
        ],
    )
    target = tmp_path / "out.jsonl"
    with pytest.raises(LossyConversionError, match=r"in\.jsonl: record 2: alpaca needs") as caught:
        convert_file(source, target, "alpaca")
    assert caught.value.problem is not None
    assert caught.value.problem.record == 2
    assert not target.exists()  # nothing half-written
    report = convert_file(source, target, "alpaca", strict=False)
    assert (report.total, report.converted) == (3, 1)
    assert [p.record for p in report.lossy] == [2]
    assert [(p.record, p.field) for p in report.problems] == [(3, "messages[0].content")]
    assert not report.ok
    assert list(report.to_frame("tr").columns) == ["Dosya", "Kayıt", "Alan", "Sorun"]


def test_convert_file_refuses_bad_targets(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"instruction": "a", "output": "b"}])
    with pytest.raises(FormatError, match=r"cannot write '\.csv' files"):
        convert_file(source, tmp_path / "out.csv", "alpaca")
    with pytest.raises(FormatError, match="the target is the source file itself"):
        convert_file(source, source, "alpaca")


# --------------------------------------------------------------------------- property tests

TURKISH = "abcçdefgğhıijklmnoöprsştuüvyzABCÇDEFGĞHIİJKLMNOÖPRSŞTUÜVYZ0123456789 .,;:!?'\"\\{}[]\n\t"
texts = st.one_of(
    st.text(alphabet=TURKISH, min_size=1, max_size=40),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20),
).filter(lambda text: bool(text.strip()))
arguments = st.dictionaries(texts, st.integers() | texts | st.booleans(), max_size=3)
extras = st.dictionaries(
    st.sampled_from(["id", "source", "lang"]), st.integers() | texts, max_size=2
)


@st.composite
def alpaca_records(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = {"instruction": draw(texts), "output": draw(texts)}
    choice = draw(st.sampled_from(["absent", "empty", "text", "blank"]))
    if choice == "empty":
        record["input"] = ""
    elif choice == "text":
        record["input"] = draw(texts)
    elif choice == "blank":
        record["input"] = draw(st.sampled_from([" ", "\n", "  \t"]))
    if draw(st.booleans()):
        record["system"] = draw(st.one_of(texts, st.just("")))
    if draw(st.booleans()):
        record["history"] = draw(st.lists(st.lists(texts, min_size=2, max_size=2), max_size=3))
    record.update(draw(extras))
    return record


@st.composite
def chat_records(draw: st.DrawFn, *, end_with_assistant: bool = True) -> dict[str, Any]:
    pairs = draw(st.integers(1, 4))
    turns: list[dict[str, Any]] = []
    if draw(st.booleans()):
        turns.append({"role": "system", "content": draw(texts)})
    for _ in range(pairs):
        turns.append({"role": "user", "content": draw(texts)})
        turns.append({"role": "assistant", "content": draw(texts)})
    if not end_with_assistant:
        turns.pop()
    return {"messages": turns, **draw(extras)}


@st.composite
def tool_records(draw: st.DrawFn) -> dict[str, Any]:
    record = draw(chat_records())
    turns = record["messages"]
    at = next(i for i, turn in enumerate(turns) if turn["role"] == "user") + 1
    function = {"name": draw(texts), "arguments": draw(arguments)}
    call = {"role": "assistant", "tool_calls": [{"type": "function", "function": function}]}
    turns[at:at] = [call, {"role": "tool", "content": draw(texts)}]
    return record


@st.composite
def function_call_values(draw: st.DrawFn) -> str:
    """A ShareGPT function_call value, written the ways real datasets write JSON."""
    calls = [
        {"name": draw(texts), "arguments": draw(arguments)} for _ in range(draw(st.integers(1, 2)))
    ]
    value: Any = calls if len(calls) > 1 or draw(st.booleans()) else calls[0]
    style = draw(st.sampled_from(["python", "compact", "ascii"]))
    if style == "compact":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(value, ensure_ascii=style == "ascii")


@st.composite
def sharegpt_records(draw: st.DrawFn) -> dict[str, Any]:
    conversation: list[dict[str, Any]] = []
    record: dict[str, Any] = {}
    system = draw(st.sampled_from(["none", "top", "turn", "empty"]))
    if system == "turn":
        conversation.append({"from": "system", "value": draw(texts)})
    elif system == "top":
        record["system"] = draw(texts)
    elif system == "empty":
        record["system"] = ""
    observation = draw(st.sampled_from(["observation", "tool"]))
    for _ in range(draw(st.integers(1, 3))):
        conversation.append({"from": "human", "value": draw(texts)})
        if draw(st.booleans()):
            conversation.append({"from": "function_call", "value": draw(function_call_values())})
            conversation.append({"from": observation, "value": draw(texts)})
        conversation.append({"from": "gpt", "value": draw(texts)})
    if draw(st.booleans()):
        conversation.append({"from": "human", "value": draw(texts)})
    record["conversations"] = conversation
    if draw(st.booleans()):
        record["tools"] = draw(texts)
    return record


@settings(max_examples=200, deadline=None)
@given(alpaca_records())
def test_alpaca_round_trips_unchanged(record: dict[str, Any]) -> None:
    canonical = to_messages(record)
    assert from_messages(canonical, "alpaca") == record
    assert convert_record(convert_record(record, "sharegpt"), "alpaca") == record
    assert from_messages(json.loads(json.dumps(canonical)), "alpaca") == record


@settings(max_examples=200, deadline=None)
@given(chat_records())
def test_messages_round_trip_through_alpaca_and_sharegpt(record: dict[str, Any]) -> None:
    assert to_messages(from_messages(record, "alpaca")) == record
    assert to_messages(from_messages(record, "sharegpt")) == record
    via_both = convert_record(convert_record(record, "sharegpt"), "alpaca")
    assert to_messages(via_both) == record


@settings(max_examples=100, deadline=None)
@given(tool_records())
def test_tool_turns_survive_sharegpt_but_not_alpaca(record: dict[str, Any]) -> None:
    assert to_messages(from_messages(record, "sharegpt")) == record
    with pytest.raises(LossyConversionError, match="cannot carry tool turns"):
        from_messages(record, "alpaca")
    assert to_messages(from_messages(record, "trl")) == record


@settings(max_examples=100, deadline=None)
@given(chat_records(end_with_assistant=False))
def test_final_user_turn_is_lossy_for_alpaca_only(record: dict[str, Any]) -> None:
    with pytest.raises(LossyConversionError, match="final user turn"):
        from_messages(record, "alpaca")
    assert to_messages(from_messages(record, "sharegpt")) == record


@settings(max_examples=200, deadline=None)
@given(sharegpt_records())
def test_sharegpt_round_trips_unchanged(record: dict[str, Any]) -> None:
    assert from_messages(to_messages(record), "sharegpt") == record


@settings(max_examples=25, deadline=None)
@given(st.lists(alpaca_records(), min_size=1, max_size=5))
def test_files_round_trip_unchanged(tmp_path_factory: Any, records: list[dict[str, Any]]) -> None:
    folder = tmp_path_factory.mktemp("round")
    # Parquet needs one type per column: leave out the free-typed extra keys here.
    records = [{k: v for k, v in r.items() if k not in ("id", "source", "lang")} for r in records]
    source = write_jsonl(folder / "alpaca.jsonl", records)
    convert_file(source, folder / "messages.parquet", "messages")
    convert_file(folder / "messages.parquet", folder / "sharegpt.json", "sharegpt")
    convert_file(folder / "sharegpt.json", folder / "back.jsonl", "alpaca")
    lines = (folder / "back.jsonl").read_text("utf-8").split("\n")  # not splitlines: U+0085
    back = [json.loads(line) for line in lines if line]
    assert back == records


def test_broken_json_line_says_what_is_wrong_in_the_readers_language(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_text(
        '{"instruction": "a", "output": "b"}\n{"instruction": "kesik\n', encoding="utf-8"
    )
    report = validate_file(path)
    (problem,) = report.problems
    assert (problem.record, problem.field) == (2, "<json>")
    assert "a string is not closed" in problem.message
    assert "metin dizesi kapatılmamış" in report.to_frame("tr").iloc[0, 3]


OPEN_STRING = "a string is not closed"
OPEN_OBJECT = "the text ends before an object or list is closed"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"instruction": "kesik', OPEN_STRING),
        ('{"instruction": "a \\"quoted\\" word', OPEN_STRING),
        ('{"instruction": "a", "output": "b"', OPEN_OBJECT),
        ('{"instruction": "a", "output": ["b"', OPEN_OBJECT),
        ('{"instruction": "a \\\\", "output": ', OPEN_OBJECT),  # an escaped backslash
    ],
)
def test_a_line_cut_short_says_whether_a_string_or_an_object_is_left_open(
    tmp_path: Path, line: str, reason: str
) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_text('{"instruction": "a", "output": "b"}\n' + line + "\n", encoding="utf-8")
    (problem,) = validate_file(path).problems
    assert (problem.record, problem.field) == (2, "<json>")
    assert reason in problem.message


@pytest.mark.parametrize(
    "line",
    [
        "{not json",
        '{"instruction" "a"}',
        '{"instruction": "a" "output": "b"}',
        '{"instruction": ["a" "b"]}',
        '{"instruction": }',
        '{"instruction": "a"} x',
        '{"instruction": "a\x01"}',
        '{"instruction": "\\udc00"}',
        '{"instruction": tru}',
        '{"instruction": nul}',
        '{"instruction": 01}',
        '{"instruction": 1.}',
        '{"instruction": -}',
        '{"instruction": 1e}',
        '{"instruction": "\\x"}',
        '{"instruction": "a",}',
        '{"instruction": NaN}',
    ],
)
def test_every_broken_json_line_is_named_in_turkish_too(tmp_path: Path, line: str) -> None:
    """No reason is left in orjson's English words: each has a message in both languages."""
    path = tmp_path / "broken.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    (problem,) = validate_file(path).problems
    assert problem.code == "bad_json"
    params = dict(problem.params)
    assert params["reason"] != "other", params["error"]
    assert params["error"] not in problem.localized("tr")


def test_progress_wraps_the_record_stream_without_changing_the_report(tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    path.write_text('{"instruction": "a", "output": "b"}\n{"instruction": "c"}\n', encoding="utf-8")
    seen: list[dict] = []

    def progress(records):
        for record in records:
            seen.append(record)
            yield record

    report = validate_file(path, progress=progress)
    assert (report.total, report.valid, len(seen)) == (2, 1, 1)
    converted = convert_file(
        path, tmp_path / "out.jsonl", "messages", strict=False, progress=progress
    )
    assert (converted.converted, len(seen)) == (1, 2)
