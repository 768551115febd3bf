"""The LSTM's backward pass by hand (notebook 14) against autograd, finite differences and torch."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from lstm_edu.cells import lstm_params_from_torch, lstm_step
from lstm_edu.cells import lstm_backward
from lstm_edu.cells.lstm_backward import LSTMStepGrads, lstm_bptt, lstm_step_backward
from lstm_edu.experiments.backward import (autograd_lstm, cell_path, finite_difference,
                                           forget_biases, max_difference, random_bptt_problem,
                                           relative_error, state_jacobians, tbptt_saved_bytes,
                                           train_exploding_rnn, train_recall_tbptt,
                                           truncation_bias)
from lstm_edu.worked_example import SOURCE_F_T, worked_example


def _problem(seed, T, B, D=3, H=4):
    torch.manual_seed(seed)
    params = lstm_params_from_torch(nn.LSTM(D, H, dtype=torch.float64))
    rng = np.random.default_rng(seed)
    batch = () if B is None else (B,)
    xs = rng.normal(size=(T,) + batch + (D,))
    dhs = rng.normal(size=(T,) + batch + (H,))
    state0 = (rng.normal(size=batch + (H,)), rng.normal(size=batch + (H,)))
    return params, xs, dhs, state0


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("T,B", [(1, None), (5, 1), (17, 3), (8, None)])
def test_bptt_equals_autograd_on_nn_lstm(seed, T, B):
    params, xs, dhs, state0 = _problem(seed, T, B)
    ours = lstm_bptt(xs, params, dhs, state0)
    assert max_difference(ours, autograd_lstm(xs, params, dhs, state0)) <= 1e-10


@pytest.mark.parametrize("B", [None, 2])
def test_one_step_backward_equals_autograd_for_every_input(B):
    """dL/dh_{t-1}, dL/dx_t, dL/dC_{t-1} and the weight gradients of one step, with a loss on
    both h_t and C_t (so the given dc_t is used)."""
    params, xs, dhs, (h0, c0) = _problem(3, 1, B)
    dc = np.random.default_rng(9).normal(size=h0.shape)
    step = lstm_step(xs[0], h0, c0, params)
    g = lstm_step_backward(dhs[0], dc, step, c0, params)

    tp = {n: torch.tensor(getattr(params, n), requires_grad=True) for n in params.__dataclass_fields__}
    x, h, c = (torch.tensor(a, requires_grad=True) for a in (xs[0], h0, c0))
    out = lstm_step(x, h, c, type(params)(**tp))
    (out.h_t * torch.tensor(dhs[0]) + out.c_t * torch.tensor(dc)).sum().backward()
    assert np.allclose(g.dh_prev, h.grad, atol=1e-12, rtol=0)
    assert np.allclose(g.dx_t, x.grad, atol=1e-12, rtol=0)
    assert np.allclose(g.dc_prev, c.grad, atol=1e-12, rtol=0)
    for name, t in tp.items():
        assert np.allclose(getattr(g, f"d{name}"), t.grad, atol=1e-12, rtol=0), name
    assert np.allclose(g.params.W_f, g.dW_f)


def test_torch_and_numpy_backward_agree():
    params, xs, dhs, (h0, c0) = _problem(4, 1, 3)
    step = lstm_step(xs[0], h0, c0, params)
    g = lstm_step_backward(dhs[0], np.zeros_like(h0), step, c0, params)
    tparams = type(params)(**{n: torch.from_numpy(getattr(params, n))
                              for n in params.__dataclass_fields__})
    tstep = lstm_step(torch.from_numpy(xs[0]), torch.from_numpy(h0), torch.from_numpy(c0), tparams)
    tg = lstm_step_backward(torch.from_numpy(dhs[0]), torch.zeros(3, 4, dtype=torch.float64),
                            tstep, torch.from_numpy(c0), tparams)
    for name in LSTMStepGrads._fields:
        assert np.allclose(getattr(g, name), getattr(tg, name).numpy(), atol=1e-14), name


def test_worked_example_forget_gate_gates_the_gradient():
    ex = worked_example()
    step = lstm_step(ex.x_t, ex.h_prev, ex.c_prev, ex.params)
    ones, zeros = np.ones(3), np.zeros(3)
    g = lstm_step_backward(zeros, ones, step, ex.c_prev, ex.params)
    assert np.allclose(g.dc_prev, SOURCE_F_T, atol=1e-12)


def test_finite_differences_agree_and_planted_bug_fails_both_checks(monkeypatch):
    params, xs, dhs, state0 = _problem(5, 6, 2)

    def loss():
        h = lstm_bptt(xs, params, np.zeros_like(dhs), state0).trace["h_t"]
        return np.sum(h * dhs)

    def checks():
        ours = lstm_bptt(xs, params, dhs, state0)
        auto = max_difference(ours, autograd_lstm(xs, params, dhs, state0))
        fd = max(relative_error(finite_difference(loss, params.W_c, idx),
                                ours.grads.W_c[idx]) for idx in [(0, 0), (1, 2), (3, 5)])
        return auto, fd

    auto, fd = checks()
    assert auto <= 1e-10 and fd <= 1e-6
    monkeypatch.setattr(lstm_backward, "dtanh", lambda y: 1.0)   # drop the tanh' factor
    auto, fd = checks()
    assert auto > 1e-3 and fd > 1e-3


def test_truncation_equals_the_torch_detach_loop():
    """lstm_bptt(truncate=k) is what a torch loop computes that detaches every k steps and
    calls backward once a chunk."""
    for k in (1, 7, 20):
        params, xs, dhs = random_bptt_problem(T=20, seed=1)
        ours = lstm_bptt(xs, params, dhs, truncate=k).grads
        _, torch_grads = tbptt_saved_bytes(k, T=20, seed=1)
        H = params.hidden_size
        W = torch.cat([torch_grads["weight_hh"], torch_grads["weight_ih"]], 1).numpy()
        for j, gate in enumerate("ifco"):
            assert np.allclose(getattr(ours, f"W_{gate}"), W[j * H:(j + 1) * H], atol=1e-10)
            assert np.allclose(getattr(ours, f"b_{gate}"),
                               torch_grads["bias_ih"][j * H:(j + 1) * H].numpy(), atol=1e-10)


def test_truncation_bias_and_memory():
    r = truncation_bias([1, 5, 60], T=60)
    assert r["cosine"][-1] == pytest.approx(1.0) and r["rel_error"][-1] == pytest.approx(0.0)
    assert r["cosine"][0] < r["cosine"][1] < 1.0
    peaks = [tbptt_saved_bytes(k, T=60)[0] for k in (1, 5, 60)]
    assert peaks[0] < peaks[1] < peaks[2]


def test_state_jacobians_equal_autograd():
    params, xs, _, (h0, c0) = _problem(6, 3, None)
    from lstm_edu.cells import run_sequence
    trace = run_sequence(lstm_step, xs, params, (h0, c0))
    J = state_jacobians(params, trace, c0)
    tp = type(params)(**{n: torch.from_numpy(getattr(params, n))
                         for n in params.__dataclass_fields__})
    H = params.hidden_size
    for t in range(3):
        h_prev = h0 if t == 0 else trace["h_t"][t - 1]
        c_prev = c0 if t == 0 else trace["c_t"][t - 1]

        def f(state):
            s = lstm_step(torch.from_numpy(xs[t]), state[:H], state[H:], tp)
            return torch.cat([s.h_t, s.c_t])

        auto = torch.autograd.functional.jacobian(f, torch.from_numpy(np.concatenate([h_prev,
                                                                                     c_prev])))
        assert np.allclose(J[t], auto.numpy(), atol=1e-12)


def test_cell_path_direct_is_product_of_forget_gates():
    p = cell_path(1.0, T=10)
    assert p.full[0] == p.direct[0] == 1.0
    assert np.all(np.diff(p.direct) <= 0)      # a product of numbers in (0, 1) only shrinks
    high = cell_path(5.0, T=10)
    assert high.direct[-1] > p.direct[-1]
    assert forget_biases("chrono", 50) == (math.log(50), -math.log(50))
    with pytest.raises(ValueError, match="init must be one of"):
        forget_biases("two", 50)


def test_recall_and_clipping_runs_are_short_and_finite():
    acc = train_recall_tbptt(2, gap=4, steps=3)
    assert 0.0 <= acc <= 1.0
    r = train_exploding_rnn(1.0, steps=5)
    assert np.all(np.isfinite(r["loss"])) and r["grad_norm"].shape == (5,)


# --- bad input -----------------------------------------------------------------------------

def _step_and_args():
    params, xs, dhs, (h0, c0) = _problem(0, 1, 2)
    step = lstm_step(xs[0], h0, c0, params)
    return params, step, dhs[0], c0


def test_backward_rejects_wrong_shapes():
    params, step, dh, c0 = _step_and_args()
    with pytest.raises(ValueError, match=r"dc_t must have shape \(2, 4\)"):
        lstm_step_backward(dh, np.zeros((2, 5)), step, c0, params)


def test_backward_rejects_nan():
    params, step, dh, c0 = _step_and_args()
    bad = dh.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="dh_t contains NaN"):
        lstm_step_backward(bad, np.zeros_like(dh), step, c0, params)


def test_backward_rejects_mixed_dtypes_and_kinds():
    params, step, dh, c0 = _step_and_args()
    with pytest.raises(TypeError, match="share one dtype"):
        lstm_step_backward(dh.astype(np.float32), np.zeros_like(dh), step, c0, params)
    with pytest.raises(TypeError, match="mix of NumPy arrays and torch tensors"):
        lstm_step_backward(torch.from_numpy(dh), np.zeros_like(dh), step, c0, params)


def test_backward_rejects_wrong_objects():
    params, step, dh, c0 = _step_and_args()
    with pytest.raises(TypeError, match="step must be the LSTMStep"):
        lstm_step_backward(dh, np.zeros_like(dh), tuple(step), c0, params)
    with pytest.raises(TypeError, match="params must be LSTMParams"):
        lstm_step_backward(dh, np.zeros_like(dh), step, c0, "params")


def test_bptt_rejects_bad_input():
    params, xs, dhs, _ = _problem(0, 4, 2)
    with pytest.raises(ValueError, match=r"dhs must have shape \(4, 2, 4\)"):
        lstm_bptt(xs, params, dhs[:3])
    with pytest.raises(ValueError, match="truncate must be >= 1"):
        lstm_bptt(xs, params, dhs, truncate=0)
    with pytest.raises(TypeError, match="truncate must be an int"):
        lstm_bptt(xs, params, dhs, truncate=2.5)
    with pytest.raises(TypeError, match="share one dtype"):
        lstm_bptt(torch.from_numpy(xs), params, torch.from_numpy(dhs).float())
    bad = dhs.copy()
    bad[1, 0, 0] = np.inf
    with pytest.raises(ValueError, match="dhs contains NaN or inf"):
        lstm_bptt(xs, params, bad)


# --- notebook 14's loops are the package's ---------------------------------------------------

NOTEBOOK = __import__("pathlib").Path(__file__).resolve().parents[1] / "notebooks" / \
    "14_lstm_backward.ipynb"


def _notebook_function(name: str):
    """The definition of ``name`` from notebook 14's cells, run on its own (no training)."""
    import json

    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]
             if c["cell_type"] == "code"]
    src = next(c for c in cells if f"def {name}(" in c)
    src = src[src.index(f"def {name}("):]
    end = src.find("\n\n\n")
    ns = {"np": np, "torch": torch, "nn": nn, "recall_task": __import__(
        "lstm_edu.data", fromlist=["recall_task"]).recall_task,
        "recall_accuracy": __import__("lstm_edu.experiments.backward",
                                      fromlist=["recall_accuracy"]).recall_accuracy}
    exec(src if end < 0 else src[:end], ns)  # noqa: S102 - the course's own notebook
    return ns[name]


def test_notebook_truncation_loop_is_train_recall_tbptt():
    cell_fn = _notebook_function("train_truncated")
    for window in (None, 2):
        assert cell_fn(window, gap=6, seed=1, steps=4) == train_recall_tbptt(window, gap=6,
                                                                           seed=1, steps=4)


def test_notebook_clipping_loop_is_train_exploding_rnn():
    cell_fn = _notebook_function("train_rnn")
    for clip in (None, 1.0):
        ours, theirs = cell_fn(clip, 2, steps=4), train_exploding_rnn(clip, seed=2, steps=4)
        assert np.array_equal(ours["loss"], theirs["loss"])
        assert np.array_equal(ours["grad_norm"], theirs["grad_norm"])
