"""The records' one (de)serialisation and the one gap-merging rule (vodstream/types.py)."""

from __future__ import annotations

import json

import numpy as np

from vodstream.matches.tracker import MatchTracker
from vodstream.types import Gap, Marker, Match, Score, merge_gaps


def test_scores_round_trip_through_json_with_numpy_numbers() -> None:
    s = Score(
        vod_time=np.float64(12.5),  # type: ignore[arg-type]  # what a reader hands over
        segment_index=1,
        kills=np.int64(3),  # type: ignore[arg-type]
        marker=Marker(kind="end", placement=2, of=20, own_kills=3, squad_kills=7),
        confidence=np.float32(0.5),  # type: ignore[arg-type]
        kill_box=True,
        hud_era="modern",
    )
    doc = json.loads(json.dumps(s.to_json()))
    assert Score.from_json(doc) == s
    assert Score.from_json({**doc, "added_later": 1}) == s  # unknown keys: ignored
    assert Score.from_json(Score(vod_time=1.0, segment_index=0).to_json()).marker is None


def test_tracker_snapshots_and_the_run_store_use_the_same_serialisation() -> None:
    tr = MatchTracker()
    scores = [
        Score(vod_time=t, segment_index=0, hud_visible=True, kills=1, kill_box=True) for t in (0.0, 2.0)
    ]
    tr.update(scores)
    snap = tr.to_dict()
    assert snap["buffer"] == [s.to_json() for s in scores][-len(snap["buffer"]) :]
    m = Match(start=1.0, end=2.0, kills=3, readings=[(1.5, 3)])
    assert Match.from_json(json.loads(json.dumps(m.to_json()))) == m
    g = Gap(start=1.0, end=2.0, reason="fetch failed: HTTP 404", segment_index=3)
    assert Gap.from_json({**g.to_json(), "matches": [0]}) == g


def _g(start: float, end: float, reason: str, seg: int | None) -> Gap:
    return Gap(start=start, end=end, reason=reason, segment_index=seg)


def test_gaps_in_one_segment_become_one_span_with_every_reason() -> None:
    got = merge_gaps([_g(4.0, 10.0, "segment data ends early", 0), _g(2.0, 5.0, "corrupt frame", 0)])
    assert got == [_g(2.0, 10.0, "corrupt frame; segment data ends early", 0)]
    # a reason already there is not repeated
    got = merge_gaps([_g(0.0, 1.0, "corrupt frame", 0), _g(1.0, 2.0, "corrupt frame", 0)])
    assert got == [_g(0.0, 2.0, "corrupt frame", 0)]


def test_a_run_of_segments_failing_alike_is_one_gap_and_different_failures_stay_apart() -> None:
    fetch = "fetch failed: HTTP 404"
    got = merge_gaps(
        [
            _g(20.0, 30.0, fetch, 2),
            _g(10.0, 20.0, fetch, 1),
            _g(30.0, 40.0, "decode failed: bad data", 3),  # touches, other reason: apart
            _g(50.0, 60.0, fetch, 5),  # same reason, not touching: apart
        ]
    )
    assert got == [
        _g(10.0, 30.0, fetch, 1),
        _g(30.0, 40.0, "decode failed: bad data", 3),
        _g(50.0, 60.0, fetch, 5),
    ]
    assert merge_gaps([]) == []
