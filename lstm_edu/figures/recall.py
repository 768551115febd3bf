"""Figures of the long-gap recall experiment (:mod:`lstm_edu.experiments.recall`).

:func:`plot_recall_grid` shows the held-out accuracy curves of a grid from
:func:`lstm_edu.experiments.recall.run_recall_grid` and the final accuracy
against the gap, with chance marked.
"""

from __future__ import annotations

import numpy as np

from ..experiments.recall import check_grid
from .style import CYCLE, OKABE_ITO, new_figure


def plot_recall_grid(grid, chance: float = 0.25, title: str = "tanh RNN"):
    """Left: held-out accuracy while training, one line per run. Right: final accuracy against T."""
    check_grid(grid)
    fig, (ax_c, ax_t) = new_figure(8.5, 3.2, ncols=2)
    gaps = sorted(grid)
    for k, T in enumerate(gaps):
        color = CYCLE[k % len(CYCLE)]
        for j, r in enumerate(grid[T]):
            steps, acc = zip(*r.curve)
            ax_c.plot(steps, acc, "o-", ms=3, lw=1.2, color=color,
                      label=f"T = {T}" if j == 0 else None)
        finals = [r.accuracy for r in grid[T]]
        ax_t.plot([T] * len(finals), finals, "o", color=color, alpha=0.8)
    medians = [float(np.median([r.accuracy for r in grid[T]])) for T in gaps]
    ax_t.plot(gaps, medians, "-", color=OKABE_ITO["black"], lw=1.5, label="median over seeds")
    for ax in (ax_c, ax_t):
        ax.axhline(chance, color=OKABE_ITO["grey"], ls=":", lw=1.2, label=f"chance {chance:g}")
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("held-out accuracy")
    ax_c.set_xlabel("training step")
    ax_c.set_title(f"{title}: learning curves", fontsize=10)
    ax_c.legend(fontsize=7, loc="center right")
    ax_t.set_xscale("log")
    ax_t.set_xticks(gaps, [str(T) for T in gaps])
    ax_t.minorticks_off()
    ax_t.set_xlabel("gap T (steps between the cue and the question)")
    ax_t.set_title(f"{title}: final accuracy against the gap", fontsize=10)
    ax_t.legend(fontsize=7, loc="upper right")
    return fig
