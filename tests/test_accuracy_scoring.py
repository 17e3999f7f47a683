"""The whole-VOD benchmark's scoring (benchmarks/accuracy.py): which best-match answers are right."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from accuracy import compare  # (after the path insert)


def _truth() -> dict:
    return {
        "matches": [
            {"start": 0.0, "end": 60.0, "kills": 2, "placement": None, "era": "2019"},
            {"start": 90.0, "end": 160.0, "kills": 5, "placement": None, "era": "2019"},
        ]
    }


def _report(best: int | None, kills: tuple[int | None, int | None]) -> dict:
    spans = ((0.5, 60.0), (90.0, 159.0))
    return {
        "matches": [{"start": a, "end": b, "kills": k} for (a, b), k in zip(spans, kills, strict=True)],
        "best": best,
    }


def test_no_best_match_is_right_only_where_every_counter_is_covered() -> None:
    # "covered:SEED" draws an overlay over the kill box all along: no count can be known
    c = compare(_truth(), _report(None, (None, None)), style_name="covered:7105")
    assert c["best_unknown"] and not c["best_ok"] and c["covered_n"] == 2
    # today's look: the counters were in view, so saying "no best match" is a miss
    c = compare(_truth(), _report(None, (None, None)), style_name="default")
    assert not c["best_unknown"] and not c["best_ok"]
    # a best match named is judged as always, covered or not
    assert compare(_truth(), _report(1, (2, 5)), style_name="default")["best_ok"]
    assert not compare(_truth(), _report(0, (2, 1)), style_name="default")["best_ok"]
    assert not compare(_truth(), _report(0, (2, None)), style_name="covered:7105")["best_unknown"]
