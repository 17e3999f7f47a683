"""The clipper: stream copy (and re-encode) of a VOD-time span from fetched segments."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import pytest
from media import encode_segments, read_code, to_segment_data

from vodstream.errors import ClipError
from vodstream.media.clip import write_clip
from vodstream.media.decode import text_shape
from vodstream.readers.regions import text_box
from vodstream.types import Segment, SegmentData

FPS = 30.0
START = 50.0  # VOD time of the first segment
GOP = 1.0


def _code(frame: av.VideoFrame) -> int:
    gray = frame.to_ndarray(format="gray")
    w, h = frame.width, frame.height
    _, _, _, y1 = text_box(w, h)
    th, tw = text_shape(w, h)
    return read_code(cv2.resize(gray[:y1], (tw, th), interpolation=cv2.INTER_AREA), h)


def _probe(path: Path) -> dict[str, object]:
    """Decode the whole clip; frame numbers, times, streams and box order."""
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        assert c.streams.audio, "the clip has audio"
        frames = list(c.decode(v))
    with av.open(str(path)) as c:
        audio = [f for f in c.decode(audio=0)]
    data = path.read_bytes()
    return {
        "codes": [_code(f) for f in frames],
        "times": [float(f.time) for f in frames],
        "corrupt": sum(f.is_corrupt for f in frames),
        "audio_s": sum(f.samples for f in audio) / audio[0].sample_rate,
        "audio_first": float(audio[0].time),
        "moov": data.find(b"moov"),
        "mdat": data.find(b"mdat"),
    }


@pytest.fixture(scope="module")
def ts_parts() -> list[SegmentData]:
    # 4 x 2 s TS segments with a PTS reset at segment 2 (a discontinuity mid-clip).
    return to_segment_data(
        encode_segments(n_segments=4, segment_seconds=2.0, gop_seconds=GOP, pts_reset_at={2}), start=START
    )


@pytest.fixture(scope="module")
def fmp4_parts() -> list[SegmentData]:
    return to_segment_data(
        encode_segments(n_segments=4, segment_seconds=2.0, gop_seconds=GOP, kind="fmp4", start_seconds=1.7e9),
        start=START,
    )


@pytest.fixture(scope="module")
def bframe_parts() -> list[SegmentData]:
    return to_segment_data(
        encode_segments(n_segments=3, segment_seconds=2.0, gop_seconds=GOP, preset="veryfast"), start=START
    )


@pytest.mark.parametrize("kind", ["ts", "fmp4", "bframes"])
def test_stream_copy_clip(kind, ts_parts, fmp4_parts, bframe_parts, tmp_path):
    parts = {"ts": ts_parts, "fmp4": fmp4_parts, "bframes": bframe_parts}[kind]
    out = tmp_path / "clip.mp4"
    info = write_clip(iter(parts), out, start=52.6, end=55.3)
    assert info.path == out and out.is_file() and info.size == out.stat().st_size
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    # Keyframe-aligned: the last keyframe at or before the requested start (1 s GOPs).
    assert info.start == pytest.approx(52.0)
    assert 0 <= info.requested_start - info.start <= GOP
    assert info.end == pytest.approx(55.3, abs=3 / FPS + 1e-6)
    assert info.duration == pytest.approx(info.end - info.start)
    assert info.segments == [1, 2]
    p = _probe(out)
    assert p["corrupt"] == 0
    codes = p["codes"]
    assert codes[0] == 60  # the frame at VOD 52.0
    assert p["times"][0] == pytest.approx(0.0, abs=1e-3)  # rebased to start at 0
    # Every frame's clip time matches its VOD time (no jumps across the PTS reset).
    for code, t in zip(codes, p["times"], strict=True):
        assert t == pytest.approx((code - 60) / FPS, abs=1e-3)
    assert codes[-1] / FPS + START >= 55.3 - 1 / FPS - 1e-6
    assert abs(len(codes) / FPS - (55.3 - 52.0)) <= GOP
    assert p["audio_s"] == pytest.approx(info.duration, abs=0.1)
    assert abs(p["audio_first"]) < 0.05
    assert 0 < p["moov"] < p["mdat"], "faststart: moov before mdat"


def test_reencode_starts_exactly(ts_parts, tmp_path):
    out = tmp_path / "exact.mp4"
    info = write_clip(ts_parts, out, start=52.6, end=55.3, reencode=True)
    assert info.reencoded and info.start == pytest.approx(52.6, abs=0.5 / FPS)
    p = _probe(out)
    assert p["codes"][0] == 78 and p["codes"][-1] == 158  # 52.6 s .. the frame before 55.3
    assert len(p["codes"]) == 81
    assert p["audio_s"] == pytest.approx(2.7, abs=0.06)
    assert 0 < p["moov"] < p["mdat"]


def test_start_before_the_first_segment_and_end_after_the_last(ts_parts, tmp_path):
    info = write_clip(ts_parts[1:3], tmp_path / "c.mp4", start=40.0, end=90.0)
    assert info.start == pytest.approx(52.0) and info.end == pytest.approx(56.0, abs=1e-3)
    assert _probe(info.path)["codes"][0] == 60


def test_consumes_parts_lazily(ts_parts, tmp_path):
    taken: list[int] = []

    def parts() -> Iterator[SegmentData]:
        for p in ts_parts:
            taken.append(p.segment.index)
            yield p

    write_clip(parts(), tmp_path / "c.mp4", start=50.2, end=51.5)
    assert taken == [0]  # the end lies in segment 0: nothing else is fetched
    taken.clear()
    write_clip(parts(), tmp_path / "c.mp4", start=50.2, end=53.5)
    assert taken == [0, 1]


def _no_leftovers(directory: Path) -> None:
    assert [p.name for p in directory.iterdir()] == []


def test_bad_input_is_a_clip_error_and_leaves_nothing(ts_parts, tmp_path):
    out_dir = tmp_path / "out"
    out = out_dir / "clip.mp4"
    with pytest.raises(ClipError, match="after its start"):
        write_clip(ts_parts, out, start=53.0, end=53.0)
    with pytest.raises(ClipError, match="no readable segments"):
        write_clip([], out, start=1.0, end=2.0)
    bad = SegmentData(
        segment=Segment(index=0, start=0.0, duration=2.0, url="mem://x"), data=b"not a video" * 500
    )
    with pytest.raises(ClipError, match="no readable segments"):
        write_clip([bad], out, start=0.0, end=1.0)
    with pytest.raises(ClipError, match="segment 0 cannot be read"):
        write_clip([bad], out, start=0.0, end=1.0, on_bad_part="raise")
    with pytest.raises(ClipError, match="no video between"):
        write_clip(ts_parts[:1], out, start=80.0, end=90.0)
    _no_leftovers(out_dir)


def _broken(part: SegmentData) -> SegmentData:
    return SegmentData(segment=part.segment, data=b"\x47" + b"\x00" * 1000)


def test_unreadable_segment_is_skipped_and_reported(ts_parts, tmp_path):
    parts = [ts_parts[0], _broken(ts_parts[1]), ts_parts[2], ts_parts[3]]
    info = write_clip(parts, tmp_path / "c.mp4", start=50.5, end=55.0)
    assert [(g.start, g.end, g.segment_index) for g in info.gaps] == [(52.0, 54.0, 1)]
    assert info.segments == [0, 2] and info.start == pytest.approx(50.0)
    p = _probe(info.path)
    assert p["corrupt"] == 0
    # After the hole, frames keep their playlist times (the clip clock comes from VOD time).
    for code, t in zip(p["codes"], p["times"], strict=True):
        assert t == pytest.approx(code / FPS, abs=1e-3)
    assert 60 not in p["codes"] and 120 in p["codes"]


def test_failure_midway_keeps_the_previous_file(ts_parts, tmp_path):
    out = tmp_path / "clip.mp4"
    out.write_bytes(b"previous clip")
    with pytest.raises(ClipError, match="segment 1"):
        write_clip([ts_parts[0], _broken(ts_parts[1])], out, start=50.0, end=53.5, on_bad_part="raise")
    assert out.read_bytes() == b"previous clip"
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


def test_a_stale_part_left_by_a_killed_writer_is_removed(ts_parts, tmp_path):
    """kill -9 while clipping left a hidden .part that no later run removed."""
    import os
    import subprocess

    gone = subprocess.Popen(["true"])
    gone.wait()
    out = tmp_path / "v-match1.mp4"
    stale = tmp_path / f".{out.name}.{gone.pid}.part"
    stale.write_bytes(b"half a clip" * 1000)
    live = tmp_path / f".{out.name}.{os.getppid()}.part"  # a writer that still runs keeps its file
    live.write_bytes(b"x")
    other = tmp_path / f".other.mp4.{gone.pid}.part"
    other.write_bytes(b"x")
    write_clip(ts_parts, out, start=START + 1.0, end=START + 3.0)
    assert out.is_file() and not stale.exists() and live.exists() and other.exists()


def test_disk_full_while_clipping_leaves_nothing_and_says_so(tmp_path):
    """The clip command when the disk fills up (simulated: a file-size limit on the process)."""
    import json
    import resource
    import signal
    import subprocess
    import sys

    from media import encode_file

    video = encode_file(tmp_path / "game.mp4", width=640, height=360, fps=30, seconds=6.0, gop_seconds=1.0)
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    doc = {
        "vod_id": "game",
        "source": str(video),
        "best": 0,
        "clips": [],
        "clip_matches": [],
        "matches": [{"start": 0.0, "end": 4.0, "kills": 1, "readings": []}],
    }
    report.write_text(json.dumps(doc))

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-m", "vodstream", "clip", str(report)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=small_disk,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and "cannot write clip" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in report.parent.iterdir()) == ["report.json"]  # no clip, no .part
    assert json.loads(report.read_text()) == doc
