"""Diagrams of the LSTM's variants, built on the primitives of :mod:`lstm_edu.figures.cells`.

* :func:`draw_peephole_cell` - the LSTM cell of :func:`lstm_edu.figures.cells.draw_lstm_cell`
  with peephole wires added: ``C_{t-1}`` into the forget and input gates, the
  new ``C_t`` into the output gate;
* :func:`draw_cifg_cell` - coupled gates: the input layer is gone, ``1 − f_t`` replaces it;
* :func:`draw_gru_cell` - the GRU in its three forms (where ``r`` acts, which way ``z`` points);
* :func:`show_variant` - diagram, equations and parameter count of one variant,
  the figure function behind notebook 09's dropdown;
* :func:`plot_forget_retention` - σ(b_f)^t: why the forget-gate bias decides
  whether a long gap can be learnt at all.

Coordinates follow :data:`lstm_edu.figures.cells.LSTM_LAYOUT` (module at (0, 0)).
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib import patheffects

from ..cells import GRU_FORMS, PEEPHOLE_GATES
from ..modules import count_parameters
from ..validate import check_choice, check_float, check_int
from .cells import (
    LSTM_LAYOUT,
    STYLE,
    draw_lstm_cell,
    junction,
    layer_box,
    module_frame,
    new_diagram,
    pointwise_op,
    tag,
    wire,
)
from .style import COLORS, OKABE_ITO, legend, live_parts, new_figure, reuse

PEEPHOLE_COLOR = COLORS["c_t"]
GATE_COLORS = {"r": COLORS["i_t"], "z": COLORS["f_t"], "n": COLORS["c_tilde"]}


def _under(artists) -> None:
    """Draw a wire as passing *under* the wires it crosses: a white halo around it."""
    for a in artists:
        a.set_path_effects([patheffects.Stroke(linewidth=STYLE.lw + 4, foreground="white"),
                            patheffects.Normal()])


# --- peepholes ----------------------------------------------------------------------------

def draw_peephole_cell(gates: str = "fio", width: float = 6.4):
    """The LSTM cell with peepholes on ``gates`` (any of "f", "i", "o"), drawn in blue.

    The forget and input gates peek at ``C_{t-1}`` (tapped before the ×),
    the output gate at the new ``C_t`` (tapped after the +).
    """
    if not isinstance(gates, str):
        raise TypeError(f"gates must be a string such as 'fio', got {type(gates).__name__}")
    if set(gates) - set(PEEPHOLE_GATES):
        raise ValueError(f"gates must be letters from 'fio', got {gates!r}")
    check_float("width", width, low=2.0, high=20.0)
    fig = draw_lstm_cell(width=width)
    ax = fig.axes[0]
    L = LSTM_LAYOUT
    cy, top = L["cell_y"], L["layer_y"] + 0.3
    peep = dict(color=PEEPHOLE_COLOR, lw=1.3)
    x_tap = 1.5                     # on C_{t-1}, before the forget multiply
    lows = {"f": 3.25, "i": 3.55}
    if "f" in gates or "i" in gates:
        low = min(lows[g] for g in "fi" if g in gates)
        junction(ax, (x_tap, cy), color=PEEPHOLE_COLOR)
        wire(ax, [(x_tap, cy), (x_tap, low)], arrow=False, **peep)
    for g in "fi":
        if g in gates:
            x_in = L[g] - 0.25
            if g == "i" and "f" in gates:
                junction(ax, (x_tap, lows[g]), color=PEEPHOLE_COLOR)
            wire(ax, [(x_tap, lows[g]), (x_in, lows[g]), (x_in, top + 0.02)], **peep)
            tag(ax, ((x_tap + x_in) / 2 + (0.35 if g == "i" else 0), lows[g] + 0.2), f"$p_{g}$",
                color=PEEPHOLE_COLOR, size=STYLE.fontsize - 2)
    if "o" in gates:
        x_tap_o, low_o, x_in = 7.3, 3.25, L["o"] + 0.25
        junction(ax, (x_tap_o, cy), color=PEEPHOLE_COLOR)
        wire(ax, [(x_tap_o, cy), (x_tap_o, low_o), (x_in, low_o), (x_in, top + 0.02)], **peep)
        tag(ax, (x_tap_o - 0.1, 4.3), "$p_o$", color=PEEPHOLE_COLOR, ha="right",
            size=STYLE.fontsize - 2)
    return fig


# --- coupled gates -------------------------------------------------------------------------

def draw_cifg_cell(width: float = 6.4):
    """The LSTM with coupled gates: the forget gate's output also feeds ``1 − f_t``."""
    check_float("width", width, low=2.0, high=20.0)
    L = LSTM_LAYOUT
    fig, ax = new_diagram((-1.1, L["width"] + 1.1), (-1.6, L["height"] + 1.3), width=width)
    cy, hy, ly = L["cell_y"], L["hx_y"], L["layer_y"]
    xf, xc, xo, xi = L["f"], L["c"], L["o"], L["i"]
    module_frame(ax, 0, 0, L["width"], L["height"])
    cw = dict(color=STYLE.cell_wire, lw=STYLE.lw * 1.8)
    wire(ax, [(-0.6, cy), (xf - 0.3, cy)], **cw)
    pointwise_op(ax, (xf, cy), "×")
    wire(ax, [(xf + 0.3, cy), (xc - 0.3, cy)], **cw)
    pointwise_op(ax, (xc, cy), "+")
    wire(ax, [(xc + 0.3, cy), (L["width"] + 0.6, cy)], **cw)
    # [h_{t-1}, x_t] to the three layers
    xj = L["x_join"]
    wire(ax, [(-0.6, hy), (xj, hy)], arrow=False)
    wire(ax, [(xj, -0.9), (xj, hy)], arrow=False)
    junction(ax, (xj, hy))
    wire(ax, [(xj, hy), (xo, hy)], arrow=False)
    for x, label in ((xf, "σ"), (xc, "tanh"), (xo, "σ")):
        wire(ax, [(x, hy), (x, ly - 0.3)])
        if x != xo:
            junction(ax, (x, hy))
        layer_box(ax, (x, ly), label)
    # f_t up to the cell state, and across through 1 − to the candidate's multiply
    mi = L["mul_in_y"]
    wire(ax, [(xf, ly + 0.3), (xf, cy - 0.3)], color=COLORS["f_t"])
    junction(ax, (xf, mi), color=COLORS["f_t"])
    wire(ax, [(xf, mi), (xi - 0.3, mi)], color=COLORS["f_t"])
    pointwise_op(ax, (xi, mi), "1−")
    wire(ax, [(xi + 0.3, mi), (xc - 0.3, mi)], color=COLORS["i_t"])
    wire(ax, [(xc, ly + 0.3), (xc, mi - 0.3)], color=COLORS["c_tilde"])
    pointwise_op(ax, (xc, mi), "×")
    wire(ax, [(xc, mi + 0.3), (xc, cy - 0.3)])
    # the output part, as in the LSTM
    mo, ty, xout = L["mul_out_y"], L["tanh_y"], L["x_out"]
    wire(ax, [(xo, ly + 0.3), (xo, mo), (xout - 0.3, mo)], color=COLORS["o_t"])
    junction(ax, (xout, cy), color=STYLE.cell_wire)
    wire(ax, [(xout, cy), (xout, ty + 0.3)], color=STYLE.cell_wire)
    pointwise_op(ax, (xout, ty), "tanh")
    wire(ax, [(xout, ty - 0.3), (xout, mo + 0.3)])
    pointwise_op(ax, (xout, mo), "×")
    wire(ax, [(xout, mo - 0.3), (xout, hy), (L["width"] + 0.6, hy)], color=COLORS["h_t"])
    junction(ax, (L["h_up"], hy), color=COLORS["h_t"])
    wire(ax, [(L["h_up"], hy), (L["h_up"], L["height"] + 0.7)], color=COLORS["h_t"])
    _state_tags(ax, "$C_{t-1}$", "$C_t$")
    tag(ax, (xf - 0.15, 4.6), "$f_t$", ha="right", color=COLORS["f_t"])
    tag(ax, (xi, mi + 0.55), "$i_t = 1 - f_t$", color=COLORS["i_t"], size=STYLE.fontsize - 1)
    tag(ax, (xc + 0.15, 3.3), r"$\tilde{C}_t$", ha="left", color=COLORS["c_tilde"])
    tag(ax, (xo - 0.15, 3.3), "$o_t$", ha="right", color=COLORS["o_t"])
    return fig


def _state_tags(ax, state_in, state_out, top_state=True):
    L = LSTM_LAYOUT
    cy, hy = L["cell_y"], L["hx_y"]
    size = STYLE.fontsize + 1
    if top_state:
        tag(ax, (-0.7, cy + 0.35), state_in, ha="left", size=size)
        tag(ax, (L["width"] + 0.7, cy + 0.35), state_out, ha="right", size=size)
        tag(ax, (-0.7, hy + 0.35), "$h_{t-1}$", ha="left", size=size)
        tag(ax, (L["width"] + 0.7, hy - 0.35), "$h_t$", ha="right", size=size)
    tag(ax, (L["x_join"], -1.2), "$x_t$", size=size)
    tag(ax, (L["h_up"], L["height"] + 1.0), "$h_t$", size=size)


# --- the GRU ---------------------------------------------------------------------------------

#: Where the GRU's parts sit (module at (0, 0), same frame as the LSTM).
GRU_LAYOUT = {
    "state_y": 5.5, "hx_y": 1.0, "x_y": 0.3, "layer_y": 2.6, "reset_y": 4.2,
    "h_down": 0.4, "x_join": 1.2, "r": 2.2, "z": 3.6, "n": 6.6, "keep": 3.6, "add": 8.0,
    "take_y": 3.9, "z_split_y": 3.5, "one_minus_x": 5.3,
}

GRU_TITLES = {
    "torch": r"PyTorch: $r \odot (W_{hn} h + b_{hn})$;  $h_t = (1-z) \odot n + z \odot h_{t-1}$",
    "cho": r"Cho et al. 2014: $W_n\,[r \odot h, x]$;  $h_t = z \odot h_{t-1} + (1-z) \odot \tilde{h}$",
    "colah": r"colah: $W_n\,[r \odot h, x]$;  $h_t = (1-z) \odot h_{t-1} + z \odot \tilde{h}$",
}


def draw_gru_cell(form: str = "torch", width: float = 6.4):
    """The GRU: one state ``h`` along the top, reset ``r`` and update ``z`` gates, candidate.

    ``form="torch"``: ``r`` multiplies the hidden part *after* its own linear
    layer (the small ``W_hn`` box). ``"cho"`` and ``"colah"``: ``r`` multiplies
    ``h_{t-1}`` before the candidate's layer. ``"colah"`` takes ``1 − z`` on
    the kept state; the other two take it on the candidate.
    """
    if not isinstance(form, str):
        raise TypeError(f"form must be a string, got {type(form).__name__}")
    check_choice("form", form, GRU_FORMS)
    check_float("width", width, low=2.0, high=20.0)
    G, L = GRU_LAYOUT, LSTM_LAYOUT
    fig, ax = new_diagram((-1.1, L["width"] + 1.1), (-1.6, L["height"] + 1.7), width=width)
    sy, hy, ly, ry = G["state_y"], G["hx_y"], G["layer_y"], G["reset_y"]
    module_frame(ax, 0, 0, L["width"], L["height"])
    hw = dict(color=COLORS["h_t"], lw=STYLE.lw * 1.8)
    # the state h along the top: keep-multiply, then add the new part
    wire(ax, [(-0.6, sy), (G["keep"] - 0.3, sy)], **hw)
    pointwise_op(ax, (G["keep"], sy), "×")
    wire(ax, [(G["keep"] + 0.3, sy), (G["add"] - 0.3, sy)], **hw)
    pointwise_op(ax, (G["add"], sy), "+")
    wire(ax, [(G["add"] + 0.3, sy), (L["width"] + 0.6, sy)], **hw)
    junction(ax, (L["h_up"], sy), color=COLORS["h_t"])
    wire(ax, [(L["h_up"], sy), (L["h_up"], L["height"] + 0.7)], color=COLORS["h_t"])
    # h_{t-1} copied down, joined with x_t, into r and z
    xd, xj = G["h_down"], G["x_join"]
    junction(ax, (xd, sy), color=COLORS["h_t"])
    wire(ax, [(xd, sy), (xd, hy), (xj, hy)], arrow=False)
    wire(ax, [(xj, -0.9), (xj, hy)], arrow=False)
    junction(ax, (xj, hy))
    wire(ax, [(xj, hy), (G["z"], hy)], arrow=False)
    for g in "rz":
        wire(ax, [(G[g], hy), (G[g], ly - 0.3)])
        layer_box(ax, (G[g], ly), "σ")
    junction(ax, (G["r"], hy))
    # x_t to the candidate's layer, along its own lane
    junction(ax, (xj, G["x_y"]))
    wire(ax, [(xj, G["x_y"]), (G["n"], G["x_y"]), (G["n"], ly - 0.3)])
    # the reset: r ⊙ h (before the candidate's layer) or r ⊙ (W_hn h + b_hn) (after)
    junction(ax, (xd, ry))
    if form == "torch":
        layer_box(ax, (1.2, ry), "$W_{hn}$", w=0.75, h=0.5, color="#FBF6C4")
        wire(ax, [(xd, ry), (1.2 - 0.375, ry)])
        wire(ax, [(1.2 + 0.375, ry), (G["r"] - 0.3, ry)])
    else:
        wire(ax, [(xd, ry), (G["r"] - 0.3, ry)])
    wire(ax, [(G["r"], ly + 0.3), (G["r"], ry - 0.3)], color=GATE_COLORS["r"])
    pointwise_op(ax, (G["r"], ry), "×")
    _under(wire(ax, [(G["r"] + 0.3, ry), (G["n"], ry), (G["n"], ly + 0.3)]))
    layer_box(ax, (G["n"], ly), "tanh")
    # the candidate, taken in by the multiply under the +
    ty = G["take_y"]
    wire(ax, [(G["n"] + 0.45, ly), (G["add"], ly), (G["add"], ty - 0.3)], color=GATE_COLORS["n"])
    pointwise_op(ax, (G["add"], ty), "×")
    wire(ax, [(G["add"], ty + 0.3), (G["add"], sy - 0.3)])
    # z: up to the keep-multiply, and across to the take-multiply; "1−" on one of them
    zs = G["z_split_y"]
    zc = dict(color=GATE_COLORS["z"])
    junction(ax, (G["z"], zs), **zc)
    x1 = G["one_minus_x"]
    if form == "colah":  # colah: keep (1 − z) of h, take z of h̃
        wire(ax, [(G["z"], ly + 0.3), (G["z"], 4.35)], **zc)
        pointwise_op(ax, (G["z"], 4.65), "1−")
        wire(ax, [(G["z"], 4.95), (G["z"], sy - 0.3)], **zc)
        _under(wire(ax, [(G["z"], zs), (7.3, zs), (7.3, ty), (G["add"] - 0.3, ty)], **zc))
    else:  # torch, cho: keep z of h, take (1 − z) of the candidate
        wire(ax, [(G["z"], ly + 0.3), (G["z"], sy - 0.3)], **zc)
        _under(wire(ax, [(G["z"], zs), (x1 - 0.3, zs)], **zc))
        pointwise_op(ax, (x1, zs), "1−")
        _under(wire(ax, [(x1 + 0.3, zs), (7.3, zs), (7.3, ty), (G["add"] - 0.3, ty)], **zc))
    # symbols
    size = STYLE.fontsize + 1
    tag(ax, (-0.7, sy + 0.35), "$h_{t-1}$", ha="left", size=size)
    tag(ax, (L["width"] + 0.7, sy + 0.35), "$h_t$", ha="right", size=size)
    tag(ax, (L["h_up"], L["height"] + 1.0), "$h_t$", size=size)
    tag(ax, (xj, -1.2), "$x_t$", size=size)
    tag(ax, (G["r"] - 0.15, 3.2), "$r_t$", ha="right", color=GATE_COLORS["r"])
    tag(ax, (G["z"] - 0.15, 3.1), "$z_t$", ha="right", color=GATE_COLORS["z"])
    tag(ax, (G["n"] + 0.55, 2.25), r"$\tilde{h}_t$" if form != "torch" else "$n_t$", ha="left",
        color=GATE_COLORS["n"])
    tag(ax, (L["width"] / 2, L["height"] + 1.45), GRU_TITLES[form], size=STYLE.fontsize - 1)
    return fig


# --- the dropdown of notebook 09 --------------------------------------------------------------

VARIANT_CHOICES = {
    "lstm": "LSTM (plain)",
    "peephole": "peephole LSTM",
    "cifg": "coupled gates (CIFG)",
    "gru_torch": "GRU, PyTorch's form",
    "gru_cho": "GRU, Cho et al. 2014",
    "gru_colah": "GRU, colah's figure",
}

EQUATIONS = {
    "lstm": ("f_t = σ(W_f [h_{t−1}, x_t] + b_f)\n"
             "i_t = σ(W_i [h_{t−1}, x_t] + b_i)\n"
             "C̃_t = tanh(W_c [h_{t−1}, x_t] + b_c)\n"
             "C_t = f_t ⊙ C_{t−1} + i_t ⊙ C̃_t\n"
             "o_t = σ(W_o [h_{t−1}, x_t] + b_o)\n"
             "h_t = o_t ⊙ tanh(C_t)"),
    "peephole": ("f_t = σ(W_f [h_{t−1}, x_t] + p_f ⊙ C_{t−1} + b_f)\n"
                 "i_t = σ(W_i [h_{t−1}, x_t] + p_i ⊙ C_{t−1} + b_i)\n"
                 "C̃_t = tanh(W_c [h_{t−1}, x_t] + b_c)\n"
                 "C_t = f_t ⊙ C_{t−1} + i_t ⊙ C̃_t\n"
                 "o_t = σ(W_o [h_{t−1}, x_t] + p_o ⊙ C_t + b_o)     ← the NEW C_t\n"
                 "h_t = o_t ⊙ tanh(C_t)"),
    "cifg": ("f_t = σ(W_f [h_{t−1}, x_t] + b_f)\n"
             "i_t = 1 − f_t                                  ← no W_i, b_i\n"
             "C̃_t = tanh(W_c [h_{t−1}, x_t] + b_c)\n"
             "C_t = f_t ⊙ C_{t−1} + (1 − f_t) ⊙ C̃_t\n"
             "o_t = σ(W_o [h_{t−1}, x_t] + b_o)\n"
             "h_t = o_t ⊙ tanh(C_t)"),
    "gru_torch": ("r_t = σ(W_r [h_{t−1}, x_t] + b_r)\n"
                  "z_t = σ(W_z [h_{t−1}, x_t] + b_z)\n"
                  "n_t = tanh(W_in x_t + b_n + r_t ⊙ (W_hn h_{t−1} + b_hn))\n"
                  "h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}        ← z near 1 keeps h"),
    "gru_cho": ("r_t = σ(W_r [h_{t−1}, x_t] + b_r)\n"
                "z_t = σ(W_z [h_{t−1}, x_t] + b_z)\n"
                "h̃_t = tanh(W_n [r_t ⊙ h_{t−1}, x_t] + b_n)\n"
                "h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ h̃_t        ← z near 1 keeps h"),
    "gru_colah": ("r_t = σ(W_r [h_{t−1}, x_t] + b_r)\n"
                  "z_t = σ(W_z [h_{t−1}, x_t] + b_z)\n"
                  "h̃_t = tanh(W_n [r_t ⊙ h_{t−1}, x_t] + b_n)\n"
                  "h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t        ← z near 1 takes h̃"),
}

_COUNT_AS = {"lstm": "lstm", "peephole": "peephole", "cifg": "cifg", "gru_torch": "gru",
             "gru_cho": "gru_cho", "gru_colah": "gru_colah"}


def variant_parameters(variant: str, input_size: int = 8, hidden_size: int = 32) -> int:
    """Parameters of ``variant``'s cell. The Cho and colah GRUs need no b_hn: one bias per layer."""
    check_choice("variant", variant, VARIANT_CHOICES)
    return count_parameters(_COUNT_AS[variant], input_size, hidden_size)


def draw_variant(variant: str, width: float = 6.4):
    """The diagram of ``variant`` (a key of :data:`VARIANT_CHOICES`)."""
    check_choice("variant", variant, VARIANT_CHOICES)
    if variant == "lstm":
        return draw_lstm_cell(width=width)
    if variant == "peephole":
        return draw_peephole_cell(width=width)
    if variant == "cifg":
        return draw_cifg_cell(width=width)
    return draw_gru_cell(variant.split("_")[1], width=width)


def show_variant(variant: str = "peephole", input_size: int = 8, hidden_size: int = 32):
    """Diagram, equations and parameter count of one variant: ``(Figure, text)``."""
    if not isinstance(variant, str):
        raise TypeError(f"variant must be a string, got {type(variant).__name__}")
    check_choice("variant", variant, VARIANT_CHOICES)
    D = check_int("input_size", input_size, low=1)
    H = check_int("hidden_size", hidden_size, low=1)
    n = variant_parameters(variant, D, H)
    n_lstm = count_parameters("lstm", D, H)
    text = (f"{VARIANT_CHOICES[variant]}\n{EQUATIONS[variant]}\n\n"
            f"parameters (D = {D}, H = {H}): {n}  = {n / n_lstm:.1%} of the plain LSTM's {n_lstm}")
    return draw_variant(variant), text


# --- why the forget bias matters -------------------------------------------------------------

def retention(bias: float, steps: int) -> float:
    """σ(bias) ** steps: what is left of a cell's content after ``steps`` forget gates at σ(bias).

    A forget gate that has not learnt anything yet sits near σ(b_f); over a gap
    of T − 1 steps the first token's trace is multiplied by it T − 1 times.
    """
    bias = check_float("bias", bias)
    steps = check_int("steps", steps, low=0)
    f = 1.0 / (1.0 + math.exp(-bias))
    return f ** steps


def plot_forget_retention(T: int = 100, bias: float = 1.0):
    """What survives of C after t steps, σ(b_f)^t, for b_f = 0, your ``bias`` and ln T (chrono).

    Log scales: PyTorch's default (b_f near 0) halves the memory at every step.
    The axes stay put as T moves (t from 1 to 1,000, or to T beyond that); the
    curves run to t = T - 1, the gap marked. Returns ``(Figure, text)``.
    """
    T = check_int("T", T, low=2, high=10_000)
    bias = check_float("bias", bias, low=-10.0, high=20.0)
    t_max = max(1000, T)

    def build():
        fig, ax = new_figure(7.2, 4.4)
        lines = [ax.loglog([1, 2], [1, 1], label=label, color=color, lw=2)[0]
                 for label, color in (("b_f = 0 (PyTorch's default, on average)",
                                       OKABE_ITO["grey"]),
                                      ("b_f = your value", OKABE_ITO["orange"]),
                                      ("b_f = ln T (chrono)", OKABE_ITO["blue"]))]
        gap = ax.axvline(T - 1, color="black", ls=":", lw=1.2)
        ax.set_xlim(1, t_max)
        ax.set_ylim(1e-16, 2.0)
        ax.set_xlabel("steps t since the first token (log)")
        ax.set_ylabel("σ(b_f)^t, share of C kept")
        ax.set_title(" ")
        legend(ax, outside="top", ncols=1)  # every corner is crossed by some T and b_f
        live_parts(fig, *lines, gap, ax.title)
        return fig, ax, lines, gap

    fig, ax, lines, gap = reuse(("plot_forget_retention", t_max), build)
    ts = np.arange(1, T)
    biases = (0.0, bias, math.log(T))
    for line, b in zip(lines, biases):
        f = 1.0 / (1.0 + math.exp(-b))
        line.set_data(ts, np.maximum(f ** ts, 1e-300))
    gap.set_xdata([T - 1, T - 1])
    # short: each glyph is rendered anew on every move (a third of a move's drawing time)
    ax.set_title(f"T = {T} (dotted): your b_f keeps {retention(bias, T - 1):.3g} of C")
    text = "\n".join(f"b_f = {b:.2f}: σ(b_f)^{T - 1} = {retention(b, T - 1):.3g}"
                      for b in biases)
    return fig, text
