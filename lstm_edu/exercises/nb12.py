"""Exercises of 12_xlstm: exponential gating, the stabilizer, the matrix memory."""

import math

import numpy as np

from ..checks import Exercise, close_to, one_of, register

register(Exercise(
    key="12-new-share",
    prompt=("An sLSTM unit has n_(t-1) = 2.0, f_t = 0.5 and a new input with ĩ_t = 3. "
            "What share i_t / n_t of the new memory c_t / n_t does the new value z_t get?"),
    solution=lambda: math.exp(3) / (0.5 * 2.0 + math.exp(3)),
    judge=close_to(math.exp(3) / (1.0 + math.exp(3)), tol=1e-3,
                   hint="i_t = exp(ĩ_t) and n_t = f_t n_(t-1) + i_t; the share is i_t / n_t."),
    wrong=(0.5, 3.0, 20.0855, 0.9526 - 0.01),
    explain="exp(3) / (0.5 · 2 + exp(3)) = 20.09 / 21.09 ≈ 0.953: the old memory keeps under 5 %.",
))

register(Exercise(
    key="12-float32-overflow",
    prompt=("What is the smallest whole number ĩ for which exp(ĩ) overflows to inf in float32? "
            "(np.finfo(np.float32).max is about 3.4e38.)"),
    solution=lambda: int(math.floor(math.log(float(np.finfo(np.float32).max)))) + 1,
    judge=one_of(89, "Take the logarithm of float32's largest number, "
                     "np.log(np.finfo(np.float32).max), and round up."),
    wrong=(88, 709, 710, "89"),
    explain="log(3.4e38) = 88.72, so exp(89) = 4.5e38 is inf; the raw sLSTM breaks there.",
))

register(Exercise(
    key="12-stabilized-forget",
    prompt=("Stabilized sLSTM: m_(t-1) = 2, log f_t = -0.1 and ĩ_t = 5. "
            "Compute f'_t = exp(log f_t + m_(t-1) − m_t)."),
    solution=lambda: math.exp(-0.1 + 2 - max(-0.1 + 2, 5)),
    judge=close_to(math.exp(-3.1), tol=1e-4,
                   hint="First m_t = max(log f_t + m_(t-1), ĩ_t); then f'_t."),
    wrong=(math.exp(-0.1), math.exp(1.9), 1.0, 0.0),
    explain="m_t = max(1.9, 5) = 5, so f'_t = exp(1.9 − 5) = exp(−3.1) ≈ 0.0450.",
))


def _mlstm_recall():
    k1, k2 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    v1, v2 = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    C = np.outer(v1, k1) + np.outer(v2, k2)   # i = f = 1
    n = k1 + k2
    q = k2
    return C @ q / max(abs(n @ q), 1.0)


register(Exercise(
    key="12-mlstm-recall",
    prompt=("An mLSTM with i = f = 1 stores v1 = [1, 2] under k1 = [1, 0] and v2 = [3, -1] under "
            "k2 = [0, 1]: C = v1 k1ᵀ + v2 k2ᵀ, n = k1 + k2. What is h̃ = C q / max(|nᵀq|, 1) "
            "for the query q = k2? Answer a list or array of two numbers."),
    solution=_mlstm_recall,
    judge=close_to([3.0, -1.0], tol=1e-6,
                   hint="C q = v1 (k1ᵀ q) + v2 (k2ᵀ q); with orthogonal keys one term is left."),
    wrong=([1.0, 2.0], [4.0, 1.0], [2.0, -0.5], 3.0),
    explain="k1ᵀ q = 0 and k2ᵀ q = 1, so C q = v2 and nᵀ q = 1: the memory returns v2 = [3, -1].",
))
