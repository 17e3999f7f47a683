"""Plain sequential analysis (no Ray): segments -> decode -> score -> track -> matches.

The Ray pipeline runs the same stage classes in actors, under the same policy
(:class:`vodstream.matches.scheduler.VodScheduler`); this loop is what tests, benchmarks and small
local jobs use. Memory stays bounded: one segment's samples at a time (scores are
kept only when asked for, e.g. by the accuracy benchmark).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import structlog

from vodstream.matches.scheduler import Command, Fetch, Forget, Resample, TrackerCall, VodScheduler
from vodstream.media.decode import Decoder, DecodeResult
from vodstream.sources.hls import parse_media
from vodstream.store.runstore import SegmentResult
from vodstream.types import Gap, Match, Sample, Score, Segment, SegmentData, merge_gaps

__all__ = [
    "AnalysisResult",
    "analyze",
    "best_match",
    "local_segments",
    "rank_matches",
]

log = structlog.get_logger(__name__)


class _DecoderLike(Protocol):
    def decode(self, data: SegmentData) -> DecodeResult: ...


class _ScorerLike(Protocol):
    def score_batch(self, samples: Sequence[Sample]) -> list[Score]: ...

    @property
    def ocr_calls(self) -> int: ...

    @property
    def ocr_seconds(self) -> float: ...

    def stats(self) -> dict[str, float]: ...


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
    """Decode, score and track every segment in turn, as :class:`~vodstream.matches.scheduler.VodScheduler`
    says (the same policy the Ray graph runs: release order, dense re-sampling).

    A segment that fails to decode (or to score) becomes a gap with the reason, and the loop
    goes on. ``vod_end`` (default: the end of the last segment) closes a match the VOD cuts off.
    ``refine_fps``: the gaps where a final count may show on no keyframe (before an end screen /
    SPECTATING, ..., and after the VOD's last keyframe) are re-decoded at this rate (from the
    last two segments, kept in memory) and scored too (see
    :func:`~vodstream.matches.scheduler.transition_windows`); None turns this off.
    """
    sched = VodScheduler(
        "plain",
        inflight_per_vod=1,
        window=1,
        tracker_inflight=1,
        checkpoint_every=None,
        refine_fps=refine_fps,
        open_input=True,
    )
    dense = Decoder(mode="fps", sample_fps=refine_fps) if refine_fps else None
    held: dict[int, SegmentData] = {}
    t_all = time.perf_counter()
    timings = {"decode": 0.0, "score": 0.0, "track": 0.0}
    kept: list[Score] | None = [] if keep_scores else None
    n_segments = 0
    end_seen = 0.0
    matches: list[Match] = []
    start_ocr_calls, start_ocr_s = scorer.ocr_calls, scorer.ocr_seconds

    def run(cmds: list[Command]) -> None:
        nonlocal matches
        queue = deque(cmds)
        while queue:
            cmd = queue.popleft()
            if isinstance(cmd, Forget):
                held.pop(cmd.index, None)
            elif isinstance(cmd, Resample):
                t0 = time.perf_counter()
                part = held.get(cmd.segment.index)
                picked = []
                if part is not None and dense is not None:
                    picked = dense.decode_window(part, cmd.lo, cmd.hi)
                scores = scorer.score_batch(picked) if picked else []
                timings["score"] += time.perf_counter() - t0
                queue.extend(sched.resampled(cmd.slot, scores))
            elif isinstance(cmd, TrackerCall):
                t0 = time.perf_counter()
                if cmd.kind == "update":
                    closed = tracker.update(list(cmd.scores))
                    if kept is not None:
                        kept.extend(cmd.scores)
                    answer: Any = len(closed)
                else:  # "finish": the plain path never checkpoints nor restores
                    matches = list(tracker.finish(vod_end=cmd.vod_end))
                    answer = (matches, [])
                timings["track"] += time.perf_counter() - t0
                queue.extend(sched.answered(cmd, cmd.seq, answer))

    for data in segments_data:
        seg = data.segment
        n_segments += 1
        end_seen = max(end_seen, seg.end)
        sched.add_segment(seg)
        fetch = sched.next_fetch()
        assert isinstance(fetch, Fetch) and fetch.segment == seg
        run(sched.fetched(seg.index, len(data.data)))
        if sched.keeps_data:
            held[seg.index] = data
        t0 = time.perf_counter()
        try:
            res = decoder.decode(data)
        except Exception as err:
            timings["decode"] += time.perf_counter() - t0
            gap = _stage_failed("analysis.decode_failed", "decode", seg, err)
            run(sched.completed(_result(seg, gaps=[gap]), persist=False))
            continue
        t1 = time.perf_counter()
        timings["decode"] += t1 - t0
        frames = res.frames_decoded
        samples = res.samples
        if not samples:
            run(sched.completed(_result(seg, gaps=list(res.gaps), frames=frames), persist=True))
            continue
        try:
            scores = scorer.score_batch(samples)
        except Exception as err:
            timings["score"] += time.perf_counter() - t1
            gap = _stage_failed("analysis.score_failed", "scoring", seg, err)
            run(sched.completed(_result(seg, gaps=[*res.gaps, gap], frames=frames), persist=False))
            continue
        timings["score"] += time.perf_counter() - t1
        run(sched.completed(_result(seg, gaps=list(res.gaps), frames=frames, scores=scores), persist=True))
    run(sched.close_input(vod_end if vod_end is not None else (end_seen or None)))
    assert sched.finished, "the plain analysis ended without finishing"
    out = sched.out
    timings["total"] = time.perf_counter() - t_all
    return AnalysisResult(
        matches=matches,
        gaps=merge_gaps(out.gaps),
        timings={k: round(v, 4) for k, v in timings.items()},
        ocr_calls=scorer.ocr_calls - start_ocr_calls,
        ocr_seconds=round(scorer.ocr_seconds - start_ocr_s, 4),
        samples=out.samples,
        segments=n_segments,
        frames_decoded=out.frames_decoded,
        duration=float(vod_end if vod_end is not None else end_seen),
        scores=kept,
        stats={**scorer.stats(), "refined_samples": out.refined_samples},
    )


def _result(
    seg: Segment, *, gaps: list[Gap], frames: int = 0, scores: list[Score] | None = None
) -> SegmentResult:
    return SegmentResult(
        index=seg.index,
        start=seg.start,
        duration=seg.duration,
        scores=list(scores or []),
        gaps=gaps,
        frames_decoded=frames,
    )


def _rank_key(m: Match) -> tuple[int, bool, int, float]:
    assert m.kills is not None
    return (
        m.kills,
        m.kills_at_least,  # "9+" made at least as many kills as a 9, perhaps more
        -(m.placement if m.placement is not None else 1000),
        -(m.start if m.start is not None else 0.0),
    )


def rank_matches(matches: Sequence[Match]) -> list[int]:
    """The one ranking rule: indices of the matches with a known kill count, best first -- the
    most kills; ties: a lower bound first (``kills_at_least``: the counter went unread at the
    match's end, so it made at least as many), then better placement, then the earlier match.
    A match whose kills are unknown is never ranked (neither above nor below a known count: it
    could be either); the report and the summary say so (:func:`vodstream.report.outcome.assess`)."""
    known = [i for i, m in enumerate(matches) if m.kills is not None]
    return sorted(known, key=lambda i: (_rank_key(matches[i]), -i), reverse=True)


def best_match(matches: Sequence[Match]) -> int | None:
    """Index of the best match (the first of :func:`rank_matches`); None when no match has a
    known kill count."""
    ranked = rank_matches(matches)
    return ranked[0] if ranked else None


def local_segments(vod_dir: str | Path, variant: str = "chunked") -> Iterator[SegmentData]:
    """SegmentData of a Twitch-layout VOD on disk (``vod_dir/<variant>/index-dvr.m3u8``), in order."""
    vdir = Path(vod_dir) / variant
    playlist = vdir / "index-dvr.m3u8"
    pl = parse_media(playlist.read_text(encoding="utf-8"))
    for seg in pl.segments:
        path = vdir / seg.url
        init = (vdir / seg.init_url).read_bytes() if seg.init_url else None
        yield SegmentData(segment=seg, data=path.read_bytes(), init=init)
