"""Hard, deterministic game-world backgrounds: a moving camera over a pre-rendered world.

Each scene (seed, scene_seed) gets one large texture, rendered once at the output resolution
and cached: a sky (clear, overcast white, sunset, night, or an indoor ceiling with light
panels) over a horizon with hazy mountains, ground with multi-octave texture, buildings with
windows and signs (white concrete walls included), rocks, foliage clumps, fences and
gratings (busy high-contrast texture), cables, digit-like signage and foreground occluders.
Dark scenes get a few strong lights. The HUD corner therefore sees bright white sky and
walls, saturated yellow/orange, busy texture and near-black, as real footage does.

The camera pans smoothly with occasional fast flicks (with motion blur) and, in some scenes,
aims down sights (a zoom step). Frames are integer slices of the texture (cheap); only zoom
transitions need a warp, and a sub-rectangle (the HUD crop) costs only its own pixels.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import ArrayLike

__all__ = ["STYLES", "SceneBank", "scene_params", "scene_texture"]

C = tuple[float, float, float]


@dataclass(frozen=True)
class Style:
    sky: tuple[C, C] | None  # top and horizon colours; None = indoor
    clouds: float  # 0..1 cloud cover (white)
    ground: tuple[C, ...]
    buildings: tuple[C, ...]
    n_buildings: tuple[int, int]
    n_trees: tuple[int, int]
    foliage: tuple[C, ...]
    dark: float = 1.0


_STYLES: dict[str, Style] = {
    "desert": Style(
        ((95, 150, 220), (200, 220, 240)),
        0.2,
        ((214, 160, 98), (190, 120, 70), (240, 210, 160), (150, 95, 60), (225, 130, 60)),
        ((230, 225, 215), (180, 170, 160), (120, 110, 100), (200, 90, 40)),
        (2, 8),
        (0, 4),
        ((110, 120, 60), (80, 90, 40)),
    ),
    "canyon": Style(
        ((140, 180, 230), (235, 230, 215)),
        0.4,
        ((170, 110, 70), (200, 140, 90), (120, 80, 55), (230, 180, 120)),
        ((240, 240, 235), (100, 100, 110), (60, 90, 150)),
        (1, 6),
        (3, 12),
        ((70, 110, 50), (110, 140, 60), (40, 70, 30)),
    ),
    "snow": Style(
        ((170, 195, 225), (245, 248, 252)),
        0.7,
        ((245, 248, 252), (220, 228, 240), (180, 195, 215), (120, 135, 160)),
        ((90, 100, 110), (200, 205, 215), (60, 70, 80)),
        (1, 6),
        (2, 10),
        ((40, 70, 60), (60, 90, 80)),
    ),
    "overcast": Style(
        ((225, 228, 232), (250, 250, 250)),
        0.9,
        ((130, 135, 120), (160, 160, 150), (100, 105, 95)),
        ((245, 245, 245), (210, 210, 215), (140, 140, 150)),
        (3, 10),
        (1, 6),
        ((70, 90, 60), (100, 120, 80)),
    ),
    "forest": Style(
        ((120, 170, 230), (210, 230, 245)),
        0.3,
        ((60, 100, 40), (100, 140, 60), (40, 60, 30), (140, 120, 80)),
        ((150, 140, 120), (90, 80, 70)),
        (0, 3),
        (10, 30),
        ((50, 100, 40), (90, 140, 50), (30, 60, 25), (140, 170, 70)),
    ),
    "urban": Style(
        ((110, 160, 225), (225, 235, 245)),
        0.3,
        ((130, 130, 135), (90, 95, 105), (160, 160, 165)),
        ((235, 235, 235), (200, 200, 205), (40, 80, 170), (170, 60, 40), (90, 95, 105)),
        (6, 16),
        (0, 5),
        ((60, 100, 50),),
    ),
    "industrial": Style(
        ((200, 170, 130), (240, 210, 170)),
        0.2,
        ((110, 100, 90), (70, 65, 60), (150, 140, 120)),
        ((200, 170, 40), (60, 60, 65), (160, 160, 150), (230, 120, 20)),
        (4, 12),
        (0, 3),
        ((80, 90, 50),),
    ),
    "sunset": Style(
        ((60, 60, 120), (255, 170, 80)),
        0.3,
        ((120, 70, 50), (80, 50, 40), (160, 100, 60)),
        ((60, 40, 40), (200, 120, 80), (40, 30, 35)),
        (2, 8),
        (2, 8),
        ((50, 40, 30), (80, 60, 40)),
    ),
    "lava": Style(
        ((40, 30, 40), (230, 120, 60)),
        0.1,
        ((40, 20, 15), (90, 30, 20), (20, 15, 15), (255, 120, 20)),
        ((60, 60, 65), (30, 30, 35), (255, 200, 60)),
        (2, 6),
        (0, 0),
        ((30, 25, 20),),
    ),
    "night": Style(
        ((5, 8, 20), (30, 40, 70)),
        0.1,
        ((30, 35, 45), (20, 25, 30), (45, 50, 60)),
        ((50, 55, 70), (30, 30, 40), (200, 190, 150)),
        (3, 10),
        (0, 6),
        ((20, 35, 25),),
        dark=0.5,
    ),
    "indoor": Style(
        None,
        0.0,
        ((70, 70, 75), (100, 100, 105), (50, 50, 55), (140, 135, 125)),
        ((190, 190, 195), (90, 95, 100), (40, 45, 50), (200, 160, 60)),
        (6, 14),
        (0, 0),
        ((60, 60, 60),),
    ),
}
STYLES = tuple(_STYLES)
# another game's worlds (the "other_game" spans): saturated toon colours, neon arenas
_OTHER_STYLES: dict[str, Style] = {
    "toon": Style(
        ((60, 160, 255), (170, 225, 255)),
        0.5,
        ((70, 200, 70), (120, 220, 90), (60, 160, 60), (230, 210, 120)),
        ((255, 120, 200), (90, 90, 255), (255, 220, 60), (250, 250, 250)),
        (3, 10),
        (6, 20),
        ((40, 200, 60), (120, 240, 80)),
    ),
    "neon": Style(
        None,
        0.0,
        ((30, 30, 50), (20, 20, 35), (45, 40, 70)),
        ((0, 230, 200), (255, 0, 150), (40, 40, 60), (250, 250, 90)),
        (5, 14),
        (0, 0),
        ((30, 30, 30),),
    ),
}
_WEIGHTS = {
    "desert": 1.2,
    "canyon": 1.2,
    "snow": 0.8,
    "overcast": 0.8,
    "forest": 1.0,
    "urban": 1.0,
    "industrial": 0.8,
    "sunset": 0.6,
    "lava": 0.4,
    "night": 0.5,
    "indoor": 0.7,
}


@dataclass(frozen=True)
class SceneParams:
    style: str
    dark: float  # brightness multiplier (<1: dark scene)
    busy: float  # 0..1 amount of high-contrast fine texture
    speed: float  # camera drift speed factor (1 = normal, 3 = fast motion)
    flicks: bool  # sudden fast turns
    zoom: float  # aim-down-sights zoom step (0 = never)
    white_share: float  # extra white/bright patches (snow, glare, light panels), share of the area


@lru_cache(maxsize=4096)
def scene_params(seed: int, scene_seed: int) -> SceneParams:
    """The (deterministic) look of a scene."""
    r = np.random.default_rng([seed & 0xFFFFFFFF, scene_seed & 0xFFFFFFFF, 7])
    w = np.array([_WEIGHTS[k] for k in STYLES])
    style = STYLES[int(r.choice(len(STYLES), p=w / w.sum()))]
    dark = _STYLES[style].dark
    if r.random() < 0.12:
        dark = min(dark, float(r.uniform(0.2, 0.45)))
    return SceneParams(
        style=style,
        dark=dark,
        busy=float(r.uniform(0.0, 1.0)),
        speed=float(r.choice([0.5, 1.0, 1.0, 1.5, 3.0])),
        flicks=bool(r.random() < 0.5),
        zoom=float(r.choice([0.0, 0.0, 0.12, 0.25])),
        white_share=float(r.choice([0.0, 0.0, 0.02, 0.06])),
    )


def _noise(r: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Smooth value noise in [0, 1] with about `cells` cells across the longer side."""
    gw = max(2, cells)
    gh = max(2, round(cells * h / w))
    g = r.random((gh, gw), dtype=np.float32)
    return cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC)


def _noise1d(r: np.random.Generator, n: int, cells: int) -> np.ndarray:
    g = r.random((1, max(2, cells)), dtype=np.float32)
    return cv2.resize(g, (n, 1), interpolation=cv2.INTER_CUBIC)[0]


def _col(c: C, k: float = 1.0) -> tuple[float, float, float]:
    return (float(min(255.0, c[0] * k)), float(min(255.0, c[1] * k)), float(min(255.0, c[2] * k)))


def _poly(img: np.ndarray, pts: ArrayLike, color: C) -> None:
    cv2.fillPoly(
        img, [np.round(np.asarray(pts, np.float64) * 16).astype(np.int32)], _col(color), cv2.LINE_AA, 4
    )


def _texture(seed: int, scene_seed: int, tw: int, th: int, unit: float, look: str = "apex") -> np.ndarray:
    """Render one scene texture (th x tw x 3 uint8). `unit` = output px per 1080p px; `look`
    'other' draws another game's world instead of an Apex one."""
    p = scene_params(seed, scene_seed)
    sty = _STYLES[p.style]
    if look == "other":
        sty = _OTHER_STYLES[("toon", "neon")[scene_seed % 2]]
    r = np.random.default_rng([seed & 0xFFFFFFFF, scene_seed & 0xFFFFFFFF, 11])
    hw, hh = max(8, tw // 2), max(8, th // 2)
    ground_pal = np.array(sty.ground, np.float32)

    # ground: low-frequency colour field x multi-octave brightness noise (half resolution)
    gh, gw = int(r.integers(3, 7)), int(r.integers(5, 11))
    field = ground_pal[r.integers(len(ground_pal), size=(gh, gw))]
    img: np.ndarray = cv2.resize(field, (hw, hh), interpolation=cv2.INTER_CUBIC)
    lum = np.zeros((hh, hw), np.float32)
    for cells, amp in ((6, 0.5), (24, 0.3), (90, 0.2), (300, 0.12)):
        lum += amp * (_noise(r, hh, hw, cells) - 0.5)
    lum *= 0.9
    lum += 1.0
    img *= lum[..., None]

    # sky above a horizon, or an indoor ceiling
    horizon = float(r.uniform(0.3, 0.6)) * hh
    ys = np.arange(hh, dtype=np.float32)[:, None]
    if sty.sky is not None:
        top, bot = np.array(sty.sky[0], np.float32), np.array(sty.sky[1], np.float32)
        t = np.clip(ys / max(1.0, horizon), 0, 1)[..., None]
        sky = np.broadcast_to(top * (1 - t) + bot * t, (hh, hw, 3)).copy()
        if sty.clouds > 0:
            cl = _noise(r, hh, hw, 10) * 0.6 + _noise(r, hh, hw, 40) * 0.4
            cover = np.clip((cl - (1.0 - sty.clouds)) * 3.0, 0, 1)[..., None]
            cloud_col = np.float32(250.0 if sty.dark >= 1.0 else 60.0)
            sky = sky * (1 - cover) + cloud_col * cover
        # hazy mountain ridge along the horizon
        ridge = (
            horizon
            - (_noise1d(r, hw, 12) * 0.6 + _noise1d(r, hw, 50) * 0.4) * float(r.uniform(0.05, 0.3)) * hh
        )
        haze = (bot * 0.75 + ground_pal.mean(0) * 0.25).astype(np.float32)
        is_sky = ys < ridge[None, :]
        is_haze = (ys >= ridge[None, :]) & (ys < horizon + 0.02 * hh)
        img = np.where(is_sky[..., None], sky, img)
        img = np.where(is_haze[..., None], haze * (0.9 + 0.2 * _noise(r, hh, hw, 60)[..., None]), img)
    else:
        ceil = np.float32(float(r.uniform(25, 70)))
        img = np.where((ys < horizon)[..., None], ceil * (0.8 + 0.4 * _noise(r, hh, hw, 30)[..., None]), img)
    img = cv2.resize(img.astype(np.float32), (tw, th), interpolation=cv2.INTER_LINEAR)
    hz = horizon * th / hh

    def U(v: float) -> float:
        return v * unit

    # buildings standing on the ground (white concrete walls included), with windows and signs
    bpal = sty.buildings
    signs: list[tuple[str, tuple[int, int], float, C, int]] = []
    for _ in range(int(r.integers(*sty.n_buildings)) if sty.n_buildings[1] > 0 else 0):
        bw, bh = U(float(r.uniform(120, 700))), U(float(r.uniform(150, 750)))
        x0 = float(r.uniform(-bw / 2, tw))
        base = hz + float(r.uniform(0.0, 0.5)) * (th - hz)
        col = bpal[int(r.integers(len(bpal)))]
        side = U(float(r.uniform(0, 120)))
        _poly(img, [(x0, base - bh), (x0 + bw, base - bh), (x0 + bw, base), (x0, base)], col)
        if side > 5:
            _poly(
                img,
                [
                    (x0 + bw, base - bh),
                    (x0 + bw + side, base - bh - side * 0.4),
                    (x0 + bw + side, base - side * 0.4),
                    (x0 + bw, base),
                ],
                _col(col, 0.6),
            )
        cv2.line(
            img,
            (round(x0), round(base - bh)),
            (round(x0 + bw), round(base - bh)),
            _col(col, 0.5),
            max(1, round(U(4))),
            cv2.LINE_AA,
        )
        if r.random() < 0.7:  # windows
            ww, wh = U(float(r.uniform(12, 40))), U(float(r.uniform(15, 50)))
            gx, gy = ww * float(r.uniform(1.5, 2.5)), wh * float(r.uniform(1.5, 2.5))
            crowd = (bw / gx) * (bh / gy) / 250.0  # at most ~250 windows a building
            if crowd > 1:
                ww, wh, gx, gy = (v * math.sqrt(crowd) for v in (ww, wh, gx, gy))
            wc = (20.0, 25.0, 35.0) if r.random() < 0.7 else (250.0, 240.0, 200.0)
            for yy in np.arange(base - bh + gy * 0.5, base - wh, gy):
                for xx in np.arange(x0 + gx * 0.4, x0 + bw - ww, gx):
                    cv2.rectangle(img, (round(xx), round(yy)), (round(xx + ww), round(yy + wh)), wc, -1)
        if r.random() < 0.4:  # a sign with big lettering
            txt = "".join(r.choice(list("ABCDEFGHIKLMNOPRSTUVXYZ0123456789"), size=int(r.integers(2, 7))))
            signs.append(
                (
                    txt,
                    (round(x0 + U(10)), round(base - bh * float(r.uniform(0.3, 0.8)))),
                    U(float(r.uniform(1.0, 3.0))),
                    _col((30, 30, 30) if sum(col) > 450 else (240, 240, 240)),
                    max(1, round(U(4))),
                )
            )
    # rocks: shaded polygons on the ground
    for _ in range(int(r.integers(4, 16))):
        cx, cy = float(r.uniform(0, tw)), float(r.uniform(hz, th))
        size = U(float(r.uniform(40, 320)))
        k = int(r.integers(5, 9))
        a = np.sort(r.uniform(0, 2 * math.pi, k))
        rad = size * r.uniform(0.5, 1.0, k)
        pts = np.stack([cx + rad * np.cos(a), cy + rad * np.sin(a) * 0.7], 1)
        col = tuple(ground_pal[int(r.integers(len(ground_pal)))] * float(r.uniform(0.7, 1.2)))
        _poly(img, pts, col)
        _poly(img, np.stack([pts[:, 0], np.minimum(pts[:, 1], cy)], 1), _col(col, 1.25))
    # foliage clumps: dark-outlined blobs of leaves
    fol = sty.foliage
    for _ in range(int(r.integers(*sty.n_trees)) if sty.n_trees[1] > 0 else 0):
        cx, cy = float(r.uniform(0, tw)), float(r.uniform(hz - U(300), th))
        size = U(float(r.uniform(40, 220)))
        base_c = fol[int(r.integers(len(fol)))]
        if r.random() < 0.6:  # trunk
            cv2.line(
                img,
                (round(cx), round(cy)),
                (round(cx), round(cy + size * 1.8)),
                (60.0, 45.0, 35.0),
                max(1, round(size * 0.12)),
                cv2.LINE_AA,
            )
        for _j in range(int(r.integers(10, 30))):
            ox, oy = float(r.normal(0, size * 0.5)), float(r.normal(0, size * 0.35))
            rr = max(2, round(size * float(r.uniform(0.12, 0.35))))
            cv2.circle(
                img,
                (round(cx + ox), round(cy + oy)),
                rr,
                _col(base_c, float(r.uniform(0.6, 1.4))),
                -1,
                cv2.LINE_AA,
            )
    # extra bright / white areas: snow drifts, glare, light panels -- the hard case behind white digits
    target = p.white_share * tw * th
    area = 0.0
    while area < target:
        cx, cy = float(r.uniform(0, tw)), float(r.uniform(0, th))
        w, h = U(float(r.uniform(40, 500))), U(float(r.uniform(20, 260)))
        v = float(r.uniform(232, 255))
        if r.random() < 0.5:
            cv2.ellipse(
                img,
                (round(cx), round(cy)),
                (max(1, round(w / 2)), max(1, round(h / 2))),
                float(r.uniform(0, 180)),
                0,
                360,
                (v, v, v),
                -1,
                cv2.LINE_AA,
            )
        else:
            cv2.rectangle(
                img,
                (round(cx - w / 2), round(cy - h / 2)),
                (round(cx + w / 2), round(cy + h / 2)),
                (v, v, v),
                -1,
                cv2.LINE_AA,
            )
        area += w * h * 0.8
    # busy high-contrast texture: fences / gratings / speckle in patches
    if p.busy > 0.25:
        ang = float(r.uniform(0, math.pi))
        period = U(float(r.uniform(4, 16)))
        kk = 2 * math.pi / period
        xs = np.arange(tw, dtype=np.float32)[None, :] * np.float32(kk * math.cos(ang))
        ysf = np.arange(th, dtype=np.float32)[:, None] * np.float32(kk * math.sin(ang))
        grat = np.sin(xs + ysf)
        patches = (_noise(r, hh, hw, 8) > 1.0 - 0.5 * p.busy).astype(np.float32)
        mask = cv2.resize(cv2.GaussianBlur(patches, (0, 0), 1.0), (tw, th), interpolation=cv2.INTER_LINEAR)
        speck = r.random((th, tw), dtype=np.float32)
        speck -= 0.5
        speck *= 2.0
        sel = cv2.resize(
            (_noise(r, hh, hw, 5) > 0.5).astype(np.uint8), (tw, th), interpolation=cv2.INTER_NEAREST
        )
        tex = np.where(sel > 0, np.sign(grat), speck)
        tex *= mask
        tex *= np.float32(100.0 * p.busy)
        img += tex[..., None]
    # cables, poles, edges
    for _ in range(int(r.integers(5, 40))):
        x0, y0 = float(r.uniform(0, tw)), float(r.uniform(0, th))
        ln = U(float(r.uniform(80, 900)))
        ang = float(r.uniform(0, 2 * math.pi))
        v = float(r.choice([15.0, 240.0, 110.0]))
        cv2.line(
            img,
            (round(x0), round(y0)),
            (round(x0 + ln * math.cos(ang)), round(y0 + ln * math.sin(ang))),
            (v, v, v),
            max(1, round(U(float(r.uniform(1, 6))))),
            cv2.LINE_AA,
        )
    np.clip(img, 0, 255, out=img)
    img = img.astype(np.uint8)
    for txt, org, scale, col, thick in signs:
        cv2.putText(img, txt, org, cv2.FONT_HERSHEY_DUPLEX, scale, col, thick, cv2.LINE_AA)
    # painted markings / digit-like signage (hard negatives for the digit reader)
    for _ in range(int(r.integers(3, 12))):
        txt = "".join(r.choice(list("0123456789ABEKLMNRSTX"), size=int(r.integers(1, 5))))
        v = float(r.choice([250.0, 15.0, 230.0]))
        cv2.putText(
            img,
            txt,
            (round(float(r.uniform(0, tw))), round(float(r.uniform(0, th)))),
            cv2.FONT_HERSHEY_DUPLEX,
            U(float(r.uniform(0.6, 3.0))),
            (v, v, v),
            max(1, round(U(float(r.uniform(1, 4))))),
            cv2.LINE_AA,
        )
    img = img.astype(np.float32)
    # a foreground occluder (a wall edge / pipe / rock close to the camera)
    if r.random() < 0.4:
        x0 = float(r.uniform(0, tw))
        wid = U(float(r.uniform(100, 500)))
        tilt = U(float(r.uniform(-300, 300)))
        _poly(
            img,
            [(x0, -10), (x0 + wid, -10), (x0 + wid + tilt, th + 10), (x0 + tilt, th + 10)],
            _col(ground_pal[int(r.integers(len(ground_pal)))], float(r.uniform(0.3, 0.8))),
        )
    if p.dark < 1.0:
        img *= p.dark
        for _ in range(int(r.integers(3, 14))):  # a few strong lights
            cv2.circle(
                img,
                (int(r.integers(tw)), int(r.integers(th))),
                max(2, round(U(float(r.uniform(3, 30))))),
                (255.0, 245.0, 215.0),
                -1,
                cv2.LINE_AA,
            )
    if sty.sky is None:  # indoor: fluorescent light panels
        for _ in range(int(r.integers(3, 10))):
            cx, cy = float(r.uniform(0, tw)), float(r.uniform(0, hz))
            w, h = U(float(r.uniform(80, 400))), U(float(r.uniform(15, 60)))
            cv2.rectangle(
                img, (round(cx), round(cy)), (round(cx + w), round(cy + h)), (255.0, 255.0, 250.0), -1
            )
    # fine grain
    grain = r.random((th, tw), dtype=np.float32)
    grain -= 0.5
    grain *= 14.0
    img += grain[..., None]
    np.clip(img, 0, 255, out=img)
    out = img.astype(np.uint8)
    return cv2.GaussianBlur(out, (0, 0), 0.6 * max(unit, 0.5))


_TEXTURES: OrderedDict[tuple[int, int, int, int, str], np.ndarray] = OrderedDict()
_TEXTURE_CACHE = 6


def scene_texture(
    seed: int, scene_seed: int, tw: int, th: int, unit: float, look: str = "apex"
) -> np.ndarray:
    """The (read-only, process-wide LRU-cached) texture of a scene."""
    key = (seed, scene_seed, tw, th, look)
    tex = _TEXTURES.get(key)
    if tex is None:
        tex = _texture(seed, scene_seed, tw, th, unit, look)
        tex.setflags(write=False)
        _TEXTURES[key] = tex
        while len(_TEXTURES) > _TEXTURE_CACHE:
            _TEXTURES.popitem(last=False)
    else:
        _TEXTURES.move_to_end(key)
    return tex


@lru_cache(maxsize=4096)
def _camera_consts(seed: int, scene_seed: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    r = np.random.default_rng([seed & 0xFFFFFFFF, scene_seed & 0xFFFFFFFF, 13])
    ph = tuple(float(v) for v in r.uniform(0, 2 * math.pi, 8))
    w = tuple(float(v) for v in r.uniform(0.05, 0.25, 8))
    return ph, w


@lru_cache(maxsize=65536)
def _jump(seed: int, scene_seed: int, k: int) -> float:
    jr = np.random.default_rng([seed & 0xFFFFFFFF, scene_seed & 0xFFFFFFFF, 17, k & 0xFFFFFFFF])
    return float(jr.uniform(-0.7, 0.7))


def _smoothstep(x: float) -> float:
    return 0.0 if x <= 0 else (1.0 if x >= 1 else x * x * (3 - 2 * x))


class SceneBank:
    """Camera views into the scene textures for one output size.

    The camera pans (integer-pixel slices of the texture: cheap) and, in some scenes, aims
    down sights: the zoom steps to a fixed level for a few seconds with a short transition.
    The zoomed texture is made once per scene; only transition frames need a warp. Fast
    pans get a horizontal/vertical motion blur.
    """

    def __init__(self, width: int, height: int, seed: int = 0) -> None:
        self.width, self.height, self.seed = width, height, seed
        self.unit = min(width / 1920.0, height / 1080.0)
        self.tw = int(width * 1.6) + 32
        self.th = int(height * 1.45) + 32
        self._zoomed: tuple[tuple[int, float, str], np.ndarray] | None = None

    def texture(self, scene_seed: int, look: str = "apex") -> np.ndarray:
        return scene_texture(self.seed, scene_seed, self.tw, self.th, self.unit, look)

    def camera(self, scene_seed: int, t: float) -> tuple[float, float, float]:
        """(cx, cy, zoom): texture point at the frame centre and zoom at camera time t."""
        p = scene_params(self.seed, scene_seed)
        ph, w0 = _camera_consts(self.seed, scene_seed)
        w = [v * p.speed for v in w0]
        ux = (
            0.55 * math.sin(w[0] * t + ph[0])
            + 0.3 * math.sin(w[1] * t + ph[1])
            + 0.15 * math.sin(w[2] * 3.1 * t + ph[2])
        )
        uy = 0.6 * math.sin(w[3] * t + ph[3]) + 0.4 * math.sin(w[4] * 2.3 * t + ph[4])
        if p.flicks:
            # a fast turn every ~4-9 s: a smooth step between two aim points in 0.25 s
            period = 4.0 + 5.0 * (ph[5] / (2 * math.pi))
            k = math.floor(t / period)
            step = _smoothstep((t - k * period) / 0.25)
            j0, j1 = _jump(self.seed, scene_seed, k - 1), _jump(self.seed, scene_seed, k)
            ux += j0 + (j1 - j0) * step
        ux = max(-1.0, min(1.0, ux))
        uy = max(-1.0, min(1.0, uy))
        zoom = 1.0
        if p.zoom > 0:
            # aim down sights: zoomed for 1.5-3.5 s out of every ~8 s, 0.15 s transitions
            period = 6.0 + 4.0 * (ph[6] / (2 * math.pi))
            ph_t = (t + ph[7]) % period
            dur = 1.5 + 2.0 * (ph[7] / (2 * math.pi))
            a = _smoothstep(ph_t / 0.15) * (1.0 - _smoothstep((ph_t - dur) / 0.15))
            zoom = 1.0 + p.zoom * a
        mx = (self.tw - self.width * 1.02) / 2
        my = (self.th - self.height * 1.02) / 2
        return self.tw / 2 + ux * mx, self.th / 2 + uy * my, zoom

    def _zoom_texture(self, scene_seed: int, z: float, look: str = "apex") -> np.ndarray:
        key = (scene_seed, z, look)
        if self._zoomed is None or self._zoomed[0] != key:
            tex = self.texture(scene_seed, look)
            zt = cv2.resize(tex, (round(self.tw * z), round(self.th * z)), interpolation=cv2.INTER_LINEAR)
            zt.setflags(write=False)
            self._zoomed = (key, zt)
        return self._zoomed[1]

    def view(
        self, scene_seed: int, t: float, rect: tuple[int, int, int, int] | None = None, look: str = "apex"
    ) -> np.ndarray:
        """The background pixels of frame rect (x0, y0, x1, y1) at camera time t (a new array).

        A rect gives exactly the pixels of the full frame there (except during zoom
        transitions, where the warp may round differently by 1 level).
        """
        W, H = self.width, self.height
        x0, y0, x1, y1 = rect if rect is not None else (0, 0, W, H)
        cx, cy, z = self.camera(scene_seed, t)
        # motion blur for fast pans (about one 60 fps frame of shutter)
        dt = 1.0 / 120
        cx2, cy2, _ = self.camera(scene_seed, t + dt)
        kx = round(abs(cx2 - cx) / dt / 60.0 * z)
        ky = round(abs(cy2 - cy) / dt / 60.0 * z)
        blur = kx >= 4 or ky >= 4
        if blur:  # render a margin so the blur near the rect's edges sees the same pixels
            mx, my = kx // 2 + 1, ky // 2 + 1
            e0, f0, e1, f1 = max(0, x0 - mx), max(0, y0 - my), min(W, x1 + mx), min(H, y1 + my)
        else:
            e0, f0, e1, f1 = x0, y0, x1, y1
        p = scene_params(self.seed, scene_seed)
        if z == 1.0 or z == 1.0 + p.zoom:
            tex = self.texture(scene_seed, look) if z == 1.0 else self._zoom_texture(scene_seed, z, look)
            ox = min(max(round(cx * z - W / 2), 0), tex.shape[1] - W)
            oy = min(max(round(cy * z - H / 2), 0), tex.shape[0] - H)
            out = tex[oy + f0 : oy + f1, ox + e0 : ox + e1].copy()
        else:  # zoom transition: warp (dst (u, v) -> src cx + (u - W/2)/z)
            inv = 1.0 / z
            m = np.array(
                [[inv, 0.0, cx - (W / 2 - e0) * inv], [0.0, inv, cy - (H / 2 - f0) * inv]], np.float64
            )
            out = cv2.warpAffine(
                self.texture(scene_seed, look),
                m,
                (e1 - e0, f1 - f0),
                flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                borderMode=cv2.BORDER_REFLECT,
            )
        if blur:
            out = cv2.blur(out, (max(1, kx), max(1, ky)), borderType=cv2.BORDER_REFLECT)
            if (e0, f0, e1, f1) != (x0, y0, x1, y1):
                out = out[y0 - f0 : y1 - f0, x0 - e0 : x1 - e0].copy()
        return out
