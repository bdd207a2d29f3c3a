"""Tests for talimat.catalog: loading, validation, filters and localization."""

from __future__ import annotations

import csv
import shutil
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from talimat import catalog
from talimat.catalog import CatalogDataError, UnknownDatasetError

DATA = Path(str(resources.files("talimat") / "data"))


@pytest.fixture
def catalog_rows() -> list[dict[str, str]]:
    with (DATA / "catalog.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]], fields=catalog.FIELDS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fields), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_packaged_catalog_loads_and_has_the_required_datasets():
    frame = catalog.load_catalog(raw=True)
    ids = set(frame["hub_id"])
    for hub_id in (
        "GAIR/lima",
        "tatsu-lab/alpaca",
        "databricks/databricks-dolly-15k",
        "OpenAssistant/oasst1",
        "teknium/OpenHermes-2.5",
        "cognitivecomputations/dolphin",
        "HuggingFaceH4/ultrachat_200k",
        "Open-Orca/SlimOrca",
        "allenai/tulu-3-sft-mixture",
    ):
        assert hub_id in ids
    assert frame["hub_id"].is_unique
    assert (frame["samples"] > 0).all()
    assert frame["source_url"].str.startswith("https://").all()
    assert {"general", "task", "domain"} <= set(frame["purpose"])


def test_every_bibtex_key_is_in_references_bib():
    bib = (Path(__file__).parents[1] / "docs" / "references.bib").read_text(encoding="utf-8")
    for key in catalog.load_catalog(raw=True)["bibtex_key"]:
        assert f"{{{key}," in bib, key


def test_key_facts_match_their_sources():
    assert catalog.get_dataset("GAIR/lima").samples == 1000
    assert catalog.get_dataset("tatsu-lab/alpaca").samples == 52002
    assert catalog.get_dataset("cognitivecomputations/dolphin").samples == 4_500_000
    assert catalog.get_dataset("OpenAssistant/oasst1").samples == 161_443
    assert "tr" in catalog.get_dataset("OpenAssistant/oasst1").languages


def test_get_dataset_is_case_insensitive_and_rejects_unknown_ids():
    entry = catalog.get_dataset("gair/LIMA")
    assert entry.hub_id == "GAIR/lima"
    assert entry.size_band.code == "1k-10k"
    assert "1.000" in entry.samples_note("tr")
    with pytest.raises(UnknownDatasetError, match="nobody/nothing"):
        catalog.get_dataset("nobody/nothing")


def test_turkish_datasets_are_in_the_catalog():
    turkish = catalog.filter_catalog(language="tr", raw=True)
    assert {"merve/turkish_instructions", "TFLai/Turkish-Alpaca"} <= set(turkish["hub_id"])
    assert all("tr" in langs for langs in turkish["languages"])


@pytest.mark.parametrize(
    ("criteria", "check"),
    [
        ({"purpose": "task"}, lambda f: set(f["purpose"]) == {"task"}),
        ({"purpose": "domain"}, lambda f: set(f["purpose"]) == {"domain"}),
        ({"license": "Apache-2.0"}, lambda f: set(f["license"]) == {"apache-2.0"}),
        ({"size_band": ">=1M"}, lambda f: (f["samples"] >= 1_000_000).all()),
        ({"size_band": "<1k"}, lambda f: (f["samples"] < 1_000).all()),
    ],
)
def test_filters(criteria, check):
    frame = catalog.filter_catalog(raw=True, **criteria)
    assert len(frame) > 0
    assert check(frame)


def test_filters_combine():
    frame = catalog.filter_catalog(language="tr", purpose="domain", raw=True)
    assert list(frame["hub_id"]) == ["umarigan/turkiye_finance_qa"]


# --- commercial use: licence and provenance ----------------------------------------


def test_commercial_filter_needs_licence_and_provenance():
    allowed = catalog.filter_catalog(commercial=True, raw=True)
    assert set(allowed["hub_id"]) == {
        "databricks/databricks-dolly-15k",
        "OpenAssistant/oasst1",
        "CohereForAI/aya_dataset",
    }
    assert allowed["commercial"].all()
    for hub_id in allowed["hub_id"]:
        entry = catalog.get_dataset(hub_id)
        assert entry.license in catalog.COMMERCIAL_LICENSES
        assert entry.provenance == "people"


def test_a_permissive_label_on_restricted_content_is_excluded():
    # Apache 2.0 on the card, but a translation of non-commercial Alpaca, or of unstated origin
    for hub_id, provenance in (
        ("TFLai/Turkish-Alpaca", "noncommercial_source"),
        ("merve/turkish_instructions", "unstated"),
        ("cognitivecomputations/dolphin", "teacher_model"),
    ):
        entry = catalog.get_dataset(hub_id)
        assert entry.license == "apache-2.0"
        use = catalog.commercial_use(entry, "en")
        assert use.license_allows
        assert not use.provenance_allows
        assert not use.allowed
        assert entry.provenance == provenance


@pytest.mark.parametrize(
    ("hub_id", "reason"),
    [
        ("GAIR/lima", "forbids commercial use"),
        ("umarigan/turkiye_finance_qa", "states no licence"),
        ("medalpaca/medical_meadow_medical_flashcards", "does not say which terms apply"),
        ("TFLai/Turkish-Alpaca", "derived from non-commercial data"),
        ("merve/turkish_instructions", "how the data was made is not stated"),
        ("Open-Orca/SlimOrca", "a model whose terms restrict their use"),
        ("allenai/tulu-3-sft-mixture", "not all open"),
    ],
)
def test_every_exclusion_says_why(hub_id, reason):
    use = catalog.commercial_use(catalog.get_dataset(hub_id), "en")
    assert not use.allowed
    assert any(reason in text for text in use.reasons)
    assert use.explanation("en").startswith("excluded:")
    assert use.explanation("tr").startswith("uygun değil:")


def test_commercial_listing_and_exclusions_account_for_every_row():
    for criteria in ({}, {"language": "tr"}, {"purpose": "domain"}, {"license": "apache-2.0"}):
        everything = set(catalog.filter_catalog(raw=True, **criteria)["hub_id"])
        allowed = set(catalog.filter_catalog(commercial=True, raw=True, **criteria)["hub_id"])
        excluded = {use.hub_id for use in catalog.commercial_exclusions(**criteria)}
        assert allowed | excluded == everything
        assert not allowed & excluded
        assert all(use.reasons for use in catalog.commercial_exclusions(**criteria))


def test_turkish_commercial_listing():
    frame = catalog.filter_catalog(language="tr", commercial=True, raw=True)
    assert list(frame["hub_id"]) == ["OpenAssistant/oasst1", "CohereForAI/aya_dataset"]
    shown = catalog.filter_catalog(language="tr", lang="tr")
    column = shown.set_index("Hub kimliği")["Ticari kullanım"]
    assert column["OpenAssistant/oasst1"].startswith("uygun:")
    assert column["TFLai/Turkish-Alpaca"].startswith("uygun değil:")


def test_bad_provenance_is_named(tmp_path, catalog_rows):
    catalog_rows[0]["provenance"] = "probably fine"
    path = write_rows(tmp_path / "catalog.csv", catalog_rows)
    with pytest.raises(CatalogDataError, match=r"row 1 .*field 'provenance'"):
        catalog.read_catalog(path)


@pytest.mark.parametrize(
    ("criteria", "name"),
    [
        ({"purpose": "chat"}, "purpose"),
        ({"size_band": "huge"}, "size_band"),
        ({"language": ""}, "language"),
        ({"license": " "}, "license"),
        ({"commercial": "yes"}, "commercial"),
    ],
)
def test_bad_filter_arguments_name_the_argument(criteria, name):
    with pytest.raises(ValueError, match=name):
        catalog.filter_catalog(**criteria)


def test_size_bands_cover_all_counts_without_overlap():
    for samples in (1, 999, 1_000, 9_999, 10_000, 99_999, 100_000, 999_999, 1_000_000, 10**9):
        matches = [band for band in catalog.SIZE_BANDS if band.contains(samples)]
        assert len(matches) == 1
        assert catalog.size_band_of(samples) is matches[0]


def test_turkish_headers_and_categories():
    frame = catalog.load_catalog("tr")
    assert "Veri kümesi" in frame.columns
    assert "Örnek sayısı" in frame.columns
    assert "göreve özgü" in set(frame["Amaç"])
    assert "1 bin–10 bin" in set(frame["Boyut aralığı"])
    english = catalog.load_catalog("en")
    assert "Dataset" in english.columns
    assert "task-specific" in set(english["Purpose"])


def test_language_follows_the_environment(monkeypatch):
    monkeypatch.setenv("TALIMAT_LANG", "tr")
    assert "Veri kümesi" in catalog.load_catalog().columns


def test_catalog_table_formats_numbers_the_turkish_way():
    html = catalog.catalog_table("tr").to_html()
    assert "52.002" in html
    assert "Lisans" in html


def test_every_message_key_has_english_and_turkish():
    with (DATA / "messages" / "catalog.toml").open("rb") as handle:
        table = tomllib.load(handle)
    for key, entry in table.items():
        assert entry["en"].strip(), key
        assert entry["tr"].strip(), key


# --- validation with broken copies ---------------------------------------------------


def test_broken_samples_names_file_row_and_field(tmp_path, catalog_rows):
    catalog_rows[2]["samples"] = "lots"
    path = write_rows(tmp_path / "catalog.csv", catalog_rows)
    with pytest.raises(CatalogDataError) as error:
        catalog.read_catalog(path)
    message = str(error.value)
    assert str(path) in message
    assert "row 3" in message
    assert "'samples'" in message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("purpose", "chat"),
        ("format", "yaml"),
        ("origin", "magic"),
        ("source_url", "http://example.com"),
        ("checked", "25.11.2026"),
        ("hub_id", "no-owner"),
        ("name", ""),
    ],
)
def test_each_bad_field_is_named(tmp_path, catalog_rows, field, value):
    catalog_rows[0][field] = value
    path = write_rows(tmp_path / "catalog.csv", catalog_rows)
    with pytest.raises(CatalogDataError, match=rf"row 1 .*field '{field}'"):
        catalog.read_catalog(path)


def test_task_rows_need_their_task(tmp_path, catalog_rows):
    row = next(r for r in catalog_rows if r["purpose"] == "task")
    row["focus_tr"] = ""
    path = write_rows(tmp_path / "catalog.csv", catalog_rows)
    with pytest.raises(CatalogDataError, match="focus_tr"):
        catalog.read_catalog(path)


def test_duplicate_and_missing_column(tmp_path, catalog_rows):
    path = write_rows(tmp_path / "dup.csv", [*catalog_rows, catalog_rows[0]])
    with pytest.raises(CatalogDataError, match="duplicate"):
        catalog.read_catalog(path)
    fields = [name for name in catalog.FIELDS if name != "license"]
    path = write_rows(tmp_path / "missing.csv", catalog_rows, fields)
    with pytest.raises(CatalogDataError, match=r"header.*license"):
        catalog.read_catalog(path)


def test_an_unchanged_copy_reads_back(tmp_path):
    copy = tmp_path / "catalog.csv"
    shutil.copy(DATA / "catalog.csv", copy)
    assert catalog.read_catalog(copy) == catalog._packaged_entries()
