"""A tile's name: its label strip, else, on a tile without a face, the name drawn in its middle.

Zoom shows a participant whose camera is off as their name in large letters
in the middle of the tile, often with no label at the bottom (only the
microphone icon). Where the label strip reads as nothing and no face was
found, the middle band of the tile is read the same way.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from bot.frames import Box, Tile
from bot.names import NameReader

#: The middle band of a tile where a camera-off name is drawn: rows from TOP to TOP + HEIGHT (shares of the
#: tile's height), without MARGIN of its width on either side.
CENTRE_TOP = 0.3
CENTRE_HEIGHT = 0.4
CENTRE_MARGIN = 0.04


def centre_region(box: Box) -> Box:
    """Where a camera-off participant's name is drawn in a tile."""
    x, y, w, h = box
    return (
        x + round(CENTRE_MARGIN * w),
        y + round(CENTRE_TOP * h),
        round((1 - 2 * CENTRE_MARGIN) * w),
        round(CENTRE_HEIGHT * h),
    )


def _crop(image: np.ndarray, box: Box) -> np.ndarray:
    x, y, w, h = box
    return image[y : y + h, x : x + w]


def read_tile_names(
    reader: NameReader,
    tiles: Sequence[tuple[np.ndarray, Tile]],
    faces: Sequence[object | None] | None = None,
    places: Sequence[Hashable] | None = None,
) -> list[str | None]:
    """Names of tiles (each with the image it is on): the label, else the middle of a tile without a face.

    ``faces``: per tile, the face found (None where none); without it every unnamed tile's middle is read.
    ``places``: per tile, where its label is (see :meth:`bot.names.NameReader.read`).
    """
    names = reader.read([tile.label_crop(image) for image, tile in tiles], places=places)
    missing = [i for i, name in enumerate(names) if name is None and (faces is None or faces[i] is None)]
    if missing:
        crops = [_crop(tiles[i][0], centre_region(tiles[i][1].box)) for i in missing]
        centre_places = [("centre", places[i] if places is not None else i) for i in missing]
        for i, name in zip(missing, reader.read(crops, places=centre_places), strict=True):
            names[i] = name
    return names
