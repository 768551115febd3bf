"""Notebook 14's figures: the cell-state path, truncated BPTT, gradient clipping."""

from __future__ import annotations

import functools

import numpy as np

from ..experiments.backward import CellPath, cell_path
from ..validate import check_float
from .gradients import rnn_decay
from .style import OKABE_ITO, legend, live_parts, new_figure, reuse

_FLOOR = 1e-30
_PATH_T = 50


def _log_limits(*curves) -> tuple[float, float]:
    """y-limits on a log axis that follow the curves: a decade of room either side."""
    values = np.concatenate([np.asarray(c, dtype=float) for c in curves])
    values = values[values > _FLOOR]
    low, high = np.floor(np.log10(values.min())), np.ceil(np.log10(values.max()))
    return 10.0 ** (low - 0.5), 10.0 ** (high + 0.5)


def plot_cell_paths(paths: dict, rnn_norms=None):
    """‖∂C_T/∂C_t‖ against distance for several initialisations: every path (solid) and
    the direct path ∏ diag(f) (dashed), with 03's tanh RNN ‖∂h_T/∂h_t‖ for comparison."""
    if not paths or not all(isinstance(p, CellPath) for p in paths.values()):
        raise TypeError("paths must be a non-empty dict of label -> CellPath")
    fig, ax = new_figure(7.2, 4.0)
    colors = [OKABE_ITO[c] for c in ("vermillion", "orange", "blue", "green")]
    curves = []
    for (label, p), color in zip(paths.items(), colors):
        ax.semilogy(p.distance, np.maximum(p.full, _FLOOR), "-", color=color, lw=2,
                    label=f"{label}: every path")
        ax.semilogy(p.distance, np.maximum(p.direct, _FLOOR), "--", color=color, lw=1.4,
                    label=f"{label}: direct, ∏ f")
        curves += [p.full, p.direct]
    if rnn_norms is not None:
        ax.semilogy(np.arange(len(rnn_norms)), np.maximum(rnn_norms, _FLOOR), ":",
                    color=OKABE_ITO["black"], lw=2, label="tanh RNN of 03: ‖∂h_T/∂h_t‖")
        curves.append(rnn_norms)
    ax.set_ylim(*_log_limits(*curves))
    ax.set_xlabel("distance T − t (steps back)")
    ax.set_ylabel("‖∂C_T/∂C_t‖₂ (log)")
    legend(ax, outside="right")
    return fig


@functools.lru_cache(maxsize=64)
def _path(forget_bias: float) -> CellPath:
    return cell_path(forget_bias, T=_PATH_T)


_SLIDER_YLIM = (1e-16, 1e2)   # fixed, so a move redraws the curves only; lower falls off the axis


def plot_cell_path(forget_bias: float = 1.0):
    """Slider figure: the cell-state path at one forget bias, every path against the direct one,
    with 03's tanh RNN (W_hh × 1) as the reference. Returns (figure, text)."""
    forget_bias = check_float("forget_bias", forget_bias, low=-5.0, high=10.0)
    p = _path(forget_bias)
    rnn = rnn_decay(1.0, _PATH_T)["flow"].norms

    def build():
        fig, ax = new_figure(7.2, 3.6)
        full = ax.semilogy([0, 1], [1, 1], "-", color=OKABE_ITO["blue"], lw=2,
                           label="LSTM, every path")[0]
        direct = ax.semilogy([0, 1], [1, 1], "--", color=OKABE_ITO["orange"], lw=1.8,
                             label="LSTM, direct path ∏ f")[0]
        ax.semilogy(p.distance, np.maximum(rnn, _FLOOR), ":", color=OKABE_ITO["black"], lw=2,
                    label="tanh RNN of 03")
        ax.set_ylim(*_SLIDER_YLIM)
        ax.set_xlim(-1, _PATH_T + 1)
        ax.minorticks_off()
        ax.set_xlabel("distance T − t (steps back)")
        ax.set_ylabel("gradient norm (log)")
        ax.set_title(" ")
        legend(ax, outside="right")
        live_parts(fig, full, direct, ax.title)
        return fig, ax, full, direct

    fig, ax, full, direct = reuse("plot_cell_path", build)
    full.set_data(p.distance, np.maximum(p.full, _FLOOR))
    direct.set_data(p.distance, np.maximum(p.direct, _FLOOR))
    ax.set_title(f"forget bias {forget_bias:+.1f}: mean f = {p.f_mean:.2f}")
    text = (f"b_f {forget_bias:+.1f}: mean f {p.f_mean:.3f}; at distance 20: "
            f"every path {p.full[20]:.2g}, direct {p.direct[20]:.2g}, RNN {rnn[20]:.2g}")
    return fig, text


def plot_truncation(bias: dict, saved: dict):
    """Left: cosine similarity and relative error of the truncated gradient against k.
    Right: the bytes autograd holds for one backward, against k."""
    fig, (ax1, ax2) = new_figure(7.2, 3.2, ncols=2)
    ax1.plot(bias["k"], bias["cosine"], "o-", color=OKABE_ITO["blue"], label="cosine similarity")
    ax1.plot(bias["k"], bias["rel_error"], "s--", color=OKABE_ITO["vermillion"],
             label="relative error")
    ax1.set_xscale("log")
    ax1.set_ylim(-0.05, 1.1)
    ax1.set_xlabel("truncation k (steps)")
    ax1.set_title("the gradient against full BPTT")
    legend(ax1, outside="below", ncols=2)
    ks = list(saved)
    ax2.plot(ks, [saved[k] / 1024 for k in ks], "o-", color=OKABE_ITO["green"])
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("truncation k (steps)")
    ax2.set_ylabel("KiB held for backward")
    ax2.set_title("memory of one backward")
    return fig


def plot_clipping(runs: dict):
    """Loss against step for every seed, without and with clipping (``runs[clip][seed]``)."""
    fig, axes = new_figure(7.2, 3.2, ncols=2, sharey=True)
    for ax, (clip, by_seed) in zip(axes, runs.items()):
        for seed, r in by_seed.items():
            ax.plot(r["loss"], lw=1.3, label=f"seed {seed}")
        ax.set_title("no clipping" if clip is None else f"clip_grad_norm_(max_norm={clip:g})")
        ax.set_xlabel("SGD step")
    axes[0].set_ylabel("cross-entropy")
    legend(axes[1], outside="right")
    return fig
