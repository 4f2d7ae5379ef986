"""The splitter on real meeting screenshots and on compressed copies of frames.

Our own renderings are a poor judge of the splitter (it found 99.99 % of their tiles and half of those on
real screens), so every figure it is judged by comes with these two:

- :func:`score_real` runs :func:`bot.gallery.split_gallery` over the real development set
  (``../shared/real-galleries``: hand-measured tile boxes in ``manifest.csv``) and scores each image's tiles
  at IoU >= 0.5 (the boxes are measured to about 2 px; a speaker border is drawn a few pixels off the cell);
- :func:`score_compressed` re-encodes frames as JPEG at several qualities and as video (OpenCV's mp4v and
  MJPG codecs) and scores the tiles found on each copy against those found on the lossless frame.

``python -m bot.synthetic.evaluate --real ../shared/real-galleries --compressed 30`` prints both beside the
synthetic figures.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from bot.frames import Box

#: a found tile counts for a measured one at this IoU (see the module docstring)
REAL_IOU = 0.5
JPEG_QUALITIES = (95, 90, 75, 50)
VIDEO_CODECS = ("mp4v", "MJPG")


@dataclass
class RealSplit:
    """The splitter's tiles on one real screenshot against the manifest's."""

    file: str
    kind: str
    truth: int
    found: int
    matched: int
    confidence: float
    method: str
    ms: float

    @property
    def recall(self) -> float:
        return self.matched / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0


def _gamma(image: np.ndarray, gamma: float) -> np.ndarray:
    return (255.0 * (image / 255.0) ** gamma).astype(np.uint8)


def _rotated(image: np.ndarray, degrees: float) -> np.ndarray:
    height, width = image.shape[:2]
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(image, turn, (width, height), borderMode=cv2.BORDER_REPLICATE)


def _noisy(image: np.ndarray, level: float) -> np.ndarray:
    grain = np.random.default_rng(0).normal(0, level, image.shape)
    return np.clip(image + grain, 0, 255).astype(np.uint8)


#: what a dim or bright monitor, a photo of a screen or a grainy recording does to a screenshot
#: (``python -m bot.synthetic.evaluate --real ... --perturb``)
PERTURBATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "gamma1.6": lambda image: _gamma(image, 1.6),
    "gamma0.6": lambda image: _gamma(image, 0.6),
    "contrast0.6": lambda image: np.clip((image.astype(np.float32) - 128) * 0.6 + 128, 0, 255).astype(np.uint8),
    "blur1": lambda image: cv2.GaussianBlur(image, (0, 0), 1.0),
    "blur1.5": lambda image: cv2.GaussianBlur(image, (0, 0), 1.5),
    "rot0.5": lambda image: _rotated(image, 0.5),
    "noise6": lambda image: _noisy(image, 6.0),
}


def scaled(image: np.ndarray, scale: float) -> np.ndarray:
    """The screenshot as a screen ``scale`` times as large would show it (area averaging down, cubic up)."""
    if scale == 1.0:
        return image
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def score_real(folder: Path | str, scale: float = 1.0, perturb: str | None = None) -> list[RealSplit]:
    """The splitter on every screenshot of the development set (resized by ``scale``, with its boxes; changed
    by one of :data:`PERTURBATIONS`, whose boxes stay)."""
    from bot.gallery import split_gallery
    from bot.realset import load_manifest
    from bot.synthetic.evaluate import match_tiles

    results = []
    for real in load_manifest(folder):
        image, file, kind = scaled(real.image(), scale), real.name, real.kind
        if perturb:
            image = PERTURBATIONS[perturb](image)
        boxes = [tuple(round(v * scale) for v in box) for box in real.boxes]
        start = time.perf_counter()
        gallery = split_gallery(image)
        ms = (time.perf_counter() - start) * 1000.0
        found = [t.box for t in gallery.tiles]
        matched = len(match_tiles(boxes, found, REAL_IOU))
        results.append(
            RealSplit(file, kind, len(boxes), len(found), matched, gallery.confidence, gallery.method, round(ms, 1))
        )
    return results


def format_scaled(by_scale: dict[float, list[RealSplit]]) -> str:
    """One line per image, one column per scale: tiles found of the manifest's (IoU >= REAL_IOU), then totals."""
    title = f"the real screenshots resized, against their resized boxes (IoU >= {REAL_IOU}): matched/tiles (found)"
    return _columns({"x" + format(s, "g"): results for s, results in by_scale.items()}, title, ", all scales")


def format_perturbed(by_change: dict[str, list[RealSplit]]) -> str:
    """One line per image, one column per :data:`PERTURBATIONS` entry, then each one's totals."""
    title = f"the real screenshots dimmed, blurred, turned or grainy (IoU >= {REAL_IOU}): matched/tiles (found)"
    lines = [_columns(by_change, title, ", all changes")]
    for change, results in by_change.items():
        lines += _totals(results, (("real", "real"),), f", {change}")
    return "\n".join(lines)


def _columns(by_column: dict[str, list[RealSplit]], title: str, what: str) -> str:
    files = [r.file for r in next(iter(by_column.values()))]
    lines = [title, f"{'image':14s} " + " ".join(f"{c:>11s}" for c in by_column)]
    for k, file in enumerate(files):
        cells = [f"{r[k].matched}/{r[k].truth} ({r[k].found})" for r in by_column.values()]
        lines.append(f"{file:14s} " + " ".join(f"{c:>11s}" for c in cells))
    every = [r for results in by_column.values() for r in results]
    lines += _totals(every, (("real", "real"), ("mockup", "mockups")), what)
    return "\n".join(lines)


def _totals(results: list[RealSplit], kinds: tuple[tuple[str, str], ...], what: str = "") -> list[str]:
    """Recall and precision summed over the results of each (kind, title), one line each where there are any."""
    lines = []
    for kind, name in kinds:
        part = [r for r in results if r.kind == kind]
        if part:
            truth, found, matched = (sum(getattr(r, a) for r in part) for a in ("truth", "found", "matched"))
            lines.append(
                f"{name}{what}: recall {matched}/{truth} = {matched / max(1, truth):.3f}, "
                f"precision {matched}/{found} = {matched / max(1, found):.3f}"
            )
    return lines


def format_real(results: list[RealSplit]) -> str:
    lines = [
        f"gallery split on real screenshots (IoU >= {REAL_IOU})",
        "",
        f"{'image':14s} {'kind':9s} {'tiles':>6s} {'found':>6s} {'recall':>7s} {'precis.':>7s} "
        f"{'conf.':>6s} {'method':20s} {'ms':>7s}",
    ]
    for r in results:
        lines.append(
            f"{r.file:14s} {r.kind:9s} {r.truth:6d} {r.found:6d} {r.recall:7.3f} {r.precision:7.3f} "
            f"{r.confidence:6.2f} {r.method or '-':20s} {r.ms:7.1f}"
        )
    lines += _totals(results, (("real", "real"), ("mockup", "mockups"), ("synthetic", "test pattern")))
    return "\n".join(lines)


@dataclass
class CompressedSplit:
    """Tiles found on compressed copies against those found on the lossless frames, per kind of copy."""

    matched: dict[str, int] = field(default_factory=dict)
    reference: dict[str, int] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    #: each copy's :func:`bot.sources.compression.blockiness` (what the bot warns on), per frame
    blockiness: dict[str, list[float]] = field(default_factory=dict)

    def add(self, copy: str, reference: list[Box], found: list[Box], image: np.ndarray | None = None) -> None:
        from bot.sources.compression import blockiness
        from bot.synthetic.evaluate import match_tiles

        self.matched[copy] = self.matched.get(copy, 0) + len(match_tiles(reference, found, REAL_IOU))
        self.reference[copy] = self.reference.get(copy, 0) + len(reference)
        self.found[copy] = self.found.get(copy, 0) + len(found)
        if image is not None:
            self.blockiness.setdefault(copy, []).append(blockiness(image))

    def recall(self, copy: str) -> float:
        return self.matched[copy] / max(1, self.reference[copy])

    def precision(self, copy: str) -> float:
        return self.matched[copy] / max(1, self.found[copy])


def jpeg_copy(image: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def video_copies(frames: list[np.ndarray], codec: str) -> list[np.ndarray]:
    """The frames written to a video file with ``codec`` and read back (one size per file: each frame is
    written as a video of its own, as a recording of one class is one size)."""
    copies = []
    with tempfile.TemporaryDirectory() as folder:
        for k, frame in enumerate(frames):
            path = str(Path(folder) / f"{k}.{'avi' if codec == 'MJPG' else 'mp4'}")
            height, width = frame.shape[:2]
            writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*codec), 5.0, (width, height))
            if not writer.isOpened():
                raise RuntimeError(f"OpenCV cannot write {codec} video here")
            for _ in range(3):  # a few frames, so that the one read back is not only a key frame
                writer.write(frame)
            writer.release()
            capture = cv2.VideoCapture(path)
            frames_read = []
            while True:
                ok, image = capture.read()
                if not ok:
                    break
                frames_read.append(image)
            capture.release()
            if not frames_read:
                raise RuntimeError(f"OpenCV cannot read back its own {codec} video")
            copies.append(frames_read[-1])
    return copies


def score_compressed(
    images: list[np.ndarray], codecs: tuple[str, ...] = VIDEO_CODECS, qualities: tuple[int, ...] = JPEG_QUALITIES
) -> CompressedSplit:
    """Tiles on JPEG copies of each image at ``qualities`` and on video copies, against the tiles found on
    the image itself."""
    from bot.gallery import split_gallery

    score = CompressedSplit()
    references = [[t.box for t in split_gallery(image).tiles] for image in images]
    for image, reference in zip(images, references, strict=True):
        for quality in qualities:
            copy = jpeg_copy(image, quality)
            score.add(f"jpeg q{quality}", reference, [t.box for t in split_gallery(copy).tiles], copy)
    for codec in codecs:
        for copy, reference in zip(video_copies(images, codec), references, strict=True):
            score.add(f"video {codec}", reference, [t.box for t in split_gallery(copy).tiles], copy)
    return score


def format_compressed(score: CompressedSplit, what: str) -> str:
    from statistics import median

    from bot.sources.compression import HEAVY_BLOCKINESS

    lines = [
        f"tiles on compressed copies of {what}, against the lossless frames (IoU >= {REAL_IOU}); blockiness: "
        f"what the bot measures, and warns about from {HEAVY_BLOCKINESS:g}"
    ]
    for copy in score.reference:
        blocky = score.blockiness.get(copy)
        lines.append(
            f"  {copy:12s} recall {score.matched[copy]}/{score.reference[copy]} = {score.recall(copy):.3f}, "
            f"precision {score.precision(copy):.3f}" + (f", blockiness median {median(blocky):.2f}" if blocky else "")
        )
    return "\n".join(lines)
