"""report.json's analysis part, built from what the analysis found (the plain and the Ray path alike)."""

from __future__ import annotations

from typing import Any

from vodstream.matches.analysis import AnalysisResult, best_match
from vodstream.report.outcome import apply_gaps, assess

__all__ = ["report_dict"]


def report_dict(
    vod_id: str, duration: float, result: AnalysisResult, *, span: float | None = None
) -> dict[str, Any]:
    """report.json's analysis part (DESIGN.md): matches, best, gaps, outcome (the runner adds
    clips). Spans not analysed are noted in the matches they touch (whose confidence drops);
    ``span``: VOD seconds that were to be analysed (default ``duration``)."""
    noted, touched = apply_gaps(result.matches, result.gaps, duration)
    matches = [m.to_json() for m in noted]
    for m, src in zip(matches, noted, strict=True):
        # The report always carries numbers (the truth convention); the flags say what was seen.
        if m["start"] is None:
            m["start"] = round(src.readings[0][0], 3) if src.readings else 0.0
            m["start_seen"] = False
        if m["end"] is None:
            m["end"] = round(duration, 3)
            m["end_seen"] = False
    hours = duration / 3600.0 if duration > 0 else 0.0
    report: dict[str, Any] = {
        "vod_id": vod_id,
        "duration": round(float(duration), 3),
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
    report["outcome"] = assess(report, span=duration if span is None else span)
    return report
