"""The committed notebooks are what nbval and GitHub expect: run, stored, error-free."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_start_here.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_executed_and_clean(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb["metadata"], "widget state must be stripped (make notebooks)"
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert code, "a notebook without code cells"
    for n, cell in enumerate(code):
        first = "".join(cell["source"]).splitlines()[0]
        assert cell["execution_count"] is not None, f"never executed: {first!r}"
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        assert not errors, f"error output in cell {first!r}: {errors[0].get('ename')}"
        assert "execution" not in cell["metadata"], "timestamps must be stripped (make notebooks)"
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "cells were run out of order"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_interactive_cells_are_ignored_by_nbval(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "code" and any(
                k in src for k in ("interact(", "interactive_output(", "show_interactive(")):
            assert "# NBVAL_IGNORE_OUTPUT" in src, f"slider cell without NBVAL_IGNORE_OUTPUT: {src[:60]!r}"
