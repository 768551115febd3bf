"""The shipped poet checkpoint and its record: size, provenance, and the held-out figure
recomputed from the weights (as notebook 15 does) against the record."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from lstm_edu.data import load_tang_poems, split_poems
from lstm_edu.experiments.poet import (RECORD_PATH, WEIGHTS_PATH, Vocabulary, load_checkpoint,
                                       load_record, lstm_bits_per_char)
from lstm_edu.figures.fonts import has_glyph

ROOT = Path(__file__).resolve().parents[1]
# Float32 sums differ between CPUs (AVX-512, AVX2, the default path) in the last bits; over
# ~41,000 predictions that moves the mean by ~1e-6 bits. 1e-3 bits is far above that and far
# below any difference that would matter (a different checkpoint moves it by > 0.01).
TOLERANCE_BITS = 1e-3


def _notebook_model():
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_poet

    return train_poet.notebook_definitions()["PoetLSTM"]


def test_checkpoint_is_small_and_says_what_made_it():
    assert WEIGHTS_PATH.stat().st_size <= 8 * 1024 * 1024
    record = load_record()
    for key in ("command", "torch", "steps", "steps_planned", "minutes", "seed", "status",
                "load_average_at_start", "valid_bits_per_char", "test_bits_per_char"):
        assert key in record, key
    assert record["command"].startswith("python scripts/train_poet.py")
    assert record["steps"] == load_checkpoint()["step"]
    assert len(record["loss_every_10_steps"]) == record["steps"] // 10


def test_vocabulary_saved_with_the_model_is_the_training_poems_one():
    ckpt = load_checkpoint()
    split = split_poems(load_tang_poems(), seed=load_record()["split_seed"])
    built = Vocabulary.build([p.text for p in split.train], min_count=load_record()["min_count"])
    assert ckpt["chars"] == built.chars


def test_every_character_the_model_can_write_has_a_glyph():
    missing = [c for c in load_checkpoint()["chars"] if not has_glyph(c)]
    assert not missing, f"no glyph for {''.join(missing)}: run `make fonts`"


def test_held_out_figures_recomputed_match_the_record():
    torch.set_num_threads(1)
    ckpt, record = load_checkpoint(), load_record()
    model = _notebook_model()(**ckpt["config"])
    model.load_state_dict(ckpt["state_dict"])
    split = split_poems(load_tang_poems(), seed=record["split_seed"])
    vocab = Vocabulary(ckpt["chars"])
    test_bits = lstm_bits_per_char(model, vocab, [p.text for p in split.test])
    assert abs(test_bits - record["test_bits_per_char"]) < TOLERANCE_BITS
    # The check can fail: halving the output layer's weights (softer predictions) moves the
    # figure far beyond the tolerance.
    with torch.no_grad():
        model.head.weight.mul_(0.5)
    moved = lstm_bits_per_char(model, vocab, [p.text for p in split.test])
    assert abs(moved - record["test_bits_per_char"]) > 100 * TOLERANCE_BITS, moved


def test_missing_checkpoint_and_record_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="make poet"):
        load_checkpoint(tmp_path / "poet.pt")
    with pytest.raises(FileNotFoundError, match="make poet"):
        load_record(tmp_path / "poet_record.json")
    torch.save({"state_dict": {}}, tmp_path / "bad.pt")
    with pytest.raises(ValueError, match="lacks"):
        load_checkpoint(tmp_path / "bad.pt")
    assert RECORD_PATH.parent == WEIGHTS_PATH.parent
