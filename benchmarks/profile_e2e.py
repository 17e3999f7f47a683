"""Where the time of one ``vodstream analyze`` goes, in every process (driver, Ray workers, raylet, agents).

Serves a rendered VOD (``vodstream bench``'s cache, or ``--vod-dir``) with the local server, runs
``vodstream analyze`` under ``py-spy record --subprocesses`` (``pip install py-spy==0.4.0``, the
``profile`` extra) and sums the samples per process and per kind of work: imports (start-up),
OCR, decode, kill reader, markers, Ray's idle loop and runtime, fetch.

    python benchmarks/profile_e2e.py [--vod-dir DIR] [--rate 40] [--repeat N]

Prints the summary and writes benchmarks/out/profile_e2e.json (and the raw stacks beside it).
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import rendered_vod, vod_info

OUT = ROOT / "benchmarks" / "out"

# first match wins: what a sample's stack (inside its own process) is doing
KINDS = [
    ("import (start-up)", "_find_and_load"),
    ("ocr (tesseract)", "vodstream/readers/ocr.py"),
    ("decode", "vodstream/media/decode.py"),
    ("kill reader", "vodstream/readers/killreader.py"),
    ("kill reader", "vodstream/readers/digits.py"),
    ("markers", "vodstream/readers/markers.py"),
    ("tracker", "vodstream/matches/tracker.py"),
    ("fetch", "vodstream/sources/fetch.py"),
    ("torch", "torch/"),
    ("ray idle loop", "main_loop (ray/_private/worker.py"),
    ("ray runtime", "ray/"),
]


def process_kind(cmd: str) -> str:
    exe = cmd.split(" ")[0]
    if exe.endswith("raylet"):  # Python stacks under raylet's command line: the agents it forks
        return "ray agent"
    if exe.endswith("gcs_server"):
        return "gcs"
    if "default_worker.py" in cmd:
        return "ray worker"
    if "agent" in cmd.split(" --")[0]:
        return "ray agent"
    if "vodstream" in cmd.split(" --")[0]:
        return "driver"
    return "other"


def summarise(raw: Path, rate: float) -> dict[str, object]:
    per: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    kinds: dict[str, str] = {}
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, n_text = line.rsplit(" ", 1)
        frames = stack.split(";")
        idx = max(i for i, f in enumerate(frames) if f.startswith("process "))
        m = re.match(r'process (\d+):"(.*)"', frames[idx])
        pid, cmd = (m.group(1), m.group(2)) if m else ("?", frames[idx])
        kinds[pid] = process_kind(cmd)
        body = ";".join(frames[idx + 1 :])
        what = next((k for k, needle in KINDS if needle in body), "other")
        per[pid][what] += int(n_text)
    procs = [
        {
            "pid": pid,
            "process": kinds[pid],
            "seconds": round(sum(c.values()) / rate, 2),
            "by_kind": {k: round(v / rate, 2) for k, v in c.most_common()},
        }
        for pid, c in sorted(per.items(), key=lambda kv: -sum(kv[1].values()))
    ]
    total: collections.Counter[str] = collections.Counter()
    for c in per.values():
        total.update(c)
    return {
        "seconds": round(sum(total.values()) / rate, 2),
        "by_kind": {k: round(v / rate, 2) for k, v in total.most_common()},
        "processes": procs,
    }


def _shown(path: Path) -> str:
    """``path`` relative to the repository when inside it (benchmarks/out is)."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def main() -> int:
    from vodstream.testbed.server import ServerThread

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--vod-dir", type=Path, default=None, help="a rendered synth VOD (default: the demo preset)"
    )
    ap.add_argument("--rate", type=float, default=40.0, help="samples per second per process")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="serve the VOD N times back to back (a longer VOD: steady state)",
    )
    ap.add_argument("--json", type=Path, default=OUT / "profile_e2e.json")
    args = ap.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("profile_e2e: needs py-spy (pip install py-spy==0.4.0)", file=sys.stderr)
        return 2
    vod_dir = args.vod_dir or rendered_vod("demo")
    info = vod_info(vod_dir)
    raw = args.json.with_suffix(".raw.txt")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    with ServerThread(vod_dir.parent, repeat=args.repeat) as srv, tempfile.TemporaryDirectory() as tmp:
        cmd = [
            spy,
            "record",
            "--subprocesses",
            "--format",
            "raw",
            "-r",
            str(int(args.rate)),
            "-o",
            str(raw),
            "--",
            sys.executable,
            "-m",
            "vodstream",
            "-q",
            "analyze",
            info["vod_id"],
            "--out",
            tmp,
            "--twitch-base",
            srv.base_url,
            "--no-catalog",
            "--no-progress",
        ]
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        report = Path(tmp) / info["vod_id"] / "report.json"
        while proc.poll() is None and not report.is_file():
            time.sleep(0.5)
        wall = time.monotonic() - t0
        try:  # py-spy waits for every traced process; a worker paused by it may linger: stop it then
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)
            proc.wait(30)
        timings = json.loads(report.read_text())["timings"] if report.is_file() else {}
    if not raw.is_file():
        print(
            f"profile_e2e: py-spy wrote nothing: {proc.stderr.read() if proc.stderr else ''}",
            file=sys.stderr,
        )
        return 1
    res = {
        "vod": info["vod_id"],
        "vod_s": info["duration"] * args.repeat,
        "args": (f" --vod-dir {_shown(args.vod_dir)}" if args.vod_dir else "")
        + (f" --repeat {args.repeat}" if args.repeat > 1 else ""),
        "wall_s": round(wall, 2),
        "utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "timings": timings,
        "rate": args.rate,
        **summarise(raw, args.rate),
    }
    lines = [
        f"py-spy --subprocesses at {args.rate:g} Hz, `vodstream analyze` of VOD {info['vod_id']} "
        f"({res['vod_s']:.0f} s): wall {wall:.1f} s, {res['seconds']} s of samples in all processes",
        "all processes: " + ", ".join(f"{k} {v:.1f} s" for k, v in res["by_kind"].items()),
    ]
    for p in res["processes"]:
        if p["seconds"] >= 0.2:
            lines.append(
                f"  {p['process']:<10} {p['seconds']:>5.1f} s: "
                + ", ".join(f"{k} {v:.1f}" for k, v in list(p["by_kind"].items())[:5])
            )
    print("\n".join(lines))
    args.json.write_text(json.dumps({**res, "summary": lines}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
