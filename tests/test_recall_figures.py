"""The recall grid and its figure (notebook 03)."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_edu.experiments.recall import RecallResult, run_recall_grid, summarize_recall_grid
from lstm_edu.figures.recall import plot_recall_grid
from lstm_edu.figures.style import figure_png

from figure_checks import lines, one_line, same, ydata


def test_grid_trains_one_run_per_gap_and_seed():
    grid = run_recall_grid("rnn", gaps=(3, 5), seeds=(0, 1), steps={3: 30, 5: 20})
    assert list(grid) == [3, 5] and all(len(runs) == 2 for runs in grid.values())
    assert all(r.steps <= 30 for r in grid[3]) and all(r.steps <= 20 for r in grid[5])
    again = run_recall_grid("rnn", gaps=(3,), seeds=(0,), steps=30)
    assert again[3][0].losses == grid[3][0].losses  # reproducible
    text = summarize_recall_grid(grid)
    assert text.splitlines()[1].lstrip().startswith("3") and "/2" in text
    fig = plot_recall_grid(grid)
    assert isinstance(fig, Figure) and figure_png(fig).startswith(b"\x89PNG")
    median = one_line(fig, "median over seeds")
    assert same(median.get_xdata(), [3, 5])
    assert same(ydata(median), [np.median([r.accuracy for r in grid[T]]) for T in (3, 5)])
    curves = lines(fig, "T = ")
    assert [str(c.get_label()) for c in curves] == ["T = 3", "T = 5"]
    assert same(ydata(curves[0]), [a for _, a in grid[3][0].curve])
    finals = sorted(float(y) for ax in fig.axes[1:] for line in ax.get_lines()
                    if str(line.get_label()).startswith("_") and line.get_marker() == "o"
                    for y in line.get_ydata())
    assert same(finals, sorted(r.accuracy for runs in grid.values() for r in runs))


def test_grid_checks_its_arguments():
    with pytest.raises(ValueError, match=r"steps has no entry for gap\(s\) \[5\]"):
        run_recall_grid(gaps=(3, 5), seeds=(0,), steps={3: 10})
    with pytest.raises(ValueError, match="at least one gap and one seed"):
        run_recall_grid(gaps=(), seeds=(0,))
    with pytest.raises(ValueError, match="T must be >= 1, got 0"):
        run_recall_grid(gaps=(0,))
    with pytest.raises(TypeError, match="grid must be a non-empty dict"):
        plot_recall_grid([])
    with pytest.raises(TypeError, match=r"grid\[3\] must be a non-empty list of RecallResult"):
        summarize_recall_grid({3: ["run"]})
    assert "T" in summarize_recall_grid({3: [RecallResult(0.25, 10, None, curve=[(10, 0.25)])]})


def test_grid_figure_shows_every_final_accuracy_and_the_median():
    def result(acc, at):
        return RecallResult(acc, 40, at, curve=[(20, 0.25), (40, acc)])

    grid = {10: [result(0.2, None), result(0.9, 40), result(0.5, None)],
            30: [result(0.3, None), result(0.25, None), result(1.0, 40)]}
    fig = plot_recall_grid(grid, title="made up")
    median = one_line(fig, "median over seeds")
    assert same(median.get_xdata(), [10, 30]) and same(ydata(median), [0.5, 0.3])
    finals = sorted(float(y) for line in fig.axes[1].get_lines()
                    if str(line.get_label()).startswith("_") and line.get_marker() == "o"
                    for y in line.get_ydata())
    assert same(finals, [0.2, 0.25, 0.3, 0.5, 0.9, 1.0])
    assert [ax.get_title() for ax in fig.axes] == ["made up: learning curves",
                                                    "made up: final accuracy against T"]
