"""The Apex-like top-right HUD: kill box (skull + count), squads-left box, alive count.

Geometry is given in 1920x1080 reference pixels (absolute x in a 1920-wide frame), measured
on real top-right HUD crops of seasons 2-8 and of the 2019 layout (evaluation frames, read
at run time by benchmarks/hud_likeness.py, never stored here). It is laid out right-to-left
the way the game does: the alive box is fixed at the right, the squads box grows with its
number, and the kill box sits a fixed gap left of it.
A point (xr, yr) lands at ``(W - (1920 - xr) * s, yr * s)`` with ``s = min(W/1920, H/1080)``.

Each box is drawn once per (state, resolution, font) on a 4x supersampled canvas with
sub-pixel geometry and cached as a premultiplied :class:`~vodstream.testbed.synth.canvas.Layer`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import cv2
import numpy as np

from vodstream.readers.regions import hud_scale
from vodstream.testbed.synth.canvas import Canvas, Layer
from vodstream.testbed.synth.fonts import HUD_FONTS, text_mask

__all__ = [
    "DEFAULT_STYLE",
    "HudKey",
    "HudStyle",
    "KillLayout",
    "SkullShape",
    "banner_layer",
    "kill_digit_boxes_for",
    "kill_layer",
    "kill_layout",
    "kill_slot_covered",
    "occluder_layer",
    "squads_layer",
]

TOP, BOT = 50.0, 81.5  # box top/bottom edges (reference px)
SLANT = 14.5  # the bottom edge sits this far left of the top edge
ALIVE_RIGHT = 1872.5  # top-right corner of the alive box
ALIVE_LEFT = 1817.0  # top-left corner of the white alive section
SQ_TEXT_X = 1679.0  # "SQUADS LEFT" left edge
SQ_NUM_RIGHT = 1670.0  # squads number right edge
SQ_BOX_PAD = 5.5  # squads box top-left = number left - pad
SKULL_TOP, SKULL_W, SKULL_H = 54.0, 19.5, 23.0  # (the kill box's widths and gaps: HudStyle)
DIGIT_TOP, DIGIT_CAP = 59.3, 13.7
SQ_CAP, SQ_TOP, SQ_STRETCH = 15.8, 57.8, 1.08  # squads number (a wider cut than the kill digits)
ALIVE_X, ALIVE_CAP, ALIVE_TOP = 1839.0, 13.4, 59.4
BOLD = 0.35  # stroke thickening (reference px) to match the real face's weight
EYE_W = 64.0  # 2019: spectator segment width, left of the kill segment

# duos / ranked / elite: a badge (or the elite streak box) takes the right end and the counters
# move left by this much (measured on the real ranked, duos and elite crops)
MODE_SHIFT = {"trios": 0.0, "duos": 73.5, "ranked": 73.5, "elite": 73.5}
# ranked: kills move to a second row "[skull] k / [handshake] a  xN" (OverTrack ROI (1645,97,44,25))
R2_TOP, R2_BOT, R2_RIGHT, R2_DIV, R2_LEFT1 = 95.5, 125.5, 1773.5, 1705.0, 1645.0
R2_CAP, R2_DIG_TOP, R2_SKULL_TOP, R2_STRETCH = 16.3, 101.8, 99.0, 1.08
R2_SKULL_DX = 10.0  # the second row's skull right of its box's top-left corner

WHITE = (255.0, 255.0, 255.0)
BLACK = (0.0, 0.0, 0.0)
INK_DARK = (18.0, 18.0, 20.0)
RED = (255.0, 18.0, 18.0)
RED_DARK = (52.0, 0.0, 0.0)
SS = 4


@dataclass(frozen=True)
class SkullShape:
    """A procedural skull drawing, in units of a 19x23 design box.

    ``eyes``: "round", "tall", "wide" (training drawings), "square" (kept for the validation
    family), "angular" (kept for the held-out family), "diamond" (kept for the second held-out
    family), "hex" (kept for the third), "visor" (one band across both sockets, kept for the
    fourth), "slit" (narrow slits slanting down to the nose, kept for the fifth) or "cross" (an X
    of two crossed bars in each socket, the cartoon dead eye, kept for the sixth); ``jaw``: the
    jaw's half-width (0: no jaw).
    """

    name: str = "classic"
    cranium_w: float = 9.6  # cranium x radius
    cranium_h: float = 10.2  # cranium y radius
    cranium_cut: float = 18.6  # cranium cut off at this y
    jaw: float = 5.1  # jaw half-width (0: no jaw)
    jaw_bot: float = 22.8
    eyes: str = "round"
    eye_r: float = 2.5
    eye_dx: float = 4.3  # eye centre from the midline
    eye_y: float = 13.6
    nose: bool = True
    teeth: int = 0  # dark tooth gaps cut into the jaw


DEFAULT_SKULL = SkullShape()


@dataclass(frozen=True)
class HudStyle:
    """What the game (and the stream on top of it) varies in the top-right HUD.

    Geometry is in 1920x1080 reference pixels like the constants above; the default is
    today's look (``DEFAULT_STYLE``). Every field is hashable: the style is part of the layer
    cache keys.
    """

    name: str = "default"
    font: str = "rajdhani-bold"
    skull: SkullShape = SkullShape()
    top: float = TOP  # box top / bottom (row 1)
    bot: float = BOT
    slant: float = SLANT
    kill_w1: float = 64.0  # kill box width for one digit
    kill_gap: float = 32.5  # kill box right -> squads box left
    skull_dx: float = 11.5  # skull left from the kill box's left
    digit_dx: float = 35.0  # first digit from the kill box's left
    skull_size: float = 1.0  # skull scale
    digit_cap: float = 13.7
    digit_stretch: float = 1.0  # digit width multiplier
    sq_label: str = "SQUADS LEFT"
    sq_label_w: float = 113.0  # the label's ink width (longer in other languages)
    scale: float = 1.0  # HUD scale relative to min(W/1920, H/1080)
    dx: float = 0.0  # extra margin from the right edge
    dy: float = 0.0  # the whole HUD pushed down (a banner above it)
    banner: str = ""  # banner text over the pushed-down HUD ("" none)
    box_alpha: float = 0.30
    outline_alpha: float = 0.80
    dots: bool = True
    ink: tuple[float, float, float] = (255.0, 255.0, 255.0)
    alive_color: tuple[float, float, float] = (255.0, 255.0, 255.0)
    # a stream overlay (webcam / panel) over part of the top-right: (x0, y0, x1, y1) in
    # reference px of a 1920-wide frame (not moved by dx/dy/scale), kind, seed
    occluder: tuple[float, float, float, float] | None = None
    occluder_kind: str = "webcam"
    occluder_seed: int = 0

    @property
    def mid(self) -> float:
        return (self.top + self.bot) / 2.0

    @property
    def k(self) -> float:
        """Horizontal run of the slanted edges per px of height."""
        return self.slant / (self.bot - self.top)

    @property
    def dw(self) -> float:
        """How much further left a longer squads label pushes the boxes."""
        return self.sq_label_w - 113.0

    @property
    def skull_top(self) -> float:
        return self.mid - SKULL_H * self.skull_size / 2.0 - 0.25

    @property
    def digit_top(self) -> float:
        return self.mid - self.digit_cap / 2.0 + 0.4


DEFAULT_STYLE = HudStyle()


@dataclass(frozen=True)
class HudKey:
    """Everything the HUD pixels depend on."""

    era: str
    kills: int
    show_kill_box: bool
    red: bool
    squads_left: int
    alive: int
    spectators: int
    font: str
    width: int
    height: int
    mode: str = "trios"  # trios / duos / ranked / elite (modern era)
    assists: int = 0  # ranked row
    bar_red: bool = False  # the squads/alive bar flashes on its own
    style: HudStyle = DEFAULT_STYLE


@dataclass(frozen=True)
class KillLayout:
    """Reference-pixel layout of the kill box (x = absolute in a 1920-wide frame)."""

    left: float  # top-left x of the whole kill box (incl. the 2019 eye segment)
    kill_left: float  # top-left x of the skull segment
    right: float  # top-right x
    skull_x: float
    digit_x: float
    sq_left: float  # top-left x of the squads box


def _sq_text(n: int) -> str:
    return str(max(0, n))


def _alive_text(n: int) -> str:
    return "?" if n < 10 else str(n)


def kill_layout(
    era: str, kills: int, squads_left: int, font: str, style: HudStyle = DEFAULT_STYLE
) -> KillLayout:
    """Where the kill box goes, in reference pixels."""
    sq = _sq_text(squads_left)
    num_w = _ink_width(sq, font, SQ_CAP, SQ_STRETCH) + 2 * BOLD
    sq_left = SQ_NUM_RIGHT - style.dw - num_w - SQ_BOX_PAD
    right = sq_left - style.kill_gap
    cap, st = style.digit_cap, style.digit_stretch
    extra = _ink_width(str(max(0, kills)), font, cap, st) - _ink_width("0", font, cap, st)
    kill_left = right - (style.kill_w1 + max(0.0, extra))
    left = kill_left - EYE_W if era == "2019" else kill_left
    return KillLayout(left, kill_left, right, kill_left + style.skull_dx, kill_left + style.digit_dx, sq_left)


@lru_cache(maxsize=2048)
def _ink_width(text: str, font: str, cap: float, stretch: float = 1.0) -> float:
    m, _b, _a = text_mask(text, font, cap * SS, stretch=stretch)
    cols = np.nonzero(m.max(axis=0) > 0.02)[0]
    return 0.0 if cols.size == 0 else (cols[-1] + 1 - cols[0]) / SS


def _para(
    x0: float, x1: float, top: float = TOP, bot: float = BOT, k: float = SLANT / (BOT - TOP)
) -> list[tuple[float, float]]:
    return [(x0, top), (x1, top), (x1 - k * (bot - top), bot), (x0 - k * (bot - top), bot)]


class _Mapper:
    """Reference px -> frame px for a WxH frame."""

    def __init__(self, width: int, height: int, shift: float = 0.0, style: HudStyle = DEFAULT_STYLE) -> None:
        self.s = hud_scale(width, height) * style.scale
        self.W = width
        self.shift = shift
        self.dx = style.dx
        self.dy = style.dy

    def x(self, xr: float) -> float:
        return self.W - (1920.0 - (xr - self.shift) + self.dx) * self.s

    def y(self, yr: float) -> float:
        return (yr + self.dy) * self.s

    def pts(self, pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(self.x(a), self.y(b)) for a, b in pts]

    def canvas(
        self, x0r: float, x1r: float, y0r: float = TOP - 3, y1r: float = BOT + 3
    ) -> tuple[Canvas, int, int]:
        fx0 = math.floor(self.x(x0r))
        fx1 = math.ceil(self.x(x1r))
        fy0 = max(0, math.floor(self.y(y0r)))
        fy1 = math.ceil(self.y(y1r))
        return Canvas(fx1 - fx0, fy1 - fy0, SS, fx0, fy0), fx0, fy0


def _dots(c: Canvas, m: _Mapper, x0r: float, x1r: float, fade: str) -> np.ndarray:
    """The fine diagonal dot lattice, with a linear fade ('left', 'right' or 'none')."""
    hs, ws = c.alpha.shape
    ys, xs = np.mgrid[0:hs, 0:ws].astype(np.float32)
    # frame px -> reference px
    xr = ((xs + 0.5) / c.ss + c.ox - m.W) / m.s + 1920.0 + m.shift - m.dx
    yr = ((ys + 0.5) / c.ss + c.oy) / m.s - m.dy
    pitch = 3.6
    u = (xr + yr) / pitch
    v = (xr - yr) / pitch
    du = u - np.round(u)
    dv = v - np.round(v)
    d2 = du * du + dv * dv
    dots = (d2 < 0.12).astype(np.float32)
    if fade != "none":
        t = np.clip((xr - x0r) / max(1e-3, x1r - x0r), 0, 1)
        dots *= (1.0 - t) if fade == "left" else t
    return dots


def _ramp(c: Canvas, m: _Mapper, x0r: float, x1r: float, a: float, b: float) -> np.ndarray:
    """A horizontal ramp from `a` at reference x0r to `b` at x1r (one row, broadcasts)."""
    xs = (np.arange(c.alpha.shape[1], dtype=np.float32) + 0.5) / c.ss + c.ox
    xr = (xs - m.W) / m.s + 1920.0 + m.shift - m.dx
    t = np.clip((xr - x0r) / max(1e-3, x1r - x0r), 0, 1)
    return (a + (b - a) * t)[None, :].astype(np.float32)


def _skull(
    c: Canvas,
    m: _Mapper,
    x: float,
    color: tuple[float, float, float],
    top: float = SKULL_TOP,
    w: float = SKULL_W,
    h: float = SKULL_H,
    shape: SkullShape = DEFAULT_SKULL,
) -> None:
    """The skull icon (19.5x23 reference px, measured on 1080p crops): a round cranium with
    cheeks, a narrow jaw, two dark eye sockets and a small nose notch (``shape`` varies it)."""
    sx, sy = w / 19.0, h / 23.0
    sh = shape

    def P(px: float, py: float) -> tuple[float, float]:
        return (m.x(x + px * sx), m.y(top + py * sy))

    def E(cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
        px, py = P(cx, cy)
        return c.ellipse_mask(px, py, rx * sx * m.s, ry * sy * m.s)

    head = E(9.5, sh.cranium_h, sh.cranium_w, sh.cranium_h) * c.poly_mask(
        [P(-1, -1), P(20, -1), P(20, sh.cranium_cut), P(-1, sh.cranium_cut)]
    )
    if sh.jaw > 0:
        a, b, jb = 9.5 - sh.jaw, 9.5 + sh.jaw, sh.jaw_bot
        jaw = c.poly_mask(
            [
                P(a, 17.0),
                P(b, 17.0),
                P(b - 0.2, jb - 1.2),
                P(b - 1.4, jb),
                P(a + 1.4, jb),
                P(a + 0.2, jb - 1.2),
            ]
        )
        c.paint(np.maximum(head, jaw), color)
    else:
        c.paint(head, color)
    ex0, ex1, ey, r = 9.5 - sh.eye_dx, 9.5 + sh.eye_dx, sh.eye_y, sh.eye_r
    if sh.eyes == "angular":  # slanted triangular sockets
        holes = np.maximum(
            c.poly_mask([P(ex0 - 1.3 * r, ey - r), P(ex0 + 1.2 * r, ey - 0.4 * r), P(ex0, ey + r)]),
            c.poly_mask([P(ex1 + 1.3 * r, ey - r), P(ex1 - 1.2 * r, ey - 0.4 * r), P(ex1, ey + r)]),
        )
    elif sh.eyes == "diamond":  # sockets as squares stood on a corner
        holes = np.maximum(
            c.poly_mask([P(ex0, ey - 1.2 * r), P(ex0 + r, ey), P(ex0, ey + 1.2 * r), P(ex0 - r, ey)]),
            c.poly_mask([P(ex1, ey - 1.2 * r), P(ex1 + r, ey), P(ex1, ey + 1.2 * r), P(ex1 - r, ey)]),
        )
    elif sh.eyes == "hex":  # hexagonal sockets, flat top and bottom
        holes = np.maximum(
            c.poly_mask([P(ex0 + r * dx, ey + r * dy) for dx, dy in _HEX]),
            c.poly_mask([P(ex1 + r * dx, ey + r * dy) for dx, dy in _HEX]),
        )
    elif sh.eyes == "visor":  # one band across both sockets, dipping to a point over the nose
        holes = c.poly_mask(
            [
                P(ex0 - 1.3 * r, ey - 0.7 * r),
                P(9.5, ey - 0.1 * r),
                P(ex1 + 1.3 * r, ey - 0.7 * r),
                P(ex1 + 1.1 * r, ey + 0.7 * r),
                P(ex0 - 1.1 * r, ey + 0.7 * r),
            ]
        )
    elif sh.eyes == "slit":  # narrow slits slanting down towards the nose, a frown
        holes = np.maximum(
            c.poly_mask(
                [
                    P(ex0 - 1.4 * r, ey - 0.7 * r),
                    P(ex0 + 1.3 * r, ey + 0.1 * r),
                    P(ex0 + 1.2 * r, ey + 0.6 * r),
                    P(ex0 - 1.3 * r, ey - 0.1 * r),
                ]
            ),
            c.poly_mask(
                [
                    P(ex1 + 1.4 * r, ey - 0.7 * r),
                    P(ex1 - 1.3 * r, ey + 0.1 * r),
                    P(ex1 - 1.2 * r, ey + 0.6 * r),
                    P(ex1 + 1.3 * r, ey - 0.1 * r),
                ]
            ),
        )
    elif sh.eyes == "cross":  # an X of two crossed bars in each socket, the cartoon dead eye
        a, d = 1.05 * r, 0.3 * r  # half-length along each diagonal, half-thickness across it
        bar = [(-a + d, -a - d), (a + d, a - d), (a - d, a + d), (-a - d, -a + d)]  # top left to bottom right
        # in each socket that bar and its mirror image (top right to bottom left)
        holes = np.maximum.reduce(
            [c.poly_mask([P(ex + s * dx, ey + dy) for dx, dy in bar]) for ex in (ex0, ex1) for s in (1, -1)]
        )
    elif sh.eyes == "square":  # upright rectangular sockets
        holes = np.maximum(
            c.poly_mask([P(ex0 - r, ey - r), P(ex0 + r, ey - r), P(ex0 + r, ey + r), P(ex0 - r, ey + r)]),
            c.poly_mask([P(ex1 - r, ey - r), P(ex1 + r, ey - r), P(ex1 + r, ey + r), P(ex1 - r, ey + r)]),
        )
    else:
        rx, ry = {"round": (r, 0.92 * r), "tall": (0.8 * r, 1.3 * r), "wide": (1.3 * r, 0.8 * r)}[sh.eyes]
        if sh.eyes == "round" and r == 2.5:
            ry = 2.3
        holes = np.maximum(E(ex0, ey, rx, ry), E(ex1, ey, rx, ry))
    if sh.nose:
        holes = np.maximum(holes, c.poly_mask([P(9.5, 15.0), P(8.6, 19.2), P(10.4, 19.2)]))
    if sh.teeth and sh.jaw > 0:
        for i in range(sh.teeth):
            tx = 9.5 - sh.jaw + 2 * sh.jaw * (i + 1) / (sh.teeth + 1)
            holes = np.maximum(
                holes,
                c.poly_mask(
                    [
                        P(tx - 0.35, sh.jaw_bot - 2.6),
                        P(tx + 0.35, sh.jaw_bot - 2.6),
                        P(tx + 0.35, sh.jaw_bot + 0.5),
                        P(tx - 0.35, sh.jaw_bot + 0.5),
                    ]
                ),
            )
    c.erase(holes)


_HEX = ((-1.0, 0.0), (-0.5, -0.87), (0.5, -0.87), (1.0, 0.0), (0.5, 0.87), (-0.5, 0.87))


def _eye(c: Canvas, m: _Mapper, x: float, color: tuple[float, float, float], cy: float = 65.5) -> None:
    """2019 spectator eye: an almond outline with a round pupil (26x13 reference px)."""
    cx = x + 13.0
    w, h = 13.0, 6.5
    r = (w * w + h * h) / (2 * h)  # circle radius whose chord is the eye width
    up = c.ellipse_mask(m.x(cx), m.y(cy + (r - h)), r * m.s, r * m.s)
    lo = c.ellipse_mask(m.x(cx), m.y(cy - (r - h)), r * m.s, r * m.s)
    outer = np.minimum(up, lo)
    t = 1.7
    r2 = r - t
    up2 = c.ellipse_mask(m.x(cx), m.y(cy + (r - h)), r2 * m.s, r2 * m.s)
    lo2 = c.ellipse_mask(m.x(cx), m.y(cy - (r - h)), r2 * m.s, r2 * m.s)
    ring = np.clip(outer - np.minimum(up2, lo2), 0, 1)
    pupil = c.ellipse_mask(m.x(cx), m.y(cy), 3.4 * m.s, 3.4 * m.s)
    c.paint(np.maximum(ring, pupil), color)


def _person(c: Canvas, m: _Mapper, x: float, color: tuple[float, float, float], dy: float = 0.0) -> None:
    """The alive-count person icon: head over rounded shoulders (about 19x22 reference px)."""
    head = c.ellipse_mask(m.x(x + 9.5), m.y(62.0 + dy), 4.3 * m.s, 6.4 * m.s)
    body = c.ellipse_mask(m.x(x + 9.0), m.y(77.5 + dy), 9.6 * m.s, 10.0 * m.s)
    clip = c.poly_mask(
        m.pts([(x - 2, 67.0 + dy), (x + 21, 67.0 + dy), (x + 21, 77.2 + dy), (x - 2, 77.2 + dy)])
    )
    c.paint(np.maximum(head, body * clip), color)


def _red_strength(key: HudKey) -> float:
    """The flash animates (the boxes flare red, then fade while the alive box stays red): pick one
    of four (deterministic) phases from the squads/alive counts, for variety."""
    return (1.0, 0.8, 0.55, 0.25)[(key.squads_left * 3 + key.alive) % 4]


def _mode(key: HudKey) -> str:
    return "trios" if key.era == "2019" else key.mode


def _box_colors(
    key: HudKey, c: Canvas, m: _Mapper, box: np.ndarray, outline: np.ndarray, x0r: float, x1r: float
) -> tuple[float, float, float]:
    """Paint a kill-style box (fill, dots, outline) calm or flashing; returns the icon colour."""
    if key.red:
        k_red = _red_strength(key)
        c.paint(box, RED_DARK, 0.92 * k_red)
        c.paint(box * _dots(c, m, x0r, x1r, "none"), RED, 0.45 * k_red)
        c.paint(outline, RED, k_red)
        return (255.0, 18.0 + 80 * (1 - k_red), 18.0 + 70 * (1 - k_red))
    st = key.style
    c.paint(box, BLACK, st.box_alpha)
    if st.dots:
        c.paint(box * _dots(c, m, x0r, x1r, "none"), WHITE, 0.30)
    c.paint(outline, WHITE, st.outline_alpha)
    return st.ink


@lru_cache(maxsize=1024)
def kill_layer(key: HudKey) -> Layer | None:
    """The kill box (2019: spectator eye + skull; ranked: the second row) as a layer, or None
    when hidden."""
    if not key.show_kill_box and key.era != "2019":
        return None
    if _mode(key) == "ranked":
        return _ranked_row(key)
    st = key.style
    m = _Mapper(key.width, key.height, MODE_SHIFT[_mode(key)], st)
    lay = kill_layout(key.era, key.kills, key.squads_left, key.font, st)
    k = st.k
    top, bot = st.top, st.bot
    c, fx0, fy0 = m.canvas(
        lay.left - k * (bot - top) - 2,
        lay.right + 2,
        min(top, st.skull_top) - 3,
        max(bot, st.skull_top + SKULL_H * st.skull_size) + 3,
    )
    box = c.poly_mask(m.pts(_para(lay.left, lay.right, top, bot, k)))
    lw = max(0.9, 1.15 * m.s)
    outline = c.outline_mask(m.pts(_para(lay.left, lay.right, top, bot, k)), lw)
    icon = _box_colors(key, c, m, box, outline, lay.left, lay.right)
    ink = RED if key.red else st.ink
    if key.era == "2019":
        div = c.outline_mask(m.pts([(lay.kill_left, top), (lay.kill_left - st.slant, bot)]), lw)
        c.paint(div, RED if key.red else WHITE, 0.6)
        _eye(c, m, lay.left + 4.0, icon, st.mid - 0.25)
        msk, _ = c.text_mask(
            str(max(0, key.spectators)),
            key.font,
            st.digit_cap * m.s,
            m.x(lay.left + 37.0),
            m.y(st.digit_top),
            bold=BOLD * m.s,
            stretch=st.digit_stretch,
        )
        c.paint(msk, WHITE if key.red else st.ink)
    _skull(c, m, lay.skull_x, icon, st.skull_top, SKULL_W * st.skull_size, SKULL_H * st.skull_size, st.skull)
    msk, _ = c.text_mask(
        str(max(0, key.kills)),
        key.font,
        st.digit_cap * m.s,
        m.x(lay.digit_x),
        m.y(st.digit_top),
        bold=BOLD * m.s,
        stretch=st.digit_stretch,
    )
    c.paint(msk, WHITE if key.red else ink)
    return c.to_layer(fx0, fy0)


def _r2_left(kills: int, font: str) -> float:
    extra = _ink_width(str(max(0, kills)), font, R2_CAP, R2_STRETCH) - _ink_width(
        "0", font, R2_CAP, R2_STRETCH
    )
    return R2_LEFT1 - max(0.0, extra)


def _handshake(c: Canvas, m: _Mapper, x: float, color: tuple[float, float, float]) -> None:
    """Assists icon: two clasped hands (a tilted oval with cuffs), about 26x18 reference px."""
    body = c.ellipse_mask(m.x(x + 13.0), m.y(110.0), 10.5 * m.s, 6.5 * m.s, -18.0)
    cuffs = np.maximum(
        c.poly_mask(m.pts([(x, 104), (x + 5, 102), (x + 7, 110), (x + 2, 112)])),
        c.poly_mask(m.pts([(x + 19, 109), (x + 24, 107), (x + 26, 115), (x + 21, 117)])),
    )
    c.paint(np.maximum(body, cuffs), color)
    gap = c.outline_mask(m.pts([(x + 8, 114), (x + 18, 105)]), max(0.6, 1.0 * m.s))
    c.erase(gap, 0.9)


def _ranked_row(key: HudKey) -> Layer:
    """Ranked: [skull] kills / [handshake] assists  xN on a second row under the squads box."""
    st = key.style
    # the second row follows row 1's bottom edge (a taller row 1 pushes it down)
    m = _Mapper(key.width, key.height, 0.0, replace(st, dy=st.dy + (st.bot - BOT)))
    left = _r2_left(key.kills, key.font)
    k = st.k
    c, fx0, fy0 = m.canvas(left - k * (R2_BOT - R2_TOP) - 2, 1800.0, R2_TOP - 3, R2_BOT + 3)
    pts = _para(left, R2_RIGHT, R2_TOP, R2_BOT, k)
    lw = max(0.9, 1.15 * m.s)
    box = c.poly_mask(m.pts(pts))
    outline = c.outline_mask(m.pts(pts), lw)
    icon = _box_colors(key, c, m, box, outline, left, R2_RIGHT)
    div = c.outline_mask(m.pts([(R2_DIV, R2_TOP), (R2_DIV - k * (R2_BOT - R2_TOP), R2_BOT)]), lw)
    c.paint(div, RED if key.red else WHITE, 0.7)
    _skull(c, m, left + R2_SKULL_DX, icon, top=R2_SKULL_TOP, w=17.0, h=20.5, shape=st.skull)
    msk, _ = c.text_mask(
        str(max(0, key.kills)),
        key.font,
        R2_CAP * m.s,
        m.x(left + 35.0),
        m.y(R2_DIG_TOP),
        bold=BOLD * m.s,
        stretch=R2_STRETCH,
    )
    c.paint(msk, WHITE if key.red else st.ink)
    _handshake(c, m, 1707.0, icon)
    msk, _ = c.text_mask(
        str(max(0, key.assists)),
        key.font,
        R2_CAP * m.s,
        m.x(1737.0),
        m.y(R2_DIG_TOP),
        bold=BOLD * m.s,
        stretch=R2_STRETCH,
    )
    c.paint(msk, WHITE)
    mult = min(20, 4 + max(0, 20 - key.squads_left))
    msk, _ = c.text_mask(f"X{mult}", key.font, 10.0 * m.s, m.x(1769.0), m.y(111.0), digit_norm=False)
    c.paint(msk, WHITE, 0.9)
    c.paint(c.poly_mask(m.pts([(1763, 124.5), (1797, 124.5), (1797, 125.7), (1763, 125.7)])), WHITE, 0.7)
    return c.to_layer(fx0, fy0)


def squads_layer(key: HudKey) -> Layer:
    """The "N SQUADS LEFT" box with the white (red when flashing) alive section, and the kill
    feed lines under it. Depends only on squads left, alive, red, font and frame size."""
    return _squads_layer(
        replace(
            key,
            era="modern",
            kills=0,
            show_kill_box=True,
            spectators=0,
            assists=0,
            mode=_mode(key),
            red=key.red or key.bar_red,
            bar_red=False,
        )
    )


_NAMES = (
    "DrRiku",
    "Sooouuup",
    "Tegummy",
    "ProDevinDaddy",
    "Grapewood",
    "outkast525",
    "iiLikeCheese",
    "Sabar023",
    "stefanom24",
    "Aquatiq2688",
    "MyNingenTotoro",
    "EeveeA",
    "Jmoneyfo20",
    "LiquidWonder",
    "TheOmegaEffect",
    "methematics47",
    "xX_Wraith_Xx",
    "n0sc0pe",
    "kcanyon99",
    "BPF001",
)
_ITEMS = ("Anvil Receiver", "Purple Armor", "Heavy Rounds", "Med Kit", "Digital Threat", "Skullpiercer")
_FEED_COLORS = ((235.0, 165.0, 60.0), (90.0, 205.0, 195.0), (255.0, 255.0, 255.0), (240.0, 220.0, 90.0))
FEED_RIGHT, FEED_Y0, FEED_DY, FEED_H, FEED_CAP = 1813.0, 112.0, 31.0, 28.0, 13.5
_GOLD = (240.0, 180.0, 40.0)


def _feed_lines(key: HudKey) -> list[list[tuple[str, tuple[float, float, float]]]]:
    """Up to two kill-feed / ping lines, chosen from the squads/alive counts (a death changes them)."""
    rng = np.random.default_rng([key.squads_left & 0xFFFF, key.alive & 0xFFFF, 41])
    n = int(rng.choice([0, 0, 1, 1, 2, 2]))
    lines = []
    for _ in range(n):
        kind = rng.random()
        a = _NAMES[int(rng.integers(len(_NAMES)))]
        b = _NAMES[int(rng.integers(len(_NAMES)))]
        col = _FEED_COLORS[int(rng.integers(len(_FEED_COLORS)))]
        if kind < 0.6:
            lines.append([(a, col), ("<gun>", WHITE), (b, WHITE)])
        elif kind < 0.8:
            lines.append([(a, col), ("[Bleed Out]", WHITE), (b, WHITE)])
        elif kind < 0.9:
            lines.append([(a, col), ("spotted an enemy.", WHITE)])
        else:
            lines.append(
                [
                    ("You", _GOLD),
                    ("pinged loot: [", WHITE),
                    (_ITEMS[int(rng.integers(len(_ITEMS)))], _GOLD),
                    ("].", WHITE),
                ]
            )
    return lines


@lru_cache(maxsize=2048)
def _ink_width_text(text: str, font: str, cap: float) -> float:
    m, _b, _a = text_mask(text, font, cap * SS, digit_norm=False)
    cols = np.nonzero(m.max(axis=0) > 0.02)[0]
    return 0.0 if cols.size == 0 else (cols[-1] + 1 - cols[0]) / SS


def _feed_font(key: HudKey) -> str:
    """The feed's lighter weight where the face has one."""
    return (
        "rajdhani-semibold" if key.font == "rajdhani-bold" and "rajdhani-semibold" in HUD_FONTS else key.font
    )


def _draw_feed(c: Canvas, m: _Mapper, key: HudKey, lines: list, dy: float = 0.0) -> None:
    """Right-aligned kill-feed rows: a dark translucent strip, coloured names, a gun glyph."""
    gap = 5.0
    font = _feed_font(key)
    for i, parts in enumerate(lines):
        top = FEED_Y0 + dy + i * FEED_DY
        widths = [40.0 if t == "<gun>" else _ink_width_text(t, font, FEED_CAP) for t, _c in parts]
        x = FEED_RIGHT - sum(widths) - gap * (len(parts) - 1)
        strip = c.poly_mask(
            m.pts(
                [(x - 8, top), (FEED_RIGHT + 8, top), (FEED_RIGHT + 8, top + FEED_H), (x - 8, top + FEED_H)]
            )
        )
        c.paint(strip, BLACK, 0.38)
        for (text, col), w in zip(parts, widths, strict=True):
            if text == "<gun>":
                gx, gy = x + 2, top + 8
                gun = np.maximum(
                    c.poly_mask(m.pts([(gx, gy), (gx + 36, gy), (gx + 36, gy + 5), (gx, gy + 5)])),
                    c.poly_mask(
                        m.pts([(gx + 4, gy + 5), (gx + 11, gy + 5), (gx + 9, gy + 11), (gx + 3, gy + 11)])
                    ),
                )
                c.paint(gun, col, 0.9)
            else:
                msk, _ = c.text_mask(
                    text, font, FEED_CAP * m.s, m.x(x), m.y(top + (FEED_H - FEED_CAP) / 2), digit_norm=False
                )
                c.paint(msk, col)
            x += w + gap


@lru_cache(maxsize=1024)
def _squads_layer(key: HudKey) -> Layer:
    st = key.style
    shift = MODE_SHIFT[key.mode]
    m = _Mapper(key.width, key.height, shift, st)
    m0 = _Mapper(key.width, key.height, 0.0, st)  # unshifted: badges, feed
    lay = kill_layout(key.era, key.kills, key.squads_left, key.font, st)
    k = st.k
    top, bot = st.top, st.bot
    o = st.mid - (TOP + BOT) / 2.0  # text and icons stay centred in a taller / shorter box
    lines = _feed_lines(key)
    feed_dy = (42.0 if key.mode == "ranked" else 0.0) + (bot - BOT)
    x0r = lay.sq_left - shift - k * (bot - top) - 2
    x1r = ALIVE_RIGHT + 2 if key.mode == "trios" else 1912.0
    y1r = bot + 3 if key.mode in ("trios", "elite") else 140.0 + (bot - BOT)
    if lines:
        y1r = max(y1r, FEED_Y0 + feed_dy + len(lines) * FEED_DY)
        widest = (
            max(
                sum(40.0 if t == "<gun>" else _ink_width_text(t, _feed_font(key), FEED_CAP) for t, _c in p)
                + 5.0 * len(p)
                for p in lines
            )
            + 12.0
        )
        x0r = min(x0r, FEED_RIGHT - widest - 10)
    c, fx0, fy0 = m0.canvas(x0r, x1r, top - 3, y1r)
    if lines:
        _draw_feed(c, m0, key, lines, feed_dy)
    if key.mode != "trios":
        _mode_extras(c, m0, key)
    dark = c.poly_mask(m.pts(_para(lay.sq_left, ALIVE_LEFT, top, bot, k)))
    alive = c.poly_mask(m.pts(_para(ALIVE_LEFT, ALIVE_RIGHT, top, bot, k)))
    lw = max(0.9, 1.15 * m.s)
    outline = c.outline_mask(m.pts(_para(lay.sq_left, ALIVE_RIGHT, top, bot, k)), lw)
    dots = dark * _dots(c, m, lay.sq_left - 10, lay.sq_left + 55, "left")
    if key.red:
        k_red = _red_strength(key)
        c.paint(dark, RED_DARK, 0.92 * k_red)
        c.paint(dots, RED, 0.45 * k_red)
        c.paint(alive, (255.0, 18.0 + 90 * (1 - k_red), 18.0 + 90 * (1 - k_red)), 0.85 + 0.15 * k_red)
        c.paint(outline, RED, k_red)
    else:
        c.paint(dark * _ramp(c, m, lay.sq_left, ALIVE_LEFT, 0.55, 1.45), BLACK, st.box_alpha)
        if st.dots:
            c.paint(dots, WHITE, 0.32)
        c.paint(alive, st.alive_color, 0.96)
        c.paint(outline, WHITE, st.outline_alpha)
    ink = WHITE if key.red else st.ink
    msk, _ = c.text_mask(
        _sq_text(key.squads_left),
        key.font,
        SQ_CAP * m.s,
        m.x(SQ_NUM_RIGHT - st.dw),
        m.y(SQ_TOP + o),
        align="right",
        bold=BOLD * m.s,
        stretch=SQ_STRETCH,
    )
    c.paint(msk, ink)
    sq_x = SQ_TEXT_X - st.dw
    msk, _ = c.text_mask(
        st.sq_label, key.font, 12.9 * m.s, m.x(sq_x), m.y(59.6 + o), digit_norm=False, bold=BOLD * m.s
    )
    # normalise the label's width to the real one (113 px at 1080p; longer in other languages)
    c.paint(_fit_width(c, msk, st.sq_label_w * m.s), ink)
    _person(c, m, 1814.0, INK_DARK, o)
    msk, _ = c.text_mask(_alive_text(key.alive), key.font, ALIVE_CAP * m.s, m.x(ALIVE_X), m.y(ALIVE_TOP + o))
    c.paint(msk, INK_DARK)
    return c.to_layer(fx0, fy0)


def _mode_extras(c: Canvas, m: _Mapper, key: HudKey) -> None:
    """What takes the right end in duos (badge + 'APEX DUOS'), ranked (rank badge, +RP) and
    elite (the streak box with a flame)."""
    if key.mode == "elite":
        pts = _para(1808.0, 1903.0)
        c.paint(c.poly_mask(m.pts(pts)), (150.0, 140.0, 60.0), 0.6)
        c.paint(c.outline_mask(m.pts(pts), max(0.9, 1.15 * m.s)), (225.0, 215.0, 130.0), 0.7)
        flame = np.maximum(
            c.ellipse_mask(m.x(1846.5), m.y(70.0), 6.0 * m.s, 7.5 * m.s),
            c.poly_mask(m.pts([(1841, 66), (1847, 54), (1852, 66)])),
        )
        c.paint(flame, (255.0, 235.0, 170.0))
        c.erase(c.ellipse_mask(m.x(1847.0), m.y(72.0), 2.5 * m.s, 4.0 * m.s), 0.8)
        msk, _ = c.text_mask(
            str(1 + key.alive % 9), key.font, DIGIT_CAP * m.s, m.x(1859.0), m.y(DIGIT_TOP), bold=BOLD * m.s
        )
        c.paint(msk, WHITE)
        return
    cx, cy, r = (1862.0, 68.0, 41.0) if key.mode == "duos" else (1860.0, 62.0, 36.0)
    ring = c.ellipse_mask(m.x(cx), m.y(cy), r * m.s, r * m.s)
    inner = c.ellipse_mask(m.x(cx), m.y(cy), (r - 4.5) * m.s, (r - 4.5) * m.s)
    if key.mode == "duos":
        c.paint(ring, (215.0, 222.0, 228.0), 0.95)
        c.paint(inner, (60.0, 76.0, 92.0), 1.0)
        fists = np.maximum(
            c.ellipse_mask(m.x(cx - 11), m.y(cy + 2), 12 * m.s, 8 * m.s),
            c.ellipse_mask(m.x(cx + 11), m.y(cy + 2), 12 * m.s, 8 * m.s),
        )
        c.paint(fists, (225.0, 232.0, 236.0))
        msk, _ = c.text_mask("APEX DUOS", key.font, 13.0 * m.s, m.x(1578.0), m.y(89.0), digit_norm=False)
        c.paint(msk, WHITE, 0.9)
        return
    gold = (196.0, 150.0, 70.0)
    c.paint(ring, gold, 0.95)
    c.paint(inner, (38.0, 36.0, 40.0), 0.92)
    chevron = c.poly_mask(
        m.pts(
            [
                (cx, cy - 24),
                (cx + 20, cy + 14),
                (cx + 9, cy + 14),
                (cx, cy - 4),
                (cx - 9, cy + 14),
                (cx - 20, cy + 14),
            ]
        )
    )
    c.paint(chevron, gold)
    hex_pts = [
        (cx + 13 * math.cos(a), cy + 43 + 13 * math.sin(a))
        for a in np.linspace(0, 2 * math.pi, 7)[:-1] + math.pi / 6
    ]
    c.paint(c.poly_mask(m.pts(hex_pts)), (30.0, 30.0, 34.0), 0.95)
    c.paint(c.outline_mask(m.pts(hex_pts), 1.2 * m.s), gold)
    tier = ("IV", "III", "II", "I")[key.squads_left % 4]
    msk, _ = c.text_mask(
        tier, key.font, 11.0 * m.s, m.x(cx), m.y(cy + 37.5), align="center", digit_norm=False
    )
    c.paint(msk, WHITE)
    msk, _ = c.text_mask(
        f"+{10 + 7 * (20 - key.squads_left)} RP",
        key.font,
        14.0 * m.s,
        m.x(cx),
        m.y(130.0),
        align="center",
        digit_norm=False,
    )
    c.paint(msk, (235.0, 235.0, 235.0), 0.9)


def _fit_width(c: Canvas, mask: np.ndarray, width: float) -> np.ndarray:
    """Stretch a text mask horizontally about its left edge so its ink is `width` px wide."""
    cols = np.nonzero(mask.max(axis=0) > 0.02)[0]
    if cols.size == 0:
        return mask
    c0, c1 = cols[0], cols[-1] + 1
    target = max(1, round(width * c.ss))
    strip = mask[:, c0:c1]
    strip = cv2.resize(strip, (target, strip.shape[0]), interpolation=cv2.INTER_LINEAR)
    out = np.zeros_like(mask)
    end = min(out.shape[1], c0 + target)
    out[:, c0:end] = strip[:, : end - c0]
    return out


def kill_digit_boxes_for(key: HudKey) -> list[tuple[int, int, int, int]]:
    """Frame-pixel boxes (x0, y0, x1, y1) of each kill digit, [] when the kill box is hidden."""
    if not key.show_kill_box and key.era != "2019":
        return []
    text = str(max(0, key.kills))
    sty = key.style
    if _mode(key) == "ranked":
        m = _Mapper(key.width, key.height, 0.0, replace(sty, dy=sty.dy + (sty.bot - BOT)))
        x, top, cap_r, st = m.x(_r2_left(key.kills, key.font) + 35.0), R2_DIG_TOP, R2_CAP, R2_STRETCH
    else:
        m = _Mapper(key.width, key.height, MODE_SHIFT[_mode(key)], sty)
        lay = kill_layout(key.era, key.kills, key.squads_left, key.font, sty)
        x, top, cap_r, st = m.x(lay.digit_x), sty.digit_top, sty.digit_cap, sty.digit_stretch
    y0, y1 = m.y(top), m.y(top) + cap_r * m.s
    # walk the string digit by digit with the same rasteriser the layer uses (ink + bold)
    b = BOLD * m.s
    boxes: list[tuple[int, int, int, int]] = []
    for i in range(len(text)):
        right = x + _ink_width(text[: i + 1], key.font, cap_r, st) * m.s + 2 * b
        wi = _ink_width(text[i], key.font, cap_r, st) * m.s + 2 * b
        boxes.append((math.floor(right - wi), math.floor(y0 - b), math.ceil(right), math.ceil(y1 + b)))
    return boxes


def occluder_rect(style: HudStyle, width: int, height: int) -> tuple[int, int, int, int] | None:
    """The stream overlay's frame rectangle (x0, y0, x1, y1), or None. Anchored to the
    top-right corner at the frame's HUD scale (not moved by the HUD's own offsets)."""
    if style.occluder is None:
        return None
    s = hud_scale(width, height)
    x0, y0, x1, y1 = style.occluder
    return (
        max(0, math.floor(width - (1920.0 - x0) * s)),
        max(0, math.floor(y0 * s)),
        min(width, math.ceil(width - (1920.0 - x1) * s)),
        min(height, math.ceil(y1 * s)),
    )


def kill_slot_covered(key: HudKey, *, count_only: bool = False) -> bool:
    """True when the stream overlay covers any of the kill box (or where it would be) -- or
    (``count_only``) any of its count, the skull and digits: an overlay over the box's slanted
    padding alone hides no number (the ranked row starts right of the covered family's slot,
    one slanted corner of its box under the overlay)."""
    r = occluder_rect(key.style, key.width, key.height)
    if r is None:
        return False
    st = key.style
    if _mode(key) == "ranked":
        m = _Mapper(key.width, key.height, 0.0, replace(st, dy=st.dy + (st.bot - BOT)))
        left = _r2_left(key.kills, key.font)
        bx0, bx1, by0, by1 = (left + R2_SKULL_DX if count_only else left - 16), R2_DIV, R2_TOP, R2_BOT
    else:
        m = _Mapper(key.width, key.height, MODE_SHIFT[_mode(key)], st)
        lay = kill_layout(key.era, key.kills, key.squads_left, key.font, st)
        bx0, bx1, by0, by1 = (lay.skull_x if count_only else lay.left - st.slant), lay.right, st.top, st.bot
    fx0, fx1, fy0, fy1 = m.x(bx0), m.x(bx1), m.y(by0), m.y(by1)
    return not (r[2] <= fx0 or r[0] >= fx1 or r[3] <= fy0 or r[1] >= fy1)


@lru_cache(maxsize=64)
def occluder_layer(style: HudStyle, width: int, height: int) -> Layer | None:
    """A webcam (a blurry face-like picture in a bordered frame) or an opaque stream panel
    (text and numbers) over part of the top-right corner."""
    r = occluder_rect(style, width, height)
    if r is None or r[2] - r[0] < 2 or r[3] - r[1] < 2:
        return None
    x0, y0, x1, y1 = r
    w, h = x1 - x0, y1 - y0
    rng = np.random.default_rng(style.occluder_seed)
    img = np.zeros((h, w, 3), np.float32)
    if style.occluder_kind == "webcam":
        base = rng.uniform(30, 200, 3)
        img[:] = base
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        for _ in range(6):
            cx, cy = rng.uniform(0, w), rng.uniform(0, h)
            rad = rng.uniform(0.1, 0.5) * max(w, h)
            col = rng.uniform(0, 255, 3)
            wgt = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * rad * rad))[..., None]
            img = img * (1 - 0.8 * wgt) + col * 0.8 * wgt
        img += rng.normal(0, 6, img.shape)
    else:
        img[:] = rng.uniform(10, 90, 3)
        s = hud_scale(width, height)
        c = Canvas(w, h, SS, x0, y0)
        for i, text in enumerate(
            (
                "FOLLOW GOAL",
                f"{int(rng.integers(10, 99))}/{int(rng.integers(100, 999))}",
                f"SUBS {int(rng.integers(1, 40))}",
            )
        ):
            msk, _ = c.text_mask(
                text, style.font, 13.0 * s, x0 + 6 * s, y0 + (8 + 24 * i) * s, digit_norm=False
            )
            c.paint(msk, WHITE)
        lay = c.to_layer(x0, y0)
        img = img * (1 - lay.alpha) + lay.premul
    t = max(1, round(2 * hud_scale(width, height)))
    border = rng.uniform(120, 255, 3)
    img[:t], img[-t:], img[:, :t], img[:, -t:] = border, border, border, border
    a = np.ones((h, w, 1), np.float32)
    p = np.clip(img, 0, 255).astype(np.float32)
    a.setflags(write=False)
    p.setflags(write=False)
    return Layer(x0, y0, a, p)


@lru_cache(maxsize=64)
def banner_layer(style: HudStyle, width: int, height: int) -> Layer | None:
    """The banner that pushes the HUD down (spectating, awaiting respawn): a dark strip with
    text across the top-right, above the pushed-down boxes."""
    if not style.banner or style.dy < 24:
        return None
    m = _Mapper(width, height, 0.0, replace(style, dy=0.0))
    y0r, y1r = 6.0, style.dy + style.top - 8.0
    c, fx0, fy0 = m.canvas(1920.0 - 640.0, 1915.0, y0r, y1r)
    c.paint(c.poly_mask(m.pts([(1280.0, y0r), (1915.0, y0r), (1915.0, y1r), (1280.0, y1r)])), BLACK, 0.55)
    cap = min(16.0, 0.5 * (y1r - y0r))
    msk, _ = c.text_mask(
        style.banner,
        style.font,
        cap * m.s,
        m.x(1900.0),
        m.y((y0r + y1r - cap) / 2),
        align="right",
        digit_norm=False,
        bold=BOLD * m.s,
    )
    c.paint(msk, style.ink)
    return c.to_layer(fx0, fy0)
