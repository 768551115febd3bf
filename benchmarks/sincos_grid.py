"""The faithful and the one-sequence set-ups of notebook 10, over a grid of seeds.

    .venv/bin/python benchmarks/sincos_grid.py              # seeds 0..19
    .venv/bin/python benchmarks/sincos_grid.py --seeds 50 --json grid.json

Both set-ups use the source's model and settings (lstm_edu.experiments.sincos.faithful_run
and improved_run); only the layout differs. Prints one row per seed, then the
medians and the ratios. One thread, as in the notebooks.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import torch

from lstm_edu.experiments.sincos import faithful_run, improved_run


def grid(seeds: range) -> list[dict]:
    rows = []
    for seed in seeds:
        for name, fn in (("faithful", faithful_run), ("sequence", improved_run)):
            start = time.perf_counter()
            run = fn(seed=seed)
            rows.append(dict(layout=name, seed=seed, stop_epoch=run.stop_epoch,
                             final_loss=run.final_loss, test_mse=run.test_mse,
                             seconds=time.perf_counter() - start))
            r = rows[-1]
            print(f"{name:9s} seed {seed:3d}: stop {r['stop_epoch']}  test MSE {r['test_mse']:.3g}"
                  f"  ({r['seconds']:.1f} s)", flush=True)
    return rows


def summary(rows: list[dict]) -> dict:
    out = {}
    for name in ("faithful", "sequence"):
        sel = [r for r in rows if r["layout"] == name]
        stopped = [r["stop_epoch"] for r in sel if r["stop_epoch"] is not None]
        out[name] = dict(runs=len(sel), stopped=len(stopped),
                         median_epochs=statistics.median(stopped) if stopped else None,
                         median_test_mse=statistics.median(r["test_mse"] for r in sel),
                         median_seconds=statistics.median(r["seconds"] for r in sel))
    f, s = out["faithful"], out["sequence"]
    out["epochs_ratio"] = f["median_epochs"] / s["median_epochs"]
    out["test_mse_ratio"] = f["median_test_mse"] / s["median_test_mse"]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0..N-1 (default 20)")
    parser.add_argument("--json", help="also write every row and the summary here")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    rows = grid(range(args.seeds))
    s = summary(rows)
    for name in ("faithful", "sequence"):
        v = s[name]
        print(f"{name:9s}: {v['stopped']}/{v['runs']} stopped; median epochs {v['median_epochs']}, "
              f"median test MSE {v['median_test_mse']:.3g}, median {v['median_seconds']:.2f} s")
    print(f"one sequence: {s['epochs_ratio']:.1f}x fewer epochs, "
          f"{s['test_mse_ratio']:.0f}x lower test MSE")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(dict(rows=rows, summary=s), fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
