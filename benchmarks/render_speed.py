"""How fast does the synthetic frame renderer draw in-match frames? (one core)

    python benchmarks/render_speed.py [--seconds 20] [--fps 60] [--sizes 1280x720,1920x1080,854x480]

Renders a plausible in-match stretch per size on ONE OpenCV thread: the camera moving every
frame, the kill count changing every 4 s (red flash for 2.5 s), players alive dropping every
1.5 s, squads every 6 s, a new scene every 10 s (its texture build is counted), a spectating
span at the end. Reports frames per second overall (everything included) and for steady
frames (median over 1 s windows), plus HUD-crop renders per second (render_hud_crop, the
CNN-training path). Writes benchmarks/out/render_speed.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2

from vodstream.testbed.synth.render import Renderer, render_hud_crop
from vodstream.testbed.synth.state import FrameState


def state_at(t: float, duration: float) -> FrameState:
    kills = int(t // 4)
    return FrameState(
        t=t,
        screen="in_match",
        scene_seed=100 + int(t // 10),
        camera_t=t % 10,
        kills=kills,
        show_kill_box=kills > 0,
        red=kills > 0 and (t % 4) < 2.5,
        squads_left=20 - int(t // 6),
        alive=60 - int(t // 1.5),
        spectating=t > duration * 0.85,
    )


def bench(width: int, height: int, seconds: float, fps: int) -> dict:
    r = Renderer(width, height, seed=1)
    n = int(seconds * fps)
    per_frame = []
    t_all = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        r.render(state_at(i / fps, seconds))
        per_frame.append(time.perf_counter() - t0)
    wall = time.perf_counter() - t_all
    windows = [fps / sum(per_frame[k : k + fps]) for k in range(0, n - fps + 1, fps)]
    t0 = time.perf_counter()
    m = 600
    for i in range(m):
        render_hud_crop(state_at(i / fps, seconds), width, height, seed=1)
    crop_rate = m / (time.perf_counter() - t0)
    return {
        "size": f"{width}x{height}",
        "frames": n,
        "fps_overall": round(n / wall, 1),
        "fps_median_1s": round(statistics.median(windows), 1),
        "fps_worst_1s": round(min(windows), 1),
        "hud_crops_per_s": round(crop_rate, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--fps", type=int, default=60)
    ap.add_argument("--sizes", default="1280x720,1920x1080,854x480")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "render_speed.json")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    rows = []
    for wh in args.sizes.split(","):
        w, h = (int(v) for v in wh.split("x"))
        rows.append(bench(w, h, args.seconds, args.fps))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"threads": 1, "seconds": args.seconds, "fps": args.fps, "results": rows}, indent=1)
    )
    print(
        f"{'size':10} {'frames':>7} {'fps overall':>12} {'fps median 1s':>14} {'worst 1s':>9} {'crops/s':>8}"
    )
    for x in rows:
        print(
            f"{x['size']:10} {x['frames']:7d} {x['fps_overall']:12.1f} {x['fps_median_1s']:14.1f} "
            f"{x['fps_worst_1s']:9.1f} {x['hud_crops_per_s']:8.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
