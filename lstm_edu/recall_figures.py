"""Figures of the long-gap recall experiment (:mod:`lstm_edu.recall`): accuracy against the gap.

:func:`run_recall_grid` trains one model per (gap, seed); :func:`plot_recall_grid`
shows the held-out accuracy curves and the final accuracy against the gap,
with chance marked. Notebooks 03, 09 and 11 can share both.
"""

from __future__ import annotations

import numpy as np

from .plots import CYCLE, OKABE_ITO, new_figure
from .recall import RecallResult, run_recall
from .validate import check_int


def run_recall_grid(cell: str = "rnn", gaps=(10, 30, 100), seeds=(0, 1, 2), steps=400,
                    hidden_size: int = 32, init: str = "default") -> dict[int, list[RecallResult]]:
    """``{T: [result per seed]}`` for :func:`train_recall` with its defaults.

    ``steps`` is an int, or a dict ``{T: steps}`` to give long gaps fewer steps.
    """
    gaps = [check_int("T", T, low=1) for T in gaps]
    seeds = [check_int("seed", s, low=0) for s in seeds]
    if not gaps or not seeds:
        raise ValueError(f"need at least one gap and one seed, got gaps={gaps}, seeds={seeds}")
    if isinstance(steps, dict):
        missing = [T for T in gaps if T not in steps]
        if missing:
            raise ValueError(f"steps has no entry for gap(s) {missing}")
        budget = {T: check_int("steps", steps[T], low=1) for T in gaps}
    else:
        budget = {T: check_int("steps", steps, low=1) for T in gaps}
    return {T: [run_recall(cell, T, seed=s, init=init, steps=budget[T],
                           hidden_size=hidden_size)[1] for s in seeds]
            for T in gaps}


def _check_grid(grid) -> None:
    if not isinstance(grid, dict) or not grid:
        raise TypeError(f"grid must be a non-empty dict {{T: [RecallResult, ...]}}, got "
                        f"{type(grid).__name__}")
    for T, runs in grid.items():
        if not runs or not all(isinstance(r, RecallResult) for r in runs):
            raise TypeError(f"grid[{T}] must be a non-empty list of RecallResult")


def summarize_recall_grid(grid) -> str:
    """One line per gap: final accuracy per seed, how many solved, and when."""
    _check_grid(grid)
    lines = ["   T   final accuracy per seed      solved   solved at step"]
    for T, runs in grid.items():
        accs = " ".join(f"{r.accuracy:.3f}" for r in runs)
        when = ", ".join(str(r.solved_at) for r in runs if r.solved) or "-"
        lines.append(f"{T:4d}   {accs:<26}   {sum(r.solved for r in runs)}/{len(runs)}      {when}")
    return "\n".join(lines)


def plot_recall_grid(grid, chance: float = 0.25, title: str = "tanh RNN"):
    """Left: held-out accuracy while training, one line per run. Right: final accuracy against T."""
    _check_grid(grid)
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
