"""Figure plumbing: the palette, a figure factory, and PNG rendering.

Every figure function in ``lstm_edu`` builds a ``matplotlib.figure.Figure``
directly, without pyplot. Nothing is then shown twice in a notebook, nothing
leaks between slider moves, and tests can render figures headless.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

# Okabe & Ito's palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "black")]

# One colour per quantity, the same in every notebook.
COLORS = {
    "f_t": OKABE_ITO["vermillion"],
    "i_t": OKABE_ITO["green"],
    "c_tilde": OKABE_ITO["sky"],
    "c_t": OKABE_ITO["blue"],
    "o_t": OKABE_ITO["purple"],
    "h_t": OKABE_ITO["orange"],
    "x_t": OKABE_ITO["black"],
    "sin": OKABE_ITO["blue"],
    "cos": OKABE_ITO["orange"],
    "pred": OKABE_ITO["vermillion"],
}


def new_figure(width: float = 6.0, height: float = 3.2, ncols: int = 1, nrows: int = 1, **kw):
    """A pyplot-free figure and its axes, laid out without clipping labels."""
    fig = Figure(figsize=(width, height), dpi=80, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    for ax in (axes.flat if hasattr(axes, "flat") else [axes]):
        ax.set_prop_cycle(color=CYCLE)
    return fig, axes


def figure_png(fig: Figure) -> bytes:
    """The figure rendered as PNG bytes (what a notebook would display)."""
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
