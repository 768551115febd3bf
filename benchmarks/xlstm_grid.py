"""Associative recall (notebook 12): an mLSTM against an LSTM of about the same size, many seeds.

    .venv/bin/python benchmarks/xlstm_grid.py                    # 10 seeds, 250 and 1000 steps
    .venv/bin/python benchmarks/xlstm_grid.py --seeds 3 --steps 250

The task, the nets and the training are notebook 12's own: this script reads the cell
that defines ``kv_recall_batch``/``make_net`` and the definition of ``train_and_test`` from
the notebook and runs them (a notebook cannot be imported, and a copy would drift):
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
import contextlib
import io
import json
import statistics
import time
from pathlib import Path

import torch
from torch import nn

from lstm_edu.modules.xlstm import MLSTMLayer
from lstm_edu.train import train

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "12_xlstm.ipynb"
CELLS = {"mlstm": "mLSTM", "lstm": "LSTM"}  # this script's names -> the notebook's


def notebook_definitions(path: Path = NOTEBOOK) -> dict:
    """Notebook 12's task, nets and ``train_and_test``, run from its cells' source.

    The defining cell runs whole (its two example prints are swallowed); of the
    training cell only the definitions before its run over the seeds.
    """
    cells = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]
             if c["cell_type"] == "code"]
    task = next(c for c in cells if "def kv_recall_batch" in c)
    loop = next(c for c in cells if "def train_and_test" in c)
    loop = loop[:loop.index("\nstart = ")]  # the definitions, not the notebook's own run
    ns = {"torch": torch, "nn": nn, "MLSTMLayer": MLSTMLayer, "train": train}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(task, ns)  # noqa: S102 - the course's own notebook
    exec(loop, ns)  # noqa: S102
    return ns


def run(ns: dict, cell: str, seed: int, steps: int) -> float:
    """Held-out accuracy after ``steps`` steps, by the notebook's ``train_and_test``."""
    ns["STEPS"] = steps
    return ns["train_and_test"](CELLS[cell], seed)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--steps", type=int, nargs="+", default=[250, 1000])
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    ns = notebook_definitions()
    sizes = {c: sum(p.numel() for p in ns["make_net"](CELLS[c]).parameters()) for c in CELLS}
    print(f"pairs={ns['N_PAIRS']} keys={ns['N_KEYS']} values={ns['N_VALUES']} "
          f"chance={1 / ns['N_VALUES']:.3f} "
          f"params: mLSTM {sizes['mlstm']}, LSTM {sizes['lstm']}; seeds=0..{args.seeds - 1}")
    print("| cell | steps | accuracy per seed | median | min | >= 0.99 | seconds |")
    print("|---|---|---|---|---|---|---|")
    for steps in args.steps:
        for cell in ("mlstm", "lstm"):
            start = time.perf_counter()
            accs = [run(ns, cell, seed, steps) for seed in range(args.seeds)]
            print(f"| {cell} | {steps} | {' '.join(f'{a:.2f}' for a in accs)} | "
                  f"{statistics.median(accs):.2f} | {min(accs):.2f} | "
                  f"{sum(a >= 0.99 for a in accs)}/{args.seeds} | "
                  f"{time.perf_counter() - start:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
