"""Figures of notebook 13: the coefficient a_t on a parity sequence, scan timings, parity accuracy.

Each function computes nothing it does not draw and returns a Figure (or
``(Figure, text)`` for a slider); tests call them directly.
"""

from __future__ import annotations

import functools

import numpy as np

from ..cells.min_rnn import MinGRUParams, min_rnn_loop
from ..validate import check_float, check_int
from .style import OKABE_ITO, live_parts, new_figure, reuse


def parity_bits(T: int = 40, seed: int = 0) -> np.ndarray:
    """A fixed bit sequence (T,) float64 and nothing random at draw time."""
    check_int("T", T, low=1)
    return np.random.default_rng(seed).integers(0, 2, size=T).astype(float)


def constructed_min_gru(sharpness: float) -> MinGRUParams:
    """A one-unit minGRU whose gate opens on a 1-bit.

    z_t = σ(sharpness · (2 x_t − 1)) and h̃_t = g(0.5) = 1.
    """
    sharpness = check_float("sharpness", sharpness, low=0.0)  # an int slider value too
    return MinGRUParams(W_z=np.array([[2.0 * sharpness]]), b_z=np.array([-sharpness]),
                        W_h=np.zeros((1, 1)), b_h=np.array([0.5]))


def parity_state(sharpness: float, T: int = 40, seed: int = 0) -> dict:
    """Bits, true parity, and ``a_t``, ``h_t`` of the constructed minGRU, positive and negative."""
    bits = parity_bits(T, seed)
    params = constructed_min_gru(sharpness)
    xs = bits[:, None]
    out = {"bits": bits, "parity": np.cumsum(bits) % 2}
    for name, negative in (("positive", False), ("negative", True)):
        trace = min_rnn_loop(xs, params, negative=negative)
        out[f"a_{name}"] = trace["a_t"][:, 0]
        out[f"h_{name}"] = trace["h_t"][:, 0]
        out[f"acc_{name}"] = float(np.mean((out[f"h_{name}"] > 0.5) == (out["parity"] > 0.5)))
    return out


@functools.lru_cache(maxsize=64)
def _parity_state_cached(sharpness: float, T: int) -> dict:
    return parity_state(sharpness, T)


def plot_parity_state(sharpness: float = 8.0, negative: bool = True, T: int = 40):
    """Slider figure: a_t and h_t on a bit sequence; readout h_t > 0.5 against the true parity.

    Under a slider the shading, parity, legends and axes are drawn once per
    (negative, T) (``style.reuse``); a move redraws a_t, h_t and the title.
    """
    check_int("T", T, low=2, high=400)
    if not isinstance(negative, bool):
        raise TypeError(f"negative must be a bool, got {type(negative).__name__}")
    sharpness = check_float("sharpness", sharpness, low=0.0)
    s = _parity_state_cached(sharpness, T)
    key = "negative" if negative else "positive"

    def build():
        t = np.arange(1, T + 1)
        fig, (ax_a, ax_h) = new_figure(8.0, 4.4, nrows=2, sharex=True)
        for ax in (ax_a, ax_h):  # a 1-bit shades its step in both panels
            for t_one in t[s["bits"] > 0]:
                ax.axvspan(t_one - 0.5, t_one + 0.5, color=OKABE_ITO["grey"], alpha=0.2, lw=0)
        a_line = ax_a.step(t, np.zeros(T), where="mid", color=OKABE_ITO["vermillion"],
                           label=f"a_t = {'1 - 2 z_t' if negative else '1 - z_t'}\n"
                                 "(shaded: x_t = 1)")[0]
        zero = ax_a.axhline(0, color="black", lw=0.6)
        ax_a.set_ylim(-1.15, 1.15)
        ax_a.set_ylabel("a_t")
        # Beside the axes: the shading leaves no free corner inside.
        ax_a.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
        ax_h.step(t, s["parity"], where="mid", color=OKABE_ITO["black"], lw=2.5, alpha=0.35,
                  label="true parity y_t")
        h_line = ax_h.plot(t, np.zeros(T), "o-", ms=3, color=OKABE_ITO["blue"], label="h_t")[0]
        threshold = ax_h.axhline(0.5, color=OKABE_ITO["grey"], ls="--", lw=0.8,
                                 label="threshold 0.5")
        ax_h.set_ylim(-0.15, 1.25)
        ax_h.set_xlabel("step t")
        ax_h.set_ylabel("h_t")
        ax_h.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
        ax_a.set_title(" ", fontsize=10)
        # In drawing order: the zero line over a_t, the threshold over h_t, as first drawn.
        live_parts(fig, a_line, zero, h_line, threshold, ax_a.title)
        return fig, ax_a, a_line, h_line

    fig, ax_a, a_line, h_line = reuse(("plot_parity_state", negative, T), build)
    a_line.set_ydata(s[f"a_{key}"])
    h_line.set_ydata(s[f"h_{key}"])
    ax_a.set_title(f"{key} a_t, sharpness {sharpness:g}: h_t > 0.5 is the parity at "
                   f"{s[f'acc_{key}']:.0%} of steps", fontsize=10)
    margin = float(np.min(np.abs(s[f"h_{key}"] - 0.5)))
    # Short lines: a printed line wider than the output area wraps mid-number.
    text = (f"read-out accuracy over {T} steps: positive a_t {s['acc_positive']:.2f}, "
            f"negative a_t {s['acc_negative']:.2f}\n"
            f"closest approach of h_t to the threshold ({key}): {margin:.2f}")
    return fig, text


def _lengths(lengths) -> np.ndarray:
    """The x axis of a log-log plot against T: at least two positive lengths."""
    lengths = np.asarray(lengths, dtype=float)
    if lengths.ndim != 1 or lengths.size < 2 or (lengths <= 0).any():
        raise ValueError(f"lengths must be at least two positive numbers, got {lengths.tolist()}")
    return lengths


def plot_scan_timing(lengths, timings: dict, statistic: str = "median"):
    """Time against T, log-log: ``timings = {label: (loop_ms, scan_ms)}``, one pair per size.

    ``statistic`` names how each time was taken ("median", "best of 5") for the y label.

    The loop is drawn in vermillion, the scan in blue; each size has its own line style.
    """
    lengths = _lengths(lengths)
    if not isinstance(timings, dict) or not timings:
        raise ValueError("timings must be a non-empty dict {label: (loop_ms, scan_ms)}")
    fig, ax = new_figure(6.0, 3.4)
    styles = ("-", "--", ":", "-.")
    for k, (label, (loop_ms, scan_ms)) in enumerate(timings.items()):
        loop_ms, scan_ms = np.asarray(loop_ms, dtype=float), np.asarray(scan_ms, dtype=float)
        if loop_ms.shape != lengths.shape or scan_ms.shape != lengths.shape:
            raise ValueError(f"timings[{label!r}] must hold two series of one length each like "
                             f"lengths {lengths.shape}, got {loop_ms.shape} and {scan_ms.shape}")
        if (loop_ms <= 0).any() or (scan_ms <= 0).any():
            raise ValueError("times must be positive for a log-log plot")
        ls = styles[k % len(styles)]
        ax.loglog(lengths, loop_ms, "o" + ls, color=OKABE_ITO["vermillion"], label=f"loop, {label}")
        ax.loglog(lengths, scan_ms, "s" + ls, color=OKABE_ITO["blue"], label=f"scan, {label}")
    ax.set_xlabel("sequence length T")
    ax.set_ylabel(f"time (ms), {statistic}")
    ax.set_title("h_t = a_t h_(t-1) + b_t, one CPU thread", fontsize=10)
    # Beside the axes: measured times land anywhere, and no corner is sure to stay free.
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def plot_float32_error(lengths, errors: dict):
    """Largest relative error over the first T steps against T, log-log.

    ``errors = {label: values}``, one value per length (each > 0; a float64
    reference is exact to ~1e-16, so a zero error cannot be drawn on a log axis
    and is refused). The float32 resolution ``eps`` is drawn for scale.
    """
    lengths = _lengths(lengths)
    if not isinstance(errors, dict) or not errors:
        raise ValueError("errors must be a non-empty dict {label: one error per length}")
    fig, ax = new_figure(6.0, 3.4)
    colors = (OKABE_ITO["vermillion"], OKABE_ITO["blue"], OKABE_ITO["green"],
              OKABE_ITO["orange"])
    for k, (label, values) in enumerate(errors.items()):
        values = np.asarray(values, dtype=float)
        if values.shape != lengths.shape:
            raise ValueError(f"errors[{label!r}] must hold one value per length "
                             f"{lengths.shape}, got shape {values.shape}")
        if not np.isfinite(values).all() or (values <= 0).any():
            raise ValueError(f"errors[{label!r}] must be positive and finite for a log axis")
        ax.loglog(lengths, values, "os^D"[k % 4] + "-", color=colors[k % len(colors)],
                  label=label)
    ax.axhline(float(np.finfo(np.float32).eps), color=OKABE_ITO["grey"], ls="--", lw=0.8,
               label="float32 eps")
    ax.set_xlabel("sequence length T")
    ax.set_ylabel("max relative error")
    ax.set_title("against the float64 loop", fontsize=10)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def plot_parity_accuracy(accuracy: dict, train_len: int):
    """Accuracy at step L against L, one line per cell; ``accuracy = {cell: {L: acc}}``."""
    if not isinstance(accuracy, dict) or not accuracy:
        raise ValueError("accuracy must be a non-empty dict {cell: {length: accuracy}}")
    check_int("train_len", train_len, low=1)
    fig, ax = new_figure(6.0, 3.2)
    markers = "osD^v<>"
    for k, (cell, by_len) in enumerate(accuracy.items()):
        lens = sorted(by_len)
        ax.plot(lens, [by_len[L] for L in lens], marker=markers[k % len(markers)], label=cell)
    ax.axvline(train_len, color=OKABE_ITO["grey"], ls=":", lw=1)
    ax.axhline(0.5, color=OKABE_ITO["grey"], ls="--", lw=0.8, label="chance")
    # Up the training-length line, between the chance line and 1.0, where no curve starts.
    ax.annotate("trained up to here", (train_len, 0.75), xytext=(3, 0),
                textcoords="offset points", rotation=90, va="center", ha="left",
                fontsize=8, color=OKABE_ITO["grey"])
    ax.set_xscale("log", base=2)
    all_lens = sorted({L for by_len in accuracy.values() for L in by_len})
    ax.set_xticks(all_lens, [str(L) for L in all_lens])
    ax.minorticks_off()
    lowest = min(min(by_len.values()) for by_len in accuracy.values())
    # Room above 1.0 and below the lowest point: a marker at the edge would be cut in half.
    ax.set_ylim(min(0.35, lowest - 0.05), 1.06)
    ax.set_xlabel("sequence length L (prediction at step L)")
    ax.set_ylabel("accuracy")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))  # no corner is free
    return fig
