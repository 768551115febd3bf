"""Part III's variants: peepholes, coupled gates and the GRU, against references and PyTorch."""

import json
import math
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from lstm_edu.cells import (CIFGParams, GRUParams, LSTMParams, PeepholeLSTMParams, cifg_as_lstm,
                            cifg_step, gru_params_from_torch, gru_step, load_gru_params,
                            lstm_params_from_torch, lstm_step, peephole_lstm_step, run_sequence,
                            torch_gru_cell, with_peepholes)
from lstm_edu.experiments.recall import (RecallResult, RecallRun, make_recall_net, run_recall,
                                         train_recall)
from lstm_edu.experiments.variants import VariantRun, compare_variants, format_table, summarize
from lstm_edu.modules import (CLASSIC_CORES, CORES, StepRNN, cifg_module, count_parameters,
                              gru_module, lstm_module, peephole_module)

D, H, B, T = 3, 4, 5, 6


def rand_params(cls, seed=0, scale=0.7):
    rng = np.random.default_rng(seed)
    names = [f for f in cls.__dataclass_fields__]
    return cls(**{n: scale * rng.normal(size=(H, H + D) if n.startswith("W") else (H,))
                  for n in names})


@pytest.fixture
def xs():
    return np.random.default_rng(42).normal(size=(T, B, D))


def to_torch(params):
    return type(params)(**{k: torch.from_numpy(v) for k, v in vars(params).items()})


# --- an independent float64 reference: split matrices, explicit exp, plain loops ------------

def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def split(W):
    return W[:, :H], W[:, H:]  # the columns that see h, and those that see x


def reference_peephole(xs, p):
    h, c = np.zeros((xs.shape[1], H)), np.zeros((xs.shape[1], H))
    hs = []
    for x in xs:
        pre = {g: h @ split(getattr(p, f"W_{g}"))[0].T + x @ split(getattr(p, f"W_{g}"))[1].T
               + getattr(p, f"b_{g}") for g in "fico"}
        f = sig(pre["f"] + c * p.p_f)
        i = sig(pre["i"] + c * p.p_i)
        c_new = f * c + i * np.tanh(pre["c"])
        o = sig(pre["o"] + c_new * p.p_o)  # the output gate peeks at the NEW cell state
        h, c = o * np.tanh(c_new), c_new
        hs.append(h)
    return np.array(hs)


def reference_cifg(xs, p):
    h, c = np.zeros((xs.shape[1], H)), np.zeros((xs.shape[1], H))
    hs = []
    for x in xs:
        pre = {g: h @ split(getattr(p, f"W_{g}"))[0].T + x @ split(getattr(p, f"W_{g}"))[1].T
               + getattr(p, f"b_{g}") for g in "fco"}
        f = sig(pre["f"])
        c = f * c + (1.0 - f) * np.tanh(pre["c"])
        h = sig(pre["o"]) * np.tanh(c)
        hs.append(h)
    return np.array(hs)


def reference_gru_cho(xs, p):
    """Cho et al. 2014, eqs. 5-8: r and z on [h, x]; h̃ = tanh(W x + U (r ⊙ h)); h = z h + (1-z) h̃."""
    h = np.zeros((xs.shape[1], H))
    hs = []
    for x in xs:
        Ur, Wr = split(p.W_r)
        Uz, Wz = split(p.W_z)
        U, W = split(p.W_n)
        r = sig(x @ Wr.T + h @ Ur.T + p.b_r)
        z = sig(x @ Wz.T + h @ Uz.T + p.b_z)
        h_tilde = np.tanh(x @ W.T + (r * h) @ U.T + p.b_n + p.b_hn)
        h = z * h + (1.0 - z) * h_tilde
        hs.append(h)
    return np.array(hs)


# --- peepholes --------------------------------------------------------------------------------

def test_zero_peepholes_are_exactly_the_plain_lstm(xs):
    lstm = rand_params(LSTMParams)
    peep = with_peepholes(lstm)
    for run_xs, p_l, p_p in ((xs, lstm, peep), (torch.from_numpy(xs), to_torch(lstm), to_torch(peep))):
        a = run_sequence(lstm_step, run_xs, p_l)
        b = run_sequence(peephole_lstm_step, run_xs, p_p)
        for name in a:
            assert (a[name] == b[name]).all(), name


def test_peepholes_match_an_independent_reference(xs):
    p = rand_params(PeepholeLSTMParams, seed=1, scale=1.0)
    ours = run_sequence(peephole_lstm_step, xs, p)["h_t"]
    assert np.abs(ours - reference_peephole(xs, p)).max() <= 1e-12
    ours_torch = run_sequence(peephole_lstm_step, torch.from_numpy(xs), to_torch(p))["h_t"]
    assert np.abs(ours_torch.numpy() - reference_peephole(xs, p)).max() <= 1e-12
    # and the peepholes matter: without them the answer is different
    assert np.abs(run_sequence(lstm_step, xs, p.lstm)["h_t"] - ours).max() > 1e-3


def test_peepholes_on_some_gates_only(xs):
    lstm = rand_params(LSTMParams, seed=2)
    p_o = np.full(H, 2.0)
    only_o = run_sequence(peephole_lstm_step, xs, with_peepholes(lstm, p_o=p_o))
    plain = run_sequence(lstm_step, xs, lstm)
    # at t = 0 the state is zero, so f, i and C agree; o peeks at C_t != 0 and differs
    assert np.array_equal(only_o["f_t"][0], plain["f_t"][0])
    assert np.array_equal(only_o["c_t"][0], plain["c_t"][0])
    assert not np.allclose(only_o["o_t"][0], plain["o_t"][0])
    module = peephole_module(D, H, gates="o")
    trainable = {n for n, _ in module.named_parameters()}
    assert "p_o" in trainable and not {"p_f", "p_i"} & trainable
    assert sum(p.numel() for p in module.parameters()) == count_parameters("lstm", D, H) + H


def test_peephole_gradients_reach_the_peepholes(xs):
    module = peephole_module(D, H).double()
    out, (h, c) = module(torch.from_numpy(xs))
    out[-1].sum().backward()
    for name in ("p_f", "p_i", "p_o"):
        assert getattr(module, name).grad.abs().sum() > 0, name


# --- coupled gates ----------------------------------------------------------------------------

def test_cifg_is_the_lstm_with_its_input_gate_forced_to_one_minus_f(xs):
    p = rand_params(CIFGParams, seed=3)
    ours = run_sequence(cifg_step, xs, p)
    forced = run_sequence(lstm_step, xs, cifg_as_lstm(p))
    assert np.array_equal(ours["i_t"], 1 - ours["f_t"])
    for name in ours:
        assert np.abs(ours[name] - forced[name]).max() <= 1e-15, name
    assert np.abs(ours["h_t"] - reference_cifg(xs, p)).max() <= 1e-12
    torch_ours = run_sequence(cifg_step, torch.from_numpy(xs), to_torch(p))["h_t"].numpy()
    assert np.abs(torch_ours - ours["h_t"]).max() <= 1e-15


def test_cifg_has_a_quarter_fewer_parameters():
    assert count_parameters("lstm", 8, 32) == 5248
    assert count_parameters("cifg", 8, 32) == 3936
    assert count_parameters("cifg", 8, 32) / count_parameters("lstm", 8, 32) == 0.75
    assert count_parameters("peephole", 8, 32) == 5248 + 96
    assert count_parameters("gru", 8, 32) == 3 * 32 * 41 + 32
    assert rand_params(CIFGParams).num_parameters() == count_parameters("cifg", D, H)
    # Cho's and colah's GRU need one bias per layer: b_hn would only add to b_n
    for form in ("cho", "colah"):
        assert sum(p.numel() for p in gru_module(8, 32, form).parameters()) == 3 * 32 * 41


# --- the GRU ------------------------------------------------------------------------------------

def test_gru_torch_form_equals_gru_cell_and_gru():
    torch.manual_seed(0)
    cell = nn.GRUCell(D, H, dtype=torch.float64)
    p = gru_params_from_torch(cell)
    x = torch.randn(B, D, dtype=torch.float64)
    h = torch.randn(B, H, dtype=torch.float64)
    ref = cell(x, h).detach().numpy()
    assert np.abs(gru_step(x.numpy(), h.numpy(), p).h_t - ref).max() <= 1e-12
    assert np.abs(gru_step(x[0].numpy(), h[0].numpy(), p).h_t - ref[0]).max() <= 1e-12

    gru = nn.GRU(D, H, num_layers=2, dtype=torch.float64)
    xs = torch.randn(T, B, D, dtype=torch.float64)
    out, h_n = gru(xs)
    layer0 = run_sequence(gru_step, xs, gru_params_from_torch(gru, layer=0, as_numpy=False))["h_t"]
    layer1 = run_sequence(gru_step, layer0, gru_params_from_torch(gru, layer=1, as_numpy=False))["h_t"]
    assert (layer1 - out).abs().max().item() <= 1e-12
    assert (layer0[-1] - h_n[0]).abs().max().item() <= 1e-12


def test_gru_gate_order_is_r_z_n():
    gru = nn.GRU(D, H)
    p = gru_params_from_torch(gru)
    assert np.array_equal(p.W_r[:, H:], gru.weight_ih_l0[:H].detach().numpy())
    assert np.array_equal(p.W_z[:, :H], gru.weight_hh_l0[H:2 * H].detach().numpy())
    assert np.array_equal(p.b_hn, gru.bias_hh_l0[2 * H:].detach().numpy())
    assert np.array_equal(p.b_n, gru.bias_ih_l0[2 * H:].detach().numpy())


def test_gru_params_round_trip_exactly():
    p = rand_params(GRUParams, seed=4)
    for module in (nn.GRUCell(D, H, dtype=torch.float64), nn.GRU(D, H, dtype=torch.float64)):
        back = gru_params_from_torch(load_gru_params(module, p))
        for name, value in vars(p).items():
            assert np.array_equal(getattr(back, name), value), name
    cell = torch_gru_cell(to_torch(p))
    x, h = torch.randn(B, D, dtype=torch.float64), torch.randn(B, H, dtype=torch.float64)
    assert (cell(x, h) - gru_step(x, h, to_torch(p)).h_t).abs().max().item() <= 1e-12


def test_cho_form_is_another_function_and_matches_the_paper(xs):
    p = rand_params(GRUParams, seed=5, scale=1.0)
    torch_form = run_sequence(gru_step, xs, p)["h_t"]
    cho = run_sequence(partial(gru_step, form="cho"), xs, p)["h_t"]
    assert np.abs(cho - torch_form).max() > 1e-2
    assert np.abs(cho - reference_gru_cho(xs, p)).max() <= 1e-12


def test_colah_form_is_cho_with_z_flipped(xs):
    p = rand_params(GRUParams, seed=6)
    flipped = GRUParams(**{**vars(p), "W_z": -p.W_z, "b_z": -p.b_z})  # σ(−a) = 1 − σ(a)
    colah = run_sequence(partial(gru_step, form="colah"), xs, flipped)
    cho = run_sequence(partial(gru_step, form="cho"), xs, p)
    assert np.abs(colah["h_t"] - cho["h_t"]).max() <= 1e-15
    assert np.abs(colah["z_t"] - (1 - cho["z_t"])).max() <= 1e-15


def test_forms_agree_when_the_reset_gate_is_open(xs):
    p = rand_params(GRUParams, seed=7)
    open_r = GRUParams(**{**vars(p), "W_r": 0 * p.W_r, "b_r": np.full(H, 40.0)})  # σ(40) == 1.0
    a = run_sequence(gru_step, xs, open_r)
    b = run_sequence(partial(gru_step, form="cho"), xs, open_r)
    assert np.all(a["r_t"] == 1.0)
    assert np.abs(a["h_t"] - b["h_t"]).max() <= 1e-15


def test_gru_rejects_bad_input():
    p = rand_params(GRUParams)
    with pytest.raises(ValueError, match=r"form must be one of \['cho', 'colah', 'torch'\], got 'pytorch'"):
        gru_step(np.zeros(D), np.zeros(H), p, form="pytorch")
    with pytest.raises(TypeError, match="form must be a string, got int"):
        gru_step(np.zeros(D), np.zeros(H), p, form=1)
    with pytest.raises(TypeError, match="params must be GRUParams, got LSTMParams"):
        gru_step(np.zeros(D), np.zeros(H), rand_params(LSTMParams))
    with pytest.raises(ValueError, match=r"h_prev must have shape \(4,\)"):
        gru_step(np.zeros(D), np.zeros(H + 1), p)
    with pytest.raises(TypeError, match="module must be GRUCell or GRU, got LSTM"):
        gru_params_from_torch(nn.LSTM(D, H))
    with pytest.raises(ValueError, match=r"b_hn must have shape \(4,\), got shape \(5,\)"):
        GRUParams(**{**vars(p), "b_hn": np.zeros(5)})
    with pytest.raises(ValueError, match="needs stacked weights of shape"):
        load_gru_params(nn.GRU(D + 1, H), p)
    with pytest.raises(TypeError, match="params must be GRUParams, got CIFGParams"):
        load_gru_params(nn.GRU(D, H), rand_params(CIFGParams))


def test_variant_steps_reject_bad_input():
    with pytest.raises(TypeError, match="params must be PeepholeLSTMParams, got LSTMParams"):
        peephole_lstm_step(np.zeros(D), np.zeros(H), np.zeros(H), rand_params(LSTMParams))
    with pytest.raises(TypeError, match="params must be CIFGParams, got LSTMParams"):
        cifg_step(np.zeros(D), np.zeros(H), np.zeros(H), rand_params(LSTMParams))
    with pytest.raises(ValueError, match=r"c_prev must have shape \(4,\)"):
        cifg_step(np.zeros(D), np.zeros(H), np.zeros(2), rand_params(CIFGParams))
    with pytest.raises(ValueError, match=r"p_o must have 1 dimension\(s\), got shape \(4, 7\)"):
        with_peepholes(rand_params(LSTMParams), p_o=np.zeros((H, H + D)))
    with pytest.raises(TypeError, match="params must be LSTMParams, got CIFGParams"):
        with_peepholes(rand_params(CIFGParams))
    with pytest.raises(TypeError, match="params must be CIFGParams, got LSTMParams"):
        cifg_as_lstm(rand_params(LSTMParams))
    with pytest.raises(ValueError, match=r"cell must be one of .*got 'lstn'"):
        count_parameters("lstn", 8, 32)
    with pytest.raises(TypeError, match="hidden_size must be an int, got float"):
        count_parameters("lstm", 8, 32.0)


# --- trainable modules -----------------------------------------------------------------------

def test_modules_equal_torch_nn_with_the_same_weights():
    torch.manual_seed(1)
    xs = torch.randn(T, B, D)
    lstm = nn.LSTM(D, H)
    ours = lstm_module(D, H)
    with torch.no_grad():
        for name, value in vars(lstm_params_from_torch(lstm, as_numpy=False)).items():
            getattr(ours, name).copy_(value)
    (out_ref, (h_ref, c_ref)), (out, (h, c)) = lstm(xs), ours(xs)
    assert out.shape == (T, B, H) and h.shape == (B, H)
    assert (out - out_ref).abs().max().item() < 1e-6 and (c - c_ref[0]).abs().max().item() < 1e-6

    gru = nn.GRU(D, H)
    ours = gru_module(D, H)
    with torch.no_grad():
        for name, value in vars(gru_params_from_torch(gru, as_numpy=False)).items():
            getattr(ours, name).copy_(value)
    assert (ours(xs)[0] - gru(xs)[0]).abs().max().item() < 1e-6


def test_cores_are_registered_with_their_initialisations():
    scratch = {"lstm_scratch", "peephole", "cifg", "gru_scratch", "gru_cho"}
    assert scratch <= set(CLASSIC_CORES) <= set(CORES)
    log_t = math.log(100)
    peep = make_recall_net("peephole", T=100, hidden_size=4, init="chrono").core
    assert torch.allclose(peep.b_f, torch.full((4,), log_t))
    assert torch.allclose(peep.b_i, torch.full((4,), -log_t))
    cifg = make_recall_net("cifg", T=100, hidden_size=4, init="chrono").core
    assert torch.allclose(cifg.b_f, torch.full((4,), log_t))
    gru = make_recall_net("gru_scratch", T=100, hidden_size=4, init="one").core
    assert torch.allclose(gru.b_z, torch.ones(4))
    default = make_recall_net("cifg", T=100, hidden_size=4, seed=3).core
    assert default.b_f.abs().max() <= 0.5  # uniform(−1/√H, 1/√H)
    assert isinstance(default, StepRNN) and "cifg" in repr(default)


def test_a_scratch_core_learns_a_short_gap():
    result = train_recall(make_recall_net("cifg", T=5, hidden_size=16, seed=0), T=5, steps=150)
    assert result.solved


def test_module_rejects_bad_input():
    # the wording of the package's one input policy (lstm_edu.cells.check_sequence, issue 22),
    # or the module's own earlier one: either names the dimensions wanted and the shape that came
    with pytest.raises(ValueError, match=r"x must (have 3 dimension\(s\), got shape|be a "
                                         r"\(T, B, D\) tensor, got) \(5, 3\)"):
        cifg_module(D, H)(torch.zeros(5, D))
    with pytest.raises(ValueError, match="gates must be letters from 'fio', got 'fx'"):
        peephole_module(D, H, gates="fx")
    with pytest.raises(TypeError, match="params_cls must be a CellParams subclass"):
        StepRNN(dict, lstm_step, D, H)
    with pytest.raises(ValueError, match=r"frozen names unknown field\(s\) \['p_q'\]"):
        StepRNN(LSTMParams, lstm_step, D, H, frozen=("p_q",))
    with pytest.raises(ValueError, match="form must be one of"):
        gru_module(D, H, form="keras")


def test_summary_table():
    net = make_recall_net("cifg", T=100, hidden_size=32)
    runs = [RecallRun("cifg", 100, s, "chrono", net,
                      RecallResult(acc, at or 400, at, seconds=1.0), 3936)
            for s, (acc, at) in enumerate([(1.0, 75), (1.0, 125), (0.3, None)])]
    (row,) = summarize(runs)
    assert row["solved"] == 2 and row["steps_median"] == 100 and row["steps_max"] is None
    text = format_table([row])
    assert "2/3" in text and "0.30-1.00" in text and "time: 1.0 s" in text
    assert "time:" not in format_table([row], timings=False)
    assert not any(0x2300 <= ord(ch) <= 0x23FF or ord(ch) > 0xFFFF for ch in text)


def test_summary_counts_every_core_one_way():
    """nn.LSTM (two biases per gate) and the peephole LSTM (one) in one table: the column
    counts one bias per gate for both, so the peephole LSTM shows 3 H more, not fewer."""
    runs = []
    for cell, torch_count in (("lstm", 5376), ("peephole", 5344), ("gru", 4032)):
        net = make_recall_net(cell, T=10, hidden_size=32)
        runs.append(RecallRun(cell, 10, 0, "chrono", net, RecallResult(1.0, 25, 25), torch_count))
    counts = {row["cell"]: row["parameters"] for row in summarize(runs)}
    assert counts == {"lstm": 5248, "peephole": 5248 + 96, "gru": 3 * 32 * 41 + 32}
    with pytest.raises(TypeError, match="runs must be VariantRun"):
        summarize([{"cell": "lstm"}])


def test_compare_variants_gives_every_arm_the_same_budget():
    lines = []
    runs = compare_variants(["rnn", "cifg"], Ts=(30,), seeds=(0,), init="default", steps=10,
                            log=lines.append)
    assert [r.steps for r in runs] == [10, 10] and len(lines) == 2
    assert "rnn" in lines[0] and "solved at -" in lines[0]
    lines.clear()
    compare_variants(["cifg"], Ts=(5,), seeds=(0,), steps=1, log=lines.append, announce=True)
    assert len(lines) == 2 and lines[0].endswith("training ...") and "accuracy" in lines[1]
    with pytest.raises(ValueError, match="cell must be one of"):
        compare_variants(["lstn"], steps=1)
    with pytest.raises(TypeError, match="cells must be a list"):
        compare_variants("lstm")


def test_modules_check_their_first_step_only():
    for module in (peephole_module(D, H), gru_module(D, H, "cho"), lstm_module(D, H)):
        assert module._can_skip_checks
    with pytest.raises(ValueError, match=r"x_t must have last dimension D=3, got shape \(2, 4\)"):
        cifg_module(D, H)(torch.zeros(5, 2, D + 1))
    with pytest.raises(TypeError, match="mix of NumPy arrays and torch tensors"):
        cifg_module(D, H)(torch.zeros(5, 2, D), state=(np.zeros((2, H)), np.zeros((2, H))))


# --- notebook 09's own loop: the one the recorded grid (compare_variants) runs ----------------

NOTEBOOK_09 = Path(__file__).resolve().parents[1] / "notebooks" / "09_lstm_variants.ipynb"


def notebook_09_loop() -> dict:
    """``build_net`` and ``train_on_gap`` as notebook 09 defines them, run from its cells."""
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK_09.read_text())["cells"]
             if c["cell_type"] == "code"]
    ns: dict = {}
    exec(cells[0], ns)  # noqa: S102 - the imports cell of the course's own notebook
    for marker in ("def build_net", "def train_on_gap"):
        (cell,) = [c for c in cells if marker in c]
        exec(cell, ns)  # noqa: S102
    return ns


@pytest.mark.parametrize("cell, init, T, seed, steps", [
    ("lstm", "chrono", 10, 0, 50), ("cifg", "default", 5, 1, 30), ("gru", "chrono", 10, 2, 50)])
def test_notebook_09_loop_is_the_recorded_grids_loop(cell, init, T, seed, steps):
    """The grid in benchmarks/RESULTS.md ran run_recall; notebook 09 quotes it for its own loop.
    Same model, same batches, same steps: the same run, bit for bit."""
    ns = notebook_09_loop()
    net = ns["build_net"](cell, init, T, seed)
    solved_at, accuracy = ns["train_on_gap"](net, T, seed, steps)
    reference = run_recall(cell, T, seed=seed, init=init, steps=steps)
    assert (solved_at, accuracy) == (reference.solved_at, reference.accuracy)
    ours, theirs = net.state_dict(), reference.net.state_dict()
    assert ours.keys() == theirs.keys()
    assert all(torch.equal(ours[k], theirs[k]) for k in ours)


def test_variant_run_records_and_prints_a_run():
    net = make_recall_net("cifg", T=10, hidden_size=32)
    run = VariantRun("cifg", 10, "chrono", 0, None, 0.27, 1.25, net)
    assert str(run) == "     cifg T=10    chrono seed=0  accuracy 0.27  solved at -  time: 1.2 s"
    (row,) = summarize([run])
    assert row["solved"] == 0 and row["parameters"] == count_parameters("cifg", 8, 32)
    with pytest.raises(ValueError, match="cell must be one of"):
        VariantRun("lstn", 10, "chrono", 0, None, 0.27, 1.0, net)
    with pytest.raises(TypeError, match="net must be the run's model"):
        VariantRun("cifg", 10, "chrono", 0, None, 0.27, 1.0, "net")
