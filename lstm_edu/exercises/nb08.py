"""Exercises of 08_output_gate."""

import numpy as np

from ..checks import Exercise, close_to, register


def _normal(answer) -> str:
    """'C_t', 'c_t', 'Ct', 'C_{t}' all read as 'ct'."""
    return "".join(ch for ch in str(answer).lower() if ch.isalnum())

register(Exercise(
    key="08-h0-by-hand",
    prompt="Compute h_t[0] with o_t[0] = 0.9 and C_t[0] = 0.37 (use np.tanh).",
    solution=lambda: 0.9 * np.tanh(0.37),
    judge=close_to(0.9 * np.tanh(0.37), tol=1e-4,
                   hint="h_t = o_t ⊙ tanh(C_t): squash C_t[0] with tanh first, "
                        "then multiply by o_t[0]."),
    wrong=(0.9 * 0.37, np.tanh(0.9 * 0.37), 0.37, 0.9),
    explain="0.9 × tanh(0.37) = 0.9 × 0.3540 = 0.3186.",
))

register(Exercise(
    key="08-which-cell-state",
    prompt=("The first sentence of the source's output-gate paragraph names the cell state "
            "C_(t-1). Which cell state does h_t = o_t ⊙ tanh(...) really squash: 'C_(t-1)' or "
            "'C_t'?"),
    solution=lambda: "C_t",
    judge=lambda a: None if _normal(a) == "ct" else (
        "h_t is computed after the update: it squashes the cell state that this step's forget "
        "and input gates have just produced."),
    wrong=("C_(t-1)", "C_t-1", "h_t"),
    explain="h_t = o_t ⊙ tanh(C_t), with the new cell state: after this step's forget "
            "and input gates, as the source's own formula a few lines later has it.",
))
