"""The per-sample benchmark's cases (benchmarks/kill_accuracy.py): queue layouts drawn apart."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import kill_accuracy

from vodstream.testbed.synth.render import HUD_FONTS


def test_layouts_are_drawn_by_their_own_stream() -> None:
    """Drawing modern scenes in every queue layout changes nothing else about the cases: the
    plain-layout runs (``modes=("trios",)``) have the same states but for the layout."""
    plain = kill_accuracy.make_sequences(240, 11 + 1280, HUD_FONTS, "default", ("trios",))
    drawn = kill_accuracy.make_sequences(240, 11 + 1280, HUD_FONTS, "default")
    assert [k for _s, k, _f in plain] == [k for _s, k, _f in drawn]
    assert [(f, replace(s, hud_mode="trios", assists=0)) for s, _k, f in drawn] == [
        (f, s) for s, _k, f in plain
    ]
    modes = {s.hud_mode for s, _k, _f in drawn}
    assert {"trios", "ranked"} <= modes
    assert all(s.hud_mode == "trios" for s, _k, _f in drawn if s.era == "2019")
    assert any(s.assists > 0 for s, _k, _f in drawn if s.hud_mode == "ranked")
