"""Re-execute notebooks in place, top to bottom in a fresh kernel, and strip volatile metadata.

    python scripts/execute_notebooks.py notebooks/*.ipynb

Widget state and cell timestamps change on every run; stripping them keeps
diffs to what a learner would see. (nbclient's store_widget_state=False is
not used: it crashes nbclient 0.11 on interact cells.)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def strip_volatile(nb) -> None:
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("execution", None)


def execute(path: Path, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    # nbclient's default iopub_timeout (4 s) can drop a busy cell's output under
    # load and store the notebook incomplete; wait longer instead.
    NotebookClient(nb, timeout=timeout, iopub_timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    strip_volatile(nb)
    nbformat.write(nb, path)
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    for path in args.notebooks:
        print(f"{path}: {execute(path, args.timeout):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
