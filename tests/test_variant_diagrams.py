"""The variant diagrams and notebook 09's figure functions: they draw, fast, and check their input."""

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_edu.figures.style import figure_png
from lstm_edu.figures.variants import (EQUATIONS, VARIANT_CHOICES, draw_cifg_cell, draw_gru_cell,
                                       draw_peephole_cell, plot_forget_retention, retention,
                                       show_variant, variant_parameters)


@pytest.mark.parametrize("variant", list(VARIANT_CHOICES))
def test_every_variant_draws_with_equations_and_count(variant):
    fig, text = show_variant(variant)
    assert isinstance(fig, Figure) and figure_png(fig).startswith(b"\x89PNG")
    assert EQUATIONS[variant] in text and str(variant_parameters(variant)) in text


def test_parameter_counts_in_the_dropdown():
    assert variant_parameters("lstm") == 5248
    assert variant_parameters("cifg") == 3936
    assert variant_parameters("peephole") == 5344
    assert variant_parameters("gru_torch") == 3968   # b_hn is a parameter of its own
    assert variant_parameters("gru_cho") == 3936     # one bias per layer
    assert "75.0% of the plain LSTM's 5248" in show_variant("cifg")[1]
    assert "D = 1, H = 1" in show_variant("lstm", input_size=1, hidden_size=1)[1]


def test_peepholes_on_some_gates_draw_fewer_wires():
    def n_artists(fig):
        ax = fig.axes[0]
        return len(ax.patches) + len(ax.lines) + len(ax.texts)

    counts = [n_artists(draw_peephole_cell(g)) for g in ("", "o", "fi", "fio")]
    assert counts == sorted(counts) and len(set(counts)) == 4


def test_gru_forms_differ_in_their_drawing():
    titles = {form: draw_gru_cell(form).axes[0].texts[-1].get_text()
              for form in ("torch", "cho", "colah")}
    assert r"$r \odot (W_{hn} h + b_{hn})$" in titles["torch"]
    assert r"$h_t = (1-z) \odot h_{t-1} + z \odot \tilde{h}$" in titles["colah"]
    assert len(set(titles.values())) == 3


def test_retention_numbers():
    assert retention(0.0, 99) == 0.5 ** 99
    assert math.isclose(retention(math.log(100), 99), (100 / 101) ** 99)
    assert retention(1.0, 0) == 1.0
    fig, text = plot_forget_retention(100, 1.0)
    assert "σ(b_f)^99 = 3.4e-14" in text and "0.373" in text


def test_retention_slider_extremes_are_finite():
    # Speed is a budget measured by make bench (benchmarks/RESULTS.md), not a wall-clock assert:
    # a test must hold on any machine, however loaded.
    for T, bias in ((2, -10.0), (2, 20.0), (10_000, -10.0), (10_000, 20.0), (100, 0.0)):
        fig, text = plot_forget_retention(T, bias)
        figure_png(fig)
        assert f"b_f = {bias:.2f}: σ(b_f)^{T - 1} = {retention(bias, T - 1):.3g}" in text
        drawn = {str(line.get_label()): np.asarray(line.get_ydata(), dtype=float)
                 for line in fig.axes[0].get_lines()}
        ends = [y[-1] for y in drawn.values()]
        assert any(math.isclose(e, max(retention(bias, T - 1), 1e-300), rel_tol=1e-9)
                   for e in ends), (drawn.keys(), ends)
        for line in fig.axes[0].get_lines():
            assert np.all(np.isfinite(line.get_ydata()))
        assert "nan" not in text


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"variant must be one of .*got 'lstmm'"):
        show_variant("lstmm")
    with pytest.raises(TypeError, match="variant must be a string, got int"):
        show_variant(3)
    with pytest.raises(ValueError, match="gates must be letters from 'fio', got 'abc'"):
        draw_peephole_cell("abc")
    with pytest.raises(TypeError, match="gates must be a string such as 'fio', got list"):
        draw_peephole_cell(["f"])
    with pytest.raises(ValueError, match=r"form must be one of \['cho', 'colah', 'torch'\]"):
        draw_gru_cell("keras")
    with pytest.raises(TypeError, match="form must be a string, got NoneType"):
        draw_gru_cell(None)
    with pytest.raises(ValueError, match="width must be >= 2.0, got 0.5"):
        draw_cifg_cell(width=0.5)
    with pytest.raises(ValueError, match="T must be >= 2, got 1"):
        plot_forget_retention(T=1)
    with pytest.raises(TypeError, match="bias must be a number, got str"):
        plot_forget_retention(bias="1")
    with pytest.raises(ValueError, match="steps must be >= 0, got -1"):
        retention(1.0, -1)


def test_one_minus_sits_where_each_form_puts_it():
    from lstm_edu.figures.variants import GRU_LAYOUT

    def one_minus_x(form):
        (x,) = [t.get_position()[0] for t in draw_gru_cell(form).axes[0].texts if t.get_text() == "1−"]
        return x

    # PyTorch and Cho: 1 − z scales the candidate; colah: 1 − z scales the kept state (above z)
    assert one_minus_x("torch") == one_minus_x("cho") == GRU_LAYOUT["one_minus_x"]
    assert one_minus_x("colah") == GRU_LAYOUT["z"]
    (x,) = [t.get_position()[0] for t in draw_cifg_cell().axes[0].texts if t.get_text() == "1−"]
    from lstm_edu.figures.cells import LSTM_LAYOUT
    assert x == LSTM_LAYOUT["i"]  # where the input layer used to be
