"""The worked example: weights constructed to give the source's f_t; the whole step equals torch.

The biases are solved so that each layer outputs its target on the example's
inputs (section 3.3 gives f_t but no weights), so "the layer gives the source's
f_t" holds by construction. What the tests below check is that construction:
the logit / artanh inversion in solve_bias, lstm_step running it forward, and
the rebuild from the printed weights. That the step equals PyTorch is the
independent check.
"""

import numpy as np
import pytest
import torch
from torch import nn

from lstm_edu.cells import load_lstm_params, torch_lstm_cell
from lstm_edu.cells import LSTMParams, LSTMStep, lstm_step, run_sequence, sigmoid
from lstm_edu.figures.cells import draw_lstm_cell
from lstm_edu.worked_example import (
    TARGETS,
    WEIGHTS,
    WorkedExample,
    build_worked_example,
    logit,
    solve_bias,
    worked_example,
)

TOL = 1e-12


@pytest.fixture
def ex():
    return worked_example()


def test_inputs_are_the_sources(ex):
    np.testing.assert_array_equal(ex.c_prev, [0.5, 0.6, 0.4])
    np.testing.assert_array_equal(ex.h_prev, [0.3, 0.8, 0.69])
    np.testing.assert_array_equal(ex.x_t, [0.2, 1.3, 0.7])
    np.testing.assert_array_equal(ex.hx, [0.3, 0.8, 0.69, 0.2, 1.3, 0.7])
    assert ex.hx.dtype == np.float64


def test_solved_forget_bias_gives_the_sources_f_t_through_the_logit(ex):
    """sigma(W_f hx + logit(f) - W_f hx) = f: the construction, checked end to end."""
    np.testing.assert_allclose(ex.step.f_t, [0.5, 0.1, 0.8], rtol=0, atol=TOL)
    b_f = logit(np.array([0.5, 0.1, 0.8])) - ex.params.W_f @ ex.hx
    np.testing.assert_allclose(ex.params.b_f, b_f, rtol=0, atol=TOL)


def test_kept_is_the_product_of_the_sources_f_t_and_c_prev(ex):
    """The source gives f_t and C_(t-1), not [0.25, 0.06, 0.32]: that is their product."""
    np.testing.assert_allclose(ex.step.f_t * ex.c_prev, [0.25, 0.06, 0.32], rtol=0, atol=TOL)


def test_solved_biases_give_every_layer_its_target(ex):
    """Each bias is solved for its target, so this checks solve_bias and lstm_step agree."""
    s = ex.step
    for key, got in (("f_t", s.f_t), ("i_t", s.i_t), ("c_tilde", s.c_tilde), ("o_t", s.o_t)):
        np.testing.assert_allclose(got, TARGETS[key], rtol=0, atol=TOL, err_msg=key)
    np.testing.assert_allclose(s.c_t, [0.37, -0.66, 0.52], rtol=0, atol=TOL)
    np.testing.assert_allclose(s.h_t, np.array(TARGETS["o_t"]) * np.tanh([0.37, -0.66, 0.52]),
                               rtol=0, atol=TOL)


def test_weights_are_the_stated_readable_ones(ex):
    for gate in "fico":
        W = getattr(ex.params, f"W_{gate}")
        np.testing.assert_array_equal(W, np.array(WEIGHTS[f"W_{gate}"]))
        assert W.shape == (3, 6)
        np.testing.assert_allclose(W * 10, np.round(W * 10), atol=1e-12)  # one decimal each


def test_rebuilt_from_the_printed_numbers_by_the_formula(ex):
    """What a learner does: W from the table, b = logit/artanh(target) - W [h, x]."""
    hx = np.array([0.3, 0.8, 0.69, 0.2, 1.3, 0.7])
    inverse = {"f": logit, "i": logit, "c": np.arctanh, "o": logit}
    key = {"f": "f_t", "i": "i_t", "c": "c_tilde", "o": "o_t"}
    kwargs = {}
    for gate in "fico":
        W = np.array(WEIGHTS[f"W_{gate}"])
        kwargs[f"W_{gate}"] = W
        kwargs[f"b_{gate}"] = inverse[gate](np.array(TARGETS[key[gate]])) - W @ hx
    step = lstm_step(ex.x_t, ex.h_prev, ex.c_prev, LSTMParams(**kwargs))
    for name in LSTMStep._fields:
        np.testing.assert_allclose(getattr(step, name), getattr(ex.step, name), rtol=0, atol=TOL)


def test_whole_step_equals_torch_lstmcell_float64(ex):
    cell = torch_lstm_cell(ex.params)
    assert cell.weight_ih.dtype == torch.float64
    state = (torch.from_numpy(ex.h_prev), torch.from_numpy(ex.c_prev))
    h, c = cell(torch.from_numpy(ex.x_t), state)
    assert np.abs(h.detach().numpy() - ex.step.h_t).max() <= TOL
    assert np.abs(c.detach().numpy() - ex.step.c_t).max() <= TOL


def test_few_steps_equal_torch_lstm(ex):
    xs, state0 = ex.sequence()
    assert xs.shape == (5, 3)
    np.testing.assert_array_equal(xs[0], ex.x_t)
    trace = run_sequence(lstm_step, xs, ex.params, state0)
    for name in LSTMStep._fields:
        np.testing.assert_allclose(trace[name][0], getattr(ex.step, name), rtol=0, atol=TOL)
    lstm = load_lstm_params(nn.LSTM(3, 3, dtype=torch.float64), ex.params)
    h0, c0 = (torch.from_numpy(s).reshape(1, 1, 3) for s in state0)
    out, (h_n, c_n) = lstm(torch.from_numpy(xs).reshape(5, 1, 3), (h0, c0))
    assert np.abs(out.detach().numpy()[:, 0] - trace["h_t"]).max() <= TOL
    assert np.abs(c_n.detach().numpy()[0, 0] - trace["c_t"][-1]).max() <= TOL


def test_torch_params_give_the_forget_gate_as_jacobian(ex):
    p = ex.torch_params()
    assert isinstance(p.W_f, torch.Tensor) and p.W_f.dtype == torch.float64
    x, h = torch.from_numpy(ex.x_t), torch.from_numpy(ex.h_prev)
    jac = torch.autograd.functional.jacobian(lambda c: lstm_step(x, h, c, p).c_t,
                                             torch.from_numpy(ex.c_prev))
    np.testing.assert_allclose(jac.numpy(), np.diag(ex.step.f_t), rtol=0, atol=TOL)


def test_each_call_gives_fresh_arrays():
    a = worked_example()
    a.c_prev[0] = 99.0
    a.params.W_f[0, 0] = 99.0
    b = worked_example()
    assert b.c_prev[0] == 0.5 and b.params.W_f[0, 0] == 0.2
    assert isinstance(b, WorkedExample) and isinstance(b.step, LSTMStep)


def test_values_feed_the_diagram(ex):
    values = ex.values()
    assert set(values) == {"c_prev", "h_prev", "x_t", "f_t", "i_t", "c_tilde", "c_t", "o_t", "h_t"}
    draw_lstm_cell(values=values)


def test_solve_bias_inverts_both_activations():
    rng = np.random.default_rng(0)
    W, hx = rng.normal(size=(4, 7)), rng.normal(size=7)
    target = np.array([0.01, 0.3, 0.7, 0.99])
    b = solve_bias(W, hx, target)
    np.testing.assert_allclose(sigmoid(W @ hx + b), target, rtol=0, atol=TOL)
    target = np.array([-0.95, -0.1, 0.2, 0.9])
    b = solve_bias(W, hx, target, activation="tanh")
    np.testing.assert_allclose(np.tanh(W @ hx + b), target, rtol=0, atol=TOL)


def test_custom_targets():
    targets = dict(TARGETS, f_t=(0.9, 0.9, 0.9))
    ex = build_worked_example(targets=targets)
    np.testing.assert_allclose(ex.step.f_t, 0.9, rtol=0, atol=TOL)


def test_bad_inputs_are_named():
    W, hx = np.zeros((3, 6)), np.zeros(6)
    with pytest.raises(ValueError, match=r"p must lie strictly between 0 and 1.*got \[0.  0.5\]"):
        logit([0.0, 0.5])
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        solve_bias(W, hx, [0.5, 1.2, 0.5])
    with pytest.raises(ValueError, match="tanh layer's target must lie strictly between -1 and 1"):
        solve_bias(W, hx, [0.5, 1.0, 0.5], activation="tanh")
    with pytest.raises(ValueError,
                       match=r"activation must be one of \['sigmoid', 'tanh'\], got 'relu'"):
        solve_bias(W, hx, [0.5, 0.5, 0.5], activation="relu")
    with pytest.raises(ValueError,
                       match=r"W must have 5 columns to act on hx \(5,\), got shape \(3, 6\)"):
        solve_bias(W, np.zeros(5), [0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match=r"target must have shape \(3,\), got shape \(2,\)"):
        solve_bias(W, hx, [0.5, 0.5])
    with pytest.raises(TypeError, match="W must be a numpy.ndarray or torch.Tensor, got list"):
        solve_bias([[0.0] * 6] * 3, hx, [0.5, 0.5, 0.5])
    with pytest.raises(TypeError, match="weights must be a dict, got list"):
        build_worked_example(weights=[1, 2])
    with pytest.raises(ValueError, match=r"targets must have exactly the keys .*got \('f_t',\)"):
        build_worked_example(targets={"f_t": (0.5, 0.1, 0.8)})
