"""The full variant comparison of notebook 09 on the long-gap recall task.

    .venv/bin/python benchmarks/variants_grid.py                  # both parts (~20 min on a busy
                                                                   # 2-core machine)
    .venv/bin/python benchmarks/variants_grid.py --part init      # part 1 only
    .venv/bin/python benchmarks/variants_grid.py --seeds 3 --Ts 100 --cells cifg peephole

Settings are the course's: H = 32, Adam (lr 1e-2), clip-norm 1, batches of 64
fresh sequences, one thread, seeds 0..n-1. **Every arm gets the same budget**
(``--steps``, 400 by default); a run stops early once its held-out accuracy
reaches 0.99 (checked every 25 steps), so "median steps" is the step at which
it did. Two parts:

1. *initialisation*: ``torch.nn`` LSTM and GRU with PyTorch's default
   initialisation, the forget bias 1 (for the GRU: the update-gate bias 1,
   which keeps h) and the chrono initialisation, at each gap;
2. *variants*: the from-scratch cores of ``lstm_edu.modules`` (plain LSTM,
   peepholes, coupled gates, the GRU in PyTorch's and in Cho et al.'s form),
   under the chrono initialisation and under the default one.

``params`` is the course's count, one bias per gate wherever ``torch.nn``'s two
biases only add up (``lstm_edu.modules.classic.core_parameters``), the same for
a fused and a from-scratch core. Notebook 09 runs a part itself (``nn.LSTM``
default and chrono at T = 100, seeds 0-2; seed 0 of the peephole, CIFG and GRU cells;
200 steps each) with the model and loop written in its cells, and quotes these tables,
recorded in benchmarks/RESULTS.md. This script runs ``run_recall``;
``tests/test_variants.py`` checks that it and the notebook's ``build_net`` and
``train_on_gap`` give the same runs, bit for bit, so the tables are the notebook's loop.
Timings depend on the machine's load: compare them only within one table.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch

from lstm_edu.experiments.variants import compare_variants, format_table, summarize

INIT_CELLS = {"lstm": ("default", "one", "chrono"), "gru": ("default", "one", "chrono")}
VARIANT_CELLS = ("lstm_scratch", "peephole", "cifg", "gru_scratch", "gru_cho")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("init", "variants", "all"), default="all")
    parser.add_argument("--Ts", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..n-1")
    parser.add_argument("--steps", type=int, default=400, help="the budget of every arm")
    parser.add_argument("--cells", nargs="+", default=list(VARIANT_CELLS))
    parser.add_argument("--inits", nargs="+", default=["chrono", "default"],
                        help="initialisations of part 2")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    seeds = tuple(range(args.seeds))
    print(f"seeds {list(seeds)}, gaps {args.Ts}, budget {args.steps} steps for every arm",
          flush=True)
    start = time.perf_counter()
    runs = []
    if args.part in ("init", "all"):
        init_runs = []
        for cell, inits in INIT_CELLS.items():
            for init in inits:
                init_runs += compare_variants([cell], Ts=args.Ts, seeds=seeds, init=init,
                                              steps=args.steps, log=print)
        print("\n1. torch.nn cores, by initialisation\n" + format_table(summarize(init_runs)),
              flush=True)
        runs += init_runs
    if args.part in ("variants", "all"):
        variant_runs = []
        for init in args.inits:
            variant_runs += compare_variants(args.cells, Ts=args.Ts, seeds=seeds, init=init,
                                             steps=args.steps, log=print)
        print("\n2. from-scratch cores\n" + format_table(summarize(variant_runs)), flush=True)
        runs += variant_runs
    print("\nper run (cell, T, init, seed: accuracy, solved at)")
    for r in runs:
        print(f"  {r.cell:>13} T={r.T:<4} {r.init:>7} seed={r.seed}: {r.accuracy:.2f}  "
              f"{r.solved_at}")
    print(f"\ntotal time: {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
