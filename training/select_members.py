"""Score candidate members and their averages on the held-back slice (never on the public splits).

    python -m training.select_members --label-set fer2013 \
        --member runs/th-regnetx/best.pt --member training/checkpoints/fer2013.pt --json runs/select-fer2013.json

For every member alone and every mean of two or more members, with and without the
mirrored-face average, this prints the held-back accuracy and macro-F1 of one
label set (FER2013 labels, or the FER+ majority protocol). Beware: a member
that was trained on all of FER2013 Training (the shipped models, and anything
started from them) has seen the held-back faces, so its score here is
optimistic; the slice ranks epochs and recipes of one run fairly, not such members.
"""

from __future__ import annotations

import argparse
import json
import logging
from itertools import combinations, product
from pathlib import Path

import numpy as np
import torch

from model.labels import LABEL_SETS
from training.augment import to_model_input
from training.datasets import FaceSet, load_faces
from training.ensemble_export import load_member
from training.metrics import classification_report
from training.two_head import TwoHeadData, load_two_head_data

log = logging.getLogger(__name__)


@torch.no_grad()
def member_probabilities(model: torch.nn.Module, pixels: np.ndarray, batch: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, probabilities of the mirrored faces) for (N, S, S) uint8 faces."""
    plain, mirrored = [], []
    for start in range(0, len(pixels), batch):
        x = to_model_input(torch.from_numpy(pixels[start : start + batch]))
        plain.append(model(x).softmax(1).numpy())
        mirrored.append(model(x.flip(3)).softmax(1).numpy())
    return np.concatenate(plain), np.concatenate(mirrored)


def truth_for(label_set: str, data: TwoHeadData) -> tuple[np.ndarray, np.ndarray]:
    """(labels, which faces are scored): FER2013 labels, or FER+ majority labels where the protocol has one."""
    if label_set == "fer2013":
        return data.fer2013, np.ones(len(data), dtype=bool)
    return data.ferplus_majority, data.ferplus_majority >= 0


def score_candidates(
    members: list[str],
    label_set: str,
    data: TwoHeadData | dict[int, TwoHeadData] | None,
    split: FaceSet | dict[int, FaceSet] | None = None,
) -> list[dict]:
    """Accuracy / macro-F1 of every member and every mean of two or more, with and without flip.

    Scored on the held-back ``data``, or on ``split`` (a public split, for the one report at the end); either
    may be a dict by image size (the same faces at each member's own input size).
    """
    faces = split if split is not None else data
    outputs = {}
    for path in members:
        model, info = load_member(path, label_set)
        at_size = faces[int(info["image_size"])] if isinstance(faces, dict) else faces
        outputs[path] = member_probabilities(model, at_size.pixels)
        log.info("scored %s", path)
    if split is not None:
        labels, scored = at_size.labels, np.ones(len(at_size), dtype=bool)
    else:
        labels, scored = truth_for(label_set, at_size)
    groups = [list(g) for size in range(1, len(members) + 1) for g in combinations(members, size)]
    rows = []
    for group, flip in product(groups, (False, True)):
        probabilities = np.mean([(outputs[m][0] + outputs[m][1]) / 2 if flip else outputs[m][0] for m in group], 0)
        report = classification_report(labels[scored], probabilities[scored].argmax(1), LABEL_SETS[label_set])
        passes = len(group) * (2 if flip else 1)
        rows.append(
            {
                "members": group,
                "flip": flip,
                "passes": passes,
                "accuracy": report["accuracy"],
                "macro_f1": report["macro_f1"],
                "n": report["n"],
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.select_members", description=__doc__)
    parser.add_argument("--label-set", choices=sorted(LABEL_SETS), required=True)
    parser.add_argument("--member", action="append", required=True)
    parser.add_argument("--fer2013", default="../shared/datasets/fer2013/train")
    parser.add_argument("--ferplus", default="../shared/datasets/ferplus/FER2013Train")
    parser.add_argument("--match-cache", default="runs/fer2013_ferplus_match.csv")
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--public", help="score on this public split instead (once, at the end: never to select)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(args.threads)
    sizes = {int(load_member(m, args.label_set)[1]["image_size"]) for m in args.member}
    if args.public:
        public = {size: load_faces(args.label_set, args.public, size, role="val") for size in sizes}
        rows = score_candidates(args.member, args.label_set, None, public)
    else:
        held = {size: load_two_head_data(args.fer2013, args.ferplus, size, args.match_cache)[1] for size in sizes}
        rows = score_candidates(args.member, args.label_set, held)
    for row in rows:
        names = " + ".join(Path(m).parent.name + "/" + Path(m).name for m in row["members"])
        flip = "flip" if row["flip"] else "    "
        print(f"{row['accuracy']:.4f}  F1 {row['macro_f1']:.4f}  {flip}  passes {row['passes']}  {names}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
