r"""What every recurrent cell shares, written the way the course writes it on the board.

Every weight matrix acts on the concatenation :math:`[h_{t-1}, x_t]`, hidden
part first, exactly as in the source and in colah's diagrams::

    W_f : (H, H + D)      b_f : (H,)
    z_t = [h_{t-1}, x_t]  : (..., H + D)

Shapes below use ``D`` for the input size, ``H`` for the hidden size and
``...`` for an optional batch dimension: a step accepts ``x_t`` of shape
``(D,)`` or ``(B, D)``.

The step functions accept NumPy arrays (the walkthroughs, in float64, so a
learner can check every digit) or torch tensors (training, with autograd), and
return every intermediate value by name. ``lstm_edu.cells.bridge`` maps these
weights to and from ``torch.nn``; the tests prove the numbers agree.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, fields
from typing import Callable

import numpy as np
import torch

from ..validate import (
    check_array,
    check_finite,
    check_same_dtype,
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
        weights = {n: a for n, a in arrays.items() if n.startswith("W")}
        if not weights:
            raise TypeError(
                f"{type(self).__name__} has no weight fields: build a cell's params, such as "
                f"LSTMParams(W_f=..., b_f=..., ...), got {type(self).__name__}"
                f"({', '.join(arrays)})"
            )
        for name, a in arrays.items():
            check_array(name, a, ndim=2 if name.startswith("W") else 1)
        check_same_kind(**arrays)
        check_same_dtype(**arrays)
        first = next(iter(weights))
        H, HD = weights[first].shape
        if H < 1:
            raise ValueError(
                f"{first} must have shape (H, H + D) with H >= 1, got shape "
                f"{tuple(weights[first].shape)}: a cell needs at least one hidden unit"
            )
        if HD <= H:
            raise ValueError(
                f"{first} must have shape (H, H + D) with D >= 1, got shape "
                f"{tuple(weights[first].shape)}: the columns are [h_(t-1), x_t]"
            )
        for name, shape in self.shapes(HD - H, H).items():
            check_shape(name, arrays[name], shape)
            check_finite(name, arrays[name])

    @classmethod
    def shapes(cls, input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
        """The shape of every field: ``W_*`` (H, H + D), every other (H,).

        The one statement of the rule; checking, parameter counts and the
        trainable modules all read it from here.
        """
        D, H = input_size, hidden_size
        return {f.name: ((H, H + D) if f.name.startswith("W") else (H,)) for f in fields(cls)}

    @property
    def hidden_size(self) -> int:
        return self._first_weight().shape[0]

    @property
    def input_size(self) -> int:
        W = self._first_weight()
        return W.shape[1] - W.shape[0]

    @property
    def dtype(self):
        """The weights' dtype (a NumPy dtype or a torch dtype)."""
        return self._first_weight().dtype

    @property
    def is_torch(self) -> bool:
        """True if the weights are torch tensors (autograd can run through them)."""
        return is_torch(self._first_weight())

    def _first_weight(self):
        return getattr(self, fields(self)[0].name)

    def num_parameters(self) -> int:
        """Weights and biases, one bias per gate as the course writes them."""
        return sum(int(np.prod(shape))
                   for shape in self.shapes(self.input_size, self.hidden_size).values())

    def zero_state(self, x_t) -> tuple:
        """The all-zero starting state for an input like ``x_t``."""
        shape = tuple(x_t.shape[:-1]) + (self.hidden_size,)
        return tuple(_zeros(self._first_weight(), shape) for _ in range(self.n_states))

    n_states = 1


def check_step_inputs(params: CellParams, x_t, *states) -> None:
    """Shapes, kinds, dtypes and finiteness of one step's inputs, checked against ``params``.

    The weights are checked for NaN and inf again at every step: the params
    object is frozen, but the arrays it holds are shared with whoever made
    them and can still be changed in place. A trainable module checks its
    first step only (``check=False`` afterwards).
    """
    if not isinstance(params, CellParams):
        raise TypeError(f"params must be a CellParams, got {type(params).__name__}")
    check_array("x_t", x_t, ndim=(1, 2))
    names = ["h_prev", "c_prev"][: len(states)]
    for name, s in zip(names, states):
        check_array(name, s, ndim=(1, 2))
    named = {"x_t": x_t, **dict(zip(names, states))}
    check_same_kind(**named, params=params._first_weight())
    check_same_dtype(**named, params=params._first_weight())
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
    for name, a in named.items():
        check_finite(name, a, "a NaN or inf in a step's input spreads to every later state")
    for f in fields(params):
        check_finite(f"params.{f.name}", getattr(params, f.name),
                     "was it changed in place after the params were built?")


def check_step(params, cls: type, check: bool, x_t, *states) -> None:
    """What every step function checks first: ``params`` is a ``cls``, and (unless
    ``check`` is False) :func:`check_step_inputs`."""
    if not isinstance(params, cls):
        raise TypeError(f"params must be {cls.__name__}, got {type(params).__name__}")
    if check:
        check_step_inputs(params, x_t, *states)


# --- sequences ---------------------------------------------------------------

def _check_step_fits(step: Callable, x_t, state: tuple, params: CellParams) -> None:
    """``step(x_t, *state, params)`` must match the step's signature."""
    try:
        signature = inspect.signature(step)
    except (TypeError, ValueError):  # a builtin without a signature: let the call speak
        return
    try:
        signature.bind(x_t, *state, params)
    except TypeError:
        names = ", ".join(["x_t", "h_prev", "c_prev"][: 1 + len(state)] + ["params"])
        name = getattr(step, "__name__", type(step).__name__)
        raise TypeError(
            f"step must take ({names}) for {type(params).__name__} ({len(state)} state(s)), "
            f"got {name}{signature}; pass the step function that belongs to these params"
        ) from None


def run_sequence(step: Callable, xs, params: CellParams, state0: tuple | None = None) -> dict:
    """Apply ``step`` at every time step of ``xs`` and keep every intermediate.

    ``xs`` has shape (T, D) or (T, B, D): time first, PyTorch's default layout.
    Returns a dict with one entry per field of the step's result, each stacked
    over time: ``trace["h_t"]`` has shape (T, ..., H) and ``trace["h_t"][-1]``
    is the final hidden state.
    """
    if not callable(step):
        raise TypeError(f"step must be a step function, got {type(step).__name__}")
    if not isinstance(params, CellParams):
        raise TypeError(f"params must be a CellParams, got {type(params).__name__}")
    check_array("xs", xs, ndim=(2, 3))
    if xs.shape[0] == 0:
        raise ValueError(f"xs must hold at least one time step, got shape {tuple(xs.shape)}")
    state = params.zero_state(xs[0]) if state0 is None else tuple(state0)
    if len(state) != params.n_states:
        raise ValueError(
            f"state0 must hold {params.n_states} array(s) for {type(params).__name__}, "
            f"got {len(state)}"
        )
    _check_step_fits(step, xs[0], state, params)
    records = []
    for x_t in xs:
        record = step(x_t, *state, params)
        records.append(record)
        state = record.state
    stack = torch.stack if is_torch(xs) else np.stack
    return {name: stack([getattr(r, name) for r in records]) for name in records[0]._fields}
