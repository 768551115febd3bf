r"""The course's cells as trainable ``torch.nn`` modules, their gate-bias inits, and counts.

* :class:`StepRNN` wraps any step function of :mod:`lstm_edu.cells` as a
  module (input ``(T, B, D)`` -> ``(outputs (T, B, H), state)``), calling the
  very same step at every time step: there is no second implementation of the
  math. :func:`lstm_module`, :func:`peephole_module`, :func:`cifg_module`,
  :func:`gru_module`, :func:`rnn_module` build one per cell.
* Gate-bias initialisations (``init``), for fused ``torch.nn`` modules and
  :class:`StepRNN` alike (:func:`lstm_gate_bias`, :func:`gru_gate_bias`):

  - ``"default"`` - PyTorch's uniform(-1/sqrt(H), 1/sqrt(H)) for every bias;
  - ``"one"`` - forget bias 1 (Gers et al. 2000; Jozefowicz et al. 2015);
  - ``"chrono"`` - forget bias ln T and input bias -ln T, the "chrono" idea of
    Tallec & Ollivier 2018 with a single characteristic time T (the gap).
    For a GRU the update gate z plays the forget gate's part (PyTorch's z keeps h).

* :data:`CLASSIC_CORES` - every recurrent core of Parts I-IV by name, with its
  build, its bias initialisation and its label (the recall task and the lab
  pick from :data:`lstm_edu.modules.CORES`).
* :func:`trainable_parameters` and :func:`count_parameters` - the one way
  parameters are counted.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, fields
from functools import partial
from typing import Callable

import torch
from torch import nn

from ..cells import (
    GRU_FORMS,
    PEEPHOLE_GATES,
    CellParams,
    CIFGParams,
    GRUParams,
    LSTMParams,
    PeepholeLSTMParams,
    RNNParams,
    cifg_step,
    gru_step,
    lstm_step,
    peephole_lstm_step,
    rnn_step,
    set_gate_bias,
)
from ..validate import check_choice, check_int

INITS = ("default", "one", "chrono")


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
        for n, shape in params_cls.shapes(self.input_size, H).items():
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
        if x.shape[0] == 0:
            raise ValueError(f"x must hold at least one time step (T >= 1), got shape "
                             f"{tuple(x.shape)}: with no steps there is no output and no state")
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
    """The GRU of :mod:`lstm_edu.cells.gru` as a module, in ``form`` "torch", "cho" or "colah".

    Outside the torch form ``b_hn`` only adds to ``b_n``, so it stays a zero buffer there.
    """
    check_choice("form", form, GRU_FORMS)
    return StepRNN(GRUParams, partial(gru_step, form=form), input_size, hidden_size,
                   frozen=() if form == "torch" else ("b_hn",), name=f"gru[{form}]")


def rnn_module(input_size: int, hidden_size: int) -> StepRNN:
    """The tanh RNN (:func:`lstm_edu.cells.rnn_step`) as a module."""
    return StepRNN(RNNParams, rnn_step, input_size, hidden_size, name="rnn")


# --- gate-bias initialisation ------------------------------------------------------------------

def gate_biases(init: str, T: int) -> tuple[float, float]:
    """(forget-side bias, input-side bias) that ``init`` asks for at gap ``T``."""
    check_choice("init", init, INITS)
    if init == "one":
        return 1.0, 0.0
    log_t = math.log(max(T, 2))
    return log_t, -log_t


def _fill(module: StepRNN, name: str, value: float) -> None:
    with torch.no_grad():
        getattr(module, name).fill_(value)


def lstm_gate_bias(core: nn.Module, init: str, T: int) -> None:
    """Forget bias, and input bias where there is an input layer (chrono: ln T and −ln T).

    ``core`` is a fused ``nn.LSTM`` or an LSTM-like :class:`StepRNN` (LSTM, peephole, CIFG).
    """
    f_bias, i_bias = gate_biases(init, T)
    if isinstance(core, StepRNN):
        _fill(core, "b_f", f_bias)
        if "b_i" in core.names:
            _fill(core, "b_i", i_bias)
        # CIFG has no b_i: i = 1 − σ(ln T) = σ(−ln T) already, the chrono input bias.
        return
    set_gate_bias(core, "f", f_bias)
    set_gate_bias(core, "i", i_bias)


def gru_gate_bias(core: nn.Module, init: str, T: int, form: str = "torch") -> None:
    """The update gate plays the forget gate: bias so that z *keeps* h (sign flips for colah).

    ``core`` is a fused ``nn.GRU`` (torch form) or a GRU :class:`StepRNN` in ``form``.
    """
    check_choice("form", form, GRU_FORMS)
    keep, _ = gate_biases(init, T)
    if isinstance(core, StepRNN):
        _fill(core, "b_z", -keep if form == "colah" else keep)
        return
    if form != "torch":
        raise ValueError(f"a fused nn.GRU computes the torch form, got form={form!r}")
    set_gate_bias(core, "z", keep)


# --- the cores, by name ------------------------------------------------------------------------

@dataclass(frozen=True)
class CoreSpec:
    """How to build a recurrent core, how to set its gate biases for an ``init``, what it is."""

    build: Callable[[int, int], nn.Module]                  # (input_size, hidden_size) -> core
    set_bias: Callable[[nn.Module, str, int], None] | None  # (core, init, T); None: default only
    label: str = ""


#: Parts I-IV's cores: fused ``torch.nn`` modules, then the from-scratch ones.
CLASSIC_CORES: dict[str, CoreSpec] = {
    "rnn": CoreSpec(lambda D, H: nn.RNN(D, H), None, "RNN (tanh)"),
    "lstm": CoreSpec(lambda D, H: nn.LSTM(D, H), lstm_gate_bias, "LSTM"),
    "gru": CoreSpec(lambda D, H: nn.GRU(D, H), gru_gate_bias, "GRU"),
    "lstm_scratch": CoreSpec(lstm_module, lstm_gate_bias, "LSTM, from scratch"),
    "peephole": CoreSpec(peephole_module, lstm_gate_bias, "peephole LSTM"),
    "cifg": CoreSpec(cifg_module, lstm_gate_bias, "coupled gates (CIFG)"),
    "gru_scratch": CoreSpec(gru_module, gru_gate_bias, "GRU, from scratch"),
    "gru_cho": CoreSpec(partial(gru_module, form="cho"), partial(gru_gate_bias, form="cho"),
                        "GRU, Cho et al.'s form"),
}


# --- parameter counts --------------------------------------------------------------------------

def trainable_parameters(module: nn.Module) -> int:
    """Every number the optimizer changes (frozen buffers, such as absent peepholes, excluded)."""
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


#: The cells :func:`count_parameters` knows, as written in this course (one bias per gate).
COUNTED = {
    "rnn": rnn_module,
    "lstm": lstm_module,
    "peephole": peephole_module,
    "cifg": cifg_module,
    "gru": gru_module,
    "gru_cho": partial(gru_module, form="cho"),
    "gru_colah": partial(gru_module, form="colah"),
}


def count_parameters(cell: str, input_size: int, hidden_size: int) -> int:
    """Weights and biases of one layer of ``cell`` as written in this course (one bias per gate).

    Counted on the module itself (:func:`trainable_parameters`), whose shapes
    come from :meth:`lstm_edu.cells.CellParams.shapes`: ``"lstm"`` has
    ``4 H (H + D + 1)``, ``"peephole"`` 3 H more, ``"cifg"`` 3 layers, ``"gru"``
    3 layers plus the candidate's hidden bias ``b_hn`` (the Cho and colah forms
    do without it). PyTorch's modules keep two biases per gate and so count
    ``H`` more per gate.
    """
    check_choice("cell", cell, COUNTED)
    D = check_int("input_size", input_size, low=1)
    H = check_int("hidden_size", hidden_size, low=1)
    with torch.device("meta"):  # shapes only: no memory, and the global RNG is not touched
        return trainable_parameters(COUNTED[cell](D, H))
