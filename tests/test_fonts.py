"""The shipped CJK subset font: every Chinese character the course shows has a glyph in it,
and matplotlib draws them from that file alone, with no system font (CI machines have none).
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
import warnings
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lstm_edu.figures import fonts
from lstm_edu.figures.fonts import (CJK_FAMILY, FONT_FAMILY, FONT_PATH, LICENSE_PATH, check_glyphs,
                                    cjk_characters, has_glyph, is_cjk, missing_glyphs)

ROOT = Path(__file__).resolve().parents[1]
# Not in the course's text nor in the poem corpus, so not in the subset (checked below): the
# "fails when it should" case. (龍 served before notebook 15's corpus brought it in.)
ABSENT = "龘"


def _subset_script():
    spec = importlib.util.spec_from_file_location("subset_cjk_font",
                                                  ROOT / "scripts" / "subset_cjk_font.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_chinese_character_in_lstm_edu_and_notebooks_has_a_glyph():
    texts = _subset_script().course_text(ROOT)
    assert any(p.startswith("notebooks/") for p in texts)
    assert any(p.startswith("lstm_edu/") for p in texts)
    assert sum(len(cjk_characters(t)) for t in texts.values()) > 0, "the collector found no Chinese"
    gaps = {path: "".join(missing) for path, text in texts.items()
            if (missing := missing_glyphs(text))}
    assert not gaps, f"characters with no glyph in {FONT_PATH.name} (run `make fonts`): {gaps}"


def test_a_character_outside_the_subset_is_reported_missing():
    assert ABSENT not in _subset_script().course_characters(ROOT)
    assert not has_glyph(ABSENT)
    assert missing_glyphs(f"汉语{ABSENT}菜 hanyu") == [ABSENT]
    with pytest.raises(ValueError, match=r"U\+9F98"):
        check_glyphs(f"汉语{ABSENT}")
    assert check_glyphs("汉语, hànyǔ") == "汉语, hànyǔ"


def test_every_character_of_the_poem_corpus_has_a_glyph():
    # Notebook 15's model writes only characters of its corpus (its vocabulary is a subset).
    texts = _subset_script().course_text(ROOT)
    corpus = texts["lstm_edu/corpora/tang_poems/tang_five_char.jsonl"]
    chars = cjk_characters(corpus)
    assert len(chars) > 6000
    assert missing_glyphs(corpus) == []


def test_helpers_check_their_inputs():
    assert is_cjk("汉") and is_cjk("，") and not is_cjk("a") and not is_cjk("ǎ")
    with pytest.raises(ValueError, match="one character"):
        has_glyph("汉语")
    with pytest.raises(TypeError, match="str"):
        missing_glyphs(None)


def _course_chinese() -> str:
    return "".join(_subset_script().course_characters(ROOT))


def _draw(text: str) -> list[str]:
    """Render ``text`` with the course's font families; return matplotlib's missing-glyph
    warnings."""
    fig = Figure(figsize=(8, 1), dpi=50)
    fig.text(0.01, 0.5, text, fontfamily=FONT_FAMILY, fontsize=12)
    canvas = FigureCanvasAgg(fig)  # a bare Figure's canvas draws nothing
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        canvas.draw()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


@pytest.fixture
def only_the_shipped_font(monkeypatch):
    """matplotlib's font list as on a machine without system fonts: its own DejaVu, plus the
    shipped subset. A system copy of Noto Sans CJK (fonts-noto-cjk) cannot help."""
    mpl_fonts = Path(font_manager.__file__).parent / "mpl-data" / "fonts"
    manager = font_manager.fontManager
    own = [f for f in manager.ttflist if Path(f.fname).is_relative_to(mpl_fonts)]
    assert own, "matplotlib's own fonts not found"
    monkeypatch.setattr(manager, "ttflist", own)
    manager._findfont_cached.cache_clear()
    manager.addfont(str(FONT_PATH))
    yield manager
    manager._findfont_cached.cache_clear()


def test_matplotlib_draws_the_course_chinese_from_the_shipped_file_alone(only_the_shipped_font):
    assert not any("CJK" in f.name and Path(f.fname) != FONT_PATH
                   for f in only_the_shipped_font.ttflist)
    found = font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY),
                                  fallback_to_default=False)
    assert Path(found) == FONT_PATH
    text = _course_chinese() + " hànyǔ (Chinese)"
    assert _draw(text) == []
    # The same drawing fails when a character is not in the subset: nothing else supplies it.
    lost = _draw(text + ABSENT)
    assert len(lost) == 1 and re.search(r"Glyph 40856", lost[0]), lost


def test_the_font_is_registered_on_import_and_small_and_licensed():
    assert fonts.register() == CJK_FAMILY
    assert any(Path(f.fname) == FONT_PATH for f in font_manager.fontManager.ttflist)
    # The course's characters and the poem corpus's ~6,300: about 1.5 MB, where the full
    # Noto Sans CJK collection is ~20 MB.
    assert FONT_PATH.stat().st_size < 2_500_000
    licence = LICENSE_PATH.read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence


def test_pip_install_ships_the_font_and_its_licence():
    # Binder's postBuild runs `pip install .` (not editable): the files must be package data.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["lstm_edu.figures"]
    shipped = {p for pattern in patterns for p in (ROOT / "lstm_edu" / "figures").glob(pattern)}
    assert {FONT_PATH, LICENSE_PATH} <= shipped
