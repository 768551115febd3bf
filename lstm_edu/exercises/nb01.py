"""Exercises of 01_feedforward_limits: memory is what is missing."""

import math

from ..checks import Exercise, close_to, one_of, register

register(Exercise(
    key="01-partner-time",
    prompt=("sin(π/6) = 0.5. Give the other time t in [0, 2π) with sin(t) = 0.5, "
            "as a float (e.g. 2.6180)."),
    solution=lambda: 5 * math.pi / 6,
    judge=close_to(5 * math.pi / 6, 1e-3,
                   "sin(π − t) = sin(t): the partner of t is π − t. Its cosine has the other sign."),
    wrong=(math.pi / 6, 13 * math.pi / 6, 2.5, "5pi/6"),
    explain="5π/6 ≈ 2.6180: sin = 0.5 there too, but cos = −0.866 instead of +0.866.",
))

register(Exercise(
    key="01-smallest-window",
    prompt=("What is the smallest window k (number of past sin values the MLP sees) that "
            "determines cos(t) exactly? Answer with an int."),
    solution=lambda: 2,
    judge=lambda a: None if (not isinstance(a, bool) and a == 2) else (
        "One value of sin leaves the sign of cos open. How many consecutive samples pin "
        "down whether sin is rising or falling?"),
    wrong=(1, 3, 8, "2"),
    explain=("k = 2: sin(t − Δ) = sin t·cos Δ − cos t·sin Δ, so "
             "cos t = (sin t·cos Δ − sin(t − Δ)) / sin Δ, a linear function of the two samples."),
))

register(Exercise(
    key="01-bag-of-words",
    prompt=("Which word order gives a different bag-of-words vector from 地球 上 最高的 山 是 "
            "珠穆朗玛峰 (Earth on highest mountain is Everest)? Answer 'a' (山 是 珠穆朗玛峰 地球 "
            "上 最高的: mountain is Everest Earth on highest), 'b' (是 山 最高的 上 地球 珠穆朗玛峰: "
            "is mountain highest on Earth Everest) or 'none'."),
    solution=lambda: "none",
    judge=one_of("none", "A bag of words only counts each word; every order of the same "
                 "six words gives the same counts."),
    wrong=("a", "b", 1),
    explain="Counts do not see order: every permutation gives the same vector.",
))
