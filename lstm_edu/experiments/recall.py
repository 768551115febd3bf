"""The long-gap recall task as an experiment: a model, its initialisation, a training run.

Notebooks 03, 09 and 11 share this, so that "the RNN fails at T=100 and the
chrono-initialised LSTM does not" is measured by one piece of code.

A model is a recurrent *core* (input (T, B, V) -> outputs (T, B, H), state),
time first, followed by a linear read-out of the last output. Cores are named
in :data:`lstm_edu.modules.CORES`, which also says how each one's gate biases
are initialised (``init``: ``"default"``, ``"one"``, ``"chrono"``).

:func:`run_recall` is the one seeded run (build, train, count); the grid of
notebook 03 and the comparison of notebook 09 (:mod:`lstm_edu.experiments.variants`)
are made of it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
from torch import nn

from ..data import recall_task
from ..modules import CORES, INITS, trainable_parameters
from ..train import train
from ..validate import check_choice, check_float, check_int

class RecallNet(nn.Module):
    """A recurrent core, then a linear read-out of its last output: (T, B, V) -> (B, classes)."""

    def __init__(self, core: nn.Module, hidden_size: int, n_classes: int):
        super().__init__()
        self.core = core
        self.readout = nn.Linear(hidden_size, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.core(x)
        return self.readout(out[-1])


def make_recall_net(cell: str = "lstm", T: int = 10, hidden_size: int = 32, init: str = "default",
                    n_classes: int = 4, n_distractors: int = 4, seed: int = 0) -> RecallNet:
    """A fresh, seeded model for the recall task with gap ``T``."""
    check_choice("cell", cell, CORES)
    check_choice("init", init, INITS)
    T = check_int("T", T, low=1)
    hidden_size = check_int("hidden_size", hidden_size, low=1)
    torch.manual_seed(check_int("seed", seed, low=0))
    spec = CORES[cell]
    core = spec.build(n_classes + n_distractors, hidden_size)
    if init != "default":
        if spec.set_bias is None:
            raise ValueError(f"cell {cell!r} has no gate to initialise; use init='default'")
        spec.set_bias(core, init, T)
    return RecallNet(core, hidden_size, n_classes)


@dataclass
class RecallResult:
    accuracy: float                 # held-out accuracy at the end
    steps: int                      # training steps run
    solved_at: int | None           # first evaluated step with accuracy >= the target
    losses: list[float] = field(default_factory=list)
    curve: list[tuple[int, float]] = field(default_factory=list)  # (step, held-out accuracy)
    seconds: float = 0.0

    @property
    def solved(self) -> bool:
        return self.solved_at is not None


def accuracy(net: nn.Module, batch) -> float:
    with torch.no_grad():
        return (net(batch.x).argmax(-1) == batch.y).float().mean().item()


def train_recall(net: nn.Module, T: int, steps: int = 400, batch_size: int = 64, lr: float = 1e-2,
                 clip_norm: float = 1.0, seed: int = 0, eval_every: int = 25, eval_size: int = 512,
                 target: float = 0.99, progress: bool = False, desc: str = "recall") -> RecallResult:
    """Adam on fresh batches of gap ``T``; stop early once held-out accuracy reaches ``target``.

    Each step draws a new batch from one seeded stream, so runs are reproducible
    and the model never sees the same batch twice. Held-out accuracy is measured
    every ``eval_every`` steps on ``eval_size`` sequences from another stream.
    """
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    T = check_int("T", T, low=1)
    steps = check_int("steps", steps, low=1)
    eval_every = check_int("eval_every", eval_every, low=1)
    target = check_float("target", target, low=0.0, high=1.0)
    n_classes = net.readout.out_features
    vocab = net.core.input_size
    stream = torch.Generator().manual_seed(check_int("seed", seed, low=0))
    held_out = recall_task(T, eval_size, n_classes, vocab - n_classes, seed=10_000 + seed)
    loss_fn = nn.CrossEntropyLoss()

    def compute_loss():
        batch = recall_task(T, batch_size, n_classes, vocab - n_classes, generator=stream)
        return loss_fn(net(batch.x), batch.y)

    result = RecallResult(accuracy=0.0, steps=0, solved_at=None)

    def evaluate(step, _loss):
        if step % eval_every and step != steps:
            return False
        acc = accuracy(net, held_out)
        result.curve.append((step, acc))
        if acc >= target and result.solved_at is None:
            result.solved_at = step
        return result.solved_at is not None

    optimizer = torch.optim.Adam(net.parameters(), lr=check_float("lr", lr, low=0.0))
    start = time.perf_counter()
    run = train(compute_loss, optimizer, max_epochs=steps, clip_norm=clip_norm, progress=progress,
                desc=desc, callback=evaluate, log=lambda line: None)
    result.seconds = time.perf_counter() - start
    result.losses = run.losses
    result.steps = run.epochs
    result.accuracy = result.curve[-1][1]
    return result


@dataclass
class RecallRun:
    """One seeded run of the recall task: what was trained, and how it went."""

    cell: str
    T: int
    seed: int
    init: str
    net: RecallNet
    result: RecallResult
    parameters: int   # trainable parameters of the core (without the read-out)

    @property
    def accuracy(self) -> float:
        return self.result.accuracy

    @property
    def solved_at(self) -> int | None:
        return self.result.solved_at

    @property
    def steps(self) -> int:
        return self.result.steps

    @property
    def seconds(self) -> float:
        return self.result.seconds


def run_recall(cell: str, T: int, seed: int = 0, init: str = "default", steps: int = 400,
               hidden_size: int = 32) -> RecallRun:
    """One seeded run: :func:`make_recall_net`, then :func:`train_recall` on the same gap (Adam,
    clip-norm 1)."""
    net = make_recall_net(cell, T=T, hidden_size=hidden_size, init=init, seed=seed)
    result = train_recall(net, T=T, steps=steps, seed=seed)
    return RecallRun(cell=cell, T=T, seed=seed, init=init, net=net, result=result,
                     parameters=trainable_parameters(net.core))


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
                           hidden_size=hidden_size).result for s in seeds]
            for T in gaps}


def check_grid(grid) -> None:
    """A grid is ``{T: [RecallResult, ...]}``, as :func:`run_recall_grid` returns it."""
    if not isinstance(grid, dict) or not grid:
        raise TypeError(f"grid must be a non-empty dict {{T: [RecallResult, ...]}}, got "
                        f"{type(grid).__name__}")
    for T, runs in grid.items():
        if not runs or not all(isinstance(r, RecallResult) for r in runs):
            raise TypeError(f"grid[{T}] must be a non-empty list of RecallResult")


def summarize_recall_grid(grid) -> str:
    """One line per gap: final accuracy per seed, how many solved, and when."""
    check_grid(grid)
    lines = ["   T   final accuracy per seed      solved   solved at step"]
    for T, runs in grid.items():
        accs = " ".join(f"{r.accuracy:.3f}" for r in runs)
        when = ", ".join(str(r.solved_at) for r in runs if r.solved) or "-"
        lines.append(f"{T:4d}   {accs:<26}   {sum(r.solved for r in runs)}/{len(runs)}      {when}")
    return "\n".join(lines)
