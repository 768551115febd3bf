"""Figures: they draw results that ``lstm_edu.experiments`` (or a notebook) computed.

One file per topic, named after it: ``figures/<topic>.py``. Every figure is a pure
function returning a ``matplotlib.figure.Figure`` (or ``(Figure, text)`` for a
slider), built with :func:`lstm_edu.figures.style.new_figure`, so tests can read
what it drew.

* ``style`` - palette, ``new_figure``, ``figure_png``; ``widgets`` - sliders and buttons
* ``cells`` - cell diagrams (RNN, LSTM, gates); ``sequences`` - neurons, unrolled RNNs, arcs
* ``gates`` - Part II's gate views; ``variants`` - Part III's diagrams
* ``feedforward``, ``gradients``, ``recall``, ``sincos``, ``lab`` - each experiment's figures
* Part V: ``xlstm``, ``min_rnn``; ``fonts`` registers the CJK font
"""
