"""Tests for talimat.preference and the preference-pair advisor in talimat.sizing."""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path

import pytest

from talimat.preference import (
    PreferenceError,
    answer_text,
    pair_to_kto,
    pair_to_sft,
    record_kind,
)
from talimat.sizing import (
    ReferencePointDataError,
    preference_reference_points,
    read_preference_points,
    recommend_preference_pairs,
    reference_points,
)

DATA = resources.files("talimat") / "data/public/llamafactory"


def load(name: str) -> list[dict]:
    return json.loads((DATA / name).read_text("utf-8"))


def test_real_samples_have_the_shapes_their_methods_read() -> None:
    dpo, kto, sft = load("dpo_en_demo.json"), load("kto_en_demo.json"), load("alpaca_en_demo.json")
    assert {record_kind(r) for r in dpo} == {"pair"}
    assert {record_kind(r) for r in kto} == {"kto"}
    assert {record_kind(r) for r in sft} == {"sft"}
    assert sum(r["label"] for r in kto) == len(kto) // 2  # the sample is balanced


def test_every_real_pair_converts_to_sft_and_kto() -> None:
    for record in load("dpo_en_demo.json"):
        sft = pair_to_sft(record)
        assert sft["messages"][-1] == {"role": "assistant", "content": record["chosen"]["value"]}
        good, bad = pair_to_kto(record)
        assert (good["label"], bad["label"]) == (True, False)
        assert good["messages"][:-1] == bad["messages"][:-1] == sft["messages"][:-1]
        assert bad["messages"][-1]["content"] == record["rejected"]["value"]


def test_answers_in_hugging_face_shape() -> None:
    record = {
        "messages": [{"role": "user", "content": "2+2?"}],
        "chosen": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}],
        "rejected": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "5"}],
    }
    assert pair_to_sft(record)["messages"][-1]["content"] == "4"
    assert answer_text("plain") == "plain"


@pytest.mark.parametrize(
    "record",
    [
        {"messages": [{"role": "user", "content": "a"}], "chosen": 3, "rejected": "x"},
        {"messages": [{"role": "user", "content": "a"}], "label": True},
        {
            "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}],
            "chosen": "c",
            "rejected": "d",
        },
    ],
)
def test_bad_records_are_refused_with_a_reason(record: dict) -> None:
    with pytest.raises(PreferenceError):
        pair_to_sft(record)


def test_preference_points_are_kept_apart_from_sft_points() -> None:
    table = preference_reference_points(raw=True)
    assert set(table["key"]) == {"zephyr_ultrafeedback", "tulu3_8b_prefs", "tulu3_70b_prefs"}
    assert not set(table["key"]) & set(reference_points(raw=True)["key"])
    counts = dict(zip(table["key"], table["samples_low"], strict=True))
    assert counts["zephyr_ultrafeedback"] == 61_966  # ultrafeedback_binarized train_prefs
    assert counts["tulu3_70b_prefs"] == 334_367
    assert all(url.startswith("https://huggingface.co/datasets/") for url in table["source_url"])


def test_advisor_cites_every_point_in_both_languages() -> None:
    advice = recommend_preference_pairs(7)
    assert (advice.low, advice.high) == (61_966, 334_367)
    assert len(advice.references) == 3
    assert "61.966–334.367" in advice.summary("tr")
    assert "fine-tune on instructions first" in advice.summary("en")
    assert len(recommend_preference_pairs(1).reasons) == len(advice.reasons) + 1


def test_advisor_counts_pairs_not_samples() -> None:
    english = recommend_preference_pairs(7).summary("en").splitlines()[0]
    turkish = recommend_preference_pairs(7).summary("tr").splitlines()[0]
    assert english.endswith("61,966–334,367 preference pairs for a 7B-parameter model.")
    assert "sample" not in english
    assert turkish.endswith("için 61.966–334.367 tercih çifti.")
    assert "örnek" not in turkish


@pytest.mark.parametrize("value", [0, -3, math.nan, math.inf, True, "7"])
def test_advisor_rejects_bad_sizes(value: object) -> None:
    with pytest.raises(ValueError, match="model_params_b"):
        recommend_preference_pairs(value)  # type: ignore[arg-type]


def test_bad_preference_file_names_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "points.toml"
    path.write_text('[[preference_point]]\nkey = "x"\nmodel = "m"\n', "utf-8")
    with pytest.raises(ReferencePointDataError, match="entry 1"):
        read_preference_points(path)
    path.write_text('[[point]]\nkey = "x"\n', "utf-8")
    with pytest.raises(ReferencePointDataError, match="no \\[\\[preference_point\\]\\]"):
        read_preference_points(path)
