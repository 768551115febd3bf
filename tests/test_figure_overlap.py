"""Nothing covers the data: legends, texts and annotations sit off the drawn data, and no
marker is cut in half by its axes (tests/figure_checks.py: covered_data, clipped_markers).

First on synthetic figures, one bad in each way and one good, so the checks are shown to
catch what they are for; then on every figure function of the course, called as
tests/test_figure_style.py calls them (its INVENTORY).
"""

import numpy as np
import pytest
from figure_checks import clipped_markers, covered_data
from matplotlib.figure import Figure
from test_figure_style import INVENTORY

from lstm_edu.figures import style
from lstm_edu.figures.widgets import split_result


def _curve():
    fig, ax = style.new_figure(7.2, 3.0)
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(t, np.sin(t), label="sin")
    ax.axhline(0.0, color="grey", label="chance")
    return fig, ax, t


def test_a_legend_over_a_curve_is_caught():
    fig, ax, _ = _curve()
    ax.legend(loc="center")  # over sin's fall near t = 3 and the chance line
    found = covered_data(fig)
    assert any(f.startswith("legend (sin, chance) covers line 'sin'") for f in found), found
    assert any("covers line 'chance'" in f for f in found), found


def test_a_figure_legend_over_an_axes_is_caught():
    fig, ax, _ = _curve()
    fig.legend(loc="center")  # a figure's legend, not the axes': over the same data
    assert any("covers line 'sin'" in f for f in covered_data(fig)), covered_data(fig)


def test_an_annotation_on_a_curve_and_a_label_on_a_reference_line_are_caught():
    fig, ax, t = _curve()
    ax.annotate("peak", xy=(np.pi / 2, 1.0), xytext=(np.pi / 2, 0.95), ha="center")
    ax.text(4.5, 0.0, "trained up to here", va="center")
    found = covered_data(fig)
    assert "text 'peak' covers line 'sin' in an axes" in found, found
    assert "text 'trained up to here' covers line 'chance' in an axes" in found, found


def test_an_arrow_to_the_data_is_not_covering_it():
    fig, ax, t = _curve()
    ax.annotate("peak", xy=(np.pi / 2, 1.0), xytext=(3.0, 1.35), arrowprops={"arrowstyle": "->"})
    ax.set_ylim(-1.2, 1.6)
    assert covered_data(fig) == []


def test_points_under_a_legend_and_bars_under_a_text_are_caught():
    fig, ax = style.new_figure(7.2, 3.0)
    ax.scatter([0.5], [0.5], s=200, label="dots")
    ax.legend(loc="center")
    ax.set_xlim(0, 1), ax.set_ylim(0, 1)
    assert any("covers points 'dots'" in f for f in covered_data(fig)), covered_data(fig)
    fig, ax = style.new_figure(7.2, 3.0)
    ax.bar([0, 1], [1.0, 1.0])
    ax.text(0, 0.5, "inside the bar", ha="center")
    assert any("covers a bar" in f for f in covered_data(fig)), covered_data(fig)


def test_markers_cut_by_the_axes_are_caught():
    fig, ax = style.new_figure(7.2, 3.0)
    ax.plot([1, 2, 3], [0.5, 1.0, 1.0], "o", label="accuracy")  # two dots at the top edge
    ax.scatter([3], [0.0], s=80, label="floor")                   # one centred on the bottom
    ax.set_ylim(0, 1.0)
    found = clipped_markers(fig)
    assert "2 marker(s) of line 'accuracy' in an axes cut by the axes' edge" in found, found
    assert "1 marker(s) of points 'floor' in an axes cut by the axes' edge" in found, found


def test_a_good_figure_passes_both_checks():
    fig, ax, t = _curve()
    ax.plot([1, 2, 3], [0.5, 1.1, 1.1], "o", label="accuracy")
    ax.set_ylim(-1.2, 1.3)                                 # room for the dots' radius
    style.legend(ax, outside="right")                      # beside the axes, over nothing
    ax.text(1.0, -1.1, "below the curve", ha="center")
    ax.annotate("peak", xy=(np.pi / 2, 1.0), xytext=(4.0, 1.1), arrowprops={"arrowstyle": "->"})
    assert covered_data(fig) == [] and clipped_markers(fig) == []
    # Unclipped markers may overhang the edge on purpose: not reported.
    ax.plot([6.2], [1.3], "o", clip_on=False)
    assert clipped_markers(fig) == []


def test_diagrams_are_not_data():
    fig, ax = style.new_figure(7.2, 3.0)
    ax.plot([0, 1], [0.5, 0.5], label="wire")
    ax.text(0.5, 0.5, "f_t", ha="center", va="center")     # a label on a wire, by design
    ax.set_axis_off()
    assert covered_data(fig) == []


def _notebook_like(name):
    """Figures called with data like the notebooks' own (the issue's cases): accuracies of
    exactly 1.0 at the axes' edge, a curve near chance past the training length."""
    from lstm_edu.figures import min_rnn, xlstm
    if name == "recall_figure":
        return xlstm.recall_figure({"mLSTM": [1.0, 1.0, 1.0], "LSTM": [0.41, 0.42, 0.40]},
                                   chance=0.125, steps=250)
    return min_rnn.plot_parity_accuracy(
        {"LSTM": {16: 1.0, 64: 1.0, 256: 0.91}, "minGRU": {16: 0.55, 64: 0.51, 256: 0.49},
         "minLSTM": {16: 0.53, 64: 0.50, 256: 0.50}}, train_len=16)


CASES = [pytest.param(call, id=f"{module}.{name}[{i}]")
         for module, fns in INVENTORY.items() for name, calls in fns.items()
         for i, call in enumerate(calls)] + [
    pytest.param(lambda n=n: _notebook_like(n), id=f"notebook-like.{n}")
    for n in ("recall_figure", "plot_parity_accuracy")]


@pytest.mark.parametrize("call", CASES)
def test_no_course_figure_covers_its_data_or_cuts_its_markers(call):
    fig = call()
    fig = fig if isinstance(fig, Figure) else split_result(fig)[0]
    problems = covered_data(fig) + clipped_markers(fig)
    assert not problems, "\n".join(problems)
