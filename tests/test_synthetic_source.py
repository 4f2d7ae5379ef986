"""The synthetic class as a frame source (what `classmood demo` records), and the demo end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analytics.names import display_name
from bot.sources import Source, SourceEnded, SourceError
from bot.synthetic.classroom import class_names
from bot.synthetic.source import SimulatedSource
from classmood.cli import main

START = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


def test_simulated_class_is_a_source_that_ends():
    source = SimulatedSource(students=3, minutes=0.5, interval_s=10, platform="meet", seed=2, start=START)
    assert isinstance(source, Source) and not source.live and source.kind == "synthetic"
    assert source.describe() == "a synthetic meet class of 3 students"
    frames = [source.grab() for _ in range(3)]
    assert [f.captured_at for f in frames] == [START + timedelta(seconds=10 * k) for k in range(3)]
    assert [f.index for f in frames] == [0, 1, 2] and frames[0].image.shape == (1080, 1920, 3)
    with pytest.raises(SourceEnded):
        source.grab()
    source.close()
    with pytest.raises(SourceError):
        source.grab()


def test_demo_records_the_synthetic_class_and_prints_its_attendance(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    code = main(["demo", "--no-serve", "--students", "3", "--minutes", "0.5", "--interval", "10", "--db", url])
    out = capsys.readouterr().out
    assert code == 0
    assert "Attendance, session 1:" in out
    for name in class_names(3):  # every student, as teachers see them ("(Guest)" dropped), was read
        assert display_name(name) in out
