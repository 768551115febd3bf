"""Notebook 01's helpers: bag of words, windowed MLPs on sin -> cos, the same-sine partner."""

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_edu.experiments.feedforward import (GLOSSES, SOURCE_SENTENCE, SOURCE_WORDS, WINDOW_KS,
                                              WindowFit, bag_of_words, fit_window_mlp, make_mlp,
                                              same_sin_partner, shuffled, window_inputs,
                                              window_sweep)
from lstm_edu.figures.feedforward import plot_memoryless_map, plot_same_sin, plot_window_fit

from figure_checks import lines, one_line, rendered, same, titles, ydata


def test_source_words_make_the_source_sentence():
    assert "".join(SOURCE_WORDS) == SOURCE_SENTENCE
    assert set(GLOSSES) == set(SOURCE_WORDS)


def test_bag_of_words_counts_and_ignores_order():
    vocab = ["a", "b", "c"]
    np.testing.assert_array_equal(bag_of_words(["b", "a", "b"], vocab), [1.0, 2.0, 0.0])
    assert bag_of_words(("c",), vocab).dtype == np.float64
    mixed = shuffled(SOURCE_WORDS, seed=0)
    assert mixed != SOURCE_WORDS and sorted(mixed) == sorted(SOURCE_WORDS)
    vocab = sorted(SOURCE_WORDS)
    np.testing.assert_array_equal(bag_of_words(SOURCE_WORDS, vocab), bag_of_words(mixed, vocab))


def test_shuffled_is_deterministic_and_handles_trivial_lists():
    assert shuffled(SOURCE_WORDS, seed=3) == shuffled(SOURCE_WORDS, seed=3)
    assert shuffled(["x"]) == ("x",)
    assert shuffled(["x", "x"]) == ("x", "x")
    assert shuffled([]) == ()


def test_bag_of_words_rejects_bad_input():
    with pytest.raises(TypeError, match="words must be a list or tuple of str, got str"):
        bag_of_words("地球上", ["地球"])
    with pytest.raises(TypeError, match="vocab must hold str only, got int 3"):
        bag_of_words(["a"], ["a", 3])
    with pytest.raises(ValueError, match=r"words not in vocab: \['z'\]"):
        bag_of_words(["a", "z"], ["a"])
    with pytest.raises(ValueError, match="vocab must not repeat a word"):
        bag_of_words(["a"], ["a", "a"])
    with pytest.raises(TypeError, match="seed must be an int, got float"):
        shuffled(["a", "b"], seed=1.5)


def test_window_inputs_rows_are_the_last_k_values_oldest_first():
    x = np.arange(5.0)
    np.testing.assert_array_equal(window_inputs(x, 2), [[0, 1], [1, 2], [2, 3], [3, 4]])
    assert window_inputs(x, 1).shape == (5, 1)
    assert window_inputs(x, 5).shape == (1, 5)
    with pytest.raises(ValueError, match="k must be <= len"):
        window_inputs(x, 6)
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        window_inputs(x, 0)
    with pytest.raises(TypeError, match="x must hold floats"):
        window_inputs(np.arange(5), 2)
    with pytest.raises(ValueError, match=r"x must have 1 dimension\(s\)"):
        window_inputs(np.zeros((3, 2)), 2)


def test_make_mlp_shapes_and_checks():
    net = make_mlp(3, hidden=5, layers=2)
    assert sum(p.numel() for p in net.parameters()) == 3 * 5 + 5 + 5 * 5 + 5 + 5 + 1
    with pytest.raises(ValueError, match="layers must be >= 1"):
        make_mlp(1, layers=0)


def test_memoryless_mlp_cannot_beat_half_and_a_window_of_two_can():
    one = fit_window_mlp(1)
    two = fit_window_mlp(2)
    assert one.test_mse > 0.45           # E[cos^2] = 0.5 is the floor for any f(sin t)
    assert two.test_mse < 1e-3
    assert isinstance(one, WindowFit) and one.k == 1 and len(one.t_test) == 100
    assert len(two.t_test) == 100 and len(two.t_train) == 99  # the first window needs one past value
    assert not one.pred_test.flags.writeable  # cached results must not be edited
    assert fit_window_mlp(1) is one         # cached


def test_fit_window_mlp_checks():
    with pytest.raises(TypeError, match="k must be an int, got float"):
        fit_window_mlp(2.0)
    with pytest.raises(ValueError, match="k must be <= 50, got 51"):
        fit_window_mlp(51)
    with pytest.raises(ValueError, match="epochs must be >= 1, got 0"):
        fit_window_mlp(2, epochs=0)


def test_window_sweep_and_checks():
    sweep = window_sweep((1, 2))
    assert list(sweep) == [1, 2] and sweep[1] is fit_window_mlp(1)
    with pytest.raises(TypeError, match="ks must be a sequence of ints, got int"):
        window_sweep(3)
    with pytest.raises(ValueError, match="at least one window size"):
        window_sweep([])


@pytest.mark.parametrize("k", [min(WINDOW_KS), max(WINDOW_KS)])
def test_window_slider_at_its_extremes(k):
    fig, text = plot_window_fit(k)
    assert isinstance(fig, Figure) and f"k = {k}" in text and "nan" not in text
    rendered(fig)
    fit = fit_window_mlp(k)
    assert same(ydata(one_line(fig, "MLP on last k")), fit.pred_test)
    assert same(ydata(one_line(fig, "cos(t), the target")), fit.y_test)
    assert f"test MSE {fit.test_mse:.3g}" in titles(fig)[0]
    assert same(ydata(one_line(fig, "this k")), [fit.test_mse])


def test_window_slider_keeps_one_figure_and_swaps_the_fit():
    """Under a slider a move only swaps the prediction, the ring and the title (issue 20: speed)."""
    from lstm_edu.figures.style import live_figures

    pool = {}
    with live_figures(pool):
        first, _ = plot_window_fit(1)
    line = one_line(first, "MLP on last k")
    with live_figures(pool):
        second, text = plot_window_fit(4)
    fit = fit_window_mlp(4)
    assert one_line(second, "MLP on last k") is line, "the same line, moved: nothing rebuilt"
    assert "k = 4" in text
    assert same(ydata(one_line(second, "MLP on last k")), fit.pred_test)
    assert same(ydata(one_line(second, "this k")), [fit.test_mse])
    assert titles(second)[0] == f"k = 4: test MSE {fit.test_mse:.3g}"
    assert len(first._live_parts) == 3  # the prediction, the ring and the title; nothing else


def test_window_slider_rejects_bad_k():
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        plot_window_fit(0)


def test_memoryless_map_figure_and_checks():
    fig = rendered(plot_memoryless_map())
    fit = fit_window_mlp(1)
    assert same(np.sort(ydata(one_line(fig, "MLP(sin t)"))), np.sort(fit.pred_test))
    with pytest.raises(ValueError, match="memoryless fit, k = 1; got k = 2"):
        plot_memoryless_map(fit_window_mlp(2))
    with pytest.raises(TypeError, match="fit must be a WindowFit, got str"):
        plot_memoryless_map("fit")


@pytest.mark.parametrize("t", [0.0, 0.3, 5 * math.pi / 6, math.pi / 2, 7.0, 12 * math.pi - 1e-9])
def test_partner_has_same_sin_opposite_cos_in_the_same_period(t):
    u = same_sin_partner(t)
    assert math.sin(u) == pytest.approx(math.sin(t), abs=1e-12)
    assert math.cos(u) == pytest.approx(-math.cos(t), abs=1e-12)
    assert math.floor(u / (2 * math.pi)) == math.floor(t / (2 * math.pi))


def test_partner_of_the_sources_pair():
    assert same_sin_partner(13 * math.pi / 6) == pytest.approx(2 * math.pi + 5 * math.pi / 6)
    with pytest.raises(TypeError, match="t must be a number, got str"):
        same_sin_partner("2.5")
    with pytest.raises(ValueError, match="t must be finite"):
        same_sin_partner(float("nan"))


@pytest.mark.parametrize("t", [0.0, 12 * math.pi])
def test_same_sin_slider_at_its_extremes(t):
    fig, text = plot_same_sin(t)
    assert isinstance(fig, Figure) and "nan" not in text
    rendered(fig)
    u = same_sin_partner(t)
    marked = {(float(x), float(y)) for line in lines(fig, "_") if len(line.get_xdata()) == 1
              for x, y in zip(line.get_xdata(), line.get_ydata())}
    for when in (t, u):
        assert (when, math.sin(when)) in marked and (when, math.cos(when)) in marked
    with pytest.raises(ValueError, match="t must be <= "):
        plot_same_sin(12 * math.pi + 1)
