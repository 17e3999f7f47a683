"""Decoder throughput: keyframe vs fixed-rate vs full decode, at 1080p60 and 720p60.

Test media is made here with PyAV/libx264 (a moving, noisy texture, 2 s GOP, B-frames,
Twitch-like bitrates) as one 10 s MPEG-TS segment per resolution, cached under
benchmarks/out/media/. Each case decodes the same in-memory bytes:

* ``bare keyframes``: a plain PyAV loop (``skip_frame="NONKEY"``, one thread, no conversion)
* ``keyframes``: vodstream's Decoder, default mode (crops + VOD-time stamps included)
* ``fps 0.33 / 1 / 2``: the Decoder at a fixed sample rate
* ``all frames``: the Decoder sampling every frame (crops for each)
* ``bare full decode``: a plain PyAV loop decoding every frame, no conversion

All decoders run with one thread, OpenCV too (as in the pipeline's decoder pool). Wall and CPU seconds are the
medians over ``--runs`` (cases interleaved run by run, so machine load hits all alike).
The keyframe path should stay within 1.3x of the bare keyframe loop.

    python benchmarks/decode_bench.py [--runs 5] [--seconds 10] [--sizes 1080p60,720p60]

Prints a table and writes benchmarks/out/decode_bench.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import av
import cv2

from vodstream.media.decode import Decoder
from vodstream.types import Segment, SegmentData

OUT = ROOT / "benchmarks" / "out"

SIZES = {  # name: (width, height, fps, bit rate) -- Twitch-like ladder rungs
    "1080p60": (1920, 1080, 60.0, 6_000_000),
    "720p60": (1280, 720, 60.0, 3_500_000),
    "480p30": (852, 480, 30.0, 1_400_000),
}


def make_media(name: str, seconds: float, preset: str) -> bytes:
    """One TS segment for ``name``, cached on disk (encoding 1080p60 takes a while)."""
    from media import encode_segments  # tests/media.py: the project's test-media generator

    w, h, fps, rate = SIZES[name]
    path = OUT / "media" / f"{name}_{seconds:g}s_{preset}.ts"
    if path.is_file():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    seg = encode_segments(
        width=w,
        height=h,
        fps=fps,
        segment_seconds=seconds,
        n_segments=1,
        gop_seconds=2.0,
        kind="ts",
        preset=preset,
        bit_rate=rate,
        grain=8,
    )[0]
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(seg.data)
    os.replace(tmp, path)
    print(f"  encoded {name} ({seconds:g} s) in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return seg.data


def bare_keyframes(data: bytes) -> tuple[int, int]:
    # the decoder's cheap probe and open: a floor, not more
    from vodstream.media.decode import CONTAINER_OPTIONS, PROBE_OPTIONS

    with av.open(
        io.BytesIO(data), format="mpegts", container_options=CONTAINER_OPTIONS, stream_options=PROBE_OPTIONS
    ) as c:
        stream = c.streams.video[0]
        stream.codec_context.thread_count = 1
        stream.codec_context.skip_frame = "NONKEY"
        n = sum(1 for _ in c.decode(stream))
    return n, n


def bare_full(data: bytes) -> tuple[int, int]:
    with av.open(io.BytesIO(data), format="mpegts") as c:
        stream = c.streams.video[0]
        stream.codec_context.thread_count = 1
        n = sum(1 for _ in c.decode(stream))
    return n, n


def crop_costs(name: str, data: bytes, runs: int) -> dict[str, object]:
    """CPU ms per frame for the decoder's crop (planes) vs a whole-frame rgb24 conversion."""
    from vodstream.media.decode import crop_frame, crop_rgb

    with av.open(io.BytesIO(data), format="mpegts") as c:
        frames = [f for _, f in zip(range(30), c.decode(video=0), strict=False)]
    out: dict[str, list[float]] = {"planes": [], "rgb24": []}
    for _ in range(runs):
        t = time.process_time()
        for f in frames:
            crop_frame(f)
        out["planes"].append((time.process_time() - t) / len(frames) * 1000)
        t = time.process_time()
        for f in frames:
            crop_rgb(f.to_ndarray(format="rgb24"))
        out["rgb24"].append((time.process_time() - t) / len(frames) * 1000)
    return {
        "size": name,
        "planes_ms": round(statistics.median(out["planes"]), 4),
        "rgb24_ms": round(statistics.median(out["rgb24"]), 4),
    }


def decoder_case(**kwargs: object) -> Callable[[SegmentData], tuple[int, int]]:
    dec = Decoder(threads=1, **kwargs)  # type: ignore[arg-type]

    def run(data: SegmentData) -> tuple[int, int]:
        r = dec.decode(data)
        if r.gaps:
            raise RuntimeError(f"unexpected gaps: {r.gaps}")
        return len(r.samples), r.frames_decoded

    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=10.0, help="segment length (s)")
    ap.add_argument("--sizes", default="1080p60,720p60", help=f"any of {','.join(SIZES)}")
    ap.add_argument("--preset", default="superfast", help="x264 preset for the test media")
    ap.add_argument("--out", type=Path, default=OUT / "decode_bench.json")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)  # as in the pipeline's decoder actors (actors.common.pin_threads)

    load_before = os.getloadavg()
    rows: list[dict[str, object]] = []
    crops: list[dict[str, object]] = []
    for name in args.sizes.split(","):
        data = make_media(name, args.seconds, args.preset)
        seg = SegmentData(segment=Segment(index=0, start=0.0, duration=args.seconds, url=name), data=data)
        cases: dict[str, Callable[[], tuple[int, int]]] = {
            "bare keyframes": partial(bare_keyframes, data),
            "keyframes": partial(decoder_case(mode="keyframes"), seg),
            "fps 0.33": partial(decoder_case(mode="fps", sample_fps=0.33), seg),
            "fps 0.33 no-skip": partial(decoder_case(mode="fps", sample_fps=0.33, fps_skip="NONE"), seg),
            "fps 0.33 bidir": partial(decoder_case(mode="fps", sample_fps=0.33, fps_skip="BIDIR"), seg),
            "fps 1": partial(decoder_case(mode="fps", sample_fps=1.0), seg),
            "fps 2": partial(decoder_case(mode="fps", sample_fps=2.0), seg),
            "all frames": partial(decoder_case(mode="all"), seg),
            "bare full decode": partial(bare_full, data),
        }
        for fn in cases.values():  # warm-up (imports, first-call costs)
            fn()
        wall: dict[str, list[float]] = {k: [] for k in cases}
        cpu: dict[str, list[float]] = {k: [] for k in cases}
        counts: dict[str, tuple[int, int]] = {}
        for _ in range(args.runs):
            for key, fn in cases.items():
                c0, t0 = time.process_time(), time.perf_counter()
                counts[key] = fn()
                wall[key].append(time.perf_counter() - t0)
                cpu[key].append(time.process_time() - c0)
        for key in cases:
            w, c = statistics.median(wall[key]), statistics.median(cpu[key])
            samples, frames = counts[key]
            rows.append(
                {
                    "size": name,
                    "case": key,
                    "samples": samples,
                    "frames_decoded": frames,
                    "wall_s": round(w, 4),
                    "cpu_s": round(c, 4),
                    "samples_per_s": round(samples / w, 2),
                    "video_s_per_wall_s": round(args.seconds / w, 2),
                    "video_s_per_cpu_s": round(args.seconds / c, 2) if c > 0 else None,
                    "runs": args.runs,
                }
            )
        crops.append(crop_costs(name, data, args.runs))
        kf = next(r for r in rows if r["size"] == name and r["case"] == "keyframes")
        bare = next(r for r in rows if r["size"] == name and r["case"] == "bare keyframes")
        kf["ratio_to_bare_wall"] = round(float(kf["wall_s"]) / float(bare["wall_s"]), 3)
        kf["ratio_to_bare_cpu"] = round(float(kf["cpu_s"]) / float(bare["cpu_s"]), 3)

    header = (
        f"{'size':8} {'case':17} {'samples':>7} {'frames':>6} {'wall s':>8} {'cpu s':>7} "
        f"{'samples/s':>9} {'video s/wall s':>14} {'video s/cpu s':>13}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['size']:8} {r['case']:17} {r['samples']:>7} {r['frames_decoded']:>6} "
            f"{r['wall_s']:>8.3f} {r['cpu_s']:>7.3f} {r['samples_per_s']:>9.1f} "
            f"{r['video_s_per_wall_s']:>14.1f} {r['video_s_per_cpu_s'] or 0:>13.1f}"
        )
    for r in rows:
        if "ratio_to_bare_wall" in r:
            ok = float(r["ratio_to_bare_cpu"]) <= 1.3 and float(r["ratio_to_bare_wall"]) <= 1.3
            print(
                f"{r['size']}: keyframe path / bare PyAV keyframe loop = "
                f"{r['ratio_to_bare_wall']}x wall, {r['ratio_to_bare_cpu']}x cpu "
                f"({'within' if ok else 'OVER'} 1.3x)"
            )
    print()
    print(f"{'size':8} {'crop path':34} {'ms/frame (cpu)':>14}")
    for c in crops:
        print(f"{c['size']:8} {'planes (Y for text, HUD box only)':34} {c['planes_ms']:>14.3f}")
        print(f"{c['size']:8} {'whole frame to rgb24, then slice':34} {c['rgb24_ms']:>14.3f}")
    result = {
        "benchmark": "decode_bench",
        "segment_seconds": args.seconds,
        "gop_seconds": 2.0,
        "preset": args.preset,
        "threads": 1,
        "pyav": av.__version__,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        },
        "rows": rows,
        "crops": crops,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
