"""Cut Noto Sans CJK SC down to the Chinese characters the course uses.

    .venv/bin/python scripts/subset_cjk_font.py        # or: make fonts

Collects every CJK character (``lstm_edu.figures.fonts.is_cjk``) from
``lstm_edu/**/*.py``, from the shipped corpora (``lstm_edu/corpora/**/*.jsonl``: every
character notebook 15's model can write) and from every string in ``notebooks/*.ipynb``
(sources and outputs), subsets the system's Noto Sans CJK (Debian: ``fonts-noto-cjk``) to
them with fontTools, renames the family so it can never be confused with a
full system copy, and writes ``lstm_edu/figures/fonts/NotoSansCJKsc-Subset.otf``
with the SIL Open Font License beside it (``OFL.txt``). Re-run it after the
course's Chinese text changes; ``tests/test_fonts.py`` says when it is due.

fontTools (a matplotlib dependency) and the system font are needed only here,
never when the course runs. The output is reproducible: the same characters
give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lstm_edu.figures.fonts import CJK_FAMILY, FONT_PATH, LICENSE_PATH, cjk_characters  # noqa: E402

SOURCE_TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
# The licence travels with the font package: Debian's copyright file holds the
# OFL's full text; the copyright line is read from the font itself.
SOURCE_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
SOURCE_FAMILY = "Noto Sans CJK SC"
SUBSET_FAMILY = CJK_FAMILY
SUBSET_PS_NAME = FONT_PATH.stem


def course_text(root: Path = ROOT) -> dict[str, str]:
    """Every text the course can show: module sources, the shipped corpora, and each notebook's
    strings."""
    texts = {}
    for path in sorted((root / "lstm_edu").rglob("*.py")):
        texts[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
    # The shipped corpora: every character a trained model can write (notebook 15's vocabulary
    # is a subset of its corpus), so no sample ever draws as a box.
    for path in sorted((root / "lstm_edu" / "corpora").rglob("*.jsonl")):
        texts[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        strings: list[str] = []
        _walk(json.loads(path.read_text(encoding="utf-8")), strings)
        texts[str(path.relative_to(root))] = "\n".join(strings)
    return texts


def course_characters(root: Path = ROOT) -> list[str]:
    """The distinct CJK characters of the course, sorted by code point."""
    found = set()
    for text in course_text(root).values():
        found.update(cjk_characters(text))
    return sorted(found)


def _walk(node, out: list[str]) -> None:
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, list):
        for item in node:
            _walk(item, out)
    elif isinstance(node, dict):
        for key, item in node.items():
            if key != "image/png":  # base64, never text
                _walk(item, out)


def ofl_text(copyright_file: Path = SOURCE_COPYRIGHT) -> str:
    """The SIL Open Font License 1.1, as Debian's copyright file quotes it (stanza
    ``License: SIL-1.1``)."""
    stanza = re.search(r"^License: SIL-1\.1\n((?: .*\n?)+)",
                       copyright_file.read_text(encoding="utf-8"), re.MULTILINE)
    lines = [] if stanza is None else [
        "" if line.strip() == "." else line[1:] for line in stanza.group(1).splitlines()]
    text = "\n".join(lines).strip() + "\n"
    if "SIL OPEN FONT LICENSE Version 1.1" not in text:
        raise SystemExit(f"could not read the OFL's text from {copyright_file}")
    return text


def _source_font(ttc: Path) -> TTFont:
    for index in range(len(TTCollection(str(ttc)).fonts)):
        font = TTFont(str(ttc), fontNumber=index, recalcTimestamp=False, lazy=False)
        if font["name"].getDebugName(1) == SOURCE_FAMILY:
            return font
    raise SystemExit(f"{ttc} has no face named {SOURCE_FAMILY!r}")


def _rename(font: TTFont) -> None:
    """A new family name for the modified font (the OFL asks that a Modified
    Version be told apart; 'Source', the upstream Reserved Font Name, is not used)."""
    names = {1: SUBSET_FAMILY, 3: f"{SUBSET_PS_NAME};lstm-edu", 4: SUBSET_FAMILY,
             6: SUBSET_PS_NAME, 16: SUBSET_FAMILY}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names:
            record.string = names[record.nameID]
    cff = font["CFF "].cff
    cff.fontNames = [SUBSET_PS_NAME]
    top = cff.topDictIndex[0]
    for key in ("FullName", "FamilyName"):
        if hasattr(top, key):
            setattr(top, key, SUBSET_FAMILY)


def build(chars: list[str], ttc: Path = SOURCE_TTC, out: Path = FONT_PATH) -> int:
    """Write the subset font with ``chars`` (plus .notdef) to ``out``; return its size in bytes."""
    if not chars:
        raise SystemExit("no CJK characters found in the course: nothing to subset")
    font = _source_font(ttc)
    missing = [c for c in chars if ord(c) not in font.getBestCmap()]
    if missing:
        raise SystemExit(f"{SOURCE_FAMILY} itself lacks {''.join(missing)}")
    options = subset.Options()
    options.layout_features = []  # horizontal Latin-style layout only: no vert, no locl
    options.hinting = False
    # Thousands of glyphs (the poem corpus): keeping the CFF subroutines makes the file smaller.
    options.desubroutinize = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14, 16, 17]
    options.name_languages = [0x409]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    _rename(font)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    copyright_line = font["name"].getDebugName(0)
    LICENSE_PATH.write_text(
        f"{out.name}: a subset of {SOURCE_FAMILY} "
        "(Noto CJK, https://github.com/notofonts/noto-cjk),\n"
        f"renamed {SUBSET_FAMILY!r}, made by scripts/subset_cjk_font.py.\n\n"
        f"{copyright_line}\n\n{ofl_text()}", encoding="utf-8")
    return out.stat().st_size


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE_TTC,
                        help="the Noto Sans CJK collection (.ttc) to cut from")
    args = parser.parse_args(argv)
    chars = course_characters()
    size = build(chars, args.source)
    print(f"{len(chars)} characters -> {FONT_PATH.relative_to(ROOT)} ({size / 1024:.1f} KiB): "
          f"{''.join(chars)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
