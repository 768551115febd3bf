"""Figures of notebook 12: what they plot must be the numbers the cells compute."""

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.figure import Figure

from figure_checks import clipped_markers, covered_data
from lstm_edu.cells.xlstm import mlstm_parallel, random_mlstm_params, random_slstm_params, run_slstm
from lstm_edu.figures.style import figure_png
from lstm_edu.figures.widgets import build_interactive
from lstm_edu.figures.xlstm import (
    I_RANGE,
    parallel_figure,
    recall_figure,
    revise_figure,
    revise_storage,
    stabilizer_figure,
)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_revise_storage_by_hand():
    # the three steps computed here from the equations, float by float
    (i1, f1, z1), (i2, f2, z2), (i3, f3, z3) = (1.0, 3.0, 0.5), (-5.0, 3.0, 0.0), (4.0, 3.0, -0.9)
    c = n = 0.0
    C = 0.0
    for i, f, z in ((i1, f1, z1), (i2, f2, z2), (i3, f3, z3)):
        c_old = C
        c, n = _sigmoid(f) * c + np.exp(i) * np.tanh(z), _sigmoid(f) * n + np.exp(i)
        C = _sigmoid(f) * C + _sigmoid(i) * np.tanh(z)
    r = revise_storage(4.0)
    assert r.slstm_memory == pytest.approx(c / n, abs=1e-12)
    assert r.lstm_memory == pytest.approx(C, abs=1e-12)
    assert r.new_weight == pytest.approx(np.exp(i3) / n, abs=1e-12)
    assert r.lstm_old_part == pytest.approx(_sigmoid(f3) * c_old, abs=1e-12)
    # the claim of the figure: the sLSTM's memory approaches the new value, the LSTM's does not
    strong = revise_storage(I_RANGE[1])
    assert abs(strong.slstm_memory - strong.z_new) < 1e-3
    assert abs(strong.lstm_memory - strong.z_new) > 0.25


def test_revise_figure_plots_what_it_says():
    fig, text = revise_figure(4.0)
    ax = fig.axes[0]
    r = revise_storage(4.0)
    curves = {line.get_label(): line for line in ax.get_lines()}
    sl = curves["sLSTM memory c_3 / n_3"].get_xydata()
    assert sl[0, 0] == I_RANGE[0] and sl[-1, 0] == I_RANGE[1]
    assert sl[:, 1].min() < r.z_new + 0.01 and sl[:, 1].max() > 0.3
    i4 = np.argmin(np.abs(sl[:, 0] - 4.0))
    assert sl[i4, 1] == pytest.approx(r.slstm_memory, abs=1e-12)
    annotations = [t.get_text() for t in ax.texts]
    assert f"sLSTM c_3 / n_3 = {r.slstm_memory:.3f}" in annotations
    assert f"LSTM C_3 = {r.lstm_memory:.3f}" in annotations
    marks = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert [tuple(m.get_xydata()[0]) for m in marks] == [(4.0, r.slstm_memory),
                                                          (4.0, r.lstm_memory)]
    assert "ĩ_3" in ax.get_xlabel() and ax.get_ylabel()
    assert f"{r.slstm_memory:.4f}" in text and f"{r.new_weight:.4f}" in text
    assert revise_figure(0.0)[1] != text
    slider = widgets.FloatSlider(value=4.0, min=-2, max=10)
    box, png = build_interactive(revise_figure, i_tilde_new=slider)
    assert png.startswith(b"\x89PNG")


def test_revise_rejects_bad_values():
    with pytest.raises(ValueError, match="i_tilde_new must be <= 30"):
        revise_storage(100.0)
    with pytest.raises(TypeError, match="i_tilde_new must be a number"):
        revise_figure("4")


def test_stabilizer_figure():
    xs = np.linspace(0, 1, 6)[:, None] * 40
    p = random_slstm_params(1, 1, seed=0, scale=1.0, forget="exp")
    raw, stab = run_slstm(xs, p, stabilized=False), run_slstm(xs, p)
    fig = stabilizer_figure(raw, stab)
    y = fig.axes[0].get_lines()[0].get_ydata()
    np.testing.assert_allclose(y, raw["n_t"][:, 0])
    np.testing.assert_allclose(fig.axes[1].get_lines()[0].get_ydata(), stab["m_t"][:, 0])
    assert fig.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="has no m_t"):
        stabilizer_figure(raw, raw)
    with pytest.raises(TypeError, match="raw must be a trace dict"):
        stabilizer_figure([], stab)


def test_parallel_and_recall_figures():
    xs = np.random.default_rng(0).normal(size=(6, 2))
    par = mlstm_parallel(xs, random_mlstm_params(2, 3))
    fig = parallel_figure(par.D, par.C)
    shown = fig.axes[0].get_images()[0].get_array()
    np.testing.assert_allclose(shown, par.D)
    assert np.triu(par.D, 1).max() == 0 and par.D.max() <= 1
    with pytest.raises(ValueError, match="same square"):
        parallel_figure(par.D, par.C[:3])
    fig = recall_figure({"mLSTM": [1.0, 0.7], "LSTM": [0.4, 0.41]}, chance=0.125, steps=250)
    assert isinstance(fig, Figure) and figure_png(fig).startswith(b"\x89PNG")
    xs_plotted = fig.axes[0].get_lines()[0].get_xdata()
    np.testing.assert_allclose(xs_plotted, [1.0, 0.7])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["mLSTM", "LSTM"]
    with pytest.raises(TypeError, match="non-empty dict"):
        recall_figure({}, chance=0.1, steps=1)


def test_a_reused_revise_figure_draws_what_a_fresh_one_draws():
    """Under the slider only the markers and values are redrawn: the pixels are a new figure's."""
    from lstm_edu.figures.widgets import redraw

    pool = {}
    for value in (4.0, -2.0, 10.0, 0.5, 4.0):
        live, live_text = redraw(revise_figure, {"i_tilde_new": value}, pool)
        fresh, fresh_text = redraw(revise_figure, {"i_tilde_new": value}, {})
        assert live == fresh and live_text == fresh_text, value


# --- what the learner sees: short text lines, nothing over the data, whole markers ----------

@pytest.mark.parametrize("i_tilde_new", [I_RANGE[0], -0.5, 4.0, I_RANGE[1]])
def test_slider_text_lines_fit_the_output_area(i_tilde_new):
    # a line wider than a notebook's output area wraps mid-word ("ol" / "d")
    text = revise_figure(i_tilde_new)[1]
    assert max(len(line) for line in text.splitlines()) <= 80, text
    r = revise_storage(i_tilde_new)
    assert f"{r.lstm_old_part:.4f}" in text and f"{r.slstm_memory:.4f}" in text


def _overflow_traces():
    from lstm_edu.cells.xlstm import SLSTMParams

    def W(w_x):
        return np.array([[0.0, w_x]])

    p = SLSTMParams(W_i=W(1), b_i=np.zeros(1), W_f=W(1), b_f=np.zeros(1), W_z=W(0),
                    b_z=np.full(1, 0.5), W_o=W(0), b_o=np.zeros(1), forget="exp")
    xs = np.full((12, 1), 10.0)            # notebook 12's run: raw n_t passes float32's limit
    return run_slstm(xs, p, stabilized=False), run_slstm(xs, p)


def test_stabilizer_legend_leaves_the_normalizer_lines_uncovered():
    fig = stabilizer_figure(*_overflow_traces())
    assert len(fig.axes[0].get_legend().get_texts()) == 3   # the float32 limit is drawn too
    assert covered_data(fig) == []


def test_recall_dots_at_accuracy_one_are_whole():
    fig = recall_figure({"mLSTM": [1.0, 0.67, 1.0], "LSTM": [0.41, 0.42, 0.41]},
                        chance=0.125, steps=250)
    assert clipped_markers(fig) == [] and covered_data(fig) == []


@pytest.mark.parametrize("i_tilde_new", [I_RANGE[0], -1.0, 0.5, 2.0, 4.0, I_RANGE[1]])
def test_revise_values_and_markers_stay_clear_over_the_slider_range(i_tilde_new):
    fig = revise_figure(i_tilde_new)[0]
    assert covered_data(fig) == [] and clipped_markers(fig) == []
