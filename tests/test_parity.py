"""The parity experiment: data, models, the loop (same as notebook 13's cell), bad inputs."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lstm_edu.cells.min_rnn import MinGRUParams, min_rnn_loop
from lstm_edu.experiments.parity import (
    CELLS,
    ParityNet,
    make_core,
    make_parity_net,
    parity_accuracy,
    parity_batch,
    run_parity,
    train_parity,
)

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "13_min_rnns_and_scans.ipynb"
MARKER = "# The lesson's model and loop"


def test_parity_batch_labels_are_prefix_parities():
    x, y = parity_batch(32, 20, torch.Generator().manual_seed(0))
    assert x.shape == (20, 32, 1) and y.shape == (20, 32)
    bits = x[..., 0].numpy().astype(int)
    assert set(np.unique(bits)) <= {0, 1}
    np.testing.assert_array_equal(y.numpy(), np.cumsum(bits, axis=0) % 2)


@pytest.mark.parametrize("cell", CELLS)
def test_every_core_maps_T_B_1_to_T_B(cell):
    net = make_parity_net(cell, hidden=4, seed=0)
    x, _ = parity_batch(3, 7)
    assert net(x).shape == (7, 3)


def test_helper_loop_is_the_notebook_cell():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    lesson = [s for s in sources if s.startswith(MARKER)]
    assert len(lesson) == 1, f"notebook 13 must have one code cell starting with {MARKER!r}"
    ns = {"torch": torch, "nn": nn, "F": F, "parity_batch": parity_batch, "make_core": make_core}
    exec(lesson[0], ns)  # defines the notebook's ParityNet and train_parity
    for cell in ("lstm", "mingru"):
        torch.manual_seed(3)
        mine = ns["ParityNet"](make_core(cell, 8), 8)
        theirs = make_parity_net(cell, hidden=8, seed=3)
        assert ns["train_parity"](mine, 12, 6, seed=5) == train_parity(theirs, 12, 6, seed=5)
        for p, q in zip(mine.parameters(), theirs.parameters()):
            assert torch.equal(p, q)


def test_lstm_learns_training_length_quickly():
    torch.set_num_threads(1)
    r = run_parity("lstm", seed=0, train_len=8, test_lens=(8,), steps=250, hidden=8)
    assert r.accuracy[8] >= 0.95
    assert r.n_params == 4 * (8 * 1 + 8 * 8 + 2 * 8) + 9


def test_negative_min_gru_by_construction_tracks_parity_at_any_length():
    # z = σ(±50) is 1 or 2e-22: a = 1 - 2z is -1 for a 1-bit, 1 for a 0-bit (float64),
    # b = z g(0.5) = z. So h flips between 0 and 1 on every 1: h_t is the parity.
    params = MinGRUParams(W_z=np.array([[100.0]]), b_z=np.array([-50.0]),
                          W_h=np.zeros((1, 1)), b_h=np.array([0.5]))
    x, y = parity_batch(16, 2000, torch.Generator().manual_seed(1))
    h = min_rnn_loop(x.double().numpy(), params, negative=True)["h_t"][..., 0]
    np.testing.assert_array_equal(h > 0.5, y.numpy() > 0.5)
    h_pos = min_rnn_loop(x.double().numpy(), params)["h_t"][..., 0]
    assert ((h_pos > 0.5) == (y.numpy() > 0.5)).mean() < 0.75


def test_accuracy_reads_step_L():
    class Oracle(nn.Module):  # the true parity as a logit
        def forward(self, x):
            return (torch.cumsum(x[..., 0], 0) % 2) * 2 - 1

    assert parity_accuracy(Oracle(), (1, 5, 50)) == {1: 1.0, 5: 1.0, 50: 1.0}


def test_bad_inputs():
    with pytest.raises(ValueError, match="cell must be one of"):
        run_parity("transformer")
    with pytest.raises(ValueError, match="T must be >= 1"):
        parity_batch(4, 0)
    with pytest.raises(ValueError, match="steps must be >= 1"):
        train_parity(make_parity_net("lstm", 4), 5, 0)
    with pytest.raises(ValueError, match="at least one length"):
        parity_accuracy(make_parity_net("lstm", 4), ())
    with pytest.raises(TypeError, match="hidden must be an int"):
        make_core("mingru", 2.5)
    assert isinstance(make_parity_net("minlstm_neg", 4), ParityNet)
