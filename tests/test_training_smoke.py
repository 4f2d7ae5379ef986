"""One-epoch training runs on a tiny dataset: checkpoints, resume, export, ONNX parity."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from face_data import make_image_folder

torch = pytest.importorskip("torch")
pytest.importorskip("timm")

from training.train import TrainConfig, train  # noqa: E402


def _config(tmp_path, out: str, **overrides) -> TrainConfig:
    data = tmp_path / "data"
    if not data.exists():
        make_image_folder(data, per_class=8)
    values = dict(
        dataset="fer2013",
        data=str(data),
        val=str(data),
        out=str(tmp_path / out),
        arch="regnetx_002",
        image_size=32,
        epochs=2,
        batch_size=16,
        threads=1,
        seed=3,
    )
    values.update(overrides)
    return TrainConfig(**values)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("train")
    config = _config(tmp_path, "straight")
    report = train(config)
    return tmp_path, config, report


def test_training_writes_checkpoints_and_history(trained):
    tmp_path, _config_used, report = trained
    out = tmp_path / "straight"
    assert (out / "last.pt").is_file() and (out / "best.pt").is_file()
    history = torch.load(out / "last.pt", weights_only=False)["history"]
    assert [h["epoch"] for h in history] == [1, 2]
    assert 0.0 <= report["accuracy"] <= 1.0 and len(report["confusion_matrix"]) == 7
    best = torch.load(out / "best.pt", weights_only=False)
    assert best["config"]["arch"] == "regnetx_002" and best["classes"][0] == "angry"


def test_resume_continues_exactly_where_it_stopped(trained):
    tmp_path, _, _ = trained
    config = _config(tmp_path, "interrupted")
    train(config, stop_after=1)
    stopped = torch.load(tmp_path / "interrupted" / "last.pt", weights_only=False)
    assert stopped["epoch"] == 0  # one epoch done
    train(_config(tmp_path, "interrupted", threads=1), resume=True)
    resumed = torch.load(tmp_path / "interrupted" / "last.pt", weights_only=False)
    straight = torch.load(tmp_path / "straight" / "last.pt", weights_only=False)
    assert resumed["step"] == straight["step"]
    for name, tensor in straight["model"].items():
        torch.testing.assert_close(resumed["model"][name], tensor, msg=f"{name} differs after resume")


def test_resume_without_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="--resume"):
        train(_config(tmp_path, "nothing"), resume=True)


def test_onnx_export_matches_torch(trained, tmp_path):
    from model.classifier import ExpressionClassifier
    from training.export import export_model, load_checkpoint_model

    out, _, _ = trained
    onnx_path = export_model(out / "straight" / "best.pt", tmp_path / "tiny.onnx", tmp_path / "tiny.pt")
    model, checkpoint = load_checkpoint_model(tmp_path / "tiny.pt")
    classifier = ExpressionClassifier.load(str(onnx_path))
    assert classifier.classes == tuple(checkpoint["classes"]) and classifier.image_size == 32
    rng = np.random.default_rng(1)
    faces = [rng.integers(0, 256, (h, h, 3)).astype(np.uint8) for h in (20, 48, 97, 200)]
    from model.preprocess import prepare_batch

    with torch.no_grad():
        expected = model(torch.from_numpy(prepare_batch(faces, 32))).softmax(1).numpy()
    np.testing.assert_allclose(classifier.predict(faces), expected, atol=1e-4)


def test_flip_tta_export_reads_a_face_and_its_mirror_alike(trained, tmp_path):
    from model.classifier import ExpressionClassifier
    from training.export import Probabilities, export_model, load_checkpoint_model

    out, _, _ = trained
    onnx_path = export_model(out / "straight" / "best.pt", tmp_path / "flip.onnx", tmp_path / "flip.pt", flip=True)
    classifier = ExpressionClassifier.load(str(onnx_path))
    rng = np.random.default_rng(2)
    faces = [rng.integers(0, 256, (48, 48)).astype(np.uint8) for _ in range(5)]
    mirrored = [face[:, ::-1].copy() for face in faces]
    np.testing.assert_allclose(classifier.predict(faces), classifier.predict(mirrored), atol=1e-5)
    model, _ = load_checkpoint_model(tmp_path / "flip.pt")
    from model.preprocess import prepare_batch

    with torch.no_grad():
        expected = Probabilities(model, flip=True)(torch.from_numpy(prepare_batch(faces, 32))).numpy()
        plain = Probabilities(model)(torch.from_numpy(prepare_batch(faces, 32))).numpy()
    np.testing.assert_allclose(classifier.predict(faces), expected, atol=1e-4)
    assert np.abs(expected - plain).max() > 1e-4  # the average is not the plain reading
    assert torch.load(tmp_path / "flip.pt", weights_only=False)["flip_tta"] is True


def test_inference_path_imports_no_torch():
    code = (
        "import sys; import model.classifier, model.detector, model.preprocess, model.labels, model.text_recognizer; "
        "import bot.names; "
        "bad = [m for m in ('torch', 'timm', 'torchvision') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_run_continued_with_init_exports_every_stage_for_its_card(trained, tmp_path):
    from training.export import export_model
    from training.model_card import render_card

    out, _, _ = trained
    exported_first = tmp_path / "first.pt"
    export_model(out / "straight" / "best.pt", tmp_path / "first.onnx", exported_first)
    second = _config(out, "second", epochs=1, lr=0.0005, init=str(exported_first))
    report = train(second)
    export_model(f"{second.out}/best.pt", tmp_path / "m.onnx", tmp_path / "m.pt")
    slim = torch.load(tmp_path / "m.pt", weights_only=False)
    assert [s["config"]["epochs"] for s in slim["stages"]] == [2]
    card = render_card("m", slim, {**report, "data": "val", "n": 56}, [])
    commands = [line for line in card.splitlines() if line.startswith("classmood train")]
    assert len(commands) == 2
    assert "--out runs/m-stage1" in commands[0] and "--init" not in commands[0]
    assert "--init runs/m-stage1/best.pt" in commands[1] and "--lr 0.0005" in commands[1]
    total = (slim["stages"][0]["cpu_seconds"] + slim["cpu_seconds"]) / 3600
    assert f"CPU time: {total:.2f} CPU-hours" in card
    assert "| 1.2 |" in card and "| 2.1 |" in card  # the curve runs through both stages
