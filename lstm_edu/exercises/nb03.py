"""Exercises of 03_long_term_dependencies: geometric decay."""

import math

from ..checks import Exercise, register


def _steps_to(factor: float, level: float) -> int:
    return math.ceil(math.log(level) / math.log(factor))


register(Exercise(
    key="03-steps-to-vanish",
    prompt=("A gradient norm shrinks by a factor 0.57 per step. After how many steps is it "
            "first below 1e-6? (an int)"),
    solution=lambda: _steps_to(0.57, 1e-6),
    judge=lambda a: None if (not isinstance(a, bool) and a == _steps_to(0.57, 1e-6)) else (
        "Solve 0.57**k < 1e-6: k > log(1e-6) / log(0.57). Round up."),
    wrong=(24, 10, 1000000, 0.57),
    explain="0.57**25 ≈ 7.7e-7 < 1e-6, while 0.57**24 ≈ 1.4e-6: 25 steps.",
))

register(Exercise(
    key="03-bound-vanish",
    prompt=("Which statement is true for a tanh RNN? Answer 'a', 'b' or 'c'. "
            "(a) if σ_max(W_hh) < 1 the gradient must vanish; "
            "(b) if σ_max(W_hh) > 1 the gradient must explode; "
            "(c) the gradient never vanishes if the hidden size is large."),
    solution=lambda: "a",
    judge=lambda a: None if a == "a" else (
        "|tanh'| ≤ 1, so each step multiplies the norm by at most σ_max(W_hh). What does a "
        "bound below 1 force? And does a bound above 1 force anything?"),
    wrong=("b", "c", 1),
    explain=("(a): the bound σ_max^k goes to 0. (b) is false: the default W_hh here has "
             "σ_max > 1 and the gradient still vanishes; the bound is sufficient, not necessary."),
))
