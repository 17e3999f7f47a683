"""Read the real top-right HUD crops and print expected vs read, plus a score.

    python benchmarks/real_hud_eval.py [--fixtures ../shared/fixtures/apex-real] [--weights models/digits.pt]

The crops (../shared/fixtures/apex-real/hud_topright/, labels in ../labels.csv) are real
Apex frames used for EVALUATION ONLY: nothing here trains on them and nothing is copied into
the repository. Black areas are the dataset author's masks, not game pixels.
Expected values: a number; "0-hidden" (no kill box: None or 0 counts as right); "6?"
(ambiguous: reported, not scored). Writes JSON to benchmarks/out/real_hud_eval.json.
Exits 0 and says so when the fixtures are absent.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2
import torch
from runinfo import git_head

from models.net import BOX_WEIGHTS, DEFAULT_WEIGHTS, load_box_model, load_model
from vodstream.readers.killreader import KillReader

DEFAULT_FIXTURES = ROOT.parent / "shared" / "fixtures" / "apex-real"


def _judge(expected: str, kills: int | None) -> str:
    if expected.endswith("?"):
        return "n/a"
    if expected == "0-hidden":
        return "ok" if kills in (None, 0) else "WRONG"
    if kills is None:
        return "miss"
    return "ok" if kills == int(expected) else "WRONG"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    ap.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    ap.add_argument("--box-weights", type=Path, default=BOX_WEIGHTS)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "real_hud_eval.json")
    ap.add_argument(
        "--update-docs",
        action="store_true",
        help="rewrite the README's and the model card's real-crop section from this run's JSON",
    )
    args = ap.parse_args(argv)
    labels = args.fixtures / "labels.csv"
    if not labels.is_file() or not (args.fixtures / "hud_topright").is_dir():
        print(f"skipped: {args.fixtures} not present")
        return 0
    torch.set_num_threads(1)
    model = load_model(args.weights)
    reader = KillReader(model, box_model=load_box_model(args.box_weights))
    digit_path = KillReader(model, use_box=False)
    rows = []
    with labels.open(newline="") as fh:
        for r in csv.DictReader(fh):
            if r["kind"] == "hud_topright_crop" and r["file"].startswith("hud_topright/"):
                rows.append(r)
    huds, names, expected = [], [], []
    for r in rows:
        bgr = cv2.imread(str(args.fixtures / r["file"]), cv2.IMREAD_COLOR)
        if bgr is None:
            continue
        huds.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        names.append(Path(r["file"]).name)
        expected.append(r["kills"])
    t0 = time.perf_counter()
    readings = reader.read_huds(huds)
    dt = time.perf_counter() - t0
    alone = digit_path.read_huds(huds)
    boxes = reader.read_boxes(huds) if reader.box_model is not None else [None] * len(huds)
    results = []
    print(
        f"{'crop':<24} {'size':>9} {'expected':>9} {'read':>5} {'red':>4} {'hud':>4} {'conf':>6}  "
        f"{'reason':<16} {'2019 path':>9} {'box':>9}  verdict"
    )
    for name, hud, exp, rd, d, bx in zip(names, huds, expected, readings, alone, boxes, strict=True):
        verdict = _judge(exp, rd.kills)
        box_txt = f"{bx[0]}@{bx[1]:.2f}" if bx is not None else "-"
        results.append(
            {
                "crop": name,
                "size": f"{hud.shape[1]}x{hud.shape[0]}",
                "expected": exp,
                "read": rd.kills,
                "red": rd.red,
                "hud_visible": rd.hud_visible,
                "confidence": round(rd.confidence, 4),
                "reason": rd.reason,
                "verdict": verdict,
                "digit_path": d.kills,
                "digit_path_verdict": _judge(exp, d.kills),
                "box_reader": None if bx is None else {"kills": bx[0], "confidence": round(bx[1], 4)},
            }
        )
        print(
            f"{name:<24} {hud.shape[1]:>4}x{hud.shape[0]:<4} {exp:>9} {rd.kills!s:>5} "
            f"{'R' if rd.red else '-':>4} {'y' if rd.hud_visible else 'n':>4} {rd.confidence:>6.3f}  "
            f"{rd.reason:<16} {d.kills!s:>9} {box_txt:>9}  {verdict}"
        )
    scored = [r for r in results if r["verdict"] != "n/a"]
    right = sum(r["verdict"] == "ok" for r in scored)
    wrong = sum(r["verdict"] == "WRONG" for r in scored)
    miss = sum(r["verdict"] == "miss" for r in scored)
    visible = [r for r in scored if r["expected"] != "0-hidden"]
    vis_right = sum(r["verdict"] == "ok" for r in visible)
    hud_vis = sum(r["hud_visible"] for r in results)
    d_right = sum(r["digit_path_verdict"] == "ok" for r in scored)
    d_wrong = sum(r["digit_path_verdict"] == "WRONG" for r in scored)
    summary = {
        "crops": len(results),
        "scored": len(scored),
        "right": right,
        "wrong_number": wrong,
        "none_on_visible": miss,
        "visible_counters": len(visible),
        "visible_right": vis_right,
        "hidden_counters": len(scored) - len(visible),
        "hidden_right": right - vis_right,
        "hud_visible_detected": hud_vis,
        "digit_path_right": d_right,
        "digit_path_wrong": d_wrong,
        "seconds": round(dt, 3),
        "weights": str(args.weights),
        "box_weights": str(args.box_weights),
    }
    print(
        f"\nscore: {right}/{len(scored)} right ({wrong} wrong numbers, {miss} unread); "
        f"visible counters {vis_right}/{len(visible)}, "
        f"hidden {right - vis_right}/{len(scored) - len(visible)}; "
        f"squads box seen on {hud_vis}/{len(results)}; the 2019 digit path alone: {d_right}/{len(scored)} "
        f"right, {d_wrong} wrong"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    doc = {
        "summary": summary,
        "crops": results,
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": git_head(),
    }
    tmp.write_text(json.dumps(doc, indent=1))
    os.replace(tmp, args.out)
    if args.update_docs:
        update_docs(doc)
    return 0


DOC_BEGIN, DOC_END = "<!-- real-hud:begin -->", "<!-- real-hud:end -->"


def docs_section(doc: dict) -> str:
    """The README / model card paragraph on the real HUD crops, from this benchmark's JSON."""
    s = doc["summary"]
    misses = [c for c in doc["crops"] if c["verdict"] in ("miss", "WRONG")]
    lines = [
        DOC_BEGIN,
        "Real HUD crops (`python benchmarks/real_hud_eval.py --update-docs`, commit "
        f"{doc.get('commit') or '?'}, "
        f"{doc.get('measured', '?')}; ../shared fixtures, report only: no model or threshold is chosen on "
        f"them): {s['right']}/{s['scored']} right, **{s['wrong_number']} wrong numbers**, "
        f"{s['none_on_visible']} unread (no number: never a guess); visible counters "
        f"{s['visible_right']}/{s['visible_counters']}, hidden ones "
        f"{s['hidden_right']}/{s['hidden_counters']}; "
        f"squads box seen on {s['hud_visible_detected']}/{s['crops']} crops.",
    ]
    lines += [
        f"  - {c['crop']} ({c['size']}): expected {c['expected']}, read {c['read']} ({c['reason']})"
        for c in misses
    ]
    lines.append(DOC_END)
    return "\n".join(lines)


def update_docs(doc: dict) -> None:
    from vodstream.report.document import replace_section

    section = docs_section(doc)
    replace_section(ROOT / "README.md", section, "## Real HUD crops", DOC_BEGIN, DOC_END)
    replace_section(
        ROOT / "models" / "MODEL_CARD.md", section, "## Real HUD crops (report only)", DOC_BEGIN, DOC_END
    )
    print("README.md and models/MODEL_CARD.md: real-crop section rewritten")


if __name__ == "__main__":
    raise SystemExit(main())
