"""The README's gallery from the browser test's screenshots (``make screenshots``).

benchmarks/screenshots/NN_name.png (scratch, written by tests/browser) becomes a small
PNG in docs/screenshots/ (at most 800 x 450 px, 64 colours), and the block between the
gallery markers in README.md is rewritten to show one per notebook present.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "benchmarks" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"
README = ROOT / "README.md"
START, END = "<!-- gallery:start -->", "<!-- gallery:end -->"
MAX_W, MAX_H, COLOURS = 800, 450, 64


def title(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return nb_path.stem


def shrink(src: Path, dst: Path) -> None:
    img = Image.open(src).convert("RGB")
    img = img.crop((0, 0, min(img.width, MAX_W), min(img.height, MAX_H)))
    dst.parent.mkdir(parents=True, exist_ok=True)
    img.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT).save(dst, optimize=True)


def main() -> int:
    rows = []
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shot = SCRATCH / f"{nb.stem}.png"
        if not shot.exists():
            print(f"no screenshot for {nb.name} (run the browser test first)")
            continue
        shrink(shot, DOCS / shot.name)
        rel = (DOCS / shot.name).relative_to(ROOT).as_posix()
        rows.append(f"| [{title(nb)}](notebooks/{nb.name}) | ![{nb.stem}]({rel}) |")
        print(f"{rel}: {(DOCS / shot.name).stat().st_size // 1024} KB")
    block = "\n".join([START, "| notebook | in JupyterLab, after Run All and a slider move |",
                       "|---|---|", *rows, END])
    text = README.read_text()
    if START not in text or END not in text:
        print(f"README.md has no {START} ... {END} block; not updated", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    README.write_text(head + block + rest.split(END, 1)[1])
    print(f"README.md gallery: {len(rows)} notebook(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
