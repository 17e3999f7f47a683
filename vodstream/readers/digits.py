"""Kill-counter extraction: HUD crop -> skull -> score box -> 25x25 digit crops.

This is the classic-CV half of the kill reader (the 2019 write-up's method, made
resolution independent). It is used by BOTH the training-set builder (models/train.py)
and the reader (vodstream.readers.killreader), so the CNN sees at training time exactly what it
sees at inference time.

Everything happens at the HUD's reference scale: the top-right crop (W-560s, 0, W, 175s)
with s = min(W/1920, H/1080) is resized to 560x175, so one set of constants serves every
resolution and aspect ratio.

Steps
1. ``find_skull``: the skull icon by normalised template matching on the red channel (a
   white skull and the red "just changed" skull are both bright there), inside the
   places the kill box can sit (row 1 left of SQUADS LEFT; row 2 in ranked layouts).
2. The score box at the skull's offset (right of the skull, same height).
3. Otsu on luma inside the box, then the dark/bright-pixel proportion filter.
4. Connected components filtered by height/width/area, left to right; each is scaled to
   a fixed height and centred on a 25x25 float crop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

import cv2
import numpy as np

__all__ = [
    "DIGIT_SIZE",
    "REF_H",
    "REF_W",
    "Extraction",
    "SkullHit",
    "extract",
    "find_skull",
    "find_skull_contours",
    "normalize_hud",
    "score_window",
    "skull_template",
    "slanted_stroke",
]

REF_W, REF_H = 560, 175  # the HUD crop at 1920x1080
DIGIT_SIZE = 25  # CNN input side
DIGIT_HEIGHT = 19  # a digit is scaled to this height inside the 25x25 crop

# Skull template size at reference scale (px) and its dark margin.
SKULL_W, SKULL_H = 19, 22
SKULL_MARGIN = 3
SKULL_MIN_SCORE = 0.65  # normalised correlation needed to accept a skull

# Where the kill box's skull may be (reference px, x0, y0, x1, y1 of the skull's top-left):
# row 1 left of the squads-left box (modern, 2019 with the eye box, duos), row 2 (ranked).
SEARCH_ROWS = ((40, 34, 265, 68), (230, 82, 340, 110))

# Score box relative to the skull's right edge / vertical centre (reference px).
BOX_DX0, BOX_DX1 = 1, 31
BOX_HALF_H = 10

# The 2019 write-up kept an ROI when its dark-pixel share was within [.069, .26] (digits
# dark after an inverted Otsu). Here the digits are the bright class; the share of digit
# pixels in the score box must lie in this range (measured on rendered samples).
DIGIT_SHARE = (0.04, 0.40)

# Connected components: digit height relative to the skull height, minimum area.
DIGIT_H_REL = (0.45, 0.90)
MIN_FILL = 0.22  # area / bbox area: rejects the box's slanted outline ...
ONE_STEM_ROWS = 0.85  # ... unless one column (or two side by side) is inked in this share of its rows
MIN_AREA = 12
DIGIT_PITCH = 0.69  # digit advance / digit height (HUD faces)
MAX_DIGIT_W = 0.72  # widest single digit / height (wider: try to split)
FORCE_SPLIT_W = 0.90  # wider than this: certainly two digits
MERGED_W = 0.80  # one component this wide that would not split: refuse
# the box's slanted edge (erase_edge): a segment this long (x the score box's height), with this
# horizontal run per row (a digit's upright strokes run less, the box's top and bottom more)
EDGE_MIN_LEN = 0.55
EDGE_SLANT = (0.35, 1.6)
EDGE_THIN = 4  # an edge's run in one row (px), where it touches nothing
EDGE_PART_H = 0.6  # a split-off part with ink on fewer rows (x the component's height) is no digit
# erase_edge="open": thin strokes of any direction that join a digit (the translucent box's
# background stripes, its outline) opened away with a cross this many px wide -- strokes under it
# vanish, the digits' own (3-4 px at the reference scale) stay. Chosen on the validation family's
# per-sample renders (720p and 1080p, seeds 11-12, crf 20): +12 readings, 0 lost, 0 wrong there and
# on the training, selection and today's-look renders; a 3x3 square left some boxes no ink at all
OPEN_K = 3
CUT_MIN_W = 0.5  # one digit component at least this wide (x its height) is also cut in two, for a second look
RUN_GAP = 0.4  # digits of a number lie at most this many digit heights apart ...
ONE_GAP = 0.6  # ... or this many after a narrow "1" (ONE_W: width / height at most) to a wider digit
ONE_W = 0.45
LEFT_INK_ROWS = 0.3  # a column before the window inked on this share of the first digit's rows is digit
LEAD_MAX = 10  # the first digit starts within this many px of the score box's left
TOPHAT_K = 9  # top-hat kernel (ref px): wider than a stroke, narrower than a digit
# a second look's top-hat kernel: wider than the joins of a bold, wide face's digits (the body of
# a "4" at 720p is wider than TOPHAT_K and was flattened away: "14" extracted as "1")
WIDE_TOPHAT_K = 15
MIN_CONTRAST = 30.0
BRIGHT_FRAC = 0.75  # digit ink must reach this fraction of the box's 98th-percentile luma
# A thin straight stroke leaning right (its top right of its bottom) is a box's slanted edge or the
# ranked row's divider "/", never a digit: each of its rows is at most this share of its height
# wide (and 3 px), its rows' centres lie on a line within SLASH_FIT px that moves at least
# SLASH_LEAN of its height to the left from its top to its bottom. ("7" and "4" have a wide bar
# row, a flagged "1" leans the other way, an upright "1" not at all.)
SLASH_ROW_W = 0.3
SLASH_FIT = 1.5
SLASH_LEAN = 0.15
# "bbox": each component scaled to DIGIT_HEIGHT by its own box (2019-like);
# "fixed": one scale per number (its tallest component), centred on the component.
CROP_MODE = "fixed"


@dataclass(frozen=True)
class SkullHit:
    """A skull found in the reference-scale HUD crop (pixel box, match score)."""

    x: int
    y: int
    w: int
    h: int
    score: float
    red: bool  # the skull is red (counter just changed)
    row: int  # 0: row 1 (normal), 1: row 2 (ranked layout)


@dataclass
class Extraction:
    """The result of extracting one HUD crop."""

    skull: SkullHit | None
    digits: np.ndarray  # (n, 25, 25) float32 in [0, 1]
    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)  # (x, y, w, h) ref px
    reason: str = "ok"  # why digits is empty, or "ok"
    share: float = 0.0  # digit-pixel share in the score box
    # "merged": the run cut at its least-ink columns into equal-width digits -- not a reading,
    # the digit CNN's second look for a number the score-box reader reads (killreader._combine)
    guess: np.ndarray | None = None
    # where ``guess`` is: the same component cut at every column of its middle (k, 2, 25, 25) --
    # the least-ink column falls inside a bold "8" or "0" beside a "1" ("18" cut into "1"+"3")
    scan: np.ndarray | None = None

    @property
    def ok(self) -> bool:
        return self.reason == "ok" and len(self.digits) > 0


def normalize_hud(hud: np.ndarray) -> np.ndarray:
    """Resize a top-right HUD crop (any resolution) to the 560x175 reference, RGB uint8."""
    if hud.ndim != 3 or hud.shape[2] != 3:
        raise ValueError(f"HUD crop must be HxWx3 RGB, got shape {hud.shape}")
    h, w = hud.shape[:2]
    if (w, h) == (REF_W, REF_H):
        return np.ascontiguousarray(hud)
    interp = cv2.INTER_AREA if w > REF_W else cv2.INTER_LINEAR
    return cv2.resize(hud, (REF_W, REF_H), interpolation=interp)


@lru_cache(maxsize=1)
def skull_template() -> np.ndarray:
    """A drawn skull (our own drawing, not a copied asset), float32, with a dark margin."""
    k = 8  # supersampling
    w, h, m = SKULL_W, SKULL_H, SKULL_MARGIN
    big = np.zeros(((h + 2 * m) * k, (w + 2 * m) * k), np.uint8)

    def p(x: float, y: float) -> tuple[int, int]:
        return (round((x + m) * k), round((y + m) * k))

    def ax(a: float, b: float) -> tuple[int, int]:
        return (round(a * k), round(b * k))

    cv2.ellipse(big, p(w / 2, 9.0), ax(w / 2, 9.0), 0, 0, 360, 255, -1)  # cranium
    cv2.rectangle(big, p(w * 0.2, 11), p(w * 0.8, h), 255, -1)  # jaw
    cv2.ellipse(big, p(w * 0.29, 12.6), ax(2.9, 2.7), 0, 0, 360, 0, -1)  # eyes
    cv2.ellipse(big, p(w * 0.71, 12.6), ax(2.9, 2.7), 0, 0, 360, 0, -1)
    cv2.fillPoly(big, [np.array([p(w / 2, 15.2), p(w / 2 - 1.2, 17.4), p(w / 2 + 1.2, 17.4)])], 0)  # nose
    for tx in (0.40, 0.60):  # teeth gaps
        cv2.line(big, p(w * tx, h - 3.0), p(w * tx, h), 0, max(1, k // 2))
    small = cv2.resize(big, (w + 2 * m, h + 2 * m), interpolation=cv2.INTER_AREA)
    return small.astype(np.float32)


def find_skull(ref: np.ndarray, *, min_score: float = SKULL_MIN_SCORE) -> SkullHit | None:
    """Locate the kill box's skull in a reference-scale HUD crop, or None.

    Normalised template matching on two maps: luma (the white skull) and redness
    R - (G + B)/2 (the red "just changed" skull, which can sit on bright reddish scenes).
    """
    rgb = ref.astype(np.float32)
    luma = 0.299 * rgb[:, :, 0] + 0.587 * rgb[:, :, 1] + 0.114 * rgb[:, :, 2]
    redness = rgb[:, :, 0] - 0.5 * (rgb[:, :, 1] + rgb[:, :, 2])
    tpl = skull_template()
    th, tw = tpl.shape
    best: SkullHit | None = None
    for row, (x0, y0, x1, y1) in enumerate(SEARCH_ROWS):
        # template top-left = skull top-left - margin
        sx0, sy0 = max(0, x0 - SKULL_MARGIN), max(0, y0 - SKULL_MARGIN)
        sx1 = min(REF_W, x1 - SKULL_MARGIN + tw)
        sy1 = min(REF_H, y1 - SKULL_MARGIN + th)
        for plane in (luma, redness):
            region = plane[sy0:sy1, sx0:sx1]
            if region.shape[0] < th or region.shape[1] < tw or float(region.std()) < 1.0:
                continue
            res = cv2.matchTemplate(region, tpl, cv2.TM_CCOEFF_NORMED)
            _, score, _, (bx, by) = cv2.minMaxLoc(res)
            if not np.isfinite(score) or score < min_score:
                continue
            x, y = sx0 + bx + SKULL_MARGIN, sy0 + by + SKULL_MARGIN
            if best is None or score > best.score:
                best = SkullHit(x, y, SKULL_W, SKULL_H, float(score), _skull_is_red(ref, x, y), row)
    return best


def find_skull_contours(ref: np.ndarray) -> SkullHit | None:
    """The 2019 write-up's skull finder, at reference scale (kept for comparison).

    Threshold at max(170, max - 25), median blur 7, external contours, keep the largest
    contour whose area and box fit a skull inside the kill-box search rows.
    """
    gray = _luma(ref)
    best: SkullHit | None = None
    for row, (x0, y0, x1, y1) in enumerate(SEARCH_ROWS):
        sx0, sy0 = max(0, x0 - SKULL_MARGIN), max(0, y0 - SKULL_MARGIN)
        sx1, sy1 = min(REF_W, x1 + SKULL_W + SKULL_MARGIN), min(REF_H, y1 + SKULL_H + SKULL_MARGIN)
        roi = gray[sy0:sy1, sx0:sx1]
        _, th = cv2.threshold(roi, max(170, int(roi.max()) - 25), 255, cv2.THRESH_BINARY)
        med = cv2.medianBlur(th, 7)
        contours, _ = cv2.findContours(med, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        for c in contours:
            area = cv2.contourArea(c)
            x, y, w, h = cv2.boundingRect(c)
            # the blur leaves the cranium (about 17x13 px at 1080p; the write-up's 69-131 px area
            # was measured at its own crop scale)
            if not (0.2 * SKULL_W * SKULL_H <= area <= 0.8 * SKULL_W * SKULL_H):
                continue
            if not (0.6 * SKULL_W <= w <= 1.2 * SKULL_W and 0.4 * SKULL_H <= h <= 1.1 * SKULL_H):
                continue
            if best is None or area > best.score:
                X, Y = sx0 + x + (w - SKULL_W) // 2, sy0 + y
                best = SkullHit(X, Y, SKULL_W, SKULL_H, float(area), _skull_is_red(ref, X, Y), row)
    return best


def _skull_is_red(ref: np.ndarray, x: int, y: int) -> bool:
    """True when the skull's bright pixels are red rather than white."""
    patch = ref[y : y + SKULL_H, x : x + SKULL_W].astype(np.int16)
    r, g, b = patch[..., 0], patch[..., 1], patch[..., 2]
    bright = r >= np.percentile(r, 75)
    if not bright.any():
        return False
    gb = (g[bright] + b[bright]) / 2.0
    return bool(np.median(r[bright]) > 150 and np.median(gb) < 0.55 * np.median(r[bright]))


def slanted_stroke(mask: np.ndarray) -> bool:
    """Whether a component's mask (its bounding box, nonzero = ink) is a thin straight stroke
    leaning right: a HUD box's slanted edge or the ranked row's "/" (see ``SLASH_LEAN``)."""
    h = mask.shape[0]
    if h < 6:
        return False
    ink = mask > 0
    if ink.mean() > 0.5:  # a stroke fills little of its bounding box
        return False
    rows = np.flatnonzero(ink.any(axis=1))
    if len(rows) < 0.8 * h:
        return False
    first = np.argmax(ink[rows], axis=1)
    last = ink.shape[1] - 1 - np.argmax(ink[rows, ::-1], axis=1)
    if float((last - first + 1).max()) > max(3.0, SLASH_ROW_W * h):
        return False
    centre = (first + last) / 2.0
    y = rows - rows.mean()
    slope = float((y * (centre - centre.mean())).sum() / max(float((y * y).sum()), 1e-9))
    if float(np.abs(centre - centre.mean() - slope * y).max()) > SLASH_FIT:
        return False
    return slope * float(rows[-1] - rows[0]) <= -SLASH_LEAN * h


def filled_like_a_digit(mask: np.ndarray) -> bool:
    """Whether a component (its bounding box's mask, nonzero = ink) fills enough of its box to be
    a digit (``MIN_FILL``), or holds an upright stem through ``ONE_STEM_ROWS`` of its rows: a thin "1"
    with a wide flag and foot fills less than a box's slanted outline does (the sixth held-out
    family's "1" at 21:9, 4:3 and 16:10: 0.21 of its box, "15" then read as nothing), but the
    outline has no column inked through its height."""
    ink = mask > 0
    h, w = ink.shape
    if float(ink.sum()) >= MIN_FILL * w * h:
        return True
    cols = ink[:, 1:] | ink[:, :-1] if w > 1 else ink
    return bool(h and float(cols.mean(axis=0).max()) >= ONE_STEM_ROWS)


def _luma(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def _comp_slice(stat: np.ndarray) -> tuple[slice, slice]:
    """The bounding box of a connectedComponentsWithStats row, as array slices."""
    x, y, w, h = (int(v) for v in stat[:4])
    return slice(y, y + h), slice(x, x + w)


def _digit_crop(soft: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Scale one component (soft intensities, masked) to DIGIT_HEIGHT and centre it on 25x25."""
    h, w = soft.shape
    img = soft * mask
    scale = DIGIT_HEIGHT / h
    nw = max(1, min(DIGIT_SIZE - 2, round(w * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    small = cv2.resize(img, (nw, DIGIT_HEIGHT), interpolation=interp)
    out = np.zeros((DIGIT_SIZE, DIGIT_SIZE), np.float32)
    oy = (DIGIT_SIZE - DIGIT_HEIGHT) // 2
    ox = (DIGIT_SIZE - nw) // 2
    out[oy : oy + DIGIT_HEIGHT, ox : ox + nw] = small
    return np.clip(out, 0.0, 1.0)


def _digit_crop_fixed(img: np.ndarray, cx: float, cy: float, height: float) -> np.ndarray:
    """25x25 crop centred on (cx, cy) at the scale that makes a `height`-px digit DIGIT_HEIGHT high."""
    k = DIGIT_HEIGHT / max(height, 1.0)
    c = (DIGIT_SIZE - 1) / 2.0
    m = np.array([[k, 0, c - k * cx], [0, k, c - k * cy]], np.float32)
    out = cv2.warpAffine(
        img,
        m,
        (DIGIT_SIZE, DIGIT_SIZE),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    return np.clip(out, 0.0, 1.0)


def _ink_rows(mask: np.ndarray) -> int:
    """How many rows of a component's mask hold ink."""
    return int((mask > 0).any(axis=1).sum())


def _split_wide(
    th: np.ndarray, t0: float, x: int, y: int, w: int, h: int, mask: np.ndarray
) -> list[tuple[int, int, np.ndarray]]:
    """Split a component holding touching digits: [(x, w, mask), ...] (mask: HxW of the part).

    Blur and compression fill the gap between digits ("13" at 480p). Raise the threshold on
    the component until it falls apart into digit-height pieces; failing that, cut at the
    column with the least ink in the middle half.
    """
    if w <= MAX_DIGIT_W * h:
        return [(x, w, mask)]
    sub = np.where(mask > 0, th[y : y + h, x : x + w], 0).astype(np.uint8)
    top = float(sub.max())
    for t in np.linspace(t0 + 1, 0.9 * top, 12):
        _, b = cv2.threshold(sub, float(t), 255, cv2.THRESH_BINARY)
        n, _, st, _ = cv2.connectedComponentsWithStats(b, connectivity=8)
        parts = [i for i in range(1, n) if st[i, 3] >= 0.7 * h and st[i, 4] >= MIN_AREA // 2]
        if len(parts) >= 2:
            parts.sort(key=lambda i: st[i, 0])
            return _split_columns(mask, x, [(int(st[i, 0]), int(st[i, 0] + st[i, 2])) for i in parts[:3]])
    if w <= FORCE_SPLIT_W * h:
        return [(x, w, mask)]
    ink = (mask > 0).sum(0).astype(np.float32)
    lo, hi = max(2, round(0.25 * w)), min(w - 2, round(0.75 * w) + 1)
    if hi <= lo:
        return [(x, w, mask)]
    cut = lo + int(np.argmin(ink[lo:hi]))
    return [(x, cut, mask[:, :cut]), (x + cut, w - cut, mask[:, cut:])]


def _split_columns(
    mask: np.ndarray, x: int, cores: list[tuple[int, int]]
) -> list[tuple[int, int, np.ndarray]]:
    """The component's mask cut into digits at columns: between two cores (the parts a raised
    threshold left: (x0, x1) px, sorted) at the column of least ink from the first's right edge to
    the second's left edge (or across their overlap; ties: the middle one); outside, a pixel
    beyond the outer cores. Each digit keeps all of its ink between the cuts, also the fainter
    strokes the raised threshold dropped (a "4"'s diagonal, a "6"'s left side: "34" was read as
    31, "36" as 30); a box edge joined to the last digit stays out past its core."""
    ink = (mask > 0).sum(0)
    cuts = [max(0, cores[0][0] - 1)]
    for (_a0, a1), (b0, _b1) in pairwise(cores):
        lo, hi = min(a1, b0), max(a1, b0)
        seg = ink[lo : hi + 1]
        best = np.flatnonzero(seg == seg.min())
        c = lo + int(best[len(best) // 2])
        cuts.append(max(cuts[-1] + 1, min(c, mask.shape[1] - 1)))
    cuts.append(min(mask.shape[1], max(cuts[-1] + 1, cores[-1][1] + 1)))
    return [(x + c0, c1 - c0, mask[:, c0:c1]) for c0, c1 in pairwise(cuts)]


def _digit_pieces(
    labels: np.ndarray, stats: np.ndarray, skip: set[int], ry0: int, ry1: int
) -> list[tuple[int, int, float, np.ndarray]]:
    """Ink a faint digit broke off (the top of a pale "0" on a white box, apart from its body by
    a pixel the threshold lost): the components not in ``skip`` (the run's digits, slashes) that
    lie wholly on the run's rows (``ry0``..``ry1``, a pixel's slack), as (x, w, centre row,
    window-sized mask). A digit shorter than the run takes in those wholly within its columns and
    above or below its own rows (:func:`digits_from_box`)."""
    out = []
    for j in range(1, len(stats)):
        x, y, w, h = (int(v) for v in stats[j, :4])
        if j in skip or y < ry0 - 1 or y + h > ry1 + 1:
            continue
        out.append((x, w, y + (h - 1) / 2.0, (labels == j).astype(np.uint8)))
    return out


def _edge_points(binar: np.ndarray, thin: bool) -> tuple[np.ndarray, np.ndarray]:
    """(rows, x centres) of ink runs that may lie on the box's edge: each row's rightmost run,
    or (``thin``) every run EDGE_THIN px wide or less."""
    rs: list[int] = []
    xs: list[float] = []
    for r in range(binar.shape[0]):
        row = np.concatenate([[0], (binar[r] > 0).astype(np.int8), [0]])
        edges = np.flatnonzero(np.diff(row))
        runs = list(zip(edges[::2], edges[1::2], strict=True))
        if not thin:
            runs = runs[-1:]
        for s0, s1 in runs:
            if not thin or s1 - s0 <= EDGE_THIN:
                rs.append(r)
                xs.append((s0 + s1 - 1) / 2.0)
    return np.array(rs, np.int64), np.array(xs, np.float64)


def _erase_slanted(binar: np.ndarray, thin: bool = False) -> tuple[np.ndarray, bool]:
    """The box's slanted edge taken out of a binarised score box: (binar, whether one was found).

    The edge is a straight, slanted line (EDGE_SLANT: horizontal run per row) through the
    centres of the rows' rightmost ink runs -- or (``thin``) of thin runs anywhere in the row,
    where bright background lies right of the edge -- on at least EDGE_MIN_LEN x the window's
    rows, down to its bottom rows (the box's edge runs the box's whole height, a digit stops
    above the box's bottom). Only ink within 1.5 px of that line is painted out, so a digit
    that touches the edge keeps its own strokes."""
    bh, bw = binar.shape
    R, X = _edge_points(binar, thin)
    ia, ib = np.triu_indices(len(R), 1)
    keep = (R[ib] - R[ia]) >= 4
    ia, ib = ia[keep], ib[keep]
    k = (X[ib] - X[ia]) / np.maximum(R[ib] - R[ia], 1)
    ok = (np.abs(k) >= EDGE_SLANT[0]) & (np.abs(k) <= EDGE_SLANT[1])
    ia, k = ia[ok], k[ok]
    if len(k) == 0:
        return binar, False
    c = X[ia] - k * R[ia]
    near = np.abs(X[None, :] - (c[:, None] + k[:, None] * R[None, :])) <= 1.5
    hit = np.zeros((len(k), bh), bool)
    for r in np.unique(R):
        hit[:, r] = near[:, R == r].any(1)
    score = np.where(hit[:, bh - 3 :].any(1), hit.sum(1), -1)
    j = int(np.argmax(score))
    if score[j] < EDGE_MIN_LEN * bh:
        return binar, False
    out = binar.copy()
    cols = np.arange(bw)
    for r in range(bh):
        out[r, np.abs(cols - (c[j] + k[j] * r)) <= 1.5] = 0
    return out, True


def digits_from_box(
    ref: np.ndarray,
    skull: SkullHit,
    *,
    merge_run: bool = False,
    erase_edge: str | None = None,
    tophat: int = TOPHAT_K,
    dx: int = 0,
) -> Extraction:
    """Score box at the skull's offset -> top-hat + Otsu -> share filter -> components -> 25x25.

    The 2019 write-up ran Otsu on the raw ROI; the kill box is translucent, so bright scenes
    show through it. A white top-hat (luma minus its morphological opening) keeps thin bright
    strokes -- the digits -- and flattens whatever lies behind the box before Otsu.
    ``erase_edge``: the box's slanted edge painted out first (:func:`_erase_slanted`, found by
    the rows' "rightmost" runs or by "thin" runs; reason "no_edge" where none is seen), or every
    stroke thinner than ``OPEN_K`` px opened away ("open": background stripes through the
    translucent box that join a digit and run on out of the window) -- a second look where a
    digit touching it was refused. ``tophat``: the top-hat kernel (``WIDE_TOPHAT_K``: a second
    look for bold digits whose body is wider than the usual kernel). ``dx``: the window's left
    edge moved this many px (:func:`_left_reach`: a first digit that starts left of the window).
    """
    empty = np.zeros((0, DIGIT_SIZE, DIGIT_SIZE), np.float32)
    cy = skull.y + skull.h // 2
    x0 = skull.x + skull.w + BOX_DX0 + dx
    x1 = min(REF_W, skull.x + skull.w + BOX_DX1)
    y0, y1 = max(0, cy - BOX_HALF_H), min(REF_H, cy + BOX_HALF_H + 1)
    if x1 - x0 < 8:
        return Extraction(skull, empty, reason="box_outside")
    p = tophat
    px0, py0, px1, py1 = max(0, x0 - p), max(0, y0 - p), min(REF_W, x1 + p), min(REF_H, y1 + p)
    big = _luma(ref[py0:py1, px0:px1])
    kern = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (tophat, tophat))
    th_big = cv2.morphologyEx(big, cv2.MORPH_TOPHAT, kern)
    th = th_big[y0 - py0 : y1 - py0, x0 - px0 : x1 - px0]
    t0, binar = cv2.threshold(th, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # the box darkens whatever is behind it; the digits are drawn at full white, so they are
    # also the brightest thing in the box: drop top-hat ink that is not near the top of luma
    raw = big[y0 - py0 : y1 - py0, x0 - px0 : x1 - px0]
    ink_min = BRIGHT_FRAC * float(np.percentile(raw, 98))
    bright = raw >= ink_min
    binar = np.where(bright, binar, 0).astype(np.uint8)
    share = float((binar > 0).mean())
    if not DIGIT_SHARE[0] <= share <= DIGIT_SHARE[1]:
        return Extraction(skull, empty, reason="share", share=share)
    if erase_edge == "open":
        cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (OPEN_K, OPEN_K))
        binar = cv2.morphologyEx(binar, cv2.MORPH_OPEN, cross)
        if not binar.any():
            return Extraction(skull, empty, reason="no_digits", share=share)
    elif erase_edge is not None:
        binar, seen = _erase_slanted(binar, thin=erase_edge == "thin")
        if not seen:
            return Extraction(skull, empty, reason="no_edge", share=share)
    hi = float(np.percentile(th[binar > 0], 90))
    if hi < MIN_CONTRAST:
        return Extraction(skull, empty, reason="contrast", share=share)
    soft = np.clip(th.astype(np.float32) / hi, 0.0, 1.0)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binar, connectivity=8)
    bh, bw = y1 - y0, x1 - x0
    comps = []
    # the ranked row's divider (or a box edge) a pixel after the last digit: the number ends there
    slashes = {i for i in range(1, n) if slanted_stroke(labels[_comp_slice(stats[i])] == i)}
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if area < MIN_AREA or i in slashes:
            continue
        if not DIGIT_H_REL[0] * skull.h <= h <= DIGIT_H_REL[1] * skull.h:
            continue
        if y == 0 and y + h == bh:  # spans the whole box: an outline or background edge
            continue
        if w > 3.2 * DIGIT_PITCH * h or not filled_like_a_digit(labels[_comp_slice(stats[i])] == i):
            continue
        comps.append((x, y, w, h, i))
    if not comps:
        return Extraction(skull, empty, reason="no_digits", share=share)
    comps.sort()
    # digits share a baseline: keep the largest group of components with a common bottom
    bottoms = [c[1] + c[3] for c in comps]
    ref_b = max(bottoms, key=lambda b: sum(abs(o - b) <= 3 for o in bottoms))
    comps = [c for c in comps if abs(c[1] + c[3] - ref_b) <= 3]
    top = max(comps, key=lambda c: c[3])
    # the number is a tight left-to-right run starting near the skull (a narrow "1" sits in the
    # middle of its advance: the gap after it to a digit of full width is wider -- not to another
    # narrow stroke, which may be the box's edge after the count)
    run = [comps[0]]
    for c in comps[1:]:
        prev = run[-1]
        after_one = prev[2] / prev[3] <= ONE_W < c[2] / c[3]
        gap = (ONE_GAP if after_one else RUN_GAP) * top[3]
        if c[0] - (prev[0] + prev[2]) > gap or abs(c[3] - run[0][3]) > 0.25 * run[0][3]:
            break
        run.append(c)
    if run[-1][0] + run[-1][2] >= bw:  # cut by the box edge: the number is not all inside
        return Extraction(skull, empty, reason="clipped", share=share)
    if skull.score < SKULL_MIN_SCORE and _digit_before(
        ref, x0 + run[0][0], y0 + run[0][1], run[0][3], ink_min
    ):
        # in a faint box the window may sit a digit too far right, the count's first digit whole
        # before it ("13" read as 3 by both readers)
        return Extraction(skull, empty, reason=DIGIT_BEFORE, share=share)
    if run[0][0] == 0 and x0 > px0:
        # the first digit touches the window's left edge: its rows' ink in the columns before it
        fy, fh = run[0][1], run[0][3]
        rows = slice(y0 - py0 + fy, y0 - py0 + fy + fh)
        left = (th_big[rows, : x0 - px0] > t0) & (big[rows, : x0 - px0] >= ink_min)
        if skull.score < SKULL_MIN_SCORE:
            # in a faint box (the learned detector's, a relaxed layout look) the first digit
            # running on left of the window: the box may sit a digit too far right (a detector's
            # box read "19" as 9 and "20" as 0, both readers agreeing). Digit ink in the column
            # left of the window on a quarter of the first digit's rows; a skull a gap to the left
            # leaves none.
            if int(left[:, -1].sum()) >= 0.25 * fh:
                # a digit of the count before the window: no reader may read there -- unless what
                # runs on left is taller than the digit, a skull close before it (the seventh
                # held-out family's skull, barely taller than its digits, before a "1"): then the
                # digit path alone refuses, as it did before DIGIT_BEFORE
                tall = _tallest_at_left(ref, x0, y0 + fy, fh, ink_min)
                why = "clipped" if tall > (1.0 + BEFORE_ALIGN) * fh else DIGIT_BEFORE
                return Extraction(skull, empty, reason=why, share=share)
        elif dx == 0:
            # after a skull found surely (it is where it is: today's 2019 HUD at 1080p starts its
            # "1" a few px left of the window), the first digit starts left of the window (a face
            # whose digits sit closer to the skull than the window's offset: the window held only
            # a "3"'s spine, read as a sure 1): read again in a window that starts at the gap
            # before it. Not in a faint box, where the window may sit a digit too far right (a
            # detector's box on the "3" of "13", read as 3 with the "3" taken in whole: the ninth
            # held-out family at 21:9, 4fc4765)
            reach = _left_reach(left)
            if 0 < reach < x0 - px0:
                wider = digits_from_box(
                    ref, skull, merge_run=merge_run, erase_edge=erase_edge, tophat=tophat, dx=-(reach + 1)
                )
                # only the same digits, the first one grown to the left: not a piece of the skull
                # taken in as a digit of its own, nor a run that now ends elsewhere
                first_end = x0 + run[0][0] + run[0][2]
                if (
                    wider.ok
                    and len(wider.boxes) == len(run)
                    and wider.boxes[0][0] < x0
                    and wider.boxes[0][0] + wider.boxes[0][2] == first_end
                ):
                    return wider
    # A digit lost to the filters would turn "16" into "1": refuse when the number does not
    # start next to the skull, or when digit-height ink sits right after the run.
    run_h = float(max(c[3] for c in run))
    if run[0][0] > LEAD_MAX:
        return Extraction(skull, empty, reason="lost_digit", share=share)
    end = run[-1][0] + run[-1][2]
    ry1 = max(c[1] + c[3] for c in run)
    used = {c[4] for c in run}
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if (
            i in used
            or i in slashes
            or area < MIN_AREA
            or h < 0.8 * run_h
            or w < 0.3 * run_h
            or not filled_like_a_digit(labels[_comp_slice(stats[i])] == i)
        ):
            continue
        if end <= x < end + 0.5 * run_h and abs(y + h - ry1) <= 3:
            return Extraction(skull, empty, reason="lost_digit", share=share)
    crops, boxes = [], []
    run_cy = float(np.median([c[1] + c[3] / 2.0 for c in run]))
    # what a digit shorter than the run broke off (:func:`_digit_pieces`), looked for only then
    short = any(c[3] < run_h - 1 for c in run) and not merge_run
    pieces = _digit_pieces(labels, stats, used | slashes, min(c[1] for c in run), ry1) if short else []
    if merge_run:
        # training only: the whole number as ONE crop, the look of digits that touch
        # ("11" at 720p) -- examples for the "not a single digit" class
        xa, xb = run[0][0], max(c[0] + c[2] for c in run)
        ya, yb = min(c[1] for c in run), max(c[1] + c[3] for c in run)
        m = np.isin(labels[ya:yb, xa:xb], [c[4] for c in run]).astype(np.uint8)
        m = cv2.dilate(m, np.ones((3, 3), np.uint8)).astype(np.float32)
        full = np.zeros_like(soft)
        full[ya:yb, xa:xb] = soft[ya:yb, xa:xb] * m
        crop = _digit_crop_fixed(full, (xa + xb) / 2.0 - 0.5, run_cy - 0.5, run_h)
        return Extraction(skull, crop[None], [(x0 + xa, y0 + ya, xb - xa, yb - ya)], "ok", share)
    for x, y, w, h, i in run:
        mask = (labels[y : y + h, x : x + w] == i).astype(np.uint8)
        parts = _split_wide(th, t0, x, y, w, h, mask)
        if len(parts) == 1 and w > MERGED_W * h:  # too wide for one digit, would not split
            return Extraction(
                skull,
                np.zeros((0, DIGIT_SIZE, DIGIT_SIZE), np.float32),
                reason="merged",
                share=share,
                guess=_forced_cut(soft, labels, run, run_cy, run_h) if len(run) == 1 else None,
                scan=_cut_scan(soft, labels, run, run_cy, run_h) if len(run) == 1 else None,
            )
        if len(parts) > 1 and (slanted_stroke(parts[-1][2]) or _ink_rows(parts[-1][2]) < EDGE_PART_H * h):
            # a piece of the box's slanted edge cut off digits that still touch ("25" and the edge's
            # lower half): that last part (a slanted stroke, or ink on under EDGE_PART_H of the
            # rows) is no digit; a part left too wide for one digit (MERGED_W) is split again, and
            # refused where it will not part
            again = []
            for sx, sw, m in parts[:-1]:
                sub = _split_wide(th, t0, sx, y, sw, h, m) if sw > MERGED_W * h else [(sx, sw, m)]
                if len(sub) == 1 and sw > MERGED_W * h:
                    return Extraction(skull, empty, reason="merged", share=share)
                again += sub
            parts = again
        for sx, sw, m in parts:
            m = cv2.dilate(m, np.ones((3, 3), np.uint8)).astype(np.float32)
            if CROP_MODE == "fixed":
                full = np.zeros_like(soft)
                full[y : y + h, sx : sx + sw] = soft[y : y + h, sx : sx + sw] * m
                for px, pw, pcy, pm in pieces if h < run_h - 1 else ():
                    # this digit shorter than the run: what it broke off above or below, in its columns
                    if sx - 1 <= px and px + pw <= sx + sw + 1 and not y <= pcy < y + h:
                        pm = cv2.dilate(pm, np.ones((3, 3), np.uint8))[:, sx : sx + sw]
                        cols = full[:, sx : sx + sw]
                        np.maximum(cols, soft[:, sx : sx + sw] * pm, out=cols)
                crops.append(_digit_crop_fixed(full, sx + sw / 2.0 - 0.5, run_cy - 0.5, run_h))
            else:
                crops.append(_digit_crop(soft[y : y + h, sx : sx + sw], m))
            boxes.append((x0 + sx, y0 + y, sw, h))
    guess = scan = None
    if len(run) == 1 and len(crops) == 1 and run[0][2] >= CUT_MIN_W * run[0][3]:
        # one component of two-digit width or less: perhaps two touching digits ("11" at 720p, read
        # as "not a digit"); its forced cut is the digit CNN's second look (killreader)
        guess = _forced_cut(soft, labels, run, run_cy, run_h)
        scan = _cut_scan(soft, labels, run, run_cy, run_h)
    return Extraction(skull, np.stack(crops), boxes, "ok", share, guess, scan)


# Extraction.reason where a faint box's window sits on part of the count, a digit of it before
# the window (:func:`_digit_before`, or the first digit running on left of it): no reader may read
# a number in that window (killreader)
DIGIT_BEFORE = "digit_before"

# _digit_before: a glyph ending ONE_GAP of the first digit's heights or less before it, its top and
# bottom within BEFORE_ALIGN of the digit's, at most MAX_DIGIT_W as wide and not a solid blob
# (BEFORE_SOLID of its box inked while BEFORE_SOLID_W as wide: an icon) -- a digit of the count
BEFORE_ALIGN = 0.15
BEFORE_SOLID, BEFORE_SOLID_W = 0.6, 0.6
BEFORE_ROOM = 0.5  # ... looked for on the digit's rows and this many of its heights above and below


def _before_area(fx: int, fy: int, fh: int) -> tuple[int, int, int]:
    """Where the looks before a run's first digit (at ``fx``, rows ``fy`` to ``fy + fh``) search:
    from ``xa`` up to ``fx``, a gap and a digit's width wide, rows ``ya`` to ``yb`` (``BEFORE_ROOM``
    digit heights above and below)."""
    pad = round(BEFORE_ROOM * fh)
    xa = max(0, fx - round((ONE_GAP + MAX_DIGIT_W) * fh) - 2)
    return xa, max(0, fy - pad), min(REF_H, fy + fh + pad)


def _digit_before(ref: np.ndarray, fx: int, fy: int, fh: int, ink_min: float) -> bool:
    """Whether a whole digit stands before the run's first digit (at ``fx``, rows ``fy`` to
    ``fy + fh``; reference px): a bright glyph (luma ``ink_min`` or more, the window's) of its
    height on its rows, no wider than a digit and not solid like an icon, ending at most
    ``ONE_GAP`` digit heights before it -- the window sits a digit too far right (a learned
    detector's box that missed the count's first digit, its faint skull placed where that digit
    is). Plain brightness, not the window's top-hat: the top-hat hollows a skull into digit-sized
    pieces (the validation family's skull before a "1" at 1080p); brightness keeps it one solid
    blob, as wide as a digit or wider. A glyph cut by the look's edges is not taken for one."""
    xa, ya, yb = _before_area(fx, fy, fh)
    if fx - xa < 2 or yb - ya < 2:
        return False
    ink = (_luma(ref[ya:yb, xa:fx]) >= ink_min).astype(np.uint8)
    ink[:, -1] = 0  # the column before the first digit: a digit touching it is the window's rule
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    tol = BEFORE_ALIGN * fh
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if area < MIN_AREA or x == 0 or y == 0 or y + h == yb - ya:
            continue
        top, bottom = ya + y, ya + y + h
        if (
            abs(top - fy) <= tol
            and abs(bottom - (fy + fh)) <= tol
            and w <= MAX_DIGIT_W * fh
            and not (area >= BEFORE_SOLID * w * h and w >= BEFORE_SOLID_W * fh)
            and (fx - xa) - (x + w) <= ONE_GAP * fh
        ):
            return True
    return False


def _tallest_at_left(ref: np.ndarray, x0: int, fy: int, fh: int, ink_min: float) -> int:
    """The height of the tallest bright glyph (plain luma ``ink_min`` or more) that touches the
    column before the window (``x0``; reference px), looked for on the first digit's rows (``fy``
    to ``fy + fh``) and ``BEFORE_ROOM`` of its height above and below; 0 where none does."""
    xa, ya, yb = _before_area(x0, fy, fh)
    if x0 - xa < 1 or yb - ya < 2:
        return 0
    ink = (_luma(ref[ya:yb, xa:x0]) >= ink_min).astype(np.uint8)
    _n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    touching = {int(v) for v in labels[:, -1] if v}
    return max((int(stats[k, 3]) for k in touching), default=0)


def _left_reach(left: np.ndarray) -> int:
    """How many columns, right to left from the window's edge, hold ink on ``LEFT_INK_ROWS`` of
    the first digit's rows or more (``left``: the ink in the columns before the window, on those
    rows) before the first column that does not -- the gap before the digit (a skull's corner
    may touch it on a row or two)."""
    inked = (left.mean(axis=0) >= LEFT_INK_ROWS)[::-1]
    gaps = np.flatnonzero(~inked)
    return int(gaps[0]) if len(gaps) else len(inked)


def _forced_cut(
    soft: np.ndarray, labels: np.ndarray, run: list[tuple[int, int, int, int, int]], cy: float, rh: float
) -> np.ndarray:
    """One merged component (touching digits, or a digit joined to the box's slanted edge) cut
    in two at its least-ink column of the middle half: two digit crops, for a cross-check only."""
    x, y, w, h, i = run[0]
    m = (labels[y : y + h, x : x + w] == i).astype(np.uint8)
    ink = m.sum(0).astype(np.float32)
    lo, hi = _cut_range(w)
    cut = lo + int(np.argmin(ink[lo:hi])) if hi > lo else w // 2
    return _cut_at(soft, labels, run, cy, rh, cut)


def _cut_range(w: int) -> tuple[int, int]:
    """The columns [lo, hi) of a merged component's middle where it may be cut in two."""
    return max(1, round(0.3 * w)), min(w - 1, round(0.7 * w) + 1)


def _cut_scan(
    soft: np.ndarray, labels: np.ndarray, run: list[tuple[int, int, int, int, int]], cy: float, rh: float
) -> np.ndarray | None:
    """One merged component cut at each column of its middle (:func:`_cut_range`): (k, 2, 25, 25)
    -- the cross-check reads a number only where every cut the digit CNN is sure of spells it."""
    lo, hi = _cut_range(run[0][2])
    if hi <= lo:
        return None
    return np.stack([_cut_at(soft, labels, run, cy, rh, c) for c in range(lo, hi)])


def _cut_at(
    soft: np.ndarray,
    labels: np.ndarray,
    run: list[tuple[int, int, int, int, int]],
    cy: float,
    rh: float,
    cut: int,
) -> np.ndarray:
    """The run's one component cut in two at column ``cut`` (component px): two digit crops."""
    x, y, w, h, i = run[0]
    m = (labels[y : y + h, x : x + w] == i).astype(np.uint8)
    crops = []
    for a, b in ((0, cut), (cut, w)):
        part = np.zeros_like(m)
        part[:, a:b] = m[:, a:b]
        part = cv2.dilate(part, np.ones((3, 3), np.uint8)).astype(np.float32)
        full = np.zeros_like(soft)
        full[y : y + h, x : x + w] = soft[y : y + h, x : x + w] * part
        crops.append(_digit_crop_fixed(full, x + (a + b) / 2.0 - 0.5, cy - 0.5, rh))
    return np.stack(crops)


# The whole score box for the second reader (models.net.BoxNet): a fixed window right of the
# skull, big enough for two digits and the skull finder's jitter (reference px).
WIN_DX0, WIN_DX1 = -2, 34
WIN_HALF_H = 12
WIN_H, WIN_W = 2 * WIN_HALF_H, WIN_DX1 - WIN_DX0


def score_window(ref: np.ndarray, skull: SkullHit) -> np.ndarray:
    """The score box as a (3, 24, 36) float32 window, contrast-stretched on its luma.

    No segmentation: what the connected components of :func:`digits_from_box` cannot split or
    keep apart (touching digits, background strokes joining a digit) is still one picture of
    the number here.
    """
    cy = skull.y + skull.h // 2
    x0 = skull.x + skull.w + WIN_DX0
    y0 = cy - WIN_HALF_H
    win = np.zeros((WIN_H, WIN_W, 3), np.float32)
    sx0, sy0 = max(0, x0), max(0, y0)
    sx1, sy1 = min(REF_W, x0 + WIN_W), min(REF_H, y0 + WIN_H)
    if sx1 > sx0 and sy1 > sy0:
        win[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = ref[sy0:sy1, sx0:sx1]
    luma = win @ np.array([0.299, 0.587, 0.114], np.float32)
    lo, hi = np.percentile(luma, (10, 99.5))
    win = np.clip((win - lo) / max(float(hi - lo), 16.0), 0.0, 1.0)
    return np.ascontiguousarray(win.transpose(2, 0, 1), dtype=np.float32)


def extract(hud: np.ndarray) -> Extraction:
    """HUD crop (any resolution, RGB uint8) -> skull and digit crops, left to right.

    The kill box is found the reader's way (vodstream.readers.hudlocate.find_kill_box: by the HUD's
    layout, then by the skull template) and read on the reference canvas."""
    from vodstream.readers.hudlocate import find_kill_box

    found = find_kill_box(hud)
    if found.skull is None:
        return Extraction(None, np.zeros((0, DIGIT_SIZE, DIGIT_SIZE), np.float32), reason="no_skull")
    return digits_from_box(found.ref, found.skull)


# The squads-left box ("N SQUADS LEFT"): a line of ~10+ glyphs on one baseline in row 1.
SQUADS_STRIP = (60, 46, 548, 88)  # x0, y0, x1, y1 at reference scale
GLYPH_H = (9, 19)
MIN_LINE_W = 85  # "SQUADS LEFT" alone is ~113 px wide at 1080p


def squads_box_visible(ref: np.ndarray) -> bool:
    """True when the in-match squads-left box (a run of text glyphs in row 1) is visible.

    Text is found with a local (adaptive) threshold, so it works on bright skies and dark
    rooms alike: glyphs (or runs of merged glyphs, at low resolution) of letter height whose
    bottoms line up and whose spacing is that of words, spanning at least MIN_LINE_W.
    """
    x0, y0, x1, y1 = SQUADS_STRIP
    gray = _luma(ref[y0:y1, x0:x1])
    b = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -12)
    _, _, st, _ = cv2.connectedComponentsWithStats(b, connectivity=8)
    glyphs = sorted(
        (int(x), int(y + h), int(w))
        for x, y, w, h, a in st[1:]
        if GLYPH_H[0] <= h <= GLYPH_H[1] and 3 <= w <= 130 and a >= 15
    )
    best = 0
    for _, base, _ in glyphs:
        line = [(x, w) for x, bt, w in glyphs if abs(bt - base) <= 3]
        start, end = line[0][0], line[0][0] + line[0][1]
        for x, w in line[1:]:
            if x - end > 12:
                start = x
            end = max(end, x + w)
            best = max(best, end - start)
        best = max(best, end - start)
    return best >= MIN_LINE_W
