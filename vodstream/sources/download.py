"""``vodstream download``: a whole VOD (or a time range) as one .ts or .mp4, resumably.

Segments go to a partial directory beside the output (``<output>.part/``), each written to a
temporary name and renamed when complete, so a finished segment is exactly a file that exists.
A re-run (after Ctrl-C, a crash or ``kill -9``) fetches only the missing segments. The output
is assembled under a temporary name and moved into place only when every segment is there:
``.ts`` by concatenation, anything else (``.mp4``, ``.mkv``) by a PyAV stream-copy remux
(``.mp4`` with faststart). Ranges are segment-granular: whole segments overlapping
[start, end) are kept.
"""

from __future__ import annotations

import asyncio
import io
import json
import math
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import aiohttp
import structlog

from vodstream.errors import ClipError, FetchError, VodstreamError
from vodstream.settings import DEFAULT_CONCURRENCY
from vodstream.sources.fetch import RetryPolicy, SegmentFetcher
from vodstream.sources.twitch import ResolvedVod, TwitchConfig, resolve_vod, segments_in_range
from vodstream.types import Gap, Segment, SegmentData

__all__ = ["DownloadResult", "download", "download_vod", "parse_time"]

log = structlog.get_logger(__name__)

MANIFEST = "manifest.json"
REANCHOR_S = 1.0
"""A segment whose timestamps are this far off the playlist clock starts a new timeline."""


def parse_time(text: str | float | None) -> float | None:
    """``"90"``, ``"90.5"``, ``"1:30"``, ``"1:02:03"``, ``"1h2m3s"`` -> seconds."""
    if text is None or isinstance(text, (int, float)):
        return None if text is None else float(text)
    t = text.strip().lower()
    try:
        if ":" in t:
            parts = t.split(":")
            # unsigned numbers only (float() takes "-1", "+1", "inf", "nan"): "-1:30" is refused like "-10"
            if len(parts) <= 3 and all(re.fullmatch(r"\d+(?:\.\d+)?", x) for x in parts):
                secs = 0.0
                for part in parts:
                    secs = secs * 60 + float(part)
                return secs
            raise ValueError(t)
        m = re.fullmatch(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?", t)
        if m and t and any(m.groups()):
            h, mi, s = (float(g) if g else 0.0 for g in m.groups())
            return h * 3600 + mi * 60 + s
    except ValueError:
        pass
    raise VodstreamError(f"bad time {text!r}: use seconds, [H:]MM:SS or 1h2m3s")


@dataclass
class DownloadResult:
    output: Path
    vod_id: str
    quality: str
    segments: int  # segments in the output
    fetched: int  # fetched by this run
    reused: int  # found finished in the partial directory
    bytes: int  # bytes fetched by this run
    seconds: float
    retries: int = 0
    gaps: list[Gap] = field(default_factory=list)

    @property
    def mb_per_s(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "output": str(self.output),
            "vod_id": self.vod_id,
            "quality": self.quality,
            "segments": self.segments,
            "fetched": self.fetched,
            "reused": self.reused,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "mb_per_s": round(self.mb_per_s, 2),
            "retries": self.retries,
        }


def _seg_key(seg: Segment) -> dict[str, Any]:
    """What must match for a saved segment to be reused (name without the mute state)."""
    name = re.sub(r"-(un)?muted(?=\.)", "", seg.url.split("?", 1)[0].rsplit("/", 1)[-1])
    return {"index": seg.index, "duration": round(seg.duration, 3), "name": name}


class _PartialDir:
    """``<output>.part/``: manifest.json + seg-NNNNNN.<ext> files (+ init.mp4)."""

    def __init__(self, output: Path, vod: ResolvedVod, selected: list[Segment]) -> None:
        self.path = output.with_name(output.name + ".part")
        self.ext = "mp4" if vod.init_url else "ts"
        self.vod = vod
        self.selected = selected

    def seg_path(self, seg: Segment) -> Path:
        return self.path / f"seg-{seg.index:06d}.{self.ext}"

    @property
    def init_path(self) -> Path:
        return self.path / "init.mp4"

    def open(self) -> list[Segment]:
        """Create or reuse the directory; returns the segments still to fetch."""
        self.path.mkdir(parents=True, exist_ok=True)
        for tmp in self.path.glob("*.tmp"):
            tmp.unlink(missing_ok=True)
        manifest_path = self.path / MANIFEST
        old: dict[int, dict[str, Any]] = {}
        try:
            data = json.loads(manifest_path.read_text())
            if data.get("vod_id") == self.vod.vod_id and data.get("quality") == self.vod.quality:
                old = {int(s["index"]): s for s in data.get("segments", [])}
            else:
                log.warning("partial download is of another VOD/quality; starting over", dir=str(self.path))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        # a saved segment is reused when the playlist still lists it the same way (any range)
        keep = {s.index for s in self.vod.segments if old.get(s.index) == _seg_key(s)}
        for f in self.path.glob("seg-*"):
            m = re.fullmatch(r"seg-(\d+)\.(ts|mp4)", f.name)
            if not m or int(m.group(1)) not in keep or m.group(2) != self.ext:
                f.unlink(missing_ok=True)
        merged = {s.index: _seg_key(s) for s in self.vod.segments}
        manifest = {
            "vod_id": self.vod.vod_id,
            "quality": self.vod.quality,
            "source_url": _no_query(self.vod.source_url),
            "segments": [merged[i] for i in sorted(merged)],
        }
        _write_atomic(manifest_path, json.dumps(manifest, indent=1).encode())
        return [s for s in self.selected if not self.seg_path(s).is_file()]

    def save(self, item: SegmentData) -> None:
        if item.init is not None and not self.init_path.is_file():
            _write_atomic(self.init_path, item.init)
        _write_atomic(self.seg_path(item.segment), item.data)

    def parts(self) -> list[Path]:
        paths = [self.seg_path(s) for s in self.selected]
        return ([self.init_path] if self.ext == "mp4" else []) + paths


def _no_query(url: str) -> str:
    return url.split("?", 1)[0]


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _concat(parts: list[Path], tmp: Path) -> None:
    with open(tmp, "wb") as out:
        for p in parts:
            with open(p, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)


class _BadSegment(Exception):
    """A downloaded segment that does not demux (corrupt bytes as fetched)."""

    def __init__(self, segment: Segment, path: Path, error: Exception) -> None:
        super().__init__(str(error))
        self.segment, self.path, self.error = segment, path, error


def _demux(src: Any, streams: list[Any], seg: Segment, path: Path) -> Iterator[Any]:
    """``src.demux(streams)``, a read error becoming :class:`_BadSegment`."""
    import av

    it = iter(src.demux(streams))
    while True:
        try:
            packet = next(it)
        except StopIteration:
            return
        except av.error.FFmpegError as err:
            raise _BadSegment(seg, path, err) from err
        yield packet


def _remux(partial: _PartialDir, tmp: Path, fmt: str) -> None:
    """Stream-copy the segments (video + audio) into ``fmt``, one segment at a time.

    Timestamps follow the source while it is continuous; where a segment's timestamps do not
    continue (a discontinuity: legacy VODs, ``--repeat``, a PTS reset) it is re-anchored at its
    playlist time, so the output runs on the playlist clock from 0. A packet that would still
    step back in time is dropped (audio) or nudged forward (video).
    """
    import av

    options = {"avoid_negative_ts": "make_zero"}
    if fmt in ("mp4", "mov"):
        options["movflags"] = "+faststart"
    init = partial.init_path.read_bytes() if partial.ext == "mp4" else b""
    t0 = partial.selected[0].start
    out: dict[str, Any] = {}
    last: dict[str, Fraction] = {}
    shift: float | None = None
    dropped = 0
    try:
        with av.open(str(tmp), "w", format=fmt, options=options) as dst:
            for seg in partial.selected:
                path = partial.seg_path(seg)
                source: Any = io.BytesIO(init + path.read_bytes()) if init else str(path)
                try:
                    src = av.open(source, "r", format="mp4" if init else "mpegts")
                except av.error.FFmpegError as err:
                    raise _BadSegment(seg, path, err) from err
                with src:
                    streams = [st for st in src.streams if st.type in ("video", "audio")]
                    if not out:
                        for kind in ("video", "audio"):
                            first = next((st for st in streams if st.type == kind), None)
                            if first is not None:
                                out[kind] = dst.add_stream_from_template(first)
                        if not out:
                            raise ClipError("the VOD has no video or audio stream to write")
                    begin = (src.start_time or 0) / 1e6
                    expected = seg.start - t0
                    if shift is None or abs(begin + shift - expected) > REANCHOR_S:
                        shift = expected - begin  # first segment, or a discontinuity: re-anchor
                    wanted: dict[str, Any] = {}
                    for st in streams:
                        if st.type in out:
                            wanted.setdefault(st.type, st)  # the first of each kind
                    for packet in _demux(src, list(wanted.values()), seg, path):
                        if packet.size == 0 or packet.dts is None:
                            continue
                        kind = packet.stream.type
                        tb = packet.time_base
                        ticks = round(shift / tb)
                        dts = packet.dts + ticks
                        pts = (packet.pts + ticks) if packet.pts is not None else dts
                        prev = last.get(kind)
                        if prev is not None and dts * tb <= prev:
                            if kind == "audio":
                                dropped += 1
                                continue
                            dts = math.floor(prev / tb) + 1
                            pts = max(pts, dts)
                        packet.dts, packet.pts = dts, pts
                        last[kind] = dts * tb
                        packet.stream = out[kind]
                        dst.mux(packet)
    except _BadSegment as bad:
        # Kept, it would fail every retry the same way: drop it so the next run fetches it anew.
        bad.path.unlink(missing_ok=True)
        raise ClipError(
            f"segment {bad.segment.index} (at {bad.segment.start:.1f} s) is not readable video "
            f"({bad.error}); it was removed from {partial.path}: run the same command again "
            "to fetch it anew"
        ) from bad.error
    except av.error.FFmpegError as err:
        raise ClipError(f"cannot remux the VOD into .{fmt}: {err}") from err
    if dropped:
        log.debug("dropped overlapping audio packets at segment joins", packets=dropped)


def _assemble(partial: _PartialDir, output: Path) -> None:
    tmp = partial.path / ("assembling" + output.suffix)
    ext = output.suffix.lower().lstrip(".")
    try:
        if ext == "ts" and partial.ext == "ts":
            _concat(partial.parts(), tmp)
        else:
            fmt = {"ts": "mpegts", "mkv": "matroska", "m4v": "mp4", "mov": "mov"}.get(ext, ext or "mp4")
            _remux(partial, tmp, fmt)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, output)


class _Progress:
    """tqdm on a TTY (segments, MB, MB/s, ETA); silent otherwise."""

    def __init__(self, total: int, done: int, enabled: bool | None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.bytes = 0
        self.t0 = time.monotonic()
        self.bar: Any = None
        if self.enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                initial=done,
                unit="seg",
                file=sys.stderr,
                dynamic_ncols=True,
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} seg [{elapsed}<{remaining}] {postfix}",
            )

    def update(self, nbytes: int) -> None:
        self.bytes += nbytes
        if self.bar is not None:
            rate = self.bytes / 1e6 / max(1e-6, time.monotonic() - self.t0)
            self.bar.set_postfix_str(f"{self.bytes / 1e6:.1f} MB, {rate:.1f} MB/s", refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


async def download_vod(
    vod: str | ResolvedVod,
    output: Path | str,
    *,
    quality: str = "best",
    start: float | None = None,
    end: float | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    config: TwitchConfig | None = None,
    policy: RetryPolicy | None = None,
    progress: bool | None = None,
    overwrite: bool = False,
    session: aiohttp.ClientSession | None = None,
) -> DownloadResult:
    """Download ``vod`` into ``output`` (.ts concatenation, or a remux for .mp4/.mkv)."""
    output = Path(output)
    if output.exists() and not overwrite:
        raise VodstreamError(f"{output} already exists (pass --overwrite to replace it)")
    if not output.parent.is_dir():
        raise VodstreamError(f"cannot write {output}: directory {output.parent} does not exist")
    if start is not None and end is not None and end <= start:
        raise VodstreamError(f"--end ({end:g}) must be after --start ({start:g})")
    t0 = time.monotonic()
    own = session is None
    sess = session or aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=max(16, 2 * concurrency)))
    try:
        resolved = (
            vod
            if isinstance(vod, ResolvedVod)
            else await resolve_vod(vod, quality=quality, config=config, session=sess)
        )
        selected = segments_in_range(resolved.segments, start, end)
        if not selected:
            raise VodstreamError(
                f"no segments in the range {start or 0:g}-{end if end is not None else 'end'} "
                f"(the VOD is {resolved.duration:.1f} s long)"
            )
        partial = _PartialDir(output, resolved, selected)
        todo = partial.open()
        reused = len(selected) - len(todo)
        if reused:
            log.info("resuming download", finished=reused, missing=len(todo), dir=str(partial.path))
        bar = _Progress(len(selected), reused, progress)
        gaps: list[Gap] = []
        fetcher = SegmentFetcher(sess, concurrency=concurrency, policy=policy, local=resolved.local)
        try:
            async for item in fetcher.stream(todo, ordered=False):
                if isinstance(item, Gap):
                    gaps.append(item)
                    continue
                await asyncio.to_thread(partial.save, item)
                bar.update(len(item.data))
        finally:
            bar.close()
            await fetcher.close()
    finally:
        if own:
            await sess.close()
    if gaps:
        gaps.sort(key=lambda g: g.start)
        first = gaps[0]
        raise FetchError(
            f"{len(gaps)} of {len(selected)} segments failed (first: segment {first.segment_index} "
            f"at {first.start:.1f} s: {first.reason}); finished segments are kept in "
            f"{partial.path}: run the same command again to retry"
        )
    await asyncio.to_thread(_assemble, partial, output)
    shutil.rmtree(partial.path, ignore_errors=True)
    result = DownloadResult(
        output=output,
        vod_id=resolved.vod_id,
        quality=resolved.quality,
        segments=len(selected),
        fetched=fetcher.stats.segments,
        reused=reused,
        bytes=fetcher.stats.bytes,
        seconds=time.monotonic() - t0,
        retries=fetcher.stats.retries,
    )
    log.info("download complete", **result.to_json())
    return result


def download(vod: str, output: Path | str, **kwargs: Any) -> DownloadResult:
    """Synchronous :func:`download_vod`."""
    return asyncio.run(download_vod(vod, output, **kwargs))
