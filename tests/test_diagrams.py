"""The cell diagrams: every figure renders, highlights fade the right parts, bad input is named."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstm_edu.figures import cells as d
from lstm_edu.figures.style import COLORS, figure_png
from lstm_edu.worked_example import worked_example

VALUES = worked_example().values()


@pytest.mark.parametrize("highlight", d.HIGHLIGHTS)
@pytest.mark.parametrize("with_values", [False, True])
def test_cell_renders_for_every_highlight(highlight, with_values):
    fig = d.draw_lstm_cell(highlight, values=VALUES if with_values else None)
    assert isinstance(fig, Figure)
    assert figure_png(fig).startswith(b"\x89PNG")


def test_unknown_highlight_is_a_clear_value_error():
    with pytest.raises(ValueError, match=r"highlight must be one of None, 'cell_state', 'forget', "
                                         r"'input', 'update', 'output', 'gates', got 'forgot'"):
        d.draw_lstm_cell("forgot")
    with pytest.raises(TypeError, match="highlight must be None or a string, got int"):
        d.draw_lstm_cell(3)
    with pytest.raises(ValueError, match="highlight must be one of"):
        d.draw_lstm_module(highlight="Forget")


def _texts(fig):
    return {t.get_text(): t for t in fig.axes[0].texts}


def test_highlight_fades_the_other_parts():
    plain = d.draw_lstm_cell()
    assert all((t.get_alpha() or 1.0) == 1.0 for t in plain.axes[0].texts)
    forget = _texts(d.draw_lstm_cell("forget"))
    assert forget["$f_t$"].get_alpha() == 1.0
    assert forget["$C_{t-1}$"].get_alpha() == 1.0
    assert forget["$o_t$"].get_alpha() == d.STYLE.fade_alpha
    assert forget[r"$\tilde{C}_t$"].get_alpha() == d.STYLE.fade_alpha
    output = _texts(d.draw_lstm_cell("output"))
    assert output["$o_t$"].get_alpha() == 1.0 and output["$f_t$"].get_alpha() == d.STYLE.fade_alpha
    update = _texts(d.draw_lstm_cell("update"))
    assert update["$f_t$"].get_alpha() == 1.0 and update["$i_t$"].get_alpha() == 1.0
    assert update["$o_t$"].get_alpha() == d.STYLE.fade_alpha


def test_live_values_written_only_for_the_highlighted_part():
    texts = [t.get_text() for t in d.draw_lstm_cell("forget", values=VALUES).axes[0].texts]
    assert "$f_t$\n0.50\n0.10\n0.80" in texts  # a column beside f's wire
    assert "$C_{t-1}$\n0.50\n0.60\n0.40" in texts
    assert "$x_t$ = [0.20, 1.30, 0.70]" in texts  # a row beside x_t's label
    assert not any(t.startswith("$o_t$\n") for t in texts)
    texts = [t.get_text() for t in d.draw_lstm_cell(values=VALUES, digits=3).axes[0].texts]
    assert "$C_t$\n0.370\n-0.660\n0.520" in texts
    assert any(t.startswith("$h_t$\n0.319\n-0.289\n0.09") for t in texts)


def test_each_value_sits_beside_the_wire_it_labels():
    """Issue 11: C~_t's box was at the bottom left, and h_t's box overlapped its label."""
    fig = d.draw_lstm_cell(values=VALUES)
    ax = fig.axes[0]
    fig.canvas.draw()
    to_data = ax.transData.inverted()
    boxes = {}
    for t in ax.texts:
        if "\n" in t.get_text() or " = [" in t.get_text():
            ext = t.get_bbox_patch().get_window_extent()
            boxes[t.get_text().split("\n")[0].split(" = ")[0]] = to_data.transform(
                [[ext.x0, ext.y0], [ext.x1, ext.y1]])
    L = d.LSTM_LAYOUT
    # (x, y) of a point on each wire
    wires = {"$f_t$": (L["f"], 4.1), "$i_t$": (L["i"], 3.5), r"$\tilde{C}_t$": (L["c"], 3.2),
             "$o_t$": (L["o"], 3.2), "$C_{t-1}$": (-0.6, L["cell_y"]),
             "$h_{t-1}$": (-0.6, L["hx_y"]), "$C_t$": (L["width"] + 0.6, L["cell_y"]),
             "$h_t$": (L["width"] + 0.6, L["hx_y"]), "$x_t$": (L["x_join"], -0.9)}
    assert set(boxes) == set(wires)
    for name, (x, y) in wires.items():
        (x0, y0), (x1, y1) = boxes[name]
        gap = np.hypot(max(x0 - x, 0, x - x1), max(y0 - y, 0, y - y1))
        assert gap < 1.3, (name, gap)  # within about one layer box of its wire
    names = list(boxes)
    for a in range(len(names)):  # and no two boxes overlap
        for b in range(a + 1, len(names)):
            (ax0, ay0), (ax1, ay1) = boxes[names[a]]
            (bx0, by0), (bx1, by1) = boxes[names[b]]
            assert ax1 < bx0 or bx1 < ax0 or ay1 < by0 or by1 < ay0, (names[a], names[b])


def test_gates_view_names_the_three_gates():
    texts = [t.get_text() for t in d.draw_lstm_cell("gates").axes[0].texts]
    assert "forget gate" in texts and "output gate" in texts
    assert any("memory gate" in t for t in texts)


def test_bad_values_are_named():
    with pytest.raises(ValueError, match=r"values has unknown key\(s\) \['c_new'\]"):
        d.draw_lstm_cell(values={"c_new": [1, 2, 3]})
    with pytest.raises(TypeError, match="values must be a dict of vectors or None, got list"):
        d.draw_lstm_cell(values=[1, 2, 3])
    with pytest.raises(ValueError, match="digits must be <= 6, got 9"):
        d.draw_lstm_cell(values=VALUES, digits=9)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
@pytest.mark.parametrize("n", [1, 3])
def test_chains_render(kind, n):
    assert figure_png(d.draw_chain(kind, n)).startswith(b"\x89PNG")


def test_chain_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"kind must be one of \['lstm', 'rnn'\], got 'gru'"):
        d.draw_chain("gru")
    with pytest.raises(ValueError, match="n must be 1 or 3"):
        d.draw_chain("lstm", 2)
    with pytest.raises(ValueError, match="n must be <= 3, got 5"):
        d.draw_chain("lstm", 5)
    with pytest.raises(TypeError, match="n must be an int, got float"):
        d.draw_rnn_module(3.0)


def test_module_figures_and_legend_render():
    for fig in (d.draw_rnn_module(), d.draw_lstm_module(), d.draw_notation(), d.draw_gate(),
                d.draw_gate([0.5, 0.1, 0.8], [0.5, 0.6, 0.4])):
        assert figure_png(fig).startswith(b"\x89PNG")
    legend = [t.get_text() for t in d.draw_notation().axes[0].texts]
    for word in ("neural network\nlayer", "pointwise\noperation", "vector\ntransfer",
                 "concatenate", "copy"):
        assert word in legend
    gate = [t.get_text() for t in d.draw_gate([0.5, 0.1, 0.8], [0.5, 0.6, 0.4]).axes[0].texts]
    assert "out = [0.25, 0.06, 0.32]" in gate


def test_gate_needs_both_vectors():
    with pytest.raises(ValueError, match="give both gate and signal"):
        d.draw_gate([0.5, 0.1, 0.8])


def test_primitives_reject_non_string_labels():
    fig, ax = d.new_diagram((0, 1), (0, 1))
    with pytest.raises(TypeError, match="label must be a string such as 'σ' or '×', got int"):
        d.layer_box(ax, (0.5, 0.5), 1)
    with pytest.raises(TypeError,
                       match="symbol must be a string such as 'σ' or '×', got NoneType"):
        d.pointwise_op(ax, (0.5, 0.5), None)


def test_gate_rejects_mismatched_vectors():
    with pytest.raises(ValueError,
                       match=r"gate and signal must have the same shape, got \(3,\) and \(2,\)"):
        d.draw_gate([0.5, 0.1, 0.8], [0.5, 0.6])


def test_primitives_build_a_variant_diagram():
    """What Part III does: draw the plain cell, then add a peephole wire with the primitives."""
    fig, ax = d.new_diagram((-1, 12), (-2, 8))
    d.lstm_parts(ax, 0.0, 0.0, highlight=None, values=None)
    L = d.LSTM_LAYOUT
    artists = d.wire(ax, [(L["f"] - 0.6, L["cell_y"]), (L["f"] - 0.6, L["layer_y"])],
                     color=COLORS["f_t"])
    assert artists and all(a.axes is ax for a in artists)
    assert d.layer_box(ax, (11, 3), "σ", on=False).get_alpha() == d.STYLE.fade_alpha
    assert d.pointwise_op(ax, (11, 5), "1−").get_alpha() == 1.0
    assert d.junction(ax, (11, 1)) in ax.patches
    d.tag(ax, (11, 7), "$z_t$")
    d.value_tag(ax, (0, -1.5), "$z_t$", np.array([0.1, 0.2]))
    d.module_frame(ax, 0, 0, 2, 2, label="A")
    assert figure_png(fig).startswith(b"\x89PNG")
    assert d.with_style(layer="#FFFFFF").layer == "#FFFFFF"
    assert d.format_vector([0.5, -0.123]) == "[0.50, -0.12]"


def test_primitives_reject_bad_geometry():
    fig, ax = d.new_diagram((0, 1), (0, 1))
    with pytest.raises(ValueError,
                       match=r"points must be at least two \(x, y\) pairs, got shape \(1, 2\)"):
        d.wire(ax, [(0, 0)])
    with pytest.raises(ValueError,
                       match=r"xlim and ylim must be increasing, got \(1, 0\) and \(0, 1\)"):
        d.new_diagram((1, 0), (0, 1))


def test_gate_values_never_read_as_exactly_0_or_1():
    """Issue 11: the label says gate ∈ (0, 1); 0.00 and 1.00 beside it contradicted it."""
    assert d.format_gate([0.0, 0.5, 1.0]) == "[≈0.00, 0.50, ≈1.00]"
    assert d.format_gate([0.9999, 0.001, 0.25]) == "[0.9999, 0.001, 0.25]"
    assert d.format_gate([1e-9]) == "[≈0.00]"
    texts = [t.get_text() for t in d.draw_gate([0.0, 0.5, 1.0], [0.7, -0.4, 0.9]).axes[0].texts]
    assert "gate = [≈0.00, 0.50, ≈1.00]" in texts
