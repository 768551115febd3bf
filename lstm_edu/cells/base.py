r"""Recurrent cells written the way the course writes them on the board.

Every weight matrix acts on the concatenation :math:`[h_{t-1}, x_t]`, hidden
part first, exactly as in the source and in colah's diagrams::

    W_f : (H, H + D)      b_f : (H,)
    z_t = [h_{t-1}, x_t]  : (..., H + D)

Shapes below use ``D`` for the input size, ``H`` for the hidden size and
``...`` for an optional batch dimension: a step accepts ``x_t`` of shape
``(D,)`` or ``(B, D)``.

The step functions accept NumPy arrays (the walkthroughs, in float64, so a
learner can check every digit) or torch tensors (training, with autograd), and
return every intermediate value by name. ``lstm_edu.bridge`` maps these
weights to and from ``torch.nn``; the tests prove the numbers agree.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Callable, NamedTuple

import numpy as np
import torch

from ..validate import (
    check_array,
    check_finite,
    check_same_kind,
    check_shape,
    is_torch,
)


# --- the three elementwise functions, for NumPy and torch alike -------------

def sigmoid(z):
    r""":math:`\sigma(z) = 1 / (1 + e^{-z})`, squashing any number into (0, 1)."""
    if is_torch(z):
        return torch.sigmoid(z)
    # Written via tanh so that large |z| cannot overflow exp().
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def tanh(z):
    return torch.tanh(z) if is_torch(z) else np.tanh(z)


def concat(h_prev, x_t):
    """``[h_{t-1}, x_t]`` along the last axis: shape (..., H + D)."""
    if is_torch(h_prev):
        return torch.cat([h_prev, x_t], dim=-1)
    return np.concatenate([h_prev, x_t], axis=-1)


def linear(z, W, b):
    """``W z + b`` for a row (or a batch of rows) ``z``: (..., H+D) -> (..., H)."""
    if is_torch(z):
        # One fused op instead of a matmul and an add: training unrolls this
        # hundreds of times per step, and autograd pays per op.
        return torch.nn.functional.linear(z, W, b)
    return z @ W.T + b


def _zeros(like, shape):
    if is_torch(like):
        return torch.zeros(shape, dtype=like.dtype, device=like.device)
    return np.zeros(shape, dtype=like.dtype)


# --- parameters ------------------------------------------------------------

@dataclass(frozen=True)
class CellParams:
    """Base for a cell's weights: pairs ``W_<gate>`` (H, H+D) and ``b_<gate>`` (H,).

    Subclasses list their fields; checking happens here once, so a step
    function can trust its parameters.
    """

    def __post_init__(self):
        arrays = {f.name: getattr(self, f.name) for f in fields(self)}
        for name, a in arrays.items():
            check_array(name, a, ndim=2 if name.startswith("W") else 1)
        check_same_kind(**arrays)
        weights = {n: a for n, a in arrays.items() if n.startswith("W")}
        first = next(iter(weights))
        H, HD = weights[first].shape
        if HD <= H:
            raise ValueError(
                f"{first} must have shape (H, H + D) with D >= 1, got shape "
                f"{tuple(weights[first].shape)}: the columns are [h_(t-1), x_t]"
            )
        for name, a in arrays.items():
            check_shape(name, a, (H, HD) if name.startswith("W") else (H,))
            check_finite(name, a)

    @property
    def hidden_size(self) -> int:
        return self._first_weight().shape[0]

    @property
    def input_size(self) -> int:
        W = self._first_weight()
        return W.shape[1] - W.shape[0]

    def _first_weight(self):
        return getattr(self, fields(self)[0].name)

    def num_parameters(self) -> int:
        return sum(int(np.prod(getattr(self, f.name).shape)) for f in fields(self))

    def zero_state(self, x_t) -> tuple:
        """The all-zero starting state for an input like ``x_t``."""
        shape = tuple(x_t.shape[:-1]) + (self.hidden_size,)
        return tuple(_zeros(self._first_weight(), shape) for _ in range(self.n_states))

    n_states = 1


@dataclass(frozen=True)
class RNNParams(CellParams):
    """A vanilla (Elman) RNN: one tanh layer."""

    W: object
    b: object


@dataclass(frozen=True)
class LSTMParams(CellParams):
    """The four layers of an LSTM, named after the gates they feed.

    ``W_c, b_c`` make the candidate ``C̃_t`` (PyTorch's "g" gate).
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


def check_step_inputs(params: CellParams, x_t, *states) -> None:
    """Shapes and kinds of one step's inputs, checked against ``params``."""
    if not isinstance(params, CellParams):
        raise TypeError(f"params must be a CellParams, got {type(params).__name__}")
    check_array("x_t", x_t, ndim=(1, 2))
    names = ["h_prev", "c_prev"][: len(states)]
    for name, s in zip(names, states):
        check_array(name, s, ndim=(1, 2))
    check_same_kind(x_t=x_t, **dict(zip(names, states)),
                    params=params._first_weight())
    if x_t.shape[-1] != params.input_size:
        raise ValueError(
            f"x_t must have last dimension D={params.input_size}, got shape "
            f"{tuple(x_t.shape)}"
        )
    expected = tuple(x_t.shape[:-1]) + (params.hidden_size,)
    for name, s in zip(names, states):
        if tuple(s.shape) != expected:
            raise ValueError(
                f"{name} must have shape {expected} to match x_t {tuple(x_t.shape)} "
                f"and H={params.hidden_size}, got shape {tuple(s.shape)}"
            )


# --- steps -------------------------------------------------------------------

class RNNStep(NamedTuple):
    """Everything one RNN step computes. Each entry has shape (..., H)
    except ``hx``, (..., H + D)."""

    hx: object   # [h_{t-1}, x_t]
    a_t: object  # W [h_{t-1}, x_t] + b, before the tanh
    h_t: object

    @property
    def state(self):
        return (self.h_t,)


def rnn_step(x_t, h_prev, params: RNNParams) -> RNNStep:
    r""":math:`h_t = \tanh(W [h_{t-1}, x_t] + b)`."""
    check_step_inputs(params, x_t, h_prev)
    hx = concat(h_prev, x_t)
    a_t = linear(hx, params.W, params.b)
    return RNNStep(hx=hx, a_t=a_t, h_t=tanh(a_t))


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


def lstm_step(x_t, h_prev, c_prev, params: LSTMParams) -> LSTMStep:
    r"""One LSTM step.

    .. math::
        f_t &= \sigma(W_f [h_{t-1}, x_t] + b_f) \\
        i_t &= \sigma(W_i [h_{t-1}, x_t] + b_i) \\
        \tilde C_t &= \tanh(W_c [h_{t-1}, x_t] + b_c) \\
        C_t &= f_t \odot C_{t-1} + i_t \odot \tilde C_t \\
        o_t &= \sigma(W_o [h_{t-1}, x_t] + b_o) \\
        h_t &= o_t \odot \tanh(C_t)
    """
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be LSTMParams, got {type(params).__name__}")
    check_step_inputs(params, x_t, h_prev, c_prev)
    hx = concat(h_prev, x_t)
    f_t = sigmoid(linear(hx, params.W_f, params.b_f))
    i_t = sigmoid(linear(hx, params.W_i, params.b_i))
    c_tilde = tanh(linear(hx, params.W_c, params.b_c))
    c_t = f_t * c_prev + i_t * c_tilde
    o_t = sigmoid(linear(hx, params.W_o, params.b_o))
    h_t = o_t * tanh(c_t)
    return LSTMStep(hx=hx, f_t=f_t, i_t=i_t, c_tilde=c_tilde, c_t=c_t, o_t=o_t, h_t=h_t)


# --- sequences ---------------------------------------------------------------

def run_sequence(step: Callable, xs, params: CellParams, state0: tuple | None = None) -> dict:
    """Apply ``step`` at every time step of ``xs`` and keep every intermediate.

    ``xs`` has shape (T, D) or (T, B, D): time first, PyTorch's default layout.
    Returns a dict with one entry per field of the step's result, each stacked
    over time: ``trace["h_t"]`` has shape (T, ..., H) and ``trace["h_t"][-1]``
    is the final hidden state.
    """
    if not callable(step):
        raise TypeError(f"step must be a step function, got {type(step).__name__}")
    check_array("xs", xs, ndim=(2, 3))
    if xs.shape[0] == 0:
        raise ValueError(f"xs must hold at least one time step, got shape {tuple(xs.shape)}")
    state = params.zero_state(xs[0]) if state0 is None else tuple(state0)
    if len(state) != params.n_states:
        raise ValueError(
            f"state0 must hold {params.n_states} array(s) for {type(params).__name__}, "
            f"got {len(state)}"
        )
    records = []
    for x_t in xs:
        record = step(x_t, *state, params)
        records.append(record)
        state = record.state
    stack = torch.stack if is_torch(xs) else np.stack
    return {name: stack([getattr(r, name) for r in records]) for name in records[0]._fields}
