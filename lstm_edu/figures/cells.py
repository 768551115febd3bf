"""Cell diagrams drawn by code, in the style of colah's "Understanding LSTM Networks".

Two layers, so that other cells (peephole LSTM, coupled gates, GRU...) can be
drawn with the same look:

**Primitives** (reuse these in your own module; each draws on a given ``ax``
in data coordinates and returns the artist(s) it made):

* :func:`new_diagram`      - a blank, axis-free, equal-aspect canvas
* :func:`module_frame`     - the rounded background of one repeating module
* :func:`layer_box`        - a neural-network *layer* (σ, tanh): a yellow box
* :func:`pointwise_op`     - a *pointwise* operation (×, +, tanh): a pink circle
* :func:`wire`             - a vector travelling along a polyline, arrow-headed or not
* :func:`junction`         - the dot where two wires merge (concatenate) or fork (copy)
* :func:`tag`              - a text label (a symbol like ``h_{t-1}`` or a number)
* :func:`value_tag`        - a vector of numbers, formatted and boxed, for live values
* :class:`Style`           - colours and line widths (:func:`with_style` for a variant)
* :func:`rnn_parts`, :func:`lstm_parts` - a whole RNN / LSTM module drawn at (x0, y0)
  on your ``ax``, to add a variant's extra wires to

Every primitive takes ``on=True/False``: ``False`` draws the part faded, which
is how one gate is highlighted while the rest of the cell stays visible.

**Figures** built from them: :func:`draw_rnn_module`, :func:`draw_lstm_module`
(the repeating modules, also in a chain of three), :func:`draw_notation` (the
legend), :func:`draw_gate` (one gate), and :func:`draw_lstm_cell` with a
``highlight`` argument (``None``, ``"cell_state"``, ``"forget"``, ``"input"``,
``"update"``, ``"output"``, ``"gates"``) that can write the live numbers of a
step next to the wires that carry them.

The coordinates of the LSTM cell are kept in :data:`LSTM_LAYOUT`, so a variant
(peepholes, say) can draw the plain cell and add wires at the same places.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

from ..validate import check_choice, check_int
from .style import COLORS, OKABE_ITO, new_figure

__all__ = [
    "Style", "STYLE", "new_diagram", "module_frame", "layer_box", "pointwise_op", "wire",
    "junction", "tag", "value_tag", "format_vector", "format_gate", "with_style", "LSTM_LAYOUT",
    "HIGHLIGHTS",
    "rnn_parts", "lstm_parts", "draw_rnn_module", "draw_lstm_module", "draw_chain",
    "draw_notation", "draw_gate",
    "draw_lstm_cell",
]


# --- style -----------------------------------------------------------------------

@dataclass(frozen=True)
class Style:
    """Colours and widths of a diagram. Colour-blind safe (Okabe-Ito based)."""

    layer: str = "#F0E442"        # yellow box: a layer with weights
    layer_edge: str = "#8C7E00"
    op: str = "#F2C6DE"           # pink circle: a pointwise operation
    op_edge: str = "#A0406F"
    frame: str = "#D8EEE6"        # the module's background
    frame_edge: str = "#6DA58F"
    wire: str = "#333333"
    cell_wire: str = OKABE_ITO["blue"]  # the cell state's conveyor belt
    text: str = "#000000"
    lw: float = 1.6
    fade_alpha: float = 0.22
    fontsize: float = 11.0

    def alpha(self, on: bool) -> float:
        return 1.0 if on else self.fade_alpha


STYLE = Style()


# --- primitives ------------------------------------------------------------------

def _check_label(name: str, text) -> None:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string such as 'σ' or '×', got {type(text).__name__}")


def new_diagram(xlim: tuple, ylim: tuple, width: float = 6.0, height: float | None = None):
    """A blank canvas in data units ``xlim`` x ``ylim``: (Figure, Axes), no axes drawn.

    ``height`` defaults to keeping one data unit square.
    """
    span_x, span_y = xlim[1] - xlim[0], ylim[1] - ylim[0]
    if span_x <= 0 or span_y <= 0:
        raise ValueError(f"xlim and ylim must be increasing, got {xlim} and {ylim}")
    if height is None:
        height = width * span_y / span_x
    fig, ax = new_figure(width, height)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig, ax


def module_frame(ax, x0: float, y0: float, w: float, h: float, on: bool = True,
                 style: Style = STYLE, label: str | None = None):
    """The rounded rectangle behind one repeating module (colah's green box)."""
    patch = FancyBboxPatch((x0, y0), w, h, boxstyle="round,pad=0,rounding_size=0.45",
                           facecolor=style.frame, edgecolor=style.frame_edge, lw=style.lw,
                           alpha=style.alpha(on), zorder=0)
    ax.add_patch(patch)
    if label:
        ax.text(x0 + w / 2, y0 + h / 2, label, ha="center", va="center",
                fontsize=style.fontsize + 4, color=style.text, alpha=style.alpha(on), zorder=1)
    return patch


def layer_box(ax, xy: tuple, label: str, on: bool = True, style: Style = STYLE,
              w: float = 0.9, h: float = 0.6, color: str | None = None):
    """A neural-network *layer* (weights, then σ or tanh) centred at ``xy``: a yellow box."""
    _check_label("label", label)
    x, y = xy
    patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                           boxstyle="round,pad=0.02,rounding_size=0.08",
                           facecolor=color or style.layer, edgecolor=style.layer_edge, lw=style.lw,
                           alpha=style.alpha(on), zorder=3)
    ax.add_patch(patch)
    ax.text(x, y, label, ha="center", va="center", fontsize=style.fontsize, color=style.text,
            alpha=style.alpha(on), zorder=4)
    return patch


def pointwise_op(ax, xy: tuple, symbol: str, on: bool = True, style: Style = STYLE,
                 r: float = 0.3):
    """A *pointwise* operation (``"×"``, ``"+"``, ``"tanh"``, ``"1−"``) centred at ``xy``."""
    _check_label("symbol", symbol)
    rx = r * 1.45 if len(symbol) > 2 else r  # room for "tanh"
    from matplotlib.patches import Ellipse

    patch = (Circle(xy, r) if rx == r else Ellipse(xy, 2 * rx, 2 * r))
    patch.set(facecolor=style.op, edgecolor=style.op_edge, lw=style.lw,
              alpha=style.alpha(on), zorder=3)
    ax.add_patch(patch)
    ax.text(xy[0], xy[1], symbol, ha="center", va="center", color=style.text,
            fontsize=style.fontsize if len(symbol) > 2 else style.fontsize + 3,
            alpha=style.alpha(on), zorder=4)
    return patch


def wire(ax, points, on: bool = True, arrow: bool = True, color: str | None = None,
         lw: float | None = None, style: Style = STYLE, zorder: float = 2):
    """A vector travelling along the polyline ``points``, with an arrowhead at the end.

    Leave a little room before a box or circle: the arrow stops at the last point.
    """
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) < 2:
        raise ValueError(f"points must be at least two (x, y) pairs, got shape {pts.shape}")
    color = color or style.wire
    lw = lw or style.lw
    artists = []
    if len(pts) > 2:
        artists += ax.plot(pts[:-1, 0], pts[:-1, 1], color=color, lw=lw,
                           alpha=style.alpha(on), zorder=zorder, solid_capstyle="round")
    patch = FancyArrowPatch(tuple(pts[-2]), tuple(pts[-1]),
                            arrowstyle="-|>,head_length=6,head_width=3" if arrow else "-",
                            color=color, lw=lw, alpha=style.alpha(on), zorder=zorder,
                            shrinkA=0, shrinkB=0, mutation_scale=1)
    ax.add_patch(patch)
    return artists + [patch]


def junction(ax, xy: tuple, on: bool = True, color: str | None = None, style: Style = STYLE):
    """The dot where wires merge (concatenate) or split (copy)."""
    patch = Circle(xy, 0.07, facecolor=color or style.wire, edgecolor="none",
                   alpha=style.alpha(on), zorder=5)
    ax.add_patch(patch)
    return patch


def tag(ax, xy: tuple, text: str, on: bool = True, style: Style = STYLE, color: str | None = None,
        ha: str = "center", va: str = "center", size: float | None = None):
    """A label: a symbol (mathtext allowed, e.g. ``"$h_{t-1}$"``) or a short note."""
    return ax.text(xy[0], xy[1], text, ha=ha, va=va, color=color or style.text,
                   fontsize=size or style.fontsize + 1, alpha=style.alpha(on), zorder=6)


def format_vector(v, digits: int = 2) -> str:
    """``[0.5, 0.1, 0.8]`` -> ``"[0.50, 0.10, 0.80]"``: the compact form written on diagrams."""
    v = np.asarray(v, dtype=float).ravel()
    return "[" + ", ".join(f"{x:.{digits}f}" for x in v) + "]"


def format_gate(v, digits: int = 2) -> str:
    """A gate's values, written so that none reads as exactly 0 or 1: a sigmoid's output
    lies in (0, 1). More digits where they tell the value from the end (0.9999); where
    they cannot (an idealised gate of 0.0 or 1.0), ``≈0.00`` or ``≈1.00``.
    """
    parts = []
    for x in np.asarray(v, dtype=float).ravel():
        d = digits
        while 0.0 < x < 1.0 and float(f"{x:.{d}f}") in (0.0, 1.0) and d < 6:
            d += 1
        text = f"{x + 0.0:.{d}f}"
        if float(text) in (0.0, 1.0):
            text = f"≈{x + 0.0:.{digits}f}"
        parts.append(text)
    return "[" + ", ".join(parts) + "]"


def value_tag(ax, xy: tuple, name: str, v, color: str = "#000000", digits: int = 2,
              ha: str = "center", va: str = "center", style: Style = STYLE,
              column: bool = False):
    """A boxed ``name = [numbers]``: the live value carried by a wire.

    ``column=True`` writes the name over the numbers, one per line (a column
    vector): narrow enough to sit beside a vertical wire inside a cell.
    """
    if column:
        v = np.asarray(v, dtype=float).ravel()
        text = name + "\n" + "\n".join(f"{x + 0.0:.{digits}f}" for x in v)
    else:
        text = f"{name} = {format_vector(v, digits)}"
    return ax.text(xy[0], xy[1], text, ha=ha, va=va, multialignment="center",
                   fontsize=style.fontsize - 2, color=color, zorder=7, linespacing=1.15,
                   bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor=color,
                             lw=1.0, alpha=0.95))


# --- the RNN module --------------------------------------------------------------

def rnn_parts(ax, x0: float = 0.0, y0: float = 0.0, style: Style = STYLE):
    """Draw a plain RNN module (4 x 5.4 units, lower-left corner at (x0, y0)) on ``ax``:
    [h_{t-1}, x_t] through one tanh layer, copied out as h_t."""
    module_frame(ax, x0, y0, 4.0, 5.4, style=style)
    hy = y0 + 1.0
    wire(ax, [(x0 - 0.6, hy), (x0 + 1.0, hy)], arrow=False, style=style)
    wire(ax, [(x0 + 1.0, y0 - 0.8), (x0 + 1.0, hy)], arrow=False, style=style)
    junction(ax, (x0 + 1.0, hy), style=style)
    wire(ax, [(x0 + 1.0, hy), (x0 + 2.0, hy), (x0 + 2.0, y0 + 2.3)], style=style)
    layer_box(ax, (x0 + 2.0, y0 + 2.6), "tanh", style=style)
    top = (x0 + 2.0, y0 + 2.9)
    wire(ax, [top, (x0 + 2.0, y0 + 3.6), (x0 + 3.0, y0 + 3.6), (x0 + 3.0, y0 + 1.0),
              (x0 + 4.6, y0 + 1.0)], style=style)
    junction(ax, (x0 + 3.0, y0 + 3.6), style=style)
    wire(ax, [(x0 + 3.0, y0 + 3.6), (x0 + 3.0, y0 + 6.2)], style=style)
    tag(ax, (x0 + 1.0, y0 - 1.1), "$x_t$", style=style)
    tag(ax, (x0 + 3.0, y0 + 6.5), "$h_t$", style=style)


def _plain_module(ax, x0: float, y0: float, w: float, h: float, hy: float | None, cy: float | None,
                  t: str, style: Style = STYLE):
    """A neighbouring module drawn as a plain box "A", with its input and output wires."""
    module_frame(ax, x0, y0, w, h, style=style, label="A")
    xm = x0 + w / 2
    wire(ax, [(xm, y0 - 0.8), (xm, y0)], style=style)
    wire(ax, [(xm, y0 + h), (xm, y0 + h + 0.8)], style=style)
    tag(ax, (xm, y0 - 1.1), f"$x_{{{t}}}$", style=style)
    tag(ax, (xm, y0 + h + 1.1), f"$h_{{{t}}}$", style=style)


def draw_rnn_module(n: int = 3):
    """The repeating module of a plain RNN: a single tanh layer (``n`` = 1 or 3 modules)."""
    return draw_chain("rnn", n)


def draw_lstm_module(n: int = 3, highlight: str | None = None):
    """The repeating module of an LSTM: four interacting layers (``n`` = 1 or 3 modules)."""
    return draw_chain("lstm", n, highlight=highlight)


def draw_chain(kind: str = "lstm", n: int = 3, highlight: str | None = None,
               width: float | None = None):
    """``n`` = 1 or 3 repeating modules of ``kind`` ("rnn" or "lstm"), the middle one opened up.

    Returns the Figure.
    """
    check_choice("kind", kind, {"rnn", "lstm"})
    check_int("n", n, 1, 3)
    if n == 2:
        raise ValueError("n must be 1 or 3 (the opened module sits in the middle), got 2")
    inner_w = 4.0 if kind == "rnn" else LSTM_LAYOUT["width"]
    inner_h = 5.4 if kind == "rnn" else LSTM_LAYOUT["height"]
    side_w, gap = 2.4, 1.2
    x_mid = 0.0 if n == 1 else side_w + gap
    total = inner_w + (0 if n == 1 else 2 * (side_w + gap))
    fig, ax = new_diagram((-1.4, total + 1.4), (-1.6, inner_h + 1.7),
                          width=width or (4.0 if n == 1 else 8.5))
    if kind == "rnn":
        rnn_parts(ax, x_mid, 0.0)
    else:
        lstm_parts(ax, x_mid, 0.0, highlight=_check_highlight(highlight), values=None)
    if n == 3:
        for x0, t in ((0.0, "t-1"), (x_mid + inner_w + gap, "t+1")):
            _plain_module(ax, x0, 0.6, side_w, inner_h - 1.2, None, None, t)
        # the recurrent wires between the modules
        hy = 1.0
        wire(ax, [(side_w, hy), (x_mid - 0.6, hy)], arrow=False)
        wire(ax, [(x_mid + inner_w + 0.6, hy), (x_mid + inner_w + gap, hy)])
        if kind == "lstm":
            cy = LSTM_LAYOUT["cell_y"]
            wire(ax, [(side_w, cy), (x_mid - 0.6, cy)], arrow=False, color=STYLE.cell_wire)
            wire(ax, [(x_mid + inner_w + 0.6, cy), (x_mid + inner_w + gap, cy)],
                 color=STYLE.cell_wire)
    return fig


# --- the notation legend -----------------------------------------------------------

def draw_notation():
    """The five symbols of every cell diagram: layer, pointwise op, vector transfer,
    concatenate, copy."""
    fig, ax = new_diagram((0, 15), (-1.3, 1.6), width=8.0)
    layer_box(ax, (1.2, 0.6), "σ")
    pointwise_op(ax, (4.2, 0.6), "×")
    wire(ax, [(6.3, 0.6), (8.3, 0.6)])
    # concatenate: two wires merge into one
    wire(ax, [(9.5, 1.1), (10.3, 1.1), (10.3, 0.6)], arrow=False)
    wire(ax, [(9.5, 0.1), (10.3, 0.1), (10.3, 0.6)], arrow=False)
    junction(ax, (10.3, 0.6))
    wire(ax, [(10.3, 0.6), (11.2, 0.6)])
    # copy: one wire forks into two
    wire(ax, [(12.3, 0.6), (13.1, 0.6)], arrow=False)
    junction(ax, (13.1, 0.6))
    wire(ax, [(13.1, 0.6), (13.1, 1.1), (14.1, 1.1)])
    wire(ax, [(13.1, 0.6), (13.1, 0.1), (14.1, 0.1)])
    for x, text in ((1.2, "neural network\nlayer"), (4.2, "pointwise\noperation"),
                    (7.3, "vector\ntransfer"), (10.35, "concatenate"), (13.2, "copy")):
        tag(ax, (x, -0.6), text, size=STYLE.fontsize - 1)
    return fig


# --- one gate ------------------------------------------------------------------------

def draw_gate(gate=None, signal=None, digits: int = 2):
    """A gate: a sigmoid *layer* whose output multiplies a signal pointwise.

    With ``gate`` and ``signal`` (vectors of equal length) the numbers in and out
    are written on the wires.
    """
    fig, ax = new_diagram((-0.5, 8.5), (-1.6, 2.4), width=5.5)
    wire(ax, [(0.0, 1.5), (3.7, 1.5)])
    pointwise_op(ax, (4.0, 1.5), "×")
    wire(ax, [(4.3, 1.5), (8.0, 1.5)])
    wire(ax, [(1.0, -1.2), (1.0, -0.2), (3.45, -0.2)])
    layer_box(ax, (4.0, -0.2), "σ", w=1.0)
    wire(ax, [(4.5, -0.2), (5.2, -0.2), (5.2, 0.6), (4.0, 0.6), (4.0, 1.2)], color=COLORS["f_t"])
    tag(ax, (0.0, 1.9), "signal in", ha="left", size=10)
    tag(ax, (8.0, 1.9), "signal out", ha="right", size=10)
    tag(ax, (1.1, -1.4), "$[h_{t-1}, x_t]$", ha="left", size=10)
    tag(ax, (5.4, 0.2), "gate ∈ (0, 1)", ha="left", size=10, color=COLORS["f_t"])
    if (gate is None) != (signal is None):
        raise ValueError("give both gate and signal (to write their numbers), or neither")
    if gate is not None:
        g, s = np.asarray(gate, float), np.asarray(signal, float)
        if g.shape != s.shape:
            raise ValueError(
                f"gate and signal must have the same shape, got {g.shape} and {s.shape}")
        value_tag(ax, (1.8, 1.0), "in", s, digits=digits)
        value_tag(ax, (6.2, 1.0), "out", g * s, digits=digits)
        ax.text(6.8, -0.7, f"gate = {format_gate(g, digits)}", ha="center", va="center",
                fontsize=STYLE.fontsize - 2, color=COLORS["f_t"], zorder=7,
                bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor=COLORS["f_t"],
                          lw=1.0, alpha=0.95))
    return fig


# --- the LSTM cell ------------------------------------------------------------------

#: Where each part of the LSTM cell sits (module at (0, 0), width x height).
LSTM_LAYOUT = {
    "width": 10.0, "height": 6.2, "cell_y": 5.5, "hx_y": 1.0, "layer_y": 2.6,
    "x_join": 1.2,                # h_{t-1} and x_t concatenate here
    "f": 2.2, "i": 3.6, "c": 5.0, "o": 6.6,   # x of the four layers
    "x_out": 8.2,                 # x of tanh(C_t) and the output multiply
    "h_up": 9.3,                  # x where h_t leaves through the top
    "mul_in_y": 3.9, "mul_out_y": 3.6, "tanh_y": 4.6,
}

#: Accepted values of ``highlight`` in :func:`draw_lstm_cell`.
HIGHLIGHTS = (None, "cell_state", "forget", "input", "update", "output", "gates")

# Which part belongs to which highlight.
_PARTS = {
    "cell_in": {"cell_state", "forget", "update"},
    "cell_mid": {"cell_state", "update"},
    "cell_out": {"cell_state", "update", "output"},
    "mul_f": {"cell_state", "forget", "update"},
    "add": {"cell_state", "update"},
    "hx": {"forget", "input", "output"},
    "f": {"forget", "update"},
    "i": {"input", "update"},
    "c": {"input", "update"},
    "mul_in": {"input", "update"},
    "to_add": {"input", "update"},
    "o": {"output"},
    "out": {"output"},
}

_GATE_NAMES = {
    "forget": ("forget gate", COLORS["f_t"]),
    "input": ("input gate\n(\"memory gate\")", COLORS["i_t"]),
    "output": ("output gate", COLORS["o_t"]),
}


def _check_highlight(highlight):
    if highlight is not None and not isinstance(highlight, str):
        raise TypeError(f"highlight must be None or a string, got {type(highlight).__name__}")
    if highlight not in HIGHLIGHTS:
        raise ValueError(
            f"highlight must be one of {', '.join(map(repr, HIGHLIGHTS))}, got {highlight!r}")
    return highlight


def lstm_parts(ax, x0: float = 0.0, y0: float = 0.0, highlight: str | None = None,
               values: dict | None = None, digits: int = 2, style: Style = STYLE):
    """Draw the LSTM cell on ``ax`` with its module's lower-left corner at (x0, y0).

    The building block of :func:`draw_lstm_cell` and :func:`draw_chain`; a variant
    can draw it and add its own wires at the places named in :data:`LSTM_LAYOUT`
    (relative to (x0, y0)). ``highlight``, ``values`` and ``digits`` as in
    :func:`draw_lstm_cell`.
    """
    _check_highlight(highlight)
    L = LSTM_LAYOUT

    def on(part):
        return highlight in (None, "gates") or highlight in _PARTS[part]

    def P(x, y):
        return (x0 + x, y0 + y)

    cy, hy, ly = L["cell_y"], L["hx_y"], L["layer_y"]
    module_frame(ax, x0, y0, L["width"], L["height"], style=style)
    if highlight == "gates":
        for gate, (x_lo, x_hi) in (("forget", (1.55, 2.85)), ("input", (2.95, 5.65)),
                                   ("output", (5.95, 8.85))):
            name, color = _GATE_NAMES[gate]
            ax.add_patch(Rectangle(P(x_lo, 1.6), x_hi - x_lo, 4.4, facecolor=color, alpha=0.18,
                                   edgecolor=color, lw=1.2, zorder=1))
            tag(ax, P((x_lo + x_hi) / 2, -0.55 if gate != "input" else -0.65), name,
                color=color, size=style.fontsize - 1)
    # the cell state: the conveyor belt along the top
    cw = dict(color=style.cell_wire, lw=style.lw * 1.8, style=style)
    wire(ax, [P(-0.6, cy), P(L["f"] - 0.3, cy)], on=on("cell_in"), **cw)
    pointwise_op(ax, P(L["f"], cy), "×", on=on("mul_f"), style=style)
    wire(ax, [P(L["f"] + 0.3, cy), P(L["c"] - 0.3, cy)], on=on("cell_mid"), **cw)
    pointwise_op(ax, P(L["c"], cy), "+", on=on("add"), style=style)
    wire(ax, [P(L["c"] + 0.3, cy), P(L["width"] + 0.6, cy)], on=on("cell_out"), **cw)
    # [h_{t-1}, x_t] along the bottom, copied up to the four layers
    wire(ax, [P(-0.6, hy), P(L["x_join"], hy)], arrow=False, on=on("hx"), style=style)
    wire(ax, [P(L["x_join"], -0.9), P(L["x_join"], hy)], arrow=False, on=on("hx"), style=style)
    junction(ax, P(L["x_join"], hy), on=on("hx"), style=style)
    wire(ax, [P(L["x_join"], hy), P(L["o"], hy)], arrow=False, on=on("hx"), style=style)
    for gate, part in (("f", "f"), ("i", "i"), ("c", "c"), ("o", "o")):
        wire(ax, [P(L[gate], hy), P(L[gate], ly - 0.3)], on=on(part) and on("hx"), style=style)
        if gate != "o":
            junction(ax, P(L[gate], hy), on=on("hx"), style=style)
        layer_box(ax, P(L[gate], ly), "tanh" if gate == "c" else "σ", on=on(part), style=style)
    # forget gate up to the cell state
    wire(ax, [P(L["f"], ly + 0.3), P(L["f"], cy - 0.3)], on=on("f"), color=COLORS["f_t"],
         style=style)
    # input gate and candidate into their multiply, then up to the +
    mi = L["mul_in_y"]
    wire(ax, [P(L["i"], ly + 0.3), P(L["i"], mi), P(L["c"] - 0.3, mi)], on=on("i"),
         color=COLORS["i_t"], style=style)
    wire(ax, [P(L["c"], ly + 0.3), P(L["c"], mi - 0.3)], on=on("c"), color=COLORS["c_tilde"],
         style=style)
    pointwise_op(ax, P(L["c"], mi), "×", on=on("mul_in"), style=style)
    wire(ax, [P(L["c"], mi + 0.3), P(L["c"], cy - 0.3)], on=on("to_add"), style=style)
    # output gate: tanh(C_t) times o_t
    mo, ty, xo = L["mul_out_y"], L["tanh_y"], L["x_out"]
    wire(ax, [P(L["o"], ly + 0.3), P(L["o"], mo), P(xo - 0.3, mo)], on=on("o"),
         color=COLORS["o_t"], style=style)
    junction(ax, P(xo, cy), on=on("out"), color=style.cell_wire, style=style)
    wire(ax, [P(xo, cy), P(xo, ty + 0.3)], on=on("out"), color=style.cell_wire, style=style)
    pointwise_op(ax, P(xo, ty), "tanh", on=on("out"), style=style)
    wire(ax, [P(xo, ty - 0.3), P(xo, mo + 0.3)], on=on("out"), style=style)
    pointwise_op(ax, P(xo, mo), "×", on=on("out"), style=style)
    hw = dict(color=COLORS["h_t"], on=on("out"), style=style)
    wire(ax, [P(xo, mo - 0.3), P(xo, hy), P(L["width"] + 0.6, hy)], **hw)
    junction(ax, P(L["h_up"], hy), color=COLORS["h_t"], on=on("out"), style=style)
    wire(ax, [P(L["h_up"], hy), P(L["h_up"], L["height"] + 0.7)], **hw)
    # symbols
    sz = style.fontsize + 1
    tag(ax, P(-0.7, cy + 0.35), "$C_{t-1}$", ha="left", on=on("cell_in"), size=sz, style=style)
    tag(ax, P(L["width"] + 0.7, cy + 0.35), "$C_t$", ha="right", on=on("cell_out"), size=sz,
        style=style)
    tag(ax, P(-0.7, hy + 0.35), "$h_{t-1}$", ha="left", on=on("hx"), size=sz, style=style)
    tag(ax, P(L["x_join"], -1.2), "$x_t$", on=on("hx"), size=sz, style=style)
    tag(ax, P(L["width"] + 0.7, hy - 0.35), "$h_t$", ha="right", on=on("out"), size=sz, style=style)
    tag(ax, P(L["h_up"], L["height"] + 1.0), "$h_t$", on=on("out"), size=sz, style=style)
    shown = set(values or {}) & set(_VALUES_FOR[highlight]) if values else set()
    for key, x, y, ha, text in (("f_t", L["f"] - 0.15, 4.1, "right", "$f_t$"),
                                ("i_t", L["i"] - 0.15, 3.3, "right", "$i_t$"),
                                ("c_tilde", L["c"] + 0.15, 3.3, "left", r"$\tilde{C}_t$"),
                                ("o_t", L["o"] + 0.15, 3.2, "left", "$o_t$")):
        if key not in shown:
            part = {"f_t": "f", "i_t": "i", "c_tilde": "c", "o_t": "o"}[key]
            tag(ax, P(x, y), text, ha=ha, on=on(part), color=COLORS[key], style=style)
    if values:
        _annotate(ax, P, values, highlight, digits, style)


# Where each live value is written: (x, y, name, colour key), relative to the module;
# each a column box right beside the wire that carries it. The states sit at the
# ends of their wires, outside the module; the gates between the layers' wires.
_VALUE_SPOTS = {
    "c_prev": (-1.05, 4.5, "$C_{t-1}$", "c_t"),     # under the incoming cell state
    "h_prev": (-1.05, 2.45, "$h_{t-1}$", "h_t"),    # over the incoming h
    "x_t": (1.55, -1.2, "$x_t$", "x_t"),            # a row, beside x_t's label
    "c_t": (11.25, 4.5, "$C_t$", "c_t"),            # under the outgoing cell state
    "h_t": (11.25, 2.45, "$h_t$", "h_t"),           # over the outgoing h
    "f_t": (1.55, 4.05, "$f_t$", "f_t"),            # left of f's wire up to the ×
    "i_t": (2.9, 3.65, "$i_t$", "i_t"),             # left of i's wire
    "c_tilde": (5.85, 3.55, r"$\tilde{C}_t$", "c_tilde"),  # right of C~'s wire
    "o_t": (7.55, 2.45, "$o_t$", "o_t"),            # under o's wire to the ×
}
# A gate's symbol is left out where its value box, which names it, takes its place.
_SYMBOLS_REPLACED = ("f_t", "i_t", "c_tilde", "o_t")
# x range of the cell drawn with its values (room for the state boxes on both sides)
_VALUES_XLIM = (-1.6, LSTM_LAYOUT["width"] + 1.85)

_VALUES_FOR = {
    None: tuple(_VALUE_SPOTS), "gates": tuple(_VALUE_SPOTS),
    "cell_state": ("c_prev", "c_t"),
    "forget": ("c_prev", "h_prev", "x_t", "f_t"),
    "input": ("h_prev", "x_t", "i_t", "c_tilde"),
    "update": ("c_prev", "f_t", "i_t", "c_tilde", "c_t"),
    "output": ("h_prev", "x_t", "o_t", "c_t", "h_t"),
}


def _annotate(ax, P, values, highlight, digits, style):
    unknown = set(values) - set(_VALUE_SPOTS)
    if unknown:
        raise ValueError(f"values has unknown key(s) {sorted(unknown)}; "
                         f"known: {', '.join(_VALUE_SPOTS)}")
    for key in _VALUES_FOR[highlight]:
        if key not in values:
            continue
        x, y, name, color_key = _VALUE_SPOTS[key]
        row = key == "x_t"
        value_tag(ax, P(x, y), name, values[key], color=COLORS.get(color_key, "#000000"),
                  digits=digits, ha="left" if row else "center", style=style, column=not row)


def draw_lstm_cell(highlight: str | None = None, values: dict | None = None, digits: int = 2,
                   width: float = 6.4):
    """The LSTM cell, one part highlighted, optionally with live numbers on its wires.

    ``highlight``: ``None`` (all parts), ``"cell_state"`` (the conveyor belt),
    ``"forget"``, ``"input"``, ``"update"`` (C_t = f⊙C_{t-1} + i⊙C̃), ``"output"``,
    or ``"gates"`` (the three gates shaded and named).

    ``values``: a dict with any of ``c_prev, h_prev, x_t, f_t, i_t, c_tilde, c_t,
    o_t, h_t`` (vectors); those that belong to the highlighted part are written
    next to their wires, with ``digits`` decimals.
    """
    _check_highlight(highlight)
    if values is not None and not isinstance(values, dict):
        raise TypeError(f"values must be a dict of vectors or None, got {type(values).__name__}")
    check_int("digits", digits, 0, 6)
    L = LSTM_LAYOUT
    low = -1.9 if highlight == "gates" else -1.6
    xlim = _VALUES_XLIM if values else (-1.1, L["width"] + 1.1)
    fig, ax = new_diagram(xlim, (low, L["height"] + 1.3), width=width)
    lstm_parts(ax, 0.0, 0.0, highlight, values, digits)
    return fig


def with_style(**changes) -> Style:
    """A copy of the default :data:`STYLE` with some fields changed."""
    return replace(STYLE, **changes)
