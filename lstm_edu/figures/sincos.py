"""Figures of notebook 10 (the sin->cos experiment) and its live-training button.

Every function returns a ``matplotlib.figure.Figure`` built with
:func:`lstm_edu.figures.style.new_figure` (no pyplot). :func:`build_live_training`
is the "train" button: sliders, a button, a progress bar and a live loss plot,
around :func:`train_live`, a plain function the tests call.
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

import numpy as np

from ..data import SinCosData, sin_cos_data
from ..experiments.sincos import (
    LAYOUTS,
    N_SEQUENCES,
    Probe,
    SeedSummary,
    SinCosRun,
    layout_index,
    run_sincos,
)
from ..validate import check_choice, check_float, check_int
from .style import (COLORS, CYCLE, OKABE_ITO, PREDICTION, SMALL_PT, TARGET, figure_png, legend,
                    new_figure)
from .widgets import controls_row, display_with_fallback, on_click_guarded, show_png

SEQ_COLORS = CYCLE[:N_SEQUENCES]

# sin t = 0.5 with opposite cos: the right pair of times (the source wrote 2.5 and 6.8).
AMBIGUOUS_T = (5 * np.pi / 6, 13 * np.pi / 6)
SOURCE_T = (2.5, 6.8)


def _check_run(run) -> SinCosRun:
    if not isinstance(run, SinCosRun):
        raise TypeError(f"run must be a SinCosRun, got {type(run).__name__}")
    return run


def plot_data(data: SinCosData | None = None, n: int = 60):
    """The first ``n`` samples of sin and cos, with the two times where sin t = 0.5 marked.

    The labels sit in bands above and below the curves (|value| <= 1), where the
    marker lines stop, so no text covers the data.
    """
    data = sin_cos_data() if data is None else data
    n = check_int("n", n, low=2, high=len(data.t))
    fig, ax = new_figure(8.4, 3.4)
    ax.plot(data.t[:n], data.x[:n], color=COLORS["sin"], lw=1.8, label="sin t, the input")
    ax.plot(data.t[:n], data.y[:n], color=COLORS["cos"], lw=1.8, ls=(0, (5, 2.5)),
            label="cos t, the target")
    lo, hi = _DATA_BAND
    span = (lambda y: (y - _DATA_YLIM[0]) / (_DATA_YLIM[1] - _DATA_YLIM[0]))
    for k, (t0, name) in enumerate(zip(AMBIGUOUS_T, ("5π/6", "13π/6"))):
        ax.axvline(t0, span(lo), span(hi), color=OKABE_ITO["black"], ls="--", lw=1,
                   label="sin t = 0.5, opposite cos t" if k == 0 else None)
        ax.plot([t0, t0], [np.sin(t0), np.cos(t0)], "o", color=OKABE_ITO["black"], ms=5)
        ax.text(t0, lo - 0.06, f"t = {name}: cos t = {np.cos(t0):+.3f}", va="top", ha="left",
                fontsize=SMALL_PT + 1)
    for k, t0 in enumerate(SOURCE_T):
        ax.axvline(t0, span(lo), span(hi), color=OKABE_ITO["grey"], ls=":", lw=1.4,
                   label="the source's 2.5 and 6.8" if k == 0 else None)
        ax.text(t0, hi + 0.06, f"sin {t0} = {np.sin(t0):.3f}", fontsize=SMALL_PT + 1,
                color="#555555", va="bottom", ha="right" if k == 0 else "left")
    ax.axhline(0.5, color=OKABE_ITO["grey"], lw=0.6)
    ax.set(xlabel="t", ylabel="value", ylim=_DATA_YLIM,
           title="Same input sin t = 0.5, opposite targets cos t")
    legend(ax, outside="right")
    return fig


# plot_data's y range: the curves (|value| <= 1) and the marker lines fill _DATA_BAND,
# the labels the strips above and below it.
_DATA_YLIM = (-1.6, 1.6)
_DATA_BAND = (-1.12, 1.12)


def plot_loss(runs: Sequence[SinCosRun], labels: Sequence[str] | None = None,
              stop_below: float | None = 1e-4):
    """Training loss per epoch (log scale), with the stop threshold."""
    runs = [_check_run(r) for r in ([runs] if isinstance(runs, SinCosRun) else runs)]
    labels = labels or [f"{r.layout} layout, seed {r.seed}" for r in runs]
    fig, ax = new_figure(8.0, 3.2)
    for run, label, color in zip(runs, labels, CYCLE):
        ax.plot(np.arange(1, run.result.epochs + 1), run.result.losses, color=color, lw=1.2,
                label=f"{label} (stops at {run.stop_epoch})")
    if stop_below is not None:
        ax.axhline(stop_below, color=OKABE_ITO["black"], ls="--", lw=1,
                   label=f"stop: {stop_below:g}")
    ax.set(yscale="log", xlabel="epoch", ylabel="training MSE", title="Training loss")
    legend(ax, outside="right")
    return fig


def plot_prediction(run: SinCosRun, title: str | None = None):
    """The source's result figure: input, target and prediction on both halves."""
    run = _check_run(run)
    d = run.data
    (t_tr, x_tr, y_tr), (t_te, x_te, y_te) = d.train, d.test
    fig, ax = new_figure(8.8, 3.4)
    ax.plot(t_tr, x_tr, color=COLORS["sin"], lw=1, label="sin t (input)")
    ax.plot(t_te, x_te, color=COLORS["sin"], lw=1, alpha=0.5)
    ax.plot(d.t, d.y, color=COLORS["cos"], label="cos t (target)", **TARGET)
    ax.plot(t_tr, run.pred_train, color=COLORS["pred"], label="prediction", **PREDICTION)
    ax.plot(t_te, run.pred_test, color=COLORS["pred"], **PREDICTION)
    ax.axvline(d.t[d.n_train], color=OKABE_ITO["black"], ls="--", lw=1, label="train | test")
    ax.text(d.t[d.n_train] - 0.6, 1.3, "train", ha="right")
    ax.text(d.t[d.n_train] + 0.6, 1.3, "test", ha="left")
    ax.set(xlabel="t", ylabel="value", xlim=(d.t[0], d.t[-1]), ylim=(-1.3, 1.6),
           title=title or f"{run.layout} layout: train MSE {run.train_mse:.3g}, "
                          f"test MSE {run.test_mse:.3g}")
    legend(ax, outside="right")
    return fig


def plot_layout(n: int = 100):
    """What ``reshape(-1, 5, 1)`` builds: the index table, and the 5 interleaved sequences."""
    n = check_int("n", n, low=N_SEQUENCES)
    index = layout_index("faithful", n - n % N_SEQUENCES)
    steps = index.shape[0]
    fig, (left, right) = new_figure(9.2, 4.6, ncols=2, width_ratios=[1, 2.4])
    left.imshow(index % N_SEQUENCES, cmap=_seq_cmap(), aspect="auto", vmin=0, vmax=N_SEQUENCES - 1)
    for s in range(steps):
        for b in range(N_SEQUENCES):
            left.text(b, s, str(index[s, b]), ha="center", va="center", fontsize=SMALL_PT)
    left.set(xlabel="sequence b (batch)", ylabel="time step s", xticks=range(N_SEQUENCES),
             title="sample at [s, b, 0]")
    left.set_yticks(range(0, steps, 2))
    data = sin_cos_data()
    right.plot(data.t[:n], data.x[:n], color=OKABE_ITO["grey"], lw=0.6)
    for b in range(N_SEQUENCES):
        samples = index[:, b]
        offset = -2.6 * (b + 1)
        right.plot(data.t[samples], data.x[samples] + offset, "o-", ms=2.5, lw=0.8,
                   color=SEQ_COLORS[b])
        right.text(data.t[samples[-1]] + 0.4, offset, f"b={b}: {b}, {b + 5}, {b + 10}, ...",
                   fontsize=SMALL_PT + 1, va="center", color=SEQ_COLORS[b])
    right.set(xlabel="t", yticks=[], xlim=(-0.5, data.t[n - 1] + 7.5),
              title=f"top: the 100 samples; below: the {N_SEQUENCES} sequences of {steps} steps")
    return fig


def _seq_cmap():
    from matplotlib.colors import ListedColormap

    # Light versions of the sequence colours, so the numbers stay readable.
    from matplotlib.colors import to_rgb
    return ListedColormap([tuple(0.55 + 0.45 * c for c in to_rgb(col)) for col in SEQ_COLORS])


def plot_residuals(run: SinCosRun):
    """Training residuals in time order, coloured by sequence; and by step within a sequence."""
    run = _check_run(run)
    t, _, y = run.data.train
    res = run.pred_train - y
    fig, (ax1, ax2) = new_figure(9.6, 3.4, ncols=2, width_ratios=[2, 1])
    if run.layout == "faithful":
        index = layout_index("faithful", len(y))
        for b in range(N_SEQUENCES):
            ax1.plot(t[index[:, b]], res[index[:, b]], "o-", ms=2.5, lw=0.6, color=SEQ_COLORS[b],
                     label=f"sequence {b}")
        ax1.plot(t[index[0]], res[index[0]], "o", ms=7, mfc="none", color=OKABE_ITO["black"],
                 label="step 0 (zero state)")
        per_step = np.abs(res[index]).mean(axis=1)
    else:
        ax1.plot(t, res, "o-", ms=2.5, lw=0.6, color=SEQ_COLORS[0], label="the one sequence")
        per_step = np.abs(res)
    ax1.axhline(0, color=OKABE_ITO["grey"], lw=0.6)
    ax1.set(xlabel="t", ylabel="prediction − cos t", title="Residuals on the training half")
    legend(ax1, outside="below", ncols=3)
    ax2.semilogy(np.arange(len(per_step)), per_step, "o-", ms=3, color=COLORS["pred"])
    ax2.set(xlabel="time step within a sequence", ylabel="mean |residual|",
            title="Error by position")
    return fig


def plot_mirror(data: SinCosData | None = None):
    """The test half over the training half mirrored in time with sin negated."""
    data = sin_cos_data() if data is None else data
    k = data.n_train
    (_, x_tr, y_tr), (t_te, x_te, y_te) = data.train, data.test
    fig, ax = new_figure(8.4, 3.2)
    ax.plot(t_te, x_te, color=COLORS["sin"], lw=3, alpha=0.5, label="test sin")
    ax.plot(t_te, -x_tr[::-1], "o", ms=2, color=COLORS["sin"], label="−(train sin), reversed")
    ax.plot(t_te, y_te, color=COLORS["cos"], lw=3, alpha=0.5, label="test cos")
    ax.plot(t_te, y_tr[::-1], "o", ms=2, color=COLORS["cos"], label="train cos, reversed")
    ax.set(xlabel="t (test half)", ylabel="value", ylim=(-1.2, 1.6),
           title=f"Test sample k equals training sample {k - 1} − k, mirrored")
    legend(ax, outside="right")
    return fig


def plot_setups(faithful: Sequence[SeedSummary], improved: Sequence[SeedSummary]):
    """Epochs to the stop rule and test MSE, per seed, for the two set-ups (medians as bars)."""
    fig, (ax1, ax2) = new_figure(7.6, 3.0, ncols=2)
    for pos, (name, rows, color) in enumerate(
            (("faithful", faithful, OKABE_ITO["vermillion"]),
             ("one sequence", improved, OKABE_ITO["blue"]))):
        epochs = [r.stop_epoch if r.stop_epoch is not None else np.nan for r in rows]
        mses = [r.test_mse for r in rows]
        jitter = np.linspace(-0.12, 0.12, len(rows)) if len(rows) > 1 else [0.0]
        ax1.plot(pos + np.asarray(jitter), epochs, "o", color=color)
        ax1.hlines(np.nanmedian(epochs), pos - 0.25, pos + 0.25, color=color)
        ax2.plot(pos + np.asarray(jitter), mses, "o", color=color)
        ax2.hlines(np.median(mses), pos - 0.25, pos + 0.25, color=color)
    for ax, label in ((ax1, "epochs to loss < 1e-4"), (ax2, "test MSE")):
        ax.set_xticks([0, 1], ["faithful", "one sequence"])
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylabel(label)
    ax1.set_ylim(bottom=0)
    ax2.set_yscale("log")
    fig.suptitle("Per seed (dots) and median (bar)")
    return fig


def plot_probes(probes: Sequence[Probe]):
    """The trained model on new signals: target and prediction, MSE in each title."""
    probes = list(probes)
    if not probes or not all(isinstance(p, Probe) for p in probes):
        raise TypeError("probes must be a non-empty list of Probe")
    ncols = 3
    nrows = -(-len(probes) // ncols)
    fig, axes = new_figure(9.6, 2.4 * nrows + 0.5, ncols=ncols, nrows=nrows)
    axes = np.atleast_1d(axes).ravel()
    for ax, p in zip(axes, probes):
        ax.plot(p.t, p.y, color=COLORS["cos"], label="target", **TARGET)
        ax.plot(p.t, p.pred, color=COLORS["pred"], label="prediction", **PREDICTION)
        ax.set_title(f"{p.name}: MSE {p.mse:.2g}")
        ax.set_ylim(-1.6, 1.6)
    for ax in axes[len(probes):]:
        ax.set_visible(False)
    for ax in axes[(nrows - 1) * ncols:]:
        ax.set_xlabel("t")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=SMALL_PT + 1.5)
    return fig


GATE_ROWS = (("f_t", "forget gate $f_t$"), ("i_t", "input gate $i_t$"),
             ("o_t", "output gate $o_t$"), ("c_t", "cell state $C_t$"),
             ("h_t", "hidden state $h_t$"))


def plot_gates(trace: dict, t, split: float | None = None, units=None):
    """f_t, i_t, o_t, C_t and h_t over time for a few ``units`` (default: the 4 whose h_t
    varies most), one line style per unit; all units in one panel would be a tangle."""
    if not isinstance(trace, dict) or not all(k in trace for k, _ in GATE_ROWS):
        raise TypeError("trace must be run_sequence's dict with f_t, i_t, o_t, c_t, h_t")
    t = np.asarray(t)
    n_units = np.asarray(trace["h_t"]).reshape(len(t), -1).shape[1]
    if units is None:
        units = np.argsort(-np.asarray(trace["h_t"]).reshape(len(t), -1).std(axis=0))[:4]
    units = [check_int("unit", int(u), low=0, high=n_units - 1) for u in units]
    styles = ["-", (0, (5, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2))]
    fig, axes = new_figure(9.2, 7.0, nrows=len(GATE_ROWS), sharex=True)
    for ax, (key, label) in zip(axes, GATE_ROWS):
        values = np.asarray(trace[key]).reshape(len(t), -1)
        for k, u in enumerate(units):
            ax.plot(t, values[:, u], color=CYCLE[k % len(CYCLE)], ls=styles[k % len(styles)],
                    lw=1.4, label=f"unit {u}")
        ax.set_ylabel(label)
        if split is not None:
            ax.axvline(split, color=OKABE_ITO["black"], ls="--", lw=0.8)
    axes[0].set_title(f"{len(units)} of the {n_units} units; dashed vertical line: train | test")
    legend(axes[0], outside="right")
    axes[-1].set_xlabel("t")
    return fig


def plot_memory(influence, two_tap: tuple[float, float], k_max: int = 30):
    """How much each past input counts: the LSTM's ∂ŷ_t/∂x_(t−k) beside the two-tap rule."""
    influence = np.asarray(influence)
    k_max = check_int("k_max", k_max, low=2)
    k = np.arange(min(k_max, len(influence)))
    fig, (ax1, ax2) = new_figure(8.4, 3.0, ncols=2)
    ax1.bar(k, influence[: len(k)], color=COLORS["pred"])
    ax1.set(xlabel="k (samples back)", ylabel="∂ŷ_t / ∂x_(t−k)", title="The trained LSTM")
    ax2.bar([0, 1], two_tap, color=COLORS["sin"])
    ax2.set(xlabel="k (samples back)", ylabel="weight", xticks=[0, 1], xlim=(-0.6, k_max / 6),
            title="Exact rule: a x_t + b x_(t−1)")
    for ax in (ax1, ax2):
        ax.axhline(0, color=OKABE_ITO["grey"], lw=0.6)
    return fig


def plot_two_tap(t, y, pred, fd, tt):
    """|error| of the LSTM, the finite difference and the two-tap rule, per sample (log scale)."""
    t, y = np.asarray(t), np.asarray(y, dtype=np.float64)
    fig, ax = new_figure(8.8, 3.2)
    tiny = 1e-12  # keep exact zeros visible on a log axis
    ax.semilogy(t[1:], np.abs(np.asarray(fd) - y[1:]) + tiny, color=OKABE_ITO["grey"],
                label="(sin t − sin(t−Δ))/Δ")
    ax.semilogy(t, np.abs(np.asarray(pred) - y) + tiny, color=COLORS["pred"], label="trained LSTM")
    ax.semilogy(t[1:], np.abs(np.asarray(tt) - y[1:]) + tiny, color=COLORS["sin"],
                label="two-tap rule\n(float32 input)")
    ax.set(xlabel="t", ylabel="|estimate − cos t|", title="Three ways to get cos t from sin t")
    legend(ax, outside="right")
    return fig


# --- live training --------------------------------------------------------------

def train_live(hidden_size: int = 16, lr: float = 1e-2, stop_below: float = 1e-3,
               layout: str = "sequence", max_epochs: int = 3000, seed: int = 0,
               on_update: Callable[[int, list], None] | None = None, every: int = 50,
               progress: bool = False) -> SinCosRun:
    """One training run for the live button; ``on_update(epoch, losses)`` every ``every`` epochs."""
    check_choice("layout", layout, LAYOUTS)
    stop_below = check_float("stop_below", stop_below, low=0.0)
    every = check_int("every", every, low=1)
    losses: list[float] = []

    def callback(epoch, loss):
        losses.append(loss)
        if on_update is not None and epoch % every == 0:
            on_update(epoch, losses)
        return False

    return run_sincos(layout, seed, hidden_size=hidden_size, lr=lr, max_epochs=max_epochs,
                      stop_below=stop_below, log_every=None, progress=progress, callback=callback)


def plot_live(losses: Sequence[float], stop_below: float, run: SinCosRun | None = None):
    """The live figure: the loss so far; once trained, the prediction beside it."""
    fig, (ax1, ax2) = new_figure(9.6, 3.2, ncols=2)
    losses = np.asarray(losses, dtype=float)
    if len(losses):
        ax1.semilogy(np.arange(1, len(losses) + 1), losses, color=COLORS["pred"], lw=1.2,
                     label="training MSE")
    ax1.axhline(stop_below, color=OKABE_ITO["black"], ls="--", lw=1, label=f"stop: {stop_below:g}")
    ax1.set(xlabel="epoch", ylabel="loss", yscale="log", title=f"epoch {len(losses)}")
    legend(ax1, outside="below", ncols=2)
    if run is not None:
        d = run.data
        ax2.plot(d.t, d.y, color=COLORS["cos"], label="cos t (target)", **TARGET)
        ax2.plot(d.t, np.concatenate([run.pred_train, run.pred_test]), color=COLORS["pred"],
                 label="prediction", **PREDICTION)
        ax2.axvline(d.t[d.n_train], color=OKABE_ITO["black"], ls="--", lw=0.8)
        ax2.set_title(f"test MSE {run.test_mse:.3g}" + (
            f", stopped at {run.stop_epoch}" if run.result.converged else ", did not stop"))
        legend(ax2, outside="below", ncols=2)
    else:
        ax2.text(0.5, 0.5, "training...", ha="center", va="center", transform=ax2.transAxes)
    ax2.set(xlabel="t", ylabel="value", ylim=(-1.4, 1.4))
    return fig


def build_live_training(hidden_size: int = 16, lr: float = 1e-2, stop_below: float = 1e-3,
                        layout: str = "sequence", max_epochs: int = 3000):
    """Sliders, a "train" button, a progress bar and a live plot; returns (box, first PNG).

    The first PNG is the default run's figure, trained once when the widget is
    built (a second or two), so a notebook without a kernel still shows a result.
    """
    import ipywidgets as widgets

    controls = dict(
        hidden_size=widgets.IntSlider(value=hidden_size, min=1, max=64, description="hidden size"),
        lr=widgets.FloatLogSlider(value=lr, base=10, min=-4, max=-0.5, step=0.25,
                                  description="learning rate", readout_format=".0e"),
        stop_below=widgets.FloatLogSlider(value=stop_below, base=10, min=-5, max=-1, step=0.5,
                                          description="stop below", readout_format=".0e"),
        layout=widgets.Dropdown(options=list(LAYOUTS), value=layout, description="layout"),
    )
    button = widgets.Button(description="train", button_style="primary", icon="play")
    bar_out, plot_out = widgets.Output(), widgets.Output()

    def train_once():
        values = {k: c.value for k, c in controls.items()}
        bar_out.clear_output()
        last = [time.perf_counter()]

        def redraw(epoch, losses):  # at most ~3 redraws a second: a PNG costs ~0.1-0.3 s
            if time.perf_counter() - last[0] > 0.3:
                show_png(plot_out, plot_live(losses, values["stop_below"]))
                last[0] = time.perf_counter()

        with bar_out:  # tqdm.auto draws its bar in here
            run = train_live(max_epochs=max_epochs, progress=True, on_update=redraw,
                             every=10, **values)
        box.runs.append(run)
        show_png(plot_out, plot_live(run.result.losses, values["stop_below"], run))

    on_click_guarded(button, plot_out, train_once)
    first = train_live(hidden_size=hidden_size, lr=lr, stop_below=stop_below, layout=layout,
                       max_epochs=max_epochs)
    fig = plot_live(first.result.losses, stop_below, first)
    show_png(plot_out, fig)
    png = figure_png(fig)
    box = widgets.VBox([controls_row(*controls.values(), button), bar_out, plot_out])
    box.runs = [first]  # every finished run, for a learner (and the tests) to inspect
    return box, png


def show_live_training(**kwargs) -> None:
    """Display :func:`build_live_training` with its first figure as a static PNG fallback."""
    display_with_fallback(*build_live_training(**kwargs))
