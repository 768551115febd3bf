"""Every cell and module keeps its inputs' device: states, default starts and constants follow x.

No GPU is needed: tensors on torch's ``meta`` device have shapes and dtypes but no numbers,
and any tensor made without ``device=`` lands on the CPU instead, which these tests catch.
(Removing the ``device=`` in ``cells.base.zeros_like_input`` fails every runner test here.)
"""

import pytest
import torch
from torch import nn

from lstm_edu.cells import (lstm_params_from_torch, lstm_step, gru_step, peephole_lstm_step,
                            cifg_step, rnn_step, run_sequence)
from lstm_edu.cells.min_rnn import (coefficients, cumprod_scan, log_space_scan, min_rnn_loop,
                                    min_rnn_scan, sequential_scan)
from lstm_edu.cells.xlstm import mlstm_parallel, mlstm_zero_state, run_mlstm, run_slstm
from lstm_edu.modules import (MLSTMLayer, MinGRULayer, MinLSTMLayer, SLSTMLayer, cifg_module,
                              gru_module, lstm_module, peephole_module, rnn_module)

META = torch.device("meta")
T, B, D, H = 5, 2, 3, 4


def on_meta(*tensors):
    """Every tensor (nested in tuples, lists and dicts) is on the meta device."""
    flat = []
    for t in tensors:
        if isinstance(t, dict):
            flat += list(t.values())
        elif isinstance(t, (tuple, list)):
            flat += list(t)
        else:
            flat.append(t)
    assert flat
    return all(t.device == META for t in flat)


def xs():
    return torch.zeros(T, B, D, device=META)


CLASSIC = {"rnn": (rnn_module, rnn_step), "lstm": (lstm_module, lstm_step),
           "peephole": (peephole_module, peephole_lstm_step), "cifg": (cifg_module, cifg_step),
           "gru": (gru_module, gru_step)}


@pytest.mark.parametrize("name", CLASSIC)
def test_classic_zero_state_runner_and_module_stay_on_the_inputs_device(name):
    build, step = CLASSIC[name]
    with META:
        module = build(D, H)
    params = module.params()
    assert on_meta(params.zero_state(xs()[0]))
    assert on_meta(run_sequence(step, xs(), params))
    for fused in (True, False):
        module.fused = fused
        out, state = module(xs())
        assert on_meta(out, state), (name, fused)


def test_bridge_fills_a_missing_bias_on_the_modules_device():
    params = lstm_params_from_torch(nn.LSTMCell(D, H, bias=False, device=META), as_numpy=False)
    assert on_meta(list(params.arrays().values()))
    assert on_meta(run_sequence(lstm_step, xs(), params))


@pytest.mark.parametrize("stabilized", [True, False])
def test_slstm_runner_and_layer(stabilized):
    with META:
        layer = SLSTMLayer(D, H)
    params = layer.params()
    assert on_meta(params.zero_state(xs()[0]))
    assert on_meta(run_slstm(xs(), params, stabilized=stabilized))
    assert on_meta(layer(xs()))


@pytest.mark.parametrize("form", ["parallel", "recurrent"])
def test_mlstm_runner_parallel_form_and_layer(form):
    with META:
        layer = MLSTMLayer(D, H, head_dim=3, form=form)
    params = layer.params()
    assert on_meta(mlstm_zero_state(xs()[0], params))
    assert on_meta(run_mlstm(xs(), params))
    assert on_meta(mlstm_parallel(xs(), params)._asdict())
    assert on_meta(layer(xs()))


@pytest.mark.parametrize("layer_cls", [MinGRULayer, MinLSTMLayer])
@pytest.mark.parametrize("mode", ["scan", "loop"])
def test_min_rnn_loop_scan_and_layer(layer_cls, mode):
    with META:
        layer = layer_cls(D, H, mode=mode)
    params = layer.cell_params()
    assert on_meta(params.zero_state(xs()[0]))
    assert on_meta(min_rnn_loop(xs(), params))          # its default h0 is made like xs
    assert on_meta(min_rnn_scan(xs(), params))
    assert on_meta(coefficients(xs(), params))
    assert on_meta(layer(xs()))


def test_the_three_scans():
    a = torch.full((T, B, H), 0.5, device=META)
    b = torch.ones(T, B, H, device=META)
    h0 = torch.ones(B, H, device=META)
    assert on_meta(sequential_scan(a, b), sequential_scan(a, b, h0))
    assert on_meta(log_space_scan(a.log(), b.log()), log_space_scan(a.log(), b.log(), h0))
    assert on_meta(cumprod_scan(a, b), cumprod_scan(a, b, h0))


def test_a_state_on_another_device_is_named():
    with META:
        module = lstm_module(D, H)
    params = module.params()
    cpu_state = (torch.zeros(H), torch.zeros(H))
    with pytest.raises(ValueError, match=r"tensors must be on one device, got x_t is on meta, "
                                         r"h_prev is on cpu"):
        lstm_step(torch.zeros(D, device=META), *cpu_state, params)
