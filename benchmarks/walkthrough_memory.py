"""Memory of a learner's walk through the course, with and without shutting kernels down.

    .venv/bin/python benchmarks/walkthrough_memory.py            # notebooks/*.ipynb, in order
    .venv/bin/python benchmarks/walkthrough_memory.py --markdown # the table for RESULTS.md

What a learner on Binder does: open 00, run it top to bottom, follow "Next", and so on to
the last notebook. Every notebook opened in JupyterLab gets its own kernel from the Jupyter
server; nothing frees one until it is shut down. This script does the same through a real
Jupyter server (the venv's ``jupyter server``): for each notebook in order it opens a
session (a kernel started by the server, with the notebook's folder as working directory,
as JupyterLab does), runs every code cell in that kernel, and then measures the memory of
all kernel processes the server holds. Two walks:

* ``without``: kernels are left running, as when the learner just clicks "Next";
* ``with``: the previous notebook's kernel is shut down before the next one starts, as the
  Next cell asks (Kernel -> Shut Down Kernel), and as closing the tab (JupyterLab's
  ``kernelShutdown`` setting) or the idle culler in binder/ would do later.

Reported per step: the sum of kernel RSS (what each process holds, shared libraries counted
once per process) and the sum of PSS (shared pages divided among the processes that share
them: the closer estimate of what Binder's memory limit counts), plus the server's own RSS.
Timings and memory vary by machine; the shape (growing vs flat) is the result.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
from jupyter_client import BlockingKernelClient

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


class Server:
    """A Jupyter server over a scratch copy of the notebooks, driven through its REST API."""

    def __init__(self, notebooks: list[Path], workdir: Path, code_root: Path = ROOT):
        self.root = workdir / "root"
        (self.root / "notebooks").mkdir(parents=True)
        for nb in notebooks:
            shutil.copy(nb, self.root / "notebooks" / nb.name)
        self.runtime = workdir / "runtime"
        self.token = secrets.token_hex(16)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        # Kernels import lstm_edu from code_root (ahead of the venv's editable install).
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(self.runtime), OMP_NUM_THREADS="1",
                   MKL_NUM_THREADS="1", PYTHONPATH=str(code_root))
        self.log = open(workdir / "server.log", "w")
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "jupyter"), "server", "--no-browser",
             f"--port={self.port}", "--ServerApp.ip=127.0.0.1",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
             "--ServerApp.allow_root=True"],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=self.root)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.api("GET", "/api/status")
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Jupyter server did not start; see {self.log.name}")
                time.sleep(0.3)

    def api(self, method: str, path: str, body: dict | None = None):
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            text = resp.read()
        return json.loads(text) if text else None

    def open_notebook(self, name: str) -> dict:
        """A session for notebooks/<name>, as JupyterLab creates when the notebook opens."""
        return self.api("POST", "/api/sessions", {
            "path": f"notebooks/{name}", "name": name, "type": "notebook",
            "kernel": {"name": "python3"}})

    def shut_down(self, session: dict) -> None:
        self.api("DELETE", f"/api/sessions/{session['id']}")

    def kernel_processes(self) -> list[psutil.Process]:
        return psutil.Process(self.proc.pid).children(recursive=True)

    def stop(self) -> None:
        for session in self.api("GET", "/api/sessions"):
            self.shut_down(session)
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def run_notebook(server: Server, session: dict, path: Path, timeout: float = 300,
                 keep_going: bool = False) -> tuple[float, str | None]:
    """Run every code cell of ``path`` in the session's kernel, in order; return seconds and
    the first error (with ``keep_going`` the rest still run, as after a learner's Run All
    past a failing cell; otherwise the error is raised)."""
    kernel_id = session["kernel"]["id"]
    client = BlockingKernelClient(connection_file=str(server.runtime / f"kernel-{kernel_id}.json"))
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        start = time.perf_counter()
        error = None
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] != "code":
                continue
            reply = client.execute_interactive("".join(cell["source"]), timeout=timeout,
                                               output_hook=lambda msg: None, store_history=True)
            if reply["content"]["status"] != "ok":
                message = (f"{path.name} cell {i} failed: {reply['content'].get('ename')}: "
                           f"{reply['content'].get('evalue')}")
                if not keep_going:
                    raise RuntimeError(message)
                error = error or message
        return time.perf_counter() - start, error
    finally:
        client.stop_channels()


def memory(server: Server) -> dict:
    rss = pss = 0
    kernels = server.kernel_processes()
    for proc in kernels:
        try:
            info = proc.memory_full_info()
        except psutil.NoSuchProcess:
            continue
        rss += info.rss
        pss += info.pss
    return {"kernels": len(kernels), "rss_mb": rss / MB, "pss_mb": pss / MB,
            "server_rss_mb": psutil.Process(server.proc.pid).memory_info().rss / MB}


def walk(notebooks: list[Path], shut_down_previous: bool, code_root: Path = ROOT,
         keep_going: bool = False, log=print) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="walkthrough-") as tmp:
        server = Server(notebooks, Path(tmp), code_root)
        previous = None
        try:
            for nb in notebooks:
                if shut_down_previous and previous is not None:
                    server.shut_down(previous)
                session = server.open_notebook(nb.name)
                seconds, error = run_notebook(server, session, server.root / "notebooks" / nb.name,
                                              keep_going=keep_going)
                time.sleep(1.0)  # let the kernel settle (garbage, widget comms)
                row = {"notebook": nb.stem, "seconds": seconds, "error": error, **memory(server)}
                if error:
                    log(f"  (not a clean run: {error})")
                rows.append(row)
                log(f"{'with' if shut_down_previous else 'without':8s} {nb.stem:32s} "
                    f"{seconds:5.1f} s  kernels {row['kernels']:2d}  "
                    f"RSS {row['rss_mb']:7.0f} MB  PSS {row['pss_mb']:7.0f} MB  "
                    f"server {row['server_rss_mb']:4.0f} MB")
                previous = session
        finally:
            server.stop()
    return rows


def markdown(without: list[dict], with_: list[dict]) -> str:
    lines = [
        "| after running | kernels alive (no shut-down) | kernel RSS sum | kernel PSS sum "
        "| kernels alive (previous shut down) | kernel RSS sum | kernel PSS sum |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for a, b in zip(without, with_):
        mark = " (a cell failed)" if a.get("error") or b.get("error") else ""
        lines.append(f"| {a['notebook']}{mark} | {a['kernels']} | {a['rss_mb']:.0f} MB | {a['pss_mb']:.0f} MB "
                     f"| {b['kernels']} | {b['rss_mb']:.0f} MB | {b['pss_mb']:.0f} MB |")
    peak = lambda rows, k: max(r[k] for r in rows)  # noqa: E731
    lines.append(f"| **peak** | | **{peak(without, 'rss_mb'):.0f} MB** | **{peak(without, 'pss_mb'):.0f} MB** "
                 f"| | **{peak(with_, 'rss_mb'):.0f} MB** | **{peak(with_, 'pss_mb'):.0f} MB** |")
    server = max(r["server_rss_mb"] for r in without + with_)
    lines.append("")
    lines.append(f"The Jupyter server itself held at most {server:.0f} MB RSS (not in the sums).")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks in walking order (default: notebooks/*.ipynb, sorted)")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="a checkout whose notebooks/ and lstm_edu/ are walked (default: this one)")
    parser.add_argument("--markdown", action="store_true", help="print the table for RESULTS.md")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    parser.add_argument("--keep-going", action="store_true",
                        help="run the remaining cells after a failing one (marked in the table)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((args.root / "notebooks").glob("*.ipynb"))
    without = walk(notebooks, shut_down_previous=False, code_root=args.root,
                   keep_going=args.keep_going)
    with_ = walk(notebooks, shut_down_previous=True, code_root=args.root,
                 keep_going=args.keep_going)
    if args.json:
        args.json.write_text(json.dumps({"without": without, "with": with_}, indent=1))
    if args.markdown:
        print(markdown(without, with_))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
