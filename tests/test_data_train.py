"""The generated data and the training loop."""

import numpy as np
import pytest
import torch

from lstm_edu.data import recall_task, sin_cos_data
from lstm_edu.train import train


def test_sin_cos_data_is_the_sources():
    d = sin_cos_data()
    assert d.t.shape == (200,) and d.x.dtype == np.float32
    assert d.t[0] == 0.0 and d.t[-1] == pytest.approx(12 * np.pi)
    assert d.n_train == 100
    np.testing.assert_allclose(d.x, np.sin(d.t), atol=1e-7)
    np.testing.assert_allclose(d.y, np.cos(d.t), atol=1e-7)
    t_tr, x_tr, _ = d.train
    t_te, x_te, _ = d.test
    assert len(t_tr) == len(t_te) == 100 and t_te[0] > t_tr[-1]


def test_recall_task_layout_and_seed():
    b = recall_task(T=10, batch_size=64, seed=3)
    assert b.x.shape == (10, 64, 8) and b.y.shape == (64,)
    tokens = b.x.argmax(-1)
    assert torch.equal(tokens[0], b.y)                 # the answer is the first token
    assert (tokens[1:] >= 4).all()                      # the rest are distractors
    assert torch.equal(recall_task(T=10, batch_size=64, seed=3).x, b.x)
    assert not torch.equal(recall_task(T=10, batch_size=64, seed=4).x, b.x)


def _fit_line(**kw):
    torch.manual_seed(0)
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    logs = []
    result = train(lambda: ((w - 2.0) ** 2).sum(), opt, progress=False, log=logs.append, **kw)
    return w, result, logs


def test_train_stops_at_the_first_loss_below_threshold():
    w, result, logs = _fit_line(max_epochs=1000, stop_below=1e-4, log_every=10)
    assert result.converged
    assert result.losses[-1] < 1e-4 and all(v >= 1e-4 for v in result.losses[:-1])
    assert result.stop_epoch == len(result.losses)
    assert "stopping" in logs[-1] and logs[0].startswith("epoch 10/1000")


def test_train_runs_all_epochs_without_rule():
    _, result, _ = _fit_line(max_epochs=7)
    assert result.epochs == 7 and not result.converged


def test_train_stops_when_the_callback_says_so():
    seen = []
    _, result, _ = _fit_line(max_epochs=50, callback=lambda e, v: seen.append(e) or e == 3)
    assert seen == [1, 2, 3] and result.stop_epoch == 3 and result.epochs == 3


def test_train_reports_divergence():
    w = torch.ones(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    with pytest.raises(FloatingPointError, match="loss must be finite, got nan at epoch 1"):
        train(lambda: (w * float("nan")).sum(), opt, max_epochs=5, progress=False)


def test_train_clips_gradients():
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=1.0)
    train(lambda: (1000 * w).sum(), opt, max_epochs=1, clip_norm=1.0, progress=False)
    assert w.item() == pytest.approx(-1.0)


def test_train_checks_its_inputs():
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=1.0)
    with pytest.raises(TypeError, match="optimizer must be a torch.optim.Optimizer, got list"):
        train(lambda: w.sum(), [w], max_epochs=1)
    with pytest.raises(ValueError, match="max_epochs must be >= 1, got 0"):
        train(lambda: w.sum(), opt, max_epochs=0)
    with pytest.raises(ValueError, match=r"must return a scalar, got shape \(1,\)"):
        train(lambda: w * 2, opt, max_epochs=1, progress=False)


# The progress bar's end state (words, fill and colour): tests/test_train_progress.py.
