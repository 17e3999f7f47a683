"""The Twitch client against the real local server (aiohttp on 127.0.0.1) and real GQL fixtures."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

import aiohttp
import pytest

from tests.media import encode_file
from tests.twitch_helpers import APEX, make_vod
from vodstream.errors import TwitchError, VodstreamError
from vodstream.sources.fetch import SegmentFetcher
from vodstream.sources.twitch import (
    Chapter,
    TwitchClient,
    TwitchConfig,
    _chapters,
    _video_info,
    apex_segments,
    parse_vod_input,
    resolve_vod,
    segments_in_range,
)
from vodstream.testbed.server import ServerThread
from vodstream.types import Segment, SegmentData

CHAPTERS = [
    {"start": 0.0, "end": 2.0, "game_id": "509658", "game_name": "Just Chatting"},
    {"start": 2.0, "end": 6.0, "game_id": APEX, "game_name": "Apex Legends"},
]
TOKEN = "abcdefghijklmnopqrstuvwxyz0123"  # shaped like a Twitch auth-token cookie


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("vods")
    make_vod(root, "1000001", chapters=CHAPTERS)
    make_vod(root, "1000002", sub_only=True, n=2)
    make_vod(root, "1000003", kind="fmp4", n=3, chapters=[])
    return root


@pytest.fixture(scope="module")
def server(root: Path):
    with ServerThread(root) as srv:
        yield srv


def resolve(server: ServerThread, vod: str, **kw):
    cfg_kw = {k: kw.pop(k) for k in list(kw) if k in TwitchConfig.__dataclass_fields__}
    cfg = TwitchConfig.from_env(server.base_url, env={}, **cfg_kw)
    return asyncio.run(resolve_vod(vod, config=cfg, **kw))


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("2404782496", "twitch", "2404782496"),
        ("v2404782496", "twitch", "2404782496"),
        ("https://www.twitch.tv/videos/2404782496", "twitch", "2404782496"),
        ("twitch.tv/videos/2404782496?t=1h2m3s", "twitch", "2404782496"),
        ("https://m.twitch.tv/videos/42", "twitch", "42"),
        ("https://www.twitch.tv/somechannel/v/42", "twitch", "42"),
        (
            "https://cdn.example/x/chunked/index-dvr.m3u8",
            "hls",
            "https://cdn.example/x/chunked/index-dvr.m3u8",
        ),
        ("http://127.0.0.1:1/vod/v2/1.m3u8?sig=a", "hls", "http://127.0.0.1:1/vod/v2/1.m3u8?sig=a"),
    ],
)
def test_parse_vod_input(text: str, kind: str, value: str) -> None:
    ref = parse_vod_input(text)
    assert (ref.kind, ref.value) == (kind, value)


@pytest.mark.parametrize("text", ["", "hello", "https://www.youtube.com/watch?v=x", "/no/such/file.mp4"])
def test_parse_vod_input_rejects(text: str) -> None:
    with pytest.raises(VodstreamError, match="cannot use VOD"):
        parse_vod_input(text)


def test_config_from_env_and_secret_token() -> None:
    cfg = TwitchConfig.from_env(
        env={
            "VODSTREAM_TWITCH_BASE": "http://127.0.0.1:9/",
            "VODSTREAM_TWITCH_CLIENT_ID": "cid",
            "VODSTREAM_TWITCH_USHER_PATH": "v2",
            "VODSTREAM_AUTH_TOKEN": "OAuth sekrit",
        }
    )
    assert (cfg.gql_url, cfg.usher_url, cfg.client_id) == (
        "http://127.0.0.1:9/gql",
        "http://127.0.0.1:9",
        "cid",
    )
    assert cfg.usher_path == "/vod/v2/{id}.m3u8" and cfg.auth_token == "sekrit"
    assert "sekrit" not in repr(cfg)
    assert TwitchConfig.from_env(env={}).gql_url == "https://gql.twitch.tv/gql"
    assert (
        TwitchConfig.from_env("http://h:1", env={"VODSTREAM_TWITCH_BASE": "http://other"}).usher_url
        == "http://h:1"
    )


def test_resolve_by_id_and_url(server: ServerThread) -> None:
    vod = resolve(server, "1000001")
    assert (vod.vod_id, vod.title, vod.owner, vod.kind, vod.quality) == (
        "1000001",
        "test VOD 1000001",
        "teststreamer",
        "twitch",
        "chunked",
    )
    assert len(vod.segments) == 6 and vod.duration == pytest.approx(6.0) and vod.ended
    assert [v.name for v in vod.variants] == ["chunked", "64p10"]
    s = vod.segments[3]
    assert (s.index, s.start, s.duration, s.muted) == (3, 3.0, 1.0, False)
    assert s.url.startswith(server.base_url + "/") and s.url.endswith(
        "_teststreamer_1000001_1767323045/chunked/3.ts"
    )
    assert vod.chapters == [
        Chapter(start=0.0, end=2.0, game_id="509658", game_name="Just Chatting"),
        Chapter(start=2.0, end=6.0, game_id=APEX, game_name="Apex Legends"),
    ]
    assert [s.index for s in apex_segments(vod.segments, vod.chapters)] == [2, 3, 4, 5]
    low = resolve(server, "https://www.twitch.tv/videos/1000001", quality="worst")
    assert low.quality == "64p10" and low.segments[0].url.endswith("/64p10/0.ts")


def test_usher_v2_and_nauth_params(server: ServerThread) -> None:
    vod = resolve(server, "1000001", usher_path="/vod/v2/{id}.m3u8", auth_params="nauth", quality="source")
    # v2 names the source by STABLE-VARIANT-ID (its real quality), not "chunked"
    assert vod.quality == "96p10" and [v.name for v in vod.variants] == ["96p10", "64p10"]
    assert [v.source for v in vod.variants] == [True, False] and "/chunked/" in vod.source_url
    assert len(vod.segments) == 6


def test_single_game_vod_has_one_chapter_from_metadata(server: ServerThread) -> None:
    vod = resolve(server, "1000002", auth_token=TOKEN)
    assert vod.chapters == [Chapter(start=0.0, end=2.0, game_id=APEX, game_name="Apex Legends")]


def test_fmp4_vod_has_init_segment(server: ServerThread) -> None:
    vod = resolve(server, "1000003")
    assert vod.init_url and vod.init_url.endswith("/chunked/init-0.mp4")
    assert all(s.init_url == vod.init_url for s in vod.segments)
    assert vod.chapters == []


def test_rotated_persisted_hashes_fall_back_to_raw_queries(server: ServerThread) -> None:
    bogus = "0" * 64
    vod = resolve(server, "1000001", token_hash=bogus, metadata_hash=bogus, chapters_hash=bogus)
    assert vod.title == "test VOD 1000001" and len(vod.chapters) == 2 and len(vod.segments) == 6


def test_failed_integrity_check_switches_client_id(server: ServerThread) -> None:
    server.server.faults.integrity = True
    try:
        assert resolve(server, "1000001").vod_id == "1000001"
        with pytest.raises(TwitchError, match="integrity"):
            resolve(server, "1000001", fallback_client_id=None)
    finally:
        server.server.faults.integrity = False


def test_unknown_vod(server: ServerThread) -> None:
    with pytest.raises(TwitchError, match="VOD 999 not found"):
        resolve(server, "999")


def test_bad_oauth_token(server: ServerThread) -> None:
    with pytest.raises(TwitchError, match=r"rejected the OAuth token.*401"):
        resolve(server, "1000001", auth_token="not a token")


def test_sub_only(server: ServerThread) -> None:
    with pytest.raises(TwitchError, match=r"VOD 1000002 is for subscribers only.*--auth-token"):
        resolve(server, "1000002")
    assert len(resolve(server, "1000002", auth_token=TOKEN).segments) == 2


def test_usher_errors(server: ServerThread) -> None:
    async def go() -> None:
        async with aiohttp.ClientSession() as s:
            client = TwitchClient(s, TwitchConfig.from_env(server.base_url, env={}))
            with pytest.raises(TwitchError, match=r"no playlist on usher.*transcode_does_not_exist"):
                await client.master_playlist("424242", {"value": "{}", "signature": "0" * 40})
            with pytest.raises(TwitchError, match=r"usher refused VOD 1000001 \(HTTP 403: unauthorized"):
                await client.master_playlist("1000001", {"value": "{}", "signature": "0" * 40})

    asyncio.run(go())


def test_unreachable_server() -> None:
    cfg = TwitchConfig.from_env("http://127.0.0.1:9", env={})
    cfg = TwitchConfig(**{**cfg.__dict__, "policy": type(cfg.policy)(attempts=1)})
    with pytest.raises(TwitchError, match=re.escape("cannot reach Twitch GQL at http://127.0.0.1:9/gql")):
        asyncio.run(resolve_vod("1", config=cfg))


def test_plain_hls_media_url(server: ServerThread) -> None:
    vod = resolve(server, "1000001")
    plain = resolve(server, vod.source_url)
    assert plain.kind == "hls" and [s.url for s in plain.segments] == [s.url for s in vod.segments]


def test_local_master_with_vod_json(root: Path) -> None:
    vod = asyncio.run(resolve_vod(str(root / "1000001" / "master.m3u8"), quality="64p10"))
    assert (vod.vod_id, vod.title, vod.owner, vod.kind, vod.quality) == (
        "1000001",
        "test VOD 1000001",
        "teststreamer",
        "hls",
        "64p10",
    )
    assert vod.segments[0].url == (root / "1000001" / "64p10" / "0.ts").as_uri()
    assert len(vod.chapters) == 2

    async def fetch() -> list[SegmentData]:
        async with SegmentFetcher() as f:
            return [x async for x in f.stream(vod.segments)]  # type: ignore[misc]

    got = asyncio.run(fetch())
    assert [g.data for g in got] == [(root / "1000001" / "64p10" / f"{i}.ts").read_bytes() for i in range(6)]


def test_local_video_file(root: Path, tmp_path: Path) -> None:
    path = encode_file(tmp_path / "whole.mp4", width=160, height=96, fps=10, seconds=4.0, gop_seconds=1.0)
    vod = asyncio.run(resolve_vod(str(path)))
    assert vod.kind == "file" and vod.local is not None and vod.duration == pytest.approx(4.0, abs=0.2)
    assert vod.vod_id.startswith("whole-") and vod.title == "whole.mp4"

    async def fetch() -> list[SegmentData]:
        async with SegmentFetcher(local=vod.local) as f:
            return [x async for x in f.stream(vod.segments)]  # type: ignore[misc]

    got = asyncio.run(fetch())
    assert len(got) == len(vod.segments) and all(isinstance(g, SegmentData) and g.data for g in got)


def test_gql_fixtures(twitch_fixtures: Path) -> None:
    meta = json.loads((twitch_fixtures / "gql_VideoMetadata_1-archive.json").read_text())
    info = _video_info("2404782496", meta)
    assert info is not None
    assert (info.title, info.owner, info.length, info.game_id, info.game_name) == (
        "Creator Camp LIVE: Streaming Basics with @Snackless & @KawaiiGuy",
        "twitch",
        4621.0,
        "509658",
        "Just Chatting",
    )
    assert (
        _video_info("1", json.loads((twitch_fixtures / "gql_VideoMetadata_5-not-exists.json").read_text()))
        is None
    )
    chapters = _chapters(
        json.loads((twitch_fixtures / "gql_chapters_moments_sample_smarttwitchtv.json").read_text()),
        None,
        None,
    )
    assert [(c.start, c.end, c.game_id, c.game_name) for c in chapters] == [
        (0.0, 67.0, "496735", "Barotrauma"),
        (67.0, 5489.0, "509658", "Just Chatting"),
        (5489.0, 9147.0, None, "Bad Guys at School"),
        (9147.0, 14652.0, "516086", "Grounded"),
    ]
    # a single-game VOD: no moments, one chapter from the video's game
    one = _chapters({"data": {"video": {"moments": {"edges": []}}}}, info, 4621.0)
    assert one == [Chapter(start=0.0, end=4621.0, game_id="509658", game_name="Just Chatting")]
    tok = json.loads((twitch_fixtures / "gql_PlaybackAccessToken_1-vod.json").read_text())
    assert json.loads(tok["data"]["videoPlaybackAccessToken"]["value"])["vod_id"] == 2404782496


def test_segment_filters() -> None:
    segs = [Segment(index=i, start=10.0 * i, duration=10.0, url=f"{i}.ts") for i in range(10)]
    assert [s.index for s in segments_in_range(segs, 15, 35)] == [1, 2, 3]
    assert [s.index for s in segments_in_range(segs, None, 10)] == [0]
    chapters = [
        Chapter(start=0, end=25, game_id="1", game_name="x"),
        Chapter(start=25, end=100, game_id=APEX, game_name="Apex Legends"),
    ]
    assert [s.index for s in apex_segments(segs, chapters)][:2] == [2, 3]
    assert apex_segments(segs, []) == segs  # unknown: keep all
    assert apex_segments(segs, chapters[:1]) == []  # known, no Apex


def test_vod_dir_without_vod_json(tmp_path: Path) -> None:
    # a VOD directory without vod.json still serves (ids from directory names)
    d = make_vod(tmp_path, "777", n=2)
    (d / "vod.json").unlink()
    with ServerThread(tmp_path) as srv:
        vod = resolve(srv, "777")
    assert vod.title == "777" and len(vod.segments) == 2
    shutil.rmtree(d)


def test_local_files_with_the_same_name_are_two_vods(tmp_path: Path) -> None:
    """`run A/game.mp4 B/game.mp4` used to analyse only A (both had the id "game")."""
    from vodstream.sources.plan import resolve_plans
    from vodstream.sources.twitch import TwitchConfig

    paths = []
    for d in ("A", "B"):
        (tmp_path / d).mkdir()
        paths.append(
            encode_file(tmp_path / d / "game.mp4", width=160, height=96, fps=10, seconds=2.0, gop_seconds=1.0)
        )
    a, b = (asyncio.run(resolve_vod(str(p))) for p in paths)
    assert a.vod_id != b.vod_id and a.vod_id.startswith("game-") and b.vod_id.startswith("game-")
    assert a.title == b.title == "game.mp4"
    assert asyncio.run(resolve_vod(str(tmp_path / "A" / ".." / "A" / "game.mp4"))).vod_id == a.vod_id
    plans, failures = asyncio.run(
        resolve_plans(
            [str(p) for p in paths],
            clip_quality="chunked",
            analyze_quality=None,
            config=TwitchConfig.from_env(),
        )
    )
    assert [p.key for p in plans] == [a.vod_id, b.vod_id] and failures == []


def test_an_unusable_input_is_logged_only_beside_others(tmp_path: Path) -> None:
    """Among several inputs, one that cannot be used is logged and the others go on; alone, it is
    the raised error only (the CLI's one line), not a log line besides."""
    from structlog.testing import capture_logs

    from vodstream.sources.plan import resolve_plans
    from vodstream.sources.twitch import TwitchConfig

    good = encode_file(tmp_path / "game.mp4", width=160, height=96, fps=10, seconds=2.0, gop_seconds=1.0)

    def plans_of(inputs: list[str]) -> tuple[list, list[str]]:
        return asyncio.run(
            resolve_plans(
                inputs, clip_quality="chunked", analyze_quality=None, config=TwitchConfig.from_env()
            )
        )

    with capture_logs() as logs:
        plans, failures = plans_of([str(good), "not a vod"])
    assert len(plans) == 1 and len(failures) == 1 and "cannot use VOD 'not a vod'" in failures[0]
    assert [(e["event"], e["input"]) for e in logs if e["log_level"] == "error"] == [
        ("cannot process VOD", "not a vod")
    ]
    with capture_logs() as logs, pytest.raises(VodstreamError, match="cannot use VOD 'not a vod'"):
        plans_of(["not a vod"])
    assert not [e for e in logs if e["log_level"] == "error"]
    with capture_logs() as logs, pytest.raises(VodstreamError, match="none of the 2 VODs"):
        plans_of(["not a vod", "nor this"])
    assert len([e for e in logs if e["log_level"] == "error"]) == 2
