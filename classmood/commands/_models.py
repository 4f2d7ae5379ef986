"""What the capture and model commands share: the name engines, the platforms, loading models as one-line errors."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from classmood.errors import CommandError

if TYPE_CHECKING:
    from bot.pipeline import CapturePipeline
    from model.classifier import ExpressionClassifier

#: bot.names.ENGINES, spelled out so that `--help` does not load OpenCV (a test keeps the two equal)
ENGINE_CHOICES = ("auto", "crnn", "tesseract")
NAMES_HELP = (
    "how names are read: auto (default: the shipped reader, Latin script with every European and Vietnamese "
    "accent; Tesseract, where installed, reads what it is unsure of and other scripts), crnn (the shipped reader "
    "only) or tesseract (Tesseract only, any script whose model is installed)"
)
TRAIN_EXTRA_HINT = "this needs PyTorch and timm: pip install 'classmood[train]'"


def platform_choices(rendered_only: bool = False) -> tuple[str, ...]:
    """The meeting platforms ``--platform`` accepts (:mod:`bot.platforms`, plain data: cheap to import);
    ``rendered_only``: those a synthetic class can be drawn for."""
    from bot.platforms import platform_names

    return platform_names(rendered_only)


def require_torch() -> None:
    """A CommandError unless the ``train`` extra (torch, timm) is installed."""
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("timm") is None:
        raise CommandError(TRAIN_EXTRA_HINT)


@contextmanager
def model_errors() -> Iterator[None]:
    """A missing expression model (:class:`model.classifier.ModelNotFoundError`) as a CommandError."""
    from model.classifier import ModelNotFoundError

    try:
        yield
    except ModelNotFoundError as error:
        raise CommandError(str(error)) from None


def load_classifier(name: str) -> ExpressionClassifier:
    """The expression model ``name`` (ferplus, fer2013 or an .onnx path); a CommandError when missing."""
    from model.classifier import ExpressionClassifier

    with model_errors():
        return ExpressionClassifier.load(name)


def load_pipeline(
    model: str, keep_thumbnails: bool = False, ocr: bool = True, names: str = "auto", platform: str | None = None
) -> CapturePipeline:
    """The capture pipeline with the shipped models (:func:`bot.pipeline.build_pipeline`), errors as one line.

    Without a name reader (Tesseract asked for but missing), a warning says so and students are unnamed.
    """
    from bot.pipeline import build_pipeline

    with model_errors():
        return build_pipeline(
            model, keep_thumbnails=keep_thumbnails, ocr=ocr, names=names, on_no_reader=warn_no_reader, platform=platform
        )


def warn_no_reader(error: Exception) -> None:
    """What the user sees when no name reader could start: the pipeline goes on without names."""
    print(f"warning: {error}; students will be recorded as 'Unnamed N'", file=sys.stderr)


def add_names_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--names", choices=ENGINE_CHOICES, default="auto", help=NAMES_HELP)
