"""``classmood model``: evaluate, export, and batch-predict with expression models."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.commands import CommandError
from bot.commands._common import positive_int
from bot.commands.train_cmd import require_torch

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


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
        description="Export OUT/best.pt of a training run to NAME.onnx (bot inference) and NAME.pt "
        "(weights for --init fine-tuning), checking that torch and onnxruntime agree.",
    )
    export.add_argument("--checkpoint", required=True, help="best.pt of a training run")
    export.add_argument("--name", required=True, help="file stem, e.g. ferplus")
    export.add_argument("--out-dir", default=None, help="destination folder (default: the package's model/weights)")
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


def _load_classifier(name: str):
    from model.classifier import ExpressionClassifier, ModelNotFoundError

    try:
        return ExpressionClassifier.load(name)
    except ModelNotFoundError as error:
        raise CommandError(str(error)) from None


def iter_images(paths: list[str]) -> Iterator[Path]:
    """Files as given, and image files under folders (recursive, sorted)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            yield path


def run_predict(args: argparse.Namespace) -> int:
    import numpy as np
    from tqdm import tqdm

    from bot.image_files import ImageReadError, read_image
    from model.preprocess import crop_face

    if any(not str(raw).strip() for raw in args.paths):
        raise CommandError("an empty path was given: name the image files or folders to classify")
    out = None if args.out == "-" else Path(args.out)
    if out is not None and (out.is_dir() or not out.parent.is_dir()):
        raise CommandError(f"--out {out}: " + ("is a folder" if out.is_dir() else f"no folder {out.parent}"))
    classifier = _load_classifier(args.model)
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

    header = ["path", "label", "confidence", *[f"p_{name}" for name in classifier.classes], "error"]
    handle = sys.stdout if args.out == "-" else open(args.out, "w", newline="")  # noqa: SIM115
    classified = failed = 0
    try:
        writer = csv.writer(handle)
        writer.writerow(header)
        for start in tqdm(range(0, len(paths), args.batch_size), desc="classifying", unit="batch", disable=None):
            chunk = paths[start : start + args.batch_size]
            faces, rows_ok, errors = [], [], {}
            images = []
            for path in chunk:
                try:
                    images.append((path, read_image(path)))
                except ImageReadError as error:
                    errors[path] = str(error)
            if detector is not None and images:
                found = detector.largest_faces([image for _, image in images])
                kept = []
                for (path, image), box in zip(images, found, strict=True):
                    if box is None:
                        errors[path] = "no face found"
                    else:
                        kept.append((path, crop_face(image, box.box)))
                images = kept
            for path, image in images:
                faces.append(image)
                rows_ok.append(path)
            probabilities = classifier.predict(faces) if faces else np.zeros((0, len(classifier.classes)))
            by_path = dict(zip(rows_ok, probabilities, strict=True))
            for path in chunk:
                if path in by_path:
                    p = by_path[path]
                    top = int(p.argmax())
                    writer.writerow([str(path), classifier.classes[top], f"{p[top]:.6f}", *[f"{v:.6f}" for v in p], ""])
                    classified += 1
                else:
                    writer.writerow([str(path), "", "", *([""] * len(classifier.classes)), errors.get(path, "error")])
                    failed += 1
    finally:
        if handle is not sys.stdout:
            handle.close()
    print(f"classified {classified} image(s), {failed} failed -> {args.out}", file=sys.stderr)
    if classified == 0:
        raise CommandError("no image could be classified")
    return 0


def evaluate_split(model: str, data_path: str, tta: bool = False) -> dict:
    """Score a model on a labelled split through the ONNX inference path."""
    from model.evaluation import predict_with_tta
    from training.datasets import DatasetError, load_faces
    from training.metrics import classification_report

    classifier = _load_classifier(model)
    data = Path(data_path)
    dataset = "ferplus" if (data / "label.csv").is_file() else "fer2013"
    wanted = 8 if dataset == "ferplus" else 7
    if len(classifier.classes) != wanted:
        raise CommandError(
            f"{model} has {len(classifier.classes)} classes but {data} is a {dataset} split "
            f"({wanted} classes): use the {dataset} model"
        )
    try:
        faces = load_faces(dataset, data, classifier.image_size, role="val")
    except DatasetError as error:
        raise CommandError(str(error)) from None
    probabilities = predict_with_tta(classifier, faces.pixels, tta)
    report = classification_report(faces.labels, probabilities.argmax(axis=1), faces.classes)
    report.update({"model": model, "data": str(data), "tta": bool(tta), "skipped": faces.skipped})
    return report


def run_eval(args: argparse.Namespace) -> int:
    from model.evaluation import save_confusion_png

    report = evaluate_split(args.model, args.data, args.tta)
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
    from training.export import export_model

    checkpoint = Path(args.checkpoint)
    if not checkpoint.is_file():
        raise CommandError(f"no checkpoint {checkpoint}")
    out_dir = Path(args.out_dir) if args.out_dir else WEIGHTS_DIR
    onnx_path = export_model(checkpoint, out_dir / f"{args.name}.onnx", out_dir / f"{args.name}.pt", args.flip_tta)
    print(f"exported {onnx_path} and {out_dir / (args.name + '.pt')}")
    return 0


def run_card(args: argparse.Namespace) -> int:
    require_torch()
    import torch

    from model.classifier import WEIGHTS_DIR
    from model.evaluation import save_confusion_png
    from training.model_card import write_card

    weights = WEIGHTS_DIR / f"{args.name}.pt"
    if not weights.is_file():
        raise CommandError(f"no {weights}: export the model first (classmood model export)")
    report = evaluate_split(args.name, args.data)
    checkpoint = torch.load(weights, map_location="cpu", weights_only=False)
    save_confusion_png(report, WEIGHTS_DIR / f"{args.name}-confusion.png", f"{args.name} on {Path(args.data).name}")
    path = write_card(args.name, WEIGHTS_DIR, checkpoint, report)
    print(f"accuracy {report['accuracy']:.4f}, macro-F1 {report['macro_f1']:.4f} -> {path}")
    return 0
