"""Notebook 01's figures: the windowed MLP's fit, two times with one sine, the memoryless map."""

from __future__ import annotations

import numpy as np

from ..data import sin_cos_data
from ..experiments.feedforward import (WINDOW_KS, WindowFit, fit_window_mlp, same_sin_partner,
                                       window_sweep)
from ..validate import check_float, check_int
from .style import COLORS, OKABE_ITO, PREDICTION, TARGET, legend, live_parts, new_figure, reuse


def plot_window_fit(k: int = 1):
    """Slider figure: the fit on the test half for window ``k``, and test MSE against k.

    The fits are trained once (cached); a slider move only swaps the prediction
    line, the ring on the MSE curve and the title on a kept figure, so it costs a
    redraw of those three, not of the whole figure.
    """
    k = check_int("k", k, low=1, high=50)
    sweep = window_sweep(sorted(set(WINDOW_KS) | {k}))
    fit = sweep[k]
    ks = sorted(sweep)

    def build():  # everything that does not depend on k: kept while the slider moves
        fig, (ax, ax_k) = new_figure(8.0, 3.0, ncols=2, width_ratios=[2.2, 1])
        ax.plot(fit.t_test, fit.y_test, color=COLORS["cos"], label="cos(t), the target",
                **TARGET)
        (pred,) = ax.plot(fit.t_test, fit.pred_test, color=COLORS["pred"],
                          label="MLP on last k sin values", **PREDICTION)
        ax.set_xlabel("t (test half)")
        ax.set_ylabel("cos(t) and prediction")
        ax.set_ylim(-1.6, 1.9)
        legend(ax, loc="upper center", ncols=2)
        ax.set_title(" ")
        ax_k.semilogy(ks, [max(sweep[j].test_mse, 1e-8) for j in ks], "o-",
                      color=OKABE_ITO["blue"], label="test MSE")
        ax_k.axhline(0.5, color=OKABE_ITO["grey"], ls=":", label="E[cos²] = 0.5")
        (ring,) = ax_k.semilogy([k], [max(fit.test_mse, 1e-8)], "o", ms=11, mfc="none",
                                color=OKABE_ITO["vermillion"], label="this k")
        ax_k.set_xlabel("window k (past inputs seen)")
        ax_k.set_ylabel("test MSE (log)")
        ax_k.minorticks_off()  # a log axis's minor ticks cost most of the drawing time
        ax_k.set_ylim(top=5.0)  # headroom for the legend, above every MSE
        legend(ax_k, loc="center right")
        live_parts(fig, pred, ring, ax.title)
        return fig, ax, pred, ring

    fig, ax, pred, ring = reuse(("plot_window_fit", tuple(ks)), build)
    pred.set_data(fit.t_test, fit.pred_test)
    ring.set_data([k], [max(fit.test_mse, 1e-8)])
    ax.set_title(f"k = {k}: test MSE {fit.test_mse:.3g}")
    text = (f"k = {k}: train MSE {fit.train_mse:.3g}, test MSE {fit.test_mse:.3g} "
            f"({fit.epochs} epochs)")
    return fig, text


def plot_same_sin(t: float = 5 * np.pi / 6):
    """Slider figure: sin and cos, the time ``t`` and its partner with the same sin."""
    t = check_float("t", t, low=0.0, high=12 * np.pi)
    u = same_sin_partner(t)
    lo = 2 * np.pi * np.floor(min(t, u) / (2 * np.pi))

    def build():  # one period's curves: kept while t moves within it
        grid = np.linspace(lo - 0.5, lo + 2 * np.pi + 0.5, 300)
        fig, ax = new_figure(7.2, 3.6)
        ax.plot(grid, np.sin(grid), color=COLORS["sin"], lw=2, label="sin(t), the input")
        ax.plot(grid, np.cos(grid), color=COLORS["cos"], lw=2, label="cos(t), the target")
        level = ax.axhline(0.0, color=OKABE_ITO["grey"], ls=":", lw=1)
        marks = []
        for marker in ("o", "s"):
            marks.append(ax.axvline(0.0, color=OKABE_ITO["grey"], ls="--", lw=1))
            marks.append(ax.plot([0], [0], marker, color=COLORS["sin"], ms=8)[0])
            marks.append(ax.plot([0], [0], marker, color=COLORS["cos"], ms=8)[0])
        ax.set_xlim(grid[0], grid[-1])
        ax.set_xlabel("t")
        ax.set_ylabel("value")
        ax.set_ylim(-1.3, 1.3)
        ax.set_title(" ")
        legend(ax, outside="top")  # the time markers sweep the whole axes
        live_parts(fig, level, *marks, ax.title)
        return fig, ax, level, marks

    fig, ax, level, marks = reuse(("plot_same_sin", lo), build)
    level.set_ydata([np.sin(t)] * 2)
    for k, when in enumerate((t, u)):
        vline, on_sin, on_cos = marks[3 * k:3 * k + 3]
        vline.set_xdata([when, when])
        on_sin.set_data([when], [np.sin(when)])
        on_cos.set_data([when], [np.cos(when)])
    ax.set_title(f"t = {t:.3f} (circle) and t' = {u:.3f} (square): same sin, opposite cos")
    text = (f"t  = {t:.4f}: sin = {np.sin(t):+.4f}, cos = {np.cos(t):+.4f}\n"
            f"t' = {u:.4f}: sin = {np.sin(u):+.4f}, cos = {np.cos(u):+.4f}")
    return fig, text


def plot_memoryless_map(fit: WindowFit | None = None):
    """The data as points (sin t, cos t) - a circle - and what a k = 1 MLP makes of it.

    A function of sin alone gives one cos per sin: it cannot trace both halves of
    the circle, and the best it can do is the average of the two, 0.
    """
    fit = fit_window_mlp(1) if fit is None else fit
    if not isinstance(fit, WindowFit):
        raise TypeError(f"fit must be a WindowFit, got {type(fit).__name__}")
    if fit.k != 1:
        raise ValueError(f"this picture is for the memoryless fit, k = 1; got k = {fit.k}")
    data = sin_cos_data()
    fig, ax = new_figure(5.6, 4.2)
    _, x_tr, y_tr = data.train
    ax.plot(x_tr, y_tr, "o", ms=3.5, color=OKABE_ITO["sky"], label="training pairs (sin t, cos t)")
    x_te = data.test[1]
    order = np.argsort(x_te)
    ax.plot(x_te[order], fit.pred_test[order], "-", color=COLORS["pred"], lw=1.5,
            label="MLP(sin t) on the test half")
    ax.axhline(0.0, color=OKABE_ITO["grey"], ls=":", lw=1, label="best memoryless guess: 0")
    ax.set_xlabel("input sin(t)")
    ax.set_ylabel("cos(t)")
    ax.set_ylim(-1.25, 1.25)
    legend(ax, outside="top", ncols=1)
    return fig
