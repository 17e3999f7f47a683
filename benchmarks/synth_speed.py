"""How fast is a synthetic VOD made? Render + encode speed in video-seconds per wall-second.

    python benchmarks/synth_speed.py [--presets test,demo] [--seconds 30] [--runs 3]
                                     [--sizes 1280x720,1920x1080] [--x264-preset veryfast]

For each preset (its script cut to ``--seconds``; ``--sizes`` re-renders it at other source
sizes) it runs, ``--runs`` times each:

* **render only**: timeline + renderer + RGB->YUV for every source frame (unchanged frames reused),
  nothing encoded;
* **full**: ``vodstream.testbed.synth.encode.encode`` into a temporary directory: every variant encoded
  (libx264 + AAC), Twitch layout written. Its wall time is split into render / RGB->YUV /
  video encode (incl. downscale + mux) / audio, as measured inside the loop.

"encode only" is full minus render-only. Reports medians, plus CPU seconds (process time,
all threads), since the box is shared. Prints a table; writes JSON to
benchmarks/out/synth_speed.json.

(benchmarks/render_speed.py measures the renderer alone, in-match frames, one core.)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runinfo import git_head

from vodstream import log as logconf
from vodstream.testbed import synth
from vodstream.testbed.synth.encode import EncodeOptions, FrameSource, encode

OUT = ROOT / "benchmarks" / "out"


def render_only(script: synth.Script) -> dict[str, float]:
    src = FrameSource(script)
    c0, t0 = time.process_time(), time.perf_counter()
    for i in range(script.frame_count):
        src.frame(i)
    return {
        "wall": time.perf_counter() - t0,
        "cpu": time.process_time() - c0,
        "rendered": src.stats.rendered,
        "frames": script.frame_count,
    }


def full(script: synth.Script, x264_preset: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="synth-speed-") as tmp:
        c0 = time.process_time()
        _path, stats = encode(script, tmp, options=EncodeOptions(x264_preset=x264_preset))
        cpu = time.process_time() - c0
    d = stats.as_dict()
    d["cpu"] = cpu
    return d


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", default="test,demo", help="comma-separated presets")
    ap.add_argument("--seconds", type=float, default=30.0, help="cut each script to this many seconds")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default="", help="e.g. 1280x720,1920x1080: extra source sizes per preset")
    ap.add_argument("--x264-preset", default=None, help="override the script's x264 preset")
    ap.add_argument("--out", type=Path, default=OUT / "synth_speed.json")
    args = ap.parse_args(argv)
    logconf.configure(logging.WARNING)

    configs: list[tuple[str, synth.Script]] = []
    for name in [p for p in args.presets.split(",") if p]:
        base = synth.preset(name)
        configs.append((name, base.cut(min(args.seconds, base.vod_duration))))
        for size in [s for s in args.sizes.split(",") if s]:
            w, h = (int(x) for x in size.lower().split("x"))
            if (w, h) != (base.width, base.height):
                s = base.replace(width=w, height=h, bitrate=None).cut(min(args.seconds, base.vod_duration))
                configs.append((f"{name}@{w}x{h}", s))

    rows = []
    for label, script in configs:
        ro = [render_only(script) for _ in range(args.runs)]
        fu = [full(script, args.x264_preset) for _ in range(args.runs)]
        vs = script.vod_duration
        row = {
            "config": label,
            "size": f"{script.width}x{script.height}p{script.fps}",
            "variants": [v.name for v in script.variant_specs()],
            "x264_preset": args.x264_preset or script.x264_preset,
            "video_seconds": vs,
            "frames": script.frame_count,
            "rendered_frames": ro[0]["rendered"],
            "render_only_speed": vs / median([r["wall"] for r in ro]),
            "render_only_cpu_per_video_s": median([r["cpu"] for r in ro]) / vs,
            "full_speed": vs / median([f["wall"] for f in fu]),
            "full_cpu_per_video_s": median([f["cpu"] for f in fu]) / vs,
            "encode_only_wall_per_video_s": (
                median([f["wall"] for f in fu]) - median([r["wall"] for r in ro])
            )
            / vs,
            "split_wall_per_video_s": {
                k: median([f[k] for f in fu]) / vs
                for k in ("render_wall", "convert_wall", "encode_wall", "audio_wall")
            },
            "runs": {"render_only": ro, "full": fu},
        }
        rows.append(row)
        print(f"  {label}: full {row['full_speed']:.2f} video-s/s", file=sys.stderr)

    print(
        f"{'config':<18} {'source':<14} {'variants':<22} {'x264':<9} {'render-only':>11} {'full':>6} "
        f"{'cpu-s/video-s':>13}  split of full wall (render/yuv/encode/audio, s per video-s)"
    )
    for r in rows:
        sp = r["split_wall_per_video_s"]
        print(
            f"{r['config']:<18} {r['size']:<14} {'+'.join(r['variants']):<22} {r['x264_preset']:<9} "
            f"{r['render_only_speed']:>10.2f}x {r['full_speed']:>5.2f}x {r['full_cpu_per_video_s']:>13.2f}  "
            f"{sp['render_wall']:.2f}/{sp['convert_wall']:.2f}/{sp['encode_wall']:.2f}/{sp['audio_wall']:.2f}"
        )
    print("(speeds = video seconds per wall second, medians of", args.runs, "runs)")
    rev = git_head() or ""
    result = {
        "benchmark": "synth_speed",
        "git": rev,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "loadavg_at_end": os.getloadavg(),
        "seconds": args.seconds,
        "runs": args.runs,
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    os.replace(tmp, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
