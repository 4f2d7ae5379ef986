"""Which tests need what: the markers ``make test-fast`` leaves out, in one table.

A module name marks all its tests; ``module::test`` marks one test (all its parameters).
``slow``: more than a few seconds on a 2-core machine (measured with ``pytest --durations``).
"""

from __future__ import annotations

LANES: dict[str, set[str]] = {
    # a real Chromium (Debian's chromium + chromium-driver)
    "browser": {"test_report_browser", "test_gallery_browser", "test_bot_e2e_browser"},
    # an X server (Xvfb) and real windows, keys and clicks
    "x11": {
        "test_paging_x11",
        "test_sources_x11",
        "test_bot_runner::test_sigterm_finishes_the_capture_and_closes_the_session",
        "test_bot_runner::test_a_killed_bot_session_is_closed_by_the_next_start",
    },
    # PyTorch (the train extra): training, export and parity with the ONNX files
    "training": {
        "test_training_smoke",
        "test_preprocess_parity",
        "test_name_reader::test_train_resume_and_export_match",
        "test_name_reader::test_the_shipped_reader_can_be_trained_further",
    },
    "slow": set(),
}


def lanes_of(module: str, test: str) -> list[str]:
    """The markers of test ``test`` (its name without parameters) in module ``module``."""
    return [lane for lane, where in LANES.items() if module in where or f"{module}::{test}" in where]
