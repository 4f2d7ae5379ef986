"""Training data for the name-label reader: rendered label strips, cut the way the bot cuts them.

Each sample is a strip like the bottom of a meeting tile (video behind, a name
label on a translucent box or straight on the video with a drop shadow,
sometimes a microphone icon), drawn in one of 18 free sans-serif families
(the ``fontpkg-*`` wheels of the ``train`` extra) at a random weight and a
screen size of 10-22 px. The texts (:mod:`training.name_texts`) are Faker's
person names in the Latin-script locales, with the annotations meeting clients
add ("(Host)", pronouns, dial-in numbers, long names cut with "…") and random
strings over the whole alphabet, so that rare letters are seen often enough.
Some names have letters swapped for another accented form of the same letter
(Ødegård as Ødegárd, Núñez as Nuñéz): Faker's names write "á" seven times as
often as "å", and a reader trained on them learned that prior and read every
small "å" as "á" (see :func:`accent_families`).

Lato (Zoom's face), Roboto and Open Sans (the free stand-ins for Meet's
Google Sans and Teams' Segoe UI) are among them: the reader should know the
faces it will be shown most. They are also the faces the synthetic galleries
draw names in (:mod:`bot.fonts`), so the bot's name benchmark no
longer measures unseen fonts; DejaVu Sans (the tests' labels) stays out, and
so do the synthetic classes' name lists: the benchmark's names are never
trained on.

With ``small_share`` (``classmood train-names --small-share``, 0 by default: the earlier stages' strips are
drawn unchanged) that share of the strips are screenshots scaled down after capture: rendered at 11-18 px,
the whole strip shrunk so that capitals are 4.5-8.5 px high (area or linear interpolation), then often saved
as a JPEG of quality 40-90, as a gallery captured on a large screen and sent at 1000 px wide shows names.

The strip then goes through the bot's own line finder and cleaner
(:func:`model.text_lines.find_name_line`, :func:`model.text_lines.recognizer_input`), so the
model learns on exactly what it will be given; a strip whose line the finder
does not find in full is dropped (the reader could not be right on it).
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from model.text_lines import RECOGNIZER_HEIGHT, find_name_line, recognizer_input
from model.text_recognizer import CHARSET
from training.name_texts import ACCENT_SWAP_LETTERS as ACCENT_SWAP_LETTERS
from training.name_texts import ACCENT_SWAP_NAMES as ACCENT_SWAP_NAMES
from training.name_texts import ANNOTATIONS as ANNOTATIONS
from training.name_texts import ELISIONS as ELISIONS
from training.name_texts import NAME_LOCALES as NAME_LOCALES
from training.name_texts import NameSource as NameSource
from training.name_texts import accent_families as accent_families

#: fontpkg module -> font files in it (a variable font's weight axis is set per sample)
TRAINING_FONTS = {
    "fontpkg_noto_sans": ("NotoSans[wdth,wght].ttf",),
    "fontpkg_inter": ("Inter[opsz,wght].ttf",),
    "fontpkg_source_sans_3": ("SourceSans3[wght].ttf",),
    "fontpkg_fira_sans": ("FiraSans-Regular.ttf", "FiraSans-Medium.ttf", "FiraSans-SemiBold.ttf"),
    "fontpkg_pt_sans": ("PT_Sans-Web-Regular.ttf", "PT_Sans-Web-Bold.ttf"),
    "fontpkg_work_sans": ("WorkSans[wght].ttf",),
    "fontpkg_ibm_plex_sans": ("IBMPlexSans[wdth,wght].ttf",),
    "fontpkg_arimo": ("Arimo[wght].ttf",),
    "fontpkg_nunito_sans": ("NunitoSans[YTLC,opsz,wdth,wght].ttf",),
    "fontpkg_rubik": ("Rubik[wght].ttf",),
    "fontpkg_karla": ("Karla[wght].ttf",),
    "fontpkg_barlow": ("Barlow-Regular.ttf", "Barlow-Medium.ttf", "Barlow-SemiBold.ttf"),
    "fontpkg_montserrat": ("Montserrat[wght].ttf",),
    "fontpkg_mulish": ("Mulish[wght].ttf",),
    "fontpkg_poppins": ("Poppins-Regular.ttf", "Poppins-Medium.ttf"),
    "fontpkg_lato": ("Lato-Regular.ttf", "Lato-Medium.ttf", "Lato-SemiBold.ttf", "Lato-Bold.ttf"),
    "fontpkg_roboto": ("Roboto[wdth,wght].ttf",),
    "fontpkg_open_sans": ("OpenSans[wdth,wght].ttf",),
}


#: Downscaled captures (``small_share`` of the strips): rendered at one of these sizes, then the whole strip
#: shrunk by a factor in SMALL_FACTOR so that capitals are SMALL_CAP_HEIGHT pixels high, then often a JPEG of
#: this quality. Real screenshots are often captures scaled down (text drawn at 11-14 px, resized by 0.4-0.8).
SMALL_SOURCE_SIZES = (11, 12, 12, 13, 13, 14, 14, 15, 16, 18)
SMALL_CAP_HEIGHT = (4.5, 8.5)
SMALL_FACTOR = (0.3, 0.85)
SMALL_JPEG_QUALITY = (40, 90)


@dataclass(frozen=True)
class Sample:
    image: np.ndarray  # RECOGNIZER_HEIGHT x width, uint8, dark text on light
    text: str


@cache
def font_files() -> tuple[Path, ...]:
    files = []
    for module_name, names in TRAINING_FONTS.items():
        try:
            root = Path(importlib.import_module(module_name).__file__).resolve().parent / "files"
        except ImportError:
            continue
        files += [root / name for name in names if (root / name).exists()]
    if not files:
        raise RuntimeError("no training fonts: pip install 'classmood[train]' installs the fontpkg-* wheels")
    return tuple(files)


@cache
def _coverage(path: Path) -> frozenset[str]:
    from fontTools.ttLib import TTFont

    return frozenset(chr(code) for code in TTFont(str(path), lazy=True).getBestCmap())


@lru_cache(maxsize=4096)
def _font(path: Path, size: int, weight: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(str(path), size)
    try:
        axes = font.get_variation_axes()
    except OSError:  # a static font
        return font
    values = []
    for axis in axes:
        name = axis.get("name", b"")
        name = name.decode() if isinstance(name, bytes) else str(name)
        default = axis.get("default", axis["minimum"])
        if name.lower().startswith("weight"):
            values.append(min(max(weight, axis["minimum"]), axis["maximum"]))
        else:
            values.append(default)
    font.set_variation_by_axes(values)
    return font


def _video(rng: random.Random, width: int, height: int, faces: list[np.ndarray]) -> np.ndarray:
    """A patch of 'camera video': a tinted, blurred face photo, a wall gradient or stripes (BGR)."""
    roll = rng.random()
    if roll < 0.55 and faces:
        face = faces[rng.randrange(len(faces))]
        scale = rng.uniform(2.0, 6.0)
        big = cv2.resize(face, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        while big.shape[0] < height or big.shape[1] < width:
            big = np.concatenate([big, big[:, ::-1]], axis=1) if big.shape[1] < width else np.concatenate([big, big])
        y = rng.randrange(big.shape[0] - height + 1)
        x = rng.randrange(big.shape[1] - width + 1)
        gray = big[y : y + height, x : x + width].astype(np.float32)
        tint = np.array([rng.uniform(0.6, 1.2) for _ in range(3)], np.float32)
        patch = gray[..., None] * tint[None, None, :] * rng.uniform(0.5, 1.1)
    elif roll < 0.85:
        base = np.array([rng.uniform(0, 255) for _ in range(3)], np.float32)
        other = np.array([rng.uniform(0, 255) for _ in range(3)], np.float32)
        ramp = np.linspace(0, 1, width, dtype=np.float32)[None, :, None]
        patch = np.broadcast_to(base * (1 - ramp) + other * ramp, (height, width, 3)).copy()
    else:
        patch = np.zeros((height, width, 3), np.float32)
        stripe = rng.randint(3, 20)
        for x0 in range(0, width, 2 * stripe):
            patch[:, x0 : x0 + stripe] = [rng.uniform(0, 255) for _ in range(3)]
        if rng.random() < 0.5:
            patch = patch.transpose(1, 0, 2)[:height, :width] if height <= width else patch
            patch = cv2.resize(np.ascontiguousarray(patch), (width, height))
    patch += np.float32(rng.uniform(0, 8)) * np.random.default_rng(rng.randrange(2**31)).standard_normal(
        patch.shape, dtype=np.float32
    )
    return np.clip(patch, 0, 255).astype(np.uint8)


def _icon(draw: ImageDraw.ImageDraw, rng: random.Random, x: int, y: int, size: int, fill: tuple) -> None:
    """A microphone / camera / hand-ish glyph, as clients draw beside names."""
    kind = rng.randrange(4)
    s = size
    if kind == 0:  # mic: capsule and stand, maybe slashed
        draw.rounded_rectangle((x + s * 0.3, y, x + s * 0.7, y + s * 0.65), radius=s * 0.2, fill=fill)
        draw.arc((x + s * 0.15, y + s * 0.3, x + s * 0.85, y + s * 0.85), 0, 180, fill=fill, width=max(1, s // 8))
        draw.line((x + s * 0.5, y + s * 0.85, x + s * 0.5, y + s), fill=fill, width=max(1, s // 8))
        if rng.random() < 0.6:
            draw.line((x, y, x + s, y + s), fill=rng.choice([fill, (235, 60, 60)]), width=max(1, s // 7))
    elif kind == 1:  # camera
        draw.rectangle((x, y + s * 0.25, x + s * 0.65, y + s * 0.8), fill=fill)
        draw.polygon([(x + s * 0.65, y + s * 0.5), (x + s, y + s * 0.25), (x + s, y + s * 0.8)], fill=fill)
    elif kind == 2:  # dot / badge
        draw.ellipse((x + s * 0.2, y + s * 0.2, x + s * 0.8, y + s * 0.8), fill=fill)
    else:  # bars (signal)
        for i in range(3):
            draw.rectangle((x + i * s * 0.35, y + s * (0.7 - 0.3 * i), x + i * s * 0.35 + s * 0.22, y + s), fill=fill)


def render_strip(
    rng: random.Random, text: str, faces: list[np.ndarray], small_share: float = 0.0
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A label strip (BGR) showing ``text`` and the text's box (x0, y0, x1, y1) in it.

    ``small_share`` of the strips are downscaled captures (see :func:`_downscale`); at 0 (the default) no random
    number is drawn for it, so the strips of the earlier stages' recipe come out unchanged.
    """
    small = small_share > 0 and rng.random() < small_share
    usable = [p for p in font_files() if set(text.replace(" ", "")) <= _coverage(p)]
    path = rng.choice(usable or [font_files()[0]])
    size = rng.choice(SMALL_SOURCE_SIZES if small else [10, 11, 12, 12, 13, 13, 14, 14, 15, 16, 17, 18, 20, 22])
    font = _font(path, size, rng.choice([400, 400, 500, 500, 600, 700]))
    left, top, right, bottom = font.getbbox(text, anchor="ls")
    text_w = right - left
    icon_left = rng.random() < 0.2
    icon_right = rng.random() < 0.15
    pad = rng.randint(4, 10)
    label_w = text_w + 2 * pad + (size + 4) * (icon_left + icon_right)
    strip_h = int(np.clip(rng.randint(size + 14, 3 * size + 18), 30, 60))
    strip_w = label_w + rng.randint(4, 16) + rng.randint(8, 140)
    video = _video(rng, strip_w, strip_h, faces)
    image = Image.fromarray(video[..., ::-1]).convert("RGBA")
    style = rng.random()
    label_h = size + rng.randint(6, 14)
    lx = rng.randint(2, 16)
    ly = strip_h - label_h - rng.randint(2, max(2, strip_h - label_h - 2))
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    if style < 0.75:
        # (box shade, box opacity, text ink) ranges: light text on a dark translucent box (Zoom, Teams dark),
        # or dark text on a light box (Teams light, Meet light)
        shades, opacities, inks = (
            ((0, 60), (110, 230), (215, 255)) if style < 0.55 else ((205, 255), (180, 250), (0, 70))
        )
        shade = rng.randint(*shades)
        draw.rounded_rectangle(
            (lx, ly, lx + label_w, ly + label_h),
            radius=rng.randint(0, 6),
            fill=(shade, shade, shade, rng.randint(*opacities)),
        )
        ink = tuple(rng.randint(*inks) for _ in range(3))
    else:  # white text straight on the video, with a shadow (Meet)
        ink = (255, 255, 255)
    image = Image.alpha_composite(image, overlay)
    draw = ImageDraw.Draw(image)
    tx = lx + pad + (size + 4 if icon_left else 0)
    baseline = ly + (label_h - top) // 2
    if style >= 0.75:
        shadow = Image.new("RGBA", image.size, (0, 0, 0, 0))
        ImageDraw.Draw(shadow).text(
            (tx + 1, baseline + 1), text, font=font, fill=(0, 0, 0, rng.randint(120, 255)), anchor="ls"
        )
        if rng.random() < 0.5:
            shadow = shadow.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.5)))
        image = Image.alpha_composite(image, shadow)
        draw = ImageDraw.Draw(image)
    draw.text((tx, baseline), text, font=font, fill=ink, anchor="ls")
    icon_y = ly + (label_h - size) // 2
    if icon_left:
        _icon(draw, rng, lx + pad, icon_y, size, ink)
    if icon_right:
        _icon(draw, rng, tx + text_w + 4, icon_y, size, ink)
    strip = np.asarray(image.convert("RGB"))[..., ::-1].copy()
    if rng.random() < 0.3:
        strip = cv2.GaussianBlur(strip, (0, 0), rng.uniform(0.3, 0.7))
    if rng.random() < 0.4:
        _ok, buffer = cv2.imencode(".jpg", strip, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(55, 95)])
        strip = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
    box = (tx + left, baseline + top, tx + right, baseline + bottom)
    if small:
        cap_height = -font.getbbox("H", anchor="ls")[1]
        strip, box = _downscale(rng, strip, box, cap_height)
    return strip, box


def _downscale(
    rng: random.Random, strip: np.ndarray, box: tuple[int, int, int, int], cap_height: int
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A screenshot scaled down after capture: the whole strip resized so that capitals end up
    :data:`SMALL_CAP_HEIGHT` pixels high (area or linear interpolation), then often saved as a low-quality JPEG.
    Real development screenshots (a Windows Zoom gallery scaled to 1021 px) show names 5-7 px high."""
    factor = rng.uniform(*SMALL_CAP_HEIGHT) / max(1, cap_height)
    factor = min(max(factor, SMALL_FACTOR[0]), SMALL_FACTOR[1])
    height, width = strip.shape[:2]
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    interpolation = cv2.INTER_AREA if rng.random() < 0.6 else cv2.INTER_LINEAR
    strip = cv2.resize(strip, size, interpolation=interpolation)
    if rng.random() < 0.7:
        _ok, buffer = cv2.imencode(".jpg", strip, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(*SMALL_JPEG_QUALITY)])
        strip = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
    x0, y0, x1, y1 = box
    sx, sy = size[0] / width, size[1] / height
    scaled = (int(np.floor(x0 * sx)), int(np.floor(y0 * sy)), int(np.ceil(x1 * sx)), int(np.ceil(y1 * sy)))
    return strip, scaled


def make_sample(
    rng: random.Random, source: NameSource, faces: list[np.ndarray], small_share: float = 0.0
) -> Sample | None:
    """One training sample, or None when the bot's line finder would not find the whole name."""
    text = source.text()
    strip, (x0, y0, x1, y1) = render_strip(rng, text, faces, small_share)
    gray = cv2.cvtColor(strip, cv2.COLOR_BGR2GRAY)
    found = find_name_line(gray)
    if found is None:
        return None
    line = found[0]
    char = max(1.0, line.char_height)
    # the found line must hold the whole text and little else beyond an icon's width
    if line.x0 > x0 + 0.3 * char or line.x1 < x1 - 0.3 * char or line.x0 < x0 - 2.5 * char or line.x1 > x1 + 2.5 * char:
        return None
    if line.y1 < (y0 + y1) / 2 or line.y0 > (y0 + y1) / 2:
        return None
    return Sample(recognizer_input(gray, line), text)


def samples(seed: int, faces: list[np.ndarray], small_share: float = 0.0) -> Iterator[Sample]:
    rng = random.Random(seed)
    source = NameSource(rng)
    while True:
        sample = make_sample(rng, source, faces, small_share)
        if sample is not None:
            yield sample


def load_face_textures(data_dir: Path | None, limit: int = 2000, seed: int = 0) -> list[np.ndarray]:
    """Gray face photos to stand in for camera video behind labels (FER2013 training images), if given."""
    if data_dir is None:
        return []
    paths = sorted(Path(data_dir).rglob("*.png")) + sorted(Path(data_dir).rglob("*.jpg"))
    random.Random(seed).shuffle(paths)
    faces = []
    for path in paths[:limit]:
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if image is not None:
            faces.append(image)
    return faces


def build_dataset(
    count: int, seed: int, faces: list[np.ndarray], max_width: int, progress=None, small_share: float = 0.0
) -> dict[str, np.ndarray]:
    """``count`` samples as arrays: images (count x H x max_width, padded white), widths, texts
    (``small_share``: see :func:`render_strip`)."""
    images = np.full((count, RECOGNIZER_HEIGHT, max_width), 255, np.uint8)
    widths = np.zeros(count, np.int32)
    texts: list[str] = []
    stream = samples(seed, faces, small_share)
    while len(texts) < count:
        sample = next(stream)
        if sample.image.shape[1] > max_width or any(ch not in CHARSET for ch in sample.text):
            continue
        index = len(texts)
        images[index, :, : sample.image.shape[1]] = sample.image
        widths[index] = sample.image.shape[1]
        texts.append(sample.text)
        if progress is not None:
            progress.update(1)
    return {"images": images, "widths": widths, "texts": np.array(texts, dtype=object)}
