"""Nothing downloads at run time: every notebook runs in a network namespace with no network.

Each notebook is copied to a temp dir and executed top to bottom (scripts/execute_notebooks.py)
under ``unshare -n`` (``unshare -rn`` when not root), with only the loopback interface up:
the kernel talks to its client over TCP on 127.0.0.1, and nothing else is reachable.
A notebook that fetches a dataset, a model or a package fails here.

Where unshare is not permitted (some containers), the tests are skipped with the reason;
in CI (LSTM_EDU_STRICT=1) that skip is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import skip_or_fail

ROOT = Path(__file__).resolve().parent.parent
# LSTM_EDU_NOTEBOOK_DIR points the test at another folder, e.g. a scratch copy with a
# notebook broken on purpose.
NOTEBOOK_DIR = Path(os.environ.get("LSTM_EDU_NOTEBOOK_DIR", ROOT / "notebooks"))
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXECUTE = ROOT / "scripts" / "execute_notebooks.py"

# Brings lo up without iproute2: SIOCGIFFLAGS / SIOCSIFFLAGS with IFF_UP.
LO_UP_PY = ("import fcntl, socket, struct; s = socket.socket(); "
            "f = struct.unpack('16sH', fcntl.ioctl(s, 0x8913, struct.pack('16sH', b'lo', 0)))[1]; "
            "fcntl.ioctl(s, 0x8914, struct.pack('16sH', b'lo', f | 1))")

# Run inside the namespace before anything else: loopback works, the outside does not.
PROBE_PY = """
import socket
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
socket.create_connection(srv.getsockname(), timeout=5).close()
for target in [("1.1.1.1", 443), ("8.8.8.8", 53)]:
    try:
        socket.create_connection(target, timeout=5).close()
    except OSError:
        continue
    raise SystemExit(f"reached {target}: the namespace has network")
try:
    socket.getaddrinfo("pypi.org", 443)
except OSError:
    pass
else:
    raise SystemExit("resolved pypi.org: the namespace has DNS")
print("loopback only")
"""


def _unshare() -> list[str]:
    """The command prefix for a fresh network namespace, or skip (fail in CI) with the reason."""
    unshare = shutil.which("unshare")
    if unshare is None:
        skip_or_fail("no `unshare` command (util-linux), so the no-network run did not happen")
    prefix = [unshare, "-n"] if os.geteuid() == 0 else [unshare, "-r", "-n"]
    probe = subprocess.run(prefix + ["true"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        skip_or_fail(f"`{' '.join(prefix)} true` is not permitted here ({probe.stderr.strip()}), "
                     "so the no-network run did not happen")
    return prefix


def _lo_up() -> str:
    ip = shutil.which("ip")
    return f"{ip} link set lo up" if ip else f"{sys.executable} -c \"{LO_UP_PY}\""


def run_offline(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    """``args`` in a new network namespace with only loopback up; output captured."""
    script = f'{_lo_up()} && exec "$@"'
    env = dict(os.environ, PYTHONHASHSEED="0")
    return subprocess.run(_unshare() + ["sh", "-c", script, "sh", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)


# The harness fails a dead exchange itself (scripts/execute_notebooks.py: no reply to a cell
# within 90 s, or a dead kernel within about a second) and says which cell and what the
# kernel was doing. This is only the backstop for a harness that itself stops answering.
BACKSTOP = 600


def execute_offline(notebook: Path, workdir: Path, timeout: float = BACKSTOP,
                    extra: tuple[str, ...] = ()):
    """Execute a copy of ``notebook`` (with its folder's other files) offline, never the
    original; ``extra`` goes to the harness (e.g. ``("--timeout", "10")``)."""
    copy_dir = workdir / notebook.parent.name
    shutil.copytree(notebook.parent, copy_dir, dirs_exist_ok=True)
    copy = copy_dir / notebook.name
    proc = run_offline([sys.executable, str(EXECUTE), *extra, str(copy)], timeout)
    return proc, copy


def failure_message(stderr: str) -> str:
    """The failing cell's source and the error, without the colours and the long middle."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", stderr)
    dead = text.find("DEAD EXCHANGE")
    if dead >= 0:  # the harness's own report: keep all of it (the stacks are the evidence)
        return text[dead:]
    start = text.find("An error occurred while executing the following cell")
    if start < 0:
        return text[-3000:]
    head = text[start:start + 1200]
    return head + ("\n...\n" + text[-800:] if len(text) - start > 1200 else "")


def test_the_namespace_has_loopback_and_nothing_else():
    proc = run_offline([sys.executable, "-c", PROBE_PY], timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "loopback only" in proc.stdout


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_without_network(path, tmp_path):
    committed = path.read_bytes()
    proc, copy = execute_offline(path, tmp_path)
    assert path.read_bytes() == committed, "the committed notebook was rewritten"
    if proc.returncode != 0:
        pytest.fail(f"{path.name} failed with no network (does it download something?):\n"
                    + failure_message(proc.stderr), pytrace=False)
    nb = json.loads(copy.read_text())
    errors = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]
              if o["output_type"] == "error"]
    assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}"


def test_the_no_network_test_catches_a_download(tmp_path):
    """A notebook that fetches something fails here, with the network error in the message."""
    src = tmp_path / "src"
    src.mkdir()
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": "import urllib.request\nurllib.request.urlopen('https://pypi.org', "
                               "timeout=20).read(100)"}],
          "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)",
                                      "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    (src / "downloads.ipynb").write_text(json.dumps(nb))
    proc, _ = execute_offline(src / "downloads.ipynb", tmp_path / "run", timeout=300)
    assert proc.returncode != 0
    assert "URLError" in proc.stderr, proc.stderr[-3000:]
