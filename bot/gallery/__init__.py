"""Gallery splitting: a meeting frame -> participant tiles, name-label strips and page controls.

``split_gallery(image, platform=None) -> Gallery`` (see :mod:`bot.gallery.split`).
"""

from bot.gallery.split import label_box_for, split_gallery

__all__ = ["label_box_for", "split_gallery"]
