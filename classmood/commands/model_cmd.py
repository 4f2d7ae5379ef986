"""``classmood model``: evaluate, export, and batch-predict with expression models."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from classmood.commands._common import positive_int
from classmood.commands._models import load_classifier, model_errors, require_torch
from classmood.errors import CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("model", help="evaluate, export or run the expression models")
    commands = parser.add_subparsers(dest="model_command", metavar="ACTION", required=True)

    predict = commands.add_parser(
        "predict",
        help="classify images or folders of images into a CSV",
        description="Classify face images (files or folders, searched recursively) and write one CSV row per "
        "image: path,label,confidence,p_<class>...,error. Unreadable files get an empty label and an error.",
    )
    predict.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    predict.add_argument("--model", default="ferplus", help="ferplus (default), fer2013, or an .onnx path")
    predict.add_argument("--out", default="predictions.csv", help="CSV to write (default %(default)s; - for stdout)")
    predict.add_argument("--detect", action="store_true", help="find the face first (for photos, not face crops)")
    predict.add_argument("--batch-size", type=positive_int, default=128)
    predict.set_defaults(handler=run_predict)

    evaluate = commands.add_parser(
        "eval",
        help="score a model on a labelled split",
        description="Accuracy, macro-F1, per-class recall and a confusion matrix of a model on a FER2013 "
        "folder or csv (7-class models) or a FER+ split folder (8-class models, majority-vote protocol). "
        "Runs the ONNX model, the same inference path as the bot.",
    )
    evaluate.add_argument("--model", default="ferplus", help="ferplus, fer2013, or an .onnx path")
    evaluate.add_argument("--data", required=True, help="FER2013 folder/csv or FER+ split folder (with label.csv)")
    evaluate.add_argument("--tta", action="store_true", help="average with horizontally flipped faces")
    evaluate.add_argument("--out", help="folder for report.json and confusion.png (default: eval-<model>)")
    evaluate.set_defaults(handler=run_eval)

    export = commands.add_parser(
        "export",
        help="turn a training checkpoint into a shipped ONNX model (needs the train extra)",
        description="Export OUT/best.pt of a training run to model/weights/NAME.onnx (bot inference) and "
        "training/checkpoints/NAME.pt (weights for --init fine-tuning; not shipped), checking that torch and "
        "onnxruntime agree.",
    )
    export.add_argument("--checkpoint", required=True, help="best.pt of a training run")
    export.add_argument("--name", required=True, help="file stem, e.g. ferplus")
    export.add_argument(
        "--out-dir",
        default=None,
        help="folder for both files (default: model/weights for the .onnx, training/checkpoints for the .pt)",
    )
    export.add_argument(
        "--flip-tta",
        action="store_true",
        help="average each face with its mirror image inside the model (twice the compute, a little more accuracy)",
    )
    export.set_defaults(handler=run_export)

    card = commands.add_parser(
        "card",
        help="evaluate a shipped model and write its model card",
        description="Score model/weights/NAME.onnx on a public-test split and write NAME.md (data, reproduce "
        "command, epochs, CPU time, accuracy, macro-F1, confusion matrix) and NAME-confusion.png beside it.",
    )
    card.add_argument("--name", required=True, help="ferplus or fer2013")
    card.add_argument("--data", required=True, help="the public-test split it was selected on")
    card.set_defaults(handler=run_card)


def run_predict(args: argparse.Namespace) -> int:
    from model.predict_files import iter_images, write_predictions

    if any(not str(raw).strip() for raw in args.paths):
        raise CommandError("an empty path was given: name the image files or folders to classify")
    out = None if args.out == "-" else Path(args.out)
    if out is not None and (out.is_dir() or not out.parent.is_dir()):
        raise CommandError(f"--out {out}: " + ("is a folder" if out.is_dir() else f"no folder {out.parent}"))
    classifier = load_classifier(args.model)
    detector = None
    if args.detect:
        from model.detector import FaceDetector

        detector = FaceDetector()
    paths = list(iter_images(args.paths))
    if not paths:
        raise CommandError("no images found in the given paths")
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing and len(missing) == len(args.paths):
        raise CommandError(f"no such file or folder: {missing[0]}")
    handle = sys.stdout if args.out == "-" else open(args.out, "w", newline="")  # noqa: SIM115
    try:
        classified, failed = write_predictions(paths, classifier, handle, detector, args.batch_size)
    finally:
        if handle is not sys.stdout:
            handle.close()
    print(f"classified {classified} image(s), {failed} failed -> {args.out}", file=sys.stderr)
    if classified == 0:
        raise CommandError("no image could be classified")
    return 0


def _evaluate(model: str, data_path: str, tta: bool = False) -> dict:
    """:func:`training.evaluation.evaluate_split`, its errors as one line."""
    from training.datasets import DatasetError
    from training.evaluation import evaluate_split as evaluate

    with model_errors():
        try:
            return evaluate(model, data_path, tta)
        except DatasetError as error:
            raise CommandError(str(error)) from None


def run_eval(args: argparse.Namespace) -> int:
    from training.evaluation import save_confusion_png

    report = _evaluate(args.model, args.data, args.tta)
    data = Path(args.data)
    out = Path(args.out or f"eval-{Path(args.model).stem}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2))
    save_confusion_png(report, out / "confusion.png", f"{args.model} on {data.name}{' (flip TTA)' if args.tta else ''}")
    print(f"{args.model} on {data} ({report['n']} faces{', flip TTA' if args.tta else ''})")
    print(f"accuracy {report['accuracy']:.4f}   macro-F1 {report['macro_f1']:.4f}")
    for name, stats in report["per_class"].items():
        print(f"  {name:<10} recall {stats['recall']:.3f}  F1 {stats['f1']:.3f}  (n={stats['support']})")
    print(f"report: {out / 'report.json'}, confusion matrix: {out / 'confusion.png'}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    require_torch()
    from model.classifier import WEIGHTS_DIR
    from training.export import CHECKPOINTS_DIR, export_model

    checkpoint = Path(args.checkpoint)
    if not checkpoint.is_file():
        raise CommandError(f"no checkpoint {checkpoint}")
    onnx_dir = Path(args.out_dir) if args.out_dir else WEIGHTS_DIR
    pt_path = (Path(args.out_dir) if args.out_dir else CHECKPOINTS_DIR) / f"{args.name}.pt"
    onnx_path = export_model(checkpoint, onnx_dir / f"{args.name}.onnx", pt_path, args.flip_tta)
    print(f"exported {onnx_path} and {pt_path}")
    return 0


def run_card(args: argparse.Namespace) -> int:
    require_torch()
    import torch

    from model.classifier import WEIGHTS_DIR
    from training.evaluation import save_confusion_png
    from training.export import CHECKPOINTS_DIR
    from training.model_card import write_card

    weights = CHECKPOINTS_DIR / f"{args.name}.pt"
    if not weights.is_file():
        raise CommandError(f"no {weights}: export the model first (classmood model export)")
    report = _evaluate(args.name, args.data)
    checkpoint = torch.load(weights, map_location="cpu", weights_only=False)
    save_confusion_png(report, WEIGHTS_DIR / f"{args.name}-confusion.png", f"{args.name} on {Path(args.data).name}")
    path = write_card(args.name, WEIGHTS_DIR, checkpoint, report)
    print(f"accuracy {report['accuracy']:.4f}, macro-F1 {report['macro_f1']:.4f} -> {path}")
    return 0
