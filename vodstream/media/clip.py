"""The clipper core: cut a VOD-time span out of fetched segments into an .mp4.

Default: stream copy of video and audio (no re-encode). The clip starts on the last keyframe
at or before ``start`` (a stream-copy cut can only start on a keyframe), and its timestamps are
rebased so that keyframe is at 0. Segment times come from the playlist (VOD time), so PTS
resets or discontinuities between segments do not matter. Video stops at the first packet
(decode order) at or past ``end``, audio at the same time. The .mp4 gets faststart (moov
before mdat) so players and YouTube can start before the whole file is read.

Segments are consumed one at a time from an iterable, so memory stays bounded by about one
segment (plus the GOP before ``start``), however long the clip.

``reencode=True`` decodes and re-encodes (libx264 + AAC) for an exact start and end.

Output is written to a temporary name beside ``out`` and moved into place with os.replace,
so a failed clip never leaves a partial file under its final name.
"""

from __future__ import annotations

import asyncio
import io
import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from glob import escape as glob_escape
from pathlib import Path
from typing import Any, Literal

import av
import av.error
import numpy as np
import structlog

from vodstream.errors import ClipError, VodstreamError
from vodstream.media.decode import container_format
from vodstream.sources.fetch import SegmentFetcher
from vodstream.types import Gap, Match, Segment, SegmentData

__all__ = ["CLIP_HEAD", "CLIP_TAIL", "ClipInfo", "clip_segments", "clip_window", "write_clip"]

log = structlog.get_logger(__name__)

_MEDIA_ERRORS: tuple[type[BaseException], ...] = (av.error.FFmpegError, ValueError, OSError, EOFError)
_EPS = 1e-4
CLIP_HEAD = 0.0  # seconds before the SELECT LEGEND moment (the cut snaps to the keyframe before)
CLIP_TAIL = 8.0  # seconds after the end screen first shows, so the clip shows it


@dataclass(frozen=True, kw_only=True)
class ClipInfo:
    """What was written. ``start``/``end`` are the VOD times actually covered."""

    path: Path
    start: float
    end: float
    duration: float
    video_codec: str
    audio_codec: str | None
    size: int
    requested_start: float
    requested_end: float
    reencoded: bool = False
    segments: list[int] = field(default_factory=list)  # indices of the segments used
    gaps: list[Gap] = field(default_factory=list)  # unreadable segments inside the clip

    def to_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "duration": round(self.duration, 3),
            "video_codec": self.video_codec,
            "audio_codec": self.audio_codec,
            "size": self.size,
            "requested_start": self.requested_start,
            "requested_end": self.requested_end,
            "reencoded": self.reencoded,
            "segments": self.segments,
            "gaps": [g.to_json() for g in self.gaps],
        }


def write_clip(
    parts: Iterable[SegmentData],
    out: str | Path,
    *,
    start: float,
    end: float,
    reencode: bool = False,
    on_bad_part: Literal["skip", "raise"] = "skip",
) -> ClipInfo:
    """Write VOD time [start, end) of ``parts`` (in playlist order) to ``out`` (.mp4).

    A part that cannot be read is skipped and listed in ``ClipInfo.gaps`` (the clip's clock
    comes from the playlist, so what follows stays in place), or, with
    ``on_bad_part="raise"``, fails the clip. Raises :class:`ClipError` (one clear line) for
    bad input; ``out`` is then untouched.
    """
    if on_bad_part not in ("skip", "raise"):
        raise ValueError(f"unknown on_bad_part {on_bad_part!r}")
    out = Path(out)
    if not end > start:
        raise ClipError(f"clip end ({end:.3f}) must be after its start ({start:.3f})")
    if start < 0:
        raise ClipError(f"clip start must not be negative ({start:.3f})")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ClipError(f"cannot create {out.parent}: {err.strerror or err}") from err
    _remove_stale_parts(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    writer = _ReencodeWriter(tmp, start, end) if reencode else _CopyWriter(tmp, start, end)
    gaps: list[Gap] = []
    try:
        for part in parts:
            try:
                writer.add(part)
            except _PartError as err:
                if on_bad_part == "raise":
                    raise
                seg = part.segment
                log.warning("clip.bad_segment", segment=seg.index, url=seg.url, reason=str(err))
                gaps.append(Gap(start=seg.start, end=seg.end, reason=str(err), segment_index=seg.index))
                continue
            if writer.finished:
                break
        info = writer.close()
        os.replace(tmp, out)
    except ClipError:
        writer.abort()
        _unlink(tmp)
        raise
    except _MEDIA_ERRORS as err:
        writer.abort()
        _unlink(tmp)
        raise ClipError(f"cannot write clip {out.name}: {_msg(err)}") from err
    except BaseException:
        writer.abort()
        _unlink(tmp)
        raise
    size = out.stat().st_size
    clip = ClipInfo(
        path=out,
        start=info.start,
        end=info.end,
        duration=info.end - info.start,
        video_codec=info.video_codec,
        audio_codec=info.audio_codec,
        size=size,
        requested_start=start,
        requested_end=end,
        reencoded=reencode,
        segments=info.segments,
        gaps=[g for g in gaps if g.end > info.start and g.start < info.end],
    )
    log.info(
        "clip.written",
        path=str(out),
        start=round(clip.start, 3),
        end=round(clip.end, 3),
        size=size,
        reencoded=reencode,
    )
    return clip


# --------------------------------------------------------------------------- shared


class _PartError(ClipError):
    """One segment cannot be used (nothing of it was written)."""


@dataclass
class _Written:
    start: float
    end: float
    video_codec: str
    audio_codec: str | None
    segments: list[int]


def _remove_stale_parts(out: Path) -> None:
    """Remove hidden ``.<name>.<pid>.part`` files a killed writer of ``out`` left behind (their
    process is gone); a writer still running keeps its file."""
    for part in out.parent.glob(f".{glob_escape(out.name)}.*.part"):
        pid_text = part.name[len(out.name) + 2 : -len(".part")]
        if not pid_text.isdigit():
            continue
        pid = int(pid_text)
        if pid != os.getpid() and _alive(pid):
            continue
        log.info("clip.stale_part_removed", path=str(part))
        _unlink(part)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _msg(err: BaseException) -> str:
    if isinstance(err, av.error.FFmpegError) and err.strerror:
        return str(err.strerror)
    return (str(err).strip() or type(err).__name__).splitlines()[0][:200]


def _open_part(part: SegmentData) -> av.container.InputContainer:
    fmt = container_format(part)
    buf = part.data if part.init is None else part.init + part.data
    try:
        return av.open(io.BytesIO(buf), mode="r", format=fmt)
    except _MEDIA_ERRORS as err:
        raise _PartError(f"segment {part.segment.index} cannot be read: {_msg(err)}") from err


@contextmanager
def _read_part(
    part: SegmentData,
    ensure_output: Callable[[av.VideoStream, av.AudioStream | None], object],
    want_audio: Callable[[], bool],
) -> Iterator[tuple[av.VideoStream, av.AudioStream | None, list[av.Packet], _PartClock]]:
    """Open a segment, make sure the writer's output exists, demux it: (video, audio, packets, clock).

    ``want_audio`` is asked after the output exists (a writer may drop the audio track).
    """
    container = _open_part(part)
    with container:
        if not container.streams.video:
            raise _PartError(f"segment {part.segment.index} has no video stream")
        vin = container.streams.video[0]
        ain = container.streams.audio[0] if container.streams.audio else None
        ensure_output(vin, ain)
        vin.codec_context.thread_type = "AUTO"
        streams: list[av.stream.Stream] = [vin] if (ain is None or not want_audio()) else [vin, ain]
        try:
            packets = [p for p in container.demux(streams) if p.size > 0 and p.pts is not None]
        except _MEDIA_ERRORS as err:
            raise _PartError(f"segment {part.segment.index} is corrupt: {_msg(err)}") from err
        yield vin, ain, packets, _PartClock(part, vin, packets)


def _close_quietly(out: av.container.OutputContainer | None) -> None:
    """Close an output being abandoned; its own errors no longer matter."""
    if out is not None:
        try:
            out.close()
        except _MEDIA_ERRORS:
            pass


def _open_output(tmp: Path) -> av.container.OutputContainer:
    return av.open(str(tmp), mode="w", format="mp4", options={"movflags": "+faststart"})


class _PartClock:
    """Maps one part's timestamps to VOD time: segment.start + (t - first video frame time)."""

    def __init__(self, part: SegmentData, video: av.VideoStream, packets: list[av.Packet]) -> None:
        self.vtb = video.time_base or Fraction(1, 90000)
        vpts = [p.pts for p in packets if p.stream.index == video.index and p.pts is not None]
        if not vpts:
            raise _PartError(f"segment {part.segment.index} has no video packets")
        self.t0 = Fraction(min(vpts)) * self.vtb  # seconds, stream clock
        self.origin = Fraction(part.segment.start) - self.t0  # add to stream seconds -> VOD time

    def vod(self, ts: int, tb: Fraction) -> float:
        return float(ts * tb + self.origin)


# --------------------------------------------------------------------------- stream copy


class _CopyWriter:
    def __init__(self, tmp: Path, start: float, end: float) -> None:
        self.tmp, self.start, self.end = tmp, start, end
        self.out: av.container.OutputContainer | None = None
        self.vout: av.VideoStream | None = None
        self.aout: av.AudioStream | None = None
        self.video_codec = ""
        self.audio_codec: str | None = None
        self.finished = False
        self.started = False
        self.clip_t0: Fraction | None = None  # VOD time of the first keyframe muxed
        self.pending: list[tuple[av.Packet, Fraction, bool, int]] = []  # GOP at/before start
        self.held_audio: deque[tuple[av.Packet, Fraction, bool, int]] = deque()
        self.tail: list[tuple[av.Packet, Fraction, bool, int]] = []  # video shown after end
        self.current = -1  # index of the segment being read
        self.last_dts: dict[int, int] = {}
        self.video_end = -np.inf  # VOD end of the last video frame muxed
        self.seen_until = -np.inf  # VOD end of the last video frame read
        self.frame_s = 1 / 30
        self.muxed_video = 0
        self.segments: list[int] = []

    def _ensure_output(self, vin: av.VideoStream, ain: av.AudioStream | None) -> None:
        if self.out is not None:
            return
        self.out = _open_output(self.tmp)
        self.vout = self.out.add_stream_from_template(vin)
        self.video_codec = vin.codec_context.name
        rate = vin.average_rate or vin.guessed_rate
        if rate and 0 < rate < 1000:
            self.frame_s = float(1 / rate)
        if ain is not None:
            self.aout = self.out.add_stream_from_template(ain)
            self.audio_codec = ain.codec_context.name

    def add(self, part: SegmentData) -> None:
        with _read_part(part, self._ensure_output, lambda: self.aout is not None) as (
            vin,
            _ain,
            packets,
            clock,
        ):
            self.current = part.segment.index
            for p in packets:
                is_video = p.stream.index == vin.index
                if not is_video and self.aout is None:
                    continue
                assert p.pts is not None  # _read_part keeps only packets with a pts
                tb = p.time_base
                vod = Fraction(p.pts) * tb + clock.origin
                if is_video:
                    self.seen_until = max(self.seen_until, float(vod) + self.frame_s)
                    if self.finished:
                        continue  # past the end: only audio still to collect in this part
                    dts_vod = Fraction(p.dts) * tb + clock.origin if p.dts is not None else vod
                    if self.started and dts_vod >= self.end - _EPS:
                        # pts >= dts: nothing shown before the end can follow in decode order.
                        self.finished = True
                        self.tail = []
                        continue
                    if not self.started:
                        self._before_start(p, vod, True)
                        continue
                    if vod >= self.end - _EPS:
                        # Shown after the end, but a later packet shown before it may
                        # reference it (B-frames): hold it until that is known.
                        self.tail.append((p, vod, True, self.current))
                        continue
                    self._flush_tail()
                    self._mux(p, vod, True)
                else:
                    if not self.started:
                        self._before_start(p, vod, False)
                        continue
                    assert self.clip_t0 is not None  # set when the first video packet was muxed
                    if vod >= self.clip_t0 - _EPS and vod < self.end - _EPS:
                        self._mux(p, vod, False)

    def _before_start(self, p: av.Packet, vod: Fraction, is_video: bool) -> None:
        """Hold the GOP that contains ``start`` (and audio from its keyframe on); begin
        muxing once past it."""
        item = (p, vod, is_video, self.current)
        if not is_video:
            self.held_audio.append(item)
            # Audio before the held keyframe is never needed (without one, keep a few s).
            floor = self.pending[0][1] if self.pending else vod - 4
            while self.held_audio and self.held_audio[0][1] < floor - _EPS:
                self.held_audio.popleft()
            return
        if p.is_keyframe and vod <= self.start + _EPS:
            self.pending = [item]  # a later keyframe at/before start: restart there
            while self.held_audio and self.held_audio[0][1] < vod - _EPS:
                self.held_audio.popleft()
            return
        if vod > self.start + _EPS and (self.pending or p.is_keyframe):
            self.pending.append(item)  # (alone: start lies before the first keyframe)
            self._begin()
            return
        if self.pending:
            self.pending.append(item)

    def _flush_tail(self) -> None:
        held, self.tail = self.tail, []
        current = self.current
        for p, vod, is_video, seg in held:
            self.current = seg
            self._mux(p, vod, is_video)
        self.current = current

    def _begin(self) -> None:
        self.started = True
        self.clip_t0 = self.pending[0][1]
        held = [*self.pending, *(a for a in self.held_audio if a[1] >= self.clip_t0 - _EPS)]
        self.pending, self.held_audio = [], deque()
        current = self.current
        for p, vod, is_video, seg in held:
            self.current = seg
            self._mux(p, vod, is_video)
        self.current = current

    def _mux(self, p: av.Packet, vod: Fraction, is_video: bool) -> None:
        assert self.out is not None and self.clip_t0 is not None and p.pts is not None
        tb = p.time_base
        shift = round((vod - self.clip_t0) / tb) - p.pts  # ticks to add to this packet
        pts = p.pts + shift
        dts = p.dts + shift if p.dts is not None else pts
        out_stream = self.vout if is_video else self.aout
        key = 0 if is_video else 1
        last = self.last_dts.get(key)
        if last is not None and dts <= last:  # overlapping segments: keep dts rising
            bump = last + 1 - dts
            dts += bump
            pts = max(pts + bump, dts)
        self.last_dts[key] = dts
        p.pts, p.dts = pts, dts
        p.stream = out_stream
        self.out.mux(p)
        if not self.segments or self.segments[-1] != self.current:
            self.segments.append(self.current)
        if is_video:
            self.muxed_video += 1
            dur = float(p.duration * tb) if p.duration else self.frame_s
            self.video_end = max(self.video_end, float(vod) + dur)

    def close(self) -> _Written:
        if not self.started and self.pending and self.seen_until > self.start + _EPS:
            self._begin()  # the parts end inside the GOP holding start
        if self.out is None:
            raise ClipError("no readable segments for the clip")
        if self.muxed_video == 0:
            self.out.close()
            raise ClipError(f"no video between {self.start:.3f} and {self.end:.3f} s in the given segments")
        self.out.close()
        assert self.clip_t0 is not None
        return _Written(
            start=float(self.clip_t0),
            end=float(self.video_end),
            video_codec=self.video_codec,
            audio_codec=self.audio_codec,
            segments=self.segments,
        )

    def abort(self) -> None:
        _close_quietly(self.out)


# --------------------------------------------------------------------------- re-encode


class _ReencodeWriter:
    """Decode the span and encode it (libx264 + AAC) with an exact start and end."""

    VIDEO_TB = Fraction(1, 90000)

    def __init__(self, tmp: Path, start: float, end: float) -> None:
        self.tmp, self.start, self.end = tmp, start, end
        self.out: av.container.OutputContainer | None = None
        self.vout: av.VideoStream | None = None
        self.aout: av.AudioStream | None = None
        self.audio_codec: str | None = None
        self.finished = False
        self.first: float | None = None
        self.last_end = -np.inf
        self.frames = 0
        self.last_vpts = -1
        self.next_apts = 0
        self.frame_s = 1 / 30
        self.segments: list[int] = []

    def _ensure_output(self, vin: av.VideoStream, ain: av.AudioStream | None) -> None:
        if self.out is not None:
            return
        self.out = _open_output(self.tmp)
        rate = vin.average_rate or vin.guessed_rate or Fraction(30)
        if rate and 0 < rate < 1000:
            self.frame_s = float(1 / rate)
        vs = self.out.add_stream("libx264", rate=rate)
        vs.width, vs.height, vs.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv420p"
        vs.time_base = self.VIDEO_TB
        vs.codec_context.time_base = self.VIDEO_TB
        vs.codec_context.options = {"preset": "veryfast", "crf": "20"}
        self.vout = vs
        if ain is not None:
            actx = ain.codec_context
            layout: str = actx.layout.name if actx.layout else "stereo"
            self.aout = self.out.add_stream("aac", rate=actx.sample_rate or 48000, layout=layout)
            self.aout.bit_rate = 160000
            self.audio_codec = "aac"

    def add(self, part: SegmentData) -> None:
        with _read_part(part, self._ensure_output, lambda: self.aout is not None) as (
            vin,
            ain,
            packets,
            clock,
        ):
            used = False
            for p in [*packets, None]:
                frames: list[av.VideoFrame | av.AudioFrame]
                if p is None:
                    frames = [*vin.codec_context.decode(None)]
                    if ain is not None and self.aout is not None:
                        frames += ain.codec_context.decode(None)
                else:
                    try:  # only video and audio streams are demuxed: no other kind of frame
                        frames = [f for f in p.decode() if isinstance(f, av.VideoFrame | av.AudioFrame)]
                    except _MEDIA_ERRORS as err:
                        log.warning("clip.corrupt_packet", segment=part.segment.index, error=_msg(err))
                        continue
                for frame in frames:
                    if frame.pts is None:
                        continue
                    if isinstance(frame, av.VideoFrame):
                        vod = clock.vod(frame.pts, frame.time_base or vin.time_base or clock.vtb)
                        used = self._video(frame, vod) or used
                    else:
                        stream_tb = ain.time_base if ain else None
                        vod = clock.vod(frame.pts, frame.time_base or stream_tb or clock.vtb)
                        self._audio(frame, vod)
            if used:
                self.segments.append(part.segment.index)
            if self.last_end >= self.end - self.frame_s / 2:
                self.finished = True

    def _video(self, frame: av.VideoFrame, vod: float) -> bool:
        assert self.out is not None and self.vout is not None
        if vod < self.start - self.frame_s / 2 or vod >= self.end - self.frame_s / 2:
            return False
        if self.first is None:
            self.first = vod
        pts = round((vod - self.start) / self.VIDEO_TB)
        if pts <= self.last_vpts:
            return False
        self.last_vpts = pts
        new = frame.reformat(format="yuv420p") if frame.format.name != "yuv420p" else frame
        new.pts, new.time_base = pts, self.VIDEO_TB
        new.pict_type = av.video.frame.PictureType.NONE
        self.out.mux(self.vout.encode(new))
        self.frames += 1
        self.last_end = max(self.last_end, vod + self.frame_s)
        return True

    def _audio(self, frame: av.AudioFrame, vod: float) -> None:
        assert self.out is not None and self.aout is not None
        rate = frame.sample_rate
        n = frame.samples
        s0 = round((vod - self.start) * rate)  # sample index of the frame's first sample
        lo, hi = max(0, -s0), min(n, round((self.end - self.start) * rate) - s0)
        lo = max(lo, self.next_apts - s0)  # never overlap what was already written
        if hi <= lo:
            return
        if lo > 0 or hi < n:
            arr = frame.to_ndarray()
            planar = frame.format.is_planar
            arr = (
                arr[:, lo:hi]
                if planar
                else arr[:, lo * len(frame.layout.channels) : hi * len(frame.layout.channels)]
            )
            cut = av.AudioFrame.from_ndarray(  # a C-contiguous copy of the kept samples
                arr.copy(), format=frame.format.name, layout=frame.layout.name
            )
            cut.sample_rate = rate
            frame = cut
        frame.pts = s0 + lo
        frame.time_base = Fraction(1, rate)
        self.next_apts = s0 + hi
        self.out.mux(self.aout.encode(frame))

    def close(self) -> _Written:
        if self.out is None:
            raise ClipError("no readable segments for the clip")
        if self.frames == 0 or self.first is None:
            self.out.close()
            raise ClipError(f"no video between {self.start:.3f} and {self.end:.3f} s in the given segments")
        assert self.vout is not None
        self.out.mux(self.vout.encode(None))
        if self.aout is not None:
            self.out.mux(self.aout.encode(None))
        self.out.close()
        return _Written(
            start=max(self.start, self.first),
            end=min(self.end, float(self.last_end)),
            video_codec="h264",
            audio_codec=self.audio_codec,
            segments=self.segments,
        )

    def abort(self) -> None:
        _close_quietly(self.out)


def clip_window(match: Match | dict[str, Any], duration: float, first: float = 0.0) -> tuple[float, float]:
    """VOD-time span to cut for a match: SELECT LEGEND .. end screen + CLIP_TAIL."""
    m: dict[str, Any] = match if isinstance(match, dict) else match.to_json()
    readings = m.get("readings") or []
    start = m.get("start")
    if start is None:
        start = readings[0][0] if readings else first
    end = m.get("end")
    end = (end + CLIP_TAIL) if end is not None else (readings[-1][0] + CLIP_TAIL if readings else duration)
    return max(first, float(start) - CLIP_HEAD), min(duration, float(end))


async def clip_segments(
    segments: Sequence[Segment],
    out: str | Path,
    *,
    start: float,
    end: float,
    reencode: bool = False,
    fetch_config: dict[str, Any] | None = None,
    concurrency: int = 4,
    buffer: int = 4,
) -> dict[str, Any]:
    """Fetch ``segments`` in order and cut [start, end] into ``out``; memory stays bounded.

    The fetcher runs on this event loop; :func:`write_clip` runs in a thread and pulls the
    segments through a queue of ``buffer`` items, so a long match is never held whole.
    A segment that cannot be fetched fails the clip (a clip with a hole is not a clip).
    Returns the :class:`ClipInfo` as a JSON-ready dict.
    """
    q: queue.Queue[Any] = queue.Queue(maxsize=buffer)
    stop = threading.Event()
    end_mark = object()

    def parts() -> Iterator[SegmentData]:
        while True:
            item = q.get()
            if item is end_mark:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def writer() -> ClipInfo:
        try:
            return write_clip(parts(), Path(out), start=start, end=end, reencode=reencode)
        finally:
            stop.set()

    async def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put_nowait(item)
                return True
            except queue.Full:
                await asyncio.sleep(0.01)
        return False

    task = asyncio.get_running_loop().run_in_executor(None, writer)
    try:
        async with SegmentFetcher(concurrency=concurrency, buffer=buffer, **(fetch_config or {})) as fetcher:
            async for item in fetcher.stream(segments):
                if not isinstance(item, SegmentData):
                    await put(VodstreamError(f"cannot clip: {item.reason}"))
                    break
                if not await put(item):
                    break
            else:
                await put(end_mark)
    except BaseException as err:
        await put(err if isinstance(err, Exception) else VodstreamError("clip interrupted"))
        await asyncio.gather(task, return_exceptions=True)  # let the writer thread end first
        raise
    info = await task
    return dict(info.to_json())
