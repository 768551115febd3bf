"""Notebook 10: the source's sin->cos experiment, its layouts, its figures and the live button."""

from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from lstm_edu.experiments import sincos
from lstm_edu.figures import sincos as plots
from lstm_edu.data import sin_cos_data
from lstm_edu.figures.style import figure_png
from lstm_edu.experiments.sincos import (SinCosLSTM, faithful_run, from_layout, improved_run,
                                         layout_index, moved_outputs, run_sincos, to_layout)


@pytest.fixture(scope="module")
def faithful():
    return faithful_run(seed=0)


@pytest.fixture(scope="module")
def quick():
    """A one-sequence model trained only to 1e-3: enough for shapes and probes, and quick."""
    return improved_run(seed=0, stop_below=1e-3)


def plain_source_loop(seed=0):
    """The source's recipe written out independently of lstm_edu.train: the epoch it stops at."""
    d = sin_cos_data()
    x = torch.from_numpy(d.train[1]).reshape(-1, 5, 1)
    y = torch.from_numpy(d.train[2]).reshape(-1, 5, 1)
    torch.manual_seed(seed)
    lstm, head = nn.LSTM(1, 16, 1), nn.Linear(16, 1)
    opt = torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-2)
    for epoch in range(1, 10_001):
        out, _ = lstm(x)
        s, b, h = out.shape
        loss = nn.functional.mse_loss(head(out.reshape(s * b, h)).reshape(s, b, 1), y)
        loss.backward()
        opt.step()
        opt.zero_grad()
        if loss.item() < 1e-4:
            return epoch, loss.item()
    return None, loss.item()


# --- the faithful reproduction --------------------------------------------------

def test_faithful_run_stops_where_an_independent_loop_stops(faithful):
    """The source's recipe written out without lstm_edu.train: same machine, same epoch."""
    epoch, loss = plain_source_loop(seed=0)
    assert faithful.stop_epoch == epoch
    assert faithful.final_loss == loss < 1e-4
    assert faithful.log[-1].startswith(f"epoch {epoch}/10000") and "stopping" in faithful.log[-1]
    # a line every 100 epochs, then the stop
    assert sum("loss" in line for line in faithful.log) == epoch // 100 + 1
    assert faithful.test_mse < 1e-3 and faithful.pred_test.shape == (100,)


def test_no_stop_epoch_measured_elsewhere_is_kept_as_a_reference():
    assert not hasattr(sincos, "SOURCE_PROGRAM_STOP_EPOCH")


# --- notebook 10's cells do what the helpers do ------------------------------------

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "10_pytorch_sin_to_cos.ipynb"


def notebook_program(**settings) -> dict:
    """Run notebook 10's cells tagged ``source-program`` (settings, data, layout, model,
    loss and optimiser, loop) in a fresh namespace; ``settings`` override the settings cell."""
    import contextlib
    import io
    import time

    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c.source for c in nb.cells
             if c.cell_type == "code" and "source-program" in c.metadata.get("tags", [])]
    assert len(cells) >= 5, "notebook 10 must tag its program's cells 'source-program'"
    assert "SEED" in cells[0], "the first tagged cell holds the settings"
    ns = {"np": np, "torch": torch, "nn": nn, "time": time}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(cells[0], "settings cell", "exec"), ns)
        ns.update(settings)
        for k, src in enumerate(cells[1:], start=1):
            exec(compile(src, f"program cell {k}", "exec"), ns)
    ns["printed"] = out.getvalue()
    return ns


@pytest.mark.parametrize("seed, stop_below", [(0, 1e-4), (3, 1e-3)])
def test_notebook_cells_train_exactly_as_run_sincos(seed, stop_below):
    ns = notebook_program(SEED=seed, STOP_BELOW=stop_below)
    helper = run_sincos("faithful", seed, stop_below=stop_below)
    # Same operations in the same order on the same machine: bit-for-bit the same losses.
    assert ns["losses"] == helper.result.losses
    assert ns["stop_epoch"] == helper.stop_epoch is not None
    assert np.array_equal(ns["x_train"], helper.data.train[1])
    assert tuple(ns["X"].shape) == (20, 5, 1)
    # the log: one line every 100 epochs, then the stop line (as the helper's)
    lines = [ln for ln in ns["printed"].splitlines() if ln.startswith("epoch ")]
    assert lines == helper.log
    run = sincos.finish_run(ns["model"], ns["losses"], ns["stop_epoch"], "faithful", seed)
    np.testing.assert_array_equal(run.pred_test, helper.pred_test)


def test_finish_run_checks_its_inputs(quick):
    with pytest.raises(ValueError, match="stop_epoch must be the last epoch run \\(3\\), got 2"):
        sincos.finish_run(quick.model, [1.0, 0.5, 0.1], 2, "sequence")
    with pytest.raises(ValueError, match="losses must hold at least one"):
        sincos.finish_run(quick.model, [], None, "sequence")
    with pytest.raises(TypeError, match="model must be a torch.nn.Module with an nn.LSTM"):
        sincos.finish_run(nn.Linear(1, 1), [1.0], None)


def test_training_is_deterministic_run_to_run():
    a, b = improved_run(seed=3, stop_below=1e-3), improved_run(seed=3, stop_below=1e-3)
    assert a.result.losses == b.result.losses
    assert np.array_equal(a.pred_test, b.pred_test)


def test_improved_run_beats_the_faithful_one(faithful):
    run = improved_run(seed=0)
    assert run.stop_epoch is not None and run.final_loss < 1e-4
    assert run.stop_epoch < faithful.stop_epoch / 2
    assert run.test_mse < faithful.test_mse / 5


def test_model_is_built_in_the_sources_order():
    torch.manual_seed(0)
    model = SinCosLSTM(16)
    torch.manual_seed(0)
    lstm, head = nn.LSTM(1, 16, 1), nn.Linear(16, 1)
    assert torch.equal(model.lstm.weight_hh_l0, lstm.weight_hh_l0)
    assert torch.equal(model.head.weight, head.weight)
    y, (h, c) = model(torch.zeros(20, 5, 1))
    assert y.shape == (20, 5, 1) and h.shape == c.shape == (1, 5, 16)
    assert sum(p.numel() for p in model.parameters()) == 4 * 16 * 17 + 2 * 64 + 17


# --- layouts ---------------------------------------------------------------------

def test_faithful_layout_is_20_steps_by_5_sequences():
    idx = layout_index("faithful")
    assert idx.shape == (20, 5)
    assert list(idx[:, 2]) == list(range(2, 100, 5))     # sequence 2: every 5th sample
    assert list(idx[8]) == [40, 41, 42, 43, 44]
    assert layout_index("sequence").shape == (100, 1)
    x = np.arange(100, dtype=np.float32)
    assert tuple(to_layout(x, "faithful").shape) == (20, 5, 1)
    assert np.array_equal(from_layout(to_layout(x, "faithful")), x)
    assert np.array_equal(from_layout(to_layout(x, "sequence")), x)


def test_a_changed_sample_moves_only_its_own_sequence_from_its_step_on():
    torch.manual_seed(1)
    model = SinCosLSTM(4)
    x = sin_cos_data().train[1]
    assert list(moved_outputs(model, x, 42, "faithful")) == list(range(42, 100, 5))
    moved = moved_outputs(model, x, 42, "sequence")  # one sequence: everything after 42
    assert moved.min() == 42 and set(range(42, 60)) <= set(moved)  # (far ones fade below float32)


def test_faithful_errors_sit_at_the_start_of_each_sequence(faithful):
    res = np.abs(faithful.pred_train - sin_cos_data().train[2])[layout_index("faithful")]
    assert res[0].mean() > 10 * res[10:].mean()


# --- the mirror, the two-tap rule, the influence --------------------------------

def test_test_half_is_the_training_half_mirrored():
    m = sincos.mirror_check()
    assert m.offset == pytest.approx(m.step / 2, abs=1e-12)
    assert m.max_x_gap < 1e-6 and m.max_y_gap < 1e-6
    # The cause is the symmetric grid on whole periods; end at t = 10 and it is gone.
    assert sincos.mirror_check(sin_cos_data(t_max=10.0)).max_x_gap > 1e-2


def test_two_tap_rule_is_exact_and_the_finite_difference_is_not():
    t = np.linspace(0, 12 * np.pi, 200)
    step = t[1] - t[0]
    np.testing.assert_allclose(sincos.two_tap(np.sin(t), step), np.cos(t[1:]), atol=1e-12)
    fd_err = np.abs(sincos.finite_difference(np.sin(t), step) - np.cos(t[1:])).max()
    assert 0.05 < fd_err < step  # off by about sin(t) * Δ/2
    a, b = sincos.two_tap_weights(step)
    assert a == pytest.approx(np.cos(step) / np.sin(step)) and b == pytest.approx(-1 / np.sin(step))


def test_input_influence_matches_a_finite_difference():
    torch.manual_seed(2)
    model = SinCosLSTM(4).double()
    x = sin_cos_data(dtype=np.float64).train[1]
    with torch.no_grad():
        model = model.float()
    g = sincos.input_influence(model, x, at=30)
    assert g.shape == (31,)
    eps = 1e-2
    xp, xm = x.copy(), x.copy()
    xp[27] += eps
    xm[27] -= eps
    num = (sincos.predict(model, xp.astype(np.float32), "sequence")[0][30]
           - sincos.predict(model, xm.astype(np.float32), "sequence")[0][30]) / (2 * eps)
    assert g[3] == pytest.approx(num, abs=1e-3)


def test_probes_hold_for_phase_and_horizon_and_break_for_frequency(quick):
    probes = {p.name: p for p in sincos.probe_signals(quick.model)}
    assert set(probes) == {"trained signal", "phase +1", "horizon 4x", "frequency 0.5x",
                           "frequency 2x", "amplitude 0.5x"}
    assert len(probes["horizon 4x"].t) == 797
    assert probes["horizon 4x"].t[-1] == pytest.approx(48 * np.pi)
    ok = probes["trained signal"].mse_after(20)
    assert probes["phase +1"].mse_after(20) < 10 * ok + 1e-4
    assert probes["frequency 2x"].mse_after(20) > 100 * ok


# --- bad input ---------------------------------------------------------------------

def test_bad_arguments_are_named():
    with pytest.raises(ValueError,
                       match=r"layout must be one of \['faithful', 'sequence'\], got 'batch'"):
        run_sincos("batch")
    with pytest.raises(ValueError, match="seed must be >= 0, got -1"):
        faithful_run(seed=-1)
    with pytest.raises(TypeError, match="hidden_size must be an int, got float"):
        improved_run(hidden_size=16.0)
    with pytest.raises(ValueError, match="lr must be > 0, got 0.0"):
        improved_run(lr=0.0)
    with pytest.raises(TypeError, match="data must be a SinCosData, got dict"):
        improved_run(data={})
    with pytest.raises(ValueError, match="multiple of 5 samples for the faithful layout, got"):
        to_layout(np.zeros(7, dtype=np.float32), "faithful")
    with pytest.raises(TypeError, match="a must hold floats, got dtype int64"):
        to_layout(np.arange(10), "sequence")
    with pytest.raises(ValueError, match=r"x must be a tensor of shape \(T, B, 1\), got \(5, 2\)"):
        SinCosLSTM(3)(torch.zeros(5, 2))
    with pytest.raises(TypeError, match=r"model must be a torch.nn.Module with an nn.LSTM "
                                        r"named lstm \(like SinCosLSTM\), got Linear"):
        sincos.predict(nn.Linear(1, 1), np.zeros(5, dtype=np.float32), "sequence")
    with pytest.raises(ValueError, match="index must be <= 99, got 100"):
        moved_outputs(SinCosLSTM(2), np.zeros(100, dtype=np.float32), 100)
    with pytest.raises(ValueError, match="delta must be non-zero"):
        moved_outputs(SinCosLSTM(2), np.zeros(100, dtype=np.float32), 3, delta=0.0)
    with pytest.raises(ValueError, match="step must not be a multiple of π"):
        sincos.two_tap_weights(np.pi)
    with pytest.raises(ValueError, match="step must be non-zero"):
        sincos.finite_difference(np.zeros(4), 0.0)
    with pytest.raises(ValueError, match="two equal halves, got 80 \\+ 120"):
        sincos.mirror_check(sin_cos_data(train_ratio=0.4))
    with pytest.raises(TypeError, match="run must be a SinCosRun, got str"):
        sincos.seed_summary("run")
    with pytest.raises(ValueError, match="at must be <= 99, got 100"):
        sincos.input_influence(SinCosLSTM(2), np.zeros(100, dtype=np.float32), at=100)


# --- figures and the live button ------------------------------------------------------

def _ok(fig):
    assert isinstance(fig, Figure)
    assert figure_png(fig).startswith(b"\x89PNG")
    for ax in fig.axes:
        for line in ax.get_lines():
            assert np.all(np.isfinite(np.asarray(line.get_ydata(), dtype=float)))


def test_every_figure_draws(faithful, quick):
    _ok(plots.plot_data())
    _ok(plots.plot_loss([faithful, quick]))
    _ok(plots.plot_loss(quick))
    _ok(plots.plot_prediction(faithful))
    _ok(plots.plot_layout())
    _ok(plots.plot_residuals(faithful))
    _ok(plots.plot_residuals(quick))
    _ok(plots.plot_mirror())
    rows = [sincos.seed_summary(faithful)], [sincos.seed_summary(quick)]
    _ok(plots.plot_setups(*rows))
    _ok(plots.plot_probes(sincos.probe_signals(quick.model)))
    from lstm_edu.cells import lstm_params_from_torch
    from lstm_edu.cells import lstm_step, run_sequence
    d = sin_cos_data()
    trace = run_sequence(lstm_step, d.x.astype(np.float64).reshape(-1, 1),
                         lstm_params_from_torch(quick.model.lstm))
    _ok(plots.plot_gates(trace, d.t, split=d.t[100]))
    g = sincos.input_influence(quick.model, d.train[1], 99)
    _ok(plots.plot_memory(g, sincos.two_tap_weights(d.t[1])))
    pred = np.concatenate([quick.pred_train, quick.pred_test])
    _ok(plots.plot_two_tap(d.t, d.y, pred, sincos.finite_difference(d.x, d.t[1]),
                           sincos.two_tap(d.x, d.t[1])))
    with pytest.raises(TypeError, match="run must be a SinCosRun, got int"):
        plots.plot_prediction(3)
    with pytest.raises(TypeError, match="trace must be run_sequence's dict"):
        plots.plot_gates({"h_t": 1}, d.t)
    with pytest.raises(TypeError, match="non-empty list of Probe"):
        plots.plot_probes([])


@pytest.mark.parametrize("values", [
    dict(hidden_size=1, lr=1e-4, stop_below=1e-5, layout="faithful"),
    dict(hidden_size=64, lr=10 ** -0.5, stop_below=1e-1, layout="sequence"),
    dict(hidden_size=64, lr=10 ** -0.5, stop_below=1e-5, layout="faithful"),
    dict(hidden_size=1, lr=1e-4, stop_below=1e-1, layout="sequence"),
])
def test_live_training_at_the_slider_extremes(values):
    seen = []
    run = plots.train_live(max_epochs=40, every=10, on_update=lambda e, losses: seen.append(e),
                           **values)
    assert all(np.isfinite(run.result.losses)) and np.isfinite(run.test_mse)
    assert seen == list(range(10, run.result.epochs + 1, 10))
    _ok(plots.plot_live(run.result.losses, values["stop_below"], run))


def test_live_training_default_is_fast_and_converges():
    run = plots.train_live()
    assert run.stop_epoch is not None and run.stop_epoch < 1000 and run.final_loss < 1e-3
    _ok(plots.plot_live([], 1e-3))


def test_live_training_button_trains_and_redraws():
    box, png = plots.build_live_training(max_epochs=30, stop_below=1e-5)
    assert png.startswith(b"\x89PNG")
    import ipywidgets as widgets
    controls, bar_out, plot_out = box.children
    button = [w for w in controls.children if isinstance(w, widgets.Button)][0]
    slider = [w for w in controls.children if getattr(w, "description", "") == "hidden size"][0]
    slider.value = 2
    button.click()
    assert not button.disabled
    assert len(box.runs) == 2  # the default run drawn at build time, then the click's
    assert box.runs[-1].model.lstm.hidden_size == 2 and box.runs[-1].result.epochs == 30
    with pytest.raises(ValueError, match="layout must be one of"):
        plots.train_live(layout="batch")


def _texts_covering_lines(fig):
    """(text, line label) pairs where a text's box on screen covers a point of a drawn line.

    Lines are sampled densely between their vertices (an axvline's two ends become 200
    points), so a label sitting on a curve or across a marker line is caught.
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    hits = []
    for ax in fig.axes:
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text()]
        for line in ax.get_lines():
            xy = line.get_transform().transform(np.column_stack(
                [np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)]))
            dense = np.concatenate([np.linspace(a, b, 200) for a, b in zip(xy[:-1], xy[1:])]
                                   or [xy])
            for text, box in boxes:
                inside = ((dense[:, 0] > box.x0) & (dense[:, 0] < box.x1)
                          & (dense[:, 1] > box.y0) & (dense[:, 1] < box.y1))
                if inside.any():
                    hits.append((text, str(line.get_label())))
    return hits


def test_data_figure_labels_do_not_cover_the_curves_or_marker_lines():
    fig = plots.plot_data()
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("5π/6" in t and "-0.866" in t for t in texts), texts
    assert any("sin 6.8 = 0.494" in t for t in texts), texts
    assert _texts_covering_lines(fig) == []


def test_the_overlap_check_catches_a_label_on_a_curve():
    fig = plots.plot_data()
    fig.axes[0].text(1.5, 1.0, "on the sin curve")
    assert ("on the sin curve", "sin t, the input") in _texts_covering_lines(fig)


def _printed_lines(name):
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / name).read_text())
    for k, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if out.get("output_type") == "stream":
                text = out["text"]
            elif set(data) == {"text/plain"}:  # shown only when nothing richer is there
                text = data["text/plain"]
            else:
                continue
            for line in "".join(text).splitlines():
                yield k, line


@pytest.mark.parametrize("name", ["10_pytorch_sin_to_cos.ipynb", "11_lstm_lab.ipynb"])
def test_no_printed_line_is_wider_than_80_characters(name):
    """A line wider than the output area wraps, and can wrap mid-number ("(200, 1⏎6)")."""
    wide = [(k, line) for k, line in _printed_lines(name) if len(line) > 80]
    assert wide == []
