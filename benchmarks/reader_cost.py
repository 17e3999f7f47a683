"""What the kill reader's contrast looks cost: CPU seconds to read every keyframe of whole VODs.

Renders (or reuses, like benchmarks/accuracy.py) synthetic VODs, decodes every keyframe with the
pipeline's decoder (VOD time from the playlist), and reads all of them with the shipped kill
reader twice -- as shipped, and with ``contrast_looks=()`` -- in batches like the pipeline's;
``--repeat`` runs of each, medians of process CPU time (one process, one thread: the machine is
shared, wall time is noise).

    python benchmarks/reader_cost.py [--vods 5101:default 6101:validation] [--repeat 3]

Prints a table and writes benchmarks/out/reader_cost.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import make_vod
from runinfo import git_head

from vodstream.media.decode import Decoder
from vodstream.readers.killreader import KillReader
from vodstream.sources.hls import parse_media
from vodstream.types import Sample, SegmentData

OUT = ROOT / "benchmarks" / "out"
BATCH = 5  # samples per read, as a 10 s segment's keyframes reach the reader


def keyframes(vod: Path) -> list[Sample]:
    """Every keyframe sample of the VOD's chunked variant, on the playlist's clock
    (:func:`vodstream.sources.hls.parse_media`, as the pipeline reads it)."""
    playlist = vod / "chunked" / "index-dvr.m3u8"
    dec = Decoder(mode="keyframes")
    samples: list[Sample] = []
    for seg in parse_media(playlist.read_text()).segments:
        data = (playlist.parent / seg.url).read_bytes()
        samples += dec.decode(SegmentData(segment=seg, data=data)).samples
    return samples


def cpu_seconds(reader: KillReader, huds: list) -> tuple[float, int]:
    """CPU seconds to read ``huds`` in batches, and how many readings were a number."""
    t = time.process_time()
    read = 0
    for g in range(0, len(huds), BATCH):
        read += sum(r.kills is not None for r in reader.read_huds(huds[g : g + BATCH]))
    return time.process_time() - t, read


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--vods",
        nargs="+",
        default=["5101:default", "6101:validation"],
        metavar="SEED:STYLE",
        help="accuracy.py's VODs (4 matches, 10 fps): seed and HUD style family",
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--workdir", type=Path, default=OUT / "reader-cost-vods", help="VODs cached under WORKDIR/STYLE/SEED"
    )
    ap.add_argument("--out", type=Path, default=OUT / "reader_cost.json")
    args = ap.parse_args(argv)
    try:
        vods = [(int(s), style) for s, style in (v.split(":", 1) for v in args.vods)]
    except ValueError:
        sys.stderr.write("error: --vods: each must be SEED:STYLE, e.g. 5101:default\n")
        return 2
    shipped, plain = KillReader(), KillReader(contrast_looks=())
    rows = []
    for seed, style in vods:
        vod = make_vod(seed, 4, 10, args.workdir / style, style)
        huds = [s.hud for s in keyframes(vod)]
        times: dict[str, list[float]] = {"plain": [], "shipped": []}
        read = {}
        for _ in range(args.repeat):
            for name, reader in (("plain", plain), ("shipped", shipped)):
                sec, n = cpu_seconds(reader, huds)
                times[name].append(sec)
                read[name] = n
        med = {k: statistics.median(v) for k, v in times.items()}
        rows.append(
            {
                "vod": f"{seed} ({style})",
                "keyframes": len(huds),
                "cpu_s_without": round(med["plain"], 2),
                "cpu_s_with": round(med["shipped"], 2),
                "extra": round(med["shipped"] / med["plain"] - 1.0, 3),
                "read_without": read["plain"],
                "read_with": read["shipped"],
            }
        )
    print(f"kill reader CPU seconds per VOD, median of {args.repeat} (contrast looks off / on):")
    print(f"{'vod':<20} {'keyframes':>9} {'without':>8} {'with':>8} {'extra':>7} {'numbers read':>14}")
    for r in rows:
        print(
            f"{r['vod']:<20} {r['keyframes']:>9} {r['cpu_s_without']:>8.2f} {r['cpu_s_with']:>8.2f} "
            f"{r['extra']:>+7.0%} {r['read_without']:>6} -> {r['read_with']}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    info = {
        "command": "python benchmarks/reader_cost.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "commit": git_head(),
        "utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "repeat": args.repeat,
        "rows": rows,
    }
    tmp.write_text(json.dumps(info, indent=1))
    tmp.replace(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
