"""Figures of notebook 12 (xLSTM): revising a stored value, stabilizer, parallel form, recall.

Each function is pure: it takes numbers (or traces computed by
:mod:`lstm_edu.cells.xlstm`) and returns a Figure, or ``(Figure, text)`` for a
slider. The one computation done here is the three-step example behind the
slider, run through the cells' own step functions.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from ..cells.lstm import LSTMParams, lstm_step
from ..cells.xlstm import SLSTMParams, slstm_raw_step
from ..validate import check_array, check_float
from .style import COLORS, OKABE_ITO, live_parts, new_figure, reuse

# --- revising a storage decision -----------------------------------------------------

# Pre-activations (ĩ_t, f̃_t, z̃_t) of the three-step example in notebook 12: a value is
# stored, a step passes with the input gate shut, then a stronger input arrives.
# Its ĩ_3 is what the slider moves.
REVISE_STEPS = ((1.0, 3.0, 0.5), (-5.0, 3.0, 0.0), (4.0, 3.0, -0.9))
I_RANGE = (-2.0, 10.0)


def _revise_cells():
    """H = 1, D = 3: the input x_t *is* (ĩ_t, f̃_t, z̃_t), so the gates read it directly."""
    def W(col):
        w = np.zeros((1, 4))
        if col is not None:
            w[0, 1 + col] = 1.0
        return w

    b0 = np.zeros(1)
    slstm = SLSTMParams(W_i=W(0), b_i=b0, W_f=W(1), b_f=b0, W_z=W(2), b_z=b0, W_o=W(None), b_o=b0)
    lstm = LSTMParams(W_f=W(1), b_f=b0, W_i=W(0), b_i=b0, W_c=W(2), b_c=b0, W_o=W(None), b_o=b0)
    return slstm, lstm


class Revision(NamedTuple):
    """The memory after step 3, for both cells, and what it is made of."""

    slstm_memory: float   # c_3 / n_3, the sLSTM's normalized memory (h_3 = o_3 · this)
    lstm_memory: float    # C_3 of the LSTM with the same pre-activations, sigmoid gates
    new_weight: float     # i_3 / n_3: the new value's share of the sLSTM memory
    lstm_old_part: float  # f_3 C_2: what the LSTM keeps of its old memory, whatever ĩ_3 is
    z_new: float          # z_3 = tanh(z̃_3), the value that should take over


def _revise_batch(i_tilde_new: np.ndarray, steps=REVISE_STEPS) -> Revision:
    """The example for every ĩ_3 in ``i_tilde_new`` (B,) at once, as a batch of B sequences."""
    B = len(i_tilde_new)
    xs = np.repeat(np.array(steps, dtype=float)[:, None, :], B, axis=1)   # (T=3, B, D=3)
    xs[-1, :, 0] = i_tilde_new
    slstm, lstm = _revise_cells()
    zeros = np.zeros((B, 1))
    c = n = hl = cl = zeros
    for x_t in xs:
        s = slstm_raw_step(x_t, zeros, c, n, slstm)  # h fed back is irrelevant: W_h = 0
        c, n = s.c_t, s.n_t
        c_lstm_prev = cl
        l = lstm_step(x_t, hl, cl, lstm)
        hl, cl = l.h_t, l.c_t
    return Revision(slstm_memory=(c / n)[:, 0], lstm_memory=cl[:, 0],
                    new_weight=(s.i_t / n)[:, 0], lstm_old_part=(l.f_t * c_lstm_prev)[:, 0],
                    z_new=s.z_t[:, 0])


def revise_storage(i_tilde_new: float = REVISE_STEPS[2][0], steps=REVISE_STEPS) -> Revision:
    """Run the three-step example through the sLSTM (raw form) and the LSTM.

    With the same pre-activations, the sLSTM's memory ``c_3/n_3`` is a weighted
    average of the stored values with weights ``exp(ĩ)`` (decayed by the forget
    gates), so a stronger input takes the average over; the LSTM's ``C_3``
    keeps ``f_3 C_2`` however strong the new input, because ``i_3 <= 1``.
    """
    i_tilde_new = check_float("i_tilde_new", i_tilde_new, low=-30.0, high=30.0)
    return Revision(*(float(v[0]) for v in _revise_batch(np.array([i_tilde_new]), steps)))


@functools.lru_cache(maxsize=1)
def _revise_curves():
    """The memory after step 3 over ``I_RANGE`` for both cells: the same on every slider move."""
    grid = np.linspace(*I_RANGE, 121)
    return grid, _revise_batch(grid)


def revise_figure(i_tilde_new: float = REVISE_STEPS[2][0]):
    """The memory after step 3 against the new input's strength ĩ_3, for both cells.

    Returns ``(Figure, text)``; the marker and the text are at ``i_tilde_new``.
    Under a slider the curves, axes and legend are drawn once (``style.reuse``);
    a move redraws the two markers and their values.
    """
    now = revise_storage(i_tilde_new)

    def build():
        grid, runs = _revise_curves()
        fig, ax = new_figure(6.4, 3.4)
        # z_3 = tanh(z̃_3) does not depend on ĩ_3: the line and its label stay put.
        ax.axhline(now.z_new, color=OKABE_ITO["grey"], ls="--", lw=1,
                   label=f"new value z_3 = {now.z_new:.3f}")
        ax.plot(grid, runs.slstm_memory, color=COLORS["c_t"],
                label="sLSTM memory c_3 / n_3")
        ax.plot(grid, runs.lstm_memory, color=COLORS["f_t"],
                label="LSTM cell state C_3")
        # The markers sit on the curves: they leave the axes limits to the curves.
        marks = [ax.plot([np.nan], [np.nan], "o", color=color, scalex=False, scaley=False)[0]
                 for color in (COLORS["c_t"], COLORS["f_t"])]
        # The values in the lower left, coloured like their curves: both curves fall from
        # above 0 there, so the corner stays free at every ĩ_3 (a label beside the marker
        # lands on the other curve for some ĩ_3).
        notes = [ax.text(0.02, y_frac, "", transform=ax.transAxes, color=color, va="bottom")
                 for y_frac, color in ((0.24, COLORS["c_t"]), (0.13, COLORS["f_t"]))]
        # Room beyond both ends of the slider's range: a marker at an end is drawn whole.
        pad = 0.03 * (I_RANGE[1] - I_RANGE[0])
        ax.set_xlim(I_RANGE[0] - pad, I_RANGE[1] + pad)
        ax.set_xlabel("input-gate pre-activation of the new input, ĩ_3")
        ax.set_ylabel("memory after step 3")
        ax.set_title("A stronger new input takes over the sLSTM's memory")
        ax.legend(loc="upper right", fontsize=8)
        fig.get_layout_engine().execute(fig)
        fig.set_layout_engine("none")
        live_parts(fig, *marks, *notes)
        return fig, marks, notes

    fig, marks, notes = reuse("revise_figure", build)
    for mark, note, y, name in zip(marks, notes, (now.slstm_memory, now.lstm_memory),
                                   ("sLSTM c_3 / n_3", "LSTM C_3")):
        mark.set_data([i_tilde_new], [y])
        note.set_text(f"{name} = {y:.3f}")
    # One short line per cell: a printed line wider than the output area wraps mid-word.
    text = (f"ĩ_3 = {i_tilde_new:.2f}\n"
            f"sLSTM c_3/n_3 = {now.slstm_memory:.4f} (new value's weight {now.new_weight:.4f})\n"
            f"LSTM  C_3 = {now.lstm_memory:.4f} (old part f_3 C_2 = {now.lstm_old_part:.4f})")
    return fig, text


# --- the stabilizer ------------------------------------------------------------------

def stabilizer_figure(raw: dict, stabilized: dict):
    """``n_t`` of the raw and stabilized sLSTM (log scale), and ``m_t``, for one unit.

    ``raw`` and ``stabilized`` are traces from :func:`~lstm_edu.cells.xlstm.run_slstm`
    over a (T, D) sequence with H = 1 (or their first unit is shown).
    """
    for name, tr in (("raw", raw), ("stabilized", stabilized)):
        if not isinstance(tr, dict) or "n_t" not in tr:
            raise TypeError(f"{name} must be a trace dict from run_slstm, got {type(tr).__name__}")
    if "m_t" not in stabilized:
        raise ValueError("stabilized must come from run_slstm(..., stabilized=True): it has no m_t")
    n_raw = np.asarray(raw["n_t"]).reshape(len(raw["n_t"]), -1)[:, 0]
    n_st = np.asarray(stabilized["n_t"]).reshape(len(stabilized["n_t"]), -1)[:, 0]
    m = np.asarray(stabilized["m_t"]).reshape(len(stabilized["m_t"]), -1)[:, 0]
    t = np.arange(1, len(n_raw) + 1)
    fig, (ax1, ax2) = new_figure(7.2, 3.6, ncols=2)
    ax1.semilogy(t, n_raw, "o-", color=COLORS["f_t"], label="raw n_t")
    ax1.semilogy(t, n_st, "s-", color=COLORS["c_t"], label="stabilized n_t = raw n_t e^(−m_t)")
    f32_max = float(np.finfo(np.float32).max)
    if n_raw.max() > f32_max:
        ax1.axhline(f32_max, color=OKABE_ITO["grey"], ls="--", lw=1,
                    label="float32's largest number")
    ax1.set_xlabel("t")
    ax1.set_ylabel("n_t (log scale)")
    # Below the axes: raw n_t climbs corner to corner, so no corner inside stays free.
    ax1.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22))
    ax1.set_title("The normalizer")
    ax2.plot(t, m, "o-", color=COLORS["o_t"])
    ax2.set_xlabel("t")
    ax2.set_ylabel("m_t")
    ax2.set_title("The stabilizer state m_t")
    return fig


# --- the parallel form ---------------------------------------------------------------

def parallel_figure(D, C):
    """The stabilized gate-decay matrix D' and the combination matrix C' = (q kᵀ) ⊙ D' (T, T)."""
    D = np.asarray(check_array("D", D, ndim=2))
    C = np.asarray(check_array("C", C, ndim=2))
    if D.shape != C.shape or D.shape[0] != D.shape[1]:
        raise ValueError(f"D and C must be the same square (T, T), got {D.shape} and {C.shape}")
    fig, axes = new_figure(7.2, 3.2, ncols=2)
    lim = float(np.abs(C).max()) or 1.0
    panels = ((axes[0], D, "D' = exp(log D − m): gates", dict(cmap="Blues", vmin=0, vmax=1)),
              (axes[1], C, "C' = (q_t · k_s) ⊙ D'", dict(cmap="RdBu_r", vmin=-lim, vmax=lim)))
    for ax, M, title, kw in panels:
        im = ax.imshow(M, **kw)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("s (stored at)")
        ax.set_ylabel("t (read at)")
        fig.colorbar(im, ax=ax, shrink=0.8)
    return fig


# --- associative recall ---------------------------------------------------------------

def recall_figure(accuracies: dict, chance: float, steps: int):
    """Test accuracy per seed for each model (``{label: [acc per seed]}``), with chance."""
    if not isinstance(accuracies, dict) or not accuracies:
        raise TypeError("accuracies must be a non-empty dict {label: [accuracy per seed]}")
    fig, ax = new_figure(5.6, 2.8)
    colors = [COLORS["c_t"], COLORS["f_t"], COLORS["i_t"], COLORS["o_t"]]
    for k, (label, accs) in enumerate(accuracies.items()):
        accs = np.asarray(accs, dtype=float)
        # seeds side by side in a thin band, so equal accuracies do not hide each other
        offsets = (np.arange(len(accs)) - (len(accs) - 1) / 2) * 0.08
        ax.plot(accs, k + offsets, "o", ms=9, alpha=0.8, color=colors[k % len(colors)])
    ax.axvline(chance, color=OKABE_ITO["grey"], ls="--", lw=1, label=f"chance {chance:.3f}")
    ax.set_yticks(range(len(accuracies)), list(accuracies))
    ax.set_ylim(-0.6, len(accuracies) - 0.4)
    # Room right of 1.0: a dot at accuracy 1 drawn on the edge would be cut in half.
    ax.set_xlim(0, 1.06)
    ax.set_xlabel(f"test accuracy after {steps} training steps (one dot per seed)")
    ax.legend(loc="lower right", fontsize=8)
    return fig
