"""End to end without Ray: the synthetic test VOD -> decode -> score -> track -> report.json."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from vodstream.matches.analysis import (
    AnalysisResult,
    analyze,
    best_match,
    local_segments,
)
from vodstream.matches.scheduler import transition_windows
from vodstream.matches.tracker import MatchTracker
from vodstream.media.decode import Decoder
from vodstream.readers.markers import MarkerReader
from vodstream.readers.scoring import Scorer
from vodstream.report.assemble import report_dict
from vodstream.types import Match, SegmentData


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    from models.net import DEFAULT_WEIGHTS
    from vodstream.readers.killreader import KillReader

    if not DEFAULT_WEIGHTS.is_file():
        pytest.skip(f"{DEFAULT_WEIGHTS.name} (the shipped digit CNN) is not built yet")
    return Scorer(KillReader(), MarkerReader())


@pytest.fixture(scope="module")
def analysed(scorer: Scorer, synth_test_vod: Path) -> tuple[dict, AnalysisResult]:
    truth = json.loads((synth_test_vod / "truth.json").read_text())
    res = analyze(
        local_segments(synth_test_vod),
        decoder=Decoder(mode="keyframes"),
        scorer=scorer,
        tracker=MatchTracker(),
        vod_end=truth["duration"],
        keep_scores=True,
    )
    return truth, res


def test_matches_boundaries_kills_and_best_match(analysed: tuple[dict, AnalysisResult]) -> None:
    truth, res = analysed
    report = report_dict(truth["vod_id"], truth["duration"], res)
    want, got = truth["matches"], report["matches"]
    assert len(got) == len(want)
    for w, g in zip(want, got, strict=True):
        assert abs(g["start"] - w["start"]) <= 4.0, (w, g)
        assert abs(g["end"] - w["end"]) <= 4.0, (w, g)
        assert g["kills"] == w["kills"], (w, g)
        assert g["placement"] == w["placement"], (w, g)
        assert g["start_seen"] == w["start_seen"] and g["end_seen"] == w["end_seen"], (w, g)
    best_truth = max(range(len(want)), key=lambda i: want[i]["kills"])
    assert report["best"] == best_truth
    # The spectated teammate's count (7) never became the player's.
    assert all(k != 7 for _, k in res.matches[1].readings)
    assert res.samples - res.stats["refined_samples"] == pytest.approx(truth["duration"] / 2.0, abs=2)
    assert 0 < res.stats["refined_samples"] <= 40  # a few dense samples before the end screens
    assert res.ocr_calls > 0 and res.ocr_calls < 4 * res.samples
    assert report["gaps"] == []
    assert set(report) >= {"vod_id", "duration", "matches", "best", "gaps"}
    json.dumps(report)  # JSON-able as is


def test_any_arrival_order_of_the_real_scores_gives_the_same_matches(
    analysed: tuple[dict, AnalysisResult],
) -> None:
    truth, res = analysed
    assert res.scores is not None
    rng = random.Random(3)
    for _ in range(3):
        order = sorted(res.scores, key=lambda s: s.vod_time + rng.uniform(0.0, 25.0))
        tr = MatchTracker(reorder_window=30.0)
        for i in range(0, len(order), 5):  # batches of 5, like decoder results arriving
            tr.update(order[i : i + 5])
        again = tr.finish(vod_end=truth["duration"])
        assert [m.to_json() for m in again] == [m.to_json() for m in res.matches]


def test_a_corrupt_segment_becomes_a_gap_and_the_rest_is_analysed(
    scorer: Scorer, synth_test_vod: Path
) -> None:
    segs = list(local_segments(synth_test_vod))[:4]
    bad = SegmentData(segment=segs[1].segment, data=b"\x47" + b"\x00" * 4000)
    res = analyze(
        [segs[0], bad, segs[2], segs[3]],
        decoder=Decoder(mode="keyframes"),
        scorer=scorer,
        tracker=MatchTracker(),
    )
    assert res.gaps, "the corrupt segment must be reported"
    assert all(
        g.start >= segs[1].segment.start - 1e-6 and g.end <= segs[1].segment.end + 1e-6 for g in res.gaps
    )
    assert res.segments == 4 and res.samples >= 10
    assert res.matches and res.matches[0].start == 0.0


def test_best_match_rule() -> None:
    ms = [
        Match(start=0.0, end=10.0, kills=3, placement=5),
        Match(start=20.0, end=30.0, kills=None),
        Match(start=40.0, end=50.0, kills=3, placement=2),
        Match(start=60.0, end=70.0, kills=1, placement=1),
    ]
    assert best_match(ms) == 2  # most kills; tie -> better placement
    assert best_match([Match(start=0.0, end=1.0, kills=None)]) is None
    assert best_match([]) is None


def test_transition_windows_mark_gaps_before_end_spectating_and_leaving() -> None:
    from vodstream.types import Marker, Score

    def sc(t: float, kind: str | None = None) -> Score:
        return Score(vod_time=t, segment_index=0, marker=Marker(kind=kind) if kind else None)  # type: ignore[arg-type]

    prev = sc(8.0)
    scores = [
        sc(10.0),
        sc(12.0, "spectating"),
        sc(14.0, "spectating"),
        sc(16.0, "end"),
        sc(18.0, "end"),
        sc(20.0, "lobby"),
    ]
    assert transition_windows(prev, scores) == [(10.0, 12.0), (14.0, 16.0)]
    assert transition_windows(None, [sc(0.0, "end")]) == []
    # the lobby straight after the in-match HUD: a match left without an end screen
    in_match = Score(vod_time=30.0, segment_index=0, hud_visible=True)
    assert transition_windows(in_match, [sc(32.0, "lobby"), sc(34.0, "lobby")]) == [(30.0, 32.0)]
    # the lobby after a screen that is no match (the end screen above, a menu): nothing to recover
    assert transition_windows(sc(30.0), [sc(32.0, "lobby")]) == []


def test_transition_windows_look_again_where_the_hud_hid_after_an_unread_count() -> None:
    """The count last shown before the HUD hides (inventory, map) holds until it shows again:
    where the box was seen but its count not read, the frames before the HUD hid are sampled."""
    from vodstream.types import Score

    def sc(t: float, visible: bool = True, kills: int | None = None, box: bool | None = None) -> Score:
        return Score(vod_time=t, segment_index=0, hud_visible=visible, kills=kills, kill_box=box)

    hidden = sc(12.0, visible=False)
    assert transition_windows(sc(10.0, box=True), [hidden]) == [(10.0, 12.0)]
    # the count was read, the slot was verified empty, or nothing was seen: nothing to recover
    assert transition_windows(sc(10.0, kills=4, box=True), [hidden]) == []
    assert transition_windows(sc(10.0, box=False), [hidden]) == []
    assert transition_windows(sc(10.0, box=None), [hidden]) == []
    # the HUD still shown: the next keyframe looks again anyway
    assert transition_windows(sc(10.0, box=True), [sc(12.0, box=True)]) == []


def test_end_screen_witness_agrees_with_the_truth(analysed: tuple[dict, AnalysisResult]) -> None:
    """The squad summary read on the end screens: own card and squad total as the truth says."""
    truth, res = analysed
    report = report_dict(truth["vod_id"], truth["duration"], res)
    shown = 0
    for w, g in zip(truth["matches"], report["matches"], strict=True):
        if not w["end_seen"]:
            assert g["kills_end_screen"] is None and g["squad_kills"] is None
            continue
        shown += 1
        assert (g["kills_end_screen"], g["squad_kills"]) == (w["kills"], w["squad_kills"]), (w, g)
        assert g["kills_agree"] is True and g["kills"] == w["kills"]
    assert shown == 2
