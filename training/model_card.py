"""Model cards for the shipped models, written from the weights file and a fresh evaluation.

Everything in a card comes from a file or a command: the training
configuration and per-epoch history saved inside the checkpoint, and the
accuracy of the shipped ONNX file measured by :mod:`training.evaluation` at the
time the card is written.
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from training.train_args import TrainConfig

#: Training throughput measured on this 2-core machine (fp32, synthetic
#: batches of 128, images/s), from the project's model issue; the basis for
#: choosing regnetx_004 at 64 px.
THROUGHPUT_TABLE = [
    ("regnetx_004", 64, 217),
    ("mobilenetv3_large_100", 64, 184),
    ("ghostnet_100", 64, 182),
    ("resnet18", 48, 161),
    ("convnext_atto", 64, 143),
    ("resnet18", 64, 126),
    ("efficientnet_b0", 64, 78),
    ("resnet34", 64, 61),
    ("resnet18, stride-1 stem", 48, 11),
]


def train_command(config: dict[str, Any]) -> str:
    """The ``classmood train`` command line that reproduces a configuration."""
    defaults = TrainConfig(dataset="", data="", val=None, out="")
    parts = ["classmood", "train", "--dataset", config["dataset"], "--data", config["data"]]
    if config.get("val"):
        parts += ["--val", config["val"]]
    parts += ["--out", config["out"]]
    for key, value in config.items():
        if key in {"dataset", "data", "val", "out", "threads", "limit"} or value == getattr(defaults, key, None):
            continue
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            parts += [flag] if value else []
        elif value is not None:
            parts += [flag, str(value)]
    return shlex.join(parts)


def stage_commands(name: str, stages: list[dict[str, Any]], config: dict[str, Any]) -> list[str]:
    """``classmood train`` commands for the earlier stages and this run, each continuing the one before."""
    outs = [f"runs/{name}-stage{i + 1}" for i in range(len(stages))] + [config["out"]]
    commands = []
    for i, stage_config in enumerate([*(s["config"] for s in stages), config]):
        stage_config = {**stage_config, "out": outs[i]}
        if i > 0:
            stage_config["init"] = f"{outs[i - 1]}/best.pt"
        commands.append(train_command(stage_config))
    return commands


def render_card(name: str, checkpoint: dict[str, Any], report: dict[str, Any], extra_steps: list[str]) -> str:
    config = checkpoint["config"]
    stages = checkpoint.get("stages") or []
    lines = [
        *_intro(name, report["classes"]),
        *_architecture(config, checkpoint),
        *_data(config),
        *_reproduce(name, checkpoint, report, extra_steps),
        *_results(name, report),
        *_curve(checkpoint, stages),
        "## Limits",
        "- Trained on FER2013 faces: mostly frontal, cropped, grayscale, low resolution; webcam faces at other "
        "angles, in poor light or partly hidden are read less reliably.",
        "- An expression is not a feeling: the report treats these as signals to look at, never as verdicts "
        "about a student.",
        "",
    ]
    return "\n".join(lines)


def _intro(name: str, classes: list[str]) -> list[str]:
    return [
        f"# Model card: `{name}`",
        "",
        f"Facial-expression classifier over {len(classes)} classes ({', '.join(classes)}), for 48x48-style "
        "grayscale face crops. Shipped as `"
        + name
        + ".onnx` (what the bot runs, with onnxruntime) and, in the source tree only (not in the installed package), "
        "`training/checkpoints/"
        + name
        + ".pt` (the same weights for `classmood train --init`; `classmood model export` rebuilds both from a "
        "run's `best.pt`).",
        "",
    ]


def _architecture(config: dict[str, Any], checkpoint: dict[str, Any]) -> list[str]:
    throughput = [f"| {arch} | {size} | {speed} |" for arch, size, speed in THROUGHPUT_TABLE]
    return [
        "## Architecture",
        f"- timm `{config['arch']}`, trained from scratch (no pretrained weights), 1 input channel, "
        f"{config['image_size']}x{config['image_size']} input, softmax output"
        + (
            "; each face is read together with its mirror image and the two probabilities are averaged "
            "(flip test-time augmentation inside the ONNX graph, twice the compute)."
            if checkpoint.get("flip_tta")
            else "."
        ),
        "- Why this backbone: training images/s on this 2-core CPU (fp32, batch 128), from the project's "
        "model issue; the fastest practical net leaves the most epochs in the CPU budget:",
        "",
        "| architecture | input | train images/s |",
        "|---|---|---|",
        *throughput,
        "",
    ]


def _data(config: dict[str, Any]) -> list[str]:
    return [
        "## Data",
        f"- Training: `{config['data']}` ({config['dataset']}); validation and model selection: "
        f"`{config.get('val')}` (public test only; the private test split was never used).",
        "- FER+ targets are the annotators' vote shares (single votes dropped); FER+ is scored by majority "
        "vote (faces without a majority emotion, or whose majority is unknown / not-a-face, are left out)."
        if config["dataset"] == "ferplus"
        else "- FER2013 targets are the original single labels.",
        "",
    ]


def _reproduce(name: str, checkpoint: dict[str, Any], report: dict[str, Any], extra_steps: list[str]) -> list[str]:
    """The commands that rebuild the model, then how it was trained (stages, epochs, CPU time, optimizer)."""
    config = checkpoint["config"]
    stages = checkpoint.get("stages") or []
    first = stages[0]["config"] if stages else config
    earlier_cpu = sum(s.get("cpu_seconds") or 0.0 for s in stages)
    cpu_hours = (checkpoint.get("cpu_seconds", 0.0) + earlier_cpu) / 3600.0
    return [
        "## Reproduce",
        "```bash",
        *stage_commands(name, stages, config),
        *extra_steps,
        f"classmood model export --checkpoint {config['out']}/best.pt --name {name}"
        + (" --flip-tta" if checkpoint.get("flip_tta") else ""),
        f"classmood model card --name {name} --data {report['data']}",
        "```",
        *(
            [f"- `{first['init']}` comes first: build it with the commands in its own card."]
            if first.get("init")
            else []
        ),
        *(
            [
                f"- Trained in {len(stages) + 1} stages, each a new warm-up and cosine cycle started from the "
                "weights the stage before kept; epochs in the curve below are numbered stage.epoch."
            ]
            if stages
            else []
        ),
        f"- Epochs: {' + '.join(str(s['config']['epochs']) for s in stages) + ' + ' if stages else ''}"
        f"{config['epochs']} (kept: epoch {checkpoint.get('epoch')}{' of the last stage' if stages else ''}, "
        f"{checkpoint.get('weights', 'model')} weights); CPU time: {cpu_hours:.2f} CPU-hours "
        "(process time, 2 cores, all stages).",
        f"- Optimizer: AdamW, peak lr {config['lr']}, weight decay {config['weight_decay']}, batch "
        f"{config['batch_size']}, {config['warmup_epochs']} warm-up epoch(s) then cosine; label smoothing "
        f"{config['label_smoothing']}; mixup/cutmix alpha {config['mixup']}; class balance "
        f"{config['class_balance']}; weight EMA {config['ema_decay']}; dropout {config['drop_rate']}."
        + (f" Initialized from `{first['init']}`." if first.get("init") else "")
        + (
            f" Stage 1: peak lr {first['lr']}, {first['warmup_epochs']} warm-up epoch(s); the last stage as above."
            if stages
            else ""
        ),
        "- Augmentation: random zoom 0.8-1.05, rotation +-12 deg, shift 8%, horizontal flip, "
        "brightness/contrast jitter, random erasing (p 0.4).",
        "",
    ]


def _results(name: str, report: dict[str, Any]) -> list[str]:
    """Accuracy, per-class figures and the confusion matrix, measured when the card is written."""
    classes = report["classes"]
    matrix = report["confusion_matrix"]
    rows = [
        f"| {c} | {report['per_class'][c]['support']} | {report['per_class'][c]['recall']:.3f} | "
        f"{report['per_class'][c]['precision']:.3f} | {report['per_class'][c]['f1']:.3f} |"
        for c in classes
    ]
    confusion = ["| true \\ predicted | " + " | ".join(classes) + " |", "|---" * (len(classes) + 1) + "|"]
    confusion += [f"| {c} | " + " | ".join(str(v) for v in matrix[i]) + " |" for i, c in enumerate(classes)]
    return [
        "## Results on the public test split",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on the shipped ONNX file by `classmood model card` "
        f"({report['n']} faces{', flip TTA' if report.get('tta') else ''}):",
        "",
        f"- **accuracy {report['accuracy']:.4f}**, **macro-F1 {report['macro_f1']:.4f}**",
        "",
        "| class | faces | recall | precision | F1 |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"Confusion matrix (rows: true class; also `{name}-confusion.png`):",
        "",
        *confusion,
        "",
    ]


def _curve(checkpoint: dict[str, Any], stages: list[dict[str, Any]]) -> list[str]:
    """The per-epoch table, through every stage (epochs numbered stage.epoch when there are several)."""
    history = [
        {**h, "epoch": f"{i + 1}.{h['epoch']}" if stages else h["epoch"]}
        for i, run_history in enumerate([*(s.get("history") or [] for s in stages), checkpoint.get("history") or []])
        for h in run_history
    ]
    curve = [
        f"| {h['epoch']} | {h['train_loss']:.3f} | {h.get('val_accuracy_model', float('nan')):.4f} | "
        f"{h.get('val_accuracy_ema', float('nan')):.4f} |"
        for h in history
    ]
    return [
        "## Training curve",
        "| epoch | train loss | val accuracy | val accuracy (EMA) |",
        "|---|---|---|---|",
        *curve,
        "",
    ]


def write_card(
    name: str, out_dir: Path, checkpoint: dict[str, Any], report: dict[str, Any], extra_steps: list[str] | None = None
) -> Path:
    path = out_dir / f"{name}.md"
    path.write_text(render_card(name, checkpoint, report, extra_steps or []))
    return path
