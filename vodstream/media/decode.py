"""In-memory streaming decoder: segment bytes in, small cropped samples out.

A segment (MPEG-TS, or fMP4 media + its init segment) is opened by PyAV straight from memory
(``io.BytesIO``; nothing touches the disk). Its video packets are demuxed once; their
timestamps are made monotonic (PTS wraps and resets inside a segment are stitched), and
every decoded frame is stamped with VOD time::

    vod_time = segment.start + (frame time - first frame time of the segment)

so raw PTS never leaves this module: a PTS reset between segments, a discontinuity or
Twitch's epoch-sized fMP4 start times all give the same playlist clock.

Sampling modes:

* ``keyframes`` (default): only keyframe packets are fed to the decoder, with
  ``skip_frame = "NONKEY"`` as a guard. About one sample per GOP (2 s on Twitch).
  If a segment's keyframes are sparser than ``sparse_keyframe_threshold`` seconds
  (including the segment's edges) it falls back to the fixed rate for that segment.
* ``fps``: samples on a global VOD-time grid ``k / sample_fps``; for each grid time the
  first decoded frame at (or within half a frame before) it. Only the GOPs holding a grid
  time are decoded, each only as far as its last grid time, and by default without the
  pictures that nothing references (``fps_skip``), so a sample may sit a few frames after
  its grid time (its ``vod_time`` is always the frame's own time).
* ``all``: every frame (for measurements and training-data extraction).

Each sample keeps only what later stages read (see :mod:`vodstream.readers.regions`): the top-right
HUD crop in RGB (the red "just changed" flash needs colour) and the marker text region as
full-range luma at ``TEXT_UNIT`` pixels per 1080p pixel. For yuv420p frames both are cut from the
decoded planes directly (the luma plane is the text image; only the small HUD box is
converted to RGB), which is several times cheaper than converting whole frames.

A corrupt packet or segment is logged and reported as a :class:`~vodstream.types.Gap` in the
result, together with the samples decoded so far; it never raises.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise
from typing import Any, Literal

import av
import av.error
import cv2
import numpy as np
import structlog

from vodstream.readers.regions import hud_box, text_box, text_scale
from vodstream.settings import DecodeMode
from vodstream.types import Gap, Sample, SegmentData, merge_gaps

__all__ = [
    "CONTAINER_OPTIONS",
    "PROBE_OPTIONS",
    "DecodeMode",
    "DecodeResult",
    "Decoder",
    "FpsSkip",
    "container_format",
    "crop_frame",
    "crop_rgb",
    "text_shape",
]

log = structlog.get_logger(__name__)

ThreadType = Literal["NONE", "SLICE", "FRAME", "AUTO"]
FpsSkip = Literal["NONE", "NONREF", "BIDIR"]

# Errors that corrupt or unexpected media can raise from PyAV/FFmpeg.
_MEDIA_ERRORS: tuple[type[BaseException], ...] = (av.error.FFmpegError, ValueError, OSError, EOFError)

# A decode-order timestamp jump larger than this (or any backwards step) is a discontinuity.
_MAX_DTS_JUMP_S = 5.0
# A segment whose packets end this much before its playlist duration was cut short.
_TRUNCATION_SLACK_S = 0.5
# Codec options for opening a segment: FFmpeg's stream probe (avformat_find_stream_info) decoded
# the first picture of every segment only to learn its size and pixel format, which the decode
# itself finds again (~8 ms of the ~11 ms an open cost at 720p); skip_frame "all" fills them from
# the headers instead. The options hold for the probe only, not for the decode (one dict per
# stream; Any: PyAV's stub types stream_options as list[str], its code takes dicts).
PROBE_OPTIONS: Any = [{"skip_frame": "all"}] * 8
# Container options for opening a segment: the probe then read up to FFmpeg's default 5 s of
# packets (half a 10 s segment) to estimate durations and frame rates nothing here reads (the
# timeline comes from the packets' own timestamps, _demux); 0.1 s still finds each stream and its
# codec from the headers. ~3 ms of an open at 720p -> ~0.8 ms. The packets demuxed are the same.
CONTAINER_OPTIONS: dict[str, str] = {"analyzeduration": "100000"}


@dataclass(kw_only=True)
class DecodeResult:
    """What one segment gave: samples in VOD-time order, gaps, and some counters."""

    samples: list[Sample]
    gaps: list[Gap]
    frames_decoded: int
    mode: str = "keyframes"  # the mode actually used for this segment
    packets: int = 0  # video packets demuxed
    max_keyframe_gap: float | None = None  # seconds, edges included; None: no keyframe seen
    errors: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- crops


def text_shape(width: int, height: int) -> tuple[int, int]:
    """(height, width) of the text crop of a WxH frame."""
    x0, y0, x1, y1 = text_box(width, height)
    f = text_scale(width, height)
    return max(1, round((y1 - y0) * f)), max(1, round((x1 - x0) * f))


def _yuv_to_rgb_matrix(colorspace: int, full_range: bool) -> np.ndarray:
    """3x4 matrix taking [Y, U, V, 1] to [R, G, B] (uint8 scale)."""
    if colorspace == 1:  # AVCOL_SPC_BT709
        kr, kb = 0.2126, 0.0722
    elif colorspace in (9, 10):  # BT2020 NCL / CL
        kr, kb = 0.2627, 0.0593
    else:  # BT601 (also what swscale assumes when unspecified)
        kr, kb = 0.299, 0.114
    kg = 1.0 - kr - kb
    if full_range:
        ys, cs, yo = 1.0, 1.0, 0.0
    else:
        ys, cs, yo = 255.0 / 219.0, 255.0 / 224.0, 16.0
    m = np.array(
        [
            [ys, 0.0, cs * 2 * (1 - kr)],
            [ys, -cs * 2 * (1 - kb) * kb / kg, -cs * 2 * (1 - kr) * kr / kg],
            [ys, cs * 2 * (1 - kb), 0.0],
        ]
    )
    off = -m @ np.array([yo, 128.0, 128.0])
    return np.hstack([m, off[:, None]])


_MATRICES: dict[tuple[int, bool], np.ndarray] = {}
# Limited-range luma (16..235) -> full range (0..255), so text crops look like RGB2GRAY.
_LUMA_EXPAND = np.clip((np.arange(256) - 16) * (255.0 / 219.0) + 0.5, 0, 255).astype(np.uint8)


def _plane(frame: av.VideoFrame, index: int, height: int, width: int) -> np.ndarray:
    p = frame.planes[index]
    return np.frombuffer(memoryview(p), np.uint8).reshape(-1, p.line_size)[:height, :width]


def crop_rgb(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hud RGB, text luma) from an RGB HxWx3 uint8 image: the same crops as :func:`crop_frame`."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = hud_box(w, h)
    hud = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    tx0, ty0, tx1, ty1 = text_box(w, h)
    th, tw = text_shape(w, h)
    gray = cv2.cvtColor(np.ascontiguousarray(rgb[ty0:ty1, tx0:tx1]), cv2.COLOR_RGB2GRAY)
    text = cv2.resize(gray, (tw, th), interpolation=cv2.INTER_AREA)
    return hud, text


def crop_frame(frame: av.VideoFrame) -> tuple[np.ndarray, np.ndarray]:
    """(hud RGB HxWx3, text luma) of a decoded frame, converting only what is kept."""
    w, h = frame.width, frame.height
    name = frame.format.name
    if name not in ("yuv420p", "yuvj420p") or w < 2 or h < 2:
        return crop_rgb(frame.to_ndarray(format="rgb24"))
    full = name == "yuvj420p" or int(frame.color_range) == 2  # AVCOL_RANGE_JPEG
    y_plane = _plane(frame, 0, h, w)

    # Text: the luma plane itself, area-downscaled, then expanded to full range.
    tx0, ty0, tx1, ty1 = text_box(w, h)
    th, tw = text_shape(w, h)
    text = cv2.resize(y_plane[ty0:ty1, tx0:tx1], (tw, th), interpolation=cv2.INTER_AREA)
    if not full:
        text = cv2.LUT(text, _LUMA_EXPAND)

    # HUD: cut Y/U/V on the chroma grid, upsample chroma, one 3x4 colour transform.
    x0, y0, x1, y1 = hud_box(w, h)
    ax0, ay0 = x0 & ~1, y0 & ~1
    ax1, ay1 = min(w, (x1 + 1) & ~1), min(h, (y1 + 1) & ~1)
    yc = y_plane[ay0:ay1, ax0:ax1]
    ch, cw = (h + 1) // 2, (w + 1) // 2
    uc = _plane(frame, 1, ch, cw)[ay0 // 2 : (ay1 + 1) // 2, ax0 // 2 : (ax1 + 1) // 2]
    vc = _plane(frame, 2, ch, cw)[ay0 // 2 : (ay1 + 1) // 2, ax0 // 2 : (ax1 + 1) // 2]
    size = (yc.shape[1], yc.shape[0])
    uu = cv2.resize(uc, size, interpolation=cv2.INTER_NEAREST)
    vv = cv2.resize(vc, size, interpolation=cv2.INTER_NEAREST)
    key = (int(frame.colorspace), full)
    mat = _MATRICES.get(key)
    if mat is None:
        mat = _MATRICES[key] = _yuv_to_rgb_matrix(*key)
    rgb = cv2.transform(cv2.merge([np.ascontiguousarray(yc), uu, vv]), mat)
    hud = np.ascontiguousarray(rgb[y0 - ay0 : y1 - ay0, x0 - ax0 : x1 - ax0])
    return hud, text


# --------------------------------------------------------------------------- containers


def container_format(data: SegmentData) -> str | None:
    """'mpegts' or 'mp4' from the bytes (None: let FFmpeg probe)."""
    if data.init is not None:
        return "mp4"
    b = data.data
    if len(b) >= 189 and b[0] == 0x47 and b[188] == 0x47:
        return "mpegts"
    if b[4:8] in (b"ftyp", b"styp", b"moof", b"moov", b"sidx", b"prft", b"emsg"):
        return "mp4"
    return None


@dataclass
class _Timeline:
    """Stitched packet times of one segment, in the stream's time base."""

    packets: list[av.Packet]
    tb: Fraction
    t0: int  # first presented frame's (stitched) pts
    frame_s: float  # nominal frame duration, seconds
    suspect: set[int] = field(default_factory=set)  # pts of packets whose timestamps were damaged

    def rel(self, pts: int) -> float:
        return float((pts - self.t0) * self.tb)

    def at(self, packet: av.Packet) -> float:
        """A timeline packet's time (``_demux`` gave every one of them a pts)."""
        assert packet.pts is not None
        return self.rel(packet.pts)


class Decoder:
    """Decode segments from memory into :class:`Sample` lists (one stage, no Ray).

    ``threads``/``thread_type`` go to FFmpeg's decoder; keep ``threads`` low (1) when many
    decoders run in parallel so they do not oversubscribe cores. ``fps_skip`` is what the
    fixed-rate mode leaves undecoded: ``"NONREF"`` (default) skips pictures no other picture
    references (about half of them with x264's B-frames, ~35% less CPU), so a grid time takes
    the next reference picture, a few frames later at most; ``"BIDIR"`` skips all B-frames
    (~55% less CPU); ``"NONE"`` decodes everything and takes the exact next frame.
    """

    def __init__(
        self,
        *,
        mode: DecodeMode = "keyframes",
        sample_fps: float = 0.5,
        sparse_keyframe_threshold: float = 4.0,
        threads: int = 1,
        thread_type: ThreadType = "AUTO",
        fps_skip: FpsSkip = "NONREF",
    ) -> None:
        if mode not in ("keyframes", "fps", "all"):
            raise ValueError(f"unknown decode mode {mode!r}")
        if not sample_fps > 0:
            raise ValueError("sample_fps must be > 0")
        self.mode: DecodeMode = mode
        self.sample_fps = float(sample_fps)
        self.sparse_keyframe_threshold = float(sparse_keyframe_threshold)
        self.threads = int(threads)
        self.thread_type: ThreadType = thread_type
        if fps_skip not in ("NONE", "NONREF", "BIDIR"):
            raise ValueError(f"unknown fps_skip {fps_skip!r}")
        self.fps_skip: FpsSkip = fps_skip

    # ------------------------------------------------------------------ public

    def decode_window(self, data: SegmentData, lo: float, hi: float) -> list[Sample]:
        """The samples strictly inside VOD time (lo, hi) of one segment: dense re-sampling of the
        gaps :func:`vodstream.matches.scheduler.transition_windows` names (and a VOD's tail),
        with a decoder in ``fps`` mode. Only the grid times that can pick a frame inside the window are
        sampled (from the last keyframe at or before ``lo``, to half a frame after ``hi``), so only the
        GOPs holding them are decoded: the same samples as decoding the whole segment, a fraction of the
        work (a window between two keyframes decodes one GOP, not its neighbours too)."""
        got = self.decode(data, window=(lo, hi)).samples
        return [x for x in got if lo + 1e-3 < x.vod_time < hi - 1e-3]

    def decode(self, data: SegmentData, *, window: tuple[float, float] | None = None) -> DecodeResult:
        """Decode one segment; never raises for bad media (see the result's gaps/errors).
        ``window``: (lo, hi) VOD time; in ``fps`` mode only the grid times that can pick a frame inside
        it are sampled (the samples inside it are those of the whole segment)."""
        result = DecodeResult(samples=[], gaps=[], frames_decoded=0, mode=self.mode)
        fmt = container_format(data)
        buf = data.data if data.init is None else data.init + data.data
        try:
            container = av.open(
                io.BytesIO(buf),
                mode="r",
                format=fmt,
                container_options=CONTAINER_OPTIONS,
                stream_options=PROBE_OPTIONS,
            )
        except _MEDIA_ERRORS as err:
            return self._fail(result, data, f"cannot open segment: {_msg(err)}")
        try:
            with container:
                self._decode_container(container, data, result, window)
        except _MEDIA_ERRORS as err:  # e.g. closing a broken container
            self._fail(result, data, f"decode failed: {_msg(err)}", keep=True)
        return result

    # ------------------------------------------------------------------ internals

    def _fail(
        self, result: DecodeResult, data: SegmentData, reason: str, *, keep: bool = False
    ) -> DecodeResult:
        seg = data.segment
        log.warning("decode.segment_failed", segment=seg.index, url=seg.url, reason=reason)
        result.errors.append(reason)
        start = seg.start
        if keep and result.samples:
            start = result.samples[-1].vod_time
        if seg.end > start or not result.samples:
            result.gaps.append(
                Gap(start=start, end=max(seg.end, start), reason=reason, segment_index=seg.index)
            )
        return result

    def _decode_container(
        self,
        container: av.container.InputContainer,
        data: SegmentData,
        result: DecodeResult,
        window: tuple[float, float] | None = None,
    ) -> None:
        seg = data.segment
        if not container.streams.video:
            self._fail(result, data, "segment has no video stream")
            return
        stream = container.streams.video[0]
        ctx = stream.codec_context
        ctx.thread_count = self.threads
        ctx.thread_type = self.thread_type

        timeline, demux_error = self._demux(container, stream)
        result.packets = len(timeline.packets) if timeline else 0
        if timeline is None:
            self._fail(result, data, f"no video packets{': ' + demux_error if demux_error else ''}")
            return
        duration = (
            seg.duration
            if seg.duration > 0
            else (max(timeline.at(p) for p in timeline.packets) + timeline.frame_s)
        )

        keys = sorted(timeline.at(p) for p in timeline.packets if p.is_keyframe)
        if keys:
            edges = [keys[0], *np.diff(keys).tolist(), duration - keys[-1]]
            result.max_keyframe_gap = max(edges)
        mode: str = self.mode
        if mode == "keyframes" and (
            result.max_keyframe_gap is None or result.max_keyframe_gap > self.sparse_keyframe_threshold
        ):
            mode = "fps"
            result.mode = "fps-fallback"
            log.info(
                "decode.sparse_keyframes",
                segment=seg.index,
                max_keyframe_gap=result.max_keyframe_gap,
                threshold=self.sparse_keyframe_threshold,
                sample_fps=self.sample_fps,
            )

        run = _Run(self, data, timeline, result, duration)
        if mode == "keyframes":
            run.keyframes()
        elif mode == "fps":
            run.fixed_rate(self.sample_fps, window)
        else:
            run.every_frame()
        run.finish()

        # Packets that stop well short of the playlist duration: the segment was cut short.
        last = max(timeline.at(p) for p in timeline.packets) + timeline.frame_s
        if demux_error or last < duration - _TRUNCATION_SLACK_S:
            reason = f"demux error: {demux_error}" if demux_error else "segment data ends early"
            log.warning(
                "decode.truncated",
                segment=seg.index,
                covered=round(last, 3),
                duration=duration,
                reason=reason,
            )
            result.errors.append(reason)
            if last < duration:
                run.add_gap(last, duration, reason)
        result.gaps = merge_gaps(result.gaps)

    def _demux(
        self, container: av.container.InputContainer, stream: av.VideoStream
    ) -> tuple[_Timeline | None, str | None]:
        """All video packets with clean, monotonic timestamps, and a demux error if any.

        Timestamps are repaired in three steps (decode order, on DTS): a single packet off
        the frame grid while its neighbours agree is a damaged header (re-timed, and its
        frame distrusted); a backwards step or a jump over ``_MAX_DTS_JUMP_S`` is a
        discontinuity (PTS reset or wrap), stitched so time continues one frame later.
        """
        tb = stream.time_base or Fraction(1, 90000)
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        frame_s = float(1 / rate) if rate and 0 < rate < 1000 else 1 / 30
        packets: list[av.Packet] = []
        error: str | None = None
        try:
            for packet in container.demux(stream):
                if packet.size > 0:
                    packets.append(packet)
        except _MEDIA_ERRORS as err:
            error = _msg(err)
        if not packets:
            return None, error

        raw: list[int | None] = [p.dts if p.dts is not None else p.pts for p in packets]
        known = [d for d in raw if d is not None]
        steps = [b - a for a, b in pairwise(known) if b > a]
        ft = int(np.median(steps)) if steps else max(1, round(frame_s / tb))
        if steps:
            frame_s = float(ft * tb)
        d: list[int] = []
        for x in raw:  # fill missing timestamps one frame after the previous packet
            d.append(x if x is not None else (d[-1] + ft if d else 0))
        cts = [p.pts - x for p, x in zip(packets, raw, strict=True) if p.pts is not None and x is not None]
        ct_typ = int(np.median(cts)) if cts else 0

        suspect = self._outliers(d, ft)
        for i in suspect:
            d[i] = d[i - 1] + ft if i > 0 else d[1] - ft

        max_jump = round(_MAX_DTS_JUMP_S / tb)
        offset, prev = 0, None
        bad_pts: set[int] = set()
        stitched: list[int] = []  # the packets' new pts
        for i, (packet, di, ri) in enumerate(zip(packets, d, raw, strict=True)):
            if prev is not None and not 0 <= di + offset - prev <= max_jump:
                offset = prev + ft - di  # stitch: continue one frame later
            prev = di + offset
            ct = packet.pts - ri if (packet.pts is not None and ri is not None) else ct_typ
            if i in suspect or not -ft <= ct <= 64 * ft:
                ct = ct_typ
                bad_pts.add(prev + ct)
            packet.dts = prev
            packet.pts = prev + ct
            stitched.append(prev + ct)
        t0 = min(stitched)
        return _Timeline(packets=packets, tb=tb, t0=t0, frame_s=frame_s, suspect=bad_pts), error

    @staticmethod
    def _outliers(d: list[int], ft: int) -> set[int]:
        """Indices of single packets off the frame grid whose neighbours agree with each other."""
        tol = max(1, ft // 2)
        n = len(d)
        out: set[int] = set()

        def on_grid(a: int, b: int, frames: int) -> bool:
            return abs(d[b] - d[a] - frames * ft) <= tol

        for i in range(n):
            if i == 0:
                bad = n >= 3 and not on_grid(0, 1, 1) and on_grid(1, 2, 1)
            elif i == n - 1:
                bad = n >= 3 and not on_grid(i - 1, i, 1) and on_grid(i - 2, i - 1, 1)
            else:
                bad = not on_grid(i - 1, i, 1) and not on_grid(i, i + 1, 1) and on_grid(i - 1, i + 1, 2)
            if bad:
                out.add(i)
        return out


class _Run:
    """Decoding state for one segment: frame handling, sample emission and gap tracking."""

    def __init__(
        self, dec: Decoder, data: SegmentData, timeline: _Timeline, result: DecodeResult, duration: float
    ) -> None:
        self.dec = dec
        self.seg = data.segment
        self.tl = timeline
        self.result = result
        self.duration = duration
        self.ctx = timeline.packets[0].stream.codec_context
        self.bad_since: float | None = None
        self.bad_reason = ""
        self.last_time: float | None = None
        self.tainted = False  # a corrupt frame was seen: distrust frames until the next keyframe

    # --- gaps

    def add_gap(self, rel_start: float, rel_end: float, reason: str) -> None:
        start = self.seg.start + max(0.0, rel_start)
        end = self.seg.start + max(rel_start, rel_end)
        if end - start <= 1e-6:
            return
        self.result.gaps.append(
            Gap(start=round(start, 6), end=round(end, 6), reason=reason, segment_index=self.seg.index)
        )

    def _bad(self, rel: float, reason: str) -> None:
        self.result.errors.append(reason)
        log.warning(
            "decode.corrupt",
            segment=self.seg.index,
            url=self.seg.url,
            at=round(self.seg.start + rel, 3),
            reason=reason,
        )
        if self.bad_since is None:
            self.bad_since, self.bad_reason = rel, reason

    def _good(self, rel: float) -> None:
        if self.bad_since is not None:
            self.add_gap(self.bad_since, rel, self.bad_reason)
            self.bad_since = None

    def finish(self) -> None:
        if self.bad_since is not None:
            self.add_gap(self.bad_since, self.duration, self.bad_reason)
            self.bad_since = None

    # --- feeding

    def _feed(self, packet: av.Packet | None) -> list[av.VideoFrame]:
        try:
            return self.ctx.decode(packet)
        except _MEDIA_ERRORS as err:
            rel = self.tl.at(packet) if packet is not None else self.duration
            self.tainted = True
            self._bad(rel, f"corrupt packet: {_msg(err)}")
            return []

    def _frame_rel(self, frame: av.VideoFrame) -> float:
        if frame.pts is not None:
            return self.tl.rel(frame.pts)
        return (self.last_time + self.tl.frame_s) if self.last_time is not None else 0.0

    def _accept(self, frame: av.VideoFrame) -> float | None:
        """Count a decoded frame; its relative time, or None when it is corrupt."""
        self.result.frames_decoded += 1
        rel = self._frame_rel(frame)
        if frame.pts is not None and frame.pts in self.tl.suspect:
            self._bad(rel, "damaged timestamp")
            return None
        if frame.is_corrupt:
            self.tainted = True
            self._bad(rel, "corrupt frame")
            return None
        if self.tainted and not frame.key_frame:
            return None  # predicted from corrupt pictures: still inside the gap
        self.tainted = False
        self._good(rel)
        self.last_time = rel
        return rel

    def _emit(self, frame: av.VideoFrame, rel: float) -> None:
        try:
            hud, text = crop_frame(frame)
        except _MEDIA_ERRORS as err:
            self._bad(rel, f"frame conversion failed: {_msg(err)}")
            return
        self.result.samples.append(
            Sample(
                vod_time=round(self.seg.start + rel, 6),
                segment_index=self.seg.index,
                frame_size=(frame.width, frame.height),
                hud=hud,
                text=text,
                keyframe=bool(frame.key_frame),
            )
        )

    # --- modes

    def keyframes(self) -> None:
        self.ctx.skip_frame = "NONKEY"
        for packet in self.tl.packets:
            if not packet.is_keyframe:
                continue
            for frame in self._feed(packet):
                rel = self._accept(frame)
                if rel is not None:
                    self._emit(frame, rel)
        for frame in self._feed(None):
            rel = self._accept(frame)
            if rel is not None:
                self._emit(frame, rel)

    def every_frame(self) -> None:
        for packet in [*self.tl.packets, None]:
            for frame in self._feed(packet):
                rel = self._accept(frame)
                if rel is not None:
                    self._emit(frame, rel)

    def fixed_rate(self, fps: float, window: tuple[float, float] | None = None) -> None:
        """Sample at VOD times k/fps inside the segment, decoding only the GOPs needed; with
        ``window`` (VOD times), only the grid times that can pick a frame inside it (see below)."""
        step = 1.0 / fps
        seg_start, eps = self.seg.start, 1e-6
        k = math.ceil((seg_start - eps) / step)
        targets: list[float] = []
        while k * step < seg_start + self.duration - eps:
            targets.append(k * step - seg_start)
            k += 1
        half = self.tl.frame_s / 2
        pk = self.tl.packets
        # GOPs in decode order: [start index, end index), presentation start time.
        starts = [i for i, p in enumerate(pk) if p.is_keyframe]
        if not starts or starts[0] != 0:
            starts = [0, *starts]
        bounds = [*starts, len(pk)]
        gop_t = [self.tl.at(pk[i]) if pk[i].is_keyframe else -math.inf for i in starts]
        if window is not None:
            targets = _window_targets(targets, gop_t, window[0] - seg_start, window[1] - seg_start, half)
        if not targets:
            return
        if self.dec.fps_skip != "NONE":
            self.ctx.skip_frame = self.dec.fps_skip  # pictures nothing else needs: not decoded

        ti = 0  # next target to satisfy
        prev_g: int | None = None
        prev_done = False  # the previous fed GOP was left mid-way (its tail not needed)
        for g, (i0, i1) in enumerate(pairwise(bounds)):
            lo = gop_t[g] - half
            hi = gop_t[g + 1] - half if g + 1 < len(gop_t) else math.inf
            if prev_g != g - 1:
                while ti < len(targets) and targets[ti] < lo:
                    ti += 1  # a target before this GOP that nothing satisfied
            # (after a GOP fed to its end, a target left open is met by this GOP's first frame)
            if ti >= len(targets):
                break
            if targets[ti] >= hi:
                continue  # no grid time in this GOP: skip it without decoding
            if prev_g is not None and (prev_done or prev_g != g - 1):
                if not prev_done:
                    ti = self._drain(targets, ti, half)
                self.ctx.flush_buffers()
            prev_g, prev_done = g, False
            last_target = max(t for t in targets[ti:] if t < hi)
            for packet in pk[i0:i1]:
                for frame in self._feed(packet):
                    ti, reached = self._match(frame, targets, ti, half, last_target)
                    prev_done = prev_done or reached
                if prev_done:
                    break
        if prev_g is not None and not prev_done:
            self._drain(targets, ti, half)

    def _drain(self, targets: list[float], ti: int, half: float) -> int:
        for frame in self._feed(None):
            ti, _ = self._match(frame, targets, ti, half, math.inf)
        return ti

    def _match(
        self, frame: av.VideoFrame, targets: list[float], ti: int, half: float, last_target: float
    ) -> tuple[int, bool]:
        rel = self._accept(frame)
        if rel is None:
            return ti, False
        hit = False
        while ti < len(targets) and targets[ti] <= rel + half:
            hit = True
            ti += 1
        if hit:
            self._emit(frame, rel)
        return ti, rel + half >= last_target


def _window_targets(
    targets: list[float], gop_t: list[float], lo: float, hi: float, half: float
) -> list[float]:
    """The grid times (segment-relative, sorted) that decide which frames strictly inside (lo, hi)
    the fixed-rate walk picks.

    Frames are matched to grid times in presentation order, each frame taking every open grid time
    up to its own time plus half a frame. A GOP's keyframe at or before ``lo`` leaves the same open
    grid times behind it whatever came before (all up to its time plus half a frame are taken), and
    it is itself outside the window: grid times before that GOP's range (which starts half a frame
    before its keyframe) cannot change a pick inside the window. A frame inside the window is at
    most ``hi``, so it takes no grid time past ``hi`` plus half a frame; dropping those only stops
    the walk after the frame that took the last one kept. So only the GOP(s) across the window are
    decoded, not the one before it (nor, but for its keyframe, the one after).
    """
    if any(b < a for a, b in pairwise(gop_t)):  # keyframe times out of order: no lower cut
        first = 0
    else:
        first = max((g for g, t in enumerate(gop_t) if t <= lo), default=0)
    low = gop_t[first] - half if first > 0 else -math.inf
    return [t for t in targets if low <= t <= hi + half + 1e-6]


def _msg(err: BaseException) -> str:
    if isinstance(err, av.error.FFmpegError) and err.strerror:
        return str(err.strerror)
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0][:200]
