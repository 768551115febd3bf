r"""The course's cells as trainable ``torch.nn`` modules, their gate-bias inits, and counts.

* :class:`StepRNN` wraps any step function of :mod:`lstm_edu.cells` as a
  module (input ``(T, B, D)`` -> ``(outputs (T, B, H), state)``).
  :func:`lstm_module`, :func:`peephole_module`, :func:`cifg_module`,
  :func:`gru_module`, :func:`rnn_module` build one per cell. These train
  through a *fused* sequence function (:func:`lstm_sequence`,
  :func:`gru_sequence`, :func:`rnn_sequence`): the same equations with the
  gates' matrix products stacked into one (``[W_f; W_i; W_o; W_c]``), and the
  input half of that product done for every time step at once. The step
  functions stay the lesson and the reference: ``module.fused = False`` calls
  the step at every time step instead, and tests/test_modules.py proves the two
  equal (float64, outputs, states and gradients).
* Gate-bias initialisations (``init``), for fused ``torch.nn`` modules and
  :class:`StepRNN` alike (:func:`lstm_gate_bias`, :func:`gru_gate_bias`):

  - ``"default"`` - as built: every tensor uniform on (-1/sqrt(H), 1/sqrt(H)).
    A :class:`StepRNN` has one bias per gate; ``torch.nn`` has two
    (``bias_ih + bias_hh``), so its gate bias is a sum of two uniforms, within
    +-2/sqrt(H);
  - ``"one"`` - forget bias 1: Gers, Schmidhuber & Cummins 2000 added the
    forget gate and started it with a positive bias; Jozefowicz, Zaremba &
    Sutskever 2015 showed that a bias of 1 helps, which made it a common default;
  - ``"chrono"`` - forget bias ln T and input bias -ln T, the "chrono" idea of
    Tallec & Ollivier 2018 with a single characteristic time T (the gap).
    For a GRU the update gate z plays the forget gate's part (PyTorch's z keeps h).

* :data:`CLASSIC_CORES` - every recurrent core of Parts I-IV by name, with its
  build, its bias initialisation and its label (the recall task and the lab
  pick from :data:`lstm_edu.modules.CORES`).
* :func:`trainable_parameters` and :func:`count_parameters` - the one way
  parameters are counted: one bias per gate wherever ``torch.nn``'s two biases
  only add up (:func:`core_parameters` counts a core by the cell it computes).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from functools import partial
from typing import Callable

import torch
from torch import nn
from torch.nn import functional as F

from ..cells import (
    GRU_FORMS,
    PEEPHOLE_GATES,
    CellParams,
    CIFGParams,
    GRUParams,
    LSTMParams,
    PeepholeLSTMParams,
    RNNParams,
    check_sequence,
    check_step_inputs,
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
    same names); ``step(x_t, *state, params)`` is the cell, exactly as
    :func:`lstm_edu.cells.run_sequence` calls it. Parameters in ``frozen``
    stay fixed at zero (buffers): a peephole LSTM with peepholes on some gates
    only, say. Every tensor starts uniform in (−1/√H, 1/√H), as in ``torch.nn``.

    ``sequence(xs, state, params) -> (outputs, state)``, if given, is a fused
    version of the same cell over a whole sequence (one matrix product per
    step instead of one per gate); it is used while ``self.fused`` is True
    (the default). Set ``fused = False`` to run ``step`` at every time step.

    Like ``nn.LSTM`` the input is time first; ``state`` is the tuple of final
    states, each (B, H) (no layer axis).
    """

    def __init__(self, params_cls: type, step: Callable, input_size: int, hidden_size: int,
                 frozen: tuple = (), name: str = "", sequence: Callable | None = None):
        super().__init__()
        if not (isinstance(params_cls, type) and issubclass(params_cls, CellParams)):
            raise TypeError(f"params_cls must be a CellParams subclass, got {params_cls!r}")
        if not callable(step):
            raise TypeError(f"step must be callable, got {type(step).__name__}")
        if sequence is not None and not callable(sequence):
            raise TypeError(f"sequence must be callable or None, got {type(sequence).__name__}")
        self.params_cls, self.step, self.name = params_cls, step, name
        self.sequence = sequence
        self.fused = sequence is not None
        self._can_skip_checks = "check" in inspect.signature(step).parameters
        self.input_size = check_int("input_size", input_size, low=1)
        self.hidden_size = H = check_int("hidden_size", hidden_size, low=1)
        names = list(params_cls.array_names())
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
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a (T, B, D) torch.Tensor, got {type(x).__name__}")
        check_sequence("x", x, 3)
        params = self.params()
        state = params.zero_state(x[0]) if state is None else tuple(state)
        if self.fused and self.sequence is not None:
            if len(state) != params.n_states:
                raise ValueError(f"state must hold {params.n_states} tensor(s) for "
                                 f"{type(params).__name__}, got {len(state)}")
            # the same checks the step makes at t = 0 (shapes, kinds, dtypes, finiteness)
            check_step_inputs(params, x[0], *state)
            return self.sequence(x, state, params)
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
               f"hidden_size={self.hidden_size}, fused={self.fused}"


# --- fused sequences: the step functions' equations, one matrix product per step --------------
#
# Why: a module trains by unrolling T steps in Python, and autograd pays per operation. The step
# functions compute one product per gate on [h_{t-1}, x_t]; here the gates' weights are stacked
# ([W_f; W_i; W_o; W_c] for the LSTM), so a step makes one product with h_{t-1}, and the product
# with x_t (which does not depend on the state) is made for all T steps before the loop.
# W [h, x] + b = W[:, :H] h + (W[:, H:] x + b): the same sums, added in another order, so the
# results agree with the step functions to rounding (tests/test_modules.py: float64, 1e-12).

def _stacked(params: CellParams, gates: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The gates' weights one above the other, (len(gates) H, H + D), and their biases."""
    return (torch.cat([getattr(params, f"W_{g}") for g in gates]),
            torch.cat([getattr(params, f"b_{g}") for g in gates]))


def lstm_sequence(xs: torch.Tensor, state: tuple, params: CellParams):
    """:func:`lstm_step`, :func:`peephole_lstm_step` or :func:`cifg_step` over ``xs`` (T, B, D),
    fused: ``(outputs (T, B, H), (h_T, C_T))``.

    The sigmoid gates are stacked first and the candidate last ("fioc", or "foc" for
    coupled gates), so one ``sigmoid`` and one ``tanh`` serve every gate of a step.
    """
    h, c = state
    H = h.shape[-1]
    coupled = isinstance(params, CIFGParams)
    peephole = isinstance(params, PeepholeLSTMParams)
    gates = "foc" if coupled else "fioc"
    W, b = _stacked(params, gates)
    W_h = W[:, :H].t()
    x_part = F.linear(xs, W[:, H:], b)  # W[:, H:] x_t + b for every t at once: (T, B, 4H or 3H)
    n_sig = (len(gates) - 1) * H        # the sigmoid gates' pre-activations come first
    if peephole:
        p_fi = torch.cat([params.p_f, params.p_i])
    outputs = []
    for x_t in x_part:
        a = torch.addmm(x_t, h, W_h)  # every gate's pre-activation, one product with h_{t-1}
        c_tilde = torch.tanh(a[:, n_sig:])
        if coupled:
            f_t, o_t = torch.sigmoid(a[:, :n_sig]).chunk(2, dim=-1)
            c = torch.addcmul(c_tilde, f_t, c - c_tilde)  # f C + (1 − f) C̃ = C̃ + f (C − C̃)
        elif peephole:
            # the forget and input gates peek at C_{t-1}, the output gate at the new C_t
            f_t, i_t = torch.sigmoid(torch.addcmul(a[:, :2 * H], p_fi, c.repeat(1, 2))).chunk(
                2, dim=-1)
            c = torch.addcmul(f_t * c, i_t, c_tilde)
            o_t = torch.sigmoid(torch.addcmul(a[:, 2 * H:3 * H], params.p_o, c))
        else:
            f_t, i_t, o_t = torch.sigmoid(a[:, :n_sig]).chunk(3, dim=-1)
            c = torch.addcmul(f_t * c, i_t, c_tilde)
        h = o_t * torch.tanh(c)
        outputs.append(h)
    return torch.stack(outputs), (h, c)


def gru_sequence(xs: torch.Tensor, state: tuple, params: GRUParams, form: str = "torch"):
    """:func:`gru_step` in ``form`` over ``xs`` (T, B, D), fused: ``(outputs, (h_T,))``."""
    check_choice("form", form, GRU_FORMS)
    (h,) = state
    H = h.shape[-1]
    W, b = _stacked(params, "rzn")
    # W_ir x + b_r, W_iz x + b_z (together) and W_in x + b_n, for every t at once
    x_rz, x_n = F.linear(xs, W[:, H:], b).split([2 * H, H], dim=-1)
    outputs = []
    if form == "torch":
        # r_t scales the hidden product and its bias b_hn: one product with h for all three
        W_h = W[:, :H].t()
        b_h = torch.cat([torch.zeros_like(params.b_hn).repeat(2), params.b_hn])
        for x_rz_t, x_n_t in zip(x_rz, x_n):
            h_rz, h_n = torch.addmm(b_h, h, W_h).split([2 * H, H], dim=-1)
            r_t, z_t = torch.sigmoid(x_rz_t + h_rz).chunk(2, dim=-1)
            n_t = torch.tanh(torch.addcmul(x_n_t, r_t, h_n))
            h = torch.addcmul(n_t, z_t, h - n_t)  # (1 − z) n + z h = n + z (h − n)
            outputs.append(h)
    else:
        # r_t scales h_{t-1} before the candidate's product: r and z first, then the candidate
        W_rz, W_n = W[:2 * H, :H].t(), W[2 * H:, :H].t()
        x_n = x_n + params.b_hn
        for x_rz_t, x_n_t in zip(x_rz, x_n):
            r_t, z_t = torch.sigmoid(torch.addmm(x_rz_t, h, W_rz)).chunk(2, dim=-1)
            n_t = torch.tanh(torch.addmm(x_n_t, r_t * h, W_n))
            if form == "colah":   # (1 − z) h + z n = h + z (n − h)
                h = torch.addcmul(h, z_t, n_t - h)
            else:                 # (1 − z) n + z h = n + z (h − n)
                h = torch.addcmul(n_t, z_t, h - n_t)
            outputs.append(h)
    return torch.stack(outputs), (h,)


def rnn_sequence(xs: torch.Tensor, state: tuple, params: RNNParams):
    """:func:`rnn_step` over ``xs`` (T, B, D), the input products for all steps at once."""
    (h,) = state
    H = h.shape[-1]
    W_h = params.W[:, :H].t()
    outputs = []
    for x_t in F.linear(xs, params.W[:, H:], params.b):
        h = torch.tanh(torch.addmm(x_t, h, W_h))
        outputs.append(h)
    return torch.stack(outputs), (h,)


def lstm_module(input_size: int, hidden_size: int) -> StepRNN:
    """The plain LSTM (:func:`lstm_edu.cells.lstm_step`) as a module."""
    return StepRNN(LSTMParams, lstm_step, input_size, hidden_size, name="lstm",
                   sequence=lstm_sequence)


def peephole_module(input_size: int, hidden_size: int, gates: str = "fio") -> StepRNN:
    """The peephole LSTM as a module, with peepholes on ``gates`` (any of "f", "i", "o")."""
    if not isinstance(gates, str):
        raise TypeError(f"gates must be a string such as 'fio', got {type(gates).__name__}")
    bad = set(gates) - set(PEEPHOLE_GATES)
    if bad:
        raise ValueError(f"gates must be letters from 'fio', got {gates!r}")
    frozen = tuple(f"p_{g}" for g in PEEPHOLE_GATES if g not in gates)
    return StepRNN(PeepholeLSTMParams, peephole_lstm_step, input_size, hidden_size,
                   frozen=frozen, name=f"peephole[{gates}]", sequence=lstm_sequence)


def cifg_module(input_size: int, hidden_size: int) -> StepRNN:
    """The coupled-gate LSTM as a module."""
    return StepRNN(CIFGParams, cifg_step, input_size, hidden_size, name="cifg",
                   sequence=lstm_sequence)


def gru_module(input_size: int, hidden_size: int, form: str = "torch") -> StepRNN:
    """The GRU of :mod:`lstm_edu.cells.gru` as a module, in ``form`` "torch", "cho" or "colah".

    Outside the torch form ``b_hn`` only adds to ``b_n``, so it stays a zero buffer there.
    """
    check_choice("form", form, GRU_FORMS)
    return StepRNN(GRUParams, partial(gru_step, form=form), input_size, hidden_size,
                   frozen=() if form == "torch" else ("b_hn",), name=f"gru[{form}]",
                   sequence=partial(gru_sequence, form=form))


def rnn_module(input_size: int, hidden_size: int) -> StepRNN:
    """The tanh RNN (:func:`lstm_edu.cells.rnn_step`) as a module."""
    return StepRNN(RNNParams, rnn_step, input_size, hidden_size, name="rnn",
                   sequence=rnn_sequence)


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
    """How to build a recurrent core, how to set its gate biases for an ``init``, what it is.

    ``counted_as`` names the cell of :data:`COUNTED` the core computes, so that
    a fused ``nn.LSTM`` and the from-scratch LSTM are counted alike
    (:func:`core_parameters`); None for a core the course does not count.
    """

    build: Callable[[int, int], nn.Module]                  # (input_size, hidden_size) -> core
    set_bias: Callable[[nn.Module, str, int], None] | None  # (core, init, T); None: default only
    label: str = ""
    counted_as: str | None = None


#: Parts I-IV's cores: fused ``torch.nn`` modules, then the from-scratch ones.
CLASSIC_CORES: dict[str, CoreSpec] = {
    "rnn": CoreSpec(lambda D, H: nn.RNN(D, H), None, "RNN (tanh)", "rnn"),
    "lstm": CoreSpec(lambda D, H: nn.LSTM(D, H), lstm_gate_bias, "LSTM", "lstm"),
    "gru": CoreSpec(lambda D, H: nn.GRU(D, H), gru_gate_bias, "GRU", "gru"),
    "lstm_scratch": CoreSpec(lstm_module, lstm_gate_bias, "LSTM, from scratch", "lstm"),
    "peephole": CoreSpec(peephole_module, lstm_gate_bias, "peephole LSTM", "peephole"),
    "cifg": CoreSpec(cifg_module, lstm_gate_bias, "coupled gates (CIFG)", "cifg"),
    "gru_scratch": CoreSpec(gru_module, gru_gate_bias, "GRU, from scratch", "gru"),
    "gru_cho": CoreSpec(partial(gru_module, form="cho"), partial(gru_gate_bias, form="cho"),
                        "GRU, Cho et al.'s form", "gru_cho"),
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

    The course's convention, used for every count it prints: one bias per gate
    wherever ``torch.nn``'s two biases (``bias_ih + bias_hh``) only ever add up.
    Counted on the module itself (:func:`trainable_parameters`), whose shapes
    come from :meth:`lstm_edu.cells.CellParams.shapes`: ``"lstm"`` has
    ``4 H (H + D + 1)``, ``"peephole"`` 3 H more, ``"cifg"`` 3 layers, ``"gru"``
    3 layers plus the candidate's hidden bias ``b_hn``, which PyTorch's form
    needs because it sits inside ``r_t ⊙ (...)`` (the Cho and colah forms do
    without it). ``torch.nn.LSTM`` and ``torch.nn.GRU`` report more: ``H`` per
    gate whose two biases merely add (4 H and 2 H).
    """
    check_choice("cell", cell, COUNTED)
    D = check_int("input_size", input_size, low=1)
    H = check_int("hidden_size", hidden_size, low=1)
    with torch.device("meta"):  # shapes only: no memory, and the global RNG is not touched
        return trainable_parameters(COUNTED[cell](D, H))


def core_parameters(spec: CoreSpec, input_size: int, hidden_size: int) -> int:
    """:func:`count_parameters` for the cell a core computes, whether fused or from scratch."""
    if not isinstance(spec, CoreSpec):
        raise TypeError(f"spec must be a CoreSpec, got {type(spec).__name__}")
    if spec.counted_as is None:
        raise ValueError(f"core {spec.label!r} names no counted cell (counted_as=None); "
                         f"cells the course counts: {sorted(COUNTED)}")
    return count_parameters(spec.counted_as, input_size, hidden_size)
