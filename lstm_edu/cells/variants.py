r"""Part III: the LSTM's variants from scratch (parameters and step functions).

Three variants of section 3.7 of the source, each a step function in the
course's conventions (weights on ``[h_{t-1}, x_t]``, every intermediate
returned, NumPy float64 or torch):

* :func:`peephole_lstm_step` - peepholes (Gers & Schmidhuber 2000): the gates
  also look at the cell state, through *diagonal* weights, i.e. elementwise
  vectors ``p_i, p_f, p_o``. The input and forget gates see ``C_{t-1}``; the
  output gate sees the new ``C_t``. A zero vector is a gate without a peephole.
* :func:`cifg_step` - coupled input and forget gates: ``i_t = 1 − f_t``. One
  layer fewer: 3 instead of 4, a quarter of the cell's weights.
* the GRU, in :mod:`lstm_edu.cells.gru` (all three of its forms).

Their trainable versions are in :mod:`lstm_edu.modules.classic`; the
comparison on the recall task in :mod:`lstm_edu.experiments.variants`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import torch

from ..validate import is_torch
from .base import CellParams, check_step, concat, linear, sigmoid, tanh
from .lstm import LSTMLayers, LSTMParams, LSTMStep, lstm_from_gates

# --- peepholes -------------------------------------------------------------------------

PEEPHOLE_GATES = ("f", "i", "o")


@dataclass(frozen=True)
class PeepholeLSTMParams(LSTMLayers):
    """An LSTM's four layers plus one peephole vector per gate, each (H,).

    ``p_f`` and ``p_i`` weigh ``C_{t-1}``; ``p_o`` weighs ``C_t``. A peephole
    weight is diagonal: gate unit j sees only cell j, so a vector is enough.
    """

    p_f: object
    p_i: object
    p_o: object

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
    check_step(params, PeepholeLSTMParams, check, x_t, h_prev, c_prev)
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
    check_step(params, CIFGParams, check, x_t, h_prev, c_prev)
    hx = concat(h_prev, x_t)
    f_t = sigmoid(linear(hx, params.W_f, params.b_f))
    i_t = 1 - f_t
    return lstm_from_gates(hx, f_t, i_t, c_prev, params)


def cifg_as_lstm(params: CIFGParams) -> LSTMParams:
    """The plain LSTM whose input gate is forced to ``1 − f_t``.

    Since σ(−a) = 1 − σ(a), an input layer with ``W_i = −W_f`` and ``b_i = −b_f``
    computes exactly ``i_t = 1 − f_t``.
    """
    if not isinstance(params, CIFGParams):
        raise TypeError(f"params must be CIFGParams, got {type(params).__name__}")
    return LSTMParams(W_f=params.W_f, b_f=params.b_f, W_i=-params.W_f, b_i=-params.b_f,
                      W_c=params.W_c, b_c=params.b_c, W_o=params.W_o, b_o=params.b_o)
