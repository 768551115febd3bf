"""Loop against log-space scan for h_t = a_t ⊙ h_{t-1} + b_t, against the sequence length T.

    .venv/bin/python benchmarks/scan_timing.py                 # T = 16 ... 16384, 7 repeats
    .venv/bin/python benchmarks/scan_timing.py --sizes 1x16 4x64 --repeats 5
    .venv/bin/python benchmarks/scan_timing.py --device cuda --cell --sizes 4x4 64x64 256x256 \\
        --T 256 4096 16384 --repeats 3                          # issue 24's GPU table

Two comparisons:

* default: the recurrence alone, on minGRU coefficients ``a = 1 - z``, ``b = z g(h~)``
  made from random pre-activations. ``sequential_scan`` makes T Python-level steps of two
  small tensor ops each; ``log_space_scan`` makes a fixed handful of whole-sequence ops
  (cumsum, logcumsumexp, exp). "fwd+bwd" adds the backward pass (what training pays).
* ``--cell``: the whole minGRU, ``min_rnn_loop`` (the step function T times, from an
  ``h0`` made on the device) against ``min_rnn_scan``, forward only. This is what issue 24
  timed on a GPU (RESULTS.md, "Loop against log-space scan on a GPU").

On one CPU thread the balance depends on B·H: the loop pays a per-step overhead (Python, op
dispatch) that hardly depends on B·H, while torch's CPU ``logcumsumexp`` costs tens of
nanoseconds per element. On a GPU each whole-sequence op runs over many cores, and the
loop's T steps are T rounds of kernel launches.

Everything is made on ``--device`` (random numbers from a generator on that device, the
weights, ``h0``); on CUDA the clock is read only after ``torch.cuda.synchronize``, since
kernels run asynchronously. Without a GPU, ``--device cuda`` stops with a one-line message.
The last column is the largest relative difference |scan - loop| / (1 + |loop|): in float32
the log-space form loses digits as T grows, because ``a*_t = Σ log a_k`` grows with T and
float32 keeps ~7 digits of it. Each time is the median of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time

import torch

from lstm_edu.cells.min_rnn import (MinGRUParams, g, log_g, log_space_scan, min_rnn_loop,
                                    min_rnn_scan, sequential_scan, softplus)

DTYPES = {"float32": torch.float32, "float64": torch.float64}


class NoDevice(Exception):
    """The device asked for is not there (no GPU, or a name torch does not know)."""


def pick_device(name: str) -> torch.device:
    """``torch.device(name)``, or :class:`NoDevice` with a one-line reason."""
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError) as err:
        raise NoDevice(f"--device {name!r} is not a device torch knows ({err})") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise NoDevice(f"--device {name}: no CUDA GPU is available to this torch "
                       f"({torch.__version__}); run on a machine with one, or use --device cpu")
    if device.type not in ("cpu", "cuda"):
        raise NoDevice(f"--device {name}: only cpu and cuda are timed here")
    return device


def synchronizer(device: torch.device):
    """A function that waits for the device's queued work (a no-op on the CPU)."""
    if device.type == "cuda":
        return lambda: torch.cuda.synchronize(device)
    return lambda: None


def median_seconds(fn, repeats: int, sync=lambda: None) -> float:
    """Median wall time of ``fn()``; ``sync()`` before each start and before each stop."""
    fn()  # warm-up: first calls pay for allocation (and, on a GPU, kernel loading)
    sync()
    times = []
    for _ in range(repeats):
        sync()
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def coefficients(T: int, batch: int, hidden: int, *, device="cpu", dtype=torch.float32,
                 seed: int = 0, grad: bool = False):
    """Pre-activations ``k`` (gate) and ``pre_h`` (candidate), (T, B, H), made on ``device``."""
    gen = torch.Generator(device=device).manual_seed(seed)
    k = torch.randn(T, batch, hidden, generator=gen, device=device, dtype=dtype)
    pre_h = torch.randn(T, batch, hidden, generator=gen, device=device, dtype=dtype)
    if grad:
        k.requires_grad_(True)
        pre_h.requires_grad_(True)
    return k, pre_h


def loop_h(k, pre_h):
    z = torch.sigmoid(k)
    return sequential_scan(1 - z, z * g(pre_h))


def scan_h(k, pre_h):
    return log_space_scan(-softplus(k), -softplus(-k) + log_g(pre_h))


def cell_inputs(T: int, batch: int, hidden: int, input_size: int, *, device="cpu",
                dtype=torch.float32, seed: int = 0):
    """``xs`` (T, B, D), minGRU weights and ``h0`` (B, H) of zeros, all made on ``device``."""
    gen = torch.Generator(device=device).manual_seed(seed)

    def randn(*shape, scale=1.0):
        return scale * torch.randn(*shape, generator=gen, device=device, dtype=dtype)

    scale = input_size ** -0.5  # pre-activations of about unit size
    params = MinGRUParams(W_z=randn(hidden, input_size, scale=scale), b_z=randn(hidden),
                          W_h=randn(hidden, input_size, scale=scale), b_h=randn(hidden))
    h0 = torch.zeros(batch, hidden, device=device, dtype=dtype)
    return randn(T, batch, input_size), params, h0


def max_rel_diff(h_scan, h_loop) -> float:
    return ((h_scan - h_loop).abs() / (1 + h_loop.abs())).max().item()


def parse_size(text: str) -> tuple[int, int]:
    """``"4x64"`` -> (4, 64): batch B and hidden H."""
    try:
        B, H = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a size is BxH, e.g. 4x64, got {text!r}") from None
    if B < 1 or H < 1:
        raise argparse.ArgumentTypeError(f"B and H must be at least 1, got {text!r}")
    return B, H


def time_recurrence(T, B, H, device, dtype, repeats, sync) -> str:
    k, pre_h = coefficients(T, B, H, device=device, dtype=dtype)
    with torch.no_grad():
        h_loop = loop_h(k, pre_h)
        rel = max_rel_diff(scan_h(k, pre_h), h_loop)
        t_loop = median_seconds(lambda: loop_h(k, pre_h), repeats, sync)
        t_scan = median_seconds(lambda: scan_h(k, pre_h), repeats, sync)
    kg, pg = coefficients(T, B, H, device=device, dtype=dtype, grad=True)
    b_loop = median_seconds(lambda: loop_h(kg, pg).sum().backward(), repeats, sync)
    b_scan = median_seconds(lambda: scan_h(kg, pg).sum().backward(), repeats, sync)
    return (f"| {B} × {H} | {T} | {1e3 * t_loop:.2f} | {1e3 * t_scan:.2f} | "
            f"{t_loop / t_scan:.1f} | {1e3 * b_loop:.2f} | {1e3 * b_scan:.2f} | "
            f"{b_loop / b_scan:.1f} | {rel:.1e} |")


def time_cell(T, B, H, D, device, dtype, repeats, sync) -> str:
    xs, params, h0 = cell_inputs(T, B, H, D, device=device, dtype=dtype)
    with torch.no_grad():
        rel = max_rel_diff(min_rnn_scan(xs, params), min_rnn_loop(xs, params, h0)["h_t"])
        t_loop = median_seconds(lambda: min_rnn_loop(xs, params, h0), repeats, sync)
        t_scan = median_seconds(lambda: min_rnn_scan(xs, params), repeats, sync)
    return (f"| {B} × {H} | {T} | {1e3 * t_loop:.2f} | {1e3 * t_scan:.2f} | "
            f"{t_loop / t_scan:.1f} | {rel:.1e} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--T", type=int, nargs="+",
                        default=[16, 64, 256, 1024, 4096, 16384])
    parser.add_argument("--sizes", type=parse_size, nargs="+", default=None,
                        help="batch x hidden, e.g. 1x16 4x64 (default: --batch x --hidden)")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--input-size", type=int, default=16, help="D, with --cell only")
    parser.add_argument("--cell", action="store_true",
                        help="time min_rnn_loop against min_rnn_scan (forward only)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda, cuda:1, ...")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="float32")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    try:
        device = pick_device(args.device)
    except NoDevice as err:
        print(f"scan_timing.py: {err}", file=sys.stderr)
        return 2
    dtype, sync = DTYPES[args.dtype], synchronizer(device)
    sizes = args.sizes or [(args.batch, args.hidden)]
    if device.type == "cpu":
        torch.set_num_threads(1)
        where = f"{platform.processor() or platform.machine()}, 1 thread"
    else:
        where = torch.cuda.get_device_name(device)
    what = (f"min_rnn_loop against min_rnn_scan, D = {args.input_size}" if args.cell
            else "sequential_scan against log_space_scan")
    print(f"{what}; {args.dtype}, torch {torch.__version__}, {device}: {where}; "
          f"median of {args.repeats}")
    if args.cell:
        print("| B × H | T | loop (ms) | scan (ms) | loop / scan | max rel. diff |")
        print("|---|---|---|---|---|---|")
    else:
        print("| B × H | T | loop fwd (ms) | scan fwd (ms) | loop/scan fwd | loop fwd+bwd (ms) | "
              "scan fwd+bwd (ms) | loop/scan fwd+bwd | max rel. diff |")
        print("|---|---|---|---|---|---|---|---|---|")
    for B, H in sizes:
        for T in args.T:
            row = (time_cell(T, B, H, args.input_size, device, dtype, args.repeats, sync)
                   if args.cell else time_recurrence(T, B, H, device, dtype, args.repeats, sync))
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
