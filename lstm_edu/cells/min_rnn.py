r"""minGRU and minLSTM (Feng et al. 2024, "Were RNNs All We Needed?", arXiv 2410.01201).

Both drop :math:`h_{t-1}` from every gate. A gate then depends on
:math:`x_t` alone, and each step is an affine map of the previous state::

    h_t = a_t ⊙ h_{t-1} + b_t        a_t, b_t : (..., H), computed from x_t only

minGRU:  z_t = σ(W_z x_t + b_z),  h̃_t = W_h x_t + b_h,
         a_t = 1 − z_t,           b_t = z_t ⊙ h̃_t.
minLSTM: f_t = σ(W_f x_t + b_f),  i_t = σ(W_i x_t + b_i),  h̃_t = W_h x_t + b_h,
         f′_t = f_t / (f_t + i_t),  i′_t = i_t / (f_t + i_t),
         a_t = f′_t,              b_t = i′_t ⊙ h̃_t.

Unlike the cells in ``base``, the weights act on :math:`x_t` only:
``W_z : (H, D)``, not ``(H, H + D)``.

Because no ``a_t`` or ``b_t`` waits for ``h_{t-1}``, all of them are computed
for the whole sequence at once, and the recurrence is then a *scan*. Three
ways to run it live here:

* :func:`sequential_scan` - the loop, one step at a time; any sign of ``a``;
* :func:`log_space_scan` - the paper's log-space form (its Appendix B, the
  "Heinsen" scan)::

      a*_t   = Σ_{k≤t} log a_k
      log h_t = a*_t + logcumsumexp_{k≤t}(log b_k − a*_k)

  It needs ``a > 0`` and ``b > 0``, so the log-space models replace h̃ by the
  paper's positive ``g(x) = x + 0.5 (x ≥ 0), σ(x) (x < 0)`` (``candidate="g"``);
* :func:`cumprod_scan` - the same sum without logs, :math:`h_t = P_t (h_0 +
  Σ_{k≤t} b_k / P_k)` with :math:`P_t = Π_{k≤t} a_k`; exact on paper, but
  ``P_t`` underflows after a few hundred steps, which is why the paper goes to
  log space.

The log forms follow the paper's pseudo-code as transcribed in
lucidrains/minGRU-pytorch (``minGRU_pytorch/minGRU.py`` and ``minLSTM.py``,
commit 38b26e1); ``tests/test_min_rnn.py`` checks ours against that
transcription. Arrays are NumPy (float64 walkthroughs) or torch (training).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch

from ..validate import (
    check_array,
    check_bool,
    check_choice,
    check_finite,
    check_same_device,
    check_same_dtype,
    check_same_kind,
    has_values,
    is_torch,
)
from .base import CellParams, check_step, linear, run_sequence, sigmoid

CANDIDATES = ("g", "linear")


# --- elementwise pieces, NumPy and torch alike --------------------------------

def softplus(x):
    r""":math:`\log(1 + e^x)`, without overflow."""
    if is_torch(x):
        return torch.nn.functional.softplus(x)
    return np.logaddexp(0.0, x)


def g(x):
    r"""The paper's positive candidate: :math:`x + 0.5` for :math:`x \ge 0`, else :math:`\sigma(x)`.

    Continuous at 0 (both sides give 0.5) and always > 0, so its log exists.
    """
    if is_torch(x):
        return torch.where(x >= 0, x + 0.5, torch.sigmoid(x))
    return np.where(x >= 0, x + 0.5, sigmoid(x))


def log_g(x):
    r""":math:`\log g(x)`: :math:`\log(x + 0.5)` or :math:`\log\sigma(x) = -\mathrm{softplus}(-x)`.

    ``relu`` inside the log keeps the branch that ``where`` discards finite,
    so its gradient cannot turn into NaN.
    """
    if is_torch(x):
        return torch.where(x >= 0, torch.log(torch.relu(x) + 0.5), -softplus(-x))
    return np.where(x >= 0, np.log(np.maximum(x, 0.0) + 0.5), -softplus(-x))


def _candidate(pre, candidate):
    return g(pre) if candidate == "g" else pre


# --- parameters ------------------------------------------------------------

@dataclass(frozen=True)
class MinParams(CellParams):
    """Weights that act on ``x_t`` alone: ``W_<gate>`` (H, D), ``b_<gate>`` (H,).

    :class:`~lstm_edu.cells.base.CellParams` with ``acts_on = "x"``; it only
    names the family, so that a scan can ask for "minGRU or minLSTM".
    """

    acts_on = "x"


@dataclass(frozen=True)
class MinGRUParams(MinParams):
    """minGRU: the update gate ``z`` and the candidate ``h̃``."""

    W_z: object
    b_z: object
    W_h: object
    b_h: object


@dataclass(frozen=True)
class MinLSTMParams(MinParams):
    """minLSTM: forget gate ``f``, input gate ``i`` and the candidate ``h̃``."""

    W_f: object
    b_f: object
    W_i: object
    b_i: object
    W_h: object
    b_h: object


def _check_x(params: MinParams, x, name: str, ndim) -> None:
    if not isinstance(params, MinParams):
        raise TypeError(
            f"params must be MinGRUParams or MinLSTMParams, got {type(params).__name__}")
    check_array(name, x, ndim=ndim)
    _check_alike(**{name: x}, params=params._first_weight())
    if x.shape[-1] != params.input_size:
        raise ValueError(
            f"{name} must have last dimension D={params.input_size}, got shape {tuple(x.shape)}")
    check_finite(name, x, "a NaN or inf in an input spreads to every later state")


def _check_alike(**arrays) -> None:
    """One kind (NumPy or torch), one dtype, one device: the policy of every cell."""
    check_same_kind(**arrays)
    check_same_dtype(**arrays)
    check_same_device(**arrays)


def _check_state(name: str, h, expected: tuple, x) -> None:
    check_array(name, h)
    _check_alike(**{name: h}, x=x)
    if tuple(h.shape) != expected:
        raise ValueError(f"{name} must have shape {expected}, got shape {tuple(h.shape)}")
    check_finite(name, h)


# --- one step ----------------------------------------------------------------

class MinGRUStep(NamedTuple):
    """Everything one minGRU step computes; each entry (..., H)."""

    z_t: object      # update gate, from x_t alone
    h_tilde: object  # candidate h̃_t
    a_t: object      # coefficient of h_{t-1}: 1 − z_t (or 1 − 2 z_t if negative)
    b_t: object      # z_t ⊙ h̃_t
    h_t: object

    @property
    def state(self):
        return (self.h_t,)


class MinLSTMStep(NamedTuple):
    """Everything one minLSTM step computes; each entry (..., H)."""

    f_t: object
    i_t: object
    f_prime: object  # f_t / (f_t + i_t)
    i_prime: object  # i_t / (f_t + i_t)
    h_tilde: object
    a_t: object      # f′_t (or 2 f′_t − 1 if negative)
    b_t: object      # i′_t ⊙ h̃_t
    h_t: object

    @property
    def state(self):
        return (self.h_t,)


def _check_options(candidate: str, negative: bool) -> None:
    check_choice("candidate", candidate, CANDIDATES)
    check_bool("negative", negative)


def min_gru_step(x_t, h_prev, params: MinGRUParams, *, candidate: str = "g",
                 negative: bool = False, check: bool = True) -> MinGRUStep:
    r""":math:`h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t`, gates from :math:`x_t` only.

    ``negative=True`` is the try-it variant with :math:`a_t = 1 - 2 z_t \in (-1, 1)`
    (the map :math:`a \mapsto 2a - 1` of Grazzi et al. 2024, see ``modules.min_rnn``).
    ``check=False`` skips the input checks (a runner checks its first step only).
    """
    _check_options(candidate, negative)
    check_step(params, MinGRUParams, check, x_t, h_prev)
    z_t = sigmoid(linear(x_t, params.W_z, params.b_z))
    h_tilde = _candidate(linear(x_t, params.W_h, params.b_h), candidate)
    a_t = 2 * (1 - z_t) - 1 if negative else 1 - z_t
    b_t = z_t * h_tilde
    return MinGRUStep(z_t=z_t, h_tilde=h_tilde, a_t=a_t, b_t=b_t, h_t=a_t * h_prev + b_t)


def min_lstm_step(x_t, h_prev, params: MinLSTMParams, *, candidate: str = "g",
                  negative: bool = False, check: bool = True) -> MinLSTMStep:
    r""":math:`h_t = f'_t \odot h_{t-1} + i'_t \odot \tilde h_t` with :math:`f' + i' = 1`."""
    _check_options(candidate, negative)
    check_step(params, MinLSTMParams, check, x_t, h_prev)
    f_t = sigmoid(linear(x_t, params.W_f, params.b_f))
    i_t = sigmoid(linear(x_t, params.W_i, params.b_i))
    f_prime = f_t / (f_t + i_t)
    i_prime = i_t / (f_t + i_t)
    h_tilde = _candidate(linear(x_t, params.W_h, params.b_h), candidate)
    a_t = 2 * f_prime - 1 if negative else f_prime
    b_t = i_prime * h_tilde
    return MinLSTMStep(f_t=f_t, i_t=i_t, f_prime=f_prime, i_prime=i_prime, h_tilde=h_tilde,
                       a_t=a_t, b_t=b_t, h_t=a_t * h_prev + b_t)


# --- the whole sequence: coefficients first, then a scan ------------------------

def _check_xs(params, xs):
    _check_x(params, xs, "xs", (2, 3))
    if xs.shape[0] == 0:
        raise ValueError(f"xs must hold at least one time step, got shape {tuple(xs.shape)}")


def coefficients(xs, params: MinParams, *, candidate: str = "g", negative: bool = False):
    """``(a, b)`` of ``h_t = a_t ⊙ h_{t-1} + b_t`` for every t at once: each (T, ..., H).

    The same formulas as the step functions, applied to all of ``xs`` (T, D) or
    (T, B, D) in one go; this is what dropping ``h_{t-1}`` from the gates buys.
    """
    _check_options(candidate, negative)
    _check_xs(params, xs)
    if isinstance(params, MinGRUParams):
        z = sigmoid(linear(xs, params.W_z, params.b_z))
        a = 1 - 2 * z if negative else 1 - z
        return a, z * _candidate(linear(xs, params.W_h, params.b_h), candidate)
    f = sigmoid(linear(xs, params.W_f, params.b_f))
    i = sigmoid(linear(xs, params.W_i, params.b_i))
    f_prime, i_prime = f / (f + i), i / (f + i)
    a = 2 * f_prime - 1 if negative else f_prime
    return a, i_prime * _candidate(linear(xs, params.W_h, params.b_h), candidate)


def log_coefficients(xs, params: MinParams):
    r"""``(log a, log b)`` computed in log space, as the paper's Appendix B does.

    minGRU: :math:`\log(1 - z) = -\mathrm{softplus}(k)`, :math:`\log z = -\mathrm{softplus}(-k)`
    for :math:`k = W_z x + b_z`. minLSTM: with
    :math:`d = \mathrm{softplus}(-k_f) - \mathrm{softplus}(-k_i) = \log(i/f)`,
    :math:`\log f' = -\mathrm{softplus}(d)` and :math:`\log i' = -\mathrm{softplus}(-d)`.
    No sigmoid is formed, so a gate near 0 gives a large negative log instead of log(0).
    The candidate is always ``g`` here: ``log b`` needs ``b > 0``.
    """
    _check_xs(params, xs)
    log_h_tilde = log_g(linear(xs, params.W_h, params.b_h))
    if isinstance(params, MinGRUParams):
        k = linear(xs, params.W_z, params.b_z)
        return -softplus(k), -softplus(-k) + log_h_tilde
    k_f = linear(xs, params.W_f, params.b_f)
    k_i = linear(xs, params.W_i, params.b_i)
    d = softplus(-k_f) - softplus(-k_i)  # log(i / f)
    return -softplus(d), -softplus(-d) + log_h_tilde


def _cumsum(a):
    return torch.cumsum(a, dim=0) if is_torch(a) else np.cumsum(a, axis=0)


def _logcumsumexp(a):
    return torch.logcumsumexp(a, dim=0) if is_torch(a) else np.logaddexp.accumulate(a, axis=0)


def _check_ab(a, b, names=("a", "b"), check: bool = True):
    if not check_bool("check", check):
        return
    check_array(names[0], a)
    check_array(names[1], b)
    _check_alike(**{names[0]: a, names[1]: b})
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, got "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    if a.ndim < 2 or a.shape[0] == 0:
        raise ValueError(f"{names[0]} must have shape (T, ..., H) with T >= 1, got shape "
                         f"{tuple(a.shape)}")
    for name, arr in ((names[0], a), (names[1], b)):
        check_finite(name, arr, "a NaN or inf in a coefficient spreads to every later state")


def _h0(h0, like, name="h0", check: bool = True):
    if h0 is not None and check:
        _check_state(name, h0, tuple(like.shape[1:]), like)
    return h0


def sequential_scan(a, b, h0=None, *, check: bool = True):
    """The loop: ``h_t = a_t ⊙ h_{t-1} + b_t`` for t = 1..T, from ``h0`` (default 0).

    ``a, b`` (T, ..., H); returns ``h`` (T, ..., H). T Python-level steps.
    ``check=False`` skips the input checks (for coefficients made from a checked input).
    """
    _check_ab(a, b, check=check)
    h0 = _h0(h0, a, check=check)
    h = b[0] * 0 if h0 is None else h0
    hs = []
    for a_t, b_t in zip(a, b):
        h = a_t * h + b_t
        hs.append(h)
    return torch.stack(hs) if is_torch(a) else np.stack(hs)


def log_space_scan(log_a, log_b, log_h0=None, *, check: bool = True):
    r"""The same recurrence in a handful of whole-sequence operations (no loop over t).

    .. math::
        a^*_t = \sum_{k \le t} \log a_k, \qquad
        \log h_t = a^*_t + \operatorname{logcumsumexp}_{k \le t}(\log b_k - a^*_k)

    With ``log_h0`` the row ``log h_0`` is prepended with :math:`a^*_0 = 0`,
    as in the paper's ``parallel_scan_log``. Returns ``h = exp(log h)``, (T, ..., H).
    Valid only for ``a > 0`` and ``b > 0``; a negative coefficient has no real log.
    ``check=False`` skips the input checks (for coefficients made from a checked input).
    """
    _check_ab(log_a, log_b, names=("log_a", "log_b"), check=check)
    log_h0 = _h0(log_h0, log_a, "log_h0", check=check)
    if log_h0 is not None:
        cat = torch.cat if is_torch(log_a) else np.concatenate
        log_a = cat([log_a[:1] * 0, log_a])
        log_b = cat([log_h0[None], log_b])
    a_star = _cumsum(log_a)
    log_h = a_star + _logcumsumexp(log_b - a_star)
    h = torch.exp(log_h) if is_torch(log_h) else np.exp(log_h)
    return h if log_h0 is None else h[1:]


def cumprod_scan(a, b, h0=None, *, check: bool = True):
    r""":math:`h_t = P_t (h_0 + \sum_{k \le t} b_k / P_k)`, :math:`P_t = \prod_{k \le t} a_k`.

    Whole-sequence operations like the log-space scan, any sign of ``a`` (but
    not 0). Exact algebra, bad numerics: ``P_t`` shrinks geometrically, so
    ``b_k / P_k`` overflows after a few hundred steps of gates near 0.5.
    ``check=False`` skips the input checks.
    """
    _check_ab(a, b, check=check)
    h0 = _h0(h0, a, check=check)
    if check and has_values(a) and bool((a == 0).any()):
        raise ValueError("a must be nonzero everywhere for cumprod_scan (it divides by the "
                         "running product P_t); use sequential_scan, which takes a = 0")
    P = torch.cumprod(a, dim=0) if is_torch(a) else np.cumprod(a, axis=0)
    acc = _cumsum(b / P)
    return P * (acc if h0 is None else acc + h0)


def min_rnn_loop(xs, params: MinParams, h0=None, *, candidate: str = "g",
                 negative: bool = False) -> dict:
    """Run the step function at every t; every intermediate stacked over time.

    ``trace["h_t"]`` has shape (T, ..., H). This is the reference the scans are tested
    against; :func:`~lstm_edu.cells.base.run_sequence` does the work, from ``h0`` or
    from zeros made like ``xs`` (its dtype and device).
    """
    _check_xs(params, xs)
    _check_options(candidate, negative)
    step = min_gru_step if isinstance(params, MinGRUParams) else min_lstm_step
    if h0 is not None:
        _check_state("h0", h0, tuple(xs.shape[1:-1]) + (params.hidden_size,), xs)
    return run_sequence(step, xs, params, None if h0 is None else (h0,),
                        candidate=candidate, negative=negative)


def min_rnn_scan(xs, params: MinParams, h0=None):
    """h for the whole sequence by the log-space scan (candidate ``g``, ``a`` in (0, 1)).

    ``h0`` must be > 0 if given (its log is taken); default: zeros, which the
    scan handles by leaving the ``h0`` row out.
    """
    log_a, log_b = log_coefficients(xs, params)  # xs and params checked here
    if h0 is None:
        return log_space_scan(log_a, log_b, check=False)
    _check_state("h0", h0, tuple(log_a.shape[1:]), xs)
    if has_values(h0) and not bool((h0 > 0).all()):
        raise ValueError("h0 must be > 0 for the log-space scan (its log is taken); "
                         "use min_rnn_loop for other starting states")
    return log_space_scan(log_a, log_b, torch.log(h0) if is_torch(h0) else np.log(h0),
                          check=False)
