"""The bridge between the course's weights and ``torch.nn``'s, for every cell.

The course writes one matrix per gate acting on ``[h_{t-1}, x_t]``. PyTorch
splits every gate's matrix in two and stacks the gates::

    weight_ih = W[:, H:]   (the columns that see x_t)
    weight_hh = W[:, :H]   (the columns that see h_{t-1})
    bias      = bias_ih + bias_hh

    gate order in PyTorch (TORCH_GATE_ORDER), named with the course's letters:
    LSTM  i, f, c, o   (c is PyTorch's g, our candidate C̃, W_c)
    GRU   r, z, n

Reading from PyTorch adds the two biases; writing to PyTorch puts the whole
bias in ``bias_ih`` and zeros in ``bias_hh``, so the round trip is exact. The
GRU's candidate is the exception: its ``bias_hh`` part sits inside
``r_t ⊙ (...)``, so it is kept apart as ``b_hn``.

This module is the only place that knows PyTorch's layout: the stacking order,
the ``_l<layer>`` suffixes, the two biases. Everything else (the gate-bias
initialisations, the unrolled cells of the lab) goes through it.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..validate import check_bool, check_finite, check_int
from .gru import GRUParams
from .lstm import LSTMParams
from .rnn import RNNParams

#: PyTorch's stacking order of each gated cell's layers, in the course's letters.
TORCH_GATE_ORDER = {"lstm": ("i", "f", "c", "o"), "gru": ("r", "z", "n")}
LSTM_TORCH_ORDER = TORCH_GATE_ORDER["lstm"]
GRU_TORCH_ORDER = TORCH_GATE_ORDER["gru"]

_KIND = {nn.RNN: "rnn", nn.RNNCell: "rnn", nn.LSTM: "lstm", nn.LSTMCell: "lstm",
         nn.GRU: "gru", nn.GRUCell: "gru"}
_FUSED_TO_CELL = {nn.RNN: nn.RNNCell, nn.LSTM: nn.LSTMCell, nn.GRU: nn.GRUCell}
_PARTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _suffix(module: nn.Module, layer: int) -> str:
    return "" if isinstance(module, nn.RNNCellBase) else f"_l{layer}"


def _layers(module: nn.Module) -> range:
    return range(1 if isinstance(module, nn.RNNCellBase) else module.num_layers)


def _torch_weights(module: nn.Module, layer: int, allowed: tuple) -> dict:
    """weight_ih, weight_hh, bias_ih, bias_hh of a cell, or of one layer of a stack."""
    if not isinstance(module, allowed):
        names = " or ".join(t.__name__ for t in allowed)
        raise TypeError(f"module must be {names}, got {type(module).__name__}")
    if isinstance(module, nn.RNNCellBase):
        if layer != 0:
            raise ValueError(f"a *Cell has a single layer 0, got layer={layer}")
    else:
        check_int("layer", layer, 0, module.num_layers - 1)
        if module.bidirectional or getattr(module, "proj_size", 0):
            raise ValueError("bidirectional or projected modules are not covered here")
    if getattr(module, "nonlinearity", "tanh") != "tanh":
        raise ValueError(f"only tanh RNNs match rnn_step, got nonlinearity={module.nonlinearity!r}")
    suffix = _suffix(module, layer)
    out = {}
    for part in _PARTS:
        p = getattr(module, part + suffix, None)
        out[part] = None if p is None else p.detach()
        if p is not None:
            check_finite(f"{type(module).__name__}.{part}{suffix}", p)
    return out


def _biases(w: dict):
    """(bias_ih, bias_hh), zeros where the module has no bias."""
    zeros = w["weight_ih"].new_zeros(w["weight_ih"].shape[0])  # its dtype and device
    return tuple(zeros if w[part] is None else w[part] for part in ("bias_ih", "bias_hh"))


def _as(a: torch.Tensor, as_numpy: bool):
    a = a.clone()
    return a.numpy().astype(np.float64) if as_numpy else a


def _join(weight_ih, weight_hh):
    """Back to one matrix on [h_{t-1}, x_t]: hidden columns first."""
    return torch.cat([weight_hh, weight_ih], dim=1)


def _read(module: nn.Module, layer: int, allowed: tuple, as_numpy: bool):
    """The joined matrix W (rows stacked in PyTorch's order), bias_ih, bias_hh and H."""
    check_bool("as_numpy", as_numpy)
    w = _torch_weights(module, layer, allowed)
    b_ih, b_hh = _biases(w)
    return _join(w["weight_ih"], w["weight_hh"]), b_ih, b_hh, w["weight_hh"].shape[1]


def _rows(k: int, H: int) -> slice:
    return slice(k * H, (k + 1) * H)


def rnn_params_from_torch(module: nn.Module, layer: int = 0, as_numpy: bool = True) -> RNNParams:
    """Read ``nn.RNNCell`` or one layer of ``nn.RNN`` as :class:`RNNParams`."""
    W, b_ih, b_hh, _ = _read(module, layer, (nn.RNNCell, nn.RNN), as_numpy)
    return RNNParams(W=_as(W, as_numpy), b=_as(b_ih + b_hh, as_numpy))


def lstm_params_from_torch(module: nn.Module, layer: int = 0, as_numpy: bool = True) -> LSTMParams:
    """Read ``nn.LSTMCell`` or one layer of ``nn.LSTM`` as :class:`LSTMParams`.

    NumPy float64 by default, for walkthroughs; ``as_numpy=False`` keeps
    torch tensors (detached copies).
    """
    W, b_ih, b_hh, H = _read(module, layer, (nn.LSTMCell, nn.LSTM), as_numpy)
    b = b_ih + b_hh
    kwargs = {}
    for k, gate in enumerate(LSTM_TORCH_ORDER):
        kwargs[f"W_{gate}"] = _as(W[_rows(k, H)], as_numpy)
        kwargs[f"b_{gate}"] = _as(b[_rows(k, H)], as_numpy)
    return LSTMParams(**kwargs)


def gru_params_from_torch(module: nn.Module, layer: int = 0, as_numpy: bool = True) -> GRUParams:
    """Read ``nn.GRUCell`` or one layer of ``nn.GRU`` as :class:`GRUParams` (torch form).

    ``b_r`` and ``b_z`` are ``bias_ih + bias_hh`` of their gate; ``b_n`` is
    ``bias_ih`` of the candidate and ``b_hn`` its ``bias_hh``.
    """
    W, b_ih, b_hh, H = _read(module, layer, (nn.GRUCell, nn.GRU), as_numpy)
    kwargs = {}
    for k, gate in enumerate(GRU_TORCH_ORDER):
        rows = _rows(k, H)
        kwargs[f"W_{gate}"] = _as(W[rows], as_numpy)
        kwargs[f"b_{gate}"] = _as(b_ih[rows] if gate == "n" else b_ih[rows] + b_hh[rows], as_numpy)
    kwargs["b_hn"] = _as(b_hh[_rows(2, H)], as_numpy)
    return GRUParams(**kwargs)


def _to_tensor(a) -> torch.Tensor:
    return a.detach().clone() if isinstance(a, torch.Tensor) else torch.from_numpy(np.array(a))


def _load(module: nn.Module, layer: int, W, b_ih, allowed: tuple, b_hh=None) -> None:
    """Write a joined matrix and its biases; ``bias_hh`` is zero unless ``b_hh`` is given."""
    w = _torch_weights(module, layer, allowed)
    H = w["weight_hh"].shape[1]
    want = (w["weight_ih"].shape[0], H + w["weight_ih"].shape[1])
    if tuple(W.shape) != want:
        raise ValueError(
            f"{type(module).__name__} (input_size={w['weight_ih'].shape[1]}, hidden_size={H}) "
            f"needs stacked weights of shape {want}, got {tuple(W.shape)}"
        )
    suffix = _suffix(module, layer)
    with torch.no_grad():
        dtype = getattr(module, "weight_ih" + suffix).dtype
        getattr(module, "weight_hh" + suffix).copy_(_to_tensor(W[:, :H]).to(dtype))
        getattr(module, "weight_ih" + suffix).copy_(_to_tensor(W[:, H:]).to(dtype))
        bias_ih = getattr(module, "bias_ih" + suffix, None)
        if bias_ih is None:
            for b in (b_ih, b_hh):
                if b is not None and torch.any(_to_tensor(b) != 0):
                    raise ValueError("module was built with bias=False but the biases are not zero")
            return
        bias_ih.copy_(_to_tensor(b_ih).to(dtype))
        bias_hh = getattr(module, "bias_hh" + suffix)
        if b_hh is None:
            bias_hh.zero_()
        else:
            bias_hh.copy_(_to_tensor(b_hh).to(dtype))


def _check_params(params, cls) -> None:
    if not isinstance(params, cls):
        raise TypeError(f"params must be {cls.__name__}, got {type(params).__name__}")


def _stack(params, gates, prefix: str):
    fields_ = [getattr(params, f"{prefix}_{g}") for g in gates]
    return (torch.cat if isinstance(fields_[0], torch.Tensor) else np.concatenate)(fields_)


def load_rnn_params(module: nn.Module, params: RNNParams, layer: int = 0) -> nn.Module:
    """Copy :class:`RNNParams` into ``nn.RNNCell`` or one layer of ``nn.RNN``."""
    _check_params(params, RNNParams)
    _load(module, layer, params.W, params.b, (nn.RNNCell, nn.RNN))
    return module


def load_lstm_params(module: nn.Module, params: LSTMParams, layer: int = 0) -> nn.Module:
    """Copy :class:`LSTMParams` into ``nn.LSTMCell`` or one layer of ``nn.LSTM``."""
    _check_params(params, LSTMParams)
    _load(module, layer, _stack(params, LSTM_TORCH_ORDER, "W"),
          _stack(params, LSTM_TORCH_ORDER, "b"), (nn.LSTMCell, nn.LSTM))
    return module


def load_gru_params(module: nn.Module, params: GRUParams, layer: int = 0) -> nn.Module:
    """Copy :class:`GRUParams` into ``nn.GRUCell`` or one layer of ``nn.GRU`` (exact round trip).

    The r and z biases go whole into ``bias_ih`` (``bias_hh`` is zero there);
    the candidate's ``b_n`` goes into ``bias_ih`` and ``b_hn`` into ``bias_hh``.
    """
    _check_params(params, GRUParams)
    zeros = params.b_hn * 0
    cat = torch.cat if isinstance(zeros, torch.Tensor) else np.concatenate
    _load(module, layer, _stack(params, GRU_TORCH_ORDER, "W"), _stack(params, GRU_TORCH_ORDER, "b"),
          (nn.GRUCell, nn.GRU), b_hh=cat([zeros, zeros, params.b_hn]))
    return module


def torch_lstm_cell(params: LSTMParams, dtype=torch.float64) -> nn.LSTMCell:
    """A fresh ``nn.LSTMCell`` holding exactly ``params``."""
    _check_params(params, LSTMParams)
    cell = nn.LSTMCell(params.input_size, params.hidden_size, dtype=dtype)
    return load_lstm_params(cell, params)


def torch_gru_cell(params: GRUParams, dtype=torch.float64) -> nn.GRUCell:
    """A fresh ``nn.GRUCell`` holding exactly ``params``."""
    _check_params(params, GRUParams)
    cell = nn.GRUCell(params.input_size, params.hidden_size, dtype=dtype)
    return load_gru_params(cell, params)


def set_gate_bias(module: nn.Module, gate: str, value: float) -> nn.Module:
    """Set gate ``gate``'s whole bias to ``value`` in every layer of a torch LSTM or GRU.

    ``bias_ih`` gets the value and ``bias_hh`` zero, so the two add up to it.
    ``gate`` uses the course's letters (:data:`TORCH_GATE_ORDER`).
    """
    kind = _KIND.get(type(module))
    if kind not in TORCH_GATE_ORDER:
        raise TypeError(f"module must be nn.LSTM, nn.LSTMCell, nn.GRU or nn.GRUCell, got "
                        f"{type(module).__name__}")
    order = TORCH_GATE_ORDER[kind]
    if gate not in order:
        raise ValueError(f"gate must be one of {order} for a {kind.upper()}, got {gate!r}")
    rows = _rows(order.index(gate), module.hidden_size)
    with torch.no_grad():
        for layer in _layers(module):
            suffix = _suffix(module, layer)
            bias_ih = getattr(module, "bias_ih" + suffix, None)
            if bias_ih is None:
                raise ValueError("module was built with bias=False: it has no gate bias to set")
            bias_ih[rows] = value
            getattr(module, "bias_hh" + suffix)[rows] = 0.0
    return module


def as_torch_cell(module: nn.Module) -> nn.RNNCellBase:
    """A fused one-layer ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` as the matching ``*Cell``.

    The weights are copied as they are (both biases), so the cell computes
    exactly what the fused module computes, one step at a time.
    """
    kind = _FUSED_TO_CELL.get(type(module))
    if kind is None:
        raise TypeError(f"module must be nn.RNN, nn.GRU or nn.LSTM, got {type(module).__name__}")
    if module.num_layers != 1 or module.bidirectional or module.batch_first:
        raise ValueError("only one-layer, one-direction, time-first modules become a *Cell")
    w = _torch_weights(module, 0, tuple(_FUSED_TO_CELL))
    kwargs = {"nonlinearity": module.nonlinearity} if kind is nn.RNNCell else {}
    cell = kind(module.input_size, module.hidden_size, bias=module.bias,
                dtype=w["weight_ih"].dtype, **kwargs)
    with torch.no_grad():
        for part, value in w.items():
            if value is not None:
                getattr(cell, part).copy_(value)
    return cell
