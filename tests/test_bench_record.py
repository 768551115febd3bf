"""`make bench` records what notebook 15 reports (its held-out table and its form table) from
the run it times: the cells are tagged, and bench.py copies their printed output."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebook_15_tags_its_results_for_the_bench_record():
    bench = _bench()
    nb = json.loads((ROOT / "notebooks" / "15_lstm_poet.ipynb").read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if bench.RECORD_TAG in c["metadata"].get("tags", [])]
    printed = ["".join(o.get("text", "")) for c in tagged for o in c["outputs"]]
    assert any("bits/char" in p and "trigram" in p and "LSTM" in p for p in printed)
    assert any("whole form" in p and "trigram" in p and "LSTM" in p for p in printed)


def test_bench_writes_the_tagged_outputs_of_the_first_run():
    bench = _bench()
    nbs = {"15_lstm_poet": {"runs": [{"recorded": [(21, "LSTM 7.1\n")]},
                                     {"recorded": [(21, "LSTM 9.9\n")]}]},
           "01_feedforward_limits": {"runs": [{"recorded": []}]},
           "02_rnn_unrolled": {"error": "RuntimeError: died"}}
    text = "\n".join(bench.recorded_section(nbs))
    assert "15_lstm_poet, cell 21:" in text and "LSTM 7.1" in text and "9.9" not in text
    assert "01_feedforward" not in text and bench.recorded_section({}) == []
