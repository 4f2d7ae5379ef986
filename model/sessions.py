"""onnxruntime sessions as the bot's models share them: CPU, tuned threads, no busy-waiting.

A capture runs three networks one after the other (face detector,
expression classifier, name reader). onnxruntime's worker threads spin
after each run by default, waiting for more work; with several sessions in
one process, the threads of the session that just finished keep the cores
busy while the next one runs. Measured here (2 cores, one capture's
batches: 49 tiles through the detector, 47 faces through the classifier):
with spinning, detector 107.5 ms and classifier 59.5 ms; without, 67.8 ms
and 32.0 ms. The price is latency on a lone call (``classmood bench model``:
one face 1.3 -> 2.7 ms), which the bot never makes.
"""

from __future__ import annotations

import os
from pathlib import Path

import onnxruntime as ort

#: Overrides the threads each session uses (default: the CPU's cores, at most 4).
THREADS_VARIABLE = "CLASSMOOD_THREADS"


def default_threads() -> int:
    configured = os.environ.get(THREADS_VARIABLE, "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return min(4, os.cpu_count() or 1)


def cpu_session(model: Path | str | bytes, threads: int | None = None) -> ort.InferenceSession:
    """An inference session on the CPU for an ONNX file (or its bytes), with all graph optimizations."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or default_threads()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    source = model if isinstance(model, bytes) else str(model)
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
