"""Exercises of 09_lstm_variants: coupled gates, the GRU's z, peepholes."""

import numpy as np

from ..checks import Exercise, close_to, one_of, register

# The source's worked example (notebook 05): f_t and C_{t-1}; a candidate to go with them.
F_T = np.array([0.5, 0.1, 0.8])
C_PREV = np.array([0.5, 0.6, 0.4])
C_TILDE = np.array([0.2, -0.4, 0.9])


def _cifg_cell():
    return F_T * C_PREV + (1 - F_T) * C_TILDE


def _cifg_judge(answer):
    got = np.asarray(answer, dtype=float)
    if got.shape == (3,) and np.allclose(got, F_T * C_PREV + F_T * C_TILDE, atol=1e-3):
        return "You used i_t = f_t. With coupled gates the input gate is 1 − f_t."
    if got.shape == (3,) and np.allclose(got, F_T * C_PREV + C_TILDE, atol=1e-3):
        return "You added all of C̃_t. Coupled gates scale it by i_t = 1 − f_t first."
    return close_to(_cifg_cell(), 1e-3,
                    "C_t = f_t ⊙ C_(t-1) + (1 − f_t) ⊙ C̃_t, elementwise, three numbers.")(answer)


register(Exercise(
    key="09-cifg-cell",
    prompt=("Coupled gates: with f_t = [0.5, 0.1, 0.8], C_(t-1) = [0.5, 0.6, 0.4] and "
            "C̃_t = [0.2, -0.4, 0.9], compute C_t as a list or array of three numbers."),
    solution=_cifg_cell,
    judge=_cifg_judge,
    wrong=([0.35, -0.3], list(F_T * C_PREV + F_T * C_TILDE), list(F_T * C_PREV + C_TILDE),
           [0.0, 0.0, 0.0]),
    explain=("C_t = [0.35, -0.30, 0.50]: where the cell forgets (f = 0.1) it takes 90% of the "
             "candidate; where it keeps (f = 0.8) it takes only 20%."),
))


def _params_judge(answer):
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer, float)):
        return "Answer with one whole number."
    if answer == 5248:
        return "That is the plain LSTM: 4 layers. Coupled gates drop the input layer."
    if answer == 3 * 32 * 40:
        return "Each layer also has a bias of H numbers."
    return None if answer == 3936 else "3 layers, each with W (H, H + D) and b (H,)."


register(Exercise(
    key="09-cifg-parameters",
    prompt=("An LSTM with coupled gates has input size D = 8 and hidden size H = 32 (one bias per "
            "layer, as in this course). How many weights and biases does its cell have?"),
    solution=lambda: 3936,
    judge=_params_judge,
    wrong=(5248, 3840, 4032, "3936"),
    explain="3 layers × 32 × (32 + 8 + 1) = 3936, against 4 × 1312 = 5248 for the LSTM: 25% fewer.",
))

register(Exercise(
    key="09-gru-z-colah",
    prompt=("A trained nn.GRU has z_t = 0.9 in one unit. The same cell drawn in colah's convention "
            "(h_t = (1 − z) ⊙ h_(t-1) + z ⊙ h̃_t) has what value of z in that unit?"),
    solution=lambda: 0.1,
    judge=close_to(0.1, 1e-6,
                   "In PyTorch z is the share of h_(t-1) that is kept; in colah's figure z is the "
                   "share of the candidate that is taken."),
    wrong=(0.9, 1.0, -0.9),
    explain="PyTorch keeps 90% of h_(t-1); colah writes that as 1 − z = 0.9, so z = 0.1.",
))

register(Exercise(
    key="09-peephole-output",
    prompt=("The output gate's peephole looks at the cell state. Which one: answer \"C_t\" (the new "
            "one) or \"C_(t-1)\" (the previous one)."),
    solution=lambda: "C_t",
    judge=one_of("C_t", "Gers & Schmidhuber's output gate is computed after the cell update, "
                        "so it can see the state it is about to expose."),
    wrong=("C_(t-1)", "C", 0),
    explain="The forget and input gates act before C_t exists, so they see C_(t-1); o_t sees C_t.",
))
