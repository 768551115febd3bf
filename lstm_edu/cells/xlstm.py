r"""Part V: the xLSTM's two cells (Beck, Pöppel, ..., Hochreiter 2024, arXiv 2405.04517).

Both cells keep the LSTM's additive memory and change its gates. The equations
below are the paper's sLSTM and mLSTM equations and the mLSTM's parallel
form, with the paper's names. The paper's text was not at hand when this was
written, so no equation numbers are cited; every form is checked against the
authors' code instead (see the end of this docstring). The step functions
return every quantity by name, NumPy float64 or torch, like :mod:`lstm_edu.cells.base`.

**sLSTM** (scalar memory, exponential input gate, normalizer state)::

    z_t = tanh(z̃_t)       i_t = exp(ĩ_t)       f_t = σ(f̃_t)  or  exp(f̃_t)       o_t = σ(õ_t)
    c_t = f_t c_{t-1} + i_t z_t
    n_t = f_t n_{t-1} + i_t
    h_t = o_t ⊙ c_t / n_t

where each pre-activation is ``W_g [h_{t-1}, x_t] + b_g`` (the course's
convention: hidden part first). ``z_t`` plays the role of the LSTM's
candidate ``C̃_t``. :func:`slstm_raw_step` computes exactly this.
:func:`slstm_step` is the paper's *stabilized* form::

    m_t  = max(log f_t + m_{t-1}, ĩ_t)
    i'_t = exp(ĩ_t − m_t)        f'_t = exp(log f_t + m_{t-1} − m_t)

with ``i'_t, f'_t`` in place of ``i_t, f_t``. Its ``c_t, n_t`` are the raw
ones times ``exp(−m_t)``, so ``c_t / n_t`` and ``h_t`` are unchanged.

**mLSTM** (matrix memory, no recurrence through ``h``: every gate sees ``x_t`` only)::

    q_t = W_q x_t + b_q     k_t = W_k x_t / √d + b_k     v_t = W_v x_t + b_v
    i_t = exp(ĩ_t)          f_t = σ(f̃_t) or exp(f̃_t)   o_t = σ(W_o x_t + b_o)
    C_t = f_t C_{t-1} + i_t v_t k_tᵀ
    n_t = f_t n_{t-1} + i_t k_t
    h̃_t = C_t q_t / max(|n_tᵀ q_t|, 1)        h_t = o_t ⊙ h̃_t

``ĩ_t, f̃_t`` are scalars (one per head; we have one head). The same ``m_t``
stabilizer applies, and the lower bound 1 becomes ``exp(−m_t)`` on the
stabilized scale. Because no gate depends on ``h_{t-1}``, the whole sequence
is also one masked, attention-like product: :func:`mlstm_parallel`.

**Where these cells differ from the paper's blocks.** They are the cells
alone, single-head and CPU-sized: no causal convolution, no block-diagonal
(multi-head) recurrent matrices, no up/down projections, no group/layer norm,
no residual block. The sLSTM's recurrent weights act on the whole of
``h_{t-1}`` (one head). In the authors' mLSTM layer
(``xlstm/blocks/mlstm/layer.py``) q and k come from a convolved copy of the
input, the cell's output is normalised per head, a learnable skip adds the
convolved input to ``h̃_t``, and a SiLU-gated branch takes the place of
``o_t``; our mLSTM keeps the cell's ``o_t = σ(W_o x_t + b_o)``. The authors'
step functions add ``eps = 1e-6`` to the mLSTM's denominator, start the
sLSTM's stabilizer at ``m_1 = ĩ_1`` and store the matrix memory transposed
(``k vᵀ``); ours follow the equations (no eps, ``m_0 = 0``, ``v kᵀ``). All of
these cancel in ``h_t`` (up to eps): ``tests/test_xlstm.py`` checks our steps
against transcriptions of the authors' functions (NX-AI/xlstm:
``xlstm/blocks/slstm/src/vanilla/slstm.py`` and
``xlstm/blocks/mlstm/backends.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch

from ..validate import check_bool, check_choice, check_float, check_int, is_torch
from .base import (CellParams, check_sequence, check_step, concat, linear, run_sequence, sigmoid,
                   tanh)

FORGET_GATES = ("sigmoid", "exp")


# --- elementwise functions the LSTM did not need ------------------------------

def exp(z):
    return torch.exp(z) if is_torch(z) else np.exp(z)


def log(z):
    return torch.log(z) if is_torch(z) else np.log(z)


def maximum(a, b):
    return torch.maximum(a, b) if is_torch(a) else np.maximum(a, b)


def log_sigmoid(z):
    r""":math:`\log \sigma(z) = -\log(1 + e^{-z})`, finite for every finite ``z``."""
    if is_torch(z):
        return torch.nn.functional.logsigmoid(z)
    return -np.logaddexp(0.0, -z)


def forget_gate(f_tilde, forget: str):
    """``f_t``: σ(f̃_t) or exp(f̃_t)."""
    return sigmoid(f_tilde) if forget == "sigmoid" else exp(f_tilde)


def log_forget_gate(f_tilde, forget: str):
    """``log f_t`` computed without forming ``f_t`` (no underflow to log 0)."""
    return log_sigmoid(f_tilde) if forget == "sigmoid" else f_tilde


# --- sLSTM -------------------------------------------------------------------------

@dataclass(frozen=True)
class SLSTMParams(CellParams):
    """The sLSTM's four layers, each ``W_g`` (H, H + D) on ``[h_{t-1}, x_t]`` and ``b_g`` (H,).

    ``W_z, b_z`` make the cell input ``z_t`` (the LSTM's ``C̃_t``). ``forget``
    chooses ``f_t = σ(f̃_t)`` (default, as in the authors' vanilla step) or
    ``exp(f̃_t)``.
    """

    W_i: object
    b_i: object
    W_f: object
    b_f: object
    W_z: object
    b_z: object
    W_o: object
    b_o: object
    forget: str = "sigmoid"

    options = ("forget",)
    n_states = 4           # h, c, n, m
    state_counts = (4, 3)  # the raw form carries h, c, n only

    def _check_options(self) -> None:
        check_choice("forget", self.forget, FORGET_GATES)


class SLSTMPre(NamedTuple):
    """The four pre-activations ``W_g [h_{t-1}, x_t] + b_g``, each (..., H)."""

    i_tilde: object
    f_tilde: object
    z_tilde: object
    o_tilde: object


class SLSTMRawStep(NamedTuple):
    """One raw sLSTM step: the equations as written, no stabilizer."""

    hx: object       # [h_{t-1}, x_t]      (..., H + D)
    i_tilde: object  # input-gate pre-activation
    f_tilde: object
    i_t: object      # exp(ĩ_t), in (0, inf): can overflow
    f_t: object      # σ(f̃_t) or exp(f̃_t)
    z_t: object      # tanh(z̃_t), the cell input
    o_t: object
    c_t: object
    n_t: object
    h_t: object

    @property
    def state(self):
        return (self.h_t, self.c_t, self.n_t)


class SLSTMStep(NamedTuple):
    """One stabilized sLSTM step (the stabilizer m_t on top of the raw equations)."""

    hx: object
    i_tilde: object
    f_tilde: object
    log_f_t: object  # log f_t
    m_t: object      # the stabilizer state
    i_t: object      # i'_t = exp(ĩ_t − m_t) in (0, 1]
    f_t: object      # f'_t = exp(log f_t + m_{t-1} − m_t) in (0, 1]
    z_t: object
    o_t: object
    c_t: object      # raw c_t · exp(−m_t)
    n_t: object      # raw n_t · exp(−m_t)
    h_t: object      # = raw h_t

    @property
    def state(self):
        return (self.h_t, self.c_t, self.n_t, self.m_t)


def slstm_preactivations(hx, params: SLSTMParams) -> SLSTMPre:
    return SLSTMPre(*(linear(hx, getattr(params, f"W_{g}"), getattr(params, f"b_{g}"))
                      for g in "ifzo"))


def slstm_raw_update(pre: SLSTMPre, c_prev, n_prev, forget: str = "sigmoid") -> dict:
    r"""The raw sLSTM update from its pre-activations (shared by steps and modules)."""
    i_t = exp(pre.i_tilde)
    f_t = forget_gate(pre.f_tilde, forget)
    z_t = tanh(pre.z_tilde)
    o_t = sigmoid(pre.o_tilde)
    c_t = f_t * c_prev + i_t * z_t
    n_t = f_t * n_prev + i_t
    h_t = o_t * (c_t / n_t)
    return dict(i_t=i_t, f_t=f_t, z_t=z_t, o_t=o_t, c_t=c_t, n_t=n_t, h_t=h_t)


def slstm_stabilized_update(pre: SLSTMPre, c_prev, n_prev, m_prev, forget: str = "sigmoid") -> dict:
    r"""The stabilized sLSTM update (shared by :func:`slstm_step` and the trainable layer).

    .. math::
        m_t &= \max(\log f_t + m_{t-1}, \tilde\imath_t) \\
        i'_t &= \exp(\tilde\imath_t - m_t) \qquad f'_t = \exp(\log f_t + m_{t-1} - m_t) \\
        c_t &= f'_t c_{t-1} + i'_t z_t \qquad n_t = f'_t n_{t-1} + i'_t \qquad
        h_t = o_t \odot c_t / n_t

    Every ``exp`` has an argument <= 0, so nothing overflows; and since
    :math:`m_t \ge \tilde\imath_t`, :math:`n_t \ge i'_t > 0` stays away from 0
    unless ``ĩ_t`` is ~700 (float64) below ``m_t``.
    """
    log_f_t = log_forget_gate(pre.f_tilde, forget)
    m_t = maximum(log_f_t + m_prev, pre.i_tilde)
    i_t = exp(pre.i_tilde - m_t)
    f_t = exp(log_f_t + m_prev - m_t)
    z_t = tanh(pre.z_tilde)
    o_t = sigmoid(pre.o_tilde)
    c_t = f_t * c_prev + i_t * z_t
    n_t = f_t * n_prev + i_t
    h_t = o_t * (c_t / n_t)
    return dict(log_f_t=log_f_t, m_t=m_t, i_t=i_t, f_t=f_t, z_t=z_t, o_t=o_t,
                c_t=c_t, n_t=n_t, h_t=h_t)


def slstm_raw_step(x_t, h_prev, c_prev, n_prev, params: SLSTMParams, *,
                   check: bool = True) -> SLSTMRawStep:
    r"""One sLSTM step as the paper writes it, no stabilizer: :math:`i_t = e^{\tilde\imath_t}`.

    Use it to see the idea and the overflow; train with :func:`slstm_step`.
    The starting state is ``h_0 = c_0 = n_0 = 0`` (``n_1 = i_1 > 0``).
    ``check=False`` skips the input checks (a runner checks its first step only).
    """
    check_step(params, SLSTMParams, check, x_t, h_prev, c_prev, n_prev)
    hx = concat(h_prev, x_t)
    pre = slstm_preactivations(hx, params)
    out = slstm_raw_update(pre, c_prev, n_prev, params.forget)
    return SLSTMRawStep(hx=hx, i_tilde=pre.i_tilde, f_tilde=pre.f_tilde, **out)


def slstm_step(x_t, h_prev, c_prev, n_prev, m_prev, params: SLSTMParams, *,
               check: bool = True) -> SLSTMStep:
    """One stabilized sLSTM step; see :func:`slstm_stabilized_update`. Start from all zeros.

    ``check=False`` skips the input checks (a runner checks its first step only)."""
    check_step(params, SLSTMParams, check, x_t, h_prev, c_prev, n_prev, m_prev)
    hx = concat(h_prev, x_t)
    pre = slstm_preactivations(hx, params)
    out = slstm_stabilized_update(pre, c_prev, n_prev, m_prev, params.forget)
    return SLSTMStep(hx=hx, i_tilde=pre.i_tilde, f_tilde=pre.f_tilde, **out)


def run_slstm(xs, params: SLSTMParams, stabilized: bool = True) -> dict:
    """Every intermediate of an sLSTM over ``xs`` (T, D) or (T, B, D), stacked over time.

    Starts from all-zero states; ``trace["h_t"]`` has shape (T, ..., H).
    :func:`~lstm_edu.cells.base.run_sequence` does the work.
    """
    if not isinstance(params, SLSTMParams):
        raise TypeError(f"params must be SLSTMParams, got {type(params).__name__}")
    step = slstm_step if check_bool("stabilized", stabilized) else slstm_raw_step
    return run_sequence(step, xs, params)


# --- mLSTM -------------------------------------------------------------------------

@dataclass(frozen=True)
class MLSTMParams(CellParams):
    """The mLSTM's projections, all acting on ``x_t`` alone (D = input size).

    ``W_q, W_k`` (d, D) and ``b_q, b_k`` (d,): queries and keys of dimension d;
    ``W_v, W_o`` (H, D) and ``b_v, b_o`` (H,): values and output gate;
    ``w_i, w_f`` (D,) and ``b_i, b_f`` scalars stored as (1,): the scalar
    input and forget gates. The memory ``C_t`` is (H, d). The paper has
    ``d = H``; we allow a different key size to keep the recall task small.
    """

    W_q: object
    b_q: object
    W_k: object
    b_k: object
    W_v: object
    b_v: object
    w_i: object
    b_i: object
    w_f: object
    b_f: object
    W_o: object
    b_o: object
    forget: str = "sigmoid"

    options = ("forget",)
    n_states = 3  # C, n, m

    def _check_options(self) -> None:
        check_choice("forget", self.forget, FORGET_GATES)

    @classmethod
    def shapes(cls, input_size: int, hidden_size: int,
               key_size: int | None = None) -> dict[str, tuple[int, ...]]:
        """q, k (d, D); v, o (H, D); the scalar gates' weights (D,) and biases (1,)."""
        D, H = input_size, hidden_size
        d = H if key_size is None else key_size
        return {"W_q": (d, D), "b_q": (d,), "W_k": (d, D), "b_k": (d,),
                "W_v": (H, D), "b_v": (H,), "w_i": (D,), "b_i": (1,),
                "w_f": (D,), "b_f": (1,), "W_o": (H, D), "b_o": (H,)}

    def sizes(self) -> dict[str, int]:
        d, D = self.W_q.shape
        H = self.W_v.shape[0]
        if H < 1:
            raise ValueError(f"hidden size H must be >= 1, got W_v with shape "
                             f"{tuple(self.W_v.shape)}")
        if d < 1 or D < 1:
            raise ValueError(f"W_q must have shape (d, D) with d, D >= 1, "
                             f"got shape {tuple(self.W_q.shape)}")
        return {"input_size": D, "hidden_size": H, "key_size": d}

    @property
    def key_size(self) -> int:
        return self.sizes()["key_size"]

    def state_shapes(self) -> dict[str, tuple[int, ...]]:
        """``C`` (H, d), ``n`` (d,), ``m`` (1,) for one sample."""
        H, d = self.hidden_size, self.key_size
        return {"C_prev": (H, d), "n_prev": (d,), "m_prev": (1,)}


class MLSTMPre(NamedTuple):
    """What the mLSTM computes from ``x_t`` alone: (..., d), (..., H) or (..., 1)."""

    q_t: object
    k_t: object      # already scaled: W_k x_t / √d + b_k
    v_t: object
    i_tilde: object  # (..., 1)
    f_tilde: object  # (..., 1)
    o_t: object


def mlstm_projections(x_t, params: MLSTMParams) -> MLSTMPre:
    """q, k, v, the gate pre-activations and o_t for ``x_t`` (..., D); works on (T, ..., D) too."""
    d = params.key_size
    q_t = linear(x_t, params.W_q, params.b_q)
    k_t = (x_t @ params.W_k.T) / math.sqrt(d) + params.b_k
    v_t = linear(x_t, params.W_v, params.b_v)
    i_tilde = x_t @ params.w_i[:, None] + params.b_i
    f_tilde = x_t @ params.w_f[:, None] + params.b_f
    o_t = sigmoid(linear(x_t, params.W_o, params.b_o))
    return MLSTMPre(q_t, k_t, v_t, i_tilde, f_tilde, o_t)


class MLSTMStep(NamedTuple):
    """One stabilized mLSTM step. ``C_t`` is (..., H, d), ``n_t`` (..., d), scalars (..., 1)."""

    q_t: object
    k_t: object
    v_t: object
    i_tilde: object
    f_tilde: object
    m_t: object
    i_t: object      # i'_t = exp(ĩ_t − m_t)
    f_t: object      # f'_t = exp(log f_t + m_{t-1} − m_t)
    o_t: object
    C_t: object      # raw C_t · exp(−m_t)
    n_t: object      # raw n_t · exp(−m_t)
    denom: object    # max(|n_tᵀ q_t|, exp(−m_t)) = raw max(|n_tᵀ q_t|, 1) · exp(−m_t)
    h_tilde: object  # C_t q_t / denom
    h_t: object      # o_t ⊙ h̃_t

    @property
    def state(self):
        return (self.C_t, self.n_t, self.m_t)


def _outer(v, k):
    """v kᵀ for rows v (..., H), k (..., d): (..., H, d)."""
    return v[..., :, None] * k[..., None, :]


def _matvec(C, q):
    """C q for (..., H, d) and (..., d): (..., H)."""
    return (C * q[..., None, :]).sum(-1)


def _dot(n, q):
    """nᵀ q over the last axis, kept as (..., 1)."""
    return (n * q).sum(-1)[..., None]


def _abs(a):
    return a.abs() if is_torch(a) else np.abs(a)


def mlstm_stabilized_update(pre: MLSTMPre, C_prev, n_prev, m_prev, forget: str = "sigmoid") -> dict:
    r"""The stabilized mLSTM recurrence (shared by :func:`mlstm_step` and the trainable layer).

    .. math::
        m_t &= \max(\log f_t + m_{t-1}, \tilde\imath_t) \\
        C_t &= f'_t C_{t-1} + i'_t\, v_t k_t^\top \qquad n_t = f'_t n_{t-1} + i'_t k_t \\
        \tilde h_t &= C_t q_t / \max(|n_t^\top q_t|, e^{-m_t}) \qquad h_t = o_t \odot \tilde h_t
    """
    log_f_t = log_forget_gate(pre.f_tilde, forget)
    m_t = maximum(log_f_t + m_prev, pre.i_tilde)
    i_t = exp(pre.i_tilde - m_t)
    f_t = exp(log_f_t + m_prev - m_t)
    C_t = f_t[..., None] * C_prev + i_t[..., None] * _outer(pre.v_t, pre.k_t)
    n_t = f_t * n_prev + i_t * pre.k_t
    denom = maximum(_abs(_dot(n_t, pre.q_t)), exp(-m_t))
    h_tilde = _matvec(C_t, pre.q_t) / denom
    h_t = pre.o_t * h_tilde
    return dict(m_t=m_t, i_t=i_t, f_t=f_t, C_t=C_t, n_t=n_t, denom=denom,
                h_tilde=h_tilde, h_t=h_t)


def mlstm_step(x_t, C_prev, n_prev, m_prev, params: MLSTMParams, *,
               check: bool = True) -> MLSTMStep:
    """One stabilized mLSTM step.

    Start from ``C_0 = 0`` (..., H, d), ``n_0 = 0`` (..., d), ``m_0 = 0`` (..., 1):
    :func:`mlstm_zero_state`. ``check=False`` skips the input checks.
    """
    check_step(params, MLSTMParams, check, x_t, C_prev, n_prev, m_prev)
    pre = mlstm_projections(x_t, params)
    out = mlstm_stabilized_update(pre, C_prev, n_prev, m_prev, params.forget)
    return MLSTMStep(q_t=pre.q_t, k_t=pre.k_t, v_t=pre.v_t, i_tilde=pre.i_tilde,
                     f_tilde=pre.f_tilde, o_t=pre.o_t, **out)


def mlstm_zero_state(x_t, params: MLSTMParams) -> tuple:
    """``(C_0, n_0, m_0)`` of zeros for an input like ``x_t`` (..., D): ``params.zero_state``."""
    if not isinstance(params, MLSTMParams):
        raise TypeError(f"params must be MLSTMParams, got {type(params).__name__}")
    return params.zero_state(x_t)


def run_mlstm(xs, params: MLSTMParams) -> dict:
    """The recurrent form over ``xs`` (T, D) or (T, B, D); every intermediate stacked over time."""
    if not isinstance(params, MLSTMParams):
        raise TypeError(f"params must be MLSTMParams, got {type(params).__name__}")
    return run_sequence(mlstm_step, xs, params)


class MLSTMParallel(NamedTuple):
    """The parallel form's matrices, for a sequence (T, ..., ·); rows are ``t``, columns ``s``."""

    log_F: object    # (..., T, T): Σ_{r=s+1}^{t} log f_r for s <= t, −inf above the diagonal
    log_D: object    # (..., T, T): log_F + ĩ_s, the log of the gate-decay matrix D̃
    m: object        # (..., T, 1): row maxima of log_D, the stabilizer
    D: object        # (..., T, T): exp(log_D − m)
    C: object        # (..., T, T): (q_t · k_s) ⊙ D, keys already scaled by 1/√d
    denom: object    # (..., T, 1): max(|Σ_s C_ts|, exp(−m_t))
    h_tilde: object  # (..., T, H): (C / denom) V
    h_t: object      # (..., T, H): o_t ⊙ h̃_t


def _time_last(a, xs):
    """(T, ..., k) -> (..., T, k): batch in front, the way the matrices are formed."""
    return a.movedim(0, -2) if is_torch(a) else np.moveaxis(a, 0, -2)


def mlstm_parallel_from_projections(pre: MLSTMPre, forget: str = "sigmoid") -> MLSTMParallel:
    """The parallel form from projections laid out (..., T, ·) (shared with the trainable layer)."""
    q, k, v, i_tilde, f_tilde, o = pre
    T = q.shape[-2]
    log_f = log_forget_gate(f_tilde, forget)                     # (..., T, 1)
    if is_torch(q):
        cum = torch.cumsum(log_f, dim=-2)
        tri = torch.tril(torch.ones((T, T), dtype=torch.bool, device=q.device))
        swap = lambda a: a.transpose(-1, -2)
        where, neg_inf = torch.where, torch.tensor(-math.inf, dtype=q.dtype, device=q.device)
        row_max = lambda a: a.max(dim=-1, keepdim=True).values
        row_sum = lambda a: a.sum(dim=-1, keepdim=True)
    else:
        cum = np.cumsum(log_f, axis=-2)
        tri = np.tril(np.ones((T, T), dtype=bool))
        swap = lambda a: np.swapaxes(a, -1, -2)
        where, neg_inf = np.where, -np.inf
        row_max = lambda a: a.max(axis=-1, keepdims=True)
        row_sum = lambda a: a.sum(axis=-1, keepdims=True)
    # log F_ts = cum_t − cum_s: the forget gates after s, up to and including t
    log_F = where(tri, cum - swap(cum), neg_inf)
    log_D = log_F + swap(i_tilde)
    m = row_max(log_D)
    D = exp(log_D - m)
    C = (q @ swap(k)) * D
    denom = maximum(_abs(row_sum(C)), exp(-m))
    h_tilde = (C / denom) @ v
    return MLSTMParallel(log_F=log_F, log_D=log_D, m=m, D=D, C=C, denom=denom,
                         h_tilde=h_tilde, h_t=o * h_tilde)


def mlstm_parallel(xs, params: MLSTMParams) -> MLSTMParallel:
    r"""The whole sequence at once, the paper's parallel (attention-like) form.

    .. math::
        \log F_{ts} &= \textstyle\sum_{r=s+1}^{t} \log f_r \ (s \le t), \quad -\infty \ (s > t) \\
        \log \tilde D_{ts} &= \log F_{ts} + \tilde\imath_s \qquad m_t = \max_s \log \tilde D_{ts}
            \qquad D'_{ts} = e^{\log \tilde D_{ts} - m_t} \\
        C'_{ts} &= (q_t^\top k_s)\, D'_{ts} \qquad
        \tilde h_t = \frac{\sum_s C'_{ts} v_s}{\max(|\sum_s C'_{ts}|, e^{-m_t})}

    with ``k_s`` already scaled by 1/√d. It equals :func:`run_mlstm` (another
    ``m``, which cancels): the test checks <= 1e-10 in float64. Costs O(T²)
    memory, where the recurrence costs O(H d) per step.
    Returns the matrices with batch first: ``h_t`` is (..., T, H).
    """
    if not isinstance(params, MLSTMParams):
        raise TypeError(f"params must be MLSTMParams, got {type(params).__name__}")
    check_sequence("xs", xs, like=params.W_q)
    if xs.shape[-1] != params.input_size:
        raise ValueError(
            f"xs must have last dimension D={params.input_size}, got shape {tuple(xs.shape)}"
        )
    pre = MLSTMPre(*(_time_last(a, xs) for a in mlstm_projections(xs, params)))
    return mlstm_parallel_from_projections(pre, params.forget)


# --- random parameters for examples and tests ---------------------------------------

def _random_sizes(input_size, hidden_size, seed, scale):
    """The checked sizes of a random cell and its generator."""
    D = check_int("input_size", input_size, low=1)
    H = check_int("hidden_size", hidden_size, low=1)
    check_float("scale", scale, low=0.0)
    return D, H, np.random.default_rng(check_int("seed", seed, low=0))


def random_slstm_params(input_size: int, hidden_size: int, seed: int = 0, scale: float = 0.5,
                        forget: str = "sigmoid") -> SLSTMParams:
    """Normal(0, scale²) weights in float64, for walkthroughs and tests."""
    D, H, rng = _random_sizes(input_size, hidden_size, seed, scale)
    return SLSTMParams(**{f"{k}_{g}": scale * rng.normal(size=(H, H + D) if k == "W" else (H,))
                          for g in "ifzo" for k in "Wb"}, forget=forget)


def random_mlstm_params(input_size: int, hidden_size: int, key_size: int | None = None,
                        seed: int = 0, scale: float = 0.5, forget: str = "sigmoid") -> MLSTMParams:
    """Normal(0, scale²) weights in float64; ``key_size`` d defaults to H."""
    D, H, rng = _random_sizes(input_size, hidden_size, seed, scale)
    d = H if key_size is None else check_int("key_size", key_size, low=1)
    shapes = MLSTMParams.shapes(D, H, d)
    return MLSTMParams(**{n: scale * rng.normal(size=s) for n, s in shapes.items()}, forget=forget)
