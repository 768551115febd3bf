"""The progress bar's end state says how a run ended: in words and in the bar's style.

In JupyterLab the bar is tqdm.notebook's widget: an HBox of the description (HTML), the
fill (an IntProgress: value against max, coloured by its bar_style) and tqdm's n/total
text. These tests build that bar explicitly (tqdm.auto falls back to a text bar outside a
kernel) and read the widget's state; tests/browser reads the same bars as drawn.
"""

import html

import pytest
import torch
import tqdm.notebook

import lstm_edu.train as train_module
from lstm_edu.train import NOT_MET_STYLE, RAN_ALL_STYLE, STOPPED_STYLE, TrainResult, train


def _fit(monkeypatch=None, **kw):
    """Fit w to 2 with SGD; the loss at epoch k is 4 * 0.64**(k - 1)."""
    bars = []
    if monkeypatch is not None:
        class RecordedBar(tqdm.notebook.tqdm):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                bars.append(self)

        monkeypatch.setattr(train_module, "tqdm", RecordedBar)
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    kw.setdefault("log", lambda line: None)
    result = train(lambda: ((w - 2.0) ** 2).sum(), opt, **kw)
    return result, bars


def _read(bar):
    desc, fill, count = bar.container.children  # HTML widgets: "<" arrives as "&lt;"
    return (html.unescape(desc.value).replace("\u2007", " "), fill,
            html.unescape(count.value).replace("\u2007", " "))


def test_a_run_stopped_early_reads_n_of_m_and_keeps_its_total(monkeypatch):
    result, bars = _fit(monkeypatch, max_epochs=1000, stop_below=1e-4)
    n = result.stop_epoch
    assert n is not None and 10 < n < 1000
    desc, fill, count = _read(bars[0])
    words = f"stopped early at epoch {n} of 1000 (loss {result.losses[-1]:.3g} < 0.0001)"
    assert result.end_state() == words and words in desc
    # The total is still the budget: the text reads n/1000 over a fill of n/1000, never
    # "100% n/n" (the old rewrite of the total).
    assert fill.value == n and fill.max == 1000, (fill.value, fill.max)
    assert f"{n}/1000" in count and "100%" not in count
    assert fill.bar_style == STOPPED_STYLE == "info"  # not tqdm's red for a bar closed short


def test_a_run_that_never_meets_its_rule_reads_so_in_a_warning_style(monkeypatch):
    result, bars = _fit(monkeypatch, max_epochs=20, stop_below=1e-12)
    assert result.stop_epoch is None and result.epochs == 20
    desc, fill, count = _read(bars[0])
    assert result.end_state() == "ran all 20 epochs; stop rule not met"
    assert "ran all 20 epochs; stop rule not met" in desc
    assert fill.value == fill.max == 20 and "20/20" in count
    assert fill.bar_style == NOT_MET_STYLE == "warning"


def test_a_run_without_a_rule_ends_plainly_and_a_callback_is_a_rule(monkeypatch):
    result, bars = _fit(monkeypatch, max_epochs=5)
    desc, fill, _ = _read(bars[0])
    assert result.end_state() == "ran all 5 epochs" and "stop rule" not in desc
    assert fill.bar_style == RAN_ALL_STYLE == "success"
    stopped, bars = _fit(monkeypatch, max_epochs=50, callback=lambda epoch, loss: epoch == 3)
    desc, fill, _ = _read(bars[0])
    assert "stopped early at epoch 3 of 50 (callback target met)" in desc
    assert (fill.value, fill.max, fill.bar_style) == (3, 50, STOPPED_STYLE)
    never, bars = _fit(monkeypatch, max_epochs=4, callback=lambda epoch, loss: False)
    assert never.end_state() == "ran all 4 epochs; stop rule not met"
    assert _read(bars[0])[1].bar_style == NOT_MET_STYLE


def test_the_three_end_styles_differ_and_a_run_that_raised_stays_red(monkeypatch):
    assert len({STOPPED_STYLE, NOT_MET_STYLE, RAN_ALL_STYLE, "danger"}) == 4
    w = torch.zeros(1, requires_grad=True)
    bars = []

    class RecordedBar(tqdm.notebook.tqdm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            bars.append(self)

    monkeypatch.setattr(train_module, "tqdm", RecordedBar)
    losses = iter([1.0, float("nan")])
    with pytest.raises(FloatingPointError):
        train(lambda: (w * 0 + next(losses)).sum(), torch.optim.SGD([w], lr=0.1), max_epochs=9)
    assert _read(bars[0])[1].bar_style == "danger"


def test_the_text_bar_says_it_too(capsys):
    _fit(max_epochs=30, stop_below=1e-12)  # tqdm.auto outside a kernel: a text bar on stderr
    assert "ran all 30 epochs; stop rule not met" in capsys.readouterr().err


def test_end_state_of_a_rule_met_on_the_last_epoch_is_not_called_early():
    result = TrainResult(losses=[1.0, 0.5], stop_epoch=2, max_epochs=2, stop_reason="x",
                         has_rule=True)
    assert result.end_state() == "stop rule met at epoch 2 of 2 (x)"


@pytest.mark.parametrize("loss, kind", [(1.5, "float"), (None, "NoneType"), ("0.1", "str")])
def test_a_loss_that_is_not_a_tensor_gets_a_clear_type_error(loss, kind):
    w = torch.zeros(1, requires_grad=True)
    expected = f"compute_loss must return a scalar torch.Tensor .*got {kind}"
    with pytest.raises(TypeError, match=expected):
        train(lambda: loss, torch.optim.SGD([w], lr=0.1), max_epochs=2, progress=False)
