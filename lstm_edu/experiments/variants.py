"""Part III's comparison: the variants on the long-gap recall task, over seeds (notebook 09).

Every run is :func:`lstm_edu.experiments.recall.run_recall`; :func:`summarize`
groups runs by (cell, gap, init), :func:`format_table` prints the groups.
"""

from __future__ import annotations

import statistics
from typing import Callable

from .recall import run_recall


def compare_variants(cells, Ts=(100,), seeds=(0, 1, 2), init: str = "chrono", steps: int = 400,
                     hidden_size: int = 32, log: Callable[[str], None] | None = None) -> list:
    """Every cell at every gap with every seed: a list of
    :class:`~lstm_edu.experiments.recall.RecallRun`."""
    if isinstance(cells, str):
        raise TypeError("cells must be a list of core names, e.g. ['lstm_scratch', 'cifg']")
    runs = []
    for T in Ts:
        for cell in cells:
            for seed in seeds:
                run = run_recall(cell, T, seed, init=init, steps=steps, hidden_size=hidden_size)
                runs.append(run)
                if log is not None:
                    log(f"{cell:>13} T={T:<4} seed={seed}  acc {run.accuracy:.2f}  "
                        f"solved at {run.solved_at}")
    return runs


def summarize(runs) -> list[dict]:
    """One row per (cell, T, init): seeds solved, accuracies, median steps to solve, time."""
    groups: dict = {}
    for run in runs:
        groups.setdefault((run.cell, run.T, run.init), []).append(run)
    rows = []
    for (cell, T, init), group in groups.items():
        solved = [r.solved_at for r in group if r.solved_at is not None]
        rows.append({
            "cell": cell, "T": T, "init": init, "seeds": len(group), "solved": len(solved),
            "acc_min": min(r.accuracy for r in group), "acc_max": max(r.accuracy for r in group),
            "steps_median": statistics.median(solved) if solved else None,
            "steps_max": max(solved) if len(solved) == len(group) else None,
            "parameters": group[0].parameters,
            "seconds": statistics.mean(r.seconds for r in group),
        })
    return rows


def format_table(rows, timings: bool = True) -> str:
    """The summary as a plain-text table. Times follow a ⏱ sign (nbval masks them)."""
    head = f"{'cell':>13} {'T':>4} {'init':>7} {'solved':>7} {'accuracy':>11} " \
           f"{'median steps':>13} {'params':>7}"
    lines = [head + ("   time/run" if timings else ""), "-" * (len(head) + (11 if timings else 0))]
    for r in rows:
        acc = f"{r['acc_min']:.2f}–{r['acc_max']:.2f}"
        med = "—" if r["steps_median"] is None else f"{r['steps_median']:g}"
        line = f"{r['cell']:>13} {r['T']:>4} {r['init']:>7} {r['solved']:>3}/{r['seeds']:<3} " \
               f"{acc:>11} {med:>13} {r['parameters']:>7}"
        if timings:
            line += f"   ⏱ {r['seconds']:.1f} s"
        lines.append(line)
    return "\n".join(lines)
