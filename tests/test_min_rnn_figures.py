"""Figures of notebook 13: what they draw is what was computed, and bad inputs are refused."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from figure_checks import clipped_markers, covered_data, one_line
from lstm_edu.figures.min_rnn import (
    parity_state,
    plot_float32_error,
    plot_parity_accuracy,
    plot_parity_state,
    plot_scan_timing,
)
from lstm_edu.figures.style import figure_png


def test_parity_state_negative_tracks_parity_and_positive_cannot():
    s = parity_state(sharpness=8.0, T=40)
    assert s["acc_negative"] == 1.0
    # a_t in (0, 1) cannot flip h down after a 1: the positive cell only remembers "a 1 was seen".
    assert s["acc_positive"] < 0.8
    assert (s["a_positive"] > 0).all() and (s["a_positive"] < 1).all()
    assert (s["a_negative"] < 0).any() and (np.abs(s["a_negative"]) < 1).all()
    np.testing.assert_array_equal(s["parity"], np.cumsum(s["bits"]) % 2)


@pytest.mark.parametrize("negative", [False, True])
def test_plot_parity_state_draws_the_computed_trace(negative):
    fig, text = plot_parity_state(sharpness=8.0, negative=negative, T=30)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    s = parity_state(8.0, T=30)
    key = "negative" if negative else "positive"
    ax_a, ax_h = fig.axes
    np.testing.assert_allclose(ax_a.lines[0].get_ydata(), s[f"a_{key}"])
    h_line = [ln for ln in ax_h.lines if ln.get_label() == "h_t"][0]
    np.testing.assert_allclose(h_line.get_ydata(), s[f"h_{key}"])
    assert f"{s['acc_positive']:.2f}" in text and f"{s['acc_negative']:.2f}" in text
    assert key in ax_a.get_title()
    assert figure_png(fig).startswith(b"\x89PNG")


def test_plot_scan_timing_plots_every_curve_log_log():
    fig = plot_scan_timing([16, 64, 256], {"small": ([1.0, 4.0, 16.0], [0.2, 0.3, 0.5]),
                                           "large": ([2.0, 5.0, 20.0], [3.0, 9.0, 30.0])})
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    lines = {ln.get_label(): ln for ln in ax.lines}
    assert set(lines) == {"loop, small", "scan, small", "loop, large", "scan, large"}
    np.testing.assert_allclose(lines["loop, small"].get_ydata(), [1.0, 4.0, 16.0])
    np.testing.assert_allclose(lines["scan, small"].get_ydata(), [0.2, 0.3, 0.5])
    np.testing.assert_allclose(lines["scan, large"].get_ydata(), [3.0, 9.0, 30.0])


def test_plot_parity_accuracy_one_line_per_cell():
    acc = {"lstm": {16: 1.0, 64: 0.9}, "mingru": {16: 0.5, 64: 0.5}}
    fig = plot_parity_accuracy(acc, train_len=16)
    lines = [ln for ln in fig.axes[0].lines if ln.get_label() in acc]
    assert [ln.get_label() for ln in lines] == ["lstm", "mingru"]
    np.testing.assert_allclose(lines[0].get_ydata(), [1.0, 0.9])


def test_bad_inputs():
    with pytest.raises(ValueError, match="T must be <= 400"):
        plot_parity_state(T=1000)
    with pytest.raises(TypeError, match="negative must be a bool"):
        plot_parity_state(negative="yes")
    with pytest.raises(ValueError, match="sharpness must be >= 0"):
        plot_parity_state(sharpness=-1.0)
    with pytest.raises(ValueError, match="one length each"):
        plot_scan_timing([16, 64], {"a": ([1.0], [1.0, 2.0])})
    with pytest.raises(ValueError, match="must be positive"):
        plot_scan_timing([16, 64], {"a": ([1.0, 0.0], [1.0, 2.0])})
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_scan_timing([16, 64], {})
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_parity_accuracy({}, 16)


def test_a_reused_parity_figure_draws_what_a_fresh_one_draws():
    """Under the slider a_t, h_t and the title are redrawn over a kept background: same pixels."""
    from lstm_edu.figures.widgets import redraw

    pool = {}
    for values in ({"sharpness": 8.0, "negative": True}, {"sharpness": 0.5, "negative": True},
                   {"sharpness": 20.0, "negative": False}, {"sharpness": 2.0, "negative": True},
                   {"sharpness": 8.0, "negative": True}):
        live, live_text = redraw(plot_parity_state, values, pool)
        fresh, fresh_text = redraw(plot_parity_state, values, {})
        assert live == fresh and live_text == fresh_text, values


# --- what the learner sees: short text lines, nothing over the data, whole markers ----------

PARITY = {"lstm": {16: 1.0, 32: 1.0, 64: 1.0, 128: 1.0},
          "mingru": {16: 0.48, 32: 0.53, 64: 0.53, 128: 0.52},
          "mingru, a in (-1, 1)": {16: 1.0, 32: 0.91, 64: 0.49, 128: 0.49}}


@pytest.mark.parametrize("sharpness, negative", [(8.0, True), (0.5, False), (20.0, True)])
def test_slider_text_lines_fit_the_output_area(sharpness, negative):
    # a line wider than a notebook's output area wraps mid-number ("0.4" / "9")
    text = plot_parity_state(sharpness, negative)[1]
    assert max(len(line) for line in text.splitlines()) <= 80, text


def test_parity_accuracy_label_and_legend_leave_the_lines_and_markers_whole():
    fig = plot_parity_accuracy(PARITY, train_len=16)
    assert covered_data(fig) == []
    assert clipped_markers(fig) == []
    assert any("trained up to here" in t.get_text() for t in fig.axes[0].texts)


def test_scan_timing_legend_is_off_the_curves_and_names_the_statistic():
    fig = plot_scan_timing([16, 64, 256], {"B·H = 16": ([1.0, 4.0, 16.0], [0.2, 0.3, 0.5])},
                           statistic="best of 5")
    assert covered_data(fig) == [] and "best of 5" in fig.axes[0].get_ylabel()


def test_float32_error_plot_draws_each_series_and_refuses_what_a_log_axis_cannot_show():
    errors = {"scan, float32": [2e-5, 4e-4, 1.5e-3], "loop, float32": [4e-7, 5e-7, 6e-7]}
    fig = plot_float32_error([256, 4096, 16384], errors)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    for label, values in errors.items():
        np.testing.assert_allclose(one_line(fig, label).get_ydata(), values)
    assert covered_data(fig) == [] and clipped_markers(fig) == []
    with pytest.raises(ValueError, match="positive and finite"):
        plot_float32_error([256, 4096], {"scan": [0.0, 1e-3]})
    with pytest.raises(ValueError, match="one value per length"):
        plot_float32_error([256, 4096], {"scan": [1e-3]})
    with pytest.raises(ValueError, match="at least two positive"):
        plot_float32_error([256], {"scan": [1e-3]})
