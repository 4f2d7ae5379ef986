"""Turn a training checkpoint into a shipped model: ONNX for the bot, a slim .pt for fine-tuning.

The ONNX file goes to ``model/weights/`` (it ships); the slim .pt to :data:`CHECKPOINTS_DIR`
(``training/checkpoints/``, in the source tree only: ``classmood train --init`` and the model card read it).

The ONNX graph ends in a softmax (it outputs probabilities) and carries the
class names, input size, architecture and normalization in its metadata, so
:class:`model.classifier.ExpressionClassifier` needs nothing else.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch

from model.preprocess import MEAN, STD
from training.architectures import create_backbone

log = logging.getLogger(__name__)

#: The shipped models' weights for fine-tuning (``NAME.pt``): kept with the source, not in the wheel.
CHECKPOINTS_DIR = Path(__file__).resolve().parent / "checkpoints"


class Probabilities(torch.nn.Module):
    """The network with a softmax, optionally averaged with its reading of the mirrored faces.

    ``flip`` (test-time augmentation inside the graph): each face and its
    mirror image go through the network and their probabilities are averaged
    (two passes: one batch of both made the exporter fix the batch size). It
    costs twice the compute; on FER+ public test it added 0.9 points of
    accuracy to the two-stage ferplus (0.8207 -> 0.8298) and 1.2 to the
    three-stage one (0.8273 -> 0.8395).
    """

    def __init__(self, model: torch.nn.Module, flip: bool = False) -> None:
        super().__init__()
        self.model = model
        self.flip = flip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.flip:
            return self.model(x).softmax(dim=1)
        return (self.model(x).softmax(dim=1) + self.model(x.flip(3)).softmax(dim=1)) / 2


def load_checkpoint_model(path: str | Path) -> tuple[torch.nn.Module, dict[str, Any]]:
    """The network of a checkpoint (``best.pt``, ``last.pt`` or a shipped ``.pt``) in eval mode."""
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    config = checkpoint["config"]
    model = create_backbone(config["arch"], len(checkpoint["classes"]))
    model.load_state_dict(checkpoint["model"])
    return model.eval(), checkpoint


def earlier_stages(config: dict) -> list[dict]:
    """The runs before this one when it continued an earlier run of the same dataset (``--init``).

    Each is ``{"config", "history", "cpu_seconds", "epoch"}``, oldest first, so the model card can give
    every command and the whole CPU time. A run started from another dataset's model (fer2013 from
    ferplus) has none: that model's own card tells how to build it. A two-head run started from both heads
    of an earlier one (``--init fer2013.pt,ferplus.pt``) continues the file of its own dataset.
    """
    for init in (config.get("init") or "").split(","):  # a two-head run may start from both heads' files
        if not init or not Path(init).is_file():
            continue
        previous = torch.load(init, map_location="cpu", weights_only=False)
        if not isinstance(previous, dict) or previous.get("config", {}).get("dataset") != config.get("dataset"):
            continue
        stage = {key: previous.get(key) for key in ("config", "history", "cpu_seconds", "epoch")}
        return [*previous.get("stages", []), stage]
    return []


def export_model(
    checkpoint_path: str | Path, onnx_path: str | Path, slim_pt_path: str | Path | None = None, flip: bool = False
) -> Path:
    """Write the ONNX file (and optionally the weights-only .pt) for a checkpoint; check they agree.

    ``flip`` builds the mirrored-face average into the graph (see :class:`Probabilities`).
    """
    model, checkpoint = load_checkpoint_model(checkpoint_path)
    config = checkpoint["config"]
    size = int(config["image_size"])
    onnx_path = Path(onnx_path)
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    wrapped = Probabilities(model, flip).eval()
    example = torch.zeros(2, 1, size, size)
    torch.onnx.export(
        wrapped,
        (example,),
        str(onnx_path),
        input_names=["faces"],
        output_names=["probabilities"],
        dynamic_shapes={"x": {0: torch.export.Dim("batch", min=1, max=4096)}},
        external_data=False,
    )
    metadata = {
        "classes": json.dumps(list(checkpoint["classes"])),
        "image_size": str(size),
        "arch": str(config["arch"]),
        "normalization": json.dumps({"mean": MEAN, "std": STD, "gray": True}),
        "training_config": json.dumps(config),
        "epoch": str(checkpoint.get("epoch", "")),
        "flip_tta": json.dumps(flip),
    }
    write_metadata(onnx_path, metadata)

    if slim_pt_path is not None:
        keys = ("model", "config", "classes", "epoch", "weights", "cpu_seconds", "val_report")
        slim = {k: checkpoint[k] for k in keys if k in checkpoint}
        last = Path(checkpoint_path).with_name("last.pt")
        if last.is_file():  # the whole run's curve and CPU time, for the model card
            run = torch.load(last, map_location="cpu", weights_only=False)
            slim["history"] = run.get("history", [])
            slim["cpu_seconds"] = run.get("cpu_seconds", slim.get("cpu_seconds", 0.0))
        slim["stages"] = earlier_stages(config)
        slim["flip_tta"] = flip
        Path(slim_pt_path).parent.mkdir(parents=True, exist_ok=True)
        torch.save(slim, slim_pt_path)

    difference = check_parity(wrapped, onnx_path, size)
    log.info("exported %s (torch vs onnxruntime max |dp| = %.2e)", onnx_path, difference)
    return onnx_path


def write_metadata(onnx_path: str | Path, metadata: dict[str, str], out: str | Path | None = None) -> None:
    """Replace an ONNX file's metadata (what the runtime reads to use it) and save it to ``out`` (default: in place)."""
    import onnx

    proto = onnx.load(str(onnx_path))
    del proto.metadata_props[:]
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, str(out or onnx_path))


def check_parity(probabilities: torch.nn.Module, onnx_path: str | Path, size: int, n: int = 16, seed: int = 0) -> float:
    """Largest probability difference between torch (a module giving probabilities) and onnxruntime."""
    import onnxruntime as ort

    rng = np.random.default_rng(seed)
    inputs = ((rng.integers(0, 256, (n, 1, size, size)).astype(np.float32) / 255.0) - MEAN) / STD
    with torch.no_grad():
        expected = probabilities(torch.from_numpy(inputs)).numpy()
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    (actual,) = session.run(None, {session.get_inputs()[0].name: inputs})
    return float(np.abs(actual - expected).max())
