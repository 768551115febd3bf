"""Every exercise checker judges by one policy (lstm_edu.checks.kind_hint), and rejects a near miss.

The policy: a number is a number (int, float, a NumPy scalar; not True, not the string "0.32"),
text is text, True/False is a bool, and a whole-number reference takes a whole number.
A near miss is the reference moved by 0.01 (1 for a whole number) in one component: loosening
any tolerance to 0.01 or more (05's 1e-6 to 0.05, say) lets it through and fails this test.
"""

import numbers

import numpy as np
import pytest
import torch

from lstm_edu import checks

checks._load_all()
KEYS = sorted(checks.EXERCISES)


def _leaves(value):
    return checks._leaves(value)


def _kind(key):
    leaves = _leaves(checks.solution(key))
    if all(isinstance(x, (bool, np.bool_)) for x in leaves):
        return "bool"
    if all(isinstance(x, str) for x in leaves):
        return "text"
    return "number"


NUMERIC = [k for k in KEYS if _kind(k) == "number"]
TEXT = [k for k in KEYS if _kind(k) == "text"]
BOOL = [k for k in KEYS if _kind(k) == "bool"]


def _moved(value, delta):
    """``value`` with its first component moved by ``delta``, in the same container."""
    if isinstance(value, np.ndarray):
        out = value.astype(float).copy()
        out.flat[0] += delta
        return out
    if isinstance(value, (list, tuple)):
        return type(value)([_moved(value[0], delta), *value[1:]])
    return value + delta


def _whole(value) -> bool:
    return all(isinstance(x, numbers.Integral) for x in _leaves(value))


def _as_text(value):
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(x) for x in _leaves(value)]
    return str(value)


def test_every_kind_of_exercise_is_covered():
    assert NUMERIC and TEXT and BOOL
    assert len(NUMERIC) + len(TEXT) + len(BOOL) == len(KEYS)


@pytest.mark.parametrize("key", NUMERIC)
def test_a_near_miss_and_a_far_off_answer_are_both_wrong(key):
    solution = checks.solution(key)
    near, far = (1, 100) if _whole(solution) else (0.01, 10.0)
    assert checks.judge(key, solution, raise_errors=True) is None
    for delta in (near, -near, far):
        hint = checks.judge(key, _moved(solution, delta), raise_errors=True)
        assert isinstance(hint, str) and hint, (key, delta)


@pytest.mark.parametrize("key", NUMERIC)
def test_a_number_written_as_text_is_refused_with_the_same_hint(key):
    hint = checks.judge(key, _as_text(checks.solution(key)), raise_errors=True)
    assert hint is not None and "not text: drop the quotes" in hint, hint


@pytest.mark.parametrize("key", NUMERIC)
def test_true_is_not_a_number(key):
    solution = checks.solution(key)
    laced = True if not isinstance(solution, (list, tuple, np.ndarray)) else \
        [True, *_leaves(solution)[1:]]
    hint = checks.judge(key, laced, raise_errors=True)
    assert hint is not None and "True and False are not numbers" in hint, hint


@pytest.mark.parametrize("key", [k for k in NUMERIC if _whole(checks.solution(k))])
def test_a_whole_number_answer_may_be_a_float_but_not_a_fraction(key):
    solution = checks.solution(key)
    as_float = _moved(solution, 0.0)  # the same value, first component a float (or arrays)
    if not isinstance(solution, (list, tuple)):
        as_float = float(solution)
    assert checks.judge(key, as_float, raise_errors=True) is None
    hint = checks.judge(key, _moved(solution, 0.01), raise_errors=True)
    assert hint is not None and "whole numbers" in hint, hint


@pytest.mark.parametrize("key", NUMERIC)
def test_numpy_and_torch_numbers_are_numbers(key):
    solution = checks.solution(key)
    if isinstance(solution, (list, tuple, np.ndarray)):
        as_numpy = np.asarray(solution)
        assert checks.judge(key, as_numpy, raise_errors=True) is None
    else:
        dtype = np.int64 if _whole(solution) else np.float64
        assert checks.judge(key, dtype(solution), raise_errors=True) is None
        assert checks.judge(key, torch.tensor(solution), raise_errors=True) is None


@pytest.mark.parametrize("key", TEXT)
def test_text_answers_want_text(key):
    hint = checks.judge(key, 1, raise_errors=True)
    assert hint is not None and "Answer with text" in hint, hint


@pytest.mark.parametrize("key", BOOL)
def test_true_or_false_answers_want_a_bool(key):
    solution = checks.solution(key)
    assert checks.judge(key, np.bool_(solution), raise_errors=True) is None
    for near in (str(solution), int(solution)):
        hint = checks.judge(key, near, raise_errors=True)
        assert hint is not None and "Answer True or False" in hint, (near, hint)


def test_the_shared_judges_follow_the_policy_when_used_alone():
    judge = checks.close_to(0.32, tol=1e-6)
    assert judge(0.32) is None and judge(np.float64(0.32)) is None
    assert "not text" in judge("0.32")
    assert "True and False" in checks.close_to(1.0)(True)
    assert checks.close_to(0.32, tol=1e-6)(0.33) is not None


def test_the_policy_in_one_line_each():
    assert checks.kind_hint(45, 45) is None
    assert checks.kind_hint(45.0, 45) is None
    assert "whole numbers" in checks.kind_hint(45.5, 45)
    assert "not text" in checks.kind_hint("45", 45)
    assert "True and False" in checks.kind_hint(True, 1)
    assert "Answer True or False" in checks.kind_hint(1, True)
    assert "Answer with text" in checks.kind_hint(3, "C_t")
    assert checks.kind_hint([0.1, 0.2], np.array([0.1, 0.2])) is None
    assert "not text" in checks.kind_hint(["0.1", 0.2], np.array([0.1, 0.2]))
