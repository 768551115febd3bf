"""What a network without memory can and cannot do (notebook 01).

* :func:`bag_of_words` and :func:`shuffled` - order blindness: a bag of words
  is the same vector for any order of the words.
* :func:`window_inputs`, :func:`fit_window_mlp`, :func:`window_sweep` - the
  sin(t) -> cos(t) task for an MLP that sees the last ``k`` inputs (``k = 1``:
  no memory at all). Fits are cached, so a slider over ``k`` is instant after
  the first pass.
* :func:`same_sin_partner` - the other time with the same sin and the opposite cos.

The figures (the two sliders and the memoryless map) are in
:mod:`lstm_edu.figures.feedforward`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..data import sin_cos_data
from ..train import train
from ..validate import check_array, check_float, check_int

# The source's sentence ("the highest mountain on Earth is Mount Everest"), split
# into the source's words, with pinyin and English glosses for figures.
SOURCE_SENTENCE = "地球上最高的山是珠穆朗玛峰"
SOURCE_WORDS = ("地球", "上", "最高的", "山", "是", "珠穆朗玛峰")
GLOSSES = {
    "地球": "dìqiú (Earth)", "上": "shàng (on)", "最高的": "zuì gāo de (highest)",
    "山": "shān (mountain)", "是": "shì (is)", "珠穆朗玛峰": "Zhūmùlǎngmǎ Fēng (Everest)",
}

# The slider's grid of window sizes: trained once, then looked up.
WINDOW_KS = (1, 2, 3, 4, 6, 8)
# Full-batch Adam runs for at most MAX_EPOCHS, and stops once the training MSE is below
# STOP_BELOW: a window of 2 or more gets there; k = 1 cannot (one sin, two cosines).
MAX_EPOCHS = 2000
STOP_BELOW = 1e-5


# --- order blindness -----------------------------------------------------------

def _check_words(name: str, words) -> tuple[str, ...]:
    if isinstance(words, str) or not isinstance(words, (list, tuple)):
        raise TypeError(f"{name} must be a list or tuple of str, got {type(words).__name__}")
    for w in words:
        if not isinstance(w, str):
            raise TypeError(f"{name} must hold str only, got {type(w).__name__} {w!r}")
    return tuple(words)


def bag_of_words(words, vocab) -> np.ndarray:
    """How often each word of ``vocab`` occurs in ``words``: shape (len(vocab),), float64.

    The order of ``words`` is thrown away; that is the point.
    """
    words = _check_words("words", words)
    vocab = _check_words("vocab", vocab)
    if len(set(vocab)) != len(vocab):
        raise ValueError(f"vocab must not repeat a word, got {list(vocab)}")
    index = {w: k for k, w in enumerate(vocab)}
    unknown = [w for w in words if w not in index]
    if unknown:
        raise ValueError(f"words not in vocab: {unknown}; vocab is {list(vocab)}")
    counts = np.zeros(len(vocab))
    for w in words:
        counts[index[w]] += 1.0
    return counts


def shuffled(words, seed: int = 0) -> tuple[str, ...]:
    """The same words in another order (never the original order, if one exists)."""
    words = _check_words("words", words)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    for _ in range(100):
        out = tuple(words[k] for k in rng.permutation(len(words)))
        if out != words or len(set(words)) < 2:
            return out
    raise RuntimeError("could not find another order")  # pragma: no cover - needs 100 misses


# --- sin -> cos with a window of past inputs ------------------------------------

def window_inputs(x, k: int) -> np.ndarray:
    """Rows ``[x[i-k+1], ..., x[i]]`` (oldest first) for ``i = k-1 .. n-1``: shape (n-k+1, k)."""
    check_array("x", x, ndim=1)
    k = check_int("k", k, low=1)
    if k > len(x):
        raise ValueError(f"k must be <= len(x) = {len(x)}, got {k}")
    x = np.asarray(x)
    return np.stack([x[i - k + 1:i + 1] for i in range(k - 1, len(x))])


@dataclass(frozen=True)
class WindowFit:
    """One trained windowed MLP on the source's data. Arrays are read-only (cached)."""

    k: int
    t_train: np.ndarray
    t_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    pred_train: np.ndarray
    pred_test: np.ndarray
    train_mse: float
    test_mse: float
    epochs: int


def make_mlp(k: int, hidden: int = 64, layers: int = 2) -> nn.Sequential:
    """k inputs -> ``layers`` tanh layers of width ``hidden`` -> 1 output."""
    k = check_int("k", k, low=1)
    hidden = check_int("hidden", hidden, low=1)
    layers = check_int("layers", layers, low=1)
    mods, width = [], k
    for _ in range(layers):
        mods += [nn.Linear(width, hidden), nn.Tanh()]
        width = hidden
    return nn.Sequential(*mods, nn.Linear(width, 1))


@functools.lru_cache(maxsize=64)
def fit_window_mlp(k: int, hidden: int = 64, layers: int = 2, epochs: int = MAX_EPOCHS,
                   lr: float = 1e-2, seed: int = 0) -> WindowFit:
    """Train an MLP on the last ``k`` values of sin(t) to predict cos(t) now.

    The source's data: 200 points on [0, 12π], the first half for training.
    The target at sample ``i`` is cos(t_i); the input is sin at samples
    ``i-k+1 .. i``, so windows at the start of the test half reach back into the
    training half (the past is known; only the future is not). Full-batch Adam
    in float32; stops early once the training MSE is below ``STOP_BELOW``.
    """
    k = check_int("k", k, low=1, high=50)
    epochs = check_int("epochs", epochs, low=1)
    lr = check_float("lr", lr, low=0.0)
    data = sin_cos_data()
    X = torch.from_numpy(window_inputs(data.x, k))
    Y = torch.from_numpy(data.y[k - 1:])[:, None]
    n_train = data.n_train - (k - 1)  # rows whose target lies in the training half
    torch.manual_seed(check_int("seed", seed, low=0))
    net = make_mlp(k, hidden, layers)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    run = train(lambda: ((net(X[:n_train]) - Y[:n_train]) ** 2).mean(), optimizer,
                max_epochs=epochs, stop_below=STOP_BELOW, progress=False, log=lambda line: None)
    with torch.no_grad():
        pred = net(X)[:, 0].numpy().astype(np.float64)
    y = data.y[k - 1:].astype(np.float64)
    t = data.t[k - 1:]
    arrays = dict(t_train=t[:n_train], t_test=t[n_train:], y_train=y[:n_train],
                  y_test=y[n_train:], pred_train=pred[:n_train], pred_test=pred[n_train:])
    for a in arrays.values():
        a.setflags(write=False)
    return WindowFit(k=k, train_mse=float(np.mean((pred[:n_train] - y[:n_train]) ** 2)),
                     test_mse=float(np.mean((pred[n_train:] - y[n_train:]) ** 2)),
                     epochs=run.epochs, **arrays)


def window_sweep(ks=WINDOW_KS, **kw) -> dict[int, WindowFit]:
    """:func:`fit_window_mlp` for every ``k`` in ``ks`` (cached)."""
    if isinstance(ks, (str, bytes)) or not hasattr(ks, "__iter__"):
        raise TypeError(f"ks must be a sequence of ints, got {type(ks).__name__}")
    ks = [check_int("k", k, low=1, high=50) for k in ks]
    if not ks:
        raise ValueError("ks must hold at least one window size, got none")
    return {k: fit_window_mlp(k, **kw) for k in ks}


# --- two times, one sine -------------------------------------------------------

def same_sin_partner(t: float) -> float:
    """The other time in the same period [2πn, 2π(n+1)) with the same sin: π − t, shifted.

    sin(π − t) = sin t and cos(π − t) = −cos t. (At t = π/2 + 2πn the two coincide.)
    """
    t = check_float("t", t)
    period = np.floor(t / (2 * np.pi))
    return float(np.mod(np.pi - t, 2 * np.pi) + 2 * np.pi * period)
