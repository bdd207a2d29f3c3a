"""How many instruction samples to plan for, with every range tied to a published source.

The reference points live in ``talimat/data/reference_points.toml``: each one says what
was counted, for which model, where the figure comes from and when it was checked.
:func:`recommend_sample_count` turns them into a range for a purpose and a model size:

>>> advice = recommend_sample_count("task", 7)
>>> advice.low, advice.high
(100, 100000)
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from talimat.choices import check_choice
from talimat.errors import TalimatError, data_file_problem

from .catalog import PURPOSES, Purpose
from .language import LANGUAGES, format_number, messages, resolve_language

if TYPE_CHECKING:  # pandas and matplotlib are imported lazily
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "SMALL_MODEL_PARAMS_B",
    "Coverage",
    "DomainBreadth",
    "Purpose",
    "ReferencePoint",
    "ReferencePointDataError",
    "SampleCountAdvice",
    "TokenBudget",
    "guidance_table",
    "plot_reference_points",
    "preference_reference_points",
    "read_preference_points",
    "read_reference_points",
    "recommend_preference_pairs",
    "recommend_sample_count",
    "reference_points",
]

Coverage = Literal["well", "partial", "poor"]
DomainBreadth = Literal["narrow", "broad"]
Kind = Literal["study", "report", "dataset", "rule_of_thumb"]

COVERAGES: tuple[str, ...] = get_args(Coverage)
BREADTHS: tuple[str, ...] = get_args(DomainBreadth)
KINDS: tuple[str, ...] = get_args(Kind)

DATA_FILE = "talimat/data/reference_points.toml"
_msg = messages("sizing")

# The two anchors every range is built from, with the reference points behind them.
_TASK_RANGE = (100, 100_000)
_GENERAL_LOW = 1_000_000
_GENERAL_REFS = ("openhermes", "dolphin", "tulu3_sft", "llama3", "llama31", "lima", "yi")
_TASK_REFS = ("task_rule_of_thumb", "lima")
#: Models below this many billion parameters get the small-model reason, since LIMA's 65B
#: result does not carry over to them directly.
SMALL_MODEL_PARAMS_B = 13


class ReferencePointDataError(TalimatError):
    """The reference-point file is malformed; the message names file, entry and field."""


@dataclass(frozen=True)
class ReferencePoint:
    """One published sample count: how many, of what, for which model, and from where."""

    key: str
    name: str
    samples_low: int | None
    samples_high: int | None
    model: str
    model_params_b: float | None
    what_counted: str
    source_url: str
    bibtex_key: str
    note: str
    kind: str = "study"
    checked: date | None = None

    @property
    def label(self) -> str:
        """The count as the source states it, e.g. ``1,000``, ``< 10,000``, ``≥ 10,000,000``."""
        return _range_text(self.samples_low, self.samples_high, "en")


@dataclass(frozen=True)
class TokenBudget:
    """A sample range read as trained tokens: records × median trained tokens per record.

    ``tokens_per_record`` is the median trained (assistant) tokens of records like yours,
    counted with a named tokenizer (``talimat tokens FILE --json`` gives it as
    ``median_trained_tokens``). ``source`` says what was counted. With ``available_records``,
    ``epochs_low`` and ``epochs_high`` are the passes over your records that the budget
    implies: reaching the low end of the range with fewer records means repeating them.
    """

    tokens_per_record: float
    low: int
    high: int | None
    tokenizer: str = ""
    source: str = ""
    available_records: int | None = None

    @property
    def epochs_low(self) -> float | None:
        if not self.available_records or not self.tokens_per_record:
            return None
        return self.low / (self.available_records * self.tokens_per_record)

    @property
    def epochs_high(self) -> float | None:
        if self.high is None or not self.available_records or not self.tokens_per_record:
            return None
        return self.high / (self.available_records * self.tokens_per_record)

    def summary(self, lang: str | None = None) -> str:
        """The budget and, with ``available_records``, the epochs it implies, in ``lang``."""
        language = resolve_language(lang)
        lines = [
            _msg(
                "budget_summary",
                language,
                range=_range_text(self.low, self.high, language),
                per_record=format_number(self.tokens_per_record, language, 1),
                tokenizer=self.tokenizer or "?",
                source=self.source or "?",
            )
        ]
        if self.epochs_low is not None:
            epochs = format_number(self.epochs_low, language, 1)
            if self.epochs_high is not None:
                epochs = f"{epochs}–{format_number(self.epochs_high, language, 1)}"
            records = format_number(self.available_records or 0, language)
            lines.append(_msg("budget_epochs", language, records=records, epochs=epochs))
        return "\n".join(lines)


def _check_budget(tokens_per_record: float | None, available_records: int | None) -> None:
    if tokens_per_record is not None and (
        isinstance(tokens_per_record, bool)
        or not isinstance(tokens_per_record, int | float)
        or not math.isfinite(tokens_per_record)
        or tokens_per_record <= 0
    ):
        raise ValueError(_msg("bad_tokens_per_record", None, value=tokens_per_record))
    if available_records is not None and (
        isinstance(available_records, bool)
        or not isinstance(available_records, int)
        or available_records < 1
    ):
        raise ValueError(_msg("bad_available_records", None, value=available_records))


@dataclass(frozen=True)
class SampleCountAdvice:
    """A recommended sample range, the reasons for it and the references behind it.

    ``high`` is None when the sources give no upper bound ("a million or more").
    """

    purpose: str
    low: int
    high: int | None
    reasons: tuple[str, ...]
    references: tuple[ReferencePoint, ...]
    model_params_b: float = 0.0
    _reason_keys: tuple[str, ...] = field(default=(), repr=False, compare=False)
    _label_key: str = field(default="", repr=False, compare=False)
    #: The message of the summary's first line: what the range counts (samples, pairs).
    _summary_key: str = field(default="summary", repr=False, compare=False)
    token_budget: TokenBudget | None = None

    def range_text(self, lang: str | None = None) -> str:
        """The range with the language's digit grouping: ``100–100.000`` in Turkish."""
        return _range_text(self.low, self.high, lang)

    def summary(self, lang: str | None = None) -> str:
        """A short paragraph: the range, why, and the sources, in ``lang``."""
        language = resolve_language(lang)
        params = format_number(self.model_params_b, language)
        head = _msg(
            self._summary_key,
            language,
            purpose=_msg(self._label_key or f"purpose_{self.purpose}", language),
            range=self.range_text(language),
            params=params,
        )
        reasons = [_msg(key, language) for key in self._reason_keys] or list(self.reasons)
        sources = ", ".join(dict.fromkeys(ref.name for ref in self.references))
        lines = [head, _msg("summary_reasons", language)]
        lines += [f"- {reason}" for reason in reasons]
        lines.append(f"{_msg('summary_sources', language)} {sources}")
        if self.token_budget is not None:
            lines.append(self.token_budget.summary(language))
        return "\n".join(lines)


def _range_text(low: int | None, high: int | None, lang: str | None) -> str:
    if low is not None and high is not None and low == high:
        return format_number(low, lang)
    if low is None and high is not None:
        return _msg("range_below", lang, high=format_number(high, lang))
    if high is None and low is not None:
        return _msg("range_open", lang, low=format_number(low, lang))
    return _msg(
        "range_closed", lang, low=format_number(low or 0, lang), high=format_number(high or 0, lang)
    )


# --- loading -------------------------------------------------------------------------


def _bad(path: str, entry: int, key: str, field_name: str, problem: str) -> ReferencePointDataError:
    where = f"entry {entry}" + (f" ({key!r})" if key else "")
    return ReferencePointDataError(data_file_problem(path, where, field_name, problem))


def _localized(raw: Any, path: str, entry: int, key: str, name: str) -> dict[str, str]:
    if not isinstance(raw, Mapping) or any(
        not isinstance(text := raw.get(lang), str) or not text.strip() for lang in LANGUAGES
    ):
        wanted = " and ".join(repr(code) for code in LANGUAGES)
        raise _bad(path, entry, key, name, f"needs non-empty {wanted} texts")
    return {code: raw[code] for code in LANGUAGES}


def _parse_point(raw: Mapping[str, Any], path: str, entry: int) -> dict[str, Any]:
    key = raw.get("key")
    if not isinstance(key, str) or not key.strip():
        raise _bad(path, entry, "", "key", "missing or empty")
    for name in ("model", "source_url", "bibtex_key", "checked", "kind"):
        if not isinstance(raw.get(name), str):
            raise _bad(path, entry, key, name, "missing or not text")
    names = raw.get("name")
    if isinstance(names, str):
        if not names.strip():
            raise _bad(path, entry, key, "name", "empty")
        names = {code: names for code in LANGUAGES}
    names = _localized(names, path, entry, key, "name")
    kind = raw["kind"]
    if kind not in KINDS:
        raise _bad(path, entry, key, "kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    if kind != "rule_of_thumb" and not raw["source_url"].startswith("https://"):
        raise _bad(
            path,
            entry,
            key,
            "source_url",
            "needs an https:// URL (only rules of thumb may omit it)",
        )
    if kind != "rule_of_thumb" and not raw["bibtex_key"].strip():
        raise _bad(path, entry, key, "bibtex_key", "empty (only rules of thumb may omit it)")
    bounds: dict[str, int | None] = {}
    for name in ("samples_low", "samples_high"):
        value = raw.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            raise _bad(path, entry, key, name, f"expected a positive integer, got {value!r}")
        bounds[name] = value
    low, high = bounds["samples_low"], bounds["samples_high"]
    if low is None and high is None:
        raise _bad(path, entry, key, "samples_low", "give samples_low, samples_high or both")
    if low is not None and high is not None and low > high:
        raise _bad(path, entry, key, "samples_high", f"{high} is below samples_low {low}")
    params = raw.get("model_params_b")
    if params is not None and (
        isinstance(params, bool) or not isinstance(params, int | float) or not params > 0
    ):
        raise _bad(
            path, entry, key, "model_params_b", f"expected a positive number, got {params!r}"
        )
    try:
        checked = date.fromisoformat(raw["checked"])
    except ValueError:
        raise _bad(
            path, entry, key, "checked", f"{raw['checked']!r} is not a YYYY-MM-DD date"
        ) from None
    return {
        "key": key,
        "name": names,
        "kind": kind,
        "samples_low": low,
        "samples_high": high,
        "model": raw["model"],
        "model_params_b": float(params) if params is not None else None,
        "what_counted": _localized(raw.get("what_counted"), path, entry, key, "what_counted"),
        "note": _localized(raw.get("note"), path, entry, key, "note"),
        "source_url": raw["source_url"],
        "bibtex_key": raw["bibtex_key"],
        "checked": checked,
    }


def _read_point_table(path: str | os.PathLike[str], table: str) -> list[dict[str, Any]]:
    """Read the ``[[table]]`` entries of a reference-point file; errors name file, entry, field."""
    label = str(path)
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ReferencePointDataError(f"{label}: not valid TOML ({error})") from None
    entries = raw.get(table)
    if not isinstance(entries, list) or not entries:
        raise ReferencePointDataError(f"{label}: no [[{table}]] entries")
    points = [_parse_point(entry, label, number) for number, entry in enumerate(entries, 1)]
    seen: set[str] = set()
    for number, point in enumerate(points, 1):
        if point["key"] in seen:
            raise _bad(label, number, point["key"], "key", "duplicate key")
        seen.add(point["key"])
    return points


def read_reference_points(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read and check a reference-point TOML file; errors name the file, entry and field."""
    return _read_point_table(path, "point")


@cache
def _packaged_points() -> tuple[dict[str, Any], ...]:
    with resources.as_file(resources.files("talimat") / "data" / "reference_points.toml") as path:
        return tuple(read_reference_points(Path(path)))


def _localized_points(raws: tuple[dict[str, Any], ...], language: str) -> dict[str, ReferencePoint]:
    """Parsed reference-point entries (SFT or preference) with their texts in ``language``."""
    return {
        raw["key"]: ReferencePoint(
            key=raw["key"],
            name=raw["name"][language],
            samples_low=raw["samples_low"],
            samples_high=raw["samples_high"],
            model=raw["model"],
            model_params_b=raw["model_params_b"],
            what_counted=raw["what_counted"][language],
            source_url=raw["source_url"],
            bibtex_key=raw["bibtex_key"],
            note=raw["note"][language],
            kind=raw["kind"],
            checked=raw["checked"],
        )
        for raw in raws
    }


def _points(lang: str | None) -> dict[str, ReferencePoint]:
    return _localized_points(_packaged_points(), resolve_language(lang))


# --- advice --------------------------------------------------------------------------


def recommend_sample_count(
    purpose: Purpose,
    model_params_b: float,
    coverage: Coverage | None = None,
    *,
    domain_breadth: DomainBreadth | None = None,
    lang: str | None = None,
    tokens_per_record: float | None = None,
    available_records: int | None = None,
    tokenizer: str = "",
    tokens_source: str = "",
) -> SampleCountAdvice:
    """Recommend a range of instruction samples for a purpose and a model size.

    With ``tokens_per_record`` (median trained tokens per record, for your language and
    tokenizer, named by ``tokenizer`` and ``tokens_source``), the advice also carries the
    range as a :class:`TokenBudget`; with ``available_records`` too, the epochs it implies.

    ``coverage`` (how well pre-training covered the domain) and ``domain_breadth`` only
    matter for ``purpose="domain"``: broad, poorly covered domains (medicine, law) move
    toward general-purpose sizes, narrow, well covered ones (e-commerce, hotels) toward
    task sizes. Every range cites at least one reference point.
    """
    check_choice("purpose", purpose, PURPOSES, optional=False, lang=lang)
    if isinstance(model_params_b, bool) or not isinstance(model_params_b, int | float):
        raise ValueError(
            f"model_params_b must be a number of billions of parameters; got {model_params_b!r}"
        )
    if not math.isfinite(model_params_b) or model_params_b <= 0:
        raise ValueError(f"model_params_b must be a positive number; got {model_params_b!r}")
    check_choice("coverage", coverage, COVERAGES, optional=True, lang=lang)
    check_choice("domain_breadth", domain_breadth, BREADTHS, optional=True, lang=lang)
    _check_budget(tokens_per_record, available_records)
    language = resolve_language(lang)
    points = _points(language)

    reason_keys: list[str] = []
    label_key = f"purpose_{purpose}"
    high: int | None
    if purpose == "general":
        low, high = _GENERAL_LOW, None
        reason_keys += ["reason_general_scale", "reason_general_llama3", "reason_general_curated"]
        refs = list(_GENERAL_REFS)
    elif purpose == "task":
        low, high = _TASK_RANGE
        reason_keys.append("reason_task_range")
        refs = list(_TASK_REFS)
    else:
        low, high, label_key, refs = _domain_range(coverage, domain_breadth, reason_keys)
    if model_params_b < SMALL_MODEL_PARAMS_B:
        reason_keys.append("reason_small_model")
        refs.append("lima_7b_ablation")
    reason_keys.append("reason_quality")
    references = tuple(points[key] for key in dict.fromkeys(refs))
    budget = None
    if tokens_per_record is not None:
        budget = TokenBudget(
            tokens_per_record=float(tokens_per_record),
            low=round(low * tokens_per_record),
            high=None if high is None else round(high * tokens_per_record),
            tokenizer=tokenizer,
            source=tokens_source,
            available_records=available_records,
        )
    return SampleCountAdvice(
        purpose=purpose,
        low=low,
        high=high,
        reasons=tuple(_msg(key, language) for key in reason_keys),
        references=references,
        model_params_b=float(model_params_b),
        _reason_keys=tuple(reason_keys),
        _label_key=label_key,
        token_budget=budget,
    )


def _domain_range(
    coverage: str | None, breadth: str | None, reason_keys: list[str]
) -> tuple[int, int | None, str, list[str]]:
    if coverage is None or breadth is None:
        reason_keys.append("reason_domain_assumed")
    coverage = coverage or "poor"
    breadth = breadth or "broad"
    # 0 = narrow and well covered (task-like) … 3 = broad and poorly covered (general-like)
    score = (breadth == "broad") + COVERAGES.index(coverage)
    task_low, task_high = _TASK_RANGE
    if score == 0:
        reason_keys.append("reason_domain_narrow_well")
        return task_low, task_high, "purpose_domain_narrow_well", list(_TASK_REFS)
    if score == 3:
        reason_keys.append("reason_domain_broad_poor")
        return task_high, None, "purpose_domain_broad_poor", ["task_rule_of_thumb", *_GENERAL_REFS]
    reason_keys.append("reason_domain_between")
    # one step from the task end gives 1k–1M, two steps 10k–1M
    low = task_low * 10**score
    high = _GENERAL_LOW
    return low, high, "purpose_domain", ["task_rule_of_thumb", "openhermes", "lima"]


# --- tables and plots ----------------------------------------------------------------

_POINT_COLUMNS = (
    "key",
    "name",
    "kind",
    "samples_low",
    "samples_high",
    "model",
    "model_params_b",
    "what_counted",
    "note",
    "source_url",
    "bibtex_key",
    "checked",
)


def _points_frame(points: Iterable[ReferencePoint], language: str, raw: bool) -> pd.DataFrame:
    """Reference points (SFT or preference) as a table, headers in ``language`` unless raw."""
    import pandas as pd

    frame = pd.DataFrame(
        [{name: getattr(point, name) for name in _POINT_COLUMNS} for point in points],
        columns=list(_POINT_COLUMNS),
    )
    for name in ("samples_low", "samples_high"):
        frame[name] = frame[name].astype("Int64")
    frame["model_params_b"] = frame["model_params_b"].astype("Float64")
    if raw:
        return frame
    frame["kind"] = [_msg(f"kind_{kind}", language) for kind in frame["kind"]]
    return frame.rename(columns={name: _msg(f"col_{name}", language) for name in _POINT_COLUMNS})


def reference_points(lang: str | None = None, *, raw: bool = False) -> pd.DataFrame:
    """The reference points as a table; ``raw=True`` keeps stable English column names."""
    language = resolve_language(lang)
    return _points_frame(_points(language).values(), language, raw)


def guidance_table(lang: str | None = None) -> pd.DataFrame:
    """Purpose × sample range × typical model size × sources, as the docs show it."""
    import pandas as pd

    language = resolve_language(lang)
    cases = [
        (recommend_sample_count("general", 70, lang=language), "model_any"),
        (recommend_sample_count("task", 7, lang=language), "model_small"),
        (
            recommend_sample_count("domain", 7, "well", domain_breadth="narrow", lang=language),
            "model_small",
        ),
        (
            recommend_sample_count("domain", 70, "poor", domain_breadth="broad", lang=language),
            "model_like_general",
        ),
    ]
    rows = []
    for advice, model_key in cases:
        references = [ref for ref in advice.references if ref.key != "lima_7b_ablation"]
        rows.append(
            {
                _msg("col_purpose", language): _msg(advice._label_key, language),
                _msg("col_range", language): advice.range_text(language),
                _msg("col_typical_model", language): _msg(model_key, language),
                _msg("col_sources", language): ", ".join(dict.fromkeys(r.name for r in references)),
            }
        )
    return pd.DataFrame(rows)


def plot_reference_points(ax: Axes | None = None, lang: str | None = None) -> Axes:
    """Draw the reference points on a log scale: a bar per range, a dot per exact count.

    Bounds stated as "fewer than" or "over" are drawn as an arrow pointing the open way.
    """
    import matplotlib.pyplot as plt

    language = resolve_language(lang)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    points = sorted(_points(language).values(), key=lambda p: p.samples_low or p.samples_high or 0)
    for row, point in enumerate(points):
        low, high = point.samples_low, point.samples_high
        color = "tab:gray" if point.kind == "rule_of_thumb" else "tab:blue"
        if low is not None and high is not None and low != high:
            ax.plot([low, high], [row, row], color=color, linewidth=6, solid_capstyle="butt")
        elif low is not None and high is not None:
            ax.plot([low], [row], "o", color=color, markersize=8)
        elif high is not None:  # "fewer than high"
            ax.annotate(
                "",
                xy=(high / 4, row),
                xytext=(high, row),
                arrowprops={"arrowstyle": "->", "color": color, "linewidth": 2},
            )
            ax.plot([high], [row], "|", color=color, markersize=14)
        elif low is not None:  # "over low"
            ax.annotate(
                "",
                xy=(low * 4, row),
                xytext=(low, row),
                arrowprops={"arrowstyle": "->", "color": color, "linewidth": 2},
            )
            ax.plot([low], [row], "|", color=color, markersize=14)
    ax.set_xscale("log")
    ax.set_xlim(30, 3e8)
    ax.set_yticks(range(len(points)), [point.name for point in points])
    ax.set_xlabel(_msg("plot_xlabel", language))
    ax.set_title(_msg("plot_title", language))
    ax.xaxis.set_major_formatter(_log_formatter(language))
    ax.grid(axis="x", which="major", alpha=0.3)
    return ax


def _log_formatter(language: str):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: format_number(value, language) if value >= 1 else "")


# --- preference pairs ----------------------------------------------------------------
# Additive: the [[preference_point]] entries of the same file, read with the same checks.

_PREFERENCE_MODEL_RANGE = (7.0, 70.0)


def read_preference_points(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read the ``[[preference_point]]`` entries of a reference-point file, checked.

    Each entry has the fields of a ``[[point]]``; its sample counts count preference pairs.
    """
    return _read_point_table(path, "preference_point")


@cache
def _packaged_preference_points() -> tuple[dict[str, Any], ...]:
    with resources.as_file(resources.files("talimat") / "data" / "reference_points.toml") as path:
        return tuple(read_preference_points(Path(path)))


def _preference_points(lang: str | None) -> dict[str, ReferencePoint]:
    return _localized_points(_packaged_preference_points(), resolve_language(lang))


def preference_reference_points(lang: str | None = None, *, raw: bool = False) -> pd.DataFrame:
    """The preference-pair reference points as a table, like :func:`reference_points`."""
    language = resolve_language(lang)
    return _points_frame(_preference_points(language).values(), language, raw)


def recommend_preference_pairs(
    model_params_b: float, *, lang: str | None = None
) -> SampleCountAdvice:
    """How many preference pairs published open recipes used, for a model of this size.

    The range runs from the smallest to the largest published count in the package's
    ``[[preference_point]]`` data (general chat models); every reference point is cited.
    """
    if isinstance(model_params_b, bool) or not isinstance(model_params_b, int | float):
        raise ValueError(
            f"model_params_b must be a number of billions of parameters; got {model_params_b!r}"
        )
    if not math.isfinite(model_params_b) or model_params_b <= 0:
        raise ValueError(f"model_params_b must be a positive number; got {model_params_b!r}")
    language = resolve_language(lang)
    points = list(_preference_points(language).values())
    low = min(int(p.samples_low or p.samples_high or 0) for p in points)
    high = max(int(p.samples_high or p.samples_low or 0) for p in points)
    keys = ["reason_preference_sft_first", "reason_preference_published"]
    keys.append("reason_preference_ai_feedback")
    smallest, largest = _PREFERENCE_MODEL_RANGE
    if not smallest <= model_params_b <= largest:
        keys.append("reason_preference_outside")
    return SampleCountAdvice(
        purpose="preference",
        low=low,
        high=high,
        reasons=tuple(_msg(key, language) for key in keys),
        references=tuple(points),
        model_params_b=float(model_params_b),
        _reason_keys=tuple(keys),
        _label_key="purpose_preference",
        _summary_key="summary_preference",
    )
