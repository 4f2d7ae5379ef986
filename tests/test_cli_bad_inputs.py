"""Bad input to the command line: one clear line on stderr and a non-zero exit, never a traceback (issue 17, 4-5)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad-inputs")
    rng = np.random.default_rng(3)
    cv2.imwrite(str(folder / "shot.png"), rng.integers(0, 255, (120, 160, 3), dtype=np.uint8))
    cv2.imwrite(str(folder / "face.jpg"), rng.integers(0, 255, (64, 64, 3), dtype=np.uint8))
    data = (folder / "face.jpg").read_bytes()
    (folder / "trunc.jpg").write_bytes(data[: len(data) // 2])
    (folder / "bad.onnx").write_bytes(b"not a model at all")
    (folder / "shots").mkdir()
    cv2.imwrite(str(folder / "shots" / "1.png"), rng.integers(0, 255, (120, 160, 3), dtype=np.uint8))
    (folder / "a-folder").mkdir()
    return folder


def classmood(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CLASSMOOD_DATABASE_URL": f"sqlite:///{cwd / 'default.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "classmood", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


DB = "sqlite:///{d}/cli.db"
START = ("bot", "start", "--source", "images:{d}/shots", "--db", DB)

BAD_INPUTS = {
    "empty course": ((*START, "--course", ""), "--course is empty"),
    "blank course": ((*START, "--course", "   "), "--course is empty"),
    "corrupt onnx": ((*START, "--course", "X", "--model", "{d}/bad.onnx"), "not a usable ONNX model"),
    "huge interval": ((*START, "--course", "X", "--interval", "99999999999h"), "too long"),
    "empty db": (("bot", "start", "--course", "X", "--source", "images:{d}/shots", "--db", ""), "empty URL"),
    "in-memory db": (("admin", "sessions", "--db", "sqlite://"), "keeps nothing"),
    "in-memory db, slash": (("admin", "sessions", "--db", "sqlite:///:memory:"), "keeps nothing"),
    "annotate without extension": (("bot", "inspect", "{d}/shot.png", "--annotate", "{d}/out"), "must end in"),
    "annotate into missing folder": (("bot", "inspect", "{d}/shot.png", "--annotate", "{d}/no/out.png"), "no folder"),
    "inspect truncated jpeg": (("bot", "inspect", "{d}/trunc.jpg"), "truncated JPEG"),
    "predict into missing folder": (("model", "predict", "{d}/face.jpg", "--out", "{d}/no/p.csv"), "no folder"),
    "predict onto a folder": (("model", "predict", "{d}/face.jpg", "--out", "{d}/a-folder"), "is a folder"),
    "predict batch size 0": (("model", "predict", "{d}/face.jpg", "--batch-size", "0"), "at least 1"),
    "predict empty path": (("model", "predict", ""), "empty path"),
    "purge 99999999999d": (("admin", "purge", "--older-than", "99999999999d", "--db", DB), "too long"),
    "purge 1000000d": (("admin", "purge", "--older-than", "1000000d", "--db", DB), "too long"),
    "until 9999-12-31": (("admin", "attendance", "--until", "9999-12-31", "--db", DB), "out of range"),
    "20-digit session": (("admin", "attendance", "--session", "12345678901234567890", "--db", DB), "no session"),
    "negative limit": (("admin", "sessions", "--limit", "-1", "--db", DB), "at least 1"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_is_one_line_not_a_traceback(case: str, files: Path) -> None:
    args, expected = BAD_INPUTS[case]
    result = classmood(*(arg.format(d=files) for arg in args), cwd=files)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("classmood: error: ") and expected in lines[0], lines[0]


def test_predict_gives_a_truncated_jpeg_an_error_column(files: Path) -> None:
    out = files / "predictions.csv"
    result = classmood(
        "model", "predict", str(files / "face.jpg"), str(files / "trunc.jpg"), "--out", str(out), cwd=files
    )
    assert result.returncode == 0, result.stderr
    rows = {Path(row["path"]).name: row for row in csv.DictReader(out.open())}
    assert rows["face.jpg"]["label"] and not rows["face.jpg"]["error"]
    assert rows["trunc.jpg"]["label"] == "" and "truncated JPEG" in rows["trunc.jpg"]["error"]


def test_a_truncated_video_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from bot.sources import SourceEnded
    from bot.sources.video import VideoSource

    path = tmp_path / "class.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    rng = np.random.default_rng(0)
    for _ in range(100):
        writer.write(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    writer.release()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    source = VideoSource(path, interval_s=0.5)
    with pytest.raises(SourceEnded) as ended:
        for _ in range(1000):
            source.grab()
    source.close()
    assert "truncated" in str(ended.value)
    assert any("truncated" in record.getMessage() for record in caplog.records)
