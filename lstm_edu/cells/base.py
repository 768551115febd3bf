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
    check_bool,
    check_finite,
    check_same_device,
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


def zeros_like_input(like, shape):
    """Zeros of ``shape`` with ``like``'s kind, dtype and device: every zero state and
    default start is made here, from the inputs, never on the default device."""
    if is_torch(like):
        return torch.zeros(shape, dtype=like.dtype, device=like.device)
    return np.zeros(shape, dtype=like.dtype)


def stack_records(records, like) -> dict:
    """Each field of a list of step records (NamedTuples) stacked over time: (T, ...)."""
    stack = torch.stack if is_torch(like) else np.stack
    return {name: stack([getattr(r, name) for r in records]) for name in records[0]._fields}


# --- parameters ------------------------------------------------------------

#: The states a step takes after ``x_t``, in order, for cells whose states are all (..., H).
STATE_NAMES = ("h_prev", "c_prev", "n_prev", "m_prev")
_ARRAY_NAMES: dict[type, tuple[str, ...]] = {}


@dataclass(frozen=True)
class CellParams:
    """The one base for every cell's weights, Parts I to V.

    Fields named ``W_*`` are matrices, every other array field a vector.
    Subclasses list their fields and, where their layout is not the classic one,
    override a class attribute or a method:

    * ``acts_on`` - ``"hx"`` (default): ``W_*`` is (H, H + D), acting on
      ``[h_{t-1}, x_t]``; ``"x"``: ``W_*`` is (H, D), gates from ``x_t`` alone (minGRU);
    * ``options`` - fields that are choices, not arrays (the xLSTM's ``forget``),
      checked by :meth:`_check_options`;
    * ``n_states`` / :meth:`state_shapes` - the states a step carries, each (..., H)
      unless ``state_shapes`` says otherwise (the mLSTM's matrix memory);
      ``state_counts`` - how many of them a step may take (the raw sLSTM takes 3 of 4);
    * :meth:`shapes` and :meth:`sizes` - for a layout with more sizes than D and H.

    Checking happens here once, so a step function can trust its parameters.
    """

    # class attributes, not dataclass fields (no annotations)
    acts_on = "hx"
    options = ()
    n_states = 1
    state_counts = ()

    def __post_init__(self):
        self._check_options()
        arrays = self.arrays()
        weights = [n for n in arrays if n.startswith("W")]
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
        check_same_device(**arrays)
        for name, shape in self.shapes(**self.sizes()).items():
            check_shape(name, arrays[name], shape)
            check_finite(name, arrays[name])

    def _check_options(self) -> None:
        """Check the non-array fields (``options``); none in the base."""

    @classmethod
    def array_names(cls) -> tuple[str, ...]:
        """The fields that hold arrays, in order (every field but the ``options``)."""
        if cls not in _ARRAY_NAMES:  # read once per class: steps ask at every call
            _ARRAY_NAMES[cls] = tuple(f.name for f in fields(cls) if f.name not in cls.options)
        return _ARRAY_NAMES[cls]

    def arrays(self) -> dict:
        """The weights and biases by name."""
        return {n: getattr(self, n) for n in self.array_names()}

    @classmethod
    def shapes(cls, input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
        """The shape of every array field: ``W_*`` (H, H + D) (or (H, D) if ``acts_on`` is
        ``"x"``), every other (H,).

        The one statement of the rule; checking, parameter counts and the
        trainable modules all read it from here.
        """
        D, H = input_size, hidden_size
        W = (H, H + D) if cls.acts_on == "hx" else (H, D)
        return {n: (W if n.startswith("W") else (H,)) for n in cls.array_names()}

    def sizes(self) -> dict[str, int]:
        """``input_size`` and ``hidden_size`` read from the first weight (checked: both >= 1)."""
        first = next(n for n in self.array_names() if n.startswith("W"))
        shape = tuple(getattr(self, first).shape)
        H, cols = shape
        D = cols - H if self.acts_on == "hx" else cols
        layout = "(H, H + D)" if self.acts_on == "hx" else "(H, D)"
        if H < 1:
            raise ValueError(f"{first} must have shape {layout} with H >= 1, got shape {shape}: "
                             f"a cell needs at least one hidden unit")
        if D < 1:
            columns = ": the columns are [h_(t-1), x_t]" if self.acts_on == "hx" else ""
            raise ValueError(f"{first} must have shape {layout} with D >= 1, got shape "
                             f"{shape}{columns}")
        return {"input_size": D, "hidden_size": H}

    @property
    def hidden_size(self) -> int:
        return self.sizes()["hidden_size"]

    @property
    def input_size(self) -> int:
        return self.sizes()["input_size"]

    @property
    def dtype(self):
        """The weights' dtype (a NumPy dtype or a torch dtype)."""
        return self._first_weight().dtype

    @property
    def is_torch(self) -> bool:
        """True if the weights are torch tensors (autograd can run through them)."""
        return is_torch(self._first_weight())

    def _first_weight(self):
        return getattr(self, self.array_names()[0])

    def num_parameters(self) -> int:
        """Weights and biases, one bias per gate as the course writes them."""
        return sum(int(np.prod(shape)) for shape in self.shapes(**self.sizes()).values())

    def state_shapes(self) -> dict[str, tuple[int, ...]]:
        """Each state a step takes after ``x_t``, by its name in the step's signature, with
        its shape for one sample (a batch puts its axis in front)."""
        return {n: (self.hidden_size,) for n in STATE_NAMES[: self.n_states]}

    def zero_state(self, x_t) -> tuple:
        """The all-zero starting state for an input like ``x_t``: its kind, dtype and device."""
        lead = tuple(x_t.shape[:-1])
        return tuple(zeros_like_input(x_t, lead + s) for s in self.state_shapes().values())

    def allows_states(self, n: int) -> bool:
        """Whether a step on these params may carry ``n`` states."""
        return n in (self.state_counts or (self.n_states,))


def check_step_inputs(params: CellParams, x_t, *states) -> None:
    """Shapes, kinds, dtypes, devices and finiteness of one step's inputs, against ``params``.

    The weights are checked for NaN and inf again at every step: the params
    object is frozen, but the arrays it holds are shared with whoever made
    them and can still be changed in place. A trainable module checks its
    first step only (``check=False`` afterwards).
    """
    if not isinstance(params, CellParams):
        raise TypeError(f"params must be a CellParams, got {type(params).__name__}")
    check_array("x_t", x_t, ndim=(1, 2))
    shapes = dict(list(params.state_shapes().items())[: len(states)])
    for (name, shape), s in zip(shapes.items(), states):
        check_array(name, s, ndim=(len(shape), len(shape) + 1))
    named = {"x_t": x_t, **dict(zip(shapes, states))}
    check_same_kind(**named, params=params._first_weight())
    check_same_dtype(**named, params=params._first_weight())
    check_same_device(**named, params=params._first_weight())
    sizes = params.sizes()
    if x_t.shape[-1] != sizes["input_size"]:
        raise ValueError(
            f"x_t must have last dimension D={sizes['input_size']}, got shape "
            f"{tuple(x_t.shape)}"
        )
    lead = tuple(x_t.shape[:-1])
    for (name, shape), s in zip(shapes.items(), states):
        if tuple(s.shape) != lead + shape:
            raise ValueError(
                f"{name} must have shape {lead + shape} to match x_t {tuple(x_t.shape)} "
                f"and H={sizes['hidden_size']}, got shape {tuple(s.shape)}"
            )
    for name, a in named.items():
        check_finite(name, a, "a NaN or inf in a step's input spreads to every later state")
    for name, a in params.arrays().items():
        check_finite(f"params.{name}", a, "was it changed in place after the params were built?")


def check_step(params, cls: type, check: bool, x_t, *states) -> None:
    """What every step function checks first: ``params`` is a ``cls``, ``check`` is a bool,
    and (unless ``check`` is False) :func:`check_step_inputs`."""
    if not isinstance(params, cls):
        raise TypeError(f"params must be {cls.__name__}, got {type(params).__name__}")
    if check_bool("check", check):
        check_step_inputs(params, x_t, *states)


# --- sequences ---------------------------------------------------------------

def check_sequence(name: str, xs, ndim=(2, 3), input_size: int | None = None,
                   like=None) -> None:
    """A sequence, time first: an array of ``ndim`` dimensions with T >= 1 and no NaN or inf;
    with ``input_size``, a (T, B, D) batch of that D; with ``like`` (a weight), of its kind,
    dtype and device. Runners and trainable modules of every family check their input here."""
    check_array(name, xs, ndim=ndim)
    if xs.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one time step (T >= 1), got shape "
                         f"{tuple(xs.shape)}: with no steps there is no output and no state")
    if input_size is not None and xs.shape[-1] != input_size:
        raise ValueError(f"{name} must have shape (T, B, {input_size}), got shape "
                         f"{tuple(xs.shape)}")
    if like is not None:
        check_same_kind(**{name: xs}, weights=like)
        check_same_dtype(**{name: xs}, weights=like)
        check_same_device(**{name: xs}, weights=like)
    check_finite(name, xs, "a NaN or inf in a step's input spreads to every later state")


def _parameters(step: Callable) -> dict:
    """The parameters of ``step``'s signature ({} for a builtin without one)."""
    try:
        return dict(inspect.signature(step).parameters)
    except (TypeError, ValueError):
        return {}


def _states_taken(step: Callable, default: int) -> int:
    """How many states ``step(x_t, *states, params)`` takes, read from its signature."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [p for p in _parameters(step).values()
                if p.kind in kinds and p.default is inspect.Parameter.empty]
    return len(required) - 2 if len(required) >= 3 else default


def _check_step_fits(step: Callable, x_t, state: tuple, params: CellParams,
                     step_kwargs: dict) -> None:
    """``step(x_t, *state, params, **step_kwargs)`` must match the step's signature."""
    try:
        signature = inspect.signature(step)
    except (TypeError, ValueError):  # a builtin without a signature: let the call speak
        return
    try:
        signature.bind(x_t, *state, params, **step_kwargs)
    except TypeError:
        names = ", ".join(["x_t", *list(params.state_shapes())[: len(state)], "params"])
        name = getattr(step, "__name__", type(step).__name__)
        raise TypeError(
            f"step must take ({names}) for {type(params).__name__} ({len(state)} state(s)), "
            f"got {name}{signature}; pass the step function that belongs to these params"
        ) from None


def run_sequence(step: Callable, xs, params: CellParams, state0: tuple | None = None,
                 **step_kwargs) -> dict:
    """Apply ``step`` at every time step of ``xs`` and keep every intermediate.

    The one sequence runner of every cell family: ``step(x_t, *state, params,
    **step_kwargs)`` returns a record whose ``state`` feeds the next step.
    ``xs`` has shape (T, D) or (T, B, D): time first, PyTorch's default layout.
    ``state0`` defaults to :meth:`CellParams.zero_state` (made from ``xs``: its
    dtype and device). Returns a dict with one entry per field of the step's
    result, each stacked over time: ``trace["h_t"]`` has shape (T, ..., H) and
    ``trace["h_t"][-1]`` is the final hidden state.
    """
    if not callable(step):
        raise TypeError(f"step must be a step function, got {type(step).__name__}")
    if not isinstance(params, CellParams):
        raise TypeError(f"params must be a CellParams, got {type(params).__name__}")
    check_sequence("xs", xs)
    if state0 is None:
        taken = _states_taken(step, params.n_states)
        n = taken if params.allows_states(taken) else params.n_states
        state = params.zero_state(xs[0])[:n]
    else:
        state = tuple(state0)
    if not params.allows_states(len(state)):
        raise ValueError(
            f"state0 must hold {params.n_states} array(s) for {type(params).__name__}, "
            f"got {len(state)}"
        )
    _check_step_fits(step, xs[0], state, params, step_kwargs)
    # The first step checks x_t, the states and the weights; later steps are fed the cell's own
    # outputs (which may overflow: that is the raw sLSTM's lesson), so they skip the checks.
    skip = {"check": False} if "check" in _parameters(step) and "check" not in step_kwargs else {}
    records = []
    for t, x_t in enumerate(xs):
        record = step(x_t, *state, params, **step_kwargs, **(skip if t else {}))
        records.append(record)
        state = record.state
    return stack_records(records, xs)
