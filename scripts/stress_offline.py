"""Run the no-network notebook harness many times in a row and count hangs (`make stress`).

    python scripts/stress_offline.py --passes 30 notebooks/03_*.ipynb notebooks/10_*.ipynb

Each pass executes a scratch copy of each notebook exactly as tests/test_no_network.py does
(scripts/execute_notebooks.py under ``unshare -n``, loopback only). A run that has not finished
after ``--watchdog`` seconds is a hang: before it is killed, every Python process of the run
(client and kernel) dumps the stacks of all its threads (faulthandler on SIGUSR1, installed by
a sitecustomize this script puts on PYTHONPATH), and /proc tells whether each was running or
asleep. Those dumps are the evidence; they are kept under ``--keep``.

``--harness`` runs another copy of execute_notebooks.py (e.g. an older commit's) to compare.
Not part of `make test`: it takes ~30 passes x the notebooks' run time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import test_no_network as offline  # noqa: E402  (the test's own namespace set-up)

# Loaded by every Python process of a run (client and kernel inherit PYTHONPATH).
SITECUSTOMIZE = """
import faulthandler, os, signal, sys
_dir = os.environ.get("LSTM_EDU_STACKS_DIR")
if _dir:
    _name = os.path.basename(sys.argv[0] or "python") if sys.argv else "python"
    _f = open(os.path.join(_dir, f"stacks-{os.getpid()}.txt"), "w")
    faulthandler.register(signal.SIGUSR1, file=_f, all_threads=True)
"""


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def _describe(pid: int) -> str:
    try:
        cmd = (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:160])
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        state, utime, stime = fields[0], int(fields[11]), int(fields[12])
        wchan = Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return f"{pid}: gone"
    ticks = os.sysconf("SC_CLK_TCK")
    return f"{pid} state={state} cpu={(utime + stime) / ticks:.1f}s wchan={wchan} {cmd}"


def run_once(harness: Path, notebook: Path, work: Path, watchdog: float, cell_timeout: int | None,
             stacks: Path) -> tuple[str, float, str]:
    """One offline run: ("ok" | "retried" | "failed" | "hang", seconds, details)."""
    copy_dir = work / "nb"
    shutil.copytree(notebook.parent, copy_dir, dirs_exist_ok=True)
    site = work / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    stacks.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONHASHSEED="0", LSTM_EDU_STACKS_DIR=str(stacks),
               PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    script = f'{offline._lo_up()} && exec "$@"'
    timeout = [] if cell_timeout is None else ["--timeout", str(cell_timeout)]
    cmd = offline._unshare() + ["sh", "-c", script, "sh", sys.executable, str(harness),
                                *timeout, str(copy_dir / notebook.name)]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=watchdog)
    except subprocess.TimeoutExpired:
        pids = _descendants(proc.pid)
        states = "\n".join(_describe(p) for p in pids)
        for p in pids:
            try:
                os.kill(p, signal.SIGUSR1)
            except OSError:
                pass
        time.sleep(3)
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        dumps = "\n".join(f"--- {f.name}\n{f.read_text()}" for f in sorted(stacks.glob("*.txt"))
                          if f.stat().st_size)
        return "hang", time.monotonic() - start, f"{states}\n{out[-3000:]}\n{dumps}"
    elapsed = time.monotonic() - start
    for f in stacks.glob("*.txt"):
        f.unlink()
    if proc.returncode != 0:
        return "failed", elapsed, out[-20000:]
    # A run that passed after the harness's one retry: the first attempt's evidence is kept.
    retry = out.find("RETRY")
    return ("retried", elapsed, out[retry:]) if retry >= 0 else ("ok", elapsed, "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--passes", type=int, default=30)
    parser.add_argument("--watchdog", type=float, default=300,
                        help="seconds after which a run counts as a hang (a notebook takes <= 30)")
    parser.add_argument("--cell-timeout", type=int, default=None,
                        help="passed to the harness as --timeout (default: the harness's own)")
    parser.add_argument("--harness", type=Path, default=ROOT / "scripts" / "execute_notebooks.py")
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder for the evidence of hangs and failures (default: a temp dir)")
    args = parser.parse_args(argv)
    keep = args.keep or Path(tempfile.mkdtemp(prefix="stress-offline-"))
    keep.mkdir(parents=True, exist_ok=True)
    counts = {"ok": 0, "retried": 0, "failed": 0, "hang": 0}
    times: dict[str, list[float]] = {}
    print(f"stress: {args.passes} passes over {[p.name for p in args.notebooks]}, harness "
          f"{args.harness}, watchdog {args.watchdog:.0f} s, load {os.getloadavg()[0]:.1f}; "
          f"evidence in {keep}", flush=True)
    for n in range(1, args.passes + 1):
        for notebook in args.notebooks:
            with tempfile.TemporaryDirectory(prefix="stress-run-") as tmp:
                status, elapsed, details = run_once(
                    args.harness.resolve(), notebook.resolve(), Path(tmp), args.watchdog,
                    args.cell_timeout, Path(tmp) / "stacks")
            counts[status] += 1
            times.setdefault(notebook.stem, []).append(elapsed)
            print(f"pass {n:2d} {notebook.stem}: {status} in {elapsed:.0f} s "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)
            if status != "ok":
                log = keep / f"pass{n:02d}-{notebook.stem}-{status}.txt"
                log.write_text(details)
                print(f"  evidence: {log}", flush=True)
    summary = ", ".join(f"{k} {v}" for k, v in counts.items())
    spans = "; ".join(f"{k}: {min(v):.0f}-{max(v):.0f} s" for k, v in times.items())
    print(f"stress result: {summary} in {sum(counts.values())} runs ({spans})", flush=True)
    return 0 if counts["failed"] + counts["hang"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
