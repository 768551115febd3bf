"""Loop against log-space scan for h_t = a_t ⊙ h_{t-1} + b_t, against the sequence length T.

    .venv/bin/python benchmarks/scan_timing.py                 # T = 16 ... 16384, 7 repeats
    .venv/bin/python benchmarks/scan_timing.py --batch 1 --hidden 16 --repeats 5

The balance depends on B·H: the loop pays a per-step overhead (Python, op
dispatch) that hardly depends on B·H, while torch's CPU ``logcumsumexp``
costs tens of nanoseconds per element. Run both sizes (the recorded table
does). The last column is the largest relative difference between the two
results in float32: the log-space form loses digits as T grows, because
``a*_t = Σ log a_k`` grows in magnitude with T and float32 keeps ~7 digits of it.

Both compute the same h from the same minGRU coefficients (torch float32,
``lstm_edu.cells.min_rnn``): ``sequential_scan`` makes T Python-level steps of
two small tensor ops each; ``log_space_scan`` makes a fixed handful of
whole-sequence ops (cumsum, logcumsumexp, exp), each of which still walks
the T steps inside one C++ kernel. On one CPU thread, the scan's advantage is
fewer Python-level steps, not parallel hardware. "fwd+bwd" adds the backward
pass through each (what training pays). Median of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import torch

from lstm_edu.cells.min_rnn import log_space_scan, sequential_scan


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm-up: first calls pay for allocation
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def coefficients(T: int, batch: int, hidden: int, seed: int = 0, grad: bool = False):
    gen = torch.Generator().manual_seed(seed)
    k = torch.randn(T, batch, hidden, generator=gen)
    pre_h = torch.randn(T, batch, hidden, generator=gen)
    if grad:
        k.requires_grad_(True)
        pre_h.requires_grad_(True)
    return k, pre_h


def loop_h(k, pre_h):
    from lstm_edu.cells.min_rnn import g
    z = torch.sigmoid(k)
    return sequential_scan(1 - z, z * g(pre_h))


def scan_h(k, pre_h):
    from lstm_edu.cells.min_rnn import log_g, softplus
    return log_space_scan(-softplus(k), -softplus(-k) + log_g(pre_h))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--T", type=int, nargs="+",
                        default=[16, 64, 256, 1024, 4096, 16384])
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    print(f"B={args.batch} H={args.hidden} float32, torch {torch.__version__}, 1 thread, "
          f"{platform.processor() or platform.machine()}, median of {args.repeats}")
    print("| T | loop fwd (ms) | scan fwd (ms) | loop/scan fwd | loop fwd+bwd (ms) | "
          "scan fwd+bwd (ms) | loop/scan fwd+bwd | max rel. diff (float32) |")
    print("|---|---|---|---|---|---|---|---|")
    for T in args.T:
        k, pre_h = coefficients(T, args.batch, args.hidden)
        with torch.no_grad():
            h_loop = loop_h(k, pre_h)
            rel = ((scan_h(k, pre_h) - h_loop).abs() / (1 + h_loop.abs())).max().item()
            t_loop = median_seconds(lambda: loop_h(k, pre_h), args.repeats)
            t_scan = median_seconds(lambda: scan_h(k, pre_h), args.repeats)
        kg, pg = coefficients(T, args.batch, args.hidden, grad=True)
        b_loop = median_seconds(lambda: loop_h(kg, pg).sum().backward(), args.repeats)
        b_scan = median_seconds(lambda: scan_h(kg, pg).sum().backward(), args.repeats)
        print(f"| {T} | {1e3 * t_loop:.2f} | {1e3 * t_scan:.2f} | {t_loop / t_scan:.1f} | "
              f"{1e3 * b_loop:.2f} | {1e3 * b_scan:.2f} | {b_loop / b_scan:.1f} | {rel:.1e} |",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
