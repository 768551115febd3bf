"""Notebook 10's experiment over many seeds: our two set-ups, and the source's own program.

    .venv/bin/python benchmarks/sincos_grid.py                         # seeds 0..19, ours
    .venv/bin/python benchmarks/sincos_grid.py --source --unseeded 10  # and the source's program
    .venv/bin/python benchmarks/sincos_grid.py --seeds 50 --json grid.json

Ours: lstm_edu.experiments.sincos.run_sincos in the faithful layout (the source's
reshape(-1, 5, 1)) and in the one-sequence layout, seed s set right before the model.

The source's program sets no seed, so its stop epoch is a random variable. With
``--source`` its code block is read at run time from the seed file (../shared/seed/,
not part of this repository; nothing of it is written anywhere), its plotting lines
dropped, and it is run

* seeded: ``torch.manual_seed(s)`` put just before its model, for each seed s of the
  grid, to compare stop epochs with our faithful run at the same seed;
* as written (``--unseeded K``): K times, each in a fresh process, with no seed at all.

Prints one row per seed, then the median and range of the stop epochs; one thread,
as in the notebooks.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT.parent / "shared" / "seed"


# --- ours ------------------------------------------------------------------------------

def grid(seeds) -> list[dict]:
    from lstm_edu.experiments.sincos import run_sincos

    rows = []
    for seed in seeds:
        for layout in ("faithful", "sequence"):
            start = time.perf_counter()
            run = run_sincos(layout, seed)
            rows.append(dict(layout=layout, seed=seed, stop_epoch=run.stop_epoch,
                             final_loss=run.final_loss, test_mse=run.test_mse,
                             seconds=time.perf_counter() - start))
            r = rows[-1]
            print(f"{layout:9s} seed {seed:3d}: stop {r['stop_epoch']}  test MSE "
                  f"{r['test_mse']:.3g}  ({r['seconds']:.1f} s)", flush=True)
    return rows


# --- the source's program ----------------------------------------------------------------

def find_source() -> Path | None:
    """The seed file that holds the source's PyTorch program, if it is here."""
    if not SEED_DIR.is_dir():
        return None
    for path in sorted(SEED_DIR.glob("*.txt")):
        if "class LstmRNN" in path.read_text(encoding="utf-8", errors="replace"):
            return path
    return None


def source_program(path: Path, seeded: bool) -> str:
    """The source's code block, its plotting lines dropped; a seed before its model if asked.

    With ``seeded``, the code reads the seed from the variable ``SEED``. It reports
    ``BENCH {"epochs": ..., "final_loss": ...}`` at the end.
    """
    lines = path.read_text(encoding="utf-8").replace("\xa0", " ").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip() == "import numpy as np")
    end = next(i for i in range(start, len(lines)) if "plt.show()" in lines[i])
    out = ["import torch", "torch.set_num_threads(1)"]
    for ln in lines[start:end + 1]:
        if "plt." in ln or "matplotlib" in ln:
            continue
        if seeded and re.search(r"=\s*LstmRNN\(", ln):
            out.append(ln[:len(ln) - len(ln.lstrip())] + "torch.manual_seed(SEED)")
        out.append(ln)
    code = "\n".join(out)
    if "for epoch in range(max_epochs)" not in code or (seeded and "manual_seed(SEED)" not in code):
        raise RuntimeError(f"the source's code block in {path} no longer has the expected shape")
    return code + ('\nimport json as _j\nprint("BENCH", _j.dumps({"epochs": epoch + 1, '
                   '"final_loss": loss.item(), "stopped": loss.item() < 1e-4}))\n')


RUN_SEEDED = r"""
import json, sys
code = sys.stdin.read()
for seed in json.loads(sys.argv[1]):
    ns = {"__name__": "__main__", "SEED": seed}
    exec(compile(code, "source_program", "exec"), ns)
"""


def _bench_lines(stdout: str) -> list[dict]:
    return [json.loads(ln[len("BENCH "):]) for ln in stdout.splitlines() if ln.startswith("BENCH ")]


def run_source_seeded(path: Path, seeds) -> list[dict]:
    """The source's program with each seed, in one fresh process (exec'd once per seed)."""
    proc = subprocess.run([sys.executable, "-c", RUN_SEEDED, json.dumps(list(seeds))],
                          input=source_program(path, seeded=True), capture_output=True,
                          text=True, cwd=ROOT, env=dict(os.environ, MPLBACKEND="Agg"))
    rows = _bench_lines(proc.stdout)
    if proc.returncode or len(rows) != len(seeds):
        raise RuntimeError(f"the source's program failed: {proc.stderr.strip()[-500:]}")
    return [dict(seed=s, **r) for s, r in zip(seeds, rows)]


def run_source_unseeded(path: Path, times: int) -> list[dict]:
    """The source's program as written (no seed), each run in a fresh process."""
    code = source_program(path, seeded=False)
    rows = []
    for k in range(times):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              cwd=ROOT, env=dict(os.environ, MPLBACKEND="Agg"))
        got = _bench_lines(proc.stdout)
        if proc.returncode or len(got) != 1:
            raise RuntimeError(f"the source's program failed: {proc.stderr.strip()[-500:]}")
        rows.append(dict(run=k, **got[0]))
        print(f"source, unseeded, run {k}: stop {got[0]['epochs']}", flush=True)
    return rows


# --- summary -------------------------------------------------------------------------------

def spread(epochs) -> dict:
    """Median and range of the stop epochs of the runs that stopped."""
    stopped = [e for e in epochs if e is not None]
    if not stopped:
        return dict(runs=len(epochs), stopped=0, median=None, min=None, max=None)
    return dict(runs=len(epochs), stopped=len(stopped), median=statistics.median(stopped),
                min=min(stopped), max=max(stopped))


def summary(rows: list[dict], seeded=None, unseeded=None) -> dict:
    out = {}
    for name in ("faithful", "sequence"):
        sel = [r for r in rows if r["layout"] == name]
        out[name] = dict(spread([r["stop_epoch"] for r in sel]),
                         median_test_mse=statistics.median(r["test_mse"] for r in sel),
                         median_seconds=statistics.median(r["seconds"] for r in sel))
    f, s = out["faithful"], out["sequence"]
    out["epochs_ratio"] = f["median"] / s["median"] if f["median"] and s["median"] else None
    out["test_mse_ratio"] = f["median_test_mse"] / s["median_test_mse"]
    if seeded is not None:
        ours = {r["seed"]: r["stop_epoch"] for r in rows if r["layout"] == "faithful"}
        out["source_seeded"] = dict(
            spread([r["epochs"] if r["stopped"] else None for r in seeded]),
            same_as_ours=sum(ours[r["seed"]] == r["epochs"] for r in seeded))
    if unseeded is not None:
        out["source_unseeded"] = dict(
            spread([r["epochs"] if r["stopped"] else None for r in unseeded]),
            epochs=[r["epochs"] for r in unseeded])
    return out


def _line(name: str, v: dict) -> str:
    return (f"{name}: {v['stopped']}/{v['runs']} stopped; stop epoch median {v['median']}, "
            f"range {v['min']}-{v['max']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0..N-1 (default 20)")
    parser.add_argument("--source", action="store_true",
                        help="also run the source's program with each seed (needs ../shared/seed)")
    parser.add_argument("--unseeded", type=int, default=0,
                        help="also run the source's program as written, unseeded, N times")
    parser.add_argument("--json", help="also write every row and the summary here")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    seeds = list(range(args.seeds))
    rows = grid(seeds)
    seeded = unseeded = None
    path = find_source() if (args.source or args.unseeded) else None
    if (args.source or args.unseeded) and path is None:
        print(f"the source's program: not found under {SEED_DIR}; skipped")
    if path is not None and args.source:
        seeded = run_source_seeded(path, seeds)
        for r in seeded:
            print(f"source, seed {r['seed']:3d}: stop {r['epochs']}", flush=True)
    if path is not None and args.unseeded:
        unseeded = run_source_unseeded(path, args.unseeded)
    s = summary(rows, seeded, unseeded)
    print()
    for name, label in (("faithful", "ours, faithful layout"),
                        ("sequence", "ours, one sequence")):
        v = s[name]
        print(f"{_line(label, v)}; median test MSE {v['median_test_mse']:.3g}, "
              f"median {v['median_seconds']:.2f} s")
    if s["epochs_ratio"]:
        print(f"one sequence: {s['epochs_ratio']:.1f}x fewer epochs (medians), "
              f"{s['test_mse_ratio']:.0f}x lower test MSE (medians)")
    if seeded is not None:
        v = s["source_seeded"]
        print(f"{_line('the source, seeded', v)}; same stop epoch as ours at "
              f"{v['same_as_ours']}/{v['runs']} seeds")
    if unseeded is not None:
        v = s["source_unseeded"]
        print(f"{_line('the source, as written (no seed)', v)}: {v['epochs']}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(dict(rows=rows, source_seeded=seeded, source_unseeded=unseeded, summary=s),
                      fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
