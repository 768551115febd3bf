"""Exercises of 14_lstm_backward: the cell path by hand, a closing output gate, truncation."""

import numpy as np

from ..checks import Exercise, close_to, one_of, register
from ..worked_example import SOURCE_F_T


def _dc_prev():
    f_t = np.array(SOURCE_F_T)
    dc_t = np.array([2.0, -1.0, 0.5])
    return f_t * dc_t


register(Exercise(
    key="14-dc-prev",
    prompt=("With the source's f_t = [0.5, 0.1, 0.8], the gradient arriving at C_t is "
            "dL/dC_t = [2, -1, 0.5] (the h path included). Compute dL/dC_(t-1)."),
    solution=lambda: _dc_prev().tolist(),
    judge=close_to([1.0, -0.1, 0.4], tol=1e-6,
                   hint="C_t = f_t ⊙ C_(t-1) + i_t ⊙ C~_t, so ∂C_t/∂C_(t-1) = f_t, element by "
                        "element: multiply the two lists entry by entry."),
    wrong=([2.0, -1.0, 0.5], [0.5, 0.1, 0.8], [1.0, 0.1, 0.4]),
    explain=("dL/dC_(t-1) = f_t ⊙ dL/dC_t = [1, -0.1, 0.4]: the forget gate scales the gradient "
             "exactly as it scales the memory."),
))

register(Exercise(
    key="14-output-gate-closed",
    prompt=("The output gate closes: o_t -> 0. Which gradient goes to zero with it: "
            "'dL/dC_(t-1)' (the gradient along the cell state), 'dL/dC_t from h_t' (what the "
            "loss at h_t sends into C_t), or 'dL/df_t'? Answer with one of the three strings."),
    solution=lambda: "dL/dC_t from h_t",
    judge=one_of("dL/dC_t from h_t",
                 "h_t = o_t ⊙ tanh(C_t): which derivative carries the factor o_t? The cell "
                 "path C_t -> C_(t-1) is multiplied by f_t, not o_t."),
    wrong=("dL/dC_(t-1)", "dL/df_t"),
    explain=("∂h_t/∂C_t = o_t ⊙ (1 - tanh²C_t): with o_t = 0 the loss at h_t sends nothing into "
             "C_t. A gradient already on the cell state, from later steps, still flows back "
             "through f_t: a closed output gate hides the memory without erasing its gradient."),
))

register(Exercise(
    key="14-window-reaches-cue",
    prompt=("The recall task of section 6 has its cue at t = 0 and its loss at the last step "
            "t = 19 (gap 20). The state is detached `window` steps before the loss. What is the "
            "smallest window whose gradient reaches the step that read the cue?"),
    solution=lambda: 20,
    judge=close_to(20, tol=0,
                   hint="Detaching `window` steps before the loss keeps steps 20 - window ... "
                        "19 in the graph. Which window keeps step 0?"),
    wrong=(19, 21, 10),
    explain=("20: the graph keeps steps 20 - window to 19, and step 0 is in it only for "
             "window = 20, the whole sequence. Any shorter window trains the read-out of the "
             "state but never the writing of the cue into it."),
))
