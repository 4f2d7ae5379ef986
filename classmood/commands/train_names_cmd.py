"""``classmood train-names``: train the name-label reader (needs the ``train`` extra)."""

from __future__ import annotations

import argparse
from pathlib import Path

from classmood.commands._models import require_torch
from classmood.errors import CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train-names",
        help="train the name-label reader (CRNN) on rendered label strips (resumable)",
        description="Render name-label strips in many free fonts, cut them with the bot's own line finder, "
        "train the CRNN the bot reads names with, and (--export) write model/weights/names.onnx. "
        "A checkpoint is written every epoch; --resume continues a stopped run.",
    )
    parser.add_argument("--out", type=Path, default=Path("runs/names"), help="run folder (default: runs/names)")
    parser.add_argument(
        "--faces", type=Path, default=None, help="folder of face photos used as the video behind labels (FER2013 train)"
    )
    parser.add_argument("--samples", type=int, default=80_000, help="training strips to render (default: 80000)")
    parser.add_argument("--val-samples", type=int, default=3_000, help="validation strips (default: 3000)")
    parser.add_argument("--epochs", type=int, default=10, help="epochs (default: 10)")
    parser.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (default: 0.002)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="processes rendering strips (default: 2)")
    parser.add_argument(
        "--small-share",
        type=float,
        default=0.0,
        help="share of strips rendered as downscaled screenshots, letters 5-9 px high, often JPEG "
        "(default: 0, the earlier stages' strips)",
    )
    parser.add_argument(
        "--device",
        default="cpu",
        help="where the network trains: cpu (default) or cuda; the strips are rendered on the CPU either way",
    )
    parser.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    parser.add_argument("--stop-after", type=int, default=None, help="stop after this many epochs (resume later)")
    parser.add_argument(
        "--init",
        type=Path,
        default=None,
        help="start from these weights: a run's best.pt, or an exported reader such as model/weights/names.onnx",
    )
    parser.add_argument("--export", action="store_true", help="only export OUT/best.pt (to --export-to)")
    parser.add_argument(
        "--export-to",
        type=Path,
        default=None,
        help="where --export writes the reader (default: model/weights/names.onnx; the small-line reader is "
        "model/weights/names-small.onnx)",
    )
    parser.add_argument(
        "--lexicon",
        action="store_true",
        help="only write the reader's lexicon of known name words (Faker's person names) to "
        "model/weights/name_lexicon.txt",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.lexicon:
        return _write_lexicon()
    require_torch()
    from model.text_recognizer import RECOGNIZER_PATH
    from training.train_names import NameTrainConfig, export, train

    if args.export:
        best = args.out / "best.pt"
        if not best.exists():
            raise CommandError(f"{best} does not exist: train first")
        print(f"exported {export(best, args.export_to or RECOGNIZER_PATH)}")
        return 0
    if args.init is not None and not args.init.is_file():
        raise CommandError(f"--init {args.init} is not a file")
    if args.faces is not None and not args.faces.is_dir():
        raise CommandError(f"--faces {args.faces} is not a folder")
    for name in ("samples", "val_samples", "epochs"):
        if getattr(args, name) < 1:
            raise CommandError(f"--{name.replace('_', '-')} must be at least 1")
    if not 0 <= args.small_share <= 1:
        raise CommandError("--small-share must be between 0 and 1")
    _check_device(args.device)
    config = NameTrainConfig(
        out=args.out,
        faces=args.faces,
        samples=args.samples,
        val_samples=args.val_samples,
        epochs=args.epochs,
        lr=args.lr,
        seed=args.seed,
        workers=args.workers,
        init=args.init,
        small_share=args.small_share,
        device=args.device,
    )
    try:
        best = train(config, resume=args.resume, stop_after=args.stop_after)
    except ValueError as error:
        raise CommandError(str(error)) from None
    print(f"best validation exact-line accuracy {best:.4f} -> {args.out}/best.pt")
    return 0


def _check_device(device: str) -> None:
    import torch

    try:
        kind = torch.device(device).type
    except RuntimeError:
        raise CommandError(f"--device {device!r} is not a torch device (cpu, cuda, cuda:1 ...)") from None
    if kind == "cuda" and not torch.cuda.is_available():
        raise CommandError("--device cuda: this machine's torch sees no CUDA GPU (train with --device cpu)")
    if kind not in ("cpu", "cuda"):
        raise CommandError(f"--device {device!r}: only cpu and cuda are supported")


def _write_lexicon() -> int:
    try:
        from training.name_lexicon import write_lexicon
    except ImportError as error:
        raise CommandError(f"the lexicon is built from Faker's names: pip install -e '.[train]' ({error})") from None
    from model.name_lexicon import LEXICON_PATH

    print(f"wrote {write_lexicon()} name words to {LEXICON_PATH}")
    return 0
