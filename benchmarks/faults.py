"""Fault suite: what each network fault costs, and proof that it costs no segment.

Serves a synthetic VOD with the local Twitch-compatible server, injecting one kind of fault at a
time on at least 10% of the segment requests (plus every kind at once, and a segment that never
recovers), and runs the real commands a user runs against it:

* ``vodstream download VOD -o FILE.ts``: segments lost, and whether FILE is byte-identical to
  the fault-free download;
* ``vodstream analyze VOD``: gaps, exit status, and whether the matches (start, end, kills,
  placement) are identical to the fault-free run.

    python benchmarks/faults.py [--vod-dir DIR] [--repeat 3] [--only NAME,...]

Prints a table and writes benchmarks/out/faults.json (and faults.md, the table for the README).
The dice are seeded, so a row injects the same faults each time it runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# name -> (fault spec, what it is); "{vod}" is replaced by the VOD id. maxrun bounds how many
# times in a row one URL fails, so a fault that "recovers" does within the client's 6 attempts.
# The 403-unmuted row fetches the VOD by its index-dvr.m3u8 URL, which lists N-unmuted.ts for
# muted segments (as Twitch's does); the others by Twitch id.
ROWS: dict[str, tuple[str, str]] = {
    "none": ("", "fault-free baseline"),
    "5xx": ("500:0.08,502:0.04,503:0.04,maxrun:3", "HTTP 500/502/503"),
    "429": ("429:0.15,maxrun:3", "HTTP 429 with Retry-After: 1"),
    "timeout": ("stall:0.12,stalltime:40,maxrun:1", "body stalls past the 20 s read timeout"),
    "truncate": ("truncate:0.15,maxrun:3", "body cut short (full Content-Length)"),
    "reset": ("reset:0.15,maxrun:3", "connection reset without an answer"),
    "trickle": ("trickle:0.15", "body sent slowly (16 KiB per 20 ms)"),
    "403-unmuted": (
        "muted={vod}:2-5,unmuted403",
        "-unmuted segments 403 (index-dvr.m3u8): fall back to -muted",
    ),
    "all": (
        "500:0.03,503:0.02,429:0.03,reset:0.03,truncate:0.03,trickle:0.03,stall:0.02,stalltime:40,maxrun:2",
        "every kind at once (~19%)",
    ),
    "never": ("deny=3", "segment 3 always 403 (never recovers)"),
}


def _cli(
    *args: str, env: dict[str, str], timeout: float = 900
) -> tuple[subprocess.CompletedProcess[str], float]:
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "vodstream", "-q", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
    return proc, time.monotonic() - t0


def _matches(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (m.get("start"), m.get("end"), m.get("kills"), m.get("placement")) for m in report.get("matches", [])
    ]


def run_row(
    name: str, spec: str, vod_root: Path, vod_id: str, repeat: int, work: Path, base: dict[str, Any] | None
) -> dict[str, Any]:
    from vodstream.testbed.server import ServerThread

    spec = ",".join(x for x in (spec.replace("{vod}", vod_id), "seed:7") if x) if spec else ""
    out: dict[str, Any] = {"name": name, "spec": spec}
    with ServerThread(vod_root, faults=spec or None, repeat=repeat) as srv:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "VODSTREAM_TWITCH_BASE": srv.base_url,
            "VODSTREAM_DATA_DIR": str(work / "data"),
        }
        stats = srv.server.stats
        target = vod_id
        if name == "403-unmuted":
            target = f"{srv.base_url}/{srv.server.vods[vod_id].path_key}/chunked/index-dvr.m3u8"

        def injected() -> int:  # unmuted 403s are answered outside the fault dice: count them here
            return stats["faults"] + sum(n for p, n in srv.server.requests.items() if "-unmuted" in p)

        f0, r0 = injected(), sum(srv.server.requests.values())
        ts = work / f"{name}.ts"
        proc, wall = _cli("download", target, "-o", str(ts), "-q", "chunked", "--no-progress", env=env)
        out["download_exit"] = proc.returncode
        out["download_s"] = round(wall, 2)
        out["download_sha"] = hashlib.sha256(ts.read_bytes()).hexdigest() if ts.is_file() else None
        out["download_error"] = proc.stderr.strip().splitlines()[-1:] if proc.returncode else []
        f1, r1 = injected(), sum(srv.server.requests.values())
        res = work / f"res-{name}"
        proc, wall = _cli("analyze", target, "--out", str(res), "--no-catalog", "--no-progress", env=env)
        out["analyze_exit"] = proc.returncode
        out["analyze_s"] = round(wall, 2)
        f2, r2 = injected(), sum(srv.server.requests.values())
        try:
            report = json.loads(next(res.glob("*/report.json")).read_text())
        except (OSError, ValueError, StopIteration):
            report = {}
        out["gaps"] = len(report.get("gaps") or [])
        out["matches"] = _matches(report)
        out["segments"] = (report.get("segments") or {}).get("apex")
        out["faults_download"], out["faults_analyze"] = f1 - f0, f2 - f1
        out["requests_download"], out["requests_analyze"] = r1 - r0, r2 - r1
    if base is not None:
        out["download_identical"] = out["download_sha"] == base["download_sha"]
        out["analysis_identical"] = out["matches"] == base["matches"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--vod-dir", type=Path, default=None, help="a synthetic VOD folder (default: render the test preset)"
    )
    ap.add_argument(
        "--repeat", type=int, default=3, help="serve the VOD N times over (more segments, same bytes)"
    )
    ap.add_argument("--only", default="", help="comma-separated row names (the baseline always runs)")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "out" / "faults.json")
    args = ap.parse_args()

    import logging

    from vodstream import log as logconf
    from vodstream.testbed import synth

    logconf.configure(logging.WARNING, json_lines=False)
    rows = [r for r in ROWS if r == "none" or not args.only or r in args.only.split(",")]
    with tempfile.TemporaryDirectory(prefix="vodstream-faults-") as tmp:
        work = Path(tmp)
        vod_dir = (
            args.vod_dir.resolve() if args.vod_dir else synth.synthesize(synth.preset("test"), work / "vods")
        )
        vod_id = json.loads((Path(vod_dir) / "truth.json").read_text())["vod_id"]
        results: list[dict[str, Any]] = []
        base = None
        for name in rows:
            spec, _what = ROWS[name]
            r = run_row(name, spec, Path(vod_dir).parent, str(vod_id), args.repeat, work, base)
            if name == "none":
                base = r
            results.append(r)
            print(
                f"  {name}: download exit {r['download_exit']}, analyze exit {r['analyze_exit']}, "
                f"gaps {r['gaps']}, faults {r['faults_download']}+{r['faults_analyze']}",
                file=sys.stderr,
            )

    head = (
        "| fault | injected (download + analyze) | download: exit, identical bytes, s | "
        "analyze: exit, gaps, same matches, s |"
    )
    lines = [head, "|---|---|---|---|"]
    for r in results:
        what = ROWS[r["name"]][1]
        rate_d = r["faults_download"] / max(1, r["requests_download"])
        rate_a = r["faults_analyze"] / max(1, r["requests_analyze"])
        same_d = "baseline" if r["name"] == "none" else ("yes" if r.get("download_identical") else "NO")
        same_a = "baseline" if r["name"] == "none" else ("yes" if r.get("analysis_identical") else "NO")
        lines.append(
            f"| {r['name']}: {what} | {r['faults_download']} ({rate_d:.0%}) + {r['faults_analyze']} "
            f"({rate_a:.0%}) | {r['download_exit']}, {same_d}, {r['download_s']:.1f} | "
            f"{r['analyze_exit']}, {r['gaps']}, {same_a}, {r['analyze_s']:.1f} |"
        )
    table = "\n".join(lines)
    print(table)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    meta = {"repeat": args.repeat, "machine": f"{os.cpu_count()} CPUs", "command": " ".join(sys.argv)}
    args.json.write_text(json.dumps({"meta": meta, "rows": results}, indent=1))
    args.json.with_suffix(".md").write_text(table + "\n")
    base_exit = results[0]["analyze_exit"]  # the baseline (kills may be uncertain: 3 is not a fault)
    ok = all(
        r["name"] == "never"
        or (
            r["download_exit"] == 0
            and r["analyze_exit"] == base_exit
            and r["gaps"] == 0
            and (r["name"] == "none" or (r["download_identical"] and r["analysis_identical"]))
        )
        for r in results
    )
    never = [r for r in results if r["name"] == "never"]
    ok &= all(r["download_exit"] != 0 and r["analyze_exit"] == 3 and r["gaps"] >= 1 for r in never)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
