"""Every recurrent cell of the course: its parameters, its step function, its bridge to torch.nn.

One module per family, all in the same conventions (``base``): NumPy float64 or
torch, every intermediate returned by name, one input policy.

* ``base``     - activations, ``concat``, ``linear``, ``CellParams``, ``run_sequence``
* ``rnn``      - the tanh RNN          * ``lstm``  - the LSTM (``lstm_step``, ``f_t``, ``c_tilde``)
* ``variants`` - peephole and CIFG     * ``gru``   - the GRU in three forms
* ``bridge``   - to and from ``torch.nn`` for every cell (the only code that knows its layout)
* ``xlstm``    - Part V: sLSTM (raw and stabilized) and mLSTM (recurrent and parallel)
* ``min_rnn``  - Part V: minGRU, minLSTM, the sequential loop and the log-space scan
* ``lstm_backward`` - Part VI: the LSTM step backward by hand, and BPTT over a sequence

How to add a cell
-----------------
1. **Parameters**: a frozen dataclass that subclasses :class:`CellParams`, one field per
   array, ``W_<gate>`` for a matrix and ``b_<gate>`` for a vector. The base checks them
   (arrays, one kind, one dtype, one device, shapes, finite) and gives ``input_size``,
   ``hidden_size``, ``num_parameters()`` and ``zero_state(x_t)``. Say what differs, and
   only that: ``n_states = 2`` (states ``h_prev, c_prev``, each (..., H)); ``acts_on =
   "x"`` if the gates see ``x_t`` alone (``W`` is (H, D), as minGRU's); a choice that is not
   an array goes in ``options`` and is checked in ``_check_options`` (the xLSTM's
   ``forget``); other shapes override ``shapes``, ``sizes`` and ``state_shapes`` (the mLSTM).
2. **A record**: a ``NamedTuple`` of everything one step computes, with a ``state``
   property (the tuple the next step takes) and an ``h_t`` field.
3. **A step**: ``my_step(x_t, *states, params, *, check=True) -> MyStep``. Its first line is
   ``check_step(params, MyParams, check, x_t, *states)``: the one input policy (TypeError for
   the wrong kind, dtype or flag, ValueError for a wrong shape or a NaN/inf, each naming what
   was expected and what came). Make every new array from the inputs
   (:func:`zeros_like_input`, ``torch.zeros_like``, ``x.new_zeros``), never on the default
   device. Options are keyword-only, flags checked with ``validate.check_bool``.
4. **A sequence**: nothing to write. :func:`run_sequence` runs any step from its zero
   state (``run_sequence(my_step, xs, params, **options)``); it checks ``xs`` whole and the
   first step's inputs, and stacks every field of the records over time.
5. **Tests**: the step against PyTorch or a paper's code (``tests/test_<family>.py``), a row
   per new public function in ``tests/test_input_policy.py`` (its coverage test asks), and
   the family in ``tests/test_device.py``.
6. Export it below with one import line; notebooks write ``from lstm_edu.cells import my_step``.

**When a trainable copy belongs in** ``modules/``: ``StepRNN(MyParams, my_step, D, H)``
already trains any step (it registers each field of ``MyParams.shapes`` as a parameter), and
that is enough for a lesson. Write a fused module in ``modules/<family>.py`` only when the
step is too slow to train in a notebook's 30 s: stack the gates' weights into one product,
do the input half for all T at once (``modules.classic.lstm_sequence``), or use a parallel
form (the mLSTM, the min-RNN scan). The fused version must reuse the family's update
functions rather than copy the equations, and a test must prove it equal to the step
(float64: outputs, states and gradients), as ``tests/test_modules.py`` does.
"""

from .base import (CellParams, check_sequence, check_step, check_step_inputs, concat, linear,
                   run_sequence, sigmoid, tanh, zeros_like_input)
from .bridge import (GRU_TORCH_ORDER, LSTM_TORCH_ORDER, TORCH_GATE_ORDER, as_torch_cell,
                     gru_params_from_torch, load_gru_params, load_lstm_params, load_rnn_params,
                     lstm_params_from_torch, rnn_params_from_torch, set_gate_bias,
                     torch_gru_cell, torch_lstm_cell)
from .gru import GRU_FORMS, GRUParams, GRUStep, gru_step
from .lstm import LSTMLayers, LSTMParams, LSTMStep, lstm_from_gates, lstm_step
from .lstm_backward import BPTTResult, LSTMStepGrads, lstm_bptt, lstm_step_backward
from .rnn import RNNParams, RNNStep, rnn_step
from .variants import (PEEPHOLE_GATES, CIFGParams, PeepholeLSTMParams, cifg_as_lstm, cifg_step,
                       peephole_lstm_step, with_peepholes)
from .xlstm import (MLSTMParams, SLSTMParams, mlstm_parallel, mlstm_step, run_mlstm, run_slstm,
                    slstm_raw_step, slstm_step)
from .min_rnn import (MinGRUParams, MinLSTMParams, cumprod_scan, log_space_scan, min_gru_step,
                      min_lstm_step, min_rnn_loop, min_rnn_scan, sequential_scan)
