"""Download benchmark: throughput (concurrent vs one-segment-at-a-time) and peak RSS vs VOD length.

Serves a sample VOD (real H.264 in MPEG-TS, 10 s segments) with ``vodstream serve`` in its own
process and runs ``vodstream download`` in child processes, each reporting its own peak RSS
(VmHWM). Scenarios:

- throughput on loopback (no faults), concurrency 8 vs 1;
- throughput with 50 ms before each answer (``--faults latency:50ms``, a far CDN), 8 vs 1;
- throughput over a capped per-connection rate (``--faults trickle:1``: ~0.8 MB/s per
  connection, like a CDN that throttles each connection), concurrency 8 vs 1;
- peak RSS for a 10-minute and a 5-hour VOD (``--repeat``): ``download`` to .ts, and the
  in-memory ``SegmentFetcher.stream`` (what the pipeline uses; bytes never touch the disk).

Prints a table and writes benchmarks/out/download_bench.json. Medians of ``--runs`` runs.

    python benchmarks/download_bench.py [--runs 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
VOD_ID = "900000001"
BASE_SEGMENTS = 6  # 60 s of video; --repeat makes it longer
SEGMENT_SECONDS = 10.0


def make_base(root: Path) -> Path:
    """A 60 s sample VOD: 6 x 10 s segments of 320x180 moving noise at ~480 kb/s (~0.6 MB each).

    Written by a child process so this one stays small (children are measured on their own).
    """
    code = (
        "import sys; from vodstream.testbed.server import write_sample_vod; "
        f"write_sample_vod(sys.argv[1], {VOD_ID!r}, segments={BASE_SEGMENTS}, "
        f"segment_seconds={SEGMENT_SECONDS}, "
        "fps=10, size=(320, 180), variants=1, noise=True, bitrate=480_000)"
    )
    subprocess.run([sys.executable, "-c", code, str(root)], cwd=ROOT, check=True)
    return root / VOD_ID


# Peak RSS is read by the child itself (VmHWM at exit): rusage's ru_maxrss survives exec and would
# report the parent's size at fork when that is larger.
HWM = (
    "import atexit, sys\n"
    "def _hwm():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('VMHWM_KB=' + line.split()[1] + '\\n')\n"
    "atexit.register(_hwm)\n"
)


class Server:
    """``python -m vodstream serve`` in a child process."""

    def __init__(self, root: Path, repeat: int, faults: str | None = None) -> None:
        cmd = [
            sys.executable,
            "-m",
            "vodstream",
            "--quiet",
            "serve",
            "--root",
            str(root),
            "--repeat",
            str(repeat),
        ]
        if faults:
            cmd += ["--faults", faults]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        m = re.match(r"serving (http://\S+)", line)
        if not m:
            self.stop()
            raise RuntimeError(f"server did not start: {line!r}")
        self.url = m.group(1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def run_measured(code: str, *argv: str) -> tuple[float, float, str, str]:
    """Run python code in a child; (wall seconds, peak RSS MB from VmHWM, stdout, stderr)."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", HWM + code, *argv], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}): {proc.stderr[-2000:]}")
    hwm = next(int(ln.split("=")[1]) for ln in proc.stderr.splitlines() if ln.startswith("VMHWM_KB="))
    return wall, hwm / 1024, proc.stdout, proc.stderr


CLI = "import sys, runpy\nsys.argv[0] = 'vodstream'\nrunpy.run_module('vodstream', run_name='__main__')\n"


def download(url: str, out: Path, concurrency: int, end: float | None = None) -> dict[str, float]:
    argv = [
        "--log-json",
        "download",
        VOD_ID,
        "-o",
        str(out),
        "--twitch-base",
        url,
        "--concurrency",
        str(concurrency),
        "--no-progress",
        "--overwrite",
    ]
    if end is not None:
        argv += ["--end", str(end)]
    wall, rss, _, err = run_measured(CLI, *argv)
    done = next(json.loads(ln) for ln in err.splitlines() if '"download complete"' in ln)
    size = out.stat().st_size
    out.unlink()
    return {
        "wall_s": wall,
        "rss_mb": rss,
        "mb": done["bytes"] / 1e6,
        "mb_per_s": done["mb_per_s"],
        "download_s": done["seconds"],
        "segments": done["segments"],
        "output_mb": size / 1e6,
    }


STREAM_CHILD = r"""
import asyncio, sys, time, json
from vodstream.sources.twitch import TwitchConfig, resolve_vod
from vodstream.sources.fetch import SegmentFetcher
async def main(url, vod_id, concurrency):
    vod = await resolve_vod(vod_id, config=TwitchConfig.from_env(url))
    t0 = time.perf_counter(); n = b = 0
    async with SegmentFetcher(concurrency=concurrency) as f:
        async for item in f.stream(vod.segments):
            n += 1; b += len(getattr(item, "data", b""))
    print(json.dumps({"segments": n, "bytes": b, "seconds": time.perf_counter() - t0}))
asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def stream(url: str, concurrency: int) -> dict[str, float]:
    wall, rss, out, _ = run_measured(STREAM_CHILD, url, VOD_ID, str(concurrency))
    res = json.loads(out.strip().splitlines()[-1])
    return {
        "wall_s": wall,
        "rss_mb": rss,
        "mb": res["bytes"] / 1e6,
        "segments": res["segments"],
        "mb_per_s": res["bytes"] / 1e6 / res["seconds"],
    }


def median(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in rows) for k in rows[0]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (median reported)")
    ap.add_argument("--quick", action="store_true", help="1 run, no 5-hour VOD")
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()
    runs = 1 if args.quick else args.runs
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="vodstream-dlbench-"))
    results: dict[str, object] = {
        "runs": runs,
        "concurrency": args.concurrency,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "segment_seconds": SEGMENT_SECONDS,
    }
    try:
        base = make_base(work / "lib")
        seg_mb = sum(p.stat().st_size for p in (base / "chunked").glob("*.ts")) / BASE_SEGMENTS / 1e6
        results["segment_mb"] = round(seg_mb, 3)
        rows: list[tuple[str, dict[str, float]]] = []

        srv = Server(work / "lib", repeat=10)  # 10-minute VOD
        try:
            for label, conc in (
                (f"loopback, concurrency {args.concurrency}", args.concurrency),
                ("loopback, sequential (1)", 1),
            ):
                rows.append((label, median([download(srv.url, work / "v.ts", conc) for _ in range(runs)])))
        finally:
            srv.stop()
        srv = Server(work / "lib", repeat=10, faults="latency:50ms")  # 50 ms to first byte
        try:
            for label, conc in (
                (f"50 ms latency, concurrency {args.concurrency}", args.concurrency),
                ("50 ms latency, sequential (1)", 1),
            ):
                rows.append((label, median([download(srv.url, work / "v.ts", conc) for _ in range(runs)])))
        finally:
            srv.stop()
        srv = Server(work / "lib", repeat=10, faults="trickle:1.0")  # ~0.8 MB/s per connection
        try:
            for label, conc in (
                (f"capped 0.8 MB/s/conn, concurrency {args.concurrency}", args.concurrency),
                ("capped 0.8 MB/s/conn, sequential (1)", 1),
            ):
                rows.append(
                    (label, median([download(srv.url, work / "v.ts", conc, end=120.0) for _ in range(runs)]))
                )
        finally:
            srv.stop()

        rss: list[tuple[str, dict[str, float]]] = []
        lengths = (
            [("10 min", 10), ("1 h", 60), ("5 h", 300)] if not args.quick else [("10 min", 10), ("1 h", 60)]
        )
        for name, repeat in lengths:
            srv = Server(work / "lib", repeat=repeat)
            try:
                rss.append(
                    (
                        f"download .ts, {name}",
                        median([download(srv.url, work / "v.ts", args.concurrency) for _ in range(runs)]),
                    )
                )
                rss.append(
                    (
                        f"stream in memory, {name}",
                        median([stream(srv.url, args.concurrency) for _ in range(runs)]),
                    )
                )
            finally:
                srv.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"\nvodstream download benchmark  ({runs} run(s), median; segments ~{seg_mb:.2f} MB / 10 s; "
        f"{os.cpu_count()} CPUs)\n"
    )
    print(f"{'throughput':<44} {'segments':>8} {'MB':>8} {'MB/s':>8} {'wall s':>8}")
    for label, r in rows:
        print(f"{label:<44} {r['segments']:>8.0f} {r['mb']:>8.1f} {r['mb_per_s']:>8.1f} {r['wall_s']:>8.1f}")
    for kind in ("loopback", "50 ms", "capped"):
        pair = [r for label, r in rows if label.startswith(kind)]
        print(f"  {kind}: concurrent / sequential = {pair[0]['mb_per_s'] / pair[1]['mb_per_s']:.2f}x")
    print(f"\n{'peak RSS':<44} {'segments':>8} {'MB':>8} {'RSS MB':>8} {'MB/s':>8}")
    for label, r in rss:
        print(f"{label:<44} {r['segments']:>8.0f} {r['mb']:>8.1f} {r['rss_mb']:>8.1f} {r['mb_per_s']:>8.1f}")
    results["throughput"] = {label: r for label, r in rows}
    results["rss"] = {label: r for label, r in rss}
    path = OUT / "download_bench.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
