"""xLSTM cells and layers: every form against the others, the authors' code, scalar references."""

import math

import numpy as np
import pytest
import torch

from lstm_edu.cells.xlstm import (
    MLSTMParams,
    SLSTMParams,
    mlstm_parallel,
    mlstm_step,
    mlstm_zero_state,
    random_mlstm_params,
    random_slstm_params,
    run_mlstm,
    run_slstm,
    slstm_raw_step,
    slstm_step,
)
from lstm_edu.modules.xlstm import MLSTMLayer, SLSTMLayer

torch.set_num_threads(1)


def _torch(params):
    cls = type(params)
    kw = {k: (torch.from_numpy(v) if isinstance(v, np.ndarray) else v)
          for k, v in vars(params).items()}
    return cls(**kw)


# --- transcriptions of the authors' reference code (NX-AI/xlstm) ---------------------
# Copied line by line from github.com/NX-AI/xlstm (commit 032a6fb), only renamed
# into plain functions; do not "improve" them, they are the reference.

def ref_slstm_forward_pointwise(Wx, Ry, b, states):
    """NX-AI/xlstm, xlstm/blocks/slstm/src/vanilla/slstm.py, slstm_forward_pointwise."""
    raw = Wx + Ry + b
    y, c, n, m = torch.unbind(states.view(4, states.shape[1], -1), dim=0)
    iraw, fraw, zraw, oraw = torch.unbind(raw.view(raw.shape[0], 4, -1), dim=1)
    logfplusm = m + torch.nn.functional.logsigmoid(fraw)
    if torch.all(n == 0.0):
        mnew = iraw
    else:
        mnew = torch.max(iraw, logfplusm)
    ogate = torch.sigmoid(oraw)
    igate = torch.minimum(torch.exp(iraw - mnew), torch.ones_like(iraw))
    fgate = torch.minimum(torch.exp(logfplusm - mnew), torch.ones_like(iraw))
    cnew = fgate * c + igate * torch.tanh(zraw)
    nnew = fgate * n + igate
    ynew = ogate * cnew / nnew
    return (torch.stack((ynew, cnew, nnew, mnew), dim=0),
            torch.stack((igate, fgate, zraw, ogate), dim=0))


def ref_recurrent_step_stabilized_simple(c_state, n_state, m_state, q, k, v, igate_preact,
                                         fgate_preact, eps=1e-6):
    """NX-AI/xlstm, xlstm/blocks/mlstm/backends.py, recurrent_step_stabilized_simple."""
    B, NH, S, DH = q.shape
    q, k, v = q.squeeze(2).unsqueeze(-1), k.squeeze(2).unsqueeze(-1), v.squeeze(2).unsqueeze(-1)
    log_fg_act = torch.nn.functional.logsigmoid(fgate_preact)
    m_state_new = torch.max(log_fg_act + m_state, igate_preact)
    fg_act = torch.exp(log_fg_act + m_state - m_state_new)
    ig_act = torch.exp(igate_preact - m_state_new)
    k_scaled = k / math.sqrt(DH)
    c_state_new = fg_act * c_state + ig_act * (k_scaled @ v.transpose(-1, -2))
    n_state_new = fg_act * n_state + ig_act * k_scaled
    h_num = q.transpose(-1, -2) @ c_state_new
    qn_dotproduct = q.transpose(-1, -2) @ n_state_new
    max_val = torch.exp(-m_state_new)
    h_denom = torch.maximum(qn_dotproduct.abs(), max_val) + eps
    h = h_num / h_denom
    return h, (c_state_new, n_state_new, m_state_new)


def ref_parallel_stabilized_simple(queries, keys, values, igate_preact, fgate_preact, eps=1e-6):
    """NX-AI/xlstm, xlstm/blocks/mlstm/backends.py, parallel_stabilized_simple (rowwise)."""
    B, NH, S, DH = queries.shape
    _dtype, _device = queries.dtype, queries.device
    log_fgates = torch.nn.functional.logsigmoid(fgate_preact)
    ltr = torch.tril(torch.ones((S, S), dtype=torch.bool, device=_device))
    log_fgates_cumsum = torch.cat(
        [torch.zeros((B, NH, 1, 1), dtype=_dtype, device=_device),
         torch.cumsum(log_fgates, dim=-2)],
        dim=-2)
    rep_log_fgates_cumsum = log_fgates_cumsum.repeat(1, 1, 1, S + 1)
    _log_fg_matrix = rep_log_fgates_cumsum - rep_log_fgates_cumsum.transpose(-2, -1)
    log_fg_matrix = torch.where(ltr, _log_fg_matrix[:, :, 1:, 1:], -float("inf"))
    log_D_matrix = log_fg_matrix + igate_preact.transpose(-2, -1)
    max_log_D, _ = torch.max(log_D_matrix, dim=-1, keepdim=True)
    log_D_matrix_stabilized = log_D_matrix - max_log_D
    D_matrix = torch.exp(log_D_matrix_stabilized)
    keys_scaled = keys / math.sqrt(DH)
    qk_matrix = queries @ keys_scaled.transpose(-2, -1)
    C_matrix = qk_matrix * D_matrix
    normalizer = torch.maximum(C_matrix.sum(dim=-1, keepdim=True).abs(), torch.exp(-max_log_D))
    C_matrix_normalized = C_matrix / (normalizer + eps)
    return C_matrix_normalized @ values


# --- independent scalar references: the paper's raw equations, one float at a time ---

def scalar_slstm(xs, p):
    """Raw sLSTM (the paper's equations, sigmoid forget gate) with Python floats and math."""
    H = p.hidden_size
    h, c, n = [0.0] * H, [0.0] * H, [0.0] * H
    out = []
    for x in xs:
        hx = list(h) + list(x)
        pre = {g: [sum(getattr(p, f"W_{g}")[j][k] * hx[k] for k in range(len(hx)))
                   + getattr(p, f"b_{g}")[j] for j in range(H)] for g in "ifzo"}
        for j in range(H):
            i = math.exp(pre["i"][j])
            f = 1.0 / (1.0 + math.exp(-pre["f"][j]))
            z = math.tanh(pre["z"][j])
            o = 1.0 / (1.0 + math.exp(-pre["o"][j]))
            c[j] = f * c[j] + i * z
            n[j] = f * n[j] + i
        h = [o_j * c_j / n_j for o_j, c_j, n_j in
             zip([1.0 / (1.0 + math.exp(-v)) for v in pre["o"]], c, n)]
        out.append(list(h))
    return np.array(out)


def scalar_mlstm(xs, p):
    """Raw mLSTM (the paper's equations): C += i v kᵀ, read C q / max(|nᵀq|, 1), float by float."""
    H, d, D = p.hidden_size, p.key_size, p.input_size
    C = [[0.0] * d for _ in range(H)]
    n = [0.0] * d
    out = []
    for x in xs:
        q = [sum(p.W_q[a][k] * x[k] for k in range(D)) + p.b_q[a] for a in range(d)]
        key = [sum(p.W_k[a][k] * x[k] for k in range(D)) / math.sqrt(d) + p.b_k[a]
               for a in range(d)]
        v = [sum(p.W_v[a][k] * x[k] for k in range(D)) + p.b_v[a] for a in range(H)]
        i = math.exp(sum(p.w_i[k] * x[k] for k in range(D)) + p.b_i[0])
        f = 1.0 / (1.0 + math.exp(-(sum(p.w_f[k] * x[k] for k in range(D)) + p.b_f[0])))
        o = [1.0 / (1.0 + math.exp(-(sum(p.W_o[a][k] * x[k] for k in range(D)) + p.b_o[a])))
             for a in range(H)]
        for a in range(H):
            for b in range(d):
                C[a][b] = f * C[a][b] + i * v[a] * key[b]
        n = [f * n_b + i * k_b for n_b, k_b in zip(n, key)]
        denom = max(abs(sum(n_b * q_b for n_b, q_b in zip(n, q))), 1.0)
        out.append([o[a] * sum(C[a][b] * q[b] for b in range(d)) / denom for a in range(H)])
    return np.array(out)


@pytest.fixture
def xs():
    return np.random.default_rng(3).normal(size=(9, 2))


# --- sLSTM -----------------------------------------------------------------------------

def test_slstm_raw_equals_scalar_reference(xs):
    p = random_slstm_params(2, 3, seed=1)
    np.testing.assert_allclose(run_slstm(xs, p, stabilized=False)["h_t"], scalar_slstm(xs, p),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("forget", ["sigmoid", "exp"])
def test_slstm_stabilized_equals_raw_in_float64(forget):
    # preactivations up to ~±8: exp() is far from overflow in float64. Over 15 steps
    # rounding stays < 1e-12; longer chaotic runs amplify the 1e-16 differences
    xs = np.random.default_rng(4).normal(size=(15, 4, 2)) * 3
    p = random_slstm_params(2, 5, seed=2, scale=1.0, forget=forget)
    raw, stab = run_slstm(xs, p, stabilized=False), run_slstm(xs, p)
    assert np.abs(raw["h_t"]).max() > 0.1
    np.testing.assert_allclose(stab["h_t"], raw["h_t"], rtol=0, atol=1e-12)
    # the stabilized states are the raw ones rescaled by exp(-m_t): m cancels in c/n
    np.testing.assert_allclose(stab["c_t"] * np.exp(stab["m_t"]), raw["c_t"],
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(stab["n_t"] * np.exp(stab["m_t"]), raw["n_t"], rtol=1e-12)
    assert (stab["i_t"] <= 1).all() and (stab["f_t"] <= 1).all()


def _one_gate_params(i_bias, dtype):
    """H = D = 1, W = 0 except the cell input: ĩ = i_bias, f̃ = 0, z = tanh(x), õ = 0."""
    z = np.zeros((1, 2), dtype=dtype)
    W_z = np.array([[0.0, 1.0]], dtype=dtype)
    b = lambda v: np.array([v], dtype=dtype)
    return SLSTMParams(W_i=z, b_i=b(i_bias), W_f=z, b_f=b(0.0), W_z=W_z, b_z=b(0.0),
                       W_o=z, b_o=b(0.0))


def test_raw_float32_overflows_where_stabilized_float32_matches_float64():
    # exp(89) = 4.5e38 > float32's max 3.4e38: an input-gate preactivation of 89 is enough
    xs64 = np.array([[0.5], [-1.0], [2.0]])
    with np.errstate(over="ignore", invalid="ignore"):
        raw32 = run_slstm(xs64.astype(np.float32), _one_gate_params(89.0, np.float32),
                          stabilized=False)
    assert np.isinf(raw32["i_t"][0]).all()
    assert np.isnan(raw32["h_t"]).all()  # inf / inf at step 1, and NaN is fed back through h
    stab32 = run_slstm(xs64.astype(np.float32), _one_gate_params(89.0, np.float32))
    ref64 = run_slstm(xs64, _one_gate_params(89.0, np.float64), stabilized=False)
    assert np.isfinite(ref64["h_t"]).all()
    np.testing.assert_allclose(stab32["h_t"], ref64["h_t"], rtol=1e-6, atol=1e-7)
    # below the threshold raw float32 is still finite (n_t stays < 2 exp(87) = 1.2e38)
    ok32 = run_slstm(xs64.astype(np.float32), _one_gate_params(87.0, np.float32), stabilized=False)
    assert np.isfinite(ok32["h_t"]).all()


def test_exp_forget_gate_overflows_float32_by_accumulation():
    # notebook 12's case: ĩ_t = f̃_t = 10 every step, exp forget gate; n_t ~ e^(10 t)
    W = lambda w_x, dt: np.array([[0.0, w_x]], dtype=dt)
    b = lambda v, dt: np.array([v], dtype=dt)
    params = lambda dt: SLSTMParams(W_i=W(1, dt), b_i=b(0, dt), W_f=W(1, dt), b_f=b(0, dt),
                                    W_z=W(0, dt), b_z=b(0.5, dt), W_o=W(0, dt), b_o=b(0, dt),
                                    forget="exp")
    xs = np.full((12, 1), 10.0)
    with np.errstate(over="ignore", invalid="ignore"):
        raw32 = run_slstm(xs.astype(np.float32), params(np.float32), stabilized=False)
    finite = np.isfinite(raw32["h_t"][:, 0])
    # e^(10 t) passes float32's max e^88.7 at t = 9 (n_8 ~ 8e34 is still finite)
    assert finite[:8].all() and not finite[8:].any()
    ref64 = run_slstm(xs, params(np.float64), stabilized=False)
    stab32 = run_slstm(xs.astype(np.float32), params(np.float32))
    np.testing.assert_allclose(stab32["h_t"], ref64["h_t"], rtol=1e-6)


def test_slstm_matches_authors_vanilla_step():
    rng = np.random.default_rng(5)
    H, D, B, T = 3, 2, 4, 8
    p = _torch(random_slstm_params(D, H, seed=6, scale=1.0))
    x = torch.from_numpy(rng.normal(size=(T, B, D)) * 2)
    ours = run_slstm(x, p)
    W = {g: getattr(p, f"W_{g}") for g in "ifzo"}
    b = torch.cat([getattr(p, f"b_{g}") for g in "ifzo"])[None]
    states = torch.zeros(4, B, H, dtype=torch.float64)
    for t in range(T):
        Wx = torch.cat([x[t] @ W[g][:, H:].T for g in "ifzo"], dim=-1)
        Ry = torch.cat([states[0] @ W[g][:, :H].T for g in "ifzo"], dim=-1)
        states, gates = ref_slstm_forward_pointwise(Wx, Ry, b, states)
        y, c, n, m = states
        torch.testing.assert_close(ours["h_t"][t], y, rtol=0, atol=1e-12)
        # their m starts at ĩ_1 and ours at max(log f_1, ĩ_1): c and n differ by exp(m − m_ref)
        scale = ours["m_t"][t].exp()
        torch.testing.assert_close(ours["c_t"][t] * scale, c * m.exp(), rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(ours["n_t"][t] * scale, n * m.exp(), rtol=1e-12, atol=0)


def test_slstm_numpy_and_torch_agree(xs):
    p = random_slstm_params(2, 3, seed=7)
    a = run_slstm(xs, p)["h_t"]
    b = run_slstm(torch.from_numpy(xs), _torch(p))["h_t"].numpy()
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)


# --- mLSTM -----------------------------------------------------------------------------

@pytest.mark.parametrize("key_size", [None, 4])
def test_mlstm_recurrent_equals_scalar_reference(xs, key_size):
    p = random_mlstm_params(2, 3, key_size=key_size, seed=8, scale=1.0)
    np.testing.assert_allclose(run_mlstm(xs, p)["h_t"], scalar_mlstm(xs, p), rtol=0, atol=1e-12)


@pytest.mark.parametrize("forget", ["sigmoid", "exp"])
def test_mlstm_recurrent_equals_parallel(forget):
    xs = np.random.default_rng(9).normal(size=(25, 3, 2)) * 2
    p = random_mlstm_params(2, 4, key_size=3, seed=10, scale=1.0, forget=forget)
    rec = run_mlstm(xs, p)["h_t"]                 # (T, B, H)
    par = mlstm_parallel(xs, p).h_t               # (B, T, H)
    assert np.abs(rec).max() > 0.05
    np.testing.assert_allclose(np.moveaxis(rec, 0, 1), par, rtol=0, atol=1e-10)


def test_mlstm_lower_bound_is_active_somewhere():
    # the test above would not notice a wrong lower bound unless max(|nᵀq|, 1) picks 1 somewhere
    xs = np.random.default_rng(9).normal(size=(25, 3, 2)) * 2
    p = random_mlstm_params(2, 4, key_size=3, seed=10, scale=1.0)
    tr = run_mlstm(xs, p)
    raw_nq = np.abs((tr["n_t"] * tr["q_t"]).sum(-1)) * np.exp(tr["m_t"][..., 0])
    assert (raw_nq < 1).any() and (raw_nq > 1).any()


def test_mlstm_matches_authors_backends():
    rng = np.random.default_rng(11)
    D, H, B, T = 2, 4, 3, 7
    p = _torch(random_mlstm_params(D, H, seed=12, scale=1.0))
    x = torch.from_numpy(rng.normal(size=(T, B, D)) * 2)
    ours = run_mlstm(x, p)
    d = p.key_size
    # the authors scale keys by 1/√d inside the backend, after any bias: hand them √d k_t
    q = ours["q_t"].permute(1, 0, 2)[:, None]                    # (B, 1, T, d)
    k = (ours["k_t"] * math.sqrt(d)).permute(1, 0, 2)[:, None]
    v = ours["v_t"].permute(1, 0, 2)[:, None]
    ig = ours["i_tilde"].permute(1, 0, 2)[:, None]               # (B, 1, T, 1)
    fg = ours["f_tilde"].permute(1, 0, 2)[:, None]
    h_tilde = ours["h_tilde"].permute(1, 0, 2)[:, None]
    # eps = 0 makes their denominator the paper's; with their eps = 1e-6 it moves by ~1e-6
    par = ref_parallel_stabilized_simple(q, k, v, ig, fg, eps=0.0)
    torch.testing.assert_close(par, h_tilde, rtol=0, atol=1e-12)
    par_eps = ref_parallel_stabilized_simple(q, k, v, ig, fg)
    torch.testing.assert_close(par_eps, h_tilde, rtol=1e-5, atol=1e-5)
    C = torch.zeros(B, 1, d, H, dtype=torch.float64)
    n = torch.zeros(B, 1, d, 1, dtype=torch.float64)
    m = torch.zeros(B, 1, 1, 1, dtype=torch.float64)
    for t in range(T):
        h, (C, n, m) = ref_recurrent_step_stabilized_simple(
            C, n, m, q[:, :, t:t + 1], k[:, :, t:t + 1], v[:, :, t:t + 1],
            ig[:, :, t:t + 1], fg[:, :, t:t + 1], eps=0.0)
        torch.testing.assert_close(h[:, 0, 0], ours["h_tilde"][t], rtol=0, atol=1e-12)
        # their memory is stored transposed (k vᵀ): ours is v kᵀ, same m_0 = 0
        torch.testing.assert_close(C[:, 0].transpose(-1, -2), ours["C_t"][t], rtol=0, atol=1e-12)


def test_mlstm_numpy_and_torch_agree(xs):
    p = random_mlstm_params(2, 3, seed=13)
    a = mlstm_parallel(xs, p).h_t
    b = mlstm_parallel(torch.from_numpy(xs), _torch(p)).h_t.numpy()
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-13)


# --- trainable layers ------------------------------------------------------------------

def test_layers_are_the_cells():
    torch.manual_seed(0)
    x = torch.randn(6, 2, 3, dtype=torch.float64)
    s = SLSTMLayer(3, 4).double()
    torch.testing.assert_close(s(x), run_slstm(x, s.params())["h_t"], rtol=0, atol=1e-12)
    for form in ("parallel", "recurrent"):
        m = MLSTMLayer(3, 4, head_dim=2, form=form).double()
        with torch.no_grad():
            for prm in m.parameters():  # the init has zero gate weights; make every path count
                prm.normal_()
        torch.testing.assert_close(m(x), run_mlstm(x, m.params())["h_t"], rtol=0, atol=1e-12)


def test_layers_train_and_give_gradients():
    torch.manual_seed(1)
    x = torch.randn(5, 2, 3)
    for layer in (SLSTMLayer(3, 4), MLSTMLayer(3, 4)):
        layer(x).pow(2).sum().backward()
        assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in layer.parameters())
        assert layer(x).shape == (5, 2, 4)


def test_layers_stay_finite_in_float32_where_raw_gates_would_overflow():
    # input-gate pre-activations ~100 > 88.7: exp() alone would be inf in float32
    torch.manual_seed(2)
    x = torch.randn(40, 3, 3)
    s, m = SLSTMLayer(3, 4), MLSTMLayer(3, 4, form="recurrent")
    with torch.no_grad():
        s.b[:4] = 100.0
        m.b_i.fill_(100.0)
    for layer in (s, m):
        out = layer(x)
        assert torch.isfinite(out).all()
        out.sum().backward()
        assert all(torch.isfinite(p.grad).all() for p in layer.parameters())
    # the two forms still agree with such gates (in float64: with ĩ = 100 the bound e^(−m)
    # never binds, the readout divides by nᵀq, and in this example some nᵀq nearly cancel,
    # which float32 rounding would turn into percent-level differences)
    m64 = m.double()
    with torch.no_grad():
        m64.form = "recurrent"
        rec = m64(x.double())
        m64.form = "parallel"
        par = m64(x.double())
    assert (rec - par).norm() / rec.norm() < 1e-10
    ref = run_mlstm(x.double(), m64.params())["h_t"]
    assert (rec - ref).abs().max() <= 1e-10


# --- bad inputs ------------------------------------------------------------------------

def test_bad_inputs_are_named():
    p = random_slstm_params(2, 3)
    z3 = np.zeros(3)
    with pytest.raises(ValueError, match=r"D=2.*got shape \(3,\)"):
        slstm_step(np.zeros(3), z3, z3, z3, z3, p)
    with pytest.raises(ValueError, match=r"n_prev must have shape \(3,\).*got shape \(4,\)"):
        slstm_raw_step(np.zeros(2), z3, z3, np.zeros(4), p)
    with pytest.raises(TypeError, match="arrays must share one dtype, got x_t is float32, h_prev is float64"):
        slstm_step(np.zeros(2, dtype=np.float32), z3, z3, z3, z3, p)
    with pytest.raises(TypeError, match="x_t must hold floats, got dtype int64"):
        slstm_step(np.zeros(2, dtype=np.int64), z3, z3, z3, z3, p)
    with pytest.raises(TypeError, match="mix of NumPy arrays and torch tensors"):
        slstm_step(torch.zeros(2, dtype=torch.float64), z3, z3, z3, z3, p)
    with pytest.raises(ValueError, match="x_t contains NaN or inf"):
        slstm_step(np.array([np.nan, 0.0]), z3, z3, z3, z3, p)
    with pytest.raises(TypeError, match="params must be SLSTMParams, got MLSTMParams"):
        slstm_step(np.zeros(2), z3, z3, z3, z3, random_mlstm_params(2, 3))
    with pytest.raises(ValueError, match="hidden_size must be >= 1, got 0"):
        random_slstm_params(2, 0)
    with pytest.raises(ValueError, match="hidden_size must be >= 1, got 0"):
        random_mlstm_params(2, 0)
    with pytest.raises(ValueError, match=r"W_i must have shape \(H, H \+ D\) with H >= 1.*\(0, 2\)"):
        SLSTMParams(**{**vars(p), **{k: np.zeros((0, 2)) if k[0] == "W" else np.zeros(0)
                                     for k in p.array_names()}})
    with pytest.raises(ValueError, match=r"hidden size H must be >= 1, got W_v with shape \(0, 2\)"):
        MLSTMParams(**{**vars(random_mlstm_params(2, 3)), "W_v": np.zeros((0, 2)),
                       "b_v": np.zeros(0), "W_o": np.zeros((0, 2)), "b_o": np.zeros(0)})
    with pytest.raises(ValueError, match="forget must be one of"):
        random_slstm_params(2, 3, forget="tanh")
    with pytest.raises(ValueError, match="xs must hold at least one time step"):
        run_slstm(np.zeros((0, 2)), p)
    q = random_mlstm_params(2, 3, key_size=4)
    C, n, m = mlstm_zero_state(np.zeros(2), q)
    with pytest.raises(ValueError, match=r"C_prev must have shape \(3, 4\) to match x_t \(2,\).*got shape \(4, 3\)"):
        mlstm_step(np.zeros(2), C.T, n, m, q)
    with pytest.raises(ValueError, match=r"W_k must have shape \(4, 2\), got shape \(4, 3\)"):
        MLSTMParams(**{**vars(q), "W_k": np.zeros((4, 3))})
    with pytest.raises(ValueError, match="xs contains NaN or inf"):
        mlstm_parallel(np.full((3, 2), np.inf), q)
    with pytest.raises(ValueError, match="xs must hold at least one time step"):
        run_mlstm(np.zeros((0, 2)), q)


def test_layer_bad_inputs():
    with pytest.raises(ValueError, match="hidden_size must be >= 1, got 0"):
        SLSTMLayer(2, 0)
    with pytest.raises(ValueError, match="hidden_size must be >= 1, got 0"):
        MLSTMLayer(2, 0)
    with pytest.raises(TypeError, match="input_size must be an int"):
        MLSTMLayer(2.0, 3)
    for layer in (SLSTMLayer(2, 3), MLSTMLayer(2, 3)):
        with pytest.raises(ValueError, match="at least one time step"):
            layer(torch.zeros(0, 4, 2))
        with pytest.raises(ValueError,
                           match=r"x must have shape \(T, B, 2\), got shape \(5, 4, 3\)"):
            layer(torch.zeros(5, 4, 3))
        with pytest.raises(ValueError, match="x must have 3 dimension"):
            layer(torch.zeros(5, 2))
