"""Data the course generates (nothing is ever downloaded).

* :func:`sin_cos_data` - the source's experiment: sin(t) in, cos(t) out.
* :func:`recall_task` - the long-gap recall task: remember the first token
  through ``T - 1`` distractors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .validate import check_float, check_int


@dataclass(frozen=True)
class SinCosData:
    """Samples of sin and cos on a grid, split in time into train and test.

    ``t``, ``x`` (= sin t) and ``y`` (= cos t) have shape (n,); the first
    ``n_train`` samples are the training half.
    """

    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    n_train: int

    @property
    def train(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(t, x, y) of the training part."""
        k = self.n_train
        return self.t[:k], self.x[:k], self.y[:k]

    @property
    def test(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(t, x, y) of the part after the split."""
        k = self.n_train
        return self.t[k:], self.x[k:], self.y[k:]


def sin_cos_data(n: int = 200, t_max: float = 12 * np.pi, train_ratio: float = 0.5,
                 dtype=np.float32) -> SinCosData:
    """The source's data: ``n`` points of ``np.linspace(0, t_max, n)``.

    The defaults are the source's: 200 points on [0, 12π], the first half for
    training (its code's ratio is 0.5; its comment's "80% for testing" is a
    slip). ``t`` stays float64; ``x`` and ``y`` are cast to ``dtype``, float32
    as in the source. Both parts must hold at least one sample.
    """
    n = check_int("n", n, low=2)
    t_max = check_float("t_max", t_max, low=0.0)
    if t_max == 0.0:
        raise ValueError("t_max must be > 0, got 0.0")
    train_ratio = check_float("train_ratio", train_ratio, low=0.0, high=1.0)
    n_train = int(n * train_ratio)
    if not 1 <= n_train <= n - 1:
        raise ValueError(f"train_ratio={train_ratio} leaves {n_train} of n={n} samples for "
                         f"training and {n - n_train} for testing: both parts need at least one")
    try:
        float_dtype = np.dtype(dtype)
    except TypeError:
        float_dtype = None
    if float_dtype is None or not np.issubdtype(float_dtype, np.floating):
        raise TypeError(f"dtype must be a float dtype such as np.float32 or np.float64, got "
                        f"{getattr(dtype, '__name__', dtype)!r}: sin and cos lie in [-1, 1], "
                        f"an int dtype rounds them to 0")
    t = np.linspace(0.0, t_max, n)
    return SinCosData(t=t, x=np.sin(t).astype(float_dtype), y=np.cos(t).astype(float_dtype),
                      n_train=n_train)


@dataclass(frozen=True)
class RecallBatch:
    """One batch of the recall task.

    ``x``: (T, B, V) one-hot tokens, time first. ``y``: (B,) the class of the
    first token, an int in [0, n_classes).
    """

    x: torch.Tensor
    y: torch.Tensor


def recall_task(T: int, batch_size: int, n_classes: int = 4, n_distractors: int = 4,
                seed: int | None = None, generator: torch.Generator | None = None) -> RecallBatch:
    """The long-gap recall task: name the first token after ``T - 1`` distractors.

    The vocabulary has ``V = n_classes + n_distractors`` tokens. Token 0..n_classes-1
    is a class marker and appears only at t = 0; the others are noise that
    carries no information. Chance accuracy is ``1 / n_classes``.

    Pass ``seed`` for a reproducible batch, or a ``generator`` to draw a fresh
    batch per training step from one reproducible stream.
    """
    T = check_int("T", T, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    n_classes = check_int("n_classes", n_classes, low=2)
    n_distractors = check_int("n_distractors", n_distractors, low=1)
    if generator is None:
        generator = torch.Generator()
        generator.manual_seed(0 if seed is None else check_int("seed", seed, low=0))
    elif seed is not None:
        raise ValueError("pass either seed or generator, not both")
    y = torch.randint(0, n_classes, (batch_size,), generator=generator)
    noise = torch.randint(n_classes, n_classes + n_distractors, (T - 1, batch_size),
                          generator=generator)
    tokens = torch.cat([y[None, :], noise], dim=0)  # (T, B)
    x = torch.nn.functional.one_hot(tokens, n_classes + n_distractors).float()
    return RecallBatch(x=x, y=y)


# ---------------------------------------------------------------------------------------------
# Tang poems (notebook 15). Owned by the notebook-15 helper; appended, nothing above changed.
# ---------------------------------------------------------------------------------------------

import json  # noqa: E402 - kept with the section that uses it
from pathlib import Path  # noqa: E402

TANG_POEMS_PATH = Path(__file__).with_name("corpora") / "tang_poems" / "tang_five_char.jsonl"


@dataclass(frozen=True)
class Poem:
    """One poem of the corpus: ``text`` is its characters and marks, no spaces or line breaks."""

    title: str
    author: str
    text: str


@dataclass(frozen=True)
class PoemSplit:
    """Poems split into train, validation and test sets (whole poems, never parts of one)."""

    train: list
    valid: list
    test: list


def load_tang_poems(path=None) -> list[Poem]:
    """The shipped Tang poems (one JSON object a line: title, author, text), in file order.

    ``path`` defaults to the package's copy (``lstm_edu/corpora/tang_poems``, with its
    licence and provenance). A missing file raises FileNotFoundError; a line that is not
    a JSON object with a non-empty string ``text`` raises ValueError naming the line.
    """
    path = TANG_POEMS_PATH if path is None else path
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or Path, got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"the Tang poem corpus is missing: {path} (the package ships it "
                                "in lstm_edu/corpora/tang_poems; reinstall lstm_edu)")
    poems = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path.name} line {number} is not JSON ({err.msg}): "
                                 f"{line[:40]!r}") from None
            if not isinstance(record, dict):
                raise ValueError(f"{path.name} line {number}: expected a JSON object with "
                                 f"'title', 'author' and 'text', got {type(record).__name__}")
            text = record.get("text")
            if not isinstance(text, str) or not text:
                raise ValueError(f"{path.name} line {number}: 'text' must be a non-empty "
                                 f"string, got {text!r}")
            if any(c.isspace() for c in text):
                raise ValueError(f"{path.name} line {number}: 'text' must have no spaces or "
                                 f"line breaks, got {text[:40]!r}")
            poems.append(Poem(title=str(record.get("title", "")),
                              author=str(record.get("author", "")), text=text))
    if not poems:
        raise ValueError(f"{path.name} has no poems")
    return poems


def split_poems(poems, valid_fraction: float = 0.05, test_fraction: float = 0.05,
                seed: int = 0) -> PoemSplit:
    """Shuffle whole poems with a seeded generator and cut them into train/validation/test."""
    if not isinstance(poems, (list, tuple)):
        raise TypeError(f"poems must be a list, got {type(poems).__name__}")
    valid_fraction = check_float("valid_fraction", valid_fraction, low=0.0, high=0.5)
    test_fraction = check_float("test_fraction", test_fraction, low=0.0, high=0.5)
    seed = check_int("seed", seed, low=0)
    order = np.random.default_rng(seed).permutation(len(poems))
    n_valid = int(round(len(poems) * valid_fraction))
    n_test = int(round(len(poems) * test_fraction))
    if len(poems) - n_valid - n_test < 1:
        raise ValueError(f"{len(poems)} poems leave no training poem after the split")
    pick = [poems[i] for i in order]
    return PoemSplit(train=pick[n_valid + n_test:], valid=pick[:n_valid],
                     test=pick[n_valid:n_valid + n_test])
