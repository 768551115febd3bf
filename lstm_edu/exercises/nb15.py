"""Exercises of 15_lstm_poet: a uniform model's perplexity, why not bidirectional, the n-gram
order the form would need."""

from ..checks import Exercise, close_to, one_of, register
from ..experiments.poet import LINE, SPECIALS, load_checkpoint


def _vocab_size() -> int:
    return len(SPECIALS) + len(load_checkpoint()["chars"])


def _uniform_judge(answer):
    return close_to(_vocab_size(), tol=0.5,
                    hint=("A uniform model gives each of the V ids probability 1/V, so its "
                          "cross-entropy is log2 V bits, and perplexity is 2 ** bits."))(answer)


register(Exercise(
    key="15-uniform-perplexity",
    prompt=("A model that gives every one of the vocabulary's V ids the same probability: what "
            "is its perplexity on any poem? Use the notebook's vocabulary (len(vocab))."),
    solution=_vocab_size,
    judge=_uniform_judge,
    wrong=(1.0, 12.0, 0.5, "V"),
    explain=("Perplexity = 2 ** (log2 V) = V: the model is as unsure as a fair die with V "
             "faces. Every trained model in the table must do (much) better."),
))

register(Exercise(
    key="15-bidirectional",
    prompt=("Why can a bidirectional LSTM not write a poem one character at a time? "
            "'a': it has too many parameters; 'b': its backward half reads the characters after "
            "the one being written, which do not exist yet; 'c': it cannot be stacked."),
    solution=lambda: "b",
    judge=one_of("b", "Think of what the backward direction reads at step t, while the poem "
                      "is still being written."),
    wrong=("a", "c", "B!", 2),
    explain=("'b'. Trained on whole poems, its backward half would see the very character it "
             "must predict: the loss would fall for the wrong reason, and at writing time "
             "that input does not exist."),
))

register(Exercise(
    key="15-ngram-order",
    prompt=("An n-gram model sees the n - 1 symbols before the one it writes. What is the "
            "smallest n for which that context always reaches back to the previous mark (or "
            "<bos>), so that it could know where every line ends?"),
    solution=lambda: LINE + 2,
    judge=close_to(LINE + 2, tol=0.0,
                   hint=("To write the mark after the 5th character it must see those 5 "
                         "characters and the mark (or <bos>) before them.")),
    wrong=(3, 5, 6, 8),
    explain=("n = 7: a context of 6 symbols. The trigram's context is 2, so inside a line it "
             "cannot tell the 2nd character from the 5th; the LSTM carries the count in its "
             "state (section 9)."),
))
