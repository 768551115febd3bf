"""Exercises of 06_input_gate: what the input ("memory") gate writes."""

from ..checks import Exercise, close_to, one_of, register

register(Exercise(
    key="06-written-by-hand",
    prompt="Compute (i_t ⊙ C̃_t)[1] by hand, with i_t[1] = 0.9 and C̃_t[1] = -0.8.",
    solution=lambda: 0.9 * -0.8,
    judge=close_to(-0.72, tol=1e-6, hint="Multiply the two numbers; mind the sign of C̃_t[1]."),
    wrong=(0.72, 0.1, -0.8, 0.9),
    explain="0.9 × (-0.8) = -0.72: the gate lets 90 % of the candidate's -0.8 into the cell state.",
))

register(Exercise(
    key="06-not-opposite",
    prompt=("The source says the memory gate's role is the opposite of the forget gate's: one "
            "takes off the cell state, the other puts on. Can f_t and i_t both be close to 1 in "
            "the same step? Answer True or False."),
    solution=lambda: True,
    judge=one_of(True, "f_t and i_t come from two separate sigmoid layers with their own weights: "
                 "is anything forcing i_t = 1 - f_t?"),
    wrong=(False, "no", 0),
    explain="Yes: opposite roles, not opposite values. With f≈1 and i≈1 the cell keeps its old "
            "content AND adds the new candidate. Only the coupled-gate variant (notebook 09) "
            "ties i_t = 1 - f_t.",
))
