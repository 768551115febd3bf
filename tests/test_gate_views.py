"""The Part II slider functions at their extreme values, their numbers, and their bad input."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_edu.figures import gates as gv
from lstm_edu.cells import lstm_step, run_sequence
from lstm_edu.figures.style import figure_png
from lstm_edu.worked_example import worked_example

EX = worked_example()


def finite_figure(fig):
    assert isinstance(fig, Figure)
    for ax in fig.axes:
        for line in ax.lines:
            assert np.all(np.isfinite(np.asarray(line.get_ydata(), dtype=float)))
        for patch in ax.patches:
            assert np.isfinite(patch.get_height())
    assert figure_png(fig).startswith(b"\x89PNG")


# every slider function at the ends of its sliders (and the defaults)
EXTREMES = [
    (gv.activation_view, {"z": -6.0}), (gv.activation_view, {"z": 6.0}), (gv.activation_view, {}),
    (gv.forget_view, {"f0": 0.0, "f1": 0.0, "f2": 0.0}),
    (gv.forget_view, {"f0": 1.0, "f1": 1.0, "f2": 1.0}),
    (gv.input_view, {"i0": 0.0, "i1": 0.0, "i2": 0.0}),
    (gv.input_view, {"i0": 1.0, "i1": 1.0, "i2": 1.0}),
    (gv.cell_update_view, {"f": 0.0, "i": 0.0}), (gv.cell_update_view, {"f": 1.0, "i": 1.0}),
    (gv.cell_update_view, {"f": 0.0, "i": 1.0}), (gv.cell_update_view, {}),
    (gv.output_view, {"o0": 0.0, "o1": 0.0, "o2": 0.0}),
    (gv.output_view, {"o0": 1.0, "o1": 1.0, "o2": 1.0}),
]


@pytest.mark.parametrize("fn,kwargs", EXTREMES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_views_at_extreme_values(fn, kwargs):
    fig, text = fn(**kwargs)
    finite_figure(fig)
    assert isinstance(text, str) and "nan" not in text.lower()


def test_activation_numbers():
    assert "σ(z) = 0.5000" in gv.activation_view(0.0)[1]
    assert "tanh(z) = 0.0000" in gv.activation_view(0.0)[1]
    assert "σ(z) = 0.0025" in gv.activation_view(-6.0)[1]


def test_defaults_are_the_worked_example():
    assert "f_t ⊙ C_(t-1) = [0.2500, 0.0600, 0.3200]" in gv.forget_view()[1]
    assert "i_t ⊙ C̃_t = [0.1200, -0.7200, 0.2000]" in gv.input_view()[1]
    assert "h_t = o_t ⊙ tanh(C_t) = [0.3186, -0.2892, 0.0955]" in gv.output_view()[1]


def test_forget_view_ends():
    assert "f_t ⊙ C_(t-1) = [0.5000, 0.6000, 0.4000]" in gv.forget_view(1.0, 1.0, 1.0)[1]
    assert "f_t ⊙ C_(t-1) = [0.0000, 0.0000, 0.0000]" in gv.forget_view(0.0, 0.0, 0.0)[1]


def test_no_negative_zero_in_texts():
    assert "-0.0000" not in gv.input_view(0.0, 0.0, 0.0)[1]
    assert "-0.0000" not in gv.output_view(0.0, 0.0, 0.0)[1]


def test_cell_update_corners():
    np.testing.assert_allclose(gv.cell_update(1.0, 0.0), EX.c_prev, rtol=0, atol=1e-15)
    np.testing.assert_allclose(gv.cell_update(0.0, 1.0), EX.step.c_tilde, rtol=0, atol=1e-15)
    np.testing.assert_allclose(gv.cell_update(EX.step.f_t, EX.step.i_t), EX.step.c_t,
                               rtol=0, atol=1e-15)
    assert "C_t = [0.5000, 0.6000, 0.4000]" in gv.cell_update_view(1.0, 0.0)[1]


def test_output_view_fully_open_shows_tanh_of_c():
    text = gv.output_view(1.0, 1.0, 1.0)[1]
    assert "[" + ", ".join(f"{v:.4f}" for v in np.tanh(EX.step.c_t)) + "]" in text


def test_views_accept_other_vectors():
    _, text = gv.forget_view(1.0, 0.0, 0.5, c_prev=np.array([2.0, 3.0, -4.0]))
    assert "[2.0000, 0.0000, -2.0000]" in text


@pytest.mark.parametrize("call,error,message", [
    (lambda: gv.activation_view(7.0), ValueError, "z must be <= 6.0, got 7.0"),
    (lambda: gv.activation_view("1"), TypeError, "z must be a number, got str"),
    (lambda: gv.forget_view(1.5), ValueError, "f0 must be <= 1.0, got 1.5"),
    (lambda: gv.input_view(0.2, -0.1), ValueError, "i1 must be >= 0.0, got -0.1"),
    (lambda: gv.output_view(0.2, 0.2, None), TypeError, "o2 must be a number, got NoneType"),
    (lambda: gv.cell_update_view(2.0, 0.0), ValueError, "f must be <= 1.0, got 2.0"),
    (lambda: gv.forget_view(c_prev=np.zeros(4)), ValueError,
     r"c_prev must have shape \(3,\), got shape \(4,\)"),
    (lambda: gv.input_view(c_tilde=[0.1, 0.2, 0.3]), TypeError, "c_tilde must be a numpy.ndarray"),
    (lambda: gv.cell_update(1.5, 0.0), ValueError, r"gates must lie in \[0, 1\]"),
    (lambda: gv.cell_update("a", 0.0), TypeError, "f must be a number, got str"),
    (lambda: gv.cell_update(0.5, np.zeros(2)), ValueError,
     r"i must have shape \(3,\), got shape \(2,\)"),
])
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.fixture
def trace():
    xs, state0 = EX.sequence()
    return run_sequence(lstm_step, xs, EX.params, state0)


def test_trace_table_lists_every_gate_at_every_step(trace):
    table = gv.trace_table(trace)
    rows = [r for r in table.splitlines()[1:] if r.strip()]
    assert len(rows) == 5 * 6
    assert rows[0].split() == ["1", "f_t", "0.5000", "0.1000", "0.8000"]
    assert rows[3].split() == ["1", "C_t", "0.3700", "-0.6600", "0.5200"]
    assert rows[-1].startswith(" 5  h_t")
    # the columns line up: the tilde of C̃ takes no width
    lines = [r for r in table.splitlines() if r.strip()]
    assert len({len(r.replace("\u0303", "")) for r in lines[1:]}) == 1


def test_trace_figure_renders(trace):
    fig = gv.trace_figure(trace)
    assert len(fig.axes) == 3
    finite_figure(fig)


def test_trace_functions_reject_bad_traces(trace):
    with pytest.raises(TypeError, match="trace must be the dict from run_sequence, got list"):
        gv.trace_table([1, 2])
    with pytest.raises(ValueError, match=r"trace lacks \['c_t'\]"):
        gv.trace_figure({k: v for k, v in trace.items() if k != "c_t"})
    batched = {k: v[:, None, :] for k, v in trace.items()}
    with pytest.raises(ValueError, match=r"must have shape \(T, H\) \(no batch\), got \(5, 1, 3\)"):
        gv.trace_table(batched)


def test_squash_figure_marks_every_component():
    fig = gv.squash_figure()
    finite_figure(fig)
    marks = fig.axes[0].lines[1]
    np.testing.assert_allclose(marks.get_xdata(), EX.step.c_t)
    np.testing.assert_allclose(marks.get_ydata(), np.tanh(EX.step.c_t))
    finite_figure(gv.squash_figure(np.array([-10.0, 0.0, 10.0])))
    with pytest.raises(ValueError, match=r"c_t must have shape \(3,\), got shape \(2,\)"):
        gv.squash_figure(np.zeros(2))


def test_worked_example_marker_stays_visible_over_the_bars_after_a_slider_move():
    # What the learner sees: at f = 0, i = 1 the worked example's C_t (0.37, -0.66) lies
    # inside the new-C_t bars (0.6, -0.8). Its black dash must be drawn over them, also on a
    # reused figure whose bars are redrawn over a kept background.
    import io

    import matplotlib.image as mpimg

    from lstm_edu.figures.style import PNG_SCALE
    from lstm_edu.figures.widgets import redraw

    pool = {}
    redraw(gv.cell_update_view, {"f": 1.0, "i": 0.0}, pool)   # the first drawing
    png, _ = redraw(gv.cell_update_view, {"f": 0.0, "i": 1.0}, pool)  # a move: bars redrawn
    rgb = mpimg.imread(io.BytesIO(png))[..., :3]
    fig, _ = gv.cell_update_view(0.0, 1.0)
    fig.canvas.draw()
    ax = fig.axes[0]
    height = rgb.shape[0]
    for k, c in enumerate(worked_example().step.c_t[:2]):
        x, y = ax.transData.transform((k + 0.27, c)) * PNG_SCALE * 1.0
        col, row = int(round(x)), int(round(height - y))
        patch = rgb[row - 2:row + 3, col - 2:col + 3]
        assert patch.max(axis=-1).min() < 0.2, (k, c, patch.max(axis=-1))
