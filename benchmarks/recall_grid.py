"""Long-gap recall with a tanh RNN: accuracy against the gap T, over many seeds.

    .venv/bin/python benchmarks/recall_grid.py                 # 10 seeds, T = 10 30 100
    .venv/bin/python benchmarks/recall_grid.py --seeds 3 --T 100 --cell lstm --init chrono

Notebook 03 runs a small version of this (3 seeds, fewer steps) within its
time budget; this script runs the larger grid (10 seeds, 400 steps). Each run
is ``train_recall`` with its defaults: H = 32, Adam lr 1e-2, batch 64,
clip-norm 1, at most 400 steps, stop at held-out accuracy 0.99; one thread.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from lstm_edu.experiments.recall import run_recall_grid


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--T", type=int, nargs="+", default=[10, 30, 100])
    parser.add_argument("--cell", default="rnn", choices=["rnn", "lstm", "gru"])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--init", default="default", choices=["default", "one", "chrono"],
                        help="gate-bias initialisation (LSTM/GRU only)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    print(f"cell={args.cell} init={args.init} H=32 steps<={args.steps} seeds=0..{args.seeds - 1}")
    print("| T | solved (acc >= 0.99) | final accuracy per seed | median | seconds |")
    print("|---|---|---|---|---|")
    for T in args.T:
        start = time.perf_counter()
        runs = run_recall_grid(args.cell, gaps=(T,), seeds=range(args.seeds), steps=args.steps,
                               hidden_size=32, init=args.init)[T]
        accs = [r.accuracy for r in runs]
        solved = sum(r.solved for r in runs)
        print(f"| {T} | {solved}/{args.seeds} | {' '.join(f'{a:.2f}' for a in accs)} | "
              f"{statistics.median(accs):.2f} | {time.perf_counter() - start:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
