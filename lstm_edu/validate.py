"""Input checks shared by every public helper.

A learner who passes the wrong thing should read, in one line, what was
expected and what arrived. These functions raise ``TypeError`` for the wrong
kind of object and ``ValueError`` for the wrong shape or for non-finite
numbers; they never coerce silently.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

ARRAY_TYPES = (np.ndarray, torch.Tensor)


def is_torch(a) -> bool:
    return isinstance(a, torch.Tensor)


def check_array(name: str, a, ndim: tuple[int, ...] | int | None = None):
    """Return ``a`` unchanged if it is a float NumPy array or torch tensor."""
    if not isinstance(a, ARRAY_TYPES):
        raise TypeError(
            f"{name} must be a numpy.ndarray or torch.Tensor, got {type(a).__name__}"
        )
    if is_torch(a):
        if not a.is_floating_point():
            raise TypeError(f"{name} must hold floats, got dtype {a.dtype}")
    elif not np.issubdtype(a.dtype, np.floating):
        raise TypeError(f"{name} must hold floats, got dtype {a.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if a.ndim not in allowed:
            want = " or ".join(str(n) for n in allowed)
            raise ValueError(
                f"{name} must have {want} dimension(s), got shape {tuple(a.shape)}"
            )
    return a


def check_same_kind(**arrays) -> None:
    """All arrays must be NumPy, or all torch: mixing them hides dtype bugs."""
    kinds = {name: ("torch.Tensor" if is_torch(a) else "numpy.ndarray")
             for name, a in arrays.items()}
    if len(set(kinds.values())) > 1:
        listing = ", ".join(f"{n} is {k}" for n, k in kinds.items())
        raise TypeError(f"mix of NumPy arrays and torch tensors: {listing}")


def check_same_dtype(**arrays) -> None:
    """All torch tensors must share one dtype: torch's own error ("mat1 and mat2 must have
    the same dtype") names neither array. NumPy upcasts exactly, so it is left alone."""
    dtypes = {name: a.dtype for name, a in arrays.items() if is_torch(a)}
    if len(set(dtypes.values())) > 1:
        listing = ", ".join(f"{n} is {str(d).replace('torch.', '')}" for n, d in dtypes.items())
        raise TypeError(f"tensors must share one dtype, got {listing}; convert with .double() "
                        f"or .float()")


def check_shape(name: str, a, shape: tuple[int, ...]) -> None:
    if tuple(a.shape) != tuple(shape):
        raise ValueError(
            f"{name} must have shape {tuple(shape)}, got shape {tuple(a.shape)}"
        )


def check_finite(name: str, a, hint: str = "check how it was made") -> None:
    """No NaN and no inf in ``a``; ``hint`` says where to look."""
    if is_torch(a):
        with torch.no_grad():
            finite = bool(torch.isfinite(a).all())
    else:
        finite = bool(np.isfinite(a).all())
    if not finite:
        raise ValueError(f"{name} contains NaN or inf, expected finite numbers; {hint}")


def check_int(name: str, value, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def check_bool(name: str, value) -> bool:
    """``True`` or ``False`` only: ``as_numpy="no"`` would otherwise read as true."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_float(name: str, value, low: float | None = None, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
