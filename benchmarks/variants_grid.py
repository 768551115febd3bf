"""The full variant comparison of notebook 09 on the long-gap recall task.

    .venv/bin/python benchmarks/variants_grid.py            # the full grid (several minutes)
    .venv/bin/python benchmarks/variants_grid.py --seeds 3 --Ts 100 --cells cifg peephole

Settings are the course's: H = 32, Adam (lr 1e-2), clip-norm 1, at most 400
steps (early stop at 99% held-out accuracy), one thread, seeds 0..n-1.
Two parts:

1. *initialisation*: ``torch.nn`` LSTM and GRU with PyTorch's default
   initialisation, the forget bias 1 (LSTM) and the chrono init, at each gap;
2. *variants*: the from-scratch cores of ``lstm_edu.modules`` (plain LSTM,
   peepholes, coupled gates, the GRU in its PyTorch and Cho forms) under the
   chrono init, and under the default init with fewer seeds.

The notebook recomputes a smaller grid itself; this script is for the full one.
Timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch

from lstm_edu.experiments.variants import compare_variants, format_table, summarize

INIT_CELLS = {"lstm": ("default", "one", "chrono"), "gru": ("default", "chrono")}
VARIANT_CELLS = ("lstm_scratch", "peephole", "cifg", "gru_scratch", "gru_cho")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--Ts", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..n-1")
    parser.add_argument("--default-seeds", type=int, default=3,
                        help="seeds for the from-scratch cores under the default init")
    parser.add_argument("--cells", nargs="+", default=list(VARIANT_CELLS))
    parser.add_argument("--skip-init", action="store_true", help="skip part 1")
    parser.add_argument("--skip-default", action="store_true",
                        help="skip the from-scratch cores under the default init")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    seeds = tuple(range(args.seeds))
    start = time.perf_counter()
    runs = []
    if not args.skip_init:
        for cell, inits in INIT_CELLS.items():
            for init in inits:
                runs += compare_variants([cell], Ts=args.Ts, seeds=seeds, init=init)
        print("\n1. torch.nn cores, by initialisation\n" + format_table(summarize(runs)), flush=True)
    variant_runs = compare_variants(args.cells, Ts=args.Ts, seeds=seeds, init="chrono")
    if not args.skip_default:
        variant_runs += compare_variants(args.cells, Ts=args.Ts,
                                         seeds=tuple(range(args.default_seeds)), init="default")
    print("\n2. from-scratch cores\n" + format_table(summarize(variant_runs)), flush=True)
    print("\nper run (cell, T, init, seed: accuracy, solved at)")
    for r in runs + variant_runs:
        print(f"  {r.cell:>13} T={r.T:<4} {r.init:>7} seed={r.seed}: {r.accuracy:.2f}  {r.solved_at}")
    print(f"\ntotal ⏱ {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
