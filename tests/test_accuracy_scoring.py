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


def _run(style: str, seed: int, found: int, commit: str) -> dict:
    summary = {
        "vods": 1,
        "matches": 4,
        "found": found,
        "extra": 0,
        "bounds_ok": found,
        "in_view_ok": found,
        "in_view_n": 4,
        "covered_null": 0,
        "covered_n": 0,
        "kills_null": 0,
        "kills_wrong": 0,
        "kills_wrong_flagged": 0,
        "best_right": 1,
        "best_unknown": 0,
        "best_right_median20": 1,
        "end_screen_own_right": 1,
        "end_screen_own_read": 1,
        "end_screen_disagree": 0,
        "ocr_calls_per_vod_hour": 2500.0,
        "bars_met": found == 4,
    }
    vod = {"seed": seed, "kills_ok": found, "kills_ok_median20": 2, "end_screen": [], "misses": []}
    vod["unmatched_truth"] = [{"start": 100.0}] if found < 4 else []
    return {
        "summary": summary,
        "vods": [vod],
        "args": {"style": style},
        "command": f"python benchmarks/accuracy.py --seeds {seed} --style {style}",
        "commit": commit,
        "measured": "2026-12-05 12:00 UTC",
    }


def test_a_column_without_its_json_is_kept_as_its_run_wrote_it() -> None:
    from accuracy import carried_columns, docs_section

    first = docs_section(
        {"": _run("default", 5101, 4, "aaaaaaa"), "-heldout7": _run("heldout7", 8717, 3, "bbbbbbb")}
    )
    # a later machine has only the seventh family's new run: today's look is carried over unchanged
    again = docs_section({"-heldout7": _run("heldout7", 8717, 4, "ccccccc")}, carried_columns(first))
    rows = [ln for ln in again.splitlines() if ln.startswith("| ")]
    assert rows[0].startswith("| | today's look (") and "seventh held-out family (" in rows[0]
    assert "| matches found | 4/4, 0 extra | 4/4, 0 extra |" in again
    assert "| bars met | yes | yes |" in again
    assert (
        "- today's look: `python benchmarks/accuracy.py --seeds 5101 --style default` (commit aaaaaaa"
        in again
    )
    assert "commit ccccccc" in again and "bbbbbbb" not in again
    assert "seed 8717: match at 100 s not found" not in again  # the old run's note went with it
    # with no earlier section, only the runs at hand
    assert "today's look" not in docs_section({"-heldout7": _run("heldout7", 8717, 4, "ccccccc")})
