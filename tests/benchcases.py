"""The per-sample benchmark's own cases (benchmarks/kill_accuracy.py) for regression tests.

Others may import it (``from tests.benchcases import benchmark_crop``).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from vodstream.readers.boxfinder import KillBoxDetector
from vodstream.readers.cnn import NumpyNet, load_numpy_net
from vodstream.readers.killreader import KillReader
from vodstream.testbed.synth.state import FrameState

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import kill_accuracy


def benchmark_crop(
    style: str, width: int, seed: int, i: int, height: int | None = None, samples: int = 360
) -> tuple[np.ndarray, FrameState]:
    """Case ``i`` of the per-sample cases (``--style style --seed seed --samples samples``, frame
    width ``width``, ``height`` or 16:9): the same HUD crop as the benchmark's, byte for byte
    (:func:`kill_accuracy.case_crop`), and its state."""
    crop, st = kill_accuracy.case_crop(style, width, seed, i, samples, height=height)
    assert isinstance(st, FrameState)
    return crop, st


def benchmark_digits(
    style: str, width: int, seed: int, i: int, height: int | None = None
) -> tuple[int, int, int, int] | None:
    """Where :func:`benchmark_crop`'s case draws its kill count's digits, in crop px
    (:func:`kill_accuracy.case_digits`); None where none is shown."""
    return kill_accuracy.case_digits(style, width, seed, i, height=height)


# The kill-box detector the finder's rules were first tested against (models/finder.pt before the
# fine-tuning of c077af3). Several rules guard against what a detector may propose (a spectator
# count, a panel's number, an unsure cell on the squads count); the shipped detector no longer
# proposes those in the crops they were found in, so their tests exercise the rule with this one
# -- and check that the shipped detector reads the same crops right or not at all.
FIRST_FINDER = Path(__file__).resolve().parent / "data" / "finder_first.pt"


@cache
def first_detector() -> KillBoxDetector:
    """The first detector (:data:`FIRST_FINDER`), read once per test session."""
    return KillBoxDetector.from_file(FIRST_FINDER)


def first_reader(**kw: Any) -> KillReader:
    """A KillReader with the first detector."""
    return KillReader(finder=first_detector(), **kw)


# The score-box reader some reading rules were first tested against (models/scorebox.pt of
# 673d003, shipped until 5569ed3). Those rules guard against its sure mistakes (a blurred "17" or
# "11" read as 11 or 1); the shipped reader no longer makes them in the crops they were found in,
# so their tests set the trap with this one -- and check that the shipped reader reads the same
# crops right or not at all.
FIRST_BOX = Path(__file__).resolve().parent / "data" / "scorebox_first.pt"


@cache
def first_box_model() -> NumpyNet:
    """The first score-box reader (:data:`FIRST_BOX`), read once per test session."""
    return load_numpy_net(FIRST_BOX)


def finder_as_before_3ef186c(monkeypatch: Any) -> None:
    """The finder as before 3ef186c (2026-12-07): no squads line cut after the bright gap between
    the boxes, no skull as tall as its digits leading their run for its width alone -- for the tests
    that show an older rule is needed, whose cases those rules now read right on their own."""
    from vodstream.readers import hudlocate

    monkeypatch.setattr(hudlocate, "GAP_CUT_W", float("inf"))
    monkeypatch.setattr(hudlocate, "LED_WIDER", float("inf"))
