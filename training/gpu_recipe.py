"""One prepared GPU run of a few minutes: teachers, their ensemble's readings, distilled students.

    python -m training.gpu_recipe --packed runs/fer-pack.npz --init runs/imagenet-lite0-half.pt \
        --work /tmp/gpu --out "$OUT" --budget 420 --device cuda

A GPU is lent to a session for minutes, once, and nothing outlives it; this
runs the whole recipe inside a wall-clock ``--budget`` and leaves the results
(half-precision weights, histories, logs) in ``--out`` after each phase, so a
run cut short still returns what it finished.

1. teachers, in parallel on the one GPU: EfficientNet-Lite0 from ImageNet,
   two heads, at 80, 96 and 112 px, with and without Mixup/CutMix;
2. their ensemble's (plain + mirrored) readings of every training face
   (:mod:`training.distil_targets`);
3. students at 80 px (the bot's input size and speed) learning the ensemble
   (``--teacher``), from ImageNet and from the best 80 px teacher.

``--plan sixth`` (the default) is the second call's recipe: two teachers at
112 px (plain and mixed), then two longer students at 80 px, one learning the
teachers' fixed reading of each face and one taught online
(``--teacher-runs``: the teachers read every augmented batch the student
sees). Students send back each head's best epoch (``<name>-fer2013.pt``,
``<name>-ferplus.pt``); ``--plan fifth`` is the first call's, that shipped the
fifth release.

Every run is an ordinary :mod:`training.train_two_head` command (the log
prints each one), so the CPU reproduces any of them with ``--device cpu``.
Epoch counts are set from the measured speed of this GPU before the runs
start, and logged; the model cards give the counts that were used.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

log = logging.getLogger(__name__)
ARCH = "tf_efficientnet_lite0"
BATCH = 256
#: How much faster several small runs go together than one after another on one GPU (a low guess).
PARALLEL_GAIN = 1.3


@dataclass
class Run:
    name: str
    size: int
    seed: int
    mixup: float = 0.0
    init: str = ""  # "" = the --init file (ImageNet)
    teacher: bool = False
    lr: float = 2e-3
    epoch_share: float = 1.0  # of the phase's epoch count
    extra: list[str] = field(default_factory=list)
    online: bool = False  # taught online by the teacher runs (--teacher-runs) instead of their fixed file
    cost: float = 1.0  # time per step against a plain step at this size (online teachers read each batch too)


@dataclass(frozen=True)
class Plan:
    teachers: list[Run]
    students: list[Run]
    teacher_share: float  # of the time left after the speed test, planned for the teachers
    teacher_deadline: float  # of the budget, when any teacher still running is stopped
    student_share: float
    parallel_gain: float
    heads_back: bool  # students send back each head's best epoch instead of the best mean


TEACHERS = [
    Run("t80", 80, 1),
    Run("t80-mix", 80, 2, mixup=0.4),
    Run("t96-mix", 96, 3, mixup=0.4),
    Run("t112-mix", 112, 4, mixup=0.4),
]
STUDENTS = [
    Run("s80-mix", 80, 5, mixup=0.4, teacher=True),
    Run("s80", 80, 6, teacher=True),
    Run("s80-from-t80", 80, 7, mixup=0.4, teacher=True, init="best-80", lr=3e-4, epoch_share=0.5),
]
PLANS = {
    "fifth": Plan(TEACHERS, STUDENTS, 0.5, 0.55, 0.4, PARALLEL_GAIN, heads_back=False),
    # The first call showed runs side by side gain nothing on one GPU (each step is launch-bound, not
    # compute-bound: 80 to 112 px cost the same), and that students were still rising at 21 epochs.
    "sixth": Plan(
        teachers=[Run("t112", 112, 11), Run("t112-mix", 112, 12, mixup=0.4)],
        students=[
            Run("s80-fixed", 80, 14, teacher=True),
            Run("s80-online", 80, 15, teacher=True, online=True, cost=1.7),
        ],
        teacher_share=0.3,
        teacher_deadline=0.37,
        student_share=0.6,
        parallel_gain=1.0,
        heads_back=True,
    ),
}


def step_seconds(size: int, device: str, steps: int = 12) -> float:
    """Seconds per training step of the two-head network at ``size`` px, batch ``BATCH``, alone on the device."""
    from training.two_head import TwoHeadNet

    model = TwoHeadNet(ARCH).to(device, memory_format=torch.channels_last)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.randn(BATCH, 1, size, size, device=device).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 7, (BATCH,), device=device)
    started = 0.0
    for i in range(steps + 3):
        if i == 3:
            if device != "cpu":
                torch.cuda.synchronize()
            started = time.perf_counter()
        with torch.autocast(torch.device(device).type, dtype=torch.bfloat16, enabled=device != "cpu"):
            fer, plus = model(x)
            loss = torch.nn.functional.cross_entropy(fer, y) + plus.float().logsumexp(1).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if device != "cpu":
        torch.cuda.synchronize()
    return (time.perf_counter() - started) / steps


def epochs_for(
    runs: list[Run],
    seconds: float,
    step_time: dict[int, float],
    faces: int,
    lo: int,
    hi: int,
    parallel_gain: float = PARALLEL_GAIN,
) -> int:
    """The epoch count that fits ``runs`` (run side by side) into ``seconds``, within [lo, hi]."""
    steps = faces // BATCH
    per_epoch = sum(step_time[r.size] * steps * r.epoch_share * r.cost for r in runs) / parallel_gain
    per_epoch += 1.0  # the held-back scoring of the model and its EMA, and the checkpoint, each epoch
    return max(lo, min(hi, int(seconds / per_epoch)))


def command(
    run: Run,
    args,
    epochs: int,
    work: Path,
    teacher: Path | None,
    inits: dict[str, Path],
    teacher_runs: list[str] | None = None,
) -> list[str]:
    init = str(inits[run.init]) if run.init else args.init
    cmd = [sys.executable, "-m", "training.train_two_head", "--out", str(work / run.name), "--arch", ARCH]
    cmd += ["--init", init, "--packed", args.packed, "--device", args.device, "--image-size", str(run.size)]
    cmd += ["--epochs", str(max(1, round(epochs * run.epoch_share))), "--batch-size", str(BATCH)]
    cmd += ["--lr", str(run.lr), "--warmup-epochs", "1.0", "--seed", str(run.seed), "--mixup", str(run.mixup)]
    cmd += ["--threads", "2"]
    if run.teacher and run.online and teacher_runs:
        cmd += ["--teacher-runs", ",".join(teacher_runs), "--distil-weight", "0.7"]
    elif teacher is not None and run.teacher:
        cmd += ["--teacher", str(teacher), "--distil-weight", "0.7"]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    return cmd + run.extra


def run_side_by_side(commands: dict[str, list[str]], deadline: float, logs: Path) -> dict[str, int]:
    """Start every command at once; stop any still running at ``deadline`` (their best.pt stays)."""
    procs = {}
    for name, cmd in commands.items():
        log.info("run %s: %s", name, " ".join(cmd[1:]))
        handle = (logs / f"{name}.log").open("w")
        procs[name] = subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT)
    while any(p.poll() is None for p in procs.values()) and time.time() < deadline:
        time.sleep(2)
    for name, p in procs.items():
        if p.poll() is None:
            log.warning("run %s still going at the deadline: stopped (its best epoch so far is kept)", name)
            p.terminate()
            p.wait()
    return {name: p.returncode for name, p in procs.items()}


def ship(work: Path, names: list[str], out: Path, heads: list[str] | None = None) -> None:
    """Each run's best.pt as half-precision weights (``<name>.pt``) in ``out``, and the logs as one archive.

    Runs named in ``heads`` send each head's best epoch instead (``<name>-fer2013.pt``, ``<name>-ferplus.pt``).
    """
    for name in names:
        kept = [("best.pt", f"{name}.pt")]
        if name in (heads or []):
            kept = [(f"best-{head}.pt", f"{name}-{head}.pt") for head in ("fer2013", "ferplus")]
        for source, target in kept:
            best = work / name / source
            if not best.is_file():
                log.warning("run %s left no %s", name, source)
                continue
            checkpoint = torch.load(best, map_location="cpu", weights_only=False)
            history = work / name / "history.json"
            checkpoint["model"] = {k: v.half() if v.is_floating_point() else v for k, v in checkpoint["model"].items()}
            checkpoint["history"] = json.loads(history.read_text()) if history.is_file() else []
            torch.save(checkpoint, out / target)
            log.info("%s: epoch %s held-back %s", target, checkpoint["epoch"], checkpoint["held_back"])
    with tarfile.open(out / "logs.tar.gz", "w:gz") as archive:
        for path in sorted(work.glob("*.log")) + sorted(work.glob("*.json")) + sorted(work.glob("*/history.json")):
            archive.add(path, arcname=str(path.relative_to(work)))
        for extra in ("teacher.npz", "recipe.log"):
            if (work / extra).is_file():
                archive.add(work / extra, arcname=extra)


def _held_back_mean(checkpoint: Path) -> float:
    return torch.load(checkpoint, map_location="cpu", weights_only=False)["held_back"]["mean"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.gpu_recipe", description=__doc__)
    parser.add_argument("--packed", required=True, help="the training.packed_faces file")
    parser.add_argument("--init", required=True, help="ImageNet start: 'imagenet' (the wheel) or a backbone file")
    parser.add_argument("--work", required=True, help="a scratch folder for the runs")
    parser.add_argument("--out", required=True, help="where the results go")
    parser.add_argument("--budget", type=float, default=420.0, help="wall-clock seconds for the whole recipe")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--limit", type=int, default=0, help="smoke runs: the first N faces only")
    parser.add_argument("--max-epochs", type=int, default=60)
    parser.add_argument("--bench-steps", type=int, default=12, help="timed steps per input size before planning")
    parser.add_argument("--plan", choices=sorted(PLANS), default="sixth", help="which call's runs (see above)")
    args = parser.parse_args(argv)
    plan = PLANS[args.plan]
    teachers, students = plan.teachers, plan.students
    started = time.time()
    work, out = Path(args.work), Path(args.out)
    work.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(message)s",
        handlers=[logging.StreamHandler(), logging.FileHandler(work / "recipe.log")],
    )
    log.info("device %s: %s", args.device, torch.cuda.get_device_name() if args.device != "cpu" else "cpu")
    sizes = sorted({r.size for r in teachers + students})
    step_time = {size: step_seconds(size, args.device, args.bench_steps) for size in sizes}
    log.info("seconds per step of %d, alone: %s", BATCH, {s: round(t, 4) for s, t in step_time.items()})
    faces = args.limit or 26129
    left = args.budget - (time.time() - started)
    gain = plan.parallel_gain
    teacher_epochs = epochs_for(teachers, left * plan.teacher_share - 25, step_time, faces, 2, args.max_epochs, gain)
    student_epochs = epochs_for(students, left * plan.student_share - 25, step_time, faces, 2, args.max_epochs, gain)
    chosen = {"plan": args.plan, "teacher_epochs": teacher_epochs, "student_epochs": student_epochs}
    chosen["step_seconds"] = step_time
    log.info("plan: %s", chosen)
    (work / "plan.json").write_text(json.dumps(chosen))

    commands = {r.name: command(r, args, teacher_epochs, work, None, {}) for r in teachers}
    run_side_by_side(commands, started + args.budget * plan.teacher_deadline, work)
    ship(work, [r.name for r in teachers], out)

    members = [str(work / r.name / "best.pt") for r in teachers if (work / r.name / "best.pt").is_file()]
    if not members:
        log.error("no teacher finished an epoch inside the budget: no students")
        return 1
    teacher = work / "teacher.npz"
    distil = [sys.executable, "-m", "training.distil_targets", "--out", str(teacher), "--packed", args.packed]
    distil += ["--device", args.device, "--threads", "4"] + [f"--member={m}" for m in members]
    if args.limit:
        log.info("smoke run: the teacher reads every face, the students use the first %d", args.limit)
    log.info("run distil: %s", " ".join(distil[1:]))
    subprocess.run(distil, check=True)

    inits = {}
    at_80 = [r for r in teachers if r.size == 80 and (work / r.name / "best.pt").is_file()]
    if at_80:
        best80 = max(at_80, key=lambda r: _held_back_mean(work / r.name / "best.pt"))
        log.info("students start from ImageNet or from %s", best80.name)
        inits["best-80"] = work / best80.name / "best.pt"
    commands = {r.name: command(r, args, student_epochs, work, teacher, inits, members) for r in students}
    run_side_by_side(commands, started + args.budget, work)
    log.info("done in %.0f s", time.time() - started)
    heads = [r.name for r in students] if plan.heads_back else []
    ship(work, [r.name for r in teachers + students], out, heads)
    if not plan.heads_back:
        shutil.copy(work / "recipe.log", out / "recipe.log")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
