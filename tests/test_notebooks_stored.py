"""The committed notebooks are what nbval and GitHub expect: run, stored, error-free."""

import json
import re
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


MAX_WORDS = 2000
# Emoji and pictographs (U+1F000-U+1FAFF), Miscellaneous Symbols and Dingbats
# (U+2600-U+27BF) and Miscellaneous Technical (U+2300-U+23FF, where the old
# stopwatch U+23F1 lives): none of them anywhere in a notebook, outputs included.
BANNED_BLOCKS = ((0x2300, 0x23FF), (0x2600, 0x27BF), (0x1F000, 0x1FAFF))


def markdown_words(nb: dict) -> int:
    """Words of prose as the course counts them: ``\\w+`` over every markdown cell."""
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return len(re.findall(r"\w+", text))


def banned_characters(value, where: str = "") -> list[str]:
    """``'U+23F1 in cells[3].outputs[0].text'`` for every banned character in a JSON value."""
    if isinstance(value, str):
        return [f"U+{ord(ch):04X} {ch!r} in {where}" for ch in value
                if any(lo <= ord(ch) <= hi for lo, hi in BANNED_BLOCKS)]
    if isinstance(value, dict):
        return [hit for key, v in value.items() for hit in banned_characters(v, f"{where}.{key}")]
    if isinstance(value, list):
        return [hit for k, v in enumerate(value) for hit in banned_characters(v, f"{where}[{k}]")]
    return []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_prose_within_word_budget(path):
    words = markdown_words(json.loads(path.read_text()))
    assert words <= MAX_WORDS, (f"{path.name} has {words} words of markdown, over the "
                                f"{MAX_WORDS}-word budget: move reference material out")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_emoji_or_technical_symbols(path):
    hits = banned_characters(json.loads(path.read_text()), "notebook")
    assert not hits, f"{path.name}: {len(hits)} banned character(s), first: {hits[:3]}"


def test_word_count_and_character_scan_catch_what_they_should():
    nb = {"cells": [{"cell_type": "markdown", "source": ["Two words, ", "C_t = f_t."]},
                    {"cell_type": "code", "source": ["ignored words in code"],
                     "outputs": [{"output_type": "stream", "text": ["\u23f1 1.2 s"]}]}]}
    assert markdown_words(nb) == 4
    assert banned_characters(nb) == ["U+23F1 '\u23f1' in .cells[1].outputs[0].text[0]"]
    assert banned_characters({"s": "\u2192 \u2299 \u2016 \u00e9"}) == []   # arrows, math: fine
    assert len(banned_characters(["\u2705", "\U0001F600", "\u2713"])) == 3
