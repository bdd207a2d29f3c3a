"""Tests for talimat.preference and the preference-pair advisor in talimat.sizing."""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path

import pytest

from talimat.preference import (
    PreferenceDataError,
    PreferenceError,
    answer_text,
    pair_to_kto,
    pair_to_sft,
    preference_rounds,
    read_preference_rounds,
    record_kind,
    shares_frame,
)
from talimat.sizing import (
    ReferencePointDataError,
    preference_reference_points,
    read_preference_points,
    recommend_preference_pairs,
    reference_points,
)

DATA = resources.files("talimat") / "data/public/llamafactory"
ROOT = Path(__file__).resolve().parents[1]


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


# ------------------------------------------------------------ Llama 3's preference rounds


def test_llama3_rounds_as_the_paper_gives_them() -> None:
    """The Llama 3 Herd of Models, Section 4.1.6 and Table 6 (arXiv 2407.21783)."""
    [llama3] = preference_rounds("en").values()
    assert llama3.rounds == 6  # "we apply the above methods in six rounds"
    assert dict(llama3.shares) == {
        "General English": 81.99,
        "Coding": 6.93,
        "Multilingual": 5.19,
        "Reasoning and tools": 5.89,
    }
    assert (llama3.avg_turns_per_dialog, llama3.avg_tokens_per_example) == (3.8, 1041.6)
    assert (llama3.avg_tokens_in_prompt, llama3.avg_tokens_in_response) == (44.5, 284.0)
    assert llama3.bibtex_key == "grattafiori2024llama3herd"
    assert llama3.bibtex_key in (ROOT / "docs/references.bib").read_text("utf-8")
    # No pair count in the source, so it stays out of the advisor's range.
    assert "llama3_herd" not in set(preference_reference_points(raw=True)["key"])
    turkish = preference_rounds("tr")["llama3_herd"]
    assert turkish.shares[0] == ("Genel İngilizce", 81.99)
    frame = shares_frame(turkish, "tr")
    assert list(frame.columns) == ["kategori", "karşılaştırmaların yüzdesi"]
    assert frame.iloc[:, 1].sum() == pytest.approx(100.0)


GOOD_ROUNDS = """[[preference_rounds]]
key = "x"
name = "X"
model = "m"
rounds = 2
shares = [{ en = "A", tr = "A", percent = 60 }, { en = "B", tr = "B", percent = 40 }]
avg_turns_per_dialog = 1
avg_tokens_per_example = 2
avg_tokens_in_prompt = 1
avg_tokens_in_response = 1
source_url = "https://example.org"
bibtex_key = "x"
checked = "2026-12-01"
where = { en = "s", tr = "s" }
note = { en = "n", tr = "n" }
"""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("rounds = 2", "rounds = 0"), "rounds"),
        (("rounds = 2", "rounds = true"), "rounds"),
        (("percent = 40", "percent = 30"), "shares"),
        (('tr = "B", ', ""), "shares"),
        (("avg_tokens_per_example = 2", "avg_tokens_per_example = -2"), "avg_tokens_per_example"),
        (('source_url = "https://example.org"', 'source_url = "ftp://x"'), "source_url"),
        (('note = { en = "n", tr = "n" }', 'note = { en = "n" }'), "note"),
        (('model = "m"', ""), "model"),
    ],
)
def test_bad_rounds_entry_names_the_entry_and_field(
    tmp_path: Path, change: tuple[str, str], field: str
) -> None:
    path = tmp_path / "points.toml"
    path.write_text(GOOD_ROUNDS, "utf-8")
    assert read_preference_rounds(path)[0]["rounds"] == 2
    path.write_text(GOOD_ROUNDS.replace(*change), "utf-8")
    with pytest.raises(PreferenceDataError, match=rf"entry 1 \(x\), field '{field}'"):
        read_preference_rounds(path)


def test_rounds_file_without_entries_or_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "points.toml"
    path.write_text('[[point]]\nkey = "x"\n', "utf-8")
    with pytest.raises(PreferenceDataError, match="no \\[\\[preference_rounds\\]\\]"):
        read_preference_rounds(path)
    path.write_text("[[", "utf-8")
    with pytest.raises(PreferenceDataError, match="not valid TOML"):
        read_preference_rounds(path)
