"""A learner's session never dirties the checkout and never loses the learner's work (issue 20).

`make lab` opens copies of the notebooks in my-notebooks/ (git-ignored, made on first use by
scripts/workcopy.py); `make refresh` updates the copies the learner did not edit and keeps the
ones they did. Here a notebook runs through that flow in a scratch git repository holding this
checkout's files, and `git status` must stay empty.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import workcopy  # noqa: E402

EXECUTE = ROOT / "scripts" / "execute_notebooks.py"
# What the lab flow touches: the ignore rules, the Makefile, the copy script, the notebooks
# and what their relative links point at.
FILES = [".gitignore", "Makefile", "scripts/workcopy.py", "benchmarks/RESULTS.md"]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def checkout(tmp_path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("no git")
    repo = tmp_path / "repo"
    for name in FILES:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, repo / name)
    shutil.copytree(ROOT / "notebooks", repo / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "course")
    return repo


def test_make_lab_opens_the_copies():
    recipe = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout
    assert "scripts/workcopy.py ensure" in recipe
    assert "default_url=/lab/tree/my-notebooks/00_start_here.ipynb" in recipe


def test_a_session_in_the_copies_leaves_git_status_clean(checkout):
    subprocess.run([sys.executable, "scripts/workcopy.py", "ensure"], cwd=checkout, check=True)
    work = checkout / "my-notebooks"
    names = sorted(p.name for p in (checkout / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in work.glob("*.ipynb")) == names
    # A session: run a notebook top to bottom where JupyterLab would (its kernel's cwd is the
    # copy's folder), save it with new outputs, leave a checkpoint behind.
    proc = subprocess.run([sys.executable, str(EXECUTE), str(work / "00_start_here.ipynb")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (work / ".ipynb_checkpoints").mkdir(exist_ok=True)
    (work / ".ipynb_checkpoints" / "00_start_here-checkpoint.ipynb").write_text("{}")
    assert _git(checkout, "status", "--porcelain") == ""


def test_the_copies_relative_links_resolve(checkout):
    workcopy.WorkCopy(checkout / "notebooks", checkout / "my-notebooks").ensure()
    for path in sorted((checkout / "my-notebooks").glob("*.ipynb")):
        text = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                       if c["cell_type"] == "markdown")
        for target in re.findall(r"\]\(((?:\.\./)?[\w./-]+\.(?:md|ipynb))(?:#[^)]*)?\)", text):
            assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


def _notebook(path: Path, sources: list[str], output: str = "") -> None:
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "source": s,
              "outputs": [{"output_type": "stream", "name": "stdout", "text": output}]
              if output else []} for s in sources]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))


def test_refresh_updates_unedited_copies_and_keeps_edited_ones(tmp_path):
    course, work = tmp_path / "notebooks", tmp_path / "my-notebooks"
    course.mkdir()
    for name in ("a", "b", "c", "d"):
        _notebook(course / f"{name}.ipynb", [f"x = '{name}'"])
    wc = workcopy.WorkCopy(course, work)
    assert wc.ensure() == ["a.ipynb", "b.ipynb", "c.ipynb", "d.ipynb"]
    # The learner edits b, only runs c (new outputs), leaves a and d alone ...
    _notebook(work / "b.ipynb", ["x = 'mine'"])
    _notebook(work / "c.ipynb", ["x = 'c'"], output="ran\n")
    mine = (work / "b.ipynb").read_bytes()
    # ... and the course changes a, b and c, and adds e.
    for name in ("a", "b", "c"):
        _notebook(course / f"{name}.ipynb", [f"x = '{name}'", "y = 2"])
    _notebook(course / "e.ipynb", ["x = 'e'"])
    assert wc.ensure() == ["e.ipynb"], "ensure only adds, never overwrites"
    assert (work / "b.ipynb").read_bytes() == mine

    out = workcopy.WorkCopy(course, work).refresh()
    assert out["updated"] == ["a.ipynb", "c.ipynb"]
    assert out["kept"] == ["b.ipynb"] and (work / "b.ipynb").read_bytes() == mine
    assert out["current"] == ["d.ipynb", "e.ipynb"]
    for name in ("a", "c"):
        assert (work / f"{name}.ipynb").read_bytes() == (course / f"{name}.ipynb").read_bytes()

    # Asked for, the course's version replaces the edited copy; the learner's is kept beside.
    out = workcopy.WorkCopy(course, work).refresh(reset=("b",))
    assert len(out["reset"]) == 1
    assert (work / "b.ipynb").read_bytes() == (course / "b.ipynb").read_bytes()
    [backup] = work.glob("b.mine-*.ipynb")
    assert backup.read_bytes() == mine
    assert workcopy.WorkCopy(course, work).refresh()["kept"] == []
