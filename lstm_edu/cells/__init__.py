"""Every recurrent cell of the course: its parameters and its step function.

``base`` holds what all cells share (the activations, ``concat``, ``linear``,
``CellParams``, ``run_sequence``). The public names are re-exported here, so a
notebook writes ``from lstm_edu.cells import lstm_step``.
"""

from .base import (
    CellParams,
    LSTMParams,
    LSTMStep,
    RNNParams,
    RNNStep,
    check_step_inputs,
    concat,
    linear,
    lstm_step,
    rnn_step,
    run_sequence,
    sigmoid,
    tanh,
)

__all__ = [
    "CellParams", "LSTMParams", "LSTMStep", "RNNParams", "RNNStep", "check_step_inputs",
    "concat", "linear", "lstm_step", "rnn_step", "run_sequence", "sigmoid", "tanh",
]
