"""The learner's own copy of the notebooks: `make lab` opens it, `make refresh` updates it.

    python scripts/workcopy.py ensure              # make the copies that are missing
    python scripts/workcopy.py refresh             # update the copies you did not edit
    python scripts/workcopy.py refresh --reset 03_long_term_dependencies   # take the course's

A session in JupyterLab autosaves the notebooks it runs. Run on the committed notebooks, that
dirties the checkout, and the next `git pull` conflicts. So `make lab` opens copies in
``my-notebooks/`` (git-ignored), made on first use; an existing copy is never overwritten
without being asked. ``my-notebooks/`` sits beside ``notebooks/``, so the notebooks' relative
links (``../benchmarks/RESULTS.md``, ``00_start_here.ipynb#...``) still resolve; ``lstm_edu``
comes from the venv (an editable install), not from the working directory.

What counts as edited: a cell's source (code or text) differs from the course version the copy
was made from (recorded in ``my-notebooks/.course-versions.json``). Outputs do not count: a
notebook you only ran is refreshed (run it again to get its outputs back).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "notebooks"
WORK = ROOT / "my-notebooks"
RECORD = ".course-versions.json"


def sources_digest(path: Path) -> str:
    """A digest of the notebook's cell types and sources: what a learner writes, not outputs."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = json.dumps([(c["cell_type"], "".join(c["source"])) for c in cells])
    return hashlib.sha256(text.encode()).hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class WorkCopy:
    def __init__(self, course: Path = COURSE, work: Path = WORK):
        self.course, self.work = course, work
        self.record_path = work / RECORD
        self.record = (json.loads(self.record_path.read_text())
                       if self.record_path.exists() else {})

    def _save(self) -> None:
        self.record_path.write_text(json.dumps(self.record, indent=1, sort_keys=True) + "\n")

    def _copy(self, name: str) -> None:
        src = self.course / name
        shutil.copy2(src, self.work / name)
        self.record[name] = {"sources": sources_digest(src), "file": file_digest(src)}

    def edited(self, name: str) -> bool:
        """True when the copy's sources differ from the course version it was made from
        (or nothing records where it came from)."""
        made_from = self.record.get(name)
        return made_from is None or sources_digest(self.work / name) != made_from["sources"]

    def ensure(self) -> list[str]:
        """Copy every course notebook that has no copy yet; return their names."""
        self.work.mkdir(exist_ok=True)
        made = []
        for src in sorted(self.course.glob("*.ipynb")):
            if not (self.work / src.name).exists():
                self._copy(src.name)
                made.append(src.name)
        self._save()
        return made

    def refresh(self, reset: tuple[str, ...] = ()) -> dict[str, list[str]]:
        """Bring copies up to date with the course, keeping every edited one.

        Returns the names per outcome: "new" (copied), "updated" (unedited, replaced by a
        changed course version), "kept" (edited by you, left alone while the course changed),
        "reset" (replaced on request; your version saved beside it), "current".
        """
        self.work.mkdir(exist_ok=True)
        out: dict[str, list[str]] = {k: [] for k in ("new", "updated", "kept", "reset",
                                                     "current")}
        names = {p.name for p in self.course.glob("*.ipynb")}
        wanted = {r if r.endswith(".ipynb") else r + ".ipynb" for r in reset}
        if wanted - names:
            raise SystemExit(f"no course notebook named {sorted(wanted - names)}")
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        for name in sorted(names):
            copy = self.work / name
            if not copy.exists():
                self._copy(name)
                out["new"].append(name)
            elif name in wanted:
                backup = copy.with_name(f"{copy.stem}.mine-{stamp}.ipynb")
                shutil.copy2(copy, backup)
                self._copy(name)
                out["reset"].append(f"{name} (yours saved as {backup.name})")
            elif self.record.get(name, {}).get("file") == file_digest(self.course / name):
                out["current"].append(name)
            elif self.edited(name):
                out["kept"].append(name)
            else:
                self._copy(name)
                out["updated"].append(name)
        self._save()
        return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ensure", help="make the copies that are missing")
    refresh = sub.add_parser("refresh", help="update the copies you did not edit")
    refresh.add_argument("--reset", nargs="*", default=[], metavar="NOTEBOOK",
                         help="replace these copies with the course's (yours are saved beside)")
    args = parser.parse_args(argv)
    wc = WorkCopy()
    where = wc.work.relative_to(ROOT)
    if args.command == "ensure":
        made = wc.ensure()
        if made:
            print(f"{where}/: made your copies of {len(made)} notebooks "
                  "(the course's originals in notebooks/ stay untouched)")
        return 0
    out = wc.refresh(tuple(args.reset))
    for name in out["new"]:
        print(f"new:     {where}/{name}")
    for name in out["updated"]:
        print(f"updated: {where}/{name} (you had not edited it)")
    for name in out["reset"]:
        print(f"reset:   {where}/{name}")
    for name in out["kept"]:
        print(f"kept:    {where}/{name}: you edited it, and the course changed it. The new "
              f"version is notebooks/{name}; to take it (yours saved beside): "
              f"make refresh RESET={Path(name).stem}")
    print(f"{len(out['current'])} copies were already current.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
