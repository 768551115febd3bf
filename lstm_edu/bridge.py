"""The bridge between the course's weights and ``torch.nn``'s.

The course writes one matrix per gate acting on ``[h_{t-1}, x_t]``. PyTorch
splits every gate's matrix in two and stacks the gates::

    weight_ih = W[:, H:]   (the columns that see x_t)
    weight_hh = W[:, :H]   (the columns that see h_{t-1})
    bias      = bias_ih + bias_hh

    LSTM gate order in PyTorch: i, f, g, o   (g is our candidate C̃, W_c)

Reading from PyTorch adds the two biases; writing to PyTorch puts the whole
bias in ``bias_ih`` and zeros in ``bias_hh``, so the round trip is exact.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .cells import LSTMParams, RNNParams
from .validate import check_finite, check_int

# PyTorch's stacking order, named with the course's letters.
LSTM_TORCH_ORDER = ("i", "f", "c", "o")


def _torch_weights(module: nn.Module, layer: int, allowed: tuple) -> dict:
    """weight_ih, weight_hh, bias_ih, bias_hh of a cell, or of one layer of a stack."""
    if not isinstance(module, allowed):
        names = " or ".join(t.__name__ for t in allowed)
        raise TypeError(f"module must be {names}, got {type(module).__name__}")
    is_cell = isinstance(module, nn.RNNCellBase)
    if is_cell:
        if layer != 0:
            raise ValueError(f"a *Cell has a single layer 0, got layer={layer}")
        suffix = ""
    else:
        check_int("layer", layer, 0, module.num_layers - 1)
        if module.bidirectional or getattr(module, "proj_size", 0):
            raise ValueError("bidirectional or projected modules are not covered here")
        suffix = f"_l{layer}"
    if getattr(module, "nonlinearity", "tanh") != "tanh":
        raise ValueError(f"only tanh RNNs match rnn_step, got nonlinearity={module.nonlinearity!r}")
    out = {}
    for part in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        p = getattr(module, part + suffix, None)
        out[part] = None if p is None else p.detach()
    for name, p in out.items():
        if p is not None:
            check_finite(f"{type(module).__name__}.{name}{suffix}", p)
    return out


def _bias(w: dict, rows: int):
    b = torch.zeros(rows, dtype=w["weight_ih"].dtype)
    for part in ("bias_ih", "bias_hh"):
        if w[part] is not None:
            b = b + w[part]
    return b


def _as(a: torch.Tensor, as_numpy: bool):
    a = a.clone()
    return a.numpy().astype(np.float64) if as_numpy else a


def _join(weight_ih, weight_hh):
    """Back to one matrix on [h_{t-1}, x_t]: hidden columns first."""
    return torch.cat([weight_hh, weight_ih], dim=1)


def rnn_params_from_torch(module: nn.Module, layer: int = 0, as_numpy: bool = True) -> RNNParams:
    """Read ``nn.RNNCell`` or one layer of ``nn.RNN`` as :class:`RNNParams`."""
    w = _torch_weights(module, layer, (nn.RNNCell, nn.RNN))
    W = _join(w["weight_ih"], w["weight_hh"])
    return RNNParams(W=_as(W, as_numpy), b=_as(_bias(w, W.shape[0]), as_numpy))


def lstm_params_from_torch(module: nn.Module, layer: int = 0, as_numpy: bool = True) -> LSTMParams:
    """Read ``nn.LSTMCell`` or one layer of ``nn.LSTM`` as :class:`LSTMParams`.

    NumPy float64 by default, for walkthroughs; ``as_numpy=False`` keeps
    torch tensors (detached copies).
    """
    w = _torch_weights(module, layer, (nn.LSTMCell, nn.LSTM))
    H = w["weight_hh"].shape[1]
    W = _join(w["weight_ih"], w["weight_hh"])
    b = _bias(w, 4 * H)
    kwargs = {}
    for k, gate in enumerate(LSTM_TORCH_ORDER):
        rows = slice(k * H, (k + 1) * H)
        kwargs[f"W_{gate}"] = _as(W[rows], as_numpy)
        kwargs[f"b_{gate}"] = _as(b[rows], as_numpy)
    return LSTMParams(**kwargs)


def _to_tensor(a) -> torch.Tensor:
    return a.detach().clone() if isinstance(a, torch.Tensor) else torch.from_numpy(np.array(a))


def _load(module: nn.Module, layer: int, W, b, allowed: tuple) -> None:
    w = _torch_weights(module, layer, allowed)
    H = w["weight_hh"].shape[1]
    if tuple(W.shape) != (w["weight_ih"].shape[0], H + w["weight_ih"].shape[1]):
        raise ValueError(
            f"{type(module).__name__} (input_size={w['weight_ih'].shape[1]}, hidden_size={H}) "
            f"needs stacked weights of shape {(w['weight_ih'].shape[0], H + w['weight_ih'].shape[1])}, "
            f"got {tuple(W.shape)}"
        )
    suffix = "" if isinstance(module, nn.RNNCellBase) else f"_l{layer}"
    with torch.no_grad():
        dtype = getattr(module, "weight_ih" + suffix).dtype
        getattr(module, "weight_hh" + suffix).copy_(_to_tensor(W[:, :H]).to(dtype))
        getattr(module, "weight_ih" + suffix).copy_(_to_tensor(W[:, H:]).to(dtype))
        bias_ih = getattr(module, "bias_ih" + suffix, None)
        if bias_ih is None:
            if torch.any(_to_tensor(b) != 0):
                raise ValueError("module was built with bias=False but b is not zero")
            return
        bias_ih.copy_(_to_tensor(b).to(dtype))
        getattr(module, "bias_hh" + suffix).zero_()


def _check_params(params, cls) -> None:
    if not isinstance(params, cls):
        raise TypeError(f"params must be {cls.__name__}, got {type(params).__name__}")


def load_rnn_params(module: nn.Module, params: RNNParams, layer: int = 0) -> nn.Module:
    """Copy :class:`RNNParams` into ``nn.RNNCell`` or one layer of ``nn.RNN``."""
    _check_params(params, RNNParams)
    _load(module, layer, params.W, params.b, (nn.RNNCell, nn.RNN))
    return module


def _stack_lstm(params: LSTMParams):
    _check_params(params, LSTMParams)
    cat = torch.cat if isinstance(params.W_f, torch.Tensor) else np.concatenate
    W = cat([getattr(params, f"W_{g}") for g in LSTM_TORCH_ORDER])
    b = cat([getattr(params, f"b_{g}") for g in LSTM_TORCH_ORDER])
    return W, b


def load_lstm_params(module: nn.Module, params: LSTMParams, layer: int = 0) -> nn.Module:
    """Copy :class:`LSTMParams` into ``nn.LSTMCell`` or one layer of ``nn.LSTM``."""
    W, b = _stack_lstm(params)
    _load(module, layer, W, b, (nn.LSTMCell, nn.LSTM))
    return module


def torch_rnn_cell(params: RNNParams, dtype=torch.float64) -> nn.RNNCell:
    """A fresh ``nn.RNNCell`` holding exactly ``params``."""
    _check_params(params, RNNParams)
    cell = nn.RNNCell(params.input_size, params.hidden_size, dtype=dtype)
    return load_rnn_params(cell, params)


def torch_lstm_cell(params: LSTMParams, dtype=torch.float64) -> nn.LSTMCell:
    """A fresh ``nn.LSTMCell`` holding exactly ``params``."""
    _check_params(params, LSTMParams)
    cell = nn.LSTMCell(params.input_size, params.hidden_size, dtype=dtype)
    return load_lstm_params(cell, params)
