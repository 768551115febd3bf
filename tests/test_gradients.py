"""‖∂s_T/∂s_t‖ by autograd: against closed forms, torch cells, and bad input."""

import math

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from lstm_edu.cells import lstm_params_from_torch, rnn_params_from_torch
from lstm_edu.cells import RNNParams, lstm_step, rnn_step, run_sequence
from lstm_edu.experiments.gradients import (GradientFlow, as_step, gradient_norms,
                                            measure_rnn_decay, pascanu_bound, recall_sequence,
                                            recurrent_weights, scaled_rnn, state_jacobians)
from lstm_edu.figures.gradients import (_decade_label, _decade_limits, plot_gradient_decay,
                                        rnn_decay)

from figure_checks import one_line, rendered, same, titles, ydata

D, H, T = 3, 4, 6


@pytest.fixture
def xs():
    torch.manual_seed(0)
    return torch.randn(T, D, dtype=torch.float64)


def reference(step_fn, xs, t, n):
    """∂s_T/∂s_t by torch.autograd.functional.jacobian, restarting at the state after t steps."""
    state = torch.zeros(n, dtype=torch.float64)
    with torch.no_grad():
        for x in xs[:t]:
            state = step_fn(x, state)
    def rest(s):
        for x in xs[t:]:
            s = step_fn(x, s)
        return s
    return torch.autograd.functional.jacobian(rest, state)


def test_rnn_jacobians_equal_the_closed_form_product(xs):
    torch.manual_seed(1)
    params = rnn_params_from_torch(nn.RNNCell(D, H, dtype=torch.float64), as_numpy=False)
    J = state_jacobians(rnn_step, xs, params)
    assert J.shape == (T + 1, H, H)
    h = run_sequence(rnn_step, xs, params)["h_t"]
    W_hh = recurrent_weights(params)
    product = torch.eye(H, dtype=torch.float64)
    for t in range(T, 0, -1):  # J[t-1] = J[t] · diag(1 - h_t²) W_hh
        product = product @ torch.diag(1 - h[t - 1] ** 2) @ W_hh
        assert torch.allclose(J[t - 1], product, atol=1e-14)
    assert torch.equal(J[T], torch.eye(H, dtype=torch.float64))


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_torch_cells_match_a_jacobian_computed_another_way(kind, xs):
    torch.manual_seed(2)
    cls = {"rnn": nn.RNNCell, "gru": nn.GRUCell, "lstm": nn.LSTMCell}[kind]
    cell = cls(D, H, dtype=torch.float64)
    if kind == "lstm":
        def step_fn(x, s):
            h, c = cell(x, (s[:H], s[H:]))
            return torch.cat([h, c])
        J = state_jacobians(cell, xs, component=None)
        n = 2 * H
    else:
        step_fn, n = (lambda x, s: cell(x, s)), H
        J = state_jacobians(cell, xs)
    for t in (0, 2, T - 1):
        assert torch.allclose(J[t], reference(step_fn, xs, t, n), atol=1e-13), t


def test_lstm_step_and_lstmcell_agree_on_every_block(xs):
    """Each state handed on must be its own node: C_t -> h_t inside a step is not a dependence."""
    torch.manual_seed(3)
    cell = nn.LSTMCell(D, H, dtype=torch.float64)
    params = lstm_params_from_torch(cell, as_numpy=False)
    for component in (0, 1, None):
        ours = state_jacobians(lstm_step, xs, params, component=component)
        theirs = state_jacobians(cell, xs, component=component)
        assert torch.allclose(ours, theirs, atol=1e-13), component
    assert state_jacobians(cell, xs, component=None).shape == (T + 1, 2 * H, 2 * H)


def test_gradient_norms_and_decay_rate(xs):
    torch.manual_seed(4)
    cell = nn.RNNCell(D, H, dtype=torch.float64)
    J = state_jacobians(cell, xs)
    flow = gradient_norms(cell, xs)
    assert isinstance(flow, GradientFlow) and flow.norms[0] == pytest.approx(1.0)
    assert flow.norms[T] == pytest.approx(torch.linalg.matrix_norm(J[0], ord=2).item())
    fro = gradient_norms(cell, xs, norm="frobenius")
    assert fro.norms[2] == pytest.approx(torch.linalg.matrix_norm(J[T - 2]).item())
    assert flow.decay_rate(1, 3) == pytest.approx((flow.norms[3] / flow.norms[1]) ** 0.5)
    synthetic = GradientFlow(np.arange(5), 0.5 ** np.arange(5.0), "spectral")
    assert synthetic.decay_rate() == pytest.approx(0.5)
    with pytest.raises(ValueError, match="stop must be >= 3, got 2"):
        synthetic.decay_rate(2, 2)


def test_default_rnn_vanishes_and_scaled_up_rnn_explodes():
    default = measure_rnn_decay(1.0, T=50)
    assert 0.4 < default["rate"] < 0.75 and default["flow"].norms[50] < 1e-8
    assert default["sigma_max"] > 1.0  # the bound alone would allow growth
    assert default["rho"] == pytest.approx(1 / math.sqrt(3), abs=0.1)
    assert measure_rnn_decay(3.0, T=50)["flow"].norms[50] > 1.0


def test_pascanu_bound_bounds_the_rnn(xs):
    params = scaled_rnn(1.0, H=8, D=D, seed=0)
    flow = gradient_norms(rnn_step, xs, params)
    bound = pascanu_bound(recurrent_weights(params), flow.distance)
    assert np.all(flow.norms <= bound * (1 + 1e-12))
    np.testing.assert_allclose(pascanu_bound(2 * np.eye(3), [0, 1, 3]), [1, 2, 8])
    with pytest.raises(ValueError, match=r"W_hh must be square \(H, H\), got shape \(2, 3\)"):
        pascanu_bound(np.zeros((2, 3)), 1)
    with pytest.raises(ValueError, match="distance must be >= 0"):
        pascanu_bound(np.eye(2), -1)


def test_scaled_rnn_scales_only_w_hh():
    a, b = scaled_rnn(1.0, H=4, D=2), scaled_rnn(2.5, H=4, D=2)
    assert torch.allclose(recurrent_weights(b), 2.5 * recurrent_weights(a))
    assert torch.equal(a.W[:, 4:], b.W[:, 4:]) and torch.equal(a.b, b.b)
    assert recall_sequence(7).shape == (7, 8) and recall_sequence(7).dtype == torch.float64
    with pytest.raises(ValueError, match="scale must be >= 0.0"):
        scaled_rnn(-1.0)
    with pytest.raises(TypeError, match="params must be RNNParams"):
        recurrent_weights("W")


def test_bad_cells_and_inputs_are_named(xs):
    params = scaled_rnn(1.0, H=H, D=D)
    with pytest.raises(TypeError, match="cell must be a torch RNN, GRU or LSTM .*got Linear"):
        as_step(nn.Linear(D, H))
    with pytest.raises(TypeError, match="a step function needs params"):
        state_jacobians(rnn_step, xs)
    with pytest.raises(ValueError, match="pass params=None"):
        as_step(nn.RNNCell(D, H), params)
    with pytest.raises(TypeError, match="cell must be a step function or a torch"):
        as_step("rnn", params)
    np_params = RNNParams(W=np.zeros((H, H + D)), b=np.zeros(H))
    with pytest.raises(TypeError, match="params must hold torch tensors"):
        state_jacobians(rnn_step, xs, np_params)
    with pytest.raises(TypeError, match="xs must be a torch.Tensor, got ndarray"):
        state_jacobians(rnn_step, xs.numpy(), params)
    with pytest.raises(TypeError, match="xs must have the cell's dtype torch.float64, got torch.float32"):
        state_jacobians(rnn_step, xs.float(), params)
    with pytest.raises(ValueError, match=r"xs must have 2 dimension\(s\)"):
        state_jacobians(rnn_step, xs[None], params)
    with pytest.raises(ValueError, match="at least one time step"):
        state_jacobians(rnn_step, xs[:0], params)
    with pytest.raises(ValueError, match="component must be <= 0, got 1"):
        state_jacobians(rnn_step, xs, params, component=1)
    with pytest.raises(ValueError, match="state0 must hold 1 tensor"):
        state_jacobians(rnn_step, xs, params, state0=(torch.zeros(H), torch.zeros(H)))
    with pytest.raises(ValueError, match="norm must be one of"):
        gradient_norms(rnn_step, xs, params, norm="max")


@pytest.mark.parametrize("scale,T", [(0.25, 10), (4.0, 100), (0.0, 2), (10.0, 200), (0.25, 400)])
def test_gradient_slider_at_its_extremes(scale, T):
    fig, text = plot_gradient_decay(scale, T)
    assert isinstance(fig, Figure) and "nan" not in text
    rendered(fig)
    m = measure_rnn_decay(scale, T)
    norms = m["flow"].norms
    measured = one_line(fig, "measured")
    assert same(measured.get_xdata(), np.arange(T + 1))
    # Drawn where a log axis can: norms that underflow past 1e-300 leave a gap (NaN).
    assert same(ydata(measured), np.where(norms >= 1e-300, norms, np.nan))
    bound = np.minimum(pascanu_bound(m["W_hh"], np.arange(T + 1)), 1e300)
    assert same(ydata(one_line(fig, "bound")), np.where(bound >= 1e-300, bound, np.nan))
    assert f"per-step factor {m['rate']:.3g}" in titles(fig)[0]
    assert f"sigma_max {m['sigma_max']:.3f}" in text


@pytest.mark.parametrize("scale,T", [(0.25, 50), (1.0, 50), (1.5, 50), (2.0, 50), (2.75, 50),
                                     (4.0, 100), (0.25, 400), (4.0, 400)])
def test_gradient_slider_y_axis_follows_the_curve(scale, T):
    """Issue 20: the curve fills the height, so a fall or a rise shows at every scale."""
    fig, _ = plot_gradient_decay(scale, T)
    ax = fig.axes[0]
    lo, hi = np.log10(ax.get_ylim())
    norms = m_norms = measure_rnn_decay(scale, T)["flow"].norms
    shown = np.log10(m_norms[m_norms >= 1e-300])
    # Every drawn point inside the axis, within one decade (plus the 0.3 pad) of each edge...
    assert lo <= shown.min() <= lo + 1.3 and shown.max() <= hi
    # ...and above the curve, at most 2 decades of room for the bound, plus the pad's ceiling.
    assert hi - shown.max() <= 2 + 1.3, (hi, shown.max())
    # The curve spans at least a third of the height, whether it falls or rises.
    span = max(shown.max() - shown.min(), 1.0)
    assert span / (hi - lo) >= 1 / 3 or hi - lo <= 4, (scale, T, span, hi - lo)
    assert norms[0] == 1.0  # distance 0: the identity


def test_gradient_slider_keeps_its_figure_and_redraws_only_what_moves():
    """Under a slider one figure serves every move, and the x axis is background (speed)."""
    from lstm_edu.figures.style import live_figures

    pool = {}
    with live_figures(pool):
        first, _ = plot_gradient_decay(1.0, 50)
    line = one_line(first, "measured")
    with live_figures(pool):
        second, _ = plot_gradient_decay(2.75, 20)
    assert one_line(second, "measured") is line, "the same line, moved: nothing rebuilt"
    assert first.axes[0].yaxis in first._live_parts
    assert first.axes[0].xaxis not in first._live_parts
    assert np.isclose(first.axes[0].get_xlim()[1], 102.0)  # 0-100 for every T <= 100


def test_decade_limits_and_labels():
    assert _decade_limits([1.0, 1e-12]) == (-13, 1)
    assert _decade_limits([1.0, 50.0]) == (-1, 2)
    assert _decade_limits([0.0, np.nan, 1e-5]) == (-6, -4)
    with pytest.raises(ValueError, match="at least one positive finite number"):
        _decade_limits([0.0, np.inf])
    assert _decade_label(1e-14) == "10⁻¹⁴" and _decade_label(1e3) == "10³"


@pytest.mark.parametrize("scale,T", [(0.25, 10), (1.0, 50), (4.0, 100), (10.0, 200)])
def test_the_sliders_numpy_jacobians_equal_the_autograd_measurement(scale, T):
    fast, slow = rnn_decay(scale, T), measure_rnn_decay(scale, T)
    np.testing.assert_allclose(fast["flow"].norms, slow["flow"].norms, rtol=1e-12, atol=0)
    for key in ("rate", "sigma_max", "rho", "mean_dtanh"):
        assert np.isclose(fast[key], slow[key], rtol=1e-12, atol=0), key


def test_gradient_slider_rejects_bad_values():
    with pytest.raises(ValueError, match="scale must be <= 10.0"):
        plot_gradient_decay(11.0)
    with pytest.raises(ValueError, match="T must be >= 2"):
        plot_gradient_decay(1.0, 1)
    with pytest.raises(ValueError, match="T must be <= 400"):
        plot_gradient_decay(1.0, 401)


def test_decay_rate_of_a_dead_gradient_is_zero():
    dead = GradientFlow(np.arange(4), np.array([1.0, 0.0, 0.0, 0.0]), "spectral")
    assert dead.decay_rate() == 0.0 and dead.decay_rate(1, 3) == 0.0
