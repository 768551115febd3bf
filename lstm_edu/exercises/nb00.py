"""Exercises of 00_start_here: the conventions."""

from ..checks import Exercise, one_of, register

register(Exercise(
    key="00-weight-shape",
    prompt="An LSTM has input size D=3 and hidden size H=5. What is the shape of W_f, as a tuple?",
    solution=lambda: (5, 8),
    judge=lambda a: None if tuple(a) == (5, 8) else (
        "W_f maps [h_(t-1), x_t], of length H + D, to a gate of length H: shape (H, H + D)."),
    wrong=((5, 3), (8, 5), (5, 5), "five"),
    explain="W_f is (H, H + D) = (5, 8): five gate values, each a weighted sum of 8 numbers.",
))

register(Exercise(
    key="00-torch-gate-order",
    prompt="Which letter does PyTorch put second in the LSTM's stacked weights?",
    solution=lambda: "f",
    judge=one_of("f", "PyTorch stacks the LSTM gates as i, f, g, o."),
    wrong=("i", "g", "o", 2),
    explain="The order is i, f, g, o: rows H..2H of weight_ih are the forget gate's.",
))
