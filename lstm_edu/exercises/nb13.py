"""Exercises of 13_min_rnns_and_scans: the recurrence by hand, minLSTM's normalization, parity."""

import numpy as np

from ..cells.min_rnn import log_space_scan, sequential_scan
from ..checks import Exercise, close_to, one_of, register


def _h3_by_scan():
    a = np.full((3, 1), 0.5)
    b = np.ones((3, 1))
    loop = sequential_scan(a, b)[-1, 0]
    scan = log_space_scan(np.log(a), np.log(b))[-1, 0]
    assert abs(loop - scan) < 1e-12
    return float(loop)


register(Exercise(
    key="13-scan-by-hand",
    prompt=("h_t = a_t h_(t-1) + b_t with a_t = 0.5 and b_t = 1 at every step and h_0 = 0. "
            "Compute h_3 by hand."),
    solution=_h3_by_scan,
    judge=close_to(1.75, tol=1e-6, hint="Step by step: h_1 = 0.5·0 + 1, then h_2 = 0.5·h_1 + 1, "
                                        "then h_3 = 0.5·h_2 + 1."),
    wrong=(1.5, 2.0, 3.0, 0.875),
    explain=("h = 1, 1.5, 1.75. The closed form is the sum of b_k times the product of the "
             "later a's: 1·0.25 + 1·0.5 + 1·1 = 1.75, the sum the scan computes."),
))

register(Exercise(
    key="13-minlstm-normalized",
    prompt=("A minLSTM unit has f_t = 0.9 and i_t = 0.3. Compute the normalized forget gate "
            "f'_t = f_t / (f_t + i_t)."),
    solution=lambda: 0.9 / (0.9 + 0.3),
    judge=close_to(0.75, tol=1e-6, hint="Divide f_t by the sum f_t + i_t; f'_t and i'_t then "
                                        "add to 1."),
    wrong=(0.9, 0.27, 0.25, 1.2),
    explain="f'_t = 0.9 / 1.2 = 0.75 and i'_t = 0.25: h_t keeps 75 % of h_(t-1).",
))

register(Exercise(
    key="13-flip-coefficient",
    prompt=("On a 1-bit, h_t = a · h_(t-1) + 1 must turn h = 0 into 1 and h = 1 into 0 "
            "(a parity flip). Which a does it: 0.5, 0, 1 or -1?"),
    solution=lambda: -1,
    judge=one_of(-1, "Try each: with h_(t-1) = 1 you need a · 1 + 1 = 0."),
    wrong=(0.5, 0, 1, "-1"),
    explain=("a = -1: h -> 1 - h. With a in (0, 1) this step maps 1 to a + 1 > 1, never "
             "to 0: flipping needs a negative coefficient, which minGRU and minLSTM never have.")))
