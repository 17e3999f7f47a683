"""Random HUD styles: what the game, its seasons and languages, and the stream on top vary.

    style = training_style(np.random.default_rng(3))     # a varied style for training
    style = heldout_style(np.random.default_rng(3))      # the held-out family
    style = style_by_name("heldout:7")                   # the same, by name (CLI, scripts)

The families, disjoint by construction in face, skull drawing or box geometry (except
**shapes**, a subset of training):

* **training**: any face of ``fonts.STYLE_FONTS``; skull drawings with round, tall or wide eye
  sockets, with or without a jaw and nose; box slant 8-22 px, box height 26-35 px, kill-box width
  54-80 px, gap to the squads box 20-45 px (1080p reference pixels).
* **held-out**: ONE face (``fonts.HELDOUT_FONTS``), ONE skull drawing (angular eye sockets, a
  wide toothed jaw, no nose: a shape no training drawing has), ONE box geometry (slant 3 px,
  36 px high, 86 px wide, 50 px gap: outside every training range). Nothing trains on it and no
  choice is made on it; it measures the readers on a style they never saw.
* **second held-out** (``heldout2``): ONE more face (``fonts.HELDOUT2_FONTS``, a plain sans),
  ONE skull drawing (diamond eye sockets, a short jaw with three teeth, a nose) and ONE box
  geometry (39 px high, 12 px gap to the squads box, larger and narrower digits set further from
  the skull: height, gap, digit size, width and spacing outside every other family's ranges).
  Added once the first held-out family's figures had been reported many times (its digit
  confusions are known): defined and committed before anything was measured on it (ecbe9c2), with
  the readers as they were. Nothing trains on it; after that first run one finder rule was mended
  on one of its VODs (hudlocate._letter_before, VOD 8221), so it is held out no longer.
* **third held-out** (``heldout3``): ONE more face (``fonts.HELDOUT3_FONTS``, a humanist sans
  with soft terminals), ONE skull drawing (hexagonal eye sockets, a wide low cranium, a wide jaw
  with five teeth, no nose) and ONE box geometry (41 px high, a 6 px slant, 96 px wide, a 6 px
  gap to the squads box, a small skull set far into the box, wide digits set far after it: height,
  width, gap, skull size and place, digit width and spacing outside every other family's
  ranges). Defined once the second held-out family's cases had been looked at and a finder rule
  chosen on them, and committed before anything was measured on it (a1b3a01). Nothing trains on
  it; after that first run reader and tracker rules were chosen on its cases, so it is held out no
  longer.
* **fourth held-out** (``heldout4``): ONE more face (``fonts.HELDOUT4_FONTS``, a gothic
  grotesque), ONE skull drawing (one visor-like band across both eye sockets, a narrow tall
  cranium, no jaw, a nose) and ONE box geometry (an upright box with no slant, 24 px high, 46 px
  wide, a small skull flush with the box's left edge, condensed digits right after it: slant,
  height, width and skull place outside every other family's ranges). Defined once the third
  held-out family's cases had been looked at and rules chosen on them, and committed before
  anything was measured on it (6479a1e). Nothing trains on it; after that first run finder and
  tracker rules were chosen on its cases, so it is held out no longer.
* **fifth held-out** (``heldout5``): ONE more face (``fonts.HELDOUT5_FONTS``, a sturdy sans with
  squarish rounds), ONE skull drawing (narrow eye slits slanting down to the middle, a wide low
  cranium, a plain jaw without teeth, no nose) and ONE box geometry (a steep 30 px slant, a 58 px
  gap to the squads box, tall digits (cap 17 px): slant, gap and digit size outside every other
  family's ranges). Defined once the fourth held-out family's cases had been looked at and rules
  chosen on them, and committed before anything was measured on it (3348f39). Nothing trains on
  it; after that first run two tracker rules were chosen on its VODs (no reader rule), so its
  whole-VOD figures are held out no longer.
* **sixth held-out** (``heldout6``): ONE more face (``fonts.HELDOUT6_FONTS``, a light condensed
  sans with flat-sided rounds), ONE skull drawing (an X of two crossed bars in each eye socket,
  the cartoon dead eye, the eyes set wide apart, a wide long jaw split by a single tooth gap, a
  nose) and ONE box geometry (a tall 43 px box holding the largest skull (1.22 times the
  reference size) and wide digits (stretch 1.26): box height, skull size and digit width outside
  every other family's ranges; slant, box width, gap to the squads box, skull place, digit
  spacing and digit size inside the training ranges). Defined once the fifth held-out family's
  VODs had been looked at and tracker rules chosen on them, and committed before anything was
  measured on it. Nothing trains on it and no choice is made on it.
* **seventh held-out** (``heldout7``): ONE more face (``fonts.HELDOUT7_FONTS``, a humanist
  condensed sans: a curved flag on the 1, a bowed 7, stroke contrast in the rounds), ONE skull
  drawing of the existing options in a combination no family has (angular eye sockets and a
  nose, the eyes set close together over a narrow, short jaw without teeth: eye spacing, jaw
  width and jaw length outside every other family's ranges) and ONE box geometry (a short 22 px
  box holding the smallest skull (0.7 times the reference size), hardly taller than its digits,
  and the narrowest digits (stretch 0.76): box height, skull size and digit width outside every
  other family's ranges, on the other side from the sixth's; slant, box width, gap to the squads
  box, skull place, digit spacing and digit size inside the training ranges). Defined once the
  sixth held-out family had been measured, and committed before anything was measured on it.
  Nothing trains on it and no choice is made on it.
* **eighth held-out** (``heldout8``): ONE more face (``fonts.HELDOUT8_FONTS``, a narrow
  grotesque: straight-sided rounds, a 6 and 9 on straight slanting spines, a plain flagged 1),
  ONE skull drawing of the existing options in a combination no family has (diamond eye sockets
  without a nose over a plain jaw with two teeth) and ONE box geometry (a 33 px box with an 18 px
  slant, 74 px wide, 52 px from the squads box, a slightly small skull (0.94) set 15 px into the
  box, slightly tall (cap 14.8), slightly narrow (stretch 0.88) digits 4 px after it: every value
  inside the span the other fixed families cover and none at its end, in a combination none of
  them has). Defined once the seventh held-out family had been measured, and committed before
  anything was measured on it. Nothing trains on it and no choice is made on it.
* **ninth held-out** (``heldout9``): ONE more face (``fonts.HELDOUT9_FONTS``, a humanist
  condensed sans: open, round-shouldered figures, a flat-topped 3, a 1 with a short flag), ONE
  skull drawing of the existing options in a combination no family has (slit eyes over a nose and
  a jaw with three teeth) and ONE box geometry (a 35 px box with a 22 px slant, 71 px wide, 44 px
  from the squads box, a slightly large skull (1.08) set 11 px in, tall (cap 15.6), slightly wide
  (stretch 1.1) digits 7 px after it: every value inside the span the other fixed families cover
  and none at its end, in a combination none of them has). Defined once every kill-reader rule of
  the sessions before had been measured on the eighth, and committed before anything was measured
  on it. Nothing trains on it and no choice is made on it.
* **tenth held-out** (``heldout10``): ONE more face (``fonts.HELDOUT10_FONTS``, a techno sans:
  rounded-square figures, a 1 with a flag and no foot, a 4 closed at the top), ONE skull
  drawing of the existing options in a combination no family has (hexagonal eyes over a nose and
  a jaw with two teeth) and ONE box geometry (a 31 px box with a 16 px slant, 66 px wide, 22 px
  from the squads box, a 0.96x skull set 13 px in, digits of cap 14.6 and stretch 1.04 6 px after
  it: every value inside the span the other fixed families cover and none at its end, in a
  combination none of them has). Defined once every kill-reader rule of the sessions before had
  been measured on the ninth, and committed before anything was measured on it. Nothing trains
  on it and no choice is made on it.
* **validation**: ONE other face (``fonts.VALIDATION_FONTS``), ONE skull drawing (square eye
  sockets, a narrow jaw with two teeth, a nose) and ONE box geometry (slant 24 px, 25 px high,
  54 px wide, 16 px gap: slant, height and gap outside the training ranges, on the other side
  from the held-out ones). Nothing trains on it; it is the set the readers' choices (thresholds,
  preprocessing, OCR settings) are made on, so that the held-out family stays unseen.
* **selection**: the training family's geometry and skulls, in the faces of
  ``fonts.SELECTION_FONTS`` (digit shapes of other faces than the training ones: a slashed and a
  dotted zero, open-top 4s, a slab-serif 1). Nothing trains on it; digit networks are chosen on
  it (the validation face alone has too few digit misreads to choose on).
* **shapes**: the training family in the faces of ``fonts.DIGIT_SHAPE_FONTS`` only (a subset of
  the training faces: the ones added for their digit shapes), for training shards that stress them.

All families vary the rest the same way: HUD scale (+-10%) and margin, the squads label's
language (a longer label pushes the boxes left, up to ~15% of the frame width), a banner pushing
the HUD down, box / outline opacity, ink and alive-box tints, and a stream overlay (webcam or
panel) over part of the top-right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from vodstream.testbed.synth.fonts import (
    DIGIT_SHAPE_FONTS,
    HELDOUT2_FONTS,
    HELDOUT3_FONTS,
    HELDOUT4_FONTS,
    HELDOUT5_FONTS,
    HELDOUT6_FONTS,
    HELDOUT7_FONTS,
    HELDOUT8_FONTS,
    HELDOUT9_FONTS,
    HELDOUT10_FONTS,
    HELDOUT_FONTS,
    SELECTION_FONTS,
    STYLE_FONTS,
    VALIDATION_FONTS,
)
from vodstream.testbed.synth.hud import DEFAULT_STYLE, HudStyle, SkullShape

__all__ = [
    "COVERED_RECT",
    "HELDOUT2_GEOMETRY",
    "HELDOUT2_SKULL",
    "HELDOUT3_GEOMETRY",
    "HELDOUT3_SKULL",
    "HELDOUT4_GEOMETRY",
    "HELDOUT4_SKULL",
    "HELDOUT5_GEOMETRY",
    "HELDOUT5_SKULL",
    "HELDOUT6_GEOMETRY",
    "HELDOUT6_SKULL",
    "HELDOUT7_GEOMETRY",
    "HELDOUT7_SKULL",
    "HELDOUT8_GEOMETRY",
    "HELDOUT8_SKULL",
    "HELDOUT9_GEOMETRY",
    "HELDOUT9_SKULL",
    "HELDOUT10_GEOMETRY",
    "HELDOUT10_SKULL",
    "HELDOUT_FAMILIES",
    "HELDOUT_GEOMETRY",
    "HELDOUT_SKULL",
    "VALIDATION_GEOMETRY",
    "VALIDATION_SKULL",
    "covered_style",
    "family_style",
    "heldout2_style",
    "heldout3_style",
    "heldout4_style",
    "heldout5_style",
    "heldout6_style",
    "heldout7_style",
    "heldout8_style",
    "heldout9_style",
    "heldout10_style",
    "heldout_style",
    "selection_style",
    "shapes_style",
    "style_by_name",
    "training_style",
    "validation_style",
    "wide_style",
]

# Squads-left labels of other languages (ASCII so every face has the glyphs); the label's ink
# width grows with its length.
LABELS = (
    "SQUADS LEFT",
    "SQUADS LEFT",
    "ESCOUADES RESTANTES",
    "SQUADRE RIMASTE",
    "ESCUADRAS RESTANTES",
    "TRUPPS UEBRIG",
    "POZOSTALE DRUZYNY",
    "ESQUADROES RESTANTES",
    "OSTALOS OTRYADOV",
)
BANNERS = ("SPECTATING", "AWAITING RESPAWN", "YOU ARE THE JUMPMASTER", "RESPAWN BEACON NEARBY")

HELDOUT_SKULL = SkullShape(
    name="heldout",
    cranium_w=10.6,
    cranium_h=9.0,
    cranium_cut=16.6,
    jaw=6.6,
    jaw_bot=21.4,
    eyes="angular",
    eye_r=2.6,
    eye_dx=4.4,
    eye_y=12.2,
    nose=False,
    teeth=4,
)
# (top, bot, slant, kill_w1, kill_gap, skull_dx, digit_gap after the skull)
HELDOUT_GEOMETRY = (48.0, 84.0, 3.0, 86.0, 50.0, 16.0, 9.0)

HELDOUT2_SKULL = SkullShape(
    name="heldout2",
    cranium_w=9.9,
    cranium_h=9.4,
    cranium_cut=17.2,
    jaw=4.4,
    jaw_bot=21.0,
    eyes="diamond",
    eye_r=2.3,
    eye_dx=4.1,
    eye_y=12.8,
    nose=True,
    teeth=3,
)
# (top, bot, slant, kill_w1, kill_gap, skull_dx, digit_gap after the skull, skull size, digit cap,
# digit stretch)
HELDOUT2_GEOMETRY = (45.0, 84.0, 12.0, 64.0, 12.0, 9.0, 8.0, 1.1, 16.0, 0.86)

HELDOUT3_SKULL = SkullShape(
    name="heldout3",
    cranium_w=11.2,
    cranium_h=8.4,
    cranium_cut=16.0,
    jaw=7.0,
    jaw_bot=20.4,
    eyes="hex",
    eye_r=2.4,
    eye_dx=4.6,
    eye_y=11.6,
    nose=False,
    teeth=5,
)
# (top, bot, slant, kill_w1, kill_gap, skull_dx, digit_gap after the skull, skull size, digit cap,
# digit stretch)
HELDOUT3_GEOMETRY = (43.0, 84.0, 6.0, 96.0, 6.0, 20.0, 12.0, 0.84, 13.0, 1.18)

HELDOUT4_SKULL = SkullShape(
    name="heldout4",
    cranium_w=8.2,
    cranium_h=11.6,
    cranium_cut=20.2,
    jaw=0.0,
    eyes="visor",
    eye_r=2.0,
    eye_dx=4.2,
    eye_y=13.0,
    nose=True,
    teeth=0,
)
# (top, bot, slant, kill_w1, kill_gap, skull_dx, digit_gap after the skull, skull size, digit cap,
# digit stretch)
HELDOUT4_GEOMETRY = (54.0, 78.0, 0.0, 46.0, 32.0, 4.0, 2.0, 0.9, 15.0, 0.78)

HELDOUT5_SKULL = SkullShape(
    name="heldout5",
    cranium_w=10.8,
    cranium_h=8.8,
    cranium_cut=16.8,
    jaw=5.8,
    jaw_bot=21.2,
    eyes="slit",
    eye_r=2.8,
    eye_dx=4.6,
    eye_y=12.4,
    nose=False,
    teeth=0,
)
# (top, bot, slant, kill_w1, kill_gap, skull_dx, digit_gap after the skull, skull size, digit cap,
# digit stretch)
HELDOUT5_GEOMETRY = (48.0, 78.0, 30.0, 78.0, 58.0, 14.0, 5.0, 1.05, 17.0, 0.95)

HELDOUT6_SKULL = SkullShape(
    name="heldout6",
    cranium_w=10.0,
    cranium_h=10.0,
    cranium_cut=18.2,
    jaw=6.8,
    jaw_bot=23.4,
    eyes="cross",
    eye_r=2.3,
    eye_dx=4.9,
    eye_y=12.8,
    nose=True,
    teeth=1,
)
# (top, bot, slant, kill_w1, kill_gap, skull_dx, digit_gap after the skull, skull size, digit cap,
# digit stretch)
HELDOUT6_GEOMETRY = (46.0, 89.0, 14.0, 72.0, 38.0, 10.0, 3.0, 1.22, 14.0, 1.26)

HELDOUT7_SKULL = SkullShape(
    name="heldout7",
    cranium_w=9.4,
    cranium_h=9.8,
    cranium_cut=17.4,
    jaw=2.8,
    jaw_bot=20.0,
    eyes="angular",
    eye_r=2.7,
    eye_dx=3.5,
    eye_y=12.4,
    nose=True,
    teeth=0,
)
# (top, bot, slant, kill_w1, kill_gap, skull_dx, digit_gap after the skull, skull size, digit cap,
# digit stretch)
HELDOUT7_GEOMETRY = (52.0, 74.0, 10.0, 58.0, 26.0, 12.0, 6.0, 0.7, 13.5, 0.76)

HELDOUT8_SKULL = SkullShape(
    name="heldout8",
    cranium_w=10.2,
    cranium_h=9.2,
    cranium_cut=17.0,
    jaw=5.0,
    jaw_bot=21.6,
    eyes="diamond",
    eye_r=2.5,
    eye_dx=4.3,
    eye_y=12.6,
    nose=False,
    teeth=2,
)
# (top, bot, slant, kill_w1, kill_gap, skull_dx, digit_gap after the skull, skull size, digit cap,
# digit stretch)
HELDOUT8_GEOMETRY = (48.0, 81.0, 18.0, 74.0, 52.0, 15.0, 4.0, 0.94, 14.8, 0.88)

HELDOUT9_SKULL = SkullShape(
    name="heldout9",
    cranium_w=10.4,
    cranium_h=9.6,
    cranium_cut=17.6,
    jaw=4.8,
    jaw_bot=21.8,
    eyes="slit",
    eye_r=2.6,
    eye_dx=4.5,
    eye_y=12.9,
    nose=True,
    teeth=3,
)
# (top, bot, slant, kill_w1, kill_gap, skull_dx, digit_gap after the skull, skull size, digit cap,
# digit stretch)
HELDOUT9_GEOMETRY = (47.0, 82.0, 22.0, 71.0, 44.0, 11.0, 7.0, 1.08, 15.6, 1.1)

HELDOUT10_SKULL = SkullShape(
    name="heldout10",
    cranium_w=10.3,
    cranium_h=9.3,
    cranium_cut=17.3,
    jaw=5.4,
    jaw_bot=21.9,
    eyes="hex",
    eye_r=2.4,
    eye_dx=4.4,
    eye_y=12.5,
    nose=True,
    teeth=2,
)
# (top, bot, slant, kill_w1, kill_gap, skull_dx, digit_gap after the skull, skull size, digit cap,
# digit stretch)
HELDOUT10_GEOMETRY = (50.0, 81.0, 16.0, 66.0, 22.0, 13.0, 6.0, 0.96, 14.6, 1.04)

VALIDATION_SKULL = SkullShape(
    name="validation",
    cranium_w=9.0,
    cranium_h=9.6,
    cranium_cut=18.0,
    jaw=3.4,
    jaw_bot=22.0,
    eyes="square",
    eye_r=2.2,
    eye_dx=4.0,
    eye_y=13.0,
    nose=True,
    teeth=2,
)
# (top, bot, slant, kill_w1, kill_gap, skull_dx, digit_gap after the skull, skull size, digit cap)
VALIDATION_GEOMETRY = (49.0, 74.0, 24.0, 54.0, 16.0, 8.0, 5.0, 0.74, 12.0)


def _skull(rng: np.random.Generator, i: int, *, wide: bool = False) -> SkullShape:
    """A training skull drawing: the training eye shapes (round, tall, wide), proportions drawn from
    the training ranges, or with ``wide`` from the wide family's (:func:`wide_style`)."""
    r = _WIDE_SKULL if wide else _TRAIN_SKULL
    jaw = 0.0 if rng.random() < 0.2 else float(rng.uniform(*r["jaw"]))
    return SkullShape(
        name=f"{'wide' if wide else 'train'}{i}",
        cranium_w=float(rng.uniform(*r["cranium_w"])),
        cranium_h=float(rng.uniform(*r["cranium_h"])),
        cranium_cut=float(rng.uniform(*r["cranium_cut"])),
        jaw=jaw,
        jaw_bot=float(rng.uniform(*r["jaw_bot"])),
        eyes=str(rng.choice(["round", "tall", "wide"])),
        eye_r=float(rng.uniform(*r["eye_r"])),
        eye_dx=float(rng.uniform(*r["eye_dx"])),
        eye_y=float(rng.uniform(*r["eye_y"])),
        nose=bool(rng.random() < 0.7),
        teeth=int(rng.choice([0, 0, 2, 3])) if jaw else 0,
    )


# The training skulls' proportions (reference px), and the wide family's: every fixed family's
# numbers (validation, heldout..heldout7) lie inside the wide ranges; their eye shapes do not.
_TRAIN_SKULL: dict[str, tuple[float, float]] = {
    "jaw": (3.8, 6.2),
    "cranium_w": (8.6, 10.2),
    "cranium_h": (9.2, 11.0),
    "cranium_cut": (17.5, 19.5),
    "jaw_bot": (21.5, 23.0),
    "eye_r": (2.0, 3.0),
    "eye_dx": (3.6, 4.8),
    "eye_y": (12.5, 14.5),
}
_WIDE_SKULL: dict[str, tuple[float, float]] = {
    "jaw": (2.5, 7.5),
    "cranium_w": (8.0, 11.2),
    "cranium_h": (8.2, 12.0),
    "cranium_cut": (15.8, 20.5),
    "jaw_bot": (19.5, 23.8),
    "eye_r": (1.8, 3.0),
    "eye_dx": (3.3, 5.0),
    "eye_y": (11.4, 14.5),
}


def _stream_and_language(rng: np.random.Generator) -> dict:
    """What varies in both families: scale, margins, language, banner, opacity, tints, overlays."""
    label = str(LABELS[int(rng.integers(len(LABELS)))])
    sq_label_w = (
        113.0
        if label == "SQUADS LEFT"
        else float(min(233.0, 113.0 * len(label) / 11.0 * rng.uniform(0.85, 1.05)))
    )
    kw: dict = dict(
        sq_label=label,
        sq_label_w=sq_label_w,
        scale=float(rng.uniform(0.9, 1.1)),
        dx=float(rng.uniform(0.0, 30.0)),
    )
    if rng.random() < 0.3:
        kw.update(dy=float(rng.uniform(30.0, 70.0)), banner=str(BANNERS[int(rng.integers(len(BANNERS)))]))
    kw.update(
        box_alpha=float(rng.uniform(0.2, 0.5)),
        outline_alpha=float(rng.uniform(0.5, 0.95)),
        dots=bool(rng.random() < 0.7),
    )
    if rng.random() < 0.5:
        t = float(rng.uniform(225, 255))
        kw["ink"] = (t, t, float(min(255.0, t + rng.uniform(-20, 10))))
    if rng.random() < 0.5:
        kw["alive_color"] = tuple(float(v) for v in rng.uniform(215, 255, 3))
    if rng.random() < 0.2:
        w, h = float(rng.uniform(100, 320)), float(rng.uniform(60, 200))
        x0, y0 = float(rng.uniform(1200, 1920 - 60)), float(rng.uniform(0, 200))
        kw.update(
            occluder=(x0, y0, min(1920.0, x0 + w), y0 + h),
            occluder_kind=str(rng.choice(["webcam", "panel"])),
            occluder_seed=int(rng.integers(0, 2**31)),
        )
    return kw


@dataclass(frozen=True)
class _Ranges:
    """What a randomly drawn family varies its box geometry over (reference px; (low, high) are
    uniform draws): the digits' cap height and stretch; the skull's size and the least share of the
    digits' height its ink keeps; the box's top, height (at least ``box_skull`` = (a, b): a * size +
    b, and the cap + 7) up to ``box_max``; the skull's inset, the gap after it, the slant; the box
    width for one digit (``kill_w1``, at least the digit's room plus ``kill_w1_pad``, at most
    ``kill_w1_max``); the gap to the squads box."""

    cap: tuple[float, float]
    size: tuple[float, float]
    skull_over_cap: float
    top: tuple[float, float]
    box_h: tuple[float, float]
    box_skull: tuple[float, float]
    box_max: float
    skull_dx: tuple[float, float]
    digit_gap: tuple[float, float]
    slant: tuple[float, float]
    stretch: tuple[float, float]
    kill_w1: tuple[float, float]
    kill_w1_pad: float
    kill_w1_max: float
    kill_gap: tuple[float, float]


# the training family: the skull stands at least 1.25 digits tall
_TRAIN_RANGES = _Ranges(
    cap=(12.5, 15.5),
    size=(0.85, 1.15),
    skull_over_cap=1.25,
    top=(47.0, 53.0),
    box_h=(26.0, 35.0),
    box_skull=(23.0, 8.0),
    box_max=35.0,
    skull_dx=(7.0, 14.0),
    digit_gap=(2.0, 7.0),
    slant=(8.0, 22.0),
    stretch=(0.9, 1.12),
    kill_w1=(54.0, 80.0),
    kill_w1_pad=6.0,
    kill_w1_max=80.0,
    kill_gap=(20.0, 45.0),
)
# the wide family: the span HUD redraws vary over, every fixed family's geometry inside it
_WIDE_RANGES = _Ranges(
    cap=(11.5, 17.5),
    size=(0.65, 1.3),
    skull_over_cap=0.95,
    top=(42.0, 56.0),
    box_h=(20.0, 44.0),
    box_skull=(20.0, 6.0),
    box_max=44.0,
    skull_dx=(3.0, 21.0),
    digit_gap=(1.5, 13.0),
    slant=(0.0, 32.0),
    stretch=(0.72, 1.3),
    kill_w1=(44.0, 100.0),
    kill_w1_pad=4.0,
    kill_w1_max=104.0,
    kill_gap=(5.0, 60.0),
)


def _drawn_style(rng: np.random.Generator, name: str, faces: tuple[str, ...], wide: bool) -> HudStyle:
    """A random style of the training family, or with ``wide`` of the wide family (the same faces
    and skull eye shapes, :data:`_WIDE_RANGES` and :data:`_WIDE_SKULL`)."""
    if not faces:
        raise ValueError(f"no face installed for the {name!r} style family")
    r = _WIDE_RANGES if wide else _TRAIN_RANGES
    font = str(faces[int(rng.integers(len(faces)))])
    skull = _skull(rng, int(rng.integers(0, 10**6)), wide=wide)
    cap = float(rng.uniform(*r.cap))
    # jawless drawings end at the cranium's cut
    ink_h = skull.jaw_bot if skull.jaw else skull.cranium_cut
    size = float(max(rng.uniform(*r.size), r.skull_over_cap * cap / ink_h))
    top = float(rng.uniform(*r.top))
    a, b = r.box_skull  # the skull (and the digits) fit in the box
    bot = top + float(min(r.box_max, max(rng.uniform(*r.box_h), a * size + b, cap + 7.0)))
    skull_dx = float(rng.uniform(*r.skull_dx))
    digit_dx = skull_dx + 19.5 * size + float(rng.uniform(*r.digit_gap))
    slant = float(rng.uniform(*r.slant))
    stretch = float(rng.uniform(*r.stretch))
    # room for one digit before the slanted right edge
    room = digit_dx + 0.75 * cap * stretch + 0.5 * slant + r.kill_w1_pad
    kill_w1 = float(min(r.kill_w1_max, max(rng.uniform(*r.kill_w1), room)))
    return HudStyle(
        name=name,
        font=font,
        skull=skull,
        top=top,
        bot=bot,
        slant=slant,
        kill_w1=kill_w1,
        kill_gap=float(rng.uniform(*r.kill_gap)),
        skull_dx=skull_dx,
        digit_dx=digit_dx,
        skull_size=size,
        digit_cap=cap,
        digit_stretch=stretch,
        **_stream_and_language(rng),
    )


def training_style(
    rng: np.random.Generator, *, name: str = "train", faces: tuple[str, ...] = STYLE_FONTS
) -> HudStyle:
    """A random style of the training family (drawn in one of ``faces``)."""
    return _drawn_style(rng, name, faces, wide=False)


def wide_style(
    rng: np.random.Generator, *, name: str = "wide", faces: tuple[str, ...] = STYLE_FONTS
) -> HudStyle:
    """A random style of the wide family: the training family's faces and skull eye shapes, with
    the skull's proportions and the box geometry drawn over the span the game's HUD redraws vary
    over -- a skull from 0.65x to 1.3x, down to about the digits' height; digits 11.5-17.5 px tall
    and 0.72-1.3 times as wide; slant 0-32 px; a box 20-44 px tall and up to 104 px wide for one
    digit; the gaps (skull to box edge, skull to digits, kill box to squads box) from tight to
    loose (:data:`_WIDE_RANGES`). The ranges hold every fixed family's geometry (validation,
    heldout..heldout10), so on those families what stays unseen is the face and the skull drawing
    (eye shapes)."""
    return _drawn_style(rng, name, faces, wide=True)


def _fixed_style(
    rng: np.random.Generator,
    name: str,
    fonts: tuple[str, ...],
    package: str,
    skull: SkullShape,
    geometry: tuple[float, ...],
) -> HudStyle:
    """A style of a family with one face, one skull and one box geometry, the rest varied.
    ``geometry``: (top, bot, slant, kill_w1, kill_gap, skull_dx, digit gap after the skull[, skull
    size[, digit cap[, digit stretch]]]) -- the last three default to 1.0, 14.2 and 1.0."""
    if not fonts:
        raise ValueError(f"the {name.split(':')[0]} family's face ({package}) is not installed")
    top, bot, slant, kill_w1, gap, skull_dx, dgap, size, cap, stretch = (*geometry, 1.0, 14.2, 1.0)[:10]
    return HudStyle(
        name=name,
        font=fonts[0],
        skull=skull,
        top=top,
        bot=bot,
        slant=slant,
        kill_w1=kill_w1,
        kill_gap=gap,
        skull_dx=skull_dx,
        digit_dx=skull_dx + 19.5 * size + dgap,
        skull_size=size,
        digit_cap=cap,
        digit_stretch=stretch,
        **_stream_and_language(rng),
    )


def heldout_style(rng: np.random.Generator, *, name: str = "heldout") -> HudStyle:
    """A style of the held-out family: its face, skull and box geometry, the rest varied."""
    return _fixed_style(rng, name, HELDOUT_FONTS, "fontpkg-chakra-petch", HELDOUT_SKULL, HELDOUT_GEOMETRY)


def heldout2_style(rng: np.random.Generator, *, name: str = "heldout2") -> HudStyle:
    """A style of the second held-out family: its face, skull and box geometry, the rest varied."""
    return _fixed_style(rng, name, HELDOUT2_FONTS, "fontpkg-sofia-sans", HELDOUT2_SKULL, HELDOUT2_GEOMETRY)


def heldout3_style(rng: np.random.Generator, *, name: str = "heldout3") -> HudStyle:
    """A style of the third held-out family: its face, skull and box geometry, the rest varied."""
    return _fixed_style(rng, name, HELDOUT3_FONTS, "fontpkg-signika", HELDOUT3_SKULL, HELDOUT3_GEOMETRY)


def heldout4_style(rng: np.random.Generator, *, name: str = "heldout4") -> HudStyle:
    """A style of the fourth held-out family: its face, skull and box geometry, the rest varied."""
    return _fixed_style(rng, name, HELDOUT4_FONTS, "fontpkg-news-cycle", HELDOUT4_SKULL, HELDOUT4_GEOMETRY)


def heldout5_style(rng: np.random.Generator, *, name: str = "heldout5") -> HudStyle:
    """A style of the fifth held-out family: its face, skull and box geometry, the rest varied."""
    return _fixed_style(rng, name, HELDOUT5_FONTS, "fontpkg-viga", HELDOUT5_SKULL, HELDOUT5_GEOMETRY)


def heldout6_style(rng: np.random.Generator, *, name: str = "heldout6") -> HudStyle:
    """A style of the sixth held-out family: its face, skull and box geometry, the rest varied."""
    return _fixed_style(rng, name, HELDOUT6_FONTS, "fontpkg-abel", HELDOUT6_SKULL, HELDOUT6_GEOMETRY)


def heldout7_style(rng: np.random.Generator, *, name: str = "heldout7") -> HudStyle:
    """A style of the seventh held-out family: its face, skull and box geometry, the rest varied."""
    return _fixed_style(rng, name, HELDOUT7_FONTS, "fontpkg-cabin", HELDOUT7_SKULL, HELDOUT7_GEOMETRY)


def heldout8_style(rng: np.random.Generator, *, name: str = "heldout8") -> HudStyle:
    """A style of the eighth held-out family: its face, skull and box geometry, the rest varied."""
    return _fixed_style(rng, name, HELDOUT8_FONTS, "fontpkg-encode-sans", HELDOUT8_SKULL, HELDOUT8_GEOMETRY)


def heldout9_style(rng: np.random.Generator, *, name: str = "heldout9") -> HudStyle:
    """A style of the ninth held-out family: its face, skull and box geometry, the rest varied."""
    return _fixed_style(rng, name, HELDOUT9_FONTS, "fontpkg-asap", HELDOUT9_SKULL, HELDOUT9_GEOMETRY)


def heldout10_style(rng: np.random.Generator, *, name: str = "heldout10") -> HudStyle:
    """A style of the tenth held-out family: its face, skull and box geometry, the rest varied."""
    return _fixed_style(rng, name, HELDOUT10_FONTS, "fontpkg-exo-2", HELDOUT10_SKULL, HELDOUT10_GEOMETRY)


def validation_style(rng: np.random.Generator, *, name: str = "validation") -> HudStyle:
    """A style of the validation family: its face, skull and box geometry, the rest varied."""
    return _fixed_style(rng, name, VALIDATION_FONTS, "fontpkg-kanit", VALIDATION_SKULL, VALIDATION_GEOMETRY)


# The kill box's slot (2019: spectators eye + skull box; modern: skull box, up to three digits)
# left of the squads box in today's look, in 1080p reference pixels: what "covered" hides.
COVERED_RECT = (1380.0, 0.0, 1630.0, 118.0)


def covered_style(rng: np.random.Generator, *, name: str = "covered") -> HudStyle:
    """Today's look with a stream overlay (webcam or panel) over the kill box all along; the
    squads and alive boxes stay in view. Every match's kill count is unknown on such a VOD."""
    return replace(
        DEFAULT_STYLE,
        name=name,
        occluder=COVERED_RECT,
        occluder_kind=str(rng.choice(["webcam", "panel"])),
        occluder_seed=int(rng.integers(0, 2**31)),
    )


def selection_style(rng: np.random.Generator, *, name: str = "selection") -> HudStyle:
    """A random style of the selection family: the training family's geometry in a selection face."""
    return training_style(rng, name=name, faces=SELECTION_FONTS)


def shapes_style(rng: np.random.Generator, *, name: str = "shapes") -> HudStyle:
    """A random training style in one of the faces added for their digit shapes."""
    return training_style(rng, name=name, faces=DIGIT_SHAPE_FONTS)


# the held-out families, in the order they were defined (each never trained on)
HELDOUT_FAMILIES = (
    *("heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8"),
    *("heldout9", "heldout10"),
)


_MAKERS: dict[str, Callable[..., HudStyle]] = {
    "train": training_style,
    "wide": wide_style,
    "shapes": shapes_style,
    "selection": selection_style,
    "validation": validation_style,
    "heldout": heldout_style,
    "heldout2": heldout2_style,
    "heldout3": heldout3_style,
    "heldout4": heldout4_style,
    "heldout5": heldout5_style,
    "heldout6": heldout6_style,
    "heldout7": heldout7_style,
    "heldout8": heldout8_style,
    "heldout9": heldout9_style,
    "heldout10": heldout10_style,
    "covered": covered_style,
}
# the families a style name (FAMILY:SEED) may name, and the salt each mixes into its seed
_NAME_SALTS = {
    "train": 17,
    "wide": 67,
    "validation": 41,
    "heldout": 29,
    "heldout2": 31,
    "heldout3": 37,
    "heldout4": 41,
    "heldout5": 43,
    "heldout6": 47,
    "heldout7": 59,
    "heldout8": 61,
    "heldout9": 73,
    "heldout10": 79,
    "covered": 53,
}


def family_style(family: str, rng: np.random.Generator) -> HudStyle:
    """A random style of a family: "train", "shapes", "selection", "validation", "heldout",
    "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8", "heldout9",
    "heldout10" or "covered"."""
    if family not in _MAKERS:
        raise ValueError(f"unknown HUD style family {family!r} (known: {', '.join(_MAKERS)})")
    return _MAKERS[family](rng)


def style_by_name(name: str) -> HudStyle:
    """ "default", or FAMILY:SEED for a family of ``_NAME_SALTS`` ("train:SEED", "wide:SEED",
    "validation:SEED", "heldout:SEED" ... "heldout10:SEED", "covered:SEED"; SEED an integer; a
    family name alone is seed 0)."""
    fam, _, seed = name.partition(":")
    try:
        n = int(seed) if seed else 0
    except ValueError:
        raise ValueError(f"bad HUD style {name!r}: the seed must be an integer") from None
    if fam == "default":
        return DEFAULT_STYLE
    if fam not in _NAME_SALTS:
        known = ", ".join(["default", *(f"{f}:SEED" for f in _NAME_SALTS)])
        raise ValueError(f"unknown HUD style {name!r} (known: {known})")
    return _MAKERS[fam](np.random.default_rng([n, _NAME_SALTS[fam]]), name=f"{fam}:{n}")
