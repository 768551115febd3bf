"""The course as learners use it: every notebook in JupyterLab, in a real Chromium.

For each notebooks/*.ipynb: open it, check that its Next cell (the last cell) asks the
learner to shut this kernel down (``Kernel → Shut Down Kernel``, a menu item JupyterLab
has: on Binder every kernel left running holds its memory), wait for an idle kernel,
Run All Cells, check that every code cell ran and no output shows an error; click each
widget button once (e.g. "train") and check that every progress bar it leaves is filled
as far as its text says (the widget's value against its max, as drawn, not only the
text); move every slider and check that the figure under a ``show_interactive`` slider
changes (other sliders, such as a train button's settings, need only not raise); save a
screenshot (benchmarks/screenshots/, scratch; ``make screenshots`` turns them into the
README's gallery).

The notebooks are served from a temporary copy and autosave is off, so the committed
files are never rewritten. Without Chromium the tests are skipped with the reason;
in CI (LSTM_EDU_STRICT=1) that skip is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import skip_or_fail
from labdriver import (SHUT_DOWN_PROMPT, JupyterLabServer, exercise_notebook, find_chromium,
                       launch_chromium)

ROOT = Path(__file__).resolve().parents[2]
# LSTM_EDU_NOTEBOOK_DIR points the test at another folder, e.g. a scratch copy with a
# slider broken on purpose.
NOTEBOOK_DIR = Path(os.environ.get("LSTM_EDU_NOTEBOOK_DIR", ROOT / "notebooks"))
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
SHOTS = Path(os.environ.get("LSTM_EDU_SCREENSHOTS", ROOT / "benchmarks" / "screenshots"))
VIEWPORT = {"width": 880, "height": 900}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    chromium = find_chromium()
    if chromium is None:
        skip_or_fail("no Chromium found, so the real-browser test did not run: install Debian's "
                     "`chromium` (apt-get install chromium) or set LSTM_EDU_CHROMIUM to its path")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed in this venv (it is pinned in requirements.txt)")
    served = tmp_path_factory.mktemp("served")
    shutil.copytree(NOTEBOOK_DIR, served / "notebooks")
    server = JupyterLabServer(served)
    playwright = browser = None
    try:
        server.start()
        playwright = sync_playwright().start()
        browser = launch_chromium(playwright, chromium)
        yield server, browser
    finally:
        if browser is not None:
            browser.close()
        if playwright is not None:
            playwright.stop()
        log = server.log_tail()
        killed = server.stop()
        if killed:
            print(f"had to kill leftover processes {killed}; server log:\n{log}")


def _exercise(lab, rel_path: str, screenshot: Path | None):
    server, browser = lab
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        return exercise_notebook(page, server, rel_path, screenshot=screenshot)
    finally:
        context.close()
        server.shutdown_kernels()  # one kernel at a time, as on a 1-2 GB Binder


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_its_sliders_work_in_jupyterlab(lab, path):
    report = _exercise(lab, f"notebooks/{path.name}", SHOTS / f"{path.stem}.png")
    print(report.summary())
    print("kernel status bar:", " -> ".join(report.kernel_states))
    print("before running, stored outputs show:", report.stored_view)
    print("Next cell:", report.next_cell[-300:])
    for s in report.stderr:
        print("stderr (not an error):", s)
    for e in report.console_errors:
        print("browser console error:", e)
    assert not report.problems, f"{path.name}:\n" + "\n\n".join(report.problems)
    assert all(s.changed for s in report.sliders if s.interact)


NEXT_CELL = f"**Next:** nothing. Before you go on, shut this kernel down: **{SHUT_DOWN_PROMPT}**."


def _scratch(lab, name: str, cells: list[str], next_cell: str = NEXT_CELL) -> str:
    """A notebook (never committed) with these code cells and a last markdown cell."""
    server, _ = lab
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": src, "outputs": [],
                     "execution_count": None} for src in cells]
          + [{"cell_type": "markdown", "metadata": {}, "source": next_cell}],
          "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                      "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    (server.root_dir / "selftest").mkdir(exist_ok=True)
    (server.root_dir / "selftest" / name).write_text(json.dumps(nb))
    return f"selftest/{name}"


# One working pair of sliders and one whose callback raises once moved: proves the test
# above can fail the way it should.
SELFTEST = {
    "cells": [
        ("import ipywidgets as widgets\nfrom lstm_edu.notebook import setup\n"
         "from lstm_edu.figures.style import new_figure\n"
         "from lstm_edu.figures.widgets import show_interactive\n"
         "setup(seed=0)"),
        ("def line(k, a=1.0):\n    fig, ax = new_figure(3, 2)\n"
         "    ax.plot(range(5), [a * k * i for i in range(5)])\n    return fig, f'k={k}'\n\n"
         "def broken(k):\n    if k != 2:\n        raise ValueError('broken on purpose')\n"
         "    return line(k)"),
        ("# NBVAL_IGNORE_OUTPUT\nshow_interactive(line, k=widgets.IntSlider(value=2, min=0, max=5, "
         "description='k'), a=widgets.FloatSlider(value=1.0, min=0.5, max=2.0, description='a'))"),
        ("# NBVAL_IGNORE_OUTPUT\nshow_interactive(broken, k=widgets.IntSlider(value=2, min=0, max=5, "
         "description='broken'))"),
    ],
}


def test_the_browser_test_catches_a_broken_slider(lab):
    report = _exercise(lab, _scratch(lab, "broken_slider.ipynb", SELFTEST["cells"]), None)
    print(report.summary())
    by_label = {s.label: s for s in report.sliders}
    assert set(by_label) == {"k", "a", "broken"}, report.summary()
    assert by_label["k"].changed and by_label["k"].error is None
    assert by_label["a"].changed and by_label["a"].error is None
    assert "broken on purpose" in (by_label["broken"].error or ""), by_label["broken"]
    assert len(report.problems) == 1 and "broken on purpose" in report.problems[0]


# Two "train" buttons that stop a 100-epoch bar after 3 epochs, as lstm_edu.train.train
# does on an early stop: one sets only bar.total (today's train(): the text reads
# "100% 3/3" while tqdm's widget keeps max=100, a 3% fill), one also moves the widget's max.
PROGRESS_CELLS = [
    ("import ipywidgets as widgets\nfrom IPython.display import display\n"
     "from tqdm.auto import tqdm\n\n"
     "def stop_early(move_widget_max):\n"
     "    out = widgets.Output()\n"
     "    button = widgets.Button(description='train')\n"
     "    def run(_):\n"
     "        with out:\n"
     "            bar = tqdm(total=100, desc='epochs')\n"
     "            for _ in range(3):\n"
     "                bar.update(1)\n"
     "            bar.total = 3\n"
     "            if move_widget_max:\n"
     "                bar.container.children[1].max = 3\n"
     "            bar.refresh()\n"
     "            bar.close()\n"
     "    button.on_click(run)\n"
     "    display(widgets.VBox([button, out]))"),
    "# NBVAL_IGNORE_OUTPUT\nstop_early(move_widget_max=False)",
    "# NBVAL_IGNORE_OUTPUT\nstop_early(move_widget_max=True)",
]


def test_the_browser_test_reads_progress_bar_fill_and_the_next_cell(lab):
    path = _scratch(lab, "progress.ipynb", PROGRESS_CELLS, next_cell="**Next:** [00](00.ipynb).")
    report = _exercise(lab, path, None)
    print(report.summary())
    for p in report.problems:
        print("problem:", p)
    # Both bars read 3/3; only the one whose widget max moved is drawn full.
    assert [(p.cell, p.expected()) for p in report.progress] == [(1, 1.0), (2, 1.0)], report.summary()
    stale, fixed = report.progress
    assert stale.fill is not None and stale.fill < 0.1, stale
    assert fixed.fill is not None and fixed.fill > 0.97, fixed
    fill_problems = [p for p in report.problems if "progress bar" in p]
    assert len(fill_problems) == 1 and fill_problems[0].startswith("cell 1,"), report.problems
    # A Next cell without the shut-down prompt is reported.
    next_problems = [p for p in report.problems if "Next cell" in p]
    assert len(next_problems) == 1 and SHUT_DOWN_PROMPT in next_problems[0], report.problems
    assert len(report.problems) == 2, report.problems
