"""What a run fetches for one input: the analysis and clip variants and the Apex segments.

"Analyse low, clip high": the clip variant is the one asked for (default: source), the analysis
variant the lowest one measured as accurate (``DEFAULT_ANALYZE_QUALITY``, with fallbacks), and
only segments inside Apex Legends chapters are analysed; the spans dropped are listed.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from vodstream.errors import VodstreamError
from vodstream.settings import ANALYZE_FALLBACKS, DEFAULT_CLIP_QUALITY
from vodstream.sources.hls import PlaylistError, select_variant
from vodstream.sources.twitch import ResolvedVod, TwitchConfig, apex_segments, resolve_vod
from vodstream.types import Segment

__all__ = ["Plan", "fetch_config", "resolve_for_analysis", "resolve_plans"]

log = structlog.get_logger(__name__)


@dataclass(kw_only=True)
class Plan:
    input: str
    analysis: ResolvedVod
    clip: ResolvedVod
    segments: list[Segment]  # analysis segments inside Apex chapters
    skipped: list[dict[str, Any]]
    key: str = ""


def pick_analysis_quality(clip: ResolvedVod, requested: str | None) -> str | None:
    """The analysis variant's name; None: same as the clip variant."""
    if not clip.variants:
        return None  # a media playlist or a file: one rendition
    wanted = [requested] if requested else list(ANALYZE_FALLBACKS)
    for q in wanted:
        try:
            v = select_variant(clip.variants, q)
        except PlaylistError:
            if requested:
                raise
            continue
        return None if v.name == clip.quality else v.name
    return None


def skipped_spans(
    all_segments: Sequence[Segment], kept: Sequence[Segment], chapters: Sequence[Any]
) -> list[dict[str, Any]]:
    """Contiguous spans dropped by the chapter filter, with the game played there."""
    kept_idx = {s.index for s in kept}
    spans: list[dict[str, Any]] = []
    for s in all_segments:
        if s.index in kept_idx:
            continue
        if spans and abs(spans[-1]["end"] - s.start) < 1e-6:
            spans[-1]["end"] = s.end
        else:
            spans.append({"start": s.start, "end": s.end})
    for sp in spans:
        games = sorted({c.game_name for c in chapters if c.start < sp["end"] and c.end > sp["start"]})
        sp["reason"] = "not Apex Legends" + (f" (chapter: {', '.join(games)})" if games else "")
    return spans


async def resolve_plan(
    vod: str, *, clip_quality: str, analyze_quality: str | None, config: TwitchConfig
) -> Plan:
    clip = await resolve_vod(vod, quality=clip_quality, config=config)
    try:
        aq = pick_analysis_quality(clip, analyze_quality)
    except VodstreamError as err:
        raise VodstreamError(f"VOD {vod}: {err}") from err
    analysis = clip if aq is None else await resolve_vod(vod, quality=aq, config=config)
    kept = apex_segments(analysis.segments, analysis.chapters)
    return Plan(
        input=vod,
        analysis=analysis,
        clip=clip,
        segments=kept,
        skipped=skipped_spans(analysis.segments, kept, analysis.chapters),
    )


def resolve_for_analysis(
    vod: str, *, analyze_quality: str | None = None, twitch_base: str | None = None
) -> ResolvedVod:
    """The variant ``run`` would analyse for ``vod`` (same rule: ``--analyze-quality`` or the
    default with its fallbacks), with only its Apex segments. For tools that sample a VOD the way
    a run does (``vodstream label``)."""
    plan = asyncio.run(
        resolve_plan(
            vod,
            clip_quality=DEFAULT_CLIP_QUALITY,
            analyze_quality=analyze_quality,
            config=TwitchConfig.from_env(twitch_base),
        )
    )
    return dataclasses.replace(plan.analysis, segments=list(plan.segments))


async def resolve_plans(
    inputs: Sequence[str],
    *,
    clip_quality: str,
    analyze_quality: str | None,
    config: TwitchConfig,
) -> tuple[list[Plan], list[str]]:
    """Resolve every input; a VOD that cannot be resolved is reported, the others go on."""
    got = await asyncio.gather(
        *(
            resolve_plan(v, clip_quality=clip_quality, analyze_quality=analyze_quality, config=config)
            for v in inputs
        ),
        return_exceptions=True,
    )
    seen: set[str] = set()
    plans: list[Plan] = []
    failed: list[tuple[str, str]] = []  # (input, why)
    for vod, p in zip(inputs, got, strict=True):
        if isinstance(p, VodstreamError):
            failed.append((vod, str(p)))
            continue
        if isinstance(p, BaseException):
            raise p
        key = p.analysis.vod_id
        if key in seen:
            log.warning("VOD given twice; analysing it once", vod_id=key, input=p.input)
            continue
        seen.add(key)
        p.key = key
        plans.append(p)
    # one input that cannot be used is the error line alone (the CLI prints it); among several,
    # each one that cannot be used is logged as the others go on
    if plans or len(failed) > 1:
        for vod, err in failed:
            log.error("cannot process VOD", input=vod, error=err)
    failures = [err for _vod, err in failed]
    if not plans and failures:
        raise VodstreamError(
            failures[0]
            if len(failures) == 1
            else f"none of the {len(failures)} VODs could be processed; first: {failures[0]}"
        )
    return plans, failures


def fetch_config(resolved: ResolvedVod) -> dict[str, Any]:
    """The :class:`~vodstream.sources.fetch.SegmentFetcher` arguments a resolved VOD needs."""
    return {"local": resolved.local} if resolved.local is not None else {}
