"""Resumable two-head training (FER2013 labels + FER+ vote shares) on FER2013 Training with FER+ attached.

    python -m training.train_two_head --arch regnetx_004 --init training/checkpoints/ferplus.pt --out runs/th-regnet

Every epoch writes ``last.pt`` (weights, EMA, optimizer, RNG, history)
atomically, so ``--resume`` continues a killed run exactly; the epoch that
scores best on the held-back slice (mean of FER2013 accuracy and FER+
majority accuracy, see :func:`training.two_head.is_held_back`) is kept as
``best.pt``. The public splits are never looked at here.

``--teacher runs/teacher.npz`` (from :mod:`training.distil_targets`) distils an
ensemble into this one network: each head also learns the ensemble's
probabilities, ``--distil-weight`` of its loss. ``--mixup A`` mixes every
batch with a shuffled copy of itself (Mixup or CutMix, Beta(A, A)), labels and
teacher probabilities alike. ``--teacher-runs a/best.pt,b/best.pt`` teaches
online instead (:class:`training.distil_targets.OnlineTeacher`): the runs read
every batch after augmentation and mixing, as the student sees it.

Besides ``best.pt`` (best mean of the two heads), ``best-fer2013.pt`` and
``best-ferplus.pt`` keep the epoch each head scores best at on the held-back
slice: each label set ships as its own graph, so each can take its own epoch.

``--device cuda`` runs the same recipe on a GPU (bfloat16 autocast,
channels-last); the augmentation's random draws stay on the CPU generator, so
the command is the same on either and only the arithmetic differs.
``--packed runs/fer-pack.npz`` (:mod:`training.packed_faces`) reads the faces
from one file instead of the dataset folders.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import functools
import json
import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from training.augment import AugmentConfig, augment_batch, mixup_cutmix, to_model_input
from training.distil_targets import OnlineTeacher, load_teacher
from training.packed_faces import two_head_data
from training.train import _atomic_save, _restore_rng, _rng_state, lr_at
from training.two_head import TwoHeadData, TwoHeadNet, init_two_head

log = logging.getLogger(__name__)
FER2013_TRAIN = "../shared/datasets/fer2013/train"
FERPLUS_TRAIN = "../shared/datasets/ferplus/FER2013Train"


@dataclass
class TwoHeadConfig:
    out: str
    arch: str = "regnetx_004"
    init: str = ""
    fer2013: str = FER2013_TRAIN
    ferplus: str = FERPLUS_TRAIN
    match_cache: str = "runs/fer2013_ferplus_match.csv"
    image_size: int = 64
    epochs: int = 8
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.05
    warmup_epochs: float = 0.3
    label_smoothing: float = 0.1
    ferplus_weight: float = 1.0
    ema_decay: float = 0.998
    drop_rate: float = 0.2
    seed: int = 0
    threads: int = 1
    limit: int = 0  # smoke runs: only the first N faces of each part
    teacher: str = ""  # a training.distil_targets file: learn the ensemble's probabilities too
    teacher_runs: str = ""  # two-head checkpoints, comma-separated: teach online, on each augmented batch
    distil_weight: float = 0.7  # with a teacher: its share of each head's loss (the labels get the rest)
    mixup: float = 0.0  # Beta(a, a) Mixup/CutMix on every batch; 0 leaves batches as they are
    packed: str = ""  # a training.packed_faces file instead of the fer2013/ferplus folders
    device: str = "cpu"


@torch.no_grad()
def predict_two_head(model: torch.nn.Module, pixels: np.ndarray, flip: bool = False, batch: int = 256) -> tuple:
    """(FER2013 probabilities, FER+ probabilities) for (N, S, S) uint8 faces; ``flip`` averages the mirror."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    fer, plus = [], []
    for start in range(0, len(pixels), batch):
        x = to_model_input(torch.from_numpy(pixels[start : start + batch])).to(device)
        a, b = (t.float().softmax(1) for t in model(x))
        if flip:
            fa, fb = (t.float().softmax(1) for t in model(x.flip(3)))
            a, b = (a + fa) / 2, (b + fb) / 2
        fer.append(a.cpu().numpy())
        plus.append(b.cpu().numpy())
    model.train(was_training)
    return np.concatenate(fer), np.concatenate(plus)


def held_back_scores(fer_probs: np.ndarray, plus_probs: np.ndarray, data: TwoHeadData) -> dict[str, float]:
    """FER2013 accuracy, FER+ majority accuracy (protocol faces only) and their mean, on ``data``."""
    fer_acc = float((fer_probs.argmax(1) == data.fer2013).mean())
    scored = data.ferplus_majority >= 0
    plus_acc = float((plus_probs[scored].argmax(1) == data.ferplus_majority[scored]).mean())
    return {"fer2013": fer_acc, "ferplus": plus_acc, "mean": (fer_acc + plus_acc) / 2}


def two_head_loss(
    model: torch.nn.Module, inputs: torch.Tensor, batch: dict[str, torch.Tensor], config, teacher=None
) -> tuple:
    """FER2013 cross-entropy + FER+ vote-share cross-entropy; with a teacher (a file's probabilities in
    ``batch``, or an online ``teacher`` reading ``inputs``), each mixed with the cross-entropy against the
    teacher's probabilities (``distil_weight`` of it), on every face."""
    if teacher is not None:
        batch = {**batch, **teacher(inputs)}
    fer_logits, plus_logits = model(inputs)
    fer_loss = F.cross_entropy(fer_logits, batch["fer2013"], label_smoothing=config.label_smoothing)
    mask = batch["mask"]
    plus_log = F.log_softmax(plus_logits, dim=1)
    plus_per_face = -(batch["ferplus"] * plus_log).sum(1)
    plus_loss = (plus_per_face * mask).sum() / mask.sum().clamp(min=1.0)
    if "teacher_fer2013" in batch:
        w = config.distil_weight
        fer_soft = -(batch["teacher_fer2013"] * F.log_softmax(fer_logits, dim=1)).sum(1).mean()
        plus_soft = -(batch["teacher_ferplus"] * plus_log).sum(1).mean()
        fer_loss, plus_loss = (1 - w) * fer_loss + w * fer_soft, (1 - w) * plus_loss + w * plus_soft
    return fer_loss + config.ferplus_weight * plus_loss, fer_logits


def mixed_two_head_loss(
    model: torch.nn.Module,
    inputs: torch.Tensor,
    batch: dict[str, torch.Tensor],
    config,
    generator: torch.Generator,
    teacher=None,
) -> tuple:
    """:func:`two_head_loss` on a Mixup/CutMix batch: every target (the smoothed FER2013 one-hot, the FER+
    shares and their mask, a teacher file's probabilities) is mixed with the same weights as the faces;
    an online ``teacher`` reads the mixed faces themselves."""
    fer_classes = model.fer2013.out_features
    eps = config.label_smoothing
    parts = {"fer2013": F.one_hot(batch["fer2013"], fer_classes).float() * (1 - eps) + eps / fer_classes}
    parts.update({k: batch[k] for k in ("ferplus", "teacher_fer2013", "teacher_ferplus") if k in batch})
    parts["mask"] = batch["mask"][:, None]
    widths = [t.shape[1] for t in parts.values()]
    mixed_inputs, mixed = mixup_cutmix(inputs, torch.cat(list(parts.values()), 1), config.mixup, generator)
    targets = dict(zip(parts, torch.split(mixed, widths, 1), strict=True))
    if teacher is not None:
        targets.update(teacher(mixed_inputs))
    fer_logits, plus_logits = model(mixed_inputs)
    fer_log, plus_log = F.log_softmax(fer_logits.float(), 1), F.log_softmax(plus_logits.float(), 1)
    fer_loss = -(targets["fer2013"] * fer_log).sum(1).mean()
    mask = targets["mask"][:, 0]
    plus_loss = -(targets["ferplus"] * plus_log).sum(1).sum() / mask.sum().clamp(min=1.0)
    if "teacher_fer2013" in targets:
        w = config.distil_weight
        fer_soft = -(targets["teacher_fer2013"] * fer_log).sum(1).mean()
        plus_soft = -(targets["teacher_ferplus"] * plus_log).sum(1).mean()
        fer_loss, plus_loss = (1 - w) * fer_loss + w * fer_soft, (1 - w) * plus_loss + w * plus_soft
    return fer_loss + config.ferplus_weight * plus_loss, fer_logits


def _update_ema(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    if next(model.parameters()).device.type != "cpu":  # one fused kernel per tensor list, not ~500 launches
        pairs = [(e, p) for e, p in zip(ema.state_dict().values(), model.state_dict().values(), strict=True)]
        floats = [(e, p.detach()) for e, p in pairs if e.dtype.is_floating_point]
        with torch.no_grad():
            torch._foreach_lerp_([e for e, _ in floats], [p for _, p in floats], 1 - decay)
            for e, p in pairs:
                if not e.dtype.is_floating_point:
                    e.copy_(p)
        return
    with torch.no_grad():
        for ema_p, p in zip(ema.state_dict().values(), model.state_dict().values(), strict=True):
            if ema_p.dtype.is_floating_point:
                ema_p.mul_(decay).add_(p.detach(), alpha=1 - decay)
            else:
                ema_p.copy_(p)


def _run_epoch(
    model, ema, optimizer, train: TwoHeadData, config, generator, step: int, total: int, online=None
) -> tuple:
    model.train()
    steps = len(train) // config.batch_size
    warmup = int(config.warmup_epochs * steps)
    device = torch.device(config.device)
    pixels = torch.from_numpy(train.pixels).to(device)
    tensors = {
        "fer2013": torch.from_numpy(train.fer2013),
        "ferplus": torch.from_numpy(train.ferplus),
        "mask": torch.from_numpy(train.ferplus_mask),
    }
    if config.teacher:
        teacher = load_teacher(config.teacher, train.ids)
        tensors.update({f"teacher_{name}": torch.from_numpy(p) for name, p in teacher.items()})
    tensors = {k: v.to(device) for k, v in tensors.items()}
    loss_of = functools.partial(mixed_two_head_loss, generator=generator) if config.mixup > 0 else two_head_loss
    loss_of = functools.partial(loss_of, teacher=online)
    order = torch.randperm(len(train), generator=generator)
    loss_sum, correct, seen, started = 0.0, 0, 0, time.time()
    for b in range(steps):
        index = order[b * config.batch_size : (b + 1) * config.batch_size].to(device)
        inputs = augment_batch(pixels[index], AugmentConfig(), generator)
        if device.type == "cuda":
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, total, warmup, config.lr)
        batch = {k: v[index] for k, v in tensors.items()}
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            loss, fer_logits = loss_of(model, inputs, batch, config)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        _update_ema(ema, model, min(config.ema_decay, (1 + step) / (10 + step)))
        loss_sum += float(loss.detach()) * len(index)
        correct += int((fer_logits.argmax(1) == batch["fer2013"]).sum())
        seen += len(index)
        if b % 25 == 0:
            log.info("step %d/%d loss %.3f (%.1f img/s)", b, steps, loss_sum / seen, seen / (time.time() - started))
    return step, loss_sum / max(seen, 1), correct / max(seen, 1)


def train_two_head(config: TwoHeadConfig, resume: bool = False, stop_after: int = 0) -> dict[str, Any]:
    """Run or continue a two-head run; returns the last epoch's record.

    ``stop_after`` ends this call after that many epochs (a time-boxed session); ``resume`` continues it.
    """
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = None
    if resume and (out / "last.pt").is_file():
        checkpoint = torch.load(out / "last.pt", map_location="cpu", weights_only=False)
        threads = config.threads
        config = TwoHeadConfig(**checkpoint["config"])
        config.threads = threads
    torch.set_num_threads(config.threads)
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    train, held = two_head_data(config.packed, config.fer2013, config.ferplus, config.image_size, config.match_cache)
    if config.limit:
        train, held = train.subset(np.arange(config.limit)), held.subset(np.arange(config.limit))

    if config.teacher and config.teacher_runs:
        raise ValueError("give a teacher file (--teacher) or teacher runs (--teacher-runs), not both")
    online = OnlineTeacher(config.teacher_runs.split(","), config.device) if config.teacher_runs else None
    model = TwoHeadNet(config.arch, config.drop_rate)
    if config.init and checkpoint is None:
        init_two_head(model, config.init)
    if config.device != "cpu":
        torch.cuda.manual_seed_all(config.seed)
        torch.backends.cudnn.benchmark = True
        model = model.to(config.device, memory_format=torch.channels_last)
    ema = copy.deepcopy(model).eval()
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    start, step, best, history, cpu = 0, 0, -1.0, [], 0.0
    best_head = {"fer2013": -1.0, "ferplus": -1.0}
    if checkpoint is not None:
        model.load_state_dict(checkpoint["model"])
        ema.load_state_dict(checkpoint["ema"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        _restore_rng(checkpoint["rng"], generator)
        start, step, best = checkpoint["epoch"] + 1, checkpoint["step"], checkpoint["best"]
        history, cpu = checkpoint["history"], checkpoint["cpu_seconds"]
        best_head = checkpoint.get("best_head", best_head)
        log.info("resuming %s after epoch %d", out, start)
    total = (len(train) // config.batch_size) * config.epochs
    end = min(config.epochs, start + stop_after) if stop_after else config.epochs
    for epoch in range(start, end):
        started = time.process_time()
        step, loss, accuracy = _run_epoch(model, ema, optimizer, train, config, generator, step, total, online)
        cpu += time.process_time() - started
        record: dict[str, Any] = {"epoch": epoch + 1, "train_loss": loss, "train_accuracy": accuracy}
        for name, candidate in (("model", model), ("ema", ema)):
            scores = held_back_scores(*predict_two_head(candidate, held.pixels), held)
            record.update({f"held_{k}_{name}": v for k, v in scores.items()})
            saved = {"model": candidate.state_dict(), "config": dataclasses.asdict(config), "epoch": epoch + 1}
            saved.update({"weights": name, "held_back": scores, "cpu_seconds": cpu})
            if scores["mean"] > best:
                best = scores["mean"]
                _atomic_save(saved, out / "best.pt")
            for head in best_head:
                if scores[head] > best_head[head]:
                    best_head[head] = scores[head]
                    _atomic_save(saved, out / f"best-{head}.pt")
        record["cpu_seconds"] = cpu
        history.append(record)
        log.info("epoch %d: %s", epoch + 1, json.dumps({k: round(v, 4) for k, v in record.items()}))
        state = {"model": model.state_dict(), "ema": ema.state_dict(), "optimizer": optimizer.state_dict()}
        state.update({"config": dataclasses.asdict(config), "epoch": epoch, "step": step, "best": best})
        state["best_head"] = best_head
        state.update({"history": history, "rng": _rng_state(generator), "cpu_seconds": cpu})
        _atomic_save(state, out / "last.pt")
        (out / "history.json").write_text(json.dumps(history, indent=1))
    return history[-1] if history else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.train_two_head", description=__doc__)
    for field in dataclasses.fields(TwoHeadConfig):
        flag = "--" + field.name.replace("_", "-")
        if field.name == "out":
            parser.add_argument(flag, required=True)
        else:
            parser.add_argument(flag, type=type(field.default), default=field.default)
    parser.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    parser.add_argument("--stop-after", type=int, default=0, help="stop after N epochs of this call (then --resume)")
    args = vars(parser.parse_args(argv))
    resume, stop_after = args.pop("resume"), args.pop("stop_after")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    train_two_head(TwoHeadConfig(**args), resume=resume, stop_after=stop_after)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
