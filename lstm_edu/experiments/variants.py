"""Part III's comparison: the variants on the long-gap recall task, over seeds (notebook 09).

Notebook 09 builds its models and runs its training loop in its own cells, and
records each run as a :class:`VariantRun`. :func:`compare_variants` runs the
same grid through :func:`lstm_edu.experiments.recall.run_recall` for
``benchmarks/variants_grid.py`` (``tests/test_variants.py`` checks that the
notebook's loop and ``run_recall`` give the same runs, bit for bit).
:func:`summarize` groups runs of either kind by (cell, gap, init),
:func:`format_table` prints the groups.

Parameters are counted one way for every row (:func:`lstm_edu.modules.classic.core_parameters`):
one bias per gate wherever ``torch.nn``'s two biases only add up, so a fused
``nn.LSTM`` and the from-scratch LSTM count alike, and a peephole LSTM counts 3 H
more than the plain one.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Callable

from torch import nn

from ..modules import CORES
from ..modules.classic import core_parameters
from ..validate import check_choice, check_int
from .recall import RecallRun, run_recall


@dataclass
class VariantRun:
    """One run of notebook 09's loop: what was trained, and how it went.

    ``solved_at`` is the step at which held-out accuracy first reached the
    target (None: not within the budget); ``accuracy`` the last one measured.
    """

    cell: str
    T: int
    init: str
    seed: int
    solved_at: int | None
    accuracy: float
    seconds: float
    net: nn.Module

    def __post_init__(self):
        check_choice("cell", self.cell, CORES)
        if not isinstance(self.net, nn.Module) or not hasattr(self.net, "core"):
            raise TypeError(f"net must be the run's model (a module with a .core), got "
                            f"{type(self.net).__name__}")

    def __str__(self) -> str:
        solved = "-" if self.solved_at is None else self.solved_at
        return (f"{self.cell:>9} T={self.T:<4} {self.init:>7} seed={self.seed}  "
                f"accuracy {self.accuracy:.2f}  solved at {solved}  time: {self.seconds:.1f} s")


def compare_variants(cells, Ts=(100,), seeds=(0, 1, 2), init: str = "chrono", steps: int = 400,
                     hidden_size: int = 32, log: Callable[[str], None] | None = None,
                     announce: bool = False) -> list:
    """Every cell at every gap with every seed, each with the same budget of ``steps``
    (a run stops early once solved): a list of :class:`~lstm_edu.experiments.recall.RecallRun`.

    ``log``, if given, gets one line per finished run (``print`` shows progress), and with
    ``announce`` also one line as each run starts (for runs that take seconds each).
    """
    if isinstance(cells, str):
        raise TypeError("cells must be a list of core names, e.g. ['lstm_scratch', 'cifg']")
    cells = list(cells)
    for cell in cells:
        check_choice("cell", cell, CORES)
    if not cells or not Ts or not seeds:
        raise ValueError(f"need at least one cell, gap and seed, got cells={cells}, Ts={Ts}, "
                         f"seeds={seeds}")
    steps = check_int("steps", steps, low=1)
    runs = []
    for T in Ts:
        for cell in cells:
            for seed in seeds:
                if log is not None and announce:
                    log(f"{cell:>13} T={T:<4} {init:>7} seed={seed}  training ...")
                run = run_recall(cell, T, seed, init=init, steps=steps, hidden_size=hidden_size)
                runs.append(run)
                if log is not None:
                    solved = "-" if run.solved_at is None else run.solved_at
                    log(f"{cell:>13} T={T:<4} {init:>7} seed={seed}  accuracy {run.accuracy:.2f}  "
                        f"solved at {solved}")
    return runs


def parameters(run: RecallRun | VariantRun) -> int:
    """The core's parameters in the course's convention (one bias per gate)."""
    core = run.net.core
    return core_parameters(CORES[run.cell], core.input_size, core.hidden_size)


def summarize(runs) -> list[dict]:
    """One row per (cell, T, init): seeds solved, accuracies, median steps to solve, time."""
    groups: dict = {}
    for run in runs:
        if not isinstance(run, (RecallRun, VariantRun)):
            raise TypeError(f"runs must be VariantRun (notebook 09) or RecallRun "
                            f"(compare_variants) objects, got {type(run).__name__}")
        groups.setdefault((run.cell, run.T, run.init), []).append(run)
    rows = []
    for (cell, T, init), group in groups.items():
        solved = [r.solved_at for r in group if r.solved_at is not None]
        rows.append({
            "cell": cell, "T": T, "init": init, "seeds": len(group), "solved": len(solved),
            "acc_min": min(r.accuracy for r in group), "acc_max": max(r.accuracy for r in group),
            "steps_median": statistics.median(solved) if solved else None,
            "steps_max": max(solved) if len(solved) == len(group) else None,
            "parameters": parameters(group[0]),
            "seconds": statistics.mean(r.seconds for r in group),
        })
    return rows


def format_table(rows, timings: bool = True) -> str:
    """The summary as a plain-text table; times print as ``time: 1.2 s`` (nbval masks them).

    ``params``: the core's weights and biases, one bias per gate (the course's
    convention; ``torch.nn`` reports H more per gate whose two biases add up).
    """
    head = f"{'cell':>13} {'T':>4} {'init':>7} {'solved':>7} {'accuracy':>11} " \
           f"{'median steps':>13} {'params':>7}"
    lines = [head + ("   time per run" if timings else ""),
             "-" * (len(head) + (15 if timings else 0))]
    for r in rows:
        acc = f"{r['acc_min']:.2f}-{r['acc_max']:.2f}"
        med = "-" if r["steps_median"] is None else f"{r['steps_median']:g}"
        line = f"{r['cell']:>13} {r['T']:>4} {r['init']:>7} {r['solved']:>3}/{r['seeds']:<3} " \
               f"{acc:>11} {med:>13} {r['parameters']:>7}"
        if timings:
            line += f"   time: {r['seconds']:.1f} s"
        lines.append(line)
    return "\n".join(lines)
