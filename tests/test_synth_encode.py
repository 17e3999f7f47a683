"""Synthetic VOD encoding: Twitch layout, playlists, segments, GOP, audio, determinism, atomic output."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import m3u8
import numpy as np
import pytest

from vodstream.cli import app as cli
from vodstream.testbed import synth
from vodstream.testbed.synth.encode import EncodeStats, encode
from vodstream.testbed.synth.render import Renderer
from vodstream.testbed.synth.timeline import Timeline


def tiny(seed: int = 0, **over: Any) -> synth.Script:
    """12 s at 384x216p30 + 256x144p15: lobby, a short match with a kill, end screen, lobby."""
    d: dict[str, Any] = {
        "vod_id": "77",
        "seed": seed,
        "width": 384,
        "height": 216,
        "fps": 30,
        "variants": ["chunked", "144p15"],
        "x264_preset": "ultrafast",
        "duration": 12.0,
        "matches": [
            {
                "start": 1.0,
                "select_legend": 2.0,
                "end": 9.0,
                "end_screen": 2.0,
                "placement": 3,
                "kills": [5.0],
            }
        ],
    }
    d.update(over)
    return synth.load_script(d)


def decode_segment(path: Path, *, decode_all: bool = True) -> dict[str, Any]:
    """Video frames (pts seconds, keyframe flag), audio samples and PIDs of one segment.

    With ``decode_all=False`` video packets are only demuxed (pts + keyframe flag) and just the
    first GOP is decoded, which is enough to prove the segment decodes on its own.
    """
    with av.open(str(path)) as c:
        vs, as_ = c.streams.video[0], c.streams.audio[0]
        frames: list[tuple[Fraction, bool]] = []
        samples = 0
        size = None
        keys_seen = 0
        for packet in c.demux(vs, as_):
            if packet.size == 0:
                continue
            if packet.stream.type == "video":
                keys_seen += packet.is_keyframe
                if not decode_all and keys_seen > 1:
                    frames.append((packet.pts * vs.time_base, packet.is_keyframe))
                    continue
            for f in packet.decode():
                if isinstance(f, av.VideoFrame):
                    frames.append((f.pts * vs.time_base, f.key_frame))
                    size = (f.width, f.height)
                else:
                    samples += f.samples
        frames.sort()
        return {"frames": frames, "samples": samples, "pids": (vs.id, as_.id), "size": size, "rate": as_.rate}


# ----------------------------------------------------------------------------------------------
# the session VOD (test preset)
# ----------------------------------------------------------------------------------------------


def test_twitch_layout(synth_test_vod: Path) -> None:
    d = synth_test_vod
    assert d.name == "2400000002"
    names = sorted(p.name for p in d.iterdir())
    assert names == ["480p30", "chunked", "master.m3u8", "script.json", "truth.json", "vod.json"]
    for v in ("chunked", "480p30"):
        assert sorted(p.name for p in (d / v).iterdir()) == sorted(
            ["index-dvr.m3u8"] + [f"{k}.ts" for k in range(8)]
        )
    assert not [p for p in d.parent.iterdir() if p.name.startswith(".")]  # no temp dirs left
    # every .ts is a whole number of 188-byte TS packets
    for p in d.glob("*/*.ts"):
        assert p.stat().st_size % 188 == 0


def test_playlists_parse_with_m3u8(synth_test_vod: Path) -> None:
    master = m3u8.load(str(synth_test_vod / "master.m3u8"))
    assert master.is_variant
    got = [
        (p.uri, p.stream_info.resolution, p.stream_info.frame_rate, p.stream_info.video)
        for p in master.playlists
    ]
    assert got == [
        ("chunked/index-dvr.m3u8", (1280, 720), 30.0, "chunked"),
        ("480p30/index-dvr.m3u8", (852, 480), 30.0, "480p30"),
    ]
    for p in master.playlists:
        assert p.stream_info.bandwidth > 100_000
        assert p.stream_info.codecs.startswith("avc1.") and p.stream_info.codecs.endswith(",mp4a.40.2")
    assert [(m.group_id, m.name, m.type) for m in master.media] == [
        ("chunked", "720p", "VIDEO"),
        ("480p30", "480p", "VIDEO"),
    ]
    text = (synth_test_vod / "master.m3u8").read_text()
    assert "#EXT-X-TWITCH-INFO:" in text
    for v in ("chunked", "480p30"):
        path = synth_test_vod / v / "index-dvr.m3u8"
        pl = m3u8.load(str(path))
        assert pl.version == 3 and pl.target_duration == 10 and pl.media_sequence == 0
        assert pl.playlist_type == "event" and pl.is_endlist
        assert [s.uri for s in pl.segments] == [f"{k}.ts" for k in range(8)]
        assert [s.duration for s in pl.segments] == [10.0] * 7 + [6.0]
        text = path.read_text()
        assert "#EXT-X-TWITCH-ELAPSED-SECS:0.000\n" in text and "#EXT-X-TWITCH-TOTAL-SECS:76.000\n" in text
        assert "#ID3-EQUIV-TDTG:2024-05-01T18:00:00\n" in text


def test_segments_decode_with_2s_gop_and_continuous_time(synth_test_vod: Path) -> None:
    for v, size in (("chunked", (1280, 720)), ("480p30", (852, 480))):
        pl = m3u8.load(str(synth_test_vod / v / "index-dvr.m3u8"))
        first_pts: Fraction | None = None
        prev_last: Fraction | None = None
        for k, seg in enumerate(pl.segments):
            info = decode_segment(synth_test_vod / v / seg.uri, decode_all=v == "480p30")
            frames = info["frames"]
            assert info["size"] == size
            assert info["pids"] == (0x100, 0x101)
            assert len(frames) == round(seg.duration * 30), (v, k)
            assert frames[0][1], f"{v} segment {k} does not start with a keyframe"
            if first_pts is None:
                first_pts = frames[0][0]
            # keyframes exactly every 2 s of VOD time, and nowhere else (no scene-cut keyframes)
            keys = [float(pts - first_pts) for pts, key in frames if key]
            assert keys == [10.0 * k + 2.0 * j for j in range(len(keys))]
            assert len(keys) == int(np.ceil(seg.duration / 2.0))
            # one continuous stream: timestamps run on across segment boundaries
            if prev_last is not None:
                assert frames[0][0] - prev_last == Fraction(1, 30)
            assert all(b[0] - a[0] == Fraction(1, 30) for a, b in itertools.pairwise(frames))
            prev_last = frames[-1][0]
            # audio: AAC 48 kHz stereo covering the segment (+- one AAC frame at the cut)
            assert info["rate"] == 48_000
            assert abs(info["samples"] - seg.duration * 48_000) <= 2 * 1024, (v, k, info["samples"])


def test_decoded_frames_look_like_the_rendered_ones(synth_test_vod: Path) -> None:
    """Colour conversion and encoding keep the picture: decoded vs rendered frames, HUD included."""
    script = synth.preset("test")
    tl = Timeline(script)
    renderer = Renderer(1280, 720, seed=script.seed, hud_font=script.hud_font)
    # (time, what, min PSNR): menus are easy; gameplay is busy, fast-moving texture by design
    wanted = [
        (21.0, "matchmaking", 36.0),
        (25.0, "select legend", 36.0),
        (53.0, "end screen", 32.0),
        (5.0, "in match", 20.0),
        (33.0, "in match, red kill", 20.0),
        (49.0, "spectating", 20.0),
    ]
    for t, what, min_psnr in wanted:
        seg = int(t // 10)
        with av.open(str(synth_test_vod / "chunked" / f"{seg}.ts")) as c:
            got = None
            for i, f in enumerate(c.decode(c.streams.video[0])):
                if i == round((t - seg * 10) * 30):
                    got = f.to_ndarray(format="rgb24").astype(np.float64)
                    break
        assert got is not None
        want = renderer.render(tl.state_at(t)).astype(np.float64)
        # the neighbouring frame fits worse when gameplay moves: proves the frame is the right one
        mse = np.mean((got - want) ** 2)
        psnr = 10 * np.log10(255.0**2 / max(mse, 1e-9))
        assert psnr > min_psnr, f"{what}: PSNR {psnr:.1f} dB"
        if min_psnr == 20.0:
            other = renderer.render(tl.state_at(t + 0.5)).astype(np.float64)
            assert np.mean((got - other) ** 2) > mse, f"{what}: decoded frame is not the one for t={t}"
        # no colour-matrix or range mistakes: channel means stay put
        shift = np.abs(got.mean(axis=(0, 1)) - want.mean(axis=(0, 1))).max()
        assert shift < 3.0, f"{what}: colour shifted by {shift:.1f}"


def test_truth_vod_json_and_script(synth_test_vod: Path) -> None:
    truth = json.loads((synth_test_vod / "truth.json").read_text())
    assert truth == json.loads(json.dumps(synth.truth(synth.preset("test"))))
    assert [(m["start"], m["end"], m["kills"], m["placement"]) for m in truth["matches"]] == [
        (0.0, 14.0, 2, 4),
        (23.0, 52.0, 3, 6),
        (60.0, 76.0, 1, None),
    ]
    meta = json.loads((synth_test_vod / "vod.json").read_text())
    assert set(meta) == {
        "vod_id",
        "title",
        "owner",
        "created_at",
        "duration",
        "chapters",
        "variants",
        "sub_only",
    }
    assert meta["vod_id"] == "2400000002" and meta["duration"] == 76.0
    assert [(v["name"], v["group_id"], v["width"], v["height"], v["fps"]) for v in meta["variants"]] == [
        ("720p", "chunked", 1280, 720, 30),
        ("480p", "480p30", 852, 480, 30),
    ]
    assert all(v["bandwidth"] > 0 and v["codecs"].startswith("avc1.") for v in meta["variants"])
    assert meta["chapters"] == [{"start": 0.0, "end": 76.0, "game_id": "511224", "game_name": "Apex Legends"}]
    assert synth.load_script(synth_test_vod / "script.json") == synth.preset("test")


# ----------------------------------------------------------------------------------------------
# tiny scripts
# ----------------------------------------------------------------------------------------------


def test_deterministic_for_a_seed_and_frames_reused(tmp_path: Path) -> None:
    a, stats = encode(tiny(seed=5), tmp_path / "a")
    b, _ = encode(tiny(seed=5), tmp_path / "b")
    c, _ = encode(tiny(seed=6), tmp_path / "c")
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert Path("144p15/1.ts") in files and Path("chunked/0.ts") in files
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), f"{rel} differs between two runs"
    assert (a / "chunked/0.ts").read_bytes() != (c / "chunked/0.ts").read_bytes()
    assert isinstance(stats, EncodeStats)
    assert stats.frames == 360 and stats.video_seconds == 12.0
    assert stats.rendered < stats.frames  # lobby/menu frames are drawn once and reused
    assert stats.segments == {"chunked": 2, "144p15": 2}
    # the 15 fps variant: 2 s GOP = 30 frames, 10 s + 2 s
    pl = m3u8.load(str(a / "144p15" / "index-dvr.m3u8"))
    assert [s.duration for s in pl.segments] == [10.0, 2.0]
    info = decode_segment(a / "144p15" / "0.ts")
    assert info["size"] == (256, 144) and len(info["frames"]) == 150
    assert [i for i, (_p, key) in enumerate(info["frames"]) if key] == [0, 30, 60, 90, 120]


@pytest.mark.parametrize("fmt", ["ts", "mp4"])
def test_single_file_formats(tmp_path: Path, fmt: str) -> None:
    d = synth.synthesize(tiny(), tmp_path, fmt=fmt)
    assert sorted(p.name for p in d.iterdir()) == sorted(
        [f"77.{fmt}", "script.json", "truth.json", "vod.json"]
    )
    with av.open(str(d / f"77.{fmt}")) as c:
        vs = c.streams.video[0]
        assert c.streams.audio, "no audio track"
        frames = [(f.pts * vs.time_base, f.key_frame) for f in c.decode(vs)]
    assert len(frames) == 360
    t0 = frames[0][0]
    assert [float(p - t0) for p, k in frames if k] == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]


def test_failed_render_leaves_no_partial_output(tmp_path: Path) -> None:
    script = tiny()
    good = synth.synthesize(script, tmp_path)
    before = {p.relative_to(good): p.read_bytes() for p in good.rglob("*") if p.is_file()}

    class Failing:
        """The real renderer, failing part way through (a crash mid-encode)."""

        def __init__(self) -> None:
            self.inner = Renderer(script.width, script.height, seed=script.seed)
            self.n = 0

        def render(self, state: synth.FrameState) -> np.ndarray:
            self.n += 1
            if self.n > 100:
                raise RuntimeError("renderer crashed")
            return self.inner.render(state)

    with pytest.raises(RuntimeError, match="renderer crashed"):
        synth.synthesize(script.replace(seed=9), tmp_path, renderer=Failing())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["77"]  # no temp dirs left behind
    after = {p.relative_to(good): p.read_bytes() for p in good.rglob("*") if p.is_file()}
    assert after == before  # the previous complete VOD is untouched


def test_cli_synth_prints_dir_and_truth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "s.json"
    p.write_text(json.dumps(tiny().to_dict()))
    assert (
        cli.main(
            [
                "-q",
                "synth",
                "--script",
                str(p),
                "--out",
                str(tmp_path / "out"),
                "--seed",
                "2",
                "--vod-id",
                "88",
                "--format",
                "ts",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0] == str(tmp_path / "out" / "88")
    assert "1 matches" in out[1]
    assert out[3].split()[:5] == ["0", "1.0", "9.0", "1", "3"]
    assert (tmp_path / "out" / "88" / "88.ts").is_file()
    truth = json.loads((tmp_path / "out" / "88" / "truth.json").read_text())
    assert truth["vod_id"] == "88" and truth["seed"] == 2


def test_every_screen_kind_encodes(tmp_path: Path) -> None:
    """2019 + modern matches, arenas, another game, black, abandoned: all render, encode and decode."""
    script = synth.load_script(
        {
            "vod_id": "78",
            "width": 256,
            "height": 144,
            "fps": 15,
            "variants": ["chunked"],
            "x264_preset": "ultrafast",
            "era": "2019",
            "duration": 40.0,
            "matches": [
                {
                    "start": -5.0,
                    "select_legend": 3.0,
                    "end": 6.0,
                    "end_screen": 2.0,
                    "placement": 2,
                    "of": 20,
                    "kills": [1.0],
                    "death": 4.0,
                    "spectate": {"start": 4.5, "end": 6.0, "kills": 3},
                },
                {
                    "start": 9.0,
                    "select_legend": 0.0,
                    "end": 13.0,
                    "end_kind": "abandoned",
                    "era": "modern",
                    "inventory": [[10.0, 11.0]],
                },
                {
                    "start": 33.0,
                    "select_legend": 2.0,
                    "end": 37.0,
                    "end_screen": 2.0,
                    "placement": 1,
                    "era": "modern",
                    "kills": [35.5],
                    "end_kind": "champions",
                    "hud_mode": "ranked",
                    "assists": [35.0],
                },
            ],
            "spans": [
                {"type": "arenas", "start": 14.0, "end": 22.0, "select_legend": 2.0, "rounds": 2},
                {
                    "type": "other_game",
                    "start": 23.0,
                    "end": 28.0,
                    "game_name": "VALORANT",
                    "game_id": "516575",
                },
                {"type": "black", "start": 28.0, "end": 30.0},
            ],
        }
    )
    screens = {Timeline(script).state_at(i / 15).screen for i in range(script.frame_count)}
    assert screens == {
        "in_match",
        "end",
        "lobby_ready",
        "lobby_matchmaking",
        "select_legend",
        "arenas",
        "other_game",
        "black",
    }
    d = synth.synthesize(script, tmp_path)
    pl = m3u8.load(str(d / "chunked" / "index-dvr.m3u8"))
    assert [s.duration for s in pl.segments] == [10.0] * 4
    assert sum(len(decode_segment(d / "chunked" / s.uri)["frames"]) for s in pl.segments) == 600
    meta = json.loads((d / "vod.json").read_text())
    assert [c["game_id"] for c in meta["chapters"]] == ["511224", "516575", "511224"]
    truth = json.loads((d / "truth.json").read_text())
    assert [(m["start"], m["end"], m["kills"], m["placement"], m["edges"]) for m in truth["matches"]] == [
        (0.0, 6.0, 1, 2, ["starts_mid_match"]),
        (9.0, 13.0, 0, None, ["no_select_legend", "abandoned"]),
        (33.0, 37.0, 1, 1, []),
    ]
