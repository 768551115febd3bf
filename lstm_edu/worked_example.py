r"""The source's worked example, as one object that notebooks 05-08 share.

The source (section 3.3) gives the inputs of one LSTM step and the forget gate
it produces, but no weights:

.. math::
    C_{t-1} = [0.5, 0.6, 0.4],\quad h_{t-1} = [0.3, 0.8, 0.69],\quad x_t = [0.2, 1.3, 0.7]

    [h_{t-1}, x_t] = [0.3, 0.8, 0.69, 0.2, 1.3, 0.7],\qquad f_t = [0.5, 0.1, 0.8]

We choose them, and say so. Each layer gets a readable weight matrix (one
decimal per entry, :data:`WEIGHTS`); its bias is then *solved* so that the layer
gives a round target value (:data:`TARGETS`) on these inputs:

.. math::
    b = \operatorname{logit}(\text{target}) - W [h_{t-1}, x_t] \quad (\sigma \text{ layers}),
    \qquad b = \operatorname{artanh}(\text{target}) - W [h_{t-1}, x_t] \quad (\tanh \text{ layer})

The forget gate's target is the source's ``f_t``; ``i_t``, ``C̃_t`` and ``o_t``
are our illustrative values. So each layer outputs its target *by construction*:
the example gives the source's ``f_t`` because its bias was solved to, and a
check that it does is a check of the logit / artanh formula, not a finding.
Anyone can rebuild the example from the printed weights and targets with
:func:`solve_bias`, and the whole step equals
``torch.nn.LSTMCell`` loaded with these weights (tests/test_worked_example.py).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import torch

from .cells import LSTMParams, LSTMStep, concat, linear, lstm_step
from .validate import as_float_array, check_array, check_choice, check_shape

# --- the source's numbers (section 3.3) ---------------------------------------------
C_PREV = (0.5, 0.6, 0.4)
H_PREV = (0.3, 0.8, 0.69)
X_T = (0.2, 1.3, 0.7)
SOURCE_F_T = (0.5, 0.1, 0.8)

# --- our choices, stated ----------------------------------------------------------------
#: The target value of each layer on the example's inputs. f_t is the source's;
#: the others are ours, picked so that the three components tell three stories:
#: 0 keeps half and adds a little, 1 forgets and overwrites, 2 keeps most and adds.
TARGETS = {
    "f_t": SOURCE_F_T,
    "i_t": (0.2, 0.9, 0.5),
    "c_tilde": (0.6, -0.8, 0.4),
    "o_t": (0.9, 0.5, 0.2),
}

#: Readable weights, (3, 6), acting on [h_{t-1}, x_t] (three h columns, then three x columns).
WEIGHTS = {
    "W_f": ((0.2, -0.1, 0.0, 0.3, 0.0, -0.2),
            (-0.3, 0.0, 0.2, 0.0, -0.4, 0.1),
            (0.1, 0.2, -0.1, 0.0, 0.3, 0.0)),
    "W_i": ((0.1, 0.0, 0.2, -0.2, 0.1, 0.0),
            (0.0, 0.3, 0.0, 0.1, 0.2, -0.1),
            (-0.2, 0.1, 0.0, 0.0, 0.0, 0.3)),
    "W_c": ((0.0, 0.2, -0.1, 0.3, 0.0, 0.1),
            (0.2, 0.0, 0.0, -0.1, -0.3, 0.0),
            (0.0, -0.2, 0.3, 0.0, 0.1, 0.2)),
    "W_o": ((0.3, 0.0, 0.1, 0.0, 0.2, 0.0),
            (0.0, -0.1, 0.0, 0.2, 0.0, 0.3),
            (0.1, 0.0, -0.3, 0.1, 0.0, 0.0)),
}

#: Inputs of the few steps unrolled in notebook 08; step 1 is the worked example's x_t.
SEQUENCE = ((0.2, 1.3, 0.7), (0.0, 0.5, -0.4), (-0.6, 0.1, 0.9), (0.8, -1.0, 0.3), (0.3, 0.3, -0.8))

_ACTIVATION = {"f_t": "sigmoid", "i_t": "sigmoid", "c_tilde": "tanh", "o_t": "sigmoid"}
_LAYER = {"f_t": "f", "i_t": "i", "c_tilde": "c", "o_t": "o"}


def logit(p):
    r"""The inverse of the sigmoid: :math:`\log(p / (1 - p))`, for p strictly in (0, 1)."""
    p = as_float_array("p", p)  # "0.5" is refused, not coerced
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError(f"p must lie strictly between 0 and 1 (a sigmoid's output), got {p}")
    return np.log(p) - np.log1p(-p)


def solve_bias(W, hx, target, activation: str = "sigmoid"):
    r"""The bias ``b`` for which ``activation(W @ hx + b)`` equals ``target`` (to rounding).

    ``b = logit(target) - W hx`` for a sigmoid layer, ``artanh(target) - W hx``
    for a tanh layer. ``W`` is (H, H+D), ``hx`` (H+D,), ``target`` (H,).
    """
    check_choice("activation", activation, {"sigmoid", "tanh"})
    W = check_array("W", W, ndim=2)
    hx = check_array("hx", hx, ndim=1)
    target = check_array("target", np.asarray(target, dtype=float), ndim=1)
    if W.shape[1] != hx.shape[0]:
        raise ValueError(f"W must have {hx.shape[0]} columns to act on hx {hx.shape}, "
                         f"got shape {W.shape}")
    check_shape("target", target, (W.shape[0],))
    if activation == "sigmoid":
        pre = logit(target)
    else:
        if np.any(np.abs(target) >= 1):
            raise ValueError(
                f"a tanh layer's target must lie strictly between -1 and 1, got {target}")
        pre = np.arctanh(target)
    # the same arithmetic as cells.linear, so that the step reproduces the target to ~1e-16
    return pre - linear(hx, W, np.zeros(W.shape[0]))


@dataclass(frozen=True)
class WorkedExample:
    """The example's inputs, weights and every intermediate of its step, in float64."""

    c_prev: np.ndarray
    h_prev: np.ndarray
    x_t: np.ndarray
    targets: dict          # the values each layer was solved to give
    params: LSTMParams     # W_f, b_f, ..., W_o, b_o
    step: LSTMStep         # hx, f_t, i_t, c_tilde, c_t, o_t, h_t

    @property
    def hx(self) -> np.ndarray:
        """``[h_{t-1}, x_t]``, shape (6,)."""
        return self.step.hx

    def values(self) -> dict:
        """Every named vector, ready for ``diagrams.draw_lstm_cell(values=...)``."""
        s = self.step
        return {"c_prev": self.c_prev, "h_prev": self.h_prev, "x_t": self.x_t, "f_t": s.f_t,
                "i_t": s.i_t, "c_tilde": s.c_tilde, "c_t": s.c_t, "o_t": s.o_t, "h_t": s.h_t}

    def torch_params(self) -> LSTMParams:
        """The same weights as float64 torch tensors (for autograd)."""
        return LSTMParams(**{f.name: torch.from_numpy(getattr(self.params, f.name).copy())
                             for f in fields(self.params)})

    def sequence(self) -> tuple[np.ndarray, tuple]:
        """Inputs of a few steps (T, 3), starting with this ``x_t``, and the start state.

        Use with ``run_sequence(lstm_step, xs, example.params, state0)``.
        """
        return np.array(SEQUENCE, dtype=np.float64), (self.h_prev.copy(), self.c_prev.copy())


def build_worked_example(weights: dict | None = None, targets: dict | None = None) -> WorkedExample:
    """The example from ``weights`` (W_f, W_i, W_c, W_o) and ``targets`` (f_t, i_t, c_tilde, o_t).

    Defaults: the stated :data:`WEIGHTS` and :data:`TARGETS`. Biases are solved
    with :func:`solve_bias`.
    """
    weights = WEIGHTS if weights is None else weights
    targets = TARGETS if targets is None else targets
    for name, given, keys in (("weights", weights, ("W_f", "W_i", "W_c", "W_o")),
                              ("targets", targets, tuple(_LAYER))):
        if not isinstance(given, dict):
            raise TypeError(f"{name} must be a dict, got {type(given).__name__}")
        if set(given) != set(keys):
            raise ValueError(f"{name} must have exactly the keys {keys}, got {tuple(given)}")
    c_prev, h_prev, x_t = (np.array(v, dtype=np.float64) for v in (C_PREV, H_PREV, X_T))
    hx = concat(h_prev, x_t)
    kwargs = {}
    for key, gate in _LAYER.items():
        W = np.array(weights[f"W_{gate}"], dtype=np.float64)
        kwargs[f"W_{gate}"] = W
        kwargs[f"b_{gate}"] = solve_bias(W, hx, np.array(targets[key], dtype=np.float64),
                                         _ACTIVATION[key])
    params = LSTMParams(**kwargs)
    step = lstm_step(x_t, h_prev, c_prev, params)
    return WorkedExample(c_prev=c_prev, h_prev=h_prev, x_t=x_t,
                         targets={k: np.array(v, dtype=np.float64) for k, v in targets.items()},
                         params=params, step=step)


def worked_example() -> WorkedExample:
    """The course's worked example (fresh arrays on every call: safe to modify)."""
    return build_worked_example()
