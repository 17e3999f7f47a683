"""Full-screen menus and overlays: lobby, SELECT LEGEND, end screens, Arenas, another game,
the inventory and the spectating tab bar.

Layouts follow real Apex screens (lobby, SELECT LEGEND, end screens) in 1920x1080 reference
pixels, centred horizontally and anchored to the top, scaled by
``s = min(W/1920, H/1080)``. Every marker text (SELECT LEGEND, banners, PLACED ..., SQUAD
PLACED, TOTAL KILLS WITH SQUAD, SPECTATE) lies above y = 486 * s, i.e. inside the top 45% that
the OCR reads (regions.text_box) at any aspect ratio.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import cv2
import numpy as np
from PIL import Image, ImageDraw

from vodstream.readers.regions import (
    CARD_TOP,
    CARD_VALUE_DX,
    DUO_CARD_X,
    KILLS_CAP,
    SQUAD_TOTAL_BASELINE,
    SQUAD_TOTAL_CAP,
    SQUAD_TOTAL_RIGHT,
    TRIO_CARD_X,
    hud_scale,
    own_card_index,
)
from vodstream.testbed.synth.canvas import Layer
from vodstream.testbed.synth.fonts import pil_font
from vodstream.testbed.synth.state import FrameState

__all__ = [
    "card_kills",
    "inventory_frame",
    "menu_frame",
    "overlay_image",
    "spectate_layer",
]

Ink = float | tuple[int, ...] | str  # a PIL drawing colour

_LEGENDS = (
    "BANGALORE",
    "BLOODHOUND",
    "CAUSTIC",
    "GIBRALTAR",
    "LIFELINE",
    "MIRAGE",
    "PATHFINDER",
    "WRAITH",
    "OCTANE",
    "WATTSON",
    "CRYPTO",
    "REVENANT",
    "LOBA",
    "RAMPART",
    "HORIZON",
    "FUSE",
)
_NAMES = (
    "Daut-WednesDay",
    "OGRealSlim",
    "21_Sinned",
    "LtFrostin",
    "nms_esdf",
    "Tzu_Sneaky",
    "xXWraithXx",
    "Mendo_fan",
    "PathyBoi",
    "kcanyon99",
)


class _Draw:
    """Pillow drawing in reference coordinates.

    y: the top half of the 1080p layout is anchored to the top, the bottom half to the bottom
    (so marker text stays in the top 45% at every aspect ratio). x: centred, or anchored to
    the nearer side edge (`xmode='edges'`, for in-game HUDs).
    """

    def __init__(
        self, img: Image.Image, font: str, *, frame: tuple[int, int] | None = None, xmode: str = "center"
    ) -> None:
        self.img = img
        self.d = ImageDraw.Draw(img, "RGBA")
        self.W, self.H = frame or img.size
        self.s = hud_scale(self.W, self.H)
        self.font = font
        self.xmode = xmode
        self.ymode = "split"  # or "top": a group that must not be torn apart

    def X(self, xr: float) -> float:
        if self.xmode == "edges":
            return xr * self.s if xr < 960 else self.W - (1920.0 - xr) * self.s
        return self.W / 2 + (xr - 960.0) * self.s

    def Y(self, yr: float) -> float:
        if yr <= 540 or self.ymode == "top":
            return yr * self.s
        return self.H - (1080.0 - yr) * self.s

    def rect(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: Ink | None,
        outline: Ink | None = None,
        width: float = 1.0,
    ) -> None:
        self.d.rectangle(
            [self.X(x0), self.Y(y0), self.X(x1), self.Y(y1)],
            fill=fill,
            outline=outline,
            width=max(1, round(width * self.s)),
        )

    def poly(self, pts: Iterable[tuple[float, float]], fill: Ink | None, outline: Ink | None = None) -> None:
        self.d.polygon([(self.X(x), self.Y(y)) for x, y in pts], fill=fill, outline=outline)

    def runs(self, xr: float, yr: float, parts: list[tuple[str, float, tuple]], center: bool = False) -> None:
        """Consecutive text runs (text, cap, colour) on one baseline, starting at xr (or centred)."""
        fonts = [pil_font(self.font, max(3.0, cap * self.s)) for _t, cap, _c in parts]
        widths = [f.getlength(t) for f, (t, _cap, _c) in zip(fonts, parts, strict=True)]
        x = self.X(xr) - (sum(widths) / 2 if center else 0.0)
        for f, w, (t, _cap, col) in zip(fonts, widths, parts, strict=True):
            self.d.text((x, self.Y(yr)), t, font=f, fill=col, anchor="ls")
            x += w

    def text(
        self,
        xr: float,
        yr: float,
        text: str,
        cap: float,
        fill: Ink | None,
        anchor: str = "ls",
        font: str | None = None,
    ) -> None:
        """Text with cap height `cap`; (xr, yr) = anchor point, default left/baseline."""
        f = pil_font(font or self.font, max(3.0, cap * self.s))
        self.d.text((self.X(xr), self.Y(yr)), text, font=f, fill=fill, anchor=anchor)


def _dim(bg: np.ndarray, amount: float, blur: float = 0.0) -> np.ndarray:
    out: np.ndarray = bg.astype(np.float32) * amount
    if blur > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur)
    return out.astype(np.uint8)


def _gradient(W: int, H: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> np.ndarray:
    t = np.linspace(0, 1, H, dtype=np.float32)[:, None, None]
    g = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    return np.broadcast_to(g, (H, W, 3)).astype(np.uint8).copy()


def _silhouette(dr: _Draw, cx: float, base: float, h: float, fill: Ink) -> None:
    """A standing figure (head, torso, legs) as a menu decoration."""
    w = h * 0.28
    dr.d.ellipse([dr.X(cx - w * 0.22), dr.Y(base - h), dr.X(cx + w * 0.22), dr.Y(base - h * 0.86)], fill=fill)
    dr.poly(
        [
            (cx - w * 0.5, base - h * 0.84),
            (cx + w * 0.5, base - h * 0.84),
            (cx + w * 0.38, base - h * 0.45),
            (cx + w * 0.3, base),
            (cx + w * 0.05, base),
            (cx, base - h * 0.4),
            (cx - w * 0.05, base),
            (cx - w * 0.3, base),
            (cx - w * 0.38, base - h * 0.45),
        ],
        fill=fill,
    )


# The squad summary cards: geometry and which card is the player's live in vodstream.readers.regions
# (shared with the reader, vodstream.readers.endscreen).


def card_kills(own: int, squad: int, n_cards: int, rng: np.random.Generator) -> list[int]:
    """Kills per card, left to right: the player's ``own`` on their card, the teammates random,
    summing to ``squad`` (``squad`` < ``own`` is raised to ``own``)."""
    rest = max(0, squad - own)
    mates = n_cards - 1
    split: list[int] = []
    for j in range(mates):
        if j == mates - 1:
            split.append(rest)
        else:
            a = int(rng.integers(0, rest + 1))
            split.append(a)
            rest -= a
    out = split[:]
    out.insert(own_card_index(n_cards), own)
    return out


def _card_buttons(dr: _Draw, x: float) -> None:
    """Mute / chat / report buttons: teammates' cards only."""
    for k in range(3):
        bx = x + 14 + k * 70
        dr.rect(bx, 880, bx + 62, 940, fill=(40, 40, 46, 220), outline=(170, 170, 170, 255), width=2)
    dr.poly([(x + 170, 928), (x + 190, 892), (x + 210, 928)], fill=None, outline=(240, 240, 240))
    dr.rect(x + 104, 900, x + 134, 918, fill=(220, 220, 220, 255))
    dr.poly(
        [(x + 30, 902), (x + 42, 902), (x + 56, 890), (x + 56, 930), (x + 42, 918), (x + 30, 918)],
        fill=(220, 220, 220, 255),
    )


def _player_cards(dr: _Draw, kills: list[int], rng: np.random.Generator) -> None:
    """The summary cards; ``kills`` per card left to right (3: trios, 2: duos)."""
    dr.ymode = "top"
    xs = TRIO_CARD_X if len(kills) == 3 else DUO_CARD_X
    own = own_card_index(len(kills))
    top = CARD_TOP
    for i, x in enumerate(xs):
        dr.rect(x, top, x + 500, 950, fill=(10, 10, 14, 150), outline=(200, 200, 200, 255), width=2)
        dr.rect(x + 235, top + 14, x + 485, 935, fill=(*(int(v) for v in rng.integers(60, 200, 3)), 255))
        _silhouette(dr, x + 360, 900, 560, (*(int(v) for v in rng.integers(20, 90, 3)), 255))
        dr.text(x + 24, top + 60, _NAMES[int(rng.integers(len(_NAMES)))], 22, (255, 255, 255))
        rows = [
            ("Kills", str(kills[i])),
            ("Damage Dealt", str(int(rng.integers(0, 2500)))),
            ("Survival Time", f"{int(rng.integers(1, 20))}:{int(rng.integers(0, 60)):02d}"),
            ("Revive Given", str(int(rng.integers(0, 4)))),
            ("Respawn Given", str(int(rng.integers(0, 3)))),
        ]
        for j, (lab, val) in enumerate(rows):
            y = top + 136 + j * 76
            dr.text(x + CARD_VALUE_DX, y, lab, 14, (200, 200, 200))
            dr.text(
                x + CARD_VALUE_DX,
                y + 35,
                val,
                KILLS_CAP if j == 0 else 24,
                (240, 180, 40) if j == 0 else (255, 255, 255),
            )
            dr.rect(x + 24, y + 48, x + 220, y + 49, fill=(120, 120, 120, 255))
        if i != own:
            _card_buttons(dr, x)
    dr.ymode = "split"


def _hband(
    dr: _Draw,
    x0: float,
    x1: float,
    y0: float,
    y1: float,
    edge: tuple[int, int, int],
    mid: tuple[int, int, int],
    alpha: int,
    steps: int = 120,
) -> None:
    """A horizontal banner whose colour goes from `edge` at both ends to `mid` in the centre."""
    for i in range(steps):
        a, b = x0 + (x1 - x0) * i / steps, x0 + (x1 - x0) * (i + 1) / steps
        t = abs((a + b) / 2 - (x0 + x1) / 2) / ((x1 - x0) / 2)  # 0 centre .. 1 ends
        t = t**1.5
        col = tuple(round(m + (e - m) * t) for e, m in zip(edge, mid, strict=True))
        dr.rect(a, y0, b + 1, y1, fill=(*col, alpha))


def _tabs(dr: _Draw, active: str) -> None:
    """SPECTATE | DEATH RECAP | SUMMARY tab bar (SPECTATE at x 670-800, y 40-70 at 1080p)."""
    dr.poly([(600, 20), (1300, 20), (1280, 82), (620, 82)], fill=(20, 22, 28, 200))
    for name, x0, x1 in (("SPECTATE", 640, 840), ("DEATH RECAP", 840, 1060), ("SUMMARY", 1060, 1270)):
        if name == active:
            dr.poly([(x0, 20), (x1, 20), (x1 - 20, 82), (x0 - 20, 82)], fill=(190, 30, 30, 255))
        dr.rect(
            x0 + 10, 76, x1 - 30, 80, fill=(230, 230, 230, 255) if name == active else (110, 110, 110, 255)
        )
        dr.text(
            (x0 + x1) / 2 - 10, 65, name, 21, (255, 255, 255) if name == active else (185, 185, 185), "ms"
        )


def _end(dr: _Draw, st: FrameState, rng: np.random.Generator) -> None:
    place = st.placement if st.placement is not None else 1
    # the squad total bounds the player's own kills (st.kills): never draw a total below them
    kills = max(st.squad_kills, st.kills) if st.squad_kills is not None else st.kills
    n_cards = 2 if st.hud_mode == "duos" else 3
    cards = card_kills(st.kills, kills, 3 if st.end_kind == "placed" else n_cards, rng)
    if st.end_kind == "placed":
        title = "CHAMPIONS OF THE ARENA" if place == 1 else "SQUAD ELIMINATED"
        dr.poly(
            [(0, 0), (1920, 0), (1920, 110), (1520, 110), (1400, 150), (520, 150), (400, 110), (0, 110)],
            fill=(70, 12, 14, 235),
        )
        dr.text(960, 98, title, 44, (255, 255, 255), "ms")
        of = st.of if st.of is not None else 20
        white, gold = (255, 255, 255), (250, 200, 40)
        dr.runs(
            715, 152, [("PLACED ", 19, white), (f"#{place}", 19, gold), (f" OF {of}", 19, white)], center=True
        )
        dr.runs(1215, 152, [(str(kills), 22, gold), ("  SQUAD KILLS", 19, white)], center=True)
        # 2019 stat columns (labels only reach the top 45% with the name row)
        for i, x in enumerate((130.0, 760.0, 1385.0)):
            dr.text(x + 150, 200, _NAMES[int(rng.integers(len(_NAMES)))], 15, (255, 255, 255), "ms")
            dr.rect(x + 60, 230, x + 330, 600, fill=(*(int(v) for v in rng.integers(60, 200, 3)), 255))
            for j, lab in enumerate(("KILLS", "DAMAGE DEALT", "SURVIVAL TIME", "PLAYERS REVIVED")):
                y = 640 + j * 72
                dr.rect(x, y, x + 200, y + 64, fill=(15, 15, 20, 200), outline=(140, 140, 140, 255))
                dr.text(x + 8, y + 18, lab, 10, (230, 230, 230))
                dr.text(
                    x + 8,
                    y + 54,
                    str(cards[i] if j == 0 else int(rng.integers(0, 2000))),
                    26,
                    (255, 255, 255),
                )
        return
    _tabs(dr, "SUMMARY")
    if st.end_kind == "squad_eliminated":
        title = "SQUAD ELIMINATED"
        _hband(dr, 110, 1810, 112, 190, (120, 14, 18), (175, 22, 26), 235)
    elif st.end_kind == "champions":
        title = "CHAMPIONS OF THE ARENA" if (st.scene_seed % 2 == 0) else "CHAMPIONS"
        _hband(dr, 110, 1810, 112, 190, (215, 160, 45), (28, 24, 18), 235)  # gold ends, dark middle
    else:
        title = "MATCH SUMMARY"
        dr.rect(-600, 112, 2520, 190, fill=(10, 10, 12, 120))
        _hband(dr, 634, 1258, 116, 188, (95, 140, 25), (120, 170, 40), 245)
        dr.rect(1385, 112, 1810, 186, fill=(60, 80, 30, 200))
    dr.text(960, 170, title, 38, (255, 255, 255), "ms")
    dr.text(1455, 145, "SQUAD", 13, (230, 230, 230), "rs")
    dr.text(1455, 168, "PLACED", 13, (230, 230, 230), "rs")
    dr.text(1465, 170, f"#{place}", 40, (250, 200, 40), "ls")
    # the number is right-aligned; its label ends just left of it (as in the real frames)
    num_w = pil_font(dr.font, max(3.0, SQUAD_TOTAL_CAP * dr.s)).getlength(str(kills)) / dr.s
    lab_x = SQUAD_TOTAL_RIGHT - num_w - 10
    dr.text(lab_x, 145, "TOTAL KILLS", 13, (230, 230, 230), "rs")
    dr.text(lab_x, 168, "WITH SQUAD", 13, (230, 230, 230), "rs")
    dr.text(SQUAD_TOTAL_RIGHT, SQUAD_TOTAL_BASELINE, str(kills), SQUAD_TOTAL_CAP, (250, 200, 40), "rs")
    _player_cards(dr, cards, rng)
    dr.d.rectangle([dr.X(1600), dr.Y(1035), dr.X(1650), dr.Y(1058)], fill=(220, 220, 220))
    dr.text(1625, 1053, "SPACE", 9, (0, 0, 0), "ms")
    dr.text(1660, 1054, "Return to Lobby", 16, (255, 255, 255), "ls")


def _select_legend(dr: _Draw, st: FrameState, rng: np.random.Generator) -> None:
    dr.text(90, 120, "SELECT LEGEND", 58, (255, 255, 255))
    dr.text(92, 165, "YOU ARE PICKING " + ("1ST", "2ND", "3RD")[int(rng.integers(3))], 20, (230, 200, 90))
    if st.countdown is not None:
        dr.d.ellipse(
            [dr.X(920), dr.Y(40), dr.X(1000), dr.Y(120)],
            outline=(255, 255, 255),
            width=max(1, round(3 * dr.s)),
        )
        dr.text(960, 95, str(st.countdown), 36, (255, 255, 255), "ms")
    for i in range(3):  # squad pick banners on the left
        y = 230 + i * 70
        dr.poly([(60, y), (420, y), (400, y + 56), (60, y + 56)], fill=(20, 20, 30, 190))
        dr.text(80, y + 38, _NAMES[(i + int(rng.integers(5))) % len(_NAMES)], 18, (255, 255, 255))
    _silhouette(dr, 960, 860, 640, (25, 25, 35))
    n = 16
    for i in range(n):  # portrait row
        x = 960 + (i - n / 2) * 96
        pick = i == int(rng.integers(n))
        dr.poly(
            [(x + 14, 900), (x + 96, 900), (x + 82, 1000), (x, 1000)],
            fill=(*(int(v) for v in rng.integers(40, 170, 3)), 255),
            outline=(255, 255, 255) if pick else (90, 90, 90),
        )
    dr.text(960, 1050, _LEGENDS[int(rng.integers(len(_LEGENDS)))], 26, (255, 255, 255), "ms")


def _lobby(dr: _Draw, st: FrameState, rng: np.random.Generator) -> None:
    for i, name in enumerate(("PLAY", "LEGENDS", "ARMORY", "CLUBS", "BATTLE PASS", "STORE")):
        dr.text(60 + i * 150, 58, name, 18, (255, 255, 255) if i == 0 else (170, 170, 170))
    for cx in (620, 960, 1300):
        _silhouette(dr, cx, 900, 560, (30, 26, 30))
    dr.ymode = "top"
    dr.rect(40, 400, 300, 560, fill=(40, 30, 30, 200))
    dr.text(50, 425, "LAST SQUAD", 16, (255, 255, 255))
    dr.ymode = "split"
    dr.rect(0, 610, 440, 1050, fill=(60, 40, 35, 230))
    dr.text(200, 655, "BRONZE I", 18, (255, 255, 255), "ms")
    if st.screen == "lobby_ready":
        dr.rect(50, 915, 415, 1020, fill=(90, 70, 60, 255), outline=(230, 230, 230), width=2)
        dr.rect(50, 1010, 415, 1020, fill=(240, 100, 40, 255))
        dr.text(232, 985, "READY", 34, (255, 255, 255), "ms")
    else:
        dr.text(232, 895, "MATCHMAKING", 24, (255, 255, 255), "ms")
        dr.text(232, 925, f"{int(st.t) // 60}:{int(st.t) % 60:02d}", 16, (220, 220, 220), "ms")
        dr.rect(50, 940, 415, 1020, fill=(40, 40, 45, 255), outline=(200, 200, 200), width=2)
        dr.text(232, 992, "CANCEL", 30, (255, 255, 255), "ms")
    dr.rect(1520, 960, 1880, 1040, fill=(40, 35, 35, 220))


def _arenas(dr: _Draw, st: FrameState) -> None:
    dr.poly([(840, 10), (1080, 10), (1060, 56), (860, 56)], fill=(15, 15, 20, 180))
    dr.text(
        960,
        44,
        f"{(st.round_no or 1) // 2}  -  {(st.round_no or 1) - 1 - (st.round_no or 1) // 2}",
        22,
        (255, 255, 255),
        "ms",
    )
    if st.arenas_result is not None:
        win = st.arenas_result == "victory"
        dr.poly(
            [(0, 220), (1920, 220), (1920, 340), (0, 340)],
            fill=(20, 60, 140, 200) if win else (150, 20, 20, 200),
        )
        dr.text(960, 312, "VICTORY!" if win else "DEFEAT", 80, (255, 255, 255), "ms")
    else:
        dr.text(960, 300, f"ROUND {st.round_no or 1}", 70, (255, 255, 255), "ms")
        dr.text(960, 350, "BUY PHASE", 22, (230, 200, 90), "ms")


def _other_game(dr: _Draw, st: FrameState, rng: np.random.Generator) -> None:
    """Another game's HUD: compass strip, a round minimap with a player count, health/ammo."""
    dr.xmode = "center"
    dr.rect(660, 20, 1260, 52, fill=(0, 0, 0, 110))
    for i, c in enumerate("N  15  30  NE  60  75  E".split()):
        dr.text(700 + i * 80, 44, c, 16, (255, 255, 255), "ms")
    dr.xmode = "edges"
    cx, cy, r = 1760, 170, 135
    dr.d.ellipse(
        [dr.X(cx - r), dr.Y(cy - r), dr.X(cx + r), dr.Y(cy + r)],
        fill=(40, 70, 50, 230),
        outline=(230, 230, 230),
        width=max(1, round(3 * dr.s)),
    )
    dr.text(cx, cy + r + 40, f"{int(rng.integers(5, 90))} PLAYERS", 20, (255, 255, 255), "ms")
    dr.text(cx, cy + r + 70, f"{st.kills} KO", 20, (250, 220, 80), "ms")
    dr.rect(60, 980, 460, 1004, fill=(30, 30, 30, 200))
    dr.rect(60, 980, 60 + 400 * 0.7, 1004, fill=(80, 220, 80, 255))
    dr.text(
        1700, 1020, f"{int(rng.integers(1, 30))} / {int(rng.integers(30, 300))}", 38, (255, 255, 255), "ms"
    )


def menu_frame(st: FrameState, W: int, H: int, bg: np.ndarray | None, font: str, seed: int) -> np.ndarray:
    """Render a full-screen (non in-match) screen. `bg` is the game world behind it, if any."""
    rng = np.random.default_rng([seed & 0xFFFFFFFF, st.scene_seed & 0xFFFFFFFF, 23])
    if st.screen == "black":
        return np.zeros((H, W, 3), np.uint8)
    if st.screen in ("lobby_ready", "lobby_matchmaking"):
        base = _gradient(W, H, (150, 90, 60), (40, 30, 45))
    elif st.screen == "select_legend":
        base = _gradient(W, H, (35, 45, 70), (10, 12, 20))
    elif st.screen == "end":
        base = (
            _dim(bg, 0.35, 4.0 * hud_scale(W, H))
            if bg is not None
            else _gradient(W, H, (30, 30, 40), (5, 5, 8))
        )
    else:
        raise ValueError(f"{st.screen!r} is not a static screen")
    img = Image.fromarray(base)
    dr = _Draw(img, font)
    if st.screen in ("lobby_ready", "lobby_matchmaking"):
        _lobby(dr, st, rng)
    elif st.screen == "select_legend":
        _select_legend(dr, st, rng)
    elif st.screen == "end":
        _end(dr, st, rng)
    return np.asarray(img, dtype=np.uint8).copy()


def overlay_image(st: FrameState, W: int, H: int, font: str, seed: int) -> Image.Image:
    """Arenas / another game: their HUD as a transparent RGBA overlay for the moving world."""
    rng = np.random.default_rng([seed & 0xFFFFFFFF, st.scene_seed & 0xFFFFFFFF, 29])
    img = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    dr = _Draw(img, font, xmode="center" if st.screen == "arenas" else "edges")
    if st.screen == "arenas":
        _arenas(dr, st)
    else:
        _other_game(dr, st, rng)
    return img


def inventory_frame(bg: np.ndarray, W: int, H: int, font: str) -> np.ndarray:
    """The inventory: the world dimmed and blurred under panels; it covers the HUD counter."""
    base = _dim(bg, 0.25, 6.0 * hud_scale(W, H))
    img = Image.fromarray(base)
    dr = _Draw(img, font)
    dr.rect(-600, 0, 2520, 95, fill=(10, 12, 16, 235))
    for i, name in enumerate(("MAP", "INVENTORY", "SQUAD", "LEGEND")):
        dr.text(
            660 + i * 200, 62, name, 20, (255, 255, 255) if name == "INVENTORY" else (150, 150, 150), "ms"
        )
    dr.rect(330, 240, 960, 620, fill=(20, 22, 28, 220), outline=(120, 120, 120, 255))
    dr.text(340, 230, "BACKPACK", 18, (220, 220, 220))
    for r_ in range(2):
        for c in range(5):
            x, y = 350 + c * 120, 270 + r_ * 170
            dr.rect(x, y, x + 105, y + 150, fill=(45, 50, 60, 255), outline=(90, 90, 100, 255))
            dr.text(x + 95, y + 140, str((r_ * 5 + c) * 7 % 60 + 1), 16, (230, 230, 230), "rs")
    dr.rect(1060, 240, 1880, 860, fill=(20, 22, 28, 220), outline=(120, 120, 120, 255))
    dr.text(1070, 230, "EQUIPMENT", 18, (220, 220, 220))
    for i in range(4):
        dr.rect(1080, 270 + i * 145, 1860, 395 + i * 145, fill=(45, 50, 60, 255))
    return np.asarray(img, dtype=np.uint8).copy()


def spectate_layer(W: int, H: int, font: str) -> Layer:
    """Tab bar (SPECTATE active) and the 'SPECTATING' caption, as a top-of-frame layer."""
    s = hud_scale(W, H)
    h = max(1, math.ceil(180 * s))
    img = Image.new("RGBA", (W, h), (0, 0, 0, 0))
    dr = _Draw(img, font, frame=(W, H))
    _tabs(dr, "SPECTATE")
    dr.text(960, 130, "SPECTATING", 24, (255, 255, 255, 255), "ms")
    dr.text(960, 162, _NAMES[(W + H) % len(_NAMES)], 18, (230, 200, 90, 255), "ms")
    arr = np.asarray(img, dtype=np.float32)
    a = arr[..., 3:4] / 255.0
    p = arr[..., :3] * a
    a.setflags(write=False)
    p.setflags(write=False)
    return Layer(0, 0, a, p)


def game_hud_image(W: int, H: int, font: str, era: str) -> Image.Image:
    """The rest of the in-match HUD (transparent RGBA): minimap, compass, squad and own health
    bars, weapons and ammo. Anchored to the nearer edges like the game's HUD."""
    img = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    dr = _Draw(img, font, xmode="edges")
    # minimap, top left
    dr.rect(38, 38, 282, 282, fill=(20, 26, 24, 170), outline=(200, 200, 200, 150), width=1.5)
    rng = np.random.default_rng([W, H, 3])
    for _ in range(14):
        x, y = float(rng.uniform(50, 250)), float(rng.uniform(50, 250))
        w, h = float(rng.uniform(10, 40)), float(rng.uniform(10, 40))
        dr.rect(
            x,
            y,
            min(270, x + w),
            min(270, y + h),
            fill=(*(int(v) for v in rng.integers(60, 150, 3)), 150),
        )
    dr.poly([(160, 148), (170, 172), (160, 165), (150, 172)], fill=(255, 255, 255, 255))
    # compass strip, top centre
    dr.xmode = "center"
    dr.rect(720, 16, 1200, 44, fill=(0, 0, 0, 70))
    for i, lab in enumerate(("NW", "315", "330", "N", "15", "30", "NE")):
        x = 760 + i * 66
        dr.text(x, 39, lab, 12 if lab.isdigit() else 14, (235, 235, 235, 230), "ms")
        dr.rect(x + 32, 36, x + 34, 44, fill=(220, 220, 220, 200))
    dr.poly([(955, 48), (965, 48), (960, 56)], fill=(255, 255, 255, 230))
    dr.xmode = "edges"
    # squad mates and own bars, bottom left
    for i in range(2):
        y = 890 + i * 44
        dr.rect(60, y, 96, y + 36, fill=(30, 30, 34, 200), outline=(160, 160, 160, 200))
        dr.rect(104, y + 14, 300, y + 22, fill=(40, 40, 40, 180))
        dr.rect(104, y + 14, 104 + 196 * float(rng.uniform(0.3, 1.0)), y + 22, fill=(235, 235, 235, 230))
    dr.rect(60, 985, 130, 1055, fill=(30, 30, 34, 210), outline=(180, 180, 180, 220))
    dr.rect(140, 1008, 440, 1020, fill=(60, 60, 70, 200))
    dr.rect(
        140,
        1008,
        140 + 300 * 0.8,
        1020,
        fill=(80, 150, 255, 235) if era == "modern" else (170, 100, 230, 235),
    )
    dr.rect(140, 1026, 440, 1040, fill=(235, 235, 235, 235))
    # weapons and ammo, bottom right
    dr.rect(1560, 975, 1860, 1050, fill=(20, 20, 24, 120))
    dr.text(1700, 1035, str(int(rng.integers(5, 31))), 34, (255, 255, 255, 255), "rs")
    dr.text(1712, 1035, str(int(rng.integers(30, 240))), 18, (200, 200, 200, 255), "ls")
    dr.rect(1580, 985, 1650, 1000, fill=(230, 230, 230, 220))
    return img


_VICTIMS = (
    "JMONEYFO20",
    "VACATEDPLANET",
    "SOOOOUUUP",
    "GRAPEWOOD",
    "STEFANOM24",
    "MYNINGENTOTORO",
    "SELUVIA",
    "FAEHIR",
    "ILIKECHEESE",
    "XUVOTHEGREAT",
)


def event_image(W: int, H: int, font: str, kills: int) -> Image.Image:
    """The centre-screen kill notification ("ELIMINATED <NAME>") shown while the counter flashes."""
    img = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    dr = _Draw(img, font)
    name = _VICTIMS[(kills * 7) % len(_VICTIMS)]
    f_w = pil_font(font, 19 * dr.s)
    w = (f_w.getlength("ELIMINATED ") + f_w.getlength(name)) / dr.s
    dr.rect(960 - w / 2 - 14, 762, 960 + w / 2 + 14, 796, fill=(20, 24, 20, 110))
    dr.runs(960, 788, [("ELIMINATED ", 19, (235, 235, 235)), (name, 19, (230, 60, 40))], center=True)
    return img
