r"""The LSTM's backward pass by hand: one step, then backpropagation through time.

The forward step (:func:`lstm_edu.cells.lstm.lstm_step`) returns every intermediate
(:class:`~lstm_edu.cells.lstm.LSTMStep`); that record, with :math:`C_{t-1}`, is the
whole cache the backward step needs. :func:`lstm_step_backward` reads it in reverse
order, one line per factor of the chain rule, and returns every gradient by name.
NumPy float64 or torch, ``(H,)`` or ``(B, H)``, as the forward cells.

Names: ``d<name>`` is :math:`\partial L/\partial\,\text{name}`, the *total* derivative
of the loss with respect to that quantity, all paths summed. ``da_f`` is the gradient
of the forget gate's pre-activation :math:`a_f = W_f [h_{t-1}, x_t] + b_f`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from ..validate import (check_array, check_finite, check_int, check_same_dtype,
                        check_same_kind, is_torch)
from .base import run_sequence
from .lstm import LSTMParams, LSTMStep, lstm_step

GATES = ("f", "i", "c", "o")


class LSTMStepGrads(NamedTuple):
    """Every gradient of one LSTM step, in the order the backward pass computes them."""

    do_t: object      # dL/do_t = dL/dh_t ⊙ tanh(C_t)                           (..., H)
    dc_t: object      # dL/dC_t, both paths: given + dL/dh_t ⊙ o_t ⊙ (1 − tanh²C_t)
    df_t: object      # dL/df_t = dL/dC_t ⊙ C_{t-1}
    di_t: object      # dL/di_t = dL/dC_t ⊙ C̃_t
    dc_tilde: object  # dL/dC̃_t = dL/dC_t ⊙ i_t
    da_f: object      # pre-activations: σ' = σ(1 − σ), tanh' = 1 − tanh²
    da_i: object
    da_c: object
    da_o: object
    dhx: object       # dL/d[h_{t-1}, x_t] = Σ_gates W_gate^T da_gate              (..., H + D)
    dh_prev: object   # dL/dh_{t-1}: the first H entries of dhx                   (..., H)
    dx_t: object      # dL/dx_t: the last D entries                               (..., D)
    dc_prev: object   # dL/dC_{t-1} = dL/dC_t ⊙ f_t: the forget gate gates the gradient
    dW_f: object      # dL/dW_f = da_fᵀ [h_{t-1}, x_t], summed over the batch      (H, H + D)
    db_f: object      # dL/db_f = da_f, summed over the batch                     (H,)
    dW_i: object
    db_i: object
    dW_c: object
    db_c: object
    dW_o: object
    db_o: object

    @property
    def params(self) -> LSTMParams:
        """The weight gradients as an :class:`LSTMParams` (same shapes as the weights)."""
        return LSTMParams(**{f"{p}_{g}": getattr(self, f"d{p}_{g}") for g in GATES
                             for p in ("W", "b")})


def _tanh(z):
    return torch.tanh(z) if is_torch(z) else np.tanh(z)


def dsigmoid(y):
    """σ'(a), written with its output y = σ(a): y (1 − y)."""
    return y * (1 - y)


def dtanh(y):
    """tanh'(a), written with its output y = tanh(a): 1 − y²."""
    return 1 - y ** 2


def _outer_sum(da, hx):
    """``da`` (..., H) times ``hx`` (..., H+D), summed over any batch: (H, H+D)."""
    da2, hx2 = da.reshape(-1, da.shape[-1]), hx.reshape(-1, hx.shape[-1])
    return da2.T @ hx2


def _batch_sum(da):
    return da.reshape(-1, da.shape[-1]).sum(0)


def _check_backward_inputs(dh_t, dc_t, step, c_prev, params) -> None:
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be LSTMParams, got {type(params).__name__}")
    if not isinstance(step, LSTMStep):
        raise TypeError(f"step must be the LSTMStep that lstm_step returned, got "
                        f"{type(step).__name__}")
    named = {"dh_t": dh_t, "dc_t": dc_t, "c_prev": c_prev, "step.h_t": step.h_t}
    for name, a in named.items():
        check_array(name, a, ndim=(1, 2))
    check_same_kind(**named, params=params.W_f)
    check_same_dtype(**named, params=params.W_f)   # NumPy and torch alike
    expected = tuple(step.h_t.shape)
    if expected[-1] != params.hidden_size:
        raise ValueError(f"step.h_t must have last dimension H={params.hidden_size}, got shape "
                         f"{expected}: was step made with these params?")
    for name in ("dh_t", "dc_t", "c_prev"):
        if tuple(named[name].shape) != expected:
            raise ValueError(f"{name} must have shape {expected} (that of step.h_t), got shape "
                             f"{tuple(named[name].shape)}")
    for name, a in named.items():
        check_finite(name, a, "a NaN or inf in a gradient spreads to every earlier step")


def lstm_step_backward(dh_t, dc_t, step: LSTMStep, c_prev, params: LSTMParams, *,
                       check: bool = True) -> LSTMStepGrads:
    r"""One LSTM step backward: from :math:`\partial L/\partial h_t` and
    :math:`\partial L/\partial C_t` to every gradient of the step.

    ``dh_t`` is the gradient arriving at :math:`h_t` (from the loss at step *t* and from
    step *t + 1*); ``dc_t`` the gradient arriving at :math:`C_t` from step *t + 1* only
    (pass zeros at the last step). ``step`` is the forward record, ``c_prev`` is
    :math:`C_{t-1}`.

    .. math::
        \delta o_t &= \delta h_t \odot \tanh C_t \\
        \delta C_t &\mathrel{+}= \delta h_t \odot o_t \odot (1 - \tanh^2 C_t) \\
        \delta f_t = \delta C_t \odot C_{t-1}, \quad
        \delta i_t &= \delta C_t \odot \tilde C_t, \quad
        \delta \tilde C_t = \delta C_t \odot i_t, \quad
        \delta C_{t-1} = \delta C_t \odot f_t \\
        \delta a_g &= \delta g \odot g (1 - g) \;(g = f, i, o), \quad
        \delta a_c = \delta \tilde C_t \odot (1 - \tilde C_t^2) \\
        \delta W_g &= \delta a_g^\top [h_{t-1}, x_t], \quad \delta b_g = \delta a_g, \quad
        \delta [h_{t-1}, x_t] = \textstyle\sum_g W_g^\top \delta a_g
    """
    if check:
        _check_backward_inputs(dh_t, dc_t, step, c_prev, params)
    H = params.hidden_size
    tanh_c = _tanh(step.c_t)
    do_t = dh_t * tanh_c
    dc_t = dc_t + dh_t * step.o_t * dtanh(tanh_c)      # the h path joins the cell path
    df_t = dc_t * c_prev
    di_t = dc_t * step.c_tilde
    dc_tilde = dc_t * step.i_t
    dc_prev = dc_t * step.f_t
    da_f = df_t * dsigmoid(step.f_t)
    da_i = di_t * dsigmoid(step.i_t)
    da_c = dc_tilde * dtanh(step.c_tilde)
    da_o = do_t * dsigmoid(step.o_t)
    da = {"f": da_f, "i": da_i, "c": da_c, "o": da_o}
    dhx = sum(da[g] @ getattr(params, f"W_{g}") for g in GATES)
    grads = {}
    for g in GATES:
        grads[f"dW_{g}"] = _outer_sum(da[g], step.hx)
        grads[f"db_{g}"] = _batch_sum(da[g])
    return LSTMStepGrads(do_t=do_t, dc_t=dc_t, df_t=df_t, di_t=di_t, dc_tilde=dc_tilde,
                         da_f=da_f, da_i=da_i, da_c=da_c, da_o=da_o, dhx=dhx,
                         dh_prev=dhx[..., :H], dx_t=dhx[..., H:], dc_prev=dc_prev, **grads)


class BPTTResult(NamedTuple):
    """What :func:`lstm_bptt` returns: the loss's gradients, and the forward trace."""

    grads: LSTMParams   # dL/dW_f ... dL/db_o, accumulated over every step
    dxs: object         # dL/dx_t for every t          (T, ..., D)
    dh0: object         # dL/dh_0 (the initial state)  (..., H)
    dc0: object         # dL/dC_0                      (..., H)
    trace: dict         # the forward pass, as run_sequence returns it


def lstm_bptt(xs, params: LSTMParams, dhs, state0: tuple | None = None, *,
              truncate: int | None = None) -> BPTTResult:
    r"""Backpropagation through time for a loss whose gradient at each :math:`h_t` is ``dhs[t]``.

    ``xs`` is (T, D) or (T, B, D), time first; ``dhs`` has the shape of the hidden
    states, (T, ..., H): :math:`\partial L_t/\partial h_t` of a per-step loss (zeros where a
    step has no loss). The forward pass is run here; then one loop goes backward in
    time, carrying :math:`\delta h` and :math:`\delta C` into the earlier step and adding
    every step's weight gradients: the weights are shared, so their gradients sum.

    ``truncate=k`` is truncated BPTT: the state is detached before every step
    :math:`t` that is a multiple of ``k`` (:math:`t > 0`), so no gradient crosses those
    boundaries. That is what ``h, c = h.detach(), c.detach()`` every ``k`` steps of a
    torch loop computes.
    """
    check_array("xs", xs, ndim=(2, 3))
    check_array("dhs", dhs, ndim=(2, 3))
    if truncate is not None:
        truncate = check_int("truncate", truncate, low=1)
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be LSTMParams, got {type(params).__name__}")
    T = xs.shape[0]
    expected = tuple(xs.shape[:-1]) + (params.hidden_size,)
    if tuple(dhs.shape) != expected:
        raise ValueError(f"dhs must have shape {expected} (T, ..., H) to match xs "
                         f"{tuple(xs.shape)}, got shape {tuple(dhs.shape)}")
    check_same_kind(xs=xs, dhs=dhs)
    check_same_dtype(xs=xs, dhs=dhs)
    check_finite("dhs", dhs)
    trace = run_sequence(lstm_step, xs, params, state0)
    if state0 is None:
        state0 = params.zero_state(xs[0])
    h0, c0 = state0
    zeros = (torch.zeros_like if is_torch(xs) else np.zeros_like)
    total = {f"{p}_{g}": zeros(getattr(params, f"{p}_{g}")) for g in GATES for p in "Wb"}
    dh_next, dc_next = zeros(h0), zeros(c0)
    dxs = zeros(xs)
    for t in range(T - 1, -1, -1):
        step = LSTMStep(**{name: trace[name][t] for name in LSTMStep._fields})
        c_prev = c0 if t == 0 else trace["c_t"][t - 1]
        g = lstm_step_backward(dhs[t] + dh_next, dc_next, step, c_prev, params,
                               check=(t == T - 1))
        for name in total:
            total[name] = total[name] + getattr(g, f"d{name}")
        dxs[t] = g.dx_t
        dh_next, dc_next = g.dh_prev, g.dc_prev
        if truncate is not None and t > 0 and t % truncate == 0:
            dh_next, dc_next = zeros(h0), zeros(c0)   # the detach: nothing crosses
    return BPTTResult(grads=LSTMParams(**total), dxs=dxs, dh0=dh_next, dc0=dc_next, trace=trace)
