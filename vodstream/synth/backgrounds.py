"""Hard, deterministic game-world backgrounds: a moving camera over a pre-rendered texture.

Each scene (seed, scene_seed) gets one large texture rendered once at the output resolution:
a palette style (desert, snow, forest, urban, industrial, night, sky, lava), low-frequency
colour fields, multi-octave value noise, hard-edged shapes (rocks, buildings, signs, cables),
busy high-contrast gratings, big white/bright areas, dark scenes with a few lights. The
camera pans (smooth drift, fast flicks) and zooms over it; a frame is one ``cv2.warpAffine``
of the texture, and a sub-rectangle (the HUD crop) costs only its own pixels.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

__all__ = ["STYLES", "SceneBank", "scene_params"]

STYLES = ("desert", "snow", "forest", "urban", "industrial", "night", "sky", "lava", "white")

_PALETTES: dict[str, list[tuple[int, int, int]]] = {
    "desert": [(214, 160, 98), (190, 120, 70), (240, 210, 160), (150, 95, 60), (235, 120, 50), (120, 150, 190)],
    "snow": [(245, 248, 252), (220, 228, 240), (180, 195, 215), (120, 135, 160), (255, 255, 255), (90, 100, 110)],
    "forest": [(60, 100, 40), (100, 140, 60), (40, 60, 30), (140, 120, 80), (180, 200, 120), (90, 80, 60)],
    "urban": [(130, 130, 135), (90, 95, 105), (200, 200, 205), (40, 80, 170), (230, 230, 230), (170, 60, 40)],
    "industrial": [(110, 100, 90), (200, 170, 40), (60, 60, 65), (160, 160, 150), (230, 120, 20), (30, 30, 35)],
    "night": [(20, 25, 40), (40, 40, 60), (10, 10, 15), (60, 50, 80), (200, 180, 120), (30, 60, 70)],
    "sky": [(150, 190, 235), (200, 225, 250), (250, 250, 255), (110, 160, 220), (235, 240, 245), (90, 110, 90)],
    "lava": [(40, 20, 15), (220, 80, 20), (255, 200, 60), (90, 30, 20), (20, 15, 15), (255, 240, 200)],
    "white": [(250, 250, 250), (235, 235, 240), (255, 255, 255), (200, 205, 210), (160, 165, 170), (245, 240, 230)],
}


@dataclass(frozen=True)
class SceneParams:
    style: str
    dark: float          # brightness multiplier (<1: dark scene)
    busy: float          # 0..1 amount of high-contrast fine texture
    speed: float         # camera drift speed factor (1 = normal, >2 = fast motion)
    flicks: bool         # sudden fast turns
    zoom: float          # zoom amplitude
    white_share: float   # share of the texture covered by bright/white shapes


@lru_cache(maxsize=4096)
def scene_params(seed: int, scene_seed: int) -> SceneParams:
    """The (deterministic) look of a scene."""
    r = np.random.default_rng([seed & 0xFFFFFFFF, scene_seed & 0xFFFFFFFF, 7])
    style = STYLES[int(r.integers(len(STYLES)))]
    dark = 1.0
    if style == "night" or r.random() < 0.15:
        dark = float(r.uniform(0.18, 0.45))
    return SceneParams(
        style=style,
        dark=dark,
        busy=float(r.uniform(0.0, 1.0)),
        speed=float(r.choice([0.5, 1.0, 1.0, 1.5, 3.0])),
        flicks=bool(r.random() < 0.5),
        zoom=float(r.choice([0.0, 0.0, 0.12, 0.25])),
        white_share=float(r.uniform(0.05, 0.35) if style not in ("snow", "white", "sky") else r.uniform(0.3, 0.6)),
    )


def _noise(r: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Smooth value noise in [0, 1] with about `cells` cells across the longer side."""
    gw = max(2, cells)
    gh = max(2, round(cells * h / w))
    g = r.random((gh, gw), dtype=np.float32)
    return cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC)


def _texture(seed: int, scene_seed: int, tw: int, th: int, unit: float) -> np.ndarray:
    """Render one scene texture (th x tw x 3 uint8). `unit` = px per 1080p px."""
    p = scene_params(seed, scene_seed)
    r = np.random.default_rng([seed & 0xFFFFFFFF, scene_seed & 0xFFFFFFFF, 11])
    pal = np.array(_PALETTES[p.style], np.float32)
    # low-frequency colour field and multi-octave brightness noise, built at half resolution
    hw, hh = max(8, tw // 2), max(8, th // 2)
    gh, gw = int(r.integers(3, 7)), int(r.integers(5, 11))
    idx = r.integers(len(pal), size=(gh, gw))
    field = pal[idx]
    img = cv2.resize(field, (hw, hh), interpolation=cv2.INTER_CUBIC)
    lum = np.zeros((hh, hw), np.float32)
    for cells, amp in ((6, 0.5), (24, 0.3), (90, 0.2), (300, 0.12)):
        lum += amp * (_noise(r, hh, hw, cells) - 0.5)
    lum *= 0.9
    lum += 1.0
    img *= lum[..., None]
    img = cv2.resize(img, (tw, th), interpolation=cv2.INTER_LINEAR)
    # hard-edged shapes: rocks / buildings / panels
    n_shapes = int(r.integers(25, 70))
    for _ in range(n_shapes):
        col = pal[int(r.integers(len(pal)))] * float(r.uniform(0.6, 1.3))
        cx, cy = float(r.uniform(0, tw)), float(r.uniform(0, th))
        size = float(r.uniform(30, 260)) * unit
        if r.random() < 0.5:
            w, h = size * float(r.uniform(0.4, 2.0)), size * float(r.uniform(0.4, 2.0))
            pts = np.array([[cx - w / 2, cy - h / 2], [cx + w / 2, cy - h / 2], [cx + w / 2, cy + h / 2],
                            [cx - w / 2, cy + h / 2]], np.float32)
            ang = float(r.uniform(-0.5, 0.5))
            rot = np.array([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]], np.float32)
            pts = (pts - [cx, cy]) @ rot.T + [cx, cy]
        else:
            k = int(r.integers(5, 10))
            a = np.sort(r.uniform(0, 2 * math.pi, k))
            rad = size * r.uniform(0.5, 1.0, k)
            pts = np.stack([cx + rad * np.cos(a), cy + rad * np.sin(a)], 1)
        cv2.fillPoly(img, [np.round(pts * 16).astype(np.int32)], tuple(float(v) for v in col), cv2.LINE_AA, 4)
    # bright / white areas (snow, sky, signs, glare) -- the hard case behind white digits
    target = p.white_share * tw * th
    area = 0.0
    while area < target:
        cx, cy = float(r.uniform(0, tw)), float(r.uniform(0, th))
        w, h = float(r.uniform(40, 500)) * unit, float(r.uniform(20, 300)) * unit
        v = float(r.uniform(225, 255))
        col = (v, v, min(255.0, v + float(r.uniform(-10, 5))))
        if r.random() < 0.5:
            cv2.ellipse(img, (round(cx), round(cy)), (max(1, round(w / 2)), max(1, round(h / 2))),
                        float(r.uniform(0, 180)), 0, 360, col, -1, cv2.LINE_AA)
        else:
            cv2.rectangle(img, (round(cx - w / 2), round(cy - h / 2)), (round(cx + w / 2), round(cy + h / 2)),
                          col, -1, cv2.LINE_AA)
        area += w * h * 0.8
    # busy high-contrast texture: gratings / checker / speckle in patches
    if p.busy > 0.2:
        ang = float(r.uniform(0, math.pi))
        period = float(r.uniform(3, 14)) * unit
        k = 2 * math.pi / period
        xs = np.arange(tw, dtype=np.float32)[None, :] * np.float32(k * math.cos(ang))
        ys = np.arange(th, dtype=np.float32)[:, None] * np.float32(k * math.sin(ang))
        grat = np.sin(xs + ys)
        mask = (_noise(r, hh, hw, 8) > 1.0 - 0.6 * p.busy).astype(np.float32)
        mask = cv2.resize(cv2.GaussianBlur(mask, (0, 0), 1.5), (tw, th), interpolation=cv2.INTER_LINEAR)
        speck = r.random((th, tw), dtype=np.float32)
        speck -= 0.5
        speck *= 2.0
        sel = cv2.resize((_noise(r, hh, hw, 5) > 0.5).astype(np.uint8), (tw, th), interpolation=cv2.INTER_NEAREST)
        tex = np.where(sel > 0, np.sign(grat), speck)
        tex *= mask
        tex *= np.float32(110.0 * p.busy)
        img += tex[..., None]
    # thin lines: cables, edges, foliage strokes
    for _ in range(int(r.integers(20, 80))):
        x0, y0 = float(r.uniform(0, tw)), float(r.uniform(0, th))
        ln = float(r.uniform(40, 600)) * unit
        a = float(r.uniform(0, 2 * math.pi))
        v = float(r.choice([10.0, 245.0, 128.0]))
        cv2.line(img, (round(x0), round(y0)), (round(x0 + ln * math.cos(a)), round(y0 + ln * math.sin(a))),
                 (v, v, v), max(1, round(float(r.uniform(1, 5)) * unit)), cv2.LINE_AA)
    # signage glyphs: digit-like white strokes (hard negatives for the digit reader)
    np.clip(img, 0, 255, out=img)
    img = img.astype(np.uint8)
    for _ in range(int(r.integers(4, 16))):
        txt = "".join(r.choice(list("0123456789ABEKLMNRSTX"), size=int(r.integers(1, 6))))
        v = float(r.choice([250.0, 15.0]))
        cv2.putText(img, txt, (round(float(r.uniform(0, tw))), round(float(r.uniform(0, th)))),
                    cv2.FONT_HERSHEY_DUPLEX, float(r.uniform(0.6, 3.0)) * unit, (v, v, v),
                    max(1, round(float(r.uniform(1, 4)) * unit)), cv2.LINE_AA)
    img = img.astype(np.float32)
    if p.dark < 1.0:
        img *= p.dark
        for _ in range(int(r.integers(3, 12))):  # a few lights
            cv2.circle(img, (int(r.integers(tw)), int(r.integers(th))), max(2, round(float(r.uniform(3, 25)) * unit)),
                       (255.0, 240.0, 200.0), -1, cv2.LINE_AA)
    # fine grain
    grain = r.random((th, tw), dtype=np.float32)
    grain -= 0.5
    grain *= 18.0
    img += grain[..., None]
    np.clip(img, 0, 255, out=img)
    out = img.astype(np.uint8)
    return cv2.GaussianBlur(out, (0, 0), 0.6 * max(unit, 0.5))


_TEXTURES: OrderedDict[tuple[int, int, int, int], np.ndarray] = OrderedDict()
_TEXTURE_CACHE = 6


def scene_texture(seed: int, scene_seed: int, tw: int, th: int, unit: float) -> np.ndarray:
    """The (read-only, process-wide LRU-cached) texture of a scene."""
    key = (seed, scene_seed, tw, th)
    tex = _TEXTURES.get(key)
    if tex is None:
        tex = _texture(seed, scene_seed, tw, th, unit)
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
        self._zoomed: tuple[tuple[int, float], np.ndarray] | None = None

    def texture(self, scene_seed: int) -> np.ndarray:
        return scene_texture(self.seed, scene_seed, self.tw, self.th, self.unit)

    def camera(self, scene_seed: int, t: float) -> tuple[float, float, float]:
        """(cx, cy, zoom): texture point at the frame centre and zoom at camera time t."""
        p = scene_params(self.seed, scene_seed)
        ph, w0 = _camera_consts(self.seed, scene_seed)
        w = [v * p.speed for v in w0]
        ux = 0.55 * math.sin(w[0] * t + ph[0]) + 0.3 * math.sin(w[1] * t + ph[1]) + 0.15 * math.sin(
            w[2] * 3.1 * t + ph[2])
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

    def _zoom_texture(self, scene_seed: int, z: float) -> np.ndarray:
        key = (scene_seed, z)
        if self._zoomed is None or self._zoomed[0] != key:
            tex = self.texture(scene_seed)
            zt = cv2.resize(tex, (round(self.tw * z), round(self.th * z)), interpolation=cv2.INTER_LINEAR)
            zt.setflags(write=False)
            self._zoomed = (key, zt)
        return self._zoomed[1]

    def view(self, scene_seed: int, t: float, rect: tuple[int, int, int, int] | None = None) -> np.ndarray:
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
            tex = self.texture(scene_seed) if z == 1.0 else self._zoom_texture(scene_seed, z)
            ox = min(max(round(cx * z - W / 2), 0), tex.shape[1] - W)
            oy = min(max(round(cy * z - H / 2), 0), tex.shape[0] - H)
            out = tex[oy + f0 : oy + f1, ox + e0 : ox + e1].copy()
        else:  # zoom transition: warp (dst (u, v) -> src cx + (u - W/2)/z)
            inv = 1.0 / z
            m = np.array([[inv, 0.0, cx - (W / 2 - e0) * inv], [0.0, inv, cy - (H / 2 - f0) * inv]], np.float64)
            out = cv2.warpAffine(self.texture(scene_seed), m, (e1 - e0, f1 - f0),
                                 flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT)
        if blur:
            out = cv2.blur(out, (max(1, kx), max(1, ky)), borderType=cv2.BORDER_REFLECT)
            if (e0, f0, e1, f1) != (x0, y0, x1, y1):
                out = out[y0 - f0 : y1 - f0, x0 - e0 : x1 - e0].copy()
        return out
