"""Small, real H.264/AAC test media made with PyAV (libx264 + aac), in memory.

Segments look like Twitch's: MPEG-TS (or fragmented MP4 with a shared init segment), each
starting on a keyframe, fixed GOP, timestamps continuing across segments unless a reset is
asked for. Every frame carries its global frame number as a 16-bit block code in the top-left
of the picture (inside the marker text region) and a solid red patch in the HUD corner, so
tests can tell exactly which frame a decoded sample came from, and check colour order.

Others may import this module (``from tests.media import encode_segments``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import cv2
import numpy as np

from vodstream.readers.regions import hud_box, text_box
from vodstream.types import Segment, SegmentData

__all__ = [
    "CODE_BITS",
    "HUD_RED",
    "EncodedSegment",
    "code_block",
    "encode_file",
    "encode_segments",
    "read_code",
    "render_frame",
    "shift_fmp4",
    "split_fmp4",
    "to_segment_data",
]

CODE_BITS = 16
HUD_RED = (220, 30, 30)


@dataclass(frozen=True, kw_only=True)
class EncodedSegment:
    """One encoded segment: its bytes, its fMP4 init bytes (if any) and what it holds."""

    data: bytes
    init: bytes | None
    duration: float
    first_frame: int  # global frame number of the first frame in the segment
    n_frames: int
    fps: float


def code_block(height: int) -> int:
    """Side of one code block in pixels (full-resolution frame)."""
    return max(8, (height // 24) // 2 * 2)


class _Texture:
    """A moving, noisy texture: a blocky random field panned over time plus changing grain."""

    def __init__(self, width: int, height: int, seed: int, grain: int = 3) -> None:
        rng = np.random.default_rng(seed)
        small = rng.integers(grain, 256 - grain, size=(height // 8 + 2, width // 8 + 2, 3), dtype=np.uint8)
        self.field = np.kron(small, np.ones((16, 16, 1), dtype=np.uint8))  # 2x the frame
        self.width, self.height = width, height
        # A few grain tiles, cycled: fresh noise every frame without per-frame RNG cost.
        self.grain = [
            rng.integers(0, 2 * grain + 1, size=(height, width, 3), dtype=np.uint8) for _ in range(4)
        ]
        self.offset = np.full((height, width, 3), grain, dtype=np.uint8)

    def frame(self, i: int) -> np.ndarray:
        fh, fw = self.field.shape[:2]
        dx = (3 * i) % max(1, fw - self.width)
        dy = i % max(1, fh - self.height)
        view = self.field[dy : dy + self.height, dx : dx + self.width]
        img = cv2.add(view, self.grain[i % len(self.grain)])
        return cv2.subtract(img, self.offset)


def render_frame(texture: _Texture, index: int) -> np.ndarray:
    """The texture for frame ``index`` with the frame-number code and the red HUD patch."""
    img = texture.frame(index)
    h, w = img.shape[:2]
    b = code_block(h)
    img[0 : 3 * b, 0 : (CODE_BITS + 2) * b] = 16
    for bit in range(CODE_BITS):
        if (index >> bit) & 1:
            x = (1 + bit) * b
            img[b : 2 * b, x : x + b] = 235
    x0, y0, x1, y1 = hud_box(w, h)
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    pw, ph = max(4, (x1 - x0) // 4), max(4, (y1 - y0) // 4)
    img[cy - ph : cy + ph, cx - pw : cx + pw] = HUD_RED
    return img


def read_code(text: np.ndarray, frame_height: int) -> int:
    """Read the frame number back from a sample's text crop (luma, scaled by the decoder)."""
    b = code_block(frame_height) * text.shape[0] / text_box(1, frame_height)[3]
    value = 0
    for bit in range(CODE_BITS):
        cx = (1.5 + bit) * b
        cy = 1.5 * b
        r = max(1, int(b / 4))
        patch = text[int(cy) - r : int(cy) + r, int(cx) - r : int(cx) + r]
        if patch.mean() > 128:
            value |= 1 << bit
    return value


def _tone(n_samples: int, start: int, rate: int) -> np.ndarray:
    t = (np.arange(n_samples) + start) / rate
    return (0.2 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32).reshape(1, -1)


def _fps_fraction(fps: float) -> Fraction:
    return Fraction(fps).limit_denominator(1001)


def _encode(
    out: av.container.OutputContainer,
    *,
    width: int,
    height: int,
    fps: float,
    frames: range,
    pts_offset: int,
    gop: int,
    audio: bool,
    preset: str,
    bit_rate: int | None,
    texture: _Texture,
    x264_params: str | None = None,
    audio_lead: int = 0,
) -> None:
    rate = _fps_fraction(fps)
    vs = out.add_stream("libx264", rate=rate)
    vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
    vtb = 1 / rate
    vs.time_base = vtb
    vs.codec_context.time_base = vtb
    opts = {"preset": preset, "g": str(gop), "keyint_min": str(gop), "sc_threshold": "0"}
    params = "scenecut=0:open_gop=0"
    if x264_params:
        params += ":" + x264_params
    opts["x264-params"] = params
    if bit_rate:
        vs.bit_rate = bit_rate
    else:
        opts["crf"] = "23"
    vs.codec_context.options = opts
    vs.codec_context.thread_count = 1
    astream = None
    arate = 48000
    if audio:
        astream = out.add_stream("aac", rate=arate, layout="mono")
        astream.bit_rate = 64000
    a_next = round(frames.start / fps * arate)
    for i in frames:
        frame = av.VideoFrame.from_ndarray(render_frame(texture, i), format="rgb24")
        frame.pts = pts_offset + i - frames.start
        frame.time_base = vtb
        out.mux(vs.encode(frame))
        if astream is not None:
            a_end = round((i + 1) / fps * arate)
            if a_end > a_next:
                af = av.AudioFrame.from_ndarray(
                    _tone(a_end - a_next, a_next, arate), format="flt", layout="mono"
                )
                af.sample_rate = arate
                af.pts = (
                    a_next - round(frames.start / fps * arate) + round(pts_offset / fps * arate) + audio_lead
                )
                af.time_base = Fraction(1, arate)
                out.mux(astream.encode(af))
                a_next = a_end
    out.mux(vs.encode(None))
    if astream is not None:
        out.mux(astream.encode(None))


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, box start, payload start, box end) of the boxes in data[start:end]."""
    pos = start
    while pos + 8 <= end:
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        head = 8
        if size == 1:
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
            head = 16
        elif size == 0:
            size = end - pos
        if size < head:
            raise ValueError("bad MP4 box")
        yield kind, pos, pos + head, pos + size
        pos += size


def _timescales(init: bytes) -> dict[int, int]:
    """track id -> timescale, from an init segment's moov."""
    out: dict[int, int] = {}
    for kind, _, p0, p1 in _boxes(init, 0, len(init)):
        if kind != b"moov":
            continue
        for tk, _, t0, t1 in _boxes(init, p0, p1):
            if tk != b"trak":
                continue
            track_id = timescale = None
            for bk, _, b0, b1 in _boxes(init, t0, t1):
                if bk == b"tkhd":
                    off = b0 + 4 + (16 if init[b0] == 1 else 8)
                    track_id = int.from_bytes(init[off : off + 4], "big")
                elif bk == b"mdia":
                    for mk, _, m0, _m1 in _boxes(init, b0, b1):
                        if mk == b"mdhd":
                            off = m0 + 4 + (16 if init[m0] == 1 else 8)
                            timescale = int.from_bytes(init[off : off + 4], "big")
            if track_id is not None and timescale:
                out[track_id] = timescale
    return out


def shift_fmp4(init: bytes, fragment: bytes, seconds: float) -> bytes:
    """Add ``seconds`` to every track's tfdt in a moof+mdat run (a large start PTS)."""
    scales = _timescales(init)
    buf = bytearray(fragment)
    for kind, _, p0, p1 in _boxes(fragment, 0, len(fragment)):
        if kind != b"moof":
            continue
        for tk, _, t0, t1 in _boxes(fragment, p0, p1):
            if tk != b"traf":
                continue
            track_id = None
            for bk, _, b0, _b1 in _boxes(fragment, t0, t1):
                if bk == b"tfhd":
                    track_id = int.from_bytes(fragment[b0 + 4 : b0 + 8], "big")
                elif bk == b"tfdt" and track_id in scales:
                    width = 8 if fragment[b0] == 1 else 4
                    val = int.from_bytes(fragment[b0 + 4 : b0 + 4 + width], "big")
                    val += round(seconds * scales[track_id])
                    buf[b0 + 4 : b0 + 4 + width] = val.to_bytes(width, "big")
    return bytes(buf)


def split_fmp4(data: bytes) -> tuple[bytes, list[bytes]]:
    """Split a fragmented MP4 into its init segment (ftyp+moov) and its moof+mdat fragments."""
    pos, init_end = 0, None
    frags: list[bytes] = []
    cur_start = None
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        if size == 1:
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
        if size < 8:
            raise ValueError("bad MP4 box")
        if kind == b"moof":
            if init_end is None:
                init_end = pos
            if cur_start is not None:
                frags.append(data[cur_start:pos])
            cur_start = pos
        elif kind == b"mfra" and cur_start is not None:
            frags.append(data[cur_start:pos])
            cur_start = None
        pos += size
    if cur_start is not None:
        frags.append(data[cur_start:pos])
    if init_end is None:
        raise ValueError("not a fragmented MP4 (no moof)")
    return data[:init_end], frags


def encode_segments(
    *,
    width: int = 320,
    height: int = 180,
    fps: float = 30.0,
    segment_seconds: float = 2.0,
    n_segments: int = 3,
    gop_seconds: float = 1.0,
    audio: bool = True,
    kind: Literal["ts", "fmp4"] = "ts",
    start_pts: int = 0,
    start_seconds: float = 0.0,
    pts_reset_at: frozenset[int] | set[int] = frozenset(),
    preset: str = "ultrafast",
    bit_rate: int | None = None,
    seed: int = 0,
    x264_params: str | None = None,
    grain: int = 3,
) -> list[EncodedSegment]:
    """Encode ``n_segments`` consecutive segments.

    TS: each segment is its own MPEG-TS with timestamps continuing from the previous one
    (offset by ``start_pts`` frames), except that a segment index in ``pts_reset_at`` restarts
    its timestamps at 0 (a discontinuity). fMP4: one continuous fragmented MP4 (a fragment per
    GOP) split into one init segment and ``n_segments`` media segments; ``start_seconds`` is
    added to every fragment's decode time (use a large value to mimic Twitch's epoch-based
    PTS). ``grain`` is the amplitude of the per-frame noise (bigger = more bits).
    """
    per_seg = round(segment_seconds * fps)
    gop = max(1, round(gop_seconds * fps))
    texture = _Texture(width, height, seed, grain)
    segs: list[EncodedSegment] = []
    if kind == "ts":
        offset = start_pts
        for k in range(n_segments):
            if k in pts_reset_at:
                offset = -k * per_seg
            buf = io.BytesIO()
            with av.open(buf, "w", format="mpegts") as out:
                _encode(
                    out,
                    width=width,
                    height=height,
                    fps=fps,
                    frames=range(k * per_seg, (k + 1) * per_seg),
                    pts_offset=offset + k * per_seg,
                    gop=gop,
                    audio=audio,
                    preset=preset,
                    bit_rate=bit_rate,
                    texture=texture,
                    x264_params=x264_params,
                )
            segs.append(
                EncodedSegment(
                    data=buf.getvalue(),
                    init=None,
                    duration=per_seg / fps,
                    first_frame=k * per_seg,
                    n_frames=per_seg,
                    fps=fps,
                )
            )
        return segs
    if per_seg % gop:
        raise ValueError("fMP4 segments must hold whole GOPs")
    buf = io.BytesIO()
    with av.open(
        buf, "w", format="mp4", options={"movflags": "frag_keyframe+empty_moov+default_base_moof"}
    ) as out:
        _encode(
            out,
            width=width,
            height=height,
            fps=fps,
            frames=range(n_segments * per_seg),
            pts_offset=start_pts,
            gop=gop,
            audio=audio,
            preset=preset,
            bit_rate=bit_rate,
            texture=texture,
            x264_params=x264_params,
            audio_lead=1024,
        )  # no negative AAC priming: fMP4 cannot trim it with an edit list
    init, frags = split_fmp4(buf.getvalue())
    if start_seconds:
        frags = [shift_fmp4(init, f, start_seconds) for f in frags]
    per = per_seg // gop
    if len(frags) < n_segments * per:
        raise ValueError(f"expected {n_segments * per} fragments, got {len(frags)}")
    for k in range(n_segments):
        chunk = b"".join(frags[k * per : (k + 1) * per])
        if k == n_segments - 1:
            chunk = b"".join(frags[k * per :])
        segs.append(
            EncodedSegment(
                data=chunk,
                init=init,
                duration=per_seg / fps,
                first_frame=k * per_seg,
                n_frames=per_seg,
                fps=fps,
            )
        )
    return segs


def to_segment_data(
    segs: list[EncodedSegment], *, start: float = 0.0, url_prefix: str = "mem://seg"
) -> list[SegmentData]:
    """Wrap encoded segments as playlist segments starting at VOD time ``start``."""
    out: list[SegmentData] = []
    t = start
    for i, s in enumerate(segs):
        seg = Segment(
            index=i,
            start=t,
            duration=s.duration,
            url=f"{url_prefix}{i}",
            init_url=f"{url_prefix}-init" if s.init is not None else None,
        )
        out.append(SegmentData(segment=seg, data=s.data, init=s.init))
        t += s.duration
    return out


def encode_file(
    path: Path,
    *,
    width: int = 320,
    height: int = 180,
    fps: float = 30.0,
    seconds: float = 6.0,
    gop_seconds: float = 1.0,
    audio: bool = True,
    preset: str = "ultrafast",
    seed: int = 0,
    fmt: str | None = None,
) -> Path:
    """Write a single continuous video file (mp4/mkv/ts by suffix, or ``fmt``)."""
    texture = _Texture(width, height, seed)
    n = round(seconds * fps)
    with av.open(str(path), "w", format=fmt) as out:
        _encode(
            out,
            width=width,
            height=height,
            fps=fps,
            frames=range(n),
            pts_offset=0,
            gop=max(1, round(gop_seconds * fps)),
            audio=audio,
            preset=preset,
            bit_rate=None,
            texture=texture,
        )
    return path


def iter_frames(data: bytes, init: bytes | None = None) -> Iterator[av.VideoFrame]:
    """Decode every video frame of a segment (a reference for tests)."""
    fmt = "mp4" if init is not None else "mpegts"
    with av.open(io.BytesIO((init or b"") + data), format=fmt) as c:
        yield from c.decode(c.streams.video[0])
