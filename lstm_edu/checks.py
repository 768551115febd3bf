"""Self-check exercises: a learner writes an answer, :func:`check` says right or not.

Each exercise is registered once, in a module of ``lstm_edu.exercises``, with
its reference solution, a judge, and hints. A wrong answer, a wrong type, or
an answer not yet written gets a message and a hint, never a traceback::

    check("05-most-forgotten", my_answer)

Every answer is judged by one policy before its exercise looks at the value
(:func:`kind_hint`): a number is an int, a float or a NumPy/torch scalar, never
``True`` and never the text ``"0.32"``; text answers are text; a True/False
answer is a bool; a count or an index is a whole number. An answer of the
wrong kind gets a hint that says which kind is wanted.

The tests run every reference solution through its judge, every listed wrong
answer, and a near miss of every numeric answer (tests/test_judging.py).
"""

from __future__ import annotations

import importlib
import numbers
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Exercise:
    """``judge(answer)`` returns ``None`` when right, else a hint for this answer."""

    key: str
    prompt: str
    solution: Callable[[], Any]  # builds the reference answer
    judge: Callable[[Any], str | None]
    wrong: tuple = field(default_factory=tuple)  # sample wrong answers, for the tests
    explain: str = ""  # shown after a right answer


EXERCISES: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    if exercise.key in EXERCISES:
        raise ValueError(f"exercise {exercise.key!r} is registered twice")
    EXERCISES[exercise.key] = exercise
    return exercise


def _load_all() -> None:
    from . import exercises

    for info in pkgutil.iter_modules(exercises.__path__):
        importlib.import_module(f"{exercises.__name__}.{info.name}")


def get(key: str) -> Exercise:
    _load_all()
    if key not in EXERCISES:
        raise KeyError(f"no exercise {key!r}; known: {', '.join(sorted(EXERCISES))}")
    return EXERCISES[key]


def judge(key: str, answer, raise_errors: bool = False) -> str | None:
    """``None`` if ``answer`` is right, else the hint.

    A judge that raises on an answer gives the learner a friendly "could not be
    read" message instead of a traceback; ``raise_errors=True`` (what the tests
    use) lets the exception through, so a judge that crashes on a wrong answer
    it lists, or on its own solution, fails its test.
    """
    if not isinstance(raise_errors, bool):
        raise TypeError(f"raise_errors must be True or False, got {type(raise_errors).__name__}")
    exercise = get(key)
    if answer is None or answer is Ellipsis:
        return "No answer yet: replace the ... and run the cell again."

    def verdict():
        # the one policy first (kind_hint), then the exercise's own judge on the value
        problem = kind_hint(answer, exercise.solution())
        return exercise.judge(plain(answer)) if problem is None else problem

    if raise_errors:
        return verdict()
    try:
        return verdict()
    except Exception as err:  # a learner's odd answer must not become a traceback
        return f"That answer could not be read ({type(err).__name__}: {err}). {exercise.prompt}"


def check(key: str, answer) -> None:
    """Print whether ``answer`` is right, with a hint if not.

    It returns nothing, so the cell shows the verdict only; :func:`judge`
    gives the verdict as a value.
    """
    hint = judge(key, answer)
    if hint is None:
        exercise = get(key)
        print("Right." + (f" {exercise.explain}" if exercise.explain else ""))
    else:
        print(f"Not yet. Hint: {hint}")


def solution(key: str):
    """The reference answer (for teachers, and for learners who are stuck)."""
    return get(key).solution()


# --- the one judging policy ------------------------------------------------
#
# Every checker sees an answer only after kind_hint has let it through, so all of them judge
# alike: a number is a number (int, float, a NumPy scalar; not True, not the string "0.32"),
# text is text, True/False is a bool, and a whole-number reference (a count, an index) takes
# a whole number (2.0 is 2; 2.01 is not).

def _leaves(value) -> list:
    """The scalars inside ``value`` (itself, or the items of a list, tuple or array)."""
    if isinstance(value, (str, bytes)):
        return [value]
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value.ravel().tolist()
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def _is_bool(x) -> bool:
    return isinstance(x, (bool, np.bool_))


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not _is_bool(x)


def plain(answer):
    """A NumPy or torch scalar as the Python number it holds (a torch array as a NumPy one),
    so that every judge sees ``14`` whether the learner typed it or computed ``np.int64(14)``."""
    if hasattr(answer, "detach"):  # a torch tensor
        answer = answer.detach().cpu().numpy()
    if isinstance(answer, np.generic) or (isinstance(answer, np.ndarray) and answer.ndim == 0):
        return answer.item()
    return answer


def kind_hint(answer, reference) -> str | None:
    """``None`` if ``answer`` is the same kind of thing as ``reference``, else a hint that says
    which kind is wanted. Values are left to each exercise's judge."""
    want, got = _leaves(reference), _leaves(answer)
    if want and all(_is_bool(x) for x in want):
        if len(got) == 1 and _is_bool(got[0]):
            return None
        return f"Answer True or False (no quotes), got {type(answer).__name__} {answer!r}."
    if want and all(isinstance(x, str) for x in want):
        if all(isinstance(x, str) for x in got):
            return None
        return f"Answer with text, in quotes, got {type(answer).__name__} {answer!r}."
    if not (want and all(_is_number(x) for x in want)):
        return None
    some = "a number" if len(want) == 1 else "numbers"
    if any(isinstance(x, (str, bytes)) for x in got):
        return (f"Answer with {some}, not text: drop the quotes, got "
                f"{type(answer).__name__} {answer!r}.")
    if any(_is_bool(x) for x in got):
        return (f"Answer with {some}: True and False are not numbers here, got "
                f"{type(answer).__name__} {answer!r}.")
    whole = all(isinstance(x, numbers.Integral) for x in want)
    if whole and any(_is_number(x) and np.isfinite(x) and x != round(x) for x in got):
        return f"Answer with whole numbers (a count or an index), got {answer!r}."
    return None


# --- judges used by many exercises ----------------------------------------

def close_to(expected, tol: float = 1e-3, hint: str = "") -> Callable[[Any], str | None]:
    """A judge for a number or an array, within ``tol``."""
    expected_arr = np.asarray(expected, dtype=float)

    def judge_fn(answer):
        problem = kind_hint(answer, expected)
        if problem is not None:
            return f"{problem} {hint}".strip()
        try:
            got = np.asarray(answer, dtype=float)
        except (TypeError, ValueError):
            return (f"expected a number{'' if expected_arr.ndim == 0 else ' array'}, got "
                    f"{type(answer).__name__} {answer!r}. {hint}").strip()
        if got.shape != expected_arr.shape:
            return f"expected shape {expected_arr.shape}, got {got.shape}. {hint}".strip()
        if not np.allclose(got, expected_arr, atol=tol, rtol=0):
            return hint or f"not within {tol} of the answer; check each step."
        return None

    return judge_fn


def as_numbers(answer) -> tuple[float, ...] | None:
    """``answer`` as a tuple of floats, or None if it is not a sequence of numbers (text, say)."""
    if isinstance(answer, (str, bytes)):
        return None
    try:
        return tuple(float(x) for x in answer)
    except (TypeError, ValueError):
        return None


def one_of(expected, hint: str) -> Callable[[Any], str | None]:
    """A judge for an exact choice (an index, a word, ...)."""
    def judge_fn(answer):
        return None if answer == expected else hint

    return judge_fn
