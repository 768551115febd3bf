"""Associative recall (notebook 12): an mLSTM against an LSTM of about the same size, many seeds.

    .venv/bin/python benchmarks/xlstm_grid.py                    # 10 seeds, 250 and 1000 steps
    .venv/bin/python benchmarks/xlstm_grid.py --seeds 3 --steps 250

The task and the training are the ones written out in notebook 12's cells
(copied here because a notebook cannot be imported; keep the two in step):
4 key-value pairs, one pair per time step as [one-hot key (8), one-hot value (8)],
then a query step [one-hot key, zeros]; predict the query's value (8 classes,
chance 1/8). Fresh batches of 128 from a seeded generator, Adam lr 2e-2, a linear
head on the last output; test accuracy on 2,000 held-out sequences. mLSTM:
:class:`lstm_edu.modules.xlstm.MLSTMLayer` (H = d = 16, parallel form); LSTM:
``nn.LSTM`` with H = 10 (the script prints both parameter counts, heads included).
One thread.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from lstm_edu.modules.xlstm import MLSTMLayer

N_PAIRS, N_KEYS, N_VALUES = 4, 8, 8


def kv_recall_batch(batch: int, gen: torch.Generator):
    """(x (P + 1, batch, K + V), target (batch,)): P distinct keys with values, then a query."""
    keys = torch.argsort(torch.rand(batch, N_KEYS, generator=gen), dim=1)[:, :N_PAIRS]
    values = torch.randint(0, N_VALUES, (batch, N_PAIRS), generator=gen)
    which = torch.randint(0, N_PAIRS, (batch,), generator=gen)
    x = torch.zeros(N_PAIRS + 1, batch, N_KEYS + N_VALUES)
    rows = torch.arange(batch)
    for j in range(N_PAIRS):
        x[j, rows, keys[:, j]] = 1.0
        x[j, rows, N_KEYS + values[:, j]] = 1.0
    x[N_PAIRS, rows, keys[rows, which]] = 1.0
    return x, values[rows, which]


class RecallNet(nn.Module):
    def __init__(self, core: nn.Module, hidden_size: int):
        super().__init__()
        self.core, self.head = core, nn.Linear(hidden_size, N_VALUES)

    def forward(self, x):
        out = self.core(x)
        out = out[0] if isinstance(out, tuple) else out  # nn.LSTM returns (outputs, state)
        return self.head(out[-1])


def make_net(cell: str) -> RecallNet:
    D = N_KEYS + N_VALUES
    if cell == "mlstm":
        return RecallNet(MLSTMLayer(D, 16), 16)
    return RecallNet(nn.LSTM(D, 10), 10)


def run(cell: str, seed: int, steps: int, batch: int = 128, lr: float = 2e-2) -> float:
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    net = make_net(cell)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(steps):
        x, y = kv_recall_batch(batch, gen)
        loss = nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    x, y = kv_recall_batch(2000, torch.Generator().manual_seed(10_000 + seed))
    with torch.no_grad():
        return (net(x).argmax(-1) == y).float().mean().item()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--steps", type=int, nargs="+", default=[250, 1000])
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    sizes = {c: sum(p.numel() for p in make_net(c).parameters()) for c in ("mlstm", "lstm")}
    print(f"pairs={N_PAIRS} keys={N_KEYS} values={N_VALUES} chance={1 / N_VALUES:.3f} "
          f"params: mLSTM {sizes['mlstm']}, LSTM {sizes['lstm']}; seeds=0..{args.seeds - 1}")
    print("| cell | steps | accuracy per seed | median | min | >= 0.99 | seconds |")
    print("|---|---|---|---|---|---|---|")
    for steps in args.steps:
        for cell in ("mlstm", "lstm"):
            start = time.perf_counter()
            accs = [run(cell, seed, steps) for seed in range(args.seeds)]
            print(f"| {cell} | {steps} | {' '.join(f'{a:.2f}' for a in accs)} | "
                  f"{statistics.median(accs):.2f} | {min(accs):.2f} | "
                  f"{sum(a >= 0.99 for a in accs)}/{args.seeds} | "
                  f"{time.perf_counter() - start:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
