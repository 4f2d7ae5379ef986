"""The real-screenshot development set (``../shared/real-galleries``): loading it and scoring names and faces.

The set's ``manifest.csv`` gives, per screenshot, hand-measured tile boxes,
the name labels as shown and notes (``kind=real|mockup|synthetic;
camera_off=...``). This module turns it into :class:`RealImage` records and
scores what the bot reads on a list of tiles (the manifest's own boxes, or
the splitter's): names (exact, case and spaces ignored; a label the client
cut short with ``...`` counts when the text before the dots is right) and
faces (a face found on a camera-on tile; none on a camera-off tile or a test
pattern). ``python -m bot.realset`` and ``tests/test_real_galleries_names_faces.py``
call it (the splitter's own scores on the set, ``python -m bot.synthetic.evaluate --real``, are
:mod:`bot.synthetic.real_split`)::

    rows = measure(folder)                                          # on the manifest's tile boxes
    rows = measure(folder, split=lambda image: split_gallery(image).tiles)  # end to end, splitter's tiles
    print(format_table(rows))

With the splitter's tiles, a manifest tile that no found tile covers (IoU >= 0.5) counts as a missed name
and a missed face. ``python -m bot.realset FOLDER --misread`` prints the table on the manifest's boxes.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from bot.frames import Box, Tile

#: Names are scored on labels whose text (capitals to descenders) is at least this many pixels high.
MIN_LABEL_HEIGHT = 10
#: Scripts the bot reads with its own reader; other labels are scored apart (Tesseract's script models).
LATIN = "latin"
_ELLIPSIS = re.compile(r"(\.\.\.|…)\s*$")
#: Hand-measured height (pixels) of each screenshot's name labels: the label's backing box, or for a label
#: drawn straight on the video (Meet) its text line from the tops of capitals to the descenders plus a pixel
#: each side. Per file: the height of most labels, then tiles whose label differs ({index: height}).
#: Zoom draws a camera-off participant's name large in the middle of the tile (zoom_2 tiles 8, 9, 11).
LABEL_HEIGHTS: dict[str, tuple[int, dict[int, int]]] = {
    "zoom_2.jpg": (11, {8: 22, 9: 22, 11: 22}),
    "zoom_4.png": (30, {}),
    "zoom_5.jpg": (12, {}),
    "zoom_6.jpg": (0, {}),
    "zoom_11.jpg": (26, {}),
    "meet_1.jpg": (14, {}),
    "meet_2.jpg": (14, {}),
    "meet_4.jpg": (20, {}),
    "webex_1.png": (26, {}),
    "webex_2.png": (12, {2: 7, 3: 7, 4: 7, 5: 7, 6: 7, 7: 7}),
}


@dataclass
class RealImage:
    """One screenshot of the development set and its hand-measured truth."""

    file: Path
    platform: str
    kind: str
    boxes: list[Box]
    names: list[str]
    camera_off: set[int] = field(default_factory=set)
    notes: str = ""

    @property
    def name(self) -> str:
        return self.file.name

    def image(self) -> np.ndarray:
        image = cv2.imread(str(self.file), cv2.IMREAD_COLOR)
        if image is None:
            raise OSError(f"cannot read {self.file}")
        return image

    def label_heights(self) -> list[int | None]:
        """Each tile's label height in pixels (:data:`LABEL_HEIGHTS`; None where not measured)."""
        default, tiles = LABEL_HEIGHTS.get(self.name, (None, {}))
        return [tiles.get(i, default) for i in range(len(self.boxes))]

    def camera_on(self) -> list[int]:
        """Indices of tiles that show a face (none on a test pattern)."""
        if self.kind == "synthetic":
            return []
        return [i for i in range(len(self.boxes)) if i not in self.camera_off]


def _indices(value: str) -> set[int]:
    """``"8,9,11 (name only), 10 (purple ...)"`` -> {8, 9, 10, 11}; ``"none"`` -> empty."""
    return {int(number) for number in re.findall(r"(?<![\w'])(\d+)(?=\s*(?:,|\(|$))", value)}


def _note_fields(notes: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in notes.split(";"):
        key, sep, value = part.partition("=")
        if sep and key.strip().isidentifier():
            fields[key.strip()] = value.strip()
    return fields


def load_manifest(folder: Path | str) -> list[RealImage]:
    """The screenshots listed in ``folder/manifest.csv``, in its order."""
    folder = Path(folder)
    images: list[RealImage] = []
    with open(folder / "manifest.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            boxes = [tuple(int(v) for v in box.split(",")) for box in row["tile_boxes"].split(";") if box]
            names = row["names"].split(";")
            names += [""] * (len(boxes) - len(names))
            fields = _note_fields(row["notes"])
            kind = fields.get("kind", "real").split()[0]
            images.append(
                RealImage(
                    file=folder / row["file"],
                    platform=row["platform"],
                    kind=kind,
                    boxes=boxes,
                    names=[name.strip() for name in names[: len(boxes)]],
                    camera_off=_indices(fields.get("camera_off", "none")),
                    notes=row["notes"],
                )
            )
    return images


def manifest_tiles(image: RealImage, label_box=None) -> list[Tile]:
    """Tiles at the manifest's boxes, with label boxes where the bot looks for names (``label_box(box)``;
    default the splitter's own, :func:`bot.gallery.split.label_box_for`)."""
    if label_box is None:
        from bot.gallery.split import label_box_for as label_box
    tiles = []
    for index, box in enumerate(image.boxes):
        tiles.append(Tile(box=box, row=index, col=0, label_box=label_box(box)))
    return tiles


def script_of(text: str) -> str:
    """The script of a label's letters: ``latin``, ``cyrillic``, ``greek``, ``hangul``, ``hebrew`` ...
    (the Unicode name's first word of its first non-Latin letter)."""
    for ch in text:
        if ch.isalpha():
            script = unicodedata.name(ch, "LATIN").split()[0].lower()
            if script != LATIN:
                return script
    return LATIN


def name_key(text: str) -> str:
    """What a name is compared on: NFKC, casefolded, without spaces and symbols (an emoji is no text)."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] != "S")


def name_correct(truth: str, read: str | None) -> bool:
    """Exact reading, case and spaces ignored; a truncated label (``...``) counts when the text before
    the dots is right (the reading may keep or drop the dots)."""
    if not read:
        return False
    if _ELLIPSIS.search(truth):
        return name_key(_ELLIPSIS.sub("", read)) == name_key(_ELLIPSIS.sub("", truth))
    return name_key(read) == name_key(truth)


@dataclass
class NameScore:
    """Names on one screenshot: per scored label, its truth and reading."""

    file: str
    rows: list[tuple[int, str, str | None, bool]] = field(default_factory=list)  # index, truth, read, right

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def correct(self) -> int:
        return sum(ok for *_, ok in self.rows)


def score_names(image: RealImage, read: Sequence[str | None], script: str | None = LATIN) -> NameScore:
    """Score readings (one per manifest tile, in order) on the labels of ``script`` (None: any) that have a
    name and are at least :data:`MIN_LABEL_HEIGHT` pixels high (unmeasured heights count)."""
    score = NameScore(image.name)
    heights = image.label_heights()
    for index, (truth, name) in enumerate(zip(image.names, read, strict=True)):
        if not truth or (script is not None and script_of(truth) != script):
            continue
        if heights[index] is not None and heights[index] < MIN_LABEL_HEIGHT:
            continue
        score.rows.append((index, truth, name, name_correct(truth, name)))
    return score


@dataclass
class FaceScore:
    """Faces on one screenshot: camera-on tiles with a face, and faces found where there is none."""

    file: str
    found: int
    camera_on: int
    false_faces: int
    missed: list[int]


def score_faces(image: RealImage, faces: Sequence[object | None]) -> FaceScore:
    """``faces``: per manifest tile, the face found (any object) or None."""
    on = set(image.camera_on())
    found = [i for i in on if faces[i] is not None]
    false = [i for i, face in enumerate(faces) if face is not None and i not in on]
    return FaceScore(image.name, len(found), len(on), len(false), sorted(on - set(found)))


def _tiles_on_truth(image: RealImage, tiles: Sequence[Tile]) -> list[Tile | None]:
    """Per manifest box, the tile (of a splitter's) that covers it (IoU >= 0.5), or None."""
    from bot.synthetic.evaluate import match_tiles

    matched: list[Tile | None] = [None] * len(image.boxes)
    for truth_index, tile_index, _ in match_tiles(image.boxes, [tile.box for tile in tiles], 0.5):
        matched[truth_index] = tiles[tile_index]
    return matched


def measure(folder: Path | str, split=None, reader=None, detector=None) -> list[dict]:
    """Names and faces on every screenshot of the set, one dict per image (see :func:`format_table`).

    ``split``: image -> tiles (a :class:`bot.frames.Gallery`'s ``tiles``); default the manifest's own boxes
    (:func:`manifest_tiles`), so that names and faces are measured apart from the splitter. Each image is read
    by a fresh name reader (``reader``: a factory), as a new class would be.
    """
    from bot.names import NameReader
    from bot.pipeline import DETECT_MAX_SIDE, DETECT_SCORE
    from bot.tile_names import read_tile_names
    from model.detector import FaceDetector

    detector = detector or FaceDetector(score_threshold=DETECT_SCORE, max_side=DETECT_MAX_SIDE)
    rows = []
    for real in load_manifest(folder):
        image = real.image()
        tiles = _tiles_on_truth(real, split(image)) if split is not None else manifest_tiles(real)
        present = [i for i, tile in enumerate(tiles) if tile is not None]
        found = detector.largest_faces([tiles[i].crop(image) for i in present])
        faces: list[object | None] = [None] * len(tiles)
        for i, face in zip(present, found, strict=True):
            faces[i] = face
        read: list[str | None] = [None] * len(tiles)
        names_reader = (reader or NameReader)()
        pairs = [(image, tiles[i]) for i in present]
        for i, name in zip(present, read_tile_names(names_reader, pairs, [faces[i] for i in present]), strict=True):
            read[i] = name
        latin = score_names(real, read)
        other = score_names(real, read, script=None)
        face_score = score_faces(real, faces)
        rows.append(
            {
                "file": real.name,
                "kind": real.kind,
                "names_correct": latin.correct,
                "names_total": latin.total,
                "all_scripts_correct": other.correct,
                "all_scripts_total": other.total,
                "faces_found": face_score.found,
                "camera_on": face_score.camera_on,
                "false_faces": face_score.false_faces,
                "misread": [(truth, name) for _, truth, name, ok in other.rows if not ok],
            }
        )
    return rows


def format_table(rows: list[dict]) -> str:
    """The per-image table: Latin names right / scored, every script, faces found / camera-on tiles."""
    lines = [f"{'image':14s} {'kind':9s} {'latin names':>11s} {'all scripts':>11s} {'faces':>7s} {'false':>5s}"]
    for row in rows:
        lines.append(
            f"{row['file']:14s} {row['kind']:9s} {row['names_correct']:>5d}/{row['names_total']:<5d} "
            f"{row['all_scripts_correct']:>5d}/{row['all_scripts_total']:<5d} "
            f"{row['faces_found']:>3d}/{row['camera_on']:<3d} {row['false_faces']:>5d}"
        )
    names = sum(r["names_correct"] for r in rows), sum(r["names_total"] for r in rows)
    faces = sum(r["faces_found"] for r in rows), sum(r["camera_on"] for r in rows)
    lines.append(
        f"Latin names (labels >= {MIN_LABEL_HEIGHT} px): {names[0]}/{names[1]} = {names[0] / max(1, names[1]):.3f}; "
        f"faces on camera-on tiles: {faces[0]}/{faces[1]} = {faces[0] / max(1, faces[1]):.3f}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.realset FOLDER``: the per-image table on the manifest's own tile boxes."""
    import argparse

    parser = argparse.ArgumentParser(description="names and faces on the real development set")
    parser.add_argument("folder", nargs="?", default="../shared/real-galleries")
    parser.add_argument("--misread", action="store_true", help="also list every label read wrong")
    args = parser.parse_args(argv)
    if not (Path(args.folder) / "manifest.csv").is_file():
        print(f"no manifest.csv in {args.folder}")
        return 1
    rows = measure(args.folder)
    print(format_table(rows))
    if args.misread:
        for row in rows:
            for truth, name in row["misread"]:
                print(f"  {row['file']}: {truth!r} read as {name!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
