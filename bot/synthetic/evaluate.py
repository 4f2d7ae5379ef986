"""Measure the gallery splitter on synthetic frames.

    python -m bot.synthetic.evaluate --frames 330 --real ../shared/real-galleries --compressed 30

Renders ``--frames`` frames spread over the three platforms, every variant
(:data:`bot.synthetic.scene.VARIANTS`) and 1..49 tiles, runs
:func:`bot.gallery.split_gallery` on each and reports tile recall and
precision at IoU >= 0.85 (overall, per platform, per variant), how often the
name label lies inside the predicted label strip, page-control accuracy and
the split time (median and 95th percentile, this machine, one thread of
Python). A frame's floating self-view is the instructor's own video: the real
development set counts such a video as a tile and our renderer does not, so
the splitter's tile there (:mod:`bot.gallery.floating`) is scored neither way
and counted apart ("self-views found"). ``--save-failures DIR`` writes the frames with a missed or extra
tile, the truth drawn in green and the prediction in red.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import median

import cv2
import numpy as np

from analytics.names import normalize_name as analytics_normalize
from bot.frames import Box, Gallery
from bot.gallery.tiles import iou
from bot.synthetic import real_split
from bot.synthetic.scene import PLATFORMS, VARIANTS, FrameTruth, random_scene

IOU_BAR = 0.85
#: a floating tile on a frame's self-view (IoU at least this) is the splitter's floating video there
SELF_VIEW_IOU = 0.5


def match_tiles(truth: list[Box], predicted: list[Box], bar: float = IOU_BAR) -> list[tuple[int, int, float]]:
    """Greedy one-to-one matches (truth index, predicted index, IoU) with IoU >= ``bar``."""
    pairs = sorted(((iou(t, p), i, j) for i, t in enumerate(truth) for j, p in enumerate(predicted)), reverse=True)
    used_t, used_p, out = set(), set(), []
    for value, i, j in pairs:
        if value < bar:
            break
        if i in used_t or j in used_p:
            continue
        used_t.add(i)
        used_p.add(j)
        out.append((i, j, value))
    return out


def contained(inner: Box, outer: Box) -> float:
    """Share of ``inner``'s area that lies inside ``outer``."""
    ix, iy, iw, ih = inner
    ox, oy, ow, oh = outer
    x = max(0, min(ix + iw, ox + ow) - max(ix, ox))
    y = max(0, min(iy + ih, oy + oh) - max(iy, oy))
    return x * y / max(1, iw * ih)


def _centre_in(box: Box | None, target: Box | None, slack: int = 4) -> bool:
    if box is None or target is None:
        return box is None and target is None
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    x, y, w, h = target
    return x - slack <= cx <= x + w + slack and y - slack <= cy <= y + h + slack


@dataclass
class FrameScore:
    truth_tiles: int
    predicted: int
    matched: int
    labels_inside: int
    mean_iou: float
    pages_ok: bool | None  # None: no pages in truth and none predicted
    grid_ok: bool
    ms: float
    cpu_ms: float = 0.0
    size: tuple[int, int] = (0, 0)
    tags: tuple[str, ...] = field(default_factory=tuple)
    self_view: bool | None = None  # None: the frame has none; else whether a tile was found on it


def score_frame(truth: FrameTruth, gallery: Gallery, ms: float, cpu_ms: float = 0.0) -> FrameScore:
    t_boxes = [t.box for t in truth.tiles]
    tiles = gallery.tiles
    self_view = None
    if truth.self_view is not None:  # the instructor's video: a tile to the real set, not to ours (see above)
        on_self_view = [t for t in tiles if t.floating and iou(t.box, truth.self_view) >= SELF_VIEW_IOU]
        self_view = bool(on_self_view)
        tiles = [t for t in tiles if t not in on_self_view]
    gallery = replace(gallery, tiles=tiles)
    p_boxes = [t.box for t in gallery.tiles]
    matches = match_tiles(t_boxes, p_boxes)
    labels = sum(
        1
        for i, j, _ in matches
        if truth.tiles[i].label_box is not None
        and gallery.tiles[j].label_box is not None
        and contained(truth.tiles[i].label_box, gallery.tiles[j].label_box) >= 0.9
    )
    grid_ok = all(
        (truth.tiles[i].row, truth.tiles[i].col) == (gallery.tiles[j].row, gallery.tiles[j].col) for i, j, _ in matches
    )
    pages_ok: bool | None = None
    if truth.pages is not None or gallery.pages is not None:
        t, p = truth.pages, gallery.pages
        pages_ok = (
            t is not None
            and p is not None
            and _centre_in(p.next_arrow, t.next_arrow)
            and _centre_in(p.previous_arrow, t.previous_arrow)
            and (t.current, t.total) == (p.current, p.total)
        )
    return FrameScore(
        truth_tiles=len(t_boxes),
        predicted=len(p_boxes),
        matched=len(matches),
        labels_inside=labels,
        mean_iou=float(np.mean([m[2] for m in matches])) if matches else 0.0,
        pages_ok=pages_ok,
        grid_ok=grid_ok,
        ms=ms,
        cpu_ms=cpu_ms,
        size=truth.size,
        tags=truth.tags,
        self_view=self_view,
    )


def frame_plan(frames: int, seed: int = 0) -> list[tuple[str, str, int, int]]:
    """(platform, variant, tiles, seed) for each frame: every platform x variant, tile counts spread 1..49."""
    plan = []
    for i in range(frames):
        platform = PLATFORMS[i % len(PLATFORMS)]
        variant = VARIANTS[(i // len(PLATFORMS)) % len(VARIANTS)]
        tiles = 1 + (i * 17 + seed * 7) % 49
        plan.append((platform, variant, tiles, seed * 100_003 + i))
    return plan


def _summary(scores: list[FrameScore]) -> dict:
    truth = sum(s.truth_tiles for s in scores)
    predicted = sum(s.predicted for s in scores)
    matched = sum(s.matched for s in scores)
    paged = [s.pages_ok for s in scores if s.pages_ok is not None]
    return {
        "frames": len(scores),
        "tiles": truth,
        "recall": round(matched / truth, 4) if truth else None,
        "precision": round(matched / predicted, 4) if predicted else None,
        "perfect_frames": sum(s.matched == s.truth_tiles == s.predicted for s in scores),
        "labels_inside": round(sum(s.labels_inside for s in scores) / matched, 4) if matched else None,
        "grid_cells_right": round(sum(s.grid_ok for s in scores) / len(scores), 4) if scores else None,
        "pages_right": f"{sum(paged)}/{len(paged)}" if paged else None,
        "split_ms_median": round(median(s.ms for s in scores), 2) if scores else None,
        "self_views_found": _self_views(scores),
    }


def _self_views(scores: list[FrameScore]) -> str | None:
    """How many of the frames' floating self-views the splitter took as a tile ("found/frames with one")."""
    shown = [s.self_view for s in scores if s.self_view is not None]
    return f"{sum(shown)}/{len(shown)}" if shown else None


def _draw_failure(path: Path, image: np.ndarray, truth: FrameTruth, gallery: Gallery) -> None:

    out = image.copy()
    for t in truth.tiles:
        x, y, w, h = t.box
        cv2.rectangle(out, (x, y), (x + w - 1, y + h - 1), (0, 255, 0), 3)
    for t in gallery.tiles:
        x, y, w, h = t.box
        cv2.rectangle(out, (x + 3, y + 3), (x + w - 4, y + h - 4), (0, 0, 255), 2)
    cv2.imwrite(str(path), out)


def _score_names(
    reader, image: np.ndarray, truth: FrameTruth, gallery: Gallery, results: list[bool], misses: list
) -> None:
    """Reads the name label of every found tile that matches a true one; appends to ``results`` whether it
    reads as the shown name (after normalization), and the first 40 misses (shown, read) to ``misses``."""
    matches = match_tiles([t.box for t in truth.tiles], [t.box for t in gallery.tiles])
    read = reader.read([gallery.tiles[j].label_crop(image) for _, j, _ in matches])
    for (i, _, _), name in zip(matches, read, strict=True):
        ok = analytics_normalize(name or "") == analytics_normalize(truth.tiles[i].shown_name)
        results.append(ok)
        if not ok and len(misses) < 40:
            misses.append((truth.tiles[i].shown_name, name))


def _names_summary(reader, name_results: dict[str, list[bool]], name_misses: list) -> dict:
    """The names figures: labels read, exactly right (all and per platform), OCR calls, some misses."""
    every = [ok for oks in name_results.values() for ok in oks]
    return {
        "labels": len(every),
        "exact": sum(every),
        "exact_rate": round(sum(every) / len(every), 4) if every else None,
        "per_platform": {p: round(sum(v) / len(v), 4) for p, v in name_results.items() if v},
        "ocr_calls": reader.ocr_calls,
        "some_misses": name_misses,
    }


def evaluate(
    frames: int = 330,
    seed: int = 0,
    save_failures: Path | None = None,
    progress=None,
    names: bool = False,
    engine: str = "auto",
    lexicon: bool = True,
    wild: bool = False,
) -> dict:
    from bot.gallery import split_gallery
    from bot.synthetic.render import render_scene

    reader = None
    if names:
        from bot.names import NameReader

        reader = NameReader(engine=engine, lexicon=lexicon)
    name_results: dict[str, list[bool]] = defaultdict(list)
    name_misses: list[tuple[str, str | None]] = []
    scores: list[tuple[str, str, FrameScore]] = []
    warm = False
    for k, (platform, variant, tiles, frame_seed) in enumerate(frame_plan(frames, seed)):
        scene = random_scene(random.Random(frame_seed), platform, tiles, variant)
        image, truth = render_scene(replace(scene, wild=True) if wild else scene)
        if not warm:
            split_gallery(image)
            warm = True
        start, cpu_start = time.perf_counter(), time.process_time()
        gallery = split_gallery(image)
        ms = (time.perf_counter() - start) * 1000.0
        cpu_ms = (time.process_time() - cpu_start) * 1000.0
        score = score_frame(truth, gallery, ms, cpu_ms)
        scores.append((platform, variant, score))
        if reader is not None:
            _score_names(reader, image, truth, gallery, name_results[platform], name_misses)
        if save_failures is not None and not (score.matched == score.truth_tiles == score.predicted):
            save_failures.mkdir(parents=True, exist_ok=True)
            _draw_failure(save_failures / f"{k:04d}_{platform}_{variant}_{tiles}.png", image, truth, gallery)
        if progress is not None and (k + 1) % 25 == 0:
            progress(f"{k + 1}/{frames} frames")
    times = [s.ms for _, _, s in scores]
    full_hd = [s for _, _, s in scores if s.size == (1920, 1080)]
    result = {
        "command": f"python -m bot.synthetic.evaluate --frames {frames} --seed {seed}"
        + (f" --names --engine {engine}" if names else "")
        + (" --no-lexicon" if names and not lexicon else "")
        + (" --wild" if wild else ""),
        "iou_bar": IOU_BAR,
        "overall": _summary([s for _, _, s in scores]),
        "split_ms_p95": round(float(np.percentile(times, 95)), 2) if times else None,
        "split_ms_median_1920x1080": round(median(s.ms for s in full_hd), 2) if full_hd else None,
        "split_cpu_ms_median_1920x1080": round(median(s.cpu_ms for s in full_hd), 2) if full_hd else None,
        "frames_1920x1080": len(full_hd),
        "load_average": _load(),
        "per_platform": {},
        "per_variant": {},
    }
    by_platform, by_variant = defaultdict(list), defaultdict(list)
    for platform, variant, score in scores:
        by_platform[platform].append(score)
        by_variant[variant].append(score)
    result["per_platform"] = {p: _summary(v) for p, v in by_platform.items()}
    result["per_variant"] = {v: _summary(s) for v, s in by_variant.items()}
    if reader is not None:
        result["names"] = _names_summary(reader, name_results, name_misses)
    return result


def _load() -> list[float] | None:
    try:
        import os

        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def format_report(result: dict) -> str:
    wild = " (wild: randomized look and scale, noise, blur, JPEG)" if result["command"].endswith("--wild") else ""
    lines = [f"gallery split on synthetic frames{wild} (IoU >= {result['iou_bar']})", ""]
    header = (
        f"{'':14s} {'frames':>6s} {'tiles':>6s} {'recall':>7s} {'precis.':>7s} {'perfect':>7s} "
        f"{'labels':>7s} {'grid':>6s} {'pages':>7s} {'ms med':>7s}"
    )
    lines.append(header)

    def row(name: str, s: dict) -> str:
        return (
            f"{name:14s} {s['frames']:6d} {s['tiles']:6d} {s['recall'] or 0:7.4f} {s['precision'] or 0:7.4f} "
            f"{s['perfect_frames']:7d} {s['labels_inside'] or 0:7.4f} {s['grid_cells_right'] or 0:6.3f} "
            f"{s['pages_right'] or '-':>7s} {s['split_ms_median'] or 0:7.2f}"
        )

    lines.append(row("all", result["overall"]))
    for name, s in result["per_platform"].items():
        lines.append(row(name, s))
    for name, s in result["per_variant"].items():
        lines.append(row(name, s))
    lines.append("")
    lines.append(
        f"split time, all frames: median {result['overall']['split_ms_median']} ms, "
        f"p95 {result['split_ms_p95']} ms (wall clock)"
    )
    if result["overall"].get("self_views_found"):
        found = result["overall"]["self_views_found"]
        lines.append(f"floating self-views taken as a tile (scored neither way): {found}")
    if "names" in result:
        n = result["names"]
        lines.append(
            f"names read exactly (after normalization): {n['exact']}/{n['labels']} = {n['exact_rate']}, "
            f"per platform {n['per_platform']}"
        )
    lines.append(
        f"split time, the {result['frames_1920x1080']} frames of 1920x1080: median "
        f"{result['split_ms_median_1920x1080']} ms wall clock, {result['split_cpu_ms_median_1920x1080']} ms "
        f"CPU (process time); load average then {result['load_average']}"
    )
    return "\n".join(lines)


def _real_and_compressed(
    real: str | None,
    compressed: int,
    seed: int,
    qualities: tuple[int, ...] = real_split.JPEG_QUALITIES,
    scales: tuple[float, ...] = (),
    perturb: bool = False,
) -> dict:
    """Print (and return) the real-screenshot and compressed-copy figures beside the synthetic ones."""
    out: dict = {}
    if real:
        from bot.gallery import split_gallery
        from bot.realset import format_table, measure

        results = real_split.score_real(real)
        print()
        print(real_split.format_real(results))
        out["real"] = [vars(r) | {"recall": r.recall, "precision": r.precision} for r in results]
        if scales:
            by_scale = {scale: real_split.score_real(real, scale) for scale in scales}
            print()
            print(real_split.format_scaled(by_scale))
            out["real_scaled"] = {str(s): [vars(r) for r in results] for s, results in by_scale.items()}
        if perturb:
            by_change = {name: real_split.score_real(real, perturb=name) for name in real_split.PERTURBATIONS}
            print()
            print(real_split.format_perturbed(by_change))
            out["real_perturbed"] = {name: [vars(r) for r in results] for name, results in by_change.items()}
        rows = measure(real, split=lambda image: split_gallery(image).tiles)
        print()
        print("names and faces on the tiles the splitter found")
        print(format_table(rows))
        out["real_names_faces"] = rows
    if compressed:
        from bot.synthetic.render import render_scene

        frames = [
            render_scene(random_scene(random.Random(s), platform, tiles, variant))[0]
            for platform, variant, tiles, s in frame_plan(compressed, seed)
        ]
        score = real_split.score_compressed(frames, qualities=qualities)
        print()
        print(real_split.format_compressed(score, f"{compressed} rendered frames"))
        out["compressed_rendered"] = {c: score.recall(c) for c in score.reference}
        if real:
            from bot.realset import load_manifest

            images = [image.image() for image in load_manifest(real)]
            score = real_split.score_compressed(images, codecs=(), qualities=qualities)
            print(real_split.format_compressed(score, "the real screenshots"))
            out["compressed_real"] = {c: score.recall(c) for c in score.reference}
    return out


def _number_list(kind: type, low: float, high: float, what: str):
    """An argparse type: comma-separated numbers of ``kind``, each within [low, high] (``what`` names them)."""

    def parse(text: str) -> tuple:
        try:
            values = tuple(kind(v) for v in text.split(","))
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
        if not all(low <= v <= high for v in values):
            raise argparse.ArgumentTypeError(f"{what} are {low:g}-{high:g}")
        return values

    return parse


def main(argv: list[str] | None = None) -> int:
    from bot.names import ENGINES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=330, help="frames to render (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--names", action="store_true", help="also read every name label (OCR) and score it")
    parser.add_argument("--engine", choices=ENGINES, default="auto", help="name reader (default: auto)")
    parser.add_argument(
        "--no-lexicon", action="store_true", help="read names letter by letter, without the lexicon of known names"
    )
    parser.add_argument("--save-failures", help="write frames with a missed or extra tile to this folder")
    parser.add_argument(
        "--wild",
        action="store_true",
        help="randomize every frame's look and scale (bot/synthetic/wild.py lists what), add noise, blur and JPEG",
    )
    parser.add_argument(
        "--real", metavar="FOLDER", help="also score the real screenshots in FOLDER (e.g. ../shared/real-galleries)"
    )
    parser.add_argument(
        "--compressed",
        type=int,
        default=0,
        metavar="N",
        help="also split JPEG (q95-q50) and video (mp4v, MJPG) copies of N rendered frames (and of the real "
        "screenshots with --real) and compare with the lossless frames",
    )
    parser.add_argument(
        "--qualities",
        type=_number_list(int, 1, 100, "JPEG qualities"),
        default=real_split.JPEG_QUALITIES,
        metavar="Q,Q,...",
        help="JPEG qualities of the --compressed copies (default: %(default)s; a sweep such as "
        "95,90,85,80,75,70,65,60,55,50 shows how steady the split is between them)",
    )
    parser.add_argument(
        "--scales",
        type=_number_list(float, 0.2, 4, "scales"),
        default=(),
        metavar="S,S,...",
        help="with --real, also split the screenshots resized by each factor (e.g. 0.5,0.67,0.8,0.9,1.1,1.25,1.5: "
        "the same screens at other resolutions)",
    )
    parser.add_argument(
        "--perturb",
        action="store_true",
        help="with --real, also split the screenshots dimmed (gamma 1.6), brightened (0.6), flattened (contrast "
        "0.6), blurred (1 and 1.5 px), turned (0.5 degrees) and grainy (noise of 6 grey levels)",
    )
    args = parser.parse_args(argv)
    if args.real and not (Path(args.real) / "manifest.csv").is_file():
        parser.error(f"no manifest.csv in {args.real}")
    failures = Path(args.save_failures) if args.save_failures else None
    result = evaluate(
        args.frames,
        args.seed,
        failures,
        progress=lambda m: print(m, file=sys.stderr),
        names=args.names,
        engine=args.engine,
        lexicon=not args.no_lexicon,
        wild=args.wild,
    )
    print(format_report(result))
    real_figures = _real_and_compressed(
        args.real, args.compressed, args.seed, args.qualities, args.scales, args.perturb
    )
    result.update(real_figures)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
