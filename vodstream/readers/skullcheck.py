"""The learned skull check: is there a kill icon (a skull) right before a digit run?

The kill count is the only number on the HUD that stands right after a skull: the squads count
stands after the squads box's slanted edge, the 2019 spectator count after an eye, the alive
count after a person, a count's second digit after its first. The layout rules ask for "a solid
blob of icon size" before a run (hudlocate._icon_before), which a box edge, a tree or a webcam's
corner can be; the learned detector's boxes have no icon test of their own where no squads line
is found. This small network looks at the pixels left of a run instead (one window, the run's
height for scale) and says how likely a skull ends there. It was trained on the training
family's skull drawings only (models/skullcheck.py); the held-out families' skulls are drawings
it never saw.

Like vodstream.readers.cnn, the forward pass runs in numpy, from the weight file
models/skullcheck.pt (a models.net.DigitNet with two classes: 0 no skull, 1 a skull).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from models.weights import SKULL_WEIGHTS
from vodstream.readers.cnn import NumpyNet, load_numpy_net, softmax

__all__ = ["SKULL_WIN", "SkullCheck", "skull_window"]

SKULL_WIN = 25  # the window's side (px): models.net.INPUT_SIZE
# the window, in the run's heights: from WIN_LEFT before the run's first column to WIN_RIGHT into
# it, WIN_HALF above and below the run's middle row (the skull is 1.0-1.7 digit heights tall; it
# ends 0.2-0.9 digit heights before the first digit in the fixed families, up to about two in the
# wide family's loosest boxes: a 2.4-height window cut those skulls off)
WIN_LEFT, WIN_RIGHT, WIN_HALF = 3.4, 0.2, 1.4
MIN_RUN_H = 4.0  # a run lower than this (px) is measured as this high


def skull_window(hud: np.ndarray, run: tuple[float, float, float, float]) -> np.ndarray:
    """The (SKULL_WIN, SKULL_WIN) float32 window left of ``run`` (x0, y0, x1, y1 in ``hud`` px): the
    largest channel (HUD ink is bright in some channel whatever its colour), resampled to the
    window and normalised to zero mean and about unit contrast (a pale HUD on a bright sky and a
    dark one look alike)."""
    x0, y0, _x1, y1 = (float(v) for v in run)
    rh = max(y1 - y0, MIN_RUN_H)
    cy = (y0 + y1) / 2.0
    xa, xb = x0 - WIN_LEFT * rh, x0 + WIN_RIGHT * rh
    ya, yb = cy - WIN_HALF * rh, cy + WIN_HALF * rh
    sx, sy = (xb - xa) / SKULL_WIN, (yb - ya) / SKULL_WIN
    k = int(min(sx, sy)) | 1 if min(sx, sy) > 1.5 else 0  # shrinking: the blur below
    # only the part of the crop the window and the blur reach (the same pixels as on the whole crop)
    h, w = hud.shape[:2]
    pad = k + 2
    cx0, cy0 = max(0, int(np.floor(xa)) - pad), max(0, int(np.floor(ya)) - pad)
    cx1, cy1 = min(w, int(np.ceil(xb)) + pad + 1), min(h, int(np.ceil(yb)) + pad + 1)
    if cx1 <= cx0 or cy1 <= cy0:  # the window lies wholly outside the crop
        cx0, cy0, cx1, cy1 = 0, 0, w, h
    part = hud[cy0:cy1, cx0:cx1]
    grey = part.max(axis=2) if part.ndim == 3 else part
    if k:  # smooth first so a thin stroke is not sampled away
        grey = cv2.GaussianBlur(grey, (k, k), 0)
    # window pixel (u, v) samples hud at (xa + (u + 0.5) sx - 0.5, ...), here in the part's px
    m = np.array([[sx, 0.0, xa - cx0 + 0.5 * sx - 0.5], [0.0, sy, ya - cy0 + 0.5 * sy - 0.5]], np.float32)
    win: np.ndarray = cv2.warpAffine(
        grey.astype(np.float32),
        m,
        (SKULL_WIN, SKULL_WIN),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    win -= float(win.mean())
    win /= float(win.std()) + 8.0
    return win.astype(np.float32)


class SkullCheck:
    """``p_skull(hud, runs)``: per run, the network's probability that a skull stands right before it."""

    def __init__(self, net: NumpyNet) -> None:
        self.net = net
        self.meta = net.meta

    @classmethod
    def shipped(cls, path: Path | str | None = None) -> SkullCheck | None:
        """The shipped weights (models/skullcheck.pt), or ``path``; None where the file is absent."""
        p = Path(path) if path is not None else SKULL_WEIGHTS
        return cls(load_numpy_net(p)) if p.is_file() else None

    def p_skull(self, hud: np.ndarray, runs: list[tuple[float, float, float, float]]) -> np.ndarray:
        if not runs:
            return np.zeros(0, np.float32)
        x = np.stack([skull_window(hud, r) for r in runs])[:, None]
        return softmax(self.net(x))[:, 1]
