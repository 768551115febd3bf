"""Notebook 15's plumbing: a character-level language model of Tang poems.

* :class:`Vocabulary` - characters <-> ids, with ``<pad>``, ``<bos>``, ``<eos>`` and ``<unk>``
* :func:`encode_batch` - poems -> (input, target) id tensors, time first, padded
* :class:`PoemBatches` - seeded training batches of poems of one length (no padding)
* :class:`NGram` - unigram/bigram/trigram models interpolated with weights tuned on validation
* :func:`keeps_form` - does a text keep the five-character form?
* :func:`sample_lstm` / :meth:`NGram.sample` - many poems at once, at a temperature
* :func:`longest_copy` - the longest run of a sample that also appears in the training poems
* :func:`bits_per_char` - a model's held-out cross-entropy in bits per character

The model itself, its loss and its training loop are notebook 15's cells;
``scripts/train_poet.py`` reads them from there.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from ..validate import check_float, check_int

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)
LINE = 5  # characters per line
MID_MARKS = "，？"  # end of a couplet's first line (as the corpus has them)
END_MARKS = "。？"  # end of a couplet
MARKS = "，。？"
COUPLETS = (2, 4)


# ------------------------------------------------------------------ vocabulary

class Vocabulary:
    """Characters seen at least ``min_count`` times get an id; the rest read as ``<unk>``.

    Ids 0-3 are ``<pad>``, ``<bos>``, ``<eos>``, ``<unk>``; characters follow by falling
    count (ties by code point), so the list is the same on every machine.
    """

    def __init__(self, chars):
        chars = list(chars)
        if not all(isinstance(c, str) and len(c) == 1 for c in chars):
            raise ValueError("chars must be single characters")
        if len(set(chars)) != len(chars):
            raise ValueError("chars must be distinct")
        self.itos = list(SPECIALS) + chars
        self.stoi = {s: i for i, s in enumerate(self.itos)}

    @classmethod
    def build(cls, texts, min_count: int = 5) -> "Vocabulary":
        if isinstance(texts, str):
            raise TypeError("texts must be a list of poems' texts, not one str")
        min_count = check_int("min_count", min_count, low=1)
        counts = Counter()
        for t in texts:
            counts.update(t)
        kept = sorted((c for c, n in counts.items() if n >= min_count),
                      key=lambda c: (-counts[c], c))
        return cls(kept)

    def __len__(self) -> int:
        return len(self.itos)

    @property
    def chars(self) -> list[str]:
        """The characters (no special tokens)."""
        return self.itos[len(SPECIALS):]

    pad, bos, eos, unk = (property(lambda self, s=s: self.stoi[s]) for s in SPECIALS)

    def encode(self, text: str) -> list[int]:
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        return [self.stoi.get(c, self.stoi[UNK]) for c in text]

    def decode(self, ids) -> str:
        """Ids -> text; stops at ``<eos>``, drops ``<bos>``/``<pad>``, shows ``<unk>`` as □."""
        out = []
        for i in ids:
            s = self.itos[int(i)]
            if s == EOS:
                break
            if s in (BOS, PAD):
                continue
            out.append("□" if s == UNK else s)
        return "".join(out)

    def unknown(self, text: str) -> list[str]:
        """The distinct characters of ``text`` outside the vocabulary, in order."""
        return list(dict.fromkeys(c for c in text if c not in self.stoi or c in SPECIALS))


def encode_batch(vocab: Vocabulary, texts) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``x`` = <bos> + poem, ``y`` = poem + <eos>, both (T, B) int64 padded with <pad>;
    and the lengths (B,)."""
    if not texts:
        raise ValueError("texts must be a non-empty list of poems")
    ids = [vocab.encode(t) for t in texts]
    lengths = torch.tensor([len(s) + 1 for s in ids])
    T = int(lengths.max())
    x = torch.full((T, len(ids)), vocab.pad, dtype=torch.long)
    y = torch.full((T, len(ids)), vocab.pad, dtype=torch.long)
    for b, s in enumerate(ids):
        x[: len(s) + 1, b] = torch.tensor([vocab.bos] + s)
        y[: len(s) + 1, b] = torch.tensor(s + [vocab.eos])
    return x, y, lengths


class PoemBatches:
    """Seeded batches for training: every batch holds poems of one length, so nothing is padded.

    A batch's length is drawn in proportion to how many training poems have it.
    """

    def __init__(self, vocab: Vocabulary, texts, batch_size: int, seed: int = 0):
        self.batch_size = check_int("batch_size", batch_size, low=1)
        self.rng = np.random.default_rng(check_int("seed", seed, low=0))
        by_length: dict[int, list[str]] = {}
        for t in texts:
            by_length.setdefault(len(t), []).append(t)
        self.lengths = sorted(by_length)
        self.groups = [encode_batch(vocab, by_length[n]) for n in self.lengths]
        sizes = np.array([len(by_length[n]) for n in self.lengths], dtype=float)
        self.p = sizes / sizes.sum()

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        g = self.rng.choice(len(self.groups), p=self.p)
        x, y, _ = self.groups[g]
        cols = torch.from_numpy(self.rng.choice(x.shape[1], self.batch_size, replace=False))
        return x[:, cols], y[:, cols]


# ------------------------------------------------------------------ the form

def keeps_form(text: str) -> bool:
    """True if ``text`` is 2 or 4 couplets of two 5-character lines, each line ending in a mark:
    a mid mark (，？) after a couplet's first line, an end mark (。？) after its second."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    lines = len(text) // (LINE + 1)
    if len(text) % (LINE + 1) or lines // 2 not in COUPLETS or lines % 2:
        return False
    for k in range(lines):
        line = text[k * (LINE + 1): (k + 1) * (LINE + 1)]
        if any(c in MARKS for c in line[:LINE]):
            return False
        if line[LINE] not in (MID_MARKS if k % 2 == 0 else END_MARKS):
            return False
    return True


def form_parts(text: str) -> dict:
    """The form's three parts, each True or False; :func:`keeps_form` is all three.

    ``lines of 5``: the text ends with a mark and every line (between marks) has 5 characters;
    ``marks``: the marks alternate, a mid mark (，？) then an end mark (。？), ending on an end
    mark; ``couplets``: 2 or 4 couplets (4 or 8 lines).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    marks = [c for c in text if c in MARKS]
    lines, line = [], 0
    for c in text:
        if c in MARKS:
            lines.append(line)
            line = 0
        else:
            line += 1
    five = bool(text) and text[-1] in MARKS and all(n == LINE for n in lines)
    alternate = (len(marks) % 2 == 0 and len(marks) > 0 and all(
        m in (MID_MARKS if k % 2 == 0 else END_MARKS) for k, m in enumerate(marks)))
    return {"lines of 5": five, "marks": alternate,
            "couplets": len(lines) // 2 in COUPLETS and len(lines) % 2 == 0}


def form_rate(texts) -> float:
    """The fraction of ``texts`` that keep the form."""
    if not texts:
        raise ValueError("texts must be non-empty")
    return sum(keeps_form(t) for t in texts) / len(texts)


# ------------------------------------------------------------------ held-out cross-entropy

def _by_length(texts) -> dict[int, list[str]]:
    groups: dict[int, list[str]] = {}
    for t in texts:
        groups.setdefault(len(t), []).append(t)
    return dict(sorted(groups.items()))


@torch.no_grad()
def lstm_bits_per_char(model, vocab: Vocabulary, texts, batch_size: int = 64) -> float:
    """Held-out cross-entropy of ``model`` in bits per predicted symbol.

    Every character and mark of each poem is predicted, and then ``<eos>`` (so a poem of
    24 characters counts 25 predictions), exactly as :meth:`NGram.bits_per_char` counts.
    ``model(x)`` must return ``(logits, state)`` with logits (T, B, V). Run in eval mode.
    """
    if not texts:
        raise ValueError("texts must be a non-empty list of poems")
    batch_size = check_int("batch_size", batch_size, low=1)
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    try:
        for group in _by_length(texts).values():
            for k in range(0, len(group), batch_size):
                x, y, _ = encode_batch(vocab, group[k:k + batch_size])
                logits, _ = model(x)
                nll = torch.nn.functional.cross_entropy(
                    logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum")
                total += float(nll)
                count += y.numel()
    finally:
        model.train(was_training)
    return total / count / math.log(2)


# ------------------------------------------------------------------ n-gram baselines

def _sequences(vocab: Vocabulary, texts, order: int) -> tuple[np.ndarray, np.ndarray]:
    """(contexts, targets) of every prediction in ``texts``: contexts (N, order - 1) ids, with
    ``<bos>`` before a poem's start; targets (N,) ids, every character then ``<eos>``."""
    ctx, tgt = [], []
    for t in texts:
        ids = [vocab.bos] * (order - 1) + vocab.encode(t) + [vocab.eos]
        a = np.asarray(ids, dtype=np.int64)
        n = len(a) - (order - 1)
        tgt.append(a[order - 1:])
        ctx.append(np.stack([a[k:k + n] for k in range(order - 1)], axis=1)
                   if order > 1 else np.zeros((n, 0), dtype=np.int64))
    return np.concatenate(ctx), np.concatenate(tgt)


class _Table:
    """Counts of (context, next) pairs for one context length, as sorted int64 keys."""

    def __init__(self, V: int, ctx: np.ndarray, tgt: np.ndarray):
        self.V = V
        c = self._ctx_key(ctx)
        self.keys, self.counts = np.unique(c * V + tgt, return_counts=True)
        self.ctx_keys, self.ctx_counts = np.unique(c, return_counts=True)
        self.ctx_start = np.searchsorted(self.keys, self.ctx_keys * V)  # first row of a context

    def _ctx_key(self, ctx: np.ndarray) -> np.ndarray:
        key = np.zeros(len(ctx), dtype=np.int64)
        for k in range(ctx.shape[1]):
            key = key * self.V + ctx[:, k]
        return key

    def _ctx_index(self, ctx) -> tuple[np.ndarray, np.ndarray]:
        c = self._ctx_key(ctx)
        i = np.minimum(np.searchsorted(self.ctx_keys, c), len(self.ctx_keys) - 1)
        return i, self.ctx_keys[i] == c

    def prob(self, ctx: np.ndarray, tgt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Maximum-likelihood P(tgt | ctx), and whether ctx was seen in training at all."""
        i, seen = self._ctx_index(ctx)
        key = self._ctx_key(ctx) * self.V + tgt
        j = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
        n = np.where(self.keys[j] == key, self.counts[j], 0)
        return np.where(seen, n / self.ctx_counts[i], 0.0), seen

    def entries(self, ctx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The nonzero maximum-likelihood P(. | ctx) of a batch of contexts, as (row, col, p),
        rows in order; and whether each context was seen."""
        i, seen = self._ctx_index(ctx)
        start = self.ctx_start[i]
        end = np.append(self.ctx_start[1:], len(self.keys))[i]
        lens = np.where(seen, end - start, 0)
        row = np.repeat(np.arange(len(ctx)), lens)
        first = np.repeat(np.cumsum(lens) - lens, lens)  # each entry's row's first entry
        idx = np.repeat(start, lens) + np.arange(lens.sum()) - first
        return row, self.keys[idx] % self.V, self.counts[idx] / self.ctx_counts[i][row], seen


class NGram:
    """An interpolated n-gram model of ``order`` 1, 2 or 3 over ``vocab``'s ids.

    P(w | t, u) = (λ1 P1(w) + λ2 P2(w | u) + λ3 P3(w | t, u)) / (sum of the λ used), each Pk
    the maximum-likelihood estimate from the training poems, and a component whose context
    never occurred in training is left out (its weight goes to the others). The λ are tuned on
    validation poems by :meth:`tune` (a grid on the simplex, λ1 > 0 so nothing gets P = 0).
    """

    def __init__(self, vocab: Vocabulary, texts, order: int):
        self.order = check_int("order", order, low=1, high=3)
        if not texts:
            raise ValueError("texts must be a non-empty list of training poems")
        self.vocab = vocab
        V = len(vocab)
        ctx, tgt = _sequences(vocab, texts, order)
        self.unigram = np.bincount(tgt, minlength=V) / len(tgt)
        self.tables = [_Table(V, ctx[:, order - 1 - k:], tgt) for k in range(1, order)]
        self.weights = np.full(order, 1.0 / order)

    def components(self, texts) -> tuple[np.ndarray, np.ndarray]:
        """For every prediction in ``texts``: each component's probability (N, order) and
        whether its context was seen (N, order)."""
        ctx, tgt = _sequences(self.vocab, texts, self.order)
        probs, seen = [self.unigram[tgt]], [np.ones(len(tgt), dtype=bool)]
        for k, table in enumerate(self.tables, start=1):
            p, s = table.prob(ctx[:, self.order - 1 - k:], tgt)
            probs.append(p)
            seen.append(s)
        return np.stack(probs, axis=1), np.stack(seen, axis=1)

    @staticmethod
    def _mix(weights, probs, seen) -> np.ndarray:
        w = np.asarray(weights) * seen
        return (w * probs).sum(axis=1) / w.sum(axis=1)

    def tune(self, valid_texts, step: float = 0.05) -> np.ndarray:
        """Pick the weights on the grid (multiples of ``step``) that maximise the likelihood of
        ``valid_texts``; set and return them."""
        step = check_float("step", step, low=1e-3, high=0.5)
        probs, seen = self.components(valid_texts)
        n = int(round(1 / step))
        grid = np.array([w for w in _simplex(self.order, n) if w[0] > 0]) / n  # (G, order)
        scores = []
        for chunk in np.array_split(grid, max(1, len(grid) // 16)):  # (N, 16) at a time: memory
            mixed = ((probs * seen) @ chunk.T) / (seen @ chunk.T)
            scores.append(np.log(mixed).mean(axis=0))
        self.weights = grid[int(np.argmax(np.concatenate(scores)))]
        return self.weights

    def bits_per_char(self, texts) -> float:
        """Cross-entropy in bits per prediction (every character, then <eos>), as
        :func:`lstm_bits_per_char` counts."""
        probs, seen = self.components(texts)
        return float(-np.log2(self._mix(self.weights, probs, seen)).mean())

    def _parts(self, ctx: np.ndarray):
        """The interpolated P(. | ctx) as a * unigram + sparse entries (row, col, value) on the
        lowest table's support, which holds every higher table's (a seen (t, u, w) has a seen
        (u, w)); ``a`` (B,) is each row's unigram weight."""
        ctx = np.asarray(ctx, dtype=np.int64).reshape(len(ctx), self.order - 1)
        found = [table.entries(ctx[:, self.order - 1 - k:])
                 for k, table in enumerate(self.tables, start=1)]
        seen = np.stack([np.ones(len(ctx), dtype=bool)] + [f[3] for f in found], axis=1)
        w = self.weights[None, :] * seen
        w = w / w.sum(axis=1, keepdims=True)  # (B, order): each row's weights
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return w[:, 0], empty, empty, np.zeros(0)
        row, col, val = found[0][:3]
        value = w[row, 1] * val
        if len(found) == 2:  # add the trigram's entries onto the bigram's (same support)
            dense = np.zeros((len(ctx), len(self.unigram)))
            dense[row, col] = value
            r3, c3, v3, _ = found[1]
            dense[r3, c3] += w[r3, 2] * v3
            value = dense[row, col]
        return w[:, 0], row, col, value

    def next_distribution(self, ctx: np.ndarray) -> np.ndarray:
        """P(. | ctx) for a batch of contexts (B, order - 1) of ids: (B, V), rows sum to 1."""
        a, row, col, value = self._parts(ctx)
        p = a[:, None] * self.unigram[None, :]
        p[row, col] += value
        return p

    def tempered(self, ctx: np.ndarray, temperature: float) -> np.ndarray:
        """The distribution :meth:`sample` draws from: P(. | ctx) ** (1 / temperature),
        renormalised, with <pad>, <bos> and <unk> never written. (B, V); for tests."""
        return _temper(self.next_distribution(ctx), temperature, self.vocab)

    def sample(self, n: int, temperature: float = 0.8, seed: int = 0,
               max_len: int = 60) -> list[str]:
        """``n`` poems drawn together, one character per step, from :meth:`tempered`.

        Fast: p ** (1/T) is (a u_w) ** (1/T) off the sparse entries, so each step draws either
        from the unigram's tempered table (scaled by a ** (1/T)) or from the few entries'
        excess over it, never building a dense (n, V) array.
        """
        n = check_int("n", n, low=1)
        temperature = check_float("temperature", temperature, low=1e-3)
        rng = np.random.default_rng(check_int("seed", seed, low=0))
        e = 1.0 / temperature
        banned = [self.vocab.pad, self.vocab.bos, self.vocab.unk]
        u_e = self.unigram ** e
        u_e[banned] = 0.0
        u_cdf = np.cumsum(u_e)
        ids = np.full((n, self.order - 1), self.vocab.bos, dtype=np.int64)
        out = np.full((n, max_len), self.vocab.eos, dtype=np.int64)
        active = np.arange(n)
        for t in range(max_len):
            a, row, col, value = self._parts(ids[active])
            base = a[row] * self.unigram[col]
            excess = (base + value) ** e - base ** e
            excess[np.isin(col, banned)] = 0.0
            m_uni = a ** e * u_cdf[-1]
            m_exc = np.bincount(row, excess, minlength=len(active))
            r = rng.random(len(active)) * (m_uni + m_exc)
            nxt = np.searchsorted(u_cdf, r / a ** e, side="right")  # from the unigram part
            from_exc = r >= m_uni
            if from_exc.any():
                cum = np.cumsum(excess)
                offset = np.concatenate([[0.0], np.cumsum(m_exc)])[:-1]
                k = np.searchsorted(cum, offset + (r - m_uni), side="right")
                k = np.minimum(k, len(col) - 1)
                nxt = np.where(from_exc, col[k] if len(col) else nxt, nxt)
            nxt = np.minimum(nxt, len(self.unigram) - 1)
            out[active, t] = nxt
            if self.order > 1:
                ids[active] = np.concatenate([ids[active, 1:], nxt[:, None]], axis=1)
            active = active[nxt != self.vocab.eos]
            if len(active) == 0:
                break
        return [self.vocab.decode(r) for r in out]


def _simplex(parts: int, n: int):
    """Every tuple of ``parts`` non-negative ints summing to ``n``."""
    if parts == 1:
        yield (n,)
        return
    for first in range(n + 1):
        for rest in _simplex(parts - 1, n - first):
            yield (first,) + rest


def _temper(p: np.ndarray, temperature: float, vocab: Vocabulary) -> np.ndarray:
    """p ** (1 / temperature), renormalised; <pad>, <bos> and <unk> are never written."""
    temperature = check_float("temperature", temperature, low=1e-3)
    q = np.power(p, 1.0 / temperature)
    q[:, [vocab.pad, vocab.bos, vocab.unk]] = 0.0
    return q / q.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------ writing or copying?

_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd; windows hashed mod 2**64


def _joined(vocab: Vocabulary, texts) -> tuple[np.ndarray, np.ndarray]:
    """Texts' ids joined by a separator (len(vocab), no character's id), as uint64 + 1; and
    each position's text index (-1 at separators)."""
    sep = len(vocab)
    ids, owner = [], []
    for k, t in enumerate(texts):
        ids.extend(vocab.encode(t) + [sep])
        owner.extend([k] * len(t) + [-1])
    return np.asarray(ids, dtype=np.uint64) + np.uint64(1), np.asarray(owner)


def longest_copy(samples, train_texts, vocab: Vocabulary) -> np.ndarray:
    """For every sample, the length of its longest run of characters (marks included) that
    also appears, in a row, inside one training poem. (len(samples),) ints.

    Windows of each length L = 1, 2, ... are compared by a 64-bit polynomial hash (a false
    match needs a hash collision, probability ~1e-9 here); it stops at the first L that no
    sample matches. Characters outside the vocabulary compare as <unk>.
    """
    if not samples or not train_texts:
        raise ValueError("samples and train_texts must be non-empty lists of texts")
    if isinstance(samples, str) or isinstance(train_texts, str):
        raise TypeError("samples and train_texts must be lists of texts, not one str")
    A, owner_a = _joined(vocab, train_texts)
    S, owner_s = _joined(vocab, samples)
    sep = np.uint64(len(vocab) + 1)
    best = np.zeros(len(samples), dtype=int)
    hA, hS = np.zeros(len(A), dtype=np.uint64), np.zeros(len(S), dtype=np.uint64)
    okA, okS = np.ones(len(A), dtype=bool), np.ones(len(S), dtype=bool)
    with np.errstate(over="ignore"):
        for L in range(1, int(max(len(s) for s in samples)) + 1):
            n_a, n_s = len(A) - L + 1, len(S) - L + 1
            hA = hA[:n_a] * _HASH_BASE + A[L - 1:]
            hS = hS[:n_s] * _HASH_BASE + S[L - 1:]
            okA = okA[:n_a] & (A[L - 1:] != sep)
            okS = okS[:n_s] & (S[L - 1:] != sep)
            table = np.sort(hA[okA])
            j = np.minimum(np.searchsorted(table, hS), len(table) - 1)
            hit = okS & (table[j] == hS)
            if not hit.any():
                break
            best[np.unique(owner_s[:n_s][hit])] = L
    return best


# ------------------------------------------------------------------ sampling the LSTM

@torch.no_grad()
def sample_lstm(model, vocab: Vocabulary, n: int, temperature: float = 0.8, seed: int = 0,
                forced: dict | None = None, max_len: int = 60) -> list[str]:
    """``n`` poems drawn from ``model`` together (one batch, step by step), at ``temperature``.

    ``temperature``: one number for all, or a list of ``n``, one per poem (a slider's every
    setting drawn in one batch). ``model(x, state)`` takes (1, n) ids and returns
    (logits (1, n, V), state). ``forced``
    maps an output position (0 = the first character) to a character that is written there
    instead of a sampled one (a prompt, an acrostic's heads); ``<eos>`` may be forced too.
    <pad>, <bos> and <unk> are never written. Seeded: a ``torch.Generator`` per call.
    """
    n = check_int("n", n, low=1)
    if isinstance(temperature, (list, tuple)):
        if len(temperature) != n:
            raise ValueError(f"temperature must be one number or a list of n = {n}, got a list "
                             f"of {len(temperature)}")
        temperature = torch.tensor([check_float("temperature", t, low=1e-3)
                                    for t in temperature])[:, None]
    else:
        temperature = check_float("temperature", temperature, low=1e-3)
    forced = {} if forced is None else forced
    if not isinstance(forced, dict):
        raise TypeError("forced must be a dict of position -> character, got "
                        f"{type(forced).__name__}")
    forced_ids = {}
    for pos, ch in forced.items():
        check_int("forced position", pos, low=0, high=max_len - 1)
        if ch not in vocab.stoi or ch in (PAD, BOS, UNK):  # EOS may be forced
            raise ValueError(f"forced character {ch!r} at position {pos} is not in the vocabulary")
        forced_ids[pos] = vocab.stoi[ch]
    generator = torch.Generator().manual_seed(check_int("seed", seed, low=0))
    was_training = model.training
    model.eval()
    try:
        x = torch.full((1, n), vocab.bos, dtype=torch.long)
        state = None
        out = torch.full((n, max_len), vocab.eos, dtype=torch.long)
        done = torch.zeros(n, dtype=torch.bool)
        for t in range(max_len):
            logits, state = model(x, state)
            logits = logits[0] / temperature
            logits[:, [vocab.pad, vocab.bos, vocab.unk]] = -math.inf
            # Inverse CDF (much cheaper than torch.multinomial): the first id whose cumulative
            # probability (float64) exceeds a uniform draw.
            cdf = torch.softmax(logits, dim=-1).double().cumsum(dim=-1)
            r = torch.rand(n, 1, generator=generator, dtype=torch.float64) * cdf[:, -1:]
            nxt = torch.searchsorted(cdf, r, right=True)[:, 0].clamp_(max=len(vocab) - 1)
            if t in forced_ids:
                nxt[:] = forced_ids[t]
            nxt[done] = vocab.eos
            out[:, t] = nxt
            done |= nxt == vocab.eos
            if bool(done.all()):
                break
            x = nxt[None, :]
    finally:
        model.train(was_training)
    return [vocab.decode(row) for row in out]


PROMPT_KINDS = ("first line", "acrostic")


def prompt_positions(vocab: Vocabulary, prompt: str, kind: str) -> dict:
    """The ``forced`` positions for a prompt, or ValueError with a message for the learner.

    ``kind`` "first line": 5 characters, the poem's first line. "acrostic" (藏头诗): 4
    characters, each the head of one line of a quatrain (so the poem ends after 4 lines).
    """
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a str, got {type(prompt).__name__}")
    if kind not in PROMPT_KINDS:
        raise ValueError(f"kind must be one of {PROMPT_KINDS}, got {kind!r}")
    text = prompt.strip()
    need = LINE if kind == "first line" else 4
    if len(text) != need:
        article = "an" if kind == "acrostic" else "a"
        raise ValueError(f"{article} {kind} prompt needs exactly {need} characters; {text!r} "
                         f"has {len(text)}")
    marks = [c for c in text if c in MARKS]
    if marks:
        raise ValueError(f"type characters only, no marks: {''.join(marks)!r} is a mark "
                         "(the model writes the marks itself)")
    unknown = vocab.unknown(text)
    if unknown:
        # two short lines: a printed message that wraps mid-word is hard to read
        raise ValueError(f"{''.join(unknown)!r} is not in the model's vocabulary:\n  its "
                         f"{len(vocab.chars)} characters are those seen at least 5 times in "
                         "the training poems,\n  in traditional form (風, not 风)")
    if kind == "first line":
        return dict(enumerate(text))
    forced = {k * (LINE + 1): c for k, c in enumerate(text)}
    forced[4 * (LINE + 1)] = EOS
    return forced


# ------------------------------------------------------------------ inside the network

@torch.no_grad()
def lstm_gates(lstm: torch.nn.LSTM, x: torch.Tensor) -> list[dict]:
    """Run ``lstm`` (time first, no dropout: inference) step by step from its own weights and
    return, per layer, every gate: ``i``, ``f``, ``g`` (= C̃), ``o``, ``c``, ``h``, each (T, B, H).

    PyTorch stacks the gates i, f, g, o in ``weight_ih_l{k}`` / ``weight_hh_l{k}`` and adds
    the two biases. tests/test_poet.py checks the last ``h`` against ``lstm(x)``.
    """
    if not isinstance(lstm, torch.nn.LSTM):
        raise TypeError(f"lstm must be a torch.nn.LSTM, got {type(lstm).__name__}")
    if lstm.batch_first or lstm.bidirectional or lstm.proj_size:
        raise ValueError("lstm must be time-first, one-directional, without projections")
    if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[2] != lstm.input_size:
        raise ValueError(f"x must be a (T, B, {lstm.input_size}) tensor, got "
                         f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}")
    layers, inp = [], x
    H = lstm.hidden_size
    for k in range(lstm.num_layers):
        W_ih, W_hh = getattr(lstm, f"weight_ih_l{k}"), getattr(lstm, f"weight_hh_l{k}")
        b = getattr(lstm, f"bias_ih_l{k}") + getattr(lstm, f"bias_hh_l{k}")
        pre_x = inp @ W_ih.T + b  # (T, B, 4H): the input's share of every step at once
        h = torch.zeros(inp.shape[1], H, dtype=x.dtype)
        c = torch.zeros_like(h)
        trace = {name: [] for name in "ifgoch"}
        for t in range(inp.shape[0]):
            z = pre_x[t] + h @ W_hh.T
            i, f, g, o = torch.sigmoid(z[:, :H]), torch.sigmoid(z[:, H:2 * H]), \
                torch.tanh(z[:, 2 * H:3 * H]), torch.sigmoid(z[:, 3 * H:])
            c = f * c + i * g
            h = o * torch.tanh(c)
            for name, v in zip("ifgoch", (i, f, g, o, c, h)):
                trace[name].append(v)
        layer = {name: torch.stack(v) for name, v in trace.items()}
        layers.append(layer)
        inp = layer["h"]
    return layers


def position_in_line(T: int) -> np.ndarray:
    """For input steps t = 0..T-1 (step 0 reads <bos>, step t reads the poem's (t-1)-th
    character): the position in its line of the character the model writes next, 0-4 for
    characters and 5 for the mark."""
    return np.arange(check_int("T", T, low=1)) % (LINE + 1)


def position_correlation(layers: list[dict], lengths, what: str = "c") -> np.ndarray:
    """Pearson correlation of every unit's ``what`` (``c`` or ``h``) with the position in
    the line, over every real step of every poem. (num_layers, H)."""
    if what not in ("c", "h"):
        raise ValueError(f"what must be 'c' or 'h', got {what!r}")
    lengths = np.asarray(lengths)
    T = layers[0][what].shape[0]
    mask = np.arange(T)[:, None] < lengths[None, :]  # (T, B): real steps, not padding
    pos = np.broadcast_to(position_in_line(T)[:, None], mask.shape)[mask].astype(float)
    out = []
    for layer in layers:
        a = layer[what].double().numpy()[mask]  # (N, H)
        a = a - a.mean(axis=0)
        p = pos - pos.mean()
        out.append((a * p[:, None]).sum(0) / np.sqrt((a ** 2).sum(0) * (p ** 2).sum()))
    return np.stack(out)


# ------------------------------------------------------------------ the shipped checkpoint

WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"
WEIGHTS_PATH = WEIGHTS_DIR / "poet.pt"
RECORD_PATH = WEIGHTS_DIR / "poet_record.json"


def load_checkpoint(path=None) -> dict:
    """The trained poet's checkpoint: ``state_dict``, ``chars`` (its vocabulary), ``config``
    (the model's arguments) and ``step``. A clear error if it is missing."""
    path = Path(WEIGHTS_PATH if path is None else path)
    if not path.is_file():
        raise FileNotFoundError(f"the poet checkpoint is missing: {path} (train it with "
                                "`make poet`, or reinstall lstm_edu)")
    ckpt = torch.load(path, weights_only=True)
    missing = {"state_dict", "chars", "config", "step"} - set(ckpt)
    if missing:
        raise ValueError(f"{path.name} lacks {sorted(missing)}: it was not written by "
                         "scripts/train_poet.py")
    return ckpt


def load_record(path=None) -> dict:
    """The record written beside the checkpoint: command, steps, time, torch, held-out figures."""
    path = Path(RECORD_PATH if path is None else path)
    if not path.is_file():
        raise FileNotFoundError(f"the poet record is missing: {path} (`make poet` writes it)")
    return json.loads(path.read_text(encoding="utf-8"))
