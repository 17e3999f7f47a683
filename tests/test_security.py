"""What a server or a file says cannot make vodstream read local files, write outside its
folders, flood memory, or put escape codes on a terminal; local servers stay on loopback."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.twitch_helpers import RawServer, make_vod
from vodstream.errors import VodstreamError
from vodstream.sources.hls import MAX_PLAYLIST_BYTES, PlaylistError, join_url, parse_master, parse_media
from vodstream.sources.twitch import TwitchConfig, _safe_id, resolve_vod
from vodstream.testbed.server import ServerThread

REPO = Path(__file__).resolve().parents[1]

MEDIA = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n{uri}\n#EXT-X-ENDLIST\n"
MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,RESOLUTION=1280x720\n{uri}\n"


@pytest.mark.parametrize(
    "uri", ["file:///etc/passwd", "data:text/plain,hello", "ftp://example.com/a.ts", "FILE:///etc/hostname"]
)
def test_a_remote_playlist_may_only_point_to_http(uri: str) -> None:
    with pytest.raises(PlaylistError, match="only http"):
        parse_media(MEDIA.format(uri=uri), "https://cdn.example.com/vod/index-dvr.m3u8")
    with pytest.raises(PlaylistError, match="only http"):
        parse_master(MASTER.format(uri=uri), "http://usher.example.com/vod/1.m3u8")


def test_relative_and_local_uris_still_resolve() -> None:
    base = "https://cdn.example.com/abc/chunked/index-dvr.m3u8"
    assert join_url(base, "12.ts") == "https://cdn.example.com/abc/chunked/12.ts"
    assert join_url(base, "//other.example.com/x.ts") == "https://other.example.com/x.ts"
    local = Path("/tmp/some vod/chunked/index-dvr.m3u8").as_uri()
    assert join_url(local, "0.ts").startswith("file:///tmp/some%20vod/chunked/0.ts")
    assert join_url(local, "https://cdn.example.com/0.ts") == "https://cdn.example.com/0.ts"
    with pytest.raises(PlaylistError):
        join_url(local, "data:,x")


@pytest.fixture
def evil_server():
    routes = {
        "/file.m3u8": MEDIA.format(uri="file:///etc/passwd").encode(),
        "/huge.m3u8": b"#EXTM3U\n" + b"#" * (MAX_PLAYLIST_BYTES + 1024),
    }
    with RawServer(routes) as base:
        yield base


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vodstream", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )


def test_download_refuses_a_playlist_that_points_to_a_local_file(evil_server: str, tmp_path: Path) -> None:
    got = _cli("download", evil_server + "/file.m3u8", "-o", "out.ts", cwd=tmp_path)
    assert got.returncode != 0
    lines = got.stderr.strip().splitlines()
    assert len(lines) == 1 and "only http(s) URLs are allowed" in lines[0], got.stderr
    assert not (tmp_path / "out.ts").exists()


def test_an_oversized_playlist_is_refused_without_reading_it_all(evil_server: str, tmp_path: Path) -> None:
    got = _cli("download", evil_server + "/huge.m3u8", "-o", "out.ts", cwd=tmp_path)
    assert got.returncode != 0
    assert "size cap" in got.stderr and "Traceback" not in got.stderr, got.stderr
    # a local playlist over the cap (a sparse file: nothing is written to disk)
    big = tmp_path / "big.m3u8"
    with open(big, "wb") as f:
        f.truncate(MAX_PLAYLIST_BYTES + 1)
    with pytest.raises(VodstreamError, match="size cap"):
        asyncio.run(resolve_vod(str(big)))


@pytest.mark.parametrize(
    "raw", ["..", ".", "../../etc", "a/../../b", "..\\..\\x", "\x1b[31mred", "", "/abs", "x" * 500]
)
def test_vod_ids_are_one_safe_path_component(raw: str) -> None:
    safe = _safe_id(raw)
    assert safe and len(safe) <= 100
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert all(c.isalnum() or c in "_.-" for c in safe)


def test_metadata_from_a_vod_folder_cannot_escape_or_inject(tmp_path: Path) -> None:
    import json

    vod_dir = make_vod(tmp_path / "lib", "2200001", n=2)
    meta_path = Path(vod_dir) / "vod.json"
    meta = json.loads(meta_path.read_text())
    meta.update(vod_id="../../../outside", title="best \x1b[2J\x1b[31mgame\u202e", owner="bad\nname\x07")
    meta_path.write_text(json.dumps(meta))
    got = asyncio.run(resolve_vod(str(vod_dir), config=TwitchConfig.from_env(None)))
    assert got.vod_id == "outside"
    assert got.title is not None and "\x1b" not in got.title and "\u202e" not in got.title
    assert got.owner is not None and "\n" not in got.owner and "\x07" not in got.owner


def _non_loopback_ip() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # no packet is sent: this only picks a route
            ip = s.getsockname()[0]
        except OSError:
            return None
    return None if ip.startswith("127.") else ip


def test_the_local_server_listens_on_loopback_only(tmp_path: Path) -> None:
    make_vod(tmp_path, "2200002", n=1)
    with ServerThread(tmp_path) as srv:
        assert srv.base_url.startswith("http://127.0.0.1:")
        ip = _non_loopback_ip()
        if ip is None:
            pytest.skip("this machine has no non-loopback address to try")
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((ip, srv.port)) != 0, f"the server answered on {ip}"


def test_a_variant_playlist_url_names_its_vod_not_its_variant(tmp_path: Path) -> None:
    from vodstream.sources.twitch import _hls_vod_dir, _hls_vod_id

    for path, want in [
        ("/srv/vods/2400000001/chunked/index-dvr.m3u8", "2400000001"),
        ("/srv/vods/2400000001/720p60/index-muted-ABCDEF1234.m3u8", "2400000001"),
        ("/srv/vods/2400000001/master.m3u8", "2400000001"),
        (
            "/d2nv/4cc1d8b34c1e4fd3c1f0_somestreamer_2101234567_1714586400/chunked/index-dvr.m3u8",
            "2101234567",
        ),
        ("/x/my-highlight.m3u8", "my-highlight"),
    ]:
        p = Path(path)
        assert _hls_vod_id(p, _hls_vod_dir(p)) == want, path
    # a local VOD folder's vod.json is found from a variant playlist too
    vod_dir = make_vod(tmp_path, "2300001", n=2)
    variant = next(p for p in Path(vod_dir).iterdir() if p.is_dir())
    got = asyncio.run(resolve_vod(str(next(variant.glob("index-dvr.m3u8")))))
    assert got.vod_id == "2300001" and got.title == "test VOD 2300001"
