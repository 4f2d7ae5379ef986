"""What a lent GPU's run relies on: the packed data, mixed batches, half-precision weights back, a plan that fits."""

from __future__ import annotations

import numpy as np
import pytest
from test_distillation import FERPLUS_ANGER, HAPPY, one_answer_teacher, tiny_face_set
from test_two_head import tiny_run

torch = pytest.importorskip("torch")
pytest.importorskip("timm")


@pytest.fixture(scope="module")
def faces(tmp_path_factory):
    return tiny_face_set(tmp_path_factory.mktemp("gpu_recipe"))


def test_the_pack_gives_what_the_dataset_folders_give(faces, tmp_path):
    from training.packed_faces import read_pack, write_pack
    from training.two_head import load_two_head_data

    pack = write_pack(faces / "fer", faces / "ferplus", faces / "match.csv", tmp_path / "pack.npz")
    for packed, folders in zip(
        read_pack(pack, 32), load_two_head_data(faces / "fer", faces / "ferplus", 32, faces / "match.csv"), strict=True
    ):
        assert np.array_equal(packed.ids, folders.ids) and np.array_equal(packed.pixels, folders.pixels)
        assert np.array_equal(packed.fer2013, folders.fer2013) and np.array_equal(packed.ferplus, folders.ferplus)
        assert np.array_equal(packed.ferplus_majority, folders.ferplus_majority)


def test_a_mixed_batch_student_still_learns_what_the_teacher_says(faces, tmp_path):
    """Mixup/CutMix mixes the teacher's targets with the faces: a teacher that always says 'happy' still wins."""
    from training.packed_faces import read_pack, write_pack
    from training.train_two_head import TwoHeadConfig, predict_two_head, train_two_head
    from training.two_head import TwoHeadNet

    pack = write_pack(faces / "fer", faces / "ferplus", faces / "match.csv", tmp_path / "pack.npz")
    train, _ = read_pack(pack, 32)
    teacher = one_answer_teacher(tmp_path / "teacher.npz", train.ids)
    common = tiny_run(faces, "match.csv", seed=4, epochs=3, lr=3e-3, teacher=str(teacher), distil_weight=1.0)
    train_two_head(TwoHeadConfig(out=str(tmp_path / "student"), mixup=0.4, packed=str(pack), **common))
    net = TwoHeadNet("regnetx_002")
    net.load_state_dict(torch.load(tmp_path / "student" / "last.pt", weights_only=False)["model"])
    fer, plus = predict_two_head(net, train.pixels)
    assert (fer.argmax(1) == HAPPY).mean() > 0.9
    assert (plus.argmax(1) == FERPLUS_ANGER).mean() > 0.9


def test_half_precision_weights_back_start_the_same_network(faces, tmp_path):
    from training.gpu_recipe import ship
    from training.train_two_head import TwoHeadConfig, predict_two_head, train_two_head
    from training.two_head import TwoHeadNet, init_two_head, load_two_head_data

    train_two_head(TwoHeadConfig(out=str(tmp_path / "run"), epochs=1, **tiny_run(faces, "match.csv", seed=5)))
    (tmp_path / "out").mkdir()
    ship(tmp_path, ["run"], tmp_path / "out")
    shipped = torch.load(tmp_path / "out" / "run.pt", weights_only=False)
    assert all(v.dtype == torch.float16 for v in shipped["model"].values() if v.is_floating_point())
    assert [h["epoch"] for h in shipped["history"]] == [1]
    original = TwoHeadNet("regnetx_002")
    original.load_state_dict(torch.load(tmp_path / "run" / "best.pt", weights_only=False)["model"])
    restored = TwoHeadNet("regnetx_002")
    init_two_head(restored, str(tmp_path / "out" / "run.pt"))
    _, held = load_two_head_data(faces / "fer", faces / "ferplus", 32, faces / "match.csv")
    for a, b in zip(predict_two_head(original, held.pixels), predict_two_head(restored, held.pixels), strict=True):
        assert np.abs(a - b).max() < 1e-2


def test_the_plan_fits_the_runs_into_the_time_given():
    from training.gpu_recipe import BATCH, PARALLEL_GAIN, STUDENTS, TEACHERS, epochs_for

    step_time = {80: 0.03, 96: 0.03, 112: 0.03}
    training_faces = 26129
    for runs in (TEACHERS, STUDENTS):
        epochs = epochs_for(runs, 200.0, step_time, training_faces, 2, 100)
        work = sum(step_time[r.size] * (training_faces // BATCH) * r.epoch_share for r in runs) / PARALLEL_GAIN
        assert epochs * (work + 1.0) <= 200.0 < (epochs + 1) * (work + 1.0)
    assert epochs_for(TEACHERS, 1.0, step_time, training_faces, 2, 100) == 2
