"""Diagrams of Part I, drawn by code (the source's figures are lost).

* :func:`draw_neuron`, :func:`draw_network` - a neuron (weighted sum, then an
  activation) and a layered feedforward network (source §1.2.1).
* :func:`draw_folded_rnn`, :func:`draw_unrolled_rnn` - the RNN with its loop,
  and the same RNN unrolled in time (source §2.1); :func:`plot_rnn_unrolled` is
  the slider figure that steps a small RNN through time.
* :func:`draw_dependency_arcs`, :func:`draw_source_examples` - which earlier
  word a word depends on (source §2.2).

The source's examples are drawn in Chinese, from the font subset shipped in
``figures/fonts`` (:mod:`lstm_edu.figures.fonts`; nothing is downloaded), with
pinyin and an English gloss under each word.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.patches import Circle

from ..cells import RNNParams, rnn_step, run_sequence
from ..validate import check_int
from .cells import module_frame, new_diagram, tag, wire
from .fonts import FONT_FAMILY, check_glyphs
from .style import COLORS, OKABE_ITO, live_parts, new_figure, reuse

# --- Chinese words -----------------------------------------------------------------

PUNCTUATION = frozenset("，。、,.;:?!")


def word_label(word: str, gloss: str) -> tuple[str, dict]:
    """Text and font keywords for a Chinese word over its gloss, in the shipped CJK font."""
    for name, v in (("word", word), ("gloss", gloss)):
        if not isinstance(v, str):
            raise TypeError(f"{name} must be a str, got {type(v).__name__}")
    return check_glyphs(f"{word}\n{gloss}"), {"fontfamily": FONT_FAMILY}


def words_back(words, target: int, source: int) -> int:
    """How many words ``words[source]`` lies before ``words[target]``: punctuation not counted."""
    words = tuple(words)
    target = check_int("target", target, low=0, high=len(words) - 1)
    source = check_int("source", source, low=0, high=target)
    return sum(1 for w in words[source:target] if w not in PUNCTUATION)


# --- feedforward -----------------------------------------------------------------

def draw_neuron(n_inputs: int = 3):
    """One neuron: inputs x_i, weights w_i, the sum Σ w_i x_i + b, then an activation φ."""
    n = check_int("n_inputs", n_inputs, low=1, high=8)
    fig, ax = new_diagram((-0.6, 9.4), (-0.6, max(n, 2) * 1.2 + 0.4), width=5.5)
    ys = np.linspace(0.2, max(n, 2) * 1.2 - 0.2, n)[::-1]
    sy = float(np.mean(ys))
    for k, y in enumerate(ys, start=1):
        ax.add_patch(Circle((0.5, y), 0.32, facecolor="white", edgecolor=COLORS["x_t"], lw=1.4))
        tag(ax, (0.5, y), f"$x_{k}$", size=11)
        wire(ax, [(0.85, y), (3.55, sy + (y - sy) * 0.15)])
        tag(ax, (2.0, y + (sy - y) * 0.45 + 0.22), f"$w_{k}$", size=10,
            color=OKABE_ITO["blue"])
    ax.add_patch(Circle((4.1, sy), 0.55, facecolor="#F2C6DE", edgecolor="#A0406F", lw=1.6))
    tag(ax, (4.1, sy), "Σ", size=15)
    wire(ax, [(4.1, sy - 1.3), (4.1, sy - 0.6)])
    tag(ax, (4.1, sy - 1.5), "$b$", size=11)
    wire(ax, [(4.65, sy), (5.7, sy)])
    ax.add_patch(Circle((6.3, sy), 0.55, facecolor="#F0E442", edgecolor="#8C7E00", lw=1.6))
    tag(ax, (6.3, sy), "φ", size=15)
    wire(ax, [(6.85, sy), (8.0, sy)])
    tag(ax, (8.6, sy), "$y$", size=13)
    tag(ax, (5.2, sy + 1.0), r"$y = \varphi(\sum_i w_i x_i + b)$", size=11)
    return fig


def draw_network(sizes=(3, 4, 4, 2)):
    """A layered feedforward network: every neuron feeds every neuron of the next layer."""
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise TypeError(f"sizes must be a sequence of ints, got {type(sizes).__name__}")
    sizes = [check_int("layer size", s, low=1, high=10) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least 2 layers (input and output), got {sizes}")
    tallest = max(sizes)
    fig, ax = new_diagram((-0.8, 2.5 * (len(sizes) - 1) + 0.8), (-1.2, tallest + 0.3), width=5.5)

    def ys(n):
        return np.arange(n)[::-1] + (tallest - n) / 2 + 0.5

    for layer, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        for ya in ys(a):
            for yb in ys(b):
                ax.plot([2.5 * layer, 2.5 * (layer + 1)], [ya, yb], color=OKABE_ITO["grey"],
                        lw=0.8, zorder=1)
    names = ["input"] + ["hidden"] * (len(sizes) - 2) + ["output"]
    colors = [COLORS["x_t"]] + [OKABE_ITO["blue"]] * (len(sizes) - 2) + [COLORS["h_t"]]
    for layer, n in enumerate(sizes):
        for y in ys(n):
            ax.add_patch(Circle((2.5 * layer, y), 0.28, facecolor="white",
                                edgecolor=colors[layer], lw=1.8, zorder=3))
        tag(ax, (2.5 * layer, -0.6), f"{names[layer]}\n({n})", size=9)
    return fig


# --- the RNN, folded and unrolled ------------------------------------------------

SPAN = 12  # the longest chain drawn (plot_rnn_unrolled's T slider goes up to it)

def draw_folded_rnn():
    """Block A with its loop: x_t goes in below, h_t comes out above and back into A."""
    # a wide canvas with the diagram in its middle: a main figure's width, a small drawing
    fig, ax = new_diagram((-5.6, 6.8), (-1.9, 3.4), width=7.2)
    module_frame(ax, 0.0, 0.0, 1.6, 1.6, label="A")
    wire(ax, [(0.8, -1.3), (0.8, -0.05)])
    tag(ax, (0.8, -1.6), "$x_t$")
    wire(ax, [(0.8, 1.65), (0.8, 2.8)])
    tag(ax, (0.8, 3.1), "$h_t$")
    # the loop: out of A's right side, round, back into its left side
    wire(ax, [(1.6, 1.1), (2.4, 1.1), (2.4, 2.3), (-0.8, 2.3), (-0.8, 0.5), (-0.05, 0.5)],
         color=OKABE_ITO["vermillion"])
    tag(ax, (-1.45, 1.4), "$h_{t-1}$", color=OKABE_ITO["vermillion"], size=10)
    return fig


def draw_unrolled_rnn(T: int = 3, upto: int | None = None, h=None, ax=None,
                      span: int | None = None):
    """The chain A -> A -> ... of length ``T``: x_t below, h_t above, h_0 on the left.

    ``upto``: blocks after this step are faded (the steps not computed yet).
    ``h``: an optional (T, H) array drawn as a little heat strip above each block.
    ``span``: the number of steps the canvas has room for (default ``T``); a
    slider over T keeps one size, so the figure does not jump as T changes.
    """
    T = check_int("T", T, low=1, high=SPAN)
    span = T if span is None else check_int("span", span, low=T, high=SPAN)
    upto = T if upto is None else check_int("upto", upto, low=0, high=T)
    if h is not None:
        h = np.asarray(h, dtype=float)
        if h.ndim != 2 or h.shape[0] != T:
            raise ValueError(f"h must have shape (T={T}, H), got shape {h.shape}")
    fig, ax = _unrolled_canvas(span, ax)
    for k in range(1, T + 1):
        _block(ax, k, k <= upto, None if h is None else h[k - 1])
    if h is not None:
        _strip_labels(ax, T)
    return fig


def _unrolled_canvas(span: int, ax=None):
    """The unrolled chain's canvas, with room for ``span`` steps, and its h_0."""
    width = 2.2 * span + 1.6
    if ax is None:
        fig, ax = new_diagram((-1.6, width - 1.2), (-1.9, 4.6), width=min(1.15 * span + 1.6, 11))
    else:
        fig = ax.figure
        ax.set_xlim(-1.6, width - 1.2)
        ax.set_ylim(-1.9, 4.6)
    tag(ax, (-1.0, 0.8), "$h_0$", size=10)
    return fig, ax


def _strip_labels(ax, T: int):
    """The heat strips' row label and colour key (the key ends over step ``T``)."""
    tag(ax, (-1.0, 3.45), "$h_t$", size=9)
    return tag(ax, (2.2 * T - 0.8, 4.25), "colour: −1 (orange) … +1 (purple)", size=9,
               ha="right")


def _block(ax, k: int, on: bool, h_k=None) -> list:
    """Step k of the unrolled chain (its module, wires, labels, h_k's strip); its artists."""
    before = set(ax.get_children())
    x0 = 2.2 * (k - 1)
    module_frame(ax, x0, 0.0, 1.4, 1.6, label="A", on=on)
    wire(ax, [(x0 + 0.7, -1.1), (x0 + 0.7, -0.05)], on=on)
    tag(ax, (x0 + 0.7, -1.45), f"$x_{{{k}}}$", on=on, size=10)
    wire(ax, [(x0 + 0.7, 1.65), (x0 + 0.7, 2.5)], on=on)
    tag(ax, (x0 + 0.7, 2.8), f"$h_{{{k}}}$", on=on, size=10)
    wire(ax, [(x0 - 0.75, 0.8), (x0 - 0.05, 0.8)], on=on, color=OKABE_ITO["vermillion"])
    if h_k is not None and on:
        ax.imshow(np.asarray(h_k)[None, :], extent=(x0 + 0.1, x0 + 1.3, 3.2, 3.7), cmap="PuOr",
                  vmin=-1, vmax=1, aspect="auto", zorder=3)
    return [a for a in ax.get_children() if a not in before]


def demo_rnn(D: int = 1, H: int = 4, seed: int = 0) -> RNNParams:
    """A small float64 RNN with PyTorch's default initialisation, for pictures."""
    torch.manual_seed(check_int("seed", seed, low=0))
    cell = torch.nn.RNNCell(check_int("D", D, low=1), check_int("H", H, low=1),
                            dtype=torch.float64)
    W = torch.cat([cell.weight_hh, cell.weight_ih], dim=1).detach().numpy()
    return RNNParams(W=W, b=(cell.bias_ih + cell.bias_hh).detach().numpy())


def plot_rnn_unrolled(T: int = 5, t: int = 5):
    """Slider figure: a 4-unit RNN unrolled over ``T`` steps of x_t = sin(0.8 t), up to step ``t``."""
    T = check_int("T", T, low=1, high=SPAN)
    t = min(check_int("t", t, low=0, high=SPAN), T)
    params = demo_rnn()
    xs = np.sin(0.8 * np.arange(1, SPAN + 1))[:, None]
    # h_k depends only on x_1..x_k: the run over all 12 steps holds every T's states
    h = run_sequence(rnn_step, xs, params)["h_t"]

    def build():
        # One canvas for every T (it does not jump as T moves). Each step is drawn twice,
        # faded and "on"; a move only shows or hides them, so nothing is laid out again.
        fig, ax = _unrolled_canvas(SPAN)
        faded = [_block(ax, k, False) for k in range(1, SPAN + 1)]
        on = [_block(ax, k, True, h[k - 1]) for k in range(1, SPAN + 1)]
        note = _strip_labels(ax, SPAN)
        parts = [a for step in faded + on for a in step] + [note]
        live_parts(fig, *parts)
        return fig, faded, on, note

    fig, faded, on, note = reuse(("plot_rnn_unrolled",), build)
    for k in range(1, SPAN + 1):
        for a in faded[k - 1]:
            a.set_visible(t < k <= T)
        for a in on[k - 1]:
            a.set_visible(k <= t)
    note.set_x(2.2 * T - 0.8)
    lines = [f"x_{k} = {xs[k - 1, 0]:+.3f}   h_{k} = {np.array2string(h[k - 1], precision=3)}"
             for k in range(1, t + 1)]
    return fig, "\n".join(lines) if lines else "t = 0: only h_0 = 0 so far"


# --- dependency arcs ----------------------------------------------------------------

# The source's two examples (§2.2), in the source's words, with pinyin and English glosses.
SHORT_EXAMPLE = {
    "words": ("我", "喜欢", "妈妈", "做", "的", "菜"),
    "pinyin": ("wǒ", "xǐhuan", "māma", "zuò", "de", "cài"),
    "glosses": ("I", "like", "mom", "make", "(that)", "dishes"),
    "target": 5,
    "sources": (0, 1, 2, 3, 4),
    "key": None,
}
LONG_EXAMPLE = {
    "words": ("我", "是", "一个", "中国人", "，", "出生", "在", "普通", "家庭", "，",
              "我", "最", "常", "说", "汉语"),
    "pinyin": ("wǒ", "shì", "yí gè", "Zhōngguórén", "", "chūshēng", "zài", "pǔtōng", "jiātíng",
               "", "wǒ", "zuì", "cháng", "shuō", "Hànyǔ"),
    "glosses": ("I", "am", "a", "Chinese", "", "born", "in", "ordinary", "family", "", "I",
                "most", "often", "speak", "Chinese\n(language)"),
    "target": 14,
    "sources": (10, 11, 12, 13, 3),
    "key": 3,
}


def draw_dependency_arcs(ax, words, glosses, target: int, sources, key: int | None = None,
                         pinyin=None):
    """Words on a line and an arc from each word in ``sources`` to ``words[target]``.

    Each word is written in Chinese (the shipped font), with its ``pinyin``
    (optional) and English gloss under it. The ``key`` source (the one the
    prediction really needs) is drawn bold and labelled with its distance in
    words (punctuation not counted); the others are thin.
    """
    words, glosses = tuple(words), tuple(glosses)
    pinyin = ("",) * len(words) if pinyin is None else tuple(pinyin)
    if not len(words) == len(glosses) == len(pinyin):
        raise ValueError(f"words and glosses must have the same length, got {len(words)} "
                         f"and {len(glosses)}" + (f" (pinyin {len(pinyin)})"
                                                  if len(pinyin) != len(words) else ""))
    n = len(words)
    target = check_int("target", target, low=0, high=n - 1)
    for s in sources:
        check_int("source", s, low=0, high=n - 1)
        if s == target:
            raise ValueError(f"a source must differ from the target {target}, got {s}")
    if key is not None and key not in sources:
        raise ValueError(f"key must be one of sources {tuple(sources)}, got {key}")
    for i, (w, p, g) in enumerate(zip(words, pinyin, glosses)):
        color = OKABE_ITO["vermillion"] if i == target else "black"
        ax.text(i, 0.1, check_glyphs(w), ha="center", va="top", fontsize=13, color=color,
                fontfamily=FONT_FAMILY)
        below = "\n".join(x for x in (p, g) if x)
        if below:
            ax.annotate(below, (i, 0.1), xytext=(0, -21), textcoords="offset points",
                        ha="center", va="top", fontsize=8.5, color=color, linespacing=1.1)
    top = 0.0
    for s in sources:
        bold = s == key
        span = abs(target - s)
        height = 0.5 + 0.16 * span
        top = max(top, height)
        u = np.linspace(0.0, np.pi, 60)
        xs = (s + target) / 2 - (target - s) / 2 * np.cos(u)
        ys = 0.25 + height * np.sin(u)
        color = OKABE_ITO["vermillion"] if bold else OKABE_ITO["blue"]
        ax.plot(xs, ys, color=color, lw=2.4 if bold else 1.0, alpha=1.0 if bold else 0.75)
        ax.annotate("", xy=(xs[-1], ys[-1]), xytext=(xs[-3], ys[-3] + 0.02),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=1.0))
        if bold:
            back = words_back(words, max(s, target), min(s, target))
            ax.text((s + target) / 2, 0.35 + height, f"{back} words back", ha="center",
                    fontsize=10, color=color)
    ax.set_xlim(-0.7, n - 0.3)
    ax.set_ylim(-2.0, 0.75 + top)
    ax.set_axis_off()
    return ax


def draw_source_examples():
    """The source's short gap (菜 'dishes') and long gap (汉语 'Chinese'), as arcs."""
    fig, (top, bottom) = new_figure(9.6, 5.4, nrows=2, height_ratios=[1, 1.35])
    draw_dependency_arcs(top, **SHORT_EXAMPLE)
    top.set_title("short gap: the last word needs only the words just before it")
    draw_dependency_arcs(bottom, **LONG_EXAMPLE)
    bottom.set_title("long gap: the last word needs a word far back")
    return fig
