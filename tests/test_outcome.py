"""Outcomes told truthfully: unknown kills, spans not analysed, the summary and the exit status.

The tracker, report and summary are the real ones; the score streams are hand-made (as in
test_tracker.py) so that a counter the reader never found can be fed on purpose.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from tests.test_tracker import Stream
from vodstream.cli.commands.run import print_outcomes, report_failures
from vodstream.cli.runtime import JobResult, VodOutcome
from vodstream.matches.analysis import AnalysisResult, best_match, rank_matches
from vodstream.matches.tracker import MatchTracker
from vodstream.report.assemble import report_dict
from vodstream.report.outcome import EXIT_NOTHING, EXIT_OK, EXIT_PARTIAL, assess, exit_status
from vodstream.types import Gap, Match


def _result(scores, gaps=(), end=None) -> AnalysisResult:
    tr = MatchTracker()
    tr.update(scores)
    ms = tr.finish(vod_end=end)
    return AnalysisResult(
        matches=ms, gaps=list(gaps), timings={}, ocr_calls=0, ocr_seconds=0.0, samples=len(scores)
    )


def _three_matches() -> tuple[Stream, list[float]]:
    """Match 0: 3 kills read; match 1: HUD seen, counter never found; match 2: 1 kill read."""
    s = Stream().lobby().legend().play([0, 1, 2, 3], per=6).end(placement=5).lobby()
    starts = [s.t]
    s.legend().hud(40, None).end(placement=1, label="CHAMPIONS").lobby()
    starts.append(s.t)
    s.legend().play([0, 1], per=6).end(placement=9).lobby()
    return s, starts


def _outcome(report: dict, tmp: Path, failures: list[str] | None = None) -> JobResult:
    return JobResult(
        [
            VodOutcome(
                input="x",
                vod_id=report["vod_id"],
                out_dir=tmp,
                report=report,
                report_json=tmp / "report.json",
                report_html=tmp / "report.html",
            )
        ],
        failures or [],
    )


def test_an_unread_counter_is_null_in_the_report_and_never_outranks_a_known_count(
    tmp_path: Path, capsys
) -> None:
    s, _ = _three_matches()
    res = _result(s.scores)
    report = report_dict("v1", s.t, res)
    m0, m1, m2 = report["matches"]
    assert (m0["kills"], m1["kills"], m2["kills"]) == (3, None, 1)
    assert m1["kills_readings"] == 0 and m1["kills_confidence"] == 0.0
    assert m1["kills_reason"] == "kill counter not found" and m1["kills_source"] is None
    assert m0["kills_source"] == "hud" and m0["kills_readings"] == 24 and m0["kills_reason"] is None
    assert report["best"] == 0  # the CHAMPIONS match is unknown
    out = report["outcome"]
    assert out["status"] == "partial" and out["kills_unknown"] == [1]
    assert "kill counter not found in match 1: kill counter not found" in out["problems"]
    assert any("match 1 not ranked" in p for p in out["problems"])
    json.dumps(report)
    # the summary shows ? and says why; the exit status says the result is uncertain
    buf = io.StringIO()
    job = _outcome(report, tmp_path)
    print_outcomes(job, file=buf)
    text = buf.getvalue()
    row = next(ln for ln in text.splitlines() if ln.startswith("  1 "))
    assert row.split()[3] == "?"
    assert "! kill counter not found in match 1" in text and "partial or uncertain" in text
    assert report_failures(job) == EXIT_PARTIAL == 3
    assert "partial result" in capsys.readouterr().err


def test_a_count_read_everywhere_is_complete_and_exits_0(tmp_path: Path) -> None:
    s = Stream().lobby().legend().play([0, 1, 2], per=6).end(placement=5).lobby()
    s.legend().hud(30, None, kill_box=False).end(placement=7).lobby()  # modern HUD, no kill
    report = report_dict("v2", s.t, _result(s.scores))
    assert [m["kills"] for m in report["matches"]] == [2, 0]
    assert report["matches"][1]["kills_source"] == "hidden_box"
    assert report["outcome"] == {**report["outcome"], "status": "complete", "problems": []}
    assert report_failures(_outcome(report, tmp_path)) == EXIT_OK


def test_no_match_found_is_complete_with_a_message(tmp_path: Path) -> None:
    s = Stream().lobby(10).nothing(20)
    report = report_dict("v3", s.t, _result(s.scores))
    assert report["matches"] == [] and report["outcome"]["status"] == "complete"
    buf = io.StringIO()
    print_outcomes(_outcome(report, tmp_path), file=buf)
    assert "no Apex Legends match found" in buf.getvalue()


def test_a_gap_inside_a_match_is_reported_with_the_match_it_touches() -> None:
    s = Stream().lobby().legend().play([0, 1, 2], per=10).end(placement=2).lobby()
    s.legend().play([0, 4], per=10).end(placement=1).lobby()
    # segment 3 (30-40 s) lost inside match 0; the tracker saw nothing there
    gap = Gap(start=30.0, end=40.0, reason="fetch failed: HTTP 500", segment_index=3)
    scores = [x for x in s.scores if not 30.0 <= x.vod_time < 40.0]
    clean = report_dict("v4", s.t, _result(s.scores))
    report = report_dict("v4", s.t, _result(scores, [gap]))
    assert report["gaps"] == [{**gap.to_json(), "matches": [0]}]
    m0 = report["matches"][0]
    assert m0["confidence"] < clean["matches"][0]["confidence"]
    assert any("not analysed: 0:00:30-0:00:40 (fetch failed: HTTP 500)" in n for n in m0["notes"])
    assert report["matches"][1]["confidence"] == clean["matches"][1]["confidence"]  # untouched
    assert report["outcome"]["status"] == "partial" and report["outcome"]["unanalysed_s"] == 10.0
    assert (
        "0:00:30-0:00:40 not analysed (fetch failed: HTTP 500); touches match 0"
        in report["outcome"]["problems"]
    )


def test_every_span_failed_is_nothing_analysed() -> None:
    gaps = [
        Gap(start=i * 10.0, end=i * 10.0 + 10.0, reason="fetch failed: HTTP 500", segment_index=i)
        for i in range(6)
    ]
    report = report_dict("v5", 60.0, _result([], gaps))
    assert report["outcome"]["status"] == "failed"
    assert report["outcome"]["problems"][0] == "nothing analysed: every segment failed"
    assert exit_status(["failed"]) == EXIT_NOTHING
    assert exit_status(["complete", "failed"]) == EXIT_PARTIAL
    assert exit_status(["complete"], failures=1) == EXIT_PARTIAL  # another VOD could not be resolved
    assert exit_status(["complete", "complete"]) == EXIT_OK
    assert exit_status([], failures=2) == EXIT_NOTHING


def test_a_failed_clip_makes_the_result_partial() -> None:
    s = Stream().lobby().legend().play([0, 1, 2], per=6).end(placement=5).lobby()
    report = report_dict("v6", s.t, _result(s.scores))
    out = assess(report, span=s.t, clip_failures=["clip of match 0 failed: HTTP 404"])
    assert out["status"] == "partial" and out["problems"] == ["clip of match 0 failed: HTTP 404"]


def test_the_ranking_rule_has_one_owner() -> None:
    ms = [
        Match(start=0.0, end=1.0, kills=4, placement=3),
        Match(start=2.0, end=3.0, kills=None),
        Match(start=4.0, end=5.0, kills=4, placement=1),
        Match(start=6.0, end=7.0, kills=9),
    ]
    assert rank_matches(ms) == [3, 2, 0]
    assert best_match(ms) == 3


def _ranked(*ms: Match) -> dict:
    result = AnalysisResult(matches=list(ms), gaps=[], timings={}, ocr_calls=0, ocr_seconds=0.0, samples=0)
    return report_dict("v9", 1000.0, result)


def test_a_lower_bound_beats_the_same_exact_count() -> None:
    # the VOD ends while the HUD is out of view: "9+" (no placement) against an exact 9 placed #2
    exact = Match(start=0.0, end=300.0, kills=9, placement=2, kills_confidence=1.0)
    cut = Match(start=400.0, end=None, kills=9, kills_at_least=True, kills_confidence=0.3)
    assert rank_matches([exact, cut]) == [1, 0]
    report = _ranked(exact, cut)
    assert report["best"] == 1
    # the lower bound that is the best match needs no line of its own beyond its uncertain kills
    assert not any("may have more than the best match" in p for p in report["outcome"]["problems"])


def test_a_lower_bound_under_the_best_says_it_may_have_more() -> None:
    best = Match(start=0.0, end=300.0, kills=9, placement=2, kills_confidence=1.0)
    cut = Match(start=400.0, end=None, kills=7, kills_at_least=True, kills_confidence=0.3)
    report = _ranked(best, cut)
    assert report["best"] == 0
    out = report["outcome"]
    assert out["status"] == "partial"
    want = (
        "match 1 made at least 7 kills (the counter went unread at its end): "
        "it may have more than the best match, 0"
    )
    assert want in out["problems"]
