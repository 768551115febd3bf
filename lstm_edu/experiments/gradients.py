r"""How much the last state still depends on earlier ones: :math:`\|\partial s_T / \partial s_t\|`.

The measurement unrolls a recurrent cell step by step on one sequence, keeps
every state :math:`s_0, s_1, \dots, s_T`, and asks autograd for the Jacobian
:math:`\partial s_T / \partial s_t` at every ``t`` (one backward pass per
component of :math:`s_T`, each giving one row of every Jacobian at once).

Works for any cell:

* a course step function and its parameters: ``rnn_step`` + ``RNNParams``,
  ``lstm_step`` + ``LSTMParams`` (torch tensors), or a Part III step;
* a ``torch.nn.RNNCell``, ``GRUCell`` or ``LSTMCell`` module;
* a one-layer fused ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` (copied into the
  matching ``*Cell``), or a trainable :class:`lstm_edu.modules.StepRNN`.

:func:`unroll` is the one loop that keeps every state; its ``independent_states``
says which derivative the states give (see there). Notebook 03's Jacobians
use ``independent_states=True``, notebook 11's loss gradients ``False``.

``component`` picks which state to follow: 0 is h, 1 is C for an LSTM, and
``None`` takes the whole state (h and C stacked).

For a tanh RNN, :math:`\partial h_t / \partial h_{t-1} = \mathrm{diag}(1 - h_t^2)\,W_{hh}`,
so the norm after ``k`` steps is at most :math:`\sigma_{max}(W_{hh})^k`
(Pascanu, Mikolov & Bengio 2013): :func:`pascanu_bound`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..cells import CellParams, RNNParams, as_torch_cell, rnn_step, run_sequence
from ..data import recall_task
from ..modules import StepRNN
from ..validate import check_array, check_choice, check_float, check_int

NORMS = ("spectral", "frobenius")


def as_step(cell, params: CellParams | None = None) -> tuple[Callable, int]:
    """``(f, n_states)`` with ``f(x_t, state_tuple) -> state_tuple`` for any supported cell."""
    if type(cell) in (nn.RNN, nn.GRU, nn.LSTM):
        cell = as_torch_cell(cell)  # the same weights, one step at a time
    if isinstance(cell, StepRNN):
        if params is not None:
            raise ValueError("a StepRNN holds its own weights: pass params=None")
        own = cell.params()
        return (lambda x, s: tuple(cell.step(x, *s, own).state)), own.n_states
    if isinstance(cell, (nn.RNNCell, nn.GRUCell)):
        if params is not None:
            raise ValueError("a torch cell holds its own weights: pass params=None")
        return (lambda x, s: (cell(x, s[0]),)), 1
    if isinstance(cell, nn.LSTMCell):
        if params is not None:
            raise ValueError("a torch cell holds its own weights: pass params=None")
        return (lambda x, s: tuple(cell(x, s))), 2
    if isinstance(cell, nn.Module):
        raise TypeError(f"cell must be a torch RNN, GRU or LSTM (fused or *Cell) or a StepRNN, "
                        f"got {type(cell).__name__}")
    if not callable(cell):
        raise TypeError(f"cell must be a step function or a torch *Cell, got {type(cell).__name__}")
    if not isinstance(params, CellParams):
        raise TypeError(f"a step function needs params (a CellParams), got {type(params).__name__}")
    if not params.is_torch:
        raise TypeError("params must hold torch tensors for autograd; build them with "
                        "torch.from_numpy(...) or bridge.*_from_torch(..., as_numpy=False)")
    return (lambda x, s: tuple(cell(x, *s, params).state)), params.n_states


def _hidden_size(cell, params) -> int:
    return cell.hidden_size if isinstance(cell, nn.Module) else params.hidden_size


def _dtype(cell, params):
    if isinstance(cell, StepRNN):
        return cell.params().dtype
    if isinstance(cell, nn.Module):
        return next(cell.parameters()).dtype
    return params.dtype


def state_jacobians(cell, xs, params: CellParams | None = None, state0=None,
                    component: int | None = 0) -> torch.Tensor:
    r"""``J[t] = ∂s_T/∂s_t`` for ``t = 0 .. T``: shape (T+1, n, n), ``J[T]`` the identity.

    ``xs``: one sequence, (T, D), in the cell's dtype. ``state0``: a tuple of
    (H,) tensors, zeros by default.
    """
    check_array("xs", xs, ndim=2)
    states = unroll(cell, xs, params, state0, independent_states=True)
    n_states = len(states[0])
    if component is not None:
        check_int("component", component, low=0, high=n_states - 1)
    inputs = [s for state in states[:-1]
              for s in (state if component is None else (state[component],))]
    final = torch.cat(states[-1]) if component is None else states[-1][component]
    n = final.shape[0]
    rows = []
    for i in range(n):  # row i of every Jacobian in one backward pass
        grads = torch.autograd.grad(final[i], inputs, retain_graph=True, allow_unused=True)
        grads = [torch.zeros_like(x) if g is None else g for g, x in zip(grads, inputs)]
        per_step = len(inputs) // len(states[:-1])
        rows.append(torch.stack([torch.cat(grads[k:k + per_step])
                                 for k in range(0, len(grads), per_step)]))
    J = torch.stack(rows, dim=1)  # (T, n, n): J[t, i, j] = ∂s_T[i] / ∂s_t[j]
    return torch.cat([J, torch.eye(n, dtype=J.dtype)[None]]).detach()


def unroll(cell, xs, params: CellParams | None = None, state0=None, *,
           independent_states: bool) -> list[tuple]:
    """States ``s_0 .. s_T`` of ``cell`` on ``xs`` ((T, D) or (T, B, D)), the graph kept.

    ``s_0`` (zeros unless ``state0`` is given) is made a leaf that requires
    grad, so ``torch.autograd.grad`` reaches every state. ``cell`` is anything
    :func:`as_step` takes.

    ``independent_states`` decides which derivative the states give:

    * ``True``: each state handed to the next step is a clone, a separate node.
      Inside an LSTM step h_t is computed from c_t; with the clone, a gradient
      "with respect to c_t" counts only the future's dependence on the state
      (h_t, C_t), not the step's own arithmetic c_t -> h_t. This is the
      Jacobian ``∂s_T/∂s_t`` of notebook 03 (:func:`state_jacobians`).
    * ``False``: the states are the step's own outputs, so the path
      C_t -> h_t -> the next step counts: the total derivative that
      backpropagation through time computes, ``∂L/∂C_t`` of notebook 11
      (:func:`lstm_edu.experiments.lab.loss_gradients`).
    """
    if not isinstance(independent_states, bool):
        raise TypeError(f"independent_states must be True or False, got "
                        f"{type(independent_states).__name__}")
    step, n_states = as_step(cell, params)
    check_array("xs", xs, ndim=(2, 3))
    if not isinstance(xs, torch.Tensor):
        raise TypeError(f"xs must be a torch.Tensor, got {type(xs).__name__}")
    if xs.shape[0] < 1:
        raise ValueError(f"xs must hold at least one time step, got shape {tuple(xs.shape)}")
    if xs.dtype != _dtype(cell, params):
        raise TypeError(f"xs must have the cell's dtype {_dtype(cell, params)}, got {xs.dtype}")
    H = _hidden_size(cell, params)
    if state0 is None:
        shape = tuple(xs.shape[1:-1]) + (H,)
        state0 = tuple(torch.zeros(shape, dtype=xs.dtype) for _ in range(n_states))
    state0 = tuple(state0)
    if len(state0) != n_states:
        raise ValueError(f"state0 must hold {n_states} tensor(s), got {len(state0)}")
    states = [tuple(s.detach().clone().requires_grad_(True) for s in state0)]
    for x_t in xs:
        state = tuple(step(x_t, states[-1]))
        states.append(tuple(s.clone() for s in state) if independent_states else state)
    return states


def decay_rate(norms, start: int = 1, stop: int | None = None) -> float:
    """The geometric mean factor per step between distances ``start`` and ``stop``.

    ``(norms[stop] / norms[start]) ** (1 / (stop - start))``, and 0 when either
    norm is 0 (nothing gets through). ``stop`` defaults to the last distance
    whose norm is above 0. :class:`GradientFlow` and
    :class:`lstm_edu.experiments.lab.GradProfile` both summarise with this.
    """
    norms = np.asarray(norms, dtype=np.float64)
    start = check_int("start", start, low=0, high=len(norms) - 2)
    if stop is None:
        alive = np.nonzero(norms > 0)[0]
        stop = max(int(alive[-1]), start + 1) if len(alive) else start + 1
    stop = check_int("stop", stop, low=start + 1, high=len(norms) - 1)
    a, b = norms[start], norms[stop]
    if a <= 0.0 or b <= 0.0:
        return 0.0
    return float((b / a) ** (1.0 / (stop - start)))


@dataclass(frozen=True)
class GradientFlow:
    """``norms[d]`` = ‖∂s_T/∂s_{T-d}‖ for distance ``d = 0 .. T`` (``norms[0] = 1``)."""

    distance: np.ndarray
    norms: np.ndarray
    norm: str

    def decay_rate(self, start: int = 1, stop: int | None = None) -> float:
        """:func:`decay_rate` of these norms; ``stop`` defaults to the last distance whose
        norm is above 1e-300 (the float64 floor)."""
        if stop is None:
            alive = np.nonzero(self.norms > 1e-300)[0]
            stop = max(int(alive[-1]), 1 + check_int("start", start, low=0,
                                                      high=len(self.norms) - 2))
        return decay_rate(self.norms, start, stop)


def gradient_norms(cell, xs, params: CellParams | None = None, state0=None,
                   component: int | None = 0, norm: str = "spectral") -> GradientFlow:
    """‖∂s_T/∂s_t‖ against the distance ``T - t``, from :func:`state_jacobians`."""
    check_choice("norm", norm, NORMS)
    J = state_jacobians(cell, xs, params, state0, component)
    ord_ = 2 if norm == "spectral" else "fro"
    values = torch.linalg.matrix_norm(J, ord=ord_).numpy()[::-1].astype(np.float64)
    return GradientFlow(distance=np.arange(len(values)), norms=values.copy(), norm=norm)


def pascanu_bound(W_hh, distance) -> np.ndarray:
    """σ_max(W_hh) ** distance: the bound on ‖∂h_T/∂h_{T-d}‖ for a tanh RNN (|tanh'| ≤ 1).

    Pascanu, Mikolov & Bengio (2013): if σ_max < 1 the gradient must vanish.
    The bound is sufficient, not necessary: it can vanish with σ_max > 1 too.
    """
    W = np.asarray(check_array("W_hh", W_hh, ndim=2).detach() if isinstance(W_hh, torch.Tensor)
                   else W_hh, dtype=np.float64)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"W_hh must be square (H, H), got shape {W.shape}")
    d = np.asarray(distance, dtype=np.float64)
    if np.any(d < 0):
        raise ValueError("distance must be >= 0")
    return np.linalg.norm(W, 2) ** d


def recurrent_weights(params: RNNParams):
    """W_hh, the H x H block of W acting on h_{t-1} (the first H columns)."""
    if not isinstance(params, RNNParams):
        raise TypeError(f"params must be RNNParams, got {type(params).__name__}")
    return params.W[:, :params.hidden_size]


def scaled_rnn(scale: float = 1.0, H: int = 32, D: int = 8, seed: int = 0) -> RNNParams:
    """An RNN with PyTorch's default init (float64 tensors), W_hh multiplied by ``scale``."""
    scale = check_float("scale", scale, low=0.0)
    torch.manual_seed(check_int("seed", seed, low=0))
    cell = nn.RNNCell(check_int("D", D, low=1), check_int("H", H, low=1), dtype=torch.float64)
    W = torch.cat([scale * cell.weight_hh, cell.weight_ih], dim=1).detach()
    return RNNParams(W=W, b=(cell.bias_ih + cell.bias_hh).detach())


def recall_sequence(T: int = 50, seed: int = 0) -> torch.Tensor:
    """One sequence of the recall task as float64, (T, 8): the inputs of notebook 03."""
    return recall_task(check_int("T", T, low=1), 1, seed=seed).x[:, 0, :].double()


def measure_rnn_decay(scale: float = 1.0, T: int = 50, H: int = 32, seed: int = 0) -> dict:
    """The tanh-RNN measurement of notebook 03 at one ``scale`` of W_hh.

    Returns ``flow`` (a :class:`GradientFlow`), ``rate`` (per-step factor over the
    first 20 steps), ``sigma_max`` and ``rho`` (spectral radius) of W_hh, and the
    mean tanh derivative ``mean_dtanh`` = mean(1 - h_t²) along the sequence.
    """
    params = scaled_rnn(scale, H=H, seed=seed)
    xs = recall_sequence(T, seed=seed)
    flow = gradient_norms(rnn_step, xs, params)
    W_hh = recurrent_weights(params).numpy()
    h = run_sequence(rnn_step, xs, params)["h_t"].numpy()
    return {
        "flow": flow,
        "rate": flow.decay_rate(1, min(20, T)),
        "sigma_max": float(np.linalg.norm(W_hh, 2)),
        "rho": float(np.max(np.abs(np.linalg.eigvals(W_hh)))),
        "mean_dtanh": float(np.mean(1.0 - h ** 2)),
        "W_hh": W_hh,
    }
