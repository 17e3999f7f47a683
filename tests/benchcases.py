"""The per-sample benchmark's own cases (benchmarks/kill_accuracy.py) for regression tests.

Others may import it (``from tests.benchcases import benchmark_crop``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from vodstream.testbed.synth.state import FrameState

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import kill_accuracy


def benchmark_crop(
    style: str, width: int, seed: int, i: int, height: int | None = None
) -> tuple[np.ndarray, FrameState]:
    """Case ``i`` of the per-sample cases (``--style style --seed seed``, frame width ``width``,
    ``height`` or 16:9): the same HUD crop as the benchmark's, byte for byte
    (:func:`kill_accuracy.case_crop`), and its state."""
    crop, st = kill_accuracy.case_crop(style, width, seed, i, height=height)
    assert isinstance(st, FrameState)
    return crop, st
