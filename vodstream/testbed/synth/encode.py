"""Render a script's frames once and encode them like Twitch: H.264 + AAC in MPEG-TS HLS.

Twitch layout (``fmt="twitch"``)::

    DIR/<vod_id>/master.m3u8              usher-v1-style master playlist (relative URIs)
    DIR/<vod_id>/<variant>/index-dvr.m3u8 media playlist with Twitch's tags
    DIR/<vod_id>/<variant>/0.ts, 1.ts ... 10 s segments, each starting on a keyframe
    DIR/<vod_id>/vod.json                 metadata + chapters for the local Twitch server
    DIR/<vod_id>/truth.json               ground truth (vodstream.testbed.synth.script.truth)
    DIR/<vod_id>/script.json              the resolved script (re-renders the same VOD)

``fmt="ts"`` / ``"mp4"`` write one file ``DIR/<vod_id>/<vod_id>.ts|.mp4`` (source quality) beside
vod.json/truth.json/script.json instead of the HLS tree.

Video: libx264, keyframe every exactly 2 s (``keyint = min-keyint = 2*fps``, no scene-cut
keyframes), so 10 s segments start on keyframes; timestamps run on across segments (the segments
are slices of one continuous TS stream, video PID 0x100, audio PID 0x101). Each frame is rendered
once at the source size, converted to YUV once, and downscaled per variant with swscale; repeated
states reuse the previous frame. Everything is written to a temporary directory that replaces
``DIR/<vod_id>`` only when complete.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

import av
import cv2
import numpy as np
import structlog

from vodstream.errors import VodstreamError
from vodstream.testbed.synth.audio import SAMPLE_RATE, AudioSynth
from vodstream.testbed.synth.script import APEX_GAME_ID, APEX_GAME_NAME, Script, Variant, truth
from vodstream.testbed.synth.state import FrameState
from vodstream.testbed.synth.timeline import Timeline, stable_seed

__all__ = [
    "SEGMENT_SECONDS",
    "EncodeOptions",
    "EncodeStats",
    "FrameSource",
    "chapters",
    "encode",
    "master_playlist",
    "media_playlist",
    "reuse_key",
    "vod_metadata",
]

log = structlog.get_logger(__name__)

SEGMENT_SECONDS = 10
GOP_SECONDS = 2
AUDIO_FRAME = 1024


class FrameRenderer(Protocol):
    def render(self, state: FrameState) -> np.ndarray: ...


@dataclass(frozen=True, kw_only=True)
class EncodeOptions:
    """Encoder knobs; the defaults favour speed (synthetic content compresses easily)."""

    x264_preset: str | None = None  # None = the script's x264_preset
    threads: int = 0  # 0 = x264 decides
    audio_bitrate: int = 128_000
    extra_x264_params: str = ""


@dataclass
class EncodeStats:
    """What an encode did and how long it took (seconds of wall time)."""

    frames: int = 0  # source frames
    rendered: int = 0  # frames actually drawn (others reused)
    video_seconds: float = 0.0
    wall: float = 0.0
    render_wall: float = 0.0
    convert_wall: float = 0.0
    encode_wall: float = 0.0
    audio_wall: float = 0.0
    segments: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)

    @property
    def speed(self) -> float:
        """Video seconds per wall second."""
        return self.video_seconds / self.wall if self.wall else 0.0

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["speed"] = self.speed
        return d


def reuse_key(state: FrameState) -> FrameState:
    """States with equal keys draw equal frames (t matters only as the matchmaking timer)."""
    t = float(math.floor(state.t)) if state.screen == "lobby_matchmaking" else 0.0
    return dataclasses.replace(state, t=t)


class FrameSource:
    """Source frames in order as YUV420p ``av.VideoFrame`` s, each distinct state rendered once."""

    def __init__(
        self, script: Script, renderer: FrameRenderer | None = None, timeline: Timeline | None = None
    ) -> None:
        self.script = script
        self.timeline = timeline or Timeline(script)
        if renderer is None:
            from vodstream.testbed.synth.render import Renderer
            from vodstream.testbed.synth.styles import style_by_name

            style = None if script.hud_style == "default" else style_by_name(script.hud_style)
            renderer = Renderer(
                script.width, script.height, seed=script.seed, hud_font=script.hud_font, style=style
            )
        self.renderer = renderer
        self.stats = EncodeStats()
        self._last_key: FrameState | None = None
        self._last_frame: av.VideoFrame | None = None

    def frame(self, i: int) -> tuple[av.VideoFrame, bool]:
        """Source frame ``i`` (pts unset) and whether it is new (not a repeat of frame i-1)."""
        state = self.timeline.state_at(i / self.script.fps)
        key = reuse_key(state)
        if key == self._last_key and self._last_frame is not None:
            return self._last_frame, False
        t0 = time.perf_counter()
        rgb = self.renderer.render(state)
        t1 = time.perf_counter()
        if rgb.shape != (self.script.height, self.script.width, 3) or rgb.dtype != np.uint8:
            raise VodstreamError(
                f"renderer returned {rgb.shape} {rgb.dtype}, expected "
                f"({self.script.height}, {self.script.width}, 3) uint8"
            )
        yuv = np.asarray(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420), np.uint8)
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        t2 = time.perf_counter()
        self.stats.render_wall += t1 - t0
        self.stats.convert_wall += t2 - t1
        self.stats.rendered += 1
        self._last_key, self._last_frame = key, frame
        return frame, True


# ----------------------------------------------------------------------------------------------
# one output container (a variant's HLS tree, or one file)
# ----------------------------------------------------------------------------------------------


class _Output:
    def __init__(
        self,
        variant: Variant,
        src_fps: int,
        container: av.container.OutputContainer,
        audio: bool,
        opts: EncodeOptions,
    ) -> None:
        self.variant = variant
        self.step = src_fps // variant.fps
        self.container = container
        gop = GOP_SECONDS * variant.fps
        # ABR without VBV: x264's VBV reads other threads' row progress, so with threads it is not
        # deterministic; plain ABR is (same script -> same bytes).
        params = f"keyint={gop}:min-keyint={gop}:scenecut=0:open-gop=0"
        if opts.extra_x264_params:
            params += ":" + opts.extra_x264_params
        v = container.add_stream(
            "libx264",
            rate=variant.fps,
            options={"preset": opts.x264_preset or "veryfast", "x264-params": params},
        )
        v.width, v.height, v.pix_fmt = variant.width, variant.height, "yuv420p"
        v.bit_rate = variant.bitrate
        v.codec_context.gop_size = gop
        v.codec_context.thread_count = opts.threads
        self.video = v
        self.time_base = Fraction(1, variant.fps)
        self.audio = None
        if audio:
            a = container.add_stream("aac", rate=SAMPLE_RATE, layout="stereo", options={"aac_coder": "fast"})
            a.bit_rate = opts.audio_bitrate
            self.audio = a
        self._scaled_src: av.VideoFrame | None = None
        self._scaled: av.VideoFrame | None = None
        self.first_video_packet: bytes | None = None
        self.video_frames = 0

    def add_video(self, src: av.VideoFrame, i: int) -> None:
        if i % self.step:
            return
        v = self.variant
        if src.width == v.width and src.height == v.height:
            frame = src
        elif src is self._scaled_src and self._scaled is not None:
            frame = self._scaled
        else:
            frame = src.reformat(width=v.width, height=v.height, format="yuv420p", interpolation="AREA")
            self._scaled_src, self._scaled = src, frame
        frame.pts = i // self.step
        frame.time_base = self.time_base
        self._mux(self.video.encode(frame), video=True)
        self.video_frames += 1

    def add_audio(self, frame: av.AudioFrame) -> None:
        if self.audio is not None:
            self._mux(self.audio.encode(frame))

    def _mux(self, packets: list[av.Packet], video: bool = False) -> None:
        for p in packets:
            if video and self.first_video_packet is None:
                self.first_video_packet = bytes(p)
            self.container.mux(p)

    def close(self) -> None:
        self._mux(self.video.encode(None), video=True)
        if self.audio is not None:
            self._mux(self.audio.encode(None))
        self.container.close()


def _audio_frames(timeline: Timeline) -> Iterator[tuple[int, av.AudioFrame]]:
    """The timeline's sound as AAC-sized stereo frames with sample pts: (pts, frame)."""
    pts = 0
    rest = np.zeros((2, 0), np.float32)
    blocks = AudioSynth(timeline).blocks()
    done = False
    while not done:
        block = next(blocks, None)
        if block is None:
            done = True
            block = np.zeros((2, 0), np.float32)
        buf = np.concatenate([rest, block], axis=1) if rest.shape[1] else block
        k = 0
        while buf.shape[1] - k >= AUDIO_FRAME or (done and k < buf.shape[1]):
            chunk = np.ascontiguousarray(buf[:, k : k + AUDIO_FRAME])
            af = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            af.sample_rate = SAMPLE_RATE
            af.pts = pts
            af.time_base = Fraction(1, SAMPLE_RATE)
            yield pts, af
            pts += chunk.shape[1]
            k += chunk.shape[1]
        rest = buf[:, k:]


def _avc_codec_string(packet: bytes | None) -> str:
    """ "avc1.PPCCLL" from the SPS in an Annex-B access unit."""
    if packet:
        i = 0
        while True:
            i = packet.find(b"\x00\x00\x01", i)
            if i < 0 or i + 6 > len(packet):
                break
            if packet[i + 3] & 0x1F == 7:
                return "avc1." + packet[i + 4 : i + 7].hex().upper()
            i += 3
    return "avc1.64001F"


# ----------------------------------------------------------------------------------------------
# playlists and metadata
# ----------------------------------------------------------------------------------------------


def _segment_durations(frames: int, fps: int) -> list[float]:
    per = SEGMENT_SECONDS * fps
    return [min(per, frames - k) / fps for k in range(0, frames, per)]


def media_playlist(durations: list[float], created_at: str, ext: str = "ts") -> str:
    """A Twitch VOD media playlist (index-dvr.m3u8) for segments 0.ts, 1.ts, ..."""
    tdtg = created_at.rstrip("Z").split(".")[0]
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{SEGMENT_SECONDS}",
        f"#ID3-EQUIV-TDTG:{tdtg}",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-TWITCH-ELAPSED-SECS:0.000",
        f"#EXT-X-TWITCH-TOTAL-SECS:{sum(durations):.3f}",
    ]
    for k, d in enumerate(durations):
        lines += [f"#EXTINF:{d:.3f},", f"{k}.{ext}"]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def master_playlist(variants: list[dict[str, Any]], vod_id: str) -> str:
    """An usher-v1-style master playlist with relative URIs ``<group>/index-dvr.m3u8``."""
    serving = f"{stable_seed('serving', vod_id):08x}" * 4
    lines = [
        "#EXTM3U",
        f'#EXT-X-TWITCH-INFO:ORIGIN="s3",B="false",REGION="LOCAL",USER-IP="127.0.0.1",'
        f'SERVING-ID="{serving}",CLUSTER="synthetic_vod",USER-COUNTRY="XX",'
        f'MANIFEST-CLUSTER="synthetic_vod"',
    ]
    for v in variants:
        source = v["group_id"] == "chunked"
        auto = "NO" if source else "YES"
        lines.append(
            f'#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="{v["group_id"]}",NAME="{v["name"]}",'
            f"AUTOSELECT={auto},DEFAULT={auto}"
        )
        lines.append(
            f'#EXT-X-STREAM-INF:BANDWIDTH={v["bandwidth"]},CODECS="{v["codecs"]}",'
            f'RESOLUTION={v["width"]}x{v["height"]},VIDEO="{v["group_id"]}",'
            f"FRAME-RATE={v['fps']:.3f}"
        )
        lines.append(f"{v['group_id']}/index-dvr.m3u8")
    return "\n".join(lines) + "\n"


def chapters(script: Script) -> list[dict[str, Any]]:
    """Game chapters: other-game spans, Apex Legends (game 511224) everywhere else."""
    dur = script.vod_duration
    out: list[dict[str, Any]] = []
    cursor = 0.0
    for s in sorted((s for s in script.spans if s.type == "other_game"), key=lambda s: s.start):
        a, b = max(0.0, s.start), min(dur, s.end)
        if a > cursor:
            out.append({"start": cursor, "end": a, "game_id": APEX_GAME_ID, "game_name": APEX_GAME_NAME})
        if b > a:
            out.append({"start": a, "end": b, "game_id": s.game_id, "game_name": s.game_name})
        cursor = max(cursor, b)
    if cursor < dur:
        out.append({"start": cursor, "end": dur, "game_id": APEX_GAME_ID, "game_name": APEX_GAME_NAME})
    return [{**c, "start": round(c["start"], 3), "end": round(c["end"], 3)} for c in out]


def vod_metadata(script: Script, variants: list[dict[str, Any]]) -> dict[str, Any]:
    """vod.json: what the local Twitch server answers for this VOD."""
    return {
        "vod_id": script.vod_id,
        "title": script.title,
        "owner": {"login": script.owner_login, "display_name": script.owner_display_name},
        "created_at": script.created_at,
        "duration": round(script.vod_duration, 3),
        "chapters": chapters(script),
        "variants": variants,
        "sub_only": False,
    }


# ----------------------------------------------------------------------------------------------
# the encode
# ----------------------------------------------------------------------------------------------


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def encode(
    script: Script,
    out_dir: str | os.PathLike[str],
    *,
    fmt: str = "twitch",
    renderer: FrameRenderer | None = None,
    options: EncodeOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Path, EncodeStats]:
    """Render + encode ``script`` into ``out_dir/<vod_id>/``; returns (that path, stats)."""
    if fmt not in ("twitch", "ts", "mp4"):
        raise VodstreamError(f"format: {fmt!r} is not one of twitch, ts, mp4")
    opts = options or EncodeOptions()
    if opts.x264_preset is None:
        opts = dataclasses.replace(opts, x264_preset=script.x264_preset)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise VodstreamError(f"{out}: cannot create the output directory: {err.strerror or err}") from None
    final = out / script.vod_id
    tmp = Path(tempfile.mkdtemp(prefix=f".{script.vod_id}.tmp-", dir=out))
    tmp.chmod(0o755)
    try:
        stats = _encode_into(tmp, script, fmt, renderer, opts, progress)
        _replace_dir(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final, stats


def _replace_dir(tmp: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _encode_into(
    tmp: Path,
    script: Script,
    fmt: str,
    renderer: FrameRenderer | None,
    opts: EncodeOptions,
    progress: Callable[[int, int], None] | None,
) -> EncodeStats:
    t_start = time.perf_counter()
    timeline = Timeline(script)
    source = FrameSource(script, renderer, timeline)
    stats = source.stats
    variants = script.variant_specs()
    if fmt != "twitch":
        variants = [v for v in variants if v.name == "chunked"] or variants[:1]
    outputs: list[_Output] = []
    try:
        for v in variants:
            if fmt == "twitch":
                vdir = tmp / v.name
                vdir.mkdir()
                container = av.open(
                    str(vdir / "ffmpeg.m3u8"),
                    mode="w",
                    format="hls",
                    options={
                        "hls_time": str(SEGMENT_SECONDS),
                        "hls_list_size": "0",
                        "start_number": "0",
                        "hls_segment_filename": str(vdir / "%d.ts"),
                        "hls_playlist_type": "vod",
                    },
                )
            else:
                path = tmp / f"{script.vod_id}.{fmt}"
                container = av.open(
                    str(path),
                    mode="w",
                    format="mpegts" if fmt == "ts" else "mp4",
                    options={"movflags": "+faststart"} if fmt == "mp4" else {},
                )
            outputs.append(_Output(v, script.fps, container, script.audio, opts))
        audio = _audio_frames(timeline) if script.audio else iter(())
        pending = next(audio, None)
        n = script.frame_count
        log.info(
            "synth encode",
            vod_id=script.vod_id,
            frames=n,
            seconds=round(script.vod_duration, 1),
            size=f"{script.width}x{script.height}",
            fps=script.fps,
            variants=[v.name for v in variants],
            fmt=fmt,
        )
        for i in range(n):
            frame, _new = source.frame(i)
            t0 = time.perf_counter()
            for o in outputs:
                o.add_video(frame, i)
            t1 = time.perf_counter()
            stats.encode_wall += t1 - t0
            # audio up to the end of this frame (all of it after the last frame)
            until = (i + 1) * SAMPLE_RATE // script.fps if i < n - 1 else math.inf
            while pending is not None and pending[0] < until:
                for o in outputs:
                    o.add_audio(pending[1])
                pending = next(audio, None)
            stats.audio_wall += time.perf_counter() - t1
            if progress is not None and (i % script.fps == 0 or i == n - 1):
                progress(i + 1, n)
            if i and i % (60 * script.fps) == 0:
                done = i / script.fps
                speed = done / (time.perf_counter() - t_start)
                log.info(
                    "synth progress",
                    vod_id=script.vod_id,
                    video_s=round(done),
                    of=round(script.vod_duration),
                    speed=round(speed, 2),
                )
        t0 = time.perf_counter()
        for o in outputs:
            o.close()
        stats.encode_wall += time.perf_counter() - t0
    except BaseException:
        for o in outputs:
            try:
                o.container.close()
            except Exception:  # already failing; keep the first error
                pass
        raise
    stats.frames = n
    stats.video_seconds = script.vod_duration
    # playlists + metadata
    meta_variants = []
    for o in outputs:
        v = o.variant
        frames = o.video_frames
        durations = _segment_durations(frames, v.fps)
        if fmt == "twitch":
            vdir = tmp / v.name
            files = sorted(vdir.glob("*.ts"), key=lambda p: int(p.stem))
            if [int(p.stem) for p in files] != list(range(len(durations))):
                raise VodstreamError(
                    f"internal: {v.name}: muxer wrote {len(files)} segments, expected {len(durations)}"
                )
            (vdir / "ffmpeg.m3u8").unlink(missing_ok=True)
            sizes = [p.stat().st_size for p in files]
            playlist = media_playlist(durations, script.created_at)
            (vdir / "index-dvr.m3u8").write_text(playlist, encoding="utf-8")
            stats.segments[v.name] = len(files)
        else:
            sizes = [(tmp / f"{script.vod_id}.{fmt}").stat().st_size]
            durations = [sum(durations)]
        stats.bytes[v.name] = sum(sizes)
        peak = max(s * 8 / d for s, d in zip(sizes, durations, strict=True) if d > 0)
        sps = (o.video.codec_context.extradata or b"") + (o.first_video_packet or b"")
        codecs = _avc_codec_string(sps) + (",mp4a.40.2" if script.audio else "")
        meta_variants.append(
            {
                "name": v.display_name,
                "group_id": v.name,
                "width": v.width,
                "height": v.height,
                "fps": v.fps,
                "bandwidth": int(peak),
                "codecs": codecs,
            }
        )
    if fmt == "twitch":
        (tmp / "master.m3u8").write_text(master_playlist(meta_variants, script.vod_id), encoding="utf-8")
    _write_json(tmp / "vod.json", vod_metadata(script, meta_variants))
    _write_json(tmp / "truth.json", truth(script))
    _write_json(tmp / "script.json", script.to_dict())
    stats.wall = time.perf_counter() - t_start
    log.info(
        "synth done",
        vod_id=script.vod_id,
        seconds=round(stats.video_seconds, 1),
        wall=round(stats.wall, 1),
        speed=round(stats.speed, 2),
        rendered=stats.rendered,
        frames=n,
    )
    return stats
