"""The long-gap recall task as an experiment: a model, its initialisation, a training run.

Notebooks 03, 09 and 11 share this, so that "the RNN fails at T=100 and the
chrono-initialised LSTM does not" is measured by one piece of code.

A model is a recurrent *core* (input (T, B, V) -> outputs (T, B, H), state),
time first, followed by a linear read-out of the last output. Cores are named
in :data:`CORES`; Part III's variants register theirs with :func:`register_core`.

Forget-gate initialisations (``init``):

* ``"default"`` - PyTorch's uniform(-1/sqrt(H), 1/sqrt(H)) for every bias;
* ``"one"`` - forget bias 1 (Gers et al. 2000; Jozefowicz et al. 2015);
* ``"chrono"`` - forget bias ln T and input bias -ln T, the "chrono" idea of
  Tallec & Ollivier 2018 with a single characteristic time T (the gap).
  For a GRU the update gate z plays the forget gate's part (PyTorch's z keeps h).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from .data import recall_task
from .train import train
from .validate import check_choice, check_float, check_int

INITS = ("default", "one", "chrono")


@dataclass(frozen=True)
class CoreSpec:
    """How to build a core and how to set its gate biases for an ``init``."""

    build: Callable[[int, int], nn.Module]            # (input_size, hidden_size) -> core
    set_bias: Callable[[nn.Module, str, int], None] | None  # (core, init, T); None: default only


CORES: dict[str, CoreSpec] = {}


def register_core(name: str, build, set_bias=None) -> None:
    """Make a core available to :func:`make_recall_net` by name."""
    if name in CORES:
        raise ValueError(f"core {name!r} is registered already")
    CORES[name] = CoreSpec(build=build, set_bias=set_bias)


def gate_biases(init: str, T: int) -> tuple[float, float]:
    """(forget-side bias, input-side bias) that ``init`` asks for at gap ``T``."""
    check_choice("init", init, INITS)
    if init == "one":
        return 1.0, 0.0
    log_t = math.log(max(T, 2))
    return log_t, -log_t


def _set_stacked_bias(core: nn.Module, n_gates: int, gates: dict[int, float]) -> None:
    """Set whole gate biases of a fused torch module (both bias vectors add up to the value)."""
    H = core.hidden_size
    with torch.no_grad():
        for layer in range(core.num_layers):
            b_ih = getattr(core, f"bias_ih_l{layer}")
            b_hh = getattr(core, f"bias_hh_l{layer}")
            assert b_ih.shape[0] == n_gates * H
            for k, value in gates.items():
                b_ih[k * H:(k + 1) * H] = value
                b_hh[k * H:(k + 1) * H] = 0.0


def _lstm_bias(core: nn.LSTM, init: str, T: int) -> None:
    f_bias, i_bias = gate_biases(init, T)
    _set_stacked_bias(core, 4, {1: f_bias, 0: i_bias})  # PyTorch order i, f, g, o


def _gru_bias(core: nn.GRU, init: str, T: int) -> None:
    z_bias, _ = gate_biases(init, T)
    _set_stacked_bias(core, 3, {1: z_bias})  # PyTorch order r, z, n; z near 1 keeps h


register_core("rnn", lambda D, H: nn.RNN(D, H))
register_core("lstm", lambda D, H: nn.LSTM(D, H), _lstm_bias)
register_core("gru", lambda D, H: nn.GRU(D, H), _gru_bias)


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


def run_recall(cell: str, T: int, seed: int = 0, init: str = "default", steps: int = 400,
               hidden_size: int = 32) -> tuple[RecallNet, RecallResult]:
    """One seeded run: :func:`make_recall_net`, then :func:`train_recall` on the same gap."""
    net = make_recall_net(cell, T=T, hidden_size=hidden_size, init=init, seed=seed)
    return net, train_recall(net, T=T, steps=steps, seed=seed)
