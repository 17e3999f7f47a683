"""Broken sources through the real CLI: one clear line on stderr, the documented exit status,
nothing written under a final name. (Twitch-side errors -- unknown VOD, sub-only, bad token,
PersistedQueryNotFound -- are in test_twitch_client and test_download; local files that are not
video in test_localfile and test_exit_status.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.twitch_helpers import RawServer, make_vod
from vodstream.report.outcome import EXIT_NOTHING

REPO = Path(__file__).resolve().parents[1]

MASTER_NO_URI = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,RESOLUTION=1280x720\n"
MEDIA_NO_URI = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n#EXT-X-ENDLIST\n"
MEDIA_EMPTY = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-ENDLIST\n"
MEDIA_BAD_DURATION = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:ten,\n0.ts\n#EXT-X-ENDLIST\n"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vodstream", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
    )


def _errors(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [ln for ln in proc.stderr.splitlines() if ln.startswith("vodstream: error:")]


@pytest.fixture(scope="module")
def broken():
    routes = {
        "/random.m3u8": bytes(range(256)) * 64,
        "/master-no-uri.m3u8": MASTER_NO_URI.encode(),
        "/media-no-uri.m3u8": MEDIA_NO_URI.encode(),
        "/empty.m3u8": MEDIA_EMPTY.encode(),
        "/bad-duration.m3u8": MEDIA_BAD_DURATION.encode(),
        "/html.m3u8": b"<!doctype html><html><body>Not Found</body></html>",
    }
    with RawServer(routes) as base:
        yield base


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/random.m3u8", "playlist"),
        ("/master-no-uri.m3u8", "playlist"),
        ("/media-no-uri.m3u8", "playlist"),
        ("/empty.m3u8", "no segments"),
        ("/bad-duration.m3u8", "playlist"),
        ("/html.m3u8", "playlist"),
        ("/missing.m3u8", "404"),
    ],
)
def test_a_broken_playlist_is_one_line_and_nothing_analysed(
    broken: str, path: str, says: str, tmp_path: Path
) -> None:
    got = _cli("analyze", broken + path, "--out", "out", "--no-catalog", cwd=tmp_path)
    assert got.returncode == EXIT_NOTHING, got.stderr[-2000:]
    errors = _errors(got)
    assert errors and says in errors[0], got.stderr[-2000:]
    assert "Traceback" not in got.stderr
    dl = _cli("download", broken + path, "-o", "x.ts", cwd=tmp_path)
    assert dl.returncode != 0 and len(_errors(dl)) == 1 and says in _errors(dl)[0], dl.stderr[-2000:]
    assert not (tmp_path / "x.ts").exists() and not list(tmp_path.glob("*.part"))


@pytest.mark.ray
@pytest.mark.slow
def test_segments_that_are_not_video_are_nothing_analysed(tmp_path: Path) -> None:
    """A playlist whose every segment is non-video bytes (or corrupt TS): gaps, exit 1."""
    vod = make_vod(tmp_path / "lib", "2500001", n=3)
    variant = next(p for p in vod.iterdir() if p.is_dir() and (p / "index-dvr.m3u8").is_file())
    for i, seg in enumerate(sorted(variant.glob("*.ts"))):
        data = seg.read_bytes()
        # text, then TS packets with their payload scrambled, then a truncated TS header run
        seg.write_bytes(
            b"not a video\n" * 800 if i == 0 else bytes(b ^ 0x5A for b in data) if i == 1 else data[:188] * 3
        )
    got = _cli(
        "analyze",
        str(variant / "index-dvr.m3u8"),
        "--out",
        "out",
        "--no-catalog",
        "--no-progress",
        cwd=tmp_path,
    )
    assert got.returncode == EXIT_NOTHING, got.stdout + got.stderr[-2000:]
    assert "Traceback" not in got.stderr
    assert "nothing was analysed" in got.stderr


def test_an_input_that_is_no_vod_is_one_line_on_stderr(tmp_path: Path) -> None:
    """`vodstream run` on one input that is neither a VOD id, a URL nor a file: the error line and
    nothing else on stderr (no log line repeating it), exit status 1, no report written. Given
    with a usable input, the bad one is logged and the run goes on (tests/test_twitch_client)."""
    got = _cli("run", "not a vod", "--out", str(tmp_path / "out"), "--no-progress", cwd=tmp_path)
    assert got.returncode == 1, got.stderr[-2000:]
    assert got.stderr.splitlines() == [
        "vodstream: error: cannot use VOD 'not a vod': not a Twitch VOD id, twitch.tv/videos/ URL, "
        ".m3u8 URL, or existing video file"
    ]
    assert not list((tmp_path / "out").rglob("report.json"))
