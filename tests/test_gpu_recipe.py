"""What a lent GPU's run relies on: the packed data, mixed batches, half-precision weights back, a plan that fits."""

from __future__ import annotations

from pathlib import Path

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


def _one_answer_run(path, image_size: int = 32):
    """A two-head run's checkpoint whose heads read every face as FER2013 'happy' and FER+ 'anger'."""
    from training.two_head import TwoHeadNet

    net = TwoHeadNet("regnetx_002")
    with torch.no_grad():
        for head, answer in ((net.fer2013, HAPPY), (net.ferplus, FERPLUS_ANGER)):
            head.weight.zero_()
            head.bias.fill_(-5.0)
            head.bias[answer] = 5.0
    config = {"arch": "regnetx_002", "image_size": image_size, "drop_rate": 0.2}
    torch.save({"model": net.state_dict(), "config": config, "epoch": 1}, path)
    return path


def test_online_teacher_reads_at_its_own_size_and_teaches_the_student(faces, tmp_path):
    """Teacher runs read each augmented batch (resized to their own input size) and the student learns them."""
    from training.distil_targets import OnlineTeacher
    from training.train_two_head import TwoHeadConfig, predict_two_head, train_two_head
    from training.two_head import TwoHeadNet, load_two_head_data

    teacher = OnlineTeacher([str(_one_answer_run(tmp_path / "t48.pt", image_size=48))])
    read = teacher(torch.rand(5, 1, 32, 32))
    assert read["teacher_fer2013"].shape == (5, 7) and read["teacher_ferplus"].shape == (5, 8)
    assert (read["teacher_fer2013"].argmax(1) == HAPPY).all()
    assert torch.allclose(read["teacher_ferplus"].sum(1), torch.ones(5))

    common = tiny_run(faces, "match.csv", seed=6, epochs=3, lr=3e-3, distil_weight=1.0)
    train_two_head(TwoHeadConfig(out=str(tmp_path / "student"), teacher_runs=str(tmp_path / "t48.pt"), **common))
    net = TwoHeadNet("regnetx_002")
    net.load_state_dict(torch.load(tmp_path / "student" / "last.pt", weights_only=False)["model"])
    train, _ = load_two_head_data(faces / "fer", faces / "ferplus", 32, faces / "match.csv")
    fer, plus = predict_two_head(net, train.pixels)
    assert (fer.argmax(1) == HAPPY).mean() > 0.9
    assert (plus.argmax(1) == FERPLUS_ANGER).mean() > 0.9
    with pytest.raises(ValueError, match="not both"):
        train_two_head(
            TwoHeadConfig(out=str(tmp_path / "both"), teacher="x.npz", teacher_runs=str(tmp_path / "t48.pt"), **common)
        )


def test_students_send_back_each_heads_best_epoch(faces, tmp_path):
    from training.gpu_recipe import ship
    from training.train_two_head import TwoHeadConfig, train_two_head

    train_two_head(TwoHeadConfig(out=str(tmp_path / "s"), epochs=2, **tiny_run(faces, "match.csv", seed=8)))
    (tmp_path / "out").mkdir()
    ship(tmp_path, ["s"], tmp_path / "out", heads=["s"])
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pt")) == ["s-fer2013.pt", "s-ferplus.pt"]
    for head in ("fer2013", "ferplus"):
        shipped = torch.load(tmp_path / "out" / f"s-{head}.pt", weights_only=False)
        best = max(r[f"held_{head}_{w}"] for r in shipped["history"] for w in ("model", "ema"))
        assert shipped["held_back"][head] == best


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


@pytest.mark.parametrize("name", ["fifth", "sixth"])
def test_the_plan_fits_the_runs_into_the_time_given(name):
    from training.gpu_recipe import BATCH, PLANS, command, epochs_for

    plan = PLANS[name]
    step_time = {80: 0.03, 96: 0.03, 112: 0.03}
    training_faces = 26129
    for runs in (plan.teachers, plan.students):
        epochs = epochs_for(runs, 200.0, step_time, training_faces, 2, 100, plan.parallel_gain)
        work = sum(step_time[r.size] * (training_faces // BATCH) * r.epoch_share * r.cost for r in runs)
        work /= plan.parallel_gain
        assert epochs * (work + 1.0) <= 200.0 < (epochs + 1) * (work + 1.0)
    assert epochs_for(plan.teachers, 1.0, step_time, training_faces, 2, 100) == 2
    args = type("Args", (), {"init": "imagenet", "packed": "p.npz", "device": "cuda", "limit": 0})()
    for run in plan.students:  # online students name the teacher runs, the others the teachers' file
        cmd = command(run, args, 10, Path("w"), Path("w/teacher.npz"), {"best-80": Path("b.pt")}, ["a.pt", "b.pt"])
        assert ("--teacher-runs" in cmd) == run.online and ("--teacher" in cmd) != run.online
