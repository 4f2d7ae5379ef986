"""TrueType fonts of the meeting clients' labels, or their nearest free faces.

Zoom draws names in Lato, Google Meet in Google Sans (Roboto is the nearest
freely licensed Google face) and Teams in Segoe UI (Open Sans is the usual
stand-in); each platform's face is in :mod:`bot.platforms`. They come from the
``fontpkg-*`` wheels (OFL); when one is missing the fallback is DejaVu Sans,
which ships inside matplotlib's wheel (found without importing matplotlib).
Used at run time (page-number glyphs in :mod:`bot.gallery.pages`, the
annotated picture of :mod:`bot.annotate`) and by the synthetic galleries.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

#: family -> (fontpkg module, static file for a weight, or a variable font plus named instance)
_FAMILIES: dict[str, tuple[str, str]] = {
    "lato": ("fontpkg_lato", "Lato-{weight}.ttf"),
    "roboto": ("fontpkg_roboto", "Roboto[wdth,wght].ttf"),
    "open-sans": ("fontpkg_open_sans", "OpenSans[wdth,wght].ttf"),
}
#: CSS font-family names of the same faces (the HTML galleries embed the files)
CSS_FAMILY = {"lato": "Lato", "roboto": "Roboto", "open-sans": "Open Sans", "dejavu": "DejaVu Sans"}


def dejavu(weight: str) -> Path:
    """DejaVu Sans in matplotlib's package data (``mpl-data``), located without importing matplotlib."""
    name = "DejaVuSans-Bold.ttf" if weight in {"Bold", "SemiBold", "Black", "ExtraBold"} else "DejaVuSans.ttf"
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("DejaVu Sans comes with matplotlib, which is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf" / name


@lru_cache(maxsize=64)
def font_file(family: str, weight: str = "Regular") -> tuple[Path, str | None]:
    """(path, variable-font instance name or None) for ``family`` at ``weight`` ("Regular", "Medium", ...)."""
    entry = _FAMILIES.get(family)
    if entry is not None:
        module_name, pattern = entry
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
        if module is not None:
            root = Path(module.__file__).resolve().parent / "files"
            if "{weight}" in pattern:
                path = root / pattern.format(weight=weight)
                if path.exists():
                    return path, None
                path = root / pattern.format(weight="Regular")
                if path.exists():
                    return path, None
            elif (root / pattern).exists():
                return root / pattern, weight
    return dejavu(weight), None


def family_for(platform: str) -> str:
    """The font family a platform draws names in (:mod:`bot.platforms`), DejaVu Sans for others."""
    from bot.platforms import get_platform

    found = get_platform(platform)
    return found.label_font.family if found is not None else "dejavu"


@lru_cache(maxsize=512)
def get_font(family: str, size: int, weight: str = "Regular") -> ImageFont.FreeTypeFont:
    """A PIL font; cached, so do not change its variation afterwards."""
    path, instance = font_file(family, weight)
    font = ImageFont.truetype(str(path), max(6, int(size)))
    if instance is not None:
        with contextlib.suppress(OSError, ValueError):  # a build of FreeType without variations
            font.set_variation_by_name(instance)
    return font


def ellipsize(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> str:
    """``text`` cut with "…" so that it fits ``max_width`` pixels, as the platforms cut long names."""
    if font.getlength(text) <= max_width:
        return text
    low, high = 0, len(text)
    while low < high:  # longest prefix that fits with the ellipsis
        mid = (low + high + 1) // 2
        if font.getlength(text[:mid].rstrip() + "…") <= max_width:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "…" if low > 0 else "…"
