"""Synthetic online classes: Zoom-, Meet- and Teams-like gallery frames with ground truth.

- :func:`bot.synthetic.render.render_scene` draws a :class:`bot.synthetic.scene.Scene` (participants,
  platform, theme, layout, page, speaker, self-view, window chrome) and returns the BGR frame and its
  :class:`bot.synthetic.scene.FrameTruth`; :func:`bot.synthetic.scene.random_scene` makes scenes.
- :func:`bot.synthetic.classroom.simulate_class` plays a whole class: ``(at, Frame, FrameTruth)`` over time;
  :class:`bot.synthetic.source.SimulatedSource` is that class as a frame source (``classmood demo``).
- :func:`bot.synthetic.html.write_gallery_html` writes a gallery as a web page with working page arrows.
- ``python -m bot.synthetic.evaluate`` measures :func:`bot.gallery.split_gallery` on rendered frames.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "Participant": "bot.synthetic.scene",
    "Scene": "bot.synthetic.scene",
    "FrameTruth": "bot.synthetic.scene",
    "TileTruth": "bot.synthetic.scene",
    "PageTruth": "bot.synthetic.scene",
    "random_scene": "bot.synthetic.scene",
    "render_scene": "bot.synthetic.render",
    "simulate_class": "bot.synthetic.classroom",
    "ClassCapture": "bot.synthetic.classroom",
    "SimulatedSource": "bot.synthetic.source",
    "write_gallery_html": "bot.synthetic.html",
    "gallery_html": "bot.synthetic.html",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:  # imported on first use: drawing pulls in OpenCV and Pillow
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'bot.synthetic' has no attribute {name!r}")
