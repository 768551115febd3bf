"""Every figure function follows the course's figure standard (lstm_edu.figures.style).

For each figure function in lstm_edu.figures, called with small arguments, this checks
what a learner sees in JupyterLab:

* the displayed width (``fig.dpi`` CSS px per inch; PNGs at PNG_SCALE x with that width
  as metadata) lies in MIN_WIDTH_PX..MAX_WIDTH_PX;
* every text drawn (titles, labels, tick labels, legends, annotations) is at least
  MIN_TEXT_PX tall as displayed: the renderer's draw_text is recorded, so only text that
  is actually drawn counts;
* every Chinese character drawn has a glyph in a font the text uses (no boxes);
* no legend inside an axes covers a plotted point, line or bar (checked in display
  coordinates, lines sampled every 2 px along their segments).

INVENTORY lists how each function is called; a test fails when a module gains a public
function that is in neither INVENTORY nor NOT_FIGURES, so no figure escapes the check.
"""

from __future__ import annotations

import importlib
import inspect
import warnings
from functools import partial

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

from lstm_edu.figures import style
from lstm_edu.figures.fonts import cjk_characters
from lstm_edu.figures.widgets import split_result

from figure_checks import clipped_markers, covered_data

MODULES = ["cells", "sequences", "feedforward", "gradients", "recall", "gates", "variants",
           "sincos", "lab", "xlstm", "min_rnn", "backward"]

# Public functions that draw no figure of their own (primitives drawing on a given ax,
# computations, widget panels whose figures are the plot_* functions listed below).
NOT_FIGURES = {
    "cells": {"format_gate", "format_vector", "junction", "layer_box", "lstm_parts", "module_frame",
              "new_diagram", "pointwise_op", "rnn_parts", "tag", "value_tag", "wire",
              "with_style"},
    "sequences": {"demo_rnn", "draw_dependency_arcs", "word_label", "words_back"},
    "gates": {"cell_update", "trace_table"},
    "gradients": {"rnn_decay"},
    "variants": {"retention", "variant_parameters"},
    "sincos": {"build_live_training", "show_live_training", "train_live"},
    "lab": {"build_lab", "show_lab", "hidden_slider", "precompute_flow"},
    "xlstm": {"revise_storage"},
    "min_rnn": {"constructed_min_gru", "parity_bits", "parity_state"},
}


# --- the arguments each figure function is called with ---------------------------------------

def _gate_trace():
    from lstm_edu.cells import lstm_step, run_sequence
    from lstm_edu.worked_example import worked_example
    ex = worked_example()
    xs, state0 = ex.sequence()
    return run_sequence(lstm_step, xs, ex.params, state0)


def _recall_grid():
    from lstm_edu.experiments.recall import RecallResult

    def result(acc, at):
        curve = [(20, acc)] if at == 20 else [(20, 0.25), (40, acc)]  # solved at once: one point
        return RecallResult(acc, at or 40, at, curve=curve)
    return {10: [result(0.2, None), result(1.0, 20), result(1.0, 20)],
            30: [result(0.3, None), result(0.25, None), result(1.0, 40)]}


_SINCOS = {}


def _quick_run():
    if "quick" not in _SINCOS:
        from lstm_edu.experiments.sincos import improved_run
        _SINCOS["quick"] = improved_run(seed=0, stop_below=1e-3)
    return _SINCOS["quick"]


def _sincos(name):
    from lstm_edu.cells import lstm_params_from_torch, lstm_step, run_sequence
    from lstm_edu.data import sin_cos_data
    from lstm_edu.experiments import sincos
    from lstm_edu.figures import sincos as plots
    quick, d = _quick_run(), sin_cos_data()
    if name == "plot_data":
        return plots.plot_data()
    if name == "plot_loss":
        return plots.plot_loss([quick, quick], labels=["a", "b"])
    if name == "plot_prediction":
        return plots.plot_prediction(quick)
    if name == "plot_layout":
        return plots.plot_layout()
    if name == "plot_residuals":
        return plots.plot_residuals(quick)
    if name == "plot_mirror":
        return plots.plot_mirror()
    if name == "plot_setups":
        return plots.plot_setups([sincos.seed_summary(quick)], [sincos.seed_summary(quick)])
    if name == "plot_probes":
        return plots.plot_probes(sincos.probe_signals(quick.model))
    if name == "plot_gates":
        trace = run_sequence(lstm_step, d.x.astype(np.float64).reshape(-1, 1),
                             lstm_params_from_torch(quick.model.lstm))
        return plots.plot_gates(trace, d.t, split=d.t[100])
    if name == "plot_memory":
        g = sincos.input_influence(quick.model, d.train[1], 99)
        return plots.plot_memory(g, sincos.two_tap_weights(d.t[1]))
    if name == "plot_two_tap":
        pred = np.concatenate([quick.pred_train, quick.pred_test])
        return plots.plot_two_tap(d.t, d.y, pred, sincos.finite_difference(d.x, d.t[1]),
                                  sincos.two_tap(d.x, d.t[1]))
    if name == "plot_live":
        return plots.plot_live(quick.result.losses, 1e-3, quick)
    raise KeyError(name)


def _lab(name):
    from lstm_edu.experiments import lab
    from lstm_edu.figures import lab as plots
    if name == "plot_flow":
        return plots.plot_flow("lstm", "default", 20, 8)
    r = lab.lab_run("lstm", T=5, hidden_size=4, init="one", steps=25)
    return plots.plot_lab(r) if name == "plot_lab" else plots.plot_profiles([r.before, r.after])


def _xlstm(name):
    from lstm_edu.cells.xlstm import (mlstm_parallel, random_mlstm_params, random_slstm_params,
                                      run_slstm)
    from lstm_edu.figures import xlstm as plots
    if name == "revise_figure":
        return plots.revise_figure(4.0)
    if name == "stabilizer_figure":
        xs = np.linspace(0, 1, 6)[:, None] * 40
        p = random_slstm_params(1, 1, seed=0, scale=1.0, forget="exp")
        return plots.stabilizer_figure(run_slstm(xs, p, stabilized=False), run_slstm(xs, p))
    if name == "parallel_figure":
        xs = np.random.default_rng(0).normal(size=(6, 2))
        par = mlstm_parallel(xs, random_mlstm_params(2, 3))
        return plots.parallel_figure(par.D, par.C)
    return plots.recall_figure({"mLSTM": [1.0, 0.7], "LSTM": [0.4, 0.41]}, chance=0.125,
                               steps=250)


def _min_rnn(name):
    from lstm_edu.figures import min_rnn as plots
    if name == "plot_parity_state":
        return plots.plot_parity_state(sharpness=8.0, negative=True, T=30)
    if name == "plot_scan_timing":
        return plots.plot_scan_timing([16, 64, 256], {"small": ([1.0, 4.0, 16.0], [0.2, 0.3, 0.5])})
    return plots.plot_parity_accuracy({"lstm": {16: 1.0, 64: 0.9}, "mingru": {16: 0.5, 64: 0.5}},
                                      train_len=16)


def _backward(name):
    from lstm_edu.experiments.backward import cell_path
    from lstm_edu.figures import backward as plots
    if name == "plot_cell_paths":
        return plots.plot_cell_paths({"b_f = 0": cell_path(0.0, T=20),
                                      "b_f = 1": cell_path(1.0, T=20)}, np.geomspace(1, 1e-6, 21))
    if name == "plot_cell_path":
        return plots.plot_cell_path(2.0)
    if name == "plot_truncation":
        return plots.plot_truncation({"k": [1, 5, 20], "cosine": np.array([0.7, 0.9, 1.0]),
                                      "rel_error": np.array([0.7, 0.4, 0.0])},
                                     {1: 12_000, 5: 190_000, 20: 870_000})
    runs = {clip: {seed: {"loss": np.linspace(1.5, 0.1 if clip else 4.0, 30)} for seed in (0, 1)}
            for clip in (None, 1.0)}
    return plots.plot_clipping(runs)


def _call(module, name, *args, **kwargs):
    return lambda: getattr(importlib.import_module(f"lstm_edu.figures.{module}"), name)(
        *args, **kwargs)


def _cell_with_values(highlight):
    from lstm_edu.figures.cells import draw_lstm_cell
    from lstm_edu.worked_example import worked_example
    return draw_lstm_cell(highlight, values=worked_example().values())


INVENTORY = {
    "cells": {
        "draw_rnn_module": [_call("cells", "draw_rnn_module")],
        "draw_lstm_module": [_call("cells", "draw_lstm_module")],
        "draw_chain": [_call("cells", "draw_chain", "rnn"), _call("cells", "draw_chain", "lstm")],
        "draw_notation": [_call("cells", "draw_notation")],
        "draw_gate": [_call("cells", "draw_gate"),
                      _call("cells", "draw_gate", [0.0001, 0.9999, 0.5], [1.0, -1.0, 0.5])],
        "draw_lstm_cell": [_call("cells", "draw_lstm_cell", h) for h in
                           (None, "cell_state", "forget", "input", "update", "output", "gates")]
                          + [partial(_cell_with_values, h) for h in
                             ("forget", "input", "update", "output")],
    },
    "sequences": {
        "draw_neuron": [_call("sequences", "draw_neuron")],
        "draw_network": [_call("sequences", "draw_network")],
        "draw_folded_rnn": [_call("sequences", "draw_folded_rnn")],
        "draw_unrolled_rnn": [_call("sequences", "draw_unrolled_rnn")],
        "plot_rnn_unrolled": [_call("sequences", "plot_rnn_unrolled", 5, 3),
                              _call("sequences", "plot_rnn_unrolled", 12, 12)],
        "draw_source_examples": [_call("sequences", "draw_source_examples")],
    },
    "feedforward": {
        "plot_window_fit": [_call("feedforward", "plot_window_fit", 1),
                            _call("feedforward", "plot_window_fit", 16)],
        "plot_same_sin": [_call("feedforward", "plot_same_sin"),
                          _call("feedforward", "plot_same_sin", 30.0)],
        "plot_memoryless_map": [_call("feedforward", "plot_memoryless_map")],
    },
    "gradients": {
        "plot_gradient_decay": [_call("gradients", "plot_gradient_decay", 1.0, 50),
                                _call("gradients", "plot_gradient_decay", 4.0, 100)],
    },
    "recall": {"plot_recall_grid": [lambda: importlib.import_module(
        "lstm_edu.figures.recall").plot_recall_grid(_recall_grid())]},
    "gates": {
        "activation_view": [_call("gates", "activation_view", z) for z in (-6.0, 0.0, 6.0)],
        "forget_view": [_call("gates", "forget_view"), _call("gates", "forget_view", 1, 1, 1)],
        "input_view": [_call("gates", "input_view"), _call("gates", "input_view", 1, 1, 1)],
        "cell_update_view": [_call("gates", "cell_update_view"),
                             _call("gates", "cell_update_view", 0.0, 1.0)],
        "output_view": [_call("gates", "output_view"), _call("gates", "output_view", 1, 1, 1)],
        "squash_figure": [_call("gates", "squash_figure")],
        "trace_figure": [lambda: importlib.import_module("lstm_edu.figures.gates").trace_figure(
            _gate_trace())],
    },
    "variants": {
        "draw_peephole_cell": [_call("variants", "draw_peephole_cell")],
        "draw_cifg_cell": [_call("variants", "draw_cifg_cell")],
        "draw_gru_cell": [_call("variants", "draw_gru_cell", f) for f in ("torch", "cho", "colah")],
        "draw_variant": [_call("variants", "draw_variant", "lstm")],
        "show_variant": [_call("variants", "show_variant", v) for v in
                         ("lstm", "peephole", "cifg", "gru_torch", "gru_cho", "gru_colah")],
        "plot_forget_retention": [_call("variants", "plot_forget_retention", T, b)
                                  for T, b in ((100, 1.0), (2, -2.0), (1000, 8.0))],
    },
    "sincos": {n: [partial(_sincos, n)] for n in (
        "plot_data", "plot_loss", "plot_prediction", "plot_layout", "plot_residuals",
        "plot_mirror", "plot_setups", "plot_probes", "plot_gates", "plot_memory",
        "plot_two_tap", "plot_live")},
    "lab": {n: [partial(_lab, n)] for n in ("plot_flow", "plot_lab", "plot_profiles")},
    "xlstm": {n: [partial(_xlstm, n)] for n in
              ("revise_figure", "stabilizer_figure", "parallel_figure", "recall_figure")},
    "min_rnn": {**{n: [partial(_min_rnn, n)] for n in
                   ("plot_parity_state", "plot_scan_timing", "plot_parity_accuracy")},
                "plot_float32_error": [_call("min_rnn", "plot_float32_error", [256, 1024, 4096],
                                             {"scan": [1e-6, 1e-5, 1e-4],
                                              "loop": [1e-7, 3e-7, 1e-6]})]},
    "backward": {n: [partial(_backward, n)] for n in
                 ("plot_cell_paths", "plot_cell_path", "plot_truncation", "plot_clipping")},
}


# --- the checks --------------------------------------------------------------------------------

def _fonts_for(prop) -> list[str]:
    """The font files matplotlib falls back through for ``prop``, in order."""
    return [str(p) for p in font_manager.fontManager._find_fonts_by_props(prop)]


def _charmap(path: str) -> frozenset[int]:
    if path not in _CHARMAPS:
        _CHARMAPS[path] = frozenset(FT2Font(path).get_charmap())
    return _CHARMAPS[path]


_CHARMAPS: dict[str, frozenset[int]] = {}


def drawn_texts(fig: Figure) -> list[tuple[str, float, object, bool]]:
    """(string, font size in points, FontProperties, is mathtext) of every text drawn."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    seen = []
    original = RendererAgg.draw_text

    def record(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        seen.append((s, prop.get_size_in_points(), prop.copy(), bool(ismath)))
        return original(self, gc, x, y, s, prop, angle, ismath, mtext)

    RendererAgg.draw_text = record
    try:
        fig.canvas.draw()
    finally:
        RendererAgg.draw_text = original
    return seen


def standard_problems(fig: Figure) -> list[str]:
    """Everything in ``fig`` that breaks the figure standard (empty when it follows it)."""
    problems = []
    width_px = fig.get_size_inches()[0] * fig.dpi
    if not style.MIN_WIDTH_PX - 0.5 <= width_px <= style.MAX_WIDTH_PX + 0.5:
        problems.append(f"displayed {width_px:.0f} px wide, not "
                        f"{style.MIN_WIDTH_PX}-{style.MAX_WIDTH_PX}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        texts = drawn_texts(fig)
    problems += [f"missing glyph: {w.message}" for w in caught
                 if "missing from font" in str(w.message)]
    for s, points, prop, ismath in texts:
        px = points * fig.dpi / 72
        if s.strip() and px < style.MIN_TEXT_PX - 1e-6:
            problems.append(f"text {s!r} is {px:.1f} px, under {style.MIN_TEXT_PX} px")
        if ismath:
            continue
        for ch in cjk_characters(s):
            if not any(ord(ch) in _charmap(path) for path in _fonts_for(prop)):
                problems.append(f"{ch} (U+{ord(ch):04X}) in {s!r} has no glyph in "
                                f"{prop.get_family()}")
    problems += covered_data(fig) + clipped_markers(fig)  # labels over data, cut markers
    return problems


CASES = [pytest.param(module, name, i, call, id=f"{module}.{name}[{i}]")
         for module, fns in INVENTORY.items() for name, calls in fns.items()
         for i, call in enumerate(calls)]


@pytest.mark.parametrize("module, name, i, call", CASES)
def test_figure_follows_the_standard(module, name, i, call):
    fig = call()
    fig = fig if isinstance(fig, Figure) else split_result(fig)[0]
    assert not standard_problems(fig), standard_problems(fig)


@pytest.mark.parametrize("module", MODULES)
def test_every_figure_function_is_checked(module):
    mod = importlib.import_module(f"lstm_edu.figures.{module}")
    public = {n for n, f in inspect.getmembers(mod, inspect.isfunction)
              if f.__module__ == mod.__name__ and not n.startswith("_")}
    unlisted = public - set(INVENTORY.get(module, {})) - NOT_FIGURES.get(module, set())
    assert not unlisted, f"add these to INVENTORY (or NOT_FIGURES) in {__file__}: {unlisted}"


# --- the checks themselves catch what they are for ----------------------------------------------

def test_the_checks_catch_small_text_missing_glyphs_and_covered_data():
    fig, ax = style.new_figure(7.2, 3.0)
    ax.plot(np.arange(10), np.arange(10), label="rising")
    ax.legend(loc="center")
    ax.text(1, 8, "tiny", fontsize=6)
    ax.text(1, 6, "汉语")  # DejaVu Sans alone: no Chinese glyphs
    found = standard_problems(fig)
    assert any("'tiny' is 8.3 px" in p for p in found), found
    assert any("汉" in p and "glyph" in p for p in found), found
    assert any("covers line 'rising'" in p for p in found), found
    narrow = Figure(figsize=(4.0, 3.0), dpi=80)
    assert any("displayed 320 px wide" in p for p in standard_problems(narrow))


def test_slider_pngs_are_twice_the_displayed_width():
    from lstm_edu.figures.gates import forget_view
    from lstm_edu.figures.widgets import redraw
    png, text = redraw(forget_view, {"f0": 0.3})
    fig = forget_view(0.3)[0]
    assert style.png_size(png)[0] == round(fig.get_size_inches()[0] * fig.dpi) * style.PNG_SCALE
    assert style.png_display_width(png) == round(fig.get_size_inches()[0] * fig.dpi)
    assert text == forget_view(0.3)[1]
