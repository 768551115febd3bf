"""Notebook 15's plumbing: the corpus loader, the vocabulary, the n-gram baselines, the form
checker, the samplers, the copy measure and the gate trace (against nn.LSTM)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn

from lstm_edu.data import TANG_POEMS_PATH, Poem, load_tang_poems, split_poems
from lstm_edu.experiments import poet
from lstm_edu.experiments.poet import (NGram, PoemBatches, Vocabulary, encode_batch, form_rate,
                                       keeps_form, longest_copy, lstm_bits_per_char, lstm_gates,
                                       position_correlation, prompt_positions, sample_lstm)

QUATRAIN = "白日依山盡，黃河入海流。欲窮千里目，更上一層樓。"
TEXTS = [QUATRAIN, "春眠不覺曉，處處聞啼鳥。夜來風雨聲，花落知多少。",
         "床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。"]


# ------------------------------------------------------------------ the corpus

def test_the_shipped_corpus_loads_and_splits_by_poem_seeded():
    poems = load_tang_poems()
    assert len(poems) == 18393 and isinstance(poems[0], Poem)
    assert TANG_POEMS_PATH.with_name("LICENSE").is_file()
    assert TANG_POEMS_PATH.with_name("README.md").is_file()
    a, b = split_poems(poems, seed=0), split_poems(poems, seed=0)
    assert a == b and split_poems(poems, seed=1).test != a.test
    assert len(a.train) + len(a.valid) + len(a.test) == len(poems)
    ids = {id(p) for p in a.train}
    assert not ids & {id(p) for p in a.test} and not ids & {id(p) for p in a.valid}


def test_loader_reads_a_good_file(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps({"title": "t", "author": "a", "text": t},
                                         ensure_ascii=False) for t in TEXTS) + "\n",
                    encoding="utf-8")
    assert [p.text for p in load_tang_poems(path)] == TEXTS


def test_loader_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="corpus is missing"):
        load_tang_poems(tmp_path / "nothing.jsonl")


@pytest.mark.parametrize("line, message", [
    ('{"text": "白日依山盡"', "line 2 is not JSON"),
    ('["白日依山盡"]', "line 2: expected a JSON object"),
    ('{"title": "t"}', "line 2: 'text' must be a non-empty string"),
    ('{"text": "白日 依山盡"}', "line 2: 'text' must have no spaces"),
])
def test_loader_names_a_malformed_line(tmp_path, line, message):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"text": QUATRAIN}, ensure_ascii=False) + "\n" + line + "\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_tang_poems(path)


def test_split_checks_its_inputs():
    with pytest.raises(TypeError, match="list"):
        split_poems("poems")
    with pytest.raises(ValueError, match="no training poem"):
        split_poems([Poem("", "", QUATRAIN)] * 3, valid_fraction=0.5, test_fraction=0.5)


# ------------------------------------------------------------------ vocabulary and batches

def test_vocabulary_keeps_frequent_characters_and_reads_the_rest_as_unk():
    v = Vocabulary.build(TEXTS, min_count=2)
    assert v.itos[:4] == ["<pad>", "<bos>", "<eos>", "<unk>"]
    assert "明" in v.stoi and "盡" not in v.stoi  # 明 thrice, 盡 once
    assert v.encode("明盡")[1] == v.unk
    assert v.decode([v.bos] + v.encode("明月") + [v.eos] + v.encode("光")) == "明月"
    assert v.unknown("明月盡x") == ["盡", "x"]
    with pytest.raises(TypeError, match="list of poems"):
        Vocabulary.build(QUATRAIN)


def test_encode_batch_shifts_by_one_and_pads():
    v = Vocabulary.build(TEXTS, min_count=1)
    x, y, lengths = encode_batch(v, [QUATRAIN, QUATRAIN[:12]])
    assert x.shape == y.shape == (25, 2) and lengths.tolist() == [25, 13]
    assert x[0, 0] == v.bos and torch.equal(x[1:, 0], y[:-1, 0]) and y[24, 0] == v.eos
    assert (y[13:, 1] == v.pad).all() and y[12, 1] == v.eos


def test_poem_batches_hold_one_length_and_are_seeded():
    v = Vocabulary.build(TEXTS + [QUATRAIN * 2], min_count=1)
    texts = TEXTS * 3 + [QUATRAIN * 2] * 3
    a, b = PoemBatches(v, texts, 2, seed=0), PoemBatches(v, texts, 2, seed=0)
    for _ in range(5):
        (xa, ya), (xb, yb) = a.next(), b.next()
        assert torch.equal(xa, xb) and (ya != v.pad).all() and xa.shape[0] in (25, 49)


# ------------------------------------------------------------------ the form

def test_the_form_checker_accepts_the_corpus_form():
    assert keeps_form(QUATRAIN) and keeps_form(QUATRAIN * 2)
    assert keeps_form("白日依山盡？黃河入海流？欲窮千里目，更上一層樓。")


@pytest.mark.parametrize("text", [
    "白日依山盡盡，黃河入海流。欲窮千里目，更上一層樓。",  # a 6-character line (SIX below)
    "白日依山，黃河入海流。欲窮千里目，更上一層樓。",  # a 4-character line
    "白日依山盡，黃河入海流。",  # one couplet
    QUATRAIN * 3,  # six couplets
    "白日依山盡。黃河入海流，欲窮千里目，更上一層樓。",  # marks swapped
    "白日依山盡，黃河入海流，欲窮千里目，更上一層樓。",  # no end mark
    "白日依，山盡黃河入海流。欲窮千里目，更上一層樓。",  # a mark inside a line
    "",
])
def test_the_form_checker_rejects_broken_forms(text):
    assert not keeps_form(text)


SIX = "白日依山盡盡，黃河入海流。欲窮千里目，更上一層樓。"


def _rejects_six(checker) -> None:
    """The check the test above makes on a 6-character line, against any checker."""
    assert not checker(SIX), "a 6-character line was accepted"


def test_the_six_character_line_check_fails_on_a_checker_that_accepts_it():
    # Mutation: a checker that counts marks and couplets but not the line's length.
    def lax(text):
        return len([s for s in text.replace("。", "，").split("，") if s]) in (4, 8)

    assert lax(QUATRAIN)
    _rejects_six(keeps_form)
    with pytest.raises(AssertionError, match="6-character line was accepted"):
        _rejects_six(lax)


def test_form_rate_counts():
    assert form_rate([QUATRAIN, QUATRAIN[:-1]]) == 0.5
    with pytest.raises(TypeError):
        keeps_form(None)


# ------------------------------------------------------------------ n-grams

@pytest.fixture(scope="module")
def small():
    poems = load_tang_poems()
    split = split_poems(poems, seed=0)
    train = [p.text for p in split.train[:3000]]
    valid = [p.text for p in split.valid[:200]]
    return Vocabulary.build(train, min_count=3), train, valid


@pytest.mark.parametrize("order", [1, 2, 3])
def test_ngram_distributions_sum_to_one(small, order):
    v, train, valid = small
    m = NGram(v, train, order)
    m.tune(valid)
    ctx = np.array([[v.bos, v.bos], [v.bos, v.stoi["山"]], [v.stoi["，"], v.stoi["山"]],
                    [v.pad, v.pad]])[:, 2 - (order - 1):]  # the last never seen
    p = m.next_distribution(ctx)
    assert p.shape == (4, len(v)) and np.allclose(p.sum(axis=1), 1.0, atol=1e-12)
    assert (p >= 0).all() and np.allclose(p[:, [v.pad, v.bos]], 0.0)
    q = m.tempered(ctx, 0.8)
    assert np.allclose(q.sum(axis=1), 1.0) and np.allclose(q[:, v.unk], 0.0)


def test_interpolation_mixes_the_maximum_likelihood_tables(small):
    v, train, valid = small
    m = NGram(v, train, 2)
    m.weights = np.array([0.3, 0.7])
    u = v.stoi["山"]
    counts = np.zeros(len(v))
    for t in train:
        ids = [v.bos] + v.encode(t) + [v.eos]
        for a, b in zip(ids, ids[1:]):
            if a == u:
                counts[b] += 1
    expected = 0.3 * m.unigram + 0.7 * counts / counts.sum()
    assert np.allclose(m.next_distribution(np.array([[u]]))[0], expected, atol=1e-12)
    # An unseen context leaves its component out: the unigram alone.
    unseen = v.pad
    assert np.allclose(m.next_distribution(np.array([[unseen]]))[0], m.unigram)


def test_tuning_beats_fixed_weights_on_validation(small):
    v, train, valid = small
    m = NGram(v, train, 3)
    m.weights = np.array([1 / 3, 1 / 3, 1 / 3])
    fixed = m.bits_per_char(valid)
    w = m.tune(valid)
    assert np.isclose(w.sum(), 1.0) and w[0] > 0
    assert m.bits_per_char(valid) <= fixed
    uni, tri = NGram(v, train, 1), m
    assert tri.bits_per_char(valid) < uni.bits_per_char(valid)


def test_ngram_sampler_draws_from_its_tempered_distribution(small):
    v, train, valid = small
    m = NGram(v, train, 3)
    m.tune(valid)
    n = 20000
    first = [s[:1] for s in m.sample(n, temperature=0.8, seed=3, max_len=1)]
    q = m.tempered(np.array([[v.bos, v.bos]]), 0.8)[0]
    freq = np.zeros(len(v))
    for c in first:
        freq[v.stoi[c] if c else v.eos] += 1
    freq /= n
    # Thousands of rare characters make the per-character noise large; compare on 20 bins of
    # equal tempered mass (ordered by q), where the noise is ~0.01.
    order = np.argsort(q)
    bins = np.minimum((np.cumsum(q[order]) * 20).astype(int), 19)

    def tv(a, b):
        return 0.5 * np.abs(np.bincount(bins, (a - b)[order], minlength=20)).sum()

    assert tv(freq, q) < 0.02
    # A sampler that ignored the temperature would be measurably further away:
    p = m.next_distribution(np.array([[v.bos, v.bos]]))[0]
    assert tv(freq, p) > 2 * tv(freq, q) and tv(p, q) > 0.03
    assert m.sample(5, seed=1) == m.sample(5, seed=1)


# ------------------------------------------------------------------ the LSTM sampler

class _Counter(nn.Module):
    """A fake model that always writes the form: 5 characters, then a mark, 4 lines."""

    def __init__(self, vocab):
        super().__init__()
        self.vocab = vocab
        self.chars = [i for i in range(4, len(vocab)) if vocab.itos[i] not in "，。？"][:6]

    def forward(self, x, state=None):
        t = 0 if state is None else state
        V = len(self.vocab)
        logits = torch.full((1, x.shape[1], V), -20.0)
        if t == 24:
            logits[..., self.vocab.eos] = 20
        elif t % 6 == 5:
            logits[..., self.vocab.stoi["，" if t % 12 == 5 else "。"]] = 20
        else:
            logits[..., self.chars] = 0.0  # six characters (no marks), equally likely
        return logits, t + 1


def test_sample_lstm_writes_in_parallel_and_is_seeded():
    v = Vocabulary.build(TEXTS, min_count=1)
    fake = _Counter(v)
    s = sample_lstm(fake, v, 50, temperature=0.8, seed=0)
    assert len(s) == 50 and form_rate(s) == 1.0
    assert s == sample_lstm(fake, v, 50, temperature=0.8, seed=0)
    assert s != sample_lstm(fake, v, 50, temperature=0.8, seed=1)
    assert all(set(p) - set("，。") <= {v.itos[i] for i in fake.chars} for p in s)


class _Tilted(_Counter):
    def forward(self, x, state=None):
        logits, state = super().forward(x, state)
        logits[..., self.chars[0]] += 1.0
        return logits, state


def test_sample_lstm_takes_one_temperature_per_poem():
    """A list of temperatures: each poem is drawn at its own (a slider's settings in one batch)."""
    v = Vocabulary.build(TEXTS, min_count=1)
    fake = _Counter(v)
    tilted = _Tilted(v)  # one of the six characters a little likelier
    s = sample_lstm(tilted, v, 40, temperature=[0.01] * 20 + [5.0] * 20, seed=0)
    head = v.itos[fake.chars[0]]
    cold, hot = s[:20], s[20:]
    assert all(set(p) - set("，。") == {head} for p in cold)  # near 0: always the likeliest
    assert all(len(set(p) - set("，。")) > 1 for p in hot)
    assert form_rate(cold) == 1.0
    with pytest.raises(ValueError, match="list of n = 3, got a list of 2"):
        sample_lstm(fake, v, 3, temperature=[0.8, 0.8])
    with pytest.raises(ValueError, match="temperature"):
        sample_lstm(fake, v, 2, temperature=[0.8, 0.0])


def test_sample_lstm_forces_a_prompt_and_an_acrostic():
    v = Vocabulary.build(TEXTS, min_count=1)
    fake = _Counter(v)
    first = sample_lstm(fake, v, 3, forced=prompt_positions(v, "春眠不覺曉", "first line"))
    assert all(p.startswith("春眠不覺曉，") for p in first)
    acro = sample_lstm(fake, v, 3, forced=prompt_positions(v, "白黃欲更", "acrostic"))
    assert all(len(p) == 24 and p[0::6] == "白黃欲更" for p in acro)


@pytest.mark.parametrize("prompt, kind, message", [
    ("春眠", "first line", "exactly 5 characters"),
    ("春眠不覺曉", "acrostic", "exactly 4 characters"),
    ("春，不覺", "acrostic", "no marks"),
    ("龘眠不覺曉", "first line", "not in the model's vocabulary"),
])
def test_bad_prompts_get_a_message(prompt, kind, message):
    v = Vocabulary.build(TEXTS, min_count=1)
    with pytest.raises(ValueError, match=message):
        prompt_positions(v, prompt, kind)


# ------------------------------------------------------------------ copying

def test_longest_copy_matches_brute_force():
    v = Vocabulary.build(TEXTS, min_count=1)
    samples = ["白日依山盡，處處聞", "明月光", "低頭思故鄉。白日", "鳥鳥鳥", "夜"]
    joined = "|".join(TEXTS)

    def brute(s):
        return max((j - i for i in range(len(s)) for j in range(i + 1, len(s) + 1)
                    if s[i:j] in joined), default=0)

    assert longest_copy(samples, TEXTS, v).tolist() == [brute(s) for s in samples] == \
        [6, 3, 6, 1, 1]


# ------------------------------------------------------------------ the trace and packing

def test_lstm_gates_equal_nn_lstm():
    torch.manual_seed(0)
    lstm = nn.LSTM(5, 4, num_layers=2).double().eval()
    x = torch.randn(7, 3, 5, dtype=torch.float64)
    layers = lstm_gates(lstm, x)
    out, (h, c) = lstm(x)
    assert torch.allclose(layers[-1]["h"], out, atol=1e-12)
    assert torch.allclose(layers[0]["c"][-1], c[0], atol=1e-12)
    f = layers[1]["f"]
    assert ((f > 0) & (f < 1)).all()
    with pytest.raises(ValueError, match=r"\(T, B, 5\)"):
        lstm_gates(lstm, x[0])


def test_position_correlation_finds_a_planted_counter():
    T, B, H = 24, 4, 3
    pos = torch.arange(T) % 6
    c = torch.randn(T, B, H) * 0.01
    c[:, :, 1] += pos[:, None].float()
    layers = [{"c": c, "h": c}]
    r = position_correlation(layers, [T] * B, "c")
    assert r.shape == (1, H) and r[0, 1] > 0.99 and abs(r[0, 0]) < 0.5


def test_bits_per_char_of_a_uniform_model_is_log2_v():
    v = Vocabulary.build(TEXTS, min_count=1)

    class Uniform(nn.Module):
        def forward(self, x, state=None):
            return torch.zeros(*x.shape, len(v)), None

    assert abs(lstm_bits_per_char(Uniform(), v, TEXTS) - np.log2(len(v))) < 1e-5


def test_the_form_is_exactly_its_three_parts():
    from lstm_edu.experiments.poet import form_parts

    assert form_parts(QUATRAIN) == {"lines of 5": True, "marks": True, "couplets": True}
    assert form_parts(QUATRAIN[:12] + QUATRAIN) == {"lines of 5": True, "marks": True,
                                                    "couplets": False}
    assert form_parts(SIX)["lines of 5"] is False
    assert form_parts(QUATRAIN.replace("。", "，"))["marks"] is False
    rng = np.random.default_rng(0)
    alphabet = list("白日山，。？")
    texts = ["".join(rng.choice(alphabet, size=rng.integers(1, 50))) for _ in range(3000)]
    texts += [QUATRAIN, QUATRAIN * 2, SIX, QUATRAIN[:12] * 3]
    assert all(keeps_form(t) == all(form_parts(t).values()) for t in texts)
