"""The trainable modules: the fused sequences equal the step functions; one parameter count."""

from functools import partial

import numpy as np
import pytest
import torch
from torch import nn

from lstm_edu.cells import (CIFGParams, GRUParams, LSTMParams, PeepholeLSTMParams, RNNParams,
                            cifg_step, gru_step, lstm_step, peephole_lstm_step, rnn_step,
                            run_sequence)
from lstm_edu.experiments.recall import make_recall_net
from lstm_edu.modules import (CLASSIC_CORES, count_parameters, cifg_module, gru_module,
                              lstm_module, peephole_module, rnn_module, trainable_parameters)
from lstm_edu.modules.classic import (core_parameters, gru_sequence, lstm_sequence,
                                      rnn_sequence)

D, H, B, T = 3, 4, 5, 7

BUILDS = {
    "lstm": lstm_module,
    "peephole": peephole_module,
    "peephole[o]": partial(peephole_module, gates="o"),
    "peephole[fi]": partial(peephole_module, gates="fi"),
    "cifg": cifg_module,
    "gru": gru_module,
    "gru_cho": partial(gru_module, form="cho"),
    "gru_colah": partial(gru_module, form="colah"),
    "rnn": rnn_module,
}


def spread(module, seed):
    """Weights well away from zero (uniform on ±1.5), so every gate and peephole matters."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(3 * torch.rand(p.shape, generator=g, dtype=p.dtype) - 1.5)
    return module


def run(module, xs, state, fused):
    module.fused = fused
    out, final = module(xs, state)
    loss = (out ** 2).sum() + sum((s ** 3).sum() for s in final)
    grads = torch.autograd.grad(loss, list(module.parameters()))
    return out, final, grads


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_fused_sequence_equals_the_step_function(name):
    """Outputs, final states and every parameter's gradient, fused against step by step.

    float64; the fused product adds W[:, :H] h and W[:, H:] x + b in another
    order than W [h, x] + b, so they agree to rounding: 1e-12 over 7 steps.
    """
    module = spread(BUILDS[name](D, H).double(), seed=len(name))
    g = torch.Generator().manual_seed(1)
    xs = torch.randn(T, B, D, generator=g, dtype=torch.float64)
    n_states = module.params().n_states
    state = tuple(torch.randn(B, H, generator=g, dtype=torch.float64) for _ in range(n_states))
    out_f, final_f, grads_f = run(module, xs, state, fused=True)
    out_s, final_s, grads_s = run(module, xs, state, fused=False)
    assert out_f.shape == out_s.shape == (T, B, H)
    assert (out_f - out_s).abs().max().item() <= 1e-12
    for a, b in zip(final_f, final_s, strict=True):
        assert (a - b).abs().max().item() <= 1e-12
    for (pname, _), a, b in zip(module.named_parameters(), grads_f, grads_s, strict=True):
        assert (a - b).abs().max().item() <= 1e-10 * (1 + b.abs().max().item()), pname
    # and the step-by-step path is run_sequence on the same step function
    trace = run_sequence(module.step, xs, module.params(), state0=state)
    assert (trace["h_t"] - out_s).abs().max().item() == 0.0


def test_the_sequences_are_the_ones_the_modules_use():
    for build, fn in ((lstm_module, lstm_sequence), (peephole_module, lstm_sequence),
                      (cifg_module, lstm_sequence), (rnn_module, rnn_sequence)):
        module = build(D, H)
        assert module.fused and module.sequence is fn
    gru = gru_module(D, H, form="cho")
    assert gru.sequence.func is gru_sequence and gru.sequence.keywords == {"form": "cho"}
    assert "fused=True" in repr(gru)


@pytest.mark.parametrize("name", ["lstm", "peephole", "cifg", "gru_cho"])
def test_fused_training_step_moves_the_weights_like_the_step_function(name):
    """One Adam step on the recall loss, float64: the weights agree afterwards."""
    nets = []
    for fused in (True, False):
        torch.manual_seed(0)
        module = BUILDS[name](8, H).double()
        module.fused = fused
        optimizer = torch.optim.Adam(module.parameters(), lr=1e-2)
        xs = torch.randn(20, B, 8, generator=torch.Generator().manual_seed(2),
                         dtype=torch.float64)
        out, _ = module(xs)
        out[-1].sum().backward()
        optimizer.step()
        nets.append(module)
    for (n, a), (_, b) in zip(nets[0].named_parameters(), nets[1].named_parameters()):
        assert (a - b).abs().max().item() <= 1e-12, n


def test_fused_forward_checks_its_input_like_the_step():
    with pytest.raises(ValueError, match=r"x_t must have last dimension D=3, got shape \(2, 4\)"):
        lstm_module(D, H)(torch.zeros(5, 2, D + 1))
    with pytest.raises(TypeError, match="mix of NumPy arrays and torch tensors"):
        gru_module(D, H)(torch.zeros(5, 2, D), state=(np.zeros((2, H)),))
    with pytest.raises(ValueError, match=r"h_prev must have shape \(2, 4\)"):
        cifg_module(D, H)(torch.zeros(5, 2, D), state=(torch.zeros(2, H + 1), torch.zeros(2, H)))
    with pytest.raises(ValueError, match=r"state must hold 2 tensor\(s\) for CIFGParams, got 1"):
        cifg_module(D, H)(torch.zeros(5, 2, D), state=(torch.zeros(2, H),))
    module = peephole_module(D, H)
    with torch.no_grad():
        module.W_f[0, 0] = float("nan")
    with pytest.raises(ValueError, match="W_f contains NaN or inf"):
        module(torch.zeros(5, 2, D))
    with pytest.raises(ValueError, match="form must be one of"):
        gru_sequence(torch.zeros(2, 1, D), (torch.zeros(1, H),), gru_module(D, H).params(),
                     form="keras")


# --- one way to count -------------------------------------------------------------------------

def test_every_core_is_counted_by_the_cell_it_computes():
    D_task, H_task = 8, 32
    expected = {"rnn": 32 * 41, "lstm": 4 * 32 * 41, "lstm_scratch": 4 * 32 * 41,
                "peephole": 4 * 32 * 41 + 3 * 32, "cifg": 3 * 32 * 41,
                "gru": 3 * 32 * 41 + 32, "gru_scratch": 3 * 32 * 41 + 32, "gru_cho": 3 * 32 * 41}
    assert set(expected) == set(CLASSIC_CORES)
    for name, n in expected.items():
        assert core_parameters(CLASSIC_CORES[name], D_task, H_task) == n, name
    # the peephole LSTM has more parameters than the plain one, in every convention we print
    assert core_parameters(CLASSIC_CORES["peephole"], 8, 32) > \
        core_parameters(CLASSIC_CORES["lstm"], 8, 32)
    # torch.nn's own count is the course's plus H per gate whose two biases only add up
    assert trainable_parameters(nn.LSTM(8, 32)) == count_parameters("lstm", 8, 32) + 4 * 32
    assert trainable_parameters(nn.GRU(8, 32)) == count_parameters("gru", 8, 32) + 2 * 32
    assert trainable_parameters(nn.RNN(8, 32)) == count_parameters("rnn", 8, 32) + 32
    # a from-scratch core's trainable count is the course's count
    for name in ("lstm_scratch", "peephole", "cifg", "gru_scratch", "gru_cho"):
        core = make_recall_net(name, T=10).core
        assert trainable_parameters(core) == core_parameters(CLASSIC_CORES[name], 8, 32), name


def test_core_parameters_rejects_what_it_cannot_count():
    from lstm_edu.modules import CoreSpec
    with pytest.raises(ValueError, match="names no counted cell"):
        core_parameters(CoreSpec(lambda D, H: nn.Linear(D, H), None, "mine"), 8, 32)
    with pytest.raises(TypeError, match="spec must be a CoreSpec, got str"):
        core_parameters("lstm", 8, 32)


def test_params_classes_match_their_modules():
    for cls, build in ((LSTMParams, lstm_module), (PeepholeLSTMParams, peephole_module),
                       (CIFGParams, cifg_module), (GRUParams, gru_module),
                       (RNNParams, rnn_module)):
        assert build(D, H).params_cls is cls
    for step, build in ((lstm_step, lstm_module), (peephole_lstm_step, peephole_module),
                        (cifg_step, cifg_module), (rnn_step, rnn_module)):
        assert build(D, H).step is step
    assert gru_module(D, H).step.func is gru_step
