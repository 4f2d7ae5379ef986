"""Distillation: the ensemble's readings of the training part, and a student that learns them."""

from __future__ import annotations

import numpy as np
import pytest
from face_data import make_image_folder
from test_two_head import _ferplus_copy, tiny_run

torch = pytest.importorskip("torch")
pytest.importorskip("timm")


def tiny_face_set(root):
    """84 faces in FER2013's image-folder layout under ``root/fer`` and their FER+ copies under ``root/ferplus``."""
    make_image_folder(root / "fer", per_class=12)
    _ferplus_copy(root / "fer", root / "ferplus")
    return root


@pytest.fixture(scope="module")
def faces(tmp_path_factory):
    return tiny_face_set(tmp_path_factory.mktemp("distil"))


HAPPY, FERPLUS_ANGER = 3, 4


def one_answer_teacher(path, ids: np.ndarray):
    """A teacher file that reads every face as FER2013 'happy' and FER+ 'anger'."""
    np.savez(
        path,
        ids=ids,
        fer2013=np.eye(7, dtype=np.float32)[np.full(len(ids), HAPPY)],
        ferplus=np.eye(8, dtype=np.float32)[np.full(len(ids), FERPLUS_ANGER)],
    )
    return path


def _common(root) -> dict:
    return tiny_run(root, "match.csv", seed=2)


def test_teacher_file_covers_the_training_part_and_is_read_in_any_order(faces, tmp_path):
    from training.distil_targets import load_teacher
    from training.distil_targets import main as distil_main
    from training.train_two_head import TwoHeadConfig, train_two_head
    from training.two_head import load_two_head_data

    run = tmp_path / "member"
    train_two_head(TwoHeadConfig(out=str(run), epochs=1, **_common(faces)))
    out = tmp_path / "teacher.npz"
    argv = ["--member", str(run / "best.pt"), "--out", str(out), "--image-size", "32"]
    argv += ["--fer2013", str(faces / "fer"), "--ferplus", str(faces / "ferplus")]
    argv += ["--match-cache", str(faces / "match.csv")]
    assert distil_main(argv) == 0
    train, held = load_two_head_data(faces / "fer", faces / "ferplus", 32, faces / "match.csv")
    stored = np.load(out)
    assert sorted(stored["ids"].tolist()) == sorted(train.ids.tolist())
    assert stored["fer2013"].shape == (len(train), 7) and stored["ferplus"].shape == (len(train), 8)
    assert np.allclose(stored["fer2013"].sum(1), 1, atol=1e-4)
    reversed_ids = train.ids[::-1]
    assert np.array_equal(load_teacher(out, reversed_ids)["fer2013"], stored["fer2013"][::-1])
    if len(held):
        with pytest.raises(ValueError, match="no teacher reading"):
            load_teacher(out, held.ids)


def test_student_learns_what_the_teacher_says(faces, tmp_path):
    """A teacher that always answers 'happy' pulls a student trained only on it there (distil weight 1)."""
    from training.train_two_head import TwoHeadConfig, predict_two_head, train_two_head
    from training.two_head import load_two_head_data

    train, _ = load_two_head_data(faces / "fer", faces / "ferplus", 32, faces / "match.csv")
    teacher = one_answer_teacher(tmp_path / "teacher.npz", train.ids)
    config = TwoHeadConfig(out=str(tmp_path / "student"), epochs=3, lr=3e-3, teacher=str(teacher), distil_weight=1.0)
    for key, value in _common(faces).items():
        setattr(config, key, value)
    train_two_head(config)
    student = torch.load(tmp_path / "student" / "last.pt", weights_only=False)
    from training.two_head import TwoHeadNet

    net = TwoHeadNet("regnetx_002")
    net.load_state_dict(student["model"])
    fer, plus = predict_two_head(net, train.pixels)
    assert (fer.argmax(1) == HAPPY).mean() > 0.9
    assert (plus.argmax(1) == FERPLUS_ANGER).mean() > 0.9


def test_each_head_splits_into_a_single_head_model_that_reads_the_same(tmp_path):
    from training.ensemble_export import HeadOf, load_member
    from training.split_heads import split_run
    from training.two_head import TwoHeadNet

    torch.manual_seed(0)
    net = TwoHeadNet("regnetx_002").eval()
    config = {"arch": "regnetx_002", "image_size": 32, "drop_rate": 0.2}
    torch.save({"model": net.state_dict(), "config": config, "epoch": 3}, tmp_path / "best.pt")
    paths = split_run(tmp_path / "best.pt", tmp_path / "single")
    x = torch.rand(4, 1, 32, 32)
    for path in paths:
        label_set = path.stem
        single, single_config = load_member(path, label_set)
        assert single_config["dataset"] == label_set
        with torch.no_grad():
            torch.testing.assert_close(single(x), HeadOf(net, label_set)(x))
    with pytest.raises(ValueError, match="single-head"):
        split_run(paths[0], tmp_path / "again")
