"""Exercises of 04_lstm_core_idea: layers, gates, shapes."""

from ..checks import Exercise, close_to, one_of, register

register(Exercise(
    key="04-layer-params",
    prompt=("A sigmoid layer maps the 6-number [h_(t-1), x_t] to a 3-number gate. "
            "How many numbers does it learn (weights plus biases)?"),
    solution=lambda: 21,
    judge=close_to(21, tol=0, hint=(
        "W has one row per gate value and one column per input: 3 x 6 = 18 weights, "
        "plus one bias per gate value.")),
    wrong=(18, 6, 9, 24),
    explain="3 x 6 weights + 3 biases = 21. An LSTM has four such layers: 84 numbers for H=D=3.",
))

register(Exercise(
    key="04-sigmoid-zero",
    prompt="A gate's layer gives the weighted sum z = 0. What fraction of the signal passes?",
    solution=lambda: 0.5,
    judge=close_to(0.5, tol=1e-3, hint="Compute σ(0) = 1 / (1 + e^0)."),
    wrong=(0, 1, 0.0, 0.73),
    explain="σ(0) = 0.5: half of every component passes. Large positive z opens the gate, "
            "large negative z shuts it.",
))

register(Exercise(
    key="04-function-or-layer",
    prompt=("Apply the sigmoid *function* to the 6-number [h_(t-1), x_t]. How many numbers "
            "come out? (A sigmoid *layer* with H=3 would give 3.)"),
    solution=lambda: 6,
    judge=one_of(6, "A function works number by number: it cannot change how many there are."),
    wrong=(3, 1, 18),
    explain="The function keeps the length (6); only a layer, with its (3, 6) weight matrix, "
            "maps 6 numbers to 3.",
))
