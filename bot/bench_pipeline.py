"""``classmood bench pipeline``: the whole capture pipeline on a 49-tile 1920x1080 gallery.

Steady state, as in a running class: the first capture (which reads every
name label) is a warm-up; the timed captures find every label in the OCR
cache. Reports the median end to end and per stage.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from statistics import median
from typing import Any

from bot.frames import Frame


def bench_pipeline(
    model: str = "ferplus",
    captures: int = 15,
    tiles: int = 49,
    seed: int = 0,
    names: str = "auto",
    on_no_reader: Callable[[Exception], None] | None = None,
) -> dict[str, Any]:
    """Figures of the pipeline in steady state; raises ModelNotFoundError (see :func:`bot.pipeline.build_pipeline`)."""
    from bot.pipeline import build_pipeline
    from bot.synthetic.render import render_scene
    from bot.synthetic.scene import random_scene

    scene = random_scene(random.Random(seed), platform="zoom", tiles=tiles, variant="plain", size=(1920, 1080))
    image, truth = render_scene(scene)
    pipeline = build_pipeline(model, names=names, on_no_reader=on_no_reader)
    frame = Frame(image, datetime.now(UTC), source="synthetic")
    warmup = pipeline.process([frame])
    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    for _ in range(captures):
        started = time.perf_counter()
        result = pipeline.process([frame])
        totals.append((time.perf_counter() - started) * 1000.0)
        for stage, ms in result.timings_ms.items():
            stages.setdefault(stage, []).append(ms)
    return {
        "frame": [1920, 1080],
        "tiles_truth": len(truth.tiles),
        "tiles_found": result.tiles,
        "faces_found": result.faces,
        "names_read": result.names,
        "names_engine": names,
        "first_capture_ms": round(sum(warmup.timings_ms.values()), 1),
        "first_capture_names_ms": round(warmup.timings_ms.get("names", 0.0), 1),
        "captures": captures,
        "median_ms": round(median(totals), 1),
        "stages_median_ms": {stage: round(median(values), 1) for stage, values in stages.items()},
        "bar_ms": 250,
        "goal_ms": 100,
    }


def summary(result: dict[str, Any]) -> str:
    stages = ", ".join(f"{k} {v:.0f}" for k, v in result["stages_median_ms"].items())
    return (
        f"pipeline on a 1920x1080 gallery ({result['tiles_found']}/{result['tiles_truth']} tiles, "
        f"{result['faces_found']} faces, {result['names_read']} names):\n"
        f"  steady state: {result['median_ms']:.0f} ms median per capture over {result['captures']} captures "
        f"(bar <= 250 ms, goal <= 100 ms)\n"
        f"  per stage (ms): {stages}\n"
        f"  first capture (reads every name, --names {result['names_engine']}): {result['first_capture_ms']:.0f} ms, "
        f"of which names {result['first_capture_names_ms']:.0f} ms"
    )
