"""lstm_edu: the tested plumbing behind the lstm-edu notebooks.

One idea per module:

* ``cells``    - RNN and LSTM steps in the source's notation, and ``run_sequence``
* ``bridge``   - to and from ``torch.nn`` parameters (gate order i, f, g, o)
* ``data``     - the sin->cos data and the long-gap recall task
* ``train``    - the training loop with a progress bar and the stop rule
* ``plots``    - palette, figure factory, PNG rendering
* ``widgets``  - sliders around pure figure functions
* ``checks``   - self-check exercises (``exercises/`` holds them)
* ``notebook`` - ``setup()`` for the top of every notebook
* ``validate`` - the input checks every helper uses
"""

__version__ = "0.1.0"
