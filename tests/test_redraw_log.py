"""The kernel's side of a slider move, logged for the browser test's latency split."""

import json

import ipywidgets as widgets

from lstm_edu.figures.style import new_figure
from lstm_edu.figures.widgets import build_interactive


def line(k):
    fig, ax = new_figure(3, 2)
    ax.plot(range(5), [k * i for i in range(5)])
    return fig, f"k = {k}"


def test_each_redraw_is_logged_when_asked(tmp_path, monkeypatch):
    log = tmp_path / "redraw.jsonl"
    monkeypatch.setenv("LSTM_EDU_REDRAW_LOG", str(log))
    k = widgets.IntSlider(value=1, min=0, max=5)
    build_interactive(line, k=k)
    k.value = 2
    k.value = 3
    k.value = 2  # shown before (on a move): served from the panel's PNG cache
    runs = [json.loads(x) for x in log.read_text().splitlines()]
    assert [(r["fn"], r["values"], r["cached"]) for r in runs] == [
        ("line", "{'k': 1}", False), ("line", "{'k': 2}", False), ("line", "{'k': 3}", False),
        ("line", "{'k': 2}", True)]
    for r in runs:
        assert r["t_in"] <= r["t_out"] and r["figure_s"] >= 0 and r["png_s"] >= 0
    assert runs[1]["figure_s"] > 0 and runs[1]["png_s"] > 0


def test_nothing_is_logged_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("LSTM_EDU_REDRAW_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    k = widgets.IntSlider(value=1, min=0, max=5)
    build_interactive(line, k=k)
    k.value = 3
    assert list(tmp_path.iterdir()) == []
