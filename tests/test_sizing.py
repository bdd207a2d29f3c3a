"""Tests for talimat.sizing: reference data, advice rules, tables and the plot."""

from __future__ import annotations

import itertools
import tomllib
from importlib import resources
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from talimat import sizing
from talimat.sizing import ReferencePointDataError

matplotlib.use("Agg")
DATA = Path(str(resources.files("talimat") / "data"))


def test_reference_points_load_with_sources():
    frame = sizing.reference_points(raw=True)
    assert {"lima", "yi", "llama3", "openhermes", "dolphin", "task_rule_of_thumb"} <= set(
        frame["key"]
    )
    sourced = frame[frame["kind"] != "rule_of_thumb"]
    assert sourced["source_url"].str.startswith("https://").all()
    assert (sourced["bibtex_key"] != "").all()


def test_reference_facts_match_primary_sources():
    points = {row.key: row for row in sizing.reference_points(raw=True).itertuples()}
    assert (points["lima"].samples_low, points["lima"].model_params_b) == (1000, 65)
    assert points["yi"].samples_high == 10_000
    assert pd.isna(points["yi"].samples_low)
    assert points["llama3"].samples_low == 10_000_000
    assert (points["dolphin"].samples_low, points["dolphin"].samples_high) == (1_000_000, 4_500_000)


def test_every_bibtex_key_is_in_references_bib():
    bib = (Path(__file__).parents[1] / "docs" / "references.bib").read_text(encoding="utf-8")
    for key in sizing.reference_points(raw=True)["bibtex_key"]:
        if key:
            assert f"{{{key}," in bib, key


@pytest.mark.parametrize("purpose", ["general", "task", "domain"])
@pytest.mark.parametrize("params", [0.5, 7, 70, 405])
def test_every_advice_is_well_formed_and_cited(purpose, params):
    advice = sizing.recommend_sample_count(purpose, params)
    assert advice.low > 0
    assert advice.high is None or advice.high > advice.low
    assert advice.references
    assert all(ref.source_url or ref.kind == "rule_of_thumb" for ref in advice.references)
    assert len(advice.reasons) >= 2


def test_anchor_ranges():
    general = sizing.recommend_sample_count("general", 8)
    assert (general.low, general.high) == (1_000_000, None)
    assert {"openhermes", "dolphin", "llama3"} <= {ref.key for ref in general.references}
    task = sizing.recommend_sample_count("task", 7)
    assert (task.low, task.high) == (100, 100_000)


def test_domain_moves_from_task_to_general_sizes():
    def low(coverage, breadth):
        return sizing.recommend_sample_count("domain", 7, coverage, domain_breadth=breadth).low

    order = ["well", "partial", "poor"]
    for breadth in ("narrow", "broad"):
        lows = [low(coverage, breadth) for coverage in order]
        assert lows == sorted(lows)
    for coverage in order:
        assert low(coverage, "narrow") <= low(coverage, "broad")
    narrow_well = sizing.recommend_sample_count("domain", 7, "well", domain_breadth="narrow")
    task = sizing.recommend_sample_count("task", 7)
    assert (narrow_well.low, narrow_well.high) == (task.low, task.high)
    broad_poor = sizing.recommend_sample_count("domain", 7, "poor", domain_breadth="broad")
    assert broad_poor.high is None


def test_bigger_models_never_need_more():
    for purpose, (small, big) in itertools.product(
        ["general", "task", "domain"], [(1, 7), (7, 70), (13, 405)]
    ):
        a = sizing.recommend_sample_count(purpose, small)
        b = sizing.recommend_sample_count(purpose, big)
        assert b.low <= a.low


def test_small_models_cite_the_lima_7b_ablation():
    keys = {ref.key for ref in sizing.recommend_sample_count("general", 7).references}
    assert "lima_7b_ablation" in keys
    keys = {ref.key for ref in sizing.recommend_sample_count("general", 70).references}
    assert "lima_7b_ablation" not in keys


@pytest.mark.parametrize(
    ("lang", "label"), [("en", "not a LIMA finding"), ("tr", "LIMA bulgusu değil")]
)
def test_the_small_model_reason_is_labelled_practitioners_reasoning(lang, label):
    """One position everywhere: that small models need more examples is not LIMA's result."""
    advice = sizing.recommend_sample_count("task", 7, lang=lang)
    (reason,) = [text for text in advice.reasons if "13B" in text]
    assert label in reason
    for wrong in ("Smaller models need more examples than LIMA", "Küçük modeller LIMA"):
        assert wrong not in reason


@pytest.mark.parametrize(
    ("args", "kwargs", "name"),
    [
        (("chat", 7), {}, "purpose"),
        (("task", 0), {}, "model_params_b"),
        (("task", -3), {}, "model_params_b"),
        (("task", float("nan")), {}, "model_params_b"),
        (("task", "7B"), {}, "model_params_b"),
        (("task", True), {}, "model_params_b"),
        (("domain", 7, "great"), {}, "coverage"),
        (("domain", 7), {"domain_breadth": "wide"}, "domain_breadth"),
    ],
)
def test_bad_arguments_name_the_argument(args, kwargs, name):
    with pytest.raises(ValueError, match=name):
        sizing.recommend_sample_count(*args, **kwargs)


def test_summary_is_localized():
    advice = sizing.recommend_sample_count("task", 7)
    assert "100–100.000" in advice.summary("tr")
    assert "Göreve özgü" in advice.summary("tr")
    assert "100–100,000" in advice.summary("en")
    assert "LIMA" in advice.summary("en")
    assert advice.reasons[0] in advice.summary()


def test_tables_are_localized():
    assert "Örnek aralığı" in sizing.guidance_table("tr").columns
    assert "Sample range" in sizing.guidance_table("en").columns
    assert len(sizing.guidance_table()) == 4
    assert "Neyin sayıldığı" in sizing.reference_points("tr").columns
    assert "Yi sohbet modelleri" in set(sizing.reference_points("tr")["Referans noktası"])


def test_plot_renders_with_localized_labels():
    ax = sizing.plot_reference_points(lang="tr")
    assert ax.get_xlabel() == "Örnek sayısı (logaritmik ölçek)"
    assert ax.get_xscale() == "log"
    ax.figure.canvas.draw()
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert "LIMA" in labels
    assert sizing.plot_reference_points(lang="en").get_xlabel().startswith("Number of samples")


def test_every_message_key_has_english_and_turkish():
    with (DATA / "messages" / "sizing.toml").open("rb") as handle:
        table = tomllib.load(handle)
    for key, entry in table.items():
        assert entry["en"].strip(), key
        assert entry["tr"].strip(), key


# --- validation with broken copies ---------------------------------------------------


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = (DATA / "reference_points.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "reference_points.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "entry", "field"),
    [
        ("samples_low = 1000\n", "samples_low = -1\n", 1, "samples_low"),
        ('kind = "report"', 'kind = "rumour"', 3, "kind"),
        ('checked = "2026-11-25"', 'checked = "yesterday"', 1, "checked"),
        ("model_params_b = 65", 'model_params_b = "big"', 1, "model_params_b"),
        ('source_url = "https://arxiv.org/abs/2305.11206"', 'source_url = ""', 1, "source_url"),
        ('note.tr = "Çoğu', 'note.xx = "Çoğu', 1, "note"),
    ],
)
def test_broken_reference_file_names_file_entry_and_field(tmp_path, old, new, entry, field):
    path = broken_copy(tmp_path, old, new)
    with pytest.raises(ReferencePointDataError) as error:
        sizing.read_reference_points(path)
    message = str(error.value)
    assert str(path) in message
    assert f"entry {entry}" in message
    assert f"field {field!r}" in message


def test_an_unchanged_copy_reads_back(tmp_path):
    path = broken_copy(tmp_path, "", "")
    assert tuple(sizing.read_reference_points(path)) == sizing._packaged_points()


# --------------------------------------------------------------------------- token budget


def test_token_budget_is_records_times_tokens_per_record() -> None:
    from talimat.sizing import recommend_sample_count

    advice = recommend_sample_count(
        "task", 7, tokens_per_record=120.0, available_records=500, tokenizer="tekken"
    )
    budget = advice.token_budget
    assert budget is not None
    assert (budget.low, budget.high) == (advice.low * 120, advice.high * 120)
    assert budget.epochs_low == pytest.approx(advice.low / 500)
    assert budget.epochs_high == pytest.approx(advice.high / 500)
    assert "trained tokens" in advice.summary("en")
    assert "dönem (epoch)" in advice.summary("tr")


def test_token_budget_is_additive() -> None:
    from talimat.sizing import recommend_sample_count

    plain = recommend_sample_count("general", 70)
    assert plain.token_budget is None
    budgeted = recommend_sample_count("general", 70, tokens_per_record=100)
    assert budgeted.token_budget is not None
    assert budgeted.token_budget.high is None
    assert budgeted.token_budget.epochs_low is None
    assert (budgeted.low, budgeted.high, budgeted.reasons) == (plain.low, plain.high, plain.reasons)


@pytest.mark.parametrize(
    ("tokens_per_record", "available_records"), [(0, None), (-1.5, None), (10, 0), (10, 2.5)]
)
def test_token_budget_rejects_bad_numbers(tokens_per_record: float, available_records: int) -> None:
    from talimat.sizing import recommend_sample_count

    with pytest.raises(ValueError, match=r"tokens_per_record|available_records"):
        recommend_sample_count(
            "task", 7, tokens_per_record=tokens_per_record, available_records=available_records
        )
