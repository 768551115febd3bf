"""Exercises of 10_pytorch_sin_to_cos: the layout, the mirrored test half, the two-tap rule."""

import numpy as np

from ..checks import Exercise, close_to, register

STEP = 12 * np.pi / 199  # the sample step Δ of the source's 200 points on [0, 12π]


def _position(answer):
    step, seq = (int(v) for v in answer)
    if (step, seq) == (8, 2):
        return None
    if (step, seq) == (2, 8):
        return ("Swapped: the first index of reshape(-1, 5, 1) is the time step, "
                "the second the sequence.")
    return ("Element [s, b] of reshape(-1, 5, 1) holds sample 5*s + b. "
            "Solve 5*s + b = 42 with 0 <= b < 5.")


register(Exercise(
    key="10-layout-position",
    prompt=("In the source's layout x.reshape(-1, 5, 1), read time first, sample 42 sits at "
            "time step s of sequence b. Give (s, b)."),
    solution=lambda: (8, 2),
    judge=_position,
    wrong=((2, 8), (42, 0), (0, 42), (4, 2)),
    explain="42 = 5*8 + 2: time step 8 of sequence 2. Sequence 2 holds samples 2, 7, 12, ..., 97.",
))

register(Exercise(
    key="10-half-step",
    prompt=("The data are 200 points on [0, 12π], so Δ = 12π/199. By how many steps Δ is t[100] "
            "past 6π? (A number.)"),
    solution=lambda: 0.5,
    judge=close_to(0.5, 1e-3, "t[k] = kΔ and 6π = 12π/2 = 99.5 Δ. Subtract."),
    wrong=(1.0, 0.0, 100, 99.5),
    explain=("t[100] = 100Δ and 6π = 99.5Δ: half a step. So the test half is the training half "
             "shifted by a whole number of periods plus half a sample."),
))

register(Exercise(
    key="10-two-tap",
    prompt=("Find (a, b) with cos t = a·sin t + b·sin(t − Δ) for every t, at Δ = 12π/199. "
            "Hint: expand sin(t − Δ)."),
    solution=lambda: (np.cos(STEP) / np.sin(STEP), -1.0 / np.sin(STEP)),
    judge=close_to((np.cos(STEP) / np.sin(STEP), -1.0 / np.sin(STEP)), 1e-3,
                   "sin(t − Δ) = sin t·cos Δ − cos t·sin Δ; solve that for cos t."),
    wrong=((1 / STEP, -1 / STEP), (1.0, -1.0), (5.31, -5.22)),
    explain=("a = cos Δ / sin Δ ≈ 5.215 and b = −1 / sin Δ ≈ −5.310: two inputs and two weights "
             "give cos t exactly. Large, opposite weights: the rule amplifies any noise in sin t."),
))
