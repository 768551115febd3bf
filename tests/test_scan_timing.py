"""benchmarks/scan_timing.py: one device for everything, synchronised; no GPU: one line."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import scan_timing  # noqa: E402


def test_cuda_without_a_gpu_is_one_line_and_a_nonzero_exit(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert scan_timing.main(["--device", "cuda", "--T", "16", "--repeats", "1"]) == 2
    out, err = capsys.readouterr()
    assert out == ""   # no table header printed before the refusal
    assert err.count("\n") == 1 and "no CUDA GPU" in err and "--device cpu" in err
    assert "Traceback" not in err


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_the_script_itself_says_so_without_a_traceback():
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "scan_timing.py"),
                          "--device", "cuda"], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert run.returncode != 0
    assert run.stdout == "" and "Traceback" not in run.stderr
    assert run.stderr.strip().count("\n") == 0 and "no CUDA GPU" in run.stderr


@pytest.mark.parametrize("name", ["foo", "meta"])
def test_other_devices_are_refused_in_one_line(name, capsys):
    assert scan_timing.main(["--device", name]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and name in err


def test_the_clock_is_read_between_synchronisations():
    events = []
    scan_timing.median_seconds(lambda: events.append("run"), repeats=2,
                               sync=lambda: events.append("sync"))
    timed = events[events.index("run") + 1:]  # after the warm-up
    # each timed run is preceded and followed by a sync, so no queued work leaks in or out
    assert timed == ["sync", "sync", "run", "sync", "sync", "run", "sync"]
    assert scan_timing.synchronizer(torch.device("cpu"))() is None   # the CPU has no queue


def test_cuda_synchronizer_waits_on_that_device(monkeypatch):
    seen = []
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: seen.append(device))
    scan_timing.synchronizer(torch.device("cuda:1"))()
    assert seen == [torch.device("cuda:1")]


@pytest.mark.parametrize("cell", [False, True])
def test_everything_is_made_on_the_device_asked_for(cell, capsys):
    # Any tensor made without device= would land on meta here and the run would fail or
    # print no numbers; passing the device everywhere keeps the run on the CPU.
    argv = ["--device", "cpu", "--T", "8", "24", "--sizes", "2x3", "--repeats", "1",
            "--dtype", "float64"] + (["--cell", "--input-size", "5"] if cell else [])
    with torch.device("meta"):
        assert scan_timing.main(argv) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| 2 × 3")]
    assert [row.split(" | ")[1] for row in rows] == ["8", "24"]
    for row in rows:
        rel = float(row.rstrip(" |").split(" | ")[-1])
        assert rel <= 1e-10   # float64: the loop and the scan agree


def test_inputs_follow_device_and_dtype():
    xs, params, h0 = scan_timing.cell_inputs(5, 2, 3, 4, device="cpu", dtype=torch.float64)
    assert xs.shape == (5, 2, 4) and h0.shape == (2, 3) and not h0.any()
    for t in (xs, h0, params.W_z, params.b_h):
        assert t.dtype == torch.float64 and t.device.type == "cpu"
    k, pre_h = scan_timing.coefficients(6, 2, 3, dtype=torch.float64)
    assert k.shape == pre_h.shape == (6, 2, 3) and k.dtype == torch.float64


def test_sizes_are_parsed_and_bad_ones_refused():
    assert scan_timing.parse_size("4x64") == (4, 64)
    with pytest.raises(SystemExit):
        scan_timing.main(["--sizes", "4by64"])
    with pytest.raises(SystemExit):
        scan_timing.main(["--sizes", "0x4"])
