"""Parity (state tracking): train on short sequences, test on longer ones, every cell, many seeds.

    .venv/bin/python benchmarks/parity_grid.py                       # 5 seeds, train 10 and 16
    .venv/bin/python benchmarks/parity_grid.py --seeds 3 --cells lstm mingru --train-len 16

Every run is ``lstm_edu.experiments.parity.run_parity`` (the model and loop of
notebook 13's cell): H = 16, a linear read-out of h_t, Adam lr 1e-2, batch 64,
the same number of steps for every cell, per-step cross-entropy on sequences
of length ``train_len`` only; accuracy of the prediction at step L on 512
fresh sequences (chance 0.5). One thread.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from lstm_edu.experiments.parity import CELLS, run_parity


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--cells", nargs="+", default=list(CELLS), choices=CELLS)
    parser.add_argument("--train-len", type=int, nargs="+", default=[10, 16])
    parser.add_argument("--test-lens", type=int, nargs="+", default=[32, 64, 128])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--hidden", type=int, default=16)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    print(f"H={args.hidden} steps={args.steps} Adam lr 1e-2 batch 64 seeds=0..{args.seeds - 1} "
          f"torch {torch.__version__}, 1 thread")
    print("| cell | params | train length | test length | mean accuracy | min-max | "
          "seeds >= 0.99 | seeds |")
    print("|---|---|---|---|---|---|---|---|")
    start = time.perf_counter()
    for cell in args.cells:
        for train_len in args.train_len:
            lens = sorted({train_len, *args.test_lens})
            runs = [run_parity(cell, seed, train_len, lens, args.steps, args.hidden)
                    for seed in range(args.seeds)]
            for L in lens:
                accs = [r.accuracy[L] for r in runs]
                solved = sum(a >= 0.99 for a in accs)
                print(f"| {cell} | {runs[0].n_params} | {train_len} | {L} | "
                      f"{statistics.mean(accs):.3f} | {min(accs):.2f}-{max(accs):.2f} | "
                      f"{solved}/{args.seeds} | {args.seeds} |", flush=True)
    print(f"total {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
