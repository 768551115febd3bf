"""What a figure test asserts beyond "it rendered": the data, the labels, the annotated value.

A figure that drew nothing, the wrong series, or a stale title still renders to a
PNG; these helpers read what is on the axes so that a test can tell.
"""

import numpy as np
from matplotlib.figure import Figure

from lstm_edu.figures.style import figure_png


def rendered(fig) -> Figure:
    assert isinstance(fig, Figure) and figure_png(fig).startswith(b"\x89PNG")
    return fig


def lines(fig, label_start: str = "") -> list:
    """Every Line2D on the figure whose label starts with ``label_start``."""
    return [line for ax in fig.axes for line in ax.get_lines()
            if str(line.get_label()).startswith(label_start)]


def one_line(fig, label_start: str):
    found = lines(fig, label_start)
    assert len(found) == 1, [str(x.get_label()) for x in lines(fig)]
    return found[0]


def ydata(line) -> np.ndarray:
    return np.asarray(line.get_ydata(), dtype=float)


def same(a, b) -> bool:
    """Equal as drawn: NaN (a gap in the line) matches NaN."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True)


def titles(fig) -> list[str]:
    return [ax.get_title() for ax in fig.axes]
