"""talimat.streams writes through the package's one atomic writer and input guard."""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path

import pytest

from talimat.formats import RecordError
from talimat.streams import StreamError, atomic_jsonl, check_target


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALIMAT_LANG", raising=False)


def test_a_hard_link_to_the_input_is_refused_naming_it(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("{}\n", "utf-8")
    link = tmp_path / "out.jsonl"
    os.link(source, link)
    with pytest.raises(StreamError, match=r"in\.jsonl"):
        check_target(link, tmp_path / "other.jsonl", source)
    with pytest.raises(StreamError, match=r"\.jsonl file"):
        check_target(tmp_path / "out.json")


def test_a_value_json_cannot_hold_names_the_record_and_keeps_the_target(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", "utf-8")
    with pytest.raises(RecordError, match="record 2"):
        atomic_jsonl(target, iter([{"a": 1}, {"a": math.nan}]))
    assert target.read_text("utf-8") == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["out.jsonl"]


def test_records_are_written_as_json_lines_with_a_normal_mode(tmp_path: Path) -> None:
    target = tmp_path / "new.jsonl"
    assert atomic_jsonl(target, iter([{"a": "ş"}, {"b": [1, 2]}])) == 2
    lines = target.read_text("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [{"a": "ş"}, {"b": [1, 2]}]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    target.chmod(0o600)
    atomic_jsonl(target, iter([{}]))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # a replaced file keeps its mode
