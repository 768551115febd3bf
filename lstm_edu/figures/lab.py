"""Notebook 11's figures and its playground widget (:mod:`lstm_edu.experiments.lab` computes)."""

from __future__ import annotations

import functools
import time

import numpy as np
from matplotlib.ticker import NullFormatter

from ..experiments.lab import (GradProfile, LabResult, available_cells, cell_label,
                               gradient_profile, lab_run)
from ..modules import CORES, INITS
from ..validate import check_choice, check_int
from .style import CYCLE, OKABE_ITO, figure_png, legend, live_parts, new_figure, reuse
from .widgets import (GAP_OPTIONS, controls_row, display_with_fallback, gap_slider,
                      on_click_guarded, show_png, style_control)

# The hidden sizes the sliders offer: doublings, so a drag from 1 to 128 is 7 steps and
# every value's profiles can be computed ahead (see precompute_flow).
HIDDEN_OPTIONS = (1, 2, 4, 8, 16, 32, 64, 128)


def hidden_slider(value: int = 32, description: str = "hidden"):
    """A stepped slider over ``HIDDEN_OPTIONS``."""
    import ipywidgets as widgets

    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"value must be an int, one of {HIDDEN_OPTIONS}, got "
                        f"{type(value).__name__}")
    if value not in HIDDEN_OPTIONS:
        raise ValueError(f"value must be one of {HIDDEN_OPTIONS}, got {value!r}")
    return style_control(widgets.SelectionSlider(options=list(HIDDEN_OPTIONS), value=value,
                                                 description=description))


def _visible(norms):
    """Exact zeros (float32 underflow) cannot be drawn on a log axis: the line stops there."""
    return np.where(norms > 0, norms, np.nan)


def plot_profiles(profiles, title: str = "Gradient of the loss against distance"):
    """Several :class:`GradProfile` on one log axis (a line stops where float32 underflows)."""
    profiles = list(profiles)
    if not profiles or not all(isinstance(p, GradProfile) for p in profiles):
        raise TypeError("profiles must be a non-empty list of GradProfile")
    fig, ax = new_figure(8.8, 3.4)
    for p, color in zip(profiles, CYCLE):
        ax.semilogy(p.distance, _visible(p.norms), "-", color=color, lw=1.5,
                    label=f"{cell_label(p.cell, p.init)}: ‖∂L/∂{p.state}‖, "
                          f"×{p.decay_per_step():.2f}/step")
    ax.set(xlabel="distance T − t (steps back from the read-out)", ylabel="gradient norm (log)",
           title=title)
    legend(ax, outside="right")
    return fig


def plot_lab(result: LabResult):
    """Held-out accuracy during training, and the gradient flow before and after."""
    if not isinstance(result, LabResult):
        raise TypeError(f"result must be a LabResult, got {type(result).__name__}")
    fig, (ax1, ax2) = new_figure(9.6, 3.6, ncols=2)
    steps, accs = zip(*result.recall.curve) if result.recall.curve else ((), ())
    ax1.plot(steps, accs, "o-", ms=3, color=OKABE_ITO["blue"], label="held-out accuracy")
    ax1.axhline(0.25, color=OKABE_ITO["grey"], ls=":", label="chance (1/4)")
    ax1.set(xlabel="training step", ylabel="accuracy", ylim=(0, 1.05),
            title=f"{cell_label(result.cell, result.init)}, T = {result.T}: {result.accuracy:.2f}")
    legend(ax1, outside="below", ncols=2)
    for p, name, color in ((result.before, "before training", OKABE_ITO["grey"]),
                           (result.after, "after training", OKABE_ITO["vermillion"])):
        ax2.semilogy(p.distance, _visible(p.norms), color=color,
                     label=f"{name}: ×{p.decay_per_step():.2f}/step")
    ax2.set(xlabel="distance T − t", ylabel=f"‖∂L/∂{result.before.state}_t‖",
            title="Gradient flow")
    legend(ax2, outside="below")
    return fig


# Enough for every (T, hidden) of the sliders for 4 (cell, init) pairs; a profile at
# T = 400 is 401 floats, so the whole cache stays under 1 MB.
@functools.lru_cache(maxsize=4 * len(GAP_OPTIONS) * len(HIDDEN_OPTIONS))
def _fresh_profile(cell: str, init: str, T: int, hidden_size: int) -> GradProfile:
    """A fresh net's profile: seeded, so a slider value seen before needs no second run."""
    return gradient_profile(cell, T, hidden_size=hidden_size, init=init, batch_size=16)


def precompute_flow(cell: str = "lstm", init: str = "default", progress: bool = True) -> int:
    """Compute :func:`plot_flow`'s profiles for every gap and hidden size of its sliders.

    A slider move then only draws (the profile at T = 400 costs more than the
    drawing). Returns how many profiles there are; with ``progress`` a line
    grows by one hidden size at a time, since this takes a few seconds.
    """
    check_choice("cell", cell, available_cells())
    check_choice("init", init, INITS)
    if cell == "rnn":
        init = "default"
    if progress:
        print("profiles for every gap, by hidden size:", end="", flush=True)
    for H in HIDDEN_OPTIONS:
        for T in GAP_OPTIONS:
            _fresh_profile(cell, init, T, H)
        if progress:
            print(f" {H}", end="", flush=True)
    if progress:
        print(" done")
    pairs = len(GAP_OPTIONS) * len(HIDDEN_OPTIONS)
    return pairs


def _decades(norms) -> tuple[float, float]:
    """Whole decades around the drawn norms: few tick labels, all of them majors.

    Past 5 decades the lower limit steps by 5 decades, so that moves between hidden
    sizes mostly keep their axes (and the slider redraws only the line over them).
    """
    drawn = norms[norms > 0]
    lo, hi = np.floor(np.log10(drawn.min())), np.ceil(np.log10(drawn.max()))
    if hi - lo > 5:
        lo = 5 * np.floor(lo / 5)
    return 10.0 ** lo, 10.0 ** max(hi, lo + 1)


# Laid out for these y limits, not for the data: the widest tick labels a profile gets
# ("10^-40"), so a figure redrawn under the slider keeps the margins a fresh one has.
_FLOW_LAYOUT_YLIM = (1e-40, 1e-30)


def plot_flow(cell: str = "lstm", init: str = "default", T: int = 50, hidden_size: int = 32):
    """Slider figure: the gradient flow of a fresh net, with the per-step factor in the title.

    Under a slider one figure is kept (``style.reuse``): a move sets the line,
    the limits, the title and the legend, and nothing is laid out again. So the
    layout leaves room for the longest legend any cell has, whichever is shown.
    """
    check_choice("cell", cell, available_cells())
    check_choice("init", init, INITS)
    T = check_int("T", T, low=2, high=400)
    hidden_size = check_int("hidden_size", hidden_size, low=1)
    if cell == "rnn":
        init = "default"
    p = _fresh_profile(cell, init, T, hidden_size)

    def build():
        fig, ax = new_figure(8.8, 3.4)
        longest = max((f"{cell_label(c, i)}: ‖∂L/∂C‖, ×0.00/step"
                       for c in available_cells() for i in INITS), key=len)
        line = ax.semilogy([0, 1], _FLOW_LAYOUT_YLIM, "-", color=CYCLE[0], lw=1.5,
                           label=longest)[0]
        ax.set(xlabel="distance T − t (steps back from the read-out)",
               ylabel="gradient norm (log)", title=" ")
        ax.yaxis.set_minor_formatter(NullFormatter())  # decades only: quick to draw
        leg = legend(ax, outside="right")
        fig.get_layout_engine().execute(fig)
        fig.set_layout_engine("none")
        # a move redraws these over a kept background (the frame): the axes are among them,
        # since almost every move changes the limits (new gap: x; new decades: y), and
        # drawing them costs less than drawing a new background
        live_parts(fig, line, ax.title, leg, ax.xaxis, ax.yaxis)
        return fig, ax, line, leg

    fig, ax, line, leg = reuse("plot_flow", build)
    factor = p.decay_per_step()
    label = f"{cell_label(cell, init)}: ‖∂L/∂{p.state}‖, ×{factor:.2f}/step"
    line.set_data(p.distance, _visible(p.norms))
    line.set_label(label)
    leg.get_texts()[0].set_text(label)
    limits = ((0, T), _decades(p.norms))
    ax.set_xlim(*limits[0])
    ax.set_ylim(*limits[1])
    ax.set_title(f"Fresh {cell_label(cell, init)}, T = {T}")
    text = (f"per-step factor {factor:.3f}; distance {T} / distance 1: "
            f"{p.norms[-1] / p.norms[1]:.2g}")
    return fig, text


def build_lab(cell: str = "lstm", T: int = 50, hidden_size: int = 32, init: str = "chrono",
              steps: int = 300):
    """The playground: cell, gap, size, init and a "train" button with a progress bar.

    Returns (box, first PNG); the first figure is a run at the defaults, trained
    when the widget is built. ``box.runs`` keeps every finished :class:`LabResult`.
    """
    import ipywidgets as widgets

    cells = available_cells()
    controls = dict(
        cell=widgets.Dropdown(options=[(CORES[c].label, c) for c in cells], value=cell,
                              description="cell"),
        T=gap_slider(T),
        hidden_size=hidden_slider(hidden_size),
        init=widgets.Dropdown(options=list(INITS), value=init, description="forget bias"),
        steps=widgets.IntSlider(value=steps, min=25, max=2000, step=25, description="max steps"),
    )
    button = widgets.Button(description="train", button_style="primary", icon="play")
    bar_out, plot_out = widgets.Output(), widgets.Output()

    def train_once():
        values = {k: c.value for k, c in controls.items()}
        if values["cell"] == "rnn":
            values["init"] = "default"  # an RNN has no gate to initialise
        bar_out.clear_output()
        start = time.perf_counter()
        with bar_out:
            result = lab_run(progress=True, **values)
            print(f"accuracy {result.accuracy:.3f} after {result.recall.steps} steps "
                  f"({time.perf_counter() - start:.1f} s)")
        box.runs.append(result)
        show_png(plot_out, plot_lab(result))

    on_click_guarded(button, plot_out, train_once)
    first = lab_run(cell=cell, T=T, hidden_size=hidden_size, init=init, steps=steps)
    fig = plot_lab(first)
    show_png(plot_out, fig)
    png = figure_png(fig)
    box = widgets.VBox([controls_row(*controls.values(), button), bar_out, plot_out])
    box.runs = [first]
    return box, png


def show_lab(**kwargs) -> None:
    """Display :func:`build_lab` with its first figure as a static PNG fallback."""
    display_with_fallback(*build_lab(**kwargs))
