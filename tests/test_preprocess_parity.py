"""Training, evaluation and the bot see a face through the same preprocessing."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from face_data import make_image_folder

from model.preprocess import crop_face, face_pixels, normalize, prepare_batch
from training.datasets import load_faces

torch = pytest.importorskip("torch")


def test_training_input_equals_bot_input(tmp_path):
    from training.augment import to_model_input

    root = make_image_folder(tmp_path / "data", per_class=2)
    faces = load_faces("fer2013", root, 64)
    # the bot reads the same files as colour images, through the same functions
    bgr = [cv2.imread(path, cv2.IMREAD_COLOR) for path in faces.paths]
    bot_batch = prepare_batch(bgr, 64)
    training_batch = to_model_input(torch.from_numpy(faces.pixels)).numpy()
    assert bot_batch.shape == training_batch.shape == (14, 1, 64, 64)
    np.testing.assert_allclose(bot_batch, training_batch, atol=1e-6)


def test_prepare_batch_accepts_any_size_gray_or_bgr():
    rng = np.random.default_rng(0)
    gray = rng.integers(0, 256, (120, 90)).astype(np.uint8)
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    batch = prepare_batch([gray, bgr], 48)
    assert batch.shape == (2, 1, 48, 48) and batch.dtype == np.float32
    np.testing.assert_allclose(batch[0], batch[1])
    assert batch.min() >= -1.0 and batch.max() <= 1.0
    np.testing.assert_allclose(normalize(face_pixels(gray, 48)), batch[:1])


def test_crop_face_is_square_and_padded_at_the_border():
    image = np.full((100, 100, 3), 7, dtype=np.uint8)
    crop = crop_face(image, (80, 10, 30, 40), margin=0.25)
    assert crop.shape[:2] == (50, 50)
    assert (crop == 7).all()
