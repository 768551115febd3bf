"""benchmarks/xlstm_grid.py runs notebook 12's own task, nets and training, read from its cells."""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import xlstm_grid  # noqa: E402


def test_the_grid_runs_the_notebooks_definitions():
    ns = xlstm_grid.notebook_definitions()
    for name in ("kv_recall_batch", "make_net", "train_and_test"):
        assert callable(ns[name]), name
    x, y = ns["kv_recall_batch"](3, torch.Generator().manual_seed(0))
    assert x.shape == (ns["N_PAIRS"] + 1, 3, ns["N_KEYS"] + ns["N_VALUES"]) and y.shape == (3,)
    torch.set_num_threads(1)
    for cell in xlstm_grid.CELLS:
        accuracy = xlstm_grid.run(ns, cell, seed=0, steps=2)
        assert 0.0 <= accuracy <= 1.0
    # run() trains as the notebook's cell does: the same seed gives the same accuracy
    assert xlstm_grid.run(ns, "lstm", 0, 2) == xlstm_grid.run(ns, "lstm", 0, 2)
