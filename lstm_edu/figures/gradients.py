"""Notebook 03's gradient figure: ||dh_T/dh_t|| against distance, with the Pascanu bound."""

from __future__ import annotations

import numpy as np

from ..experiments.gradients import measure_rnn_decay, pascanu_bound
from ..validate import check_float, check_int
from .style import OKABE_ITO, legend, new_figure


def plot_gradient_decay(scale: float = 1.0, T: int = 50):
    """Slider figure: ‖∂h_T/∂h_t‖ against distance for W_hh scaled by ``scale``, with the bound."""
    scale = check_float("scale", scale, low=0.0, high=10.0)
    T = check_int("T", T, low=2, high=200)
    m = measure_rnn_decay(scale, T)
    flow = m["flow"]
    fig, ax = new_figure(6.5, 3.2)
    floor = 1e-30
    ax.semilogy(flow.distance, np.maximum(flow.norms, floor), "o-", ms=3,
                color=OKABE_ITO["blue"], label=r"measured $\|\partial h_T/\partial h_t\|_2$")
    ax.semilogy(flow.distance, np.maximum(pascanu_bound(m["W_hh"], flow.distance), floor),
                "--", color=OKABE_ITO["vermillion"],
                label=(rf"bound $\sigma_{{max}}(W_{{hh}})^{{T-t}}$, "
                       rf"$\sigma_{{max}}$={m['sigma_max']:.2f}"))
    ax.axhline(1.0, color=OKABE_ITO["grey"], ls=":", lw=1)
    ax.set_ylim(floor, 1e12)
    ax.set_yticks([10.0 ** e for e in range(-30, 13, 6)])
    ax.minorticks_off()  # a log axis's minor ticks cost most of the drawing time
    ax.set_xlabel("distance T − t (steps back)")
    ax.set_ylabel("gradient norm (log)")
    ax.set_title(f"W_hh × {scale:.2f}: per-step factor {m['rate']:.3g}")
    legend(ax, outside="top", ncols=2)  # the measured curve can reach any corner
    text = (f"scale {scale:.2f}: sigma_max {m['sigma_max']:.3f}, spectral radius {m['rho']:.3f}, "
            f"mean tanh' {m['mean_dtanh']:.3f}, per-step factor {m['rate']:.3g}, "
            f"norm at distance {T}: {flow.norms[-1]:.3g}")
    return fig, text
