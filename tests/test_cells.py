"""The from-scratch steps against torch.nn, in float64, to 1e-12."""

import numpy as np
import pytest
import torch
from torch import nn

from lstm_edu.cells import (load_lstm_params, load_rnn_params, lstm_params_from_torch,
                            rnn_params_from_torch)
from lstm_edu.cells import LSTMParams, RNNParams, lstm_step, rnn_step, run_sequence

TOL = 1e-12
SIZES = [(1, 1), (1, 16), (3, 3), (5, 2), (4, 7)]  # (D, H)


def random_lstm(D, H, seed):
    torch.manual_seed(seed)
    return nn.LSTMCell(D, H, dtype=torch.float64)


def random_rnn(D, H, seed):
    torch.manual_seed(seed)
    return nn.RNNCell(D, H, dtype=torch.float64)


def inputs(D, H, batch, seed):
    rng = np.random.default_rng(seed)
    shape = (batch,) if batch else ()
    return (rng.normal(size=shape + (D,)), rng.normal(size=shape + (H,)),
            rng.normal(size=shape + (H,)))


@pytest.mark.parametrize("D,H", SIZES)
@pytest.mark.parametrize("batch", [None, 4])
def test_lstm_step_equals_lstmcell(D, H, batch):
    cell = random_lstm(D, H, seed=D * 10 + H)
    params = lstm_params_from_torch(cell)
    x, h, c = inputs(D, H, batch, seed=H)
    ours = lstm_step(x, h, c, params)
    h_ref, c_ref = cell(torch.from_numpy(x), (torch.from_numpy(h), torch.from_numpy(c)))
    np.testing.assert_allclose(ours.h_t, h_ref.detach().numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(ours.c_t, c_ref.detach().numpy(), rtol=0, atol=TOL)


@pytest.mark.parametrize("D,H", SIZES)
@pytest.mark.parametrize("batch", [None, 4])
def test_rnn_step_equals_rnncell(D, H, batch):
    cell = random_rnn(D, H, seed=D + H)
    params = rnn_params_from_torch(cell)
    x, h, _ = inputs(D, H, batch, seed=D)
    ours = rnn_step(x, h, params)
    ref = cell(torch.from_numpy(x), torch.from_numpy(h)).detach().numpy()
    np.testing.assert_allclose(ours.h_t, ref, rtol=0, atol=TOL)


def test_lstm_gates_are_the_ones_torch_computes():
    """Each named gate, not only h and c: a swap of i and f must not cancel out."""
    D, H = 3, 4
    cell = random_lstm(D, H, seed=7)
    params = lstm_params_from_torch(cell)
    x, h, c = inputs(D, H, None, seed=1)
    step = lstm_step(x, h, c, params)
    gates = (cell.weight_ih @ torch.from_numpy(x) + cell.bias_ih
             + cell.weight_hh @ torch.from_numpy(h) + cell.bias_hh).detach()
    i, f, g, o = gates.chunk(4)
    np.testing.assert_allclose(step.i_t, torch.sigmoid(i).numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(step.f_t, torch.sigmoid(f).numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(step.c_tilde, torch.tanh(g).numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(step.o_t, torch.sigmoid(o).numpy(), atol=TOL, rtol=0)


@pytest.mark.parametrize("D,H,T,B", [(1, 16, 20, 5), (3, 2, 7, 1), (2, 5, 1, 3)])
def test_run_sequence_equals_nn_lstm(D, H, T, B):
    torch.manual_seed(T)
    lstm = nn.LSTM(D, H, num_layers=1, dtype=torch.float64)
    params = lstm_params_from_torch(lstm)
    xs = np.random.default_rng(T).normal(size=(T, B, D))
    trace = run_sequence(lstm_step, xs, params)
    out, (h_n, c_n) = lstm(torch.from_numpy(xs))
    np.testing.assert_allclose(trace["h_t"], out.detach().numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(trace["c_t"][-1], c_n[0].detach().numpy(), rtol=0, atol=TOL)
    assert trace["f_t"].shape == (T, B, H)
    assert trace["hx"].shape == (T, B, H + D)


def test_run_sequence_equals_nn_rnn_second_layer():
    torch.manual_seed(3)
    rnn = nn.RNN(2, 4, num_layers=2, dtype=torch.float64)
    xs = torch.randn(6, 3, 2, dtype=torch.float64)
    out, _ = rnn(xs)
    first = run_sequence(rnn_step, xs.numpy(), rnn_params_from_torch(rnn, layer=0))
    second = run_sequence(rnn_step, first["h_t"], rnn_params_from_torch(rnn, layer=1))
    np.testing.assert_allclose(second["h_t"], out.detach().numpy(), rtol=0, atol=TOL)


def test_run_sequence_carries_given_state():
    torch.manual_seed(0)
    lstm = nn.LSTM(2, 3, dtype=torch.float64)
    xs = torch.randn(5, 2, dtype=torch.float64)
    h0, c0 = torch.randn(1, 3, dtype=torch.float64), torch.randn(1, 3, dtype=torch.float64)
    out, _ = lstm(xs, (h0, c0))
    trace = run_sequence(lstm_step, xs.numpy(), lstm_params_from_torch(lstm),
                         state0=(h0[0].numpy(), c0[0].numpy()))
    np.testing.assert_allclose(trace["h_t"], out.detach().numpy(), rtol=0, atol=TOL)


def test_step_functions_run_on_torch_with_autograd():
    """The same math trains: torch in, torch out, gradients flow."""
    torch.manual_seed(0)
    cell = nn.LSTMCell(2, 3, dtype=torch.float64)
    params = lstm_params_from_torch(cell, as_numpy=False)
    params = LSTMParams(**{k: v.requires_grad_() for k, v in vars(params).items()})
    x = torch.randn(4, 2, dtype=torch.float64)
    h, c = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64)
    step = lstm_step(x, h, c, params)
    step.h_t.sum().backward()
    # c_prev is non-zero, so every gate, the forget gate included, gets a gradient.
    assert all(getattr(params, f"W_{g}").grad.abs().sum() > 0 for g in "fico")
    h_ref, _ = cell(x, (h, c))
    torch.testing.assert_close(step.h_t, h_ref, atol=TOL, rtol=0)


def test_round_trip_into_torch_is_exact():
    rng = np.random.default_rng(0)
    params = LSTMParams(**{f"{k}_{g}": rng.normal(size=(3, 5) if k == "W" else (3,))
                           for g in "fico" for k in "Wb"})
    cell = load_lstm_params(nn.LSTMCell(2, 3, dtype=torch.float64), params)
    back = lstm_params_from_torch(cell)
    for name, value in vars(params).items():
        np.testing.assert_array_equal(getattr(back, name), value)
    rnn = RNNParams(W=rng.normal(size=(3, 5)), b=rng.normal(size=3))
    back_rnn = rnn_params_from_torch(load_rnn_params(nn.RNN(2, 3, dtype=torch.float64), rnn))
    np.testing.assert_array_equal(back_rnn.W, rnn.W)
    np.testing.assert_array_equal(back_rnn.b, rnn.b)


def test_parameter_count_matches_torch():
    cell = nn.LSTMCell(3, 5)
    torch_count = sum(p.numel() for p in cell.parameters())
    # torch keeps two bias vectors per gate; the math needs one.
    assert lstm_params_from_torch(cell).num_parameters() == torch_count - 4 * 5
