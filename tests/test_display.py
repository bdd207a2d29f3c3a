"""Accessible figures: alt text from the figure's own localized labels, safe HTML."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from talimat.display import describe, figure


def make_axes(title: str = "Örnek sayıları", x: str = "Örnek", y: str = "Veri kümesi"):
    _, axes = plt.subplots()
    axes.plot([1, 2], [3, 4])
    axes.set_title(title)
    axes.set_xlabel(x)
    axes.set_ylabel(y)
    return axes


def test_alt_text_comes_from_title_and_axis_labels() -> None:
    axes = make_axes()
    assert describe(axes.figure) == "Örnek sayıları. Veri kümesi / Örnek"
    plt.close(axes.figure)


def test_figure_renders_png_with_alt_and_closes_the_figure() -> None:
    axes = make_axes()
    shown = figure(axes)
    assert shown.png.startswith(b"\x89PNG")
    assert 'alt="Örnek sayıları. Veri kümesi / Örnek"' in shown._repr_html_()
    assert shown._repr_png_() == shown.png
    assert not plt.fignum_exists(axes.figure.number)


def test_alt_text_is_escaped() -> None:
    shown = figure(make_axes(title='<script>alert("x")</script>'))
    html = shown._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_explicit_alt_wins_and_unlabelled_figures_need_one() -> None:
    assert figure(make_axes(), alt="A line").alt == "A line"
    _, bare = plt.subplots()
    with pytest.raises(ValueError, match="alt="):
        figure(bare)
    plt.close("all")
