"""The course's figure standard, stated once: sizes, text, palette, legends, PNG rendering.

Every figure function in ``lstm_edu`` builds a ``matplotlib.figure.Figure``
with :func:`new_figure`, without pyplot. Nothing is then shown twice in a
notebook, nothing leaks between slider moves, and tests can render figures
headless. ``tests/test_figure_style.py`` checks every figure function against
the numbers below.

**How a stored PNG maps to what the learner sees.** JupyterLab draws an
``image/png`` output at its pixel size in CSS px, unless the output carries
``width`` metadata; browsers ignore the PNG's own dpi (pHYs) field. A CSS px is
1 device pixel on a plain screen and 2 on a HiDPI ("retina") one. So a figure
is rendered at ``PNG_SCALE`` = 2 PNG pixels per displayed px and shipped with
``width`` = its displayed width: the same size everywhere, sharp on HiDPI.
This is what IPython's ``retina`` inline format does for figures shown at the
end of a cell (``set_matplotlib_formats("retina")``: a PNG at twice
``fig.dpi`` with half its pixel width as metadata), and what
:func:`figure_png` with :func:`png_display_width` do for slider figures.
Hence ``fig.dpi`` is the displayed scale: ``fig.dpi`` CSS px per figure inch,
and a font of ``s`` points is ``s * fig.dpi / 72`` px tall as displayed.

**Sizes.** JupyterLab at 1400x900 gives the notebook's output column about
1,000 px with the file browser open (about 1,250 px without). A main figure is
shown ``MIN_WIDTH_PX``-``MAX_WIDTH_PX`` = 720-960 px wide: :func:`new_figure`
keeps the figure's proportions and layout in inches and picks ``fig.dpi`` so
that its width lands in that range (a 5.6-inch figure is scaled up, fonts
with it). No text is smaller than ``MIN_TEXT_PX`` = 10 px as displayed; code
never asks for less than ``SMALL_PT`` points, which is 10.4 px at the lowest
scale (``DISPLAY_DPI`` = 100 px per inch).

**Palette.** Okabe & Ito's eight colours (Color Universal Design, 2002): chosen
so that every pair stays distinct under protanopia, deuteranopia and
tritanopia; they differ in lightness as well as hue, so they survive greyscale
printing better than matplotlib's default. Kept rather than ``petroff10``
(also colour-blind safe) because the course's colours per quantity (f_t
vermillion, i_t green, C_t blue...) are already learnt from the diagrams.

**Prediction against target**: the target is a solid line, a prediction is
dashed and drawn over it (``TARGET``, ``PREDICTION``), so they differ by line
style as well as colour.

**Legends** cover no data: :func:`legend` puts one inside the axes only where
the plotted points leave room, else outside.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import struct
import zlib

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# --- the standard, in numbers ------------------------------------------------------------------

DISPLAY_DPI = 100.0    # CSS px per figure inch at the smallest scale
MIN_WIDTH_PX = 720     # a main figure fills the notebook column ...
MAX_WIDTH_PX = 960     # ... and still fits it with JupyterLab's file browser open
PNG_SCALE = 2          # PNG pixels per displayed px: sharp on HiDPI screens
MIN_TEXT_PX = 10.0     # no text smaller than this, as displayed
TEXT_PT = 10.0         # body text, tick labels and legends (13.9 px or more)
SMALL_PT = 7.5         # the least any figure may ask for (10.4 px or more)
TITLE_PT = 11.0
# Slider PNGs: zlib level 1 encodes a 1,440 px wide figure several times faster than
# the default 6, for files about 1.3x larger; the stored first drawing uses 6.
LIVE_COMPRESS_LEVEL = 1
STORED_COMPRESS_LEVEL = 6
# Figures a slider panel keeps for reuse (one per axes range, e.g. per T): each holds a
# 2x canvas and its background, about 10 MB; Binder's 2 GB is shared by every kernel.
REUSED_PER_PANEL = 3

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
    "pred": OKABE_ITO["black"],  # dashed black over a coloured target: apart in any vision
}

# Target solid, prediction dashed on top: told apart without colour.
TARGET = {"linestyle": "-", "linewidth": 2.2, "zorder": 2}
PREDICTION = {"linestyle": (0, (5, 2.5)), "linewidth": 1.8, "zorder": 3}


def display_dpi(width_in: float) -> float:
    """``fig.dpi`` for a figure ``width_in`` inches wide: its width lands in 720-960 px."""
    if width_in <= 0:
        raise ValueError(f"width must be positive, got {width_in}")
    px = min(max(width_in * DISPLAY_DPI, MIN_WIDTH_PX), MAX_WIDTH_PX)
    return px / width_in


# --- figures, and their reuse under a slider ---------------------------------------------------

# Set while a slider redraws (see widgets.redraw): figures made then are reused from
# the previous move (cleared, same canvas), so the renderer and its text metrics and
# parsed mathtext are cached instead of rebuilt. Outside it every call is a fresh Figure.
_LIVE: contextvars.ContextVar[dict | None] = contextvars.ContextVar("live_figures", default=None)


@contextlib.contextmanager
def live_figures(pool: dict):
    """Within this block, :func:`new_figure` reuses the figures kept in ``pool``."""
    if not isinstance(pool, dict):
        raise TypeError(f"pool must be a dict, got {type(pool).__name__}")
    pool["next"] = 0
    token = _LIVE.set(pool)
    try:
        yield pool
    finally:
        _LIVE.reset(token)


def reuse(key, build):
    """``build()``, or while a slider redraws, what ``build()`` returned on an earlier move.

    For slider figures that update their artists (bar heights, line data, a
    title) instead of drawing anew: ``build`` returns ``(fig, ..., update)``.
    The reused figure keeps the layout of its first drawing (constrained layout
    is not solved again), so an update must not change what needs room.
    Outside a slider every call builds a fresh figure.
    """
    pool = _LIVE.get()
    if pool is None:
        return build()
    kept = pool.setdefault("reused", {})  # insertion order = least recently used first
    entry = kept.pop(key, None)
    if entry is None:
        token = _LIVE.set(None)  # a figure of its own, not one new_figure's pool hands out again
        try:
            entry = build()
        finally:
            _LIVE.reset(token)
        while len(kept) >= REUSED_PER_PANEL:  # each holds a canvas of a few MB
            kept.pop(next(iter(kept)))
    else:
        entry[0].set_layout_engine("none")
    kept[key] = entry
    return entry


def new_figure(width: float = 7.2, height: float = 3.2, ncols: int = 1, nrows: int = 1, **kw):
    """A pyplot-free figure and its axes, laid out without clipping labels.

    ``width`` and ``height`` are in inches (the layout's units); the figure is
    displayed 720-960 px wide whatever ``width`` is (see :func:`display_dpi`).
    """
    for name, v in (("width", width), ("height", height)):
        if not isinstance(v, (int, float)) or not v > 0:
            raise ValueError(f"{name} must be a positive number of inches, got {v!r}")
    dpi = display_dpi(width)
    pool = _LIVE.get()
    fig = None
    if pool is not None:
        key = (pool["next"], float(width), float(height), ncols, nrows, repr(sorted(kw.items())))
        pool["next"] += 1
        fig = pool.get(key)
        if fig is not None:
            fig.clear()
            fig.set_layout_engine("constrained")
    if fig is None:
        fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
        # Its own Agg canvas: savefig would otherwise make a new one per PNG, and with it
        # a new renderer whose caches (text sizes, parsed mathtext) start empty.
        FigureCanvasAgg(fig)
        if pool is not None:
            pool[key] = fig
    axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    for ax in (axes.flat if hasattr(axes, "flat") else [axes]):
        ax.set_prop_cycle(color=CYCLE)
    return fig, axes


def legend(ax, loc: str = "best", outside: str | None = None, **kw):
    """A legend in the standard size, placed where it covers no data.

    ``loc`` inside the axes (``"best"``: matplotlib picks the corner with the
    fewest points under it); ``outside="top"`` puts it above the axes (and their
    title) across the figure, ``"right"`` or ``"below"`` beside the axes: for
    plots with no corner that stays empty whatever the sliders do.
    """
    kw.setdefault("fontsize", TEXT_PT - 1)
    kw.setdefault("framealpha", 0.9)
    if outside == "top":
        handles, labels = ax.get_legend_handles_labels()
        kw.setdefault("ncols", len(labels))
        kw.pop("framealpha")
        return ax.figure.legend(handles, labels, loc="outside upper center", frameon=False, **kw)
    if outside == "right":
        return ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), **kw)
    if outside == "below":
        return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), **kw)
    if outside is not None:
        raise ValueError(f"outside must be None, 'top', 'right' or 'below', got {outside!r}")
    return ax.legend(loc=loc, **kw)


# --- PNG ---------------------------------------------------------------------------------------

def figure_png(fig: Figure, live: bool = True) -> bytes:
    """The figure as PNG bytes at ``PNG_SCALE`` pixels per displayed px.

    ``live``: the quick encoding a slider redraw uses; ``False`` compresses
    harder, for a drawing stored in the notebook. Show it at
    :func:`png_display_width` px wide. Drawn straight on the figure's Agg canvas
    (not through ``savefig``, which lays a figure out twice): a figure redrawn
    under a slider keeps its renderer, and with it the sizes of its texts.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    dpi = fig.dpi
    fig.dpi = dpi * PNG_SCALE
    try:
        _draw(fig, canvas)
        rgb = np.asarray(canvas.buffer_rgba())[:, :, :3]
    finally:
        fig.dpi = dpi
    return _encode_png(rgb, LIVE_COMPRESS_LEVEL if live else STORED_COMPRESS_LEVEL,
                       dpi * PNG_SCALE)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _encode_png(rgb: np.ndarray, level: int, dpi: float) -> bytes:
    """An 8-bit RGB PNG, rows unfiltered: zlib alone does the work (a figure is mostly flat
    colour), which is quicker than Pillow's per-row filter search for a similar size."""
    h, w, _ = rgb.shape
    rows = np.empty((h, 1 + 3 * w), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None
    # one strided copy from the RGBA canvas's RGB view (a reshape of it would copy once more)
    rows[:, 1:].reshape(h, w, 3)[...] = rgb
    ppm = round(dpi / 0.0254)  # pixels per metre, for viewers that read it (browsers do not)
    return (b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + _chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), level))
            + _chunk(b"IEND", b""))


def live_parts(fig: Figure, *artists) -> None:
    """Name the artists a slider move changes (bars, a marker, a title).

    :func:`figure_png` then draws the rest once, keeps it as a background,
    and on later moves of a reused figure (:func:`reuse`) draws only these over
    it: the axes, ticks, labels and legend are not drawn again.
    """
    fig._live_parts = list(artists)
    fig._live_background = None


def _draw(fig: Figure, canvas: FigureCanvasAgg) -> None:
    parts = getattr(fig, "_live_parts", None)
    if not parts:
        canvas.draw()
        return
    size = (canvas.get_width_height(physical=True), fig.dpi)
    for a in parts:
        a.set_animated(True)  # left out of canvas.draw(): the background
    try:
        background = getattr(fig, "_live_background", None)
        if background is None or background[0] != size:
            canvas.draw()
            fig._live_background = (size, canvas.copy_from_bbox(fig.bbox))
        else:
            canvas.restore_region(background[1])
        for a in parts:
            fig.draw_artist(a)
    finally:
        for a in parts:
            a.set_animated(False)  # a figure shown or saved elsewhere draws them as usual


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from the PNG's header."""
    if not isinstance(png, bytes) or not png.startswith(b"\x89PNG\r\n\x1a\n") or len(png) < 24:
        raise ValueError("png must be the bytes of a PNG image (see figure_png)")
    return struct.unpack(">II", png[16:24])


def png_display_width(png: bytes) -> int:
    """The width in CSS px to show a :func:`figure_png` image at (its ``width`` metadata)."""
    return round(png_size(png)[0] / PNG_SCALE)
