r"""The source's PyTorch experiment (section 4): sin(t) in, cos(t) out.

Two set-ups share one model and one training loop, and differ only in how the
100 training samples are laid out:

* :func:`faithful_run` - the source's: ``reshape(-1, 5, 1)`` read time first,
  i.e. **20 time steps x 5 sequences**, sequence ``b`` holding samples
  ``b, b+5, ..., b+95`` (the signal taken every 5th sample), each sequence
  starting from a zero state; the test half is laid out the same way.
* :func:`improved_run` - one 100-step sequence, ``(100, 1, 1)``; the final
  state of the training half is carried into the test half.

Everything else is the source's: :class:`SinCosLSTM` (``nn.LSTM(1, 16, 1)``,
then ``nn.Linear(16, 1)``, built in that order right after
``torch.manual_seed(seed)``), MSE loss, Adam with lr 1e-2, at most 10000
epochs, stop as soon as the loss is below 1e-4, a log line every 100 epochs;
the loop is :func:`lstm_edu.train.train`, whose order of operations is the
source's. Notebook 10 writes the same program out in its own cells, and
tests/test_sincos.py runs those cells and checks that :func:`faithful_run`
gives the same losses and stop epoch at a seed. The source's program sets no
seed, so its stop epoch is a random variable: benchmarks/sincos_grid.py
measures its spread over seeds, and runs the source's own program beside ours.

The other helpers explain what the source does not: which outputs a changed
sample moves (:func:`moved_outputs`), why the "test" half is the training half
mirrored (:func:`mirror_check`), what a two-step memory can do
(:func:`two_tap_weights`), how far the trained model carries over to new
signals (:func:`probe_signals`), and which past inputs a prediction uses
(:func:`input_influence`). Figures are in :mod:`lstm_edu.figures.sincos`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..data import SinCosData, sin_cos_data
from ..train import TrainResult, train
from ..validate import check_array, check_choice, check_float, check_int

# The source's settings.
HIDDEN_SIZE = 16
LR = 1e-2
MAX_EPOCHS = 10_000
STOP_BELOW = 1e-4
LOG_EVERY = 100
N_SEQUENCES = 5  # the 5 in reshape(-1, 5, 1)

LAYOUTS = ("faithful", "sequence")


class SinCosLSTM(nn.Module):
    """``nn.LSTM(1, H, 1)`` then ``nn.Linear(H, 1)``, created in that order.

    ``forward(x, state=None)`` maps ``x`` (T, B, 1), time first, to
    ``(y, state)`` with ``y`` (T, B, 1) and ``state = (h_T, C_T)``, each (1, B, H).
    """

    def __init__(self, hidden_size: int = HIDDEN_SIZE):
        super().__init__()
        hidden_size = check_int("hidden_size", hidden_size, low=1)
        self.lstm = nn.LSTM(1, hidden_size, 1)  # created first: the seed's first draws go here
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x: torch.Tensor, state: tuple | None = None):
        if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[-1] != 1:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must be a tensor of shape (T, B, 1), got {shape}")
        out, state = self.lstm(x, state)  # (T, B, H)
        T, B, H = out.shape
        # Fold time and batch into rows before the linear layer, as the source
        # does: the same matrix product, so the same rounding.
        y = self.head(out.reshape(T * B, H)).reshape(T, B, 1)
        return y, state


def check_model(model) -> nn.Module:
    """A sin->cos model: a torch module with an ``nn.LSTM`` named ``lstm`` whose
    ``forward(x, state=None)`` returns ``(y, state)``, like :class:`SinCosLSTM` or the one
    notebook 10 defines in a cell."""
    if not isinstance(model, nn.Module) or not isinstance(getattr(model, "lstm", None), nn.LSTM):
        raise TypeError("model must be a torch.nn.Module with an nn.LSTM named lstm "
                        f"(like SinCosLSTM), got {type(model).__name__}")
    return model


# --- layouts -----------------------------------------------------------------

def to_layout(a, layout: str) -> torch.Tensor:
    """Samples (n,) as a time-first tensor.

    ``"faithful"``: ``reshape(-1, 5, 1)`` -> (n/5, 5, 1); element ``[s, b]`` is
    sample ``5 s + b``. ``"sequence"``: one sequence, (n, 1, 1).
    """
    check_choice("layout", layout, LAYOUTS)
    a = check_array("a", a, ndim=1)
    t = a if isinstance(a, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(a))
    if layout == "faithful":
        if t.shape[0] % N_SEQUENCES:
            raise ValueError(
                f"a must hold a multiple of {N_SEQUENCES} samples for the faithful layout, "
                f"got shape {tuple(t.shape)}")
        return t.reshape(-1, N_SEQUENCES, 1)
    return t.reshape(-1, 1, 1)


def from_layout(y: torch.Tensor) -> np.ndarray:
    """Back to samples in time order, (n,): both layouts flatten time-major."""
    return y.detach().reshape(-1).numpy()


def layout_index(layout: str, n: int = 100) -> np.ndarray:
    """``index[s, b]``: which sample sits at time step ``s`` of sequence ``b``."""
    return from_layout(to_layout(np.arange(n, dtype=np.float64), layout).squeeze(-1)).reshape(
        -1, N_SEQUENCES if layout == "faithful" else 1).astype(int)


# --- one run -----------------------------------------------------------------

@dataclass
class SinCosRun:
    """A trained model, its training record and its predictions (samples in time order)."""

    layout: str
    seed: int
    model: SinCosLSTM
    result: TrainResult
    data: SinCosData
    pred_train: np.ndarray
    pred_test: np.ndarray
    log: list[str] = field(default_factory=list)

    @property
    def stop_epoch(self) -> int | None:
        return self.result.stop_epoch

    @property
    def final_loss(self) -> float:
        """The last training loss computed (the one that met the stop rule, if it fired)."""
        return self.result.losses[-1]

    @property
    def train_mse(self) -> float:
        return float(np.mean((self.pred_train - self.data.train[2]) ** 2))

    @property
    def test_mse(self) -> float:
        return float(np.mean((self.pred_test - self.data.test[2]) ** 2))


def predict(model: nn.Module, x, layout: str, state: tuple | None = None):
    """Predictions (n,) for samples ``x`` (n,) in ``layout``, and the final state."""
    check_model(model)
    with torch.no_grad():
        y, state = model(to_layout(x, layout), state)
    return from_layout(y), state


def run_sincos(layout: str = "faithful", seed: int = 0, hidden_size: int = HIDDEN_SIZE,
               lr: float = LR, max_epochs: int = MAX_EPOCHS, stop_below: float = STOP_BELOW,
               log_every: int | None = LOG_EVERY, progress: bool = False,
               log: Callable[[str], None] | None = None,
               callback: Callable[[int, float], object] | None = None,
               data: SinCosData | None = None) -> SinCosRun:
    """Train :class:`SinCosLSTM` on the training half in ``layout``; predict both halves.

    The test half is predicted from a zero state in the faithful layout (the
    source's way) and from the training half's final state in the sequence layout.
    ``log`` gets the loop's lines (they are also kept in ``run.log``).
    """
    check_choice("layout", layout, LAYOUTS)
    seed = check_int("seed", seed, low=0)
    hidden_size = check_int("hidden_size", hidden_size, low=1)
    lr = check_float("lr", lr, low=0.0)
    if lr == 0.0:
        raise ValueError("lr must be > 0, got 0.0")
    data = sin_cos_data() if data is None else data
    if not isinstance(data, SinCosData):
        raise TypeError(f"data must be a SinCosData, got {type(data).__name__}")
    _, x_train, y_train = data.train
    X, Y = to_layout(x_train, layout), to_layout(y_train, layout)

    torch.manual_seed(seed)  # immediately before the model, as in the seeded source program
    model = SinCosLSTM(hidden_size)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    lines: list[str] = []

    def log_line(line: str) -> None:
        lines.append(line)
        if log is not None:
            log(line)

    result = train(lambda: loss_fn(model(X)[0], Y), optimizer, max_epochs=max_epochs,
                   stop_below=stop_below, log_every=log_every, progress=progress,
                   desc=f"{layout} layout", callback=callback, log=log_line)
    run = finish_run(model, result.losses, result.stop_epoch, layout, seed, data)
    run.result, run.log = result, lines
    return run


def finish_run(model: nn.Module, losses, stop_epoch: int | None, layout: str = "faithful",
               seed: int = 0, data: SinCosData | None = None) -> SinCosRun:
    """A :class:`SinCosRun` for a model trained elsewhere (notebook 10's cells).

    Predicts both halves as :func:`run_sincos` does, so the figures and the
    comparisons take the cells' run like any other. ``losses`` are the losses
    the loop computed, ``stop_epoch`` the 1-based epoch the stop rule fired at
    (None if it did not).
    """
    check_model(model)
    check_choice("layout", layout, LAYOUTS)
    losses = [float(v) for v in losses]
    if not losses:
        raise ValueError("losses must hold at least one epoch's loss, got none")
    if stop_epoch is not None and check_int("stop_epoch", stop_epoch, low=1) != len(losses):
        raise ValueError(f"stop_epoch must be the last epoch run ({len(losses)}), got {stop_epoch}")
    data = sin_cos_data() if data is None else data
    if not isinstance(data, SinCosData):
        raise TypeError(f"data must be a SinCosData, got {type(data).__name__}")
    model.eval()
    pred_train, state = predict(model, data.train[1], layout)
    pred_test, _ = predict(model, data.test[1], layout, state if layout == "sequence" else None)
    return SinCosRun(layout=layout, seed=check_int("seed", seed, low=0), model=model,
                     result=TrainResult(losses=losses, stop_epoch=stop_epoch), data=data,
                     pred_train=pred_train, pred_test=pred_test)


def faithful_run(seed: int = 0, **kwargs) -> SinCosRun:
    """The source's experiment: 20 steps x 5 sequences, its hyperparameters, its loop."""
    return run_sincos("faithful", seed, **kwargs)


def improved_run(seed: int = 0, **kwargs) -> SinCosRun:
    """The same model and settings on one 100-step sequence; the state runs on into the test."""
    return run_sincos("sequence", seed, **kwargs)


@dataclass(frozen=True)
class SeedSummary:
    layout: str
    seed: int
    stop_epoch: int | None
    final_loss: float
    test_mse: float


def seed_summary(run: SinCosRun) -> SeedSummary:
    """The numbers of one run that a comparison across seeds needs."""
    if not isinstance(run, SinCosRun):
        raise TypeError(f"run must be a SinCosRun, got {type(run).__name__}")
    return SeedSummary(run.layout, run.seed, run.stop_epoch, run.final_loss, run.test_mse)


def seed_grid(layout: str, seeds, **kwargs) -> list[SeedSummary]:
    """One run per seed (same settings otherwise); the numbers needed to compare set-ups."""
    check_choice("layout", layout, LAYOUTS)
    return [seed_summary(run_sincos(layout, seed, **kwargs)) for seed in seeds]


# --- what the source does not explain -----------------------------------------

def moved_outputs(model: nn.Module, x, index: int, layout: str = "faithful",
                  delta: float = 0.5) -> np.ndarray:
    """The samples whose prediction changes when sample ``index`` of ``x`` moves by ``delta``."""
    x = np.asarray(check_array("x", x, ndim=1))
    index = check_int("index", index, low=0, high=len(x) - 1)
    delta = check_float("delta", delta)
    if delta == 0.0:
        raise ValueError("delta must be non-zero, got 0.0")
    before, _ = predict(model, x, layout)
    x2 = x.copy()
    x2[index] += delta
    after, _ = predict(model, x2, layout)
    return np.flatnonzero(before != after)


@dataclass(frozen=True)
class Mirror:
    step: float                 # Δ, the sample step
    offset: float               # t[n_train] - 6π (for the source's data)
    max_x_gap: float            # max_k |test_x[k] + train_x[n-1-k]|
    max_y_gap: float            # max_k |test_y[k] - train_y[n-1-k]|


def mirror_check(data: SinCosData | None = None, period_end: float = 6 * np.pi) -> Mirror:
    """How far the test half is from the training half mirrored in time, sin negated.

    With t_k = kΔ and 6π = 99.5Δ (200 points on [0, 12π]), t[100] - 6π = Δ/2, so
    test_x[k] = sin(6π + (k + ½)Δ) = -sin(6π - (k + ½)Δ) = -train_x[99 - k],
    and test_y[k] = train_y[99 - k].
    """
    data = sin_cos_data() if data is None else data
    if not isinstance(data, SinCosData):
        raise TypeError(f"data must be a SinCosData, got {type(data).__name__}")
    k = data.n_train
    if len(data.t) != 2 * k:
        raise ValueError(f"the mirror needs two equal halves, got {k} + {len(data.t) - k} samples")
    _, x_tr, y_tr = data.train
    _, x_te, y_te = data.test
    return Mirror(step=float(data.t[1] - data.t[0]), offset=float(data.t[k] - period_end),
                  max_x_gap=float(np.max(np.abs(x_te + x_tr[::-1]))),
                  max_y_gap=float(np.max(np.abs(y_te - y_tr[::-1]))))


def two_tap_weights(step: float) -> tuple[float, float]:
    r"""``(a, b)`` with :math:`\cos t = a \sin t + b \sin(t - Δ)` exactly, for every t.

    From :math:`\sin(t-Δ) = \sin t \cos Δ - \cos t \sin Δ`:
    :math:`a = \cos Δ / \sin Δ`, :math:`b = -1 / \sin Δ`.
    """
    step = check_float("step", step)
    if abs(np.sin(step)) < 1e-9:  # sin Δ = 0: two samples a half-period apart carry no phase
        raise ValueError(f"step must not be a multiple of π, got {step}")
    return float(np.cos(step) / np.sin(step)), float(-1.0 / np.sin(step))


def finite_difference(x, step: float) -> np.ndarray:
    """``(x_t - x_{t-1}) / Δ`` for t >= 1: the derivative of sin, roughly cos (n-1,)."""
    x = np.asarray(check_array("x", x, ndim=1), dtype=np.float64)
    step = check_float("step", step)
    if step == 0.0:
        raise ValueError("step must be non-zero, got 0.0")
    return (x[1:] - x[:-1]) / step


def two_tap(x, step: float) -> np.ndarray:
    """``a x_t + b x_{t-1}`` for t >= 1 with :func:`two_tap_weights`: exactly cos for a sine."""
    x = np.asarray(check_array("x", x, ndim=1), dtype=np.float64)
    a, b = two_tap_weights(step)
    return a * x[1:] + b * x[:-1]


def input_influence(model: nn.Module, x, at: int, layout: str = "sequence") -> np.ndarray:
    r""":math:`\partial \hat y_{at} / \partial x_{at-k}` for k = 0..at: how much each input counts.

    ``x`` is in time order; the derivative is taken through the model as it runs
    in ``layout``. Entry ``k`` is the sensitivity to the input k samples back.
    """
    check_model(model)
    x = np.asarray(check_array("x", x, ndim=1))
    at = check_int("at", at, low=0, high=len(x) - 1)
    xt = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    y, _ = model(to_layout(xt, layout))
    (grad,) = torch.autograd.grad(y.reshape(-1)[at], xt)
    return grad.numpy()[at::-1].copy()


# --- new signals -----------------------------------------------------------------

@dataclass(frozen=True)
class Probe:
    name: str
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    pred: np.ndarray

    @property
    def mse(self) -> float:
        return float(np.mean((self.pred - self.y) ** 2))

    def mse_after(self, warmup: int) -> float:
        """MSE without the first ``warmup`` samples (the start-up transient)."""
        return float(np.mean((self.pred[warmup:] - self.y[warmup:]) ** 2))


def probe_signal(model: nn.Module, name: str, t, amplitude: float = 1.0, omega: float = 1.0,
                 phase: float = 0.0) -> Probe:
    """Run a trained one-sequence model on ``A sin(ωt + φ)`` from a zero state.

    The target is ``A cos(ωt + φ)``, the same rule as in training.
    """
    t = np.asarray(check_array("t", t, ndim=1), dtype=np.float64)
    amplitude = check_float("amplitude", amplitude)
    omega = check_float("omega", omega)
    phase = check_float("phase", phase)
    x = (amplitude * np.sin(omega * t + phase)).astype(np.float32)
    y = (amplitude * np.cos(omega * t + phase)).astype(np.float32)
    pred, _ = predict(model, x, "sequence")
    return Probe(name=name, t=t, x=x, y=y, pred=pred)


def probe_signals(model: nn.Module, data: SinCosData | None = None) -> list[Probe]:
    """The trained model on signals it has not seen, at the training grid's sample step Δ.

    * the training signal itself, from t = 0 (the reference);
    * another phase: sin(t + 1), from a zero state;
    * a 4x longer horizon: t in [0, 48π], 797 samples, state carried throughout;
    * other frequencies: sin(0.5 t) and sin(2 t) (the phase moves 0.5Δ or 2Δ per sample);
    * another amplitude: 0.5 sin t.
    """
    data = sin_cos_data() if data is None else data
    step = float(data.t[1] - data.t[0])
    t = data.t
    long_t = np.arange(4 * (len(t) - 1) + 1) * step  # 0 .. 48π
    return [
        probe_signal(model, "trained signal", t),
        probe_signal(model, "phase +1", t, phase=1.0),
        probe_signal(model, "horizon 4x", long_t),
        probe_signal(model, "frequency 0.5x", t, omega=0.5),
        probe_signal(model, "frequency 2x", t, omega=2.0),
        probe_signal(model, "amplitude 0.5x", t, amplitude=0.5),
    ]


# --- reading the trained LSTM -----------------------------------------------------

def readout_units(h, weight, k: int = 4) -> np.ndarray:
    """The ``k`` units whose share ``w_j h_j`` of the prediction varies most over time.

    ``h`` is (T, H) hidden states, ``weight`` the read-out's (H,) or (1, H) weights;
    returns unit indices, the most influential first.
    """
    h = np.asarray(check_array("h", h, ndim=2), dtype=np.float64)
    w = np.asarray(weight.detach() if isinstance(weight, torch.Tensor) else weight,
                   dtype=np.float64).reshape(-1)
    if w.shape != (h.shape[1],):
        raise ValueError(f"weight must hold one weight per unit ({h.shape[1]}), got shape "
                         f"{tuple(np.shape(weight))}")
    k = check_int("k", k, low=1, high=h.shape[1])
    return np.argsort(-(h * w).std(axis=0), kind="stable")[:k]


def memory_half_life(f: float) -> float:
    """Steps after which a cell with a constant forget gate ``f`` keeps half its content:
    ``f**n = 1/2``, so ``n = ln(1/2) / ln f``."""
    f = check_float("f", f, low=0.0, high=1.0)
    if f in (0.0, 1.0):
        raise ValueError(f"f must be strictly between 0 and 1, got {f}")
    return float(np.log(0.5) / np.log(f))
