"""minGRU / minLSTM: scan == loop, against a transcription of a reference implementation,
the normalized gates, the trainable layers and their input checks."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lstm_edu.cells.min_rnn import (
    MinGRUParams,
    MinLSTMParams,
    coefficients,
    cumprod_scan,
    g,
    log_coefficients,
    log_g,
    log_space_scan,
    min_gru_step,
    min_lstm_step,
    min_rnn_loop,
    min_rnn_scan,
    sequential_scan,
)
from lstm_edu.modules.min_rnn import MinGRULayer, MinLSTMLayer

GATES = {MinGRUParams: ("z", "h"), MinLSTMParams: ("f", "i", "h")}


def make_params(cls, D, H, seed=0, scale=1.0, torch_=False):
    rng = np.random.default_rng(seed)
    kw = {}
    for gate in GATES[cls]:
        kw[f"W_{gate}"] = scale * rng.normal(size=(H, D))
        kw[f"b_{gate}"] = scale * rng.normal(size=H)
    if torch_:
        kw = {k: torch.tensor(v) for k, v in kw.items()}
    return cls(**kw)


# --- reference: transcribed from lucidrains/minGRU-pytorch, commit 38b26e1 -------------
# minGRU_pytorch/minGRU.py (heinsen_associative_scan_log, g, log_g, minGRU.forward's
# parallel branch) and minGRU_pytorch/minLSTM.py (minLSTM.forward's parallel branch).
# Batch first (B, T, H) as there; the Linear layers are replaced by given preactivations.

def ref_scan(log_coeffs, log_values):
    a_star = log_coeffs.cumsum(dim=1)
    log_h0_plus_b_star = (log_values - a_star).logcumsumexp(dim=1)
    return (a_star + log_h0_plus_b_star).exp()


def ref_g(x):
    return torch.where(x >= 0, x + 0.5, x.sigmoid())


def ref_log_g(x):
    return torch.where(x >= 0, (F.relu(x) + 0.5).log(), -F.softplus(-x))


def ref_min_gru(hidden, gate):
    log_coeffs = -F.softplus(gate)
    log_values = -F.softplus(-gate) + ref_log_g(hidden)
    return ref_scan(log_coeffs, log_values)


def ref_min_lstm(hidden, f_gate, i_gate):
    diff = F.softplus(-f_gate) - F.softplus(-i_gate)
    log_f = -F.softplus(diff)
    log_i = -F.softplus(-diff)
    return ref_scan(log_f, log_i + ref_log_g(hidden))


def preact(xs, W, b):
    return xs @ W.T + b


# --- scan == loop -----------------------------------------------------------------

@pytest.mark.parametrize("cls", [MinGRUParams, MinLSTMParams])
@pytest.mark.parametrize("shape", [(1, 3), (7, 1), (50, 4, 3), (2000, 2, 2)])
def test_log_space_scan_equals_loop_float64(cls, shape):
    D = shape[-1]
    params = make_params(cls, D, H=5, seed=len(shape) + shape[0])
    xs = np.random.default_rng(1).normal(size=shape)
    loop = min_rnn_loop(xs, params)["h_t"]
    scan = min_rnn_scan(xs, params)
    assert scan.shape == loop.shape == shape[:-1] + (5,)
    # Relative: h grows through g(x) = x + 0.5; 1e-10 leaves ~10^5 ulps for a sum of T logs.
    assert np.max(np.abs(scan - loop) / (1 + np.abs(loop))) <= 1e-10


@pytest.mark.parametrize("cls", [MinGRUParams, MinLSTMParams])
def test_scan_equals_loop_with_positive_h0_numpy_and_torch(cls):
    params = make_params(cls, 3, 4, seed=3)
    xs = np.random.default_rng(2).normal(size=(300, 2, 3))
    h0 = np.random.default_rng(3).uniform(0.1, 2.0, size=(2, 4))
    loop = min_rnn_loop(xs, params, h0)["h_t"]
    assert np.max(np.abs(min_rnn_scan(xs, params, h0) - loop)) <= 1e-10
    t_params = make_params(cls, 3, 4, seed=3, torch_=True)
    t_scan = min_rnn_scan(torch.tensor(xs), t_params, torch.tensor(h0))
    assert torch.allclose(t_scan, torch.tensor(loop), atol=1e-10, rtol=0)


@pytest.mark.parametrize("cls", [MinGRUParams, MinLSTMParams])
def test_every_scan_agrees_on_coefficients(cls):
    params = make_params(cls, 2, 3, seed=4)
    xs = np.random.default_rng(5).normal(size=(100, 2))
    a, b = coefficients(xs, params)
    log_a, log_b = log_coefficients(xs, params)
    np.testing.assert_allclose(np.exp(log_a), a, rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_b), b, rtol=1e-12)
    loop = sequential_scan(a, b)
    np.testing.assert_allclose(log_space_scan(log_a, log_b), loop, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(cumprod_scan(a, b), loop, rtol=1e-10, atol=1e-12)


def test_cumprod_scan_breaks_on_long_sequences_where_log_space_does_not():
    # Gates at 0.5 everywhere: P_t = 2^-t underflows to 0 near t = 1075.
    T = 1500
    a = np.full((T, 1), 0.5)
    b = np.full((T, 1), 0.5)
    loop = sequential_scan(a, b)
    with np.errstate(all="ignore"):
        plain = cumprod_scan(a, b)
    assert not np.isfinite(plain[-1]).all() or abs(plain[-1, 0] - loop[-1, 0]) > 1e-3
    np.testing.assert_allclose(log_space_scan(np.log(a), np.log(b)), loop, rtol=1e-10)


def test_negative_coefficients_loop_and_cumprod_agree():
    params = make_params(MinGRUParams, 2, 3, seed=6)
    xs = np.random.default_rng(7).normal(size=(40, 2))
    a, b = coefficients(xs, params, negative=True)
    assert (a < 0).any() and (np.abs(a) < 1).all()
    loop = min_rnn_loop(xs, params, negative=True)["h_t"]
    np.testing.assert_allclose(sequential_scan(a, b), loop, rtol=0, atol=1e-12)
    np.testing.assert_allclose(cumprod_scan(a, b), loop, rtol=1e-8, atol=1e-10)


# --- against the reference transcription ---------------------------------------------

def test_min_gru_matches_reference_transcription():
    params = make_params(MinGRUParams, 3, 4, seed=8, torch_=True)
    xs = torch.tensor(np.random.default_rng(9).normal(size=(64, 2, 3)))
    ours = min_rnn_scan(xs, params)
    hidden = preact(xs, params.W_h, params.b_h).transpose(0, 1)
    gate = preact(xs, params.W_z, params.b_z).transpose(0, 1)
    theirs = ref_min_gru(hidden, gate).transpose(0, 1)
    assert torch.allclose(ours, theirs, atol=1e-12, rtol=1e-12)
    assert torch.allclose(min_rnn_loop(xs, params)["h_t"], theirs, atol=1e-10, rtol=0)


def test_min_lstm_matches_reference_transcription():
    params = make_params(MinLSTMParams, 3, 4, seed=10, torch_=True)
    xs = torch.tensor(np.random.default_rng(11).normal(size=(64, 2, 3)))
    ours = min_rnn_scan(xs, params)
    theirs = ref_min_lstm(*(preact(xs, getattr(params, f"W_{k}"), getattr(params, f"b_{k}"))
                            .transpose(0, 1) for k in "hfi")).transpose(0, 1)
    assert torch.allclose(ours, theirs, atol=1e-12, rtol=1e-12)
    assert torch.allclose(min_rnn_loop(xs, params)["h_t"], theirs, atol=1e-10, rtol=0)


def test_g_and_log_g_match_reference_and_each_other():
    x = torch.linspace(-30, 30, 2001, dtype=torch.float64)
    assert torch.equal(g(x), ref_g(x))
    assert torch.equal(log_g(x), ref_log_g(x))
    # torch's softplus returns x itself above x = 20, a relative error of e^-20 ~ 2e-9 there.
    assert torch.allclose(torch.exp(log_g(x)), g(x), rtol=1e-8, atol=0)
    # base.sigmoid goes through tanh: exact to ~1e-16 absolute, not relative, far left.
    np.testing.assert_allclose(g(x.numpy()), ref_g(x).numpy(), rtol=1e-15, atol=1e-16)
    np.testing.assert_allclose(log_g(x.numpy()), ref_log_g(x).numpy(), rtol=1e-14, atol=3e-9)
    assert (g(x) > 0).all()
    assert g(torch.tensor(0.0)) == 0.5 and g(torch.tensor(-1e-12)).item() == pytest.approx(0.5)


def test_log_g_has_finite_gradients_on_both_branches():
    x = torch.tensor([-3.0, -0.5, 0.0, 0.5, 3.0], dtype=torch.float64, requires_grad=True)
    log_g(x).sum().backward()
    assert torch.isfinite(x.grad).all()


# --- the gates -------------------------------------------------------------------

def test_min_lstm_normalized_gates_sum_to_one_and_step_matches_formula():
    params = make_params(MinLSTMParams, 3, 4, seed=12, scale=3.0)
    x_t = np.random.default_rng(13).normal(size=(5, 3))
    h_prev = np.random.default_rng(14).normal(size=(5, 4))
    s = min_lstm_step(x_t, h_prev, params, candidate="linear")
    np.testing.assert_allclose(s.f_prime + s.i_prime, 1.0, rtol=0, atol=1e-15)
    f = 1 / (1 + np.exp(-(x_t @ params.W_f.T + params.b_f)))
    i = 1 / (1 + np.exp(-(x_t @ params.W_i.T + params.b_i)))
    h_tilde = x_t @ params.W_h.T + params.b_h
    np.testing.assert_allclose(s.h_t, f / (f + i) * h_prev + i / (f + i) * h_tilde, atol=1e-14)
    a, b = coefficients(x_t[None], params, candidate="linear")
    np.testing.assert_allclose(a[0], s.a_t, atol=1e-15)
    np.testing.assert_allclose(b[0], s.b_t, atol=1e-15)


def test_min_gru_step_matches_formula():
    params = make_params(MinGRUParams, 3, 4, seed=15)
    x_t = np.random.default_rng(16).normal(size=3)
    h_prev = np.random.default_rng(17).normal(size=4)
    s = min_gru_step(x_t, h_prev, params, candidate="linear")
    z = 1 / (1 + np.exp(-(params.W_z @ x_t + params.b_z)))
    h_tilde = params.W_h @ x_t + params.b_h
    np.testing.assert_allclose(s.h_t, (1 - z) * h_prev + z * h_tilde, atol=1e-14)
    np.testing.assert_allclose(s.a_t + s.z_t, 1.0, atol=1e-15)
    neg = min_gru_step(x_t, h_prev, params, negative=True)
    np.testing.assert_allclose(neg.a_t, 1 - 2 * z, atol=1e-15)


# --- the layers ----------------------------------------------------------------

@pytest.mark.parametrize("layer_cls", [MinGRULayer, MinLSTMLayer])
def test_layer_scan_equals_loop_and_trains(layer_cls):
    torch.manual_seed(0)
    scan = layer_cls(3, 6).double()
    loop = layer_cls(3, 6, mode="loop").double()
    loop.load_state_dict(scan.state_dict())
    x = torch.randn(80, 4, 3, dtype=torch.float64)
    assert scan(x).shape == (80, 4, 6)
    assert torch.allclose(scan(x), loop(x), atol=1e-10, rtol=0)
    scan(x).square().mean().backward()
    assert all(torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0 for p in scan.parameters())


@pytest.mark.parametrize("layer_cls", [MinGRULayer, MinLSTMLayer])
def test_negative_layer_reaches_negative_coefficients(layer_cls):
    torch.manual_seed(1)
    layer = layer_cls(2, 3, negative=True)
    assert layer.mode == "loop"
    x = torch.randn(20, 2, 2)
    a, _ = coefficients(x, layer.cell_params(), negative=True)
    assert (a < 0).any() and (a > 0).any() and (a.abs() < 1).all()
    assert layer(x).shape == (20, 2, 3)


def test_layer_bad_inputs():
    layer = MinGRULayer(3, 4)
    with pytest.raises(ValueError, match="at least one time step"):
        layer(torch.zeros(0, 2, 3))
    with pytest.raises(ValueError, match=r"shape \(T, B, 3\)"):
        layer(torch.zeros(5, 2, 4))
    with pytest.raises(ValueError, match="3 dimension"):
        layer(torch.zeros(5, 3))
    with pytest.raises(TypeError, match="floats"):
        layer(torch.zeros(5, 2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="log-space scan needs"):
        MinLSTMLayer(3, 4, mode="scan", negative=True)
    with pytest.raises(ValueError, match="mode must be one of"):
        MinLSTMLayer(3, 4, mode="parallel")
    with pytest.raises(ValueError, match="hidden_size must be >= 1"):
        MinGRULayer(3, 0)


# --- input checks of the cell functions ---------------------------------------------

def test_cell_bad_inputs():
    params = make_params(MinGRUParams, 3, 4)
    with pytest.raises(ValueError, match=r"W_h must have shape \(4, 3\)"):
        MinGRUParams(W_z=params.W_z, b_z=params.b_z, W_h=np.zeros((4, 2)), b_h=params.b_h)
    with pytest.raises(ValueError, match="NaN or inf"):
        MinGRUParams(W_z=params.W_z * np.nan, b_z=params.b_z, W_h=params.W_h, b_h=params.b_h)
    with pytest.raises(TypeError, match="mix of NumPy"):
        min_rnn_scan(torch.zeros(5, 3, dtype=torch.float64), params)
    with pytest.raises(ValueError, match="at least one time step"):
        min_rnn_scan(np.zeros((0, 3)), params)
    with pytest.raises(ValueError, match="last dimension D=3"):
        min_rnn_loop(np.zeros((5, 2)), params)
    with pytest.raises(TypeError, match="MinLSTMParams"):
        min_lstm_step(np.zeros(3), np.zeros(4), params)
    with pytest.raises(ValueError, match=r"h_prev must have shape \(4,\)"):
        min_gru_step(np.zeros(3), np.zeros(5), params)
    with pytest.raises(ValueError, match="h0 must be > 0"):
        min_rnn_scan(np.zeros((5, 3)), params, np.zeros(4))
    with pytest.raises(ValueError, match="candidate must be one of"):
        coefficients(np.zeros((5, 3)), params, candidate="tanh")
    with pytest.raises(ValueError, match="same shape"):
        sequential_scan(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="T >= 1"):
        log_space_scan(np.zeros((0, 2)), np.zeros((0, 2)))
    with pytest.raises(TypeError, match="numpy.ndarray or torch.Tensor"):
        sequential_scan([[0.5]], [[1.0]])
