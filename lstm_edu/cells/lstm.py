r"""The LSTM in the source's notation: forget, input and output gates and the candidate C̃.

Conventions (shapes, NumPy or torch, every intermediate returned) are those
of :mod:`lstm_edu.cells.base`; :mod:`lstm_edu.cells.bridge` maps the weights
to and from ``torch.nn.LSTM``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from .base import CellParams, check_step, concat, linear, sigmoid, tanh


@dataclass(frozen=True)
class LSTMLayers(CellParams):
    """The four layers of an LSTM, named after the gates they feed.

    ``W_c, b_c`` make the candidate ``C̃_t`` (PyTorch's "g" gate). The plain
    LSTM (:class:`LSTMParams`) and the peephole LSTM share these fields; they
    are different cells, so neither is an instance of the other.
    """

    W_f: object
    b_f: object
    W_i: object
    b_i: object
    W_c: object
    b_c: object
    W_o: object
    b_o: object

    n_states = 2


@dataclass(frozen=True)
class LSTMParams(LSTMLayers):
    """An LSTM's weights: exactly its four layers (:class:`LSTMLayers`)."""


class LSTMStep(NamedTuple):
    """Everything one LSTM step computes, named as in the source."""

    hx: object       # [h_{t-1}, x_t]          (..., H + D)
    f_t: object      # forget gate             (..., H)
    i_t: object      # input ("memory") gate   (..., H)
    c_tilde: object  # candidate C̃_t           (..., H)
    c_t: object      # new cell state          (..., H)
    o_t: object      # output gate             (..., H)
    h_t: object      # new hidden state        (..., H)

    @property
    def state(self):
        return (self.h_t, self.c_t)


def lstm_step(x_t, h_prev, c_prev, params: LSTMParams, *, check: bool = True) -> LSTMStep:
    r"""One LSTM step.

    .. math::
        f_t &= \sigma(W_f [h_{t-1}, x_t] + b_f) \\
        i_t &= \sigma(W_i [h_{t-1}, x_t] + b_i) \\
        \tilde C_t &= \tanh(W_c [h_{t-1}, x_t] + b_c) \\
        C_t &= f_t \odot C_{t-1} + i_t \odot \tilde C_t \\
        o_t &= \sigma(W_o [h_{t-1}, x_t] + b_o) \\
        h_t &= o_t \odot \tanh(C_t)

    ``check=False`` skips the input checks (a trainable module checks its first step only).
    """
    check_step(params, LSTMParams, check, x_t, h_prev, c_prev)
    hx = concat(h_prev, x_t)
    f_t = sigmoid(linear(hx, params.W_f, params.b_f))
    i_t = sigmoid(linear(hx, params.W_i, params.b_i))
    return lstm_from_gates(hx, f_t, i_t, c_prev, params)


def lstm_from_gates(hx, f_t, i_t, c_prev, params) -> LSTMStep:
    r"""The rest of an LSTM step once :math:`f_t` and :math:`i_t` are known.

    .. math::
        \tilde C_t = \tanh(W_c [h_{t-1}, x_t] + b_c) \qquad
        C_t = f_t \odot C_{t-1} + i_t \odot \tilde C_t \\
        o_t = \sigma(W_o [h_{t-1}, x_t] + b_o) \qquad h_t = o_t \odot \tanh(C_t)

    Shared by :func:`lstm_step` and the coupled-gate step (whose ``i_t`` is
    ``1 − f_t``); the peephole step writes its own, as its output gate also sees ``C_t``.
    """
    c_tilde = tanh(linear(hx, params.W_c, params.b_c))
    c_t = f_t * c_prev + i_t * c_tilde
    o_t = sigmoid(linear(hx, params.W_o, params.b_o))
    h_t = o_t * tanh(c_t)
    return LSTMStep(hx=hx, f_t=f_t, i_t=i_t, c_tilde=c_tilde, c_t=c_t, o_t=o_t, h_t=h_t)
