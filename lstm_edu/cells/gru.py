r"""The gated recurrent unit (GRU), in the forms that circulate.

A GRU keeps one state, :math:`h_t`, and has two gates: a reset gate
:math:`r_t` and an update gate :math:`z_t`. The sources disagree on two
details, so this module names both and tests them:

**Where the reset gate acts.**

* ``form="torch"`` (``nn.GRU``, cuDNN, Keras' ``reset_after=True``): ``r``
  multiplies the *result* of the hidden-side matrix product, bias included::

      n_t = tanh(W_in x_t + b_n + r_t ⊙ (W_hn h_{t-1} + b_hn))

* ``form="cho"`` and ``form="colah"`` (Cho et al. 2014, colah's figure,
  Keras' ``reset_after=False``): ``r`` multiplies ``h_{t-1}`` *before* the
  product, inside the concatenation::

      n_t = tanh(W_n [r_t ⊙ h_{t-1}, x_t] + b_n + b_hn)

**Which way the update gate points.**

* ``"torch"`` and ``"cho"``: ``h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}``;
  ``z`` near 1 *keeps* the old state (Cho et al. 2014, eq. 7, write it the same way).
* ``"colah"``: ``h_t = (1 − z_t) ⊙ h_{t-1} + z_t ⊙ n_t``; ``z`` near 1 *takes*
  the candidate. This is the figure the source used; its ``z`` is ``1 −`` PyTorch's.

**Parameters** (:class:`GRUParams`): as everywhere in the course, one matrix per
gate acting on ``[h_{t-1}, x_t]``, hidden columns first::

    W_r, W_z, W_n : (H, H + D)      b_r, b_z, b_n, b_hn : (H,)

``W_n[:, :H]`` is PyTorch's ``W_hn`` and ``W_n[:, H:]`` its ``W_in``. The reset
and update gates need one bias each (PyTorch's two add up). The candidate needs
two in the torch form, because ``b_hn`` sits inside the product with ``r_t``:
``b_n`` is PyTorch's ``b_in`` and ``b_hn`` its ``b_hn``. In the other two forms
nothing separates them, and they simply add. With ``r_t = 1`` all three forms
therefore compute the same candidate.

PyTorch stacks the gates in the order **r, z, n**; :mod:`lstm_edu.cells.bridge`
reads and writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from ..validate import check_choice
from .base import CellParams, check_step, concat, linear, sigmoid, tanh

#: The forms :func:`gru_step` implements; see the module docstring.
GRU_FORMS = ("torch", "cho", "colah")


@dataclass(frozen=True)
class GRUParams(CellParams):
    """A GRU's weights: reset ``r``, update ``z``, candidate ``n`` (colah's h̃), all on [h, x].

    ``b_hn`` is the candidate's hidden-side bias, which the torch form puts
    inside ``r_t ⊙ (...)``; the other forms add it to ``b_n``.
    """

    W_r: object
    b_r: object
    W_z: object
    b_z: object
    W_n: object
    b_n: object
    b_hn: object

    n_states = 1


class GRUStep(NamedTuple):
    """Everything one GRU step computes. Each entry is (..., H) except ``hx``, (..., H + D)."""

    hx: object   # [h_{t-1}, x_t]
    r_t: object  # reset gate
    z_t: object  # update gate (its sense depends on the form)
    n_t: object  # candidate state (colah's h̃_t, PyTorch's n_t)
    h_t: object  # new hidden state

    @property
    def state(self):
        return (self.h_t,)


def gru_step(x_t, h_prev, params: GRUParams, form: str = "torch", *,
             check: bool = True) -> GRUStep:
    r"""One GRU step in ``form`` ``"torch"`` (default, = ``nn.GRUCell``), ``"cho"`` or ``"colah"``.

    .. math::
        r_t &= \sigma(W_r [h_{t-1}, x_t] + b_r) \qquad
        z_t = \sigma(W_z [h_{t-1}, x_t] + b_z) \\
        \text{torch:}\quad n_t &= \tanh(W_{in} x_t + b_n + r_t \odot (W_{hn} h_{t-1} + b_{hn})) \\
        \text{cho, colah:}\quad n_t &= \tanh(W_n [r_t \odot h_{t-1}, x_t] + b_n + b_{hn}) \\
        \text{torch, cho:}\quad h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1} \\
        \text{colah:}\quad h_t &= (1 - z_t) \odot h_{t-1} + z_t \odot n_t

    To use a non-default form with :func:`lstm_edu.cells.run_sequence`, bind it:
    ``functools.partial(gru_step, form="cho")``. ``check=False`` skips the shape
    checks (a trainable module checks its first step only).
    """
    if not isinstance(form, str):
        raise TypeError(f"form must be a string, got {type(form).__name__}")
    check_choice("form", form, GRU_FORMS)
    check_step(params, GRUParams, check, x_t, h_prev)
    H = params.hidden_size
    hx = concat(h_prev, x_t)
    r_t = sigmoid(linear(hx, params.W_r, params.b_r))
    z_t = sigmoid(linear(hx, params.W_z, params.b_z))
    if form == "torch":
        # r_t scales the hidden-side product *and* its bias b_hn
        hidden_part = linear(h_prev, params.W_n[:, :H], params.b_hn)
        n_t = tanh(linear(x_t, params.W_n[:, H:], params.b_n) + r_t * hidden_part)
    else:
        # r_t scales h_{t-1} before the product, inside the concatenation
        n_t = tanh(linear(concat(r_t * h_prev, x_t), params.W_n, params.b_n + params.b_hn))
    if form == "colah":
        h_t = (1 - z_t) * h_prev + z_t * n_t
    else:
        h_t = (1 - z_t) * n_t + z_t * h_prev
    return GRUStep(hx=hx, r_t=r_t, z_t=z_t, n_t=n_t, h_t=h_t)
