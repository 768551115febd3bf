"""Drive JupyterLab in a real (headless) Chromium, as a learner would.

Used by tests/browser/test_browser.py (``make test``, ``make screenshots``).

* ``find_chromium()``        - the system Chromium (Debian's ``chromium``); never
                               Playwright's own download, which cannot be fetched here.
* ``JupyterLabServer``       - ``jupyter lab`` on 127.0.0.1, a free port, a token, a private
                               settings dir (no news pop-up, no autosave), read-only
                               extension manager; ``stop()`` also ends its kernels.
* ``exercise_notebook(...)`` - open a notebook, wait for an idle kernel, Run All Cells
                               (retried if the click was ignored), wait until every code
                               cell has run (or fail fast if Run All stopped on an error),
                               look for errors, click each widget button once, move every
                               slider and check that a show_interactive output changes,
                               take a screenshot. Returns a ``NotebookReport``; the caller
                               asserts on ``.problems``. Also checked: the last cell (the
                               Next cell) asks to shut the kernel down with the menu item
                               JupyterLab really has (``SHUT_DOWN_PROMPT``) or links to
                               00's On Binder section (``ON_BINDER``), and after a
                               button's run every progress bar's fill (the widget's value
                               against its max, measured as drawn) agrees with its text.

Selectors that hold for JupyterLab 4.6 + ipywidgets 8.1 (checked in the browser):
``.jp-OutputArea-output .widget-slider`` is a slider, ``[role=slider]`` its handle
(value in ``aria-valuenow``), ``.widget-readout`` its readout, and
``.widget-output .jp-OutputArea-output`` what an interact output shows,
``.widget-hprogress .progress`` a progress bar's track and ``.progress-bar`` its fill (its
width is (value - min) / (max - min) of the track; tqdm puts the bar between two HTML
widgets in a ``.widget-hbox``). A traceback,
in a cell or inside an Output widget, renders as
``[data-mime-type="application/vnd.jupyter.stderr"]`` text.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

# Flags that work as root in a closed network: without the background-networking
# ones Chromium's own update/sync/field-trial requests are refused and it stalls.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]

# JupyterLab user settings for the test session only (JUPYTERLAB_SETTINGS_DIR).
LAB_SETTINGS = {
    # "Would you like to receive official Jupyter news?" covers the page otherwise.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    # Never write a run notebook back to disk (we also serve copies).
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}

TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception)\b", re.M)
# How a widget callback reports a caught error, e.g. "training failed: ValueError: ...".
FAILED_LINE = re.compile(r"\bfailed: \w*(Error|Exception)\b")
_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
WIDGET_BROKEN = re.compile(r"Error displaying widget|model not found|IProgress not found")
# Every notebook's Next cell (its last cell) asks for this, as JupyterLab's menus name it
# (the standard text is in the course's notes: NEXT_CELL.md). On Binder, a kernel left
# running holds its memory until shut down.
SHUT_DOWN_MENU, SHUT_DOWN_ITEM = "Kernel", "Shut Down Kernel"
SHUT_DOWN_PROMPT = f"{SHUT_DOWN_MENU} \N{RIGHTWARDS ARROW} {SHUT_DOWN_ITEM}"
# tqdm's text beside a bar, e.g. "100%| 90/90 [00:01<00:00, ...]" (spaces may be U+2007).
PROGRESS_COUNT = re.compile(r"(\d+)/(\d+)")
# A drawn fill may differ from value/max by the track's border and rounding; a bar that
# reads 90/90 over a 3% fill is far outside this.
FILL_TOLERANCE = 0.03


def find_chromium() -> str | None:
    """The system Chromium: $LSTM_EDU_CHROMIUM if set (and only it), else chromium on PATH."""
    if os.environ.get("LSTM_EDU_CHROMIUM"):
        candidates = [os.environ["LSTM_EDU_CHROMIUM"]]
    else:
        candidates = [shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium"]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (read from /proc; kernels run in their own session)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        found += kids
        todo += kids
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class JupyterLabServer:
    """``jupyter lab`` serving ``root_dir``, with everything it writes in a temp dir."""

    def __init__(self, root_dir: Path, startup_timeout: float = 180):
        self.root_dir = Path(root_dir)
        self.startup_timeout = startup_timeout
        self.token = os.urandom(12).hex()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.home = Path(tempfile.mkdtemp(prefix="lstm-edu-lab-"))
        self.log_path = self.home / "server.log"
        self.kernel_pids: set[int] = set()
        # Kernels append each slider redraw's times here (lstm_edu.figures.widgets.log_redraw).
        self.redraw_log = self.home / "redraw.jsonl"

    def _env(self) -> dict:
        settings = self.home / "settings"
        for rel, value in LAB_SETTINGS.items():
            path = settings / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        env = dict(os.environ)
        env.update(
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.home / "workspaces"),
            JUPYTER_CONFIG_DIR=str(self.home / "config"),   # ignore ~/.jupyter
            JUPYTER_DATA_DIR=str(self.home / "data"),       # use the venv's python3 kernel
            JUPYTER_RUNTIME_DIR=str(self.home / "runtime"),
            PYTHONHASHSEED="0",
            LSTM_EDU_REDRAW_LOG=str(self.redraw_log),
            PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        )
        return env

    def start(self) -> "JupyterLabServer":
        cmd = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1",
               f"--port={self.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root_dir}",
               "--LabApp.extension_manager=readonly",   # else it queries the package index
               "--ServerApp.open_browser=False"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT,
                                     env=self._env(), start_new_session=True, cwd=self.root_dir)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.5)
        raise RuntimeError(f"jupyter lab did not answer in {self.startup_timeout} s:\n{self.log_tail()}")

    def api(self, method: str, path: str, timeout: float = 30):
        req = urllib.request.Request(f"{self.url}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def sessions(self) -> list[dict]:
        return self.api("GET", "/api/sessions")

    def shutdown_kernels(self) -> None:
        """End every kernel session (one notebook's kernel must not eat the next one's memory)."""
        self.kernel_pids.update(_children(self.proc.pid) if self.proc else [])
        for s in self.sessions():
            try:
                self.api("DELETE", f"/api/sessions/{s['id']}")
            except urllib.error.URLError:
                pass

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def stop(self) -> list[int]:
        """Stop the server and every process it started; return the pids that had to be killed."""
        killed = []
        if self.proc is None:
            return killed
        descendants = set(_children(self.proc.pid)) | self.kernel_pids
        if self.proc.poll() is None:
            try:
                self.api("POST", "/api/shutdown", timeout=10)  # also shuts its kernels down
            except (urllib.error.URLError, OSError):
                pass
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(timeout=10)
                killed.append(self.proc.pid)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in descendants):
            time.sleep(0.2)
        for pid in descendants:
            if _alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                except ProcessLookupError:
                    pass
        self._log.close()
        self.proc = None
        shutil.rmtree(self.home, ignore_errors=True)
        return killed

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def launch_chromium(playwright, executable: str):
    return playwright.chromium.launch(executable_path=executable, headless=True,
                                      args=CHROMIUM_ARGS, timeout=120_000)


# ------------------------------------------------------------------ one notebook

@dataclass
class SliderReport:
    cell: int               # index of the notebook cell (nb.cells) holding the slider
    label: str
    before: str
    after: str
    seconds: float          # from the key press to the changed, settled output
    changed: bool
    error: str | None = None
    interact: bool = True   # drives a show_interactive output (must change it)
    # Key press to the new image painted, ms, one per move to a value not shown before.
    latencies_ms: list[float] = field(default_factory=list)
    moves: list[str] = field(default_factory=list)  # "key -> readouts" per move
    breakdown: list[dict] = field(default_factory=list)  # per timed move, see _split

    def median_ms(self) -> float | None:
        return statistics.median(self.latencies_ms) if self.latencies_ms else None


@dataclass
class ProgressReport:
    cell: int
    after: str              # the button whose run drew it
    text: str               # what the bar's label reads, e.g. "100% 90/90 [...]"
    fill: float | None      # the drawn fill as a fraction of the track (None: not drawn)
    colour: str | None = None  # the fill's colour as drawn, e.g. "rgb(2, 136, 209)"

    def expected(self) -> float | None:
        """The fraction the text claims (n/total), or None when it shows no count."""
        m = PROGRESS_COUNT.search(self.text.replace("\u2007", " "))
        return int(m[1]) / int(m[2]) if m and int(m[2]) > 0 else None


@dataclass
class NotebookReport:
    name: str
    kernel_states: list[str] = field(default_factory=list)
    run_all_clicks: int = 0
    run_seconds: float = 0.0
    stored_view: list[str] = field(default_factory=list)  # what shows before anything runs
    sliders: list[SliderReport] = field(default_factory=list)
    progress: list[ProgressReport] = field(default_factory=list)
    next_cell: str = ""                                    # the last cell's rendered text
    stderr: list[str] = field(default_factory=list)       # non-error stderr (warnings)
    console_errors: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    glyphs: dict = field(default_factory=dict)            # _CJK_JS's result
    wraps: list[dict] = field(default_factory=list)       # _WRAPS_JS's result
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        moved = ", ".join(
            f"{s.label} {s.before}->{s.after} ({s.seconds:.1f} s"
            + (f", median {s.median_ms():.0f} ms over {len(s.latencies_ms)} new values"
               if s.latencies_ms else "")
            + ("" if s.interact else ", changed" if s.changed else ", no change: not an interact output")
            + ")" for s in self.sliders)
        bars = ", ".join(f"{p.text.strip()[:40]!r} drawn {p.fill:.0%}" if p.fill is not None
                         else f"{p.text.strip()[:40]!r} not drawn" for p in self.progress)
        return (f"{self.name}: run all {self.run_seconds:.1f} s, {self.run_all_clicks} click(s), "
                f"{len(self.sliders)} widget(s) moved or clicked [{moved}]"
                + (f"; progress bars [{bars}]" if self.progress else ""))


# Installed once per page: remembers every code cell whose prompt showed [*] (queued or
# running), so "every cell ran in this session" does not rely on the execution counts,
# which restart at 1 in a fresh kernel and so equal the stored ones.
_WATCH_JS = """
() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  window.__lstmSeen = new WeakSet();
  window.__lstmBusy = false;
  const scan = () => {
    nb.querySelectorAll('.jp-CodeCell').forEach(c => {
      const p = c.querySelector('.jp-InputPrompt');
      if (p && p.textContent.includes('*')) { window.__lstmSeen.add(c); window.__lstmBusy = true; }
    });
  };
  window.__lstmObserver = new MutationObserver(scan);
  window.__lstmObserver.observe(nb, {subtree: true, childList: true, characterData: true});
}
"""

_CELLS_JS = """
() => Array.from(document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook > .jp-Cell, ' +
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-viewport > .jp-Cell')).map(c => ({
  code: c.classList.contains('jp-CodeCell'),
  prompt: (c.querySelector('.jp-InputPrompt') || {textContent: ''}).textContent.trim(),
  seen: !!(window.__lstmSeen && window.__lstmSeen.has(c)),
}))
"""

# Every output of the open notebook: mime type and text (textContent: cells outside the
# viewport are skipped by content-visibility, and innerText would then read empty).
_OUTPUTS_JS = """
() => Array.from(document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')).map(e => ({
  mime: e.getAttribute('data-mime-type'), text: e.textContent.slice(0, 4000),
}))
"""

# What a slider's cell output shows, without the sliders themselves: text and image data.
_SIGNATURE_JS = """
el => {
  const c = el.cloneNode(true);
  c.querySelectorAll('.widget-slider').forEach(n => n.remove());
  const imgs = Array.from(c.querySelectorAll('img')).map(i => i.getAttribute('src') || '');
  return c.textContent + '|' + imgs.map(s => s.length + ':' + s.slice(-64)).join(',');
}
"""


# Armed before one key press on a slider: resolves window.__lstmLatency to the ms from the
# keydown event (its timeStamp) to the first animation frame after a new image (an <img>
# whose src this cell has not shown since arming) is decoded in the cell's output: what
# the learner waits for. The old image stays until then (clear_output(wait=True)).
_LATENCY_ARM_JS = """
el => {
  if (window.__lstmLatencyObs) window.__lstmLatencyObs.disconnect();
  const old = new Set(Array.from(el.querySelectorAll('img')).map(i => i.src));
  window.__lstmLatency = null;
  window.__lstmKeyAt = null;
  document.addEventListener('keydown', e => { window.__lstmKeyAt = e.timeStamp; },
                            {capture: true, once: true});
  // performance.now() counts from timeOrigin: these are wall-clock ms, comparable with the
  // kernel's time.time() on the same machine.
  const obs = new MutationObserver(() => {
    if (window.__lstmKeyAt === null) return;
    const fresh = Array.from(el.querySelectorAll('img')).find(i => !old.has(i.src));
    if (!fresh) return;
    obs.disconnect();
    const painted = () => requestAnimationFrame(() => {
      const now = performance.now();
      window.__lstmLatency = {ms: now - window.__lstmKeyAt,
                              key: performance.timeOrigin + window.__lstmKeyAt,
                              painted: performance.timeOrigin + now}; });
    fresh.decode().then(painted, painted);
  });
  obs.observe(el, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
  window.__lstmLatencyObs = obs;
}
"""

# Every slider's readout in a cell output: a panel's state, to tell a new one (not
# aria-valuenow, which noUiSlider rounds: 0.05 and 0.10 both read "0.1").
_HANDLES_JS = """
el => Array.from(el.querySelectorAll('.widget-slider')).map(s => {
  const r = s.querySelector('.widget-readout');
  return r ? r.textContent.trim() : (s.querySelector('[role=slider]') || {}).ariaValueNow;
})
"""


# The Chinese the open notebook shows (markdown, code, outputs, widget labels), each
# distinct character checked in the font of an element that shows it: drawn on a canvas
# in that font, a character with a glyph differs from a code point that no font has
# (U+10FFFD, drawn as the fallback box) in its width or its pixels; a box does not.
# Returns the characters that render as boxes, where, and a self-check: two other
# no-glyph code points must come out as boxes, or the comparison proves nothing.
_CJK_JS = r"""
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/g;
  const fonts = new Map();   // font -> {chars: Set, where: Map(char -> place)}
  const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const chars = n.textContent.match(CJK);
    if (!chars || !n.parentElement) continue;
    const cs = getComputedStyle(n.parentElement);
    const font = `${cs.fontStyle} ${cs.fontWeight} 32px ${cs.fontFamily}`;
    if (!fonts.has(font)) fonts.set(font, {chars: new Set(), where: new Map()});
    const f = fonts.get(font);
    const cell = n.parentElement.closest('.jp-Cell');
    const place = cell ? Array.from(cell.parentElement.children)
        .filter(x => x.classList.contains('jp-Cell')).indexOf(cell) : -1;
    for (const ch of chars) { f.chars.add(ch); if (!f.where.has(ch)) f.where.set(ch, place); }
  }
  const canvas = document.createElement('canvas');
  canvas.width = 48; canvas.height = 48;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (font, ch) => {
    ctx.clearRect(0, 0, 48, 48); ctx.font = font; ctx.textBaseline = 'top';
    ctx.fillStyle = '#000'; ctx.fillText(ch, 4, 4);
    return {w: ctx.measureText(ch).width, px: ctx.getImageData(0, 0, 48, 48).data.join(',')};
  };
  const box = (font, ch, ref) => {
    const d = draw(font, ch);
    return Math.abs(d.w - ref.w) < 0.01 && d.px === ref.px;
  };
  const result = {checked: 0, fonts: fonts.size, boxes: [], selfcheck: []};
  for (const [font, f] of fonts) {
    const ref = draw(font, '\u{10FFFD}');
    result.selfcheck.push(['\u{10FFFC}', '\u{10FFFB}'].every(c => box(font, c, ref))
                          && ref.px !== draw(font, ' ').px);
    for (const ch of f.chars) {
      result.checked += 1;
      if (box(font, ch, ref)) result.boxes.push({ch, cell: f.where.get(ch), font});
    }
  }
  return result;
}
"""

# Every printed line (an output's <pre>: text/plain and stdout, in cells and in widget
# outputs) and every slider readout and label, checked for a line box that breaks
# inside a token: two characters of one source line on different lines of the page,
# with no space between them. Cells are laid out first (content-visibility skips
# cells out of view).
_WRAPS_JS = r"""
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  panel.querySelectorAll('.jp-Cell').forEach(c => { c.style.contentVisibility = 'visible'; });
  const cellOf = el => {
    const cell = el.closest('.jp-Cell');
    return cell ? Array.from(cell.parentElement.children)
        .filter(x => x.classList.contains('jp-Cell')).indexOf(cell) : -1;
  };
  const found = [];
  // A break beside a Chinese character is ordinary line breaking (Chinese has no spaces).
  const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/;
  const token = c => /\S/.test(c) && !CJK.test(c);
  const check = (el, kind) => {
    // One entry per character: its text node, offset, and top on the page.
    const chars = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.textContent.length && chars.length < 20000; i++) {
        chars.push({n, i, c: n.textContent[i]});
      }
    }
    const range = document.createRange();
    let prevTop = null, prev = null, line = '', row = 0, reported = false;
    for (const ch of chars) {
      if (ch.c === '\n') { prevTop = null; prev = null; line = ''; row = 0; reported = false;
                           continue; }
      range.setStart(ch.n, ch.i); range.setEnd(ch.n, ch.i + 1);
      const r = range.getClientRects()[0];
      if (!r) { line += ch.c; continue; }
      if (prevTop !== null && r.top > prevTop + 2) {
        if (!reported && token(prev) && token(ch.c)) {
          const rest = ch.n.textContent.slice(ch.i).split('\n')[0];
          found.push({kind, cell: cellOf(el), line: line + rest, row_chars: row,
                      at: line.slice(-12) + '\u23ce' + rest.slice(0, 12)});
          reported = true;
        }
        row = 0;
      }
      prevTop = r.top; prev = ch.c; line += ch.c; row += 1;
    }
  };
  // stderr (tracebacks, warnings) is reported as such elsewhere, not checked for fit.
  panel.querySelectorAll('.jp-OutputArea-output pre').forEach(el => {
    if (!el.closest('[data-mime-type="application/vnd.jupyter.stderr"]')) check(el, 'printed line');
  });
  panel.querySelectorAll('.widget-readout').forEach(el => check(el, 'slider readout'));
  panel.querySelectorAll('.widget-label, .widget-html-content').forEach(
      el => check(el, 'widget label'));
  return found;
}
"""


# Each progress bar in an element: the drawn fill as a fraction of its track, and the
# text of the row it sits in (tqdm puts "desc", the bar and "n/total [...]" in one HBox).
_PROGRESS_JS = """
el => Array.from(el.querySelectorAll('.widget-hprogress .progress')).map(track => {
  const bar = track.querySelector('.progress-bar');
  const tw = track.getBoundingClientRect().width;
  const bw = bar ? bar.getBoundingClientRect().width : 0;
  const widget = track.closest('.widget-hprogress');
  const row = widget.parentElement && widget.parentElement.classList.contains('widget-hbox')
      ? widget.parentElement : widget;
  return {fill: tw > 0 ? bw / tw : null, text: row.textContent,
          colour: bar ? getComputedStyle(bar).backgroundColor : null};
})
"""

# The last cell of the notebook (its Next cell), rendered: its text and its links.
_LAST_CELL_JS = """
() => {
  const cells = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell');
  const last = cells[cells.length - 1];
  if (!last) return {text: '', links: []};
  const md = last.querySelector('.jp-RenderedMarkdown');
  return md ? {text: md.textContent,
               links: Array.from(md.querySelectorAll('a')).map(a => a.getAttribute('href') || '')}
            : {text: '(not a rendered markdown cell) ' + last.textContent, links: []};
}
"""
# The one place that says why and how (00's "On Binder" section, which names SHUT_DOWN_PROMPT);
# every other Next cell points there in one line.
ON_BINDER = "00_start_here.ipynb#On-Binder"


def check_next_cell(page, report: NotebookReport) -> None:
    """The Next cell asks to shut this kernel down: naming the menu item JupyterLab has, or
    in one line linking to 00's On Binder section, which names it."""
    last = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").last
    last.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    cell = page.evaluate(_LAST_CELL_JS)
    report.next_cell = " ".join(cell["text"].split())
    # JupyterLab rewrites a link's href (/files/notebooks/00_start_here.ipynb?_xsrf=...#On-Binder).
    targets = {(urllib.parse.urlsplit(h).path.rsplit("/", 1)[-1], urllib.parse.urlsplit(h).fragment)
               for h in cell["links"]}
    points_to_00 = (tuple(ON_BINDER.split("#")) in targets
                    and "shut this notebook's kernel down" in report.next_cell.lower())
    if SHUT_DOWN_PROMPT not in report.next_cell and not points_to_00:
        report.problems.append(
            f"the Next cell (the last cell) does not ask to shut the kernel down with "
            f"'{SHUT_DOWN_PROMPT}' nor point to [00]({ON_BINDER}) for it; it reads: "
            f"{report.next_cell[-400:]!r}, links {cell['links']}")
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{SHUT_DOWN_MENU}$")).click()
    item = page.locator(".lm-Menu-item", has_text=re.compile(f"^{SHUT_DOWN_ITEM}"))
    found = item.count()
    page.keyboard.press("Escape")
    if not found:
        report.problems.append(f"JupyterLab's {SHUT_DOWN_MENU} menu has no '{SHUT_DOWN_ITEM}' item")


def read_progress(cell_out, cell: int, after: str, settle: float = 1.0) -> list[ProgressReport]:
    """Every progress bar in a cell's output, read once its drawn width is steady (CSS
    may animate the width)."""
    last = None
    for _ in range(10):
        bars = cell_out.evaluate(_PROGRESS_JS)
        if bars == last:
            break
        last = bars
        time.sleep(settle)
    return [ProgressReport(cell=cell, after=after, text=b["text"], fill=b["fill"],
                           colour=b["colour"]) for b in bars]


def progress_problems(bars: list[ProgressReport]) -> list[str]:
    problems = []
    for bar in bars:
        expected = bar.expected()
        if expected is None:
            continue
        if bar.fill is None:
            problems.append(f"cell {bar.cell}, progress bar after {bar.after}: reads "
                            f"{bar.text.strip()!r} but no bar is drawn")
        elif abs(bar.fill - expected) > FILL_TOLERANCE:
            problems.append(f"cell {bar.cell}, progress bar after {bar.after}: reads "
                            f"{bar.text.strip()!r} ({expected:.0%}) but its fill is "
                            f"{bar.fill:.0%} of the track (the widget's value against its max)")
    return problems


def _kernel_state(page) -> str:
    item = page.locator(".jp-StatusBar-TextItem[title^='Change kernel']")
    try:
        return item.first.text_content(timeout=1000) or ""
    except Exception:  # noqa: BLE001 - not rendered yet
        return ""


def wait_kernel_idle(page, report: NotebookReport, timeout: float) -> None:
    """Wait until the status bar reads '<kernel> | Idle' (after 'Initializing'), for 1 s."""
    deadline = time.monotonic() + timeout
    idle_since = None
    while time.monotonic() < deadline:
        state = _kernel_state(page)
        if state and (not report.kernel_states or report.kernel_states[-1] != state):
            report.kernel_states.append(state)
        if state.endswith("| Idle") and not state.startswith("No Kernel"):
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= 1.0:
                return
        else:
            idle_since = None
        time.sleep(0.1)
    raise TimeoutError(f"kernel not idle after {timeout} s; status bar went {report.kernel_states}")


def _notebook_busy(page) -> bool:
    status = page.evaluate(
        "() => (document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) "
        ".jp-Notebook-ExecutionIndicator') || {dataset: {}}).dataset.status")
    return status != "idle" or "Busy" in _kernel_state(page)


def run_all_cells(page, report: NotebookReport, code_cells: list[int], timeout: float,
                  start_timeout: float = 20, tries: int = 3) -> None:
    """Run → Run All Cells; click again if nothing started; wait until every code cell ran."""
    page.evaluate(_WATCH_JS)
    t0 = time.monotonic()
    for attempt in range(1, tries + 1):
        report.run_all_clicks = attempt
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-item", has_text=re.compile(r"^Run All Cells$")).click()
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline and not page.evaluate("() => window.__lstmBusy"):
            time.sleep(0.1)
        if page.evaluate("() => window.__lstmBusy"):
            break
        page.keyboard.press("Escape")  # close a menu left open by an ignored click
    else:
        raise TimeoutError(f"Run All Cells never started execution ({tries} clicks)")

    deadline = t0 + timeout
    settled = stopped = 0
    while time.monotonic() < deadline:
        cells = page.evaluate(_CELLS_JS)
        done = all(cells[i]["seen"] and re.fullmatch(r"\[\d+\]:", cells[i]["prompt"])
                   for i in code_cells if i < len(cells))
        idle = not _notebook_busy(page)
        queued = any("*" in c["prompt"] for c in cells)
        if len(cells) >= len(code_cells) and done and idle:
            settled += 1
            if settled >= 3:  # idle on three polls in a row
                break
        else:
            settled = 0
        # Nothing queued, kernel idle, cells not run: Run All stopped (a cell raised).
        stopped = stopped + 1 if (idle and not queued and not done) else 0
        if stopped >= 5:
            never = [i for i in code_cells if i < len(cells) and not (
                cells[i]["seen"] and re.fullmatch(r"\[\d+\]:", cells[i]["prompt"]))]
            report.run_seconds = time.monotonic() - t0
            report.problems.append(f"Run All stopped before cells {never} (a cell raised?)")
            return
        time.sleep(0.3)
    else:
        cells = page.evaluate(_CELLS_JS)
        todo = [(i, cells[i]["prompt"]) for i in code_cells if i < len(cells)
                and not (cells[i]["seen"] and re.fullmatch(r"\[\d+\]:", cells[i]["prompt"]))]
        raise TimeoutError(f"cells still not run after {timeout} s (index, prompt): {todo}")
    report.run_seconds = time.monotonic() - t0
    counts = [int(cells[i]["prompt"][1:-2]) for i in code_cells]
    if counts != list(range(counts[0], counts[0] + len(counts))):
        report.problems.append(f"cells did not run in order, execution counts {counts}")


def output_problems(page, report: NotebookReport) -> None:
    for out in page.evaluate(_OUTPUTS_JS):
        text = out["text"] or ""
        if WIDGET_BROKEN.search(text):
            report.problems.append(f"widget not rendered: {text[:300]!r}")
        elif out["mime"] == "application/vnd.jupyter.stderr":
            if TRACEBACK.search(text):
                report.problems.append(f"error output:\n{text[:2000]}")
            else:
                report.stderr.append(text[:300])


def _wait_for_change(page, cell_out, before: str, timeout: float, poll: float = 0.15) -> bool:
    """True once the cell's output differs from ``before`` and is settled (kernel idle)."""
    deadline = time.monotonic() + timeout
    last, stable = None, 0
    while time.monotonic() < deadline:
        now = cell_out.evaluate(_SIGNATURE_JS)
        if now != before and not _notebook_busy(page):
            stable = stable + 1 if now == last else 0
            if stable >= 2:
                return True
        last = now
        time.sleep(poll)
    return False


def _raised(cell_out) -> str | None:
    """A traceback, or a "... failed: SomeError: ..." line, inside the cell's widget outputs."""
    for o in cell_out.locator(".widget-output .jp-OutputArea-output").all():
        text = o.text_content() or ""
        if (o.get_attribute("data-mime-type") == "application/vnd.jupyter.stderr"
                and TRACEBACK.search(text)) or FAILED_LINE.search(text):
            return text[-1500:]
    return None


def _cell_output(widget):
    """The cell's own output area: the outermost one around ``widget``."""
    return widget.locator(
        "xpath=ancestor::div[contains(concat(' ', @class, ' '), ' jp-OutputArea-output ')][last()]")


def click_buttons(page, report: NotebookReport, cell_of, timeout: float) -> None:
    """Click every widget button once (e.g. "train") and wait for its output to settle."""
    buttons = page.locator(f"{_PANEL} .jp-OutputArea-output .jupyter-button")
    for n in range(buttons.count()):
        button = buttons.nth(n)
        cell_out = _cell_output(button)
        button.scroll_into_view_if_needed()
        label = (button.text_content() or "").strip() or f"button {n + 1}"
        before = cell_out.evaluate(_SIGNATURE_JS)
        t0 = time.monotonic()
        button.click()
        rep = SliderReport(cell=cell_of(button), label=f"button '{label}'", before="", after="clicked",
                           seconds=0.0, changed=_wait_for_change(page, cell_out, before, timeout, 0.5))
        # A button that runs something long (train) is disabled until its run ends
        # (lstm_edu's on_click_guarded): the output may look settled mid-run.
        deadline = t0 + timeout
        while rep.changed and button.is_disabled() and time.monotonic() < deadline:
            time.sleep(0.2)
        rep.seconds = time.monotonic() - t0
        if not rep.changed:
            rep.error = f"the output did not change within {timeout} s of the click"
        elif (raised := _raised(cell_out)) is not None:
            rep.error = "the callback raised:\n" + raised
        if rep.error:
            report.problems.append(f"cell {rep.cell}, {rep.label}: {rep.error}")
        report.sliders.append(rep)
        if rep.changed:
            bars = read_progress(cell_out, rep.cell, rep.label)
            report.progress += bars
            report.problems += progress_problems(bars)


def _settle(page, timeout: float, poll: float = 0.1) -> None:
    """Wait until the kernel and the notebook read idle on three polls in a row."""
    deadline, idle = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and idle < 3:
        idle = idle + 1 if not _notebook_busy(page) else 0
        time.sleep(poll)


def _split(times: dict, redraw_log: Path | None) -> dict:
    """One move's latency split by the kernel's own record of it (lstm_edu.figures.widgets
    .log_redraw, wall clock): before the kernel's redraw began (the key event, the widget's
    message, the kernel's queue), in it (figure, PNG; the rest is sending), after it (the
    output's messages reaching the page, the image decoded and painted)."""
    out = {"ms": times["ms"]}
    if redraw_log is None or not redraw_log.exists():
        return out
    key, painted = times["key"] / 1000, times["painted"] / 1000
    runs = [json.loads(line) for line in redraw_log.read_text().splitlines() if line.strip()]
    runs = [r for r in runs if key - 0.05 <= r["t_in"] <= painted]
    if not runs:
        return out
    r = runs[-1]
    return {**out, "before_kernel_ms": (r["t_in"] - key) * 1000,
            "in_kernel_ms": (r["t_out"] - r["t_in"]) * 1000,
            "figure_ms": r.get("figure_s", 0) * 1000, "png_ms": r.get("png_s", 0) * 1000,
            "after_kernel_ms": (painted - r["t_out"]) * 1000, "redraws": len(runs)}


def time_slider_moves(page, handle, cell_out, seen: set, samples: int, timeout: float,
                      redraw_log: Path | None = None,
                      ) -> tuple[list[float], list[str], str | None, list[dict]]:
    """Press keys on ``handle``, each to a panel state not shown before; time each redraw.

    ArrowRight up to ``samples - 1`` times, then End (the far end); if that leaves samples
    to take, Home and ArrowRight again while the states are new. ``seen`` holds the panel's
    states (every handle's value) shown so far and is updated. Returns the latencies (ms,
    key press to the new image painted), "key -> state" per move, an error or None, and
    each timed move's split (see ``_split``; the kernel's side needs ``redraw_log``).
    """
    latencies, moves, breakdown = [], [], []

    def at(end: str) -> bool:
        return float(handle.get_attribute("aria-valuenow")) == float(handle.get_attribute(end))

    def press(key: str) -> str | None:
        before = tuple(cell_out.evaluate(_HANDLES_JS))
        cell_out.evaluate(_LATENCY_ARM_JS)
        handle.press(key)
        deadline = time.monotonic() + 5
        while tuple(cell_out.evaluate(_HANDLES_JS)) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        state = tuple(cell_out.evaluate(_HANDLES_JS))
        if state == before:
            return f"{key}: the handle did not move (values {list(before)})"
        new = state not in seen
        seen.add(state)
        moves.append(f"{key} -> {'/'.join(state)}" + ("" if new else " (shown before, untimed)"))
        if new:
            deadline = time.monotonic() + timeout
            polls = 0
            while (ms := page.evaluate("() => window.__lstmLatency")) is None:
                if time.monotonic() > deadline:
                    return f"{key} -> {list(state)}: no new image within {timeout} s"
                polls += 1
                if polls % 25 == 0 and (raised := _raised(cell_out)) is not None:
                    return f"{key} -> {list(state)}: the callback raised:\n{raised}"
                time.sleep(0.02)
            _settle(page, timeout)
            latencies.append(ms["ms"])
            breakdown.append(_split(ms, redraw_log))
        else:
            _settle(page, timeout)
        return None

    seen.add(tuple(cell_out.evaluate(_HANDLES_JS)))
    for _ in range(samples - 1):
        if at("aria-valuemax"):
            break
        if (err := press("ArrowRight")) is not None:
            return latencies, moves, err, breakdown
    if not at("aria-valuemax") and (err := press("End")) is not None:
        return latencies, moves, err, breakdown
    if len(latencies) < samples and not at("aria-valuemin"):
        if (err := press("Home")) is not None:
            return latencies, moves, err, breakdown
        while len(latencies) < samples and not at("aria-valuemax"):
            n = len(latencies)
            if (err := press("ArrowRight")) is not None:
                return latencies, moves, err, breakdown
            if len(latencies) == n:  # back among the states already shown
                break
    return latencies, moves, None, breakdown


def move_sliders(page, report: NotebookReport, cell_of, interact_cells: set[int],
                 timeout: float, other_timeout: float = 3, samples: int = 5,
                 redraw_log: Path | None = None) -> None:
    """Move every slider; time and check the redraw of each ``show_interactive`` slider.

    A slider of a ``show_interactive`` cell is moved by keys to ``samples`` values not shown
    before (see ``time_slider_moves``), one after the other, ending at its far end; each move
    must bring a new image within ``timeout``, and its latency (key press to the new image
    painted) is recorded. Other sliders (e.g. the settings of a "train" button) need not
    change anything; they are moved to their other end (End, or Home when at max), and fail
    only if a callback raises.
    """
    sliders = page.locator(f"{_PANEL} .jp-OutputArea-output .widget-slider")
    seen_by_cell: dict[int, set] = {}
    for n in range(sliders.count()):
        slider = sliders.nth(n)
        handle = slider.locator("[role=slider]")
        cell_out = _cell_output(slider)
        slider.scroll_into_view_if_needed()
        cell = cell_of(slider)
        interact = cell in interact_cells
        label = (slider.locator(".widget-label").text_content() or "").strip() or f"slider {n + 1}"
        before_value = handle.get_attribute("aria-valuenow")
        at_max = float(before_value) >= float(handle.get_attribute("aria-valuemax"))
        rep = SliderReport(cell=cell, label=label, before=slider.locator(".widget-readout")
                           .text_content() or "", after="", seconds=0.0, changed=False,
                           interact=interact)
        handle.focus()
        t0 = time.monotonic()
        if interact:
            rep.latencies_ms, rep.moves, rep.error, rep.breakdown = time_slider_moves(
                page, handle, cell_out, seen_by_cell.setdefault(cell, set()), samples, timeout,
                redraw_log)
            rep.changed = bool(rep.latencies_ms)
            if rep.error is None and not rep.changed:
                rep.error = "no move reached a value not shown before"
        else:
            before = cell_out.evaluate(_SIGNATURE_JS)
            handle.press("Home" if at_max else "End")
            rep.changed = _wait_for_change(page, cell_out, before, other_timeout)
            if handle.get_attribute("aria-valuenow") == before_value:
                rep.error = f"the handle did not move (aria-valuenow stayed {before_value})"
        rep.seconds = time.monotonic() - t0
        rep.after = slider.locator(".widget-readout").text_content() or ""
        if (raised := _raised(cell_out)) is not None:
            rep.error = "the callback raised:\n" + raised
        if rep.error:
            report.problems.append(
                f"cell {cell}, {label} ({rep.before} -> {rep.after}): {rep.error}")
        report.sliders.append(rep)


def check_text(page, report: NotebookReport) -> None:
    """Chinese renders with real glyphs; no printed line, readout or label wraps mid-token."""
    report.glyphs = page.evaluate(_CJK_JS)
    if not all(report.glyphs["selfcheck"]):
        report.problems.append(f"the glyph check cannot tell a box from a glyph in every font "
                               f"used: {report.glyphs}")
    by_cell: dict[int, list[str]] = {}
    for b in report.glyphs["boxes"]:
        by_cell.setdefault(b["cell"], []).append(b["ch"])
    for cell, chars in sorted(by_cell.items()):
        report.problems.append(
            f"cell {cell}: Chinese renders as empty boxes (no glyph in the page's fonts): "
            f"{''.join(dict.fromkeys(chars))[:40]} - install a CJK font "
            f"(Debian/Ubuntu: fonts-noto-cjk)")
    report.wraps = page.evaluate(_WRAPS_JS)
    for w in report.wraps:
        report.problems.append(f"cell {w['cell']}, a {w['kind']} of {len(w['line'])} characters "
                               f"wraps mid-token after {w['row_chars']} at {w['at']!r}: "
                               f"{w['line'][:160]!r}")


def take_screenshot(page, path: Path, width: int = 800, max_height: int = 600) -> Path:
    """The first slider's cell (else the top of the notebook), cropped to ``width`` px."""
    path.parent.mkdir(parents=True, exist_ok=True)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-notebook").first
    slider_cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell",
                               has=page.locator(".widget-slider"))
    if slider_cell.count():
        target = slider_cell.first
        target.scroll_into_view_if_needed()
        # Scroll so the cell's top sits at the top of the notebook panel.
        target.evaluate("el => el.scrollIntoView({block: 'start'})")
    else:
        panel.evaluate("el => el.scrollTo(0, 0)")
        target = panel
    time.sleep(0.5)
    pbox = panel.bounding_box()
    tbox = target.bounding_box()
    x = pbox["x"]
    y = max(tbox["y"], pbox["y"])
    height = min(max_height, pbox["y"] + pbox["height"] - y,
                 tbox["height"] if target is not panel else max_height)
    page.screenshot(path=str(path), clip={"x": x, "y": y, "width": min(width, pbox["width"]),
                                          "height": max(height, 50)})
    return path


def code_cell_indices(nb_path: Path) -> list[int]:
    nb = json.loads(Path(nb_path).read_text())
    return [i for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def interact_cells(nb_path: Path) -> set[int]:
    """Cells that call show_interactive: their sliders must redraw the output."""
    nb = json.loads(Path(nb_path).read_text())
    return {i for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "code" and "show_interactive(" in "".join(c["source"])}


def exercise_notebook(page, server: JupyterLabServer, rel_path: str, *,
                      screenshot: Path | None = None, kernel_timeout: float = 180,
                      run_timeout: float = 600, slider_timeout: float = 60,
                      button_timeout: float = 300) -> NotebookReport:
    """Everything a learner does with one notebook; problems are collected, not raised."""
    report = NotebookReport(name=rel_path)
    page.on("console", lambda m: report.console_errors.append(m.text[:300])
            if m.type == "error" else None)
    page.goto(f"{server.url}/lab/tree/{rel_path}?token={server.token}&reset",
              wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=kernel_timeout * 1000)
    wait_kernel_idle(page, report, kernel_timeout)
    # Hide the file browser: the notebook gets the width, as on a laptop screen.
    if page.locator("#jp-left-stack:not(.lm-mod-hidden)").count():
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").first.click()

    check_next_cell(page, report)

    # What a learner sees before running anything: stored outputs only.
    for out in page.evaluate(_OUTPUTS_JS):
        if out["mime"] in ("image/png", "text/plain") or out["mime"] is None:
            report.stored_view.append(f"{out['mime']}: {out['text'][:60]!r}")
        if WIDGET_BROKEN.search(out["text"] or ""):
            report.problems.append(f"before running, a stored output shows {out['text'][:200]!r}")

    nb_file = server.root_dir / rel_path
    code_cells = code_cell_indices(nb_file)
    before_run = len(report.problems)
    run_all_cells(page, report, code_cells, run_timeout)
    output_problems(page, report)
    if len(report.problems) > before_run:  # the run itself failed: widgets would only add noise
        return report

    def cell_of(widget) -> int:
        return widget.evaluate(
            "el => { const c = el.closest('.jp-Cell'); "
            "return Array.from(c.parentElement.children).filter(x => x.classList.contains('jp-Cell'))"
            ".indexOf(c); }")

    # Progress bars the run left (training in a cell): filled as far as their text says.
    for cell_el in page.locator(f"{_PANEL} .jp-Cell").all():
        if cell_el.locator(".widget-hprogress").count():
            bars = read_progress(cell_el.locator(".jp-OutputArea").first, cell_of(cell_el),
                                 "run all")
            report.progress += bars
            report.problems += progress_problems(bars)

    # Buttons first (e.g. "train" with its default settings), then every slider.
    click_buttons(page, report, cell_of, button_timeout)
    move_sliders(page, report, cell_of, interact_cells(nb_file), slider_timeout,
                 redraw_log=server.redraw_log)
    check_text(page, report)
    if screenshot is not None:
        report.screenshot = take_screenshot(page, screenshot)
    return report
