"""Look at the per-sample benchmark's cases: what two runs read differently, and why one case went wrong.

    python benchmarks/kill_cases.py diff OLD.json NEW.json
    python benchmarks/kill_cases.py show --style validation --size 1440x1080 [--seed 11] I [I ...]
                                         [--png DIR] [--crf vod] [--crop-cache DIR]
    python benchmarks/kill_cases.py why RUN.json [--size 1280x720] [--seed 11]
    python benchmarks/kill_cases.py reasons RUN.json [RUN.json ...] [--size 1280x720]
    python benchmarks/kill_cases.py digits CASES.npz [--min-height 720] [--png DIR]
    python benchmarks/kill_cases.py vod VOD_DIR [--from T0] [--to T1] [--png DIR]

``diff`` compares two ``benchmarks/kill_accuracy.py`` JSON files of the same family and sizes (two
commits, say): per frame size, the visible counters one run read and the other did not (by case
index ``i``), the readings that changed, and the counts that differ. ``show`` renders case ``i``
again, byte for byte as the benchmark saw it (:func:`kill_accuracy.case_crop`, crf 20 or the run's
``--crf``, ``vod`` for VOD keyframes, the run's ``--samples``, every layout), and prints its truth, the whole
reader's reading, and how the finder got there (layout, template, detector; the kill run it read)
beside where the renderer drew the count's digits and how much of them the run covers (a miss with
the run on the digits is the readers', one without is the finder's), what the learned detector
proposed there and what became of it (the run, or the check that dropped it:
:func:`vodstream.readers.hudlocate.explain_proposals`), optionally writing the HUD crop as a PNG.
``why`` renders every visible counter a run missed and sorts them by where they were lost: the
readers (the finder's run on the digits, no number read; by the reader's reason) or the finder (by
the rules' reason and what became of the detector's proposal: none, the check that dropped it, or a
run off the digits). ``reasons`` tallies, over one run or several (the choice sets' families),
every number the reader named by the reason it gave: how many were right and how many wrong (a
number on a hidden, inventory or other unseen counter is wrong), and the confidences of each --
where a rule's wrong numbers sit among its right ones, the range a threshold of that rule could
part them in (runs of kill_accuracy.py that keep every reading: ``readings`` in its JSON). Nothing
here chooses anything: it is for reading failures, on the choice sets.
``digits`` lists every digit the digit CNN reads wrong in a cached digit set (the model card's sets,
``vodstream train --cache DIR``), case by case, with the set's digits right and under the reader's
0.97 (``--png DIR``: the cases' bands and crops).
``vod`` reads a whole VOD's keyframes between ``--from`` and ``--to`` (VOD seconds) the way the
pipeline does (one batch per segment: the overlay checks see the segment's other samples) and prints
per sample the reading (kills, kill box, reason) beside what the layout rules said of the crop and
what the learned detector proposed there (its box and its "no count here" probability): why a
match of ``benchmarks/accuracy.py`` came out ``null`` or wrong. VOD_DIR is a synthetic VOD's
directory (``<vod_id>/`` with ``chunked/index-dvr.m3u8``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from kill_accuracy import case_crop, case_digits, parse_crf, reader_rows

from vodstream.readers.hudlocate import KillBoxProposer


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Lines telling what ``new`` reads differently from ``old`` (kill_accuracy JSON documents)."""
    out: list[str] = []
    a, b = reader_rows(old)[1], reader_rows(new)[1]
    for size in [s for s in a if s in b]:
        ma = {m["i"]: m for m in a[size]["misses"]}
        mb = {m["i"]: m for m in b[size]["misses"]}
        lost = [mb[i] for i in sorted(mb) if i not in ma]
        gained = [ma[i] for i in sorted(ma) if i not in mb]
        changed = [(ma[i], mb[i]) for i in sorted(ma) if i in mb and ma[i]["read"] != mb[i]["read"]]
        ca, cb = a[size]["counts"], b[size]["counts"]
        counts = {
            k: (ca.get(k, 0), cb.get(k, 0)) for k in sorted(set(ca) | set(cb)) if ca.get(k) != cb.get(k)
        }
        if not (lost or gained or changed or counts):
            out.append(f"{size}: the same")
            continue
        out.append(f"{size}: {len(gained)} more read right, {len(lost)} fewer")
        out += [f"  now missed  i={m['i']}: {_case(m)}" for m in lost]
        out += [f"  now right   i={m['i']}: {_case(m)}" for m in gained]
        out += [
            f"  changed     i={o['i']}: read {o['read']} -> {n['read']} ({n['reason']})" for o, n in changed
        ]
        out += [f"  {k}: {x} -> {y}" for k, (x, y) in counts.items()]
    only = sorted(set(a) ^ set(b))
    if only:
        out.append(f"sizes in one run only: {', '.join(only)}")
    return out


def _case(m: dict[str, Any]) -> str:
    return f"{m['kills']} kills, read {m['read']} ({m['reason']}), {m['era']} {m['layout']}"


def _box(b: tuple[float, float, float, float] | None) -> tuple[int, ...] | None:
    return None if b is None else tuple(round(v) for v in b)


def _cover(truth: tuple[int, int, int, int], run: tuple[float, float, float, float] | None) -> float:
    """The share of the count's digits (their bounding box) inside the run the finder read."""
    if run is None:
        return 0.0
    ix = max(0.0, min(truth[2], run[2]) - max(truth[0], run[0]))
    iy = max(0.0, min(truth[3], run[3]) - max(truth[1], run[1]))
    return ix * iy / max(1, (truth[2] - truth[0]) * (truth[3] - truth[1]))


def show(
    style: str,
    width: int,
    height: int,
    seed: int,
    cases: list[int],
    png: Path | None,
    crop_cache: Path | None = None,
    crf: int | str = 20,
    samples: int = 360,
) -> list[str]:
    """Each case rendered again (or taken from a run's ``crop_cache``) and read: its truth, the
    reading and the finder's view."""
    import cv2

    from models.data import on_count
    from vodstream.readers.hudlocate import explain_proposals, find_kill_box
    from vodstream.readers.killreader import KillReader
    from vodstream.testbed.synth.state import FrameState

    reader = KillReader()
    out = []
    for i in cases:
        crop, state = case_crop(style, width, seed, i, samples, height=height, cache=crop_cache, crf=crf)
        assert isinstance(state, FrameState)
        got = reader.read_huds([crop])[0]
        found = find_kill_box(crop, reader.detector)
        truth = f"{state.kills} kills" if state.show_kill_box else "kill box not shown"
        if state.inventory_open:
            truth += ", inventory open"
        digits = case_digits(style, width, seed, i, samples, height=height)
        where = (
            "none shown"
            if digits is None
            else f"{digits}, the run {'on' if on_count(found.run, digits) else 'off'} them, "
            f"covering {_cover(digits, found.run):.0%}"
        )
        out.append(
            f"i={i}: {truth} ({state.era} {state.hud_mode}); read {got.kills} at {got.confidence:.3f} "
            f"({got.reason}, kill_box {got.kill_box}, era {got.hud_era}); finder: {found.how}, "
            f"{found.reason}, run {_box(found.run)}; the count's digits: {where}"
        )
        if reader.detector is not None:
            out += [f"  {line}" for line in explain_proposals(crop, reader.detector)]
        if png is not None:
            png.mkdir(parents=True, exist_ok=True)
            path = png / f"{style}-{width}x{height}-seed{seed}-{i}.png"
            cv2.imwrite(str(path), cv2.cvtColor(crop, cv2.COLOR_RGB2BGR))
            out.append(f"  crop: {path}")
    return out


def why(
    doc: dict[str, Any], seed: int, sizes: list[str] | None = None, crop_cache: Path | None = None
) -> list[str]:
    """Per frame size of the run ``doc``, its missed visible counters in groups by where each was lost
    (largest group first), with their case indices (crops from ``crop_cache`` where the run left
    them there)."""
    from models.data import on_count
    from vodstream.readers.hudlocate import find_kill_box
    from vodstream.readers.killreader import KillReader

    reader = KillReader()
    style = str(doc.get("style", "default"))
    n = int(doc.get("samples", 360))  # the run's --samples: which cases its indices name
    crf_key, rows = reader_rows(doc)
    crf = parse_crf((crf_key or "crf20").removeprefix("crf"))
    out: list[str] = []
    for size, row in rows.items():
        if sizes and size not in sizes:
            continue
        width, height = (int(v) for v in size.split("x"))
        groups: dict[str, list[int]] = {}
        for m in row["misses"]:
            if m["kills"] is None:
                continue
            crop, _state = case_crop(style, width, seed, m["i"], n, height=height, cache=crop_cache, crf=crf)
            found = find_kill_box(crop, reader.detector)
            digits = case_digits(style, width, seed, m["i"], n, height=height)
            if on_count(found.run, digits):
                key = f"readers ({found.how}): {m['reason']}" + (
                    "" if m["read"] is None else ", a wrong number"
                )
            else:
                fate = _fate(crop, reader.detector, digits)
                key = f"finder: {found.how}, {found.reason}; detector's box: {fate}"
            groups.setdefault(key, []).append(int(m["i"]))
        out.append(f"{size}: {sum(len(v) for v in groups.values())} visible counters missed")
        for key, ids in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            out.append(f"  {len(ids):3d}  {key}: i={' '.join(map(str, ids))}")
    return out


def reasons(docs: list[dict[str, Any]], sizes: list[str] | None = None) -> list[str]:
    """Per reason the reader gave, over the runs ``docs`` (kill_accuracy JSON documents that keep
    ``readings``; ``sizes``: only these frame sizes): the numbers it named, right and wrong, and
    their confidence ranges. A number is right on a visible or covered counter it names exactly;
    any number on a hidden or inventory one is wrong (no counter can be seen there)."""
    right: dict[str, list[float]] = {}
    wrong: dict[str, list[float]] = {}
    runs = 0
    for doc in docs:
        for size, row in reader_rows(doc)[1].items():
            if (sizes and size not in sizes) or "readings" not in row:
                continue
            runs += 1
            for r in row["readings"]:
                if r["read"] is None:
                    continue
                ok = r["kind"] in ("visible", "covered") and r["read"] == r["kills"]
                (right if ok else wrong).setdefault(r["reason"], []).append(float(r["confidence"]))
    if not runs:
        return ["no run here keeps its readings (kill_accuracy.py writes them since 2026-12-05)"]

    def span(cs: list[float]) -> str:
        return f"{len(cs)} ({min(cs):.3f}-{max(cs):.3f})" if cs else "0"

    out = [f"{runs} run(s) of a family at a frame size; numbers named, by the reader's reason:"]
    for why_ in sorted(set(right) | set(wrong), key=lambda k: (-len(wrong.get(k, [])), k)):
        out.append(f"  {why_:<24} right {span(right.get(why_, [])):<22} wrong {span(wrong.get(why_, []))}")
    return out


def _fate(crop: Any, detector: KillBoxProposer | None, digits: tuple[int, int, int, int] | None) -> str:
    """What became of ``detector``'s proposal (its box, else its loose cell) on ``crop``."""
    from models.data import on_count
    from vodstream.readers.hudlocate import proposal_fates

    if detector is None:
        return "no detector"
    _loc, _p_none, fates = proposal_fates(crop, detector)
    if not fates:
        return "none"
    f = fates[0]
    name = "" if f.name == "box" else f"(only its {f.name}) "
    if f.run is None:
        return f"{name}dropped ({', '.join(f.dropped)})"
    where = f"{name}a run {'on' if on_count(f.run, digits) else 'off'} the digits"
    return where + (", no skull before it (no squads line found)" if f.skull_before is False else "")


def vod(vod_dir: Path, t0: float, t1: float, png: Path | None = None) -> list[str]:
    """:func:`main`'s ``vod``: per keyframe of ``vod_dir`` in [t0, t1], the reading and, under it,
    what the layout rules and the detector made of the crop (:func:`explain_proposals`)."""
    import cv2

    from vodstream.matches.analysis import local_segments
    from vodstream.media.decode import Decoder
    from vodstream.readers.hudlocate import explain_proposals
    from vodstream.readers.killreader import KillReader

    reader, decoder = KillReader(), Decoder()
    lines: list[str] = []
    for data in local_segments(vod_dir):
        seg = data.segment
        if seg.end < t0 or seg.start > t1:
            continue
        samples = decoder.decode(data).samples
        for smp, r in zip(samples, reader.read_batch(samples), strict=True):
            if not t0 <= smp.vod_time <= t1:
                continue
            lines.append(f"{smp.vod_time:7.1f} s: kills {r.kills}, kill box {r.kill_box}, {r.reason}")
            if reader.detector is not None:
                lines += [f"           {x}" for x in explain_proposals(smp.hud, reader.detector)]
            if png is not None:
                png.mkdir(parents=True, exist_ok=True)
                cv2.imwrite(str(png / f"t{smp.vod_time:07.1f}.png"), cv2.cvtColor(smp.hud, cv2.COLOR_RGB2BGR))
    return lines


def digits(cs: Any, min_height: int = 720, png: Path | None = None) -> list[str]:
    """:func:`main`'s ``digits``: every digit the digit CNN reads wrong in a case set (its first
    look: the crops ``models.data.digits_from_cases`` measures, frames at least ``min_height``
    tall), one line per digit, and a last line: digits right, wrong, and under the reader's
    threshold (KillReader's ``min_confidence``).
    ``png``: also each such case's band (x4) and its crops."""
    from collections import Counter

    import cv2
    import numpy as np

    from models.data import find_skulls, from_band
    from models.net import load_model, predict
    from models.train import reader_defaults
    from vodstream.readers.digits import digits_from_box

    model = load_model()
    sure = float(reader_defaults()["min_confidence"])  # the reader's own threshold, as it ships
    lines: list[str] = []
    n = right = unsure = 0
    outcomes: Counter[str] = Counter()
    for i, (band, kills, fh, skull) in enumerate(
        zip(cs.bands, cs.kills, cs.heights, find_skulls(cs), strict=True)
    ):
        if skull is None or fh < min_height:
            continue
        ex = digits_from_box(from_band(band), skull)
        text = str(int(kills))
        if not ex.ok or len(ex.digits) != len(text):
            outcomes[ex.reason if not ex.ok else "count_mismatch"] += 1
            continue
        pred, probs = predict(model, ex.digits)
        wrong = False
        for j, ch in enumerate(text):
            n += 1
            unsure += int(probs[j].max() < sure)
            if int(pred[j]) == int(ch):
                right += 1
                continue
            wrong = True
            lines.append(
                f"case {i} ({fh}p, {cs.degradation[i]}): {text}, digit {j} read {int(pred[j])} "
                f"at {probs[j].max():.3f}"
            )
        if wrong and png is not None:
            png.mkdir(parents=True, exist_ok=True)
            big = cv2.resize(band, None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)
            cv2.imwrite(str(png / f"case{i}-band.png"), cv2.cvtColor(big, cv2.COLOR_RGB2BGR))
            crops = (np.concatenate(list(ex.digits), 1) * 255).astype(np.uint8)
            cv2.imwrite(
                str(png / f"case{i}-crops.png"),
                cv2.resize(crops, None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST),
            )
    rate = f"{100.0 * right / n:.3f} %" if n else "n/a"
    lines.append(
        f"digits at >= {min_height} px: {right}/{n} right ({rate}), {n - right} wrong, "
        f"{unsure} under {sure}; cases not read: {dict(outcomes)}"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("diff", help="what two kill_accuracy JSON files read differently")
    d.add_argument("old", type=Path)
    d.add_argument("new", type=Path)
    s = sub.add_parser("show", help="render cases again and show how the reader read them")
    s.add_argument("--style", default="default")
    s.add_argument("--size", default="1280x720", help="frame size WxH, as the run's --sizes")
    s.add_argument("--seed", type=int, default=11, help="the run's --seed")
    s.add_argument("--png", type=Path, default=None, help="also write the HUD crops here")
    s.add_argument("cases", type=int, nargs="+", help="case indices (the JSON's misses[].i)")
    s.add_argument("--crop-cache", type=Path, default=None, help="the run's --crop-cache, if it had one")
    s.add_argument("--samples", type=int, default=360, help="the run's --samples")
    s.add_argument(
        "--crf",
        default="20",
        help="the run's --crf: an all-intra crf, or 'vod' (VOD keyframes: the whole run is drawn again "
        "unless --crop-cache holds it)",
    )
    y = sub.add_parser("why", help="a run's missed visible counters, grouped by where they were lost")
    y.add_argument("run", type=Path, help="a kill_accuracy JSON")
    y.add_argument("--size", action="append", default=None, help="only this frame size (WxH; repeatable)")
    y.add_argument("--seed", type=int, default=11, help="the run's --seed")
    y.add_argument("--crop-cache", type=Path, default=None, help="the run's --crop-cache, if it had one")
    r = sub.add_parser("reasons", help="every number the reader named, right and wrong, by its reason")
    r.add_argument("runs", type=Path, nargs="+", help="kill_accuracy JSON files")
    r.add_argument("--size", action="append", default=None, help="only this frame size (WxH; repeatable)")
    v = sub.add_parser("vod", help="a whole VOD's keyframes read as the pipeline reads them")
    v.add_argument("vod_dir", type=Path, help="a synthetic VOD's directory (<vod_id>/)")
    v.add_argument("--from", dest="t0", type=float, default=0.0, help="VOD seconds (default: 0)")
    v.add_argument("--to", dest="t1", type=float, default=float("inf"), help="VOD seconds (default: the end)")
    v.add_argument("--png", type=Path, default=None, help="also write the HUD crops here")
    g = sub.add_parser("digits", help="every digit the digit CNN reads wrong in a cached digit set")
    g.add_argument("cases", type=Path, help="a cached case set (vodstream train --cache DIR: cases-v*.npz)")
    g.add_argument("--min-height", type=int, default=720, help="only frames at least this tall (px)")
    g.add_argument("--png", type=Path, default=None, help="also write each such case's band and crops here")
    args = ap.parse_args(argv)
    if args.cmd == "digits":
        from models.data import load_case_set

        try:
            cs = load_case_set(args.cases)
        except (OSError, ValueError, KeyError) as e:
            print(f"kill_cases: cannot read the case set {args.cases}: {e}", file=sys.stderr)
            return 1
        print("\n".join(digits(cs, args.min_height, args.png)))
        return 0
    if args.cmd == "vod":
        try:  # local_segments owns the VOD's layout on disk: a file it lacks is named as it found it
            lines = vod(args.vod_dir, args.t0, args.t1, args.png)
        except FileNotFoundError as e:
            print(
                f"kill_cases: {args.vod_dir} holds no {os.path.relpath(e.filename, args.vod_dir)}",
                file=sys.stderr,
            )
            return 2
        print("\n".join(lines))
        return 0
    if args.cmd == "reasons":
        try:
            docs = [json.loads(p.read_text()) for p in args.runs]
        except (OSError, ValueError) as e:
            print(f"kill_cases: cannot read the runs' JSON: {e}", file=sys.stderr)
            return 1
        print("\n".join(reasons(docs, args.size)))
        return 0
    if args.cmd == "why":
        try:
            doc = json.loads(args.run.read_text())
        except (OSError, ValueError) as e:
            print(f"kill_cases: cannot read the run's JSON: {e}", file=sys.stderr)
            return 1
        print("\n".join(why(doc, args.seed, args.size, args.crop_cache)))
        return 0
    if args.cmd == "diff":
        try:
            old, new = (json.loads(p.read_text()) for p in (args.old, args.new))
        except (OSError, ValueError) as e:
            print(f"kill_cases: cannot read the runs' JSON: {e}", file=sys.stderr)
            return 1
        lines = diff(old, new)
    else:
        try:
            w, h = (int(v) for v in args.size.lower().split("x"))
        except ValueError:
            print(f"kill_cases: --size must be WxH, not {args.size!r}", file=sys.stderr)
            return 2
        try:
            crf = parse_crf(args.crf)
        except ValueError as e:
            print(f"kill_cases: --crf: {e}", file=sys.stderr)
            return 2
        lines = show(args.style, w, h, args.seed, args.cases, args.png, args.crop_cache, crf, args.samples)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
