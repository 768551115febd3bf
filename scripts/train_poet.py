"""Train notebook 15's LSTM poet and write the checkpoint with its record.

    .venv/bin/python scripts/train_poet.py              # or: make poet
    .venv/bin/python scripts/train_poet.py --steps 30 --out /tmp/poet.pt   # a quick look

The model and its loss are notebook 15's own: this script reads the cell that defines
``PoetLSTM`` and ``poem_loss`` from the notebook and runs it (a copy would drift). The data
is the shipped corpus (:func:`lstm_edu.data.load_tang_poems`), split by poem with seed 0;
the vocabulary is the training poems' characters seen at least 5 times. Adam, a cosine
learning rate, gradient norm clipped at 1, batches of poems of one length, two threads,
seeded. Every ``--save-every`` steps the checkpoint and a partial record are written, so a
run cut short is still usable; at the end the record gets the held-out figures, computed
from the weights exactly as saved.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lstm_edu.data import load_tang_poems, split_poems  # noqa: E402
from lstm_edu.experiments.poet import (PoemBatches, Vocabulary,  # noqa: E402
                                       lstm_bits_per_char)

NOTEBOOK = ROOT / "notebooks" / "15_lstm_poet.ipynb"
WEIGHTS = ROOT / "lstm_edu" / "weights" / "poet.pt"
MIN_COUNT = 5
SPLIT_SEED = 0


def notebook_definitions(path: Path = NOTEBOOK) -> dict:
    """``PoetLSTM`` and ``poem_loss``, run from notebook 15's cell that defines them."""
    cells = ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    try:
        cell = next(c for c in cells if "class PoetLSTM" in c)
    except StopIteration:
        raise SystemExit(f"{path} has no cell defining PoetLSTM") from None
    ns = {"torch": torch, "nn": nn, "F": F}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(cell, ns)  # noqa: S102 - the course's own notebook
    return ns


def save(path: Path, model, vocab: Vocabulary, config: dict, step: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"state_dict": model.state_dict(), "chars": vocab.chars, "config": config,
                "step": step}, tmp)
    os.replace(tmp, path)  # a reader never sees half a file


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2,
                        help="torch threads (2: both cores of the course's machine)")
    parser.add_argument("--save-every", type=int, default=100)
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="stop (and finish the record) after this long")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--finish-partial", action="store_true",
                        help="do not train: complete the record of a stopped run from its "
                             "last checkpoint (--out)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.finish_partial:
        return finish_partial(args.out)
    torch.manual_seed(args.seed)
    record_path = args.out.with_name(args.out.stem + "_record.json")

    split = split_poems(load_tang_poems(), seed=SPLIT_SEED)
    train_texts = [p.text for p in split.train]
    vocab = Vocabulary.build(train_texts, min_count=MIN_COUNT)
    ns = notebook_definitions()
    config = {"vocab_size": len(vocab), "emb_size": 96, "hidden_size": 192, "num_layers": 2,
              "dropout": 0.2}
    model = ns["PoetLSTM"](**config)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, args.steps) / args.steps)))
    batches = PoemBatches(vocab, train_texts, args.batch_size, seed=args.seed)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"vocabulary {len(vocab)} (characters seen >= {MIN_COUNT} times in "
          f"{len(train_texts)} training poems), parameters {n_params:,}", flush=True)

    record = {
        "command": " ".join(["python scripts/train_poet.py"]
                            + list(argv if argv is not None else sys.argv[1:])),
        "torch": torch.__version__, "seed": args.seed, "split_seed": SPLIT_SEED,
        "min_count": MIN_COUNT, "config": config, "parameters": n_params,
        "batch_size": args.batch_size, "lr": args.lr, "steps_planned": args.steps,
        "threads": args.threads, "load_average_at_start": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(), "loss_every_10_steps": [],
    }
    start = time.perf_counter()
    window = []
    step = 0
    model.train()
    for step in range(1, args.steps + 1):
        x, y = batches.next()
        loss = ns["poem_loss"](model, x, y, vocab.pad)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad()
        schedule.step()
        window.append(loss.item())
        if step % 10 == 0:
            record["loss_every_10_steps"].append(round(sum(window) / len(window), 4))
            window = []
        minutes = (time.perf_counter() - start) / 60
        if step % args.save_every == 0 or step == args.steps:
            save(args.out, model, vocab, config, step)
            record.update(steps=step, minutes=round(minutes, 2), status="partial")
            record_path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
            print(f"step {step}: loss {record['loss_every_10_steps'][-1]:.3f} nats, "
                  f"{minutes:.1f} min, load {os.getloadavg()[0]:.1f}", flush=True)
        if args.max_minutes is not None and minutes > args.max_minutes:
            print(f"stopping at step {step}: {minutes:.1f} min > {args.max_minutes}")
            break
    save(args.out, model, vocab, config, step)
    record.update(steps=step, minutes=round((time.perf_counter() - start) / 60, 2))
    finish(record, record_path, args.out, ns, split, status="finished")
    return 0


def finish(record: dict, record_path: Path, weights: Path, ns: dict, split, status: str) -> None:
    """Add the held-out figures, computed from the weights exactly as saved (loaded back, as
    the notebook does), and write the record."""
    saved = torch.load(weights, weights_only=True)
    vocab = Vocabulary(saved["chars"])
    model = ns["PoetLSTM"](**saved["config"])
    model.load_state_dict(saved["state_dict"])
    losses = record["loss_every_10_steps"]

    def bits(texts):
        return lstm_bits_per_char(model, vocab, texts)

    record.update(
        steps=saved["step"], status=status,
        load_average_at_end=round(os.getloadavg()[0], 2),
        final_train_loss_nats=losses[-1] if losses else None,
        valid_bits_per_char=round(bits([p.text for p in split.valid]), 5),
        test_bits_per_char=round(bits([p.text for p in split.test]), 5),
        checkpoint_bytes=weights.stat().st_size)
    record_path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in record.items() if k != "loss_every_10_steps"},
                     ensure_ascii=False))


def finish_partial(weights: Path) -> int:
    """Complete the record of a run that was stopped before its planned steps: the held-out
    figures of its last saved checkpoint, and a status that says so."""
    record_path = weights.with_name(weights.stem + "_record.json")
    record = json.loads(record_path.read_text(encoding="utf-8"))
    step = torch.load(weights, weights_only=True)["step"]
    split = split_poems(load_tang_poems(), seed=SPLIT_SEED)
    losses = record["loss_every_10_steps"][: step // 10]
    record["loss_every_10_steps"] = losses
    status = (f"stopped at step {step} of {record['steps_planned']} (time), "
              f"completed by --finish-partial")
    finish(record, record_path, weights, notebook_definitions(), split, status=status)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
