"""Exercises of 07_cell_update."""

from ..checks import Exercise, as_numbers, close_to, register

register(Exercise(
    key="07-c1-by-hand",
    prompt=("Compute C_t[1] by hand: f_t[1] = 0.1, C_(t-1)[1] = 0.6, i_t[1] = 0.9, "
            "C̃_t[1] = -0.8."),
    solution=lambda: 0.1 * 0.6 + 0.9 * -0.8,
    judge=close_to(-0.66, tol=1e-6,
                   hint="C_t = f_t ⊙ C_(t-1) + i_t ⊙ C̃_t: two products, then add."),
    wrong=(0.66, -0.72, 0.06, -0.8),
    explain="0.06 + (-0.72) = -0.66: the old 0.6 is mostly forgotten and overwritten "
            "by the candidate.",
))

register(Exercise(
    key="07-perfect-memory",
    prompt=("Which pair (f, i) carries C_(t-1) to C_t unchanged, whatever the candidate? "
            "Answer as a tuple, e.g. (0.5, 0.5)."),
    solution=lambda: (1, 0),
    judge=lambda a: (
        "Answer with a tuple of two numbers, e.g. (0.5, 0.5)." if as_numbers(a) is None
        else None if as_numbers(a) == (1.0, 0.0) else
        "C_t = f·C_(t-1) + i·C̃_t equals C_(t-1) for every C̃_t only when the second term "
        "vanishes and the first is C_(t-1) itself."),
    wrong=((0, 1), (0.5, 0.5), (1, 1), "1, 0"),
    explain="(1, 0): the conveyor belt runs with nothing taken off and nothing put on. A "
            "sigmoid gate only approaches 1 and 0, so an LSTM holds information by learning "
            "f_t ≈ 1 and i_t ≈ 0; at PyTorch's default initialisation f_t starts near 0.5.",
))
