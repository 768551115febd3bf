"""Budgets, measured: notebook run time and memory, slider response, and the source's program.

    make bench                          # = .venv/bin/python benchmarks/bench.py
    .venv/bin/python benchmarks/bench.py --repeat 1 notebooks/04_*.ipynb

Writes benchmarks/RESULTS.md. What it measures:

1. **Each notebook, top to bottom in a fresh kernel** (nbclient, as ``make notebooks``):
   wall time = kernel start + every cell, the median of ``--repeat`` runs; the slowest
   cell; the kernel's peak memory (``ru_maxrss`` read by a cell appended at the end: a
   timer around the driver would not see the kernel process).
2. **Slider response**: one more run per notebook, with ``show_interactive`` wrapped (by a
   cell injected first) so every call records its function and controls, whatever the
   notebook names them. After the last cell, each recorded function is called 20 times,
   each call moving one control (in turn) across its range, and timed from the new value
   to PNG bytes through ``lstm_edu.figures.widgets.redraw``, the path the widget runs
   (figures reused between moves, PNGs of values already shown served from the panel's
   cache), after the default drawing the widget makes first: what a slider move costs in
   the kernel. ``--sliders-only`` runs just this part and prints its table.
3. **Against the source's own program**: the source's code block (read at run time from
   ../shared/seed/000_5376dbf04f8a16db.txt, never committed here), plotting stripped,
   ``torch.manual_seed(0)`` just before its model and ``torch.set_num_threads(1)``, its
   training loop timed; then ``lstm_edu.experiments.sincos.faithful_run`` and ``improved_run``,
   each in a fresh process, interleaved in the same rounds so the ratios share the load.

The machine is shared (2 cores, several people): quote medians and same-run ratios.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import functools
import json
import os
import platform
import re
import statistics
import subprocess
import tempfile
import sys
import time
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=1)   # loaded once, not once per notebook run
def _watched_client():
    """scripts/execute_notebooks.py's WatchedClient: nbclient with issue 23's fix (a reply
    already in the shell socket is read within a second) and a clear error on a dead exchange.
    A plain NotebookClient hung here on notebook 14 (kernel idle, client waiting)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("execute_notebooks",
                                                  ROOT / "scripts" / "execute_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WatchedClient
SOURCE = ROOT.parent / "shared" / "seed" / "000_5376dbf04f8a16db.txt"
OUT = ROOT / "benchmarks" / "RESULTS.md"
# Below this line RESULTS.md keeps results that other scripts recorded (grids over seeds, the
# walk-through memory); make bench rewrites only what is above it.
RECORDED_MARK = "<!-- recorded: the sections below come from other scripts; make bench keeps them -->"


def with_recorded(report_text: str, out: Path) -> str:
    """The new report, followed by the recorded sections already in ``out`` (if any)."""
    old = out.read_text() if out.exists() else ""
    return report_text if RECORDED_MARK not in old else (
        report_text.rstrip("\n") + "\n\n" + old[old.index(RECORDED_MARK):])

NOTEBOOK_BUDGET_S = 30.0
COLLECTION_BUDGET_S = 180.0
MEMORY_BUDGET_MB = 700.0
RECORD_TAG = "bench-record"  # a cell whose printed output make bench records
SLIDER_BUDGET_MS = 100.0
SLIDER_CALLS = 20

# Injected first (sweep run only): remember every show_interactive call.
RECORD_CELL = r"""
import lstm_edu.figures.widgets as _bench_w
_bench_calls = []
_bench_orig = _bench_w.show_interactive
def _bench_record(fn, **controls):
    _bench_calls.append((get_ipython().execution_count, fn, dict(controls)))
    return _bench_orig(fn, **controls)
_bench_w.show_interactive = _bench_record
"""

MEMORY_CELL = r"""
import json as _bench_json, resource as _bench_res
print("BENCH_MEMORY", _bench_json.dumps({
    "self_kb": _bench_res.getrusage(_bench_res.RUSAGE_SELF).ru_maxrss,
    "children_kb": _bench_res.getrusage(_bench_res.RUSAGE_CHILDREN).ru_maxrss}))
"""

SWEEP_CELL = r"""
import json as _bench_json, math as _bench_math, time as _bench_time
import numpy as _bench_np
from lstm_edu.figures.widgets import redraw as _bench_redraw

def _bench_values(c, n):
    # n values across a control's range, the way a learner drags it.
    if hasattr(c, "_options_full"):                     # Dropdown, SelectionSlider, ...
        vals = [v for _, v in c._options_full]
        return [vals[i % len(vals)] for i in range(n)]
    if isinstance(c.value, str):                         # Text: what the learner typed stays
        return [c.value] * n
    if isinstance(c.value, bool):                        # Checkbox, ToggleButton
        return [(not c.value) if i % 2 == 0 else c.value for i in range(n)]
    if hasattr(c, "base"):                               # FloatLogSlider: min/max are exponents
        return [c.base ** e for e in _bench_np.linspace(c.min, c.max, n)]
    if isinstance(c.value, tuple):                       # range sliders
        return [(c.min, x) for x in _bench_np.linspace(c.min, c.max, n)]
    xs = _bench_np.linspace(c.min, c.max, n)
    if isinstance(c.value, int):
        step = getattr(c, "step", 1) or 1
        return [int(c.min + round((x - c.min) / step) * step) for x in xs]
    return [float(x) for x in xs]

_bench_out = []
for _count, _fn, _controls in _bench_calls:
    _names = list(_controls)
    _per = _bench_math.ceil(__CALLS__ / len(_names))
    _sweeps = {k: _bench_values(c, _per) for k, c in _controls.items()}
    _values = {k: c.value for k, c in _controls.items()}
    _times, _png_times, _cached, _error = [], [], 0, None
    _pool = {}  # as the widget keeps one per panel: reused figures, PNGs of values seen
    _bench_redraw(_fn, dict(_values), _pool, live=False)  # the drawing shown before any move
    for _i in range(__CALLS__):
        _k = _names[_i % len(_names)]
        _values[_k] = _sweeps[_k][_i // len(_names)]
        try:
            _tm = {}
            _t = _bench_time.perf_counter()
            _bench_redraw(_fn, dict(_values), _pool, timings=_tm)
            _times.append(_bench_time.perf_counter() - _t)
            _png_times.append(_tm["png_s"])
            _cached += _tm["cached"]
        except Exception as _e:  # reported in the table, not fatal
            _error = f"{type(_e).__name__}: {_e} at {_values}"
            break
    _f = getattr(_fn, "func", _fn)  # functools.partial: name the function it wraps
    _name = f"{getattr(_f, '__module__', '')}.{getattr(_f, '__qualname__', type(_f).__name__)}"
    if _f is not _fn:
        _name = f"partial({_name}, ...)"
    _bench_out.append({"count": _count, "fn": _name,
                 "controls": {k: type(c).__name__ for k, c in _controls.items()},
                 "times": _times, "png_times": _png_times, "cached": _cached, "error": _error})
print("BENCH_SLIDERS", _bench_json.dumps(_bench_out))
""".replace("__CALLS__", str(SLIDER_CALLS))


# ----------------------------------------------------------------------------- notebooks

_T0 = time.monotonic()


def log(msg: str) -> None:
    s = int(time.monotonic() - _T0)
    print(f"[{s // 60:02d}:{s % 60:02d}] {msg}", flush=True)


def _stream_json(cell, marker: str):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            for line in out.get("text", "").splitlines():
                if line.startswith(marker + " "):
                    return json.loads(line[len(marker) + 1:])
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    raise RuntimeError(f"no {marker} line; {errors[0]['ename'] if errors else 'no output'}")


def _first_line(src: str) -> str:
    lines = [ln for ln in src.splitlines() if ln.strip() and not ln.startswith("# NBVAL")]
    return (lines[0] if lines else "")[:60]


def run_notebook(path: Path, sweep: bool, timeout: int = 600) -> dict:
    """One top-to-bottom run in a fresh kernel: times, peak memory, and (sweep) slider timings."""
    nb = nbformat.read(path, as_version=4)
    original = list(nb.cells)
    pre = [nbformat.v4.new_code_cell(RECORD_CELL)] if sweep else []
    post = [nbformat.v4.new_code_cell(MEMORY_CELL)]
    post += [nbformat.v4.new_code_cell(SWEEP_CELL)] if sweep else []
    nb.cells = pre + original + post
    # iopub_timeout: on a loaded machine a cell's output can arrive seconds after its
    # reply; nbclient's default (4 s) would then drop it silently.
    stacks = Path(tempfile.mkdtemp(prefix="bench-stacks-")) / "kernel-stacks.txt"
    client = _watched_client()(nb, path=path, stack_file=stacks, timeout=timeout,
                               kernel_name="python3", iopub_timeout=120,
                               resources={"metadata": {"path": str(path.parent)}})
    cell_times = []
    t0 = time.perf_counter()
    with client.setup_kernel():
        kernel_s = time.perf_counter() - t0
        for i, cell in enumerate(nb.cells):
            t = time.perf_counter()
            client.execute_cell(cell, i)
            if len(pre) <= i < len(pre) + len(original) and cell.cell_type == "code":
                cell_times.append((time.perf_counter() - t, i - len(pre)))
            if i == len(pre) + len(original) - 1:
                wall_s = time.perf_counter() - t0
    memory = _stream_json(nb.cells[len(pre) + len(original)], "BENCH_MEMORY")
    # what the notebook printed in cells tagged RECORD_TAG: its results, from this very run
    recorded = [(i, "".join(o.get("text", "") for o in c.get("outputs", [])
                            if o.get("output_type") == "stream"))
                for i, c in enumerate(original)
                if RECORD_TAG in c.get("metadata", {}).get("tags", [])]
    slowest_s, slowest_i = max(cell_times) if cell_times else (0.0, 0)
    result = {"wall_s": wall_s, "kernel_s": kernel_s, "slowest_s": slowest_s,
              "slowest_cell": slowest_i, "slowest_src": _first_line(original[slowest_i].source),
              "peak_mb": memory["self_kb"] / 1024, "children_mb": memory["children_kb"] / 1024,
              "recorded": recorded}
    if sweep:
        # execution_count k is the k-th non-empty code cell run; the record cell is the first.
        executed = [i for i, c in enumerate(original)
                    if c.cell_type == "code" and c.source.strip()]
        sliders = _stream_json(nb.cells[-1], "BENCH_SLIDERS")
        for s in sliders:
            s["cell"] = executed[s.pop("count") - 2] if s.get("count") else None
        result["sliders"] = sliders
        result["calls_in_source"] = count_show_interactive(original)
    return result


def recorded_section(nbs: dict) -> list[str]:
    """The outputs of the cells tagged ``RECORD_TAG`` (notebook 15's held-out table, its form
    table), as the first timed run printed them."""
    L = []
    for name, runs in nbs.items():
        first = runs.get("runs", [{}])[0].get("recorded") if "runs" in runs else None
        for i, text in first or []:
            L += ["", f"{name}, cell {i}:", "", "```", text.rstrip("\n"), "```"]
    if not L:
        return []
    return ["", "## What the notebooks printed, recorded from the first timed run", "",
            f"Every cell tagged `{RECORD_TAG}` in its metadata: the results a notebook reports "
            "(they come from the same run as its time above)."] + L


def count_show_interactive(cells) -> int:
    """show_interactive(...) calls written in code cells: a cross-check on the recorded ones."""
    n = 0
    for c in cells:
        if c.cell_type != "code":
            continue
        src = "\n".join(ln for ln in c.source.splitlines() if not ln.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                n += name == "show_interactive"
    return n


# ------------------------------------------------------------------- the source's program

def source_program() -> str:
    """The source's code block, plots stripped, seeded and single-threaded, its loop timed."""
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip() == "import numpy as np")
    end = next(i for i in range(start, len(lines)) if "plt.show()" in lines[i])
    body = [ln for ln in lines[start:end + 1]
            if "plt." not in ln and "matplotlib" not in ln]
    out = ["import time as _bench_time, json as _bench_json", "import torch",
           "torch.set_num_threads(1)"]
    loop_indent = None
    for ln in body:
        indent = ln[:len(ln) - len(ln.lstrip())]
        if loop_indent is not None and ln.strip() and len(indent) <= len(loop_indent):
            out.append(f"{loop_indent}_bench_t1 = _bench_time.perf_counter()")
            loop_indent = None
        if "= LstmRNN(" in ln:
            out.append(f"{indent}torch.manual_seed(0)")
        if re.match(r"\s*for epoch in range\(max_epochs\)", ln):
            out.append(f"{indent}_bench_t0 = _bench_time.perf_counter()")
            loop_indent = indent
        out.append(ln)
    assert "torch.manual_seed(0)" in "\n".join(out) and "_bench_t1" in "\n".join(out), \
        "the source's code block no longer has the expected shape"
    out.append('print("BENCH_SOURCE", _bench_json.dumps({"loop_s": _bench_t1 - _bench_t0, '
               '"epochs": epoch + 1, "final_loss": loss.item()}))')
    return "\n".join(out)


OURS = r"""
import json, time, torch
torch.set_num_threads(1)
from lstm_edu.experiments import sincos
# The first optimizer built in a process imports torch._dynamo (1-2 s, once). The
# source's program pays it before its loop starts, outside the timer: so do we.
torch.optim.Adam([torch.zeros(1, requires_grad=True)])
t = time.perf_counter()
run = sincos.__FN__(seed=0)
s = time.perf_counter() - t
print("BENCH_SOURCE", json.dumps({"loop_s": s, "epochs": run.stop_epoch, "final_loss": run.final_loss}))
"""


def _python(code: str, timeout: int = 900) -> dict:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env=dict(os.environ, PYTHONHASHSEED="0"))
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH_SOURCE "):
            return json.loads(line[len("BENCH_SOURCE "):])
    raise RuntimeError(f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]}")


def ours_available() -> dict[str, str | None]:
    """'faithful_run' / 'improved_run' in lstm_edu.experiments.sincos, or why not."""
    probe = ("import importlib, json\ntry:\n"
             "    m = importlib.import_module('lstm_edu.experiments.sincos')\n"
             "    print(json.dumps({f: (None if callable(getattr(m, f, None)) else 'missing') "
             "for f in ('faithful_run', 'improved_run')}))\n"
             "except Exception as e:\n    print(json.dumps({f: f'{type(e).__name__}: {e}' "
             "for f in ('faithful_run', 'improved_run')}))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"faithful_run": proc.stderr[-200:], "improved_run": proc.stderr[-200:]}


def compare_with_source(rounds: int) -> dict:
    why_not = ours_available()
    runs: dict[str, list] = {"source": [], "faithful_run": [], "improved_run": []}
    errors: dict[str, str] = {}
    if not SOURCE.exists():
        return {"runs": runs, "errors": {"source": f"{SOURCE} not found"}, "why_not": why_not}
    code = {"source": source_program()}
    code.update({f: OURS.replace("__FN__", f) for f, why in why_not.items() if why is None})
    for r in range(rounds):
        for name, c in code.items():
            if name in errors:
                continue
            try:
                runs[name].append(_python(c))
                log(f"  round {r + 1}: {name} {runs[name][-1]['loop_s']:.2f} s "
                    f"({runs[name][-1]['epochs']} epochs)")
            except Exception as e:  # noqa: BLE001 - reported in the table
                errors[name] = str(e)
    return {"runs": runs, "errors": errors, "why_not": why_not}


# ------------------------------------------------------------------------------- report

def machine() -> str:
    cpu = "?"
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                   if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import torch  # noqa: PLC0415 - only for its version
    return (f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
            f"torch {torch.__version__}, {platform.system()} {platform.release()}")


def _ok(ok: bool) -> str:
    return "✅" if ok else "❌"


def slider_section(slider_runs: dict) -> tuple[list[str], list[str]]:
    """The slider table's lines, and the sliders over budget."""
    L = ["", "## Sliders: from a new value to a rendered figure", "",
          f"Each function that a notebook passes to `show_interactive`, called {SLIDER_CALLS} times "
          "in the kernel, each call moving one control across its range, timed to PNG bytes "
          "as the widget makes them (`lstm_edu.figures.widgets.redraw`: figures reused between "
          "moves, a value already shown served from the panel's PNG cache). "
          f"Target: median ≤ {SLIDER_BUDGET_MS:.0f} ms.", "",
          "| notebook | cell | function | controls | median (ms) | 95th pct (ms) | "
          "of which PNG, median (ms) | from cache | ok |",
          "|---|---|---|---|---|---|---|---|---|"]
    misses = []
    n_sliders = 0
    for name, run in slider_runs.items():
        if "error" in run:
            L.append(f"| {name} | | run failed: {run['error']} | | | | | | ❌ |")
            continue
        if run["calls_in_source"] != len(run["sliders"]):
            L.append(f"| {name} | | {run['calls_in_source']} `show_interactive(` in the code, "
                     f"{len(run['sliders'])} calls recorded | | | | | | |")
        for s in run["sliders"]:
            n_sliders += 1
            controls = ", ".join(f"{k} ({v})" for k, v in s["controls"].items())
            if s["error"] or not s["times"]:
                L.append(f"| {name} | {s['cell']} | `{s['fn']}` | {controls} | "
                         f"error: {s['error']} | | | | ❌ |")
                misses.append(f"{name} `{s['fn']}` raised: {s['error']}")
                continue
            ms = np.array(s["times"]) * 1000
            med, p95 = float(np.median(ms)), float(np.percentile(ms, 95))
            png = float(np.median(s["png_times"])) * 1000
            L.append(f"| {name} | {s['cell']} | `{s['fn']}` | {controls} | {med:.0f} | {p95:.0f} | "
                     f"{png:.0f} | {s.get('cached', 0)}/{len(s['times'])} | "
                     f"{_ok(med <= SLIDER_BUDGET_MS)} |")
            if med > SLIDER_BUDGET_MS:
                misses.append(f"{name} `{s['fn']}`: slider median {med:.0f} ms, "
                              f"{med - SLIDER_BUDGET_MS:.0f} ms over {SLIDER_BUDGET_MS:.0f} ms "
                              f"(building the figure {med - png:.0f} ms, PNG {png:.0f} ms)")
    if not n_sliders:
        L.append("| (no `show_interactive` calls in the notebooks present) | | | | | | | | |")
    return L, misses



def report(nbs: dict, slider_runs: dict, source: dict, meta: dict) -> str:
    L = ["# Benchmark results", "",
         f"Written by `make bench` (`{meta['command']}`) on {meta['date']}.", "",
         f"- Machine: {meta['machine']}.",
         f"- Load average (1 min) at start {meta['load_start']:.2f}, at end {meta['load_end']:.2f}. "
         "The machine is shared, so absolute times are noisy and inflated: quote the medians "
         "and the ratios measured in the same run.",
         f"- Each notebook: median of {meta['repeat']} fresh-kernel runs (min–max in brackets); "
         "one more run for the slider timings.", ""]

    L += ["## Notebooks: wall time and kernel memory", "",
          f"Targets: each notebook ≤ {NOTEBOOK_BUDGET_S:.0f} s, the whole collection ≤ "
          f"{COLLECTION_BUDGET_S:.0f} s, kernel peak memory ≤ {MEMORY_BUDGET_MB:.0f} MB "
          "(Binder gives 1–2 GB).", "",
          "| notebook | wall time (s) | kernel start (s) | slowest cell (s) | peak memory (MB) | ok |",
          "|---|---|---|---|---|---|"]
    total = 0.0
    misses = []
    for name, runs in nbs.items():
        if "error" in runs:
            L.append(f"| {name} | failed: {runs['error']} | | | | ❌ |")
            misses.append(f"{name} failed to run: {runs['error']}")
            continue
        walls = [r["wall_s"] for r in runs["runs"]]
        med = statistics.median(walls)
        total += med
        peak = max(r["peak_mb"] for r in runs["runs"])
        slow = max(runs["runs"], key=lambda r: r["slowest_s"])
        ok = med <= NOTEBOOK_BUDGET_S and peak <= MEMORY_BUDGET_MB
        L.append(f"| {name} | {med:.1f} [{min(walls):.1f}–{max(walls):.1f}] | "
                 f"{statistics.median(r['kernel_s'] for r in runs['runs']):.1f} | "
                 f"{slow['slowest_s']:.1f} (cell {slow['slowest_cell']}: `{slow['slowest_src']}`) | "
                 f"{peak:.0f} | {_ok(ok)} |")
        if med > NOTEBOOK_BUDGET_S:
            misses.append(f"{name}: {med:.1f} s, {med - NOTEBOOK_BUDGET_S:.1f} s over the "
                          f"{NOTEBOOK_BUDGET_S:.0f} s budget (slowest cell {slow['slowest_cell']}: "
                          f"`{slow['slowest_src']}`, {slow['slowest_s']:.1f} s)")
        if peak > MEMORY_BUDGET_MB:
            misses.append(f"{name}: kernel peak {peak:.0f} MB, {peak - MEMORY_BUDGET_MB:.0f} MB "
                          f"over {MEMORY_BUDGET_MB:.0f} MB")
    ok_total = total <= COLLECTION_BUDGET_S
    L.append(f"| **all {len(nbs)}** | **{total:.1f}** (sum of medians) | | | | {_ok(ok_total)} |")
    if not ok_total:
        misses.append(f"the collection: {total:.1f} s, {total - COLLECTION_BUDGET_S:.1f} s over "
                      f"{COLLECTION_BUDGET_S:.0f} s")

    L += recorded_section(nbs)

    lines, slider_misses = slider_section(slider_runs)
    L += lines
    misses += slider_misses

    L += ["", "## Against the source's own program", "",
          "The source's code block is read at run time from the seed file (it is not in this "
          "repository), its plotting removed, `torch.manual_seed(0)` put just before its model "
          "and `torch.set_num_threads(1)` at the top; its training loop is timed. Ours: "
          "`lstm_edu.experiments.sincos.faithful_run(seed=0)` and `improved_run(seed=0)`, "
          "timed as whole "
          "calls (data, training, predictions), after one throw-away optimizer so that torch's "
          "one-time lazy import (1–2 s, paid by the source before its timed loop) is outside "
          "the timer for both. Each run is a fresh process; the rounds "
          "interleave source, faithful, improved. Target: the faithful run no slower than the "
          "source's loop (ratio ≤ 1).", "",
          "| program | time (s), median [min–max] | stop epoch | final loss | vs source's loop |",
          "|---|---|---|---|---|"]
    runs = source["runs"]
    src_med = statistics.median(r["loop_s"] for r in runs["source"]) if runs["source"] else None
    labels = {"source": "the source's loop (seeded)", "faithful_run": "our faithful reproduction",
              "improved_run": "our improved set-up"}
    for key, label in labels.items():
        why = source["why_not"].get(key) if key != "source" else None
        if key in source["errors"]:
            L.append(f"| {label} | failed: {source['errors'][key]} | | | |")
            continue
        if why is not None or not runs[key]:
            L.append(f"| {label} | not available yet ({why or 'no run'}) | | | |")
            continue
        ts = [r["loop_s"] for r in runs[key]]
        med = statistics.median(ts)
        epochs = sorted({r["epochs"] for r in runs[key]}, key=str)
        losses = statistics.median(r["final_loss"] for r in runs[key])
        ratio = ""
        if key != "source" and src_med:
            per_round = [a["loop_s"] / b["loop_s"] for a, b in zip(runs[key], runs["source"])]
            ratio = (f"{med / src_med:.2f}× (per round: "
                     + ", ".join(f"{x:.2f}" for x in per_round) + ")")
            if key == "faithful_run":
                ratio += f" {_ok(med <= src_med)}"
                if med > src_med:
                    misses.append(f"the faithful run is {med / src_med:.2f}× the source's loop "
                                  f"({med:.2f} s against {src_med:.2f} s)")
        L.append(f"| {label} | {med:.2f} [{min(ts):.2f}–{max(ts):.2f}] | "
                 f"{', '.join(map(str, epochs))} | {losses:.3g} | {ratio} |")
    if runs["source"] and runs["faithful_run"]:
        same = {r["epochs"] for r in runs["source"]} == {r["epochs"] for r in runs["faithful_run"]}
        L += ["", f"Same stop epoch as the source's program with the same seed: {_ok(same)}."]

    L += ["", "## Targets missed", ""]
    L += [f"- {m}" for m in misses] or ["None."]
    return "\n".join(L) + "\n"


BROWSER_BUDGET_MS = 150.0
BROWSER_LATENCY = ROOT / "benchmarks" / "screenshots" / "latency"
BROWSER_HEADING = "## Sliders in the browser: key press to new image"


def _ms(values) -> str:
    values = [v for v in values if v is not None]
    return f"{statistics.median(values):.0f}" if values else "-"


def browser_section(latency_dir: Path = BROWSER_LATENCY) -> str:
    """The browser test's slider latencies (tests/browser writes them, one JSON per notebook)
    as a RESULTS.md section: per slider the median from key press to the new image painted,
    and the same moves split by the kernel's own record of each redraw."""
    records = [json.loads(p.read_text()) for p in sorted(latency_dir.glob("*.json"))]
    if not records:
        raise SystemExit(f"no browser latencies in {latency_dir}: run "
                         f"`.venv/bin/python -m pytest tests/browser -k test_notebook_runs` first")
    whens = sorted(r["when"] for r in records)
    loads = [r["load_avg_1m"] for r in records]
    lines = [BROWSER_HEADING, "",
             f"Recorded by `.venv/bin/python -m pytest tests/browser/test_browser.py -k "
             f"test_notebook_runs` ({whens[0]} to {whens[-1]}) and written here by "
             f"`.venv/bin/python benchmarks/bench.py --browser`. Each show_interactive slider in "
             f"JupyterLab (headless Chromium, only that notebook's kernel running) is moved by "
             f"keys to values not shown before (ArrowRight, End, Home); each move is timed in "
             f"the page from the keydown event to the first frame after the new image is "
             f"decoded. The split uses the kernel's own clock (`LSTM_EDU_REDRAW_LOG`): *before* "
             f"= key to the kernel's redraw starting (widget message, kernel queue), *figure* "
             f"= the figure function, *png* = drawing and encoding, *after* = the kernel done "
             f"to the image on screen (output messages, decode, paint). The machine is shared: "
             f"1-minute load average {min(loads):.1f}-{max(loads):.1f} on "
             f"{records[0]['cpus']} CPUs while these ran, so read the medians as upper bounds "
             f"and the split as where the time goes. Budget {BROWSER_BUDGET_MS:.0f} ms.", "",
             "| notebook | cell | slider | moves | median ms | before | figure | png | after "
             "| load | within budget |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    over = []
    for r in records:
        if not r["sliders"]:
            lines.append(f"| {r['notebook']} | | (no show_interactive slider) | | | | | | "
                         f"| {r['load_avg_1m']:.1f} | |")
        for s in r["sliders"]:
            if s["label"].startswith("button "):  # a train button, not a slider
                continue
            b = s.get("breakdown", [])
            med = statistics.median(s["latencies_ms"]) if s["latencies_ms"] else None
            ok = med is not None and med <= BROWSER_BUDGET_MS and not s["error"]
            if not ok:
                over.append(f"{r['notebook']} cell {s['cell']} `{s['label']}`: "
                            + (f"{med:.0f} ms" if med is not None else "no timing")
                            + (f" ({s['error'][:80]})" if s["error"] else ""))
            lines.append(
                f"| {r['notebook']} | {s['cell']} | `{s['label']}` | {len(s['latencies_ms'])} "
                f"| {_ms(s['latencies_ms'])} | {_ms(x.get('before_kernel_ms') for x in b)} "
                f"| {_ms(x.get('figure_ms') for x in b)} | {_ms(x.get('png_ms') for x in b)} "
                f"| {_ms(x.get('after_kernel_ms') for x in b)} | {r['load_avg_1m']:.1f} "
                f"| {'yes' if ok else '**no**'} |")
    lines += ["", "Over budget: " + ("; ".join(over) if over else "none") + "."]
    return "\n".join(lines) + "\n"


def write_browser_section(out: Path = OUT) -> None:
    """Put ``browser_section()`` at the end of RESULTS.md, replacing an earlier one."""
    text = out.read_text() if out.exists() else ""
    if RECORDED_MARK not in text:
        text = text.rstrip("\n") + "\n\n" + RECORDED_MARK + "\n"
    if BROWSER_HEADING in text:
        start = text.index(BROWSER_HEADING)
        nxt = text.find("\n## ", start + len(BROWSER_HEADING))
        text = text[:start].rstrip("\n") + ("\n\n" + text[nxt + 1:] if nxt != -1 else "")
    out.write_text(text.rstrip("\n") + "\n\n" + browser_section())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="default: notebooks/*.ipynb")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per notebook")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of source / faithful / improved runs")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--sliders-only", action="store_true",
                        help="time only the sliders (one run per notebook with a slider); print "
                             "their table, leave RESULTS.md alone")
    parser.add_argument("--browser", action="store_true",
                        help="write the browser test's slider latencies (benchmarks/screenshots/"
                             "latency/) as a recorded section of RESULTS.md, and stop")
    args = parser.parse_args(argv)
    if args.browser:
        write_browser_section(args.out)
        print(browser_section())
        return 0
    os.environ.setdefault("PYTHONHASHSEED", "0")
    paths = sorted(args.notebooks) or sorted((ROOT / "notebooks").glob("*.ipynb"))
    meta = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(), "load_start": os.getloadavg()[0], "repeat": args.repeat,
            "command": "python benchmarks/bench.py" + "".join(f" {a}" for a in (argv or sys.argv[1:]))}
    nbs, sliders = {}, {}
    if args.sliders_only:
        for path in paths:
            if not count_show_interactive(nbformat.read(path, as_version=4).cells):
                continue
            log(f"{path.stem}: sliders")
            try:
                sliders[path.stem] = run_notebook(path, sweep=True)
            except Exception as e:  # noqa: BLE001
                sliders[path.stem] = {"error": f"{type(e).__name__}: {str(e)[:200]}"}
        lines, misses = slider_section(sliders)
        print("\n".join([f"Sliders, {meta['date']}, load {meta['load_start']:.2f} -> "
                         f"{os.getloadavg()[0]:.2f}, `{meta['command']}`"] + lines
                        + ["", "Over budget:"] + [f"- {m}" for m in misses or ["none"]]))
        return 0
    for path in paths:
        name = path.stem
        log(f"{name}:")
        try:
            runs = []
            for r in range(args.repeat):
                runs.append(run_notebook(path, sweep=False))
                log(f"  run {r + 1}: {runs[-1]['wall_s']:.1f} s, {runs[-1]['peak_mb']:.0f} MB")
            nbs[name] = {"runs": runs}
        except Exception as e:  # noqa: BLE001 - a broken notebook is a row, not a crash
            nbs[name] = {"error": f"{type(e).__name__}: {str(e)[:200]}"}
            log(f"  failed: {e}")
            continue
        try:
            sliders[name] = run_notebook(path, sweep=True)
            for s in sliders[name]["sliders"]:
                t = np.median(s["times"]) * 1000 if s["times"] else float("nan")
                log(f"  slider {s['fn']}: median {t:.0f} ms {s['error'] or ''}")
        except Exception as e:  # noqa: BLE001
            sliders[name] = {"error": f"{type(e).__name__}: {str(e)[:200]}"}
    log("the source's program against ours:")
    source = compare_with_source(args.rounds)
    meta["load_end"] = os.getloadavg()[0]
    args.out.write_text(with_recorded(report(nbs, sliders, source, meta), args.out))
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
