"""Labelled digit sets from synthetic HUD crops, through the reader's own extraction code.

A sample is a random in-match HUD state (era, kills, red flash, 2019 spectator box, squads
left, alive, background scene, camera time, font, resolution) rendered by
``vodstream.testbed.synth.render.render_hud_crop``, degraded the way streams are (a real libx264
encode/decode round trip through PyAV for most crops, JPEG for some), and passed through
:func:`vodstream.readers.digits.extract` -- the exact function the reader uses. Each extracted
component is labelled with its digit when the extraction found as many components as the
number has digits (the others are counted as extraction failures, not trained on).

Splits are disjoint by construction: the train split draws scene seeds and render seeds
(the renderer's world seed) from [0, 10**6), the test split from [10**6, 2*10**6).
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from vodstream.readers.digits import (
    DIGIT_SIZE,
    REF_H,
    REF_W,
    WIN_H,
    WIN_W,
    SkullHit,
    digits_from_box,
    score_window,
)

if TYPE_CHECKING:  # the renderer is imported where it is used (training only)
    import av

    from vodstream.readers.hudlocate import KillBoxProposer
    from vodstream.testbed.synth.backgrounds import SceneBank
    from vodstream.testbed.synth.canvas import Layer
    from vodstream.testbed.synth.hud import HudStyle
    from vodstream.testbed.synth.state import Era, FrameState, HudMode

__all__ = [
    "BAND",
    "QUALITIES",
    "RESOLUTIONS",
    "BoxSet",
    "CaseSet",
    "DigitSet",
    "HudCase",
    "box_labels",
    "box_set_from_cases",
    "build_case_set",
    "build_digit_set",
    "degrade",
    "digits_from_cases",
    "drawn_count",
    "find_skulls",
    "h264_roundtrip",
    "random_case",
    "render_cases",
]

# Frame sizes the HUD is rendered at (the crop is (560s x 175s), s = min(W/1920, H/1080)).
RESOLUTIONS: tuple[tuple[int, int], ...] = (
    (1920, 1080),
    (1280, 720),
    (1600, 900),
    (2560, 1440),
    (1366, 768),
    (852, 480),
    (2560, 1080),
    (1440, 1080),
    (1728, 1080),
    (1920, 1200),
    (1024, 576),
    (1280, 1024),
)
NOT_A_DIGIT = 10  # the 11th class: a crop that is not one digit
# HUD style families (vodstream.testbed.synth.styles)
STYLES = (
    *("default", "train", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7"),
    *("heldout8", "heldout9", "heldout10"),
    *("validation", "selection", "shapes", "wide"),
)
SPLIT_BASE = {"train": 0, "test": 10**6, "smoke": 5 * 10**6}
# Sampling weights: the sizes Twitch serves most (1080p source, 720p) count three times.
RES_WEIGHTS: tuple[float, ...] = (3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)


@dataclass(frozen=True)
class HudCase:
    """One rendered case: the state, where/how it was rendered, and its HUD crop."""

    state: FrameState
    width: int
    height: int
    seed: int
    font: str
    hud: np.ndarray  # RGB uint8 top-right crop (after degradation when applied)
    degradation: str = "none"
    # the kill count's digits as drawn, in crop pixels (x0, y0, x1, y1), None: no count drawn
    count_box: tuple[int, int, int, int] | None = None
    # the style's stream overlay covers some of the count's digits (:func:`count_covered`): the
    # label names digits no reader can see
    covered: bool = False


@dataclass
class DigitSet:
    x: np.ndarray  # (N, 25, 25) float32
    y: np.ndarray  # (N,) int64
    stats: Counter = field(default_factory=Counter)
    heights: np.ndarray | None = None  # (N,) source frame height of each digit


def _random_kills(rng: np.random.Generator) -> int:
    # balanced digits: half one-digit counts 0-9, half two-digit 10-39 (kills > 39 are not seen)
    return int(rng.integers(0, 10)) if rng.random() < 0.5 else int(rng.integers(10, 40))


# the styled sets' queue layouts, as drawn (the same draws as rng.choice on the list itself)
_MODE_MIX: tuple[HudMode, ...] = ("trios", "trios", "ranked", "duos", "elite")


def random_case(
    rng: np.random.Generator,
    split: str,
    *,
    kind: str = "visible",
    scene_seed: int | None = None,
    squads: int | None = None,
    alive: int | None = None,
    modes: bool = False,
) -> FrameState:
    """A random in-match FrameState. kind: visible | hidden (no kill box yet) | inventory | spectating."""
    from vodstream.testbed.synth.state import FrameState

    base = SPLIT_BASE[split]
    era: Era = "2019" if rng.random() < 0.3 else "modern"
    kills = _random_kills(rng)
    show = True
    if kind == "hidden":
        era, kills, show = "modern", 0, False
    red = bool(rng.random() < 0.3) and kind != "hidden"
    if squads is None:
        squads = int(rng.integers(1, 21))
    if alive is None:
        alive = int(rng.integers(max(1, squads), min(60, 3 * squads) + 1))
    return FrameState(
        t=float(rng.uniform(0, 3600)),
        screen="in_match",
        era=era,
        scene_seed=base + int(rng.integers(0, 10**6 - 1)) if scene_seed is None else scene_seed,
        camera_t=float(rng.uniform(0, 900)),
        kills=kills,
        show_kill_box=show,
        red=red,
        inventory_open=kind == "inventory",
        spectating=kind == "spectating",
        squads_left=squads,
        alive=alive,
        spectators=int(rng.integers(0, 40)) if era == "2019" else 0,
        # styled sets: the modern queues' layouts too (ranked puts the kills on a second row)
        hud_mode=_MODE_MIX[int(rng.choice(len(_MODE_MIX)))] if modes and era == "modern" else "trios",
        assists=int(rng.integers(0, 10)) if modes else 0,
    )


def fast_hud_crop(
    state: FrameState, width: int, height: int, *, seed: int, hud_font: str, style: HudStyle | None = None
) -> np.ndarray:
    """render_hud_crop for plain in-match states, with the squads layer cached across kill counts.

    Pixel-identical to ``render_hud_crop`` for in-match states without inventory/spectating
    (tests/test_digit_model.py checks it); the squads-left layer does not depend on the kill
    count, so keying its cache without it makes training-set rendering several times faster.
    """
    from dataclasses import replace

    from vodstream.readers.regions import hud_box
    from vodstream.testbed.synth import hud as _hud
    from vodstream.testbed.synth.canvas import composite
    from vodstream.testbed.synth.render import render_hud_crop

    if (
        state.screen != "in_match"
        or state.inventory_open
        or state.spectating
        or (style is None and state.hud_mode != "trios")
    ):
        return render_hud_crop(state, width, height, seed=seed, hud_font=hud_font, style=style)
    rect = hud_box(width, height)
    frame = _scene_bank(width, height, seed).view(state.scene_seed, state.camera_t, rect)
    st = style if style is not None else _hud.DEFAULT_STYLE
    mode = state.hud_mode if state.era == "modern" else "trios"
    key = _hud.HudKey(
        state.era,
        state.kills,
        state.show_kill_box or state.era == "2019",
        state.red,
        state.squads_left,
        state.alive,
        state.spectators,
        st.font if style is not None else hud_font,
        width,
        height,
        mode=mode,
        assists=state.assists,
        style=st,
    )
    for tile in _game_hud(width, height, key.font, state.era):  # the compass reaches into the wide crop
        composite(frame, tile, rect[:2])
    kl = _hud.kill_layer(key)
    if kl is not None:
        composite(frame, kl, rect[:2])
    sq = _hud.squads_layer(replace(key, kills=0, show_kill_box=True, spectators=0))
    composite(frame, sq, rect[:2])
    for extra in (_hud.banner_layer(st, width, height), _hud.occluder_layer(st, width, height)):
        if extra is not None:
            composite(frame, extra, rect[:2])
    return frame


@lru_cache(maxsize=8)
def _game_hud(width: int, height: int, font: str, era: str) -> tuple[Layer, ...]:
    from vodstream.testbed.synth.render import _tiles
    from vodstream.testbed.synth.screens import game_hud_image

    return _tiles(game_hud_image(width, height, font, era))


_BANKS: dict[tuple[int, int, int], SceneBank] = {}


def _scene_bank(width: int, height: int, seed: int) -> SceneBank:
    from vodstream.testbed.synth.backgrounds import SceneBank

    key = (width, height, seed)
    if key not in _BANKS:
        if len(_BANKS) > 8:
            _BANKS.clear()
        _BANKS[key] = SceneBank(width, height, seed)
    return _BANKS[key]


def render_cases(
    n: int,
    split: str,
    seed: int,
    *,
    fonts: Sequence[str] | None = None,
    resolutions: Sequence[tuple[int, int]] = RESOLUTIONS,
    kinds: Sequence[tuple[str, float]] = (("visible", 1.0),),
    group: int = 40,
    render_seeds: int = 16,
    style: str = "default",
) -> list[HudCase]:
    """Render n random HUD crops (no degradation).

    Cases come in groups of `group` sharing one frame size, render seed and background scene
    (textures are the expensive part); inside a group the camera time, font, kill count,
    era, red flash and squads/alive counts vary. ``style``: "default" (today's look, a face of
    ``fonts`` per case), "train" or "heldout" (vodstream.testbed.synth.styles: one random style of that
    family per group of 10 cases, the queue layouts varied too).
    """
    from vodstream.testbed.synth.render import HUD_FONTS, kill_digit_boxes
    from vodstream.testbed.synth.styles import family_style

    if style not in STYLES:
        raise ValueError(f"unknown style family {style!r} (known: {', '.join(STYLES)})")

    fonts = tuple(fonts or HUD_FONTS)
    rng = np.random.default_rng(seed)
    base = SPLIT_BASE[split]
    names = [k for k, _ in kinds]
    p = np.array([w for _, w in kinds], float)
    p /= p.sum()
    out: list[HudCase] = []
    wts = np.array(RES_WEIGHTS if resolutions is RESOLUTIONS else [1.0] * len(resolutions), float)
    while len(out) < n:
        w, h = resolutions[int(rng.choice(len(resolutions), p=wts / wts.sum()))]
        rseed = base + int(rng.integers(0, render_seeds))
        scene = base + int(rng.integers(0, 10**6 - 1))
        squads = int(rng.integers(1, 21))
        alive = int(rng.integers(max(1, squads), min(60, 3 * squads) + 1))
        sty = None
        for j in range(min(group, n - len(out))):
            kind = names[int(rng.choice(len(names), p=p))]
            if rng.random() < 0.2:
                squads = int(rng.integers(1, 21))
                alive = int(rng.integers(max(1, squads), min(60, 3 * squads) + 1))
            state = random_case(
                rng, split, kind=kind, scene_seed=scene, squads=squads, alive=alive, modes=style != "default"
            )
            if style == "default":
                font = fonts[int(rng.integers(0, len(fonts)))]
            else:
                if sty is None or j % 10 == 0:  # (sty is None only at j == 0)
                    sty = family_style(style, rng)
                font = sty.font
            hud = fast_hud_crop(state, w, h, seed=rseed, hud_font=font, style=sty)
            digits = kill_digit_boxes(state, w, h, hud_font=font, style=sty)
            count, covered = _count_span(digits, w, h), count_covered(digits, sty, w, h)
            out.append(HudCase(state, w, h, rseed, font, hud, count_box=count, covered=covered))
    return out


def drawn_count(
    state: FrameState, width: int, height: int, font: str, style: HudStyle | None
) -> tuple[int, int, int, int] | None:
    """Where the renderer drew the kill count's digits (x0, y0, x1, y1), in pixels of the
    regions.hud_box crop (None: not drawn)."""
    from vodstream.testbed.synth.render import kill_digit_boxes

    return _count_span(kill_digit_boxes(state, width, height, hud_font=font, style=style), width, height)


def _count_span(
    boxes: Sequence[tuple[int, int, int, int]], width: int, height: int
) -> tuple[int, int, int, int] | None:
    """The digits' frame boxes (render.kill_digit_boxes) as one box in hud_box crop pixels."""
    from vodstream.readers.regions import hud_box

    if not boxes:
        return None
    x0, y0, _x1, _y1 = hud_box(width, height)
    return (
        min(b[0] for b in boxes) - x0,
        min(b[1] for b in boxes) - y0,
        max(b[2] for b in boxes) - x0,
        max(b[3] for b in boxes) - y0,
    )


# count_covered: an overlay over this share of a digit's box or more hides it (a pixel or two of
# the box's edge under a panel's border hides nothing)
COVER_SHARE = 0.1


def count_covered(
    digits: Sequence[tuple[int, int, int, int]], style: HudStyle | None, width: int, height: int
) -> bool:
    """Whether the style's stream overlay (a webcam, a panel) covers ``COVER_SHARE`` or more of one
    of the kill count's ``digits`` (their frame boxes, render.kill_digit_boxes): that count is not
    in view (the per-sample benchmark's ``kill_box_covered`` asks it of the whole box)."""
    from vodstream.testbed.synth.hud import occluder_rect

    r = occluder_rect(style, width, height) if style is not None else None
    if r is None:
        return False
    for x0, y0, x1, y1 in digits:
        iw = min(x1, r[2]) - max(x0, r[0])
        ih = min(y1, r[3]) - max(y0, r[1])
        if iw > 0 and ih > 0 and iw * ih >= COVER_SHARE * max(1, (x1 - x0) * (y1 - y0)):
            return True
    return False


# how far (digit heights) the finder's run may sit beside the count as drawn and still be "on" it:
# runs that start at the skull or end at the box's edge are still read from the count (the band
# holds it); the squads count, the nearest other number, sits two box paddings and the gap between
# the boxes away (chosen on the training and validation families' test-split renders, seeds 23-24)
ON_COUNT_GAP = 0.75


def on_count(run: tuple[float, float, float, float] | None, count: tuple[int, int, int, int] | None) -> bool:
    """The finder's digit run (FoundBox.run) sits on the kill count as drawn: on its line (vertical
    centres at most half a digit height apart) and overlapping it or at most ON_COUNT_GAP digit
    heights beside it. A box found on another number (the squads or alive count, a kill-feed line)
    gives digits the case's label does not name."""
    if run is None or count is None:
        return False
    h = count[3] - count[1]
    gap = max(run[0], count[0]) - min(run[2], count[2])  # < 0: they overlap
    dy = abs((run[1] + run[3]) - (count[1] + count[3])) / 2.0
    return gap <= ON_COUNT_GAP * h and dy <= 0.5 * h


def h264_roundtrip(
    frames: Iterable[np.ndarray],
    crf: int = 23,
    preset: str = "veryfast",
    tune: str | None = "zerolatency",
    keep: Callable[[np.ndarray], np.ndarray] | None = None,
) -> list[np.ndarray]:
    """Encode same-size RGB frames with libx264 (yuv420p, all-intra) and decode them back, in memory.
    ``tune``: the x264 tune (None: x264's default, as benchmarks/kill_accuracy.py encodes its
    per-sample sequences). ``frames`` may be a generator: each is encoded as it comes, and with
    ``keep`` (say, a copy of the HUD crop) only what ``keep`` returns of each decoded frame is held,
    so a long sequence of big frames never sits in memory whole. The same frames give the same
    bytes either way."""
    import av

    it = iter(frames)
    first = next(it, None)
    if first is None:
        return []
    h, w = first.shape[:2]
    pw, ph = w + (w % 2), h + (h % 2)
    enc = av.CodecContext.create("libx264", "w")
    enc.width, enc.height, enc.pix_fmt = pw, ph, "yuv420p"
    enc.time_base = Fraction(1, 30)
    # all-intra: every crop is its own keyframe (the decoder samples keyframes), so nothing of
    # one crop can leak into the next through inter prediction
    enc.gop_size = 1
    enc.options = {"crf": str(crf), "preset": preset, "keyint": "1"} | ({"tune": tune} if tune else {})
    enc.thread_count = 1
    dec = av.CodecContext.create("h264", "r")
    dec.thread_count = 1
    out: list[np.ndarray] = []

    def _take(fr: av.VideoFrame) -> None:
        img = fr.to_ndarray(format="rgb24")[:h, :w]
        out.append(img if keep is None else keep(img))

    def _drain(packets: Iterable[av.Packet]) -> None:
        for pkt in packets:
            for fr in dec.decode(pkt):
                _take(fr)

    for i, f in enumerate(itertools.chain([first], it)):
        if f.shape[:2] != (h, w):
            raise ValueError("h264_roundtrip needs frames of one size")
        if (pw, ph) != (w, h):
            f = cv2.copyMakeBorder(f, 0, ph - h, 0, pw - w, cv2.BORDER_REPLICATE)
        vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(f), format="rgb24").reformat(format="yuv420p")
        vf.pts = i
        _drain(enc.encode(vf))
    _drain(enc.encode(None))
    for fr in dec.decode(None):
        _take(fr)
    return out


# Damage mixes for rendered HUD crops (name -> P(H.264), P(JPEG), H.264 crf range inclusive); the rest
# stay clean. "stress" trains the networks and is the harsh held-out set (crf 27-30 and JPEG 35 are
# harsher than anything our Twitch-bitrate VODs carry); "stream" is the held-out set at the quality
# of VOD keyframes: crf 18-23 all-intra, which benchmarks/stream_quality.py measures as HARSHER than
# the keyframes of a 2 s-GOP encode at the Twitch ladder's bitrates.
QUALITIES: dict[str, tuple[float, float, tuple[int, int]]] = {
    "stress": (0.7, 0.2, (18, 30)),
    "stream": (1.0, 0.0, (18, 23)),
}


def degrade(cases: list[HudCase], rng: np.random.Generator, *, quality: str = "stress") -> list[HudCase]:
    """Stream-like damage: H.264 round trips (grouped by crop size) or JPEG; some left clean."""
    if quality not in QUALITIES:
        raise ValueError(f"unknown quality {quality!r} (known: {', '.join(QUALITIES)})")
    p_h264, p_jpeg, (crf_lo, crf_hi) = QUALITIES[quality]
    choice = rng.random(len(cases))
    out: list[HudCase | None] = [None] * len(cases)
    groups: dict[tuple[int, int], list[int]] = {}
    for i, c in enumerate(cases):
        if choice[i] < p_h264:
            groups.setdefault(c.hud.shape[:2], []).append(i)
        elif choice[i] < p_h264 + p_jpeg:
            q = int(rng.integers(35, 96))
            _, buf = cv2.imencode(
                ".jpg", cv2.cvtColor(c.hud, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, q]
            )
            bgr = cv2.imdecode(buf, cv2.IMREAD_COLOR)
            assert bgr is not None  # the JPEG just encoded
            img = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            out[i] = replace(c, hud=img, degradation=f"jpeg{q}")
        else:
            out[i] = c
    for idx in groups.values():
        for j in range(0, len(idx), 48):
            chunk = idx[j : j + 48]
            crf = int(rng.integers(crf_lo, crf_hi + 1))
            dec = h264_roundtrip([cases[i].hud for i in chunk], crf=crf)
            for i, img in zip(chunk, dec, strict=True):
                c = cases[i]
                out[i] = replace(c, hud=img, degradation=f"h264crf{crf}")
    return [c for c in out if c is not None]


# The part of the reference canvas around the found kill box that the readers read (score box,
# top-hat padding, score window), relative to the skull's top-left: (dx0, dy0, dx1, dy1).
# Caching only this band (the kill box found by vodstream.readers.hudlocate.find_kill_box, the reader's
# own code) keeps the sets small; a change of the finder needs the sets rebuilt (CACHE_VERSION).
BAND = (-20, -20, 80, 50)
CANON = (100, 60)  # where from_band puts the skull
FOUND_COUNT, FOUND_ELSEWHERE = 1, 2  # CaseSet.found's first column
CACHE_VERSION = 4  # 3: found 2 = a box found on another number than the count; 4: covered


def to_band(
    hud: np.ndarray, proposer: KillBoxProposer | None = None
) -> tuple[np.ndarray, SkullHit | None, tuple[float, float, float, float] | None]:
    """The band around the kill box the reader finds in a HUD crop (zeros and None: not found),
    and where the count was taken from in the crop (FoundBox.run). ``proposer``: the learned
    detector, asked where the run asks it (None: the layout rules and the skull template only)."""
    from vodstream.readers.hudlocate import find_kill_box

    x0, y0, x1, y1 = BAND
    f = find_kill_box(hud, proposer)
    if f.skull is None:
        return np.zeros((y1 - y0, x1 - x0, 3), np.uint8), None, None
    p = max(-x0, -y0, x1, y1)
    big = cv2.copyMakeBorder(f.ref, p, p, p, p, cv2.BORDER_CONSTANT, value=0)
    sx, sy = f.skull.x + p, f.skull.y + p
    return np.ascontiguousarray(big[sy + y0 : sy + y1, sx + x0 : sx + x1]), f.skull, f.run


def from_band(band: np.ndarray) -> np.ndarray:
    """A reference canvas with the band in place around a skull at CANON (zeros elsewhere:
    never read by the extraction)."""
    x0, y0, x1, y1 = BAND
    ref = np.zeros((REF_H, REF_W, 3), np.uint8)
    cx, cy = CANON
    ref[cy + y0 : cy + y1, cx + x0 : cx + x1] = band
    return ref


def canon_skull(red: bool, row: int) -> SkullHit:
    from vodstream.readers.digits import SKULL_H, SKULL_W

    return SkullHit(CANON[0], CANON[1], SKULL_W, SKULL_H, 1.0, bool(red), int(row))


@dataclass
class CaseSet:
    """Rendered + degraded visible-counter HUDs, kept as bands around the kill box found."""

    bands: np.ndarray  # (N, h, w, 3) uint8
    kills: np.ndarray  # (N,) int64
    heights: np.ndarray  # (N,) source frame height
    degradation: list[str]
    # (N, 3) int8: found, red, row (None: all found at CANON); found is FOUND_COUNT where the box
    # the reader found sits on the kill count as drawn, FOUND_ELSEWHERE where it sits on another
    # number (its digits are not the label's: neither network trains or is measured on it), 0 none
    found: np.ndarray | None = None
    # (N,) bool: a stream overlay covers a tenth or more of a digit of the count (HudCase.covered):
    # not a visible count, so neither network trains or is measured on it (None: none covered)
    covered: np.ndarray | None = None


def save_case_set(cs: CaseSet, path: Path) -> None:
    """Keep a case set in ``path`` (.npz, written whole under a temporary name, then renamed):
    the cache ``vodstream train --cache`` and ``benchmarks/kill_cases.py digits`` read."""
    if cs.found is None:
        raise ValueError("a case set is kept with where each box was found (build_case_set records it)")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez_compressed(
        tmp,
        bands=cs.bands,
        kills=cs.kills,
        heights=cs.heights,
        degradation=np.array(cs.degradation),
        found=cs.found,
        covered=cs.covered if cs.covered is not None else np.zeros(len(cs.kills), bool),
    )
    os.replace(tmp, path)


def load_case_set(path: Path) -> CaseSet:
    """A case set :func:`save_case_set` kept (OSError, ValueError or KeyError: not one)."""
    z = np.load(path, allow_pickle=False)
    return CaseSet(
        z["bands"], z["kills"], z["heights"], [str(d) for d in z["degradation"]], z["found"], z["covered"]
    )


def build_case_set(
    n_cases: int,
    split: str,
    seed: int,
    *,
    fonts: Sequence[str] | None = None,
    resolutions: Sequence[tuple[int, int]] = RESOLUTIONS,
    chunk: int = 240,
    quality: str = "stress",
    style: str = "default",
    detector: bool = False,
) -> CaseSet:
    """``detector``: find the kill boxes as ``vodstream run`` does, the shipped learned detector
    (models/finder.pt and its second opinion) asked where the layout rules find none -- the
    readers then also learn the boxes only the detector finds, placed where it places them."""
    rng = np.random.default_rng(seed + 7919)
    proposer = None
    if detector:
        from vodstream.readers.boxfinder import KillBoxDetector

        proposer = KillBoxDetector.shipped()
        if proposer is None:
            raise FileNotFoundError("no kill-box detector weights (models/finder.pt)")
    bands, kills, heights, degs, found, covered = [], [], [], [], [], []
    for start in range(0, n_cases, chunk):
        m = min(chunk, n_cases - start)
        cases = degrade(
            render_cases(m, split, seed * 1000 + start, fonts=fonts, resolutions=resolutions, style=style),
            rng,
            quality=quality,
        )
        for c in cases:
            band, skull, run = to_band(c.hud, proposer)
            bands.append(band)
            flag = 0 if skull is None else FOUND_COUNT if on_count(run, c.count_box) else FOUND_ELSEWHERE
            found.append((flag, bool(skull and skull.red), skull.row if skull else 0))
            kills.append(c.state.kills)
            heights.append(c.height)
            degs.append(c.degradation)
            covered.append(c.covered)
    return CaseSet(
        np.stack(bands),
        np.array(kills, np.int64),
        np.array(heights, np.int32),
        degs,
        np.array(found, np.int8).reshape(-1, 3),
        np.array(covered, bool),
    )


def find_skulls(cs: CaseSet) -> list[SkullHit | None]:
    """The (canonical) skull of every case, None where the reader found no kill box or a stream
    overlay covers the count: pass it to :func:`digits_from_cases` and :func:`box_set_from_cases`
    when both read the same cases."""
    cov = cs.covered if cs.covered is not None else np.zeros(len(cs.bands), bool)
    if cs.found is None:
        return [None if c else canon_skull(False, 0) for c in cov]
    return [
        canon_skull(bool(r), int(w)) if f == FOUND_COUNT and not c else None
        for (f, r, w), c in zip(cs.found, cov, strict=True)
    ]


def _missing(cs: CaseSet, i: int) -> str:
    """Why case ``i`` has no skull: a stream overlay covers the count, the reader found no kill
    box, or it found one on another number."""
    if cs.covered is not None and cs.covered[i]:
        return "covered"
    return "wrong_box" if cs.found is not None and cs.found[i, 0] == FOUND_ELSEWHERE else "no_skull"


def digits_from_cases(
    cs: CaseSet, *, not_digit: bool = False, skulls: Sequence[SkullHit | None] | None = None
) -> DigitSet:
    """Extract every case with the reader's code; keep digits where the count matches.

    not_digit: also add, for each correctly extracted multi-digit number, the whole number
    as one crop labelled NOT_A_DIGIT (10) -- what touching digits look like to the CNN.
    """
    xs, ys, hs = [], [], []
    stats: Counter = Counter()
    if skulls is None:
        skulls = find_skulls(cs)
    for i, (band, k, fh, skull) in enumerate(zip(cs.bands, cs.kills, cs.heights, skulls, strict=True)):
        ref = from_band(band)
        ex = digits_from_box(ref, skull) if skull is not None else None
        text = str(int(k))
        if ex is None:
            stats[_missing(cs, i)] += 1
        elif not ex.ok:
            stats[ex.reason] += 1
        elif len(ex.digits) != len(text):
            stats["count_mismatch"] += 1
        else:
            stats["ok"] += 1
            xs.append(ex.digits)
            ys.append(np.array([int(ch) for ch in text], np.int64))
            hs.append(np.full(len(text), int(fh), np.int32))
            if not_digit and len(text) > 1 and skull is not None:
                pair = digits_from_box(ref, skull, merge_run=True)
                xs.append(pair.digits)
                ys.append(np.array([NOT_A_DIGIT], np.int64))
                hs.append(np.array([int(fh)], np.int32))
                stats["not_digit_examples"] += 1
    x = np.concatenate(xs) if xs else np.zeros((0, DIGIT_SIZE, DIGIT_SIZE), np.float32)
    y = np.concatenate(ys) if ys else np.zeros(0, np.int64)
    h = np.concatenate(hs) if hs else np.zeros(0, np.int32)
    return DigitSet(x.astype(np.float32), y, stats, h)


@dataclass
class BoxSet:
    """Score-box windows for the second reader (models.net.BoxNet) and their labels."""

    x: np.ndarray  # (N, 3, 24, 36) float32
    y: np.ndarray  # (N, 2) int64: first digit, second digit (10 = none)
    heights: np.ndarray  # (N,) source frame height
    stats: Counter = field(default_factory=Counter)


def box_labels(kills: int) -> tuple[int, int]:
    """(first digit, second digit or 10) of a kill count 0-99."""
    text = str(int(kills))
    if not 1 <= len(text) <= 2:
        raise ValueError(f"kill count {kills} is not 0-99")
    return int(text[0]), int(text[1]) if len(text) == 2 else 10


def box_set_from_cases(cs: CaseSet, *, skulls: Sequence[SkullHit | None] | None = None) -> BoxSet:
    """Every case whose skull is found, as a score-box window labelled with its kill count.

    No digit segmentation is involved, so cases the connected components fail on (touching
    digits, a background stroke joined to a digit) are training examples here too.
    """
    xs, ys, hs = [], [], []
    stats: Counter = Counter()
    if skulls is None:
        skulls = find_skulls(cs)
    for i, (band, k, fh, skull) in enumerate(zip(cs.bands, cs.kills, cs.heights, skulls, strict=True)):
        if skull is None:
            stats[_missing(cs, i)] += 1
            continue
        stats["ok"] += 1
        xs.append(score_window(from_band(band), skull))
        ys.append(box_labels(int(k)))
        hs.append(int(fh))
    x = np.stack(xs) if xs else np.zeros((0, 3, WIN_H, WIN_W), np.float32)
    return BoxSet(x, np.array(ys, np.int64).reshape(-1, 2), np.array(hs, np.int32), stats)


def build_digit_set(
    n_cases: int,
    split: str,
    seed: int,
    *,
    fonts: Sequence[str] | None = None,
    resolutions: Sequence[tuple[int, int]] = RESOLUTIONS,
    chunk: int = 240,
) -> DigitSet:
    """Render, degrade and extract n_cases visible-counter HUDs into a labelled digit set."""
    return digits_from_cases(
        build_case_set(n_cases, split, seed, fonts=fonts, resolutions=resolutions, chunk=chunk)
    )
