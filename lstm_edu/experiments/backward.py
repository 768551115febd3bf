r"""Notebook 14's measurements of the LSTM's backward pass: they compute, never draw.

* :func:`cell_path` - :math:`\|\partial C_T/\partial C_t\|` against distance: the full
  Jacobian (every path) against the direct path :math:`\prod \mathrm{diag}(f)`.
* :func:`truncation_bias` and :func:`tbptt_saved_bytes` - what truncated BPTT changes in
  the gradient, and what it saves in memory.
* :func:`train_recall_tbptt` - the recall task of 03, trained with the state detached
  every ``k`` steps (the loop notebook 14 writes in its cells).
* :func:`train_exploding_rnn` - 03's exploding tanh RNN, trained with and without
  ``clip_grad_norm_``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..cells import (LSTMParams, load_lstm_params, lstm_params_from_torch, lstm_step,
                     run_sequence, set_gate_bias)
from ..cells.bridge import LSTM_TORCH_ORDER
from ..cells.lstm_backward import lstm_bptt
from ..data import recall_task
from ..modules.classic import gate_biases
from ..validate import check_float, check_int
from .gradients import recall_sequence

FORGET_INITS = ("0", "1", "chrono")


def forget_biases(init: str, T: int) -> tuple[float, float]:
    """(forget bias, input bias) of ``init``: "0", "1", or "chrono" (ln T and -ln T)."""
    if init not in FORGET_INITS:
        raise ValueError(f"init must be one of {FORGET_INITS}, got {init!r}")
    if init == "0":
        return 0.0, 0.0
    return gate_biases({"1": "one", "chrono": "chrono"}[init], T)   # the course's one rule


def lstm_for_path(forget_bias: float, input_bias: float = 0.0, H: int = 32, D: int = 8,
                  seed: int = 0):
    """An LSTM with PyTorch's default init (float64), its forget and input biases set.

    The same H, D and seed as 03's tanh RNN (``scaled_rnn``), so the two are compared
    on the same inputs.
    """
    torch.manual_seed(check_int("seed", seed, low=0))
    lstm = nn.LSTM(check_int("D", D, low=1), check_int("H", H, low=1), dtype=torch.float64)
    set_gate_bias(lstm, "f", check_float("forget_bias", forget_bias, low=-20, high=20))
    set_gate_bias(lstm, "i", check_float("input_bias", input_bias, low=-20, high=20))
    return lstm_params_from_torch(lstm)


def state_jacobians(params, trace: dict, c0) -> np.ndarray:
    r"""Every step's Jacobian :math:`\partial(h_t, C_t)/\partial(h_{t-1}, C_{t-1})`, (T, 2H, 2H).

    Written out from the forward record (NumPy float64). With :math:`a = W[h, x] + b`
    only the first H columns of each :math:`W` act on :math:`h_{t-1}`.
    """
    H = params.hidden_size
    T = trace["h_t"].shape[0]
    Wh = {g: getattr(params, f"W_{g}")[:, :H] for g in "fico"}
    J = np.zeros((T, 2 * H, 2 * H))
    for t in range(T):
        f, i, c_til, o, c = (trace[k][t] for k in ("f_t", "i_t", "c_tilde", "o_t", "c_t"))
        c_prev = c0 if t == 0 else trace["c_t"][t - 1]
        tanh_c = np.tanh(c)
        dC_dh = ((c_prev * f * (1 - f))[:, None] * Wh["f"] + (c_til * i * (1 - i))[:, None]
                 * Wh["i"] + (i * (1 - c_til ** 2))[:, None] * Wh["c"])
        dh_dh = (tanh_c * o * (1 - o))[:, None] * Wh["o"] + (o * (1 - tanh_c ** 2))[:, None] * dC_dh
        J[t, :H, :H] = dh_dh
        J[t, :H, H:] = np.diag(o * (1 - tanh_c ** 2) * f)
        J[t, H:, :H] = dC_dh
        J[t, H:, H:] = np.diag(f)
    return J


@dataclass(frozen=True)
class CellPath:
    """‖∂C_T/∂C_t‖₂ at distance T − t = 0 … T: every path, and the direct one."""

    distance: np.ndarray  # (T + 1,)
    full: np.ndarray      # spectral norm of the C→C block of the product of step Jacobians
    direct: np.ndarray    # spectral norm of prod diag(f_k): the largest product of one unit's f
    f_mean: float         # mean forget gate along the sequence
    forget_bias: float


def cell_path(forget_bias: float = 1.0, input_bias: float = 0.0, T: int = 50, H: int = 32,
              seed: int = 0) -> CellPath:
    r"""How much of a nudge to :math:`C_t` reaches :math:`C_T`, on 03's recall inputs.

    ``full`` holds :math:`h_t` fixed and moves :math:`C_t` alone: the C→C block of
    :math:`\prod_k \partial(h_k, C_k)/\partial(h_{k-1}, C_{k-1})`, which sums the direct
    path and every path that leaves the cell state through :math:`h` and the gates and
    comes back. ``direct`` is the first alone, :math:`\prod_k \mathrm{diag}(f_k)`.
    """
    T = check_int("T", T, low=1, high=500)
    params = lstm_for_path(forget_bias, input_bias, H=H, seed=seed)
    xs = recall_sequence(T, seed=seed).numpy()
    trace = run_sequence(lstm_step, xs, params)
    J = state_jacobians(params, trace, np.zeros(H))
    M = np.eye(2 * H)
    full, direct = [1.0], [1.0]
    f_prod = np.ones(H)
    for t in range(T - 1, -1, -1):     # distance T - t + 1 ... : multiply in the earlier step
        M = M @ J[t]
        f_prod = f_prod * trace["f_t"][t]
        full.append(float(np.linalg.norm(M[H:, H:], 2)))
        direct.append(float(f_prod.max()))
    return CellPath(distance=np.arange(T + 1), full=np.array(full), direct=np.array(direct),
                    f_mean=float(trace["f_t"].mean()), forget_bias=float(forget_bias))


# --- checks any model can use -----------------------------------------------------------

def autograd_lstm(xs: np.ndarray, params, dhs: np.ndarray, state0=None) -> dict:
    """What ``loss.backward()`` gives for ``L = Σ_t dhs[t] · h_t`` on ``nn.LSTM`` (float64).

    The weights are loaded through the course's bridge (``load_lstm_params``), and the
    gradients are read back in the course's layout: ``grads`` is an ``LSTMParams`` (the
    bridge sums torch's two biases, so their gradients, equal, are taken once), then
    ``dxs``, ``dh0`` and ``dc0``.
    """
    for name, a in (("xs", xs), ("dhs", dhs)):
        if not isinstance(a, np.ndarray) or a.dtype != np.float64:
            raise TypeError(f"{name} must be a float64 numpy.ndarray, got {type(a).__name__}")
    H = params.hidden_size
    lstm = load_lstm_params(nn.LSTM(params.input_size, H, dtype=torch.float64), params)
    x = torch.tensor(xs, requires_grad=True)
    batch = xs.shape[1:-1]
    if state0 is None:
        state0 = (np.zeros(batch + (H,)), np.zeros(batch + (H,)))
    h0, c0 = (torch.tensor(s[None], requires_grad=True) for s in state0)
    out, _ = lstm(x, (h0, c0))
    (out * torch.from_numpy(dhs)).sum().backward()
    W = torch.cat([lstm.weight_hh_l0.grad, lstm.weight_ih_l0.grad], dim=1).numpy()
    b = lstm.bias_ih_l0.grad.numpy()
    grads = {}
    for k, gate in enumerate(LSTM_TORCH_ORDER):
        grads[f"W_{gate}"] = W[k * H:(k + 1) * H]
        grads[f"b_{gate}"] = b[k * H:(k + 1) * H]
    return {"grads": LSTMParams(**grads), "dxs": x.grad.numpy(), "dh0": h0.grad[0].numpy(),
            "dc0": c0.grad[0].numpy()}


def max_difference(ours, theirs: dict) -> float:
    """The largest |difference| between a :class:`BPTTResult` and :func:`autograd_lstm`."""
    diffs = [np.max(np.abs(getattr(ours.grads, n) - getattr(theirs["grads"], n)))
             for n in (f"{p}_{g}" for g in "fico" for p in "Wb")]
    diffs += [np.max(np.abs(getattr(ours, n) - theirs[n])) for n in ("dxs", "dh0", "dc0")]
    return float(max(diffs))


def finite_difference(loss, a: np.ndarray, index: tuple, eps: float = 1e-6) -> float:
    """Central difference ``(loss(a + eps e) − loss(a − eps e)) / 2 eps`` at one entry of ``a``.

    ``loss()`` reads ``a`` (changed in place here, then restored). Its error is of order
    ``eps²`` (the Taylor term) plus ``1e-16 / eps`` (rounding of two nearby losses).
    """
    if not isinstance(a, np.ndarray) or a.dtype != np.float64:
        raise TypeError(f"a must be a float64 numpy.ndarray, got {type(a).__name__} "
                        f"{getattr(a, 'dtype', '')}")
    eps = check_float("eps", eps, low=1e-12)
    old = a[index]
    try:
        a[index] = old + eps
        up = float(loss())
        a[index] = old - eps
        down = float(loss())
    finally:
        a[index] = old
    return (up - down) / (2 * eps)


def relative_error(a, b) -> float:
    """|a − b| / max(|a|, |b|, 1e-12), elementwise maximum: the usual gradient-check measure."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-12)))


# --- truncated BPTT ------------------------------------------------------------------------

def random_bptt_problem(T: int = 60, B: int = 4, D: int = 8, H: int = 32, seed: int = 0,
                        forget_bias: float = 1.0):
    """A float64 LSTM, inputs and a per-step loss gradient for the truncation measurements."""
    params = lstm_for_path(forget_bias, 0.0, H=H, D=D, seed=seed)
    g = torch.Generator().manual_seed(seed)
    xs = torch.randn(T, B, D, generator=g, dtype=torch.float64).numpy()
    dhs = torch.randn(T, B, H, generator=g, dtype=torch.float64).numpy()
    return params, xs, dhs


def _flat(params) -> np.ndarray:
    return np.concatenate([np.ravel(getattr(params, f"{p}_{g}")) for g in "fico" for p in "Wb"])


def truncation_bias(ks, T: int = 60, seed: int = 0, forget_bias: float = 1.0) -> dict:
    """Cosine similarity and relative error of the truncated weight gradient against full BPTT.

    The loss is :math:`L = \\sum_t w_t \\cdot h_t` with random :math:`w_t` (a loss at every
    step, as a language model has), so every truncation still gets a gradient.
    """
    params, xs, dhs = random_bptt_problem(T=T, seed=seed, forget_bias=forget_bias)
    full = _flat(lstm_bptt(xs, params, dhs).grads)
    cos, rel = [], []
    for k in ks:
        g = _flat(lstm_bptt(xs, params, dhs, truncate=check_int("k", k, low=1)).grads)
        cos.append(float(g @ full / (np.linalg.norm(g) * np.linalg.norm(full))))
        rel.append(float(np.linalg.norm(g - full) / np.linalg.norm(full)))
    return {"k": list(ks), "cosine": np.array(cos), "rel_error": np.array(rel)}


def tbptt_saved_bytes(k: int | None, T: int = 60, seed: int = 0) -> tuple[int, dict]:
    """Truncated BPTT the torch way, and the most bytes autograd held for one backward.

    The loop runs ``k`` steps, calls ``backward()`` on their loss, detaches the state
    and goes on (``k=None``: one backward at the end). Every tensor that autograd saves
    for backward is counted as it is saved; a graph is freed by its backward, so the
    peak is the largest chunk's total. Returns (peak bytes, the accumulated gradients
    by PyTorch's parameter name).
    """
    params, xs, dhs = random_bptt_problem(T=T, seed=seed)
    cell = nn.LSTMCell(params.input_size, params.hidden_size, dtype=torch.float64)
    load_lstm_params(cell, params)
    x, w = torch.from_numpy(xs), torch.from_numpy(dhs)
    h = torch.zeros(x.shape[1], params.hidden_size, dtype=torch.float64)
    c = torch.zeros_like(h)
    k = T if k is None else check_int("k", k, low=1)
    held = {"now": 0, "peak": 0}

    def pack(t):
        held["now"] += t.numel() * t.element_size()
        return t

    for start in range(0, T, k):
        held["now"] = 0
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            loss = 0.0
            for t in range(start, min(start + k, T)):
                h, c = cell(x[t], (h, c))
                loss = loss + (w[t] * h).sum()
        loss.backward()
        held["peak"] = max(held["peak"], held["now"])
        h, c = h.detach(), c.detach()
    return held["peak"], {n: p.grad.clone() for n, p in cell.named_parameters()}


# --- the recall task with truncation -----------------------------------------------------

def recall_accuracy(cell: nn.LSTMCell, head: nn.Linear, gap: int, seed: int) -> float:
    """Accuracy on 512 held-out recall sequences (a seed no training batch uses)."""
    batch = recall_task(gap, 512, seed=10_000 + seed)
    with torch.no_grad():
        h = torch.zeros(512, cell.hidden_size)
        c = torch.zeros_like(h)
        for x_t in batch.x:
            h, c = cell(x_t, (h, c))
        return float((head(h).argmax(1) == batch.y).float().mean())


def train_recall_tbptt(window: int | None, gap: int = 20, seed: int = 0, steps: int = 300,
                       hidden_size: int = 32, lr: float = 1e-2) -> float:
    """Notebook 14's truncation loop as a function (tested equal to the notebook's cells).

    An ``nn.LSTMCell`` (forget bias 1) and a linear read-out learn the recall task of
    03 with Adam. The loss sits at the last step only, and the state is detached
    ``window`` steps before it, so the gradient reaches back ``window`` steps
    (``None``: full BPTT). Returns the held-out accuracy.
    """
    gap = check_int("gap", gap, low=2)
    if window is not None:
        window = check_int("window", window, low=1)
    torch.manual_seed(check_int("seed", seed, low=0))
    H = check_int("hidden_size", hidden_size, low=1)
    cell, head = nn.LSTMCell(8, H), nn.Linear(H, 4)
    with torch.no_grad():
        cell.bias_ih[H:2 * H].fill_(1.0)       # forget bias 1 (bias_hh keeps its init)
    opt = torch.optim.Adam([*cell.parameters(), *head.parameters()], lr=lr)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(check_int("steps", steps, low=1)):
        batch = recall_task(gap, 64, generator=gen)
        h = torch.zeros(64, H)
        c = torch.zeros_like(h)
        for t in range(gap):
            if window is not None and t == gap - window:
                h, c = h.detach(), c.detach()
            h, c = cell(batch.x[t], (h, c))
        loss = nn.functional.cross_entropy(head(h), batch.y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return recall_accuracy(cell, head, gap, seed)


# --- gradient clipping ---------------------------------------------------------------------

def train_exploding_rnn(clip: float | None, seed: int = 0, scale: float = 2.75, gap: int = 10,
                        steps: int = 200, lr: float = 0.5, hidden_size: int = 32) -> dict:
    """03's tanh RNN with W_hh scaled by ``scale``, trained by SGD on the recall task.

    ``clip``: the ``max_norm`` of ``clip_grad_norm_`` (``None``: no clipping). Returns the
    loss and the gradient norm (before clipping) at every step.
    """
    if clip is not None:
        clip = check_float("clip", clip, low=1e-12)
    torch.manual_seed(check_int("seed", seed, low=0))
    rnn, head = nn.RNN(8, check_int("hidden_size", hidden_size, low=1)), nn.Linear(hidden_size, 4)
    with torch.no_grad():
        rnn.weight_hh_l0.mul_(check_float("scale", scale, low=0.0))
    params = [*rnn.parameters(), *head.parameters()]
    opt = torch.optim.SGD(params, lr=check_float("lr", lr, low=0.0))
    gen = torch.Generator().manual_seed(seed)
    losses, norms = [], []
    for _ in range(check_int("steps", steps, low=1)):
        batch = recall_task(check_int("gap", gap, low=2), 64, generator=gen)
        out, _ = rnn(batch.x)
        loss = nn.functional.cross_entropy(head(out[-1]), batch.y)
        opt.zero_grad()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(params, math.inf if clip is None else clip)
        opt.step()
        losses.append(loss.item())
        norms.append(norm.item())
    return {"loss": np.array(losses), "grad_norm": np.array(norms)}
