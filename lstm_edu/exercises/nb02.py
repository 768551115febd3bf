"""Exercises of 02_rnn_unrolled: one step, many times, the same weights."""

from ..checks import Exercise, one_of, register

register(Exercise(
    key="02-param-count",
    prompt=("An RNN in the course's form has input size D = 3 and hidden size H = 5 and reads "
            "sequences of length T = 100. How many numbers do W and b hold together? (an int)"),
    solution=lambda: 45,
    judge=one_of(45, "W is (H, H + D) and b is (H,): count H·(H + D) + H. T plays no part: "
                 "every step uses the same W and b."),
    wrong=(4500, 50, 40, 15, "45"),
    explain=("5·8 + 5 = 45, for any T. torch.nn.RNN stores 50: it keeps two bias vectors "
             "(bias_ih and bias_hh) that add up to our one b."),
))

register(Exercise(
    key="02-h1-by-hand",
    prompt=("With H = 1, D = 1, W = [[0.5, 1.0]] (acting on [h_0, x_1]), b = [0.0], h_0 = [0.0] "
            "and x_1 = [1.0], what is h_1? (a float, 4 decimals)"),
    solution=lambda: 0.7616,
    judge=lambda a: None if abs(float(a) - 0.76159) < 1e-3 else (
        "h_1 = tanh(0.5·h_0 + 1.0·x_1 + b) = tanh(0.5·0 + 1.0·1 + 0)."),
    wrong=(1.0, 0.5, 0.4621, -0.7616),
    explain="h_1 = tanh(1.0) = 0.7616.",
))
