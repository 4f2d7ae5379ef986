"""Reading participants' name labels, and keeping identities stable.

- :mod:`bot.names.reader`: :class:`NameReader` (the shipped CRNN, Tesseract where installed, a cache
  of labels already read) and :func:`label_hash`;
- :mod:`bot.names.cleanup`: OCR text -> a display name (:func:`clean_label_text`);
- :mod:`bot.names.tesseract`: where Tesseract's language models are;
- :mod:`bot.names.scripts`: when Tesseract's or a script model's reading wins over the CRNN's;
- :mod:`bot.names.registry`: :class:`ParticipantRegistry`, one stored name per student.

Where the name is in a label strip, and the line image the networks read, is
:mod:`model.text_lines` (training cuts its strips with it too).
"""

from __future__ import annotations

from bot.names.cleanup import clean_label_text
from bot.names.reader import ENGINES, NameReader, has_text, label_hash
from bot.names.registry import ParticipantRegistry
from bot.names.tesseract import (
    OcrUnavailableError,
    default_languages,
    installed_languages,
    tessdata_dir,
    tesseract_available,
)

__all__ = [
    "ENGINES",
    "NameReader",
    "OcrUnavailableError",
    "ParticipantRegistry",
    "clean_label_text",
    "default_languages",
    "has_text",
    "installed_languages",
    "label_hash",
    "tessdata_dir",
    "tesseract_available",
]
