"""Trainable ``torch.nn`` versions of the cells, their initialisations, and the cores by name.

* ``classic`` - :class:`StepRNN` (any step function as a module), the LSTM,
  peephole, CIFG, GRU and RNN modules, the gate-bias initialisations and the
  parameter counts, and :data:`CLASSIC_CORES`.
* ``xlstm``   - Part V: trainable :class:`SLSTMLayer` and :class:`MLSTMLayer`
* ``min_rnn`` - Part V: trainable :class:`MinGRULayer` and :class:`MinLSTMLayer` (scan or loop)

:data:`CORES` is every recurrent core the recall task and the lab can pick,
merged from each family's table below (a new family adds its table here, so
nothing is registered as a side effect of some other import).
"""

from .classic import (CLASSIC_CORES, COUNTED, INITS, CoreSpec, StepRNN, cifg_module,
                      count_parameters, gate_biases, gru_gate_bias, gru_module, lstm_gate_bias,
                      lstm_module, peephole_module, rnn_module, trainable_parameters)
from .min_rnn import MinGRULayer, MinLSTMLayer
from .xlstm import MLSTMLayer, SLSTMLayer

#: Every recurrent core by name: ``{name: CoreSpec(build, set_bias, label)}``.
CORES: dict[str, CoreSpec] = {**CLASSIC_CORES}


def register_core(name: str, build, set_bias=None, label: str = "") -> None:
    """Add a core to :data:`CORES` at run time (an experiment of one's own, say)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    if name in CORES:
        raise ValueError(f"core {name!r} is registered already")
    if not callable(build):
        raise TypeError(f"build must be callable (input_size, hidden_size) -> module, got "
                        f"{type(build).__name__}")
    CORES[name] = CoreSpec(build=build, set_bias=set_bias, label=label or name)
