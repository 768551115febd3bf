"""Notebook 11's figures and its playground widget (:mod:`lstm_edu.experiments.lab` computes)."""

from __future__ import annotations

import functools
import time

import numpy as np

from ..experiments.lab import (GradProfile, LabResult, available_cells, cell_label,
                               gradient_profile, lab_run)
from ..modules import CORES, INITS
from ..validate import check_choice, check_int
from .style import CYCLE, OKABE_ITO, figure_png, legend, new_figure, reuse
from .widgets import controls_row, display_with_fallback, on_click_guarded, show_png


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


@functools.lru_cache(maxsize=64)
def _fresh_profile(cell: str, init: str, T: int, hidden_size: int) -> GradProfile:
    """A fresh net's profile: seeded, so a slider value seen before needs no second run."""
    return gradient_profile(cell, T, hidden_size=hidden_size, init=init, batch_size=16)


# Laid out for these y limits, not for the data: less than a decade, so the minor ticks
# are labelled too ("3 × 10^-2", the widest labels a profile gets), and a figure redrawn
# under the slider keeps the margins a fresh one has.
_FLOW_LAYOUT_YLIM = (0.02, 0.09)


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
        leg = legend(ax, outside="right")
        fig.get_layout_engine().execute(fig)
        fig.set_layout_engine("none")
        return fig, ax, line, leg

    fig, ax, line, leg = reuse("plot_flow", build)
    factor = p.decay_per_step()
    label = f"{cell_label(cell, init)}: ‖∂L/∂{p.state}‖, ×{factor:.2f}/step"
    line.set_data(p.distance, _visible(p.norms))
    line.set_label(label)
    leg.get_texts()[0].set_text(label)
    ax.relim()
    ax.autoscale_view()
    ax.set_title(f"Fresh {cell_label(cell, init)}, T = {T}")
    text = (f"{cell_label(cell, init)}: per-step factor {factor:.3f}; "
            f"gradient at distance {T} is {p.norms[-1] / p.norms[1]:.3g} of that at distance 1")
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
        T=widgets.IntSlider(value=T, min=2, max=200, step=1, description="gap T"),
        hidden_size=widgets.IntSlider(value=hidden_size, min=2, max=128, description="hidden"),
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
