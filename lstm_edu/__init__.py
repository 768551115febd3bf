"""lstm_edu: the tested plumbing behind the lstm-edu notebooks.

Where each kind of thing goes (imports run one way, top to bottom)::

    validate.py    input checks shared by everything
    cells/         a cell = its params + step function (NumPy float64 or torch), one module
                   per family (rnn, lstm, variants, gru; Part V: xlstm, min_rnn); bridge.py is
                   the one way to and from torch.nn. Public names re-exported by cells/__init__.
    modules/       trainable torch.nn versions of the cells (StepRNN wraps any step), their
                   gate-bias initialisations, parameter counts, and CORES, every recurrent
                   core by name (a family adds its table in modules/__init__).
    data.py  train.py  worked_example.py     the data, the one training loop, section 3.3
    experiments/   compute and return results, never draw: feedforward, gradients (the one
                   unroller), recall, variants, sincos, lab
    figures/       draw results, one file per topic: style (palette, new_figure, figure_png),
                   widgets (sliders), cells (cell diagrams), sequences, gates, feedforward,
                   gradients, recall, variants, sincos, lab
    exercises/     nbNN.py, one per notebook; checks.py (check, solution) runs them
    notebook.py    setup() at the top of every notebook

A new cell: cells/<family>.py plus one import line in cells/__init__.py; its trainable
layer: modules/<family>.py plus its CORES table in modules/__init__.py; a new experiment:
experiments/<topic>.py; its figures: figures/<topic>.py; a new exercise: exercises/nbNN.py.
"""

__version__ = "0.1.0"
