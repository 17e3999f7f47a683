"""The exit status and summary of `vodstream analyze` tell the outcome (issue 14, item 1).

Real runs on Ray against the local Twitch-compatible server with injected faults.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.raytools import make_library
from vodstream.cli.app import main
from vodstream.report.outcome import EXIT_NOTHING, EXIT_OK, EXIT_PARTIAL

pytestmark = [pytest.mark.ray, pytest.mark.slow]

SEGMENT = 10.0


@pytest.fixture(scope="module")
def library(synth_vod: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("lib")
    [vod_id] = make_library(Path(synth_vod), root)
    return {"root": root, "id": vod_id, "truth": json.loads((Path(synth_vod) / "truth.json").read_text())}


def _analyze(
    tmp: Path,
    library: dict[str, Any],
    faults: str | None,
    *vods: str,
    extra: tuple[str, ...] = (),
    **server: Any,
) -> tuple[int, dict[str, Any]]:
    from vodstream.testbed.server import ServerThread

    with ServerThread(library["root"], faults=faults, **server) as srv:
        rc = main(
            [
                "-q",
                "analyze",
                *(vods or (library["id"],)),
                "--out",
                str(tmp / "out"),
                "--twitch-base",
                srv.base_url,
                "--data-dir",
                str(tmp / "data"),
                "--no-progress",
                *extra,
            ]
        )
    rp = tmp / "out" / library["id"] / "report.json"
    return rc, json.loads(rp.read_text()) if rp.is_file() else {}


def test_complete_run_exits_0(ray_local, library, tmp_path: Path, capsys) -> None:
    rc, report = _analyze(tmp_path, library, None)
    assert rc == EXIT_OK == 0
    assert report["outcome"]["status"] == "complete" and report["gaps"] == []
    assert "!" not in capsys.readouterr().out


def test_a_gap_inside_a_match_is_partial_and_named(ray_local, library, tmp_path: Path, capsys) -> None:
    second = library["truth"]["matches"][1]
    seg = int((second["start"] + second["end"]) / 2 // SEGMENT)  # a segment inside match 1
    rc, report = _analyze(tmp_path, library, f"deny={seg}")
    assert rc == EXIT_PARTIAL == 3
    [gap] = report["gaps"]
    assert gap["segment_index"] == seg and gap["matches"] == [1]
    m = report["matches"][1]
    assert m["confidence"] < 0.9 and any(n.startswith("not analysed:") for n in m["notes"])
    out = capsys.readouterr()
    assert "not analysed" in out.out and "touches match 1" in out.out
    assert "partial result" in out.err


def test_every_segment_failing_is_nothing_analysed(ray_local, library, tmp_path: Path, capsys) -> None:
    rc, report = _analyze(tmp_path, library, "500:1.0")
    assert rc == EXIT_NOTHING == 1
    assert report["outcome"]["status"] == "failed" and report["matches"] == []
    out = capsys.readouterr()
    assert "nothing analysed: every segment failed" in out.out
    assert "nothing was analysed" in out.err


def test_a_picture_given_as_a_vod_is_refused(ray_local, library, tmp_path: Path, capsys) -> None:
    import cv2
    import numpy as np

    pic = tmp_path / "shot.png"
    cv2.imwrite(str(pic), np.full((90, 160, 3), 128, np.uint8))
    rc, _ = _analyze(tmp_path, library, None, str(pic))
    assert rc == EXIT_NOTHING
    err = capsys.readouterr().err
    assert "not a video" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "shot").exists()


def test_auth_token_option_opens_a_sub_only_vod(
    ray_local, library, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VODSTREAM_AUTH_TOKEN", raising=False)
    token = "s3cr3t0authtok3n"
    sub = {"faults": f"subonly={library['id']}", "auth_tokens": {token}}
    rc, _ = _analyze(tmp_path, library, sub.pop("faults"), **sub)
    err = capsys.readouterr().err
    assert rc == EXIT_NOTHING and "subscribers only" in err and "--auth-token" in err
    rc, report = _analyze(
        tmp_path, library, f"subonly={library['id']}", extra=("--auth-token", token), auth_tokens={token}
    )
    out = capsys.readouterr()
    assert rc == EXIT_OK and len(report["matches"]) == len(library["truth"]["matches"])
    assert token not in out.out + out.err
    # every byte the run left behind: reports, clips' folder, run store, catalogue, Ray's logs
    import ray

    logs = Path(ray._private.worker._global_node.get_logs_dir_path())
    files = [p for d in (tmp_path, logs) for p in d.rglob("*") if p.is_file()]
    assert any(p.name == "runstore.sqlite" for p in files) and any(p.name == "report.json" for p in files)
    leaked = [str(p) for p in files if token.encode() in p.read_bytes()]
    assert not leaked, leaked


def test_bad_output_places_fail_with_one_clear_line(library, tmp_path: Path, capsys) -> None:
    """No Ray needed: these fail before anything is fetched (they used to exit 70 "internal error")."""
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    rc = main(
        [
            "analyze",
            library["id"],
            "--out",
            str(blocker / "sub"),
            "--twitch-base",
            "http://127.0.0.1:9",
            "--data-dir",
            str(tmp_path / "data"),
            "--no-progress",
        ]
    )
    err = capsys.readouterr().err
    assert rc == EXIT_NOTHING and "cannot use --out" in err and str(blocker / "sub") in err
    assert "internal error" not in err and len(err.strip().splitlines()) == 1
    out = tmp_path / "out"
    out.mkdir()
    (out / "runstore.sqlite").write_bytes(b"garbage, not SQLite" * 100)
    rc = main(
        [
            "analyze",
            library["id"],
            "--out",
            str(out),
            "--twitch-base",
            "http://127.0.0.1:9",
            "--data-dir",
            str(tmp_path / "data"),
            "--no-progress",
        ]
    )
    err = capsys.readouterr().err
    assert rc == EXIT_NOTHING and str(out / "runstore.sqlite") in err and "--fresh" in err
    assert "internal error" not in err and len(err.strip().splitlines()) == 1
    bad_cat = tmp_path / "badcat"
    bad_cat.mkdir()
    (bad_cat / "catalog.sqlite").write_bytes(b"\x00garbage" * 100)
    rc = main(
        [
            "analyze",
            library["id"],
            "--out",
            str(tmp_path / "out2"),
            "--twitch-base",
            "http://127.0.0.1:9",
            "--data-dir",
            str(bad_cat),
            "--no-progress",
        ]
    )
    err = capsys.readouterr().err
    assert rc == EXIT_NOTHING and str(bad_cat / "catalog.sqlite") in err and "internal error" not in err


def test_fresh_starts_over_from_a_corrupt_run_store(ray_local, library, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "runstore.sqlite").write_bytes(b"garbage, not SQLite" * 100)
    rc, report = _analyze(tmp_path, library, None, extra=("--fresh",))
    assert rc == EXIT_OK and len(report["matches"]) == len(library["truth"]["matches"])


def test_verbose_keeps_ray_worker_lines_off_stdout(synth_vod: Path, tmp_path: Path) -> None:
    """stdout carries results only: with -v, Ray used to print the actors' log lines there."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "vodstream",
            "-v",
            "analyze",
            str(Path(synth_vod) / "master.m3u8"),
            "--out",
            str(tmp_path / "out"),
            "--no-catalog",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout.splitlines()
    assert out[0].startswith("VOD ") and "report:" in out[-1]
    assert not [ln for ln in out if "pid=" in ln or "\x1b[" in ln], out
    # -v forwards the actors' lines to stderr; Ray's log monitor may still be polling their files
    # when the driver exits, so whether any arrived is not asserted (it was flaky on a cold venv)


def test_best_match_that_cannot_be_fetched_falls_back_to_the_next_best_clip(
    ray_local, library, tmp_path: Path, capsys
) -> None:
    from vodstream.testbed.server import ServerThread

    truth = library["truth"]["matches"]
    best = max(range(len(truth)), key=lambda i: truth[i]["kills"])
    runner_up = max((i for i in range(len(truth)) if i != best), key=lambda i: truth[i]["kills"])
    seg = int((truth[best]["start"] + truth[best]["end"]) / 2 // SEGMENT)
    with ServerThread(library["root"], faults=f"deny={seg}") as srv:
        rc = main(
            [
                "-q",
                "run",
                library["id"],
                "--out",
                str(tmp_path / "out"),
                "--twitch-base",
                srv.base_url,
                "--data-dir",
                str(tmp_path / "data"),
                "--no-progress",
            ]
        )
    report = json.loads((tmp_path / "out" / library["id"] / "report.json").read_text())
    assert rc == EXIT_PARTIAL
    assert report["best"] == best and report["clip_matches"] == [runner_up]
    assert (tmp_path / "out" / library["id"] / report["clips"][0]).stat().st_size > 0
    line = next(p for p in report["outcome"]["problems"] if p.startswith(f"clip of match {best} failed"))
    assert f"clipping match {runner_up} (the next best) instead" in line
    assert line in capsys.readouterr().out


def test_a_video_without_apex_is_complete_with_a_message(ray_local, tmp_path: Path, capsys) -> None:
    from tests.media import encode_file

    video = encode_file(tmp_path / "cooking.mp4", width=640, height=360, fps=10, seconds=8.0, gop_seconds=2.0)
    rc = main(["-q", "analyze", str(video), "--out", str(tmp_path / "out"), "--no-catalog", "--no-progress"])
    out = capsys.readouterr().out
    assert rc == EXIT_OK and "0 match(es)" in out and "no Apex Legends match found" in out
    [report] = (tmp_path / "out").glob("cooking-*/report.json")
    assert json.loads(report.read_text())["outcome"]["status"] == "complete"
