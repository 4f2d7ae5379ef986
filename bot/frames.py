"""The data that flows through the capture pipeline, one dataclass per stage.

``Frame`` (what a source captured) -> ``Tile`` (a participant's cell of the
gallery, from :mod:`bot.gallery`) -> ``Observation`` (what was read from it).
Boxes are ``(x, y, w, h)`` in the frame's own pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

Box = tuple[int, int, int, int]


@dataclass
class Frame:
    """One captured image of the meeting (BGR) and when it was taken (UTC)."""

    image: np.ndarray
    captured_at: datetime
    source: str = ""
    index: int = 0

    @property
    def size(self) -> tuple[int, int]:
        return (int(self.image.shape[1]), int(self.image.shape[0]))


@dataclass
class Tile:
    """A participant's cell in the gallery."""

    box: Box
    row: int
    col: int
    #: where the name label is (or would be) drawn, in frame pixels
    label_box: Box | None = None
    #: a video apart from the layout's lattice (a speaker's thumbnail, a picture-in-picture; see
    #: bot.gallery.floating); its row follows the layout's rows
    floating: bool = False

    def crop(self, image: np.ndarray) -> np.ndarray:
        x, y, w, h = self.box
        return image[y : y + h, x : x + w]

    def label_crop(self, image: np.ndarray) -> np.ndarray | None:
        if self.label_box is None:
            return None
        x, y, w, h = self.label_box
        return image[y : y + h, x : x + w]


@dataclass
class PageControls:
    """A multi-page gallery: page indicator ("1/4") and the arrows that turn pages."""

    current: int | None = None
    total: int | None = None
    next_arrow: Box | None = None
    previous_arrow: Box | None = None


@dataclass
class Gallery:
    """The tiles found in one frame, in reading order (row by row)."""

    tiles: list[Tile] = field(default_factory=list)
    pages: PageControls | None = None
    #: the area holding the tiles (without toolbars, chrome, shared content)
    area: Box | None = None
    #: how sure the splitter is that these are the gallery's tiles, 0..1 (1: equal tiles framed by a flat stage)
    confidence: float = 0.0
    #: which splitter found them: "stage" (flat stage colour) or "edges" (straight sides, see bot.gallery.lattice)
    method: str = ""
    #: how far (pixels) the label strips reach below the tiles, where the boxes may be that far off (found at
    #: reduced size); kept when the gallery is completed with more cells
    label_slack: int = 0


@dataclass
class Observation:
    """What the bot read from one tile at one capture."""

    tile: Tile
    #: the participant this tile is stored under (a placeholder where the label is unreadable)
    name: str | None
    face_box: Box | None
    #: FER+ order probabilities (8), or None when no face was found
    probabilities: np.ndarray | None = None
    label: str | None = None
    confidence: float | None = None
    #: what OCR read on the label (None where unreadable)
    label_text: str | None = None

    @property
    def truncated(self) -> bool:
        """Whether the label was cut short by the client ("Anna-Katharina Schönberger-Wit...")."""
        from analytics.names import is_truncated

        return bool(self.label_text) and is_truncated(self.label_text)
