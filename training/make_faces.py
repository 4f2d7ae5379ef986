"""Rebuild the sample faces that synthetic classes are drawn from.

    python -m training.make_faces --ferplus ../shared/datasets/ferplus/FER2013Valid

Takes, for each FER+ emotion, the faces with the clearest majority vote
(FER2013 PublicTest images, 48x48 gray) that the face detector also finds
once enlarged to tile size, and writes them as ``bot/synthetic/faces/<emotion>_<n>.png``
(a source-tree script: the faces ship with the bot, this script does not).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from model.detector import FaceDetector
from model.labels import FERPLUS_CLASSES
from training.datasets import ferplus_majority, read_ferplus_labels

FACES_DIR = Path(__file__).resolve().parents[1] / "bot" / "synthetic" / "faces"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ferplus", required=True, help="a FER+ split folder (FER2013Valid)")
    parser.add_argument("--per-emotion", type=int, default=5)
    parser.add_argument("--out", default=str(FACES_DIR))
    args = parser.parse_args(argv)

    folder, out = Path(args.ferplus), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names, votes = read_ferplus_labels(folder / "label.csv")
    majority = ferplus_majority(votes)
    detector = FaceDetector()
    for emotion_index, emotion in enumerate(FERPLUS_CLASSES):
        candidates = np.flatnonzero(majority == emotion_index)
        candidates = candidates[np.argsort(-votes[candidates, emotion_index], kind="stable")]
        kept = 0
        for index in candidates:
            face = cv2.imread(str(folder / names[index]), cv2.IMREAD_GRAYSCALE)
            tile = cv2.copyMakeBorder(cv2.resize(face, (144, 144)), 40, 40, 90, 90, cv2.BORDER_REPLICATE)
            if face is None or not detector.detect(tile):
                continue
            cv2.imwrite(str(out / f"{emotion}_{kept}.png"), face)
            kept += 1
            if kept == args.per_emotion:
                break
        print(f"{emotion}: {kept} faces")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
