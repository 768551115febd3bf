"""A fresh machine: `make` explains an unusable Python instead of failing in pip, and
requirements.txt gives Linux x86_64 the CPU-only torch and other platforms the standard one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]

# A stand-in interpreter: the real one, with what a version/venv check reads patched.
FAKE_PYTHON = """#!/bin/sh
if [ "$1" = "-c" ]; then shift; code="$1"; shift
exec "{python}" -c "{patch}
$code" "$@"
fi
exec "{python}" "$@"
"""
OLD = "import sys, platform; sys.version_info = (3, 9, 18, 'final', 0); platform.python_version = lambda: '3.9.18'"
NO_ENSUREPIP = "import sys; sys.modules['ensurepip'] = None"


def _make_install(tmp_path: Path, python: str) -> subprocess.CompletedProcess:
    work = tmp_path / "repo"
    work.mkdir()
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, work / name)
    (work / "binder").mkdir()
    shutil.copy(ROOT / "binder" / "overrides.json", work / "binder" / "overrides.json")
    proc = subprocess.run(["make", f"PYTHON={python}", "install"], cwd=work, capture_output=True,
                          text=True, timeout=60)
    assert not (work / ".venv").exists(), "make went on to create .venv"
    return proc


def _fake(tmp_path: Path, patch: str) -> str:
    path = tmp_path / "python"
    path.write_text(FAKE_PYTHON.format(python=sys.executable, patch=patch))
    path.chmod(0o755)
    return str(path)


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_says_python_is_too_old(tmp_path):
    proc = _make_install(tmp_path, _fake(tmp_path, OLD))
    assert proc.returncode != 0
    assert "needs Python 3.11 or newer" in proc.stderr and "3.9.18" in proc.stderr, proc.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_says_venv_is_missing(tmp_path):
    proc = _make_install(tmp_path, _fake(tmp_path, NO_ENSUREPIP))
    assert proc.returncode != 0
    assert "no working venv/ensurepip" in proc.stderr and "python3-venv" in proc.stderr, proc.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_says_there_is_no_python(tmp_path):
    proc = _make_install(tmp_path, str(tmp_path / "no-such-python"))
    assert proc.returncode != 0 and "needs Python 3.11 or newer" in proc.stderr, proc.stderr


def _torch_for(platform: str, machine: str) -> list[str]:
    env = {"sys_platform": platform, "platform_machine": machine, "python_version": "3.11",
           "platform_system": {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}[platform]}
    pins = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.startswith("torch"):
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate(env):
                pins.append(str(req.specifier))
    return pins


def test_linux_x86_64_gets_the_cpu_build_and_others_the_standard_wheel():
    assert _torch_for("linux", "x86_64") == ["==2.13.0+cpu"]
    assert _torch_for("darwin", "arm64") == ["==2.13.0"]
    assert _torch_for("darwin", "x86_64") == ["==2.13.0"]
    assert _torch_for("win32", "AMD64") == ["==2.13.0"]
    text = (ROOT / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text
    # The binder build pins the same release.
    assert "torch==2.13.0+cpu" in (ROOT / "binder" / "requirements.txt").read_text()
