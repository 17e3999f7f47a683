"""How damaged is the HUD in the keyframes of a Twitch-like VOD? (calibrates the accuracy sets)

    python benchmarks/stream_quality.py [--seconds 36] [--sizes 1280x720,1920x1080]

The kill reader reads keyframes. Its accuracy benchmarks damage HUD crops with all-intra
libx264 at a given crf (benchmarks/kill_accuracy.py per sample; the held-out "stream" and
"stress" digit sets of models/data.QUALITIES). Which crf is as harsh as a real stream?

Per frame size: renders an in-match stretch at 60 fps (camera moving every frame, a new
background scene every 6 s, the HUD with a kill count), encodes it the way the synthetic VODs
are encoded (vodstream.testbed.synth: libx264 veryfast, ABR at the Twitch-ladder bitrate of
vodstream.testbed.synth.script.default_bitrate, closed 2 s GOPs), decodes it and measures the PSNR of
the top-right HUD crop (vodstream.readers.regions.hud_box) on every keyframe. Then encodes the same
keyframes all-intra at several crf values and measures them the same way. Prints a table
(median PSNR over keyframes, dB) and writes benchmarks/out/stream_quality.json.

A crf whose PSNR is BELOW the VOD keyframes' is a harsher test than our VODs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np
from kill_accuracy import encode_decode, gop_keyframes, write_json

from vodstream.readers.regions import hud_box
from vodstream.testbed.synth.encode import GOP_SECONDS
from vodstream.testbed.synth.render import Renderer
from vodstream.testbed.synth.script import default_bitrate
from vodstream.testbed.synth.state import FrameState

CRFS = (18, 20, 23, 26, 28, 30)


def hud_psnr(a: np.ndarray, b: np.ndarray, box: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = box
    d = a[y0:y1, x0:x1].astype(np.float32) - b[y0:y1, x0:x1].astype(np.float32)
    return float(10.0 * np.log10(255.0**2 / max(float(np.mean(d * d)), 1e-6)))


def vod_keyframes(width: int, height: int, seconds: int, fps: int, seed: int) -> tuple[list, list, int]:
    """Render and GOP-encode; return (original keyframes, decoded keyframes, bitrate)."""
    renderer = Renderer(width, height, seed=seed, hud_font="rajdhani-bold")
    gop = GOP_SECONDS * fps
    originals: list[np.ndarray] = []
    base = FrameState(
        t=0.0,
        screen="in_match",
        era="modern",
        scene_seed=seed,
        camera_t=0.0,
        kills=7,
        show_kill_box=True,
        squads_left=12,
        alive=30,
    )

    def frames():
        for i in range(seconds * fps):
            t = i / fps
            img = np.array(
                renderer.render(
                    replace(
                        base, t=t, camera_t=t, scene_seed=seed + 7919 * int(t // 6), kills=7 + int(t // 6)
                    )
                )
            )
            if i % gop == 0:
                originals.append(img)
            yield img

    decoded = gop_keyframes(frames(), width, height, fps)
    return originals, decoded, default_bitrate(width, height, fps)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=36)
    ap.add_argument("--fps", type=int, default=60)
    ap.add_argument("--sizes", default="1280x720,1920x1080")
    ap.add_argument("--seed", type=int, default=10**6 + 7, help="test-split scenes (never trained on)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "stream_quality.json")
    args = ap.parse_args(argv)
    rows = []
    for size in args.sizes.split(","):
        w, h = (int(v) for v in size.lower().split("x"))
        box = hud_box(w, h)
        t0 = time.perf_counter()
        orig, dec, bitrate = vod_keyframes(w, h, args.seconds, args.fps, args.seed)
        # the first keyframe opens the stream (no rate-control history): leave it out
        orig, dec = orig[1:], dec[1 : len(orig) + 1]
        row: dict[str, object] = {
            "size": f"{w}x{h}",
            "fps": args.fps,
            "bitrate": bitrate,
            "keyframes": len(orig),
            "vod": statistics.median(hud_psnr(a, b, box) for a, b in zip(orig, dec, strict=True)),
        }
        for crf in CRFS:
            intra = encode_decode(orig, crf)
            row[f"crf{crf}"] = statistics.median(
                hud_psnr(a, b, box) for a, b in zip(orig, intra, strict=True)
            )
        row["seconds"] = round(time.perf_counter() - t0, 1)
        rows.append(row)
    print(f"HUD-crop PSNR of keyframes, median dB ({args.seconds} s per size at {args.fps} fps)")
    head = f"{'size':<10} {'bitrate':>8} {'VOD (2 s GOP)':>14} " + " ".join(
        f"{'crf ' + str(c):>7}" for c in CRFS
    )
    print(head)
    for r in rows:
        print(
            f"{r['size']:<10} {r['bitrate'] / 1e6:>6.2f}M {r['vod']:>14.2f} "
            + " ".join(f"{r[f'crf{c}']:>7.2f}" for c in CRFS)
        )
    write_json(args.out, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
