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


class InitMismatch(ValueError):
    """``--init`` names a checkpoint of another architecture than ``--arch``."""


def load_init_weights(model: torch.nn.Module, path: str) -> None:
    """Copy a checkpoint's weights into ``model``, skipping tensors whose shape differs (the head)."""
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    state = checkpoint.get("model", checkpoint) if isinstance(checkpoint, dict) else checkpoint
    own = model.state_dict()
    compatible = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    skipped = sorted(set(own) - set(compatible))
    if len(compatible) < len(own) // 2:
        arch = (checkpoint.get("config") or {}).get("arch", "other") if isinstance(checkpoint, dict) else "other"
        raise InitMismatch(f"{path} holds {arch} weights that do not fit this network: pass --arch {arch}")
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
        checkpoint, config = _resume_from(last_path, config)

    torch.set_num_threads(config.threads or os.cpu_count() or 1)
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)

    train_faces, val_faces = _load_data(config)
    classes = train_faces.classes
    model, ema, optimizer = _build_model(config, len(classes), from_init=checkpoint is None)
    weights = class_weights(train_faces.class_counts(), config.class_balance)

    pixels = torch.from_numpy(train_faces.pixels)
    targets = torch.from_numpy(train_faces.targets)
    if config.label_smoothing > 0:
        targets = targets * (1 - config.label_smoothing) + config.label_smoothing / len(classes)
    steps_per_epoch = max(1, len(train_faces) // config.batch_size)
    schedule = _Schedule(steps_per_epoch, steps_per_epoch * config.epochs, int(config.warmup_epochs * steps_per_epoch))

    start_epoch, step, best_acc, history, cpu_seconds = 0, 0, -1.0, [], 0.0
    if checkpoint is not None:
        start_epoch, step, best_acc, history, cpu_seconds = _restore(checkpoint, model, ema, optimizer, generator)

    best_report: dict[str, Any] = {}
    end_epoch = min(config.epochs, start_epoch + stop_after) if stop_after else config.epochs
    for epoch in range(start_epoch, end_epoch):
        model.train()
        started_cpu = time.process_time()
        step, running_loss, running_correct, seen = _train_epoch(
            model, ema, optimizer, pixels, targets, weights, config, generator, epoch, step, schedule
        )
        cpu_seconds += time.process_time() - started_cpu
        record: dict[str, Any] = {
            "epoch": epoch + 1,
            "train_loss": running_loss / max(seen, 1),
            "train_accuracy": running_correct / max(seen, 1),
            "cpu_seconds": cpu_seconds,
        }
        candidates = [("model", model)] + ([("ema", ema)] if ema is not None else [])
        epoch_best = _validate(candidates, val_faces, record) if val_faces is not None else None
        history.append(record)
        log.info("epoch %d: %s", epoch + 1, json.dumps({k: _rounded(v) for k, v in record.items()}))

        if epoch_best is not None and epoch_best[0] > best_acc:
            best_acc, source, best_report = epoch_best
            chosen = ema if source == "ema" else model
            _save_best(out / BEST, chosen, config, classes, epoch + 1, source, cpu_seconds, val_report=best_report)
        _save_last(
            last_path, model, ema, optimizer, config, classes, generator, epoch, step, best_acc, history, cpu_seconds
        )
        (out / "history.json").write_text(json.dumps(history, indent=1))
    if val_faces is None and end_epoch == config.epochs:
        final, source = (ema, "ema") if ema is not None else (model, "model")
        _save_best(out / BEST, final, config, classes, config.epochs, source, cpu_seconds)
    if not best_report and (out / BEST).is_file():
        best_report = torch.load(out / BEST, map_location="cpu", weights_only=False).get("val_report", {})
    return best_report


@dataclasses.dataclass(frozen=True)
class _Schedule:
    """Optimizer steps per epoch, in all, and of linear warm-up (see :func:`lr_at`)."""

    steps_per_epoch: int
    total_steps: int
    warmup_steps: int


def _resume_from(last_path: Path, config: TrainConfig) -> tuple[dict[str, Any], TrainConfig]:
    """The run's ``last.pt`` and the configuration saved in it (only the thread count is taken from ``config``)."""
    if not last_path.is_file():
        raise FileNotFoundError(f"--resume: no {last_path} to continue from")
    checkpoint = torch.load(last_path, map_location="cpu", weights_only=False)
    saved = TrainConfig(**checkpoint["config"])
    saved.threads = config.threads
    log.info("resuming %s after epoch %d of %d", last_path.parent, checkpoint["epoch"] + 1, saved.epochs)
    return checkpoint, saved


def _build_model(
    config: TrainConfig, n_classes: int, from_init: bool
) -> tuple[torch.nn.Module, torch.nn.Module | None, torch.optim.Optimizer]:
    """The network (with ``config.init``'s weights when ``from_init``), its EMA copy (if any), the optimizer."""
    model = create_backbone(config.arch, n_classes, pretrained=config.pretrained, drop_rate=config.drop_rate)
    if config.init and from_init:
        load_init_weights(model, config.init)
    ema = copy.deepcopy(model).eval() if config.ema_decay > 0 else None
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    return model, ema, optimizer


def _restore(
    checkpoint: dict[str, Any],
    model: torch.nn.Module,
    ema: torch.nn.Module | None,
    optimizer: torch.optim.Optimizer,
    generator: torch.Generator,
) -> tuple[int, int, float, list[dict[str, Any]], float]:
    """Load ``last.pt``'s weights, optimizer and RNG states; returns (first epoch to run, step, best accuracy,
    history, CPU seconds so far)."""
    model.load_state_dict(checkpoint["model"])
    if ema is not None and checkpoint.get("ema") is not None:
        ema.load_state_dict(checkpoint["ema"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    _restore_rng(checkpoint["rng"], generator)
    return (
        checkpoint["epoch"] + 1,
        checkpoint["step"],
        checkpoint["best_accuracy"],
        checkpoint["history"],
        checkpoint.get("cpu_seconds", 0.0),
    )


def _save_best(
    path: Path,
    model: torch.nn.Module,
    config: TrainConfig,
    classes: list[str],
    epoch: int,
    weights: str,
    cpu_seconds: float,
    val_report: dict[str, Any] | None = None,
) -> None:
    """``best.pt``: the kept weights and what the export and the model card need (the report when validated)."""
    best: dict[str, Any] = {
        "model": model.state_dict(),
        "config": dataclasses.asdict(config),
        "classes": list(classes),
        "epoch": epoch,
        "weights": weights,
    }
    if val_report is not None:
        best["val_report"] = val_report
    best["cpu_seconds"] = cpu_seconds
    _atomic_save(best, path)


def _save_last(
    path: Path,
    model: torch.nn.Module,
    ema: torch.nn.Module | None,
    optimizer: torch.optim.Optimizer,
    config: TrainConfig,
    classes: list[str],
    generator: torch.Generator,
    epoch: int,
    step: int,
    best_accuracy: float,
    history: list[dict[str, Any]],
    cpu_seconds: float,
) -> None:
    """``last.pt``: everything ``--resume`` needs to continue exactly (``epoch`` is the last one done, from 0)."""
    _atomic_save(
        {
            "model": model.state_dict(),
            "ema": ema.state_dict() if ema is not None else None,
            "optimizer": optimizer.state_dict(),
            "config": dataclasses.asdict(config),
            "classes": list(classes),
            "epoch": epoch,
            "step": step,
            "best_accuracy": best_accuracy,
            "history": history,
            "rng": _rng_state(generator),
            "cpu_seconds": cpu_seconds,
        },
        path,
    )


def _load_data(config: TrainConfig) -> tuple[FaceSet, FaceSet | None]:
    """The training faces (the first ``limit`` if set) and the validation faces, if there is a split for them."""
    train_faces = load_faces(config.dataset, config.data, config.image_size, role="train")
    if config.limit:
        train_faces = train_faces.subset(np.arange(min(config.limit, len(train_faces))))
    val_source = config.val or (config.data if config.data.lower().endswith(".csv") else None)
    val_faces = load_faces(config.dataset, val_source, config.image_size, role="val") if val_source else None
    log.info(
        "training on %d faces (%s), validating on %s",
        len(train_faces),
        ", ".join(train_faces.classes),
        len(val_faces) if val_faces else "nothing",
    )
    return train_faces, val_faces


def _train_epoch(
    model: torch.nn.Module,
    ema: torch.nn.Module | None,
    optimizer: torch.optim.Optimizer,
    pixels: torch.Tensor,
    targets: torch.Tensor,
    weights: torch.Tensor,
    config: TrainConfig,
    generator: torch.Generator,
    epoch: int,
    step: int,
    schedule: _Schedule,
) -> tuple[int, float, int, int]:
    """One pass over the shuffled training faces; returns the step count after it, the summed loss, the number
    of faces classified right and the number seen."""
    order = torch.randperm(len(pixels), generator=generator)
    running_loss, running_correct, seen = 0.0, 0, 0
    augment = AugmentConfig()
    bar = tqdm(
        range(schedule.steps_per_epoch), desc=f"epoch {epoch + 1}/{config.epochs}", unit="batch", mininterval=2.0
    )
    for batch_index in bar:
        index = order[batch_index * config.batch_size : (batch_index + 1) * config.batch_size]
        inputs = augment_batch(pixels[index], augment, generator)
        batch_targets = targets[index]
        if config.mixup > 0:
            inputs, batch_targets = mixup_cutmix(inputs, batch_targets, config.mixup, generator)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, schedule.total_steps, schedule.warmup_steps, config.lr)
        logits = model(inputs)
        loss = soft_cross_entropy(logits, batch_targets, weights)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        if ema is not None:
            _update_ema(ema, model, min(config.ema_decay, (1 + step) / (10 + step)))
        running_loss += float(loss.detach()) * len(index)
        running_correct += int((logits.argmax(1) == batch_targets.argmax(1)).sum())
        seen += len(index)
        bar.set_postfix(loss=f"{running_loss / seen:.3f}", acc=f"{running_correct / seen:.3f}")
    bar.close()
    return step, running_loss, running_correct, seen


def _update_ema(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """Move the EMA weights towards the model's (integer buffers are copied)."""
    with torch.no_grad():
        for ema_p, p in zip(ema.state_dict().values(), model.state_dict().values(), strict=True):
            if ema_p.dtype.is_floating_point:
                ema_p.mul_(decay).add_(p.detach(), alpha=1 - decay)
            else:
                ema_p.copy_(p)


def _rounded(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def _validate(
    candidates: list[tuple[str, torch.nn.Module]], val_faces: FaceSet, record: dict[str, Any]
) -> tuple[float, str, dict[str, Any]]:
    """Score each candidate (model, EMA) on the validation faces into ``record``; the best (accuracy, name,
    report), the first on a tie."""
    epoch_best: tuple[float, str, dict[str, Any]] | None = None
    for name, candidate in candidates:
        report = evaluate_model(candidate, val_faces)
        record[f"val_accuracy_{name}"] = report["accuracy"]
        record[f"val_macro_f1_{name}"] = report["macro_f1"]
        if epoch_best is None or report["accuracy"] > epoch_best[0]:
            epoch_best = (report["accuracy"], name, report)
    assert epoch_best is not None
    return epoch_best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="classmood train", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    train(config_from_args(args), resume=args.resume, stop_after=args.stop_after)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
