"""Notebook 03's gradient figure: ||dh_T/dh_t|| against distance, with the Pascanu bound."""

from __future__ import annotations

import functools
import math

import numpy as np
from matplotlib.ticker import FuncFormatter

from ..cells import rnn_step, run_sequence
from ..experiments.gradients import (GradientFlow, pascanu_bound, recall_sequence,
                                     recurrent_weights, scaled_rnn)
from ..validate import check_float, check_int
from .style import OKABE_ITO, legend, live_parts, new_figure, reuse

# Norms below this are not drawn: float64 underflows near 1e-308, and a log axis cannot
# show 0. Bounds above _CEILING are drawn at it (off the top of the plot in any case).
_FLOOR = 1e-300
_CEILING = 1e300
# The y axis is laid out once for its widest tick label, so a move only redraws it.
_WIDEST_YTICKS = (1e-300, 1e0)
_BOUND_HEADROOM = 1  # decade
_DECADE_STEPS = (1, 2, 5, 10, 20, 50, 100)  # decades between labelled ticks
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _decade_label(value: float, _pos=None) -> str:
    """``10⁻¹⁴`` for 1e-14: plain text with superscript digits, quicker to draw than mathtext."""
    return "10" + str(round(math.log10(value))).translate(_SUPERSCRIPT)


@functools.lru_cache(maxsize=256)
def rnn_decay(scale: float, T: int) -> dict:
    """What ``experiments.gradients.measure_rnn_decay(scale, T)`` returns, for a slider.

    The same RNN, sequence and norms, with the Jacobians multiplied out in NumPy:
    for a tanh RNN ``∂h_k/∂h_{k-1} = diag(1 - h_k²) W_hh``, so
    ``∂h_T/∂h_t = ∂h_T/∂h_{t+1} diag(1 - h_{t+1}²) W_hh``, one H x H product per
    step, where autograd takes H backward passes. tests/test_gradients.py checks
    it against the autograd measurement. Cached per (scale, T).
    """
    params = scaled_rnn(scale)
    xs = recall_sequence(T)
    h = run_sequence(rnn_step, xs, params)["h_t"].numpy()
    W = recurrent_weights(params).numpy()
    J = np.empty((T + 1, W.shape[0], W.shape[0]))
    J[T] = np.eye(W.shape[0])
    for t in range(T - 1, -1, -1):
        J[t] = (J[t + 1] * (1.0 - h[t] ** 2)) @ W  # J[t+1] diag(1 - h_{t+1}^2) W_hh
    norms = np.linalg.norm(J, ord=2, axis=(1, 2))[::-1].copy()
    flow = GradientFlow(distance=np.arange(T + 1), norms=norms, norm="spectral")
    return {"flow": flow, "rate": flow.decay_rate(1, min(20, T)),
            "sigma_max": float(np.linalg.norm(W, 2)),
            "rho": float(np.max(np.abs(np.linalg.eigvals(W)))),
            "mean_dtanh": float(np.mean(1.0 - h ** 2)), "W_hh": W}


def _decade_limits(values, pad: float = 0.3) -> tuple[int, int]:
    """Exponents ``(lo, hi)`` of the decades that frame ``values`` on a log axis.

    ``lo = floor(log10(min) - pad)``, ``hi = ceil(log10(max) + pad)``, over the
    positive finite values: the axis follows the curve, so a falling curve fills
    it downwards and a rising one upwards, with a margin of ``pad`` decades.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        raise ValueError("values must hold at least one positive finite number, got none")
    pad = check_float("pad", pad, low=0.0)
    return (int(np.floor(np.log10(v.min()) - pad)), int(np.ceil(np.log10(v.max()) + pad)))


def _visible(values) -> np.ndarray:
    """Values a log axis can draw: below _FLOOR become NaN (a gap), above _CEILING are capped."""
    v = np.minimum(np.asarray(values, dtype=float), _CEILING)
    return np.where(v >= _FLOOR, v, np.nan)


def plot_gradient_decay(scale: float = 1.0, T: int = 50):
    """Slider figure: ‖∂h_T/∂h_t‖ against distance for W_hh scaled by ``scale``, with the bound.

    The y axis follows the measured curve (``_decade_limits``), so a vanishing
    norm visibly falls and an exploding one visibly rises at every scale; the
    bound may leave the top of the plot, and the text gives its value at
    distance T. The x axis spans 0-100, or 0-T for a longer T.
    """
    scale = check_float("scale", scale, low=0.0, high=10.0)
    T = check_int("T", T, low=2, high=400)
    m = rnn_decay(scale, T)
    flow = m["flow"]
    measured_y = _visible(flow.norms)
    with np.errstate(over="ignore"):  # a bound past float64's range is inf: off the plot anyway
        bound_y = pascanu_bound(m["W_hh"], flow.distance)

    def build():
        fig, ax = new_figure(7.2, 4.0)
        measured = ax.semilogy([0, 1], [1, 1], "o-", ms=3, color=OKABE_ITO["blue"],
                               label=r"measured $\|\partial h_T/\partial h_t\|_2$")[0]
        bound = ax.semilogy([0, 1], [1, 1], "--", color=OKABE_ITO["vermillion"],
                            label=r"bound $\sigma_{max}(W_{hh})^{T-t}$")[0]
        unit = ax.axhline(1.0, color=OKABE_ITO["grey"], ls=":", lw=1)
        ax.set_ylim(*_WIDEST_YTICKS)
        ax.set_yticks(list(_WIDEST_YTICKS))
        ax.yaxis.set_major_formatter(FuncFormatter(_decade_label))
        ax.minorticks_off()  # a log axis's minor ticks cost most of the drawing time
        ax.set_xlabel("distance T − t (steps back)")
        # A figure-level label: drawn once with the background, where an axis label would be
        # placed again on every move, since the y axis is redrawn.
        fig.supylabel("gradient norm (log)", fontsize=ax.xaxis.label.get_fontsize())
        ax.yaxis.set_label_coords(0.0, 0.5)  # fixed: else each draw measures every tick label
        ax.set_title(" ")
        legend(ax, outside="top", ncols=2)  # the measured curve can reach any corner
        fig.get_layout_engine().execute(fig)
        fig.set_layout_engine("none")  # margins for the widest tick labels, kept
        return fig, ax, measured, bound, unit, {"x_max": None}

    fig, ax, measured, bound, unit, shown = reuse("plot_gradient_decay", build)
    x_max = max(100, T)  # one x range for every T up to 100, so most moves keep it
    if shown["x_max"] != x_max:  # a new x range: the x axis joins the background, drawn once
        ax.set_xlim(-0.02 * x_max, 1.02 * x_max)
        # A move redraws only these over it: the curves, the y axis and the title.
        live_parts(fig, measured, bound, unit, ax.yaxis, ax.title)
        shown["x_max"] = x_max
    measured.set_data(flow.distance, measured_y)
    bound.set_data(flow.distance, _visible(bound_y))
    lo, hi = _decade_limits(measured_y)
    # Room for the bound up to _BOUND_HEADROOM decades above the curve, no more: the curve
    # must keep most of the height, or a rise of a decade or two would look flat.
    top = np.nanmax(measured_y) * 10.0 ** _BOUND_HEADROOM
    hi = max(hi, _decade_limits(np.append(np.minimum(bound_y, top), np.nanmax(measured_y)))[1])
    step = next(s for s in _DECADE_STEPS if (hi - lo) / s <= 4)  # at most 5 labels: each costs a redraw
    ax.set_yticks([10.0 ** e for e in range(-(-lo // step) * step, hi + 1, step)])
    ax.set_ylim(10.0 ** lo, 10.0 ** hi)
    ax.minorticks_off()
    # Short: the title is redrawn on every move (σ_max is in the text under the figure).
    ax.set_title(f"W_hh × {scale:.2f}: per-step factor {m['rate']:.3g}")
    text = (f"scale {scale:.2f}: sigma_max {m['sigma_max']:.3f}, spectral radius {m['rho']:.3f}, "
            f"mean tanh' {m['mean_dtanh']:.3f}\nper-step factor {m['rate']:.3g}, "
            f"norm at distance {T}: {flow.norms[-1]:.3g}, bound there: {bound_y[-1]:.3g}")
    return fig, text
