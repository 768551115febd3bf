"""Notebook 11, the LSTM lab: unrolling, the gradient of the loss per state, the playground."""

import math

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from lstm_edu.cells import as_torch_cell
from lstm_edu.experiments import lab
from lstm_edu.experiments.gradients import as_step
from lstm_edu.figures import lab as lab_figures
from lstm_edu.data import recall_task
from lstm_edu.figures.style import figure_png
from lstm_edu.experiments.recall import make_recall_net

from figure_checks import lines, one_line, same, titles, ydata


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_unrolled_cell_equals_the_fused_module(cell):
    net = make_recall_net(cell, T=12, hidden_size=6, seed=3)
    x = recall_task(12, 5, seed=1).x
    fused, final = net.core(x)
    states = lab.unroll(net.core, x, independent_states=False)
    assert len(states) == 13 and len(states[0]) == (2 if cell == "lstm" else 1)
    torch.testing.assert_close(torch.stack([s[0] for s in states[1:]]), fused, atol=1e-6, rtol=0)
    if cell == "lstm":
        torch.testing.assert_close(states[-1][1], final[1][0], atol=1e-6, rtol=0)


def test_part3_cores_unroll_with_their_own_step():
    cells = lab.available_cells()
    assert {"rnn", "lstm", "gru"} <= set(cells)
    for cell in [c for c in cells if c not in ("rnn", "lstm", "gru")]:
        net = make_recall_net(cell, T=6, hidden_size=4, seed=0)
        x = recall_task(6, 3, seed=0).x
        fused, _ = net.core(x)
        states = lab.unroll(net.core, x, independent_states=False)
        torch.testing.assert_close(torch.stack([s[0] for s in states[1:]]), fused)


def test_loss_gradients_equal_a_finite_difference_on_the_cell_state():
    """∂L/∂C_t is the total derivative: nudge C_t (so h_t = o_t tanh(C_t) too), re-run, float64."""
    net = make_recall_net("lstm", T=8, hidden_size=5, seed=2).double()
    raw = recall_task(8, 1, seed=4)
    batch = type(raw)(x=raw.x.double(), y=raw.y)
    cell = as_torch_cell(net.core)
    H, t, unit, eps = 5, 5, 2, 1e-6

    def loss_with(nudge):
        h = c = torch.zeros(1, H, dtype=torch.float64)
        with torch.no_grad():
            for k, x_t in enumerate(batch.x, start=1):
                h_prev = h
                h, c = cell(x_t, (h, c))
                if k == t:
                    c = c.clone()
                    c[0, unit] += nudge
                    o_t = torch.sigmoid(x_t @ cell.weight_ih[3 * H:].T + cell.bias_ih[3 * H:]
                                        + h_prev @ cell.weight_hh[3 * H:].T + cell.bias_hh[3 * H:])
                    h = o_t * torch.tanh(c)
            return nn.functional.cross_entropy(net.readout(h), batch.y, reduction="sum").item()

    states = lab.unroll(net.core, batch.x, independent_states=False)
    loss = nn.functional.cross_entropy(net.readout(states[-1][0]), batch.y, reduction="sum")
    (g,) = torch.autograd.grad(loss, [states[t][1]])
    numeric = (loss_with(eps) - loss_with(-eps)) / (2 * eps)
    assert g[0, unit].item() == pytest.approx(numeric, rel=1e-5, abs=1e-9)
    profile = lab.loss_gradients(net, batch)
    assert profile.norms[8 - t] == pytest.approx(g.norm().item(), rel=1e-9)
    assert profile.state == "C" and profile.distance[-1] == 8


def test_default_init_vanishes_and_chrono_holds():
    default = lab.gradient_profile("lstm", 60, init="default")
    chrono = lab.gradient_profile("lstm", 60, init="chrono")
    rnn = lab.gradient_profile("rnn", 60)
    gru = lab.gradient_profile("gru", 60, init="chrono")
    assert 0.4 < default.decay_per_step() < 0.75
    assert 0.4 < rnn.decay_per_step() < 0.75 and rnn.state == "h"
    assert chrono.decay_per_step() > 0.97 and gru.decay_per_step() > 0.97
    assert chrono.norms[60] / chrono.norms[1] > 0.1 > 1e6 * default.norms[60] / default.norms[1]


def test_retain_grad_on_a_fused_lstm_output_is_zero_before_the_last_step():
    before_last, last = lab.fused_output_grad(T=10, hidden_size=4)
    assert before_last == 0.0 and last > 0.0


def test_decay_per_step_is_the_geometric_mean():
    p = lab.GradProfile("lstm", "x", "C", np.arange(31), 0.5 ** np.arange(31.0))
    assert p.decay_per_step() == pytest.approx(0.5)
    assert p.decay_per_step(2, 30) == pytest.approx(0.5)
    zero = lab.GradProfile("rnn", "x", "h", np.arange(31), np.r_[1.0, np.zeros(30)])
    assert zero.decay_per_step() == 0.0
    with pytest.raises(ValueError, match="stop must be >= 3, got 2"):
        p.decay_per_step(2, 2)


def test_chrono_forget_is_T_over_T_plus_one():
    assert lab.chrono_forget(50) == pytest.approx(50 / 51)
    net = make_recall_net("lstm", T=50, hidden_size=3, init="chrono")
    b_f = (net.core.bias_ih_l0 + net.core.bias_hh_l0)[3:6]
    assert torch.sigmoid(b_f).detach().numpy() == pytest.approx([50 / 51] * 3)
    assert math.isclose(lab.chrono_forget(2), 2 / 3)


def test_lab_run_solves_a_short_gap_and_measures_before_and_after():
    r = lab.lab_run("lstm", T=10, hidden_size=16, init="chrono", steps=200)
    assert r.accuracy >= 0.99 and r.recall.solved
    assert r.before.norms.shape == r.after.norms.shape == (11,)
    again = lab.lab_run("lstm", T=10, hidden_size=16, init="chrono", steps=200)
    assert again.recall.losses == r.recall.losses  # deterministic


def _finite_fig(fig):
    assert isinstance(fig, Figure) and figure_png(fig).startswith(b"\x89PNG")


def _drawn_norms(p):
    return np.where(p.norms > 0, p.norms, np.nan)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "peephole", "cifg", "gru_cho"])
@pytest.mark.parametrize("init,T,hidden",
                         [("default", 2, 1), ("chrono", 400, 128), ("one", 50, 32)])
def test_flow_slider_at_its_extremes(cell, init, T, hidden):
    if cell in ("peephole", "cifg", "gru_cho") and T == 400 and hidden == 128:
        T = 200  # the slowest corner, still covered at T = 200 to keep the suite quick
    fig, text = lab_figures.plot_flow(cell, init, T, hidden)
    _finite_fig(fig)
    assert "per-step factor" in text and "nan" not in text
    (line,) = lines(fig)
    drawn = ydata(line)
    assert same(line.get_xdata(), np.arange(T + 1)) and np.nanmax(drawn) > 0
    factor = float(text.split("per-step factor ")[1].split(";")[0])
    drawn_factor = float(str(line.get_label()).split("×")[1].split("/step")[0])
    assert abs(drawn_factor - factor) <= 0.0051  # the same factor, printed to 2 and 3 places
    assert lab.cell_label(cell) in str(line.get_label())


def test_a_reused_flow_figure_draws_what_a_fresh_one_draws():
    """Under the slider one figure is updated in place: same pixels as a new one."""
    from lstm_edu.figures.widgets import redraw

    pool = {}
    for values in ({"cell": "lstm", "init": "default", "T": 50, "hidden_size": 32},
                   {"cell": "lstm", "init": "default", "T": 3, "hidden_size": 8},
                   {"cell": "rnn", "init": "chrono", "T": 120, "hidden_size": 32},
                   {"cell": "lstm", "init": "chrono", "T": 80, "hidden_size": 16},
                   {"cell": "lstm", "init": "default", "T": 200, "hidden_size": 32},
                   {"cell": "lstm", "init": "default", "T": 50, "hidden_size": 32}):
        live, live_text = redraw(lab_figures.plot_flow, values, pool)
        fresh, fresh_text = redraw(lab_figures.plot_flow, values, {})
        assert live == fresh and live_text == fresh_text, values


def test_plots_and_the_playground_button():
    r = lab.lab_run("lstm", T=5, hidden_size=4, init="one", steps=25)
    fig = lab_figures.plot_lab(r)
    _finite_fig(fig)
    curve = one_line(fig, "held-out accuracy")
    assert same(curve.get_xdata(), [s for s, _ in r.recall.curve])
    assert same(ydata(curve), [a for _, a in r.recall.curve])
    assert same(ydata(one_line(fig, "before training")), _drawn_norms(r.before))
    assert same(ydata(one_line(fig, "after training")), _drawn_norms(r.after))
    assert titles(fig)[0].endswith(f"{r.accuracy:.2f}")
    fig = lab_figures.plot_profiles([r.before, r.after])
    _finite_fig(fig)
    drawn = [ydata(line) for line in lines(fig)]
    assert len(drawn) == 2 and same(drawn[0], _drawn_norms(r.before))
    assert same(drawn[1], _drawn_norms(r.after))
    import ipywidgets as widgets
    box, png = lab_figures.build_lab(cell="rnn", T=5, hidden_size=4, init="default", steps=25)
    assert png.startswith(b"\x89PNG") and len(box.runs) == 1
    controls = box.children[0].children
    button = [w for w in controls if isinstance(w, widgets.Button)][0]
    by_name = {w.description: w for w in controls}
    by_name["cell"].value = "gru"
    by_name["forget bias"].value = "chrono"
    button.click()
    assert len(box.runs) == 2 and box.runs[-1].cell == "gru" and box.runs[-1].init == "chrono"
    by_name["cell"].value = "rnn"  # the RNN ignores the init instead of failing
    button.click()
    assert len(box.runs) == 3 and box.runs[-1].init == "default"


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"cell must be one of .*got 'transformer'"):
        lab.lab_run("transformer")
    with pytest.raises(ValueError, match="init must be one of"):
        lab_figures.plot_flow("lstm", "zeros")
    with pytest.raises(ValueError, match="T must be >= 2, got 1"):
        lab.gradient_profile("lstm", 1)
    with pytest.raises(ValueError, match="T must be <= 400, got 401"):
        lab_figures.plot_flow("lstm", "default", 401)
    with pytest.raises(TypeError, match="net must be a RecallNet"):
        lab.loss_gradients(nn.LSTM(2, 2), recall_task(3, 2))
    with pytest.raises(TypeError, match="module must be nn.RNN, nn.GRU or nn.LSTM, got Linear"):
        as_torch_cell(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="only one-layer"):
        as_torch_cell(nn.LSTM(2, 2, num_layers=2))
    with pytest.raises(TypeError, match="cell must be a torch RNN, GRU or LSTM .*got Linear"):
        as_step(nn.Linear(2, 2))
    with pytest.raises(TypeError, match="non-empty list of GradProfile"):
        lab_figures.plot_profiles([])
    with pytest.raises(TypeError, match="result must be a LabResult, got int"):
        lab_figures.plot_lab(3)


# --- notebook 11 shows the training step its buttons run ------------------------------------

def test_notebook_training_step_trains_exactly_as_lab_run():
    """Notebook 11's cell tagged ``lab-step`` writes out the step the train button runs
    (lab_run -> train_recall): run it here and compare losses and held-out accuracy curves."""
    import contextlib
    import io
    from pathlib import Path

    import nbformat

    path = Path(__file__).resolve().parents[1] / "notebooks" / "11_lstm_lab.ipynb"
    nb = nbformat.read(path, as_version=4)
    cells = [c.source for c in nb.cells
             if c.cell_type == "code" and "lab-step" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "notebook 11 must tag its training-step cell 'lab-step'"
    ns = {"torch": torch, "np": np, "make_recall_net": make_recall_net, "recall_task": recall_task}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(cells[0], "lab-step cell", "exec"), ns)
    result = lab.lab_run("lstm", T=ns["T"], hidden_size=32, init="chrono", steps=ns["STEPS"],
                         seed=0, lr=ns["LR"])
    assert ns["losses"] == result.recall.losses
    assert ns["curve"] == result.recall.curve
    assert len(ns["losses"]) == result.recall.steps


# --- the fresh-net slider: stepped controls, profiles computed ahead, a short readout --------

def test_hidden_slider_steps_over_the_doublings():
    import ipywidgets as widgets

    s = lab_figures.hidden_slider(32)
    assert isinstance(s, widgets.SelectionSlider) and s.value == 32
    assert list(s.options) == [1, 2, 4, 8, 16, 32, 64, 128] == list(lab_figures.HIDDEN_OPTIONS)
    with pytest.raises(ValueError, match=r"value must be one of .*got 33"):
        lab_figures.hidden_slider(33)
    with pytest.raises(TypeError, match="value must be an int"):
        lab_figures.hidden_slider("32")


def test_the_playground_uses_the_course_gap_slider_and_the_hidden_steps():
    from lstm_edu.figures.widgets import GAP_OPTIONS

    box, _ = lab_figures.build_lab(cell="rnn", T=5, hidden_size=4, init="default", steps=25)
    by_name = {w.description: w for w in box.children[0].children}
    assert tuple(by_name["gap T"].options) == GAP_OPTIONS and by_name["gap T"].value == 5
    assert tuple(by_name["hidden"].options) == lab_figures.HIDDEN_OPTIONS


def test_precompute_flow_leaves_nothing_for_a_slider_move_to_compute(capsys):
    from lstm_edu.figures.widgets import GAP_OPTIONS

    assert lab_figures.precompute_flow("gru", "one") == len(GAP_OPTIONS) * 8
    assert capsys.readouterr().out.endswith(" 64 128 done\n")
    misses = lab_figures._fresh_profile.cache_info().misses
    for T in GAP_OPTIONS:
        for H in lab_figures.HIDDEN_OPTIONS:
            lab_figures.plot_flow("gru", "one", T, H)
    assert lab_figures._fresh_profile.cache_info().misses == misses


@pytest.mark.parametrize("cell,init,T,hidden", [("gru_cho", "chrono", 400, 128),
                                                ("rnn", "default", 400, 1),
                                                ("cifg", "default", 200, 2)])
def test_flow_readout_fits_a_notebook_line(cell, init, T, hidden):
    """The slider's printed line stays within 80 characters: no wrap mid-number."""
    if (cell, T) == ("gru_cho", 400):
        T = 200  # the slowest corner costs seconds; the longest label is what matters
    _, text = lab_figures.plot_flow(cell, init, T, hidden)
    assert len(text) <= 80, text


def test_flow_axis_spans_whole_decades_around_the_drawn_norms():
    fig, _ = lab_figures.plot_flow("lstm", "default", 100, 32)
    ax = fig.axes[0]
    drawn = ydata(lines(fig)[0])
    lo, hi = ax.get_ylim()
    assert np.log10(lo) == np.floor(np.log10(lo)) and np.log10(hi) == np.ceil(np.log10(hi))
    assert lo <= np.nanmin(drawn) and np.nanmax(drawn) <= hi and ax.get_xlim() == (0, 100)


def test_slider_moves_redraw_over_the_kept_frame_and_draw_what_a_fresh_figure_draws():
    """A move (new hidden size, or a new gap that changes both limits) keeps the frame's
    background and redraws only the live parts, axes included; the PNG is still the one a
    fresh figure gives. Fails if the axes are not live (stale ticks) or if a move throws the
    background away (the slow path issue 20 removed)."""
    from lstm_edu.figures.widgets import redraw

    pool = {}
    first = {"cell": "lstm", "init": "default", "T": 50, "hidden_size": 32}
    redraw(lab_figures.plot_flow, first, pool)
    (fig, *_), = pool["reused"].values()
    background = fig._live_background
    assert background is not None
    for move in (dict(first, hidden_size=64), dict(first, T=100), dict(first, T=400, init="chrono")):
        live, _ = redraw(lab_figures.plot_flow, move, pool)
        assert fig._live_background is background, move
        assert live == redraw(lab_figures.plot_flow, move, {})[0], move
