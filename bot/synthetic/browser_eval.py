"""Measure splitting and name reading on galleries drawn by a real browser.

    python -m bot.synthetic.browser_eval --frames 30 --out shots/

The frames of :mod:`bot.synthetic.evaluate` are drawn by our own renderer;
these are the same kind of scenes written as HTML pages
(:mod:`bot.synthetic.html`: the platforms' fonts, CSS text shadows, rounded
label boxes, JPEG video stills) and screenshotted by headless Chromium at
1920x1080, so text is anti-aliased and hinted the way a meeting client's is.
Each screenshot goes through ``split_gallery`` and the name reader, and is
scored against the page's truth. ``--out`` keeps the screenshots (synthetic
faces only) so ``classmood bot inspect`` can be run on them.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import cv2

from analytics.names import is_truncated, normalize_name
from bot.synthetic.evaluate import IOU_BAR, match_tiles
from bot.synthetic.html import write_gallery_html
from bot.synthetic.scene import PLATFORMS, random_scene

VIEWPORT = (1920, 1080)
#: Scene variants the HTML page draws (no window chrome, share layouts or self-view there).
HTML_VARIANTS = ("plain", "camera_off", "speaker", "light")


#: Chromium without a sandbox (containers), GPU, first-run pages or calls home: for tests and measurements.
QUIET_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(page: Path, out: Path, browser: str, fragment: str = "") -> None:
    """Headless Chromium's screenshot of ``page`` (``#fragment``, e.g. ``page=2``) at :data:`VIEWPORT`."""
    with tempfile.TemporaryDirectory(prefix="classmood-chromium-") as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                *QUIET_FLAGS,
                "--force-device-scale-factor=1",
                f"--user-data-dir={profile}",
                f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
                f"--screenshot={out}",
                f"file://{page}" + (f"#{fragment}" if fragment else ""),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def _same_name(read: str | None, truth: str) -> bool:
    """Exact match, where a label the browser cut short with CSS ellipsis counts when its shown part matches.

    The page's truth holds the full name; the browser decides where "…" goes.
    """
    if read is None:
        return False
    if normalize_name(read) == normalize_name(truth):
        return True
    return (
        is_truncated(read) and len(normalize_name(read)) >= 8 and normalize_name(truth).startswith(normalize_name(read))
    )


def evaluate(frames: int, seed: int, out: Path, browser: str, engine: str = "auto") -> dict:
    from bot.gallery import split_gallery
    from bot.names import NameReader

    reader = NameReader(engine=engine)
    tiles_truth = tiles_found = 0
    names: dict[str, list[bool]] = defaultdict(list)
    misses: list[tuple[str, str | None]] = []
    for k in range(frames):
        platform = PLATFORMS[k % len(PLATFORMS)]
        variant = HTML_VARIANTS[(k // len(PLATFORMS)) % len(HTML_VARIANTS)]
        count = 1 + (k * 17 + seed * 7) % 49
        scene = random_scene(random.Random(seed * 100_003 + k), platform, count, variant, size=VIEWPORT)
        scene = replace(scene, per_page=max(49, len(scene.participants)))
        page = out / f"{k:03d}_{platform}_{variant}_{count}.html"
        truth = write_gallery_html(page, scene, VIEWPORT)[0]
        shot = page.with_suffix(".png")
        screenshot(page, shot, browser)
        page.unlink()
        image = cv2.imread(str(shot))
        gallery = split_gallery(image)
        matches = match_tiles([t.box for t in truth.tiles], [t.box for t in gallery.tiles])
        tiles_truth += len(truth.tiles)
        tiles_found += len(matches)
        read = reader.read([gallery.tiles[j].label_crop(image) for _, j, _ in matches])
        for (i, _, _), name in zip(matches, read, strict=True):
            ok = _same_name(name, truth.tiles[i].shown_name)
            names[platform].append(ok)
            if not ok:
                misses.append((truth.tiles[i].shown_name, name))
        print(f"{k + 1}/{frames} {shot.name}: {len(matches)}/{len(truth.tiles)} tiles", file=sys.stderr)
    every = [ok for oks in names.values() for ok in oks]
    return {
        "frames": frames,
        "iou_bar": IOU_BAR,
        "tile_recall": round(tiles_found / tiles_truth, 4) if tiles_truth else None,
        "names_exact": f"{sum(every)}/{len(every)}",
        "names_exact_rate": round(sum(every) / len(every), 4) if every else None,
        "names_per_platform": {p: round(sum(v) / len(v), 4) for p, v in names.items() if v},
        "some_misses": misses[:30],
    }


def main(argv: list[str] | None = None) -> int:
    from bot.names import ENGINES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=30, help="screenshots to take (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="browser-shots", help="folder for the screenshots (default: %(default)s)")
    parser.add_argument("--engine", choices=ENGINES, default="auto", help="name reader (default: auto)")
    args = parser.parse_args(argv)
    browser = chromium()
    if browser is None:
        print("browser_eval: Debian chromium is not installed (.ci/install-browser.sh)", file=sys.stderr)
        return 2
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    result = evaluate(args.frames, args.seed, out, browser, engine=args.engine)
    for key, value in result.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
