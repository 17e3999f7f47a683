"""Read the Apex kill counter (top-right HUD) from decoded samples.

Per sample: is the in-match HUD there (the squads-left box)? Where is the kill box? It is
found from the HUD's layout (vodstream.readers.hudlocate: the squads-left line, then the slot beside
it or the row below it) and mapped onto the reference canvas; where that finds nothing, the
2019 skull template (vodstream.readers.digits.find_skull, row 1 only, at its full threshold) is
tried, and dropped when it sits on the squads line found, right of its start (where its box
reads nothing, the crop is read again without it: it may have matched a background's pattern,
the learned detector the kill box elsewhere). Each reading
carries ``kill_box`` (True found; False: the slot beside a found squads box is in view and
empty -- the modern HUD before the first kill; None: cannot tell) and ``hud_era`` when the
layout tells it. Then two readers look at the score box, each batched over the whole call:

1. the 2019 method made resolution independent (vodstream.readers.digits: components -> 25x25
   digit crops -> the digit CNN, models.net.DigitNet);
2. the score-box reader (models.net.BoxNet): the whole box right of the skull, no
   segmentation, two digit slots.

The digit path answers when it is sure, unless the box reader is fairly sure (``box_veto``)
of another number: then the sample is refused. When the digit path cannot read (touching
digits, a background stroke joined to a digit, an uncertain digit) the box reader's answer
is taken only if it is very sure (``box_confidence``) AND the digit CNN's own most likely
classes spell the same number (for one component of touching digits: its two halves, cut at
the least-ink column, or at the column of its middle where the digit CNN is surest of both
halves) -- the box reader alone is never enough. Where the digit path read
nothing, its second looks -- the one component cut in two, the box read again with its slanted
edge painted out (a digit touching it) or its thin strokes opened away (stripes behind the
translucent box joined to a digit) -- count when each digit is read at ``cut_min`` and the
box reader reads the same number at ``cut_agree`` or more. Where both still refuse a box (the
learned detector's, often a little off the count), the box is mapped again a little moved and
scaled, and a number both readers name alike in two placements, and no other, counts. A reading
is ``None`` --
never a guess -- when the box is hidden (modern HUD before the first kill), covered
(inventory), off screen, or nobody is sure.

The 2019 write-up averaged each frame with its neighbours (3 s apart) before looking for
the skull. Samples here are 2 s keyframes; averaging is available (``temporal=True``) but
off by default -- see benchmarks/kill_accuracy.py for the measurement.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import structlog

from models.weights import BOX_FIRST, BOX_SECOND, BOX_WEIGHTS, DEFAULT_WEIGHTS
from vodstream.readers.boxfinder import KillBoxDetector
from vodstream.readers.cnn import NumpyNet, load_numpy_net, softmax
from vodstream.readers.digits import (
    DIGIT_BEFORE,
    SKULL_MIN_SCORE,
    WIDE_TOPHAT_K,
    Extraction,
    SkullHit,
    digits_from_box,
    score_window,
)
from vodstream.readers.hudlocate import (
    CANON_DIGIT_H,
    FoundBox,
    Placement,
    find_kill_box,
    on_digits,
    overlay_at_count,
    overlay_at_slot,
    static_sides,
    unwarp_box,
    warp_run,
)
from vodstream.readers.skullcheck import SkullCheck
from vodstream.types import Sample

if TYPE_CHECKING:
    from models.net import BoxNet, DigitNet, FinderNet

__all__ = ["CONTRAST_GAMMAS", "KillReader", "KillReading", "highlight_contrast"]

log = structlog.get_logger(__name__)

MAX_DIGITS = 2  # kills 0-99
# the score-box reader's window moved by these (dx, dy) reference px: a number it reads in every one
# of them (and unmoved: the reading checked) is steady (:meth:`KillReader._steady`)
STEADY_SHIFTS = tuple((dx, dy) for dx in (-2, -1, 0, 1, 2) for dy in (-1, 0, 1) if (dx, dy) != (0, 0))
# KillReader._realigned: the run placed again, moved by (dx, dy) digit heights and scaled by s
REALIGN_GRID = tuple(
    (dx, dy, s)
    for dx in (-0.25, 0.0, 0.25)
    for dy in (-0.3, -0.15, 0.0, 0.15, 0.3)
    for s in (0.87, 1.0, 1.15)
    if (dx, dy, s) != (0.0, 0.0, 1.0)
)
# ... and, where the run is a detector's box itself (no glyph in it: FoundBox.boxed), moved farther
# up and down too: such a box sits up to half a digit height off the count
REALIGN_BOXED = REALIGN_GRID + tuple(
    (dx, dy, s) for dx in (-0.25, 0.0, 0.25) for dy in (-0.45, 0.45) for s in (0.87, 1.0, 1.15)
)
# ... where the digits read overlap the run found by this share of the narrower's width and height
REALIGN_OVERLAP = 0.5
# ... and the digit path's refusals on the layout rules' box read again so (not "lost_digit" or
# "readers_disagree": signs of a box on another number)
REALIGN_LAYOUT = frozenset(
    {"clipped", "no_digits", "low_confidence", "not_a_digit", "merged", "share", "count_mismatch", "contrast"}
)
WEAK_SKULL_SCORE = 0.60  # below SKULL_MIN_SCORE: a skull both readers must then agree on
NOT_A_DIGIT = 10  # the optional 11th class
# KillReader.contrast_looks: where nothing was read, the crop again under each of these gammas (each
# darkens mid-tones more than highlights: white ink stands out of a pale translucent box on a bright
# scene); a number counts where every look reads it alike
CONTRAST_GAMMAS = (2.0, 3.0)
# the skull check (vodstream/readers/skullcheck.py): a number read in a run it gives less than this
# probability of a skull right before it is dropped, whichever look found the run. Chosen on the
# choice families' per-sample cases (validation and wide, seeds 11 and 41; training family, seed
# 11): of 8,285 numbers named, the 18 wrong ones had 0.0000003-0.99, the right ones 0.0196 or more;
# at 0.01, 12 wrong numbers go (squads and spectator counts, a skull read as 0, a count after its
# first digit), no right one (docs/kill-reader.md, "The skull check")
SKULL_MIN = 0.01


@dataclass(frozen=True)
class KillReading:
    """What the reader made of one sample's HUD."""

    kills: int | None  # None: hidden, covered, unreadable or uncertain -- never a guess
    red: bool  # the counter is red (just changed)
    hud_visible: bool  # the in-match HUD (squads-left box) is visible
    confidence: float  # product of the digits' softmax maxima (0 when kills is None)
    reason: str  # "ok", or why kills is None
    # the Score contract (vodstream.types.Score): True the kill box was found; False its slot is
    # in view beside the squads box and verified empty; None cannot tell
    kill_box: bool | None = None
    hud_era: str | None = None  # "2019" / "modern" when the layout says so


class KillReader:
    """HUD crops -> kill counts, batched.

    ``model``: a :class:`models.net.DigitNet`, or the same network as a
    :class:`vodstream.readers.cnn.NumpyNet`; default: the shipped ``models/digits.pt``.
    ``box_model``: a :class:`models.net.BoxNet` or NumpyNet; default: the shipped
    ``models/scorebox.pt`` (``use_box=False``: the digit path alone, the 2019 method).
    The defaults on ``device="cpu"`` are NumpyNets: a reader that is given no torch module never
    imports torch.
    ``finder``: the learned kill-box detector tried where the layout rules and the template find
    no kill box (a :class:`models.net.FinderNet` or a
    :class:`vodstream.readers.boxfinder.KillBoxDetector`; it runs in numpy either way); default:
    the shipped ``models/finder.pt`` when it is there (``use_finder=False``: none). A number is
    read in a box the detector found only where the digit path is sure of it and the score-box
    reader reads the same number at ``detected_agree`` or more (0.5: chosen on the validation
    style family; at 0.3-0.97 no number read there was wrong on the validation, training,
    selection or today's families; 0.5 reads three validation samples more than 0.7 did, 0.3
    one more still: the middle of the safe range is kept) -- or, beside a squads line found, where
    the digit path alone is ``weak_alone`` (0.99) sure and the score-box reader is not
    ``box_veto`` sure of another number (the box reader often loses a digit of a proposal's
    count: "23" read as 2 at 0.72). ``weak_alone`` was chosen on the validation style family:
    every digit-path number read in a proposal on the nine per-sample sets (validation,
    training, selection, today's look; 389 of them) was right; 0.99 reads 10 validation samples
    more, 0.97 one more still. ``cut_min`` (0.95) and ``cut_agree``
    (0.5): the digit path's second looks (:meth:`_combine`), chosen on the validation style
    family, where no second look agreed on by the two readers was wrong (validation, training,
    selection and today's families; at 0.7, the first choice, made at 720p, as at 0.5 and 0.3:
    0.5 reads 4 validation samples more than 0.7 on the nine per-sample sets, 0.3 one more still
    -- the middle of the safe range is kept, as for ``detected_agree``). Raised to 0.6 once the
    fifth held-out family's first run showed a second look agreed on at 0.53 to be wrong: a ranked
    "21" whose "1" was painted out with the row's slanted divider, read as 2 (720p). On the choice
    sets then (validation, selection, training, today's look and the second to fifth held-out
    families, 720p and 1080p, crf 20) every second look read right was agreed on at 0.64 or more;
    0.6 reads none of them fewer and drops that wrong number. The full runs (five sizes) then found
    one right reading it drops: a validation "16" at 16:10 agreed on at 0.547.
    ``steady_min`` (0.8): on the layout rules' box (a skull found surely, not a proposal) where the
    digit path reads nothing, the score-box reader's number at this confidence or more counts when
    it reads the same number in its window moved by each of ``STEADY_SHIFTS``
    (:meth:`_steady`). Chosen on the choice sets (validation, selection, training, today's look
    at 720p and 1080p): it reads 9 samples more (validation 5, at 0.84-1.0), none fewer, and none
    of its numbers is wrong (at 21:9, 4:3 and 16:10 neither); not on proposals, where the score-box
    reader read a blurred "11" as 1 in every moved window, nor where the digit path saw a digit
    lost (the layout's box on the squads count: its "9" read for 2 kills at 1440x1080, training
    family, found by the first full run).
    ``box_alone`` (0.98): in a faint box (a skull under the finder's threshold, or a proposal)
    beside a squads line found, where the rules above read nothing and the digit path read nothing
    or the same number, the score-box reader's number at this confidence or more counts when it is
    steady in the moved windows too ("ok_box_alone"): "11" and "15" blurred into one blob, a "6"
    whose box the finder scored faint. Chosen on the choice sets (validation, selection, training,
    today's look; 720p and 1080p at two seeds, the other three sizes at one): at 0.97 the rule reads
    35 samples more, 0.98 34, 0.99 31, and none of their numbers is wrong. 0.98 keeps a margin over
    the score-box reader of 673d003, which read a blurred "11" on a proposal as 1 at 0.976, steady
    in every moved window (validation family, 720p).
    ``realign_min`` (2) and ``realign_agree`` (0.9): where both readers refused a proposal
    ("weak_skull"), or the digit path could not read the layout rules' box (``REALIGN_LAYOUT``:
    clipped, no digits, unsure...), the run is mapped onto the reference canvas again, moved and
    scaled by each of ``REALIGN_GRID`` (the detector's box often sits a quarter to a third of a
    digit height off the count, and the canvas then clips or mis-sizes the digits: a ranked "4" at
    16:10, validation family). A number counts ("ok_realigned") where, in ``realign_min``
    placements or more, the digit path is sure of it and the score-box reader reads it at
    ``realign_agree`` or more -- and neither names another number so in any placement. Chosen on
    the choice sets (validation, selection, training, today's look; all five sizes), visible
    counters read right more than before and wrong numbers: min 1 at 0.5 +19 and one wrong (a
    "15" whose "1" was lost read as 6, selection family at 4:3, 2 placements at 0.69 and 0.83);
    min 1 at 0.9 +17, min 2 at 0.9 +16, min 3 at 0.9 +14, min 3 at 0.5 +16, none wrong -- the
    middle of the safe range at 0.9 is kept. Reading the layout box's refusals so too: one more
    (a "10" the digit path was unsure of, selection family at 720p), none wrong. A placement counts
    only where the digits read lie on the run found (``REALIGN_OVERLAP``): a test's counterfactual
    (the finder's strokes look made as wide as its usual one) had the detector's box on the stripes
    right of a "21", and moved left onto the "1" both readers read 1. With that check the kept rule
    reads 17 more on the choice sets, none fewer and none wrong (runs on 2edb97c); a grid twice as
    wide (174 placements) read 6 more and 1 fewer still, with a wrong number (a "15" read as 5).
    Where the run is the detector's box itself (no glyph of digit height in it: ``FoundBox.boxed``,
    the count joined to a separator or too faint for the ink threshold), the grid also moves it
    0.45 digit heights up and down (``REALIGN_BOXED``, 62 placements): such a box sat 0.4 digit
    heights below a ranked "5" (validation family, 1080p). Chosen on the choice sets (five sizes):
    validation +1, none fewer, no wrong number; selection, training and today's look unchanged. A
    wider grid for those runs (dx up to 0.5, scale up to 1.3: 139 placements) read validation +3
    -1 and a wrong number (a "15" read as 5, selection family at 4:3), and was not kept.
    ``realign_box`` (0.99) and ``realign_box_min`` (3): where no number has both readers' votes
    in the placements, the score-box reader's alone counts ("ok_realigned_box") where it reads it
    at ``realign_box`` or more in ``realign_box_min`` placements or more, no reader names another
    number in any (the score-box reader at ``box_veto`` or more, the digit path sure of it), and
    the digit CNN spells it (each digit at ``guess_min`` or more, unsure) in one placement at
    least, the digits on the run: tiny 2019 and modern counts at 720p whose digits the digit path
    sees merged, clipped or sharing a blob in most placements ("18", "13", "11", validation
    family). Chosen on the per-crop readings of every realign placement on the choice sets
    (validation, selection, training, today's look; five sizes), read off-line for each setting:
    at 0.97 with 4 placements a "16" (the box on another number) was read as 11 and at 0.95 with
    3 also a "14" as 1 and a hidden counter as 11; at 0.99 every minimum from 2 to 8 placements
    was without a wrong number (+8 to +2); 3 keeps a placement's margin over a "4" read as 14 at
    0.992 in one. Without the digit path's veto +7; with it +5 (a "2" it read as 7 in two
    placements no longer counts). The full sweep read the same +5, none fewer, no wrong number
    (validation 720p +3, selection and training 21:9 +1 each). The whole-VOD benchmark's
    covered-style VODs then showed what the choice sets had too few of: a kill box under an
    overlay panel, found beside or under its edge, where the score-box reader alone read 10 at
    0.99 or more in several placements (seeds 7105 and 7202, one keyframe each; the tracker did not
    trust a lone reading). The digit CNN spelled 10 in none of those placements; in each of the
    five gains it spells the count in one or more -- hence that condition (the covered VODs are
    no held-out figure for it).
    ``realign_sole_min`` (3): where neither rule above holds, a number counts ("ok_realigned_sole")
    where it is the only number any reader names surely enough in any placement (the score-box
    reader at ``box_veto`` or more, the digit path at ``min_confidence``), it is named so in
    ``realign_sole_min`` placements or more, and the digit CNN spells it on the run in one at
    least (as for ``ok_realigned_box``): a "15" in a detector's box that neither rule above read
    (validation family, 1080p). Chosen on the choice sets (validation, selection, training, today's
    look; five sizes, crf 20, against dcb88fd): validation +3 (1080p, 21:9, 4:3), selection +1
    (4:3), training and today's look unchanged, none fewer, no wrong number and no hidden counter
    read. The minimum of three placements (``realign_box_min``'s) swept on the same choice sets
    (against 12ef781): 2 reads exactly what 3 reads, 4 one fewer (that "15"); 3 is kept, the
    stricter of the two alike.
    ``realign_most`` (0.8): where two numbers or more are named in the placements, the one named
    most counts ("ok_realigned_most") where its namings are ``realign_most`` of all or more, the
    score-box reader reads it at ``realign_box`` or more in ``realign_box_min`` placements or more,
    and the digit CNN spells it on the run in one at least: a "19" the digit path read as 13 in two
    placements of twelve, a "2" read as 5 in one of eighteen (validation and selection families).
    Chosen on the choice sets (five sizes, crf 20, against 7155ed9): validation +4 (720p, 1080p,
    21:9, 4:3), selection +3 (1080p, 21:9, 4:3), training +1 (720p), today's look unchanged, none
    fewer, no wrong number. The tallies of the samples missed before show 0.75 would also read a
    "16" named in 11 of 14 and 0.65 a "3" in 16 of 24 (both right); neither was run in full, and
    0.8 keeps a margin. A majority
    the score-box reader is never very sure of is no evidence: a "15" whose "1" was lost was named
    6 in five placements of six (selection family at 4:3, no placement at 0.99).
    ``contrast_looks`` (``CONTRAST_GAMMAS``, 2 and 3; ``()``: none): where a crop read nothing, it is
    read again, whole, under each of these gammas (:func:`highlight_contrast`), and a number counts
    ("..._contrast") where every look reads the same one: white digits on a pale translucent box over
    a bright scene, whose ink the rules' thresholds and both readers lose as drawn. Chosen on the
    choice sets (validation, selection, training, today's look at 720p and 1080p, crf 20) among
    gammas 1.5-3 and CLAHE, alone or two agreeing: each look alone read more (gamma 2: 21 samples)
    but also wrong numbers (two) or numbers where no counter could be seen (three); gammas 2 and 3
    agreeing read 19 more, none wrong, none unseen. The contrast looks place no refused box anew (a
    validation "15" at 4:3 was read as the squads count "16" beside it in moved placements under
    every gamma, and the placements were most of the looks' cost), and none is taken where the
    first look found no in-match HUD and no box, or an empty slot (:meth:`_contrast_looks`;
    docs/kill-reader.md has the figures).
    """

    def __init__(
        self,
        model: DigitNet | NumpyNet | None = None,
        device: str = "cpu",
        *,
        box_model: BoxNet | NumpyNet | None = None,
        use_box: bool = True,
        min_confidence: float = 0.97,
        box_confidence: float = 0.97,
        box_veto: float = 0.9,
        temporal: bool = False,
        finder: FinderNet | KillBoxDetector | None = None,
        use_finder: bool = True,
        detected_agree: float = 0.5,
        guess_min: float = 0.5,
        cut_min: float = 0.95,
        cut_agree: float = 0.6,
        weak_alone: float = 0.99,
        steady_min: float = 0.8,
        box_alone: float = 0.98,
        realign_min: int = 2,
        realign_agree: float = 0.9,
        realign_box: float = 0.99,
        realign_box_min: int = 3,
        realign_sole_min: int = 3,
        realign_most: float = 0.8,
        contrast_looks: Sequence[float] = CONTRAST_GAMMAS,
        skull_check: SkullCheck | None = None,
        use_skull_check: bool = True,
        skull_min: float = SKULL_MIN,
    ) -> None:
        self.device = device
        if model is None:
            model = load_numpy_net(DEFAULT_WEIGHTS) if device == "cpu" else _load_torch(None, device)
        if use_box and box_model is None and BOX_WEIGHTS.is_file():
            box_model = load_numpy_net(BOX_WEIGHTS) if device == "cpu" else _load_torch(BOX_WEIGHTS, device)
        self.model: DigitNet | NumpyNet = _on(model, device)
        self.box_model: BoxNet | NumpyNet | None = (
            _on(box_model, device) if (use_box and box_model is not None) else None
        )
        self.min_confidence = float(min_confidence)
        self.box_confidence = float(box_confidence)  # to answer where the digit path cannot
        self.box_veto = float(box_veto)  # to refuse a digit-path number it disagrees with
        self.temporal = temporal
        self.detected_agree = float(detected_agree)  # the box reader's agreement on a detector's box
        self.guess_min = float(guess_min)  # the digit CNN's least class probability in a guess
        self.cut_min = float(cut_min)  # ... in a second look (a blob cut in two, the edge painted out)
        self.cut_agree = float(cut_agree)  # the score-box reader's agreement with a second look
        self.weak_alone = float(weak_alone)  # the digit path alone on a proposal beside a squads line
        self.steady_min = float(steady_min)  # the score-box reader alone, steady, on the layout's box
        self.box_alone = float(box_alone)  # ... on a faint box beside a squads line, very sure and steady
        self.realign_min = int(realign_min)  # placements both readers read alike in (0: no realigning)
        self.realign_agree = float(realign_agree)  # ... the score-box reader's confidence there
        self.realign_box = float(realign_box)  # ... the score-box reader alone, this sure
        self.realign_box_min = int(realign_box_min)  # ... in this many placements (0: never alone)
        self.realign_sole_min = int(realign_sole_min)  # placements naming the one number named (0: no)
        self.realign_most = float(realign_most)  # share of namings the most named number needs (0: no)
        self.contrast_looks = tuple(float(g) for g in contrast_looks)  # gammas read again under (): none
        # the learned skull check of the box each number came from (None: not asked)
        self.skull_check = (skull_check or SkullCheck.shipped()) if use_skull_check else None
        self.skull_min = float(skull_min)
        self.detector: KillBoxDetector | None = None
        if use_finder:
            if finder is None:
                self.detector = KillBoxDetector.shipped()
            elif isinstance(finder, KillBoxDetector):
                self.detector = finder
            else:
                self.detector = KillBoxDetector.from_module(finder)

    # -- public API ---------------------------------------------------------------------------
    def read_batch(self, samples: Sequence[Sample]) -> list[KillReading]:
        """One reading per sample, in order."""
        return self.read_huds([s.hud for s in samples])

    def read_huds(self, huds: Sequence[np.ndarray]) -> list[KillReading]:
        """Like :meth:`read_batch`, from bare top-right HUD crops (RGB uint8, any size)."""
        if self.temporal and len(huds) >= 3:
            huds = _temporal_mean([np.asarray(h) for h in huds])
        out, found = self._contrast_looks(huds, *self._look(huds))
        for i, (r, f) in enumerate(zip(out, found, strict=True)):
            # one digit read where the count may go on into a bright mass right after it: a second
            # digit may be lost in it (a "17" read as 1), so the number is not known
            if r.kills is not None and r.kills < 10 and f.joined:
                out[i] = replace(r, kills=None, confidence=0.0, reason="count_joined", kill_box=None)
            # a number with no skull right before it is another count (the squads count after its
            # box's edge, the 2019 spectator count after its eye) or no count at all
            # (the in-match HUD then shows only where the finder saw it: a proposal's number was the
            # only evidence of it)
            elif r.kills is not None and self._no_skull(huds[i], f):
                out[i] = replace(
                    r, kills=None, confidence=0.0, reason="no_skull", kill_box=None, hud_visible=f.visible
                )
        # a number read beside an overlay's side that stands still while the scene moves: digits
        # of the count may be under the overlay, or the number is the overlay's own; and an
        # empty slot seen where such a side stands over the second row: the box may be under it
        # (both asked of the box the reading came from: a number read by a second try is asked
        # of that try's box, not of the first try's -- a panel's text the layout rules took for
        # the squads box, beside a run in the kill feed that read nothing, dropped the count the
        # detector read well away from the panel: validation family at 4:3)
        for i, sides in enumerate(static_sides(huds)):
            r = out[i]
            if sides is None:
                continue
            if r.kills is not None and overlay_at_count(found[i], sides):
                out[i] = replace(r, kills=None, confidence=0.0, reason="overlay_at_count", kill_box=None)
            elif r.kill_box is False and overlay_at_slot(found[i], sides):
                out[i] = replace(r, reason="overlay_at_slot", kill_box=None)
        return out

    def _no_skull(self, hud: np.ndarray, f: FoundBox) -> bool:
        """The skull check is sure no skull stands right before the run the number was read in.
        Not asked of the 2019 skull template's box: the template found the skull itself, and its
        run is no digit run (the skull's rows, from the skull's right edge: the window then cuts the
        skull at its right side -- a "1" read right was refused so on the fourth held-out family at
        4:3; on the choice runs the template's 206 numbers, none wrong, had 0.38 or more)."""
        if self.skull_check is None or f.run is None or f.how == "template":
            return False
        return bool(self.skull_check.p_skull(hud, [f.run])[0] < self.skull_min)

    def _look(
        self, huds: Sequence[np.ndarray], *, realign: bool = True
    ) -> tuple[list[KillReading], list[FoundBox]]:
        """One look at the crops: the finder and both readers, and the finder's second tries --
        the readings, and the box each came from: the first try's, or a second try's where that
        read the number (``realign``: boxes both readers refused placed anew, :meth:`_realigned`)."""
        out, found = self._read(huds, template=True, realign=realign)
        first = list(found)
        if self.detector is not None:
            # the 2019 skull template's box read nothing: the template may have matched a
            # background's pattern (squares of lit windows under a banner-pushed HUD, validation
            # family at 720p), the kill box elsewhere -- the crop again without the template.
            # The layout rules' box read nothing: the rules may have taken the skull for the count
            # (a red HUD over a graffiti wall, the count right of it: validation family at 1080p)
            # -- the crop again with their run set aside, for a detector's run elsewhere
            for how, layout in (("template", True), ("layout", False)):
                pairs = enumerate(zip(first, out, strict=True))
                again = [i for i, (f, r) in pairs if f.how == how and r.kills is None]
                if again:
                    redo, boxes = self._read(
                        [huds[i] for i in again], template=False, layout=layout, realign=realign
                    )
                    for i, r, box in zip(again, redo, boxes, strict=True):
                        if r.kills is not None:
                            out[i], found[i] = r, box
        return out, found

    def _contrast_looks(
        self, huds: Sequence[np.ndarray], out: list[KillReading], found: list[FoundBox]
    ) -> tuple[list[KillReading], list[FoundBox]]:
        """Where nothing was read, the crop read again under each of ``contrast_looks``' gammas in
        turn (the next only where every look so far read the same number), without placing refused
        boxes anew (:meth:`_realigned`: under every gamma its placements moved one validation box
        onto the squads count beside it, and they are most of a hard crop's cost): that number
        counts where every look reads it -- the first look's reading, its confidence the least of
        all. Not where the first look found neither an in-match HUD nor any box (lobby, menus,
        other games: most crops of a VOD that read nothing, which one look keeps cheap), nor where
        it saw the kill slot empty (the modern HUD before the first kill). The boxes: ``found``
        with the first contrast look's box where the contrast looks read the number."""
        if not self.contrast_looks:
            return out, found

        def agreed(rs: list[tuple[KillReading, FoundBox]]) -> bool:
            return not rs or (rs[0][0].kills is not None and all(r.kills == rs[0][0].kills for r, _f in rs))

        pairs = enumerate(zip(out, found, strict=True))
        looks: dict[int, list[tuple[KillReading, FoundBox]]] = {
            i: []
            for i, (r, f) in pairs
            if r.kills is None and r.kill_box is not False and (f.visible or f.how != "none")
        }
        for g in self.contrast_looks:
            again = [i for i, rs in looks.items() if agreed(rs)]
            if not again:
                break
            redo, boxes = self._look([highlight_contrast(huds[i], g) for i in again], realign=False)
            for i, r, box in zip(again, redo, boxes, strict=True):
                looks[i].append((r, box))
        found = list(found)
        for i, rs in looks.items():
            if len(rs) < len(self.contrast_looks) or not agreed(rs):
                continue
            conf = min(r.confidence for r, _f in rs)
            r0, found[i] = rs[0]
            out[i] = replace(r0, confidence=conf, reason=f"{r0.reason}_contrast")
        return out, found

    def _read(
        self, huds: Sequence[np.ndarray], *, template: bool, layout: bool = True, realign: bool = True
    ) -> tuple[list[KillReading], list[FoundBox]]:
        """:meth:`read_huds` after the temporal mean: the finder (``template``: with the 2019 skull
        template; ``layout``: taking the layout rules' run) and both readers (``realign``: with
        :meth:`_realigned`'s placements) -- the readings, and the boxes found."""
        found = [find_kill_box(h, self.detector, template=template, layout=layout) for h in huds]
        visible = [f.visible for f in found]
        extractions: list[Extraction | None] = []
        windows: list[np.ndarray] = []
        for i, f in enumerate(found):
            ref, skull = f.ref, f.skull
            ex = digits_from_box(ref, skull) if skull is not None else None
            extractions.append(ex)
            if ex is not None:
                # the template's run narrowed to the digits: the overlay checks ask where the count is
                found[i] = on_digits(f, ex.boxes)
            if skull is not None and self.box_model is not None:
                windows.append(score_window(ref, skull))
        crops = [e.digits for e in extractions if e is not None and e.ok]
        probs = self._classify(np.concatenate(crops) if crops else None)
        boxed = self._read_boxes(np.stack(windows) if windows else None)
        # first pass: the digit path's decision, the score-box reading and what the digit CNN's
        # most likely classes spell, per sample with a box
        rows: list[tuple[KillReading, tuple[int, float] | None, int | None] | None] = []
        k = j = 0
        for vis, ex in zip(visible, extractions, strict=True):
            if ex is None:
                rows.append(None)
                continue
            red = ex.skull is not None and ex.skull.red
            box = None
            if self.box_model is not None:
                box = boxed[j]
                j += 1
            guess: int | None = None
            if not ex.ok:
                digit = KillReading(None, red, vis, 0.0, ex.reason)
            else:
                n = len(ex.digits)
                digit = self._decide(probs[k : k + n], red, vis)
                guess = _spelled(probs[k : k + n], self.guess_min)
                k += n
            rows.append((digit, box, guess))
        # the digit path's second looks where it read nothing and the score-box reader reads a
        # number: the one component it saw (touching digits) cut in two (digits.Extraction.guess),
        # and the box read again with its slanted edge painted out (a digit touching the edge) or
        # with its thin strokes opened away (background stripes joined to a digit)
        looks: list[tuple[int, np.ndarray, bool]] = []  # (sample, crops, a cut of touching digits)
        scans: list[tuple[int, np.ndarray]] = []  # (sample, Extraction.scan)
        for i, (ex, f, row) in enumerate(zip(extractions, found, rows, strict=True)):
            if ex is None or row is None or ex.skull is None:
                continue
            digit, box, guess = row
            if box is not None and _lost_a_digit(digit.kills, box[0]) and box[1] >= self.cut_agree:
                # the digit path read part of the score-box reader's very sure number (a digit lost
                # to the top-hat): read again with a wider kernel
                again = digits_from_box(f.ref, ex.skull, tophat=WIDE_TOPHAT_K)
                if again.ok and len(again.digits) <= MAX_DIGITS:
                    looks.append((i, again.digits, False))
                continue
            if digit.kills is not None or box is None or box[0] < 0:
                continue
            if box[1] < min(self.box_confidence, self.cut_agree):
                continue
            if ex.guess is not None and box[0] >= 10:
                looks.append((i, ex.guess, True))
            if ex.scan is not None and box[0] >= 10 and box[1] >= self.cut_agree:
                scans.append((i, ex.scan))
            for how in ("rightmost", "thin", "open") if box[1] >= self.cut_agree else ():
                again = digits_from_box(f.ref, ex.skull, erase_edge=how)
                if again.ok and len(again.digits) <= MAX_DIGITS:
                    looks.append((i, again.digits, False))
                if again.guess is not None and box[0] >= 10:
                    looks.append((i, again.guess, False))
                if again.scan is not None and box[0] >= 10:
                    scans.append((i, again.scan))
        cuts: dict[int, set[int]] = {}
        scanned = {i for i, _s in scans}

        def second_look(i: int, p: np.ndarray, is_guess: bool) -> None:
            """One second look's digit probabilities ``p`` for sample ``i``: the number they spell
            (each digit at ``cut_min``) is a cut; a guess (``is_guess``) spells the number the
            box_confidence rule checks the score-box reader's very sure number against."""
            spelled = _spelled(p, self.cut_min)
            if spelled is not None:
                cuts.setdefault(i, set()).add(spelled)
            row = rows[i]
            assert row is not None
            box = row[1]
            if is_guess and box is not None and box[1] >= self.box_confidence and row[2] != box[0]:
                rows[i] = (row[0], row[1], _spelled(p, self.guess_min))

        if scans:
            # the merged component cut at every column of its middle: the cut the digit CNN is
            # surest of (its least sure digit the most sure) is a second look like the forced cut's
            scan_probs = self._classify(np.concatenate([s.reshape(-1, *s.shape[2:]) for _i, s in scans]))
            k = 0
            for i, scan in scans:
                p_scan = scan_probs[k : k + 2 * len(scan)].reshape(len(scan), 2, -1)
                k += 2 * len(scan)
                second_look(i, p_scan[int(np.argmax(p_scan.max(2).min(1)))], True)
        if looks:
            look_probs = self._classify(np.concatenate([c for _i, c, _g in looks]))
            k = 0
            for i, look, is_guess in looks:
                # where the blob was also cut at every column (a scan), the scan's surest cut is the
                # guess: the least-ink cut of an orbitron "17" at 720p read 1 and 1 (the 7's stem,
                # 0.74) and the score-box reader 11 at 0.98 -- a wrong number; the surest cut: 1 and
                # "not a digit"
                second_look(i, look_probs[k : k + len(look)], is_guess and i not in scanned)
                k += len(look)
        combined: list[KillReading | None] = []
        for i, (ex, f, row) in enumerate(zip(extractions, found, rows, strict=True)):
            if ex is None or row is None:
                combined.append(None)
                continue
            digit, box, guess = row
            skull = ex.skull
            combined.append(
                self._combine(
                    digit,
                    box,
                    faint=skull is not None and skull.score < SKULL_MIN_SCORE,
                    agree=self.detected_agree if f.proposal else None,
                    guess=guess,
                    cut=cuts.get(i, set()),
                    steady=None if skull is None else partial(self._steady, f.ref, skull),
                )
            )
        if realign and self.realign_min > 0 and self.box_model is not None:
            weak = [
                i
                for i, (f, r) in enumerate(zip(found, combined, strict=True))
                if r is not None
                and r.kills is None
                and f.place is not None
                and (r.reason == "weak_skull" if f.proposal else r.reason in REALIGN_LAYOUT)
            ]
            placed = self._realigned([huds[i] for i in weak], [found[i] for i in weak]) if weak else []
            for i, got in zip(weak, placed, strict=True):
                r = combined[i]
                if got is not None and r is not None:
                    combined[i] = replace(r, kills=got[0], confidence=got[1], reason=got[2])
        out: list[KillReading] = []
        for vis, f, r in zip(visible, found, combined, strict=True):
            if r is None:
                out.append(
                    KillReading(
                        None,
                        False,
                        vis,
                        0.0,
                        "no_kill_box" if f.kill_box is not True else f.reason,
                        f.kill_box,
                        f.era,
                    )
                )
                continue
            # a detector's box is a proposal: found, and the HUD in view, only where both readers
            # read a number in it (a proposal on another game's screen started a match)
            if f.proposal:
                read = r.kills is not None
                r = replace(r, kill_box=True if read else None, hud_visible=r.hud_visible or read)
            else:
                r = replace(r, kill_box=True)
            out.append(replace(r, hud_era=f.era))
        return out, found

    def read_boxes(self, huds: Sequence[np.ndarray]) -> list[tuple[int, float] | None]:
        """The score-box reader alone: (kills, confidence) per HUD crop, None without a skull."""
        if self.box_model is None:
            raise ValueError("this reader has no score-box model")
        found = [find_kill_box(h, self.detector) for h in huds]
        refs = [f.ref for f in found]
        skulls = [f.skull for f in found]
        wins = [score_window(r, s) for r, s in zip(refs, skulls, strict=True) if s is not None]
        res = iter(self._read_boxes(np.stack(wins) if wins else None))
        return [next(res) if s is not None else None for s in skulls]

    # -- internals ----------------------------------------------------------------------------
    def _realigned(
        self, huds: Sequence[np.ndarray], found: Sequence[FoundBox]
    ) -> list[tuple[int, float, str] | None]:
        """Per box the readers refused: the number both read alike with the run placed again,
        moved and scaled by each of ``REALIGN_GRID`` -- (kills, median confidence, "ok_realigned")
        where the digit path, sure of it, and the score-box reader, at ``realign_agree`` or more,
        name the same number in ``realign_min`` of the placements or more and no other number in
        any. Else the score-box reader's number where it reads it at ``realign_box`` or more in
        ``realign_box_min`` placements or more, no other number at ``box_veto`` or more in any, the
        digit path, where it reads, sure of no other number in any, and its CNN spelling that number
        (each digit at ``guess_min`` or more) in one placement at least, on the run
        (``"ok_realigned_box"``). Else that one number, so spelled, where either reader names it
        surely enough in ``realign_sole_min`` placements or more (``"ok_realigned_sole"``). None
        otherwise (see the class docstring and :meth:`_Tally.verdict`).
        Each placement's skull is as faint as the box's, so the faint-box rules hold there too; a
        placement whose window sits on part of the count (``DIGIT_BEFORE``) names nothing: a "14"
        whose box was a digit too far right was read as 4 in most placements moved only a quarter
        of a digit (fourth held-out family at 720p)."""
        # (sample, placement, extraction, score window)
        tries: list[tuple[int, Placement, Extraction, np.ndarray]] = []
        for n, (hud, f) in enumerate(zip(huds, found, strict=True)):
            assert f.place is not None and f.skull is not None
            px0, pyc, total = f.place
            dh = CANON_DIGIT_H / total  # the run's digit height in crop px
            for dx, dy, s in REALIGN_BOXED if f.boxed else REALIGN_GRID:
                place = (px0 + dx * dh, pyc + dy * dh, total / s)
                # the box's faintness goes with it: a faint box's rules (a digit before the window
                # refuses it) hold in every placement, not only in the first look
                ref, skull = warp_run(hud, place, red=f.skull.red, row=f.skull.row, score=f.skull.score)
                tries.append((n, place, digits_from_box(ref, skull), score_window(ref, skull)))
        crops = [e.digits for _n, _p, e, _w in tries if e.ok]
        probs = self._classify(np.concatenate(crops) if crops else None)
        boxes = self._read_boxes(np.stack([w for _n, _p, _e, w in tries]))
        tallies = [_Tally() for _ in huds]
        k = 0
        for (n, place, e, _w), (kills, conf) in zip(tries, boxes, strict=True):
            t = tallies[n]
            if kills >= 10 and conf >= self.realign_box:
                t.wide[kills] = t.wide.get(kills, 0) + 1
            if e.reason == DIGIT_BEFORE:
                continue  # the placement's window on part of the count: it names nothing
            named: dict[int, float] = {}  # what this placement names surely enough, how surely
            if kills >= 0 and conf >= self.box_veto:
                named[kills] = conf
                if conf >= self.realign_box:
                    t.alone.setdefault(kills, []).append(conf)
            if e.ok:
                p = probs[k : k + len(e.digits)]
                k += len(e.digits)
                digit = self._decide(p, False, False)
                on_run = _on_run(e, place, found[n].run)
                if digit.kills is not None:  # _decide: at min_confidence or more
                    named[digit.kills] = max(named.get(digit.kills, 0.0), digit.confidence)
                hint = _spelled(p, self.guess_min)
                if hint is not None and on_run:
                    t.spelled.add(hint)
                if digit.kills is not None and digit.kills == kills and conf >= self.realign_agree and on_run:
                    t.votes.setdefault(kills, []).append(min(conf, digit.confidence))
            for number, c in named.items():
                t.named.setdefault(number, []).append(c)
        return [
            t.verdict(self.realign_min, self.realign_box_min, self.realign_sole_min, self.realign_most)
            for t in tallies
        ]

    def _steady(self, ref: np.ndarray, skull: SkullHit, kills: int) -> bool:
        """Whether the score-box reader reads ``kills`` -- its reading of the unmoved window -- in
        its window moved by every shift of ``STEADY_SHIFTS`` (the skull's place off by a pixel or
        two changes no sure reading)."""
        wins = [score_window(ref, replace(skull, x=skull.x + dx, y=skull.y + dy)) for dx, dy in STEADY_SHIFTS]
        return all(k == kills for k, _c in self._read_boxes(np.stack(wins)))

    def _classify(self, crops: np.ndarray | None) -> np.ndarray:
        if crops is None or len(crops) == 0:
            return np.zeros((0, self.model.n_classes), np.float32)
        x = np.ascontiguousarray(crops, np.float32)[:, None]
        if isinstance(self.model, NumpyNet):
            return softmax(self.model(x))
        import torch

        with torch.inference_mode():
            return torch.softmax(self.model(torch.from_numpy(x).to(self.device)), dim=1).cpu().numpy()

    def _read_boxes(self, windows: np.ndarray | None) -> list[tuple[int, float]]:
        """(kills, confidence) per score-box window; kills -1 when the slots make no number."""
        if windows is None or self.box_model is None:
            return []
        if isinstance(self.box_model, NumpyNet):
            logits = self.box_model(windows)
            p1, p2 = softmax(logits[:, :BOX_FIRST]), softmax(logits[:, BOX_FIRST:])
        else:
            import torch

            with torch.inference_mode():
                raw = self.box_model(torch.from_numpy(windows).to(self.device)).cpu()
            p1 = torch.softmax(raw[:, :BOX_FIRST], 1).numpy()
            p2 = torch.softmax(raw[:, BOX_FIRST:], 1).numpy()
        out = []
        for a, b, ca, cb in zip(p1.argmax(1), p2.argmax(1), p1.max(1), p2.max(1), strict=True):
            if b == BOX_SECOND - 1:
                kills = int(a)
            else:
                kills = -1 if a == 0 else int(a) * 10 + int(b)  # no leading zeros
            out.append((kills, float(min(ca, cb))))
        return out

    def _combine(
        self,
        digit: KillReading,
        box: tuple[int, float] | None,
        *,
        faint: bool = False,
        agree: float | None = None,
        guess: int | None = None,
        cut: Collection[int] = (),
        steady: Callable[[int], bool] | None = None,
    ) -> KillReading:
        """The digit path's reading, checked against / completed by the score-box reader.

        ``faint``: the skull scored under the finder's threshold (or the box is the learned
        detector's); both readers agreeing counts: the digit path sure and the score-box
        reader reading the same number at ``agree`` (default ``box_confidence``) or more -- or,
        where a squads line was found (``digit.hud_visible``), the digit path ``weak_alone`` sure
        and the score-box reader (which must have read the box: without one, proposals stay
        unread) under ``box_veto`` on any other number.
        Where the digit path is not sure, the score-box reader's very sure number is taken only
        when ``guess`` -- what the digit CNN's own most likely classes spell (:func:`_spelled`)
        -- is the same number: the score-box reader alone read 20 for a 17 whose "7" touched
        the box's slanted edge (validation family).
        ``cut``: the numbers the digit CNN reads, each digit at ``cut_min`` or more, in its second
        looks (the one component it saw cut in two; the box with its slanted edge painted out, or
        its thin strokes opened away);
        where the digit path read nothing, one of them is read when the score-box reader reads it
        too at ``cut_agree`` or more (two readers, two pictures: "11" and "15" blurred into one
        blob at 720p were refused as "not a digit" or read as a doubtful 6, "20" and "18"
        touching the box's edge were refused as clipped).
        ``steady``: whether the score-box reader reads a number in its window moved a few pixels
        every way (:meth:`_steady`; None: no box). On the layout rules' box (a skull sure, not a
        proposal: ``faint`` false, ``agree`` None), where the digit path could not cut the count
        into digits (touching, clipped, merged with a stripe) and read nothing, the score-box
        reader's number at ``steady_min`` or more that is steady so counts. Not where the digit
        path saw the number start away from the skull or ink of digit height after it
        ("lost_digit"): the box may be on another number (a squads count "9" read steadily for 2
        kills, training family at 1440x1080).
        In a faint box beside a squads line found, where neither rule above reads and the digit
        path read nothing or the same number, the score-box reader's number at ``box_alone`` or
        more that is steady so counts ("ok_box_alone").
        In a faint box whose window the digit path saw sit on part of the count (``DIGIT_BEFORE``:
        a digit of it before the window), nothing counts: the score-box reader read a "20" so
        placed as a steady 0 (seventh held-out family at 1920x1200).
        """
        if faint and digit.reason == DIGIT_BEFORE:
            # the window sits on part of the count (a digit of it before the window): what any
            # reader reads there is not the count ("20" read as 0 by the score-box reader alone)
            return KillReading(None, digit.red, digit.hud_visible, 0.0, "weak_skull")
        if digit.kills is None and box is not None and box[0] in cut and box[1] >= self.cut_agree:
            return KillReading(box[0], digit.red, digit.hud_visible, box[1], "ok_cut")
        if faint:
            same = (
                digit.kills is not None
                and box is not None
                and box[0] == digit.kills
                and box[1] >= (self.box_confidence if agree is None else agree)
            )
            if same:
                return digit
            # beside a squads line found (the HUD is in view), the digit path very sure and the
            # score-box reader not sure of another number: the box reader often misses a digit of
            # a proposal's count ("23" read as 2 at 0.72, validation family at 1080p)
            alone = (
                digit.kills is not None
                and digit.hud_visible
                and digit.confidence >= self.weak_alone
                and box is not None  # a second reader that looked (none: proposals stay unread)
                and (box[0] == digit.kills or box[1] < self.box_veto)
            )
            if alone:
                return digit
            # touching digits in a faint box: the digit CNN's second look (the one component cut
            # in two) spelling the score-box reader's very sure number
            if digit.kills is None and box is not None and box[0] >= 0 and box[0] == guess:
                if box[1] >= self.box_confidence:
                    return KillReading(box[0], digit.red, digit.hud_visible, box[1], "ok_box")
            # beside a squads line found, where the digit path read nothing (or the same number
            # unsurely): the score-box reader very sure, reading the same number in its window
            # moved a pixel or two every way ("11" and "15" blurred into one blob in a faint box)
            if (
                digit.hud_visible
                and box is not None
                and box[0] >= 0
                and digit.kills in (None, box[0])
                and box[1] >= self.box_alone
                and steady is not None
                and steady(box[0])
            ):
                return KillReading(box[0], digit.red, digit.hud_visible, box[1], "ok_box_alone")
            return KillReading(None, digit.red, digit.hud_visible, 0.0, "weak_skull")
        if box is None:
            return digit
        kills, conf = box
        if digit.kills is not None:
            if kills != digit.kills and conf >= self.box_veto:
                if _lost_a_digit(digit.kills, kills) and kills in cut and conf >= self.cut_agree:
                    # the digit path's wider look reads the score-box reader's number
                    return KillReading(kills, digit.red, digit.hud_visible, conf, "ok_wide")
                return KillReading(None, digit.red, digit.hud_visible, 0.0, "readers_disagree")
            return digit
        if kills >= 0 and conf >= self.box_confidence and guess == kills:
            return KillReading(kills, digit.red, digit.hud_visible, conf, "ok_box")
        if (
            steady is not None
            and agree is None  # not a proposal
            and digit.reason != "lost_digit"
            and kills >= 0
            and conf >= self.steady_min
            and steady(kills)
        ):
            return KillReading(kills, digit.red, digit.hud_visible, conf, "ok_steady")
        return digit

    def _decide(self, p: np.ndarray, red: bool, vis: bool) -> KillReading:
        if len(p) > MAX_DIGITS:
            return KillReading(None, red, vis, 0.0, "too_many_digits")
        labels = p.argmax(1)
        conf = float(np.prod(p.max(1)))
        if (labels == NOT_A_DIGIT).any():
            return KillReading(None, red, vis, 0.0, "not_a_digit")
        if float(p.max(1).min()) < self.min_confidence:
            return KillReading(None, red, vis, conf, "low_confidence")
        if len(labels) > 1 and labels[0] == 0:
            return KillReading(None, red, vis, conf, "leading_zero")
        kills = int("".join(str(int(d)) for d in labels))
        return KillReading(kills, red, vis, conf, "ok")


@dataclass
class _Tally:
    """What the realign placements of one box read (:meth:`KillReader._realigned`), and its verdict."""

    votes: dict[int, list[float]] = field(default_factory=dict)  # both readers alike, on the run
    alone: dict[int, list[float]] = field(default_factory=dict)  # the score-box reader at realign_box
    # per number either reader named surely enough (box_veto, min_confidence): its placements' confidences
    named: dict[int, list[float]] = field(default_factory=dict)
    spelled: set[int] = field(default_factory=set)  # what the digit CNN spells on the run, unsure
    # per two-digit number: in how many placements (refused ones too) the score-box reader read it
    # at realign_box or more
    wide: dict[int, int] = field(default_factory=dict)

    def verdict(
        self, realign_min: int, box_min: int, sole_min: int, most: float
    ) -> tuple[int, float, str] | None:
        """(kills, median confidence, reason) by the first of the four rules that holds, else None
        (KillReader's realign_min, realign_box_min, realign_sole_min and realign_most; 0: that
        rule off) -- None too where the score-box reader read a longer number that ends in it at
        realign_box or more in ``box_min`` placements or more (refused ones too): the count may be
        that one, the rest placements on its last digit (a "13" read 13 in the placements that took
        it in whole, 3 in those on its "3" alone). (Once in a placement is not enough: one moved
        onto the skull before a lone "1" read 11 or 31.)"""
        got = self._rule(realign_min, box_min, sole_min, most)
        if got is None or box_min <= 0:
            return got
        if any(w != got[0] and str(w).endswith(str(got[0])) and n >= box_min for w, n in self.wide.items()):
            return None
        return got

    def _rule(
        self, realign_min: int, box_min: int, sole_min: int, most: float
    ) -> tuple[int, float, str] | None:
        if len(self.votes) == 1:
            ((kills, confs),) = self.votes.items()
            if len(confs) >= realign_min:
                return kills, float(np.median(confs)), "ok_realigned"
        if len(self.named) > 1 and most > 0.0 and box_min > 0:
            # two numbers named: the one named in ``most`` of all namings or more, the score-box
            # reader very sure of it in box_min placements or more, and the digit CNN spelling it
            kills = max(self.named, key=lambda n: len(self.named[n]))
            total = sum(len(c) for c in self.named.values())
            sure = self.alone.get(kills, [])
            if len(self.named[kills]) >= most * total and len(sure) >= box_min and kills in self.spelled:
                return kills, float(np.median(sure)), "ok_realigned_most"
        if len(self.named) != 1:
            return None  # none named, or two numbers named and neither rule above: no choice
        ((kills, confs),) = self.named.items()
        if kills not in self.spelled:
            return None
        sure = self.alone.get(kills, [])
        if box_min > 0 and len(self.alone) == 1 and len(sure) >= box_min:
            return kills, float(np.median(sure)), "ok_realigned_box"
        if sole_min > 0 and len(confs) >= sole_min:
            return kills, float(np.median(confs)), "ok_realigned_sole"
        return None


def _on_run(e: Extraction, place: Placement, run: tuple[float, float, float, float] | None) -> bool:
    """Whether the digits ``e`` found on the canvas warped with ``place`` lie on the ``run`` the box
    was found at (crop px): overlapping it by ``REALIGN_OVERLAP`` of the narrower one's width and of
    the lower one's height. A placement moved onto ink beside the run is not the run's count (a box
    proposed on the stripes right of a "21" read 1 with the run moved left onto the "1")."""
    if run is None or not e.boxes:
        return False
    x0 = min(b[0] for b in e.boxes)
    y0 = min(b[1] for b in e.boxes)
    x1 = max(b[0] + b[2] for b in e.boxes)
    y1 = max(b[1] + b[3] for b in e.boxes)
    dx0, dy0, dx1, dy1 = unwarp_box(place, (x0, y0, x1, y1))
    rx0, ry0, rx1, ry1 = run
    ix = min(dx1, rx1) - max(dx0, rx0)
    iy = min(dy1, ry1) - max(dy0, ry0)
    return ix >= REALIGN_OVERLAP * min(dx1 - dx0, rx1 - rx0) and iy >= REALIGN_OVERLAP * min(
        dy1 - dy0, ry1 - ry0
    )


def _lost_a_digit(read: int | None, sure: int) -> bool:
    """The digit path's number ``read`` is the score-box reader's ``sure`` one with a digit left
    out (1 for 14, 4 for 14, 12 for 102): a digit lost to the extraction, not another number."""
    if read is None or sure < 10:
        return False
    a, b = str(read), str(sure)
    return len(b) == len(a) + 1 and any(b[:k] + b[k + 1 :] == a for k in range(len(b)))


def _spelled(p: np.ndarray, floor: float) -> int | None:
    """The number the digit CNN's most likely classes spell (each at ``floor`` or more), or None
    (no digits, a not-a-digit class, a leading zero, too many digits)."""
    if len(p) == 0 or len(p) > MAX_DIGITS:
        return None
    labels = p.argmax(1)
    if (labels == NOT_A_DIGIT).any() or float(p.max(1).min()) < floor or (len(labels) > 1 and labels[0] == 0):
        return None
    return int("".join(str(int(d)) for d in labels))


def _on(model: Any, device: str) -> Any:
    """A torch module moved to ``device`` in eval mode; a NumpyNet as it is (CPU only)."""
    if isinstance(model, NumpyNet):
        if device != "cpu":
            raise ValueError(f"a numpy network runs on the CPU, not {device!r}")
        return model
    return model.to(device).eval()


def _load_torch(path: Path | None, device: str) -> Any:
    from models.net import load_box_model, load_model

    return load_model(device=device) if path is None else load_box_model(path, device=device)


def _temporal_mean(refs: list[np.ndarray]) -> list[np.ndarray]:
    """Mean of each reference-scale crop with its neighbours (the 2019 write-up's denoising)."""
    stack = np.stack(refs).astype(np.float32)
    out = []
    for i in range(len(refs)):
        lo, hi = max(0, i - 1), min(len(refs), i + 2)
        out.append(stack[lo:hi].mean(0).astype(np.uint8))
    return out


def highlight_contrast(hud: np.ndarray, gamma: float) -> np.ndarray:
    """``hud`` (RGB uint8) under ``gamma`` > 1: mid-tones darkened more than highlights, so white ink
    stands out of a pale box on a bright scene."""
    lut = np.round(255.0 * (np.arange(256) / 255.0) ** gamma).astype(np.uint8)
    return cv2.LUT(np.ascontiguousarray(hud), lut)
