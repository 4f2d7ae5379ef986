"""The shipped models: present, loadable without torch, and as accurate as their cards say."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from model.classifier import SHIPPED_MODELS, WEIGHTS_DIR, ExpressionClassifier
from model.labels import LABEL_SETS

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
PUBLIC_TEST = {"ferplus": SHARED / "ferplus" / "FER2013Valid", "fer2013": SHARED / "fer2013" / "public_test"}


@pytest.mark.parametrize("name", SHIPPED_MODELS)
def test_shipped_model_loads_with_its_label_set_and_card(name):
    classifier = ExpressionClassifier.load(name)
    assert classifier.classes == LABEL_SETS[name]
    for suffix in (".onnx", ".md", "-confusion.png"):
        path = WEIGHTS_DIR / f"{name}{suffix}"
        assert path.is_file() and path.stat().st_size <= 25 * 1024 * 1024, path
    # the fine-tuning weights stay in the source tree (training/checkpoints), out of the runtime package
    assert not (WEIGHTS_DIR / f"{name}.pt").exists()
    checkpoint = Path(__file__).resolve().parents[1] / "training" / "checkpoints" / f"{name}.pt"
    assert checkpoint.is_file() and checkpoint.stat().st_size <= 25 * 1024 * 1024, checkpoint
    probabilities = classifier.predict([np.full((48, 48), 128, np.uint8), np.zeros((100, 80, 3), np.uint8)])
    assert probabilities.shape == (2, len(classifier.classes))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("name", SHIPPED_MODELS)
def test_card_accuracy_is_what_the_model_scores(name):
    data = PUBLIC_TEST[name]
    if not data.is_dir():
        pytest.skip("../shared/datasets is not beside the project")
    from training.evaluation import evaluate_split

    card = (WEIGHTS_DIR / f"{name}.md").read_text()
    claimed = float(re.search(r"\*\*accuracy ([0-9.]+)\*\*", card).group(1))
    report = evaluate_split(name, str(data))
    assert round(report["accuracy"], 4) == claimed
