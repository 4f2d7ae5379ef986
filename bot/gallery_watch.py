"""Notice when the bot stops seeing the meeting's gallery, and say so in plain words.

A teacher's report is only as true as the tiles the bot finds. When the splitter is unsure, when the number
of tiles drops sharply from the last captures (a window slid over the meeting, the client switched to
speaker view), or when no gallery is found for several captures, the capture is flagged (the flag is stored
with it, so the report can show a gap instead of counting students absent) and the console says once what
looks wrong, until it is right again.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from statistics import median

from bot.frames import Gallery

#: a gallery the splitter is less sure of than this is flagged
LOW_CONFIDENCE = 0.6
#: captures in a row without a tile before the bot says it cannot see a gallery
EMPTY_CAPTURES = 3
#: a capture with fewer tiles than this share of the recent median is flagged
DROP_SHARE = 0.5
#: how many recent captures the median is taken over
RECENT = 6

OK, LOW_CONFIDENCE_FLAG, TILE_DROP, NO_GALLERY = "ok", "low_confidence", "tile_drop", "no_gallery"

MESSAGES = {
    NO_GALLERY: "I can't see a gallery: is the meeting in gallery view, and is its window in front?",
    TILE_DROP: "I see {tiles} tiles where I saw {usual} a moment ago: is something covering the meeting, or did "
    "it switch to speaker view?",
    LOW_CONFIDENCE_FLAG: "I'm not sure these are the meeting's tiles (confidence {confidence:.2f}): captures are "
    "marked as doubtful in the report until this clears.",
}
RECOVERED = "I can see the gallery again ({tiles} tiles)."


@dataclass
class GalleryCheck:
    """What one capture's gallery looked like: a flag (``ok`` or why it is doubtful) and a message to show
    once, when the state changes (None otherwise)."""

    flag: str
    message: str | None = None

    @property
    def doubtful(self) -> bool:
        return self.flag != OK


@dataclass
class GalleryWatch:
    """Watches the galleries of successive captures (see the module docstring)."""

    recent: deque[int] = field(default_factory=lambda: deque(maxlen=RECENT))
    empty_in_a_row: int = 0
    said: str = OK

    def observe(self, gallery: Gallery) -> GalleryCheck:
        tiles = len(gallery.tiles)
        usual = int(median(self.recent)) if self.recent else 0
        self.empty_in_a_row = self.empty_in_a_row + 1 if tiles == 0 else 0
        if tiles == 0:
            flag = NO_GALLERY if self.empty_in_a_row >= EMPTY_CAPTURES or usual == 0 else TILE_DROP
        elif usual >= 4 and tiles < DROP_SHARE * usual:
            flag = TILE_DROP
        elif gallery.confidence < LOW_CONFIDENCE:
            flag = LOW_CONFIDENCE_FLAG
        else:
            flag = OK
        if flag != TILE_DROP:  # a sudden drop is not the new normal: keep the usual count from before it
            self.recent.append(tiles)
        message = None
        if flag != self.said and not (flag == NO_GALLERY and self.empty_in_a_row < EMPTY_CAPTURES):
            if flag == OK:
                message = RECOVERED.format(tiles=tiles) if self.said != OK else None
            else:
                message = MESSAGES[flag].format(tiles=tiles, usual=usual, confidence=gallery.confidence)
            self.said = flag
        return GalleryCheck(flag, message)
