"""Marker reader on REAL Apex screens (evaluation only: never used to tune or train).

    python benchmarks/marker_real_eval.py [--real ../shared/fixtures/apex-real]

Reads ../shared/fixtures/apex-real/{screens,full}/ and labels.csv at run time (the images are
never copied into the repo) and skips cleanly when the folder is absent. Each full frame is
cropped exactly as the decoder crops a decoded frame (vodstream.media.decode.crop_rgb: top 45 %,
luma, x0.5) and read by MarkerReader with hud_visible=False, as the scorer would for a frame
without the in-match HUD. screens/ holds frames already downscaled x0.5 (so they stand for a
540p stream); full/ holds 1920x1080 frames. Prints expected vs read; JSON to
benchmarks/out/marker_real_eval.json. Also measures the OCR cost per call of both backends
(tesserocr in-process vs pytesseract spawning the binary) on the same binarised lines.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_REAL = ROOT.parent / "shared" / "fixtures" / "apex-real"


def expected(kind: str, notes: str) -> tuple[set[str | None], int | None, int | None]:
    """(acceptable kinds, placement, of) from a labels.csv row."""
    n = re.search(r"PLACED #(\d+)", notes)
    k = re.search(r"PLACED #\d+ OF (\d+)", notes)
    placement = int(n.group(1)) if n else None
    of = int(k.group(1)) if k else None
    if kind.startswith("end_") and "crop" not in kind:
        return {"end"}, placement, of
    if kind.startswith("xp_match_summary"):
        return {"end", None}, None, None  # post-match XP screen: an end marker is harmless
    if kind.startswith("lobby_"):
        return {"lobby"}, None, None
    if kind.startswith(("pre_drop", "map_loading")):
        return {None}, None, None  # must NOT read as an end screen or SELECT LEGEND
    return set(), None, None  # not a full frame: skipped


def ocr_per_call(lines: list[Any], repeat: int = 3) -> dict[str, dict[str, Any]]:
    """Median seconds per read_line call of each backend on the same binarised lines."""
    import statistics

    from vodstream.readers.ocr import OcrUnavailableError, make_ocr

    out: dict[str, dict[str, Any]] = {}
    for name in ("tesserocr", "pytesseract"):
        try:
            eng = make_ocr(name)
        except OcrUnavailableError as err:
            out[name] = {"median_ms": float("nan"), "calls": 0, "error": str(err)}
            continue
        eng.read_line(lines[0]) if lines else None  # warm-up (tesserocr loads the model once)
        times = []
        for _ in range(repeat if name == "tesserocr" else 1):
            for img in lines:
                t0 = time.perf_counter()
                eng.read_line(img)
                times.append(time.perf_counter() - t0)
        out[name] = {
            "median_ms": round(statistics.median(times) * 1000, 2) if times else float("nan"),
            "calls": len(times),
        }
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--real", type=Path, default=DEFAULT_REAL)
    ap.add_argument(
        "--update-docs", action="store_true", help="rewrite the README's real-screen line from this run"
    )
    args = ap.parse_args()
    labels = args.real / "labels.csv"
    if not labels.is_file():
        print(f"skipped: {args.real} is not present", file=sys.stderr)
        return 0

    import cv2
    import numpy as np

    from vodstream.media.decode import crop_rgb
    from vodstream.readers.markers import MarkerReader, _binarise_line, _unit, find_text_lines
    from vodstream.types import Sample

    reader = MarkerReader()
    rows: list[dict[str, Any]] = []
    lines: list[Any] = []
    with labels.open(newline="") as fh:
        for r in csv.DictReader(fh):
            f = r["file"]
            if not f.startswith(("screens/", "full/")):
                continue
            kinds, placement, of = expected(r["kind"], r["notes"])
            if not kinds:
                continue
            bgr = cv2.imread(str(args.real / f), cv2.IMREAD_COLOR)
            if bgr is None:
                continue
            rgb = np.ascontiguousarray(bgr[..., ::-1])
            h, w = rgb.shape[:2]
            hud, text = crop_rgb(rgb)
            sample = Sample(vod_time=0.0, segment_index=0, frame_size=(w, h), hud=hud, text=text)
            for b in find_text_lines(text, _unit(sample), max_lines=4):
                lines.append(_binarise_line(text, b))
            c0, s0 = reader.ocr_calls, reader.ocr_seconds
            t0 = time.perf_counter()
            m = reader.read(sample, hud_visible=False)
            dt = time.perf_counter() - t0
            got_kind = m.kind if m else None
            ok = got_kind in kinds
            place_ok = None
            if placement is not None and got_kind == "end":
                place_ok = m is not None and m.placement == placement and (of is None or m.of == of)
            rows.append(
                {
                    "file": f,
                    "size": f"{w}x{h}",
                    "expected": sorted(k or "none" for k in kinds),
                    "placement": placement,
                    "of": of,
                    "read": got_kind,
                    "read_placement": m.placement if m else None,
                    "read_of": m.of if m else None,
                    "label": m.label if m else None,
                    "text": m.text if m else "",
                    "ok": ok,
                    "placement_ok": place_ok,
                    "ocr_calls": reader.ocr_calls - c0,
                    "ocr_ms": round((reader.ocr_seconds - s0) * 1000, 1),
                    "ms": round(dt * 1000, 1),
                }
            )

    print(
        f"{'file':52s} {'size':>9s} {'expected':>14s} {'read':>12s} {'#n/k want':>9s} {'#n/k read':>9s} "
        f"{'ok':>3s} {'ocr':>4s} {'ms':>6s}"
    )
    for r in rows:
        want_p = f"{r['placement'] or '-'}/{r['of'] or '-'}"
        got_p = f"{r['read_placement'] or '-'}/{r['read_of'] or '-'}"
        flag = "yes" if r["ok"] and r["placement_ok"] is not False else "NO"
        print(
            f"{r['file'][:52]:52s} {r['size']:>9s} {'|'.join(r['expected']):>14s} {r['read']!s:>12s} "
            f"{want_p:>9s} {got_p:>9s} {flag:>3s} {r['ocr_calls']:>4d} {r['ms']:>6.0f}"
        )
        if r["text"]:
            print(f"{'':52s} read: {r['text'][:90]!r}")
    n = len(rows)
    kinds_ok = sum(r["ok"] for r in rows)
    pl = [r for r in rows if r["placement"] is not None]
    pl_ok = sum(bool(r["placement_ok"]) for r in pl)
    print(
        f"\nkind right {kinds_ok}/{n}; placement right {pl_ok}/{len(pl)}; "
        f"OCR calls {sum(r['ocr_calls'] for r in rows)} ({sum(r['ocr_ms'] for r in rows):.0f} ms)"
    )
    per_call = ocr_per_call(lines)
    for name, v in per_call.items():
        print(
            f"OCR per call, {name}: median {v['median_ms']:.1f} ms over {v['calls']} binarised lines"
            + (f" ({v['error']})" if v.get("error") else "")
        )
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "marker_real_eval.json").write_text(
        json.dumps(
            {
                "rows": rows,
                "kind_right": kinds_ok,
                "n": n,
                "placement_right": pl_ok,
                "placement_n": len(pl),
                "ocr_per_call": per_call,
            },
            indent=1,
        )
    )
    if args.update_docs:
        from vodstream.report.document import replace_section

        missed = [r["file"] for r in rows if not r["ok"]]
        section = "\n".join(
            [
                DOC_BEGIN,
                "Real screens (`python benchmarks/marker_real_eval.py --update-docs`, "
                f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; report only): {kinds_ok}/{n} screen "
                f"kinds and {pl_ok}/{len(pl)} placements read right"
                + (f"; missed: {', '.join(Path(f).name for f in missed)}." if missed else "."),
                DOC_END,
            ]
        )
        replace_section(ROOT / "README.md", section, "## Real screens", DOC_BEGIN, DOC_END)
    return 0


DOC_BEGIN, DOC_END = "<!-- real-screens:begin -->", "<!-- real-screens:end -->"


if __name__ == "__main__":
    sys.exit(main())
