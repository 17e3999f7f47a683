"""Kill-reader accuracy: held-out digit accuracy and per-sample accuracy on H.264-encoded frames.

    python benchmarks/kill_accuracy.py [--samples 480] [--sets 5000:5:stream,5000:2] [--crf 20,23]
                                       [--style default|train|validation|selection|heldout|heldout2..9]

1. Digits: the held-out sets (scene/world seeds never used in training; the "stream" and
   "stress" damage mixes of models/data.QUALITIES), through the reader's extraction,
   classified by the CNN (the same sets as `python -m vodstream eval`).
2. Per sample: short synthetic in-match sequences (one background scene each, samples 2 s
   apart like keyframes; kills rise now and then with a red flash; modern-era counters hidden
   before the first kill; inventory spans; spectating) rendered as FULL frames at 1280x720 and
   1920x1080, encoded with libx264 through PyAV (every sample a keyframe, at each --crf: 20
   is still harsher than the keyframes of our Twitch-bitrate VODs, 23 harsher again -- see
   benchmarks/stream_quality.py), decoded, cropped with vodstream.readers.regions.hud_box
   into vodstream.types.Sample records and read by KillReader.read_batch.
   Visible counter: exact-read rate (and wrong-number rate). Hidden / inventory: None rate.
   A shown kill box that a style's stream overlay covers (vodstream.testbed.synth.render.
   kill_box_covered) is "covered", not visible: nothing or the right number counts as right.
   For the full reader (digit path + score-box reader) and the 2019 digit path alone;
   --temporal adds the 2019 temporal mean.
--style draws the per-sample HUDs in one style family of vodstream.testbed.synth.styles (one random
style per 12-sample run; "heldout": the family no network was trained or chosen on) and adds
that family to the digit sets' names (N:SEED:QUALITY:STYLE). Per sample it also counts the
reader's kill_box verdict: visible boxes found, hidden boxes verified empty (False) and any
hidden box called found.
Prints a table; writes JSON to benchmarks/out/kill_accuracy.json (--out). Each per-sample row of
the JSON lists its "misses" (visible counters not read exactly) by case index; case_crop(style,
width, seed, i) renders one of them again, the same crop byte for byte, for a look or a test.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np
import torch
from runinfo import git_head

from models.net import BOX_WEIGHTS, DEFAULT_WEIGHTS, FINDER_WEIGHTS, load_box_model, load_model
from vodstream.testbed.synth.script import HUD_MODE_WEIGHTS, HUD_MODES

if TYPE_CHECKING:
    from vodstream.testbed.synth.hud import HudStyle
    from vodstream.testbed.synth.state import FrameState
    from vodstream.types import Sample

    # a sample of make_sequences: (state, kind, a HUD face name (today's look) or a family's style)
    Case = tuple[FrameState, str, str | HudStyle]

RESOLUTIONS = ((1280, 720), (1920, 1080))
OUT = ROOT / "benchmarks" / "out"
DOC_BEGIN = "<!-- kill-sample:begin -->"
DOC_END = "<!-- kill-sample:end -->"
# the style families in the order the README shows them, with what each one is for
FAMILIES = (
    ("heldout", "held-out family (report only: never trained or chosen on)"),
    (
        "heldout2",
        "second held-out family (never trained on; held out until its first run, on ecbe9c2, then "
        "one finder rule was mended on one of its VODs)",
    ),
    (
        "heldout3",
        "third held-out family (never trained on; held out until its first run, on a1b3a01, then "
        "rules were chosen on its cases)",
    ),
    (
        "heldout4",
        "fourth held-out family (never trained on; held out until its first run, on 6479a1e, then "
        "rules were chosen on its cases)",
    ),
    (
        "heldout5",
        "fifth held-out family (never trained on; held out until its first run, on 3348f39, then "
        "tracker rules were chosen on its VODs and a reader threshold and a reader rule on its cases)",
    ),
    (
        "heldout6",
        "sixth held-out family (never trained on; report only until one finder rule was chosen on "
        "its cases, 4d11498; two digit-path rules since, 793a8ff, and the faint-box rules of "
        "c727699..b0082ed)",
    ),
    (
        "heldout7",
        "seventh held-out family (never trained on; report only until one finder rule was chosen on "
        "its cases, b156d99; the faint-box rules of c727699..b0082ed and two finder rules, 3ef186c "
        "and ef79a40, since)",
    ),
    ("heldout8", "eighth held-out family (report only: never trained or chosen on)"),
    ("heldout9", "ninth held-out family (report only: never trained or chosen on)"),
    ("heldout10", "tenth held-out family (report only: never trained or chosen on)"),
    ("validation", "validation family (choices were made on it; never trained on)"),
    ("selection", "selection family (six digit faces never trained on; the digit network was chosen on it)"),
    (
        "train",
        "training family (new random styles of the family trained on, in all of its faces: "
        "also those added after the shipped weights were trained)",
    ),
    ("default", "today's look (trained and chosen on)"),
    (
        "wide",
        "wide family (new random styles: the training faces and skull eye shapes, the skull's "
        "proportions and the box geometry over the span every fixed family lies in)",
    ),
)


def make_sequences(
    n: int, seed: int, fonts: tuple[str, ...], style: str = "default", modes: tuple[str, ...] = HUD_MODES
) -> list[Case]:
    """n in-match states in runs of 12 per scene: (state, kind, font or HudStyle). Test-split seeds only.
    A modern scene's queue layout is drawn from ``modes`` (weights as the synthetic VODs') by a
    stream of its own: every other draw is the same whatever ``modes`` is (``("trios",)``: the
    plain layout only, as before the layouts were drawn)."""
    from vodstream.testbed.synth.state import FrameState
    from vodstream.testbed.synth.styles import family_style

    rng = np.random.default_rng(seed)
    mode_rng = np.random.default_rng([seed, 5])
    mode_p = np.array([HUD_MODE_WEIGHTS.get(m, 0.1) for m in modes])
    mode_p /= mode_p.sum()
    out: list[Case] = []
    base = 10**6
    while len(out) < n:
        era = "2019" if rng.random() < 0.3 else "modern"
        font: str | HudStyle = fonts[int(rng.integers(0, len(fonts)))]
        if style != "default":
            font = family_style(style, rng)
        scene = base + int(rng.integers(0, 10**6 - 1))
        kills = 0 if (era == "modern" and rng.random() < 0.35) else int(rng.integers(0, 25))
        squads = int(rng.integers(2, 21))
        t0 = float(rng.uniform(0, 600))
        red_left = 0
        inv_left = 0
        spectating = rng.random() < 0.15
        mode = str(modes[int(mode_rng.choice(len(modes), p=mode_p))]) if era == "modern" else "trios"
        assists = int(mode_rng.integers(0, 4))
        for j in range(12):
            if rng.random() < 0.15:
                kills += 1
                red_left = 1 + int(rng.integers(0, 2))
            assists += int(mode_rng.random() < 0.1)
            if inv_left == 0 and rng.random() < 0.08:
                inv_left = 1 + int(rng.integers(0, 3))
            inventory = inv_left > 0
            inv_left = max(0, inv_left - 1)
            red = red_left > 0
            red_left = max(0, red_left - 1)
            show = era == "2019" or kills > 0
            st = FrameState(
                t=t0 + 2 * j,
                screen="in_match",
                era=era,
                scene_seed=scene,
                camera_t=t0 + 2 * j,
                kills=kills,
                show_kill_box=show,
                red=red and show,
                inventory_open=inventory,
                spectating=spectating and not inventory,
                squads_left=squads,
                alive=min(60, 3 * squads),
                spectators=int(rng.integers(0, 9)) if era == "2019" else 0,
                hud_mode=mode,  # type: ignore[arg-type]
                assists=assists if mode == "ranked" else 0,
            )
            kind = "inventory" if inventory else ("visible" if show else "hidden")
            out.append((st, kind, font))
    return out[:n]


def parse_crf(text: str) -> int | str:
    """One per-sample encoding as the runs name it: an all-intra libx264 crf ("20"), or "vod" (the
    keyframes of an encode like our VODs'); ValueError otherwise."""
    text = text.strip()
    if text == "vod":
        return text
    if not text.isdigit():
        raise ValueError(f"a crf is a number or 'vod', not {text!r}")
    return int(text)


def encode_decode(
    frames: Iterable[np.ndarray], crf: int, keep: Callable[[np.ndarray], np.ndarray] | None = None
) -> list[np.ndarray]:
    """All-intra libx264 encode (every sample is a keyframe) and decode, in memory (x264's default
    tune, preset veryfast); ``frames`` may be a generator, and with ``keep`` only what it returns of
    each decoded frame is held (models.data.h264_roundtrip)."""
    from models.data import h264_roundtrip

    return h264_roundtrip(frames, crf, tune=None, keep=keep)


def gop_keyframes(frames: Iterable[np.ndarray], width: int, height: int, fps: int) -> list[np.ndarray]:
    """Encode like the synthetic VODs (libx264 veryfast, ABR at the Twitch-ladder bitrate, closed
    2 s GOPs), decode, and return the keyframes (every GOP's first frame), RGB."""
    import av

    from vodstream.testbed.synth.encode import GOP_SECONDS
    from vodstream.testbed.synth.script import default_bitrate

    gop = GOP_SECONDS * fps
    enc = av.CodecContext.create("libx264", "w")
    enc.width, enc.height, enc.pix_fmt = width, height, "yuv420p"
    enc.time_base, enc.framerate = Fraction(1, fps), Fraction(fps, 1)
    enc.bit_rate = default_bitrate(width, height, fps)
    enc.options = {
        "preset": "veryfast",
        "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:open-gop=0",
    }
    enc.thread_count = 1
    dec = av.CodecContext.create("h264", "r")
    out: list[np.ndarray] = []
    n_out = 0

    def take(decoded) -> None:
        nonlocal n_out
        for fr in decoded:
            if n_out % gop == 0:
                out.append(fr.to_ndarray(format="rgb24"))
            n_out += 1

    for i, img in enumerate(frames):
        vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
        vf.pts = i
        for pkt in enc.encode(vf):
            take(dec.decode(pkt))
    for pkt in enc.encode(None):
        take(dec.decode(pkt))
    take(dec.decode(None))
    return out


# what the per-sample crops depend on besides their arguments: a crop cache is valid only for the
# code (and the codec and image libraries) that drew them -- the drawing packages and modules, and
# of this file only the functions that draw (:data:`_CROP_FUNCS`), so that editing how a run reads
# or reports keeps the cache
_CROP_SOURCES = (
    "vodstream/testbed",
    "vodstream/readers/regions.py",
    "models/data.py",
)
_CROP_FUNCS = (
    "make_sequences",
    "encode_decode",
    "gop_keyframes",
    "hud_crops",
    "_vod_crops",
    "_drawn_crops",
    "_render",
)


@functools.cache
def _crop_code_digest() -> str:
    """A digest of the sources (:data:`_CROP_SOURCES`, the layout weights' module among them), this
    file's drawing functions (:data:`_CROP_FUNCS`) and the library versions the crops depend on
    (once per process)."""
    import hashlib
    import inspect

    import av
    import cv2

    h = hashlib.sha256(f"{av.__version__} {cv2.__version__} {np.__version__}".encode())
    for src in _CROP_SOURCES:
        p = ROOT / src
        for f in sorted(p.rglob("*.py")) if p.is_dir() else [p]:
            h.update(f.relative_to(ROOT).as_posix().encode())
            h.update(f.read_bytes())
    for name in _CROP_FUNCS:
        h.update(inspect.getsource(globals()[name]).encode())
    return h.hexdigest()[:16]


def hud_crops(
    style: str,
    w: int,
    h: int,
    seed: int,
    n: int,
    crf: int | str,
    modes: tuple[str, ...] = HUD_MODES,
    cache: Path | None = None,
    vod_fps: int = 60,
) -> np.ndarray:
    """The per-sample run's HUD crops at one frame size (``--style style --seed seed --samples n``,
    all-intra crf ``crf``, or ``"vod"``: the keyframes of an encode like our VODs'): an (n, H, W, 3)
    uint8 array, drawn and encoded -- or, with ``cache`` (a folder), read from the file a run of the
    same code wrote there (written on first use, whole or not at all). Drawing and encoding are
    about half of a run's time (nearly all of it on VOD keyframes)."""
    from vodstream.testbed.synth.render import HUD_FONTS

    path = None if cache is None else _crops_path(cache, style, w, h, seed, n, crf, modes)
    if path is not None and path.is_file():
        return np.load(path)
    seqs = make_sequences(n, seed + w, HUD_FONTS, style, modes)
    crops = np.stack(_vod_crops(seqs, w, h, vod_fps) if crf == "vod" else _drawn_crops(seqs, w, h, int(crf)))
    if path is not None:
        import io

        from vodstream.report.document import atomic_write

        buf = io.BytesIO()
        np.save(buf, crops)
        atomic_write(path, buf.getvalue())
    return crops


def _vod_crops(cases: list, w: int, h: int, fps: int) -> list[np.ndarray]:
    """``cases`` (make_sequences' (state, kind, font)) as the keyframes of an encode like our VODs
    (:func:`gop_keyframes`), the 2 s after each drawn at ``fps`` (time and camera moving): each
    keyframe's HUD crop."""
    from dataclasses import replace

    from vodstream.readers.regions import hud_box

    renderers: dict = {}
    frames = (
        _render(renderers, w, h, replace(st, t=st.t + k / fps, camera_t=st.camera_t + k / fps), font)
        for st, _kind, font in cases
        for k in range(2 * fps)
    )
    x0, y0, x1, y1 = hud_box(w, h)
    return [np.ascontiguousarray(f[y0:y1, x0:x1]) for f in gop_keyframes(frames, w, h, fps)]


def _drawn_crops(cases: list, w: int, h: int, crf: int) -> list[np.ndarray]:
    """``cases`` (make_sequences' (state, kind, font)) drawn at WxH, through the all-intra encode
    at ``crf`` together, each decoded frame's HUD crop (:func:`vodstream.readers.regions.hud_box`)."""
    from vodstream.readers.regions import hud_box

    renderers: dict = {}
    x0, y0, x1, y1 = hud_box(w, h)
    # drawn one by one into the encoder, each decoded frame's crop copied out: one frame at a time
    # in memory, not the whole size's (7 GB at 1080p)
    return encode_decode(
        (_render(renderers, w, h, st, font) for st, _kind, font in cases),
        crf,
        keep=lambda f: f[y0:y1, x0:x1].copy(),
    )


def _crops_path(
    cache: Path, style: str, w: int, h: int, seed: int, n: int, crf: int | str, modes: tuple[str, ...]
) -> Path:
    """Where :func:`hud_crops` keeps one run's crops in ``cache``: named by every argument and the
    code's digest (:func:`_crop_code_digest`)."""
    return cache / f"crops-{style}-{w}x{h}-s{seed}-n{n}-crf{crf}-{'+'.join(modes)}-{_crop_code_digest()}.npy"


def _render(renderers: dict, w: int, h: int, st: FrameState, font: str | HudStyle) -> np.ndarray:
    """font: a HUD face name (today's look) or a vodstream.testbed.synth.hud.HudStyle."""
    from vodstream.testbed.synth.render import Renderer

    r = renderers.get(font)
    if r is None:
        if len(renderers) > 8:
            renderers.clear()
        r = renderers.setdefault(
            font,
            Renderer(w, h, seed=10**6 + 7, hud_font=font)
            if isinstance(font, str)
            else Renderer(w, h, seed=10**6 + 7, style=font),
        )
    return np.array(r.render(st))


def case_crop(
    style: str,
    width: int,
    seed: int,
    i: int,
    n: int = 360,
    height: int | None = None,
    cache: Path | None = None,
    crf: int | str = 20,
) -> tuple[np.ndarray, object]:
    """Case ``i`` of a per-sample run (``--style style --seed seed --samples n --crf crf``, four
    layouts) at frame width ``width`` (and ``height``; default 16:9), as that run saw it: at an
    all-intra crf, rendered and encoded after the samples before it in its scene and the scene
    before (x264's rate control carries their complexity), which gives the same crop, byte for
    byte; on VOD keyframes (``crf="vod"``: rate control looks ahead across GOPs) the whole run is
    drawn again -- or the crop is taken from the run's crops in ``cache`` where a run with
    ``--crop-cache`` left them (:func:`hud_crops`). Returns (HUD crop, FrameState). The runs' JSON
    lists the cases they read wrong or not at all by this ``i`` ("misses")."""
    from vodstream.testbed.synth.render import HUD_FONTS

    if height is None:
        height = width * 9 // 16
    cases = make_sequences(n, seed + width, HUD_FONTS, style)
    kept = None if cache is None else _crops_path(cache, style, width, height, seed, n, crf, HUD_MODES)
    if kept is not None and kept.is_file():
        return np.array(np.load(kept, mmap_mode="r")[i]), cases[i][0]  # that crop's bytes only
    if crf == "vod":
        crops = hud_crops(style, width, height, seed, n, crf, cache=cache)
        return np.ascontiguousarray(crops[i]), cases[i][0]
    s0 = max(0, i - i % 12 - 12)
    crop = _drawn_crops(cases[s0 : i + 1], width, height, int(crf))[-1]
    return np.ascontiguousarray(crop), cases[i][0]


def case_digits(
    style: str, width: int, seed: int, i: int, n: int = 360, height: int | None = None
) -> tuple[int, int, int, int] | None:
    """Where case ``i`` (as :func:`case_crop`) draws its kill count's digits: their bounding box in
    HUD-crop pixels (x0, y0, x1, y1, :func:`models.data.drawn_count`); None where none is shown."""
    from models.data import drawn_count
    from vodstream.testbed.synth.render import HUD_FONTS

    if height is None:
        height = width * 9 // 16
    state, _kind, font = make_sequences(n, seed + width, HUD_FONTS, style)[i]
    if isinstance(font, str):
        return drawn_count(state, width, height, font, None)
    return drawn_count(state, width, height, font.font, font)


def crop_samples(huds: Iterable[np.ndarray], width: int, height: int) -> list[Sample]:
    """HUD crops as the reader's samples of a WxH stream, 2 s apart (five to a segment)."""
    from vodstream.types import Sample

    return [
        Sample(
            vod_time=2.0 * i,
            segment_index=i // 5,
            frame_size=(width, height),
            hud=np.ascontiguousarray(hud),
            text=np.zeros((1, 1), np.uint8),
        )
        for i, hud in enumerate(huds)
    ]


def per_sample(
    readers: dict[str, object],
    n: int,
    seed: int,
    crf: int | str,
    temporal: bool = False,
    sizes: tuple[tuple[int, int], ...] = RESOLUTIONS,
    vod_fps: int = 60,
    style: str = "default",
    modes: tuple[str, ...] = HUD_MODES,
    crop_cache: Path | None = None,
) -> dict[str, object]:
    """crf: an all-intra crf, or "vod": every sample is the keyframe of a 2 s GOP encoded like our
    VODs, the 2 s between samples rendered at vod_fps (camera moving). ``crop_cache``: keep and
    reuse the runs' HUD crops there (:func:`hud_crops`)."""
    from vodstream.testbed.synth.render import HUD_FONTS, kill_box_covered

    results: dict[str, object] = {}
    for w, h in sizes:
        seqs = make_sequences(n, seed + w, HUD_FONTS, style, modes)
        t0 = time.perf_counter()
        huds = list(hud_crops(style, w, h, seed, n, crf, modes, crop_cache, vod_fps))
        t_render = time.perf_counter() - t0
        # a shown kill box that the style's stream overlay covers (part of) is not a visible
        # counter: reading nothing there is right, a number that is not the count is wrong
        kinds = [
            "covered"
            if kind == "visible" and not isinstance(font, str) and kill_box_covered(st, w, h, style=font)
            else kind
            for st, kind, font in seqs
        ]
        samples = crop_samples(huds, w, h)
        variants = [(name, r, False) for name, r in readers.items()]
        if temporal:
            variants += [(f"{name}+temporal", r, True) for name, r in readers.items()]
        for name, reader, temp in variants:
            reader.temporal = temp
            t1 = time.perf_counter()
            readings = []
            for g in range(0, len(samples), 12):  # one scene run at a time (temporal mean inside a run)
                readings += reader.read_batch(samples[g : g + 12])
            t_read = time.perf_counter() - t1
            c: Counter = Counter()
            reasons: Counter = Counter()
            misses: list[dict[str, object]] = []  # visible counters not read exactly (case_crop's i)
            # every sample's reading, for choosing a threshold on the run (kill_cases.py reasons)
            every: list[dict[str, object]] = []
            unseen: list[dict[str, object]] = []  # a number read where no counter can be seen
            for i, ((st, _k, _), kind, rd) in enumerate(zip(seqs, kinds, readings, strict=True)):
                c[kind] += 1
                every.append(
                    {
                        "i": i,
                        "kind": kind,
                        "kills": st.kills,
                        "read": rd.kills,
                        "reason": rd.reason,
                        "confidence": round(float(rd.confidence), 4),
                    }
                )
                kb = getattr(rd, "kill_box", None)
                c[f"{kind}_box_{kb}"] += 1
                if kind == "visible":
                    c[f"visible_{st.hud_mode}"] += 1
                    c[f"visible_{st.hud_mode}_right"] += int(rd.kills == st.kills)
                    if rd.kills != st.kills:
                        misses.append(
                            {
                                "i": i,
                                "kills": st.kills,
                                "read": rd.kills,
                                "reason": rd.reason,
                                "layout": st.hud_mode,
                                "era": st.era,
                            }
                        )
                    if rd.kills == st.kills:
                        c["visible_right"] += 1
                    elif rd.kills is None:
                        c["visible_none"] += 1
                        reasons[rd.reason] += 1
                    else:
                        c["visible_wrong"] += 1
                    if st.red:
                        c["red"] += 1
                        c["red_flagged"] += int(rd.red)
                elif kind == "covered":
                    c["covered_ok"] += int(rd.kills is None or rd.kills == st.kills)
                    c["covered_wrong"] += int(rd.kills is not None and rd.kills != st.kills)
                else:
                    c[f"{kind}_none"] += int(rd.kills is None)
                    c[f"{kind}_zero"] += int(rd.kills == 0)
                    if rd.kills is not None:
                        unseen.append(
                            {"i": i, "kind": kind, "kills": st.kills, "read": rd.kills, "reason": rd.reason}
                        )
                c["hud_visible"] += int(rd.hud_visible and kind != "inventory")
                c["hud_expected"] += int(kind != "inventory")
            key = f"{w}x{h} {name}"
            results[key] = {
                "counts": dict(c),
                "none_reasons": dict(reasons),
                "misses": misses,
                "unseen_read": unseen,
                "readings": every,
                "render_s": round(t_render, 2),
                "read_s": round(t_read, 3),
                "samples_per_s": round(len(samples) / max(t_read, 1e-9), 1),
            }
            reader.temporal = False
    return results


def compare_skull_finders(n: int, seed: int) -> dict[str, dict[str, float]]:
    """Template matching vs the 2019 threshold/median/contours finder on degraded held-out renders.

    visible: skull found AND the digits extracted with the right count; hidden/inventory:
    no skull found (a false skull there is what could turn into a wrong number).
    """
    from models.data import degrade, render_cases
    from vodstream.readers.digits import digits_from_box, find_skull, find_skull_contours
    from vodstream.readers.hudlocate import legacy_ref

    cases = render_cases(
        n, "test", seed, kinds=(("visible", 0.6), ("hidden", 0.2), ("inventory", 0.2)), group=20
    )
    cases = degrade(cases, np.random.default_rng(seed))
    out: dict[str, dict[str, float]] = {}
    for name, finder in (("template", find_skull), ("contours_2019", find_skull_contours)):
        c: Counter = Counter()
        t0 = time.perf_counter()
        for case in cases:
            st = case.state
            kind = "inventory" if st.inventory_open else ("visible" if st.show_kill_box else "hidden")
            ref = legacy_ref(case.hud)[0]
            hit = finder(ref)
            c[kind] += 1
            if kind == "visible":
                ok = hit is not None
                if ok:
                    ex = digits_from_box(ref, hit)
                    ok = ex.ok and len(ex.digits) == len(str(st.kills))
                c["visible_ok"] += int(ok)
            else:
                c[f"{kind}_nohit"] += int(hit is None)
        dt = time.perf_counter() - t0
        out[name] = {
            "visible_extracted": c["visible_ok"] / max(1, c["visible"]),
            "hidden_no_skull": c["hidden_nohit"] / max(1, c["hidden"]),
            "inventory_no_skull": c["inventory_nohit"] / max(1, c["inventory"]),
            "n_visible": c["visible"],
            "n_hidden": c["hidden"],
            "n_inventory": c["inventory"],
            "ms_per_crop": 1000 * dt / max(1, len(cases)),
        }
    return out


def write_json(path: Path, data: object) -> None:
    """Write a benchmark's figures atomically and say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)
    print(f"\nwrote {path}")


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.2f} % ({a}/{b})" if b else "-"


READER_ROW = " both readers"  # the whole reader's per-sample rows (beside "2019 path only")


def reader_rows(doc: dict[str, Any]) -> tuple[str | None, dict[str, dict[str, Any]]]:
    """A run's JSON: its crf key (``crf20`` where the run had it, else its first) and the whole
    reader's per-sample rows at that crf, by frame size ("1280x720")."""
    per = doc.get("per_sample") or {}
    crf_key = "crf20" if "crf20" in per else next(iter(per), None)
    rows = per.get(crf_key, {}) if crf_key else {}
    return crf_key, {k.removesuffix(READER_ROW): v for k, v in rows.items() if k.endswith(READER_ROW)}


def _shown_command(command: str) -> str:
    """A run's command as the README shows it: without the options that only say where files go
    (``--crop-cache``, ``--out``), which change no figure and name one machine's folders."""
    return re.sub(r"\s--(?:crop-cache|out)(?:=|\s+)\S+", "", command)


def carried_rows(section: str) -> dict[str, tuple[list[str], list[str]]]:
    """Family -> (its table rows, its run lines), parsed from a per-sample section this module
    wrote: what a family keeps where this machine has no JSON of it (its rows and the line naming
    the run that measured them, verbatim -- nothing typed)."""
    by_title = {title: style for style, title in FAMILIES}
    by_title |= {f"{title}, on VOD keyframes": style for style, title in FAMILIES}
    out: dict[str, tuple[list[str], list[str]]] = {}
    current: str | None = None
    for ln in section.splitlines():
        if ln.startswith("| "):
            first = ln[2:].split(" | ", 1)[0].strip()
            if first:
                current = by_title.get(first)
            if current is not None:
                out.setdefault(current, ([], []))[0].append(ln)
            continue
        current = None
        m = re.match(r"- ([a-z0-9]+): `", ln)
        if m and m.group(1) in out:
            out[m.group(1)][1].append(ln)
    return out


def docs_section(
    docs: dict[str, dict],
    vod: dict[str, list[dict]] | None = None,
    carried: dict[str, tuple[list[str], list[str]]] | None = None,
) -> str:
    """The README's per-sample section from the runs' JSON (one per style family; ``vod``: a
    family's runs on VOD keyframes, ``--crf vod``, rows of their own under it): nothing typed.
    ``carried`` (:func:`carried_rows`): a family with no run here keeps the rows and run line an
    earlier run wrote."""
    lines = [
        DOC_BEGIN,
        "Per sample (`benchmarks/kill_accuracy.py`, written by its `--update-docs` from the JSON of the",
        "runs named below; nothing here is typed by hand): short in-match sequences drawn in one style",
        "family, every sample an all-intra libx264 keyframe, read by the whole kill reader (finder,",
        "digit CNN, score-box reader). Visible counter: the exact number is right; wrong: another",
        "number (never allowed); box found: the reader's `kill_box` verdict on visible counters;",
        "hidden / inventory -> None: no number where none can be seen; hidden verified empty: a",
        "modern kill box not yet shown, proved empty (`kill_box: false`, the only evidence for a 0);",
        "under an overlay: samples whose counter a stream overlay covers, read as a wrong number /",
        "called empty (a 0 nobody saw) / all of them.",
        "Modern scenes are drawn in the queue layouts each run names below, as often as in the synthetic",
        "VODs (the ranked layout puts the kills on a second row, under the squads box).",
        "",
        "| family | digits at stream quality, frames >= 720 px | crf | size | visible counter read exactly"
        " | of them in the ranked layout | wrong numbers | box found | hidden / inventory -> None"
        " | hidden verified empty | under an overlay: wrong / called empty / all |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    runs = []
    entries: list[tuple[str, str, dict]] = []
    for style, title in FAMILIES:
        if style in docs:
            entries.append((style, title, docs[style]))
        entries += [(style, f"{title}, on VOD keyframes", d) for d in (vod or {}).get(style, [])]
        if style not in docs and not (vod or {}).get(style) and style in (carried or {}):
            kept_rows, kept_runs = (carried or {})[style]
            entries.append((style, title, {"carried": kept_rows, "runs": kept_runs}))
    for style, title, doc in entries:
        if "carried" in doc:
            lines += doc["carried"]
            runs += doc["runs"]
            continue
        digits = doc.get("digits") or {}
        dig = "; ".join(
            f"{_pct(round(d['accuracy_from_720'] * d['n_from_720']), d['n_from_720'])}"
            for d in digits.values()
            if d.get("n_from_720")
        )
        crf_key, rows = reader_rows(doc)
        first = True
        for size, r in rows.items():
            c = r["counts"]
            no_number = c.get("hidden_none", 0) + c.get("inventory_none", 0)
            unseen = c.get("hidden", 0) + c.get("inventory", 0)
            lines.append(
                f"| {title if first else ''} | {(dig or 'see the model card') if first else ''} "
                f"| {crf_key.removeprefix('crf') if first and crf_key else ''} | {size} "
                f"| {_pct(c.get('visible_right', 0), c.get('visible', 0))} "
                f"| {_pct(c.get('visible_ranked_right', 0), c.get('visible_ranked', 0))} "
                f"| {c.get('visible_wrong', 0)} "
                f"| {_pct(c.get('visible_box_True', 0), c.get('visible', 0))} "
                f"| {_pct(no_number, unseen)} "
                f"| {_pct(c.get('hidden_box_False', 0), c.get('hidden', 0))} "
                f"| {c.get('covered_wrong', 0)} / {c.get('covered_box_False', 0)} / {c.get('covered', 0)} |"
            )
            first = False
        runs.append(
            f"- {style}: `{_shown_command(doc.get('command', '?'))}` "
            f"(commit {doc.get('commit') or '?'}, {doc.get('utc', '?')}; "
            f"layouts: {', '.join(doc.get('modes') or ['trios'])})."
        )
    lines += ["", *runs, DOC_END]
    return "\n".join(lines)


def update_docs() -> None:
    """Rewrite the README's per-sample section from every benchmarks/out/kill_accuracy-STYLE.json."""
    from vodstream.report.document import replace_section, section_text

    docs, vod = {}, {}
    for style, _title in FAMILIES:
        p = OUT / f"kill_accuracy-{style}.json"
        if p.is_file():
            docs[style] = json.loads(p.read_text())
        # runs on VOD keyframes (--crf vod), one JSON per frame size: kill_accuracy-STYLE-vod-WxH.json
        keyframe_runs = sorted(OUT.glob(f"kill_accuracy-{style}-vod-*.json"))
        vod[style] = [json.loads(f.read_text()) for f in keyframe_runs]
    now = section_text(ROOT / "README.md", DOC_BEGIN, DOC_END)
    section = docs_section(docs, vod, carried_rows(now))
    replace_section(ROOT / "README.md", section, "## Kill counter per sample", DOC_BEGIN, DOC_END)
    n_vod = sum(len(v) for v in vod.values())
    print(f"README.md: per-sample section from {len(docs)} run(s): {', '.join(docs)}; VOD keyframes: {n_vod}")


def _rate(a: int, b: int) -> str:
    return f"{100.0 * a / b:6.2f}% ({a}/{b})" if b else "   n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    ap.add_argument("--box-weights", type=Path, default=BOX_WEIGHTS)
    ap.add_argument(
        "--finder-weights", type=Path, default=FINDER_WEIGHTS, help="the learned kill-box detector's weights"
    )
    ap.add_argument(
        "--temporal", action="store_true", help="also run the 2019 temporal mean (measured: worse)"
    )
    ap.add_argument("--samples", type=int, default=480, help="samples per resolution")
    ap.add_argument(
        "--sets",
        default="5000:5:stream,5000:2",
        help="held-out digit sets, N[:SEED[:QUALITY]],... as in `vodstream eval`",
    )
    ap.add_argument(
        "--crf",
        default="20,23",
        help="per-sample libx264 crf values, comma-separated (stream_quality.py: our VODs' keyframes "
        "are cleaner than crf 18; 23 is a stress level); 'vod': encode like our VODs (2 s GOPs "
        "at the Twitch bitrate, 60 fps rendered between samples: slow) and read the keyframes",
    )
    ap.add_argument("--sizes", default="1280x720,1920x1080", help="per-sample frame sizes")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument(
        "--style",
        choices=tuple(f for f, _title in FAMILIES),
        default="default",
        help="HUD style family of the per-sample frames and the digit sets (vodstream.testbed.synth.styles)",
    )
    ap.add_argument(
        "--modes",
        default=",".join(HUD_MODES),
        help="modern queue layouts the per-sample scenes are drawn in (trios: the plain layout only)",
    )
    ap.add_argument("--cache", type=Path, default=ROOT / "data" / "cases")
    ap.add_argument(
        "--crop-cache",
        type=Path,
        default=None,
        help="keep the per-sample HUD crops (all-intra crf) in this folder and reuse them in later runs "
        "of the same drawing code: a run then only reads (kill_cases.py show/why take the same flag)",
    )
    ap.add_argument("--skip-digits", action="store_true")
    ap.add_argument("--min-confidence", type=float, default=None, help="override the reader's threshold")
    ap.add_argument(
        "--skull-cases", type=int, default=600, help="renders for the skull-finder comparison (0: skip)"
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="JSON to write (default benchmarks/out/kill_accuracy-STYLE.json)",
    )
    ap.add_argument(
        "--update-docs",
        action="store_true",
        help="after the run, rewrite the README's per-sample section from every "
        "benchmarks/out/kill_accuracy-*.json (alone: only rewrite it)",
    )
    args = ap.parse_args(argv)
    if args.update_docs and argv is None and len(sys.argv) == 2:
        update_docs()
        return 0
    if args.out is None:
        args.out = OUT / f"kill_accuracy-{args.style}.json"
    torch.set_num_threads(1)
    from models.train import evaluate_sets, load_test_sets, parse_shards
    from vodstream.readers.boxfinder import KillBoxDetector
    from vodstream.readers.killreader import KillReader

    # a missing file is no run (a missing score-box file would quietly measure the reader without it)
    files = (("digit CNN", args.weights), ("score-box", args.box_weights), ("detector", args.finder_weights))
    for what, path in files:
        if not path.is_file():
            sys.stderr.write(f"error: no {what} weights at {path}\n")
            return 2
    model = load_model(args.weights)
    box = load_box_model(args.box_weights)
    kw: dict[str, Any] = {} if args.min_confidence is None else {"min_confidence": args.min_confidence}
    kw["finder"] = KillBoxDetector.from_file(args.finder_weights)
    readers = {
        "both readers": KillReader(model, box_model=box, **kw),
        "2019 path only": KillReader(model, use_box=False, **kw),
    }
    reader = readers["both readers"]
    modes = tuple(m.strip() for m in args.modes.split(",") if m.strip())
    if not modes or set(modes) - set(HUD_MODES):
        ap.error(f"--modes: a comma-separated list of {', '.join(HUD_MODES)}")
    try:
        crfs = [parse_crf(c) for c in str(args.crf).split(",") if c.strip()]
    except ValueError as e:
        ap.error(f"--crf: {e}")
    sizes = tuple(tuple(int(v) for v in size.lower().split("x")) for size in args.sizes.split(","))
    out: dict[str, object] = {
        "command": "python benchmarks/kill_accuracy.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "commit": git_head(),
        "utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "samples": args.samples,
        "weights": str(args.weights),
        "box_weights": str(args.box_weights),
        "finder_weights": str(args.finder_weights),
        "crf": crfs,
        "style": args.style,
        "modes": list(modes),
        "min_confidence": reader.min_confidence,
        "box_confidence": reader.box_confidence,
    }
    if not args.skip_digits:
        sets = parse_shards(args.sets, "held-out set")
        if args.style != "default":
            sets = tuple((*s[:3], args.style) for s in sets)
        held = evaluate_sets(model, box, load_test_sets(sets, cache_dir=args.cache))  # type: ignore[arg-type]
        out["digits"] = {}
        print(f"{'held-out digits':<42} {'frames >= 720 px':>22} {'all sizes':>22} {'wrong at >= 0.97':>17}")
        for r in held:
            res = r.digits
            acc720, r720, n720 = res.accuracy_from()
            out["digits"][r.name] = {
                **res.to_json(),
                "outcomes": r.outcomes,  # type: ignore[index]
                "accuracy_from_720": acc720,
                "n_from_720": n720,
            }
            print(
                f"{r.name:<42} {_rate(r720, n720):>22} {_rate(res.n - res.errors, res.n):>22} "
                f"{res.wrong_confident:>17}"
            )
    if args.skull_cases:
        sk = compare_skull_finders(args.skull_cases, args.seed)
        out["skull_finders"] = sk
        print(f"\nskull finder ({args.skull_cases} degraded held-out renders)")
        print(
            f"{'finder':<16} {'visible extracted':>18} {'hidden: no skull':>18} {'inventory: no skull':>20} "
            f"{'ms/crop':>8}"
        )
        for name, r in sk.items():
            print(
                f"{name:<16} {100 * r['visible_extracted']:>17.2f}% {100 * r['hidden_no_skull']:>17.2f}% "
                f"{100 * r['inventory_no_skull']:>19.2f}% {r['ms_per_crop']:>8.2f}"
            )
    out["per_sample"] = {}
    for crf in crfs:
        ps = per_sample(
            readers,
            args.samples,
            args.seed,
            crf,
            temporal=args.temporal,
            sizes=sizes,  # type: ignore[arg-type]
            style=args.style,
            modes=modes,
            crop_cache=args.crop_cache,
        )
        out["per_sample"][f"crf{crf}"] = ps  # type: ignore[index]
        how = (
            "keyframes of a VOD-like encode: 2 s GOPs at the Twitch bitrate"
            if crf == "vod"
            else f"libx264 crf {crf}, all-intra"
        )
        print(f"\nper sample ({how}; {args.samples} samples per resolution; {args.style} style)")
        print(
            f"{'run':<30} {'visible exact':>20} {'wrong number':>18} {'hidden None':>18} "
            f"{'inventory None':>18} {'red flagged':>18} {'hud seen':>18} {'box found':>18} "
            f"{'hidden: empty':>18} {'hidden: found':>16} {'covered: no wrong':>18} {'covered: empty':>16} "
            f"{'samples/s':>9}"
        )
        for key, r in ps.items():
            c = r["counts"]
            print(
                f"{key:<30} {_rate(c.get('visible_right', 0), c.get('visible', 0)):>20} "
                f"{_rate(c.get('visible_wrong', 0), c.get('visible', 0)):>18} "
                f"{_rate(c.get('hidden_none', 0), c.get('hidden', 0)):>18} "
                f"{_rate(c.get('inventory_none', 0), c.get('inventory', 0)):>18} "
                f"{_rate(c.get('red_flagged', 0), c.get('red', 0)):>18} "
                f"{_rate(c.get('hud_visible', 0), c.get('hud_expected', 0)):>18} "
                f"{_rate(c.get('visible_box_True', 0), c.get('visible', 0)):>18} "
                f"{_rate(c.get('hidden_box_False', 0), c.get('hidden', 0)):>18} "
                f"{_rate(c.get('hidden_box_True', 0), c.get('hidden', 0)):>16} "
                f"{_rate(c.get('covered_ok', 0), c.get('covered', 0)):>18} "
                f"{_rate(c.get('covered_box_False', 0), c.get('covered', 0)):>16} {r['samples_per_s']:>9}"
            )
            print(
                f"{'':<30} visible exact by layout: "
                + ", ".join(
                    f"{m} {_rate(c.get(f'visible_{m}_right', 0), c.get(f'visible_{m}', 0)).strip()}"
                    for m in modes
                )
            )
    write_json(args.out, out)
    if args.update_docs:
        update_docs()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
