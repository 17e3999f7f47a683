"""How close is the synthetic HUD to the real one? Side-by-side pictures and a geometry score.

    python benchmarks/hud_likeness.py [--fixtures ../shared/fixtures/apex-real] [--font rajdhani-bold]

For every real top-right crop in ../shared/fixtures/apex-real/hud_topright/ (labels.csv: kills,
original frame size, crop box, notes with squads left / alive / red / era) this renders the
synthetic HUD at the same frame size and state and writes, to benchmarks/out/hud_likeness/:

    <name>.png   row 1: real | synthetic (own background) | real with the synthetic HUD's
                 outline in cyan;  row 2: the HUD band zoomed 3x, real above synthetic
    index.html   all pictures with their numbers;   hud_likeness.json   the table

The score ``f1`` compares the bright (white ink) pixels of the HUD band in the real crop and
in the synthetic HUD drawn over a flat grey, with 1 px tolerance (1.0 = same white pixels).
Bright real backgrounds lower it, so compare runs, not crops. The real images are
EVALUATION ONLY: read from ../shared at run time, never copied into the repository.
Exits 0 and says so when the fixtures are absent.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import re
import statistics
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2
import numpy as np
from PIL import Image

from vodstream.readers.regions import hud_box, hud_scale
from vodstream.testbed.synth.canvas import composite
from vodstream.testbed.synth.render import HUD_FONTS, Renderer
from vodstream.testbed.synth.state import FrameState

DEFAULT_FIXTURES = ROOT.parent / "shared" / "fixtures" / "apex-real"
OUT = ROOT / "benchmarks" / "out" / "hud_likeness"


def state_from_label(row: dict[str, str]) -> tuple[FrameState, str]:
    """The FrameState that shows what a real crop shows (as far as the renderer models it)."""
    notes = row["notes"]
    kills_s = row["kills"]
    hidden = kills_s.startswith("0-hidden")
    kills = 0 if hidden else int(re.sub(r"\D", "", kills_s) or 0)
    m = re.search(r"(\d+) SQUADS LEFT", notes)
    squads = int(m.group(1)) if m else 20
    m = re.search(r"SQUADS LEFT\W{1,3}(\d+)", notes) or re.search(r"(\d+) alive", notes)
    alive = int(m.group(1)) if m else 5  # '?' (< 10) when not given
    red = bool(re.search(r"\(red\)|in RED", notes)) and "alive box red" not in notes
    era = "2019" if "SEASON-1" in notes else "modern"
    mode = "trios"
    for tag in ("RANKED", "DUOS", "ELITE"):
        if tag in notes:
            mode = tag.lower()
    layout = "2019" if era == "2019" else mode
    m = re.search(r"assists (\d+)", notes)
    st = FrameState(
        t=0.0,
        screen="in_match",
        era=era,
        kills=kills,
        show_kill_box=not hidden,
        red=red,
        squads_left=squads,
        alive=alive,
        spectators=2 if era == "2019" else 0,
        hud_mode=mode,
        assists=int(m.group(1)) if m else 0,
        scene_seed=zlib.crc32(row["file"].encode()) % 1000,
        camera_t=1.0,
    )
    return st, layout


def hud_alpha(r: Renderer, st: FrameState, box: tuple[int, int, int, int]) -> np.ndarray:
    """Coverage (0..1) of the synthetic HUD inside `box` (frame coordinates)."""
    x0, y0, x1, y1 = box
    acc = np.zeros((y1 - y0, x1 - x0, 3), np.uint8)
    for layer in r.layers(st):
        white = type(layer)(
            layer.x, layer.y, layer.alpha, layer.alpha * np.float32(255.0) * np.ones(3, np.float32)
        )
        composite(acc, white, (x0, y0))
    return acc[..., 0].astype(np.float32) / 255.0


def hud_over_grey(r: Renderer, st: FrameState, box: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = box
    img = np.full((y1 - y0, x1 - x0, 3), 110, np.uint8)
    for layer in r.layers(st):
        composite(img, layer, (x0, y0))
    return img


def f1_tolerant(a: np.ndarray, b: np.ndarray) -> float:
    """F1 of two boolean masks where a pixel within 1 px of the other mask counts as matched."""
    if not a.any() and not b.any():
        return 1.0
    k = np.ones((3, 3), np.uint8)
    da = cv2.dilate(a.astype(np.uint8), k) > 0
    db = cv2.dilate(b.astype(np.uint8), k) > 0
    p = (a & db).sum() / max(1, a.sum())
    q = (b & da).sum() / max(1, b.sum())
    return float(0.0 if p + q == 0 else 2 * p * q / (p + q))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    ap.add_argument("--font", default="rajdhani-bold", choices=HUD_FONTS)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    labels = args.fixtures / "labels.csv"
    if not labels.is_file():
        print(f"skipped: {labels} not found (the real frames live in ../shared, outside the repo)")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    rows = [r for r in csv.DictReader(labels.open()) if r["file"].startswith("hud_topright/")]
    results = []
    for row in rows:
        W, H = (int(v) for v in row["orig_frame"].split("x"))
        real = np.asarray(Image.open(args.fixtures / row["file"]).convert("RGB"))
        st, layout = state_from_label(row)
        r = Renderer(W, H, seed=1, hud_font=args.font)
        box = hud_box(W, H)
        syn = r.render_rect(st, box)
        if syn.shape != real.shape:  # labels' crop box and regions.hud_box disagree by rounding
            syn = cv2.resize(syn, (real.shape[1], real.shape[0]), interpolation=cv2.INTER_AREA)
        alpha = hud_alpha(r, st, box)[: real.shape[0], : real.shape[1]]
        edges = (
            cv2.morphologyEx((alpha > 0.5).astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((2, 2), np.uint8))
            > 0
        )
        over = real.copy()
        over[edges] = (0, 255, 255)
        s = hud_scale(W, H)
        b0 = round(44 * s)
        b1 = min(real.shape[0], round((130 if st.hud_mode == "ranked" else 88) * s))
        grey = hud_over_grey(r, st, box)[: real.shape[0], : real.shape[1]]
        cols = np.nonzero((alpha[b0:b1] > 0.05).any(axis=0))[0]
        c0 = max(0, (cols[0] if cols.size else 0) - round(6 * s))
        syn_mask = grey[b0:b1, c0:].min(axis=2) > 200
        real_mask = real[b0:b1, c0:].min(axis=2) > 200
        f1 = f1_tolerant(syn_mask, real_mask)
        top = np.concatenate([real, syn, over], axis=1)
        band_r = cv2.resize(real[b0:b1, c0:], None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)
        band_s = cv2.resize(syn[b0:b1, c0:], None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)
        band = np.concatenate([band_r, np.full((4, band_r.shape[1], 3), 255, np.uint8), band_s], axis=0)
        canvas = np.zeros((top.shape[0] + 6 + band.shape[0], max(top.shape[1], band.shape[1]), 3), np.uint8)
        canvas[: top.shape[0], : top.shape[1]] = top
        canvas[top.shape[0] + 6 :, : band.shape[1]] = band
        name = Path(row["file"]).stem
        Image.fromarray(canvas).save(args.out / f"{name}.png")
        results.append(
            {
                "file": row["file"],
                "frame": row["orig_frame"],
                "kills": row["kills"],
                "layout": layout,
                "red": st.red,
                "squads_left": st.squads_left,
                "alive": st.alive,
                "f1_white": round(f1, 3),
                "picture": f"{name}.png",
                "notes": row["notes"],
            }
        )
    scores = [x["f1_white"] for x in results]
    summary = {
        "font": args.font,
        "crops": len(results),
        "median_f1_white": round(statistics.median(scores), 3) if scores else None,
    }
    (args.out / "hud_likeness.json").write_text(json.dumps({"summary": summary, "crops": results}, indent=1))
    page = [
        "<html><body style='background:#222;color:#ddd;font-family:sans-serif'>",
        f"<h2>HUD likeness (font {html.escape(args.font)}): real | synthetic | real + synthetic outline</h2>",
    ]
    for x in results:
        page.append(
            f"<h4>{html.escape(x['file'])} {x['frame']} kills={x['kills']} layout={x['layout']} "
            f"red={x['red']} f1={x['f1_white']}</h4><img src='{x['picture']}'>"
        )
    page.append("</body></html>")
    (args.out / "index.html").write_text("\n".join(page))
    print(f"{'file':34} {'frame':10} {'kills':9} {'layout':24} {'red':5} {'f1_white':>8}")
    for x in results:
        print(
            f"{Path(x['file']).name:34} {x['frame']:10} {x['kills']:9} {x['layout']:24} {x['red']!s:5} "
            f"{x['f1_white']:8.3f}"
        )
    print(
        f"median f1_white over {len(results)} crops: {summary['median_f1_white']}  "
        f"(pictures: {args.out}/index.html)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
