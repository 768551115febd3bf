"""Figures of the long-gap recall experiment (:mod:`lstm_edu.experiments.recall`).

:func:`plot_recall_grid` shows the held-out accuracy curves of a grid from
:func:`lstm_edu.experiments.recall.run_recall_grid` and the final accuracy
against the gap, with chance marked.
"""

from __future__ import annotations

import numpy as np

from ..experiments.recall import check_grid
from .style import CYCLE, OKABE_ITO, legend, new_figure


def plot_recall_grid(grid, chance: float = 0.25, title: str = "tanh RNN"):
    """Left: held-out accuracy while training, one line per run. Right: final accuracy against T.

    A run stops when it is solved; one solved at its first evaluation has a
    single point. Each solved run's curve is carried on, dotted, at the accuracy
    it stopped with to the longest run's last step, so it reads as "reached,
    then held" rather than as a lone dot.
    """
    check_grid(grid)
    fig, (ax_c, ax_t) = new_figure(8.5, 3.4, ncols=2)
    gaps = sorted(grid)
    last_step = max(s for runs in grid.values() for r in runs for s, _ in r.curve)
    held_label = "solved: training stopped"
    for k, T in enumerate(gaps):
        color = CYCLE[k % len(CYCLE)]
        for j, r in enumerate(grid[T]):
            steps, acc = zip(*r.curve)
            ax_c.plot(steps, acc, "o-", ms=4 if len(steps) > 1 else 6, lw=1.5, color=color,
                      label=f"T = {T}" if j == 0 else None)
            if r.solved and steps[-1] < last_step:
                ax_c.plot([steps[-1], last_step], [acc[-1], acc[-1]], ":", lw=1.5, color=color,
                          label=held_label)
                held_label = None
        finals = [r.accuracy for r in grid[T]]
        ax_t.plot([T] * len(finals), finals, "o", color=color, alpha=0.8)
    medians = [float(np.median([r.accuracy for r in grid[T]])) for T in gaps]
    ax_t.plot(gaps, medians, "-", color=OKABE_ITO["black"], lw=1.5, label="median over seeds")
    for ax in (ax_c, ax_t):
        ax.axhline(chance, color=OKABE_ITO["grey"], ls="--", lw=1.2, label=f"chance {chance:g}")
        ax.set_ylim(0, 1.45)  # headroom: the legends sit above the data
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.set_ylabel("held-out accuracy")
    ax_c.set_xlabel("training step")
    ax_c.set_title(f"{title}: learning curves")
    legend(ax_c, loc="upper center", ncols=2)
    ax_t.set_xscale("log")
    ax_t.set_xticks(gaps, [str(T) for T in gaps])
    ax_t.minorticks_off()
    ax_t.set_xlabel("gap T (steps between cue and question)")
    ax_t.set_title(f"{title}: final accuracy against T")
    legend(ax_t, loc="upper center", ncols=2)
    return fig
