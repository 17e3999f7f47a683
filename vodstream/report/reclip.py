"""``vodstream clip REPORT``: cut one match of an existing report.json again, without Ray."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from vodstream.errors import VodstreamError
from vodstream.media.clip import clip_segments, clip_window
from vodstream.report.document import REPORT_JSON, atomic_write
from vodstream.settings import DEFAULT_CLIP_QUALITY
from vodstream.sources.plan import fetch_config
from vodstream.sources.twitch import TwitchConfig, resolve_vod, segments_in_range

__all__ = ["clip_from_report"]


def clip_from_report(
    report_path: Path,
    *,
    match: int | None = None,
    clip_quality: str | None = None,
    reencode: bool = False,
    twitch_base: str | None = None,
    out: Path | None = None,
    auth_token: str | None = None,
) -> Path:
    """Cut one match of an existing report.json (default: its best) and add it to the report."""
    report_path = Path(report_path)
    if report_path.is_dir():
        report_path = report_path / REPORT_JSON
    try:
        report = json.loads(report_path.read_text())
    except (OSError, ValueError) as err:
        raise VodstreamError(f"cannot read report {report_path}: {err}") from err
    matches = report.get("matches") or []
    idx = report.get("best") if match is None else match
    if idx is None or not 0 <= int(idx) < len(matches):
        raise VodstreamError(f"{report_path}: no match {idx!r} to clip (it has {len(matches)})")
    idx = int(idx)
    source = report.get("source") or report["vod_id"]
    quality = clip_quality or report.get("settings", {}).get("clip_quality") or DEFAULT_CLIP_QUALITY

    async def _go() -> Path:
        resolved = await resolve_vod(
            source, quality=quality, config=TwitchConfig.from_env(twitch_base, auth_token=auth_token)
        )
        start, end = clip_window(
            matches[idx], resolved.duration, resolved.segments[0].start if resolved.segments else 0.0
        )
        segs = segments_in_range(resolved.segments, start, end)
        dest = Path(out) if out else report_path.parent / f"{report['vod_id']}-match{idx}.mp4"
        await clip_segments(
            segs, dest, start=start, end=end, reencode=reencode, fetch_config=fetch_config(resolved)
        )
        return dest

    dest = asyncio.run(_go())
    clips = list(report.get("clips") or [])
    which = list(report.get("clip_matches") or [])
    rel = os.path.relpath(dest, report_path.parent)
    if idx in which:
        clips[which.index(idx)] = rel
    else:
        clips.append(rel)
        which.append(idx)
    report["clips"], report["clip_matches"] = clips, which
    atomic_write(report_path, json.dumps(report, indent=2) + "\n")
    return dest
