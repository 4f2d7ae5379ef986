"""The name reader's network: what it reads, how it is trained, and that its ONNX file matches torch."""

from __future__ import annotations

import random
import subprocess
import sys

import cv2
import numpy as np
import pytest
from test_bot_names import label

from bot.names import NameReader
from bot.names.reader import surer_reading
from bot.synthetic.names import FIRST_NAMES, LAST_NAMES, LONG_NAMES, PRONOUNS, ROLES
from model.text_lines import find_name_line, recognizer_input
from model.text_recognizer import CHARSET, LineText, TextRecognizer, recognizer_available

needs_model = pytest.mark.skipif(not recognizer_available(), reason="model/weights/names.onnx is not built")


def test_the_alphabet_covers_every_synthetic_name_and_annotation():
    texts = [*FIRST_NAMES, *LAST_NAMES, *LONG_NAMES, *PRONOUNS, *ROLES, "(•••) •••-••12", "+1 425-***-**25", "…"]
    assert {ch for text in texts for ch in text} <= set(CHARSET)
    assert len(set(CHARSET)) == len(CHARSET)


@needs_model
def test_reads_names_in_a_font_it_was_not_trained_on_accents_and_all():
    # DejaVu Sans is not among the training fonts (training.name_data.TRAINING_FONTS)
    names = ["Łukasz Żółć", "José Núñez", "Nguyễn Thị Hương", "Søren Ødegård", "Ayşe Çelik", "Dvořák Jiří"]
    reader = NameReader(engine="crnn")
    crops = [label(name, dark=i % 2 == 0) for i, name in enumerate(names)]
    assert reader.read(crops) == names


@needs_model
def test_the_crnn_needs_no_tesseract(monkeypatch):
    import bot.names.reader

    monkeypatch.setattr(bot.names.reader, "tesseract_available", lambda: False)
    reader = NameReader()  # auto: the shipped reader alone
    assert reader._api is None
    assert reader.read([label("Ada Lovelace (Host)")]) == ["Ada Lovelace"]


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine"):
        NameReader(engine="magic")


@needs_model
def test_confidence_is_low_on_a_line_that_is_not_text():
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 255, (24, 120)).astype(np.uint8)
    noise_reading, good = TextRecognizer().read([noise, _line("Grace Hopper")])
    assert good.text == "Grace Hopper"
    assert good.least > noise_reading.least


def _line(text: str) -> np.ndarray:
    gray = label(text)[:, :, 1]
    found = find_name_line(gray)
    assert found is not None
    return recognizer_input(gray, found[0])


def test_training_data_is_cut_by_the_bots_own_line_finder():
    pytest.importorskip("faker")
    from training.name_data import NameSource, make_sample

    rng = random.Random(5)
    source = NameSource(rng)
    samples = [s for s in (make_sample(rng, source, []) for _ in range(40)) if s is not None]
    assert len(samples) >= 25  # most strips' lines are found whole
    for sample in samples:
        assert sample.image.dtype == np.uint8 and sample.image.shape[0] == 24
        assert sample.text and set(sample.text) <= set(CHARSET)


def test_small_share_renders_downscaled_captures_and_zero_keeps_the_recipe():
    """--small-share: strips shrunk after rendering, as real screenshots scaled down (names 5-9 px high); at 0 no
    random number is drawn for it, so the earlier stages' strips come out unchanged."""
    pytest.importorskip("faker")
    from training.name_data import NameSource, make_sample, render_strip

    plain, zero = random.Random(8), random.Random(8)
    for _ in range(5):
        a, box_a = render_strip(plain, "Brian D Baer", [])
        b, box_b = render_strip(zero, "Brian D Baer", [], small_share=0.0)
        assert box_a == box_b and np.array_equal(a, b)
    assert plain.getstate() == zero.getstate()

    rng = random.Random(4)
    heights = []
    for _ in range(20):
        strip, (x0, y0, x1, y1) = render_strip(rng, "Brian D Baer", [], small_share=1.0)
        assert 0 <= x0 < x1 <= strip.shape[1] and 0 <= y0 < y1 <= strip.shape[0]
        heights.append(y1 - y0)
    assert 5 <= np.median(heights) <= 11 and max(heights) <= 14  # capitals 4.5-8.5 px, the box a little more
    source = NameSource(rng)
    samples = [s for s in (make_sample(rng, source, [], small_share=1.0) for _ in range(40)) if s is not None]
    assert len(samples) >= 20  # the line finder still finds most shrunk lines whole
    assert all(sample.image.shape[0] == 24 for sample in samples)


def test_train_names_refuses_a_share_out_of_range(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "classmood", "train-names", "--out", str(tmp_path), "--small-share", "1.5"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "--small-share must be between 0 and 1" in result.stderr and "Traceback" not in result.stderr


def test_training_names_show_each_accent_of_a_letter_often():
    """Faker writes "á" seven times as often as "å": unbalanced, the reader learned to read every small "å" as
    "á". Names with swapped accents keep the base letters and even out the forms of a letter."""
    pytest.importorskip("faker")
    from collections import Counter

    from training.name_data import NameSource, accent_families

    families = accent_families()
    assert {"a", "á", "å", "ą", "ạ"} <= set(families["å"]) and "ł" in families["l"] and "Ø" in families["O"]
    assert "q" not in families and all(member in CHARSET for members in families.values() for member in members)
    source = NameSource(random.Random(3))
    swapped = source._swap_accents("Kenji Ødegård Łukasz")
    assert swapped != "Kenji Ødegård Łukasz" and len(swapped) == len("Kenji Ødegård Łukasz")
    assert all(a == b or b in families[a] for a, b in zip("Kenji Ødegård Łukasz", swapped, strict=True))
    letters = Counter("".join(source.text() for _ in range(4000)))
    assert letters["å"] >= 0.25 * letters["á"] > 0


@pytest.mark.slow
def test_train_resume_and_export_match(tmp_path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("faker")
    out = tmp_path / "run"
    command = [sys.executable, "-m", "classmood", "train-names", "--out", str(out), "--samples", "96"]
    command += ["--val-samples", "32", "--workers", "1"]
    first = subprocess.run([*command, "--epochs", "2", "--stop-after", "1"], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert (out / "last.pt").exists() and (out / "best.pt").exists()
    second = subprocess.run([*command, "--epochs", "2", "--resume"], capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert "resuming after epoch 1" in second.stdout
    assert torch.load(out / "last.pt", weights_only=False)["state"]["epoch"] == 2
    other = subprocess.run([*command, "--epochs", "3", "--resume"], capture_output=True, text=True)
    assert other.returncode == 2 and "resume it with --epochs 2" in other.stderr

    from training.name_model import NameCRNN
    from training.train_names import export

    onnx_path = export(out / "best.pt", tmp_path / "names.onnx")
    # the CLI writes another reader (the small-line one) where it is told to
    small = tmp_path / "names-small.onnx"
    exported = subprocess.run([*command[:6], "--export", "--export-to", str(small)], capture_output=True, text=True)
    assert exported.returncode == 0 and small.is_file(), exported.stderr
    model = NameCRNN(len(CHARSET) + 1)
    model.load_state_dict(torch.load(out / "best.pt", weights_only=False)["model"])
    model.eval()
    lines = np.random.default_rng(0).uniform(-1, 1, (3, 1, 24, 136)).astype(np.float32)
    with torch.no_grad():
        expected = model(torch.from_numpy(lines)).numpy()
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"lines": lines})[0], expected, atol=1e-4)
    meta = session.get_modelmeta().custom_metadata_map
    assert meta["charset"] == CHARSET and meta["height"] == "24"


def test_the_shipped_reader_can_be_trained_further():
    """--init names.onnx: the exported network comes back as the same function, in evaluation exactly and in
    training mode (batch norm on the batch's own statistics) close to it."""
    torch = pytest.importorskip("torch")
    import onnxruntime as ort

    from model.text_recognizer import RECOGNIZER_PATH
    from training.name_model import from_onnx

    lines = [_line(text) for text in ("Zoë Łęcki", "Nguyễn Thị Hương", "Aarav Patel (Host)", "Åsa Ødegård")]
    width = max(line.shape[1] for line in lines) + 6
    batch = np.ones((len(lines), 1, 24, width), np.float32)
    for row, line in enumerate(lines):
        batch[row, 0, :, : line.shape[1]] = line / 255.0
    batch = (batch - 0.5) / 0.5
    expected = ort.InferenceSession(str(RECOGNIZER_PATH)).run(None, {"lines": batch})[0]
    model = from_onnx(RECOGNIZER_PATH, torch.from_numpy(batch))
    model.eval()
    with torch.no_grad():
        np.testing.assert_allclose(model(torch.from_numpy(batch)).numpy(), expected, atol=1e-4)
        model.train()
        model.features[-1].eval()  # dropout off: only batch norm's training mode differs
        trained = model(torch.from_numpy(batch)).numpy()
    assert np.abs(trained - expected).max() < 1e-2


def test_train_names_explains_bad_input(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "classmood", "train-names", "--out", str(tmp_path), "--faces", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "is not a folder" in result.stderr and "Traceback" not in result.stderr


def test_curly_and_straight_apostrophes_name_one_student():
    from bot.names import clean_label_text

    assert clean_label_text("Emily O’Brien") == clean_label_text("Emily O'Brien") == "Emily O'Brien"


def test_the_cli_offers_the_readers_engines():
    from bot.names import ENGINES
    from classmood.commands._models import ENGINE_CHOICES

    assert ENGINE_CHOICES == ENGINES


def test_a_sure_name_beats_a_longer_run_of_junk_read_in_the_other_polarity():
    """A label over busy video read in its other polarity gave 31 junk letters whose probabilities summed to
    more than a name read at 0.96 and better (zoom_107 of the extra real set): the sure name is kept."""
    name = LineText("Maria Kowalska", least=0.96, total=13.9)
    junk = LineText("L•77•2•••-) •)0)21 ••••••••••••", least=0.21, total=17.53)
    assert surer_reading([name, junk]) == 0 and surer_reading([junk, name]) == 1
    # without a sure rival, the longer reading still wins (a fragment read in the wrong polarity is short)
    fragment = LineText("Mar", least=0.8, total=2.7)
    whole = LineText("Maria Kowalska", least=0.6, total=12.0)
    assert surer_reading([fragment, whole]) == 1


def test_a_line_across_a_strips_edge_is_taken_off_before_reading():
    """A tile's border or the gap below it, caught in the label strip's last row, is darker than the label box
    along the whole strip: against it the box passes for strokes. Such rows go; a strip without them stays."""
    from model.text_lines import without_edge_lines

    strip = label("Daniel Mailhot")[:, :, 1]
    assert without_edge_lines(strip) is not None and without_edge_lines(strip).shape == strip.shape
    bordered = np.vstack([np.full((1, strip.shape[1]), 250, np.uint8), strip, np.zeros((2, strip.shape[1]), np.uint8)])
    assert np.array_equal(without_edge_lines(bordered), strip)
    # text rows at the bottom are not a line: letters cover a small share of the strip's width
    cropped = strip[: strip.shape[0] - 10]
    assert without_edge_lines(cropped).shape == cropped.shape


@needs_model
def test_small_lines_are_read_by_both_readers_and_the_surer_reading_is_kept(monkeypatch):
    """A label shrunk to letters under 8 px (a gallery captured, then scaled down) is read by the small-line
    reader too; a label of ordinary size only by the main reader."""
    from model.text_recognizer import SMALL_RECOGNIZER_PATH

    if not recognizer_available(SMALL_RECOGNIZER_PATH):
        pytest.skip("model/weights/names-small.onnx is not built")
    reader = NameReader(engine="crnn")
    calls = []
    small = reader._small_recognizer
    original = small.log_probs
    monkeypatch.setattr(small, "log_probs", lambda lines: calls.append(len(lines)) or original(lines))
    big = label("Grace Hopper", size=20)
    assert reader.read([big]) == ["Grace Hopper"] and calls == []
    shrunk = cv2.resize(label("Grace Hopper", size=15), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    reader.read([shrunk])
    assert calls  # both polarities, in one batch


def test_train_names_explains_a_device_it_cannot_use(tmp_path):
    for device, message in (("quantum", "is not a torch device"), ("cuda:7", "sees no CUDA GPU")):
        result = subprocess.run(
            [sys.executable, "-m", "classmood", "train-names", "--out", str(tmp_path), "--device", device],
            capture_output=True,
            text=True,
        )
        if device.startswith("cuda") and "sees no CUDA GPU" not in result.stderr:
            continue  # a machine with a GPU: nothing to explain
        assert result.returncode == 2, result.stderr
        assert message in result.stderr and "Traceback" not in result.stderr
