"""The local Twitch-compatible server: its answers have the shapes of the real fixtures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.twitch_helpers import make_vod
from vodstream.sources.hls import parse_attributes, parse_master, parse_media
from vodstream.sources.twitch import CHAPTERS_HASH, CLIENT_ID, METADATA_HASH, TOKEN_HASH
from vodstream.testbed.faults import Fault, FaultSpec, FaultSpecError
from vodstream.testbed.server import ACCESS_DENIED, ServerThread

CHAPTERS = [
    {"start": 0.0, "end": 1.0, "game_id": "509658", "game_name": "Just Chatting"},
    {"start": 1.0, "end": 3.0, "game_id": "511224", "game_name": "Apex Legends"},
]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("served")
    make_vod(root, "2000001", n=3, chapters=CHAPTERS)
    make_vod(root, "2000002", n=2, sub_only=True)
    return root


@pytest.fixture(scope="module")
def server(root: Path):
    with ServerThread(root, faults="muted=2000001:1-1,unmuted403") as srv:
        yield srv


def http(
    url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def gql(server: ServerThread, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    status, _, raw = http(server.base_url + "/gql", body, {"Client-ID": CLIENT_ID, **(headers or {})})
    return status, json.loads(raw)


def persisted(name: str, sha: str, **variables: Any) -> dict[str, Any]:
    return {
        "operationName": name,
        "variables": variables,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}},
    }


def token_for(server: ServerThread, vod_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    _, ans = gql(
        server,
        persisted(
            "PlaybackAccessToken",
            TOKEN_HASH,
            isLive=False,
            login="",
            isVod=True,
            vodID=vod_id,
            playerType="embed",
            platform="site",
        ),
        headers,
    )
    return ans["data"]["videoPlaybackAccessToken"]


def usher(
    server: ServerThread, vod_id: str, tok: dict[str, Any] | None, v2: bool = False
) -> tuple[int, bytes]:
    q = "" if tok is None else "?" + urllib.parse.urlencode({"sig": tok["signature"], "token": tok["value"]})
    status, _, body = http(f"{server.base_url}/vod/{'v2/' if v2 else ''}{vod_id}.m3u8{q}")
    return status, body


def keys(d: dict[str, Any]) -> set[str]:
    return set(d)


def test_gql_token_has_the_fixture_shape(server: ServerThread, twitch_fixtures: Path) -> None:
    real = json.loads((twitch_fixtures / "gql_PlaybackAccessToken_1-vod.json").read_text())
    status, ans = gql(
        server,
        persisted(
            "PlaybackAccessToken",
            TOKEN_HASH,
            isLive=False,
            login="",
            isVod=True,
            vodID="2000001",
            playerType="embed",
            platform="site",
        ),
    )
    assert status == 200 and keys(ans) == keys(real) and keys(ans["extensions"]) == keys(real["extensions"])
    tok, real_tok = ans["data"]["videoPlaybackAccessToken"], real["data"]["videoPlaybackAccessToken"]
    assert keys(tok) == keys(real_tok) and re.fullmatch(r"[0-9a-f]{40}", tok["signature"])
    assert keys(json.loads(tok["value"])) == keys(json.loads(real_tok["value"]))
    assert json.loads(tok["value"])["vod_id"] == 2000001
    missing = json.loads((twitch_fixtures / "gql_PlaybackAccessToken_2-vod-not-exists.json").read_text())
    _, ans = gql(
        server, persisted("PlaybackAccessToken", TOKEN_HASH, vodID="5", isVod=True, isLive=False, login="")
    )
    assert ans["data"] == missing["data"]


def test_gql_metadata_and_chapters_shapes(server: ServerThread, twitch_fixtures: Path) -> None:
    real = json.loads((twitch_fixtures / "gql_VideoMetadata_1-archive.json").read_text())["data"]["video"]
    _, ans = gql(
        server,
        [
            persisted("VideoMetadata", METADATA_HASH, channelLogin="", videoID="2000001"),
            persisted(
                "VideoPlayer_ChapterSelectButtonVideo", CHAPTERS_HASH, includePrivate=False, videoID="2000001"
            ),
            persisted("VideoMetadata", METADATA_HASH, channelLogin="", videoID="404"),
        ],
    )
    assert isinstance(ans, list) and len(ans) == 3  # batched in, batched out, same order
    video = ans[0]["data"]["video"]
    assert keys(real) <= keys(video)
    assert keys(real["owner"]) == keys(video["owner"]) and keys(real["game"]) == keys(video["game"])
    assert (video["title"], video["lengthSeconds"], video["owner"]["login"]) == (
        "test VOD 2000001",
        3,
        "teststreamer",
    )
    sample = json.loads((twitch_fixtures / "gql_chapters_moments_sample_smarttwitchtv.json").read_text())
    real_node = sample["data"]["video"]["moments"]["edges"][0]["node"]
    nodes = [e["node"] for e in ans[1]["data"]["video"]["moments"]["edges"]]
    assert all(keys(real_node) <= keys(n) for n in nodes)
    assert [
        (n["positionMilliseconds"], n["durationMilliseconds"], n["details"]["game"]["id"]) for n in nodes
    ] == [(0, 1000, "509658"), (1000, 2000, "511224")]
    not_exists = json.loads((twitch_fixtures / "gql_VideoMetadata_5-not-exists.json").read_text())
    assert ans[2]["data"] == not_exists["data"]


def test_gql_errors(server: ServerThread) -> None:
    status, ans = gql(server, persisted("PlaybackAccessToken", "f" * 64, vodID="2000001"))
    assert status == 200 and ans["errors"] == [{"message": "PersistedQueryNotFound"}]
    assert ans["extensions"]["operationName"] == "PlaybackAccessToken"
    status, ans = gql(
        server, persisted("PlaybackAccessToken", TOKEN_HASH, vodID="2000001"), {"Authorization": "OAuth nope"}
    )
    assert status == 401 and ans == {
        "error": "Unauthorized",
        "status": 401,
        "message": 'The "Authorization" token is invalid.',
    }
    status, _, raw = http(server.base_url + "/gql", {"query": "{}"})
    assert status == 400 and b"Client-ID" in raw
    status, ans = gql(server, [{"query": "{}"}] * 36)
    assert status == 400


def test_gql_raw_queries(server: ServerThread) -> None:
    _, ans = gql(
        server,
        {
            "query": '{ videoPlaybackAccessToken(id: "2000001", params: {platform: "web", '
            'playerBackend: "mediaplayer", playerType: "site"}) { value signature } }'
        },
    )
    assert json.loads(ans["data"]["videoPlaybackAccessToken"]["value"])["vod_id"] == 2000001
    _, ans = gql(server, {"query": '{ video(id: "2000001") { title lengthSeconds } }'})
    assert ans["data"]["video"]["title"] == "test VOD 2000001"


def test_usher_master_v1_and_v2_follow_the_fixtures(server: ServerThread, twitch_fixtures: Path) -> None:
    tok = token_for(server, "2000001")
    status, body = usher(server, "2000001", tok)
    assert status == 200
    text = body.decode()
    real = (twitch_fixtures / "usher_v1_master_vod_h264_1440p30.m3u8").read_text()
    info = next(ln for ln in text.splitlines() if ln.startswith("#EXT-X-TWITCH-INFO"))
    real_info = next(ln for ln in real.splitlines() if ln.startswith("#EXT-X-TWITCH-INFO"))
    assert keys(parse_attributes(info)) == keys(parse_attributes(real_info))
    tags = [ln.split(":")[0] for ln in text.splitlines() if ln.startswith("#")]
    assert tags == ["#EXTM3U", "#EXT-X-TWITCH-INFO"] + ["#EXT-X-MEDIA", "#EXT-X-STREAM-INF"] * 2
    master = parse_master(text)
    assert [v.name for v in master.variants] == ["chunked", "64p10"] and master.variants[0].source
    # muted VOD: every variant points at index-muted-XXXXXXXXXX.m3u8, like the real muted master
    assert all(
        re.search(r"/\w{20}_teststreamer_2000001_\d+/[\w]+/index-muted-[0-9A-Z]{10}\.m3u8$", v.url)
        for v in master.variants
    )
    status, body = usher(server, "2000001", tok, v2=True)
    v2_real = (twitch_fixtures / "usher_v2_master_vod.m3u8").read_text()
    inf = [parse_attributes(ln) for ln in body.decode().splitlines() if ln.startswith("#EXT-X-STREAM-INF")]
    real_inf = [parse_attributes(ln) for ln in v2_real.splitlines() if ln.startswith("#EXT-X-STREAM-INF")]
    assert keys(inf[0]) == keys(real_inf[0]) and "#EXT-X-MEDIA" not in body.decode()
    assert parse_master(body.decode()).usher_version == 2


def test_usher_errors_follow_the_fixtures(server: ServerThread, twitch_fixtures: Path) -> None:
    real = json.loads((twitch_fixtures / "usher_error_bodies_streamlink_tests.json").read_text())[
        "404_offline_live"
    ][0]
    status, body = usher(server, "31337", {"signature": "0" * 40, "value": "{}"})
    err = json.loads(body)[0]
    assert status == 404 and keys(err) == keys(real)
    assert (err["error"], err["error_code"], err["type"]) == (real["error"], real["error_code"], real["type"])
    status, body = usher(server, "2000001", None)
    assert status == 403 and json.loads(body)[0]["error_code"] == "unauthorized"
    other = token_for(server, "2000002", {"Authorization": "OAuth " + "a" * 30})
    status, body = usher(server, "2000001", other)  # a valid token for another VOD
    assert status == 403
    status, body = usher(server, "2000002", token_for(server, "2000002"))  # sub-only, no OAuth
    assert status == 403 and json.loads(body)[0]["error_code"] == "vod_manifest_restricted"
    assert json.loads(token_for(server, "2000002")["value"])["authorization"] == {
        "forbidden": True,
        "reason": "UNAUTHORIZED_ENTITLMENTS",
    }
    assert usher(server, "2000002", other)[0] == 200


def test_media_playlists_segments_and_muting(server: ServerThread, root: Path, twitch_fixtures: Path) -> None:
    master = parse_master(usher(server, "2000001", token_for(server, "2000001"))[1].decode())
    url = master.variants[0].url
    status, _, body = http(url)
    text = body.decode()
    real = (twitch_fixtures / "media_vod_ts_index-dvr.m3u8").read_text()
    tagset = {ln.split(":")[0] for ln in text.splitlines() if ln.startswith("#") and ln != "#EXTINF"}
    real_tags = {ln.split(":")[0] for ln in real.splitlines() if ln.startswith("#")}
    assert status == 200 and tagset == real_tags
    media = parse_media(text, url)
    assert [s.url.rsplit("/", 1)[1] for s in media.segments] == ["0.ts", "1-muted.ts", "2.ts"]
    assert media.total_seconds == pytest.approx(3.0) and media.ended
    dvr = parse_media(http(url.rsplit("/", 1)[0] + "/index-dvr.m3u8")[2].decode(), url)
    assert [s.url.rsplit("/", 1)[1] for s in dvr.segments] == ["0.ts", "1-unmuted.ts", "2.ts"]
    base = url.rsplit("/", 1)[0]
    status, headers, body = http(base + "/0.ts")
    assert status == 200 and body == (root / "2000001" / "chunked" / "0.ts").read_bytes()
    assert int(headers["Content-Length"]) == len(body) and headers["Content-Type"].lower() == "video/mp2t"
    assert http(base + "/1-muted.ts")[2] == (root / "2000001" / "chunked" / "1.ts").read_bytes()
    assert http(base + "/1-unmuted.ts")[:3:2] == (403, ACCESS_DENIED)  # unmuted403
    assert http(base + "/0-muted.ts")[0] == 403  # not a muted slot
    assert http(base + "/3.ts")[0] == 403  # past the end
    assert http(server.base_url + "/nope_vod/chunked/0.ts")[:3:2] == (403, ACCESS_DENIED)


def test_repeat_serves_a_longer_vod_with_the_same_bytes(root: Path) -> None:
    with ServerThread(root, repeat=4) as srv:
        tok = token_for(srv, "2000001")
        master = parse_master(usher(srv, "2000001", tok)[1].decode())
        text = http(master.variants[0].url)[2].decode()
        media = parse_media(text, master.variants[0].url)
        assert len(media.segments) == 12 and media.duration == pytest.approx(12.0)
        assert [s.index for s in media.segments if s.discontinuity] == [3, 6, 9]
        assert http(media.segments[10].url)[2] == (root / "2000001" / "chunked" / "1.ts").read_bytes()
        _, ans = gql(srv, persisted("VideoPlayer_ChapterSelectButtonVideo", CHAPTERS_HASH, videoID="2000001"))
        assert (
            len(ans["data"]["video"]["moments"]["edges"]) == 8 and ans["data"]["video"]["lengthSeconds"] == 12
        )


def test_fault_spec_parsing() -> None:
    spec = FaultSpec.parse(
        "500:0.1, 429:0.05,reset:0.05,truncate:0.05,latency:20-80ms,trickle:0.02,"
        "unmuted403,subonly=7+8,deny=3,muted=7:2-4,maxrun:2,seed:1,scope:all,stalltime:2s"
    )
    assert spec.rates == [
        (Fault("status", 500), 0.1),
        (Fault("status", 429), 0.05),
        (Fault("reset"), 0.05),
        (Fault("truncate"), 0.05),
        (Fault("trickle"), 0.02),
    ]
    assert spec.latency == (0.02, 0.08) and spec.unmuted403 and spec.subonly == {"7", "8"}
    assert spec.deny == {3} and spec.muted == {"7": {2, 3, 4}} and spec.maxrun == 2 and spec.scope_all
    assert spec.stalltime == 2.0 and FaultSpec.parse("latency:50ms").latency == (0.05, 0.05)
    for bad in ["500", "600:0.1", "reset:2", "bogus:0.1", "500:0.7,503:0.7", "muted=x", "scope:some"]:
        with pytest.raises(FaultSpecError, match="--faults"):
            FaultSpec.parse(bad)


def test_fault_maxrun_bounds_consecutive_failures() -> None:
    spec = FaultSpec.parse("503:1.0,maxrun:2,seed:3")
    got = [spec.decide("/a.ts", segment=True) for _ in range(6)]
    assert got == [Fault("status", 503), Fault("status", 503), None] * 2
    assert spec.decide("/gql", segment=False) is None  # scope: segments only


def test_serve_cli(root: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "vodstream", "serve", "--root", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip() if proc.stdout else ""
        m = re.fullmatch(r"serving (http://127\.0\.0\.1:(\d+))", line)
        assert m, line
        status, _, raw = http(
            m.group(1) + "/gql", {"query": '{ video(id: "2000001") { title } }'}, {"Client-ID": "x"}
        )
        assert status == 200 and json.loads(raw)["data"]["video"]["title"] == "test VOD 2000001"
    finally:
        proc.terminate()
        proc.wait(10)
    bad = subprocess.run(
        [sys.executable, "-m", "vodstream", "serve", "--root", str(root / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode != 0 and bad.stderr.strip().splitlines() == [
        f"vodstream: error: --root {root / 'nope'} is not a directory"
    ]


def test_an_injected_429_says_when_to_come_back(root: Path) -> None:
    with ServerThread(root, faults="429:1.0") as srv:
        _, ans = gql(
            srv,
            persisted(
                "PlaybackAccessToken",
                TOKEN_HASH,
                isLive=False,
                login="",
                isVod=True,
                vodID="2000001",
                playerType="embed",
                platform="site",
            ),
        )
        tok = ans["data"]["videoPlaybackAccessToken"]
        _, master = usher(srv, "2000001", tok)
        variant = next(ln for ln in master.decode().splitlines() if ln.startswith("http"))
        _, _, media = http(variant)
        seg = next(ln for ln in media.decode().splitlines() if ln and not ln.startswith("#"))
        status, headers, _ = http(variant.rsplit("/", 1)[0] + "/" + seg)
    assert status == 429 and headers.get("Retry-After") == "1"


def test_rates_and_the_token_bucket() -> None:
    from vodstream.testbed.faults import TokenBucket, parse_rate

    assert parse_rate("100Mbit") == 12.5e6 and parse_rate("20Mbps") == 2.5e6 and parse_rate("2.5MB") == 2.5e6
    assert parse_rate("500kbit/s") == 62_500
    for bad in ["", "100", "fast", "0Mbit", "-1Mbit"]:
        with pytest.raises(FaultSpecError, match="bad rate"):
            parse_rate(bad)
    link = TokenBucket(1000.0, burst=100.0)
    assert link.reserve(100, now=link._t) == 0.0  # the burst is free
    assert link.reserve(500, now=link._t) == pytest.approx(0.5)  # then a debt, paid at the rate
    assert link.reserve(500, now=link._t) == pytest.approx(1.0)  # the next caller queues behind it


def test_bandwidth_is_one_link_shared_by_all_connections(root: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    files = sorted((root / "2000001" / "chunked").glob("*.ts"), key=lambda p: int(p.stem))
    size = sum(p.stat().st_size for p in files) * 20
    with ServerThread(root, repeat=20, bandwidth=size / 1.0) as srv:  # the whole VOD in ~1 s
        master = parse_master(usher(srv, "2000001", token_for(srv, "2000001"))[1].decode())
        media = parse_media(http(master.variants[0].url)[2].decode(), master.variants[0].url)
        urls = [s.url.replace("1-muted", "1") for s in media.segments]
        import time

        t0 = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            bodies = list(pool.map(lambda u: http(u)[2], urls))
        took = time.monotonic() - t0
    assert sum(len(b) for b in bodies) == size and bodies[4] == files[1].read_bytes()
    assert took >= 0.8, took  # 8 connections at once still share one 1-second link
    assert srv.server.stats["bytes"] == size
