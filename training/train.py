"""Resumable training of an expression classifier on FER2013 or FER+.

Every epoch writes ``last.pt`` (weights, EMA weights, optimizer, RNG states,
history and the full training configuration) atomically, so a killed run
continues exactly where it stopped with ``--resume``; the best epoch on the
validation split is kept as ``best.pt`` (weights and configuration only, the
file that ``classmood model export`` turns into a shipped model).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import logging
import math
import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from training.architectures import create_backbone
from training.augment import AugmentConfig, augment_batch, mixup_cutmix
from training.datasets import FaceSet, load_faces
from training.evaluate import predict_probabilities
from training.metrics import classification_report
from training.train_args import BEST, LAST, TrainConfig, add_arguments, config_from_args

log = logging.getLogger(__name__)


def class_weights(counts: np.ndarray, mode: str) -> torch.Tensor:
    counts = np.maximum(counts.astype(np.float64), 1.0)
    if mode == "none":
        weights = np.ones_like(counts)
    elif mode == "sqrt":
        weights = 1.0 / np.sqrt(counts)
    else:
        weights = 1.0 / counts
    weights = weights / (weights * counts).sum() * counts.sum()  # mean weight per face stays 1
    return torch.tensor(weights, dtype=torch.float32)


def lr_at(step: int, total_steps: int, warmup_steps: int, peak: float) -> float:
    """Linear warm-up, then cosine decay to 1% of the peak."""
    if step < warmup_steps:
        return peak * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return peak * (0.01 + 0.99 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress))))


def soft_cross_entropy(logits: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    per_class = -targets * F.log_softmax(logits, dim=1) * weights
    return per_class.sum(dim=1).mean()


def _atomic_save(obj: Any, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def load_init_weights(model: torch.nn.Module, path: str) -> None:
    """Copy a checkpoint's weights into ``model``, skipping tensors whose shape differs (the head)."""
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    state = checkpoint.get("model", checkpoint) if isinstance(checkpoint, dict) else checkpoint
    own = model.state_dict()
    compatible = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    skipped = sorted(set(own) - set(compatible))
    model.load_state_dict(compatible, strict=False)
    log.info(
        "init from %s: %d tensors loaded, %d left new (%s)", path, len(compatible), len(skipped), ", ".join(skipped[:4])
    )


def _rng_state(generator: torch.Generator) -> dict[str, Any]:
    return {
        "torch": torch.get_rng_state(),
        "generator": generator.get_state(),
        "numpy": np.random.get_state(),
        "python": random.getstate(),
    }


def _restore_rng(state: dict[str, Any], generator: torch.Generator) -> None:
    torch.set_rng_state(state["torch"])
    generator.set_state(state["generator"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])


def evaluate_model(model: torch.nn.Module, faces: FaceSet) -> dict[str, Any]:
    probabilities = predict_probabilities(model, faces.pixels)
    return classification_report(faces.labels, probabilities.argmax(axis=1), faces.classes)


def train(config: TrainConfig, resume: bool = False, stop_after: int = 0) -> dict[str, Any]:
    """Run (or continue) training; returns the best validation report.

    ``stop_after`` ends this run after that many epochs (a time-boxed session);
    ``--resume`` continues it later exactly as if it had not stopped.
    """
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    last_path = out / LAST
    checkpoint: dict[str, Any] | None = None
    if resume:
        if not last_path.is_file():
            raise FileNotFoundError(f"--resume: no {last_path} to continue from")
        checkpoint = torch.load(last_path, map_location="cpu", weights_only=False)
        saved = TrainConfig(**checkpoint["config"])
        saved.threads = config.threads
        config = saved
        log.info("resuming %s after epoch %d of %d", out, checkpoint["epoch"] + 1, config.epochs)

    torch.set_num_threads(config.threads or os.cpu_count() or 1)
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)

    train_faces = load_faces(config.dataset, config.data, config.image_size, role="train")
    if config.limit:
        train_faces = train_faces.subset(np.arange(min(config.limit, len(train_faces))))
    val_source = config.val or (config.data if config.data.lower().endswith(".csv") else None)
    val_faces = load_faces(config.dataset, val_source, config.image_size, role="val") if val_source else None
    classes = train_faces.classes
    log.info(
        "training on %d faces (%s), validating on %s",
        len(train_faces),
        ", ".join(classes),
        len(val_faces) if val_faces else "nothing",
    )

    model = create_backbone(config.arch, len(classes), pretrained=config.pretrained, drop_rate=config.drop_rate)
    if config.init and checkpoint is None:
        load_init_weights(model, config.init)
    ema = copy.deepcopy(model).eval() if config.ema_decay > 0 else None
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    weights = class_weights(train_faces.class_counts(), config.class_balance)

    pixels = torch.from_numpy(train_faces.pixels)
    targets = torch.from_numpy(train_faces.targets)
    if config.label_smoothing > 0:
        targets = targets * (1 - config.label_smoothing) + config.label_smoothing / len(classes)
    steps_per_epoch = max(1, len(train_faces) // config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    warmup_steps = int(config.warmup_epochs * steps_per_epoch)
    augment = AugmentConfig()

    start_epoch, step, best_acc, history, cpu_seconds = 0, 0, -1.0, [], 0.0
    if checkpoint is not None:
        model.load_state_dict(checkpoint["model"])
        if ema is not None and checkpoint.get("ema") is not None:
            ema.load_state_dict(checkpoint["ema"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        _restore_rng(checkpoint["rng"], generator)
        start_epoch = checkpoint["epoch"] + 1
        step = checkpoint["step"]
        best_acc = checkpoint["best_accuracy"]
        history = checkpoint["history"]
        cpu_seconds = checkpoint.get("cpu_seconds", 0.0)

    best_report: dict[str, Any] = {}
    end_epoch = min(config.epochs, start_epoch + stop_after) if stop_after else config.epochs
    for epoch in range(start_epoch, end_epoch):
        model.train()
        started_cpu = time.process_time()
        order = torch.randperm(len(train_faces), generator=generator)
        running_loss, running_correct, seen = 0.0, 0, 0
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{config.epochs}", unit="batch", mininterval=2.0)
        for batch_index in bar:
            index = order[batch_index * config.batch_size : (batch_index + 1) * config.batch_size]
            inputs = augment_batch(pixels[index], augment, generator)
            batch_targets = targets[index]
            if config.mixup > 0:
                inputs, batch_targets = mixup_cutmix(inputs, batch_targets, config.mixup, generator)
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step, total_steps, warmup_steps, config.lr)
            logits = model(inputs)
            loss = soft_cross_entropy(logits, batch_targets, weights)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            if ema is not None:
                decay = min(config.ema_decay, (1 + step) / (10 + step))
                with torch.no_grad():
                    for ema_p, p in zip(ema.state_dict().values(), model.state_dict().values(), strict=True):
                        if ema_p.dtype.is_floating_point:
                            ema_p.mul_(decay).add_(p.detach(), alpha=1 - decay)
                        else:
                            ema_p.copy_(p)
            running_loss += float(loss.detach()) * len(index)
            running_correct += int((logits.argmax(1) == batch_targets.argmax(1)).sum())
            seen += len(index)
            bar.set_postfix(loss=f"{running_loss / seen:.3f}", acc=f"{running_correct / seen:.3f}")
        bar.close()
        cpu_seconds += time.process_time() - started_cpu

        record: dict[str, Any] = {
            "epoch": epoch + 1,
            "train_loss": running_loss / max(seen, 1),
            "train_accuracy": running_correct / max(seen, 1),
            "cpu_seconds": cpu_seconds,
        }
        candidates = [("model", model)] + ([("ema", ema)] if ema is not None else [])
        epoch_best: tuple[float, str, dict[str, Any]] | None = None
        if val_faces is not None:
            for name, candidate in candidates:
                report = evaluate_model(candidate, val_faces)
                record[f"val_accuracy_{name}"] = report["accuracy"]
                record[f"val_macro_f1_{name}"] = report["macro_f1"]
                if epoch_best is None or report["accuracy"] > epoch_best[0]:
                    epoch_best = (report["accuracy"], name, report)
        history.append(record)
        log.info(
            "epoch %d: %s",
            epoch + 1,
            json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in record.items()}),
        )

        if epoch_best is not None and epoch_best[0] > best_acc:
            best_acc, source, best_report = epoch_best
            chosen = ema if source == "ema" else model
            _atomic_save(
                {
                    "model": chosen.state_dict(),
                    "config": dataclasses.asdict(config),
                    "classes": list(classes),
                    "epoch": epoch + 1,
                    "weights": source,
                    "val_report": best_report,
                    "cpu_seconds": cpu_seconds,
                },
                out / BEST,
            )
        _atomic_save(
            {
                "model": model.state_dict(),
                "ema": ema.state_dict() if ema is not None else None,
                "optimizer": optimizer.state_dict(),
                "config": dataclasses.asdict(config),
                "classes": list(classes),
                "epoch": epoch,
                "step": step,
                "best_accuracy": best_acc,
                "history": history,
                "rng": _rng_state(generator),
                "cpu_seconds": cpu_seconds,
            },
            last_path,
        )
        (out / "history.json").write_text(json.dumps(history, indent=1))
    if val_faces is None and end_epoch == config.epochs:
        final = ema if ema is not None else model
        _atomic_save(
            {
                "model": final.state_dict(),
                "config": dataclasses.asdict(config),
                "classes": list(classes),
                "epoch": config.epochs,
                "weights": "ema" if ema is not None else "model",
                "cpu_seconds": cpu_seconds,
            },
            out / BEST,
        )
    if not best_report and (out / BEST).is_file():
        best_report = torch.load(out / BEST, map_location="cpu", weights_only=False).get("val_report", {})
    return best_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="classmood train", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    train(config_from_args(args), resume=args.resume, stop_after=args.stop_after)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
