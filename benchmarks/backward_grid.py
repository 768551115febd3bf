"""Notebook 14's two training claims over more seeds than the notebook runs live.

    .venv/bin/python benchmarks/backward_grid.py              # 5 seeds
    .venv/bin/python benchmarks/backward_grid.py --seeds 3

1. Truncated BPTT on the recall task of 03 (:func:`train_recall_tbptt`, the loop notebook 14
   writes in its cells; a test checks the two are one): an ``nn.LSTMCell`` (H = 32, forget
   bias 1) and a linear read-out, Adam lr 1e-2, batch 64, 300 steps; the loss at the last step
   only; the state detached ``window`` steps before it. Gaps 10 and 20; windows: the whole
   sequence, half of it, 2 and 1. Held-out accuracy on 512 sequences (chance 0.25).
2. Gradient clipping (:func:`train_exploding_rnn`): 03's tanh RNN with W_hh × 2.75, SGD lr 0.5,
   gap 10, 200 steps, with and without ``clip_grad_norm_(max_norm=1)``; the mean loss of the
   last 20 steps against the first step's loss.

Prints markdown for benchmarks/RESULTS.md. One thread.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from lstm_edu.experiments.backward import train_exploding_rnn, train_recall_tbptt


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    seeds = range(args.seeds)
    print(f"torch {torch.__version__}, seeds 0..{args.seeds - 1}, one thread\n")
    print("| gap | window | accuracy per seed | median | seconds |")
    print("|---|---|---|---|---|")
    for gap in (10, 20):
        for window in (None, gap // 2, 2, 1):
            start = time.perf_counter()
            accs = [train_recall_tbptt(window, gap=gap, seed=s) for s in seeds]
            name = f"{gap} (full)" if window is None else str(window)
            print(f"| {gap} | {name} | {' '.join(f'{a:.2f}' for a in accs)} | "
                  f"{statistics.median(accs):.2f} | {time.perf_counter() - start:.0f} |",
                  flush=True)
    print("\n| clipping | first loss per seed | last-20 mean loss per seed | largest grad norm |")
    print("|---|---|---|---|")
    for clip in (None, 1.0):
        runs = [train_exploding_rnn(clip, seed=s) for s in seeds]
        first = " ".join(f"{r['loss'][0]:.2f}" for r in runs)
        last = " ".join(f"{np.mean(r['loss'][-20:]):.3f}" for r in runs)
        name = "none" if clip is None else f"max_norm={clip:g}"
        peak = max(float(r["grad_norm"].max()) for r in runs)
        print(f"| {name} | {first} | {last} | {peak:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
