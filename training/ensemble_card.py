"""Model card for an averaged two-head ensemble, or a measured-attempt section for an existing card.

    python -m training.ensemble_card --name fer2013 --onnx runs/fer2013-ensemble.onnx \
        --data ../shared/datasets/fer2013/public_test --select runs/select-fer2013.json \
        --run runs/th-regnetx --run runs/th-regnetx-b --command "..." --out model/weights/fer2013.md

Scores the ONNX file once on the public split (the bot's inference path,
``classmood model eval``), draws the confusion matrix next to the card, and
writes data, recipe, commands, CPU-hours, held-back selection table and the
public-split results. ``--append`` adds the same facts as a section to an
existing card instead (an attempt that was measured but not shipped).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch


def results_lines(report: dict[str, Any], png_name: str) -> list[str]:
    """Accuracy, macro-F1, per-class table and confusion matrix as markdown lines."""
    classes = report["classes"]
    stats = report["per_class"]
    rows = [
        f"| {c} | {s['support']} | {s['recall']:.3f} | {s['precision']:.3f} | {s['f1']:.3f} |"
        for c, s in ((c, stats[c]) for c in classes)
    ]
    confusion = ["| true \\ predicted | " + " | ".join(classes) + " |", "|---" * (len(classes) + 1) + "|"]
    confusion += [
        f"| {c} | " + " | ".join(str(v) for v in report["confusion_matrix"][i]) + " |" for i, c in enumerate(classes)
    ]
    return [
        f"- **accuracy {report['accuracy']:.4f}**, **macro-F1 {report['macro_f1']:.4f}** ({report['n']} faces)",
        "",
        "| class | faces | recall | precision | F1 |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"Confusion matrix (rows: true class; also `{png_name}`):",
        "",
        *confusion,
    ]


def run_lines(run: Path) -> tuple[list[str], float]:
    """A two-head run's recipe, held-back curve and CPU time (from its last.pt / best.pt, or from the one
    file of :func:`training.gpu_recipe.ship`, which holds the best epoch and the whole history)."""
    if run.is_file():
        last = best = torch.load(run, map_location="cpu", weights_only=False)
    else:
        last = torch.load(run / "last.pt", map_location="cpu", weights_only=False)
        best = torch.load(run / "best.pt", map_location="cpu", weights_only=False)
    c = last["config"]
    mixing = f", Mixup/CutMix Beta({c['mixup']})" if c.get("mixup") else ""
    teaching = f", distilled from `{c['teacher']}` (weight {c['distil_weight']})" if c.get("teacher") else ""
    if c.get("teacher_runs"):
        runs = ", ".join(f"`{r}`" for r in c["teacher_runs"].split(","))
        teaching = f", taught online by {runs} (weight {c['distil_weight']}, on every augmented batch)"
    cpu = float(last["cpu_seconds"])
    lines = [
        f"- `{run}`: timm `{c['arch']}` with a FER2013 head and a FER+ head, started from `{c['init']}`; "
        f"{c['epochs']} epochs, AdamW peak lr {c['lr']}, weight decay {c['weight_decay']}, batch {c['batch_size']}, "
        f"{c['warmup_epochs']} warm-up epoch then cosine, label smoothing {c['label_smoothing']} (FER2013 head), "
        f"FER+ loss weight {c['ferplus_weight']}, weight EMA {c['ema_decay']}, dropout {c['drop_rate']}, "
        f"seed {c['seed']}, {c['image_size']} px{mixing}{teaching}, on `{c.get('device', 'cpu')}`; "
        f"kept epoch {best['epoch']} ({best['weights']} weights); {cpu / 3600:.2f} CPU-hours (process time).",
        "",
        "| epoch | train loss | held-back FER2013 (EMA) | held-back FER+ (EMA) |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {h['epoch']} | {h['train_loss']:.3f} | {h['held_fer2013_ema']:.4f} | {h['held_ferplus_ema']:.4f} |"
        for h in last["history"]
    ]
    return [*lines, ""], cpu


def selection_lines(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| candidate | flip | passes | accuracy | macro-F1 |", "|---|---|---|---|---|"]
    for row in rows:
        names = " + ".join(f"`{m}`" for m in row["members"])
        flip = "yes" if row["flip"] else "no"
        lines.append(f"| {names} | {flip} | {row['passes']} | {row['accuracy']:.4f} | {row['macro_f1']:.4f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.ensemble_card", description=__doc__)
    parser.add_argument("--name", required=True, choices=("fer2013", "ferplus"))
    parser.add_argument("--onnx", help="the ONNX file to score (a card for a shipped model)")
    parser.add_argument("--public-select", help="instead of --onnx: JSON rows of select_members --public")
    parser.add_argument("--data", required=True, help="the public split (scored once)")
    parser.add_argument("--select", required=True, help="JSON rows from training.select_members")
    parser.add_argument("--run", action="append", default=[], help="a two-head run folder (repeat)")
    parser.add_argument("--command", action="append", default=[], help="a reproduce command line (repeat)")
    parser.add_argument("--note", action="append", default=[], help="a line for the notes (repeat)")
    parser.add_argument("--out", required=True, help="the card (.md) to write or append to")
    parser.add_argument("--append", action="store_true", help="add a section to the existing card")
    parser.add_argument("--title", default="Two-head ensemble", help="the card's (or section's) heading")
    parser.add_argument("--keep", action="store_true", help="keep the existing card below the new one")
    parser.add_argument("--png", help="confusion-matrix image (default: <name>-confusion.png beside the card)")
    args = parser.parse_args(argv)

    from training.evaluation import evaluate_split, save_confusion_png

    out = Path(args.out)
    if args.onnx:
        report = evaluate_split(args.onnx, args.data)
        png = Path(args.png) if args.png else out.with_name(f"{args.name}-confusion.png")
        save_confusion_png(report, png, f"{Path(args.onnx).name} on {Path(args.data).name}")
        results = [f"Measured {datetime.now(UTC):%Y-%m-%d} on `{args.onnx}` through the bot's ONNX path, once:"]
        results += ["", *results_lines(report, png.name)]
    else:
        public_rows = json.loads(Path(args.public_select).read_text())
        results = [f"Measured {datetime.now(UTC):%Y-%m-%d} in torch on `{args.data}`, once, after selection:", ""]
        results += selection_lines(public_rows)
    runs, cpu_total = [], 0.0
    for run in args.run:
        lines, cpu = run_lines(Path(run))
        runs += lines
        cpu_total += cpu
    rows = json.loads(Path(args.select).read_text())
    heading = "##" if args.append else "#"
    body = [
        f"{heading} {args.title}{' (measured, not shipped)' if args.append else ''}: `{args.name}`",
        "",
        *args.note,
        "",
        f"{heading}# Reproduce",
        "```bash",
        *args.command,
        "```",
        f"{heading}# Training runs ({cpu_total / 3600:.2f} CPU-hours in all, on top of the starting models' own)",
        *runs,
        f"{heading}# Selection on the held-back slice",
        *selection_lines(rows),
        "",
        f"{heading}# Results on the public split",
        *results,
        "",
    ]
    if args.append:
        out.write_text(out.read_text().rstrip("\n") + "\n\n" + "\n".join(body))
    elif args.keep and out.is_file():
        earlier = out.read_text().replace("\n#", "\n##").removeprefix("# ")
        out.write_text("\n".join(body) + "\n\n# Earlier release (its card as it was)\n\n## " + earlier)
    else:
        out.write_text("\n".join(body))
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
