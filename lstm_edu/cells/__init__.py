"""Every recurrent cell of the course: its parameters, its step function, its bridge to torch.nn.

One module per family, all in the same conventions (``base``): weights on
``[h_{t-1}, x_t]``, NumPy float64 or torch, every intermediate returned by name.

* ``base``     - activations, ``concat``, ``linear``, ``CellParams``, ``run_sequence``
* ``rnn``      - the tanh RNN          * ``lstm``  - the LSTM (``lstm_step``, ``f_t``, ``c_tilde``)
* ``variants`` - peephole and CIFG     * ``gru``   - the GRU in three forms
* ``bridge``   - to and from ``torch.nn`` for every cell (the only code that knows its layout)
* ``xlstm``    - Part V: sLSTM (raw and stabilized) and mLSTM (recurrent and parallel)
* ``min_rnn``  - Part V: minGRU, minLSTM, the sequential loop and the log-space scan

A new cell family gets its own module here and one import line below; the
notebooks then write ``from lstm_edu.cells import lstm_step``.
"""

from .base import (CellParams, check_step, check_step_inputs, concat, linear, run_sequence,
                   sigmoid, tanh)
from .bridge import (GRU_TORCH_ORDER, LSTM_TORCH_ORDER, TORCH_GATE_ORDER, as_torch_cell,
                     gru_params_from_torch, load_gru_params, load_lstm_params, load_rnn_params,
                     lstm_params_from_torch, rnn_params_from_torch, set_gate_bias,
                     torch_gru_cell, torch_lstm_cell)
from .gru import GRU_FORMS, GRUParams, GRUStep, gru_step
from .lstm import LSTMLayers, LSTMParams, LSTMStep, lstm_from_gates, lstm_step
from .rnn import RNNParams, RNNStep, rnn_step
from .variants import (PEEPHOLE_GATES, CIFGParams, PeepholeLSTMParams, cifg_as_lstm, cifg_step,
                       peephole_lstm_step, with_peepholes)
from .xlstm import (MLSTMParams, SLSTMParams, mlstm_parallel, mlstm_step, run_mlstm, run_slstm,
                    slstm_raw_step, slstm_step)
from .min_rnn import (MinGRUParams, MinLSTMParams, cumprod_scan, log_space_scan, min_gru_step,
                      min_lstm_step, min_rnn_loop, min_rnn_scan, sequential_scan)
