r"""Part III: the LSTM's variants from scratch, as trainable modules, and their comparison.

Three variants of section 3.7 of the source, each a step function in the
course's conventions (weights on ``[h_{t-1}, x_t]``, every intermediate
returned, NumPy float64 or torch):

* :func:`peephole_lstm_step` - peepholes (Gers & Schmidhuber 2000): the gates
  also look at the cell state, through *diagonal* weights, i.e. elementwise
  vectors ``p_i, p_f, p_o``. The input and forget gates see ``C_{t-1}``; the
  output gate sees the new ``C_t``. A zero vector is a gate without a peephole.
* :func:`cifg_step` - coupled input and forget gates: ``i_t = 1 − f_t``. One
  layer fewer: 3 instead of 4, a quarter of the cell's weights.
* the GRU, in :mod:`lstm_edu.gru` (both of its forms).

:class:`StepRNN` wraps any step function as a ``torch.nn.Module`` (input
``(T, B, D)`` -> ``(outputs (T, B, H), state)``), calling the very same step at
every time step: there is no second implementation of the math. The cores are
registered with :mod:`lstm_edu.recall` at import time under the names in
:data:`SCRATCH_CORES`, so ``import lstm_edu.variants`` before using them.
"""

from __future__ import annotations

import inspect
import math
import statistics
from dataclasses import dataclass, fields
from functools import partial
from typing import Callable, NamedTuple

import numpy as np
import torch
from torch import nn

from .cells import (
    CellParams,
    LSTMParams,
    LSTMStep,
    check_step_inputs,
    concat,
    linear,
    lstm_step,
    sigmoid,
    tanh,
)
from .gru import GRU_FORMS, GRUParams, gru_step
from .recall import CORES, gate_biases, register_core, run_recall
from .validate import check_choice, check_int, is_torch

# --- peepholes -------------------------------------------------------------------------

PEEPHOLE_GATES = ("f", "i", "o")


@dataclass(frozen=True)
class PeepholeLSTMParams(CellParams):
    """An LSTM's four layers plus one peephole vector per gate, each (H,).

    ``p_f`` and ``p_i`` weigh ``C_{t-1}``; ``p_o`` weighs ``C_t``. A peephole
    weight is diagonal: gate unit j sees only cell j, so a vector is enough.
    """

    W_f: object
    b_f: object
    W_i: object
    b_i: object
    W_c: object
    b_c: object
    W_o: object
    b_o: object
    p_f: object
    p_i: object
    p_o: object

    n_states = 2

    @property
    def lstm(self) -> LSTMParams:
        """The same cell without its peepholes."""
        return LSTMParams(**{f.name: getattr(self, f.name) for f in fields(LSTMParams)})


def with_peepholes(params: LSTMParams, p_f=None, p_i=None, p_o=None) -> PeepholeLSTMParams:
    """``params`` with peepholes added; a gate whose vector is ``None`` gets none (zeros)."""
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be LSTMParams, got {type(params).__name__}")
    zeros = torch.zeros_like(params.b_f) if is_torch(params.b_f) else np.zeros_like(params.b_f)
    peeps = {"p_f": p_f, "p_i": p_i, "p_o": p_o}
    kwargs = {f.name: getattr(params, f.name) for f in fields(LSTMParams)}
    kwargs.update({k: zeros if v is None else v for k, v in peeps.items()})
    return PeepholeLSTMParams(**kwargs)


def peephole_lstm_step(x_t, h_prev, c_prev, params: PeepholeLSTMParams, *,
                       check: bool = True) -> LSTMStep:
    r"""One peephole-LSTM step (Gers & Schmidhuber 2000), returning the LSTM's intermediates.

    .. math::
        f_t &= \sigma(W_f [h_{t-1}, x_t] + p_f \odot C_{t-1} + b_f) \\
        i_t &= \sigma(W_i [h_{t-1}, x_t] + p_i \odot C_{t-1} + b_i) \\
        \tilde C_t &= \tanh(W_c [h_{t-1}, x_t] + b_c) \\
        C_t &= f_t \odot C_{t-1} + i_t \odot \tilde C_t \\
        o_t &= \sigma(W_o [h_{t-1}, x_t] + p_o \odot C_t + b_o) \qquad \text{(the new } C_t\text{)} \\
        h_t &= o_t \odot \tanh(C_t)

    ``check=False`` skips the shape checks (:class:`StepRNN` checks the first step only).
    """
    if not isinstance(params, PeepholeLSTMParams):
        raise TypeError(f"params must be PeepholeLSTMParams, got {type(params).__name__}")
    if check:
        check_step_inputs(params, x_t, h_prev, c_prev)
    hx = concat(h_prev, x_t)
    f_t = sigmoid(linear(hx, params.W_f, params.b_f) + params.p_f * c_prev)
    i_t = sigmoid(linear(hx, params.W_i, params.b_i) + params.p_i * c_prev)
    c_tilde = tanh(linear(hx, params.W_c, params.b_c))
    c_t = f_t * c_prev + i_t * c_tilde
    o_t = sigmoid(linear(hx, params.W_o, params.b_o) + params.p_o * c_t)
    h_t = o_t * tanh(c_t)
    return LSTMStep(hx=hx, f_t=f_t, i_t=i_t, c_tilde=c_tilde, c_t=c_t, o_t=o_t, h_t=h_t)


# --- coupled input and forget gates -----------------------------------------------------

@dataclass(frozen=True)
class CIFGParams(CellParams):
    """Coupled input-forget gate LSTM: no ``W_i, b_i``, because ``i_t = 1 − f_t``."""

    W_f: object
    b_f: object
    W_c: object
    b_c: object
    W_o: object
    b_o: object

    n_states = 2


def cifg_step(x_t, h_prev, c_prev, params: CIFGParams, *, check: bool = True) -> LSTMStep:
    r"""One step of the LSTM with coupled gates: whatever is forgotten is replaced.

    .. math::
        f_t &= \sigma(W_f [h_{t-1}, x_t] + b_f) \qquad i_t = 1 - f_t \\
        C_t &= f_t \odot C_{t-1} + (1 - f_t) \odot \tilde C_t

    and :math:`\tilde C_t`, :math:`o_t`, :math:`h_t` as in the LSTM.
    """
    if not isinstance(params, CIFGParams):
        raise TypeError(f"params must be CIFGParams, got {type(params).__name__}")
    if check:
        check_step_inputs(params, x_t, h_prev, c_prev)
    hx = concat(h_prev, x_t)
    f_t = sigmoid(linear(hx, params.W_f, params.b_f))
    i_t = 1 - f_t
    c_tilde = tanh(linear(hx, params.W_c, params.b_c))
    c_t = f_t * c_prev + i_t * c_tilde
    o_t = sigmoid(linear(hx, params.W_o, params.b_o))
    h_t = o_t * tanh(c_t)
    return LSTMStep(hx=hx, f_t=f_t, i_t=i_t, c_tilde=c_tilde, c_t=c_t, o_t=o_t, h_t=h_t)


def cifg_as_lstm(params: CIFGParams) -> LSTMParams:
    """The plain LSTM whose input gate is forced to ``1 − f_t``.

    Since σ(−a) = 1 − σ(a), an input layer with ``W_i = −W_f`` and ``b_i = −b_f``
    computes exactly ``i_t = 1 − f_t``.
    """
    if not isinstance(params, CIFGParams):
        raise TypeError(f"params must be CIFGParams, got {type(params).__name__}")
    return LSTMParams(W_f=params.W_f, b_f=params.b_f, W_i=-params.W_f, b_i=-params.b_f,
                      W_c=params.W_c, b_c=params.b_c, W_o=params.W_o, b_o=params.b_o)


# --- parameter counts ---------------------------------------------------------------------

def count_parameters(cell: str, input_size: int, hidden_size: int) -> int:
    """Weights and biases of one layer of ``cell`` as written in this course (one bias per gate).

    ``"lstm"``: 4 layers, ``4 H (H + D + 1)``. ``"peephole"``: plus 3 H. ``"cifg"``:
    3 layers. ``"gru"``: 3 layers plus the candidate's hidden bias b_hn, ``3 H (H + D + 1) + H``.
    PyTorch's modules keep two biases per gate and so count ``H`` more per gate.
    """
    check_choice("cell", cell, PARAMETER_SHAPES)
    D = check_int("input_size", input_size, low=1)
    H = check_int("hidden_size", hidden_size, low=1)
    layers, vectors = PARAMETER_SHAPES[cell]
    return layers * H * (H + D + 1) + vectors * H


#: (layers with a weight matrix and bias, extra H-vectors) per cell.
PARAMETER_SHAPES = {"lstm": (4, 0), "peephole": (4, 3), "cifg": (3, 0), "gru": (3, 1),
                    "rnn": (1, 0)}


# --- trainable modules ----------------------------------------------------------------------

class StepRNN(nn.Module):
    """A step function of the course as a trainable layer: ``(T, B, D) -> ((T, B, H), state)``.

    ``params_cls`` names the weights (they become ``nn.Parameter``s with the
    same names); ``step(x_t, *state, params)`` is called at every time step,
    exactly as :func:`lstm_edu.cells.run_sequence` calls it. Parameters in
    ``frozen`` stay fixed at zero (buffers): a peephole LSTM with peepholes on
    some gates only, say. Every tensor starts uniform in (−1/√H, 1/√H), as in
    ``torch.nn``.

    Like ``nn.LSTM`` the input is time first; ``state`` is the tuple of final
    states, each (B, H) (no layer axis).
    """

    def __init__(self, params_cls: type, step: Callable, input_size: int, hidden_size: int,
                 frozen: tuple = (), name: str = ""):
        super().__init__()
        if not (isinstance(params_cls, type) and issubclass(params_cls, CellParams)):
            raise TypeError(f"params_cls must be a CellParams subclass, got {params_cls!r}")
        if not callable(step):
            raise TypeError(f"step must be callable, got {type(step).__name__}")
        self.params_cls, self.step, self.name = params_cls, step, name
        self._can_skip_checks = "check" in inspect.signature(step).parameters
        self.input_size = check_int("input_size", input_size, low=1)
        self.hidden_size = H = check_int("hidden_size", hidden_size, low=1)
        names = [f.name for f in fields(params_cls)]
        unknown = set(frozen) - set(names)
        if unknown:
            raise ValueError(f"frozen names unknown field(s) {sorted(unknown)}; fields: {names}")
        self.names = names
        bound = 1.0 / math.sqrt(H)
        for n in names:
            shape = (H, H + self.input_size) if n.startswith("W") else (H,)
            if n in frozen:
                self.register_buffer(n, torch.zeros(shape))
            else:
                self.register_parameter(n, nn.Parameter(torch.empty(shape).uniform_(-bound, bound)))

    def params(self) -> CellParams:
        """The current weights as the step function's params object (differentiable)."""
        return self.params_cls(**{n: getattr(self, n) for n in self.names})

    def forward(self, x: torch.Tensor, state: tuple | None = None):
        if not isinstance(x, torch.Tensor) or x.ndim != 3:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must be a (T, B, D) tensor, got {shape}")
        params = self.params()
        state = params.zero_state(x[0]) if state is None else tuple(state)
        outputs = []
        for t, x_t in enumerate(x):
            # the first step checks shapes and kinds; later steps see the same ones
            extra = {"check": False} if t and self._can_skip_checks else {}
            record = self.step(x_t, *state, params, **extra)
            state = record.state
            outputs.append(record.h_t)
        return torch.stack(outputs), state

    def extra_repr(self) -> str:
        return f"{self.name or self.params_cls.__name__}, input_size={self.input_size}, " \
               f"hidden_size={self.hidden_size}"


def lstm_module(input_size: int, hidden_size: int) -> StepRNN:
    """The plain LSTM (:func:`lstm_edu.cells.lstm_step`) as a module."""
    return StepRNN(LSTMParams, lstm_step, input_size, hidden_size, name="lstm")


def peephole_module(input_size: int, hidden_size: int, gates: str = "fio") -> StepRNN:
    """The peephole LSTM as a module, with peepholes on ``gates`` (any of "f", "i", "o")."""
    if not isinstance(gates, str):
        raise TypeError(f"gates must be a string such as 'fio', got {type(gates).__name__}")
    bad = set(gates) - set(PEEPHOLE_GATES)
    if bad:
        raise ValueError(f"gates must be letters from 'fio', got {gates!r}")
    frozen = tuple(f"p_{g}" for g in PEEPHOLE_GATES if g not in gates)
    return StepRNN(PeepholeLSTMParams, peephole_lstm_step, input_size, hidden_size,
                   frozen=frozen, name=f"peephole[{gates}]")


def cifg_module(input_size: int, hidden_size: int) -> StepRNN:
    """The coupled-gate LSTM as a module."""
    return StepRNN(CIFGParams, cifg_step, input_size, hidden_size, name="cifg")


def gru_module(input_size: int, hidden_size: int, form: str = "torch") -> StepRNN:
    """The GRU of :mod:`lstm_edu.gru` as a module, in ``form`` "torch", "cho" or "colah".

    Outside the torch form ``b_hn`` only adds to ``b_n``, so it stays a zero buffer there.
    """
    check_choice("form", form, GRU_FORMS)
    return StepRNN(GRUParams, partial(gru_step, form=form), input_size, hidden_size,
                   frozen=() if form == "torch" else ("b_hn",), name=f"gru[{form}]")


# --- gate-bias initialisation for the recall task ---------------------------------------------

def _fill(module: StepRNN, name: str, value: float) -> None:
    with torch.no_grad():
        getattr(module, name).fill_(value)


def _lstm_like_bias(module: StepRNN, init: str, T: int) -> None:
    """Forget bias, and input bias where there is an input layer (chrono: ln T and −ln T)."""
    f_bias, i_bias = gate_biases(init, T)
    _fill(module, "b_f", f_bias)
    if "b_i" in module.names:
        _fill(module, "b_i", i_bias)
    # CIFG has no b_i: i = 1 − σ(ln T) = σ(−ln T) already, the chrono input bias.


def _gru_bias(module: StepRNN, init: str, T: int, form: str = "torch") -> None:
    """The update gate plays the forget gate: bias so that z *keeps* h (sign flips for colah)."""
    keep, _ = gate_biases(init, T)
    _fill(module, "b_z", -keep if form == "colah" else keep)


#: The recall cores this module registers, and what each is.
SCRATCH_CORES = {
    "lstm_scratch": "LSTM (lstm_edu.cells.lstm_step)",
    "peephole": "peephole LSTM, peepholes on f, i, o",
    "cifg": "coupled gates, i = 1 − f",
    "gru_scratch": "GRU, PyTorch's form",
    "gru_cho": "GRU, Cho et al.'s form (reset before the product)",
}


def _register() -> None:
    builds = {
        "lstm_scratch": (lstm_module, _lstm_like_bias),
        "peephole": (peephole_module, _lstm_like_bias),
        "cifg": (cifg_module, _lstm_like_bias),
        "gru_scratch": (gru_module, _gru_bias),
        "gru_cho": (partial(gru_module, form="cho"), partial(_gru_bias, form="cho")),
    }
    for name, (build, set_bias) in builds.items():
        if name not in CORES:  # importing twice (e.g. a reload) must not fail
            register_core(name, build, set_bias)


_register()


# --- the comparison ------------------------------------------------------------------------------

class RecallRun(NamedTuple):
    """One training run of the recall task."""

    cell: str
    T: int
    seed: int
    init: str
    accuracy: float
    solved_at: int | None
    steps: int
    parameters: int   # trainable parameters of the core (without the read-out)
    seconds: float


def recall_run(cell: str, T: int, seed: int, init: str = "chrono", steps: int = 400,
               hidden_size: int = 32) -> RecallRun:
    """Train one seeded model on the recall task with gap ``T`` (Adam, clip-norm 1)."""
    net, result = run_recall(cell, T, seed=seed, init=init, steps=steps, hidden_size=hidden_size)
    n_params = sum(p.numel() for p in net.core.parameters() if p.requires_grad)
    return RecallRun(cell=cell, T=T, seed=seed, init=init, accuracy=result.accuracy,
                     solved_at=result.solved_at, steps=result.steps, parameters=n_params,
                     seconds=result.seconds)


def compare_variants(cells, Ts=(100,), seeds=(0, 1, 2), init: str = "chrono", steps: int = 400,
                     hidden_size: int = 32, log: Callable[[str], None] | None = None) -> list:
    """Every cell at every gap with every seed: a list of :class:`RecallRun`."""
    if isinstance(cells, str):
        raise TypeError("cells must be a list of core names, e.g. ['lstm_scratch', 'cifg']")
    runs = []
    for T in Ts:
        for cell in cells:
            for seed in seeds:
                run = recall_run(cell, T, seed, init=init, steps=steps, hidden_size=hidden_size)
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
