r"""Notebook 11, the LSTM lab: pick a cell, a gap, a size and a forget-bias init; train; measure.

The task is :mod:`lstm_edu.recall`'s long-gap recall (name the first token after
``T - 1`` distractors). Any core registered there can be picked: ``rnn``,
``lstm``, ``gru`` (fused ``torch.nn`` modules) and, once
:mod:`lstm_edu.variants` is imported, Part III's from-scratch cores
(``lstm_scratch``, ``peephole``, ``cifg``, ``gru_scratch``, ``gru_cho``).

**Gradient flow.** :func:`loss_gradients` measures :math:`\|\partial L/\partial C_t\|`
for LSTM-like cells (two states) and :math:`\|\partial L/\partial h_t\|` for one-state
cells (RNN, GRU), for every t, against the distance ``T - t``. It unrolls the
cell one step at a time (a fused ``nn.LSTM`` is copied into an ``nn.LSTMCell``
with the same weights; a Part III core calls its own step function) and asks
autograd for the gradient of the loss with respect to every state. These are
total derivatives, as backpropagation through time computes them: the path
:math:`C_t \to h_t \to` the next step counts.

This is a thin layer beside :mod:`lstm_edu.gradients` (Part I), which measures
the Jacobian norms :math:`\|\partial s_T/\partial s_t\|` between states; here the
quantity is the gradient of the *loss*, on a batch, which is what training sees.
Part I's :func:`lstm_edu.gradients.as_step` does the step wiring of a torch ``*Cell``.

Why not ``retain_grad()`` on the output of a fused ``nn.LSTM``? Its output
tensor ``out`` (T, B, H) is a copy of the hidden states that the recurrence
does not read back: the recurrence runs inside the fused kernel. If the loss
uses only ``out[-1]``, ``out.grad[:-1]`` is all zeros
(:func:`fused_output_grad` shows it), which is not the recurrent gradient.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn

from .data import recall_task
from .plots import CYCLE, OKABE_ITO, figure_png, new_figure
from .recall import CORES, INITS, RecallNet, RecallResult, make_recall_net, train_recall
from .validate import check_choice, check_int
from .widgets import controls_row, display_with_fallback, on_click_guarded, show_png

CELL_LABELS = {
    "rnn": "RNN (tanh)",
    "lstm": "LSTM",
    "gru": "GRU",
    "lstm_scratch": "LSTM, from scratch",
    "peephole": "peephole LSTM",
    "cifg": "coupled gates (CIFG)",
    "gru_scratch": "GRU, from scratch",
    "gru_cho": "GRU, Cho et al.'s form",
}


def available_cells() -> list[str]:
    """Every registered recall core, Part III's included when its module is importable."""
    try:
        from . import variants  # noqa: F401  (registers its cores)
    except ImportError:  # pragma: no cover - Part III not installed
        pass
    return list(CORES)


# --- unrolling a core one step at a time ------------------------------------------

_FUSED_TO_CELL = {nn.LSTM: nn.LSTMCell, nn.GRU: nn.GRUCell, nn.RNN: nn.RNNCell}


def as_cell(core: nn.Module) -> nn.RNNCellBase:
    """A fused one-layer ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` as the matching ``*Cell``."""
    kind = _FUSED_TO_CELL.get(type(core))
    if kind is None:
        raise TypeError(f"core must be nn.RNN, nn.GRU or nn.LSTM, got {type(core).__name__}")
    if core.num_layers != 1 or core.bidirectional or core.batch_first:
        raise ValueError("only one-layer, one-direction, time-first cores are unrolled here")
    kwargs = {"nonlinearity": core.nonlinearity} if kind is nn.RNNCell else {}
    cell = kind(core.input_size, core.hidden_size, bias=core.bias,
                dtype=core.weight_ih_l0.dtype, **kwargs)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            if getattr(cell, name, None) is not None:
                getattr(cell, name).copy_(getattr(core, f"{name}_l0"))
    return cell


def step_function(core: nn.Module) -> tuple[Callable, int]:
    """``(f, n_states)`` with ``f(x_t, states) -> states``, one step of ``core``."""
    if type(core) in _FUSED_TO_CELL:
        from .gradients import as_step  # Part I's wiring of a torch *Cell

        return as_step(as_cell(core))
    if hasattr(core, "step") and hasattr(core, "params"):  # Part III's StepRNN
        params = core.params()
        return (lambda x, s: tuple(core.step(x, *s, params).state)), params.n_states
    raise TypeError(f"cannot unroll a core of type {type(core).__name__}")


def unroll(core: nn.Module, x: torch.Tensor) -> list[tuple]:
    """States ``s_0 .. s_T`` (each a tuple of (B, H) tensors) of ``core`` on ``x`` (T, B, D).

    ``s_0`` is the zero state, made a leaf that requires grad; the others stay in
    the graph, so ``torch.autograd.grad`` can reach every one of them.
    """
    step, n_states = step_function(core)
    B, H = x.shape[1], core.hidden_size
    states = [tuple(torch.zeros(B, H, dtype=x.dtype, requires_grad=True) for _ in range(n_states))]
    for x_t in x:
        states.append(tuple(step(x_t, states[-1])))
    return states


@dataclass(frozen=True)
class GradProfile:
    """``norms[d]`` = mean over the batch of ‖∂L/∂s_(T−d)‖ for distance d = 0 .. T."""

    cell: str
    init: str
    state: str           # "C" or "h"
    distance: np.ndarray
    norms: np.ndarray

    def decay_per_step(self, start: int = 1, stop: int | None = None) -> float:
        """Geometric mean factor per step, ``(norms[stop] / norms[start]) ** (1 / (stop - start))``.

        ``stop`` defaults to ``min(T, start + 20)``: far enough to average, near
        enough to stay above float32's floor when the gradient vanishes fast.
        """
        T = len(self.norms) - 1
        start = check_int("start", start, low=0, high=T - 1)
        stop = min(T, start + 20) if stop is None else check_int("stop", stop, low=start + 1,
                                                                   high=T)
        a, b = self.norms[start], self.norms[stop]
        if a <= 0 or b <= 0:
            return 0.0
        return float((b / a) ** (1.0 / (stop - start)))


def loss_gradients(net: RecallNet, batch, cell: str = "", init: str = "") -> GradProfile:
    """‖∂L/∂C_t‖ (two-state cells) or ‖∂L/∂h_t‖ (one-state cells) against distance T − t.

    ``L`` is the summed cross-entropy of the batch, so each sequence's gradient
    is its own; the norms are averaged over the batch.
    """
    if not isinstance(net, RecallNet):
        raise TypeError(f"net must be a RecallNet (make_recall_net), got {type(net).__name__}")
    states = unroll(net.core, batch.x)
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


def _label(cell: str, init: str = "") -> str:
    name = CELL_LABELS.get(cell, cell)
    return f"{name}, {init} init" if init and cell != "rnn" else name


def _visible(norms):
    """Exact zeros (float32 underflow) cannot be drawn on a log axis: the line stops there."""
    return np.where(norms > 0, norms, np.nan)


def plot_profiles(profiles, title: str = "Gradient of the loss against distance"):
    """Several :class:`GradProfile` on one log axis (a line stops where float32 underflows)."""
    profiles = list(profiles)
    if not profiles or not all(isinstance(p, GradProfile) for p in profiles):
        raise TypeError("profiles must be a non-empty list of GradProfile")
    fig, ax = new_figure(6.4, 3.0)
    for p, color in zip(profiles, CYCLE):
        ax.semilogy(p.distance, _visible(p.norms), "-", color=color, lw=1.5,
                    label=f"{_label(p.cell, p.init)}: ‖∂L/∂{p.state}‖, "
                          f"×{p.decay_per_step():.2f}/step")
    ax.set(xlabel="distance T − t (steps back from the read-out)", ylabel="gradient norm (log)",
           title=title)
    ax.legend(fontsize=7)
    return fig


def plot_lab(result: LabResult):
    """Held-out accuracy during training, and the gradient flow before and after."""
    if not isinstance(result, LabResult):
        raise TypeError(f"result must be a LabResult, got {type(result).__name__}")
    fig, (ax1, ax2) = new_figure(7.6, 2.8, ncols=2)
    steps, accs = zip(*result.recall.curve) if result.recall.curve else ((), ())
    ax1.plot(steps, accs, "o-", ms=3, color=OKABE_ITO["blue"], label="held-out accuracy")
    ax1.axhline(0.25, color=OKABE_ITO["grey"], ls=":", label="chance (1/4)")
    ax1.set(xlabel="training step", ylabel="accuracy", ylim=(0, 1.05),
            title=f"{_label(result.cell, result.init)}, T = {result.T}: {result.accuracy:.2f}")
    ax1.legend(fontsize=7, loc="lower right")
    for p, name, color in ((result.before, "before training", OKABE_ITO["grey"]),
                           (result.after, "after training", OKABE_ITO["vermillion"])):
        ax2.semilogy(p.distance, _visible(p.norms), color=color,
                     label=f"{name}: ×{p.decay_per_step():.2f}/step")
    ax2.set(xlabel="distance T − t", ylabel=f"‖∂L/∂{result.before.state}_t‖",
            title="Gradient flow")
    ax2.legend(fontsize=7)
    return fig


def plot_flow(cell: str = "lstm", init: str = "default", T: int = 50, hidden_size: int = 32):
    """Slider figure: the gradient flow of a fresh net, with the per-step factor in the title."""
    check_choice("cell", cell, available_cells())
    check_choice("init", init, INITS)
    T = check_int("T", T, low=2, high=400)
    if cell == "rnn":
        init = "default"
    p = gradient_profile(cell, T, hidden_size=check_int("hidden_size", hidden_size, low=1),
                         init=init, batch_size=16)
    fig = plot_profiles([p], title=f"Fresh {_label(cell, init)}, T = {T}")
    text = (f"{_label(cell, init)}: per-step factor {p.decay_per_step():.3f}; "
            f"gradient at distance {T} is {p.norms[-1] / p.norms[1]:.3g} of that at distance 1")
    return fig, text


def build_lab(cell: str = "lstm", T: int = 50, hidden_size: int = 32, init: str = "chrono",
              steps: int = 300):
    """The playground: cell, gap, size, init and a "train" button with a progress bar.

    Returns (box, first PNG); the first figure is a run at the defaults, trained
    when the widget is built. ``box.runs`` keeps every finished :class:`LabResult`.
    """
    import ipywidgets as widgets

    cells = available_cells()
    controls = dict(
        cell=widgets.Dropdown(options=[(CELL_LABELS.get(c, c), c) for c in cells], value=cell,
                              description="cell"),
        T=widgets.IntSlider(value=T, min=2, max=200, step=1, description="gap T"),
        hidden_size=widgets.IntSlider(value=hidden_size, min=2, max=128, description="hidden"),
        init=widgets.Dropdown(options=list(INITS), value=init, description="forget bias"),
        steps=widgets.IntSlider(value=steps, min=25, max=2000, step=25, description="max steps"),
    )
    button = widgets.Button(description="train", button_style="primary", icon="play")
    bar_out, plot_out = widgets.Output(), widgets.Output()

    def train_once():
        values = {k: c.value for k, c in controls.items()}
        if values["cell"] == "rnn":
            values["init"] = "default"  # an RNN has no gate to initialise
        bar_out.clear_output()
        start = time.perf_counter()
        with bar_out:
            result = lab_run(progress=True, **values)
            print(f"accuracy {result.accuracy:.3f} after {result.recall.steps} steps "
                  f"({time.perf_counter() - start:.1f} s)")
        box.runs.append(result)
        show_png(plot_out, plot_lab(result))

    on_click_guarded(button, plot_out, train_once)
    first = lab_run(cell=cell, T=T, hidden_size=hidden_size, init=init, steps=steps)
    fig = plot_lab(first)
    show_png(plot_out, fig)
    png = figure_png(fig)
    box = widgets.VBox([controls_row(*controls.values(), button), bar_out, plot_out])
    box.runs = [first]
    return box, png


def show_lab(**kwargs) -> None:
    """Display :func:`build_lab` with its first figure as a static PNG fallback."""
    display_with_fallback(*build_lab(**kwargs))


def chrono_forget(T: int) -> float:
    """σ(ln T) = T / (T + 1): the chrono forget gate at init, for gap ``T``."""
    T = check_int("T", T, low=2)
    return 1.0 / (1.0 + math.exp(-math.log(T)))
