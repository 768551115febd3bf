"""Part I diagrams: they draw, they check their inputs, and the slider's numbers are the RNN's."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_edu.figures import sequences as sd
from lstm_edu.figures.fonts import FONT_FAMILY
from lstm_edu.cells import rnn_step, run_sequence
from lstm_edu.figures.style import figure_png, new_figure


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.mark.parametrize("fn", [sd.draw_neuron, sd.draw_network, sd.draw_folded_rnn,
                                sd.draw_unrolled_rnn, sd.draw_source_examples])
def test_every_diagram_draws(fn):
    fig = fn()
    assert isinstance(fig, Figure)
    assert figure_png(fig).startswith(b"\x89PNG")


def test_neuron_and_network_sizes():
    assert sum(t.startswith("$x_") for t in texts(sd.draw_neuron(5))) == 5
    fig = sd.draw_network((2, 3, 1))
    assert "input\n(2)" in texts(fig) and "output\n(1)" in texts(fig)
    assert len(fig.axes[0].patches) == 6  # one circle per neuron
    with pytest.raises(ValueError, match="n_inputs must be <= 8, got 9"):
        sd.draw_neuron(9)
    with pytest.raises(ValueError, match="at least 2 layers"):
        sd.draw_network((3,))
    with pytest.raises(TypeError, match="sizes must be a sequence of ints, got int"):
        sd.draw_network(3)
    with pytest.raises(TypeError, match="layer size must be an int, got float"):
        sd.draw_network((2, 2.5))


def test_unrolled_chain_has_one_block_per_step():
    labels = texts(sd.draw_unrolled_rnn(T=4))
    assert [t for t in labels if t == "A"] == ["A"] * 4
    assert "$x_{4}$" in labels and "$h_{4}$" in labels and "$x_{5}$" not in labels


def test_unrolled_chain_checks():
    with pytest.raises(ValueError, match="upto must be <= 3, got 4"):
        sd.draw_unrolled_rnn(T=3, upto=4)
    with pytest.raises(ValueError, match=r"h must have shape \(T=3, H\), got shape \(2, 4\)"):
        sd.draw_unrolled_rnn(T=3, h=np.zeros((2, 4)))
    with pytest.raises(ValueError, match="T must be >= 1, got 0"):
        sd.draw_unrolled_rnn(T=0)


@pytest.mark.parametrize("T,t", [(1, 0), (1, 1), (12, 12), (12, 0), (3, 12)])
def test_rnn_slider_at_its_extremes(T, t):
    fig, text = sd.plot_rnn_unrolled(T, t)
    assert isinstance(fig, Figure) and "nan" not in text
    figure_png(fig)
    # one colour strip per computed h_k, holding exactly run_sequence's numbers
    shown = min(t, T)
    xs = np.sin(0.8 * np.arange(1, T + 1))[:, None]
    h = run_sequence(rnn_step, xs, sd.demo_rnn())["h_t"]
    strips = [im.get_array() for ax in fig.axes for im in ax.get_images() if im.get_visible()]
    assert len(strips) == shown
    for k, strip in enumerate(strips):
        assert np.array_equal(np.asarray(strip)[0], h[k])
    # the chain has T steps, each drawn once (faded or computed), and nothing after step T
    visible = [a.get_text() for a in fig.axes[0].texts if a.get_visible()]
    assert sorted(v for v in visible if v.startswith("$x_")) == sorted(
        f"$x_{{{k}}}$" for k in range(1, T + 1))
    assert visible.count("A") == T
    assert len(text.splitlines()) == max(shown, 1)
    if shown:
        assert f"h_{shown} = {np.array2string(h[shown - 1], precision=3)}" in text


def test_rnn_slider_prints_the_rnns_states():
    _, text = sd.plot_rnn_unrolled(T=4, t=4)
    xs = np.sin(0.8 * np.arange(1, 5))[:, None]
    h = run_sequence(rnn_step, xs, sd.demo_rnn())["h_t"]
    last = text.splitlines()[-1]
    assert last.startswith("x_4 = ") and np.array2string(h[3], precision=3) in last
    assert sd.plot_rnn_unrolled(T=4, t=0)[1].startswith("t = 0")


def test_demo_rnn_is_seeded_float64():
    a, b = sd.demo_rnn(D=2, H=3, seed=1), sd.demo_rnn(D=2, H=3, seed=1)
    assert a.W.shape == (3, 5) and a.W.dtype == np.float64 and np.array_equal(a.W, b.W)


def test_source_examples_point_to_the_right_words():
    long = sd.LONG_EXAMPLE
    assert long["words"][long["target"]] == "汉语" and long["words"][long["key"]] == "中国人"
    assert long["target"] - long["key"] == 11
    short = sd.SHORT_EXAMPLE
    assert short["words"][short["target"]] == "菜" and "".join(short["words"]) == "我喜欢妈妈做的菜"
    assert "".join(long["words"]) == "我是一个中国人，出生在普通家庭，我最常说汉语"
    assert "9 words back" in texts(sd.draw_source_examples())  # words, not commas


def test_dependency_arcs_check_their_input():
    fig, ax = new_figure()
    with pytest.raises(ValueError, match="same length, got 2 and 1"):
        sd.draw_dependency_arcs(ax, ("a", "b"), ("a",), target=1, sources=(0,))
    with pytest.raises(ValueError, match="target must be <= 1, got 2"):
        sd.draw_dependency_arcs(ax, ("a", "b"), ("a", "b"), target=2, sources=(0,))
    with pytest.raises(ValueError, match="a source must differ from the target 1, got 1"):
        sd.draw_dependency_arcs(ax, ("a", "b"), ("a", "b"), target=1, sources=(1,))
    with pytest.raises(ValueError, match="key must be one of sources"):
        sd.draw_dependency_arcs(ax, ("a", "b", "c"), ("a", "b", "c"), target=2, sources=(1,), key=0)


def test_the_source_examples_are_drawn_in_chinese_from_the_shipped_font():
    text, kw = sd.word_label("汉语", "Hànyǔ")
    assert text == "汉语\nHànyǔ" and kw["fontfamily"] == FONT_FAMILY
    with pytest.raises(ValueError, match="no glyph in the shipped CJK font"):
        sd.word_label("龘", "dá")  # not in the course's text, so not in the subset
    drawn = texts(sd.draw_source_examples())
    for ex in (sd.SHORT_EXAMPLE, sd.LONG_EXAMPLE):
        assert all(w in drawn for w in ex["words"] if w not in sd.PUNCTUATION)
    assert "Zhōngguórén\nChinese" in drawn


def test_words_back_skips_punctuation():
    """Issue 11: 03's gap example counted the commas as words."""
    ex = sd.LONG_EXAMPLE
    assert ex["words"][ex["key"]] == "中国人" and ex["words"][ex["target"]] == "汉语"
    assert ex["target"] - ex["key"] == 11  # tokens, two of them commas
    assert sd.words_back(ex["words"], ex["target"], ex["key"]) == 9
    assert "9 words back" in texts(sd.draw_source_examples())
    with pytest.raises(ValueError, match="source must be <= 2"):
        sd.words_back(("a", "b", "c"), 2, 3)


def _has_han(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
