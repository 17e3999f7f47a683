"""Local video files as VOD input: keyframe-aligned chunks remuxed to in-memory MPEG-TS."""

from __future__ import annotations

import io
from itertools import pairwise
from pathlib import Path

import av
import pytest
from media import encode_file, read_code

from vodstream.errors import DecodeError
from vodstream.media.decode import Decoder
from vodstream.sources.localfile import LocalVideo, is_local_video, read_segment

FPS = 30.0


@pytest.fixture(scope="module", params=["mp4", "mkv", "ts"])
def video_file(request, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("local") / f"match.{request.param}"
    # 7 s, 1 s GOP; the mkv uses B-frames (decode order differs from presentation order).
    preset = "veryfast" if request.param == "mkv" else "ultrafast"
    return encode_file(path, seconds=7.0, gop_seconds=1.0, preset=preset)


def test_segments_cover_the_file_at_keyframes(video_file):
    video = LocalVideo(video_file, chunk_seconds=2.5)
    segs = video.segments()
    assert video.duration == pytest.approx(7.0, abs=0.01)
    assert [s.index for s in segs] == [0, 1, 2]
    assert [s.start for s in segs] == pytest.approx([0.0, 3.0, 6.0])  # keyframes >= 2.5 s apart
    assert segs[-1].end == pytest.approx(video.duration)
    for a, b in pairwise(segs):
        assert a.end == pytest.approx(b.start)
    assert all(s.url == str(video_file) for s in segs)


def test_chunks_are_ts_with_video_and_audio_and_every_frame_once(video_file):
    video = LocalVideo(video_file, chunk_seconds=2.5)
    dec = Decoder(mode="all")
    seen: list[int] = []
    for seg in video.segments():
        data = video.read(seg)
        assert data.init is None and data.data[0] == 0x47 and data.data[188] == 0x47
        with av.open(io.BytesIO(data.data)) as c:
            assert c.format.name == "mpegts"
            assert len(c.streams.video) == 1 and len(c.streams.audio) == 1
            audio = [p.pts * p.time_base for p in c.demux(audio=0) if p.size]
            assert audio
            # Audio spans the chunk (within an AAC frame or two of its edges).
            assert float(audio[-1] - audio[0]) == pytest.approx(seg.duration, abs=0.1)
        r = dec.decode(data)
        assert r.gaps == []
        for s in r.samples:
            code = read_code(s.text, s.frame_size[1])
            assert s.vod_time == pytest.approx(code / FPS, abs=1e-3)
            seen.append(code)
    assert seen == list(range(210))


def test_read_segment_from_the_segment_alone(video_file):
    video = LocalVideo(video_file, chunk_seconds=2.5)
    seg = video.segments()[1]
    assert read_segment(seg).data == video.read(seg).data


def test_default_chunks_are_about_ten_seconds(tmp_path):
    path = encode_file(
        tmp_path / "long.mp4", seconds=25.0, gop_seconds=2.0, audio=False, width=160, height=90, fps=10.0
    )
    segs = LocalVideo(path).segments()
    assert [s.start for s in segs] == pytest.approx([0.0, 10.0, 20.0])
    assert segs[-1].end == pytest.approx(25.0, abs=0.11)


def test_bad_inputs(tmp_path):
    with pytest.raises(DecodeError, match="no such video file"):
        LocalVideo(tmp_path / "missing.mp4")
    text = tmp_path / "notes.mp4"
    text.write_text("not a video\n" * 100)
    with pytest.raises(DecodeError):
        LocalVideo(text)
    assert is_local_video(text)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(DecodeError, match="cannot read"):
        LocalVideo(empty)
    # a picture is not a video (it used to be analysed as a 0.04 s VOD with 0 matches)
    import cv2
    import numpy as np

    for ext in ("png", "jpg"):
        pic = tmp_path / f"shot.{ext}"
        cv2.imwrite(str(pic), np.full((90, 160, 3), 128, np.uint8))
        with pytest.raises(DecodeError, match="not a video"):
            LocalVideo(pic)
    assert not is_local_video(tmp_path / "missing.mp4")
    assert not is_local_video("https://www.twitch.tv/videos/123")
    assert not is_local_video("123456789")
