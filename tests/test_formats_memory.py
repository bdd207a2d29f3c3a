"""The same validation and conversion for data held in memory, and under Dataset.map."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import orjson
import pandas as pd
import pytest

from talimat.formats import (
    ExampleConverter,
    ExampleValidator,
    convert_file,
    convert_records,
    read_records,
    validate_file,
    validate_records,
    write_records,
)

PUBLIC = resources.files("talimat") / "data" / "public" / "llamafactory"


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALIMAT_LANG", raising=False)


def public(name: str) -> list[dict]:
    return list(orjson.loads((PUBLIC / name).read_bytes()))


def test_a_list_of_dicts_validates_like_the_file() -> None:
    records = public("dpo_en_demo.json")
    from_memory = validate_records(records)
    from_file = validate_file(PUBLIC / "dpo_en_demo.json")
    assert (from_memory.format, from_memory.task, from_memory.valid) == (
        from_file.format,
        from_file.task,
        from_file.valid,
    )
    broken = [*records[:2], {"conversations": "no"}]
    report = validate_records(broken, name="mine")
    assert (report.total, report.valid, report.problems[0].describe()) == (
        3,
        2,
        "mine: record 3: field 'conversations': expected a list, got a string",
    )


def test_a_dataframe_from_parquet_with_numpy_cells(tmp_path: Path) -> None:
    convert_file(PUBLIC / "kto_en_demo.json", tmp_path / "kto.parquet", "trl")
    frame = pd.read_parquet(tmp_path / "kto.parquet")
    assert type(frame["prompt"].iloc[0]).__module__ == "numpy"  # cells are numpy arrays
    report = validate_records(frame)
    assert (report.format, report.task, report.valid) == ("trl", "unpaired", 300)
    result = convert_records(frame, "messages")
    assert result.records == public("kto_en_demo.json")


def test_a_dataframe_with_missing_cells_reads_them_as_absent() -> None:
    frame = pd.DataFrame(
        [{"instruction": "a", "input": "x", "output": "b"}, {"instruction": "c", "output": "d"}]
    )
    result = convert_records(frame, "alpaca")
    assert result.records == [
        {"instruction": "a", "input": "x", "output": "b"},
        {"instruction": "c", "output": "d"},
    ]


def test_write_records_is_the_public_writer(tmp_path: Path) -> None:
    records = convert_records(public("identity.json"), "trl").records
    for suffix in (".jsonl", ".json", ".parquet"):
        path = tmp_path / f"identity.trl{suffix}"
        assert write_records(records, path) == 91
        back = read_records(path)
        assert (back.format, len(back.records)) == ("trl", 91)


def test_dataset_map_with_two_processes() -> None:
    datasets = pytest.importorskip("datasets")
    records = public("alpaca_en_demo.json")[:200]
    dataset = datasets.Dataset.from_list(records)
    checked = dataset.map(ExampleValidator(), num_proc=2)
    assert all(checked["valid"])
    converted = dataset.map(
        ExampleConverter("sharegpt"), num_proc=2, remove_columns=dataset.column_names
    )
    assert converted.num_rows == 200
    back = [orjson.loads(orjson.dumps(row)) for row in converted]
    assert convert_records(back, "alpaca").records == records
    assert validate_records(converted).valid == 200


def test_dataset_map_flags_bad_examples() -> None:
    datasets = pytest.importorskip("datasets")
    dataset = datasets.Dataset.from_list(
        [
            {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]},
            {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]},
        ]
    )
    checked = dataset.map(ExampleValidator(), num_proc=2)
    assert checked["valid"] == [True, False]
    assert checked["problems"] == [[], ["order_repeated", "no_final_assistant"]]
