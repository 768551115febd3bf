r"""Notebook 11, the LSTM lab: pick a cell, a gap, a size and a forget-bias init; train; measure.

The task is :mod:`lstm_edu.experiments.recall`'s long-gap recall (name the first
token after ``T - 1`` distractors). Any core of :data:`lstm_edu.modules.CORES`
can be picked: ``rnn``, ``lstm``, ``gru`` (fused ``torch.nn`` modules) and Part
III's from-scratch cores (``lstm_scratch``, ``peephole``, ``cifg``,
``gru_scratch``, ``gru_cho``). The figures and the widget are in
:mod:`lstm_edu.figures.lab`.

**Gradient flow.** :func:`loss_gradients` measures :math:`\|\partial L/\partial C_t\|`
for LSTM-like cells (two states) and :math:`\|\partial L/\partial h_t\|` for one-state
cells (RNN, GRU), for every t, against the distance ``T - t``. It unrolls the
cell one step at a time with :func:`lstm_edu.experiments.gradients.unroll` (a
fused ``nn.LSTM`` is copied into an ``nn.LSTMCell`` with the same weights; a
Part III core calls its own step function) with ``independent_states=False``,
and asks autograd for the gradient of the loss with respect to every state.
These are total derivatives, as backpropagation through time computes them:
the path :math:`C_t \to h_t \to` the next step counts.

This is a thin layer beside :mod:`lstm_edu.experiments.gradients` (Part I),
which measures the Jacobian norms :math:`\|\partial s_T/\partial s_t\|` between
states; here the quantity is the gradient of the *loss*, on a batch, which is
what training sees.

Why not ``retain_grad()`` on the output of a fused ``nn.LSTM``? Its output
tensor ``out`` (T, B, H) is a copy of the hidden states that the recurrence
does not read back: the recurrence runs inside the fused kernel. If the loss
uses only ``out[-1]``, ``out.grad[:-1]`` is all zeros
(:func:`fused_output_grad` shows it), which is not the recurrent gradient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..data import recall_task
from ..modules import CORES, INITS
from ..validate import check_choice, check_int
from .gradients import decay_rate, unroll
from .recall import RecallNet, RecallResult, make_recall_net, train_recall


def available_cells() -> list[str]:
    """Every recurrent core that can be picked (:data:`lstm_edu.modules.CORES`)."""
    return list(CORES)


def cell_label(cell: str, init: str = "") -> str:
    """The core's label for a legend, with the init when it has a gate to initialise."""
    name = CORES[cell].label if cell in CORES else cell
    return f"{name}, {init} init" if init and cell != "rnn" else name


@dataclass(frozen=True)
class GradProfile:
    """``norms[d]`` = mean over the batch of ‖∂L/∂s_(T−d)‖ for distance d = 0 .. T."""

    cell: str
    init: str
    state: str           # "C" or "h"
    distance: np.ndarray
    norms: np.ndarray

    def decay_per_step(self, start: int = 1, stop: int | None = None) -> float:
        """:func:`lstm_edu.experiments.gradients.decay_rate` of these norms.

        ``stop`` defaults to ``min(T, start + 20)``: far enough to average, near
        enough to stay above float32's floor when the gradient vanishes fast.
        """
        T = len(self.norms) - 1
        start = check_int("start", start, low=0, high=T - 1)
        return decay_rate(self.norms, start, min(T, start + 20) if stop is None else stop)


def loss_gradients(net: RecallNet, batch, cell: str = "", init: str = "") -> GradProfile:
    """‖∂L/∂C_t‖ (two-state cells) or ‖∂L/∂h_t‖ (one-state cells) against distance T − t.

    ``L`` is the summed cross-entropy of the batch, so each sequence's gradient
    is its own; the norms are averaged over the batch.
    """
    if not isinstance(net, RecallNet):
        raise TypeError(f"net must be a RecallNet (make_recall_net), got {type(net).__name__}")
    states = unroll(net.core, batch.x, independent_states=False)
    which = 1 if len(states[0]) == 2 else 0
    loss = nn.functional.cross_entropy(net.readout(states[-1][0]), batch.y, reduction="sum")
    grads = torch.autograd.grad(loss, [s[which] for s in states], allow_unused=True)
    norms = np.array([0.0 if g is None else g.norm(dim=-1).mean().item() for g in grads])
    T = len(states) - 1
    return GradProfile(cell=cell, init=init, state="C" if which == 1 else "h",
                       distance=np.arange(T + 1), norms=norms[::-1].copy())


def fused_output_grad(T: int = 20, hidden_size: int = 8, seed: int = 0) -> tuple[float, float]:
    """(max |out.grad[:-1]|, max |out.grad[-1]|) after ``retain_grad`` on a fused LSTM's output.

    The first is exactly 0: nothing but the read-out of the last step reads ``out``.
    """
    net = make_recall_net("lstm", T=T, hidden_size=hidden_size, seed=seed)
    batch = recall_task(T, 16, seed=seed)
    out, _ = net.core(batch.x)
    out.retain_grad()
    nn.functional.cross_entropy(net.readout(out[-1]), batch.y).backward()
    return float(out.grad[:-1].abs().max()), float(out.grad[-1].abs().max())


def gradient_profile(cell: str = "lstm", T: int = 50, hidden_size: int = 32, init: str = "default",
                     seed: int = 0, batch_size: int = 32,
                     net: RecallNet | None = None) -> GradProfile:
    """The gradient profile of a fresh net (or of ``net``, e.g. a trained one) on one batch."""
    T = check_int("T", T, low=2)
    if net is None:
        net = make_recall_net(cell, T=T, hidden_size=hidden_size, init=init, seed=seed)
    batch = recall_task(T, check_int("batch_size", batch_size, low=1), seed=20_000 + seed)
    return loss_gradients(net, batch, cell=cell, init=init)


# --- the playground -----------------------------------------------------------------

@dataclass
class LabResult:
    cell: str
    T: int
    hidden_size: int
    init: str
    recall: RecallResult
    before: GradProfile
    after: GradProfile

    @property
    def accuracy(self) -> float:
        return self.recall.accuracy


def lab_run(cell: str = "lstm", T: int = 50, hidden_size: int = 32, init: str = "chrono",
            steps: int = 300, seed: int = 0, lr: float = 1e-2, progress: bool = False) -> LabResult:
    """Build, measure the gradient flow, train on the recall task, measure again."""
    check_choice("cell", cell, available_cells())
    check_choice("init", init, INITS)
    T = check_int("T", T, low=2)
    net = make_recall_net(cell, T=T, hidden_size=hidden_size, init=init, seed=seed)
    before = gradient_profile(cell, T, init=init, seed=seed, net=net)
    recall = train_recall(net, T=T, steps=steps, seed=seed, lr=lr, progress=progress,
                          desc=f"{cell} T={T}")
    after = gradient_profile(cell, T, init=init, seed=seed, net=net)
    return LabResult(cell, T, hidden_size, init, recall, before, after)


def chrono_forget(T: int) -> float:
    """σ(ln T) = T / (T + 1): the chrono forget gate at init, for gap ``T``."""
    T = check_int("T", T, low=2)
    return 1.0 / (1.0 + math.exp(-math.log(T)))
