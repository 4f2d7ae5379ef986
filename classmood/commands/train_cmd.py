"""``classmood train``: train an expression model (needs the ``train`` extra)."""

from __future__ import annotations

import argparse

from classmood.commands._models import require_torch
from classmood.errors import CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train an expression model on FER2013 or FER+ (resumable)",
        description="Train a timm backbone on FER2013 or FER+ on the CPU. A checkpoint is written every "
        "epoch; --resume continues a stopped run exactly where it stopped. The best epoch on the "
        "validation split is kept as OUT/best.pt; `classmood model export` turns it into a shipped model.",
    )
    # The argument list is the training module's own, without importing torch here.
    from training.train_args import add_arguments

    add_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    require_torch()
    from training.datasets import DatasetError
    from training.train import InitMismatch, config_from_args, train

    try:
        report = train(config_from_args(args), resume=args.resume, stop_after=args.stop_after)
    except (DatasetError, FileNotFoundError, InitMismatch) as error:
        raise CommandError(str(error)) from None
    if report:
        accuracy, macro_f1 = report["accuracy"], report["macro_f1"]
        print(f"best validation accuracy {accuracy:.4f}, macro-F1 {macro_f1:.4f} -> {args.out}/best.pt")
    return 0
