"""Exercises of 11_lstm_lab: forget-bias initialisation and geometric decay."""

import math

from ..checks import Exercise, close_to, register


def _steps(answer):
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or answer != int(answer):
        return "Answer a whole number of steps."
    if int(answer) == 14:
        return None
    if int(answer) == 13:
        return "0.6**13 is about 1.3e-3: still above 1e-3. One more step."
    return "Solve 0.6**d < 1e-3 for the smallest whole d: d > ln(1e-3) / ln(0.6)."


register(Exercise(
    key="11-steps-to-vanish",
    prompt=("A gradient shrinks by a factor 0.6 per step back. After how many steps is it first "
            "below 1/1000 of its value? (A whole number.)"),
    solution=lambda: 14,
    judge=_steps,
    wrong=(13, 1000, 0.6, 6),
    explain="ln(1e-3)/ln(0.6) ≈ 13.5, so 14 steps: at the default init a gap of 100 is hopeless.",
))

register(Exercise(
    key="11-chrono-forget",
    prompt=("The chrono initialisation sets the forget bias to ln T. What is the forget gate "
            "σ(ln T) at T = 50, if the weighted inputs are near zero? (A number.)"),
    solution=lambda: 50 / 51,
    judge=close_to(50 / 51, 1e-3, "σ(z) = 1 / (1 + e^(−z)), and e^(−ln T) = 1/T."),
    wrong=(math.log(50), 0.5, 1.0, 0.73),
    explain=("σ(ln T) = T / (T + 1) = 1 − 1/(T + 1): over T steps the cell keeps about "
             "(1 − 1/T)^T ≈ 1/e of what it holds, instead of 0.5^T."),
))


def _gate(answer):
    if not isinstance(answer, str):
        return "Answer with the gate's letter, as a string."
    a = answer.strip().lower()
    if a == "z":
        return None
    if a == "r":
        return ("r (reset) decides how much of h_(t-1) enters the candidate n, "
                "not how much of h_(t-1) is kept.")
    return "PyTorch's GRU computes h_t = (1 − z)·n + z·h_(t-1). Which gate keeps the old state?"


register(Exercise(
    key="11-gru-forget",
    prompt=("In PyTorch's GRU, h_t = (1 − z_t)⊙n_t + z_t⊙h_(t−1). Which gate plays the LSTM "
            "forget gate's part (\"r\", \"z\" or \"n\")?"),
    solution=lambda: "z",
    judge=_gate,
    wrong=("r", "n", "f", 1),
    explain="z near 1 keeps h_(t−1): the chrono init sets b_z = ln T (for colah's form, −ln T).",
))
