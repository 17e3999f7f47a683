"""The in-memory decoder on real H.264/AAC segments made with PyAV (tests/media.py).

Every test frame carries its own frame number as a block code, so a sample's VOD time can be
checked against the frame it really came from.
"""

from __future__ import annotations

import io
import math

import av
import numpy as np
import pytest
from media import (
    HUD_RED,
    EncodedSegment,
    code_block,
    encode_segments,
    iter_frames,
    read_code,
    to_segment_data,
)

import vodstream.media.decode as decode_module
from vodstream.media.decode import Decoder, crop_frame, crop_rgb, text_shape
from vodstream.readers.regions import hud_box, text_scale
from vodstream.types import Sample, Segment, SegmentData

FPS = 30.0
H = 180
START = 100.0


def _check_times(samples: list[Sample], start: float = START, fps: float = FPS) -> None:
    """Each sample's VOD time is the time of the frame it shows (frame number / fps)."""
    for s in samples:
        code = read_code(s.text, s.frame_size[1])
        assert s.vod_time == pytest.approx(start + code / fps, abs=1e-3), (s.vod_time, code)


def _decode_all(dec: Decoder, parts: list[SegmentData]) -> list[Sample]:
    out: list[Sample] = []
    for part in parts:
        r = dec.decode(part)
        assert r.gaps == [], r.gaps
        out += r.samples
    return out


@pytest.fixture(scope="module")
def ts_parts() -> list[SegmentData]:
    # 3 x 2 s segments, 1 s GOP; segment 2 restarts its timestamps (a discontinuity).
    segs = encode_segments(n_segments=3, segment_seconds=2.0, gop_seconds=1.0, kind="ts", pts_reset_at={2})
    return to_segment_data(segs, start=START)


@pytest.fixture(scope="module")
def fmp4_parts() -> list[SegmentData]:
    # One init + 3 media segments; decode times start at an epoch-sized 1.7e9 s.
    segs = encode_segments(
        n_segments=3, segment_seconds=2.0, gop_seconds=1.0, kind="fmp4", start_seconds=1.7e9
    )
    return to_segment_data(segs, start=START)


@pytest.fixture(scope="module")
def bframe_parts() -> list[SegmentData]:
    segs = encode_segments(n_segments=2, segment_seconds=2.0, gop_seconds=1.0, kind="ts", preset="veryfast")
    return to_segment_data(segs, start=START)


def _first_pts(part: SegmentData) -> int:
    with av.open(io.BytesIO((part.init or b"") + part.data)) as c:
        return min(p.pts for p in c.demux(video=0) if p.pts is not None)


def test_fixtures_are_what_they_claim(ts_parts, fmp4_parts):
    assert all(p.data[0] == 0x47 for p in ts_parts)
    assert _first_pts(ts_parts[2]) < _first_pts(ts_parts[1])  # the PTS reset is really there
    assert fmp4_parts[0].init is not None and fmp4_parts[0].data[4:8] == b"moof"
    assert _first_pts(fmp4_parts[0]) * (1 / 15360) > 1e9  # epoch-sized start time


@pytest.mark.parametrize("kind", ["ts", "fmp4"])
def test_keyframes_stamped_with_vod_time(kind, ts_parts, fmp4_parts):
    parts = ts_parts if kind == "ts" else fmp4_parts
    samples = _decode_all(Decoder(), parts)
    # One sample per keyframe (1 s GOP over 6 s), at playlist time, across the PTS reset.
    assert [s.vod_time for s in samples] == pytest.approx([100, 101, 102, 103, 104, 105])
    assert [s.segment_index for s in samples] == [0, 0, 1, 1, 2, 2]
    assert all(s.keyframe for s in samples)
    _check_times(samples)


def test_pts_wrap_inside_a_segment():
    # MPEG-TS timestamps are 33-bit: start 1 s before the wrap (2**33 ticks at 90 kHz).
    segs = encode_segments(
        n_segments=2, segment_seconds=2.0, gop_seconds=1.0, start_pts=(2**33 - 90000) // 3000
    )
    parts = to_segment_data(segs, start=10.0)
    for mode in ("keyframes", "fps", "all"):
        samples = _decode_all(Decoder(mode=mode, sample_fps=2.0), parts)
        assert len(samples) == {"keyframes": 4, "fps": 8, "all": 120}[mode]
        _check_times(samples, start=10.0)


def test_decoder_result_counters(ts_parts):
    r = Decoder().decode(ts_parts[0])
    assert r.mode == "keyframes"
    assert r.packets == 60
    assert r.frames_decoded == 2  # only the keyframes were decoded
    assert r.max_keyframe_gap == pytest.approx(1.0)
    assert r.errors == []


def test_crops_are_rgb_hud_and_luma_text(ts_parts):
    s = Decoder().decode(ts_parts[0]).samples[1]  # frame 30: code bits 1..4 set
    assert s.frame_size == (320, 180)
    x0, y0, x1, y1 = hud_box(320, 180)
    assert s.hud.shape == (y1 - y0, x1 - x0, 3) and s.hud.dtype == np.uint8
    assert s.text.shape == text_shape(320, 180) and s.text.dtype == np.uint8
    cy, cx = s.hud.shape[0] // 2, s.hud.shape[1] // 2
    r, g, b = (int(v) for v in s.hud[cy, cx])
    assert abs(r - HUD_RED[0]) < 20 and g < 70 and b < 70, (r, g, b)  # RGB order, not BGR
    # Full-range luma: the code's RGB 16/235 blocks stay near 16/235 (as RGB2GRAY gives).
    b = code_block(180) * text_scale(320, 180)
    centre = [int(s.text[int(1.5 * b), int((1.5 + bit) * b)]) for bit in range(6)]
    assert all(abs(centre[i] - 16) < 12 for i in (0, 5)), centre
    assert all(abs(centre[i] - 235) < 12 for i in (1, 2, 3, 4)), centre


@pytest.mark.parametrize("kind", ["ts", "fmp4"])
def test_fixed_rate_on_the_vod_grid(kind, ts_parts, fmp4_parts):
    parts = ts_parts if kind == "ts" else fmp4_parts
    dec = Decoder(mode="fps", sample_fps=2.0)
    results = [dec.decode(p) for p in parts]
    samples = [s for r in results for s in r.samples]
    assert [s.vod_time for s in samples] == pytest.approx([START + k / 2 for k in range(12)])
    _check_times(samples)
    # Only the frames up to each grid time are decoded, not whole segments.
    assert all(r.frames_decoded < 60 for r in results)


def test_fixed_rate_slow_grid_spans_segments(ts_parts):
    dec = Decoder(mode="fps", sample_fps=0.33)
    samples = [s for p in ts_parts for s in dec.decode(p).samples]
    grid = [k / 0.33 for k in range(math.ceil(START * 0.33), 200) if k / 0.33 < START + 6.0]
    assert len(samples) == len(grid) == 2
    for s, t in zip(samples, grid, strict=True):
        assert abs(s.vod_time - t) <= 0.5 / FPS + 1e-6
    _check_times(samples)


def test_fixed_rate_with_b_frames(bframe_parts):
    grid = [k / 1.4 for k in range(140, 146)]  # grid times k/1.4 in [100, 104)
    exact = _decode_all(Decoder(mode="fps", sample_fps=1.4, fps_skip="NONE"), bframe_parts)
    assert [s.vod_time for s in exact] == pytest.approx(grid, abs=0.5 / FPS + 1e-6)
    _check_times(exact)
    for skip in ("NONREF", "BIDIR"):  # fewer pictures decoded: the next one decoded is taken
        dec = Decoder(mode="fps", sample_fps=1.4, fps_skip=skip)
        results = [dec.decode(p) for p in bframe_parts]
        samples = [s for r in results for s in r.samples]
        assert len(samples) == len(grid)
        for s, t in zip(samples, grid, strict=True):
            assert -0.5 / FPS - 1e-6 <= s.vod_time - t <= 4 / FPS
        _check_times(samples)
    # Many grid times near GOP ends: none is lost when the next decoded picture is a keyframe.
    dense = _decode_all(Decoder(mode="fps", sample_fps=7.5, fps_skip="BIDIR"), bframe_parts)
    assert len(dense) >= 28
    _check_times(dense)
    all_samples = _decode_all(Decoder(mode="all"), bframe_parts)
    assert len(all_samples) == 120
    _check_times(all_samples)


def test_sparse_keyframes_fall_back_to_fixed_rate():
    segs = encode_segments(n_segments=1, segment_seconds=4.0, gop_seconds=4.0, audio=False)
    part = to_segment_data(segs, start=20.0)[0]
    sparse = Decoder(sparse_keyframe_threshold=2.0, sample_fps=1.0).decode(part)
    assert sparse.mode == "fps-fallback" and sparse.max_keyframe_gap == pytest.approx(4.0)
    assert [s.vod_time for s in sparse.samples] == pytest.approx([20, 21, 22, 23])
    assert [s.keyframe for s in sparse.samples] == [True, False, False, False]
    _check_times(sparse.samples, start=20.0)
    dense = Decoder(sparse_keyframe_threshold=4.5).decode(part)
    assert dense.mode == "keyframes" and len(dense.samples) == 1


def test_threads_do_not_change_results(bframe_parts):
    a = _decode_all(Decoder(mode="fps", sample_fps=3.0), bframe_parts)
    b = _decode_all(Decoder(mode="fps", sample_fps=3.0, threads=2, thread_type="FRAME"), bframe_parts)
    assert [s.vod_time for s in a] == [s.vod_time for s in b]
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(x.hud, y.hud) and np.array_equal(x.text, y.text)


@pytest.mark.parametrize("kind", ["ts", "fmp4"])
@pytest.mark.parametrize("mode", ["keyframes", "fps"])
@pytest.mark.parametrize("knob", ["PROBE_OPTIONS", "CONTAINER_OPTIONS"])
def test_the_cheap_stream_probe_changes_no_sample(kind, mode, knob, ts_parts, fmp4_parts, monkeypatch):
    """Segments are opened without decoding a picture in FFmpeg's stream probe (PROBE_OPTIONS) and
    with a short probe (CONTAINER_OPTIONS): the same samples, times and crops as with the full probe."""
    parts = ts_parts if kind == "ts" else fmp4_parts
    dec = Decoder(mode=mode, sample_fps=3.0)
    cheap = _decode_all(dec, parts)
    monkeypatch.setattr(decode_module, knob, None)
    full = _decode_all(dec, parts)
    assert [s.vod_time for s in cheap] == [s.vod_time for s in full] and len(cheap) >= 6
    for x, y in zip(cheap, full, strict=True):
        assert np.array_equal(x.hud, y.hud) and np.array_equal(x.text, y.text) and x.keyframe == y.keyframe


def test_garbage_segment_is_a_gap_not_a_crash():
    seg = Segment(index=7, start=70.0, duration=10.0, url="mem://bad")
    for data in (b"", b"\x00" * 5000, b"garbage" * 1000, bytes(range(256)) * 40):
        r = Decoder().decode(SegmentData(segment=seg, data=data))
        assert r.samples == []
        assert len(r.gaps) == 1
        g = r.gaps[0]
        assert (g.start, g.end, g.segment_index) == (70.0, 80.0, 7) and g.reason


def test_fmp4_without_its_init_is_a_gap(fmp4_parts):
    p = fmp4_parts[1]
    r = Decoder().decode(SegmentData(segment=p.segment, data=p.data))
    assert r.samples == [] and len(r.gaps) == 1


def test_truncated_segment_keeps_samples_and_reports_the_rest(ts_parts):
    part = ts_parts[0]
    cut = SegmentData(segment=part.segment, data=part.data[: len(part.data) * 2 // 5])
    r = Decoder(mode="fps", sample_fps=4.0).decode(cut)
    assert r.samples, "the first part of the segment still decodes"
    _check_times(r.samples)
    assert len(r.gaps) == 1
    last = r.samples[-1].vod_time
    assert last < r.gaps[0].start <= last + 0.3 and r.gaps[0].end == pytest.approx(102.0)


def test_corrupt_bytes_never_give_wrong_samples(ts_parts):
    part = ts_parts[1]
    rng = np.random.default_rng(3)
    data = bytearray(part.data)
    n = len(data)
    idx = rng.integers(n // 3, n // 3 + 30000, size=1500)
    for i in idx:
        if i % 188 > 4:  # keep TS headers: damage the payload, as a bad network copy would
            data[i] = int(rng.integers(0, 256))
    for mode in ("keyframes", "fps", "all"):
        r = Decoder(mode=mode, sample_fps=4.0).decode(SegmentData(segment=part.segment, data=bytes(data)))
        _check_times(r.samples)  # whatever survived shows the right frame
        for g in r.gaps:
            assert 102.0 <= g.start < g.end <= 104.0
            assert not any(g.start <= s.vod_time < g.end for s in r.samples)
    full = Decoder(mode="all").decode(SegmentData(segment=part.segment, data=bytes(data)))
    assert full.gaps, "the damage is reported"
    assert full.errors


@pytest.mark.parametrize(
    "size", [(1920, 1080), (1280, 720), (2560, 1080), (1024, 768), (854, 480), (642, 362)]
)
def test_crop_shapes_and_colours_match_rgb_path(size):
    w, h = size
    segs: list[EncodedSegment] = encode_segments(
        width=w, height=h, n_segments=1, segment_seconds=0.2, gop_seconds=0.2, audio=False
    )
    frame = next(iter_frames(segs[0].data))
    hud, text = crop_frame(frame)
    x0, y0, x1, y1 = hud_box(w, h)
    assert hud.shape == (y1 - y0, x1 - x0, 3)
    assert text.shape == text_shape(w, h)
    ref_hud, ref_text = crop_rgb(frame.to_ndarray(format="rgb24"))
    assert ref_hud.shape == hud.shape and ref_text.shape == text.shape
    assert np.abs(hud.astype(int) - ref_hud).mean() < 4
    assert np.abs(text.astype(int) - ref_text).mean() < 4
    assert read_code(text, h) == 0


def test_bad_arguments():
    with pytest.raises(ValueError):
        Decoder(mode="every")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Decoder(sample_fps=0)


@pytest.mark.parametrize("skip", ["NONREF", "BIDIR", "NONE"])
def test_decode_window_equals_the_whole_segment_cut_to_the_window(bframe_parts, skip):
    """decode_window decodes only the GOPs near its window (issue 16) and gives exactly the samples
    of decoding the whole segment that fall inside it."""
    dec = Decoder(mode="fps", sample_fps=5.0, fps_skip=skip)
    for part in bframe_parts:
        whole = dec.decode(part).samples
        s0 = part.segment.start
        rng = np.random.default_rng(16)
        spans = [(s0 - 1, s0 + 0.3), (s0 + 0.1, s0 + 0.9), (s0 + 0.95, s0 + 1.6), (s0 + 1.3, s0 + 5)]
        spans += [(s0, s0 + 1.0), (s0 + 1.0, s0 + 2.0), (s0, s0 + 2.0), (s0 + 0.5, s0 + 1.0)]  # on keyframes
        spans += [tuple(sorted(rng.uniform(s0 - 0.2, s0 + 2.2, size=2).tolist())) for _ in range(12)]
        for lo, hi in spans:
            want = [x for x in whole if lo + 1e-3 < x.vod_time < hi - 1e-3]
            got = dec.decode_window(part, lo, hi)
            assert [x.vod_time for x in got] == [x.vod_time for x in want]
            assert all(
                np.array_equal(a.hud, b.hud) and np.array_equal(a.text, b.text)
                for a, b in zip(got, want, strict=True)
            )
        # a window between two keyframes (as the scheduler asks) decodes that GOP, not its neighbours
        # (but for the next keyframe): at most a GOP's frames and one more
        gop = dec.decode(part, window=(s0 + 1.0, s0 + 2.0))
        assert 0 < gop.frames_decoded <= Decoder(mode="all").decode(part).frames_decoded // 2 + 1
