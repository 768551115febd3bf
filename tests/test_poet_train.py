"""scripts/train_poet.py runs, for a few steps, and its loss falls; it writes a checkpoint and a
record that the package loads."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from lstm_edu.experiments.poet import load_checkpoint, load_record

ROOT = Path(__file__).resolve().parents[1]


def _script():
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_poet

    return train_poet


def test_a_few_steps_of_the_script_make_the_loss_fall(tmp_path, capsys):
    out = tmp_path / "poet.pt"
    _script().main(["--steps", "40", "--batch-size", "16", "--save-every", "20",
                    "--out", str(out)])
    record = load_record(tmp_path / "poet_record.json")
    losses = record["loss_every_10_steps"]
    assert len(losses) == 4 and record["status"] == "finished" and record["steps"] == 40
    # From ~ln V (8.2 nats) the first thing learned is which characters are common.
    assert losses[-1] < losses[0] - 0.5, losses
    assert np.isfinite(record["test_bits_per_char"])
    assert load_checkpoint(out)["step"] == 40
    assert "step 40" in capsys.readouterr().out


def test_a_stopped_run_can_be_completed_from_its_last_checkpoint(tmp_path):
    out = tmp_path / "poet.pt"
    _script().main(["--steps", "20", "--batch-size", "8", "--save-every", "10",
                    "--out", str(out)])
    path = tmp_path / "poet_record.json"
    record = json.loads(path.read_text())
    record.update(status="partial", steps_planned=100)
    for key in ("test_bits_per_char", "valid_bits_per_char"):
        record.pop(key)
    path.write_text(json.dumps(record))
    _script().main(["--finish-partial", "--out", str(out)])
    done = load_record(path)
    assert done["status"].startswith("stopped at step 20 of 100")
    assert np.isfinite(done["test_bits_per_char"])
