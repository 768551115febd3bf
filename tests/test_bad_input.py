"""Every public helper rejects bad input with an error that names what was expected and what came."""

import numpy as np
import pytest
import torch
from torch import nn

from lstm_edu.cells import (lstm_params_from_torch, load_lstm_params, rnn_params_from_torch,
                            torch_lstm_cell)
from lstm_edu.cells import LSTMParams, RNNParams, lstm_step, rnn_step, run_sequence
from lstm_edu.data import recall_task, sin_cos_data


@pytest.fixture
def params():
    rng = np.random.default_rng(0)
    return LSTMParams(**{f"{k}_{g}": rng.normal(size=(3, 5) if k == "W" else (3,))
                         for g in "fico" for k in "Wb"})


def test_wrong_input_size_names_both_shapes(params):
    with pytest.raises(ValueError, match=r"D=2.*got shape \(3,\)"):
        lstm_step(np.zeros(3), np.zeros(3), np.zeros(3), params)


def test_mismatched_state_shapes(params):
    with pytest.raises(ValueError, match=r"c_prev must have shape \(4, 3\).*got shape \(3,\)"):
        lstm_step(np.zeros((4, 2)), np.zeros((4, 3)), np.zeros(3), params)
    with pytest.raises(ValueError, match=r"h_prev must have shape \(3,\).*got shape \(4,\)"):
        lstm_step(np.zeros(2), np.zeros(4), np.zeros(3), params)


def test_non_array_is_a_type_error(params):
    with pytest.raises(TypeError, match="x_t must be a numpy.ndarray or torch.Tensor, got list"):
        lstm_step([0.1, 0.2], np.zeros(3), np.zeros(3), params)
    with pytest.raises(TypeError, match="params must be LSTMParams, got RNNParams"):
        lstm_step(np.zeros(2), np.zeros(3), np.zeros(3), RNNParams(W=np.zeros((3, 5)), b=np.zeros(3)))


def test_integer_arrays_are_rejected(params):
    with pytest.raises(TypeError, match="x_t must hold floats, got dtype int64"):
        lstm_step(np.zeros(2, dtype=np.int64), np.zeros(3), np.zeros(3), params)


def test_mixing_numpy_and_torch_is_a_type_error(params):
    with pytest.raises(TypeError, match="mix of NumPy arrays and torch tensors"):
        lstm_step(torch.zeros(2, dtype=torch.float64), np.zeros(3), np.zeros(3), params)


def test_too_many_dimensions(params):
    with pytest.raises(ValueError, match=r"x_t must have 1 or 2 dimension\(s\), got shape \(1, 1, 2\)"):
        lstm_step(np.zeros((1, 1, 2)), np.zeros(3), np.zeros(3), params)


def test_nan_in_weights_is_reported():
    W = np.zeros((3, 5))
    W[1, 2] = np.nan
    with pytest.raises(ValueError, match="W contains NaN or inf, expected finite numbers"):
        RNNParams(W=W, b=np.zeros(3))
    cell = nn.LSTMCell(2, 3)
    with torch.no_grad():
        cell.weight_hh[0, 0] = float("nan")
    with pytest.raises(ValueError, match="weight_hh contains NaN or inf, expected finite numbers"):
        lstm_params_from_torch(cell)


def test_inconsistent_weight_shapes():
    with pytest.raises(ValueError, match=r"b must have shape \(3,\), got shape \(4,\)"):
        RNNParams(W=np.zeros((3, 5)), b=np.zeros(4))
    with pytest.raises(ValueError, match=r"W must have shape \(H, H \+ D\) with D >= 1, got shape \(3, 3\)"):
        RNNParams(W=np.zeros((3, 3)), b=np.zeros(3))
    rng = np.random.default_rng(1)
    kwargs = {f"{k}_{g}": rng.normal(size=(3, 5) if k == "W" else (3,)) for g in "fico" for k in "Wb"}
    kwargs["W_o"] = np.zeros((3, 6))
    with pytest.raises(ValueError, match=r"W_o must have shape \(3, 5\), got shape \(3, 6\)"):
        LSTMParams(**kwargs)


def test_bridge_rejects_wrong_module_and_sizes(params):
    with pytest.raises(TypeError, match="module must be LSTMCell or LSTM, got GRUCell"):
        lstm_params_from_torch(nn.GRUCell(2, 3))
    with pytest.raises(ValueError, match=r"needs stacked weights of shape \(16, 6\), got \(12, 5\)"):
        load_lstm_params(nn.LSTMCell(2, 4), params)
    with pytest.raises(ValueError, match="nonlinearity='relu'"):
        rnn_params_from_torch(nn.RNN(2, 3, nonlinearity="relu"))
    with pytest.raises(ValueError, match="layer must be <= 0, got 1"):
        lstm_params_from_torch(nn.LSTM(2, 3), layer=1)
    with pytest.raises(TypeError, match="params must be LSTMParams"):
        torch_lstm_cell("weights")


def test_run_sequence_checks(params):
    with pytest.raises(ValueError, match=r"xs must have 2 or 3 dimension\(s\), got shape \(5,\)"):
        run_sequence(lstm_step, np.zeros(5), params)
    with pytest.raises(ValueError, match="state0 must hold 2 array"):
        run_sequence(lstm_step, np.zeros((5, 2)), params, state0=(np.zeros(3),))
    with pytest.raises(TypeError, match="step must be a step function"):
        run_sequence("lstm", np.zeros((5, 2)), params)
    with pytest.raises(ValueError, match="at least one time step"):
        run_sequence(lstm_step, np.zeros((0, 2)), params)


def test_rnn_step_checks():
    p = RNNParams(W=np.zeros((3, 5)), b=np.zeros(3))
    with pytest.raises(ValueError, match=r"h_prev must have shape \(3,\)"):
        rnn_step(np.zeros(2), np.zeros(2), p)


def test_data_checks():
    with pytest.raises(TypeError, match="n must be an int, got float"):
        sin_cos_data(n=200.0)
    with pytest.raises(ValueError, match="train_ratio must be <= 1.0, got 1.5"):
        sin_cos_data(train_ratio=1.5)
    with pytest.raises(ValueError, match="T must be >= 1, got 0"):
        recall_task(T=0, batch_size=4)
    with pytest.raises(ValueError, match="either seed or generator"):
        recall_task(T=3, batch_size=2, seed=1, generator=torch.Generator())
