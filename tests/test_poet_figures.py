"""Notebook 15's figures: they draw, Chinese from the shipped font with no missing glyph, and
the slider's figure turns a bad prompt into a message."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from lstm_edu.experiments.poet import Vocabulary
from lstm_edu.figures.poet import (plot_gates_by_position, plot_loss_curves, plot_poems,
                                   plot_unit_over_poem, poem_panel)

QUATRAIN = "白日依山盡，黃河入海流。欲窮千里目，更上一層樓。"


def _drawn(fig):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


class _Writer(torch.nn.Module):
    """A fake model: uniform over a few characters, a mark every 6th step."""

    def __init__(self, vocab):
        super().__init__()
        self.vocab = vocab

    def forward(self, x, state=None):
        t = 0 if state is None else state
        logits = torch.full((1, x.shape[1], len(self.vocab)), -30.0)
        if t == 24:
            logits[..., self.vocab.eos] = 0
        elif t % 6 == 5:
            logits[..., self.vocab.stoi["，" if t % 12 == 5 else "。"]] = 0
        else:
            logits[..., [self.vocab.stoi[c] for c in "白日依山盡"]] = 0
        return logits, t + 1


def test_poems_and_the_unit_grid_draw_every_character():
    assert _drawn(plot_poems([QUATRAIN, QUATRAIN * 2], titles=["a", "b"])) == []
    fig = plot_unit_over_poem(QUATRAIN, np.linspace(-1, 1, len(QUATRAIN)), "unit 1")
    assert _drawn(fig) == []
    with pytest.raises(ValueError, match="one value per character"):
        plot_unit_over_poem(QUATRAIN, np.zeros(3), "unit")
    with pytest.raises(ValueError, match="non-empty list"):
        plot_poems(QUATRAIN)


def test_gates_and_losses_draw():
    stats = np.column_stack([np.linspace(0.1, 0.9, 6), np.full(6, 0.05)])
    assert isinstance(plot_gates_by_position({"f_t": stats, "i_t": stats}, "u"), Figure)
    with pytest.raises(ValueError, match=r"\(6, 2\)"):
        plot_gates_by_position({"f_t": stats[:5]}, "u")
    record = {"loss_every_10_steps": [8.0, 7.0, 6.0], "steps": 30,
              "config": {"vocab_size": 3776}}
    assert isinstance(plot_loss_curves([8.2, 7.5, 7.0], record), Figure)


def test_poem_panel_writes_from_prompts_and_explains_bad_ones():
    vocab = Vocabulary.build([QUATRAIN], min_count=1)
    model = _Writer(vocab)
    fig, message = poem_panel(model, vocab, 0.8, "依山", "acrostic", n=2)
    assert isinstance(fig, Figure) and "prompt not used" in message and "exactly 4" in message
    _, message = poem_panel(model, vocab, 0.8, "風花雪月", "acrostic", n=2)
    assert "not in the model's vocabulary" in message
    fig, message = poem_panel(model, vocab, 0.8, "白日依山", "acrostic", n=2)
    assert message.startswith("acrostic") and _drawn(fig) == []
    _, message = poem_panel(model, vocab, 0.8, "", "first line", n=2)
    assert message.startswith("no prompt")


def test_poem_panel_redrawn_under_its_slider_draws_what_a_fresh_one_draws():
    """Moving the temperature or changing the prompt rewrites the kept figure's lines and
    title: the same pixels as a new panel."""
    from lstm_edu.figures.widgets import redraw

    vocab = Vocabulary.build([QUATRAIN], min_count=1)
    model = _Writer(vocab)
    panel = lambda temperature, prompt: poem_panel(model, vocab, temperature, prompt,  # noqa: E731
                                                   "acrostic", n=3)
    pool = {}
    for values in ({"temperature": 0.8, "prompt": ""}, {"temperature": 1.5, "prompt": ""},
                   {"temperature": 0.3, "prompt": "白日依山"}, {"temperature": 0.8, "prompt": ""}):
        live, text = redraw(panel, values, pool)
        fresh, fresh_text = redraw(panel, values, {})
        assert live == fresh and text == fresh_text, values
