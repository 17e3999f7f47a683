"""Find the kill box from the HUD's layout: the squads-left box first, then the slot beside it.

Every era of the Apex HUD has the squads-left box: a line of text ("N SQUADS LEFT", longer in
other languages) followed by the bright alive section with a dark person icon and count. The
kill box sits beside it -- left of it on the same row (2019 and most seasons; in 2019 with the
spectator eye box further left), or on a second row below it (ranked and later seasons). So:

1. normalise the crop to ``WORK_H`` px high (any resolution and aspect ratio; the HUD's own
   scale is then measured, not assumed, from the squads text's height ``h``);
2. bright ink: a white top-hat of the max-RGB plane (white and red strokes alike, flattened
   over whatever is behind the translucent boxes), thresholded;
3. text lines: components of letter height on a common baseline, spaced like letters;
   the squads line is the topmost line of at least ``MIN_GLYPHS`` glyphs and ``MIN_LINE_W``
   letter heights whose right end meets a bright block holding dark ink (the alive section),
   cut after the boxes' slanted edges where it ran across them from the kill box (a banner's
   text over a pushed-down HUD can be the topmost such line: a run beside it that lies on a lower
   line's row, on that line or right of its start, is that line's count or what follows it, and
   the lower line is searched instead);
4. the kill box: a run of digit-height components with an icon (the skull: taller than a
   digit, up to twice the text height) right before it -- the rightmost such pair in the slot
   left of the squads line (row 1), else the leftmost one on the row below (row 2). Numbers
   right of the squads text (alive count, crafting materials) are never searched; the 2019
   spectator count has a digit-high eye before it (not a skull-high icon), and ranked
   assists / damage sit right of the kills;
5. ``kill_box``: True when found; False when the squads line was found, both slots are in
   view (no overlay edge across them: the squads box's own border, running on left of its
   label, is none) and hold nothing of icon or digit height (the squads count before its label
   and long text lines under the squads box, the kill feed, are neither) -- or, in
   ``find_kill_box``, only clutter of letter size that the learned detector is sure holds no
   kill count (``EMPTY_NONE_PROB``); None otherwise. In ``find_kill_box`` an empty slot is
   also disputed (None) where the learned detector proposes a kill count in the crop or
   doubts that none is in view (``EMPTY_DOUBT_PROB``).

Where the rules see ink in the slot but no kill box, two second looks propose one (a weak run:
the kill reader reads a number there only where both of its readers agree): the relaxed look
(an unopened blob as the icon) and the slot without straight slanted strokes taller than any
glyph (a digit touching the kill box's steep edge joins it into one component otherwise).

Where they find none either (or one that lost a digit), the faint look searches the same squads
lines again in ink at lower thresholds (``FAINT_T``, ``FAINT_REL``: a thin white count on a
light box over a bright sky), its box a proposal too, dropped in ``find_kill_box`` where the
learned detector places the count elsewhere. Where the usual ink shows no squads line at all, the
squads line is looked for in the faint look's ink, then in the ink without straight slanted strokes
(a striped background joins the label's letters to its stripes); a kill box beside such a line is
a proposal too, and nothing else (no empty slot, no check of the detector's box) is told from it.
Where no squads line is found at all but a line that would be one ends at a stream overlay's edge
(or runs on across it into the overlay's own text on its baseline: cut there), the kill box beside
it on its row is a proposal as well, dropped in ``find_kill_box`` where the detector places the
count elsewhere.

Where the rules find no kill box and cannot tell the slot empty, ``find_kill_box`` tries the 2019
skull template, then a learned detector (``detect``; vodstream.readers.boxfinder, trained on
many random HUD styles by models/finder.py): its box is snapped to the digit-height ink inside
it (to that ink without slanted strokes where the digits joined the box's edges and a digit
starts left of the box), dropped when another skull-like icon follows it on its row (unless a
skull of its own is right before it: then what follows is the squads count's merged digits) or
other glyphs sit between it and the squads box's text (its count included: the 2019 spectator
count is left of the kill count; with a skull of its own, only an icon there drops it), and
handed on as a faint skull, so the kill reader takes a number
there only when both of its readers agree.

The found run is then mapped onto the reader's reference canvas (vodstream.readers.digits: 560x175,
skull at a fixed place), so the digit CNN and the score-box reader read it as before.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Literal, NamedTuple, Protocol

import cv2
import numpy as np

from vodstream.readers.digits import (
    REF_H,
    REF_W,
    SEARCH_ROWS,
    SkullHit,
    find_skull,
    normalize_hud,
    slanted_stroke,
    squads_box_visible,
)

__all__ = [
    "Assessment",
    "FoundBox",
    "HudLocation",
    "KillBoxProposer",
    "KillRun",
    "Placement",
    "ProposalFate",
    "SquadsLine",
    "canonical",
    "detect",
    "explain_proposals",
    "find_kill_box",
    "finder_image",
    "legacy_ref",
    "locate",
    "placement",
    "proposal_fates",
    "unwarp_box",
    "warp_run",
]

WORK_H = 240  # the crop is resized to this height (a 1080p-scale HUD crop is 240 px)
TOPHAT = 31  # top-hat kernel at WORK_H: wider than a skull, narrower than a box
INK_T = 38  # top-hat threshold for ink
INK_REL = 0.55  # ... and this fraction of the brightest ink within LOCAL px
# the faint look (:func:`_locate`): where the squads line is found but no kill box beside it, the
# ink again at these thresholds (a count drawn thin and white on a light box over a bright sky
# falls under INK_T, or under INK_REL of the alive section's bright edge nearby)
FAINT_T = 24
FAINT_REL = 0.4
SAME_LINE = 0.6  # letter heights: a faint look's squads line ends this close to a usual one's, on its row
LOCAL = 21
GLYPH_H = (8, 34)  # letter heights searched (WORK_H px)
MIN_GLYPHS = 5
MIN_LINE_W = 4.5  # squads line width, in letter heights
LINE_END_MIN = 0.55  # the squads label ends in the right part of the crop (the alive box follows)
MIN_STROKE = 3.0  # 2 * area / (w + h): letters, not pieces of the boxes' thin outlines
ROW2_DY = (2.6, 4.2)
# a proposed or template-found count on the squads row: its centre within this many letter heights
# of the squads text's (the rules' own row-1 runs: 0.35)
ROW1_DY = 0.6
# the 2019 skull template's box: the count is looked for this many skull widths right of the skull
# (FoundBox.run; on_digits narrows it to the digits found there)
TEMPLATE_RUN_SKULLS = 2
ROW2_HALF = 0.6  # _row2_rows: the second row's digits, this many letter heights about its centre
# the ranked row's digits are drawn larger than row 1's against the squads label (1.27-1.33 of its
# letter height on the training family at 720p, 1.5 on the validation family): at most this many
ROW2_DIGIT_MAX = 1.7
# ... and its skull can be as tall as they are (validation family at 720p): an icon this many
# times the digits' height or more before the run is a skull too, but the box is a proposal
# (weak: read as the kill reader reads the learned detector's boxes)
ROW2_ICON_EVEN = 0.95
# the kill icon's right edge to the first digit: 0.2-0.8 digit heights in every family measured
# (today's look, training, validation at 720p/1080p); more is a digit lost
LOST_DIGIT_GAP = 0.9
# ... and a digit lost there leaves ink at least this many digit heights tall in the faint look
LOST_INK_H = 0.5
SQ_COUNT_GAP = 1.8  # a run ending closer than this many letter heights to a label without its count is that
# count (1.2 took a face's wide word space, 1.7 letter heights, for a kill box's gap: 11 read for 9)
# a word of the squads label left out of its line (_word_between, _word_into_line): at least this many
# glyphs of letter size (a count has two digits)
WORD_GLYPHS = 3
WORD_ALIGN = 0.15  # ... each its top and bottom within this many letter heights of the line's
SQ_COUNT_FAR = 3.0  # ... or this many for a count of two count-tall glyphs (the label's first letter lost)
COUNT_TALL = 1.15  # the squads count's digits: at least this many label-letter heights tall
# ... and a word of its own: a glyph of letter height ending less than this many letter heights
# before it makes it a letter of the label (:func:`_letter_before`)
COUNT_APART = 0.3
DIGIT_MAX = 1.36  # kill digits: at most this many squads-letter heights
DIGIT_MIN = 0.7  # ... and at least this many (a style may draw them smaller than its squads text)
ICON_MIN = 1.05  # the skull: this much taller than the digits (and about a letter or more)
ICON_FILL = 0.5  # ... solid (ink / box area) and wide: not a digit
ICON_W = 0.72  # (0.5 read a narrow "2" before "4" as the icon: 24 -> 4 on today's look)
ICON_LINE = 2.6  # horizontal ink runs this many letter heights long are box outlines
RELAXED_ICON_W = 1.1  # _relaxed: an unopened blob as the icon, at most this wide (x its height)
ALIVE_EDGE = 0.35  # dark share of the alive block's top and bottom rows (slanted corners), at most
# canonical placement: digits this tall, starting this far right of the fixed skull
CANON_DIGIT_H = 14.5
CANON_SKULL = (100, 60)  # skull top-left on the reference canvas
CANON_LEAD = 5.0  # first digit's left - skull's right


@dataclass(frozen=True)
class SquadsLine:
    x0: int
    y0: int
    x1: int
    y1: int
    h: float  # median letter height (WORK_H px)
    # the line starts with the squads count (its leftmost glyph at least COUNT_TALL letter heights
    # tall): the kill count may then end right before x0 (a narrow gap between the boxes)
    count: bool = False


@dataclass(frozen=True)
class KillRun:
    """The kill count's digits and the icon before them (WORK_H px)."""

    x0: int
    y0: int
    x1: int
    y1: int
    digit_h: float
    icon: tuple[int, int, int, int]  # x, y, w, h
    row: int  # 0: beside the squads box, 1: the row below
    red: bool
    # found by the relaxed second look (:func:`_relaxed`): a proposal, read only where both of the
    # kill reader's readers name the same number, like the learned detector's boxes (or, beside a
    # squads line found, where its digit path is very sure: KillReader's weak_alone)
    weak: bool = False
    # found by the faint look (:func:`_locate`), or beside a line ending at an overlay's edge
    # (:func:`_beside_covered`; both also weak): find_kill_box drops it where the learned detector
    # places the kill count elsewhere
    faint: bool = False
    # a learned detector's box taken as the run itself: no glyph of digit height in it (the digits
    # joined to a separator or the box's edge, or too faint for the ink threshold), so the run's
    # place is the detector's guess, which often sits half a digit height off the count
    boxed: bool = False


@dataclass(frozen=True)
class HudLocation:
    squads: SquadsLine | None
    kill: KillRun | None
    kill_box: bool | None  # True found, False verified empty, None cannot tell
    era: str | None  # "2019" (spectator box beside the kills), "modern", None
    reason: str  # "ok", "empty", or why kill is None
    scale: float  # WORK_H / crop height
    # "slot_unclear" because of a long straight edge across the slot (a webcam or panel over it):
    # the slot may hide a kill box, so it is never called empty (see find_kill_box)
    slot_edge: bool = False
    # no squads line found: the lines that would be one but end at a stream overlay's edge (the
    # alive section under it), for the detector's checks and a proposal's search beside them
    # (:func:`_beside_covered`); no evidence of an in-match HUD
    covered: tuple[SquadsLine, ...] = ()

    @property
    def hud_visible(self) -> bool:
        return self.squads is not None


def _work_shape(h: int, w: int) -> tuple[int, int]:
    """The (height, width) :func:`_work` resizes an h x w crop to."""
    return (h, w) if h == WORK_H else (WORK_H, max(1, round(w * (WORK_H / float(h)))))


def _work(hud: np.ndarray) -> tuple[np.ndarray, float]:
    if hud.ndim != 3 or hud.shape[2] != 3:
        raise ValueError(f"HUD crop must be HxWx3 RGB, got shape {hud.shape}")
    h, w = hud.shape[:2]
    f = WORK_H / float(h)
    if abs(f - 1.0) < 1e-6:
        return np.ascontiguousarray(hud), 1.0
    wh, ww = _work_shape(h, w)
    return cv2.resize(hud, (ww, wh), interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR), f


FINDER_H = WORK_H // 2  # the kill-box detector's input height (models.net.FinderNet.INPUT_H)


def finder_image(hud: np.ndarray) -> np.ndarray:
    """The kill-box detector's input: the crop at ``WORK_H`` px high, halved (RGB uint8)."""
    img, _f = _work(hud)
    return _half(img)


def _half_size(img: np.ndarray) -> tuple[int, int]:
    """(width, height) of the detector's input made from a work image."""
    return max(1, img.shape[1] // 2), FINDER_H


def _half(img: np.ndarray) -> np.ndarray:
    return cv2.resize(img, _half_size(img), interpolation=cv2.INTER_AREA)


def _rel_min(rel: float) -> np.ndarray:
    """Per n, the smallest uint8 t with float(t) >= rel * n (255 where none does)."""
    return np.array([next((t for t in range(256) if float(t) >= rel * n), 255) for n in range(256)], np.uint8)


_REL_MIN = _rel_min(INK_REL)
_FAINT_REL_MIN = _rel_min(FAINT_REL)


def _max_rgb(img: np.ndarray) -> np.ndarray:
    """The max-RGB plane of an HxWx3 uint8 image (``img.max(axis=2)``, ~50x faster: numpy reduces
    a 3-wide last axis element by element)."""
    r, g, b = cv2.split(np.ascontiguousarray(img))
    return cv2.max(cv2.max(r, g), b)


def _ink(th: np.ndarray, near: np.ndarray, *, faint: bool = False) -> np.ndarray:
    """255 where ``th >= INK_T and th >= INK_REL * near``, else 0 (uint8 planes; ``faint``: at
    ``FAINT_T`` and ``FAINT_REL``). The relative test goes through a per-``near`` table of the
    smallest ``th`` that passes it: the same pixels as the float formula, without float images."""
    return cv2.bitwise_and(
        cv2.threshold(th, (FAINT_T if faint else INK_T) - 1, 255, cv2.THRESH_BINARY)[1],
        cv2.compare(th, cv2.LUT(near, _FAINT_REL_MIN if faint else _REL_MIN), cv2.CMP_GE),
    )


def _planes(img: np.ndarray, tophat: int = TOPHAT) -> tuple[np.ndarray, np.ndarray]:
    """The ink tests' inputs: the max-RGB plane's top-hat map (a ``tophat`` px square) and its
    local maximum (``LOCAL`` px)."""
    v = _max_rgb(img)
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (tophat, tophat))
    th = cv2.morphologyEx(v, cv2.MORPH_TOPHAT, k)
    # relative to the brightest ink nearby: the boxes' dot lattice (30% white) and faint outlines
    # drop out beside full-white text, whatever the background's brightness
    near = cv2.dilate(th, np.ones((LOCAL, LOCAL), np.uint8))
    return th, near


def _stats(b: np.ndarray) -> np.ndarray:
    """Stats rows [x, y, w, h, area] of an ink mask's components."""
    # 16-bit labels (a WORK_H crop holds far fewer than 65536 components): same stats, ~2x faster
    _n, _lab, st, _ = cv2.connectedComponentsWithStats(b, connectivity=8, ltype=cv2.CV_16U)
    return st[1:].astype(np.int32)


# a solid, squarish blob: a skull, or two bold digits merged into one (not a letter's strokes)
SOLID_FILL = 0.55  # ink / box area, at least
SOLID_W = (0.75, 1.6)  # times as wide as tall


def _iconish(
    w: Any, h: Any, a: Any, *, fill: float = ICON_FILL, wide: float = ICON_W, most: float = math.inf
) -> Any:
    """Whether components (widths, heights and ink areas: scalars or arrays) have an icon's shape:
    ``fill`` of their box inked and ``wide``..``most`` times as wide as tall. The one test of an
    icon's shape; the rules' variants (a skull before a count, a solid squarish blob, an icon
    between two counts) differ in its arguments only."""
    return (a >= fill * w * h) & (w >= wide * h) & (w <= most * h)


def _icon_components(b: np.ndarray, h: float) -> np.ndarray:
    """Stats of the blobs an icon can be: the ink opened by a 3x3 disc (solid icons without the
    boxes' thin outlines), once the boxes' top and bottom outlines (runs longer than ``ICON_LINE``
    letter heights, wider than any icon) are taken off: an icon drawn close to its box's edge
    otherwise joins the outline into one component. (The unopened ink as well found small
    skulls, but joined a skull to the first digit: "18" read as 8 -- measured, dropped.)"""
    lw = max(3, round(ICON_LINE * h))
    op = cv2.morphologyEx(b, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    horiz = cv2.morphologyEx(op, cv2.MORPH_OPEN, np.ones((1, lw), np.uint8))
    _n, _lab, sto, _ = cv2.connectedComponentsWithStats(
        cv2.subtract(op, horiz), connectivity=8, ltype=cv2.CV_16U
    )
    return sto[1:].astype(np.int32)


def _lines(st: np.ndarray) -> list[list[int]]:
    """Groups of component indices forming a text line (common baseline, letter spacing)."""
    rows = st.tolist()  # Python ints: this loop is quadratic in the glyphs, numpy scalars are slow
    # merged letters (a long label squeezed into its box, low resolution) count as one wide glyph
    idx = [
        i
        for i, (x, y, w, h, a) in enumerate(rows)
        if GLYPH_H[0] <= h <= GLYPH_H[1]
        and 2 <= w <= 14 * h
        and a >= 10
        and a >= 0.12 * w * h
        and 2.0 * a / (w + h) >= MIN_STROKE
    ]
    # a line starts at a letter, not at a solid icon (the skull would set its height)
    solid = {
        i
        for i in idx
        if _iconish(rows[i][2], rows[i][3], rows[i][4], fill=SOLID_FILL, wide=SOLID_W[0], most=SOLID_W[1])
    }
    idx.sort(key=lambda i: rows[i][0])
    lines: list[list[int]] = []
    used: set[int] = set()
    for i in idx:
        if i in used or i in solid:
            continue
        line = [i]
        hs = [rows[i][3]]  # the line's glyph heights, kept sorted
        for j in idx:
            xj, yj, _wj, hj, _aj = rows[j]
            last = rows[line[-1]]
            if j in used or j == i or xj <= last[0]:
                continue
            lh = float(hs[len(hs) // 2])
            gap = xj - (last[0] + last[2])
            bottom_ok = abs((yj + hj) - (last[1] + last[3])) <= max(2.0, 0.22 * lh)
            if gap <= 1.1 * lh and gap >= -0.3 * lh and bottom_ok and 0.65 * lh <= hj <= 1.45 * lh:
                line.append(j)
                bisect.insort(hs, hj)
            elif xj > last[0] + last[2] + 1.1 * lh:
                break
        if len(line) >= 2:
            used.update(line)
            lines.append(line)
    return lines


def _alive_block(img: np.ndarray, x: int, y0: int, y1: int, h: float) -> bool:
    """A bright block holding dark ink starts right after the squads text (the alive section)."""
    H = img.shape[0]
    b0, b1 = int(max(0, y0 - 0.3 * h)), int(min(H, y1 + 0.3 * h))
    ww = round(2.4 * h)
    if b1 <= b0:
        return False
    v = _max_rgb(img[b0:b1])
    for a0 in range(int(x), int(x + 3.0 * h), max(1, int(h // 4))):
        patch = v[:, a0 : a0 + ww]
        if patch.shape[1] < ww:
            return False
        if float((patch >= 170).mean()) < 0.5:
            continue
        # the person icon and count sit inside the block: dark ink in its middle rows, none along
        # its top and bottom (a dark banner strip or box behind text runs through all rows)
        n = patch.shape[0]
        mid = patch[n // 4 : n - n // 4]
        edge = np.concatenate([patch[: max(1, n // 8)], patch[n - max(1, n // 8) :]])
        if float((mid <= 100).mean()) >= 0.05 and float((edge <= 100).mean()) <= ALIVE_EDGE:
            return True
    return False


WORD_GAP = 0.6  # letter heights: glyphs closer than this are letters of one word


def _letters_on_line(st: np.ndarray, h: float, top: float, base: float) -> np.ndarray:
    """Which glyphs of ``st`` are of letter height (0.65-1.45 ``h``) on a line's cap line ``top``
    or baseline ``base``."""
    y, gh = st[:, 1].astype(np.float64), st[:, 3].astype(np.float64)
    tol_top, tol_base = max(2.0, 0.15 * h), max(2.0, 0.22 * h)
    on_line = (np.abs(y - top) <= tol_top) | (np.abs(y + gh - base) <= tol_base)
    return np.asarray((gh >= 0.65 * h) & (gh <= 1.45 * h) & on_line)


def _letter_before(st: np.ndarray, lead: int, h: float, top: float, base: float) -> bool:
    """Glyph ``lead`` is a letter of the label's first word, not the squads count (a word of its
    own): a glyph of letter height on the line's cap line or baseline ends less than
    ``COUNT_APART`` letter heights before it, without overlapping it (a kill count's last digit
    may reach under a squads count's slanted box edge: validation family at 4:3). A "Q" is taller
    than the other letters (its tail) and its round top may overshoot theirs by a pixel: in a plain
    sans at 720p the "Q" of "18 SQUADS LEFT" was taken for the count, the "S" before it for a kill
    run, read as 50 kills in a hidden box (second held-out family, VOD 8221: the "S" ended 0.08
    letter heights before the "Q"; on the choice sets a count stands half a letter height or more
    after the glyph before it, or overlaps it)."""
    x, w = st[:, 0].astype(np.float64), st[:, 2].astype(np.float64)
    lx = float(st[lead, 0])
    gap = lx - (x + w)
    return bool((_letters_on_line(st, h, top, base) & (x < lx) & (gap >= 0) & (gap < COUNT_APART * h)).any())


def _extend_left(st: np.ndarray, x0: int, h: float, top: float, base: float) -> tuple[int, list[int]]:
    """The squads line's left end taken leftwards over the letters of its first word that the line
    search could not start at or join, and those glyphs: a bold letter dense enough to look like
    a solid icon (a line never starts at one), letters merged into one blob with a "Q" whose tail
    drops below the baseline ("SQU": the line then started at the "A"). Only glyphs of letter
    height on the line's cap line or baseline, at most ``WORD_GAP`` letter heights apart (never
    across the space before the label: the squads count and the kill count lie beyond it), and
    never a glyph taller than the letters reaching above them (the squads count)."""
    x, y, w, gh, a = (st[:, k].astype(np.float64) for k in range(5))
    ok = (
        _letters_on_line(st, h, top, base)
        & ~((gh >= COUNT_TALL * h) & (y <= top - 0.08 * h))
        & (w <= 14 * gh)
        & (a >= 0.12 * w * gh)
        & (2.0 * a / (w + gh) >= MIN_STROKE)
    )
    cand = np.flatnonzero(ok & (x < x0)).tolist()
    added: list[int] = []
    while True:
        near = [i for i in cand if -0.3 * h <= x0 - (x[i] + w[i]) <= WORD_GAP * h and x[i] < x0]
        if not near:
            return x0, added
        added += near
        x0 = int(min(x[i] for i in near))


# letter heights after a line's end searched for an overlay's side (the box's slanted edge may lie
# between: a squads label ending 1.4 letter heights before a panel, validation family at 21:9)
COVER_REACH = 1.6
COVER_EDGE = 3.5  # letter heights: a vertical edge this long where a line ends is an overlay's
# letter heights: a vertical edge (largest colour channel's) this long across the kill slot or
# through the ranked row's digit rows is an overlay's side (:func:`_overlay_edge`, :func:`_row2_covered`)
OVERLAY_SIDE = 2.6


EDGE_GRAD = 120.0  # Sobel (3x3) magnitude of a sharp edge: an overlay's border, a box's outline


def _sobel(region: np.ndarray, *, across: Literal["x", "y"], grey: bool = False) -> np.ndarray:
    """|3x3 Sobel| of an RGB region across x (``across="x"``: vertical edges) or y (horizontal
    edges): of its grey plane (``grey``), or the largest of its colour channels' (a webcam's
    border can join two areas of the same grey)."""
    dx, dy = (1, 0) if across == "x" else (0, 1)
    if grey:
        g = cv2.cvtColor(np.ascontiguousarray(region), cv2.COLOR_RGB2GRAY).astype(np.float32)
        return np.abs(cv2.Sobel(g, cv2.CV_32F, dx, dy, ksize=3))
    return np.abs(cv2.Sobel(region.astype(np.float32), cv2.CV_32F, dx, dy, ksize=3)).max(axis=2)


def _widened(mask: np.ndarray) -> np.ndarray:
    """A 1-D mask with each set entry's neighbours set too (+-1: a 3x3 Sobel's edge may sit one
    pixel off)."""
    out = mask.copy()
    out[1:] |= mask[:-1]
    out[:-1] |= mask[1:]
    return out


def _edge_runs(grad: np.ndarray, length: int, *, vertical: bool) -> np.ndarray:
    """The pixels of ``grad`` on straight runs of at least ``length`` px of strong gradient
    (> ``EDGE_GRAD``), along a column (``vertical``) or a row."""
    kernel = np.ones((length, 1) if vertical else (1, length), np.uint8)
    return np.asarray(cv2.morphologyEx((grad > EDGE_GRAD).astype(np.uint8), cv2.MORPH_OPEN, kernel))


def _long_edge(grad: np.ndarray, length: int, *, vertical: bool) -> bool:
    """A straight run of at least ``length`` px of strong gradient in ``grad`` (:func:`_edge_runs`)."""
    return bool(_edge_runs(grad, length, vertical=vertical).any())


def _covered_end(img: np.ndarray, x1: int, y0: int, y1: int, h: float) -> bool:
    """A stream overlay's straight vertical edge (longer than ``COVER_EDGE`` letter heights, taller
    than the HUD's boxes) where a line of text ends, up to ``COVER_REACH`` letter heights after it:
    what followed it is under the overlay."""
    H, W = img.shape[:2]
    ax0, ax1 = max(0, int(x1 - 0.3 * h)), min(W, int(x1 + COVER_REACH * h) + 1)
    ay0, ay1 = max(0, int(y0 - 2.5 * h)), min(H, int(y1 + 2.5 * h) + 1)
    if ax1 - ax0 < 3 or ay1 - ay0 < 4:
        return False
    return bool(_overlay_edges(img, ax0, ax1, ay0, ay1, h).any())


def _overlay_edges(img: np.ndarray, ax0: int, ax1: int, ay0: int, ay1: int, h: float) -> np.ndarray:
    """The pixels of ``img[ay0:ay1, ax0:ax1]`` on straight vertical edges longer than ``COVER_EDGE``
    letter heights (``h``): a stream overlay's side, taller than the HUD's boxes."""
    gx = _sobel(img[ay0:ay1, ax0:ax1], across="x", grey=True)
    return _edge_runs(gx, max(3, round(COVER_EDGE * h)), vertical=True)


def _edge_through(img: np.ndarray, x0: int, x1: int, y0: int, y1: int, h: float) -> np.ndarray:
    """Per column of ``img[:, x0:x1]``: a stream overlay's straight vertical edge (longer than
    ``COVER_EDGE`` letter heights) runs through all of a line's rows ``y0``-``y1`` there (an
    overlay's edge across a line of text: the glyphs right of it are the overlay's own)."""
    H, W = img.shape[:2]
    ax0, ax1 = max(0, x0), min(W, x1)
    ay0, ay1 = max(0, int(y0 - 2.5 * h)), min(H, int(y1 + 2.5 * h) + 1)
    out = np.zeros(max(0, x1 - x0), bool)
    if ax1 - ax0 < 3 or ay1 - ay0 < 4 or y1 <= y0:
        return out
    runs = _overlay_edges(img, ax0, ax1, ay0, ay1, h)
    out[ax0 - x0 : ax1 - x0] = runs[max(0, y0 - ay0) : y1 - ay0].all(axis=0)
    return out


EDGE_CUT_LEAD = 3  # _past_box_edge: at most this many glyphs before the box edge a line is cut at
EDGE_CUT_FILL = 0.45  # ... a glyph of low fill (a thin slanted stroke, with what touches it)
EDGE_CUT_TALL = 1.2  # ... and this many times the line's letter height or more (the box is taller)
EDGE_CUT_RISE = 0.25  # ... its top this many letter heights above the letters' (their median top)
# ... or, of any fill, this many letter heights wide: the bright background between the two boxes,
# one solid slanted blob as tall as the boxes (no letter, nor two merged, is that wide and tall)
GAP_CUT_W = 2.0


def _past_box_edge(st: np.ndarray, line: list[int]) -> list[int]:
    """A line that runs across the boxes' slanted edges from the kill box into the squads box (the
    skull, the kill count, the edges and the squads label spaced like letters: validation family
    at 720p), cut after its rightmost edge among its first ``EDGE_CUT_LEAD`` + 1 glyphs: a glyph
    of low fill (``EDGE_CUT_FILL``) at least ``EDGE_CUT_TALL`` times the line's letter height,
    reaching ``EDGE_CUT_RISE`` letter heights above the letters' tops -- the edges span the box,
    which is taller than its text. (Without that last test two letters merged into one blob with
    a "Q" tail below the line were taken for an edge on the training family at 1080p: the line
    started after them, and the squads count "20" was read as the kill count.) Returns the glyphs
    right of the edge (``line`` where there is none). The edge may also be the bright background
    showing between the boxes, a solid slanted blob ``GAP_CUT_W`` letter heights wide or wider (a
    light sky between the seventh held-out family's boxes at 1080p: the line took the kill count
    "18" as its first glyph and the learned detector's box on it was dropped as on the squads
    line; no number)."""
    xs = sorted(line, key=lambda i: int(st[i, 0]))
    h = float(np.median([st[i, 3] for i in xs]))
    top = float(np.median([st[i, 1] for i in xs]))
    cut = -1
    for k, i in enumerate(xs[: EDGE_CUT_LEAD + 1]):
        _x, y, w, gh, a = (int(v) for v in st[i])
        edge = a < EDGE_CUT_FILL * w * gh or w >= GAP_CUT_W * h
        if edge and gh >= EDGE_CUT_TALL * h and y <= top - EDGE_CUT_RISE * h:
            cut = k
    return line if cut < 0 or cut == len(xs) - 1 else xs[cut + 1 :]


def _squads(img: np.ndarray, st: np.ndarray, covered: list[SquadsLine] | None = None) -> list[SquadsLine]:
    """Every line that can be the squads line, topmost first. ``covered``: gets the lines that would
    be one but end at an overlay's edge (:func:`_covered_end`) instead of the alive section -- or
    run on across that edge into the overlay's own text on their baseline (a "FOLLOW GOAL" panel's
    "71/530" after "3 SQUADS L"): their glyphs left of it (:func:`_edge_through`)."""
    found: list[SquadsLine] = []
    for line in _lines(st):
        line = _past_box_edge(st, line)
        got = _squads_line(img, st, line)
        if got is None:
            continue
        sq, (mb0, mb1) = got
        if _alive_block(img, sq.x1, round(mb0), round(mb1), sq.h):
            found.append(sq)
        elif covered is not None:
            if _covered_end(img, sq.x1, sq.y0, sq.y1, sq.h):
                covered.append(sq)
                continue
            # the first gap between glyphs an overlay's edge runs through, where the glyphs left
            # of it can still be a squads line
            xs = sorted(line, key=lambda i: int(st[i, 0]))
            ends = [int(st[i, 0] + st[i, 2]) for i in xs]
            gaps = [
                k
                for k in range(1, len(xs))
                if ends[k - 1] - sq.x0 >= MIN_LINE_W * sq.h and ends[k - 1] >= LINE_END_MIN * img.shape[1]
            ]
            if not gaps:
                continue
            # the gap's columns, and one more each side (where a 3x3 Sobel puts an edge at a glyph)
            gx0 = ends[gaps[0] - 1] - 1
            edge = _edge_through(img, gx0, sq.x1 + 1, round(mb0), round(mb1), sq.h)
            for k in gaps:
                if edge[ends[k - 1] - 1 - gx0 : int(st[xs[k], 0]) + 2 - gx0].any():
                    cut = _squads_line(img, st, xs[:k])
                    if cut is not None:
                        covered.append(cut[0])
                    break
    return sorted(found, key=lambda c: c.y0)


def _squads_line(
    img: np.ndarray, st: np.ndarray, line: list[int]
) -> tuple[SquadsLine, tuple[float, float]] | None:
    """:func:`_squads`' line ``line`` as a squads line, and the letters' common rows (their median
    top and bottom) -- None where it is too short or ends too far left to be one."""
    xs0 = min(st[i, 0] for i in line)
    xs1 = max(st[i, 0] + st[i, 2] for i in line)
    ys0 = min(st[i, 1] for i in line)
    ys1 = max(st[i, 1] + st[i, 3] for i in line)
    h = float(np.median([st[i, 3] for i in line]))
    lead = min(line, key=lambda i: st[i, 0])
    # taller AND reaching above the letters' tops: a "Q" whose tail hangs below the line is
    # as tall (today's look at 720p: "29 SQUADS LEFT" lost its "S" to the line, started at
    # the Q, and the "S" was then read as a kill count beside the "29")
    top = float(np.median([st[i, 1] for i in line]))
    base = float(np.median([st[i, 1] + st[i, 3] for i in line]))
    tall = st[lead, 3] >= COUNT_TALL * h and st[lead, 1] <= top - 0.08 * h
    count = bool(tall and not _letter_before(st, lead, h, top, base))
    glyphs = list(line)
    if not count:
        xs0, added = _extend_left(st, int(xs0), h, top, base)
        glyphs += added
    if len(glyphs) < MIN_GLYPHS and not (len(glyphs) >= 2 and any(st[i, 2] > 2.0 * st[i, 3] for i in glyphs)):
        return None
    if xs1 - xs0 < MIN_LINE_W * h or xs1 < LINE_END_MIN * img.shape[1]:
        return None
    # the alive block beside the letters' common rows (a glyph merged with a box edge or a
    # stripe reaches far above or below them and made the block look too short)
    mb0 = float(np.median([st[i, 1] for i in line]))
    mb1 = float(np.median([st[i, 1] + st[i, 3] for i in line]))
    return SquadsLine(int(xs0), int(ys0), int(xs1), int(ys1), h, count), (mb0, mb1)


# a line of at least TEXT_GLYPHS glyphs over TEXT_W of its letter heights is text (the kill feed)
TEXT_GLYPHS = 6
TEXT_W = 6.0


def _text_rows_under(st: np.ndarray, sq: SquadsLine) -> set[int]:
    """The components of long lines of text under the squads line (the kill feed, a teammate's
    name): at least ``TEXT_GLYPHS`` glyphs over ``TEXT_W`` letter heights -- no kill box, which is
    an icon and at most three digits."""
    near = np.flatnonzero((st[:, 1] >= sq.y1) & (st[:, 1] <= sq.y1 + 6.0 * sq.h))
    sub = st[near].astype(np.float64)
    cy = sub[:, 1] + sub[:, 3] / 2.0
    out: set[int] = set()
    for line in _lines(st[near]):
        lh = float(np.median(sub[line, 3]))
        x0, x1 = float(sub[line, 0].min()), float((sub[line, 0] + sub[line, 2]).max())
        if len(line) < TEXT_GLYPHS or x1 - x0 < TEXT_W * lh:
            continue
        # with the glyphs the line search left out (a first letter, one merged with an icon):
        # centred on the line's rows, within a letter height of its ends
        y0, y1 = float(np.median(sub[line, 1])), float(np.median(sub[line, 1] + sub[line, 3]))
        on = (cy >= y0) & (cy <= y1) & (sub[:, 0] + sub[:, 2] >= x0 - lh) & (sub[:, 0] <= x1 + lh)
        on &= sub[:, 3] <= 1.5 * lh
        out.update(int(near[i]) for i in np.flatnonzero(on))
        out.update(int(near[i]) for i in line)
    return out


def _runs(st: np.ndarray, idx: list[int], h: float, dmax: float = DIGIT_MAX) -> list[list[int]]:
    """Digit-height components grouped into tight left-to-right runs on one baseline."""
    cand = sorted(
        (
            i
            for i in idx
            if DIGIT_MIN * h <= st[i, 3] <= dmax * h
            and st[i, 2] <= 1.3 * st[i, 3]
            and st[i, 4] >= 0.18 * st[i, 2] * st[i, 3]
            and 2.0 * st[i, 4] / (st[i, 2] + st[i, 3]) >= MIN_STROKE
        ),
        key=lambda i: st[i, 0],
    )
    runs: list[list[int]] = []
    for i in cand:
        if runs:
            last = runs[-1][-1]
            gap = st[i, 0] - (st[last, 0] + st[last, 2])
            same = abs((st[i, 1] + st[i, 3]) - (st[last, 1] + st[last, 3])) <= max(2.0, 0.25 * h)
            hi = i if st[i, 3] >= st[last, 3] else last
            lim = 0.12 if _iconish(st[hi, 2], st[hi, 3], st[hi, 4]) else 0.22
            alike = abs(int(st[i, 3]) - int(st[last, 3])) <= lim * max(st[i, 3], st[last, 3])
            if -1 <= gap <= 0.55 * h and same and alike and len(runs[-1]) < 3:
                runs[-1].append(i)
                continue
        runs.append([i])
    return runs


SPLIT_ICON_TALL = 1.1  # _skull_led: the skull this many times taller than the digits after it
# ... or about as tall (SPLIT_ICON_EVEN of their height or more) and drawn off their line: its top
# and bottom both this many digit heights (SPLIT_SHIFT_PX at least) above, or both below, theirs
SPLIT_ICON_EVEN = 0.95
SPLIT_SHIFT = 0.1
SPLIT_SHIFT_PX = 2
# ... or, LED_EVEN of their height or more, solid (LED_FILL of its box inked: the seventh held-out
# family's skull with its eye holes fills 0.70-0.75) and LED_WIDER times as wide as the widest glyph
# after it
LED_EVEN = 0.9
LED_FILL = 0.6
LED_WIDER = 1.5


def _skull_led(st: np.ndarray, run: list[int]) -> bool:
    """A run whose first glyph is a skull the run search took for a digit: at 720p the skull
    can be barely taller than the digits (within the run's height tolerance), so it led their
    run and no icon was found before it. The first glyph must be as solid as any icon
    (``ICON_FILL``: a red skull with eye and nose holes fills 0.52 of its box, validation family
    at 1080p), as wide as a skull
    (``ICON_W``..``RELAXED_ICON_W`` times its height: wider than any single digit of the
    count, narrower than two joined ones) and ``SPLIT_ICON_TALL`` times taller than every
    glyph after it (digits of one number are one height) -- or, as tall as they are, shifted
    off their line as a whole (top and bottom both above, or both below, theirs): the digits of
    one number share their top and baseline (within 1 px at the work scale on every family
    measured), a skull centred in its box does not (validation family at 720p: a skull 14 px
    tall before a "16" merged into one 14 px blob, 3 px higher) -- or, about as tall as they are
    (``LED_EVEN``, wherever it sits on their rows), solid (``LED_FILL``) and ``LED_WIDER`` times as
    wide as any glyph after it: the seventh held-out family's skull, barely taller than its narrow
    digits, at 1080p sometimes a pixel shorter and on their line, 14 px wide before an "8" 6 px wide
    or a "12" merged into one 8 px blob (the run was skull and count together: no number)."""
    if len(run) < 2:
        return False
    _x, y, w, hh, a = (int(v) for v in st[run[0]])
    rest = max(int(st[i, 3]) for i in run[1:])
    if not _iconish(w, hh, a, most=RELAXED_ICON_W):
        return False
    if hh >= SPLIT_ICON_TALL * rest:
        return True
    widest = max(int(st[i, 2]) for i in run[1:])
    if (
        hh >= LED_EVEN * rest
        and w >= LED_WIDER * widest
        and _iconish(w, hh, a, fill=LED_FILL, most=RELAXED_ICON_W)
    ):
        return True
    top = min(int(st[i, 1]) for i in run[1:])
    base = max(int(st[i, 1] + st[i, 3]) for i in run[1:])
    t = max(float(SPLIT_SHIFT_PX), SPLIT_SHIFT * rest)
    up, down = top - y, base - (y + hh)
    return hh >= SPLIT_ICON_EVEN * rest and ((up >= t and down >= t) or (up <= -t and down <= -t))


ICON_REACH = 1.2  # _icon_at: the icon ends at most this many letter heights before the run


def _icon_before(
    st: np.ndarray,
    sto: np.ndarray,
    run: list[int],
    h: float,
    icon_min: float = ICON_MIN,
    reach: float = ICON_REACH,
) -> int | None:
    """The solid blob of icon size right before the run (index into ``sto``, the opened ink)."""
    rcy = float(np.mean([st[i, 1] + st[i, 3] / 2.0 for i in run]))
    dh = float(np.median([st[i, 3] for i in run]))
    return _icon_at(sto, float(st[run[0], 0]), rcy, dh, h, icon_min, reach)


def _icon_at(
    sto: np.ndarray, rx0: float, rcy: float, dh: float, h: float, icon_min: float, reach: float = ICON_REACH
) -> int | None:
    """:func:`_icon_before` for a run starting at ``rx0``, centred on the row ``rcy``, its digits
    ``dh`` high (``h``: the letter height the icon's size is measured against), the icon ending
    at most ``reach`` letter heights before it."""
    if not len(sto):
        return None
    x, y, w, hh, a = (sto[:, k].astype(np.float64) for k in range(5))
    right = x + w
    ok = (max(icon_min * dh, 0.95 * h) <= hh) & (hh <= 2.4 * h)
    ok &= _iconish(w, hh, a, most=SOLID_W[1])  # a solid blob (holes for eyes), not a letter's strokes
    ok &= (rx0 - reach * h <= right) & (right <= rx0 + 0.5)
    ok &= np.abs(y + hh / 2.0 - rcy) <= 0.55 * h
    if not ok.any():
        return None
    # the one ending furthest right (the first of equals)
    return int(np.argmax(np.where(ok, right, -np.inf)))


def _skull_before(p: _Prepared, k: KillRun | None, reach: float = ICON_REACH) -> bool:
    """An icon as solid and about as wide as tall as a skull (:func:`_icon_before`, the digits'
    height standing for the squads letters') right before the kill run ``k`` (ending at most
    ``reach`` digit heights before it): the count's own skull, not the 2019 spectator count's eye
    (twice as wide as tall, hollow)."""
    if k is None:
        return False
    run = _box_glyphs(p.st, k.x0 - 0.5, k.y0 - 0.5, k.x1 + 0.5, k.y1 + 0.5).tolist()
    if not run:
        return False
    comps = _icon_components(p.ink, k.digit_h)
    return _icon_before(p.st, comps, run, k.digit_h, icon_min=0.0, reach=reach) is not None


# a wide gap after the icon is no lost digit (_locate_beside) only after a skull-shaped icon -- at
# least GAP_SKULL_H of the digits' height, at most GAP_SKULL_W as wide as high (not the 2019
# spectator count's eye, nor the ranked row's wide second icon) -- on a gap darker than the digits
# (its brightest pixels, in the largest channel, under GAP_DARK of theirs): a white digit on a
# white wall vanishes, one on the box's dark fill would not
GAP_SKULL_H = 1.2
GAP_SKULL_W = 1.1
GAP_DARK = 0.8


def _skull_shaped(icon: np.ndarray, dh: float) -> bool:
    """An icon (stats row) tall and narrow enough to be the kill box's skull (GAP_SKULL_H/W)."""
    w, hh = float(icon[2]), float(icon[3])
    return hh >= GAP_SKULL_H * dh and w <= GAP_SKULL_W * hh


def _bright_gap(img: np.ndarray, x0: float, x1: float, rx1: float, y0: float, y1: float) -> bool:
    """The gap between an icon ending at ``x0`` and a run from ``x1`` to ``rx1`` (rows ``y0``-``y1``)
    as bright as the run's digits could be lost in (GAP_DARK; 95th and 90th percentiles of the
    largest colour channel)."""
    ya, yb = max(0, int(y0)), int(y1)
    gap = img[ya:yb, int(x0) + 1 : max(int(x0) + 2, int(x1) - 1)]
    digits = img[ya:yb, int(x1) : max(int(x1) + 1, int(rx1))]
    if not gap.size or not digits.size:
        return True
    return float(np.percentile(gap.max(axis=2), 95)) > GAP_DARK * float(np.percentile(digits.max(axis=2), 90))


def _faint_ink_between(fst: np.ndarray, x0: float, x1: float, y0: float, y1: float, dh: float) -> bool:
    """Ink at least ``LOST_INK_H`` digit heights tall among the components ``fst`` (the faint
    look's) wholly between columns ``x0`` and ``x1``, over rows ``y0``-``y1``: what a digit lost
    to the usual ink threshold leaves."""
    if not len(fst):
        return False
    x, y, w, hh = (fst[:, j].astype(np.float64) for j in range(4))
    between = (x >= x0) & (x + w <= x1) & (hh >= LOST_INK_H * dh) & (y < y1) & (y + hh > y0)
    return bool(between.any())


def _skull_a_digit_away(p: _Prepared, comps: np.ndarray, x0: float, y0: float, y1: float, dh: float) -> bool:
    """A skull (:func:`_own_skull` on the icon blobs ``comps``) ending ``LOST_DIGIT_GAP`` to about
    two digit heights before a detector's run starting at ``x0``, with ink of the faint look
    (:func:`_faint`) at least ``LOST_INK_H`` digit heights tall between the two; asked where no
    skull is right before the run: a digit between was lost to the ink threshold and the run is
    the count's last digit (a "20" on a pale box over a bright wall read as 0, third held-out
    family at 1920x1200) -- the rules' ``digit_lost`` for a run of the detector's. Nothing there
    even in faint ink is no lost digit but a wide gap after the skull (the wide family's loosest
    boxes: a "24" far after its skull dropped at 720p)."""
    k = _icon_at(comps, x0 - LOST_DIGIT_GAP * dh, (y0 + y1) / 2.0, dh, OWN_SKULL_H * dh, 0.0)
    if k is None:
        return False
    return _faint_ink_between(p.faint.st, float(comps[k, 0] + comps[k, 2]), x0, y0, y1, dh)


# a skull before a run known by its place alone is at least this share of the run's height high
# (0.95 of it, as for a run of glyphs, missed a validation skull 13 px high before a detector's
# box 14.9 px high: the box is higher than the digits in it)
OWN_SKULL_H = 0.8


def _own_skull(comps: np.ndarray, x0: float, y0: float, y1: float, dh: float) -> bool:
    """:func:`_skull_before` for a run known by its place alone (its digits may be joined to the
    box's edges, no glyph of their own): a skull-like icon among ``comps`` (the crop's
    :func:`_icon_components` at the run's height) right before ``x0`` on its row."""
    h = OWN_SKULL_H * dh
    return _icon_at(comps, x0, (y0 + y1) / 2.0, dh, h, 0.0) is not None


def _row2_span(sq: SquadsLine, width: int) -> tuple[int, int]:
    """The columns where the ranked layout's second row may hold the kill count: from 8 letter
    heights before the squads line's start to one after its end (clipped to ``width``)."""
    return max(0, int(sq.x0 - 8.0 * sq.h)), min(width, int(sq.x1 + 1.0 * sq.h))


def _row2_rows(sq: SquadsLine, *, nearest: bool) -> tuple[float, float]:
    """The rows (frame px, not clipped) the ranked layout's second row's digits can take under the
    squads line ``sq``: ``ROW2_DY`` letter heights under the line's centre, +-``ROW2_HALF``
    (``nearest``: at their nearest only, ``ROW2_DY[0]``)."""
    cy = (sq.y0 + sq.y1) / 2.0
    last = ROW2_DY[0] if nearest else ROW2_DY[1]
    return cy + (ROW2_DY[0] - ROW2_HALF) * sq.h, cy + (last + ROW2_HALF) * sq.h


def _row2_covered(img: np.ndarray, sq: SquadsLine) -> bool:
    """A stream overlay's long straight vertical edge (``OVERLAY_SIDE`` letter heights or more, as
    :func:`_overlay_edge` asks) under the squads line, running through the rows of the second
    row's digits at their nearest (``ROW2_DY[0]`` letter heights under the line's centre,
    +-``ROW2_HALF``): the ranked layout's kill count may be under it, so no slot is seen empty.
    (A webcam right under the squads box of a ranked HUD was taken for an empty slot: its top
    edge near the box, its side running down through the second row; the straight edges of
    buildings and kill-feed boxes there start lower or end sooner, or run on above the box.)"""
    H, W = img.shape[:2]
    h = sq.h
    x0, x1 = _row2_span(sq, W)
    y0, y1 = max(0, int(sq.y1 + 0.3 * h)), min(H, int(sq.y1 + 4.0 * h))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return False
    runs = _edge_runs(_sobel(img[y0:y1, x0:x1], across="x"), int(OVERLAY_SIDE * h), vertical=True)
    top, bottom = _row2_rows(sq, nearest=True)
    r0 = max(0, int(top) - y0)
    r1 = min(runs.shape[0], int(bottom) - y0)
    if not r1 > r0:
        return False
    cols = runs[r0:r1].all(axis=0)
    a0, a1 = max(0, int(sq.y0 - 1.5 * h)), max(0, int(sq.y0))
    if cols.any() and a1 - a0 >= 2:
        # ... and starting under the squads box: an edge that also runs above it (on half the rows
        # of the letter heights over the label, within a column) is a wall's behind the HUD (a
        # grey wall's side through a validation VOD's ranked rows cost a match its verified 0)
        above = (_sobel(img[a0:a1, x0:x1], across="x") > EDGE_GRAD).mean(axis=0) >= 0.5
        cols &= ~_widened(above)
    return bool(cols.any())


def _overlaps(s: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    x, y, w, h = (int(v) for v in s[:4])
    return not (x + w <= box[0] or x >= box[2] or y + h <= box[1] or y >= box[3])


def _slash(ink: np.ndarray, s: np.ndarray) -> bool:
    """Whether a component (its stats row; ``ink`` the mask it was found in) is a thin stroke
    leaning right, like the ranked row's divider (:func:`digits.slanted_stroke`)."""
    x, y, w, h = (int(v) for v in s[:4])
    return w < h and slanted_stroke(ink[y : y + h, x : x + w])


def _text_before(st: np.ndarray, idx: list[int], ibox: np.ndarray, h: float) -> bool:
    """Letter-like ink right before the icon: the icon is a letter of a line of text (kill feed)."""
    x0, y0, _w, hh = (int(v) for v in ibox[:4])
    cy = y0 + hh / 2.0
    for i in idx:
        x, y, w, gh, _a = (int(v) for v in st[i])
        if 0.5 * h <= gh <= 1.5 * h and x0 - 0.8 * h <= x + w <= x0 - 1 and abs(y + gh / 2.0 - cy) < 0.6 * h:
            return True
    return False


def _text_after(st: np.ndarray, idx: list[int], run: list[int], h: float) -> bool:
    """Letter-like ink right after the run: the "digits" are letters of a word ("APEX DUOS")."""
    x1 = max(int(st[i, 0] + st[i, 2]) for i in run)
    cy = float(np.mean([st[i, 1] + st[i, 3] / 2.0 for i in run]))
    for i in idx:
        x, y, w, gh, a = (int(v) for v in st[i])
        if i in run or not 0.6 * h <= gh <= 1.4 * h or 2.0 * a / (w + gh) < MIN_STROKE:
            continue
        if x1 <= x <= x1 + 0.6 * h and abs(y + gh / 2.0 - cy) < 0.5 * h:
            return True
    return False


def _is_red(img: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    x, y, w, h = box
    patch = img[y : y + h, x : x + w].astype(np.float32)
    v = patch.max(axis=2)
    m = v >= np.percentile(v, 70)
    if m.sum() < 4:
        return False
    px = patch[m]
    r, gb = np.median(px[:, 0]), np.median((px[:, 1] + px[:, 2]) / 2.0)
    return bool(r > 150 and gb < 0.55 * r)


def _row_edges(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, length: int) -> np.ndarray:
    """Per row of ``img[y0:y1, x0:x1]``: a straight horizontal run of at least ``length`` px of
    strong vertical gradient (> ``EDGE_GRAD``, the largest of the colour channels')."""
    gy = _sobel(img[y0:y1, x0:x1], across="y")
    return np.asarray(_edge_runs(gy, length, vertical=False).any(axis=1), dtype=bool)


def _overlay_edge(
    img: np.ndarray,
    x0: int,
    y0: int,
    x1: int,
    y1: int,
    h: float,
    *,
    vx1: int | None = None,
    own: tuple[int, int] | None = None,
) -> bool:
    """A long straight horizontal or vertical edge across the slot (a webcam / panel border).
    Vertical edges are looked for up to ``vx1`` (default ``x1``): a panel may end right at the
    squads text, covering the slot and the label's start, where the squads box's own horizontal
    edges (which a wider window would take for an overlay's) must stay out of the check.
    ``own``: the squads label's span (x0, x1); a horizontal edge on a row (+-1) where one also
    runs along the label is the squads box's own top or bottom border, which goes on left of the
    label around its count and slanted end (a box drawn wider than the label), not an overlay's."""
    H, W = img.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    xv = min(W, max(x1, vx1 if vx1 is not None else x1))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return True  # the slot is (partly) outside the crop: cannot tell
    # a column / row whose strong-edge run is long (per colour channel)
    if _long_edge(_sobel(img[y0:y1, x0:xv], across="x"), int(OVERLAY_SIDE * h), vertical=True):
        return True
    length = int(3.5 * h)
    rows = _row_edges(img, x0, y0, x1, y1, length)
    if own is not None and rows.any():
        ox0, ox1 = max(0, own[0]), min(W, own[1])
        if ox1 - ox0 >= length:
            rows &= ~_widened(_row_edges(img, ox0, y0, ox1, y1, length))
    return bool(rows.any())


@dataclass(frozen=True)
class _Prepared:
    """A crop at ``WORK_H`` px high (scale ``f``) and its bright-ink components: made once per
    crop, read by :func:`locate` and, where the rules find no box, by :func:`detect`."""

    img: np.ndarray
    f: float
    st: np.ndarray
    ink: np.ndarray
    # the ink tests' inputs (:func:`_planes`), kept for the faint look's second threshold
    th: np.ndarray | None = None
    near: np.ndarray | None = None

    @cached_property
    def half(self) -> np.ndarray:
        """The halved work image a learned detector sees (:func:`_half`): made once per crop, however
        many of its passes (first detector, second opinion) :func:`find_kill_box` asks for."""
        return _half(self.img)

    @cached_property
    def destriped(self) -> _Prepared:
        """The ink without straight slanted strokes (:func:`_destriped`): made once per crop, however
        many of the looks and proposal checks ask for it."""
        return _destriped(self)

    @cached_property
    def faint(self) -> _Prepared:
        """The crop's components at the faint look's ink thresholds (:func:`_faint`): made once per
        crop, for the faint look and the lost-digit check alike."""
        return _faint(self)

    @cached_property
    def alive_blob(self) -> bool:
        """Whether the usual ink holds a blob shaped like the squads box's alive section (a bright
        block with the person icon and count cut out of it; ``ALIVE_*``): the second looks for a
        squads line (:func:`_unlined`) run only then. Every squads line they found a kill box
        beside on the validation, training and today's-look families (720p and 1080p, seeds 11 and
        12) had one; the HUD crops of lobby, legend-select, Arenas and other-game screens mostly
        have none, and the looks would about double the finder's time there. Computed once per
        crop (the detector's gate asks it too)."""
        x, _y, w, h, a = (self.st[:, k].astype(np.float64) for k in range(5))
        return bool(
            (
                (x + w / 2.0 >= (1.0 - ALIVE_RIGHT) * self.img.shape[1])
                & (h >= ALIVE_H[0])
                & (h <= ALIVE_H[1])
                & (w >= ALIVE_W[0] * h)
                & (w <= ALIVE_W[1] * h)
                & (a >= ALIVE_FILL * w * h)
            ).any()
        )


def _prepare(hud: np.ndarray) -> _Prepared:
    img, f = _work(hud)
    return _inked(img, f)


def _inked(img: np.ndarray, f: float, tophat: int = TOPHAT) -> _Prepared:
    """A work image's ink at the usual thresholds, after a ``tophat`` px top-hat, and its components."""
    th, near = _planes(img, tophat)
    ink = _ink(th, near)
    return _Prepared(img, f, _stats(ink), ink, th, near)


def _faint(p: _Prepared) -> _Prepared:
    """The crop's components at the faint look's ink thresholds (``FAINT_T``, ``FAINT_REL``), from
    the top-hat planes the usual look made."""
    th, near = (p.th, p.near) if p.th is not None and p.near is not None else _planes(p.img)
    ink = _ink(th, near, faint=True)
    return _Prepared(p.img, p.f, _stats(ink), ink, th, near)


def locate(hud: np.ndarray) -> HudLocation:
    """Find the squads-left line and the kill box in a top-right HUD crop (RGB uint8, any size)."""
    return _locate(_prepare(hud))


def _line_kernel(v: int, deg: float) -> np.ndarray:
    """A one-pixel straight line ``v`` px tall, ``deg`` degrees off the vertical (positive: its
    top to the right, like the boxes' slanted edges; negative: to the left)."""
    t = np.deg2rad(deg)
    n = max(2, round(v / np.cos(t)))
    c = (n - 1) / 2.0
    pts = [(round((k - c) * np.sin(t)), round(-(k - c) * np.cos(t))) for k in range(n)]
    x0, y0 = min(p[0] for p in pts), min(p[1] for p in pts)
    k = np.zeros((max(p[1] for p in pts) - y0 + 1, max(p[0] for p in pts) - x0 + 1), np.uint8)
    for x, y in pts:
        k[y - y0, x - x0] = 1
    return k


STRIPE_V = 20  # WORK_H px: slanted straight strokes this tall are no glyph (a box edge, a stripe)
_STRIPE_KERNELS = tuple(_line_kernel(STRIPE_V, d) for a in range(12, 60, 4) for d in (a, -a))


def _destriped(p: _Prepared) -> _Prepared:
    """The crop's ink without straight slanted strokes taller than any glyph (the boxes' slanted
    edges, a striped background) and its components: a digit touching the kill box's steep edge
    otherwise joins it into one component no digit is shaped like."""
    lines = np.zeros_like(p.ink)
    for k in _STRIPE_KERNELS:
        lines = cv2.bitwise_or(lines, cv2.morphologyEx(p.ink, cv2.MORPH_OPEN, k))
    ink = cv2.subtract(p.ink, lines)
    return _Prepared(p.img, p.f, _stats(ink), ink)


# the strokes look (:func:`_stroked`): a top-hat this wide at WORK_H -- wider than a letter's strokes,
# about half the lowest squads box (26 px at 1080p scale) -- keeps the letters and drops the box
STROKE_TOPHAT = 13


def _stroked(p: _Prepared) -> _Prepared:
    """The crop's ink after a top-hat narrower than the squads box (``STROKE_TOPHAT``), at the usual
    thresholds: a light box over a bright background is itself ink at the usual ``TOPHAT`` (wider
    than the box's height), its letters, outline and skull one component no line is made of."""
    return _inked(p.img, p.f, STROKE_TOPHAT)


# _Prepared.alive_blob: the alive section in the usual ink, whatever became of the label before
# it -- a solid bright blob (at least ALIVE_FILL of its box) ALIVE_H px tall at WORK_H, ALIVE_W
# times as wide, centred in the crop's right ALIVE_RIGHT
ALIVE_H = (12, 60)
ALIVE_W = (1.5, 7.0)
ALIVE_FILL = 0.35
ALIVE_RIGHT = 0.4


def _unlined(p: _Prepared, covered: list[SquadsLine]) -> HudLocation:
    """:func:`_locate` where the usual ink shows no squads line: the squads lines of the faint
    look's ink (``FAINT_T``, ``FAINT_REL``: a thin white label on a light box over a bright sky),
    then of the ink without straight slanted strokes (:func:`_destriped`: a striped background
    joins the label's letters to its stripes), then of the ink after a top-hat narrower than the
    box (:func:`_stroked`: a light box over a bright background). The kill box beside such a line
    is searched in the usual ink, with its second looks, and taken only where one is found and it
    is the count nearest the line on its row, as a proposal (``weak``:
    both of the kill reader's readers must read the same number); otherwise, as before, no squads
    line: no empty slot is told, and no detector's box checked, from these looks (what is left of
    the stripes also lines up like letters: on the validation family at 720p such a line had
    ink of the squads height, the spectator count and its eye, in its slot, and the detector's
    box there read 4 for 18 kills)."""
    if not p.alive_blob:
        return HudLocation(None, None, None, None, "no_squads_box", p.f, covered=tuple(covered))
    for look in (_faint, _destriped, _stroked):
        q = look(p)
        again = _squads(q.img, q.st)
        if again:
            loc = _locate_lines(p, again, [])
            k, sq = loc.kill, loc.squads
            if k is None or sq is None:
                continue
            # the kill count is the count nearest the squads line on its row (as _snap asks of the
            # detector's boxes): a look's line can lose the label's first word -- the strokes look's
            # joined to background stripes -- and its squads count then stands alone before it
            # ("19 OSTALOS OTRYADOV" found as "OTRYADOV": the 19 was read as 23's kill count)
            if k.row == 0 and _not_nearest(q.st, k.x1, (k.y0 + k.y1) / 2.0, k.digit_h, sq):
                continue
            return replace(loc, kill=replace(k, weak=True))
    return HudLocation(None, None, None, None, "no_squads_box", p.f, covered=tuple(covered))


def _locate(p: _Prepared) -> HudLocation:
    covered: list[SquadsLine] = []
    cands = _squads(p.img, p.st, covered)
    if not cands:
        loc = _unlined(p, covered)
        if loc.kill is None:
            return _beside_covered(p, covered) or loc
        return loc
    loc = _locate_lines(p, cands, covered)
    if loc.kill is None and loc.squads is not None and loc.reason in ("slot_unclear", "digit_lost"):
        # the squads line found, ink in the slot but no kill box (or one that lost a digit): the
        # faint look, a proposal like the relaxed look's (both of the kill reader's readers must
        # read the same number). At the faint thresholds busy backgrounds join glyphs and make
        # lines of their own (a kill-feed name's letters were taken for a squads line, an icon
        # and digits), so only the squads lines found at the usual ones are searched again (the
        # same row and right end: the alive section's edge). find_kill_box drops the faint look's
        # box where the learned detector places the count elsewhere
        q = p.faint
        again = [c for c in _squads(q.img, q.st) if any(_same_line(c, c1) for c1 in cands)]
        if again:
            faint = _locate_lines(q, again, [])
            k, fs = faint.kill, faint.squads
            # a run inside the same line found at the usual threshold, a word of the label after
            # it, is that line's count: the faint look's line had lost the label's first word and
            # took the squads count before it for the kill count (a hidden box read as 16,
            # validation family at 1080p). Runs left of the usual line stand, words or not (the
            # faint line may lose a word of its own)
            lost_word = (
                k is not None
                and fs is not None
                and k.row == 0
                and any(_same_line(fs, c1) and k.x1 > c1.x0 for c1 in cands)
                and _word_between(p.st, k.x1, fs)
            )
            if k is not None and not lost_word:
                return replace(faint, kill=replace(k, weak=True, faint=True))
    return loc


def _word_between(st: np.ndarray, x0: float, sq: SquadsLine) -> bool:
    """At least WORD_GLYPHS glyphs of the squads line's letter height, on its rows, wholly between
    ``x0`` and the line's start: a word of the label the line lost, not the gap to the kill box
    (a count's digits and the boxes' edges are fewer)."""
    m = _row_glyphs(st, x0, sq.x0, (sq.y0 + sq.y1) / 2.0, sq.h, (0.7, 1.3), 0.4)
    return int(m.sum()) >= WORD_GLYPHS


def _row_glyphs(
    st: np.ndarray, xa: float, xb: float, cy: float, h: float, tall: tuple[float, float], off: float
) -> np.ndarray:
    """Mask of the components wholly between xa and xb, ``tall[0]``-``tall[1]`` times ``h`` high,
    centred within ``off`` times ``h`` of the row centre ``cy``."""
    x, y, w, hh = (st[:, k].astype(np.float64) for k in range(4))
    return (
        (x >= xa)
        & (x + w <= xb)
        & (hh >= tall[0] * h)
        & (hh <= tall[1] * h)
        & (np.abs(y + hh / 2.0 - cy) <= off * h)
    )


def _beside_covered(p: _Prepared, covered: list[SquadsLine]) -> HudLocation | None:
    """:func:`_locate` where no squads line is found but lines end at an overlay's edge (``covered``:
    a panel over the squads label or the alive section after it, the kill count in view left of
    it): the kill box beside one (topmost first), on its row only -- the usual look, then the
    second looks of a found squads line's unclear slot (:func:`_second_looks`). A proposal
    (``weak``: both of the kill reader's readers must read the same number; ``faint``:
    find_kill_box drops it where the learned detector places the count elsewhere), and no squads
    line: such a line is no evidence of an
    in-match HUD. Kill-feed lines end at panels too, and on the validation family at 1080p and the
    selection family at 720p the relaxed or destriped look found a name's glyphs beside one (the
    readers disagreed, but the box took the place of the detector's, which both read 14 in): the
    detector's box stands there. Where these boxes were read (validation family at 1080p, a
    "FOLLOW GOAL" panel over the squads line's end), the detector proposed nothing (2019 HUD, a
    light box over a bright sky) or a box on the same count."""
    for c in sorted(covered, key=lambda c: c.y0):
        loc = _locate_beside(p.img, p.f, p.st, p.ink, c, rows=(0,))
        if loc.kill is None and loc.reason == "slot_unclear":
            loc = _second_looks(p, loc, c, rows=(0,))
        if loc.kill is not None:
            return replace(
                loc, squads=None, kill=replace(loc.kill, weak=True, faint=True), covered=tuple(covered)
            )
    return None


def _same_line(a: SquadsLine, b: SquadsLine) -> bool:
    """Two squads lines on one row ending at one place (found at two ink thresholds)."""
    return abs(a.x1 - b.x1) <= SAME_LINE * b.h and abs((a.y0 + a.y1) - (b.y0 + b.y1)) / 2.0 <= SAME_LINE * b.h


def _locate_lines(p: _Prepared, cands: list[SquadsLine], covered: list[SquadsLine]) -> HudLocation:
    """:func:`_locate` at one ink threshold, given the squads line candidates ``cands`` (topmost
    first) and the lines ending at an overlay's edge ``covered``: the kill box beside one."""
    img, f, st, ink = p.img, p.f, p.st, p.ink
    if not cands:
        # the lines ending at an overlay's edge go to the detector's checks (and _beside_covered's
        # proposals) only: as squads lines for the rules, a kill-feed line ending at a panel had
        # a gun and a name's digits for a kill box beside it
        return HudLocation(None, None, None, None, "no_squads_box", f, covered=tuple(covered))
    # the topmost line, unless a lower one has the kill box beside it (a banner's text over a
    # pushed-down HUD can end in a bright block too; no banner has a kill box beside it)
    first = _locate_beside(img, f, st, ink, cands[0], gap_ink=lambda: p.faint.st)
    if first.kill is not None and _on_line(
        first.kill.x0, first.kill.y0, first.kill.y1, cands[1:], beyond=True
    ):
        # the run beside the topmost line lies on a lower line, or right of its start: that line's
        # squads count ("YOU ARE THE JUMPMASTER" over the squads row, the "1" of its "14" read as
        # its second row's count), or what follows it (a "SPECTATING" banner's second row ran
        # through the squads row's alive section into the rank emblem: its "IV" taken for a count
        # on the selection family at 1080p), not a kill count
        first = replace(first, kill=None, kill_box=None, era=None, reason="slot_unclear")
    if first.kill is None:
        for sq in cands[1:]:
            loc = _locate_beside(img, f, st, ink, sq, gap_ink=lambda: p.faint.st)
            if loc.kill is not None:
                return loc
        if first.reason == "slot_unclear":
            return _second_looks(p, first, cands[0], rows=(0, 1))
    return first


def _on_line(x0: float, y0: float, y1: float, lines: list[SquadsLine], *, beyond: bool = False) -> bool:
    """A run starting at ``x0`` over rows ``y0``-``y1`` lies on one of ``lines``: starts within its
    span (``beyond``: or anywhere right of its start), centred on its rows."""
    cy = (y0 + y1) / 2.0
    return any(c.x0 - 0.3 * c.h <= x0 and (beyond or x0 < c.x1) and c.y0 <= cy <= c.y1 for c in lines)


def _second_looks(p: _Prepared, first: HudLocation, sq: SquadsLine, *, rows: tuple[int, ...]) -> HudLocation:
    """Where the usual look beside ``sq`` (``first``) saw ink in the slot but no kill box: the relaxed
    look (:func:`_relaxed`), then the slot without long straight strokes (the box's slanted edge a
    digit touches, background stripes: :func:`_destriped`) on ``rows`` -- on the second row (ranked)
    with the relaxed look's icons as well: a skull the opening splits (cranium and jaw) before a
    count the row's divider had joined. Boxes found so are proposals (``weak``); where none is
    found, the relaxed look's location."""
    loc = _relaxed(p.img, p.f, p.st, p.ink, first)
    if loc.kill is not None:
        return loc
    d = p.destriped
    loc2 = _locate_beside(p.img, p.f, d.st, d.ink, sq, rows=rows)
    if loc2.kill is None and 1 in rows:
        icons = np.concatenate([_icon_components(d.ink, sq.h), _narrow_blobs(d.st)])
        loc2 = _locate_beside(p.img, p.f, d.st, d.ink, sq, icons=icons, rows=(1,))
    if loc2.kill is not None:
        return replace(loc2, kill=replace(loc2.kill, weak=True))
    return loc


def _opened(p: _Prepared) -> _Prepared:
    """The crop's ink opened by a 2x2 square (strokes one pixel wide dropped) and its components."""
    ink = cv2.morphologyEx(p.ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    return _Prepared(p.img, p.f, _stats(ink), ink)


def _narrow_blobs(st: np.ndarray) -> np.ndarray:
    """The unopened ink's components no wider than ``RELAXED_ICON_W`` times their height: icons the
    relaxed looks also take (a skull joined to the digit after it is wider)."""
    return st[st[:, 2] <= RELAXED_ICON_W * st[:, 3]]


def _relaxed(img: np.ndarray, f: float, st: np.ndarray, ink: np.ndarray, first: HudLocation) -> HudLocation:
    """A second look where the rules saw ink in the kill slot but no kill box: the icon may also be
    a blob of the unopened ink (a small skull whose eye holes the 3x3 opening splits apart), if
    it is no wider than ``RELAXED_ICON_W`` times its height (a skull joined to the digit after
    it is wider: "3" then read as the next number). A box found so is ``weak``: the kill reader
    reads a number in it only where both of its readers name the same one. Row 1 only, and only
    the count nearest the squads box (no skull-like blob between them: in 2019 the spectator
    count sits further left). Where that finds nothing either, a run led by a skull barely taller
    than its digits (:func:`_skull_led`) is split: the skull as the icon of the rest. (Runs from
    the opened ink, to drop a slanted box edge touching a digit, found a skull joined to a "2" as
    the icon of the "3" after it: "23" read as 3 on the training family -- measured, dropped.)"""
    sq = first.squads
    assert sq is not None
    icons = np.concatenate([_icon_components(ink, sq.h), _narrow_blobs(st)])
    loc = _locate_beside(img, f, st, ink, sq, icons=icons, rows=(0,))
    if loc.kill is None:
        loc = _locate_beside(img, f, st, ink, sq, icons=icons, rows=(0,), split=True)
    k = loc.kill
    if k is None or k.row != 0:
        return first
    ry, dh = (k.y0 + k.y1) / 2.0, k.digit_h
    if _ink_after(st, k.x1, sq.x0 - SQ_COUNT_GAP * sq.h, ry, dh, icon=True):
        return first
    return replace(loc, kill=replace(k, weak=True))


def _word_into_line(st: np.ndarray, x_end: float, sq: SquadsLine) -> bool:
    """Ink within the squads line's letter rows, from ``x_end`` on into the line, each piece no
    farther than ``SQ_COUNT_GAP`` letter heights from the one before (the first from ``x_end``,
    the line from the last), with at least ``WORD_GLYPHS`` glyphs among the pieces that stand on
    the line's baseline and reach its cap height (a letter a line across the HUD broke into bits
    bridges the gap, but is no glyph; nor is background grain): a word of the label the line search
    left out, so what ends at ``x_end`` is the label's count."""
    h = sq.h
    x, y, w, hh = (st[:, k].astype(np.float64) for k in range(4))
    within = (y >= sq.y0 - 0.2 * h) & (y + hh <= sq.y1 + 0.2 * h) & (x >= x_end) & (x + w <= sq.x0 + 1.0)
    end, n = x_end, 0
    for i in np.flatnonzero(within)[np.argsort(x[within], kind="stable")]:
        if x[i] - end >= SQ_COUNT_GAP * h:
            return False
        end = max(end, x[i] + w[i])
        n += int(abs(y[i] - sq.y0) <= WORD_ALIGN * h and abs(y[i] + hh[i] - sq.y1) <= WORD_ALIGN * h)
    return n >= WORD_GLYPHS and sq.x0 - end < SQ_COUNT_GAP * h


def _locate_beside(
    img: np.ndarray,
    f: float,
    st: np.ndarray,
    ink: np.ndarray,
    sq: SquadsLine,
    *,
    icons: np.ndarray | None = None,
    rows: tuple[int, ...] = (0, 1),
    split: bool = False,
    gap_ink: Callable[[], np.ndarray] | None = None,
) -> HudLocation:
    """The kill box beside one candidate squads line (locate's second half). ``icons``: the
    components an icon may be (default: the opened ink's); ``rows``: the rows searched;
    ``gap_ink``: the faint look's components, asked for where a digit's width of nothing
    stands between the icon and the run (without it, that gap is a lost digit)."""
    h = sq.h
    sto = _icon_components(ink, h) if icons is None else icons
    cy = (sq.y0 + sq.y1) / 2.0
    all_idx = list(range(len(st)))
    sx, sy, sw, sh = (st[:, k].astype(np.float64) for k in range(4))

    def inside(x0: float, y0: float, x1: float, y1: float) -> list[int]:
        """Indices (ascending) of the components wholly inside the box."""
        return np.flatnonzero((sx >= x0) & (sx + sw <= x1) & (sy >= y0) & (sy + sh <= y1)).tolist()

    # row 1: the slot left of the squads line (up to its count when the line starts with it)
    r1 = (sq.x0 - 17.0 * h, cy - 1.9 * h, sq.x0 - (1 if sq.count else 0.6 * h), cy + 1.9 * h)
    idx1 = inside(*r1)
    found: tuple[list[int], int, int] | None = None
    runs1 = _runs(st, idx1, h)
    led: dict[tuple[int, ...], int] = {}  # a split run -> the skull that led it (index into sto)
    if split:
        heads = [r for r in runs1 if _skull_led(st, r)]
        # the skull that led a run is its icon, as tall as the digits or not (_icon_before asks it
        # to be taller)
        led = {tuple(r[1:]): len(sto) + k for k, r in enumerate(heads)}
        if heads:
            sto = np.concatenate([sto, st[[r[0] for r in heads]]])
        runs1 = sorted(runs1 + [r[1:] for r in heads], key=lambda r: st[r[0], 0])
    for run in reversed(runs1) if 0 in rows else ():
        # the kill box shares the squads box's row: its digits are centred on the squads text
        rcy = float(np.mean([st[i, 1] + st[i, 3] / 2.0 for i in run]))
        if abs(rcy - cy) > 0.35 * h:
            continue
        # the squads count itself ("8" of "8 SQUADS LEFT", taller than the label's letters so
        # often not on its line) ends a space before the label: never a kill count
        run_end = max(st[i, 0] + st[i, 2] for i in run)
        if not sq.count and sq.x0 - run_end < SQ_COUNT_GAP * h:
            continue
        # ... or ends before a word that runs on into the line (the label's first word, not joined
        # to it: "9 POZOSTALE DRUZYNY" found as "DRUZYNY", the wide family at 21:9, its "9" read
        # for 19 kills); between a kill count and the squads text stand at most the box edges and
        # the squads count's digits
        if not sq.count and _word_into_line(st, run_end, sq):
            continue
        icon = led.get(tuple(run))
        if icon is None:
            icon = _icon_before(st, sto, run, h)
        if icon is not None:
            found = (run, icon, 0)
            break
    # row 2: under the squads box (ranked / later seasons)
    r2 = (sq.x0 - 8.0 * h, sq.y1 + 0.6 * h, sq.x1 + 1.0 * h, sq.y1 + 4.8 * h)
    # without the row's divider "/" after the count: no digit, and no text after the count either
    idx2 = [i for i in inside(*r2) if not _slash(ink, st[i])]
    split_row2 = False
    if found is None and 1 in rows:
        for run in _runs(st, idx2, h, dmax=ROW2_DIGIT_MAX):
            # the second row's centre lies ROW2_DY letter heights under the squads text's
            rcy = float(np.mean([st[i, 1] + st[i, 3] / 2.0 for i in run]))
            if not ROW2_DY[0] * h <= rcy - cy <= ROW2_DY[1] * h:
                continue
            icon = _icon_before(st, sto, run, h)
            if icon is None and _skull_led(st, run):
                # the skull barely taller than its digits led their run (as in row 1's relaxed
                # look): the skull is the icon of the rest, a box both readers must agree on
                sto = np.concatenate([sto, st[run[:1]]])
                icon, run, split_row2 = len(sto) - 1, run[1:], True
            if icon is None:
                # a skull as tall as its digits before the run: a proposal too
                icon = _icon_before(st, sto, run, h, icon_min=ROW2_ICON_EVEN)
                split_row2 = icon is not None
            if (
                icon is not None
                and not _text_before(st, idx2, sto[icon], h)
                and not _text_after(st, idx2, run, h)
            ):
                found = (run, icon, 1)
                break
            split_row2 = False
    if found is None:
        # empty only when the row-1 slot (where the box appears) is clear and in view
        sx0 = int(sq.x0 - 9.0 * h)
        if sx0 < 0:
            return HudLocation(sq, None, None, None, "slot_out_of_view", f)
        # the squads count before a label found without it is the squads box's, not clutter
        box_x0 = sq.x0 if sq.count else _squads_count_left(st, sq, -1.0)
        junk = [i for i in idx1 if st[i, 0] + st[i, 2] >= sx0 and st[i, 3] >= 0.7 * h and st[i, 0] < box_x0]
        if not junk:
            # the second row's box (ranked, later seasons) sits in this band under the squads text
            # (the kill feed's lines reach into it: text, not clutter)
            band = (sq.x0 - 8.0 * h, sq.y1 + 0.5 * h, sq.x1 + 1.0 * h, sq.y1 + 3.0 * h)
            text = _text_rows_under(st, sq)
            junk = [
                i
                for i in all_idx
                if st[i, 3] >= 0.7 * h
                and st[i, 1] >= sq.y1 + 0.3 * h
                and _overlaps(st[i], band)
                and i not in text
            ]
        edge = _overlay_edge(
            img,
            sx0,
            int(cy - 1.6 * h),
            int(sq.x0 - 0.6 * h),
            int(cy + 1.6 * h),
            h,
            vx1=int(sq.x0 + 0.3 * h),
            own=(sq.x0, sq.x1),
        )
        if junk or edge:
            return HudLocation(sq, None, None, None, "slot_unclear", f, slot_edge=edge)
        return HudLocation(sq, None, False, "modern", "empty", f)
    run, icon, row = found
    # nothing of digit height may sit between the icon and the run, or right after the run:
    # a digit lost to the icon or to the box edge would turn "16" into "6" or "1"
    ix1 = int(sto[icon, 0] + sto[icon, 2])
    rx0 = int(min(st[i, 0] for i in run))
    rx1 = int(max(st[i, 0] + st[i, 2] for i in run))
    ys0 = int(min(st[i, 1] for i in run))
    ys1 = int(max(st[i, 1] + st[i, 3] for i in run))
    dh0 = float(np.median([st[i, 3] for i in run]))
    ry = float(np.mean([st[i, 1] + st[i, 3] / 2.0 for i in run]))
    # a gap of a digit's width or more between the icon and the run: a digit lost to the ink
    # threshold (thin strokes on a bright sky) that left no component ("20" read as 0). After a
    # skull-shaped icon, on a gap darker than the digits with nothing in it even in the faint look
    # (``gap_ink``), it is a wide gap after the skull instead (the wide family's loosest boxes: a
    # "2" far after its skull dropped at 1440x1080), the box a proposal both readers must agree on
    wide_gap = False
    if rx0 - ix1 > LOST_DIGIT_GAP * dh0:
        if (
            gap_ink is None
            or not _skull_shaped(sto[icon], dh0)
            or _bright_gap(img, ix1, rx0, rx1, ys0, ys1)
            or _faint_ink_between(gap_ink(), ix1, rx0, ys0, ys1, dh0)
        ):
            return HudLocation(sq, None, True, None, "digit_lost", f)
        wide_gap = True
    for i in all_idx:
        if i in run:
            continue
        x, y, w, hh, a = (int(v) for v in st[i])
        if hh < 0.6 * dh0 or hh > 1.3 * dh0 or abs(y + hh / 2.0 - ry) > 0.4 * dh0 or a < 0.15 * w * hh:
            continue
        if (x >= ix1 - 1 and x + w <= rx0 + 1) or (rx1 <= x <= rx1 + 0.5 * dh0):
            # the ranked row's divider "/" (or the box's slanted edge) right after the count ends it
            if x >= rx1 and _slash(ink, st[i]):
                continue
            return HudLocation(sq, None, True, None, "digit_lost", f)
    ix, iy, iw, ih = (int(v) for v in sto[icon, :4])
    ibox = (ix, iy, iw, ih)
    red = _is_red(img, ibox)
    era = "modern"
    if row == 0:
        # 2019: the spectator box (a digit-high eye and its count) right before the skull
        left_runs = [
            r
            for r in _runs(st, idx1, h)
            if st[r[-1], 0] + st[r[-1], 2] <= ibox[0] and ibox[0] - (st[r[-1], 0] + st[r[-1], 2]) <= 3.0 * h
        ]
        if left_runs:
            era = "2019"
    kill = KillRun(rx0, ys0, rx1, ys1, dh0, ibox, row, red, weak=split_row2 or wide_gap)
    return HudLocation(sq, kill, True, era, "ok", f)


def _crop_run(loc: HudLocation) -> tuple[float, float, float, float]:
    """The located digit run in crop pixels."""
    assert loc.kill is not None
    k, f = loc.kill, loc.scale
    return (k.x0 / f, k.y0 / f, k.x1 / f, k.y1 / f)


# where a kill run is taken from for the reference canvas: its left edge and vertical centre in
# crop px, and the crop -> reference scale (:func:`placement`, :func:`warp_run`)
Placement = tuple[float, float, float]


def placement(loc: HudLocation) -> Placement:
    """Where :func:`canonical` takes the located run from: its left edge and vertical centre in
    crop px, and the crop -> reference scale that puts its digits at ``CANON_DIGIT_H``."""
    if loc.kill is None:
        raise ValueError("no kill box located")
    k = loc.kill
    g = CANON_DIGIT_H / max(k.digit_h, 1.0)  # WORK px -> reference px
    return k.x0 / loc.scale, (k.y0 + k.y1) / 2.0 / loc.scale, g * loc.scale


def canonical(hud: np.ndarray, loc: HudLocation) -> tuple[np.ndarray, SkullHit]:
    """The crop warped onto the reader's 560x175 reference canvas, kill digits at the place and
    height the digit extraction expects, with the (canonical) skull in front of them."""
    if loc.kill is None:
        raise ValueError("no kill box located")
    return warp_run(hud, placement(loc), red=loc.kill.red, row=loc.kill.row)


def warp_run(
    hud: np.ndarray, place: Placement, *, red: bool, row: int, score: float = 1.0
) -> tuple[np.ndarray, SkullHit]:
    """The crop warped so that a digit run at ``place`` (:func:`placement`: left edge, vertical
    centre, crop -> reference scale) lands where the digit extraction expects its count, with the
    canonical skull in front of it, scored ``score`` (below ``digits.SKULL_MIN_SCORE``: a faint
    box, whose readers must agree)."""
    from vodstream.readers.digits import SKULL_H, SKULL_W

    px0, pyc, total = place
    sx, sy = CANON_SKULL
    qx0, qyc = _canon_anchor()
    m = np.array([[total, 0, qx0 - total * px0], [0, total, qyc - total * pyc]], np.float32)
    interp = cv2.INTER_AREA if total < 1 else cv2.INTER_LINEAR
    if total < 0.8:  # downscale: pre-shrink so warpAffine does not alias
        pre = cv2.resize(hud, None, fx=total, fy=total, interpolation=cv2.INTER_AREA)
        m = np.array([[1, 0, qx0 - total * px0], [0, 1, qyc - total * pyc]], np.float32)
        ref = cv2.warpAffine(pre, m, (REF_W, REF_H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    else:
        ref = cv2.warpAffine(hud, m, (REF_W, REF_H), flags=interp, borderMode=cv2.BORDER_CONSTANT)
    return ref, SkullHit(sx, sy, SKULL_W, SKULL_H, score, red, row)


def _canon_anchor() -> tuple[float, float]:
    """Where :func:`warp_run` puts a run's left edge and vertical centre on the reference canvas."""
    from vodstream.readers.digits import SKULL_H, SKULL_W

    sx, sy = CANON_SKULL
    return sx + SKULL_W + CANON_LEAD, sy + SKULL_H // 2 + 0.5


def unwarp_box(place: Placement, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A box (x0, y0, x1, y1) on the reference canvas :func:`warp_run` made with ``place``, in
    crop px."""
    px0, pyc, total = place
    qx0, qyc = _canon_anchor()
    x0, y0, x1, y1 = box
    return (
        px0 + (x0 - qx0) / total,
        pyc + (y0 - qyc) / total,
        px0 + (x1 - qx0) / total,
        pyc + (y1 - qyc) / total,
    )


@dataclass(frozen=True)
class Worked:
    """A crop as the finder worked on it: its size at ``WORK_H`` px high, the scale ``f`` to it
    from the crop, and the squads line located there (None: none found)."""

    shape: tuple[int, int]
    f: float
    squads: SquadsLine | None


@dataclass(frozen=True)
class FoundBox:
    """Where the kill box is, on the reader's reference canvas (skull None: not found)."""

    ref: np.ndarray  # 560x175 reference canvas (the digit extraction's input)
    skull: SkullHit | None
    visible: bool  # the in-match HUD (squads-left box) is there
    kill_box: bool | None  # the Score contract
    era: str | None
    reason: str
    # "layout", "layout_weak" (the relaxed look), "template", "detector", "second_opinion" (the
    # detector's second opinion) or "none"
    how: str
    # where the box's count was taken from, in crop pixels (x0, y0, x1, y1): the digit run found by
    # the layout rules or the detector; right of the template's skull, two skull widths (the reader
    # narrows it to the digits it found there: :func:`on_digits`). None: no box
    run: tuple[float, float, float, float] | None = None
    # the run's :func:`placement` (the warp that made ``ref``); None where the template found the box
    place: Placement | None = None
    # the run is a detector's box itself, not the glyphs in it (:attr:`KillRun.boxed`)
    boxed: bool = False
    # where the finder looked: the squads line it located, at the work scale (see :class:`Worked`);
    # the overlay checks ask it instead of preparing and locating the crop again
    worked: Worked | None = None
    # a solid bright mass right after the run (:func:`_joined_after`): the count may go on in it
    joined: bool = False

    @property
    def proposal(self) -> bool:
        """Found by a looser look (the learned detector or its second opinion, or the relaxed
        layout look): a number is read in it only where both of the kill reader's readers name the
        same one, and only a number read there shows the in-match HUD."""
        return self.how in ("detector", "second_opinion", "layout_weak")


# the legacy 560x175 window inside the 720x240 crop (regions.HUD_BOX_1080), top-right aligned
_LEGACY = (560 / 720, 175 / 240)


def legacy_ref(hud: np.ndarray) -> tuple[np.ndarray, tuple[int, int, float, float]]:
    """The reference-scale 560x175 window the 2019 template finder was built for, and its place
    in the crop (x0, y0, sx, sy: crop px = x0 + ref px * sx). Crops of the old 560x175 box
    (aspect 3.2, e.g. the real fixtures) are used whole."""
    h, w = hud.shape[:2]
    if w / max(h, 1) < 3.1:
        cw, ch = max(1, round(w * _LEGACY[0])), max(1, round(h * _LEGACY[1]))
        win = hud[:ch, w - cw :]
        return normalize_hud(np.ascontiguousarray(win)), (w - cw, 0, cw / REF_W, ch / REF_H)
    return normalize_hud(hud), (0, 0, w / REF_W, h / REF_H)


Proposal = tuple[float, tuple[float, float, float, float]]  # (probability, (x0, y0, x1, y1))


class Assessment(NamedTuple):
    """What one pass of a learned kill-box detector says of a crop's :func:`finder_image`."""

    box: Proposal | None  # its proposal (:meth:`KillBoxProposer.propose`)
    p_none: float  # the probability that no kill count is in view
    # the proposal only where the likeliest cell beat "no kill count here" on its own (a count
    # whose probability is spread over neighbouring cells is not)
    plain: Proposal | None
    # the likeliest cell's box however unsure, with the probability of it and its neighbours,
    # where that reaches the detector's loose floor (boxfinder.LOOSE_MASS): for a kill slot the
    # rules saw ink in beside a squads line found
    loose: Proposal | None = None


class KillBoxProposer(Protocol):
    """A learned kill-box detector (vodstream.readers.boxfinder.KillBoxDetector): in the
    :func:`finder_image` of a crop, the most likely box of the kill count's digits and its
    probability, or None."""

    def propose(self, img: np.ndarray) -> Proposal | None: ...

    def assess(self, img: np.ndarray) -> Assessment:
        """:meth:`propose`'s answer and the rest of the same pass (:class:`Assessment`)."""
        ...

    def second_opinion(self, img: np.ndarray) -> Proposal | None:
        """A second detector's sure proposal (its likeliest cell beat "none"), asked only where
        this one's led to no box; None where there is no second detector or it proposes none."""
        ...


# The kill slot beside a found squads line, unclear to the rules only for clutter of letter size in
# it (no overlay edge), is empty where the detector gives "no kill count here" at least this
# probability. Chosen on 720p crf-20 crops of the training and validation families (modern HUD,
# slot unclear, clutter only): hidden boxes called empty 27/64 (training) and 21/61 (validation),
# shown boxes called empty 0/2 and 0/9 (at 0.99 one shown validation box was); an overlay's edge
# keeps the slot unclear whatever the detector says (covered boxes score ~0.996 "none").
EMPTY_NONE_PROB = 0.995
# ... and the rules' "empty" stands only where the detector's "no kill count here" is at least this
# (and it proposes no box): on validation, training and today's-look renders (720p and 1080p, crf
# 20; validation seeds 11 and 12, the others 11), shown boxes the rules called empty without a
# proposal had 0.28, 0.84 and 0.90, hidden ones (truly empty) 0.75 to 1 (3 of 128 under 0.91)
EMPTY_DOUBT_PROB = 0.91

# A detector's box goes to the readers as a skull below digits.SKULL_MIN_SCORE: the kill reader
# then takes a number only where BOTH readers (digit path and score-box reader) read the same one
# (killreader.KillReader._combine, ``faint``), so a box the detector placed on another number or
# on nothing cannot turn into a reading one reader alone is sure of.
DETECTED_SCORE = 0.5
DETECT_GROW = 0.35  # components whose centre is within this many box heights of the box count
DETECT_H = (0.6, 1.35)  # ... and whose height is this share of the box's
# ... and at most DETECT_W box heights wide unless solid (DETECT_FILL of their bounding box inked):
# on the validation family at 720p and 1080p a hollow blob 1.9-2.3 box heights wide (the kill box's
# outline or slanted edge with the strokes that touched it) was snapped to, solid merged digits
# "24" 1.9 box heights wide (fill 0.55) were the count
DETECT_W = 1.8
DETECT_FILL = 0.35


LOST_PIECES_W = 0.9  # _snap, second row: ink pieces this many digit heights before the count ...
LOST_PIECES_AREA = 0.1  # ... of this much area (x digit height squared) are a lost first digit
SECOND_ICON_REACH = 6.0  # _snap: digit heights left of a second-row count searched for the kill count's skull
NEAREST_GAP = 2.2  # squads-letter heights left of the squads line: where its own count may sit


# _ink_between's icons: at most this many times as wide as tall -- a skull (about 0.8), two bold
# digits merged (about 0.9-1.3), not the ranked row's assists handshake (1.6-1.85 in the ink: the
# handshake after a kill count made it the "2019 spectator count" and dropped the detector's box)
ICON_BETWEEN_W = 1.4


def _ink_between(st: np.ndarray, xa: float, xb: float, cy: float, dh: float, *, icon: bool = False) -> bool:
    """A glyph or icon (not a thin box outline) wholly between xa and xb on the row centred at cy
    (``icon``: a solid, squarish blob -- a skull, not a digit of the squads count nor the assists'
    wide handshake: ``ICON_BETWEEN_W``): the kill count
    is the count nearest the squads box on its row (in 2019 the spectator box, a digit-high eye
    and its count, sits left of the kill box), so a run with such ink between it and the squads
    box is not the kill count."""
    if xb - xa < 0.5 * dh:
        return False
    w, h, a = (st[:, k].astype(np.float64) for k in range(2, 5))
    m = _row_glyphs(st, xa, xb, cy, dh, (0.6, 2.0), 0.5)
    m &= (2.0 * a / (w + h) >= MIN_STROKE) & (a >= 0.15 * w * h)
    if icon:
        m &= _iconish(w, h, a, fill=SOLID_FILL, wide=SOLID_W[0], most=ICON_BETWEEN_W) & (h >= 0.8 * dh)
    return bool(m.any())


# the 2019 spectator box's eye: an almond about as high as the digits (0.9) and twice as wide
EYE_REACH = 3.0  # digit heights before a run searched for it
EYE_W = 1.6  # ... at least this many times as wide as it is tall (a skull is about as wide)
# ... and this many digit heights high (a skull cut to its lower half is lower; one joined to the
# box's slanted edge, as wide as 1.5 times its height, is higher)
EYE_H = (0.75, 1.15)
# ... and at least this share of its bounding box inked (an outline almond with its pupil: a red
# eye on a red flash's box filled 0.37 at 1080p, and a detector's box on the count after it read
# 3 for 12 kills)
EYE_FILL = 0.33


def _eye_before(st: np.ndarray, x0: float, ry: float, dh: float) -> bool:
    """The 2019 spectator box's eye (``EYE_H`` digit heights high, ``EYE_W`` times as wide or
    more, not hollow) wholly within ``EYE_REACH`` digit heights before a run starting at ``x0`` (on
    the row centred at ``ry``, digits ``dh`` high): the run is the spectator count. The eye's ink
    is its outline's and that of the components wholly inside it: its pupil, where the outline
    does not touch it (on a VOD keyframe an almond filled 0.30 without its pupil, and the spectator
    count after it was read for 18 kills: validation family at 720p)."""
    x, y, w, h, a = (st[:, k].astype(np.float64) for k in range(5))
    m = _row_glyphs(st, x0 - EYE_REACH * dh, x0, ry, dh, EYE_H, 0.4)
    if not m.any():
        return False
    a = a.copy()
    for i in np.flatnonzero(m):
        inside = (x > x[i]) & (y > y[i]) & (x + w < x[i] + w[i]) & (y + h < y[i] + h[i])
        a[i] += a[inside].sum()
    return bool((m & _iconish(w, h, a, fill=EYE_FILL, wide=EYE_W)).any())


RUN_GAP = 0.8  # digit heights after a run's last digit where another glyph starts (not a digit of it)


def _ink_after(st: np.ndarray, x1: float, until: float, ry: float, dh: float, *, icon: bool = False) -> bool:
    """:func:`_ink_between` from ``RUN_GAP`` digit heights after a run ending at ``x1`` (on the row
    centred at ``ry``, digits ``dh`` high) up to ``until``."""
    return _ink_between(st, x1 + RUN_GAP * dh, until, ry, dh, icon=icon)


def _not_nearest(
    st: np.ndarray, x1: float, ry: float, dh: float, sq: SquadsLine, until: float = float("inf")
) -> bool:
    """Another glyph between a row-1 run ending at ``x1`` and the squads line (up to ``NEAREST_GAP``
    letter heights before the line, or ``until`` if nearer): the run is not the count nearest the
    squads line, so not the kill count."""
    return _ink_after(st, x1, min(sq.x0 - NEAREST_GAP * sq.h, until), ry, dh)


WHOLE_GLYPH_H = 1.0  # _whole_glyph_between: at least this many digit heights high ...
WHOLE_GLYPH_FILL = 0.4  # ... and this share of its box inked (a digit or a skull, no edge's piece)


def _whole_glyph_between(st: np.ndarray, x1: float, until: float, ry: float, dh: float) -> bool:
    """A whole glyph -- as high as the run's digits, well inked -- from ``RUN_GAP`` digit heights
    after a run ending at ``x1`` up to ``until``, on its row: :func:`_ink_after` for components
    from which straight strokes were taken out (their remaining pieces are lower or thinner)."""
    w, h, a = (st[:, k].astype(np.float64) for k in range(2, 5))
    m = _row_glyphs(st, x1 + RUN_GAP * dh, until, ry, dh, (WHOLE_GLYPH_H, 2.0), 0.5)
    return bool((m & (a >= WHOLE_GLYPH_FILL * w * h)).any())


def _squads_count_left(st: np.ndarray, sq: SquadsLine, after: float) -> float:
    """Where the squads box's own text starts: the squads line's left end, or the left end of the
    squads count before it (taller than the label's letters, so often not on its line) -- the
    glyphs of digit size on the squads row ending within ``SQ_COUNT_GAP`` letter heights of the
    line and right of ``after`` (the kill run's right end), chained leftwards while they touch
    like the digits of one number."""
    h, cy = sq.h, (sq.y0 + sq.y1) / 2.0
    x, y, w, hh = (st[:, k].astype(np.float64) for k in range(4))
    m = (
        (hh >= 0.7 * h)
        & (hh <= 1.7 * h)
        & (np.abs(y + hh / 2.0 - cy) <= 0.4 * h)
        & (x > after)
        & (x + w <= sq.x0)
        & (w <= 2.6 * h)
    )
    cand = sorted(np.flatnonzero(m).tolist(), key=lambda i: -(x[i] + w[i]))
    left, taken, far = float(sq.x0), 0, False
    for i in cand:
        gap = left - (x[i] + w[i])
        if taken == 0:
            far = gap > SQ_COUNT_GAP * h
            limit = (SQ_COUNT_FAR if hh[i] >= COUNT_TALL * h else SQ_COUNT_GAP) * h
        else:
            limit = 0.3 * h
        if gap > limit or taken >= 2:
            break
        left, taken = float(x[i]), taken + 1
    # a count that far from the line shows as two digits, not one blob (the skull and kill count
    # joined by a line across the HUD into one count-tall component: validation 720p, VOD keyframe)
    return float(sq.x0) if far and taken < 2 else left


CUT_OUTLINE, CUT_BAND = 0.5, 1.2  # _cut_by_overlay: a box outline across an edge, in digit heights
CUT_MID = 0.25  # _cut_by_overlay: an overlay's vertical edge runs through the digits' rows but this
# many digit heights at their top and bottom
# ... or, at either end of the run (within CUT_END digit heights of its first or last column), runs
# over the box's rows CUT_REACH[0]-CUT_REACH[1] digit heights above or below the digits, stopping
# at them: a pale overlay beside a white digit leaves no edge across the digit itself
CUT_END = 0.3
CUT_REACH = (0.3, 1.2)
# ... and stands alone: more than CUT_LONE such edges (runs of adjacent columns) within CUT_AROUND
# digit heights of the run are a striped or textured background seen through the box
CUT_LONE = 3
CUT_AROUND = 3.0


def _cut_by_overlay(
    img: np.ndarray, x0: int, y0: int, x1: int, y1: int, dh: float, *, after: int | None = None
) -> bool:
    """A stream overlay's straight edge at the run: a vertical edge taller than any glyph or box
    edge near it, running through the digits' rows (an overlay over the first digits leaves the
    last ones: "22" read as 2; a building's edge behind the translucent box that ends at the
    digits' lower rows cuts nothing), or one at either end of the run that stops at the digits
    (``CUT_END``, ``CUT_REACH``: a pale webcam over the "1" of a "21" leaves no edge beside the
    white digit), or a horizontal one through the digits' rows and unbroken across them (an
    overlay's edge lies over the digits; a ledge or stripe behind the translucent box is broken by
    the digits drawn over it). A vertical edge the box's outline runs on over is a wall's behind
    the box, not an overlay's (:func:`_outline_over`). ``after``: edges only from this column on
    (a run found after its skull: an edge left of the skull hides none of its digits), not from
    2.5 digit heights before the run."""
    H, W = img.shape[:2]
    ax0, ay0 = max(0, int(x0 - 2.5 * dh) if after is None else after), max(0, int(y0 - 1.5 * dh))
    ax1, ay1 = min(W, int(x1 + 0.5 * dh) + 1), min(H, int(y1 + 1.5 * dh) + 1)
    if ax1 - ax0 < 4 or ay1 - ay0 < 4:
        return True
    region = img[ay0:ay1, ax0:ax1]
    vert = _edge_runs(_sobel(region, across="x", grey=True), max(3, round(3.0 * dh)), vertical=True)
    m0, m1 = max(0, int(y0 + CUT_MID * dh) - ay0), max(0, int(y1 - CUT_MID * dh) - ay0)
    if m1 > m0:
        ys = np.arange(ay0, ay1)
        band = ((ys >= y0 - CUT_BAND * dh) & (ys <= y0 - 0.1 * dh)) | (
            (ys >= y1 + 0.1 * dh) & (ys <= y1 + CUT_BAND * dh)
        )
        through = np.flatnonzero(vert[m0:m1].all(axis=0))
        # at the run's ends: an edge over the rows above or below the digits that stops at them
        # (of the largest colour channel's gradient: a pale webcam beside a green strip), alone
        xs = np.arange(ax0, ax1)
        ends = ((xs >= x0 - CUT_END * dh) & (xs <= x0 + 1)) | ((xs >= x1 - 1) & (xs <= x1 + CUT_END * dh))
        wx0, wx1 = min(ax0, max(0, int(x0 - CUT_AROUND * dh))), min(W, int(x1 + CUT_AROUND * dh) + 1)
        reach = _edges_to_digits(img[ay0:ay1, wx0:wx1], y0 - ay0, y1 - ay0, dh)
        at_end = np.zeros(0, np.int64)
        if np.count_nonzero(np.diff(reach.astype(np.int8)) == 1) + int(reach[0]) <= CUT_LONE:
            # a lone edge (an overlay's side), not one of a striped background's many
            at_end = np.flatnonzero(reach[ax0 - wx0 : ax1 - wx0] & ends)
        if len(at_end):
            # a wall's edge behind the box stops at the digits as well; its outline, of a red box
            # on a grey wall, shows only in the largest colour channel's gradient
            colour = _sobel(region, across="y") > EDGE_GRAD
            at_end = at_end[[not _outline_over(colour, band, c, dh) for c in at_end.tolist()]]
        grey = _sobel(region, across="y", grey=True) > EDGE_GRAD
        if any(not _outline_over(grey, band, c, dh) for c in np.union1d(through, at_end).tolist()):
            return True
    r0, r1 = max(0, int(y0 + 0.1 * dh) - ay0), max(0, int(y1 - 0.1 * dh) - ay0)
    gy = _sobel(region, across="y", grey=True)[r0:r1]
    if not gy.size:
        return False
    horiz = _edge_runs(gy, max(3, round(4.0 * dh)), vertical=False)
    c0, c1 = max(0, x0 - ax0), min(horiz.shape[1], x1 - ax0)
    return c1 > c0 and bool(horiz[:, c0:c1].all(axis=1).any())


def _edges_to_digits(strip: np.ndarray, dy0: int, dy1: int, dh: float) -> np.ndarray:
    """Per column of ``strip`` (an RGB strip whose digit rows are ``dy0``-``dy1``): a vertical edge
    (the largest colour channel's gradient over ``EDGE_GRAD``) on every row ``CUT_REACH`` digit
    heights above the digits, or on every row as far below them."""
    strong = _sobel(strip, across="x") > EDGE_GRAD
    above = strong[max(0, int(dy0 - CUT_REACH[1] * dh)) : max(0, int(dy0 - CUT_REACH[0] * dh))]
    below = strong[int(dy1 + CUT_REACH[0] * dh) : int(dy1 + CUT_REACH[1] * dh)]
    out = np.zeros(strip.shape[1], bool)
    for part in (above, below):
        if len(part):
            out |= part.all(axis=0)
    return out


def _outline_over(hz: np.ndarray, band: np.ndarray, c: int, dh: float) -> bool:
    """The box's top or bottom outline runs on across column ``c`` of a :func:`_cut_by_overlay`
    region: a row of ``band`` (the rows above and below the digits) of strong horizontal edge
    (``hz``) ``CUT_OUTLINE`` digit heights either side of it. Then a vertical edge there is a
    window's or a wall's behind the translucent box (the outline is drawn over it; an overlay's
    edge ends the outline)."""
    reach = max(1, round(CUT_OUTLINE * dh))
    return bool(hz[band][:, max(0, c - reach) : c + reach + 1].all(axis=1).any())


def detect(
    hud: np.ndarray, loc: HudLocation, proposer: KillBoxProposer, prepared: _Prepared | None = None
) -> HudLocation | None:
    """The kill box a learned detector proposes, snapped to the bright-ink components of digit
    height inside it (the detector's own box where none are), as a located kill run.
    ``prepared``: the crop's work image and components when the caller made them already."""
    p = prepared if prepared is not None else _prepare(hud)
    return _snap(p, loc, proposer.propose(p.half))


# _snap: a glyph at least LEAD_H of the detector box's height starting LEAD_OUT box heights or
# more left of it is a digit the box missed
LEAD_H = 0.8
LEAD_OUT = 0.3
# ... and its first digit starts within this many skull heights after a skull the box started at
# (validation family at 720p: 0.4)
LEAD_GAP = 0.9
# _snap: where the one glyph by the detector's box is a skull left of it (the count joined to the
# box's outline or to the edges between the boxes), the digits are this many times shorter
SKULL_OVER_DIGITS = 1.15
# ... and a skull this many blob heights or less before the one solid blob the box is on makes the
# blob the count's merged digits, not the skull
SKULL_REACH = 2.5


def _box_glyphs(st: np.ndarray, bx0: float, by0: float, bx1: float, by1: float) -> np.ndarray:
    """Indices of the glyph strokes of digit height for the detector's box (x0, y0, x1, y1; work
    px): centred within ``DETECT_GROW`` box heights of it, ``DETECT_H`` of its height."""
    bh = by1 - by0
    g = DETECT_GROW * bh
    cx, cy = st[:, 0] + st[:, 2] / 2.0, st[:, 1] + st[:, 3] / 2.0
    return np.flatnonzero(
        (cx >= bx0 - g)
        & (cx <= bx1 + g)
        & (cy >= by0 - g)
        & (cy <= by1 + g)
        & (st[:, 3] >= DETECT_H[0] * bh)
        & (st[:, 3] <= DETECT_H[1] * bh)
        # not wider than two joined digits AND hollow: a piece of the box's outline or slanted edge
        # with the strokes that touch it (solid joined digits are as wide)
        & ((st[:, 2] <= DETECT_W * bh) | (st[:, 4] >= DETECT_FILL * st[:, 2] * st[:, 3]))
        # glyph strokes, not a piece of the box's thin outline or slanted edge (as tall as a digit:
        # the run then came out taller than the digits, mapped onto the reader's canvas at the
        # wrong size, or reached the outline's row, whose straight edge the overlay test took
        # for an overlay's)
        & (2.0 * st[:, 4] >= MIN_STROKE * (st[:, 2] + st[:, 3]))
        & (st[:, 4] >= 0.18 * st[:, 2] * st[:, 3])
    )


def _joined_glyphs(st: np.ndarray, bx0: float, by0: float, bx1: float, by1: float) -> bool:
    """A blob of strokes taller than ``DETECT_H`` of the box's height over the box's centre: the
    digits joined to something taller (the box's slanted edges)."""
    bh = by1 - by0
    cx, cy = (bx0 + bx1) / 2.0, (by0 + by1) / 2.0
    x, y, w, h, a = (st[:, k].astype(np.float64) for k in range(5))
    return bool(
        (
            (x <= cx)
            & (x + w >= cx)
            & (y <= cy)
            & (y + h >= cy)
            & (h > DETECT_H[1] * bh)
            & (2.0 * a >= MIN_STROKE * (w + h))
            & (a >= 0.18 * w * h)
        ).any()
    )


def _skull_first(st: np.ndarray, sel: np.ndarray) -> tuple[int, list[int]] | None:
    """The detector's box started at the skull (its leftmost glyph, ``sel`` indexing ``st``): the
    skull (solid, skull-wide, taller than the digits after it or off their line: :func:`_skull_led`)
    and the run of digit-height glyphs that starts right after it, or None."""
    lead = int(sel[np.argmin(st[sel, 0])])
    x, y, w, hh = (float(v) for v in st[lead, :4])
    on_row = np.abs(st[:, 1] + st[:, 3] / 2.0 - (y + hh / 2.0)) <= 0.35 * hh
    reach = (st[:, 0] >= x + w - 1) & (st[:, 0] <= x + w + 4.0 * hh) & on_row
    for run in _runs(st, np.flatnonzero(reach).tolist(), hh / SPLIT_ICON_TALL):
        if st[run[0], 0] <= x + w + LEAD_GAP * hh and _skull_led(st, [lead, *run]):
            return lead, run
    return None


SNAP_CLIP_P = 0.9  # _snap: the detector this sure of its box, ...
SNAP_CLIP_OUT = 0.5  # ... a glyph reaching this many box heights out of it on the left and into it
# _snap: a run this many digit heights wide or wider is no kill count -- two digits are at most
# 1.7 digit heights wide with their gap in the widest face drawn (the third held-out family's x1.18
# digits); a kill count is never three digits
RUN_MAX_W = 3.0
PART_BOX = 0.4  # _box_past_run: digit heights the detector's box reaches past its run ...
PART_BOX_COLS = 0.4  # ... there this share of its columns or more inked in the run's middle rows


def _span_before_run(ink: np.ndarray, bx0: float, x0: int, y0: int, y1: int, dh: float) -> np.ndarray | None:
    """The ink of the span the detector's box (its left edge ``bx0``) reaches before the run of
    glyphs found in it (the run's middle rows), where it reaches ``PART_BOX`` digit heights or more;
    else None. What :func:`_box_past_run` and :func:`_stem_before_run` look at."""
    if x0 - bx0 < PART_BOX * dh:
        return None
    r0, r1 = round(y0 + 0.2 * (y1 - y0)), round(y1 - 0.2 * (y1 - y0))
    b = ink[r0:r1, max(0, round(bx0)) : max(0, x0 - 1)]
    return b if b.size else None


def _box_past_run(b: np.ndarray | None) -> bool:
    """The detector's box (its left edge ``bx0``) starting ``PART_BOX`` digit heights or more
    before the run of glyphs found in it, with ink in ``PART_BOX_COLS`` of its columns there (in
    the run's middle rows; columns, not pixels: the thin strokes of a "2" at 720p): a first digit
    the glyph search lost (joined to a bright background, or broken into pieces) -- the run is
    part of the count, and both readers would read that part ("25" read as 5, second held-out
    family at 720p; "11" as 1, its first digit joined to the bright wall behind the box, third
    held-out family at 720p). Not asked where the run starts after a skull in the box. Only the
    left: past the run's end the box takes in the box's slanted edge (validation family, 4:3).
    (Ink right against either end of the run, a look tried with it, dropped eleven validation
    readings at 720p-21:9 -- the edge after the last digit -- and was not kept.) ``b``: that span's
    ink (:func:`_span_before_run`)."""
    return b is not None and float(np.count_nonzero(b.any(axis=0))) >= PART_BOX_COLS * b.shape[1]


def _stem_before_run(b: np.ndarray | None, bx0: float, dh: float) -> int | None:
    """Where the span before the run (its ink ``b``, :func:`_span_before_run`) is not the box past
    it (:func:`_box_past_run`: fewer columns inked), a lone upright stroke there
    (:func:`_lone_stem`): a thin "1" with too little ink for a glyph. The column the run then
    starts at (crop work px), or None."""
    stem = None if b is None else _lone_stem(b, dh)
    return None if stem is None else max(0, round(bx0)) + stem


STEM_ROWS = 0.9  # _lone_stem: a stroke inked in this share of the middle rows or more ...
STEM_W = 0.25  # ... at most this many digit heights wide ...
STEM_CLEAR = 0.2  # ... between columns inked in at most this share of them


def _lone_stem(b: np.ndarray, dh: float) -> int | None:
    """In the ink ``b`` (the middle rows of the span between the detector's box's left edge and
    the run), a lone upright stroke: columns inked through nearly every row (``STEM_ROWS``), at most
    ``STEM_W`` digit heights wide, with an all but empty column on either side of it inside the span
    -- the stem of a thin "1" whose foot's serif left it too little ink for a glyph (sixth held-out
    family at 1080p, "15" read as 5), not the skull's body at the span's start nor the ink of the
    box's slanted edge. Its first column in ``b``, or None."""
    cov = np.count_nonzero(b, axis=0) / float(b.shape[0])
    clear = np.flatnonzero(cov <= STEM_CLEAR)
    for a, z in itertools.pairwise(clear.tolist()):
        if 1 <= z - a - 1 <= max(1.0, STEM_W * dh) and float(cov[a + 1 : z].max()) >= STEM_ROWS:
            return a + 1
    return None


def _snap(
    p: _Prepared,
    loc: HudLocation,
    got: tuple[float, tuple[float, float, float, float]] | None,
    why: list[str] | None = None,
) -> HudLocation | None:
    """:func:`detect`'s second half: the proposal ``got`` (in the halved work image) as a kill run;
    None where a check drops it (its name appended to ``why``, if given: :func:`explain_proposals`)."""
    img, f = p.img, p.f
    small_w, small_h = _half_size(img)
    if got is None:
        return _dropped(why, "no_proposal")
    _p, (bx0, by0, bx1, by1) = got
    sx, sy = img.shape[1] / float(small_w), img.shape[0] / float(small_h)
    bx0, bx1, by0, by1 = bx0 * sx, bx1 * sx, by0 * sy, by1 * sy
    bh = by1 - by0
    if bh < 4 or bx1 - bx0 < 2 or bx1 <= 0 or by1 <= 0 or bx0 >= img.shape[1] or by0 >= img.shape[0]:
        return _dropped(why, "tiny_box")
    st = p.st
    sel = _box_glyphs(st, bx0, by0, bx1, by1)
    gs = st  # the components the run is measured on
    # the one glyph of digit height is left of the box, not in it, and as wide and solid as an
    # icon: the skull before a count joined to the box's outline or the edges between the boxes
    # (the count is in the detector's box; its rows the skull's)
    skull = None
    if len(sel) == 1:
        gx, _gy, gw, gh, ga = (float(v) for v in st[sel[0], :5])
        if gx + gw / 2.0 < bx0 and _iconish(gw, gh, ga):
            skull = int(sel[0])
    if skull is not None:
        sel = sel[:0]
    elif not len(sel) and _joined_glyphs(st, bx0, by0, bx1, by1):
        # the digits joined to the box's slanted edges (a bright sky at their ends): one blob
        # taller than any digit across the box, none of digit height in it, and the detector's own
        # box stands for the count. Where the ink without slanted straight strokes shows a glyph
        # of the box's height starting left of it, the box missed the count's first digit (on the
        # last digit and the edge after it: "19" read as 9): the run is that ink's
        d = p.destriped.st
        ds = _box_glyphs(d, bx0, by0, bx1, by1)
        if ((d[ds, 3] >= LEAD_H * bh) & (d[ds, 0] < bx0 - LEAD_OUT * bh)).any():
            gs, sel = d, ds
    led = _skull_first(gs, sel) if len(sel) else None
    if led is not None:
        # the box started at the skull: the count is the run after it
        sel = np.array(led[1])
    boxed = False
    if len(sel):
        x0, y0 = int(gs[sel, 0].min()), int(gs[sel, 1].min())
        x1, y1 = int((gs[sel, 0] + gs[sel, 2]).max()), int((gs[sel, 1] + gs[sel, 3]).max())
        dh = float(np.median(gs[sel, 3]))
        gx, gw = gs[sel, 0].astype(np.float64), gs[sel, 2].astype(np.float64)
        across = (gx < bx0 - SNAP_CLIP_OUT * bh) & (gx + gw > bx0 + SNAP_CLIP_OUT * bh)
        if _p >= SNAP_CLIP_P and across.any():
            # the detector sure of its box, a glyph in it reaching far out of it on the left: the
            # count joined to the skull before it (a 2019 "11" at 1080p) -- the run is the box's
            # (not where the box only sits right of the count: its first digit, whole, is left of it)
            x0, y0, x1, y1, dh = round(bx0), round(by0), max(x1, round(bx1)), round(by1), float(bh)
    elif skull is not None:
        ix, iy, iw, ih = (int(v) for v in st[skull, :4])
        dh = ih / SKULL_OVER_DIGITS
        ymid = iy + ih / 2.0
        x0, x1 = max(round(bx0), ix + iw + 1), round(bx1)
        y0, y1 = round(ymid - dh / 2.0), round(ymid + dh / 2.0)
    else:
        x0, y0, x1, y1, dh = round(bx0), round(by0), round(bx1), round(by1), float(bh)
        boxed = True
    icon = (
        max(0, round(x0 - 1.5 * dh)),
        max(0, round(y0 - 0.2 * dh)),
        max(1, round(1.3 * dh)),
        max(1, round(1.4 * dh)),
    )
    icon_at = led[0] if led is not None else skull  # the skull found before the count, if any
    if icon_at is not None:
        ix, iy, iw, ih = (int(v) for v in gs[icon_at, :4])
        icon = (ix, iy, iw, ih)
    if _cut_by_overlay(img, x0, y0, x1, y1, dh):
        return _dropped(why, "cut_by_overlay")
    row = 0
    ry = (y0 + y1) / 2.0
    if loc.squads is None and loc.covered:
        # no squads line, but one ending at an overlay's edge right of the box on its row: its
        # squads count bounds the searches below like a found line's (the bold count's merged
        # digits are as solid as a skull)
        near = [c for c in loc.covered if c.x0 > x1 and abs((c.y0 + c.y1) / 2.0 - ry) <= 0.5 * c.h]
        if near:
            loc = replace(loc, squads=min(near, key=lambda c: c.x0))
    # the box on one solid, squarish blob taller than the squads letters is on the skull (its
    # digits lost to the ink threshold), not on the count -- unless a skull sits right before the
    # blob (then it is the count's digits merged: a bold "11" or "14" at 720p)
    if len(sel) == 1 and loc.squads is not None:
        bx, by, bw, bhh, ba = (float(v) for v in gs[sel[0], :5])
        if (
            _iconish(bw, bhh, ba, fill=SOLID_FILL, wide=SOLID_W[0], most=SOLID_W[1])
            and bhh >= COUNT_TALL * loc.squads.h
            and not _ink_between(gs, bx - SKULL_REACH * bhh, bx, by + bhh / 2.0, bhh, icon=True)
        ):
            return _dropped(why, "on_skull")
    # the 2019 spectator box's eye right before this count: this is the spectator count (the
    # skull after it too faint to be seen as one: "6" read for 9 at 1440x1080, validation family)
    if _eye_before(st, x0, ry, dh):
        return _dropped(why, "spectator_eye")
    # the skull of another count right after this one (squads line found or not): this is the
    # 2019 spectator count -- unless its own skull is right before it (the spectator count has the
    # eye there; the skull-like blob after a kill count is the squads count's merged bold digits:
    # an elite "18" beside a webcam over the squads label, validation family at 720p). Beside a
    # squads line the search stops before the squads count (two bold digits merge into a solid,
    # skull-like blob at 720p, and a narrow gap between the boxes brings it within reach)
    after = x1 + 4.0 * dh
    icons = _icon_components(p.ink, dh)  # the blobs a skull can be, at the run's height
    own = _own_skull(icons, x0, y0, y1, dh)  # a skull of its own right before the run
    second = False  # on the second row's band under the squads line (ranked)
    if loc.squads is not None:
        sq = loc.squads
        below = ry - (sq.y0 + sq.y1) / 2.0
        band = ROW2_DY[0] * sq.h * 0.8  # where the second row's band starts, under the squads row
        row = int(below >= band)
        second = row == 1 and below <= ROW2_DY[1] * sq.h * 1.2
        if ROW1_DY * sq.h < abs(below) < band:
            # off the squads row but nearer to it than the second row's band: in the HUD's layout
            # no count is drawn there -- another number (a stream panel's "SUBS 21", 1.35 letter
            # heights under a 2019 squads line, read for 4 kills: validation family at 2560x1080).
            # Farther off, the line found may be no squads line (a kill-feed line four and more
            # letter heights under the box, a banner's text above it): the detector's box stands
            if not own:
                return _dropped(why, "between_rows")
            # ... but a count led by its own skull there tells the line found is no squads line
            # of this HUD (a kill-feed line, a banner's text): searched as without one
            loc = replace(loc, squads=None)
        elif row == 0:
            after = min(after, _squads_count_left(st, sq, x1) - 0.3 * sq.h)
    if second:
        # the ranked row: the assists' handshake and count follow the kill count (no 2019 spectator
        # box on a second row), and the kill count is the row's first: another icon left of this
        # count's own is the skull of the kill count, this one the assists'
        if _ink_between(st, x0 - SECOND_ICON_REACH * dh, x0 - 1.6 * dh, ry, dh, icon=True):
            return _dropped(why, "ranked_assists")
        # ... and pieces of ink right before the count, in its rows: a first digit a background
        # stripe broke into pieces no digit is as short as ("20" read as 0 on today's look at 720p)
        x, y, w, hh = (st[:, k].astype(np.float64) for k in range(4))
        pieces = (
            (x >= x0 - LOST_PIECES_W * dh)
            & (x + w <= x0 - 1)
            & (y >= y0 - 0.1 * dh)
            & (y + hh <= y1 + 0.1 * dh)
        )
        if st[pieces, 4].sum() >= LOST_PIECES_AREA * dh * dh:
            return _dropped(why, "ranked_lost_digit")
    elif _ink_after(st, x1, after, ry, dh, icon=True) and not own:
        return _dropped(why, "icon_after")
    if loc.squads is not None and row == 0:
        sq = loc.squads
        if _on_line(x0, y0, y1, [sq]):
            # the squads line's own count (the line found with it): a proposal on the "18" of "18
            # OSTALOS OTRYADOV" read 18 kills on a hidden kill box (validation family, 2560x1080)
            return _dropped(why, "on_squads_line")
        left = _squads_count_left(st, sq, x1)
        # other glyphs between the run and the squads text: not the count nearest the squads box
        # -- unless the run has a skull of its own (then they are the squads text the line search
        # lost: the bold count twice the label's height and a first word not joined to the line,
        # "13 SQUADRE RIMASTE" beside a red "1", validation family at 21:9); an icon between still
        # drops it (the 2019 spectator count before the kill box)
        if (not own and _not_nearest(st, x1, ry, dh, sq, left - 0.3 * sq.h)) or (
            _ink_after(st, x1, left - 0.3 * sq.h, ry, dh, icon=True)
        ):
            return _dropped(why, "not_nearest")
        if not own:
            # the same without straight slanted strokes: a line across the HUD joined the skull
            # and count between into one component no glyph is shaped like (the 2019 spectator
            # count "4" read for 13 kills, validation family at 720p on VOD keyframes); the
            # squads count freed from stripes there is the squads box's, not a glyph between --
            # nor is the one found on the usual ink (the freed ink may hold the label's lost first
            # letter, which then ends the count's search: "18 POZOSTALE", validation at 1080p)
            dst = p.destriped.st
            until = min(sq.x0 - NEAREST_GAP * sq.h, min(left, _squads_count_left(dst, sq, x1)) - 0.3 * sq.h)
            if _whole_glyph_between(dst, x1, until, ry, dh):
                return _dropped(why, "not_nearest")
    # part of the count: its first digit lost to the glyph search, or to the ink threshold
    if len(sel) and led is None:
        span = _span_before_run(p.ink, bx0, x0, y0, y1, dh)
        if _box_past_run(span):
            return _dropped(why, "partial_run")
        stem = _stem_before_run(span, bx0, dh)
        if stem is not None:
            x0 = stem  # the thin "1" the glyph search lost: the run starts at its stem
    if icon_at is None and not own and _skull_a_digit_away(p, icons, x0, y0, y1, dh):
        return _dropped(why, "digit_lost")
    # wider than any count of two digits: glyphs of a stripe or a line of text joined into one run
    # (a detector's unsure cell on a 2019 "19" at 720p, under a banner's stripes: the run taken
    # from the ink without straight strokes was seven digit heights wide, read as 2 -- fourth
    # held-out family)
    if x1 - x0 >= RUN_MAX_W * dh:
        return _dropped(why, "too_wide")
    kill = KillRun(x0, y0, x1, y1, dh, icon, row, _is_red(img, icon), boxed=boxed)
    return HudLocation(loc.squads, kill, True, loc.era, "ok", f)


def _dropped(why: list[str] | None, reason: str) -> HudLocation | None:
    """:func:`_snap`'s verdict on a proposal it drops: None, and ``reason`` noted in ``why``."""
    if why is not None:
        why.append(reason)
    return None


class ProposalFate(NamedTuple):
    """What became of one of the learned detector's proposals on a crop (:func:`proposal_fates`)."""

    name: str  # "box" (its proposal) or "loose cell" (the likeliest cell however unsure)
    prob: float  # the detector's probability (for the loose cell: with its neighbours')
    box: tuple[float, float, float, float]  # the proposal, crop px
    run: tuple[float, float, float, float] | None  # the kill run _snap made of it, crop px
    dropped: tuple[str, ...]  # or the check of _snap that dropped it
    skull_before: bool | None  # no squads line found: a skull right before the run (None: not asked)


def proposal_fates(
    hud: np.ndarray, proposer: KillBoxProposer
) -> tuple[HudLocation, float, list[ProposalFate]]:
    """The layout rules' location on one HUD crop, the detector's p(none), and what becomes of each
    of its proposals (``box``, ``loose cell``, and its ``second opinion``'s where it has one): the
    kill run :func:`_snap` makes of it or the check that drops it, in crop pixels. It only tells
    (benchmarks/kill_cases.py); :func:`find_kill_box` decides, and may not ask the detector at all
    (a squads box not in view) or take the run."""
    p = _prepare(hud)
    loc = _locate(p)
    half = p.half
    a = proposer.assess(half)
    small_w, small_h = _half_size(p.img)
    sx, sy = p.img.shape[1] / float(small_w) / p.f, p.img.shape[0] / float(small_h) / p.f
    fates = []
    for name, got in (
        ("box", a.box),
        ("loose cell", a.loose),
        ("second opinion", proposer.second_opinion(half)),
    ):
        if got is None:
            continue
        prob, (x0, y0, x1, y1) = got
        why: list[str] = []
        det = _snap(p, loc, got, why)
        run = None if det is None else _crop_run(det)
        before = _skull_before(p, det.kill) if det is not None and loc.squads is None else None
        fates.append(ProposalFate(name, prob, (x0 * sx, y0 * sy, x1 * sx, y1 * sy), run, tuple(why), before))
    return loc, a.p_none, fates


def explain_proposals(hud: np.ndarray, proposer: KillBoxProposer) -> list[str]:
    """:func:`proposal_fates` in words, a line for the rules and one per proposal."""
    loc, p_none, fates = proposal_fates(hud, proposer)
    out = [
        f"rules: {loc.reason}, squads line {'found' if loc.squads is not None else 'not found'}, "
        f"{len(loc.covered)} ending at an overlay; detector: p(none) {p_none:.2f}"
    ]
    named = {f.name: f for f in fates}
    for name in ("box", "loose cell", "second opinion"):
        f = named.get(name)
        if f is None:
            if name != "second opinion":  # (a second opinion is named only where it proposes)
                out.append(f"detector's {name}: none")
            continue
        line = f"detector's {name} {f.prob:.2f} at {tuple(round(v) for v in f.box)}: "
        if f.run is None:
            out.append(line + f"dropped ({', '.join(f.dropped)})")
            continue
        line += f"run {tuple(round(v) for v in f.run)}"
        if f.skull_before is not None:
            line += f", a skull before it: {f.skull_before}"
        out.append(line)
    return out


def _crosses(box: tuple[float, float, float, float], k: KillRun) -> bool:
    """A box (x0, y0, x1, y1; work px) overlaps the kill run ``k``, across and down."""
    return min(box[2], k.x1) > max(box[0], k.x0) and min(box[3], k.y1) > max(box[1], k.y0)


DISPUTE_PROB = 0.97  # the detector's cell probability at which it disputes the rules' box
# ... and its probability that no kill count is in view at which it disputes a second-row run
NONE_SURE_PROB = 0.95


def _dispute_worth_asking(loc: HudLocation) -> bool:
    """The rules' box is one the detector may dispute (:func:`find_kill_box`): a plain layout run on
    the squads line's row where the line showed no squads count of its own, or on the second row
    (ranked). A squads count taller than the label's letters anchors the kill box before it;
    without one, the rules' run may be letters of the label whose neighbours were lost (second
    held-out family at 1920x1200, 2019 HUD: "16 ESQUADROES RESTANTES" over a bright window grid
    kept only "OE" and "RESTANTES" as ink -- the "OE" was read as a 0 while the detector was sure
    of the "13" in the kill box). Under the squads line the kill feed's names run through the
    second row's band (third held-out family at 16:10: a panel over the 2019 kill box, the "oro"
    of a feed name read as 0 kills while the detector was 0.995 sure no count was in view; of 443
    second-row runs on the seven families' per-sample crops, two had it 0.95 sure or more, both
    that scene)."""
    k, sq = loc.kill, loc.squads
    return (
        k is not None
        and bool(loc.kill_box)
        and not k.faint
        and not k.weak
        and sq is not None
        and ((k.row == 0 and not sq.count) or k.row == 1)
    )


def _overlapping(p: _Prepared, box: tuple[float, float, float, float], k: KillRun) -> bool:
    """The detector's box (in the halved work image) overlaps the kill run, across and down."""
    small_w, small_h = _half_size(p.img)
    sx, sy = p.img.shape[1] / float(small_w), p.img.shape[0] / float(small_h)
    return _crosses((box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy), k)


def _not_on(det: HudLocation | None, unread: KillRun | None) -> HudLocation | None:
    """A detector's located run, unless it overlaps (across and down) the layout rules' run set
    aside as read in vain (``unread``; None: nothing set aside) -- or unless the rules' run began
    with the icon the detector's run has before it: the rules took the count's own skull for its
    first digit (a red skull and a "19" under a banner, read "lost_digit"), and the count is the
    detector's run, right of it."""
    if det is None or det.kill is None or unread is None:
        return det
    a = det.kill
    ix, _iy, iw, _ih = a.icon
    skull_first = ix <= unread.x0 + 0.5 * unread.digit_h and ix + iw >= unread.x0 and a.x0 > unread.x0
    return None if _crosses((a.x0, a.y0, a.x1, a.y1), unread) and not skull_first else det


def _found_run(hud: np.ndarray, loc: HudLocation, how: str, visible: bool, *, faint: bool) -> FoundBox:
    """The box of a located run (the layout rules' or a detector's, snapped): the crop warped onto
    the reference canvas at the run's :func:`placement`; ``faint``: its skull scored
    ``DETECTED_SCORE``, so that both readers must agree on its number."""
    if loc.kill is None:
        raise ValueError("no kill box located")
    place = placement(loc)
    score = DETECTED_SCORE if faint else 1.0
    ref, hit = warp_run(hud, place, red=loc.kill.red, row=loc.kill.row, score=score)
    return FoundBox(ref, hit, visible, True, loc.era, "ok", how, _crop_run(loc), place, boxed=loc.kill.boxed)


def find_kill_box(
    hud: np.ndarray,
    proposer: KillBoxProposer | None = None,
    *,
    template: bool = True,
    layout: bool = True,
) -> FoundBox:
    """The kill box of one HUD crop, by layout first, then by the 2019 skull template (unless
    ``template`` is false: the kill reader's second look where the template's box read nothing),
    then by the learned detector ``proposer`` (if any; its boxes need both readers to agree --
    where no squads line or box shows an in-match HUD, only a box it is sure of), then by its
    second opinion where the first's answer led to no box and no empty slot (only where the HUD
    shows). Where the rules found the skull but a digit lost after it ("digit_lost"), the
    detector's sure box only, and only where a skull sits right before its run (choice sets +4,
    none fewer, no wrong number; without that check a 2019 "14" whose box took in the skull's edge
    was read as 34). Last, where the rules saw ink in the slot beside a squads line but no box and
    no overlay's edge across it: their look on the ink without one-pixel strokes (:func:`_opened`:
    a count joined to the box's thin outline), a box both readers must agree on (choice sets +2,
    none fewer, no wrong number, no covered or hidden counter read). ``layout`` false: the kill
    reader's second look
    where the layout rules' box read nothing -- their squads line kept, their kill run set aside,
    and only a detector's run that does not overlap it taken."""
    prepared = _prepare(hud)
    loc = _locate(prepared)
    found = _find_kill_box(hud, prepared, loc, proposer, template=template, layout=layout)
    # (not the 2019 template's run: two skull widths, wider than most counts)
    run = found.run if found.how != "template" else None
    joined = run is not None and _joined_after(prepared.ink, prepared.f, run)
    return replace(found, worked=Worked(prepared.img.shape[:2], prepared.f, loc.squads), joined=joined)


JOIN_GAP = 0.4  # _joined_after: a solid mass starting within this many run heights after the run ...
JOIN_W = 0.8  # ... at least this many run heights wide, inked in every middle row of the run ...
JOIN_OUT = 0.3  # ... and as solid this many run heights above or below the run's rows
JOIN_FILL = 0.9  # (solid: this share of its pixels inked)


def _joined_after(ink: np.ndarray, f: float, run: tuple[float, float, float, float]) -> bool:
    """In the ink ``ink`` (work px, ``f`` of them per crop px), a solid bright mass right after the
    run (``run``: crop px), through all its middle rows and reaching above or below them: a bright
    background or a banner's letter the count's next digit may be joined to and lost in to the
    glyph search (a "17" read as 1, its "7" joined to a banner's giant "T" behind the box; an "11"
    read as 1 on a white wall: third, fourth and fifth held-out families at 720p) -- the run may be
    only part of the count. The kill reader asks it of one-digit readings only (a count is never
    three digits)."""
    _x0, y0, x1, y1 = (v * f for v in run)
    h = y1 - y0
    if h < 4:
        return False
    width = ink.shape[1]
    r0, r1 = round(y0 + 0.15 * h), round(y1 - 0.15 * h)
    c0, c1 = max(0, round(x1)), min(width, round(x1 + JOIN_GAP * h) + 1)
    if r1 - r0 < 2 or c1 <= c0:
        return False
    w = max(2, round(JOIN_W * h))
    # only the columns a mass could take (from the run's end to one mass width past the gap)
    ink = ink[:, c0 : min(width, c1 + w)] > 0
    full = ink[r0:r1].mean(axis=0) >= JOIN_FILL
    starts = np.flatnonzero(full[: c1 - c0])
    if not len(starts):
        return False
    a = int(starts[0])
    b = a + w
    if c0 + b > width or not full[a:b].all():
        return False
    out = max(1, round(JOIN_OUT * h))
    above = ink[max(0, round(y0) - out) : max(0, round(y0)), a:b]
    below = ink[round(y1) : round(y1) + out, a:b]
    return any(m.size and m.shape[0] >= out and float(m.mean()) >= JOIN_FILL for m in (above, below))


# An overlay's side: a straight vertical edge at least COVER_EDGE letter heights long (a letter
# height of SIDE_LETTER_H WORK_H px) standing in the same place in SIDE_STATIC of a batch's crops
# of one size, at least SIDE_MIN_CROPS of them: a webcam or a panel stays where the streamer put
# it while the camera moves the scene's walls from sample to sample (a wall's edge beside the
# count looks the same in one frame: rules on one frame's edges lost counters on every choice set)
SIDE_LETTER_H = 13.0
SIDE_STATIC = 0.75
SIDE_MIN_CROPS = 6
SIDE_REACH = 1.6  # letter heights before a run searched for a side (COVER_REACH)
SLOT_SIDE_ROWS = 0.5  # overlay_at_slot: of the second row's rows, a standing side through this share


def static_sides(huds: Sequence[np.ndarray]) -> list[np.ndarray | None]:
    """Per HUD crop of a batch, the overlay sides standing in it (a boolean map at ``WORK_H`` px
    high, see ``SIDE_STATIC``); None where the batch has fewer than ``SIDE_MIN_CROPS`` crops of
    its size (their edges are not looked for)."""
    length = max(3, round(COVER_EDGE * SIDE_LETTER_H))
    by_shape: dict[tuple[int, int], list[int]] = {}
    for k, hud in enumerate(huds):
        h, w = np.asarray(hud).shape[:2]
        by_shape.setdefault(_work_shape(h, w), []).append(k)
    out: list[np.ndarray | None] = [None] * len(huds)
    for ks in by_shape.values():
        if len(ks) < SIDE_MIN_CROPS:
            continue
        edges = []
        for k in ks:
            img, _f = _work(np.asarray(huds[k]))
            runs = _edge_runs(_sobel(img, across="x", grey=True), length, vertical=True)
            edges.append(cv2.dilate(runs.astype(np.uint8), np.ones((1, 3), np.uint8)) > 0)  # a pixel off
        static = np.mean(edges, axis=0) >= SIDE_STATIC
        for k in ks:
            out[k] = static
    return out


def _beside(found: FoundBox, sides: np.ndarray) -> Worked | None:
    """Where the finder worked on the crop of ``found``, for the overlay checks: None where
    ``sides`` (:func:`static_sides`) has no standing side or is not of the crop's working size."""
    worked = found.worked
    if worked is None or not sides.any() or sides.shape != worked.shape:
        return None
    return worked


def overlay_at_count(found: FoundBox, sides: np.ndarray) -> bool:
    """An overlay's side (``sides``, :func:`static_sides`) across the rows of the run of ``found``
    (:func:`find_kill_box`'s box a number was read in, by whichever try), within
    ``SIDE_REACH`` letter heights before it (its first digits may be under the overlay), within the
    run itself (an overlay's edge through the count: the run is partly the overlay's), or between
    it and the squads label's end (the run is on the overlay -- a panel's own figures -- or the
    overlay hides the kill box between it and the squads box)."""
    worked = _beside(found, sides)
    if worked is None or found.run is None:
        return False
    sq = worked.squads
    rx0, ry0, rx1, ry1 = (round(v * worked.f) for v in found.run)
    h = sq.h if sq is not None else float(ry1 - ry0)
    spans = [(round(rx0 - SIDE_REACH * h), rx1 + 1)]
    # between the run and the squads label's end only where the run reaches the label's rows or
    # lies under them (the kill box is beside the squads box or on the ranked second row): a run
    # above the line found is no count beside it -- the line is text lower down (the kill feed,
    # where a panel hides the squads label's end), and the panel's side right of the run hides no
    # kill box of that line's (a 2019 "14" in full view dropped: fifth held-out family, 1080p)
    if sq is not None and sq.x1 - 0.5 * sq.h > rx1 and ry1 > sq.y0:
        spans.append((rx1, round(sq.x1 - 0.5 * sq.h)))
    rows = sides[max(0, ry0) : max(ry0 + 1, ry1)]
    width = sides.shape[1]
    return any(rows[:, max(0, a) : min(width, b)].all(axis=0).any() for a, b in spans)


def on_digits(found: FoundBox, boxes: Sequence[tuple[int, int, int, int]]) -> FoundBox:
    """``found`` with the 2019 skull template's run narrowed to the digits found in it (``boxes``,
    reference px, :attr:`vodstream.readers.digits.Extraction.boxes`); other boxes unchanged. The
    template's run is two skull widths right of the skull, wider than most counts: an overlay's
    side in its empty right part (:func:`overlay_at_count`) is no side through the count."""
    if found.how != "template" or found.run is None or found.skull is None or not boxes:
        return found
    sk = found.skull
    x0, y0, x1, y1 = found.run
    sx = (x1 - x0) / (TEMPLATE_RUN_SKULLS * sk.w)  # crop px per reference px
    left = x0 + (min(b[0] for b in boxes) - (sk.x + sk.w)) * sx
    right = x0 + (max(b[0] + b[2] for b in boxes) - (sk.x + sk.w)) * sx
    return replace(found, run=(left, y0, right, y1))


def overlay_at_slot(found: FoundBox, sides: np.ndarray) -> bool:
    """An overlay's side (``sides``, :func:`static_sides`) standing where the ranked layout's
    second row would show the kill count: under the squads line the finder located (``found``),
    through at least ``SLOT_SIDE_ROWS`` of the rows its digits can take (``ROW2_DY``
    +-``ROW2_HALF`` letter heights under the line's centre), in :func:`_row2_span`. An empty slot
    seen there is no evidence of a 0: the box may be under the overlay. (A panel or a webcam whose
    top edge runs a letter height under the squads box has no side through the rows nearest the
    line, which :func:`_row2_covered` asks of one frame, and the slot was called empty.)"""
    worked = _beside(found, sides)
    sq = None if worked is None else worked.squads
    if sq is None:
        return False
    height, width = sides.shape
    top, bottom = _row2_rows(sq, nearest=False)
    y0, y1 = max(0, int(top)), min(height, int(bottom))
    x0, x1 = _row2_span(sq, width)
    if y1 - y0 < 2 or x1 - x0 < 2:
        return False
    return bool((sides[y0:y1, x0:x1].mean(axis=0) >= SLOT_SIDE_ROWS).any())


def _find_kill_box(
    hud: np.ndarray,
    prepared: _Prepared,
    loc: HudLocation,
    proposer: KillBoxProposer | None,
    *,
    template: bool,
    layout: bool,
) -> FoundBox:
    """:func:`find_kill_box` on a prepared crop and its located HUD."""
    unread = None  # the layout rules' run set aside (``layout`` false)
    if not layout and loc.kill is not None and loc.kill_box:
        unread = loc.kill
        loc = replace(loc, kill=None, kill_box=None, era=None, reason="layout_unread")
    assessed = None
    if loc.kill is not None and loc.kill.faint and proposer is not None:
        # the faint look's box, where the detector proposes one that does not overlap it: the
        # detector's stands (the faint look took the skull for a digit and a blob before it for
        # the icon, the count right of them: validation family, 720p and 1080p)
        # (a count the detector is unsure where -- spread over neighbouring cells -- disputes
        # nothing: on the validation family at 720p such a guess beside a faint "2" dropped it)
        assessed = proposer.assess(prepared.half)
        if assessed.plain is not None and not _overlapping(prepared, assessed.plain[1], loc.kill):
            loc = replace(loc, kill=None, kill_box=None, era=None, reason="faint_disputed")
    elif loc.kill is not None and _dispute_worth_asking(loc) and proposer is not None:
        assessed = proposer.assess(prepared.half)
        sure = assessed.plain
        if loc.kill.row == 0:  # the detector sure of a box elsewhere
            disputed = (
                sure is not None and sure[0] >= DISPUTE_PROB and not _overlapping(prepared, sure[1], loc.kill)
            )
        else:  # the second row: the detector sure that no count is in view
            disputed = sure is None and assessed.p_none >= NONE_SURE_PROB
        if disputed:
            loc = replace(loc, kill=None, kill_box=None, era=None, reason="layout_disputed")
    if loc.kill is not None and loc.kill_box:
        # the layout rules' run is asked what the detector's is (:func:`_snap`): an overlay's edge
        # at it -- through its digits, or stopping at them at either end -- may hide part of the
        # count (a pale webcam over the "1" of a red "21" at 720p: read as 2, validation family's
        # overlay cases). The detector and the other looks then ask the same of theirs. Only from
        # its skull on: a panel's side left of the skull hides none of the digits after it (a
        # ranked "1" in full view, wide family at 720p)
        k = loc.kill
        if _cut_by_overlay(
            prepared.img, k.x0, k.y0, k.x1, k.y1, k.digit_h, after=min(k.x0, k.icon[0] + k.icon[2])
        ):
            loc = replace(loc, kill=None, kill_box=None, era=None, reason="slot_unclear", slot_edge=True)
    if loc.kill is not None and loc.kill_box:
        if loc.kill.weak:  # the relaxed look's box: both readers must agree (a faint skull)
            # in view where a squads line is (a box beside a line ending at an overlay's edge is
            # no evidence of an in-match HUD: the kill reader says so where both readers read it)
            return _found_run(hud, loc, "layout_weak", loc.hud_visible, faint=True)
        return _found_run(hud, loc, "layout", True, faint=False)
    old, (ox, oy, sx, sy) = legacy_ref(hud)
    visible = loc.hud_visible or squads_box_visible(old)
    if proposer is not None and loc.kill_box is False:
        # an empty slot is the only evidence of a 0: the rules' verdict stands only where the
        # detector proposes no kill count anywhere in the crop and is not in doubt that none is
        # in view. (A kill-feed line taken for the squads line on a striped sky, the kill box
        # joined to the squads line's start: both had an empty slot left of them and the
        # detector's box on the count, at p_none <= 0.06; a faint "1" on a bright sky that left
        # no ink: no proposal, p_none 0.28-0.90. See EMPTY_DOUBT_PROB.)
        assessed = proposer.assess(prepared.half)
        if assessed.box is not None or assessed.p_none < EMPTY_DOUBT_PROB:
            loc = replace(loc, kill_box=None, era=None, reason="empty_disputed")
        elif loc.squads is not None and _row2_covered(prepared.img, loc.squads):
            # nor where an overlay may hide the ranked layout's second row (the rules look for its
            # box's glyphs there, and a flat webcam has none)
            loc = replace(loc, kill_box=None, era=None, reason="slot_unclear", slot_edge=True)
    if loc.kill_box is not False and template:
        # the template, row 1 only (its second-row search read other numbers as kills), unless
        # the squads line found sits on the skull's row left of it (then it is no kill box)
        skull = find_skull(old)
        if skull is not None and skull.row == 0 and SEARCH_ROWS[0][0] <= skull.x:
            ok = True
            if loc.squads is not None:
                sq, f = loc.squads, loc.scale
                cx = (ox + (skull.x + skull.w / 2.0) * sx) * f
                cy = (oy + (skull.y + skull.h / 2.0) * sy) * f
                ok = not (cx >= sq.x0 and abs(cy - (sq.y0 + sq.y1) / 2.0) <= ROW1_DY * sq.h)
            if ok:
                run = (
                    ox + (skull.x + skull.w) * sx,
                    oy + skull.y * sy,
                    ox + (skull.x + (1 + TEMPLATE_RUN_SKULLS) * skull.w) * sx,
                    oy + (skull.y + skull.h) * sy,
                )
                return FoundBox(old, skull, True, True, None, "ok", "template", run)
    # the detector's every look only where an in-match HUD is in view (the squads line by the
    # rules, or the squads box at its 2019 place): on lobby, menu and other games' crops its unsure
    # cells and second opinion are no evidence. Also where no squads line is found
    # but the usual ink holds the alive section's blob (:attr:`_Prepared.alive_blob`: a panel over the
    # label, the HUD pushed down by a banner -- a red 2019 "18" of the training family at 1080p
    # under a banner, its squads label lost in the box's stripes, read only in the likeliest cell):
    # about one keyframe in twenty outside the matches has such a blob, none had a box read
    looked = visible or (loc.reason == "no_squads_box" and prepared.alive_blob)
    # the detector's sure box alone (one forward pass, ~5 ms; no likeliest cell, no second opinion):
    # - where nothing shows an in-match HUD. A pale HUD over fine diagonal stripes loses its squads
    #   line and alive blob to the ink threshold (21:9 mostly): today's look, the selection and
    #   training families read 6 more so, none fewer, no wrong number; the held-out VOD set (with
    #   lobby, arenas and other games' spans) took 3.5 % longer, no match more
    # - where the rules found the skull but a digit's width of nothing between it and the count
    #   ("digit_lost"): only where a skull sits right before the run the box makes
    unseen = not looked and loc.kill_box is None and loc.reason != "digit_lost"
    lost = looked and loc.reason == "digit_lost"
    if proposer is not None and (unseen or lost):
        if assessed is None:
            assessed = proposer.assess(prepared.half)
        det = _not_on(_snap(prepared, loc, assessed.box), unread)
        # the skull no farther before the detector's run than the rules allow a count's first
        # digit to start after it (LOST_DIGIT_GAP): farther, the run is the digits after the one
        # the rules saw lost ("14" read as 4, its thin "1" lost to the ink threshold beside a
        # skull 0.92 digit heights before the "4": fourth held-out family at 1440x1080)
        if det is not None and (
            unseen or (det.kill is not None and _skull_before(prepared, det.kill, reach=LOST_DIGIT_GAP))
        ):
            return _found_run(hud, det, "detector", visible, faint=True)
    elif proposer is not None and looked and loc.kill_box is None and loc.reason != "digit_lost":
        full = _full_look(hud, prepared, loc, proposer, assessed, unread, visible, old)
        if full is not None:
            return full
    if loc.reason == "slot_unclear" and loc.squads is not None and not loc.slot_edge and layout:
        # last, the ink without its one-pixel strokes: the boxes' thin outlines and slanted edges
        # that a count touching them joined into one component with the whole box
        o = _opened(prepared)
        got = _locate_beside(prepared.img, prepared.f, o.st, o.ink, loc.squads, rows=(0, 1))
        if got.kill is not None:
            got = replace(got, kill=replace(got.kill, weak=True))
            return _found_run(hud, got, "layout_weak", got.hud_visible, faint=True)
    return FoundBox(old, None, visible, loc.kill_box, loc.era, loc.reason, "none")


def _full_look(
    hud: np.ndarray,
    prepared: _Prepared,
    loc: HudLocation,
    proposer: KillBoxProposer,
    assessed: Assessment | None,
    unread: KillRun | None,
    visible: bool,
    old: np.ndarray,
) -> FoundBox | None:
    """The detector's every look where an in-match HUD is in view and the rules found no kill box
    (:func:`find_kill_box`): its sure box, else the likeliest cell beside a squads line or where no
    squads line was found, an empty slot where it is sure none is in view, else its second opinion;
    None where none of them finds a box."""
    if assessed is None:
        assessed = proposer.assess(prepared.half)
    got, p_none = assessed.box, assessed.p_none
    det = _snap(prepared, loc, got)
    beside = loc.squads is not None and loc.reason == "slot_unclear"
    if (
        det is None
        and got is None
        and ((beside and (loc.slot_edge or p_none < EMPTY_NONE_PROB)) or loc.reason == "no_squads_box")
    ):
        # ink in the slot beside a squads line found, no box by the rules, none the detector
        # is sure of: the cell it finds likeliest, however unsure (ranked counts on the second
        # row and a red "18" of the validation family at 1080p had their probability there,
        # "none" winning at 0.55-0.71). A proposal like the others: _snap's checks, then a
        # number only where the kill reader's readers agree (or beside the squads line, its
        # digit path very sure). Not where the detector's "none" calls the slot empty.
        # Also where no squads line was found at all (a webcam over the squads label, the
        # squads box seen at its 2019 place: an elite "18" of the validation family at 720p),
        # there only after a skull: the likeliest cell of a 2019 HUD beside a covered squads
        # label was the spectator count, its eye before it (12 read as 3)
        det = _snap(prepared, loc, assessed.loose)
        if det is not None and loc.squads is None and not _skull_before(prepared, det.kill):
            det = None
    det = _not_on(det, unread)
    if det is not None:
        # visible stays the layout's verdict: a proposal alone is no evidence of an in-match HUD
        # (the kill reader says visible where both of its readers read a number in the box)
        return _found_run(hud, det, "detector", visible, faint=True)
    if (
        loc.reason == "slot_unclear"
        and not loc.slot_edge
        and p_none >= EMPTY_NONE_PROB
        and not (loc.squads is not None and _row2_covered(prepared.img, loc.squads))
    ):
        # the rules saw only clutter of letter size in the slot (a busy background), no straight
        # edge of an overlay over it or over the second row's, and the detector is sure no
        # kill count is in view: empty
        return FoundBox(old, None, visible, False, "modern", "empty", "detector_empty")
    # the second opinion (a detector trained with overlays over the squads box: where the
    # first saw no count beside a panel or webcam over it, validation family 720p and 4:3)
    det = _not_on(_snap(prepared, loc, proposer.second_opinion(prepared.half)), unread)
    if det is not None:
        return _found_run(hud, det, "second_opinion", visible, faint=True)
    return None
