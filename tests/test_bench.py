"""`vodstream bench --quick`: the CI smoke run of benchmarks/bench.py (figures are not judged here)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bench_quick_writes_a_sane_table(synth_test_vod: Path, tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "vodstream",
            "bench",
            "--quick",
            "--vod-dir",
            str(synth_test_vod),
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = json.loads(out.read_text())
    assert res["quick"] and res["runs"] == 1 and res["vod"]["seconds"] == pytest.approx(76.0)
    rows = {(r["section"], r["name"]): r for r in res["rows"]}
    e2e = rows[("vodstream", "analyze (server -> report)")]
    # the pipeline found the test VOD's three matches and read their kills
    assert e2e["matches_right"] == e2e["matches_want"] == 3 and e2e["kills_right"] == 3
    assert 0 < e2e["cpu_s"] and 0 < e2e["wall_s"] and e2e["x_realtime"] == pytest.approx(76.0 / e2e["wall_s"])
    assert e2e["peak_mib"] > 100  # driver + raylet + workers, summed
    assert e2e["ocr_calls"] > 0 and e2e["samples"] > 0
    size = sum(p.stat().st_size for p in (synth_test_vod / "chunked").glob("*.ts"))
    assert e2e["bytes"] == size  # every segment fetched once
    floors = [r for r in res["rows"] if r["section"] == "floor"]
    assert [r["name"].split(",")[0] for r in floors] == [
        "keyframe decode",
        "keyframe decode",
        "fetch only (8 connections)",
    ]
    for r in floors:
        assert r["bytes"] == size and r["wall_s"] > 0 and r["x_realtime"] == pytest.approx(76.0 / r["wall_s"])
    if shutil.which("ffmpeg") and shutil.which("tesseract"):
        old = rows[("2019", "ffmpeg BMP + pytesseract + contours/CNN")]
        assert old["ocr_calls"] == old["samples"] == pytest.approx(76 * 0.33, abs=2)  # one BMP per 3 s
        assert old["bytes"] == size and old["tesseract_s"] > 0
    else:
        assert any(s.startswith("2019 pipeline skipped: needs") for s in res["skipped"])
    assert res["table"] in proc.stdout and "analyze (server -> report)" in proc.stdout
    assert not out.with_name(out.name + ".part").exists()


def test_bench_bad_options_are_one_line(tmp_path: Path) -> None:
    for argv, msg in [
        (["--vod-dir", str(tmp_path)], "is not a rendered synthetic VOD"),
        (["--runs", "0"], "--runs must be at least 1"),
        (["--bandwidth", "fast"], "bad rate 'fast'"),
    ]:
        proc = subprocess.run(
            [sys.executable, "-m", "vodstream", "bench", *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode != 0
        assert proc.stderr.strip().splitlines() == [
            f"vodstream: error: {proc.stderr.split('error: ', 1)[1].strip()}"
        ]
        assert msg in proc.stderr
