"""lstm_edu: the tested plumbing behind the lstm-edu notebooks.

One idea per module. The foundation:

* ``cells``    - RNN and LSTM steps in the source's notation, and ``run_sequence``
* ``bridge``   - to and from ``torch.nn`` parameters (LSTM gate order i, f, g, o)
* ``data``     - the sin->cos data and the long-gap recall task
* ``train``    - the training loop with a progress bar and the source's stop rule
* ``recall``   - the recall experiment: models, forget-bias initialisations, training
* ``plots``    - palette, figure factory, PNG rendering
* ``widgets``  - sliders around pure figure functions, with a static fallback
* ``checks``   - self-check exercises (``exercises/`` holds one module per notebook)
* ``notebook`` - ``setup()`` for the top of every notebook; the environment self-check
* ``validate`` - the input checks every helper uses

What the notebooks build on it:

* ``feedforward``       - order blindness; memoryless and windowed MLPs on sin -> cos (01)
* ``sequence_diagrams`` - neuron and network, folded and unrolled RNN, dependency arcs (01-03)
* ``gradients``         - ||ds_T/ds_t|| by autograd for any cell; the Pascanu bound (03, 11)
* ``recall_figures``    - the recall grid: run, summarise, plot accuracy against the gap (03)
* ``diagrams``          - colah-style cell diagrams drawn by code, with highlights (04-09)
* ``worked_example``    - the source's section 3.3 example as one object, weights stated (05-08)
* ``gate_views``        - the Part II slider figures and the gate trace table (04-08)
* ``variants``          - peephole and coupled-gate LSTMs, trainable step modules, comparison (09)
* ``gru``               - the GRU in PyTorch's and Cho's forms, and its bridge (r, z, n) (09)
* ``variant_diagrams``  - the variants' diagrams and the variant picker (09)
* ``sincos``            - the source's sin -> cos experiment, faithful and improved (10)
* ``sincos_plots``      - notebook 10's figures and its live-training button (10)
* ``lab``               - the playground and the loss-gradient flow measurement (11)
"""

__version__ = "0.1.0"
