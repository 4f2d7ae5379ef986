"""Reading image files, refusing truncated ones.

OpenCV decodes a JPEG or PNG cut short (an interrupted copy or download) as
far as the data goes and returns a picture whose lower part is grey, with only
a libjpeg warning on stderr. A face classified from that is garbage, so a file
whose end marker is missing is refused with a reason instead.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# The bytes a complete file ends with (trailing padding after them is allowed for JPEG).
_JPEG_START, _JPEG_END = b"\xff\xd8", b"\xff\xd9"
_PNG_START, _PNG_END = b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82"


class ImageReadError(Exception):
    """The file cannot be used as an image; the message is a short reason."""


def truncation(data: bytes) -> str | None:
    """Why ``data`` (a whole JPEG or PNG file) is incomplete, or None when it is complete or another format."""
    if data.startswith(_JPEG_START) and _JPEG_END not in data[-1024:]:
        return "truncated JPEG (no end marker)"
    if data.startswith(_PNG_START) and not data.rstrip(b"\0").endswith(_PNG_END):
        return "truncated PNG (no IEND chunk)"
    return None


def read_image(path: Path | str) -> np.ndarray:
    """The BGR image at ``path``; :class:`ImageReadError` when missing, unreadable or truncated."""
    import cv2

    path = Path(path)
    if not path.is_file():
        raise ImageReadError("no such file" if not path.exists() else "not a file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImageReadError(f"cannot read it ({error.strerror or error})") from None
    reason = truncation(data)
    if reason is not None:
        raise ImageReadError(reason)
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ImageReadError("unreadable image")
    return image
