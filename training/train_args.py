"""Training options (kept free of torch so ``classmood train --help`` answers at once)."""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass

DEFAULT_ARCH = "regnetx_004"
DEFAULT_IMAGE_SIZE = 64
LAST = "last.pt"
BEST = "best.pt"


@dataclass
class TrainConfig:
    dataset: str
    data: str
    val: str | None
    out: str
    arch: str = DEFAULT_ARCH
    image_size: int = DEFAULT_IMAGE_SIZE
    epochs: int = 30
    batch_size: int = 128
    lr: float = 2e-3
    weight_decay: float = 0.05
    warmup_epochs: float = 1.0
    label_smoothing: float = 0.1
    mixup: float = 0.0
    class_balance: str = "none"
    ema_decay: float = 0.998
    drop_rate: float = 0.2
    seed: int = 0
    pretrained: bool = False
    init: str | None = None
    limit: int = 0
    threads: int = 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = TrainConfig(dataset="", data="", val=None, out="")
    parser.add_argument("--dataset", choices=("fer2013", "ferplus"), required=True, help="label set to learn")
    parser.add_argument(
        "--data", required=True, help="training data: FER2013 folder or fer2013.csv, or FER+ FER2013Train folder"
    )
    parser.add_argument(
        "--val",
        help="validation data (FER2013 public_test folder, FER+ FER2013Valid); default for a csv: its PublicTest rows",
    )
    parser.add_argument("--out", required=True, help="run folder for checkpoints and the history")
    parser.add_argument("--arch", default=defaults.arch, help="timm architecture (default %(default)s)")
    parser.add_argument("--image-size", type=int, default=defaults.image_size, help="input side in pixels")
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--lr", type=float, default=defaults.lr, help="peak AdamW learning rate")
    parser.add_argument("--weight-decay", type=float, default=defaults.weight_decay)
    parser.add_argument("--warmup-epochs", type=float, default=defaults.warmup_epochs)
    parser.add_argument("--label-smoothing", type=float, default=defaults.label_smoothing)
    parser.add_argument("--mixup", type=float, default=defaults.mixup, help="mixup/cutmix alpha; 0 turns it off")
    parser.add_argument(
        "--class-balance",
        choices=("none", "sqrt", "inverse"),
        default=defaults.class_balance,
        help="loss weight per class: 1, 1/sqrt(frequency) or 1/frequency",
    )
    parser.add_argument("--ema-decay", type=float, default=defaults.ema_decay, help="weight EMA; 0 turns it off")
    parser.add_argument("--drop-rate", type=float, default=defaults.drop_rate)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--pretrained", action="store_true", help="start from timm's ImageNet weights (internet)")
    parser.add_argument("--init", help="start from a local checkpoint (its classifier is replaced if classes differ)")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N training faces (smoke runs)")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (default: all cores)")
    parser.add_argument("--resume", action="store_true", help=f"continue from OUT/{LAST}")
    parser.add_argument(
        "--stop-after", type=int, default=0, help="stop after N epochs of this run (resume later with --resume)"
    )


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    return TrainConfig(**{k: v for k, v in vars(args).items() if k in names})
