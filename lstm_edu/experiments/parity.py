r"""Parity, the smallest state-tracking task: train on short sequences, test on longer ones.

A sequence is T bits :math:`x_1 \dots x_T \in \{0, 1\}`; the label at step t
is the parity of the prefix, :math:`y_t = (x_1 + \dots + x_t) \bmod 2`. The
model reads the bits one at a time (time first, (T, B, 1)) and predicts every
:math:`y_t` through a linear read-out of its output :math:`h_t`. Training
uses length ``train_len`` only; the test reads the prediction at step L for
each L in ``test_lens`` (the models are causal, so the prediction at step L
of a long sequence is the prediction for its first L bits). Chance is 50 %.

Every cell gets the same budget: the same hidden size, read-out, optimiser,
learning rate, batch size and number of steps. Parameter counts differ and
are reported.

Cells (:data:`CELLS`): ``lstm`` (``torch.nn.LSTM``), ``slstm`` and ``mlstm``
(``lstm_edu.modules.xlstm``), ``mingru`` and ``minlstm`` (log-space scan),
and the try-it variants ``mingru_neg`` / ``minlstm_neg`` with coefficients
in (−1, 1) (loop; see ``lstm_edu.modules.min_rnn``).

Notebook 13 writes its own model and loop in cells; :func:`run_parity` is
the same model and loop (tests/test_parity.py runs the notebook's cell and
compares), so the multi-seed grid in ``benchmarks/parity_grid.py`` measures
what the lesson shows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from ..modules.min_rnn import MinGRULayer, MinLSTMLayer
from ..validate import check_choice, check_float, check_int

CELLS = ("lstm", "slstm", "mlstm", "mingru", "minlstm", "mingru_neg", "minlstm_neg")


def parity_batch(batch_size: int, T: int, generator: torch.Generator | None = None):
    """Bits ``x`` (T, B, 1) and prefix parities ``y`` (T, B), both float32."""
    check_int("batch_size", batch_size, low=1)
    check_int("T", T, low=1)
    bits = torch.randint(0, 2, (T, batch_size), generator=generator)
    y = torch.cumsum(bits, dim=0) % 2
    return bits.float().unsqueeze(-1), y.float()


class _LSTMCore(nn.Module):
    """``nn.LSTM`` returning its outputs only, like the other cores."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size)

    def forward(self, x):
        return self.lstm(x)[0]


def make_core(cell: str, hidden: int, input_size: int = 1) -> nn.Module:
    """A recurrent core (T, B, D) -> (T, B, H) by name."""
    check_choice("cell", cell, CELLS)
    check_int("hidden", hidden, low=1)
    if cell == "lstm":
        return _LSTMCore(input_size, hidden)
    if cell in ("slstm", "mlstm"):
        from ..modules.xlstm import MLSTMLayer, SLSTMLayer
        return (SLSTMLayer if cell == "slstm" else MLSTMLayer)(input_size, hidden)
    layer = MinGRULayer if cell.startswith("mingru") else MinLSTMLayer
    return layer(input_size, hidden, negative=cell.endswith("_neg"))


class ParityNet(nn.Module):
    """A core followed by a linear read-out: bits (T, B, 1) -> logits (T, B)."""

    def __init__(self, core: nn.Module, hidden: int):
        super().__init__()
        self.core = core
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.head(self.core(x)).squeeze(-1)


def make_parity_net(cell: str, hidden: int = 16, seed: int = 0) -> ParityNet:
    """The model of :func:`run_parity`, initialised from ``seed``."""
    torch.manual_seed(seed)
    return ParityNet(make_core(cell, hidden), hidden)


def train_parity(net: nn.Module, train_len: int, steps: int, seed: int = 0,
                 batch_size: int = 64, lr: float = 1e-2) -> list[float]:
    """Adam on the mean cross-entropy over all steps; returns the loss of every step."""
    check_int("train_len", train_len, low=1)
    check_int("steps", steps, low=1)
    check_float("lr", lr, low=0)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(steps):
        x, y = parity_batch(batch_size, train_len, gen)
        loss = F.binary_cross_entropy_with_logits(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


@torch.no_grad()
def parity_accuracy(net: nn.Module, lengths, n: int = 512, seed: int = 12345) -> dict[int, float]:
    """Accuracy of the prediction at step L, for each L in ``lengths``, on fresh sequences."""
    lengths = tuple(check_int("length", L, low=1) for L in lengths)
    if not lengths:
        raise ValueError("lengths must name at least one length")
    x, y = parity_batch(n, max(lengths), torch.Generator().manual_seed(seed))
    correct = (net(x) > 0).float() == y  # (T, n)
    return {L: correct[L - 1].float().mean().item() for L in lengths}


@dataclass(frozen=True)
class ParityResult:
    cell: str
    seed: int
    train_len: int
    steps: int
    hidden: int
    n_params: int
    accuracy: dict = field(default_factory=dict)  # {length L: accuracy at step L}
    final_loss: float = float("nan")               # mean of the last 20 training losses
    seconds: float = 0.0


def run_parity(cell: str, seed: int = 0, train_len: int = 16, test_lens=(16, 32, 64, 128),
               steps: int = 400, hidden: int = 16, batch_size: int = 64,
               lr: float = 1e-2) -> ParityResult:
    """Build, train and test one model; everything from ``seed``."""
    check_choice("cell", cell, CELLS)
    check_int("seed", seed, low=0)
    start = time.perf_counter()
    net = make_parity_net(cell, hidden, seed)
    losses = train_parity(net, train_len, steps, seed, batch_size, lr)
    accuracy = parity_accuracy(net, test_lens)
    tail = losses[-20:]
    return ParityResult(cell=cell, seed=seed, train_len=train_len, steps=steps, hidden=hidden,
                        n_params=sum(p.numel() for p in net.parameters()), accuracy=accuracy,
                        final_loss=sum(tail) / len(tail),
                        seconds=time.perf_counter() - start)
