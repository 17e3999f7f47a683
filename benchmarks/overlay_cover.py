"""Kill reader under a stream overlay: per-sample readings where a webcam or panel covers the kill box.

    python benchmarks/overlay_cover.py --style wide [--seed 11] [--cases 300] [--sizes 1280x720,1920x1080]
                                       [--kind panel|webcam|any] [--update-docs]

The per-sample benchmark (kill_accuracy.py) draws one random style per 12-sample scene, and only
some styles put their stream overlay over the kill box: a run of 360 samples has a few dozen such
samples at most, often from one style. This benchmark draws the same in-match sequences
(:func:`kill_accuracy.make_sequences`, ``--style`` and ``--seed`` as there) many times over and
keeps only the samples whose kill box (or where it would be: a modern box not yet shown) the
style's overlay covers in part or whole (``vodstream.testbed.synth.render.kill_box_covered``), up
to ``--cases`` per frame size. Each is drawn as a full frame alone, through an all-intra libx264
encode at crf 20, and read by the whole kill reader (finder, digit CNN, score-box reader) one
scene's samples to a batch (at most 12), as the pipeline reads a VOD's samples together.

Under an overlay the right answer is the count where enough of it shows, or no number: any other
number is wrong (a panel's "87/926", a spectator count, the count's last digit beside the
overlay's edge). A shown box counts as "shown"; a modern box not yet shown (or the inventory) as
"not shown", where every number is wrong. The readings per case go to the JSON, so the wrong ones
can be looked at again (``covered_crop``).
Prints a table; writes benchmarks/out/overlay_cover-STYLE.json (--out). ``--update-docs``
rewrites the README's section from every such JSON (alone: only rewrites it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np
import torch
from kill_accuracy import FAMILIES, _drawn_crops, _shown_command, carried_rows, crop_samples, make_sequences
from runinfo import git_head

from models.net import BOX_WEIGHTS, DEFAULT_WEIGHTS, FINDER_WEIGHTS

if TYPE_CHECKING:
    from kill_accuracy import Case

OUT = ROOT / "benchmarks" / "out"
DOC_BEGIN = "<!-- overlay-cover:begin -->"
DOC_END = "<!-- overlay-cover:end -->"
KINDS = ("panel", "webcam", "any")
SCAN = 24_000  # in-match samples drawn (not rendered) per frame size to find the covered ones
CRF = 20


def covered_cases(
    style: str, width: int, height: int, seed: int, n: int, kind: str = "any"
) -> list[tuple[int, Case]]:
    """Up to ``n`` samples of :func:`kill_accuracy.make_sequences` (``SCAN`` of them, the
    per-sample run's seed for this width) whose kill box the style's overlay covers -- a webcam,
    a panel or either (``kind``) -- with their index there; never the inventory (no box is drawn)."""
    from vodstream.testbed.synth.render import HUD_FONTS, kill_box_covered

    if kind not in KINDS:
        raise ValueError(f"overlay kind {kind!r}: one of {', '.join(KINDS)}")
    out: list[tuple[int, Case]] = []
    for i, case in enumerate(make_sequences(SCAN, seed + width, HUD_FONTS, style)):
        state, what, font = case
        if isinstance(font, str) or font.occluder is None or what == "inventory":
            continue
        if kind != "any" and font.occluder_kind != kind:
            continue
        if kill_box_covered(state, width, height, style=font):
            out.append((i, case))
            if len(out) == n:
                break
    return out


def covered_crop(style: str, width: int, height: int, seed: int, i: int) -> np.ndarray:
    """Sample ``i`` of a run (its JSON's ``readings``), drawn and encoded again alone: the same HUD
    crop the run read."""
    from vodstream.testbed.synth.render import HUD_FONTS

    case = make_sequences(i + 1, seed + width, HUD_FONTS, style)[i]
    return _drawn_crops([case], width, height, CRF)[0]


def tally(readings: list[dict[str, Any]]) -> Counter:
    """Counts of one frame size's readings: shown boxes read right / no number / a wrong number;
    boxes not shown given a number; shown boxes called empty (``kill_box`` false)."""
    c: Counter = Counter()
    for r in readings:
        shown = r["shown"]
        c["shown" if shown else "not_shown"] += 1
        if r["read"] is None:
            c["shown_none" if shown else "not_shown_none"] += 1
        elif shown and r["read"] == r["kills"]:
            c["shown_right"] += 1
        else:
            c["shown_wrong" if shown else "not_shown_number"] += 1
        c["shown_empty"] += int(shown and r["kill_box"] is False)
    return c


def scene_batches(states: list[Any], most: int = 12) -> list[list[int]]:
    """Indices of ``states`` in batches as the pipeline reads a VOD: the samples of one scene in a
    row together, at most ``most`` to a batch (the reader tells an overlay, which stays put, from
    the scene's walls, which move, across a batch)."""
    out: list[list[int]] = []
    for j, state in enumerate(states):
        if out and states[out[-1][0]].scene_seed == state.scene_seed and len(out[-1]) < most:
            out[-1].append(j)
        else:
            out.append([j])
    return out


def run_size(
    reader: Any, style: str, width: int, height: int, seed: int, n: int, kind: str
) -> dict[str, Any]:
    """One frame size: the covered samples drawn, read, and tallied."""
    t0 = time.perf_counter()
    cases = covered_cases(style, width, height, seed, n, kind)
    crops = [_drawn_crops([case], width, height, CRF)[0] for _i, case in cases]
    t_render = time.perf_counter() - t0
    samples = crop_samples(crops, width, height)
    t1 = time.perf_counter()
    got = []
    for batch in scene_batches([state for _i, (state, _w, _f) in cases]):
        got += reader.read_batch([samples[j] for j in batch])
    t_read = time.perf_counter() - t1
    readings = [
        {
            "i": i,
            "shown": bool(state.show_kill_box),
            "kills": state.kills,
            "read": rd.kills,
            "reason": rd.reason,
            "confidence": round(float(rd.confidence), 4),
            "kill_box": rd.kill_box,
            "overlay": font.occluder_kind if not isinstance(font, str) else None,
        }
        for (i, (state, _what, font)), rd in zip(cases, got, strict=True)
    ]
    return {
        "counts": dict(tally(readings)),
        "readings": readings,
        "render_s": round(t_render, 1),
        "read_s": round(t_read, 1),
    }


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.1f} % ({a}/{b})" if b else "n/a"


def table(doc: dict[str, Any], title: str = "") -> list[str]:
    """The run's rows as printed and as the README shows them (markdown; ``title`` in the first)."""
    rows = []
    for size, r in doc["sizes"].items():
        c = r["counts"]
        shown = c.get("shown", 0)
        rows.append(
            f"| {title} | {size} | {shown} | {_pct(c.get('shown_right', 0), shown)} "
            f"| {_pct(c.get('shown_none', 0), shown)} | {c.get('shown_wrong', 0)} "
            f"| {c.get('shown_empty', 0)} "
            f"| {c.get('not_shown_number', 0)} of {c.get('not_shown', 0)} |"
        )
        title = ""
    return rows


HEADER = (
    "| family | size | shown boxes | read exactly | no number | wrong number | called empty "
    "| not shown: a number |",
    "|---|---|---|---|---|---|---|---|",
)


def docs_section(
    docs: dict[str, dict[str, Any]], carried: dict[str, tuple[list[str], list[str]]] | None = None
) -> str:
    """The README's section from the runs' JSON (one per style family): nothing typed. ``carried``
    (kill_accuracy.carried_rows): a family with no run here keeps the rows and run line an earlier
    run wrote."""
    lines = [
        DOC_BEGIN,
        "Written by `benchmarks/overlay_cover.py --update-docs` from the runs named below; nothing here is",
        "typed by hand. Only samples whose kill box a stream overlay (a webcam or a text panel) covers in",
        "part or whole, drawn as full frames and encoded alone (libx264 all-intra, crf 20). Shown boxes:",
        "the count where enough of it shows or no number is right, any other number wrong; called empty:",
        "a shown box said to be empty (a 0 nobody saw); not shown: a modern box before the first kill",
        "under the overlay, where any number is wrong.",
        "",
        *HEADER,
    ]
    runs = []
    for style, title in FAMILIES:
        doc = docs.get(style)
        if doc is None:
            kept_rows, kept_runs = (carried or {}).get(style, ([], []))
            lines += kept_rows
            runs += kept_runs
            continue
        lines += table(doc, title)
        runs.append(
            f"- {style}: `{_shown_command(doc.get('command', '?'))}` "
            f"(commit {doc.get('commit') or '?'}, {doc.get('utc', '?')})."
        )
    lines += ["", *runs, DOC_END]
    return "\n".join(lines)


def update_docs() -> None:
    """Rewrite the README's overlay section from every benchmarks/out/overlay_cover-STYLE.json (a
    family with none here keeps its rows as the README has them)."""
    from vodstream.report.document import replace_section, section_text

    docs = {}
    for style, _title in FAMILIES:
        p = OUT / f"overlay_cover-{style}.json"
        if p.is_file():
            docs[style] = json.loads(p.read_text())
    now = section_text(ROOT / "README.md", DOC_BEGIN, DOC_END)
    section = docs_section(docs, carried_rows(now))
    replace_section(ROOT / "README.md", section, "## Kill counter under an overlay", DOC_BEGIN, DOC_END)
    print(f"README.md: overlay section from {len(docs)} run(s): {', '.join(docs)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--style", choices=tuple(f for f, _t in FAMILIES if f != "default"), default="wide")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--cases", type=int, default=300, help="covered samples per frame size, at most")
    ap.add_argument("--sizes", default="1280x720,1920x1080")
    ap.add_argument("--kind", choices=KINDS, default="any", help="the overlays kept")
    ap.add_argument("--out", type=Path, default=None, help="default benchmarks/out/overlay_cover-STYLE.json")
    ap.add_argument(
        "--update-docs",
        action="store_true",
        help="after the run, rewrite the README's section from every benchmarks/out/overlay_cover-*.json "
        "(alone: only rewrite it)",
    )
    args = ap.parse_args(argv)
    if args.update_docs and argv is None and len(sys.argv) == 2:
        update_docs()
        return 0
    try:
        sizes = [tuple(int(v) for v in s.lower().split("x")) for s in args.sizes.split(",") if s.strip()]
        if not sizes or any(len(s) != 2 or min(s) <= 0 for s in sizes):
            raise ValueError
    except ValueError:
        ap.error(f"--sizes: WIDTHxHEIGHT,... (not {args.sizes!r})")
    if args.cases < 1:
        ap.error("--cases: at least 1")
    torch.set_num_threads(1)
    from models.net import load_box_model, load_model
    from vodstream.readers.boxfinder import KillBoxDetector
    from vodstream.readers.killreader import KillReader

    reader = KillReader(
        load_model(DEFAULT_WEIGHTS),
        box_model=load_box_model(BOX_WEIGHTS),
        finder=KillBoxDetector.from_file(FINDER_WEIGHTS),
    )
    doc: dict[str, Any] = {
        "command": "python benchmarks/overlay_cover.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "commit": git_head(),
        "utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "style": args.style,
        "seed": args.seed,
        "kind": args.kind,
        "sizes": {},
    }
    for w, h in sizes:
        doc["sizes"][f"{w}x{h}"] = run_size(reader, args.style, w, h, args.seed, args.cases, args.kind)
    print(f"kill reader under an overlay ({args.style} family, seed {args.seed}, overlays: {args.kind})")
    print("\n".join((*HEADER, *table(doc, args.style))))
    out = args.out or OUT / f"overlay_cover-{args.style}.json"
    from vodstream.report.document import atomic_write

    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, json.dumps(doc, indent=1))
    print(f"wrote {out}")
    if args.update_docs:
        update_docs()
    return 0


if __name__ == "__main__":
    sys.exit(main())
