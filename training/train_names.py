"""Train the name reader (``classmood train-names``): render strips, train the CRNN with CTC, export ONNX.

Steps, each resumable:

1. ``OUT/data-{train,val}.npz``: rendered label strips cut by the bot's own
   line finder (:mod:`training.name_data`), built once by worker processes;
2. epochs of CTC training (AdamW, one-cycle), a checkpoint every epoch
   (``OUT/last.pt``; ``--resume`` continues from it), the best epoch by exact
   line accuracy on the validation strips kept as ``OUT/best.pt``;
3. ``classmood train-names --export`` writes ``model/weights/names.onnx``.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from model.text_recognizer import CHARSET, RECOGNIZER_PATH, RIGHT_MARGIN, greedy_decode, output_steps


@dataclass
class NameTrainConfig:
    out: Path
    faces: Path | None
    samples: int = 80_000
    val_samples: int = 3_000
    epochs: int = 10
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-4
    seed: int = 0
    max_width: int = 480
    workers: int = 2
    #: start from these weights (a run's best.pt, or an exported .onnx reader) instead of from scratch
    init: Path | None = None
    #: share of strips rendered as downscaled captures (``training.name_data.render_strip``); 0 keeps the earlier
    #: stages' strips exactly
    small_share: float = 0.0
    #: torch device the network trains on ("cpu", "cuda"); strips are always rendered on the CPU
    device: str = "cpu"


def _build_chunk(args: tuple[int, int, str | None, int, float]) -> dict[str, np.ndarray]:
    from training.name_data import build_dataset, load_face_textures

    count, seed, faces_dir, max_width, small_share = args
    faces = load_face_textures(Path(faces_dir) if faces_dir else None, seed=seed)
    return build_dataset(count, seed, faces, max_width, small_share=small_share)


def build_data(config: NameTrainConfig, split: str, count: int, seed: int) -> Path:
    """Render ``count`` strips into OUT/data-SPLIT.npz (kept: a rerun reuses it)."""
    path = config.out / f"data-{split}.npz"
    if path.exists():
        return path
    workers = max(1, config.workers)
    chunks = [count // workers + (i < count % workers) for i in range(workers)]
    jobs = [
        (n, seed * 1000 + i, str(config.faces) if config.faces else None, config.max_width, config.small_share)
        for i, n in enumerate(chunks)
    ]
    started = time.perf_counter()
    print(f"rendering {count} {split} label strips with {workers} processes ...", flush=True)
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        parts = pool.map(_build_chunk, jobs)
    data = {key: np.concatenate([part[key] for part in parts]) for key in ("images", "widths", "texts")}
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, images=data["images"], widths=data["widths"], texts=np.array(data["texts"], dtype=str))
    tmp.replace(path)
    print(f"  {count} strips in {time.perf_counter() - started:.0f} s -> {path}", flush=True)
    return path


_LETTER_INDEX = {ch: i + 1 for i, ch in enumerate(CHARSET)}  # 0 is CTC's blank


def _encode(text: str) -> list[int]:
    return [_LETTER_INDEX[ch] for ch in text]


def _batches(widths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Batches of similar width (sorted within shuffled chunks of 50 batches), in random order."""
    order = rng.permutation(len(widths))
    chunk = batch_size * 50
    batches = []
    for start in range(0, len(order), chunk):
        part = order[start : start + chunk]
        part = part[np.argsort(widths[part], kind="stable")]
        batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def _steps(widths: np.ndarray) -> list[int]:
    return [output_steps(int(w)) for w in widths]


def _tensor(images: np.ndarray, widths: np.ndarray, rows: np.ndarray, device: str = "cpu"):
    import torch

    width = int(widths[rows].max()) + RIGHT_MARGIN
    width += -width % 4
    if width > images.shape[2]:
        images = np.pad(images[rows], ((0, 0), (0, 0), (0, width - images.shape[2])), constant_values=255)
        rows = np.arange(len(rows))
    batch = images[rows, :, :width].astype(np.float32) / 255.0
    return torch.from_numpy((batch[:, None] - 0.5) / 0.5).to(device)


def evaluate(model, data: dict[str, np.ndarray], batch_size: int = 128, device: str = "cpu") -> float:
    """Exact line accuracy."""
    import torch

    model.eval()
    right = 0
    order = np.argsort(data["widths"])
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            log_probs = model(_tensor(data["images"], data["widths"], rows, device))
            for output, steps, truth in zip(
                log_probs.cpu().numpy(), _steps(data["widths"][rows]), data["texts"][rows], strict=True
            ):
                right += greedy_decode(output[:steps]).text == str(truth).strip()
    model.train()
    return right / len(order)


def train(config: NameTrainConfig, resume: bool = False, stop_after: int | None = None) -> float:
    """Train (or continue) a run; ``stop_after`` ends this call after that many epochs (the run stays resumable)."""
    import torch

    from training.name_model import NameCRNN

    config.out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(config.seed)
    train_path = build_data(config, "train", config.samples, config.seed + 1)
    val_path = build_data(config, "val", config.val_samples, config.seed + 2)
    train_data = dict(np.load(train_path))
    val_data = dict(np.load(val_path))
    targets = [_encode(str(t)) for t in train_data["texts"]]

    model = NameCRNN(len(CHARSET) + 1).to(config.device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    steps_per_epoch = -(-len(targets) // config.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=config.lr, total_steps=config.epochs * steps_per_epoch, pct_start=0.1
    )
    state = {"epoch": 0, "best": -1.0, "history": [], "cpu_seconds": 0.0}
    if config.init is not None:
        _start_from(config.init, model, state, train_data, targets, config.seed)
    last = config.out / "last.pt"
    if resume and last.exists():
        state = _resume_from(last, model, optimizer, scheduler, config.epochs)
    last_epoch = config.epochs if stop_after is None else min(config.epochs, state["epoch"] + stop_after)
    for epoch in range(state["epoch"] + 1, last_epoch + 1):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        running = _train_epoch(model, optimizer, scheduler, train_data, targets, config, epoch)
        accuracy = evaluate(model, val_data, device=config.device)
        state["cpu_seconds"] += time.process_time() - cpu_start
        state["epoch"] = epoch
        state["history"].append(
            {
                "epoch": epoch,
                "loss": running,
                "val_exact": accuracy,
                "device": config.device,
                "wall_seconds": round(time.perf_counter() - wall_start, 1),
            }
        )
        print(f"epoch {epoch}: loss {running:.4f}, validation exact lines {accuracy:.4f}", flush=True)
        if accuracy > state["best"]:
            state["best"] = accuracy
            torch.save(
                {"model": model.state_dict(), "state": state, "config": _config_dict(config)}, config.out / "best.pt"
            )
        checkpoint = {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "state": state,
            "config": _config_dict(config),
        }
        torch.save(checkpoint, last.with_suffix(".tmp"))
        last.with_suffix(".tmp").replace(last)
    (config.out / "history.json").write_text(json.dumps(state, indent=2))
    return state["best"]


def _start_from(init: Path, model, state: dict, train_data: dict[str, np.ndarray], targets, seed: int) -> None:
    """Load the ``--init`` weights into ``model``: an exported reader (.onnx) or a run's best.pt, whose history
    becomes an earlier stage of ``state``."""
    import torch

    from training.name_model import from_onnx

    if init.suffix == ".onnx":
        # an exported reader (the shipped names.onnx, say): its weights, batch norms unfolded on training lines
        sample = np.random.default_rng(seed).choice(len(targets), size=min(256, len(targets)), replace=False)
        calibration = _tensor(train_data["images"], train_data["widths"], np.sort(sample))
        model.load_state_dict(from_onnx(init, calibration).state_dict())
        print(f"starting from the exported reader {init}")
        return
    start = torch.load(init, map_location="cpu", weights_only=False)
    model.load_state_dict(start["model"])
    # the earlier stages' CPU time counts towards this model's cost
    state["cpu_seconds"] = start["state"]["cpu_seconds"]
    state["stages"] = [*start["state"].get("stages", []), start["state"]["history"]]
    print(f"starting from {init} (its best exact {start['state']['best']:.4f})")


def _resume_from(last: Path, model, optimizer, scheduler, epochs: int) -> dict:
    """Load ``last.pt`` into the model, optimizer and scheduler; returns the run's state. The run must have been
    started for ``epochs`` epochs (the schedule depends on it)."""
    import torch

    checkpoint = torch.load(last, map_location="cpu", weights_only=False)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    state = checkpoint["state"]
    planned = checkpoint["config"]["epochs"]
    if planned != epochs:
        raise ValueError(
            f"{last} was started for {planned} epochs; resume it with --epochs {planned} "
            "(to train further, start a new run from its best.pt with --init)"
        )
    print(f"resuming after epoch {state['epoch']} (best exact {state['best']:.4f})")
    return state


def _train_epoch(
    model, optimizer, scheduler, train_data: dict[str, np.ndarray], targets: list[list[int]], config, epoch: int
) -> float | None:
    """One epoch of CTC training over width-sorted batches; returns the smoothed loss at its end."""
    import torch
    from tqdm import tqdm

    ctc = torch.nn.CTCLoss(zero_infinity=True)
    rng = np.random.default_rng(config.seed * 1000 + epoch)
    batches = _batches(train_data["widths"], config.batch_size, rng)
    bar = tqdm(batches, desc=f"epoch {epoch}/{config.epochs}", unit="batch", mininterval=5)
    running = None
    for rows in bar:
        images = _tensor(train_data["images"], train_data["widths"], rows, config.device)
        log_probs = model(images)  # N x T x C
        labels = [targets[i] for i in rows]
        # each line's own steps only: the reading has to end where the line does, as the bot reads it alone
        loss = ctc(
            log_probs.transpose(0, 1),
            torch.tensor([c for label in labels for c in label], dtype=torch.long, device=config.device),
            torch.tensor(_steps(train_data["widths"][rows]), dtype=torch.long, device=config.device),
            torch.tensor([len(label) for label in labels], dtype=torch.long, device=config.device),
        )
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        scheduler.step()
        value = loss.item()
        running = value if running is None else 0.98 * running + 0.02 * value
        bar.set_postfix(loss=f"{running:.3f}")
    return running


def _config_dict(config: NameTrainConfig) -> dict:
    return {key: str(value) if isinstance(value, Path) else value for key, value in asdict(config).items()}


def export(checkpoint_path: Path, out: Path = RECOGNIZER_PATH) -> Path:
    """best.pt -> ONNX with the charset and line height in its metadata (dynamic batch and width)."""
    import torch

    from model.text_lines import RECOGNIZER_HEIGHT
    from training.export import write_metadata
    from training.name_model import NameCRNN

    checkpoint = torch.load(checkpoint_path, map_location="cpu", weights_only=False)
    model = NameCRNN(len(CHARSET) + 1)
    model.load_state_dict(checkpoint["model"])
    model.eval()
    example = torch.zeros(2, 1, RECOGNIZER_HEIGHT, 200)
    tmp = out.with_suffix(".tmp.onnx")
    torch.onnx.export(
        model,
        (example,),
        str(tmp),
        input_names=["lines"],
        output_names=["log_probs"],
        dynamic_axes={"lines": {0: "batch", 3: "width"}, "log_probs": {0: "batch", 1: "steps"}},
        dynamo=False,
    )
    write_metadata(tmp, {"charset": CHARSET, "height": str(RECOGNIZER_HEIGHT)}, out)
    tmp.unlink()
    return out
