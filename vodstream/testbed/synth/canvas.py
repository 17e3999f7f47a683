"""A small supersampled RGBA canvas and the premultiplied layers the renderer composites.

Shapes are drawn at ``ss`` times the target resolution (binary coverage) and box-filtered
down, which gives clean anti-aliasing and sub-pixel placement at any scale. Layers keep
premultiplied colour so that compositing a layer over a frame region is one multiply-add.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

from vodstream.testbed.synth.fonts import text_mask

__all__ = ["Canvas", "Layer", "composite"]

_SHIFT = 4  # cv2 fixed-point bits for sub-pixel polygon vertices


@dataclass(frozen=True)
class Layer:
    """A premultiplied RGBA patch placed at (x, y) in frame coordinates."""

    x: int
    y: int
    alpha: np.ndarray  # HxWx1 float32, 0..1
    premul: np.ndarray  # HxWx3 float32, colour * alpha (0..255)

    @property
    def w(self) -> int:
        return self.alpha.shape[1]

    @property
    def h(self) -> int:
        return self.alpha.shape[0]

    @cached_property
    def _u8(self) -> tuple[np.ndarray, np.ndarray]:
        """(255 * (1 - alpha) as 3 channels, premultiplied colour) in uint8 for fast blending."""
        inv = np.clip(np.rint(255.0 * (1.0 - self.alpha)), 0, 255).astype(np.uint8)
        inv3 = np.ascontiguousarray(np.repeat(inv, 3, axis=2))
        pm = np.clip(np.rint(self.premul), 0, 255).astype(np.uint8)
        return inv3, pm


def composite(frame: np.ndarray, layer: Layer, origin: tuple[int, int] = (0, 0)) -> None:
    """Blend `layer` over `frame` (uint8 HxWx3, in place). `origin` = frame's (x, y) in layer coords.

    out = frame * (1 - alpha) + premul, in 8-bit fixed point (within 1 level of the float result).
    """
    ox, oy = origin
    fh, fw = frame.shape[:2]
    x0, y0 = layer.x - ox, layer.y - oy
    lx0, ly0 = max(0, -x0), max(0, -y0)
    fx0, fy0 = max(0, x0), max(0, y0)
    fx1, fy1 = min(fw, x0 + layer.w), min(fh, y0 + layer.h)
    if fx1 <= fx0 or fy1 <= fy0:
        return
    lx1, ly1 = lx0 + (fx1 - fx0), ly0 + (fy1 - fy0)
    region = frame[fy0:fy1, fx0:fx1]
    inv, pm = layer._u8
    kept = cv2.multiply(region, inv[ly0:ly1, lx0:lx1], scale=1.0 / 255.0)
    region[...] = cv2.add(kept, pm[ly0:ly1, lx0:lx1])


class Canvas:
    """RGBA drawing surface in target pixels, stored at `ss`x supersampling.

    Coordinates passed to the drawing methods are *target* pixels relative to (ox, oy),
    floats allowed.
    """

    def __init__(self, w: int, h: int, ss: int = 4, ox: float = 0.0, oy: float = 0.0) -> None:
        self.w, self.h, self.ss = w, h, ss
        self.ox, self.oy = ox, oy
        self.alpha = np.zeros((h * ss, w * ss), np.float32)
        self.premul = np.zeros((h * ss, w * ss, 3), np.float32)

    # --- coverage masks -------------------------------------------------------------
    def _pts(self, pts: list[tuple[float, float]]) -> np.ndarray:
        k = self.ss * (1 << _SHIFT)
        arr = [((x - self.ox) * k, (y - self.oy) * k) for x, y in pts]
        return np.round(np.array(arr)).astype(np.int32).reshape(-1, 1, 2)

    def poly_mask(self, pts: list[tuple[float, float]]) -> np.ndarray:
        m = np.zeros(self.alpha.shape, np.uint8)
        cv2.fillPoly(m, [self._pts(pts)], 255, lineType=cv2.LINE_8, shift=_SHIFT)
        return m.astype(np.float32) / 255.0

    def outline_mask(self, pts: list[tuple[float, float]], width: float) -> np.ndarray:
        m = np.zeros(self.alpha.shape, np.uint8)
        t = max(1, round(width * self.ss))
        cv2.polylines(m, [self._pts(pts)], True, 255, thickness=t, lineType=cv2.LINE_8, shift=_SHIFT)
        return m.astype(np.float32) / 255.0

    def ellipse_mask(self, cx: float, cy: float, rx: float, ry: float, angle: float = 0.0) -> np.ndarray:
        m = np.zeros(self.alpha.shape, np.uint8)
        k = self.ss * (1 << _SHIFT)
        c = (round((cx - self.ox) * k), round((cy - self.oy) * k))
        ax = (max(1, round(rx * k)), max(1, round(ry * k)))
        cv2.ellipse(m, c, ax, angle, 0, 360, 255, -1, cv2.LINE_8, _SHIFT)
        return m.astype(np.float32) / 255.0

    def text_mask(
        self,
        text: str,
        font: str,
        cap: float,
        x: float,
        top: float,
        *,
        align: str = "left",
        stretch: float = 1.0,
        digit_norm: bool = True,
        bold: float = 0.0,
    ) -> tuple[np.ndarray, tuple[float, float, float, float]]:
        """Mask of `text` with cap height `cap` whose cap top is at `top`.

        `x` is the left edge (align='left'), right edge ('right') or centre ('center') of the
        ink; `bold` thickens the strokes by that many target pixels. Returns the mask and the ink
        box (x0, y0, x1, y1) in target pixels.
        """
        ss = self.ss
        m, base, _adv = text_mask(text, font, cap * ss, stretch=stretch, digit_norm=digit_norm)
        r = round(bold * ss)
        if r > 0:
            m = np.pad(m, r)
            base += r
            m = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
        cols = np.nonzero(m.max(axis=0) > 0.02)[0]
        if cols.size == 0:
            return np.zeros(self.alpha.shape, np.float32), (x, top, x, top + cap)
        ink0, ink1 = cols[0], cols[-1] + 1
        ink_w = (ink1 - ink0) / ss
        if align == "right":
            left = x - ink_w
        elif align == "center":
            left = x - ink_w / 2
        else:
            left = x
        # place: ink column ink0 at left, baseline at top + cap
        px = round((left - self.ox) * ss) - ink0
        py = round((top + cap - self.oy) * ss - base)
        out = np.zeros(self.alpha.shape, np.float32)
        H, W = out.shape
        mh, mw = m.shape
        dx0, dy0 = max(0, px), max(0, py)
        dx1, dy1 = min(W, px + mw), min(H, py + mh)
        if dx1 > dx0 and dy1 > dy0:
            out[dy0:dy1, dx0:dx1] = m[dy0 - py : dy1 - py, dx0 - px : dx1 - px]
        return out, (left, top, left + ink_w, top + cap)

    # --- painting -------------------------------------------------------------------
    @staticmethod
    def _bbox(mask: np.ndarray) -> tuple[slice, slice] | None:
        x, y, w, h = cv2.boundingRect(
            (mask > 0).view(np.uint8) if mask.dtype == bool else (mask > 0).astype(np.uint8)
        )
        if w == 0 or h == 0:
            return None
        return slice(y, y + h), slice(x, x + w)

    def paint(self, mask: np.ndarray, color: tuple[float, float, float], opacity: float = 1.0) -> None:
        """Source-over `color` through `mask` (0..1, supersampled); touches only the mask's bbox."""
        bb = self._bbox(mask)
        if bb is None:
            return
        a = mask[bb] * np.float32(opacity)
        inv = 1.0 - a
        al = self.alpha[bb]
        al *= inv
        al += a
        pm = self.premul[bb]
        pm *= inv[..., None]
        pm += a[..., None] * np.asarray(color, np.float32)

    def erase(self, mask: np.ndarray, amount: float = 1.0) -> None:
        """Cut `mask` out of everything drawn so far (destination-out)."""
        bb = self._bbox(mask)
        if bb is None:
            return
        inv = 1.0 - mask[bb] * np.float32(amount)
        self.alpha[bb] *= inv
        self.premul[bb] *= inv[..., None]

    def to_layer(self, x: int, y: int) -> Layer:
        """Box-filter down to target resolution, as a Layer at frame position (x, y)."""
        a = cv2.resize(self.alpha, (self.w, self.h), interpolation=cv2.INTER_AREA)
        p = cv2.resize(self.premul, (self.w, self.h), interpolation=cv2.INTER_AREA)
        a = a[..., None].astype(np.float32)
        p = p.astype(np.float32)
        a.setflags(write=False)
        p.setflags(write=False)
        return Layer(x, y, a, p)
