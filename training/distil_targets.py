"""Teacher probabilities for distillation: an ensemble's reading of every face in the training part.

    python -m training.distil_targets --member runs/th-lite0/best.pt \
        --member training/checkpoints/fer2013.pt --member training/checkpoints/ferplus.pt --out runs/teacher.npz

An ensemble of two different networks reads faces better than either (see the
model cards) but costs two networks' time in the bot. Distillation keeps the
gain and drops the cost: one network of today's size learns to match the
ensemble's probabilities (:mod:`training.train_two_head` ``--teacher``).

For each label set this averages every member that has it (a two-head run has
both, a single-head checkpoint its own), each with its mirrored-face reading,
over the training part of :func:`training.two_head.load_two_head_data` only:
the held-back slice stays unseen, so it can still select the student's epochs.
Each two-head member reads the faces at the input size it was trained at
(``--image-size`` serves members that do not record one); ``--packed`` and
``--device`` as in :mod:`training.train_two_head`.

:class:`OnlineTeacher` is the other way to teach: the members read each
training batch as the student sees it, after augmentation (and mixing), so
teacher and student always look at the same face ("consistent teaching"); a
fixed file can only describe the un-augmented face. It costs one forward pass
of every member per step, which a GPU pays easily and a 2-core CPU does not.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from model.labels import LABEL_SETS
from model.preprocess import face_pixels
from training.ensemble_export import load_member
from training.packed_faces import NATIVE_SIZE, two_head_data
from training.select_members import member_probabilities
from training.two_head import TwoHeadNet, two_head_from_checkpoint

log = logging.getLogger(__name__)


def member_readings(
    path: str | Path, pixels: np.ndarray, default_size: int = 64, device: str = "cpu"
) -> dict[str, np.ndarray]:
    """A checkpoint's (plain + mirrored) / 2 softmax on ``pixels`` per label set it reads: both heads of a
    two-head run from one pass over the faces, a single-head checkpoint's own label set. The faces are
    resized to the member's recorded input size (``default_size`` where it records none)."""
    from training.train_two_head import predict_two_head  # it imports load_teacher from here

    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    config = checkpoint["config"]
    size = config.get("image_size", default_size)
    if pixels.shape[1:] != (size, size):
        pixels = np.stack([face_pixels(face, size) for face in pixels])
    if "dataset" not in config:
        net = two_head_from_checkpoint(checkpoint).to(device)
        return dict(zip(("fer2013", "ferplus"), predict_two_head(net, pixels, flip=True), strict=True))
    label_set = next(name for name, classes in LABEL_SETS.items() if tuple(checkpoint["classes"]) == classes)
    plain, mirrored = member_probabilities(load_member(path, label_set)[0], pixels)
    return {label_set: (plain + mirrored) / 2}


def teacher_probabilities(
    members: list[str], pixels: np.ndarray, default_size: int = 64, device: str = "cpu"
) -> dict[str, np.ndarray]:
    """Per label set, the mean over its members of (plain + mirrored) / 2 softmax on ``pixels``."""
    readings: dict[str, list[np.ndarray]] = {name: [] for name in LABEL_SETS}
    for path in members:
        for label_set, reading in member_readings(path, pixels, default_size, device).items():
            readings[label_set].append(reading)
            log.info("read %d faces with %s (%s)", len(pixels), path, label_set)
    missing = [name for name, found in readings.items() if not found]
    if missing:
        raise ValueError(f"no member reads the {', '.join(missing)} label set")
    return {name: np.mean(found, axis=0).astype(np.float32) for name, found in readings.items()}


class OnlineTeacher:
    """Two-head runs that read a batch of model inputs together: the mean of their softmax per label set.

    Each member sees the batch at the input size it was trained at (bilinear resize of the student's
    normalized input; the faces are 48 px upscaled either way).
    """

    def __init__(self, paths: list[str], device: str = "cpu") -> None:
        self.members: list[tuple[TwoHeadNet, int]] = []
        for path in paths:
            checkpoint = torch.load(path, map_location="cpu", weights_only=False)
            config = checkpoint["config"]
            if "dataset" in config:
                raise ValueError(f"{path} is a single-head checkpoint: an online teacher needs two-head runs")
            net = two_head_from_checkpoint(checkpoint)
            net = net.to(device, memory_format=torch.channels_last) if device != "cpu" else net
            self.members.append((net, int(config["image_size"])))
            log.info("online teacher member %s at %d px", path, config["image_size"])

    @torch.no_grad()
    def __call__(self, inputs: torch.Tensor) -> dict[str, torch.Tensor]:
        """``teacher_fer2013`` and ``teacher_ferplus`` probabilities for (N, 1, S, S) model inputs."""
        fer: torch.Tensor | float = 0.0
        plus: torch.Tensor | float = 0.0
        for net, size in self.members:
            x = inputs
            if x.shape[-1] != size:
                x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
            fer_logits, plus_logits = net(x)
            fer = fer + fer_logits.float().softmax(1)
            plus = plus + plus_logits.float().softmax(1)
        count = len(self.members)
        return {"teacher_fer2013": fer / count, "teacher_ferplus": plus / count}


def load_teacher(path: str | Path, ids: np.ndarray) -> dict[str, np.ndarray]:
    """The teacher file's probabilities in the order of ``ids`` (each face must be in it)."""
    with np.load(path) as stored:
        row = {int(i): r for r, i in enumerate(stored["ids"])}
        missing = [int(i) for i in ids if int(i) not in row]
        if missing:
            raise ValueError(f"{path} has no teacher reading for {len(missing)} training faces (e.g. {missing[0]})")
        order = np.array([row[int(i)] for i in ids])
        return {name: stored[name][order] for name in LABEL_SETS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.distil_targets", description=__doc__)
    parser.add_argument("--member", action="append", required=True, help="a checkpoint (repeat for each member)")
    parser.add_argument("--out", required=True, help="the .npz file to write (ids, fer2013, ferplus)")
    parser.add_argument("--fer2013", default="../shared/datasets/fer2013/train")
    parser.add_argument("--ferplus", default="../shared/datasets/ferplus/FER2013Train")
    parser.add_argument("--match-cache", default="runs/fer2013_ferplus_match.csv")
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--packed", default="", help="a training.packed_faces file instead of the folders")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(args.threads)
    train, _ = two_head_data(args.packed, args.fer2013, args.ferplus, NATIVE_SIZE, args.match_cache)
    probabilities = teacher_probabilities(args.member, train.pixels, args.image_size, args.device)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, ids=train.ids, **probabilities)
    for name, p in probabilities.items():
        log.info("%s: teacher agrees with the labels on %.4f of the training part", name, _agreement(name, p, train))
    return 0


def _agreement(label_set: str, probabilities: np.ndarray, train) -> float:
    if label_set == "fer2013":
        return float((probabilities.argmax(1) == train.fer2013).mean())
    scored = train.ferplus_majority >= 0
    return float((probabilities[scored].argmax(1) == train.ferplus_majority[scored]).mean())


if __name__ == "__main__":
    raise SystemExit(main())
