"""The recall experiment: models, gate-bias initialisation, training."""

import math

import pytest
import torch

from lstm_edu.data import recall_task
from lstm_edu.modules import CORES, gate_biases, register_core
from lstm_edu.experiments.recall import RecallNet, make_recall_net, run_recall, train_recall


def total_bias(core, layer=0):
    return (getattr(core, f"bias_ih_l{layer}") + getattr(core, f"bias_hh_l{layer}")).detach()


def test_chrono_sets_forget_and_input_biases_of_the_lstm():
    net = make_recall_net("lstm", T=100, hidden_size=5, init="chrono")
    b = total_bias(net.core)
    i, f, g, o = b.chunk(4)  # PyTorch's order
    assert torch.allclose(f, torch.full((5,), math.log(100)))
    assert torch.allclose(i, torch.full((5,), -math.log(100)))
    default = total_bias(make_recall_net("lstm", T=100, hidden_size=5).core)
    assert torch.equal(b.chunk(4)[2], default.chunk(4)[2]) and torch.equal(o, default.chunk(4)[3])


def test_gru_init_sets_the_update_gate():
    b = total_bias(make_recall_net("gru", T=50, hidden_size=3, init="one").core)
    r, z, n = b.chunk(3)
    assert torch.allclose(z, torch.ones(3))
    assert gate_biases("chrono", 50) == (math.log(50), -math.log(50))


def test_net_maps_sequences_to_class_scores():
    net = make_recall_net("rnn", T=7, hidden_size=6, seed=1)
    batch = recall_task(7, 10, seed=0)
    assert net(batch.x).shape == (10, 4)


def test_short_gap_is_solved_and_reproducible():
    runs = [train_recall(make_recall_net("lstm", T=5, seed=0), T=5, steps=200, seed=0)
            for _ in range(2)]
    assert runs[0].solved and runs[0].accuracy >= 0.99
    assert runs[0].losses == runs[1].losses


def test_rnn_has_no_gate_to_initialise():
    with pytest.raises(ValueError, match="cell 'rnn' has no gate to initialise"):
        make_recall_net("rnn", init="chrono")


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"cell must be one of \[.*'gru'.*'lstm'.*'rnn'.*\], got 'transformer'"):
        make_recall_net("transformer")
    with pytest.raises(ValueError, match="init must be one of"):
        make_recall_net("lstm", init="zeros")
    with pytest.raises(TypeError, match="net must be a torch.nn.Module, got str"):
        train_recall("lstm", T=5)
    with pytest.raises(ValueError, match="already"):
        register_core("lstm", lambda D, H: None)
    assert {"rnn", "lstm", "gru"} <= set(CORES)


def test_run_recall_is_make_then_train():
    run = run_recall("lstm", T=5, seed=0, steps=60)
    again = train_recall(make_recall_net("lstm", T=5, seed=0), T=5, steps=60, seed=0)
    assert isinstance(run.net, RecallNet) and run.result.losses == again.losses
    assert run.parameters == 4 * 32 * (32 + 8 + 2)  # nn.LSTM keeps two biases per gate
    assert (run.accuracy, run.steps) == (run.result.accuracy, run.result.steps)
