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
    """All arrays share one dtype, NumPy and torch alike: the course's one dtype policy.

    NumPy would upcast float32 + float64 silently (a float32 lesson would then run in
    float64), and torch's own error ("mat1 and mat2 must have the same dtype") names
    neither array; this error names every one of them and its dtype.
    """
    dtypes = {name: a.dtype for name, a in arrays.items()}
    if len(set(dtypes.values())) > 1:
        listing = ", ".join(f"{n} is {str(d).replace('torch.', '')}" for n, d in dtypes.items())
        if any(is_torch(a) for a in arrays.values()):
            raise TypeError(f"tensors must share one dtype, got {listing}; convert with "
                            f".double() or .float()")
        raise TypeError(f"arrays must share one dtype, got {listing}; convert with "
                        f".astype(np.float64) or .astype(np.float32)")


def check_same_device(**arrays) -> None:
    """All torch tensors on one device: torch's own error names no argument."""
    devices = {name: a.device for name, a in arrays.items() if is_torch(a)}
    if len(set(devices.values())) > 1:
        listing = ", ".join(f"{n} is on {d}" for n, d in devices.items())
        raise ValueError(f"tensors must be on one device, got {listing}; move them with .to()")


def has_values(a) -> bool:
    """False for a tensor on the ``meta`` device: it has a shape and a dtype but no numbers,
    so checks of its values (finite, nonzero, positive) have nothing to look at."""
    return not (is_torch(a) and a.device.type == "meta")


def check_shape(name: str, a, shape: tuple[int, ...]) -> None:
    if tuple(a.shape) != tuple(shape):
        raise ValueError(
            f"{name} must have shape {tuple(shape)}, got shape {tuple(a.shape)}"
        )


def check_finite(name: str, a, hint: str = "check how it was made") -> None:
    """No NaN and no inf in ``a``; ``hint`` says where to look."""
    if not has_values(a):
        return
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


def as_float_array(name: str, value) -> np.ndarray:
    """``value`` (a number, a list of numbers or an array) as a float64 array; text and
    booleans are refused rather than read as numbers ("0.5" is not 0.5, True is not 1)."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number or an array of numbers, got "
                        f"{type(value).__name__} {value!r}")
    a = value.detach().cpu().numpy() if is_torch(value) else np.asarray(value)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers, got dtype {a.dtype} from "
                        f"{type(value).__name__}")
    return a.astype(np.float64)


def check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
