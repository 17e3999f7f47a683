"""Plain sequential analysis (no Ray): segments -> decode -> score -> track -> matches.

The Ray pipeline runs the same stage classes in actors; this loop is what tests, benchmarks
and small local jobs use. Memory stays bounded: one segment's samples at a time (scores are
kept only when asked for, e.g. by the accuracy benchmark).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import structlog

from vodstream.types import Gap, Match, Sample, Score, Segment, SegmentData

__all__ = [
    "AnalysisResult",
    "analyze",
    "best_match",
    "local_segments",
    "rank_matches",
    "transition_windows",
]

log = structlog.get_logger(__name__)


class _DecoderLike(Protocol):
    def decode(self, data: SegmentData) -> Any: ...


class _ScorerLike(Protocol):
    def score_batch(self, samples: Sequence[Sample]) -> list[Score]: ...


class _TrackerLike(Protocol):
    def update(self, scores: Iterable[Score]) -> list[Match]: ...

    def finish(self, vod_end: float | None = None) -> list[Match]: ...


@dataclass(kw_only=True)
class AnalysisResult:
    matches: list[Match]
    gaps: list[Gap]
    timings: dict[str, float]  # seconds: decode, score, track, total
    ocr_calls: int
    ocr_seconds: float
    samples: int
    segments: int = 0
    frames_decoded: int = 0
    duration: float = 0.0  # VOD seconds covered by the segments seen
    scores: list[Score] | None = None  # every score, when analyze(keep_scores=True)
    stats: dict[str, Any] = field(default_factory=dict)


def transition_windows(
    prev: Score | None, scores: Sequence[Score], min_gap: float = 0.5
) -> list[tuple[float, float]]:
    """VOD-time gaps (open intervals) just before an end screen or SPECTATING first shows.

    Keyframes are 2 s apart: a kill in the last moments before the end screen (or before the
    player's death and SPECTATING) may show on no keyframe at all. Sampling these short gaps
    densely recovers it (and pins the end screen's first moment closer).
    """
    out: list[tuple[float, float]] = []
    last = prev
    for s in sorted(scores, key=lambda x: x.vod_time):
        kind = s.marker.kind if s.marker else None
        last_kind = last.marker.kind if last is not None and last.marker else None
        if (
            kind in ("end", "spectating")
            and last is not None
            and kind != last_kind
            and s.vod_time - last.vod_time > min_gap
        ):
            out.append((last.vod_time, s.vod_time))
        last = s
    return out


def _stage_failed(event: str, what: str, seg: Segment, err: Exception) -> Gap:
    """Log a segment a stage could not handle and return it as a gap in the report."""
    log.warning(event, segment=seg.index, error=str(err))
    return Gap(start=seg.start, end=seg.end, reason=f"{what} failed: {err}", segment_index=seg.index)


def analyze(
    segments_data: Iterable[SegmentData],
    *,
    decoder: _DecoderLike,
    scorer: _ScorerLike,
    tracker: _TrackerLike,
    vod_end: float | None = None,
    keep_scores: bool = False,
    refine_fps: float | None = 5.0,
) -> AnalysisResult:
    """Decode, score and track every segment in turn.

    A segment that fails to decode (or to score) becomes a gap with the reason, and the loop
    goes on. ``vod_end`` (default: the end of the last segment) closes a match the VOD cuts off.
    ``refine_fps``: the gap before an end screen / SPECTATING is re-decoded at this rate (from
    the last two segments, kept in memory) and scored too (see :func:`transition_windows`);
    None turns this off.
    """
    from collections import deque

    recent: deque[SegmentData] = deque(maxlen=2)
    last_score: Score | None = None
    refined = 0
    dense = None
    if refine_fps:
        from vodstream.media.decode import Decoder

        dense = Decoder(mode="fps", sample_fps=refine_fps)
    t_all = time.perf_counter()
    timings = {"decode": 0.0, "score": 0.0, "track": 0.0}
    gaps: list[Gap] = []
    kept: list[Score] | None = [] if keep_scores else None
    n_samples = n_segments = n_frames = 0
    end_seen = 0.0
    start_ocr_calls = int(getattr(scorer, "ocr_calls", 0))
    start_ocr_s = float(getattr(scorer, "ocr_seconds", 0.0))
    for data in segments_data:
        seg = data.segment
        n_segments += 1
        end_seen = max(end_seen, seg.end)
        t0 = time.perf_counter()
        try:
            res = decoder.decode(data)
        except Exception as err:
            gaps.append(_stage_failed("analysis.decode_failed", "decode", seg, err))
            timings["decode"] += time.perf_counter() - t0
            continue
        t1 = time.perf_counter()
        timings["decode"] += t1 - t0
        gaps.extend(res.gaps)
        n_frames += int(getattr(res, "frames_decoded", 0))
        samples = res.samples
        if not samples:
            continue
        try:
            scores = scorer.score_batch(samples)
        except Exception as err:
            gaps.append(_stage_failed("analysis.score_failed", "scoring", seg, err))
            timings["score"] += time.perf_counter() - t1
            continue
        t2 = time.perf_counter()
        timings["score"] += t2 - t1
        n_samples += len(samples)
        recent.append(data)
        extra: list[Score] = []
        if dense is not None:
            for lo, hi in transition_windows(last_score, scores, 1.5 / refine_fps):  # type: ignore[operator]
                for part in recent:
                    if part.segment.end <= lo or part.segment.start >= hi:
                        continue
                    picked = [x for x in dense.decode(part).samples if lo + 1e-3 < x.vod_time < hi - 1e-3]
                    if picked:
                        extra.extend(scorer.score_batch(picked))
                        n_samples += len(picked)
                        refined += len(picked)
        if scores:
            last_score = max(scores, key=lambda x: x.vod_time)
        t2b = time.perf_counter()
        timings["score"] += t2b - t2
        tracker.update(scores + extra)
        if kept is not None:
            kept.extend(scores + extra)
        timings["track"] += time.perf_counter() - t2b
    t3 = time.perf_counter()
    matches = tracker.finish(vod_end=vod_end if vod_end is not None else (end_seen or None))
    timings["track"] += time.perf_counter() - t3
    timings["total"] = time.perf_counter() - t_all
    stats_fn = getattr(scorer, "stats", None)
    return AnalysisResult(
        matches=list(matches),
        gaps=_merge_gaps(gaps),
        timings={k: round(v, 4) for k, v in timings.items()},
        ocr_calls=int(getattr(scorer, "ocr_calls", 0)) - start_ocr_calls,
        ocr_seconds=round(float(getattr(scorer, "ocr_seconds", 0.0)) - start_ocr_s, 4),
        samples=n_samples,
        segments=n_segments,
        frames_decoded=n_frames,
        duration=float(vod_end if vod_end is not None else end_seen),
        scores=kept,
        stats={**(stats_fn() if callable(stats_fn) else {}), "refined_samples": refined},
    )


def _merge_gaps(gaps: list[Gap]) -> list[Gap]:
    """Gaps in time order; touching gaps with the same reason become one."""
    out: list[Gap] = []
    for g in sorted(gaps, key=lambda g: (g.start, g.end)):
        if out and out[-1].reason == g.reason and g.start <= out[-1].end + 1e-6:
            last = out[-1]
            out[-1] = Gap(
                start=last.start,
                end=max(last.end, g.end),
                reason=last.reason,
                segment_index=last.segment_index,
            )
        else:
            out.append(g)
    return out


def _rank_key(m: Match) -> tuple[int, int, float]:
    assert m.kills is not None
    return (
        m.kills,
        -(m.placement if m.placement is not None else 1000),
        -(m.start if m.start is not None else 0.0),
    )


def rank_matches(matches: Sequence[Match]) -> list[int]:
    """The one ranking rule: indices of the matches with a known kill count, best first -- the
    most kills; ties: better placement, then the earlier match. A match whose kills are unknown
    is never ranked (neither above nor below a known count: it could be either); the report and
    the summary say so (:func:`vodstream.report.outcome.assess`)."""
    known = [i for i, m in enumerate(matches) if m.kills is not None]
    return sorted(known, key=lambda i: (_rank_key(matches[i]), -i), reverse=True)


def best_match(matches: Sequence[Match]) -> int | None:
    """Index of the best match (the first of :func:`rank_matches`); None when no match has a
    known kill count."""
    ranked = rank_matches(matches)
    return ranked[0] if ranked else None


def local_segments(vod_dir: str | Path, variant: str = "chunked") -> Iterator[SegmentData]:
    """SegmentData of a Twitch-layout VOD on disk (``vod_dir/<variant>/index-dvr.m3u8``), in order."""
    from vodstream.sources.hls import parse_media

    vdir = Path(vod_dir) / variant
    playlist = vdir / "index-dvr.m3u8"
    pl = parse_media(playlist.read_text(encoding="utf-8"))
    for seg in pl.segments:
        path = vdir / seg.url
        init = (vdir / seg.init_url).read_bytes() if seg.init_url else None
        yield SegmentData(segment=seg, data=path.read_bytes(), init=init)
