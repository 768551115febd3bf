"""One input policy for every cell family, every generator and every trainable module.

The table below has a row for each public step function, runner, scan, params class,
generator and module constructor of ``lstm_edu`` (issue 22, item 3). Every row is a bad input
that gets a ``ValueError`` or ``TypeError`` naming what was expected and what came:

* NaN or inf in any input or state: ValueError "<name> contains NaN or inf";
* a flag that is not True or False: TypeError "<name> must be True or False";
* arrays of two dtypes (NumPy or torch): TypeError naming every array and its dtype;
* a size that is not an int >= 1: TypeError / ValueError naming the size and the value.

A second part checks that the one params base serves every family: ``StepRNN`` trains an
sLSTM or a minGRU from its step function exactly as the family's own runner computes it.
"""

import numpy as np
import pytest
import torch
from torch import nn

from lstm_edu.cells import (CIFGParams, GRUParams, LSTMParams, RNNParams,
                            cifg_as_lstm, cifg_step, gru_step, lstm_params_from_torch, lstm_step,
                            peephole_lstm_step, rnn_step, run_sequence, torch_lstm_cell,
                            with_peepholes)
from lstm_edu.cells.min_rnn import (MinGRUParams, MinLSTMParams, coefficients, cumprod_scan,
                                    log_coefficients, log_space_scan, min_gru_step, min_lstm_step,
                                    min_rnn_loop, min_rnn_scan, sequential_scan)
from lstm_edu.cells.xlstm import (MLSTMParams, SLSTMParams, mlstm_parallel, mlstm_step,
                                  random_mlstm_params, random_slstm_params, run_mlstm, run_slstm,
                                  slstm_raw_step, slstm_step)
from lstm_edu.data import recall_task, sin_cos_data
from lstm_edu.modules import (MinGRULayer, MinLSTMLayer, MLSTMLayer, SLSTMLayer, StepRNN,
                              cifg_module, count_parameters, gate_biases, gru_module,
                              lstm_module, peephole_module, rnn_module)
from lstm_edu.worked_example import logit, worked_example
from lstm_edu.cells.lstm_backward import lstm_bptt, lstm_step_backward

D, H = 2, 3
RNG = np.random.default_rng(0)


def normal(*shape, dtype=np.float64):
    return RNG.normal(size=shape).astype(dtype)


def hx_params(cls, gates, **extra):
    """Classic params (W on [h, x]) with every W (H, H + D), every b (H,)."""
    return cls(**{f"{k}_{g}": normal(H, H + D) if k == "W" else normal(H)
                  for g in gates for k in "Wb"}, **extra)


RNN = RNNParams(W=normal(H, H + D), b=normal(H))
LSTM = hx_params(LSTMParams, "fico")
PEEP = with_peepholes(LSTM, p_f=normal(H))
CIFG = hx_params(CIFGParams, "fco")
GRU = GRUParams(**{f"{k}_{g}": normal(H, H + D) if k == "W" else normal(H)
                   for g in "rzn" for k in "Wb"}, b_hn=normal(H))
SLSTM = random_slstm_params(D, H)
MLSTM = random_mlstm_params(D, H)
MINGRU = MinGRUParams(W_z=normal(H, D), b_z=normal(H), W_h=normal(H, D), b_h=normal(H))
MINLSTM = MinLSTMParams(**{f"{k}_{g}": normal(H, D) if k == "W" else normal(H)
                           for g in "fih" for k in "Wb"})

x, h, c = np.zeros(D), np.zeros(H), np.zeros(H)
xs = np.zeros((5, D))
x32 = np.zeros(D, dtype=np.float32)


def nan_at(a, index=0, value=np.nan):
    a = a.copy()
    a.flat[index] = value
    return a


def mixed(params, name):
    """``params`` with one array cast to float32."""
    return {**params.arrays(), name: getattr(params, name).astype(np.float32)}


def torch_params(params):
    return type(params)(**{n: torch.from_numpy(a) for n, a in params.arrays().items()})


ROWS = [
    # --- params: one base, one set of checks --------------------------------------------
    ("RNNParams H=0", lambda: RNNParams(W=np.zeros((0, 3)), b=np.zeros(0)),
     ValueError, r"W must have shape \(H, H \+ D\) with H >= 1, got shape \(0, 3\)"),
    ("LSTMParams dtypes", lambda: LSTMParams(**mixed(LSTM, "W_i")),
     TypeError, r"arrays must share one dtype, got W_f is float64, b_f is float64, "
                r"W_i is float32"),
    ("PeepholeLSTMParams str", lambda: with_peepholes(LSTM, p_o="0.1"),
     TypeError, "p_o must be a numpy.ndarray or torch.Tensor, got str"),
    ("CIFGParams NaN", lambda: CIFGParams(**{**CIFG.arrays(), "b_o": nan_at(CIFG.b_o)}),
     ValueError, "b_o contains NaN or inf"),
    ("GRUParams shape", lambda: GRUParams(**{**GRU.arrays(), "b_hn": np.zeros(4)}),
     ValueError, r"b_hn must have shape \(3,\), got shape \(4,\)"),
    ("SLSTMParams forget", lambda: SLSTMParams(**SLSTM.arrays(), forget="tanh"),
     ValueError, r"forget must be one of \['exp', 'sigmoid'\], got 'tanh'"),
    ("MLSTMParams shape", lambda: MLSTMParams(**{**MLSTM.arrays(), "w_f": np.zeros(3)}),
     ValueError, r"w_f must have shape \(2,\), got shape \(3,\)"),
    ("MinGRUParams H=0", lambda: MinGRUParams(W_z=np.zeros((0, 2)), b_z=np.zeros(0),
                                              W_h=np.zeros((0, 2)), b_h=np.zeros(0)),
     ValueError, r"W_z must have shape \(H, D\) with H >= 1, got shape \(0, 2\)"),
    ("MinLSTMParams ints", lambda: MinLSTMParams(**{**MINLSTM.arrays(),
                                                    "W_f": np.zeros((H, D), dtype=int)}),
     TypeError, "W_f must hold floats, got dtype int64"),
    # --- step functions: NaN, flags, dtypes, shapes --------------------------------------
    ("rnn_step NaN h_prev", lambda: rnn_step(x, nan_at(h), RNN),
     ValueError, "h_prev contains NaN or inf, expected finite numbers"),
    ("lstm_step dtypes", lambda: lstm_step(x32, h, c, LSTM),
     TypeError, r"arrays must share one dtype, got x_t is float32, h_prev is float64"),
    ("peephole_lstm_step check flag", lambda: peephole_lstm_step(x, h, c, PEEP, check="no"),
     TypeError, "check must be True or False, got str 'no'"),
    ("cifg_step inf c_prev", lambda: cifg_step(x, h, nan_at(c, 1, np.inf), CIFG),
     ValueError, "c_prev contains NaN or inf"),
    ("gru_step form", lambda: gru_step(x, h, GRU, form="keras"),
     ValueError, r"form must be one of \['cho', 'colah', 'torch'\], got 'keras'"),
    ("slstm_step NaN h_prev", lambda: slstm_step(x, nan_at(h), h, h, h, SLSTM),
     ValueError, "h_prev contains NaN or inf"),
    ("slstm_raw_step dtypes", lambda: slstm_raw_step(x32, h, h, h, SLSTM),
     TypeError, "arrays must share one dtype, got x_t is float32"),
    ("mlstm_step NaN C_prev", lambda: mlstm_step(x, nan_at(np.zeros((H, H))), np.zeros(H),
                                                 np.zeros(1), MLSTM),
     ValueError, "C_prev contains NaN or inf"),
    ("mlstm_step shape", lambda: mlstm_step(x, np.zeros((H, H)), np.zeros(H), np.zeros(2),
                                            MLSTM),
     ValueError, r"m_prev must have shape \(1,\) to match x_t \(2,\) and H=3, got shape \(2,\)"),
    ("min_gru_step NaN x_t", lambda: min_gru_step(nan_at(x), h, MINGRU),
     ValueError, "x_t contains NaN or inf"),
    ("min_gru_step negative flag", lambda: min_gru_step(x, h, MINGRU, negative="yes"),
     TypeError, "negative must be True or False, got str 'yes'"),
    ("min_lstm_step torch dtypes",
     lambda: min_lstm_step(torch.zeros(D), torch.zeros(H), torch_params(MINLSTM)),
     TypeError, r"tensors must share one dtype, got x_t is float32, h_prev is float32, "
                r"params is float64"),
    # --- runners and scans ---------------------------------------------------------------
    ("run_sequence NaN at t=3", lambda: run_sequence(lstm_step, nan_at(xs, 6), LSTM),
     ValueError, "xs contains NaN or inf"),
    ("run_sequence state0 count", lambda: run_sequence(lstm_step, xs, LSTM, state0=(h,)),
     ValueError, r"state0 must hold 2 array\(s\) for LSTMParams, got 1"),
    ("run_slstm stabilized flag", lambda: run_slstm(xs, SLSTM, stabilized="no"),
     TypeError, "stabilized must be True or False, got str 'no'"),
    ("run_mlstm ints", lambda: run_mlstm(xs.astype(int), MLSTM),
     TypeError, "xs must hold floats, got dtype int64"),
    ("mlstm_parallel dtypes", lambda: mlstm_parallel(xs.astype(np.float32), MLSTM),
     TypeError, "arrays must share one dtype, got xs is float32, weights is float64"),
    ("min_rnn_loop h0 inf", lambda: min_rnn_loop(xs, MINGRU, h0=np.full(H, np.inf)),
     ValueError, "h0 contains NaN or inf"),
    ("min_rnn_scan NaN xs", lambda: min_rnn_scan(nan_at(xs), MINGRU),
     ValueError, "xs contains NaN or inf"),
    ("min_rnn_scan torch dtypes",
     lambda: min_rnn_scan(torch.zeros(5, D), torch_params(MINGRU)),
     TypeError, "tensors must share one dtype, got xs is float32, params is float64"),
    ("coefficients negative flag", lambda: coefficients(xs, MINLSTM, negative=1),
     TypeError, "negative must be True or False, got int 1"),
    ("log_coefficients D", lambda: log_coefficients(np.zeros((5, 4)), MINLSTM),
     ValueError, r"xs must have last dimension D=2, got shape \(5, 4\)"),
    ("sequential_scan NaN a", lambda: sequential_scan(nan_at(np.ones((4, 2))), np.ones((4, 2))),
     ValueError, "a contains NaN or inf"),
    ("log_space_scan dtypes",
     lambda: log_space_scan(np.zeros((4, 2), np.float32), np.zeros((4, 2))),
     TypeError, "arrays must share one dtype, got log_a is float32, log_b is float64"),
    ("sequential_scan check flag", lambda: sequential_scan(np.ones((4, 2)), np.ones((4, 2)),
                                                           check="no"),
     TypeError, "check must be True or False, got str 'no'"),
    ("cumprod_scan a = 0", lambda: cumprod_scan(nan_at(np.ones((4, 2)), 3, 0.0),
                                                np.ones((4, 2))),
     ValueError, "a must be nonzero everywhere for cumprod_scan"),
    # --- generators -----------------------------------------------------------------------
    ("random_slstm_params str size", lambda: random_slstm_params(2, "3"),
     TypeError, "hidden_size must be an int, got str"),
    ("random_mlstm_params negative size", lambda: random_mlstm_params(2, -1),
     ValueError, "hidden_size must be >= 1, got -1"),
    ("random_mlstm_params key_size", lambda: random_mlstm_params(2, 3, key_size=0),
     ValueError, "key_size must be >= 1, got 0"),
    ("random_slstm_params seed", lambda: random_slstm_params(2, 3, seed=1.5),
     TypeError, "seed must be an int, got float"),
    ("sin_cos_data int dtype", lambda: sin_cos_data(dtype=int),
     TypeError, "dtype must be a float dtype such as np.float32 or np.float64, got 'int'"),
    ("sin_cos_data empty training set", lambda: sin_cos_data(train_ratio=0),
     ValueError, r"train_ratio=0.0 leaves 0 of n=200 samples for training"),
    ("sin_cos_data empty test set", lambda: sin_cos_data(train_ratio=1.0),
     ValueError, "and 0 for testing: both parts need at least one"),
    ("recall_task str batch", lambda: recall_task(T=3, batch_size="4"),
     TypeError, "batch_size must be an int, got str"),
    ("logit str", lambda: logit("0.5"),
     TypeError, "p must be a number or an array of numbers, got str '0.5'"),
    ("with_peepholes wrong params", lambda: with_peepholes(RNN),
     TypeError, "params must be LSTMParams, got RNNParams"),
    ("cifg_as_lstm wrong params", lambda: cifg_as_lstm(LSTM),
     TypeError, "params must be CIFGParams, got LSTMParams"),
    ("lstm_params_from_torch module", lambda: lstm_params_from_torch(nn.GRUCell(D, H)),
     TypeError, "module must be LSTMCell or LSTM, got GRUCell"),
    ("torch_lstm_cell params", lambda: torch_lstm_cell(RNN),
     TypeError, "params must be LSTMParams, got RNNParams"),
    # --- trainable modules: constructors and forward ---------------------------------------
    ("lstm_module H=0", lambda: lstm_module(D, 0), ValueError, "hidden_size must be >= 1, got 0"),
    ("rnn_module str D", lambda: rnn_module("2", H), TypeError, "input_size must be an int, got str"),
    ("cifg_module bool H", lambda: cifg_module(D, True), TypeError,
     "hidden_size must be an int, got bool"),
    ("peephole_module gates", lambda: peephole_module(D, H, gates="fx"),
     ValueError, "gates must be letters from 'fio', got 'fx'"),
    ("gru_module form", lambda: gru_module(D, H, form="keras"), ValueError, "form must be one of"),
    ("StepRNN params_cls", lambda: StepRNN(dict, lstm_step, D, H),
     TypeError, "params_cls must be a CellParams subclass"),
    ("SLSTMLayer forget", lambda: SLSTMLayer(D, H, forget="tanh"),
     ValueError, "forget must be one of"),
    ("MLSTMLayer form", lambda: MLSTMLayer(D, H, form="fast"), ValueError, "form must be one of"),
    ("MinGRULayer negative flag", lambda: MinGRULayer(D, H, negative="yes"),
     TypeError, "negative must be True or False, got str 'yes'"),
    ("MinLSTMLayer mode", lambda: MinLSTMLayer(D, H, mode="fast"),
     ValueError, "mode must be one of"),
    ("count_parameters H=0", lambda: count_parameters("lstm", D, 0),
     ValueError, "hidden_size must be >= 1, got 0"),
    ("gate_biases init", lambda: gate_biases("zero", 10), ValueError, "init must be one of"),
    ("lstm_module forward dtypes", lambda: lstm_module(D, H)(torch.zeros(5, 2, D).double()),
     TypeError, r"tensors must share one dtype, got x_t is float64, h_prev is float64, "
                r"c_prev is float64, params is float32"),
    ("SLSTMLayer forward dtypes", lambda: SLSTMLayer(D, H)(torch.zeros(5, 2, D).double()),
     TypeError, "tensors must share one dtype, got x is float64, weights is float32"),
    ("MLSTMLayer forward NaN", lambda: MLSTMLayer(D, H)(torch.full((5, 2, D), float("nan"))),
     ValueError, "x contains NaN or inf"),
    ("MinGRULayer forward dtypes", lambda: MinGRULayer(D, H)(torch.zeros(5, 2, D).double()),
     TypeError, "tensors must share one dtype, got x is float64, weights is float32"),
    ("StepRNN forward not a tensor", lambda: rnn_module(D, H)(np.zeros((5, 2, D))),
     TypeError, r"x must be a \(T, B, D\) torch.Tensor, got ndarray"),
    # --- Part VI: the backward pass (tests/test_lstm_backward.py has more) ----------------
    ("lstm_step_backward NaN", lambda: lstm_step_backward(
        np.array([np.nan, 0.0, 0.0]), np.zeros(3), worked_example().step,
        worked_example().c_prev, worked_example().params),
     ValueError, "dh_t contains NaN or inf"),
    ("lstm_step_backward dtypes", lambda: lstm_step_backward(
        np.zeros(3, dtype=np.float32), np.zeros(3), worked_example().step,
        worked_example().c_prev, worked_example().params),
     TypeError, "arrays must share one dtype"),
    ("lstm_bptt shape", lambda: lstm_bptt(np.zeros((4, 3)), worked_example().params,
                                          np.zeros((3, 3))),
     ValueError, r"dhs must have shape \(4, 3\)"),
    ("lstm_bptt truncate", lambda: lstm_bptt(np.zeros((4, 3)), worked_example().params,
                                             np.zeros((4, 3)), truncate=True),
     TypeError, "truncate must be an int"),
]


@pytest.mark.parametrize("call, error, message", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_the_table_covers_every_public_step_runner_and_generator():
    """A new public step, runner, scan or generator must get a row (its name in an id)."""
    import lstm_edu.cells as cells
    import lstm_edu.cells.min_rnn as min_rnn
    import lstm_edu.cells.xlstm as xlstm
    public = {n for mod in (cells, min_rnn, xlstm) for n in dir(mod)
              if not n.startswith("_") and (n.endswith("_step") or n.startswith("run_")
                                            or n.endswith("_scan") or n.startswith("random_")
                                            or n.endswith("Params") or n.endswith("coefficients")
                                            or n == "mlstm_parallel" or n.endswith("_backward")
                                            or n.endswith("_bptt"))}
    # a record, the bases (their checks run in every params row), the steps' shared check
    public -= {"LSTMStep", "MinParams", "CellParams", "check_step", "lstm_backward"}  # a module
    covered = " ".join(r[0] for r in ROWS)
    missing = sorted(n for n in public if n not in covered)
    assert not missing, f"no bad-input row for {missing}"


# --- one base, one runner: StepRNN trains any family's step ---------------------------------

def test_step_rnn_runs_the_slstm_step_as_its_runner_does():
    torch.manual_seed(0)
    module = StepRNN(SLSTMParams, slstm_step, D, H).double()
    assert module.names == list(SLSTMParams.array_names())  # `forget` is not a weight
    xs_t = torch.randn(6, 2, D, dtype=torch.float64)
    out, state = module(xs_t)
    ref = run_slstm(xs_t, module.params())
    assert len(state) == 4
    torch.testing.assert_close(out, ref["h_t"], rtol=0, atol=1e-12)
    assert module.params().num_parameters() == sum(p.numel() for p in module.parameters())


def test_step_rnn_runs_the_min_gru_step_as_the_loop_does():
    torch.manual_seed(0)
    module = StepRNN(MinGRUParams, min_gru_step, D, H).double()
    xs_t = torch.randn(6, 2, D, dtype=torch.float64)
    out, _ = module(xs_t)
    torch.testing.assert_close(out, min_rnn_loop(xs_t, module.params())["h_t"], rtol=0,
                               atol=1e-12)
