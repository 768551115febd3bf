"""The likeliest mistakes get a ValueError or TypeError that names what was expected and what came.

One test per mistake of issue 13; each was broken once (the check removed) and seen to fail.
"""

import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

from lstm_edu.cells import (CellParams, LSTMParams, RNNParams, gru_params_from_torch, gru_step,
                            lstm_params_from_torch, lstm_step, rnn_params_from_torch, rnn_step,
                            run_sequence)
from lstm_edu.modules import cifg_module, lstm_module
from lstm_edu.train import train

D, H = 3, 4


def lstm_params(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return LSTMParams(**{f"{k}_{g}": rng.normal(size=(H, H + D) if k == "W" else H).astype(dtype)
                         for g in "fico" for k in "Wb"})


def zeros(*shape, torch_dtype=None):
    return torch.zeros(shape, dtype=torch_dtype) if torch_dtype else np.zeros(shape)


def test_mixed_dtypes_are_named():
    p = lstm_params()
    torch_p = LSTMParams(**{k: torch.from_numpy(v).float() for k, v in vars(p).items()})
    x = torch.zeros(D, dtype=torch.float64)
    h = c = torch.zeros(H, dtype=torch.float64)
    with pytest.raises(TypeError, match="tensors must share one dtype, got x_t is float64, "
                                        "h_prev is float64, c_prev is float64, params is float32"):
        lstm_step(x, h, c, torch_p)
    mixed = dict(vars(torch_p), W_f=torch_p.W_f.double())
    with pytest.raises(TypeError, match="tensors must share one dtype, got W_f is float64, "
                                        "b_f is float32"):
        LSTMParams(**mixed)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["x_t", "h_prev", "c_prev"])
def test_nan_or_inf_in_an_input_or_state_is_named(bad, where):
    args = {"x_t": np.zeros(D), "h_prev": np.zeros(H), "c_prev": np.zeros(H)}
    args[where][0] = bad
    with pytest.raises(ValueError, match=rf"{where} contains NaN or inf, expected finite"):
        lstm_step(args["x_t"], args["h_prev"], args["c_prev"], lstm_params())
    torch_args = {k: torch.from_numpy(v) for k, v in args.items()}
    torch_p = LSTMParams(**{k: torch.from_numpy(v) for k, v in vars(lstm_params()).items()})
    with pytest.raises(ValueError, match=rf"{where} contains NaN or inf"):
        lstm_step(torch_args["x_t"], torch_args["h_prev"], torch_args["c_prev"], torch_p)
    # the training path may skip it: check=False is the trainable modules' later steps
    out = lstm_step(torch_args["x_t"], torch_args["h_prev"], torch_args["c_prev"], torch_p,
                    check=False)
    assert out.h_t.shape == (H,)  # no check ran: whatever the arithmetic gives


def test_weights_that_became_nan_after_the_params_were_built():
    p = lstm_params()
    p.W_i[1, 2] = np.nan  # frozen dataclass, shared array: this still works
    with pytest.raises(ValueError, match=r"params\.W_i contains NaN or inf, expected finite "
                                         r"numbers; was it changed in place after the params "
                                         r"were built\?"):
        lstm_step(np.zeros(D), np.zeros(H), np.zeros(H), p)
    with pytest.raises(ValueError, match=r"params\.W_i contains NaN or inf"):
        run_sequence(lstm_step, np.zeros((5, D)), p)


def test_hidden_size_zero():
    with pytest.raises(ValueError, match=r"W must have shape \(H, H \+ D\) with H >= 1, got shape "
                                         r"\(0, 3\)"):
        RNNParams(W=np.zeros((0, 3)), b=np.zeros(0))
    with pytest.raises(ValueError, match="hidden_size must be >= 1, got 0"):
        lstm_module(D, 0)
    with pytest.raises(ValueError, match=r"with H >= 1, got shape \(0, 3\)"):
        rnn_params_from_torch(nn.RNNCell(3, 0))


@pytest.mark.parametrize("value", ["no", 0, 1, None, np.float64(1.0)])
def test_as_numpy_must_be_a_bool(value):
    with pytest.raises(TypeError, match=rf"as_numpy must be True or False, got "
                                        rf"{type(value).__name__}"):
        lstm_params_from_torch(nn.LSTMCell(D, H), as_numpy=value)
    with pytest.raises(TypeError, match="as_numpy must be True or False"):
        gru_params_from_torch(nn.GRUCell(D, H), as_numpy=value)
    assert isinstance(lstm_params_from_torch(nn.LSTMCell(D, H), as_numpy=np.bool_(False)).W_f,
                      torch.Tensor)


@pytest.mark.parametrize("build", [lstm_module, cifg_module])
def test_empty_sequence_in_a_trainable_module(build):
    with pytest.raises(ValueError, match=r"x must hold at least one time step \(T >= 1\), got "
                                         r"shape \(0, 2, 3\)"):
        build(D, H)(torch.zeros(0, 2, D))


def test_step_that_does_not_fit_the_params():
    xs = np.zeros((5, D))
    with pytest.raises(TypeError, match=r"step must take \(x_t, h_prev, c_prev, params\) for "
                                        r"LSTMParams \(2 state\(s\)\), got rnn_step\(x_t, h_prev, "
                                        r"params"):
        run_sequence(rnn_step, xs, lstm_params())
    rnn = RNNParams(W=np.zeros((H, H + D)), b=np.zeros(H))
    with pytest.raises(TypeError, match=r"step must take \(x_t, h_prev, params\) for RNNParams"):
        run_sequence(lstm_step, xs, rnn)
    gru = gru_params_from_torch(nn.GRUCell(D, H, dtype=torch.float64))
    with pytest.raises(TypeError, match="params must be RNNParams, got GRUParams"):
        run_sequence(rnn_step, xs, gru)
    with pytest.raises(TypeError, match="params must be a CellParams, got dict"):
        run_sequence(gru_step, xs, {"W": 1})


@pytest.mark.parametrize("bad", [float("inf"), float("-inf"), float("nan")])
def test_train_stops_on_a_loss_that_is_not_finite(bad):
    w = torch.ones(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match=rf"loss must be finite, got {bad} at epoch 1"):
        train(lambda: (w * bad).sum(), opt, max_epochs=5, progress=False, log=lambda s: None)


def test_cell_params_built_empty():
    with pytest.raises(TypeError, match=r"CellParams has no weight fields: build a cell's params, "
                                        r"such as LSTMParams\(W_f=\.\.\., b_f=\.\.\., \.\.\.\), "
                                        r"got CellParams\(\)"):
        CellParams()


def test_a_core_is_there_without_importing_anything_else_first():
    code = ("from lstm_edu.experiments.recall import make_recall_net\n"
            "net = make_recall_net('cifg', T=10, init='chrono')\n"
            "print(type(net.core).__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "StepRNN"
