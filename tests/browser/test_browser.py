"""The course as learners use it: every notebook in JupyterLab, in a real Chromium.

For each notebooks/*.ipynb: open it, wait for an idle kernel, Run All Cells, check
that every code cell ran and no output shows an error; click each widget button once
(e.g. "train"); move every slider and check that the figure under a
``show_interactive`` slider changes (other sliders, such as a train button's settings,
need only not raise); save a screenshot (benchmarks/screenshots/, scratch;
``make screenshots`` turns them into the README's gallery).

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
from labdriver import JupyterLabServer, exercise_notebook, find_chromium, launch_chromium

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
    for s in report.stderr:
        print("stderr (not an error):", s)
    for e in report.console_errors:
        print("browser console error:", e)
    assert not report.problems, f"{path.name}:\n" + "\n\n".join(report.problems)
    assert all(s.changed for s in report.sliders if s.interact)


# A scratch notebook (never committed) with one working pair of sliders and one whose
# callback raises once moved: proves the test above can fail the way it should.
SELFTEST = {
    "cells": [
        ("import ipywidgets as widgets\nfrom lstm_edu.notebook import setup\n"
         "from lstm_edu.plots import new_figure\nfrom lstm_edu.widgets import show_interactive\n"
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
    server, _ = lab
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": src, "outputs": [],
                     "execution_count": None} for src in SELFTEST["cells"]],
          "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                      "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    (server.root_dir / "selftest").mkdir(exist_ok=True)
    (server.root_dir / "selftest" / "broken_slider.ipynb").write_text(json.dumps(nb))
    report = _exercise(lab, "selftest/broken_slider.ipynb", None)
    print(report.summary())
    by_label = {s.label: s for s in report.sliders}
    assert set(by_label) == {"k", "a", "broken"}, report.summary()
    assert by_label["k"].changed and by_label["k"].error is None
    assert by_label["a"].changed and by_label["a"].error is None
    assert "broken on purpose" in (by_label["broken"].error or ""), by_label["broken"]
    assert len(report.problems) == 1 and "broken on purpose" in report.problems[0]
