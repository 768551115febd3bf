"""The slider figures of Part II (notebooks 04-08): pure functions of the slider values.

Each ``*_view`` function takes the values of its sliders and returns
``(Figure, text)``: the figure to draw and the numbers behind it, printed under
the sliders. The default vectors are the worked example's
(:mod:`lstm_edu.worked_example`), so the pictures match the numbers the
notebooks compute. ``lstm_edu.figures.widgets.show_interactive`` wires them to sliders.

Also here: :func:`cell_update` (the pure arithmetic behind 07's slider),
:func:`squash_figure` (tanh of the cell state, 08), and :func:`trace_table` and
:func:`trace_figure`, a few steps of an LSTM (the dict from
``cells.run_sequence``) as a table and as a plot.
"""

from __future__ import annotations

import numpy as np

from ..cells import sigmoid, tanh
from ..validate import check_array, check_float
from ..worked_example import worked_example
from .style import COLORS, OKABE_ITO, legend, live_parts, new_figure, reuse

_EXAMPLE = worked_example()  # the defaults; never modified here


def _vec(name: str, v, default) -> np.ndarray:
    if v is None:
        return np.array(default, dtype=np.float64)
    v = check_array(name, v, ndim=1)
    if v.shape != (3,):
        raise ValueError(f"{name} must have shape (3,), got shape {v.shape}")
    return np.asarray(v, dtype=np.float64)


def _gate(name: str, g) -> np.ndarray:
    """A gate given as one number (the same for every component) or as a 3-vector."""
    if isinstance(g, (np.ndarray,)) or hasattr(g, "shape"):
        return _vec(name, g, None)
    return np.full(3, check_float(name, g))


def _fmt(v) -> str:
    # "+ 0.0" turns a negative zero (0 × -0.8) into a plain 0.0000
    return "[" + ", ".join(f"{x + 0.0:.4f}" for x in np.round(np.asarray(v, dtype=float), 4)) + "]"


def _bar_figure(key, series: list[tuple[str, str]], ylim=(-1.05, 1.05), height: float = 3.6,
                extra=None):
    """A figure of grouped bars, one group per component, one bar per (label, colour).

    Returns ``(fig, ax, set_values)``; ``set_values(list of 3-vectors)`` sets the
    bars' heights. Under a slider the figure is kept between moves
    (``style.reuse``): only the heights change, nothing is laid out again.
    """
    def build():
        fig, ax = new_figure(7.2, height)
        k = np.arange(3)
        width = 0.8 / len(series)
        groups = [ax.bar(k + (n - (len(series) - 1) / 2) * width, np.zeros(3), width,
                         label=label, color=color, edgecolor="black", lw=0.5)
                  for n, (label, color) in enumerate(series)]
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(k, [f"component {j}" for j in k])
        ax.set_ylim(*ylim)
        ax.set_ylabel("value")
        # what extra(ax) returns is drawn over the bars on every move, so bars never hide it
        overlay = list(extra(ax) or []) if extra is not None else []
        # above the axes: bars of any height may fill every corner
        legend(ax, outside="top", ncols=len(series) + (extra is not None))

        live_parts(fig, *[bar for bars in groups for bar in bars], *overlay,
                   *([ax.title] if extra is not None else []))

        def set_values(values):
            for bars, v in zip(groups, values):
                for bar, x in zip(bars, v):
                    bar.set_height(x)
        return fig, ax, set_values
    return reuse(key, build)


# --- 04: the two squashing functions ---------------------------------------------

_Z_GRID = np.linspace(-6, 6, 241)


def activation_view(z: float = 0.0):
    """σ(z) and tanh(z) on one axis, with the point at ``z`` marked (z in [-6, 6])."""
    z = check_float("z", z, -6.0, 6.0)

    def build():
        fig, ax = new_figure(7.2, 3.6)
        ax.plot(_Z_GRID, sigmoid(_Z_GRID), color=COLORS["f_t"], label="σ(z) = 1 / (1 + e^(−z))")
        ax.plot(_Z_GRID, tanh(_Z_GRID), color=COLORS["c_tilde"], label="tanh(z)")
        marks = (ax.plot([0], [0], "o", color=COLORS["f_t"])[0],
                 ax.plot([0], [0], "s", color=COLORS["c_tilde"])[0],
                 ax.axvline(0, color=OKABE_ITO["grey"], lw=0.8, ls="--"))
        ax.axhline(0, color="black", lw=0.5)
        ax.set_xlabel("z (the layer's weighted sum, before squashing)")
        ax.set_ylabel("output")
        ax.set_ylim(-1.1, 1.1)
        legend(ax, outside="top")  # the marker and its line sweep every corner
        live_parts(fig, *marks)
        return fig, ax, marks
    fig, ax, (dot, square, vline) = reuse("activation_view", build)
    s, t = float(sigmoid(np.float64(z))), float(np.tanh(z))
    dot.set_data([z], [s])
    square.set_data([z], [t])
    vline.set_xdata([z, z])
    return fig, f"z = {z:.2f}:  σ(z) = {s:.4f} (a gate: 0 = shut, 1 = open),  tanh(z) = {t:.4f}"


# --- 05: the forget gate ------------------------------------------------------------

def forget_view(f0: float = 0.5, f1: float = 0.1, f2: float = 0.8, c_prev=None):
    """What ``f_t ⊙ C_{t-1}`` keeps of the old cell state, for gate values in [0, 1]."""
    f = np.array([check_float(f"f{k}", v, 0.0, 1.0) for k, v in enumerate((f0, f1, f2))])
    c_prev = _vec("c_prev", c_prev, _EXAMPLE.c_prev)
    kept = f * c_prev
    lo = min(-0.05, float(c_prev.min()) * 1.1)
    hi = max(1.05, float(c_prev.max()) * 1.1)
    fig, ax, set_values = _bar_figure(
        ("forget_view", lo, hi),
        [("$C_{t-1}$", OKABE_ITO["grey"]), ("$f_t$", COLORS["f_t"]),
         (r"$f_t \odot C_{t-1}$ (kept)", COLORS["c_t"])], ylim=(lo, hi))
    set_values([c_prev, f, kept])
    return fig, (f"f_t = {_fmt(f)}\n"
                 f"f_t ⊙ C_(t-1) = {_fmt(kept)}   (forgotten: {_fmt(c_prev - kept)})")


# --- 06: the input gate ---------------------------------------------------------------

def input_view(i0: float = 0.2, i1: float = 0.9, i2: float = 0.5, c_tilde=None):
    """What ``i_t ⊙ C̃_t`` writes into the cell state, for input-gate values in [0, 1]."""
    i = np.array([check_float(f"i{k}", v, 0.0, 1.0) for k, v in enumerate((i0, i1, i2))])
    c_tilde = _vec("c_tilde", c_tilde, _EXAMPLE.step.c_tilde)
    written = i * c_tilde
    fig, ax, set_values = _bar_figure(
        "input_view", [(r"$\tilde{C}_t$ (candidate)", COLORS["c_tilde"]), ("$i_t$", COLORS["i_t"]),
                       (r"$i_t \odot \tilde{C}_t$ (written)", COLORS["c_t"])])
    set_values([c_tilde, i, written])
    return fig, f"i_t = {_fmt(i)}\ni_t ⊙ C̃_t = {_fmt(written)}"


# --- 07: the cell update ----------------------------------------------------------------

def cell_update(f, i, c_prev=None, c_tilde=None) -> np.ndarray:
    """``C_t = f ⊙ C_{t-1} + i ⊙ C̃_t``; ``f`` and ``i`` are numbers or 3-vectors in [0, 1]."""
    c_prev = _vec("c_prev", c_prev, _EXAMPLE.c_prev)
    c_tilde = _vec("c_tilde", c_tilde, _EXAMPLE.step.c_tilde)
    f = _gate("f", f)
    i = _gate("i", i)
    if np.any((f < 0) | (f > 1)) or np.any((i < 0) | (i > 1)):
        raise ValueError(f"gates must lie in [0, 1], got f={f} and i={i}")
    return f * c_prev + i * c_tilde


def cell_update_view(f: float = 1.0, i: float = 0.0, c_prev=None, c_tilde=None):
    """The new cell state when every component's forget gate is ``f`` and input gate ``i``.

    f=1, i=0 carries C_{t-1} unchanged (perfect memory); f=0, i=1 overwrites it
    with the candidate C̃_t. The worked example's own C_t is marked for reference.
    """
    f = check_float("f", f, 0.0, 1.0)
    i = check_float("i", i, 0.0, 1.0)
    c_prev = _vec("c_prev", c_prev, _EXAMPLE.c_prev)
    c_tilde = _vec("c_tilde", c_tilde, _EXAMPLE.step.c_tilde)
    c_t = cell_update(f, i, c_prev, c_tilde)

    def worked(ax):
        marker = ax.plot(np.arange(3) + 0.27, _EXAMPLE.step.c_t, "k_", ms=14, mew=2,
                         label="worked example's $C_t$", zorder=3)
        ax.set_title(" ")  # its text is set on every move
        return marker

    fig, ax, set_values = _bar_figure(
        "cell_update_view",
        [("$C_{t-1}$", OKABE_ITO["grey"]), (r"$\tilde{C}_t$", COLORS["c_tilde"]),
         ("new $C_t$", COLORS["c_t"])], ylim=(-1.25, 1.25), extra=worked)
    set_values([c_prev, c_tilde, c_t])
    # plain text with Unicode subscripts: mathtext would be parsed anew for every new (f, i),
    # which was most of a slider move's drawing time
    ax.set_title(f"Cₜ = {f:.2f} · Cₜ₋₁ + {i:.2f} · C̃ₜ")
    return fig, f"f = {f:.2f}, i = {i:.2f}:  C_t = {_fmt(c_t)}"


# --- 08: the output gate ------------------------------------------------------------------

def output_view(o0: float = 0.9, o1: float = 0.5, o2: float = 0.2, c_t=None):
    """``h_t = o_t ⊙ tanh(C_t)``: how much of the squashed cell state is shown, per component."""
    o = np.array([check_float(f"o{k}", v, 0.0, 1.0) for k, v in enumerate((o0, o1, o2))])
    c_t = _vec("c_t", c_t, _EXAMPLE.step.c_t)
    squashed = np.tanh(c_t)
    h_t = o * squashed
    fig, ax, set_values = _bar_figure(
        "output_view", [("$C_t$", COLORS["c_t"]), (r"$\tanh(C_t)$", OKABE_ITO["grey"]),
                        ("$o_t$", COLORS["o_t"]), ("$h_t$", COLORS["h_t"])])
    set_values([c_t, squashed, o, h_t])
    return fig, f"o_t = {_fmt(o)}\nh_t = o_t ⊙ tanh(C_t) = {_fmt(h_t)}"


def squash_figure(c_t=None):
    """The tanh curve with each component of ``C_t`` marked (squashed before o_t acts)."""
    c_t = _vec("c_t", c_t, _EXAMPLE.step.c_t)
    reach = max(3.0, float(np.abs(c_t).max()) * 1.2)
    grid = np.linspace(-reach, reach, 241)
    fig, ax = new_figure(5.6, 2.8)
    ax.plot(grid, np.tanh(grid), color=OKABE_ITO["grey"], label="tanh(z)")
    ax.plot(c_t, np.tanh(c_t), "o", color=COLORS["c_t"], label=r"$(C_t[k], \tanh(C_t[k]))$")
    for k, c in enumerate(c_t):
        ax.annotate(f"k={k}", (c, np.tanh(c)), textcoords="offset points", xytext=(6, -12),
                    fontsize=8)
    ax.axhline(0, color="black", lw=0.5)
    ax.axvline(0, color="black", lw=0.5)
    ax.set_xlabel("cell state value $C_t[k]$")
    ax.set_ylabel(r"$\tanh(C_t[k])$")
    ax.set_ylim(-1.1, 1.1)
    ax.legend(loc="upper left", fontsize=8)
    return fig


# --- 08: a few steps unrolled -------------------------------------------------------------

_TRACE_KEYS = ("f_t", "i_t", "c_tilde", "c_t", "o_t", "h_t")
_TRACE_NAMES = {"f_t": "f_t", "i_t": "i_t", "c_tilde": "C̃_t", "c_t": "C_t", "o_t": "o_t",
                "h_t": "h_t"}
# padded to 5 columns as displayed: the tilde is a combining character of width 0
_TABLE_NAMES = {k: v + " " * (5 - len(v.replace("\u0303", ""))) for k, v in _TRACE_NAMES.items()}


def _check_trace(trace) -> int:
    if not isinstance(trace, dict):
        raise TypeError(f"trace must be the dict from run_sequence, got {type(trace).__name__}")
    missing = [k for k in _TRACE_KEYS if k not in trace]
    if missing:
        raise ValueError(f"trace lacks {missing}: pass run_sequence(lstm_step, ...)'s result")
    shape = np.shape(trace["f_t"])
    if len(shape) != 2:
        raise ValueError(f"trace['f_t'] must have shape (T, H) (no batch), got {shape}")
    return shape[0]


def trace_table(trace: dict, digits: int = 4) -> str:
    """Every gate at every step, one row per (step, quantity), components side by side."""
    T = _check_trace(trace)
    rows = [f"{'t':>2}  {'':5}" + "".join(f"{f'[{k}]':>{digits + 5}}" for k in range(3))]
    for t in range(T):
        for key in _TRACE_KEYS:
            v = np.asarray(trace[key][t], dtype=float)
            cells = "".join(f"{x:>{digits + 5}.{digits}f}" for x in v)
            rows.append(f"{t + 1:>2}  {_TABLE_NAMES[key]}{cells}")
        if t < T - 1:
            rows.append("")
    return "\n".join(rows)


def trace_figure(trace: dict):
    """The gates, candidate and states over time, one panel per component."""
    T = _check_trace(trace)
    H = np.shape(trace["f_t"])[1]
    fig, axes = new_figure(8.0, 2.8, ncols=H, sharey=True)
    axes = np.atleast_1d(axes)
    steps = np.arange(1, T + 1)
    styles = {"f_t": "-o", "i_t": "-s", "o_t": "-^", "c_tilde": ":", "c_t": "--D", "h_t": "-v"}
    for k, ax in enumerate(axes):
        for key in ("f_t", "i_t", "o_t", "c_tilde", "c_t", "h_t"):
            ax.plot(steps, np.asarray(trace[key])[:, k], styles[key], color=COLORS[key], ms=4,
                    label=_TRACE_NAMES[key])
        ax.axhline(0, color="black", lw=0.5)
        ax.set_title(f"component {k}", fontsize=10)
        ax.set_xlabel("step t")
        ax.set_xticks(steps)
    axes[0].set_ylabel("value")
    axes[-1].legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    return fig
