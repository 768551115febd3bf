"""One training loop for the whole course, with a progress bar and the source's stop rule.

The loop is the source's, step for step: compute the loss, ``backward()``,
``optimizer.step()``, ``zero_grad()``, then stop as soon as the loss just
computed is below ``stop_below``. With that order, and the same seed before the
model is built, a run stops at the same epoch as the source's program on the same
machine (benchmarks/sincos_grid.py --source compares the two).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Callable

import torch
from tqdm.auto import tqdm

from .validate import check_float, check_int


class LossNotFinite(FloatingPointError, ValueError):
    """The loss became NaN or inf: training has diverged."""


@dataclass
class TrainResult:
    """``losses[k]`` is the loss computed at epoch ``k + 1`` (before that epoch's update)."""

    losses: list[float] = field(default_factory=list)
    stop_epoch: int | None = None  # 1-based epoch at which a stop rule fired
    max_epochs: int | None = None  # the budget the run was given
    stop_reason: str | None = None  # why it stopped, e.g. "loss 0.00098 < 0.001"
    has_rule: bool = False          # a stop rule (stop_below or callback) was given

    @property
    def epochs(self) -> int:
        return len(self.losses)

    @property
    def converged(self) -> bool:
        return self.stop_epoch is not None

    def end_state(self) -> str:
        """How the run ended, in words: what the progress bar reads at its end."""
        budget = self.max_epochs if self.max_epochs is not None else self.epochs
        if self.stop_epoch is not None:
            why = f" ({self.stop_reason})" if self.stop_reason else ""
            early = "stopped early" if self.stop_epoch < budget else "stop rule met"
            return f"{early} at epoch {self.stop_epoch} of {budget}{why}"
        if self.has_rule:
            return f"ran all {budget} epochs; stop rule not met"
        return f"ran all {budget} epochs"

    def bar_style(self) -> str:
        """The progress bar's end style (ipywidgets bar_style): what the colour says."""
        if self.stop_epoch is not None:
            return STOPPED_STYLE
        return NOT_MET_STYLE if self.has_rule else RAN_ALL_STYLE


# The bar's colour at the end (JupyterLab's ipywidgets colours): blue = a stop rule ended the
# run (at N of M: the fill shows how early), orange = every epoch ran and the rule was never
# met (a warning), green = every epoch ran and there was no rule to meet. Red stays tqdm's
# own: the run raised.
STOPPED_STYLE, NOT_MET_STYLE, RAN_ALL_STYLE = "info", "warning", "success"


def train(compute_loss: Callable[[], torch.Tensor], optimizer: torch.optim.Optimizer, *,
          max_epochs: int, stop_below: float | None = None, log_every: int | None = None,
          clip_norm: float | None = None, progress: bool = True, desc: str = "training",
          callback: Callable[[int, float], None] | None = None, log=print) -> TrainResult:
    """Run ``max_epochs`` full-batch steps, or fewer if the stop rule fires.

    ``compute_loss()`` returns a scalar tensor for the current parameters.
    ``clip_norm`` clips the global gradient norm of the optimizer's parameters.
    ``callback(epoch, loss)`` runs after every epoch (a live plot uses it); if it
    returns True, training stops there (an accuracy target, say).
    ``log`` receives a line every ``log_every`` epochs and when the rule fires.
    """
    if not callable(compute_loss):
        raise TypeError(f"compute_loss must be callable, got {type(compute_loss).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    max_epochs = check_int("max_epochs", max_epochs, low=1)
    if stop_below is not None:
        stop_below = check_float("stop_below", stop_below, low=0.0)
    if log_every is not None:
        log_every = check_int("log_every", log_every, low=1)
    if clip_norm is not None:
        clip_norm = check_float("clip_norm", clip_norm, low=0.0)
    params = [p for group in optimizer.param_groups for p in group["params"]]

    result = TrainResult(max_epochs=max_epochs,
                         has_rule=stop_below is not None or callback is not None)
    bar = tqdm(total=max_epochs, desc=desc, disable=not progress, mininterval=0.25)
    finished = False
    try:
        for epoch in range(1, max_epochs + 1):
            loss = compute_loss()
            if not isinstance(loss, torch.Tensor):
                raise TypeError(f"compute_loss must return a scalar torch.Tensor (backward() "
                                f"needs one), got {type(loss).__name__}")
            if loss.ndim != 0:
                raise ValueError(f"compute_loss must return a scalar, got shape {tuple(loss.shape)}")
            loss.backward()
            if clip_norm is not None:
                torch.nn.utils.clip_grad_norm_(params, clip_norm)
            optimizer.step()
            optimizer.zero_grad()
            value = loss.item()
            if not math.isfinite(value):  # diverged: say so instead of looping on
                raise LossNotFinite(f"loss must be finite, got {value} at epoch {epoch}; "
                                    f"training has diverged (try a smaller lr or clip_norm)")
            result.losses.append(value)
            bar.update(1)
            if callback is not None and callback(epoch, value) is True:
                result.stop_epoch, result.stop_reason = epoch, "callback target met"
                break
            if stop_below is not None and value < stop_below:
                result.stop_epoch, result.stop_reason = epoch, f"loss {value:.3g} < {stop_below:g}"
                log(f"epoch {epoch}/{max_epochs}: loss {value:.5f} < {stop_below:g}, stopping")
                break
            if log_every and epoch % log_every == 0:
                bar.set_postfix(loss=f"{value:.5f}")
                log(f"epoch {epoch}/{max_epochs}: loss {value:.5f}")
        finished = True
    finally:
        if finished:
            end_bar(bar, result)
        else:
            bar.close()  # tqdm.notebook draws a bar closed short of its total red: it raised
    return result


def end_bar(bar, result: TrainResult) -> None:
    """Close ``bar`` reading how the run ended, in words and colour; its total stays the
    budget, so a run stopped at epoch N of M reads N/M over a fill of N/M."""
    if bar.disable:  # progress=False: no bar (and no desc) to set
        bar.close()
        return
    bar.set_description_str(f"{bar.desc}: {result.end_state()}" if bar.desc
                            else result.end_state(), refresh=False)
    bar.close()  # tqdm.notebook colours a bar closed before its total red ("danger") ...
    container = getattr(bar, "container", None)  # (only the notebook bar has one)
    if container is not None:
        words, fill, _ = container.children
        fill.bar_style = result.bar_style()  # ... this says what happened
        # tqdm joins its text with U+2007 (no break), so a long line would break mid-number
        # and squeeze the bar: ordinary spaces, and the bar on a row of its own if need be.
        words.value = html.escape(bar.desc)
        container.layout.flex_flow = "row wrap"
