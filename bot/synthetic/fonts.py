"""TrueType fonts for the synthetic meeting frames, closest to what each platform uses.

Zoom draws names in Lato, Google Meet in Google Sans (Roboto is the nearest
freely licensed Google face) and Teams in Segoe UI (Open Sans is the usual
stand-in). They come from the ``fontpkg-*`` wheels (OFL); when one is missing
the renderer falls back to DejaVu Sans, which ships inside matplotlib's wheel.
"""

from __future__ import annotations

import contextlib
import importlib
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

#: platform -> (fontpkg module, static file for a weight, or a variable font plus named instance)
_FAMILIES: dict[str, tuple[str, str]] = {
    "lato": ("fontpkg_lato", "Lato-{weight}.ttf"),
    "roboto": ("fontpkg_roboto", "Roboto[wdth,wght].ttf"),
    "open-sans": ("fontpkg_open_sans", "OpenSans[wdth,wght].ttf"),
}
PLATFORM_FAMILY = {"zoom": "lato", "meet": "roboto", "teams": "open-sans"}
#: CSS font-family names of the same faces (the HTML galleries embed the files)
CSS_FAMILY = {"lato": "Lato", "roboto": "Roboto", "open-sans": "Open Sans", "dejavu": "DejaVu Sans"}


def dejavu(weight: str) -> Path:
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if weight in {"Bold", "SemiBold", "Black", "ExtraBold"} else "DejaVuSans.ttf"
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


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
    return PLATFORM_FAMILY.get(platform, "dejavu")


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
