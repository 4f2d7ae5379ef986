"""A camera-off tile's name drawn in its middle (Zoom), read where the label strip holds none."""

from __future__ import annotations

import matplotlib.font_manager as font_manager
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bot.frames import Tile
from bot.gallery.split import label_box_for
from bot.names import NameReader
from bot.tile_names import centre_region, read_tile_names


def camera_off_tile(name: str, size: tuple[int, int] = (400, 225)) -> np.ndarray:
    """Zoom's camera-off tile: the name large and centred on dark grey, a red microphone mark bottom-left."""
    width, height = size
    image = Image.new("RGB", size, (35, 35, 35))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(font_manager.findfont("DejaVu Sans"), 26)
    text_width = draw.textlength(name, font=font)
    draw.text(((width - text_width) / 2, height / 2 - 15), name, font=font, fill=(255, 255, 255))
    draw.rectangle((8, height - 16, 14, height - 6), fill=(40, 40, 220))
    return np.array(image)[:, :, ::-1].copy()


def test_the_centre_of_a_camera_off_tile_is_read_when_its_label_is_missing():
    image = camera_off_tile("Ming Chan")
    tile = Tile(box=(0, 0, 400, 225), row=0, col=0, label_box=label_box_for((0, 0, 400, 225)))
    reader = NameReader(engine="crnn")
    assert reader.read([tile.label_crop(image)]) == [None]
    assert read_tile_names(reader, [(image, tile)]) == ["Ming Chan"]
    # a tile with a face is a camera-on tile: its middle is the face, not a name
    assert read_tile_names(NameReader(engine="crnn"), [(image, tile)], faces=[object()]) == [None]


def test_the_centre_band_is_inside_the_tile():
    x, y, w, h = centre_region((100, 50, 400, 200))
    assert x >= 100 and x + w <= 500 and y >= 50 and y + h <= 250 and h >= 60
