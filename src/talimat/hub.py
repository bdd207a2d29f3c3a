"""Popular instruction datasets on the Hugging Face Hub, live or from a dated snapshot.

The live path needs the optional ``hub`` extra (``pip install "talimat[hub]"``) and the
network. Whenever ``HF_HUB_OFFLINE=1`` is set, ``online=False`` is passed, the package is
missing or the request fails, the shipped snapshot (``talimat/data/hub_snapshot.json``) is
used instead, and the listing's ``note`` says so, with the snapshot's date. Docs builds
and tests set ``HF_HUB_OFFLINE=1`` and never touch the network.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, get_args

from .language import format_number, localized_table, messages, resolve_language

if TYPE_CHECKING:  # pandas and matplotlib are imported lazily
    import pandas as pd
    from matplotlib.axes import Axes
    from pandas.io.formats.style import Styler

__all__ = [
    "DEFAULT_SEARCH",
    "HubListing",
    "listing_frame",
    "listing_table",
    "load_snapshot",
    "most_popular_instruction_datasets",
    "plot_popularity",
]

Sort = Literal["likes", "downloads"]
SORTS: tuple[str, ...] = get_args(Sort)
DEFAULT_SEARCH = "instruct"
_COLUMNS = ("hub_id", "likes", "downloads", "source_url")
_msg = messages("hub")


@dataclass(frozen=True)
class HubListing:
    """Datasets ranked by likes or downloads, and where the numbers come from.

    ``source`` is ``"live"`` or ``"snapshot"``; ``note`` is a localized sentence for the
    reader saying which, and (for a snapshot) its date and, after a failed live call, why.
    """

    frame: pd.DataFrame
    source: Literal["live", "snapshot"]
    snapshot_date: date | None
    note: str
    sort: str = "likes"
    lang: str = "en"


@cache
def load_snapshot() -> dict[str, Any]:
    """The shipped snapshot: ``snapshot_date``, ``description`` and ``datasets``."""
    path = resources.files("talimat") / "data" / "hub_snapshot.json"
    with path.open("r", encoding="utf-8") as handle:
        data = json.load(handle)
    where = "talimat/data/hub_snapshot.json"
    try:
        date.fromisoformat(data["snapshot_date"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"{where}: field 'snapshot_date' must be a YYYY-MM-DD date") from None
    for number, item in enumerate(data.get("datasets", []), 1):
        for name in ("hub_id", "source_url"):
            if not isinstance(item.get(name), str) or not item[name]:
                raise ValueError(f"{where}, dataset {number}, field {name!r}: missing")
        for name in ("likes", "downloads"):
            value = item.get(name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise ValueError(
                    f"{where}, dataset {number}, field {name!r}: not a count: {value!r}"
                )
    return data


def _offline_requested(online: bool | None) -> bool:
    if online is not None:
        return not online
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _snapshot_frame(sort: str, limit: int) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(load_snapshot()["datasets"], columns=list(_COLUMNS))
    for name in ("likes", "downloads"):
        frame[name] = frame[name].astype("Int64")
    frame = frame.sort_values(sort, ascending=False, na_position="last", kind="stable")
    return frame.head(limit).reset_index(drop=True)


def _live_frame(sort: Any, limit: int, search: str) -> pd.DataFrame:
    import pandas as pd
    from huggingface_hub import HfApi  # optional extra, imported only here

    infos = HfApi().list_datasets(search=search, sort=sort, limit=limit)
    rows = [
        {
            "hub_id": info.id,
            "likes": info.likes,
            "downloads": info.downloads,
            "source_url": f"https://huggingface.co/datasets/{info.id}",
        }
        for info in infos
    ]
    frame = pd.DataFrame(rows, columns=list(_COLUMNS))
    for name in ("likes", "downloads"):
        frame[name] = frame[name].astype("Int64")
    frame = frame.sort_values(sort, ascending=False, na_position="last", kind="stable")
    return frame.head(limit).reset_index(drop=True)


def most_popular_instruction_datasets(
    sort: Sort = "likes",
    limit: int = 10,
    *,
    online: bool | None = None,
    lang: str | None = None,
    search: str = DEFAULT_SEARCH,
) -> HubListing:
    """The most liked or downloaded instruction datasets, live when possible.

    ``online=None`` (the default) goes live unless ``HF_HUB_OFFLINE=1``; ``online=False``
    always uses the snapshot; ``online=True`` tries the Hub and falls back to the snapshot,
    saying why, if ``huggingface_hub`` is missing or the request fails.
    """
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(map(repr, SORTS))}; got {sort!r}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        raise ValueError(f"limit must be a positive integer; got {limit!r}")
    language = resolve_language(lang)
    snapshot_date = date.fromisoformat(load_snapshot()["snapshot_date"])
    snapshot_note = _msg("note_snapshot", language, date=snapshot_date.isoformat())
    if _offline_requested(online):
        return HubListing(
            _snapshot_frame(sort, limit), "snapshot", snapshot_date, snapshot_note, sort, language
        )
    try:
        frame = _live_frame(sort, limit, search)
    except ImportError:
        reason = _msg("fallback_missing", language)
    except Exception as error:  # network, HTTP and parsing errors all fall back the same way
        reason = _msg("fallback_error", language, error=type(error).__name__)
    else:
        note = _msg("note_live", language, date=date.today().isoformat(), search=search)
        return HubListing(frame, "live", None, note, sort, language)
    return HubListing(
        _snapshot_frame(sort, limit),
        "snapshot",
        snapshot_date,
        f"{reason} {snapshot_note}",
        sort,
        language,
    )


def listing_frame(listing: HubListing, lang: str | None = None) -> pd.DataFrame:
    """The listing's frame with localized column headers (data unchanged)."""
    language = resolve_language(lang if lang is not None else listing.lang)
    return listing.frame.rename(columns={name: _msg(f"col_{name}", language) for name in _COLUMNS})


def listing_table(listing: HubListing, lang: str | None = None) -> Styler:
    """The listing for readers: localized headers, numbers the language's way, text escaped."""
    language = resolve_language(lang if lang is not None else listing.lang)
    return localized_table(listing_frame(listing, language), language)


def plot_popularity(listing: HubListing, ax: Axes | None = None, lang: str | None = None) -> Axes:
    """A horizontal bar chart of the listing's metric, most popular at the top."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    language = resolve_language(lang if lang is not None else listing.lang)
    frame = listing.frame.dropna(subset=[listing.sort]).iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.4 * max(len(frame), 3) + 1), layout="constrained")
    ax.barh(frame["hub_id"], frame[listing.sort].astype("float64"), color="tab:blue")
    ax.set_xlabel(_msg(f"col_{listing.sort}", language))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_number(value, language)))
    if listing.source == "live":
        title = _msg("plot_title_live", language, date=date.today().isoformat())
    else:
        day = listing.snapshot_date.isoformat() if listing.snapshot_date else "?"
        title = _msg("plot_title_snapshot", language, date=day)
    ax.set_title(title)
    return ax
