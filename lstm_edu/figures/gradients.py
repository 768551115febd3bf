"""Notebook 03's gradient figure: ||dh_T/dh_t|| against distance, with the Pascanu bound."""

from __future__ import annotations

import functools

import numpy as np

from ..cells import rnn_step, run_sequence
from ..experiments.gradients import (GradientFlow, pascanu_bound, recall_sequence,
                                     recurrent_weights, scaled_rnn)
from ..validate import check_float, check_int
from .style import OKABE_ITO, legend, live_parts, new_figure, reuse

_FLOOR = 1e-30


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


def plot_gradient_decay(scale: float = 1.0, T: int = 50):
    """Slider figure: ‖∂h_T/∂h_t‖ against distance for W_hh scaled by ``scale``, with the bound."""
    scale = check_float("scale", scale, low=0.0, high=10.0)
    T = check_int("T", T, low=2, high=200)
    m = rnn_decay(scale, T)
    flow = m["flow"]
    x_max = max(100, T)

    def build():
        fig, ax = new_figure(7.2, 4.0)
        measured = ax.semilogy([0, 1], [1, 1], "o-", ms=3, color=OKABE_ITO["blue"],
                               label=r"measured $\|\partial h_T/\partial h_t\|_2$")[0]
        bound = ax.semilogy([0, 1], [1, 1], "--", color=OKABE_ITO["vermillion"],
                            label=r"bound $\sigma_{max}(W_{hh})^{T-t}$")[0]
        ax.axhline(1.0, color=OKABE_ITO["grey"], ls=":", lw=1)
        ax.set_xlim(-0.02 * x_max, 1.02 * x_max)
        ax.set_ylim(_FLOOR, 1e12)
        ax.set_yticks([10.0 ** e for e in range(-30, 13, 6)])
        ax.minorticks_off()  # a log axis's minor ticks cost most of the drawing time
        ax.set_xlabel("distance T − t (steps back)")
        ax.set_ylabel("gradient norm (log)")
        ax.set_title(" ")
        legend(ax, outside="top", ncols=2)  # the measured curve can reach any corner
        live_parts(fig, measured, bound, ax.title)
        return fig, ax, measured, bound

    fig, ax, measured, bound = reuse(("plot_gradient_decay", x_max), build)
    measured.set_data(flow.distance, np.maximum(flow.norms, _FLOOR))
    bound.set_data(flow.distance,
                   np.maximum(pascanu_bound(m["W_hh"], flow.distance), _FLOOR))
    ax.set_title(f"W_hh × {scale:.2f}: σ_max = {m['sigma_max']:.2f}, "
                 f"per-step factor {m['rate']:.3g}")
    text = (f"scale {scale:.2f}: sigma_max {m['sigma_max']:.3f}, spectral radius {m['rho']:.3f}, "
            f"mean tanh' {m['mean_dtanh']:.3f}, per-step factor {m['rate']:.3g}, "
            f"norm at distance {T}: {flow.norms[-1]:.3g}")
    return fig, text
