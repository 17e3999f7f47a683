"""Where things are on screen, for any resolution and aspect ratio.

The Apex HUD scales with ``s = min(W/1920, H/1080)`` and is anchored to the top-right
corner; full-screen menus (SELECT LEGEND, end screens) scale the same way about the centre.
Boxes here are given at 1920x1080 and mapped with :func:`hud_box` / :func:`screen_box`.
The renderer (vodstream.synth) and the readers share these definitions.
"""

from __future__ import annotations

__all__ = ["HUD_BOX_1080", "TEXT_SCALE", "TEXT_TOP_FRACTION", "hud_box", "hud_scale", "text_box"]

# Top-right HUD crop at 1920x1080, as (x0, y0, x1, y1) measured from the top-right corner:
# the box spans 560 px left of the right edge and 175 px down (real crops use the same box).
HUD_BOX_1080 = (560, 175)

# Marker text region: the top 45% of the frame, full width, kept as luma downscaled by this.
TEXT_TOP_FRACTION = 0.45
TEXT_SCALE = 0.5


def hud_scale(width: int, height: int) -> float:
    return min(width / 1920.0, height / 1080.0)


def hud_box(width: int, height: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the top-right HUD crop in a WxH frame."""
    s = hud_scale(width, height)
    w, h = HUD_BOX_1080
    return (max(0, width - round(w * s)), 0, width, min(height, round(h * s)))


def text_box(width: int, height: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the region searched for screen markers."""
    return (0, 0, width, round(height * TEXT_TOP_FRACTION))
