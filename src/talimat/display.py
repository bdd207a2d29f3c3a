"""Figures for notebooks that carry alt text in the reader's language.

A matplotlib figure shown as a plain notebook output becomes an image whose alt text is its
file name, which screen readers read out. :func:`figure` renders the figure to PNG and shows it
as HTML with a real alt text: by default built from the figure's own (already localized) title
and axis labels, so it follows the page's language with no extra strings to translate.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:  # matplotlib is imported only by callers that have a figure
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["AccessibleFigure", "describe", "figure"]


@dataclass(frozen=True)
class AccessibleFigure:
    """A rendered figure with its alt text; notebooks display it as an ``<img>``."""

    png: bytes
    alt: str
    width: int
    height: int

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (
            f'<img class="talimat-figure" src="data:image/png;base64,{data}" '
            f'alt="{html.escape(self.alt, quote=True)}" width="{self.width}" '
            f'height="{self.height}" style="max-width: 100%; height: auto;">'
        )

    def _repr_png_(self) -> bytes:
        return self.png


def describe(fig: Figure) -> str:
    """An alt text from the figure's titles and axis labels: what is plotted against what."""
    parts = []
    suptitle = fig.get_suptitle()
    if suptitle:
        parts.append(suptitle)
    for axes in fig.get_axes():
        labels = [axes.get_title(), axes.get_ylabel(), axes.get_xlabel()]
        title, y_label, x_label = (label.strip() for label in labels)
        if title:
            parts.append(title)
        if y_label and x_label:
            parts.append(f"{y_label} / {x_label}")
        elif y_label or x_label:
            parts.append(y_label or x_label)
    return ". ".join(dict.fromkeys(part for part in parts if part))


def figure(
    fig: Figure | Axes, alt: str | None = None, *, dpi: int = 110, close: bool = True
) -> AccessibleFigure:
    """Render a figure (or the figure of an Axes) for display with alt text.

    The alt text is ``alt`` if given, else :func:`describe`'s. The figure is closed afterwards
    (unless ``close=False``) so the notebook does not show it a second time.
    """
    from matplotlib.figure import Figure as FigureType

    if not isinstance(fig, FigureType):  # an Axes (or a subfigure): draw its whole figure
        fig = cast("Figure", fig.get_figure(root=True))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    width, height = (round(size * dpi) for size in fig.get_size_inches())
    text = alt if alt is not None else describe(fig)
    if not text:
        raise ValueError("the figure has no title or axis labels to describe it; pass alt=")
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    return AccessibleFigure(buffer.getvalue(), text, width, height)
