r"""Part V: trainable sLSTM and mLSTM layers, on the step math of :mod:`lstm_edu.cells.xlstm`.

Both layers take ``x`` of shape (T, B, D), time first like the rest of the
course, and return the outputs ``h_t`` for every step, (T, B, H). Both use
the *stabilized* forms; the update equations are the cells' own functions
(:func:`~lstm_edu.cells.xlstm.slstm_stabilized_update`,
:func:`~lstm_edu.cells.xlstm.mlstm_stabilized_update`,
:func:`~lstm_edu.cells.xlstm.mlstm_parallel_from_projections`), not a copy.
``layer.params()`` returns the weights as cell parameters, so a test can run
the from-scratch cell on them and compare.

These are single cells, not the paper's xLSTM blocks: no convolution, no
heads, no projections, no normalisation layers, no residual connection.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..cells.base import check_sequence
from ..cells.xlstm import (
    FORGET_GATES,
    MLSTMParams,
    MLSTMPre,
    SLSTMParams,
    SLSTMPre,
    mlstm_parallel_from_projections,
    mlstm_projections,
    mlstm_stabilized_update,
    mlstm_zero_state,
    slstm_stabilized_update,
)
from ..validate import check_choice, check_int


class SLSTMLayer(nn.Module):
    r"""An sLSTM over a sequence: ``forward(x)`` (T, B, D) -> ``h`` (T, B, H).

    The weight ``W`` (4H, H + D) stacks ``W_i, W_f, W_z, W_o`` (in that
    order, as in the authors' code) acting on ``[h_{t-1}, x_t]``. The input
    part ``W[:, H:] x_t + b`` is computed for all steps at once; only the
    recurrent part is in the loop. The forget-gate bias starts at +1 so the
    untrained cell keeps most of its memory (σ(1) ≈ 0.73).
    """

    def __init__(self, input_size: int, hidden_size: int, forget: str = "sigmoid"):
        super().__init__()
        self.input_size = check_int("input_size", input_size, low=1)
        self.hidden_size = check_int("hidden_size", hidden_size, low=1)
        check_choice("forget", forget, FORGET_GATES)
        self.forget = forget
        H, D = self.hidden_size, self.input_size
        bound = 1.0 / math.sqrt(H)
        self.W = nn.Parameter(torch.empty(4 * H, H + D).uniform_(-bound, bound))
        self.b = nn.Parameter(torch.empty(4 * H).uniform_(-bound, bound))
        with torch.no_grad():
            self.b[H:2 * H] = 1.0

    def params(self) -> SLSTMParams:
        """The current weights as :class:`SLSTMParams` (detached)."""
        W, b = self.W.detach(), self.b.detach()
        Ws, bs = W.chunk(4, dim=0), b.chunk(4)
        kwargs = {}
        for g, Wg, bg in zip("ifzo", Ws, bs):
            kwargs[f"W_{g}"], kwargs[f"b_{g}"] = Wg, bg
        return SLSTMParams(**kwargs, forget=self.forget)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_sequence("x", x, 3, self.input_size, like=self.W)
        T, B, _ = x.shape
        H = self.hidden_size
        W_h, W_x = self.W[:, :H], self.W[:, H:]
        Wx = torch.nn.functional.linear(x, W_x, self.b)  # (T, B, 4H)
        h = c = n = m = x.new_zeros(B, H)
        outputs = []
        for t in range(T):
            pre = SLSTMPre(*(Wx[t] + h @ W_h.T).chunk(4, dim=-1))
            out = slstm_stabilized_update(pre, c, n, m, self.forget)
            h, c, n, m = out["h_t"], out["c_t"], out["n_t"], out["m_t"]
            outputs.append(h)
        return torch.stack(outputs)


class MLSTMLayer(nn.Module):
    r"""An mLSTM over a sequence: ``forward(x)`` (T, B, D) -> ``h`` (T, B, H).

    ``head_dim`` is the key/query size d (default H); the memory ``C_t`` is
    (H, d). There is one head. ``form="parallel"`` (default) computes the
    whole sequence as one masked T x T product; ``form="recurrent"`` runs the
    step loop. Both are the stabilized forms and agree (tested).
    Initialisation follows the authors' mLSTM cell for the gates: forget-gate
    bias 3 (f ≈ 0.95, they spread it over [3, 6] across heads), input-gate
    bias N(0, 0.1²), gate weights zero.
    """

    def __init__(self, input_size: int, hidden_size: int, head_dim: int | None = None,
                 forget: str = "sigmoid", form: str = "parallel"):
        super().__init__()
        self.input_size = check_int("input_size", input_size, low=1)
        self.hidden_size = check_int("hidden_size", hidden_size, low=1)
        self.head_dim = (self.hidden_size if head_dim is None
                         else check_int("head_dim", head_dim, low=1))
        check_choice("forget", forget, FORGET_GATES)
        check_choice("form", form, ("parallel", "recurrent"))
        self.forget, self.form = forget, form
        D, H, d = self.input_size, self.hidden_size, self.head_dim
        bound = 1.0 / math.sqrt(D)

        def weight(*shape):
            return nn.Parameter(torch.empty(*shape).uniform_(-bound, bound))

        self.W_q, self.b_q = weight(d, D), nn.Parameter(torch.zeros(d))
        self.W_k, self.b_k = weight(d, D), nn.Parameter(torch.zeros(d))
        self.W_v, self.b_v = weight(H, D), nn.Parameter(torch.zeros(H))
        self.W_o, self.b_o = weight(H, D), nn.Parameter(torch.zeros(H))
        self.w_i, self.b_i = nn.Parameter(torch.zeros(D)), nn.Parameter(0.1 * torch.randn(1))
        self.w_f, self.b_f = nn.Parameter(torch.zeros(D)), nn.Parameter(torch.full((1,), 3.0))

    _NAMES = ("W_q", "b_q", "W_k", "b_k", "W_v", "b_v", "w_i", "b_i", "w_f", "b_f", "W_o", "b_o")

    def _params(self, detach: bool) -> MLSTMParams:
        get = (lambda n: getattr(self, n).detach()) if detach else (lambda n: getattr(self, n))
        return MLSTMParams(**{n: get(n) for n in self._NAMES}, forget=self.forget)

    def params(self) -> MLSTMParams:
        """The current weights as :class:`MLSTMParams` (detached)."""
        return self._params(detach=True)

    @property
    def key_size(self) -> int:
        return self.head_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_sequence("x", x, 3, self.input_size, like=self.W_q)
        # The layer has the attributes mlstm_projections reads (W_q, ..., key_size); passing it
        # directly skips MLSTMParams' per-call checks, which the constructor made unnecessary.
        pre = mlstm_projections(x, self)  # each (T, B, ·)
        if self.form == "parallel":
            batch_first = MLSTMPre(*(a.movedim(0, -2) for a in pre))
            out = mlstm_parallel_from_projections(batch_first, self.forget)
            return out.h_t.movedim(-2, 0)
        state = mlstm_zero_state(x[0], self._params(detach=True))
        outputs = []
        for t in range(x.shape[0]):
            out = mlstm_stabilized_update(MLSTMPre(*(a[t] for a in pre)), *state, self.forget)
            state = (out["C_t"], out["n_t"], out["m_t"])
            outputs.append(out["h_t"])
        return torch.stack(outputs)
