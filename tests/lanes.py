"""Which tests need what: the markers ``make test-fast`` leaves out, in one table.

A module name marks all its tests; ``module::test`` marks one test (all its parameters).
``slow``: more than a few seconds on a 2-core machine (measured with ``pytest --durations``).
``make test-fast`` also leaves out the PostgreSQL runs (``postgres``, from conftest's ``db_url``): SQLite only.
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
        "test_name_reader::test_small_share_renders_downscaled_captures_and_zero_keeps_the_recipe",
        "test_two_head",
        "test_distillation",
    },
    # measured on the shared 2-core machine under load: 2.4 s or more (pytest --durations); `make test` runs them
    "slow": {
        "test_analytics_cli::test_script_reports_and_errors",
        "test_analytics_cli::test_script_bench_db_json",
        "test_analytics_cli::test_users_commands",
        "test_analytics_auth::test_users_lifecycle",
        "test_analytics_auth::test_hashes_are_salted_and_verify",
        "test_analytics_auth::test_user_errors",
        "test_shipped_models::test_card_accuracy_is_what_the_model_scores",
        "test_bot_runner::test_bot_records_a_replayed_class",
        "test_bot_runner::test_inspect_shows_tiles_names_faces_and_emotions",
        "test_bot_names::test_dark_names_on_light_boxes_are_never_taken_for_each_other",
        "test_bot_names::test_reads_labels_exactly_once_each_and_caches_them",
        "test_bot_names::test_a_small_dot_accent_may_be_lost_but_the_name_stays_the_same",
        "test_name_lexicon::test_the_shipped_lexicon_is_what_its_command_writes",
        "test_name_reader::test_training_names_show_each_accent_of_a_letter_often",
        "test_name_reader::test_training_data_is_cut_by_the_bots_own_line_finder",
        "test_report_app::test_cli_does_not_import_torch",  # tests/test_import_rules.py checks the same
        "test_report_app::test_static_export_is_one_self_contained_file",
        "test_report_app::test_heatmap_switches_views",
        "test_report_app::test_bench_report_small",
        "test_report_security::test_instructor_cannot_read_another_session_through_a_crafted_callback",
        "test_report_security::test_admin_pages_and_callbacks_are_for_admins_only",
        "test_report_security::test_repeated_failures_are_throttled",
        "test_report_security::test_removing_a_user_or_changing_their_password_ends_their_session",
        "test_report_security::test_instructor_cannot_open_another_instructors_session_by_url",
        "test_report_security::test_login_form_checks_password_and_csrf",
        "test_synthetic_classes::test_simulated_class_follows_its_script",
        "test_synthetic_source::test_demo_records_the_synthetic_class_and_prints_its_attendance",
        "test_real_galleries_split",  # the edge splitter on ten real screenshots, and JPEG/video copies
        "test_real_galleries_names_faces",  # names and faces on the ten real screenshots (~22 s)
        "test_first_run",  # a real 20-minute demo class, served and stopped (~40 s)
        "test_demo_safety::test_demo_into_an_existing_database_never_uses_the_known_password",
        "test_bot_runner::test_bench_model_times_two_classifiers_side_by_side",
        "test_console::test_a_live_recording_logs_no_line_per_capture",
        "test_store_concurrency",
        "test_chart_polish",
        "test_compression_warning",
    },
}


def lanes_of(module: str, test: str) -> list[str]:
    """The markers of test ``test`` (its name without parameters) in module ``module``."""
    return [lane for lane, where in LANES.items() if module in where or f"{module}::{test}" in where]


def module_lanes(module: str) -> list[str]:
    """The markers a whole module carries (its tests may carry more)."""
    return [lane for lane, where in LANES.items() if module in where]
