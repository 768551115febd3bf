"""The recall grid and its figure (notebook 03)."""

import pytest
from matplotlib.figure import Figure

from lstm_edu.figures.style import figure_png
from lstm_edu.experiments.recall import RecallResult
from lstm_edu.figures.recall import plot_recall_grid
from lstm_edu.experiments.recall import run_recall_grid, summarize_recall_grid


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
