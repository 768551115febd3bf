"""Figures of notebook 15: loss curves, poems drawn as text, a unit over a poem, its gates.

Chinese is drawn with the shipped subset font (:mod:`lstm_edu.figures.fonts`), which holds
every character of the poem corpus, so no character a model writes draws as a box.
"""

from __future__ import annotations

import weakref

import numpy as np

from ..experiments.poet import LINE, PROMPT_KINDS, prompt_positions, sample_lstm
from ..validate import check_float, check_int
from .fonts import FONT_FAMILY, check_glyphs
from .style import CYCLE, legend, live_parts, new_figure, reuse


def plot_loss_curves(live_losses, record: dict):
    """Left: the live run's loss per step. Right: the checkpoint's run (its record's loss,
    averaged over every 10 steps)."""
    live = np.asarray(live_losses, dtype=float)
    full = np.asarray(record.get("loss_every_10_steps", []), dtype=float)
    if live.ndim != 1 or len(live) < 2 or len(full) < 2:
        raise ValueError("need at least 2 live losses and 2 recorded ones")
    fig, (a, b) = new_figure(9.0, 3.0, ncols=2)
    a.plot(np.arange(1, len(live) + 1), live, color=CYCLE[0])
    a.set(xlabel="step", ylabel="loss (nats per character)",
          title=f"live, here: {len(live)} steps")
    b.plot(10 * np.arange(1, len(full) + 1), full, color=CYCLE[1])
    b.set(xlabel="step", title=f"the checkpoint's run: {record['steps']} steps")
    for ax in (a, b):
        ax.axhline(np.log(record["config"]["vocab_size"]), color="0.5", ls=":", lw=1)
        ax.grid(alpha=0.3)
    a.annotate("ln V: a uniform guess", (1, np.log(record["config"]["vocab_size"])),
               xytext=(4, -12), textcoords="offset points", fontsize=8, color="0.4")
    return fig


ROW_IN = 0.34  # inches per line of a poem


def _lines(poem: str) -> list[str]:
    return [poem[j:j + LINE + 1] for j in range(0, len(poem), LINE + 1)][:10] or [""]


def plot_poems(poems, titles=None, title: str | None = None):
    """Poems side by side, one line of the poem per row (at most 10 rows each); the figure is
    as tall as the longest poem."""
    if isinstance(poems, str) or not poems:
        raise ValueError("poems must be a non-empty list of texts")
    if titles is not None and len(titles) != len(poems):
        raise ValueError(f"titles must match poems: {len(titles)} titles for {len(poems)} poems")
    for poem in poems:
        check_glyphs(poem)
    return _poem_grid(len(poems), max(len(_lines(p)) for p in poems), poems, titles, title)[0]


def _poem_grid(n: int, rows: int, poems, titles=None, title=None):
    """The figure of :func:`plot_poems`, and its text artists: ``lines[k][j]`` is line j of
    poem k (empty where a poem is shorter), so a panel can write new poems into it."""
    height = 0.75 + ROW_IN * rows
    fig, ax = new_figure(9.0, height)
    ax.axis("off")
    lines = []
    for k, poem in enumerate(poems):
        x = (k + 0.5) / n
        if titles is not None:
            ax.text(x, 1.0, titles[k], ha="center", va="top", fontsize=9, color="0.35",
                    fontfamily=FONT_FAMILY, transform=ax.transAxes)
        written = _lines(poem)
        lines.append([ax.text(x, 1.0 - (0.3 + ROW_IN * j) / height,
                              written[j] if j < len(written) else "", ha="center", va="top",
                              fontsize=13, fontfamily=FONT_FAMILY, transform=ax.transAxes)
                      for j in range(rows)])
    if title:
        ax.set_title(title, fontsize=10)
    return fig, lines


# The temperature slider's settings: poem_panel draws all of them at once, in one batch, so
# that a slider move only redraws text.
TEMPERATURES = (0.3, 0.5, 0.8, 1.0, 1.2, 1.5)
_PANEL_POEMS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _panel_poems(model, vocab, temperature: float, forced, seed: int, n: int) -> list[str]:
    """``n`` poems at ``temperature``; at a slider setting, drawn with every other setting's
    and kept (per model, prompt and seed; a weight changed in place draws anew)."""
    if temperature not in TEMPERATURES:
        return sample_lstm(model, vocab, n, temperature=temperature, seed=seed, forced=forced)
    versions = tuple(p._version for p in model.parameters())
    key = (tuple(vocab.chars), tuple(sorted((forced or {}).items())), seed, n, versions)
    kept = _PANEL_POEMS.setdefault(model, {})
    if key not in kept:
        temps = [t for t in TEMPERATURES for _ in range(n)]
        poems = sample_lstm(model, vocab, len(temps), temperature=temps, seed=seed,
                            forced=forced)
        kept.clear()  # one prompt at a time is enough
        kept[key] = {t: poems[k * n:(k + 1) * n] for k, t in enumerate(TEMPERATURES)}
    return kept[key][temperature]


def poem_panel(model, vocab, temperature: float = 0.8, prompt: str = "",
               kind: str = "first line", seed: int = 0, n: int = 4):
    """The slider's figure: ``n`` poems at ``temperature``, from a prompt if one is given.

    A bad prompt (wrong length, marks, characters outside the vocabulary) gives a message
    and free poems, never a traceback. Returns (Figure, message).
    """
    temperature = check_float("temperature", temperature, low=0.05, high=5.0)
    n = check_int("n", n, low=1, high=8)
    if kind not in PROMPT_KINDS:
        raise ValueError(f"kind must be one of {PROMPT_KINDS}, got {kind!r}")
    forced, message = None, "no prompt: the model starts from <bos>"
    if isinstance(prompt, str) and prompt.strip():
        try:
            forced = prompt_positions(vocab, prompt, kind)
            message = f"{kind} {prompt.strip()!r}: the model writes the rest"
        except ValueError as err:
            message = f"prompt not used: {err}"
    poems = _panel_poems(model, vocab, temperature, forced, seed, n)
    for poem in poems:
        check_glyphs(poem)

    def build():
        # room for the longest poem a model writes: a move then only rewrites the lines
        fig, lines = _poem_grid(n, 10, poems, title=" ")
        live_parts(fig, fig.axes[0].title, *[t for poem in lines for t in poem])
        return fig, lines

    fig, lines = reuse(("poem_panel", n), build)
    for poem, texts in zip(poems, lines):
        written = _lines(poem)
        for j, t in enumerate(texts):
            t.set_text(written[j] if j < len(written) else "")
    fig.axes[0].set_title(f"temperature {temperature:g}", fontsize=10)
    return fig, message


def plot_unit_over_poem(text: str, activation, unit: str):
    """A poem as a grid (a row per line: 5 characters and the mark), each cell coloured by
    the unit's value just after it reads that character."""
    check_glyphs(text)
    act = np.asarray(activation, dtype=float)
    if act.shape != (len(text),):
        raise ValueError(f"activation must have one value per character ({len(text)}), "
                         f"got shape {act.shape}")
    rows = -(-len(text) // (LINE + 1))
    grid = np.full((rows, LINE + 1), np.nan)
    grid.flat[:len(text)] = act
    lim = float(np.nanmax(np.abs(grid))) or 1.0
    fig, ax = new_figure(4.6, 0.55 * rows + 0.9)
    im = ax.imshow(grid, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    for k, ch in enumerate(text):
        r, c = divmod(k, LINE + 1)
        ax.text(c, r, ch, ha="center", va="center", fontsize=13, fontfamily=FONT_FAMILY,
                color="white" if abs(grid[r, c]) > 0.6 * lim else "black")
    ax.set_xticks(range(LINE + 1), [str(k + 1) for k in range(LINE)] + ["mark"])
    ax.set_yticks(range(rows), [f"line {r + 1}" for r in range(rows)])
    ax.set_xlabel("position in the line")
    ax.set_title(unit, fontsize=10)
    fig.colorbar(im, ax=ax, shrink=0.8, label="value after reading")
    return fig


def plot_gates_by_position(gates: dict, unit: str):
    """Mean (± one standard deviation) of the unit's gates, by the position in the line of
    the character being read (the 6th is the mark). ``gates`` maps a name (e.g. "f_t") to
    an array (6, 2) of mean and standard deviation."""
    if not gates:
        raise ValueError("gates must map gate names to (6, 2) arrays")
    fig, ax = new_figure(5.6, 2.8)
    x = np.arange(LINE + 1)
    width = 0.8 / len(gates)
    for k, (name, stats) in enumerate(gates.items()):
        stats = np.asarray(stats, dtype=float)
        if stats.shape != (LINE + 1, 2):
            raise ValueError(f"gates[{name!r}] must be (6, 2): mean and sd, got {stats.shape}")
        ax.bar(x + (k - (len(gates) - 1) / 2) * width, stats[:, 0], width, yerr=stats[:, 1],
               label=name, color=CYCLE[k % len(CYCLE)], capsize=2)
    ax.set_xticks(x, [str(k + 1) for k in range(LINE)] + ["mark"])
    ax.set(xlabel="position in the line of the character read", ylabel="gate value",
           ylim=(0, 1.05), title=unit)
    legend(ax, outside="right")
    return fig
