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
import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import skip_or_fail
from labdriver import (CHROMIUM_ARGS, SHUT_DOWN_PROMPT, JupyterLabServer, exercise_notebook,
                       find_chromium, launch_chromium)

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


def _exercise(lab, rel_path: str, screenshot: Path | None, browser=None):
    server, lab_browser = lab
    context = (browser or lab_browser).new_context(viewport=VIEWPORT)
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
    record_latency(path.stem, report)
    assert not report.problems, f"{path.name}:\n" + "\n\n".join(report.problems)
    assert all(s.changed for s in report.sliders if s.interact)


def record_latency(stem: str, report) -> Path:
    """Each show_interactive slider's key-press-to-image times, for the bench record
    (benchmarks/bench.py --browser writes them into RESULTS.md): scratch JSON, with the
    machine's load average (this test runs while others use the machine)."""
    path = SHOTS / "latency" / f"{stem}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "notebook": stem, "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_avg_1m": os.getloadavg()[0], "cpus": os.cpu_count(),
        "sliders": [{"cell": s.cell, "label": s.label, "latencies_ms": s.latencies_ms,
                     "moves": s.moves, "breakdown": s.breakdown, "error": s.error}
                    for s in report.sliders if s.interact and not s.label.startswith("button ")],
    }, indent=1))
    return path


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
    for s in report.sliders:
        for b in s.breakdown:
            print(s.label, {k: round(v) for k, v in b.items()})
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


# Chinese in markdown and in printed output; one line that fits, and two that do not: one
# token too long for any width, and a long line of short tokens, which JupyterLab's output
# also breaks mid-token (its <pre> breaks anywhere: the fix is a shorter line).
TEXT_CELLS = [
    "print('遗忘门 forget gate')\nprint('fits')\nprint('x' * 400)\nprint('0.49 ' * 150)\n"
    "print('遗忘门决定保留多少。' * 30)",  # Chinese breaks between characters: not a wrap
]
TEXT_NEXT = f"遗忘门决定保留多少。**Next:** shut this kernel down: **{SHUT_DOWN_PROMPT}**."


def test_the_browser_test_sees_chinese_glyphs_and_mid_token_wraps(lab):
    report = _exercise(lab, _scratch(lab, "text.ipynb", TEXT_CELLS, next_cell=TEXT_NEXT), None)
    print(report.glyphs, report.wraps, report.problems, sep="\n")
    # With fonts-noto-cjk: every Chinese character has a glyph, in markdown and output fonts.
    assert report.glyphs["checked"] >= 9 and report.glyphs["fonts"] >= 2, report.glyphs
    assert all(report.glyphs["selfcheck"]) and report.glyphs["boxes"] == [], report.glyphs
    # The two long lines break mid-token, "fits" does not.
    assert [(w["cell"], w["kind"]) for w in report.wraps] == [(0, "printed line")] * 2, report.wraps
    x_line, numbers = report.wraps
    assert x_line["at"] == "x" * 12 + "\u23ce" + "x" * 12 and x_line["line"] == "x" * 400
    assert numbers["line"].startswith("0.49 0.49") and 20 < numbers["row_chars"] < 400
    assert len(report.problems) == 2 and all("wraps mid-token" in p for p in report.problems)


@pytest.fixture(scope="module")
def browser_without_cjk(lab, tmp_path_factory):
    """Chromium whose fontconfig sees only DejaVu (no CJK font), as on a bare machine."""
    fonts = Path("/usr/share/fonts/truetype/dejavu")
    if not fonts.is_dir():
        skip_or_fail(f"{fonts} is missing: cannot build a font set without CJK")
    conf = tmp_path_factory.mktemp("fontconfig") / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{conf.parent / 'cache'}</cachedir></fontconfig>
""")
    # Launched by the lab's own Playwright (a second sync Playwright cannot start).
    browser = lab[1].browser_type.launch(
        executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS,
        env={**os.environ, "FONTCONFIG_FILE": str(conf)}, timeout=120_000)
    yield browser
    browser.close()


def test_the_glyph_check_fails_without_a_cjk_font(lab, browser_without_cjk):
    report = _exercise(lab, _scratch(lab, "text_no_cjk.ipynb", TEXT_CELLS, next_cell=TEXT_NEXT),
                       None, browser=browser_without_cjk)
    print(report.glyphs, report.problems, sep="\n")
    assert all(report.glyphs["selfcheck"]), report.glyphs
    boxes = {b["ch"] for b in report.glyphs["boxes"]}
    assert set("遗忘门决定保留多少") <= boxes, report.glyphs  # in the output and the markdown
    glyph_problems = [p for p in report.problems if "empty boxes" in p]
    assert len(glyph_problems) == 2 and "fonts-noto-cjk" in glyph_problems[0], report.problems


# lstm_edu.train.train's three ends, as a learner meets them in a cell: stopped early by its
# rule, every epoch run without meeting it, every epoch run with no rule to meet.
TRAIN_CELLS = [
    ("import torch\nfrom lstm_edu.train import train\n\n"
     "def fit(**kw):\n"
     "    w = torch.zeros(1, requires_grad=True)\n"
     "    return train(lambda: ((w - 2.0) ** 2).sum(), torch.optim.SGD([w], lr=0.1),\n"
     "                 log=lambda line: None, **kw)"),
    "# NBVAL_IGNORE_OUTPUT\nearly = fit(max_epochs=1000, stop_below=1e-4)",
    "# NBVAL_IGNORE_OUTPUT\nnot_met = fit(max_epochs=30, stop_below=1e-12)",
    "# NBVAL_IGNORE_OUTPUT\nno_rule = fit(max_epochs=30)",
]


def _rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(v) for v in re.findall(r"\d+", colour)[:3])


def test_the_progress_bar_shows_how_training_ended(lab):
    report = _exercise(lab, _scratch(lab, "train_ends.ipynb", TRAIN_CELLS), None)
    for p in report.progress:
        print(p)
    print(report.problems)
    assert not report.problems, report.problems  # every bar drawn, filled as its text says
    bars = {p.cell: p for p in report.progress}
    assert sorted(bars) == [1, 2, 3], report.progress
    early, not_met, no_rule = (bars[c] for c in (1, 2, 3))
    text = {c: " ".join(bars[c].text.replace("\u2007", " ").split()) for c in bars}
    n = int(re.search(r"stopped early at epoch (\d+) of 1000", text[1])[1])
    assert 10 < n < 1000 and f"{n}/1000" in text[1], text[1]
    assert abs(early.fill - n / 1000) < 0.03, early      # the fill a learner sees: n of 1000
    assert "ran all 30 epochs; stop rule not met" in text[2] and not_met.fill > 0.97
    assert "ran all 30 epochs" in text[3] and "stop rule" not in text[3] and no_rule.fill > 0.97
    # The colours as drawn: blue (stopped by its rule), orange (a warning), green; no red.
    (r1, g1, b1), (r2, g2, b2), (r3, g3, b3) = (_rgb(p.colour) for p in (early, not_met, no_rule))
    assert b1 > r1 and b1 > g1, early.colour
    assert r2 > g2 > b2 and r2 > 180, not_met.colour
    assert g3 > r3 and g3 > b3, no_rule.colour
