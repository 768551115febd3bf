"""Exercises of 05_forget_gate: the source's worked example."""

from ..checks import Exercise, close_to, one_of, register

register(Exercise(
    key="05-most-forgotten",
    prompt=("With f_t = [0.5, 0.1, 0.8] and C_(t-1) = [0.5, 0.6, 0.4], which component of "
            "C_(t-1) is forgotten most? Answer with its Python index 0, 1 or 2."),
    solution=lambda: 1,
    judge=one_of(1, "Look for the smallest gate value: f_t keeps the fraction f_t[k] "
                    "of C_(t-1)[k]."),
    wrong=(0, 2, 0.1, "1"),
    explain="f_t[1] = 0.1 keeps only 10 % of C_(t-1)[1] = 0.6: 0.06 stays, 0.54 is forgotten.",
))

register(Exercise(
    key="05-kept-by-hand",
    prompt="Compute f_t ⊙ C_(t-1)[2] by hand, with f_t[2] = 0.8 and C_(t-1)[2] = 0.4.",
    solution=lambda: 0.8 * 0.4,
    judge=close_to(0.32, tol=1e-6,
                   hint="⊙ multiplies component by component: f_t[2] × C_(t-1)[2]."),
    wrong=(0.4, 0.8, 1.2, 0.25),
    explain=("0.8 × 0.4 = 0.32, the last number of f_t ⊙ C_(t-1) = [0.25, 0.06, 0.32], "
             "the product of the source's f_t and C_(t-1)."),
))
