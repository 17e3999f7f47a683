"""Local video files as VOD input.

A file is cut into ~10 s chunks at keyframes (a demux-only scan, no decoding), which play the
part of playlist segments: VOD time 0 is the file's first video frame. Reading a chunk remuxes
its packets (stream copy, video + audio) into in-memory MPEG-TS bytes, the same shape as a
fetched Twitch segment, so the decoder and clipper need no special case.

    video = LocalVideo("match.mp4")
    for seg in video.segments():
        data = video.read(seg)          # SegmentData with MPEG-TS bytes
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import av
import av.error
import structlog

from vodstream.errors import DecodeError
from vodstream.types import Segment, SegmentData

__all__ = ["LocalVideo", "is_local_video", "read_segment"]

log = structlog.get_logger(__name__)

_MEDIA_ERRORS: tuple[type[BaseException], ...] = (av.error.FFmpegError, ValueError, OSError, EOFError)
# Tolerance (seconds) when comparing packet times with chunk bounds.
_EPS = 1e-4


def is_local_video(ref: str | Path) -> bool:
    """True when ``ref`` names an existing local file (not a URL or a Twitch id)."""
    text = str(ref)
    if "://" in text:
        return False
    p = Path(text).expanduser()
    return p.is_file()


@dataclass(frozen=True)
class _Scan:
    t0: int  # first presented video pts (stream time base)
    tb: Fraction
    keyframes: list[float]  # keyframe presentation times, seconds from t0, sorted
    duration: float  # seconds


class LocalVideo:
    """A local video file seen as a list of keyframe-aligned segments."""

    def __init__(self, path: str | Path, *, chunk_seconds: float = 10.0) -> None:
        self.path = Path(path).expanduser()
        if not self.path.is_file():
            raise DecodeError(f"no such video file: {self.path}")
        if not chunk_seconds > 0:
            raise ValueError("chunk_seconds must be > 0")
        self.chunk_seconds = float(chunk_seconds)
        self._scan = _scan(self.path)
        self._segments = _cut(self._scan, self.chunk_seconds, str(self.path))

    @property
    def duration(self) -> float:
        """Seconds from the first to past the last video frame."""
        return self._scan.duration

    def segments(self) -> list[Segment]:
        """Keyframe-aligned chunks of about ``chunk_seconds`` covering the whole file."""
        return list(self._segments)

    def read(self, segment: Segment) -> SegmentData:
        """The chunk's packets remuxed (stream copy) into MPEG-TS bytes."""
        return SegmentData(segment=segment, data=_remux_chunk(self.path, segment, self._scan.t0))


def read_segment(segment: Segment) -> SegmentData:
    """Read a segment of a local file knowing only the :class:`Segment` (``url`` is the path).

    For callers that hold segments but not the :class:`LocalVideo` (e.g. a fetcher actor); the
    file's time origin is re-read from its first packets.
    """
    path = Path(segment.url)
    try:
        with av.open(str(path)) as c:
            stream = _video_stream(c, path)
            pts = [
                p.pts
                for _, p in zip(range(64), c.demux(stream), strict=False)
                if p.size and p.pts is not None
            ]
    except _MEDIA_ERRORS as err:
        raise DecodeError(f"cannot read {path}: {_msg(err)}") from err
    if not pts:
        raise DecodeError(f"no video packets in {path}")
    return SegmentData(segment=segment, data=_remux_chunk(path, segment, min(pts)))


def _video_stream(container: av.container.InputContainer, path: Path) -> av.VideoStream:
    if not container.streams.video:
        raise DecodeError(f"no video stream in {path}")
    return container.streams.video[0]


def _scan(path: Path) -> _Scan:
    try:
        with av.open(str(path)) as c:
            stream = _video_stream(c, path)
            fmt = c.format.name or ""
            if fmt.endswith("_pipe") or fmt in ("image2", "webp"):
                raise DecodeError(f"{path} is an image ({fmt.removesuffix('_pipe')}), not a video")
            tb = stream.time_base or Fraction(1, 90000)
            rate = stream.average_rate or stream.guessed_rate
            frame_s = float(1 / rate) if rate and 0 < rate < 1000 else 1 / 30
            keys: list[int] = []
            lo = hi = None
            count = 0
            for p in c.demux(stream):
                if p.size == 0 or p.pts is None:
                    continue
                count += 1
                lo = p.pts if lo is None else min(lo, p.pts)
                hi = p.pts if hi is None else max(hi, p.pts)
                if p.is_keyframe:
                    keys.append(p.pts)
    except _MEDIA_ERRORS as err:
        raise DecodeError(f"cannot read {path}: {_msg(err)}") from err
    if lo is None or hi is None:
        raise DecodeError(f"no video packets in {path}")
    if count < 2:
        raise DecodeError(f"{path} holds a single picture, not a video")
    duration = float((hi - lo) * tb) + frame_s
    key_s = sorted({float((k - lo) * tb) for k in keys})
    log.debug(
        "localfile.scanned", path=str(path), packets=count, keyframes=len(key_s), duration=round(duration, 3)
    )
    return _Scan(t0=lo, tb=tb, keyframes=key_s, duration=duration)


def _cut(scan: _Scan, chunk: float, url: str) -> list[Segment]:
    bounds = [0.0]
    for k in scan.keyframes:
        if k >= bounds[-1] + chunk - _EPS and k < scan.duration - _EPS:
            bounds.append(k)
    bounds.append(scan.duration)
    return [
        Segment(index=i, start=round(a, 6), duration=round(b - a, 6), url=url)
        for i, (a, b) in enumerate(pairwise(bounds))
    ]


def _remux_chunk(path: Path, segment: Segment, t0: int) -> bytes:
    """Video packets with pts in [start, end) and audio in the same span, as MPEG-TS."""
    try:
        with av.open(str(path)) as src:
            vin = _video_stream(src, path)
            ain = src.streams.audio[0] if src.streams.audio else None
            vtb = vin.time_base or Fraction(1, 90000)
            start_ticks = t0 + math.floor(segment.start / vtb)
            end_s = segment.end
            buf = io.BytesIO()
            with av.open(buf, "w", format="mpegts") as out:
                vout = out.add_stream_from_template(vin)
                aout = out.add_stream_from_template(ain) if ain is not None else None
                streams: list[av.stream.Stream] = [vin] if ain is None else [vin, ain]
                _seek(src, vin, start_ticks)
                n = 0
                for p in src.demux(streams):
                    if p.size == 0 or p.pts is None:
                        continue
                    # Seconds from the file's first frame (audio rescaled to the video clock).
                    t = float(p.pts * (p.time_base or vtb) - t0 * vtb)
                    if p.stream.index == vin.index:
                        dts_t = float((p.dts - t0) * vtb) if p.dts is not None else t
                        if dts_t >= end_s + 2.0:
                            break
                        if t < segment.start - _EPS or t >= end_s - _EPS:
                            continue
                        p.stream = vout
                    else:
                        if t < segment.start - _EPS or t >= end_s - _EPS:
                            continue
                        assert aout is not None  # audio is demuxed only when there is an audio stream
                        p.stream = aout
                    out.mux(p)
                    n += 1
            if n == 0:
                raise DecodeError(f"no packets for {path} [{segment.start:.3f}, {end_s:.3f})")
            return buf.getvalue()
    except _MEDIA_ERRORS as err:
        raise DecodeError(
            f"cannot remux {path} [{segment.start:.3f}, {segment.end:.3f}): {_msg(err)}"
        ) from err


def _seek(src: av.container.InputContainer, stream: av.VideoStream, ticks: int) -> None:
    """Seek to the keyframe at or before ``ticks``; from the top if the demuxer overshoots."""
    if ticks <= (stream.start_time or 0):
        src.seek(0)
        return
    try:
        src.seek(ticks, stream=stream, backward=True, any_frame=False)
    except _MEDIA_ERRORS:
        src.seek(0)
        return
    for p in src.demux(stream):
        if p.size == 0 or p.pts is None:
            continue
        if p.pts > ticks:  # landed past the chunk start: start from the top instead
            src.seek(0)
        else:
            src.seek(ticks, stream=stream, backward=True, any_frame=False)
        return


def _msg(err: BaseException) -> str:
    if isinstance(err, av.error.FFmpegError) and err.strerror:
        return str(err.strerror)
    return (str(err).strip() or type(err).__name__).splitlines()[0][:200]
