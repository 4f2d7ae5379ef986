"""Name labels: OCR with caching, label cleanup, and stable identities."""

from __future__ import annotations

import matplotlib.font_manager as font_manager
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from bot.names import NameReader, ParticipantRegistry, clean_label_text, label_hash, tesseract_available

needs_tesseract = pytest.mark.skipif(not tesseract_available(), reason="Tesseract OCR is not installed")


def label(text: str, dark: bool = True, size: int = 15, width: int = 260) -> np.ndarray:
    """A name label as meeting clients draw it: light text on a dark box (or dark on light)."""
    font = ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size)
    background, box, ink = (
        ((40, 40, 40), (20, 20, 20), (255, 255, 255)) if dark else ((245, 245, 245), (230, 230, 230), (30, 30, 30))
    )
    image = Image.new("RGB", (width, size + 14), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 10 + int(draw.textlength(text, font=font)), size + 13), fill=box)
    draw.text((5, 6), text, font=font, fill=ink)
    return np.array(image)[:, :, ::-1].copy()


NAMES = ["Ada Lovelace (Host)", "José Núñez", "Łukasz Żółć", "Émilie Dubois (she/her)", "Ngozi Okonjo", "Li Wei"]


@needs_tesseract
def test_reads_labels_exactly_in_one_call_and_caches_them():
    reader = NameReader()
    crops = [label(name, dark=i % 2 == 0) for i, name in enumerate(NAMES)]
    names = reader.read(crops)
    assert names == ["Ada Lovelace", "José Núñez", "Łukasz Żółć", "Émilie Dubois", "Ngozi Okonjo", "Li Wei"]
    assert reader.ocr_calls == 1
    assert reader.read(crops[::-1]) == names[::-1]
    assert reader.ocr_calls == 1  # steady state: no OCR at all


@needs_tesseract
def test_unreadable_or_missing_labels_give_none():
    reader = NameReader()
    blank = np.full((29, 260, 3), 40, np.uint8)
    assert reader.read([None, blank]) == [None, None]


def test_label_hash_tolerates_noise_but_not_other_names():
    rng = np.random.default_rng(0)
    crop = label("Grace Hopper")
    noisy = np.clip(crop.astype(int) + rng.integers(-12, 13, crop.shape), 0, 255).astype(np.uint8)
    assert (label_hash(crop) ^ label_hash(noisy)).bit_count() <= 4
    assert (label_hash(crop) ^ label_hash(label("Alan Turing"))).bit_count() > 4


def test_clean_label_text_strips_icons_and_annotations():
    assert clean_label_text("| Ada  Lovelace (Host) ") == "Ada Lovelace"
    assert clean_label_text("® Li Wei (Me)") == "Li Wei"
    assert clean_label_text("  ~ ") is None


def test_registry_keeps_identities_stable():
    registry = ParticipantRegistry()
    first = registry.resolve(["Alexandra Konstantinopoulou", "Sam Lee", None], [1, 2, 3])
    assert first == ["Alexandra Konstantinopoulou", "Sam Lee", "Unnamed 1"]
    # a narrower tile cuts the long name; the same unreadable label keeps its placeholder
    later = registry.resolve(["Alexandra Konstan…", None, None], [11, 3, 4])
    assert later == ["Alexandra Konstantinopoulou", "Unnamed 1", "Unnamed 2"]
    # two students with the same name in one frame are two people
    assert registry.resolve(["Sam Lee", "Sam Lee"], [2, 5]) == ["Sam Lee", "Sam Lee (2)"]


def test_registry_never_merges_an_ambiguous_truncated_name():
    registry = ParticipantRegistry()
    registry.resolve(["Christopher Adams", "Christopher Adamson"], [1, 2])
    assert registry.resolve(["Christopher Adam…"], [3]) == ["Christopher Adam…"]
