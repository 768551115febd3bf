"""Binder builds from binder/: Python 3.11, a CPU-only torch, and a launch that lasts the course.

repo2docker is pinned with the other test requirements (requirements.txt, pyproject's [test]
extra), so `make install` brings it once; this test installs nothing. --no-build needs no
Docker daemon: it prints the Dockerfile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import skip_or_fail

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
R2D = BIN / "jupyter-repo2docker"


def _pin(name: str) -> str:
    """The version requirements.txt pins ``name`` to."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.startswith(f"{name}=="):
            return line.split("==", 1)[1].strip()
    raise AssertionError(f"requirements.txt does not pin {name}")


@pytest.fixture(scope="module")
def repo2docker() -> Path:
    """repo2docker from this venv, at the pinned version (installed by `make install`)."""
    if not R2D.exists():
        skip_or_fail(f"{R2D} is missing: `make install` installs it from requirements.txt")
    from importlib.metadata import version

    assert version("jupyter-repo2docker") == _pin("jupyter-repo2docker")
    return R2D


def test_repo2docker_is_a_pinned_test_requirement():
    """Pinned once, alike in requirements.txt and pyproject's [test] extra."""
    import tomllib

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["test"]
    assert f"jupyter-repo2docker=={_pin('jupyter-repo2docker')}" in extra


@pytest.fixture(scope="module")
def dockerfile(repo2docker) -> str:
    proc = subprocess.run([str(repo2docker), "--no-build", "--debug", str(ROOT)],
                          capture_output=True, text=True, timeout=120)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text
    return text


def test_binder_files_pin_cpu_torch_and_python():
    reqs = (ROOT / "binder" / "requirements.txt").read_text()
    assert "torch==2.13.0+cpu" in reqs
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in reqs
    assert "-e ." not in reqs, "install lstm_edu in postBuild, or every edit reinstalls torch"
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    assert "pip install --no-deps" in (ROOT / "binder" / "postBuild").read_text()


def test_repo2docker_dockerfile_installs_from_binder(dockerfile):
    print(dockerfile)  # shown in full when this test fails
    assert "python=3.11" in dockerfile
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "./binder/postBuild" in dockerfile
    assert "COPY --chown=0:0 src/requirements.txt" not in dockerfile, "the top-level file leaked in"


def _run_post_build(tmp_path: Path, prefix: Path) -> Path:
    """Run binder/postBuild as repo2docker would, with its pip step stubbed out (it only
    installs lstm_edu), into ``prefix``; return the log of the stubbed pip calls."""
    shims = tmp_path / "shims"
    shims.mkdir()
    log = tmp_path / "pip.log"
    (shims / "python").write_text(
        f'#!/bin/sh\nif [ "$1 $2" = "-m pip" ]; then echo "$*" >> "{log}"; exit 0; fi\n'
        f'exec "{sys.executable}" "$@"\n')
    (shims / "python").chmod(0o755)
    env = dict(os.environ, NB_PYTHON_PREFIX=str(prefix), PATH=f"{shims}:{os.environ['PATH']}")
    proc = subprocess.run([str(ROOT / "binder" / "postBuild")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return log


def test_post_build_configures_the_server_to_cull_idle_kernels(dockerfile, tmp_path):
    # The image's server environment is NB_PYTHON_PREFIX, and the image runs postBuild.
    assert "NB_PYTHON_PREFIX" in dockerfile and "./binder/postBuild" in dockerfile
    prefix = tmp_path / "env"
    # A setting the image may already hold there survives the merge.
    existing = prefix / "etc" / "jupyter" / "jupyter_server_config.json"
    existing.parent.mkdir(parents=True)
    existing.write_text(json.dumps({"ServerApp": {"shutdown_no_activity_timeout": 7}}))
    log = _run_post_build(tmp_path, prefix)
    assert "-m pip install --no-deps --no-cache-dir ." in log.read_text()
    # What a Jupyter server started from that environment loads (its config path
    # includes {prefix}/etc/jupyter).
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(prefix / "etc" / "jupyter"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "user-config"))
    proc = subprocess.run([str(BIN / "jupyter"), "server", "--show-config-json"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    assert loaded["ServerApp"]["shutdown_no_activity_timeout"] == 7
    config = loaded["MappingKernelManager"]
    # A kernel idle this long is shut down even while its tab is open, checked each minute.
    assert config["cull_idle_timeout"] == 600
    assert config["cull_connected"] is True
    assert config["cull_busy"] is False
    assert 0 < config["cull_interval"] <= 60


def test_post_build_installs_the_lab_settings(dockerfile, tmp_path):
    from jupyterlab.commands import get_app_dir

    prefix = tmp_path / "env"
    _run_post_build(tmp_path, prefix)
    # JupyterLab reads overrides.json from <app dir>/settings; the app dir is
    # {sys.prefix}/share/jupyter/lab.
    settings_dir = Path(get_app_dir()).relative_to(sys.prefix) / "settings"
    overrides = json.loads((prefix / settings_dir / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"] == {
        "fetchNews": "false", "checkForUpdates": False}
    assert overrides["@jupyterlab/notebook-extension:tracker"]["kernelShutdown"] is True
    # The same file serves `make lab` (the Makefile copies it into .venv).
    assert "binder/overrides.json" in (ROOT / "Makefile").read_text()


def test_lab_settings_exist_in_jupyterlab():
    """Each overridden setting is one JupyterLab 4.6 declares (a typo would be ignored silently)."""
    from jupyterlab.commands import get_app_dir

    schemas = Path(get_app_dir()) / "schemas"
    overrides = json.loads((ROOT / "binder" / "overrides.json").read_text())
    for plugin, values in overrides.items():
        package, name = plugin.split(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text())
        assert set(values) <= set(schema["properties"]), (plugin, set(values) - set(schema["properties"]))
