r"""Trainable minGRU and minLSTM layers, time first: (T, B, D) -> (T, B, H).

The math is ``lstm_edu.cells.min_rnn``'s; a layer only owns the weights and
picks how to run the recurrence:

* ``mode="scan"`` (training default) - the log-space scan over the whole
  sequence, with the paper's positive candidate ``g``;
* ``mode="loop"`` - coefficients for the whole sequence, then the step-by-step
  recurrence (what inference one token at a time does).

``negative=True`` is the try-it variant: the coefficient of :math:`h_{t-1}`
is stretched from (0, 1) to (−1, 1) by :math:`a \mapsto 2a - 1`, the same map
Grazzi et al. 2024 ("Unlocking State-Tracking in Linear RNNs Through Negative
Eigenvalues", arXiv 2411.12537) apply to Mamba's transition ``exp(Δ A)``
(their repository adankow/unlocking_state_tracking,
``flash-linear-attention_mod/fla/models/mamba_py/mamba_mod.py``:
``deltaA = deltaA * 2 - 1``). For minGRU that gives :math:`a_t = 1 - 2 z_t`,
for minLSTM :math:`a_t = 2 f'_t - 1`. A negative ``a`` has no real logarithm,
so this variant runs the loop (``mode="loop"``); asking for the log-space scan
with it is an error.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..cells.base import check_sequence
from ..cells.min_rnn import (
    MinGRUParams,
    MinLSTMParams,
    coefficients,
    min_rnn_scan,
    sequential_scan,
)
from ..validate import check_bool, check_choice, check_int

MODES = ("scan", "loop")


class _MinLayer(nn.Module):
    gates: tuple[str, ...] = ()
    params_class = None

    def __init__(self, input_size: int, hidden_size: int, mode: str | None = None,
                 negative: bool = False):
        super().__init__()
        self.input_size = check_int("input_size", input_size, low=1)
        self.hidden_size = check_int("hidden_size", hidden_size, low=1)
        check_bool("negative", negative)
        mode = ("loop" if negative else "scan") if mode is None else mode
        check_choice("mode", mode, MODES)
        if negative and mode == "scan":
            raise ValueError("negative=True makes a_t negative, and the log-space scan needs "
                             "a_t > 0 (it takes log a_t); use mode='loop'")
        self.mode, self.negative = mode, negative
        bound = 1 / math.sqrt(input_size)  # nn.Linear's default initialisation
        for gate in self.gates:
            self.register_parameter(f"W_{gate}", nn.Parameter(
                torch.empty(hidden_size, input_size).uniform_(-bound, bound)))
            self.register_parameter(f"b_{gate}", nn.Parameter(
                torch.empty(hidden_size).uniform_(-bound, bound)))

    def cell_params(self):
        """The layer's weights as the cell's params (same tensors, autograd intact)."""
        return self.params_class(**{f"{p}_{g}": getattr(self, f"{p}_{g}")
                                    for g in self.gates for p in ("W", "b")})

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_sequence("x", x, 3, self.input_size, like=self.W_h)
        params = self.cell_params()
        if self.mode == "scan":
            return min_rnn_scan(x, params)
        # coefficients() checked x and the weights; the scan need not check its output again
        return sequential_scan(*coefficients(x, params, negative=self.negative), check=False)

    def extra_repr(self) -> str:
        return (f"{self.input_size}, {self.hidden_size}, mode={self.mode!r}, "
                f"negative={self.negative}")


class MinGRULayer(_MinLayer):
    r""":math:`h_t = (1 - z_t) \odot h_{t-1} + z_t \odot g(\tilde h_t)`, gates from :math:`x_t`."""

    gates = ("z", "h")
    params_class = MinGRUParams


class MinLSTMLayer(_MinLayer):
    r""":math:`h_t = f'_t \odot h_{t-1} + i'_t \odot g(\tilde h_t)`, :math:`f' + i' = 1`."""

    gates = ("f", "i", "h")
    params_class = MinLSTMParams
