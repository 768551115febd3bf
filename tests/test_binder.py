"""Binder builds from binder/, with Python 3.11 and a CPU-only torch.

repo2docker runs from its own venv (.venv-r2d, made by `make test`) so its
dependencies never mix with the course's. --no-build needs no Docker daemon.
"""

import subprocess
from pathlib import Path

from conftest import skip_or_fail

ROOT = Path(__file__).parent.parent
R2D = ROOT / ".venv-r2d" / "bin" / "jupyter-repo2docker"


def test_binder_files_pin_cpu_torch_and_python():
    reqs = (ROOT / "binder" / "requirements.txt").read_text()
    assert "torch==2.13.0+cpu" in reqs
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in reqs
    assert "-e ." not in reqs, "install lstm_edu in postBuild, or every edit reinstalls torch"
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    assert "pip install --no-deps" in (ROOT / "binder" / "postBuild").read_text()


def test_repo2docker_dockerfile_installs_from_binder():
    if not R2D.exists():
        skip_or_fail(f"{R2D} is missing: run `make test`, which installs repo2docker there")
    proc = subprocess.run([str(R2D), "--no-build", "--debug", str(ROOT)],
                          capture_output=True, text=True, timeout=120)
    dockerfile = proc.stdout + proc.stderr
    print(dockerfile)  # shown in full when this test fails
    assert proc.returncode == 0
    assert "python=3.11" in dockerfile
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "./binder/postBuild" in dockerfile
    assert "COPY --chown=0:0 src/requirements.txt" not in dockerfile, "the top-level file leaked in"
