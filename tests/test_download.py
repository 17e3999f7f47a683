"""`vodstream download`: byte-exact results through faults, remux, ranges, resume after kill -9, errors."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import av
import pytest

from tests.twitch_helpers import make_vod, variant_bytes
from vodstream.errors import VodstreamError
from vodstream.sources.download import download_vod, parse_time
from vodstream.sources.fetch import RetryPolicy
from vodstream.sources.twitch import TwitchConfig
from vodstream.testbed.server import ServerThread

FAST = RetryPolicy(attempts=6, backoff=0.01, max_backoff=0.05)
TOKEN = "abcdefghijklmnopqrstuvwxyz0123"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dl")
    make_vod(root, "4000001", n=10, seconds=0.5)  # TS, H.264 + AAC
    make_vod(root, "4000002", kind="fmp4", n=3, seconds=1.0)
    make_vod(root, "4000003", n=20, seconds=0.5, audio=False, sizes=((96, 64),))
    make_vod(root, "4000004", n=2, sub_only=True)
    return root


@pytest.fixture(scope="module")
def server(root: Path):
    with ServerThread(root) as srv:
        yield srv


def cli(*args: str, base: str | None = None, check: bool = False) -> subprocess.CompletedProcess[str]:
    extra = ["--twitch-base", base] if base else []
    proc = subprocess.run(
        [sys.executable, "-m", "vodstream", "download", *args, *extra, "--no-progress"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def download(server: ServerThread, vod: str, out: Path, **kw):
    cfg = TwitchConfig.from_env(server.base_url, env={})
    return asyncio.run(download_vod(vod, out, config=cfg, policy=FAST, progress=False, **kw))


def test_parse_time() -> None:
    assert [parse_time(t) for t in ("90", "90.5", "1:30", "1:02:03", "1h2m3s", "2m", "45s")] == [
        90,
        90.5,
        90,
        3723,
        3723,
        120,
        45,
    ]
    assert parse_time(None) is None
    for bad in ("", "abc", "1:xx", "5 minutes", "-10", "-1:30", "1:-30", "+1:30", "inf:00", "1:2:3:4"):
        with pytest.raises(VodstreamError, match="bad time"):
            parse_time(bad)


def test_ts_is_the_exact_concatenation(server: ServerThread, root: Path, tmp_path: Path) -> None:
    out = tmp_path / "vod.ts"
    res = download(server, "4000001", out)
    assert out.read_bytes() == variant_bytes(root / "4000001")
    assert (res.segments, res.fetched, res.reused, res.quality) == (10, 10, 0, "chunked")
    assert not (tmp_path / "vod.ts.part").exists()


def test_twenty_percent_faults_give_a_byte_identical_file(root: Path, tmp_path: Path) -> None:
    faults = "500:0.06,503:0.02,429:0.03,reset:0.03,truncate:0.04,trickle:0.02,maxrun:3,seed:5"
    with ServerThread(root, faults=faults) as srv:
        proc = cli(
            "4000003", "-o", str(tmp_path / "f.ts"), "--concurrency", "4", base=srv.base_url, check=True
        )
        injected = srv.server.stats["faults"]
    assert (tmp_path / "f.ts").read_bytes() == variant_bytes(root / "4000003")
    assert injected >= 2 and "20 segments (20 fetched, 0 resumed)" in proc.stdout


def test_mp4_remux_with_audio_and_faststart(server: ServerThread, tmp_path: Path) -> None:
    out = tmp_path / "vod.mp4"
    download(server, "4000001", out, quality="64p10")
    data = out.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")  # faststart
    with av.open(str(out)) as c:
        assert {s.type for s in c.streams} == {"video", "audio"}
        assert c.streams.video[0].codec_context.height == 64
        frames = sum(1 for _ in c.decode(video=0))
    assert frames == 50  # 10 x 0.5 s at 10 fps


def test_fmp4_vod_to_mp4(server: ServerThread, tmp_path: Path) -> None:
    out = tmp_path / "f.mp4"
    download(server, "4000002", out)
    with av.open(str(out)) as c:
        assert sum(1 for _ in c.decode(video=0)) == 30


def test_range_keeps_whole_overlapping_segments(server: ServerThread, root: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.ts"
    res = download(server, "4000001", out, start=1.2, end=2.5)
    assert res.segments == 3  # [1.0,1.5) [1.5,2.0) [2.0,2.5)
    assert out.read_bytes() == b"".join(
        (root / "4000001" / "chunked" / f"{i}.ts").read_bytes() for i in (2, 3, 4)
    )


def test_sub_only_with_token(server: ServerThread, tmp_path: Path) -> None:
    cfg = TwitchConfig.from_env(server.base_url, env={}, auth_token=TOKEN)
    res = asyncio.run(download_vod("4000004", tmp_path / "s.ts", config=cfg, progress=False))
    assert res.segments == 2


def test_resume_after_kill_9_fetches_only_missing_segments(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "k.ts"
    part = tmp_path / "k.ts.part"
    with ServerThread(root, faults="latency:250ms") as srv:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "vodstream",
                "download",
                "4000003",
                "-o",
                str(out),
                "--concurrency",
                "2",
                "--twitch-base",
                srv.base_url,
                "--no-progress",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len(list(part.glob("seg-*.ts"))) < 5 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        done = sorted(int(p.stem.split("-")[1]) for p in part.glob("seg-*.ts"))
        assert 5 <= len(done) < 20 and not out.exists()  # killed mid-way; no final file
        before = dict(srv.server.requests)
        again = cli("4000003", "-o", str(out), "--concurrency", "4", base=srv.base_url, check=True)
        after = srv.server.requests
    assert f"({20 - len(done)} fetched, {len(done)} resumed)" in again.stdout
    for i in done:  # finished segments were not requested again
        path = next(p for p in after if p.endswith(f"/chunked/{i}.ts"))
        assert after[path] == before[path]
    assert out.read_bytes() == variant_bytes(root / "4000003") and not part.exists()


def test_failed_segment_fails_the_download_and_keeps_the_rest(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.ts"
    with ServerThread(root, faults="deny=4") as srv:
        proc = cli("4000003", "-o", str(out), base=srv.base_url)
        assert proc.returncode != 0 and not out.exists()
        err = [ln for ln in proc.stderr.splitlines() if ln.startswith("vodstream:")]
        assert err == [
            f"vodstream: error: 1 of 20 segments failed (first: segment 4 at 2.0 s: fetch failed: "
            f"segment 4: HTTP 403); finished segments are kept in {out}.part: run the same command "
            "again to retry"
        ]
        srv.server.faults.deny.clear()  # the CDN recovers
        again = cli("4000003", "-o", str(out), base=srv.base_url, check=True)
    assert "(1 fetched, 19 resumed)" in again.stdout
    assert out.read_bytes() == variant_bytes(root / "4000003")


ERROR_CASES = {
    "not found": (["999"], "VOD 999 not found"),
    "bad token": (["4000001", "--auth-token", "leakme123"], "rejected the OAuth token"),
    "sub-only": (["4000004"], "is for subscribers only"),
    "quality": (["4000001", "-q", "1080p60"], "quality '1080p60' is not available"),
    "bad vod": (["not a vod"], "cannot use VOD 'not a vod'"),
    "exists": (["4000001", "--overwrite-test-exists"], "already exists"),
    "bad time": (["4000001", "--start", "soon"], "bad time 'soon'"),
    "range": (["4000001", "--start", "60"], "no segments in the range"),
    "no dir": (["4000001", "--no-dir-test"], "does not exist"),
    "no server": (
        ["4000001", "--retries", "1", "--twitch-base", "http://127.0.0.1:9"],
        "cannot reach Twitch GQL",
    ),
}


def _argv(name: str, tmp_path: Path, base: str) -> list[str]:
    args, _ = ERROR_CASES[name]
    out = tmp_path / f"{name.replace(' ', '_')}.ts"
    if "--overwrite-test-exists" in args:
        out.write_bytes(b"x")
    if "--no-dir-test" in args:
        out = tmp_path / "nodir" / "x.ts"
    args = [a for a in args if not a.endswith("-test") and not a.endswith("-test-exists")]
    if "--twitch-base" not in args:
        args += ["--twitch-base", base]
    return ["download", *args, "-o", str(out), "--no-progress"]


@pytest.mark.parametrize("name", list(ERROR_CASES))
def test_error_cases_raise_one_clear_message(name: str, server: ServerThread, tmp_path: Path) -> None:
    from vodstream.cli.app import build_parser

    args = build_parser().parse_args(_argv(name, tmp_path, server.base_url))
    with pytest.raises(VodstreamError) as info:
        args._run(args)
    msg = str(info.value)
    assert ERROR_CASES[name][1] in msg and "\n" not in msg and "Traceback" not in msg
    assert not list(tmp_path.glob("*.part"))


def test_cli_errors_are_one_line_and_nonzero(server: ServerThread, tmp_path: Path) -> None:
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "vodstream", *_argv(name, tmp_path, server.base_url)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("not found", "bad token", "no server")
    }
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=120)
        errors = [ln for ln in stderr.splitlines() if ln.startswith("vodstream:")]
        assert proc.returncode == 1, name
        assert (
            errors == [f"vodstream: error: {errors[0].split('error: ', 1)[1]}"]
            and ERROR_CASES[name][1] in errors[0]
        )
        assert "Traceback" not in stderr and stdout == "" and "leakme123" not in stderr, name


def test_mp4_joins_discontinuities_on_the_playlist_clock(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "rep.mp4"
    with ServerThread(root, repeat=3) as srv:  # timestamps restart twice
        res = download(srv, "4000001", out)
    assert res.segments == 30
    with av.open(str(out)) as c:
        v = c.streams.video[0]
        times = [float(f.time) for f in c.decode(v)]
    assert len(times) == 150
    assert all(b > a for a, b in pairwise(times))  # monotonic across the joins
    assert times[-1] - times[0] == pytest.approx(14.9, abs=0.05)


def test_progress_bar_shows_segments_mb_and_rate(capsys: pytest.CaptureFixture[str]) -> None:
    from vodstream.sources.download import _Progress

    bar = _Progress(total=4, done=1, enabled=True)
    bar.update(2_500_000)
    bar.update(2_500_000)
    bar.close()
    err = capsys.readouterr().err
    assert "3/4 seg" in err and "5.0 MB" in err and "MB/s" in err
    quiet = _Progress(total=4, done=0, enabled=False)
    quiet.update(10)
    quiet.close()
    assert capsys.readouterr().err == ""


@pytest.mark.slow  # renders the synth test preset once per session (shared with other stages' tests)
def test_synth_vod_served_and_downloaded(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """The synth's real output, served as a Twitch VOD and downloaded byte for byte."""
    try:
        synth = Path(request.getfixturevalue("synth_test_vod"))
    except pytest.FixtureLookupError:
        pytest.skip("the synth_test_vod fixture is not available")
    vod_dir = synth
    vod_id = json.loads((vod_dir / "vod.json").read_text())["vod_id"]
    with ServerThread(vod_dir.parent) as srv:
        res = download(srv, vod_id, tmp_path / "synth.ts", quality="chunked")
        download(srv, vod_id, tmp_path / "synth.mp4", quality="480p30")
    assert (tmp_path / "synth.ts").read_bytes() == variant_bytes(vod_dir, "chunked")
    assert res.segments == len(list((vod_dir / "chunked").glob("*.ts")))
    meta = json.loads((vod_dir / "vod.json").read_text())
    fps = next(v["fps"] for v in meta["variants"] if v["group_id"] == "480p30")
    with av.open(str(tmp_path / "synth.mp4")) as c:  # H.264 + AAC joined cleanly
        assert {s.type for s in c.streams} == {"video", "audio"}
        assert sum(1 for _ in c.decode(video=0)) == round(meta["duration"] * fps)


def test_negative_start_is_refused_on_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from vodstream.cli.app import main

    for arg in ("--start=-10", "--start=-1:30"):
        rc = main(
            ["download", "123", "-o", str(tmp_path / "x.ts"), arg, "--twitch-base", "http://127.0.0.1:9"]
        )
        err = capsys.readouterr().err
        assert rc != 0 and "bad time" in err and "Traceback" not in err


def test_a_corrupt_segment_is_not_kept_for_the_retry(tmp_path: Path) -> None:
    """A .mp4 download with a corrupt segment kept it in .part/, so every retry failed the same way."""
    root = tmp_path / "lib"
    make_vod(root, "4000009", n=4, seconds=0.5)
    seg = root / "4000009" / "chunked" / "2.ts"
    good = seg.read_bytes()
    seg.write_bytes(bytes(range(256)) * (len(good) // 256 + 1))  # served corrupt this time
    out = tmp_path / "v.mp4"
    with ServerThread(root) as srv:
        with pytest.raises(VodstreamError, match=r"segment 2 .* run the same command again"):
            download(srv, "4000009", out)
        assert not out.exists() and not (tmp_path / "v.mp4.part" / "seg-000002.ts").exists()
        seg.write_bytes(good)  # the server recovered
        res = download(srv, "4000009", out)
    assert out.is_file() and res.segments == 4 and res.fetched == 1 and res.reused == 3
