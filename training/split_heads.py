"""One two-head network as two ordinary single-head checkpoints, one per label set.

    python -m training.split_heads --run runs/th-student/best.pt --out-dir runs/student
    classmood model export --checkpoint runs/student/fer2013.pt --name fer2013 --flip-tta

A two-head network (:class:`training.two_head.TwoHeadNet`) is a timm backbone
with no classifier plus one linear layer per label set; a single-head timm
model of the same architecture is that backbone with one linear layer as its
classifier (``head.fc``, ``classifier``: :func:`classifier_name`). So each head,
with the shared backbone, is exactly the model that ``classmood train`` writes,
and ``classmood model export`` and ``classmood train --init`` take it as is.
Dropout sits before the heads in both and does nothing at inference.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from model.labels import LABEL_SETS
from training.two_head import float32_state


def classifier_name(arch: str) -> str:
    """Where timm keeps ``arch``'s last linear layer (``head.fc`` for RegNet, ``classifier`` for EfficientNet)."""
    import timm

    return timm.create_model(arch, pretrained=False, num_classes=1).pretrained_cfg["classifier"]


def single_head_state(two_head: dict[str, torch.Tensor], label_set: str, arch: str) -> dict[str, torch.Tensor]:
    """The state_dict of a timm single-head ``arch`` model made of the backbone and the ``label_set`` head."""
    state = {k.removeprefix("backbone."): v for k, v in two_head.items() if k.startswith("backbone.")}
    classifier = classifier_name(arch)
    state[f"{classifier}.weight"] = two_head[f"{label_set}.weight"]
    state[f"{classifier}.bias"] = two_head[f"{label_set}.bias"]
    return state


def split_run(run: str | Path, out_dir: str | Path) -> list[Path]:
    """Write ``OUT_DIR/fer2013.pt`` and ``OUT_DIR/ferplus.pt`` from a two-head checkpoint."""
    checkpoint = torch.load(run, map_location="cpu", weights_only=False)
    config = checkpoint["config"]
    if "dataset" in config:
        raise ValueError(f"{run} is a single-head checkpoint already")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    weights = float32_state(checkpoint["model"])
    for label_set, classes in LABEL_SETS.items():
        single = {
            "model": single_head_state(weights, label_set, config["arch"]),
            "config": {**config, "dataset": label_set, "two_head_run": str(run)},
            "classes": list(classes),
            "epoch": checkpoint.get("epoch"),
            "weights": checkpoint.get("weights", "model"),
            "cpu_seconds": checkpoint.get("cpu_seconds", 0.0),
            "held_back": checkpoint.get("held_back"),
        }
        path = out / f"{label_set}.pt"
        torch.save(single, path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.split_heads", description=__doc__)
    parser.add_argument("--run", required=True, help="a two-head checkpoint (a train_two_head run's best.pt)")
    parser.add_argument("--out-dir", required=True, help="folder for fer2013.pt and ferplus.pt")
    args = parser.parse_args(argv)
    try:
        for path in split_run(args.run, args.out_dir):
            print(f"wrote {path}")
    except (OSError, ValueError, KeyError) as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
