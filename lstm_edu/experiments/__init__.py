"""Experiments: each computes and returns its results, and never draws (figures do, in
:mod:`lstm_edu.figures`).

* ``feedforward`` - order blindness; memoryless and windowed MLPs on sin -> cos (01)
* ``gradients``   - ||ds_T/ds_t|| by autograd, the one unroller, the Pascanu bound (03, 11)
* ``recall``      - the long-gap recall task: one seeded run, the grid over gaps (03, 09, 11)
* ``variants``    - the Part III variants compared on recall over seeds (09)
* ``sincos``      - the source's sin -> cos experiment, faithful and improved (10)
* ``lab``         - the playground: train any core, measure the loss gradient's flow (11)
* ``parity``      - parity (state tracking): train short, test long, every cell over seeds (13)
"""
