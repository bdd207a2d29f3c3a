"""Tests for talimat.hub: snapshot, live path against a recorded response, fallback, plot.

No test touches the network: HF_HUB_OFFLINE is set for every test, and the live path is
exercised with ``HfApi.list_datasets`` monkeypatched to replay tests/data/hub/.
"""

from __future__ import annotations

import builtins
import json
import tomllib
from datetime import date
from importlib import resources
from pathlib import Path

import matplotlib
import pytest

from talimat import hub

matplotlib.use("Agg")
HUB_DATA = Path(__file__).parent / "data" / "hub"
MESSAGES = Path(str(resources.files("talimat") / "data" / "messages" / "hub.toml"))


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def recorded(monkeypatch):
    """Replay the recorded /api/datasets response instead of calling the Hub."""
    huggingface_hub = pytest.importorskip("huggingface_hub")
    from huggingface_hub.hf_api import DatasetInfo

    calls = []
    items = json.loads((HUB_DATA / "list_datasets_instruct_likes.json").read_text("utf-8"))

    def fake_list_datasets(self, **kwargs):
        calls.append(kwargs)
        return iter([DatasetInfo(**item) for item in items][: kwargs.get("limit")])

    monkeypatch.setattr(huggingface_hub.HfApi, "list_datasets", fake_list_datasets)
    return calls


def test_offline_by_default_under_hf_hub_offline():
    listing = hub.most_popular_instruction_datasets()
    assert listing.source == "snapshot"
    assert listing.snapshot_date == date(2026, 11, 25)
    assert "2026-11-25" in listing.note
    assert "Snapshot" in listing.note
    assert len(listing.frame) == 10
    assert list(listing.frame["likes"]) == sorted(listing.frame["likes"], reverse=True)


def test_online_false_wins_even_without_the_variable(monkeypatch, recorded):
    monkeypatch.delenv("HF_HUB_OFFLINE")
    listing = hub.most_popular_instruction_datasets(online=False)
    assert listing.source == "snapshot"
    assert recorded == []


def test_snapshot_sorted_by_downloads_puts_unknown_values_last():
    listing = hub.most_popular_instruction_datasets("downloads", limit=50)
    downloads = listing.frame["downloads"]
    assert downloads.iloc[0] == downloads.max()
    assert downloads.isna().sum() <= 1
    if downloads.isna().any():
        assert downloads.isna().iloc[-1]


def test_snapshot_entries_each_cite_a_page():
    data = hub.load_snapshot()
    assert data["snapshot_date"] == "2026-11-25"
    for item in data["datasets"]:
        assert item["source_url"].startswith("https://huggingface.co/")
        assert item["likes"] is not None or item["downloads"] is not None


def test_turkish_note():
    listing = hub.most_popular_instruction_datasets(lang="tr")
    assert "Anlık görüntü" in listing.note
    assert "2026-11-25" in listing.note
    assert "Beğeni" in hub.listing_frame(listing).columns
    assert "Beğeni" in hub.listing_table(listing).to_html()


def test_live_path_uses_the_recorded_response(recorded):
    listing = hub.most_popular_instruction_datasets("likes", limit=3, online=True)
    assert listing.source == "live"
    assert listing.snapshot_date is None
    assert list(listing.frame["hub_id"]) == [
        "Open-Orca/OpenOrca",
        "OpenAssistant/oasst1",
        "databricks/databricks-dolly-15k",
    ]
    assert recorded == [{"search": hub.DEFAULT_SEARCH, "sort": "likes", "limit": 3}]
    assert "Live" in listing.note


def test_live_path_sorts_by_downloads(recorded):
    listing = hub.most_popular_instruction_datasets("downloads", limit=5, online=True)
    assert listing.frame["hub_id"].iloc[0] == "tatsu-lab/alpaca"
    assert recorded[0]["sort"] == "downloads"


def test_failed_request_falls_back_to_the_snapshot(monkeypatch):
    huggingface_hub = pytest.importorskip("huggingface_hub")

    def broken(self, **kwargs):
        raise ConnectionError("no network in tests")

    monkeypatch.setattr(huggingface_hub.HfApi, "list_datasets", broken)
    listing = hub.most_popular_instruction_datasets(online=True)
    assert listing.source == "snapshot"
    assert "ConnectionError" in listing.note
    assert "2026-11-25" in listing.note


def test_missing_package_falls_back_to_the_snapshot(monkeypatch):
    real_import = builtins.__import__

    def no_hub(name, *args, **kwargs):
        if name.startswith("huggingface_hub"):
            raise ImportError("No module named 'huggingface_hub'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_hub)
    listing = hub.most_popular_instruction_datasets(online=True, lang="tr")
    assert listing.source == "snapshot"
    assert "kurulu değil" in listing.note


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"sort": "stars"}, "sort"), ({"limit": 0}, "limit"), ({"limit": "10"}, "limit")],
)
def test_bad_arguments_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        hub.most_popular_instruction_datasets(**kwargs)


def test_plot_renders_with_localized_labels():
    listing = hub.most_popular_instruction_datasets("likes", limit=5)
    ax = hub.plot_popularity(listing, lang="tr")
    assert ax.get_xlabel() == "Beğeni"
    assert "anlık görüntü" in ax.get_title()
    ax.figure.canvas.draw()
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels[-1] == listing.frame["hub_id"].iloc[0]
    downloads = hub.most_popular_instruction_datasets("downloads", limit=5)
    assert hub.plot_popularity(downloads, lang="en").get_xlabel() == "Downloads (last 30 days)"


def test_every_message_key_has_english_and_turkish():
    with MESSAGES.open("rb") as handle:
        table = tomllib.load(handle)
    for key, entry in table.items():
        assert entry["en"].strip(), key
        assert entry["tr"].strip(), key
