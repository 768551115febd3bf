"""Chinese text in figures, from a font shipped with the package.

``fonts/NotoSansCJKsc-Subset.otf`` is Noto Sans CJK SC (SIL Open Font License,
``fonts/OFL.txt``) cut down to the Chinese characters the course uses, so
figures draw the source's examples on any machine: nothing is downloaded and
no system font is needed. ``scripts/subset_cjk_font.py`` rebuilds it after the
course's text changes (``make fonts``); ``tests/test_fonts.py`` fails when a
Chinese character in ``lstm_edu`` or a notebook has no glyph in it.

The font is registered with matplotlib's font manager when this module is
imported, once. Figure code uses::

    ax.text(x, y, "汉语", fontfamily=FONT_FAMILY)   # Latin/pinyin from DejaVu Sans, Chinese from the subset
    check_glyphs(label)                               # ValueError naming any character the subset lacks

The subset's family name differs from the full font's, so a system copy of
Noto Sans CJK can never stand in for it unnoticed.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

FONT_DIR = Path(__file__).with_name("fonts")
FONT_PATH = FONT_DIR / "NotoSansCJKsc-Subset.otf"
LICENSE_PATH = FONT_DIR / "OFL.txt"
# The subset's family name (set by scripts/subset_cjk_font.py); the full font's
# is "Noto Sans CJK SC".
CJK_FAMILY = "Noto Sans CJK SC Subset"
# Mixed text (Chinese with pinyin or an English gloss): matplotlib takes each
# glyph from the first family that has it.
FONT_FAMILY = ["DejaVu Sans", CJK_FAMILY]

# Blocks whose characters need a CJK font (a plain Latin font has none of them):
# ideographs, their extension A and compatibility forms, CJK punctuation (。、「」)
# and full-width forms (，！？：).
CJK_BLOCKS = (
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
)


def is_cjk(char: str) -> bool:
    """True if ``char`` (one character) lies in a block that needs a CJK font."""
    _check_char(char)
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in CJK_BLOCKS)


def cjk_characters(text: str) -> list[str]:
    """The distinct CJK characters of ``text``, in order of first appearance."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return list(dict.fromkeys(c for c in text if is_cjk(c)))


@functools.lru_cache(maxsize=1)
def _codepoints() -> frozenset[int]:
    if not FONT_PATH.exists():
        raise FileNotFoundError(f"the shipped CJK font is missing: {FONT_PATH} "
                                "(rebuild it with `make fonts`)")
    return frozenset(FT2Font(str(FONT_PATH)).get_charmap())


def has_glyph(char: str) -> bool:
    """True if the shipped font draws ``char`` (one character)."""
    _check_char(char)
    return ord(char) in _codepoints()


def missing_glyphs(text: str) -> list[str]:
    """The CJK characters of ``text`` that the shipped font lacks (empty when all are drawn)."""
    return [c for c in cjk_characters(text) if not has_glyph(c)]


def check_glyphs(text: str) -> str:
    """Return ``text`` unchanged, or raise ValueError naming the Chinese characters with no glyph."""
    missing = missing_glyphs(text)
    if missing:
        names = ", ".join(f"{c} (U+{ord(c):04X})" for c in missing)
        raise ValueError(f"no glyph in the shipped CJK font for {names} in {text!r}: "
                         "run `make fonts` to add the course's new characters to the subset")
    return text


@functools.lru_cache(maxsize=1)
def register() -> str:
    """Add the shipped font to matplotlib's font manager (once) and return its family name."""
    _codepoints()  # a clear error if the file is missing
    font_manager.fontManager.addfont(str(FONT_PATH))
    name = font_manager.FontProperties(fname=str(FONT_PATH)).get_name()
    if name != CJK_FAMILY:
        raise ValueError(f"{FONT_PATH.name} is family {name!r}, expected {CJK_FAMILY!r}: "
                         "rebuild it with `make fonts`")
    return name


def _check_char(char) -> None:
    if not isinstance(char, str):
        raise TypeError(f"char must be a str of one character, got {type(char).__name__}")
    if len(char) != 1:
        raise ValueError(f"char must be one character, got {len(char)}: {char!r}")


# Registered on import; only scripts/subset_cjk_font.py imports this module
# before the file exists (it is building it).
if FONT_PATH.exists():
    register()
else:
    warnings.warn(f"the shipped CJK font is missing ({FONT_PATH}): Chinese in figures will show "
                  "as boxes until `make fonts` rebuilds it", stacklevel=2)
