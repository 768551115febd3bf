r"""The vanilla (Elman) RNN: one tanh layer on ``[h_{t-1}, x_t]``.

Conventions (shapes, NumPy or torch, every intermediate returned) are those
of :mod:`lstm_edu.cells.base`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from .base import CellParams, check_step, concat, linear, tanh


@dataclass(frozen=True)
class RNNParams(CellParams):
    """A vanilla (Elman) RNN: one tanh layer."""

    W: object
    b: object


class RNNStep(NamedTuple):
    """Everything one RNN step computes. Each entry has shape (..., H)
    except ``hx``, (..., H + D)."""

    hx: object   # [h_{t-1}, x_t]
    a_t: object  # W [h_{t-1}, x_t] + b, before the tanh
    h_t: object

    @property
    def state(self):
        return (self.h_t,)


def rnn_step(x_t, h_prev, params: RNNParams, *, check: bool = True) -> RNNStep:
    r""":math:`h_t = \tanh(W [h_{t-1}, x_t] + b)`.

    ``check=False`` skips the input checks (a trainable module checks its first step only).
    """
    check_step(params, RNNParams, check, x_t, h_prev)
    hx = concat(h_prev, x_t)
    a_t = linear(hx, params.W, params.b)
    return RNNStep(hx=hx, a_t=a_t, h_t=tanh(a_t))
