"""The three dataset readers: FER2013 folders, fer2013.csv and FER+ label.csv."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from face_data import make_fer2013_csv, make_ferplus_folder, make_image_folder

from model.labels import FER2013_CLASSES, FERPLUS_CLASSES
from training.datasets import DatasetError, ferplus_majority, load_faces, read_ferplus

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"

# votes: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF
VOTES = [
    [4, 0, 0, 1, 3, 2, 0, 0, 0, 0],  # 4 of 9 after dropping the single vote: no majority -> left out
    [6, 0, 1, 1, 0, 0, 0, 0, 2, 0],  # 6 of 8 -> neutral
    [0, 8, 0, 0, 0, 0, 0, 0, 2, 0],  # happiness
    [0, 0, 0, 0, 0, 0, 0, 0, 7, 3],  # unknown majority -> left out
    [0, 0, 0, 0, 0, 0, 0, 0, 3, 7],  # not a face -> left out
    [2, 0, 0, 0, 0, 0, 0, 6, 1, 1],  # contempt 6 of 8
    [5, 5, 0, 0, 0, 0, 0, 0, 0, 0],  # a tie is no majority -> left out
]


def test_ferplus_majority_protocol():
    assert ferplus_majority(np.array(VOTES)).tolist() == [-1, 0, 1, -1, -1, 7, -1]


def test_ferplus_reader_soft_and_majority(tmp_path):
    folder = make_ferplus_folder(tmp_path / "FER2013Train", VOTES)
    soft = read_ferplus(folder, 64)
    # faces whose emotion votes outnumber unknown/not-a-face votes: rows 0, 1, 2, 5, 6
    assert len(soft) == 5
    assert soft.pixels.shape == (5, 64, 64) and soft.pixels.dtype == np.uint8
    assert soft.classes == FERPLUS_CLASSES
    np.testing.assert_allclose(soft.targets[0], [4 / 9, 0, 0, 0, 3 / 9, 2 / 9, 0, 0], atol=1e-6)
    np.testing.assert_allclose(soft.targets[3], [0.25, 0, 0, 0, 0, 0, 0, 0.75], atol=1e-6)
    hard = load_faces("ferplus", folder, 48, role="val")
    assert hard.labels.tolist() == [0, 1, 7]
    assert [Path(p).name for p in hard.paths] == ["fer0000001.png", "fer0000002.png", "fer0000005.png"]


def test_image_folder_reader_skips_corrupt_files(tmp_path, caplog):
    root = make_image_folder(tmp_path / "train", per_class=3, corrupt=2)
    faces = load_faces("fer2013", root, 64)
    assert len(faces) == 21 and faces.skipped == 2
    assert faces.classes == FER2013_CLASSES
    assert faces.class_counts().tolist() == [3] * 7
    assert "skipped 2 unreadable" in caplog.text


def test_image_folder_reader_rejects_unknown_layout(tmp_path):
    (tmp_path / "cats").mkdir()
    with pytest.raises(DatasetError, match="one folder per class"):
        load_faces("fer2013", tmp_path, 48)


def test_fer2013_csv_reader_splits_by_usage_and_skips_corrupt_rows(tmp_path):
    path = make_fer2013_csv(tmp_path / "fer2013.csv", rows_per_usage=5)
    train = load_faces("fer2013", path, 48, role="train")
    val = load_faces("fer2013", path, 48, role="val")
    assert len(train) == 5 and train.skipped == 2
    assert len(val) == 5 and val.skipped == 0
    assert train.labels.tolist() == [0, 1, 2, 3, 4]


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/datasets is not beside the project")
def test_shared_ferplus_valid_majority_count():
    names_with_label = read_ferplus(SHARED / "ferplus" / "FER2013Valid", 48, soft=False)
    assert 3000 < len(names_with_label) < 3579
