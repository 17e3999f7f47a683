"""report.json, built once from what the analysis found (the plain and the Ray path alike)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vodstream.matches.analysis import AnalysisResult, best_match
from vodstream.report.document import versions
from vodstream.report.outcome import apply_gaps, assess

__all__ = ["analysis_part", "build_report", "report_dict"]


def analysis_part(duration: float, result: AnalysisResult) -> dict[str, Any]:
    """The matches, the best one, the gaps and the analysis block of report.json, the same for
    the plain and the Ray path. Spans not analysed are noted in the matches they touch
    (whose confidence drops); the report always carries numeric starts and ends (the truth
    convention), the ``*_seen`` flags say what was seen."""
    noted, touched = apply_gaps(result.matches, result.gaps, duration)
    matches = [m.to_json() for m in noted]
    for m, src in zip(matches, noted, strict=True):
        if m["start"] is None:
            m["start"] = round(src.readings[0][0], 3) if src.readings else 0.0
            m["start_seen"] = False
        if m["end"] is None:
            m["end"] = round(duration, 3)
            m["end_seen"] = False
    hours = duration / 3600.0 if duration > 0 else 0.0
    return {
        "matches": matches,
        "best": best_match(noted),
        "gaps": [{**g.to_json(), "matches": t} for g, t in zip(result.gaps, touched, strict=True)],
        "analysis": {
            "samples": result.samples,
            "segments": result.segments,
            "frames_decoded": result.frames_decoded,
            "timings": result.timings,
            "ocr_calls": result.ocr_calls,
            "ocr_seconds": result.ocr_seconds,
            "ocr_calls_per_hour": round(result.ocr_calls / hours, 1) if hours else None,
            "ocr_seconds_per_hour": round(result.ocr_seconds / hours, 3) if hours else None,
        },
    }


def report_dict(
    vod_id: str, duration: float, result: AnalysisResult, *, span: float | None = None
) -> dict[str, Any]:
    """report.json's analysis part alone (the plain path: tests, benchmarks): :func:`analysis_part`
    and the outcome; ``span``: VOD seconds that were to be analysed (default ``duration``)."""
    part = analysis_part(duration, result)
    report: dict[str, Any] = {"vod_id": vod_id, "duration": round(float(duration), 3), **part}
    report["outcome"] = assess(report, span=duration if span is None else span)
    return report


def build_report(
    *,
    vod_id: str,
    duration: float,
    result: AnalysisResult,
    span: float | None = None,
    clips: Sequence[str] = (),
    clip_matches: Sequence[int] = (),
    clip_info: Sequence[Mapping[str, Any]] = (),
    clip_failures: Sequence[str] = (),
    title: str | None = None,
    streamer: str | None = None,
    source: str | None = None,
    skipped: Sequence[Mapping[str, Any]] = (),
    timings: Mapping[str, float] | None = None,
    settings: Mapping[str, Any] | None = None,
    segments: Mapping[str, int] | None = None,
    dropped: Sequence[Mapping[str, Any]] = (),
    analysed_hours: float | None = None,
) -> dict[str, Any]:
    """The whole report.json of a run, built once (the contract fields vod_id, duration, matches,
    best, clips, gaps first -- the fields a synthetic VOD's truth.json is compared on): the analysis
    part (:func:`analysis_part`), the clips, what was skipped and why, the run's figures, and the
    outcome judged on all of it (``span``: VOD seconds that were to be analysed)."""
    part = analysis_part(duration, result)
    report: dict[str, Any] = {
        "vod_id": vod_id,
        "duration": round(float(duration), 3),
        "matches": part["matches"],
        "best": part["best"],
        "clips": list(clips),
        "clip_matches": list(clip_matches),
        "gaps": part["gaps"],
        "skipped": [dict(s) for s in skipped],
        "title": title,
        "streamer": streamer,
        "source": source,
        "segments": dict(segments or {}),
        "timings": {k: round(float(v), 3) for k, v in (timings or {}).items()},
        "settings": dict(settings or {}),
        "versions": versions(),
        "analysis": part["analysis"],
        "dropped": [dict(d) for d in dropped],
        "clip_info": [dict(c) for c in clip_info],
        "analysed_hours": None if analysed_hours is None else round(analysed_hours, 4),
    }
    report["outcome"] = assess(
        report, span=duration if span is None else span, clip_failures=list(clip_failures)
    )
    return report
