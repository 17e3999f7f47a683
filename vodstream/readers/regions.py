"""Where things are on screen, for any resolution and aspect ratio.

The Apex HUD scales with ``s = min(W/1920, H/1080)`` and is anchored to the top-right
corner; full-screen menus (SELECT LEGEND, end screens) scale the same way about the centre.
Boxes here are given at 1920x1080 and mapped with :func:`hud_box` / :func:`screen_box`.
The renderer (vodstream.testbed.synth) and the readers share these definitions.
"""

from __future__ import annotations

__all__ = [
    "CARD_TOP",
    "CARD_VALUE_DX",
    "DUO_CARD_X",
    "HUD_BOX_1080",
    "KILLS_BASELINE",
    "KILLS_CAP",
    "SQUAD_TOTAL_BASELINE",
    "SQUAD_TOTAL_CAP",
    "SQUAD_TOTAL_RIGHT",
    "TEXT_TOP_FRACTION",
    "TEXT_UNIT",
    "TRIO_CARD_X",
    "hud_box",
    "hud_scale",
    "own_card_index",
    "text_box",
    "text_scale",
]

# Top-right HUD crop at 1920x1080, as (x0, y0, x1, y1) measured from the top-right corner:
# the box spans 720 px left of the right edge and 240 px down: room for kill boxes pushed left by
# a long squads label (other languages) and for a HUD pushed down by a banner (real crops are
# the 560x175 part of it at the right).
HUD_BOX_1080 = (720, 240)

# Marker text region: the top 45% of the frame, full width, kept as luma at TEXT_UNIT pixels
# per 1080p pixel of menu text (never upscaled): menu letters are then as many pixels tall at
# 720p, 1440p or 21:9 as at 1080p. (At half of 720p the lobby's tab labels in a thin face were
# ~6 px tall and tesseract read them as noise: the held-out style family's lobby went unread,
# so an abandoned match merged with the next.)
TEXT_TOP_FRACTION = 0.45
TEXT_UNIT = 0.5


def text_scale(width: int, height: int) -> float:
    """Scale of the text crop of a WxH frame."""
    s = hud_scale(width, height)
    return min(1.0, TEXT_UNIT / s) if s > 0 else 1.0


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


# The squad summary (SUMMARY tab of the end screen): one card per squad member, left to right.
# Which card is the player's own -- the rule the end-screen reader (vodstream.readers.endscreen) relies
# on and the renderer (vodstream.testbed.synth.screens) draws:
#
# * trios: the CENTRE card. Evidence: six real 1920x1080 summaries of one streamer's VODs
#   (five matches; evaluation frames, not in the repository) are credited to the streamer
#   OGRealSlimJimmy, and his name ("OGRealSlimJimmy"/"RealSlimJimmy") is on the centre card in
#   every one; the teammates' cards carry the mute / chat / report buttons at the bottom, the
#   centre card never does (one cannot mute or report oneself).
# * duos: the RIGHT card, the one without those buttons (two real duos summaries: the left
#   card has them, the right one not).
# * 2019 (Season 0/1, "PLACED #n OF k"): not established (one real frame, owner unknown); the
#   renderer puts the player in the centre, but the reader only reads the squad total there.
#
# Geometry at 1920x1080, taken from the real frames: trio cards start at x = 110 / 710 / 1310,
# duo cards at 395 / 995, 500 wide, from y = 255; the Kills value (gold) sits left-aligned at
# card x + 24 with its baseline at y ~ 426 and a thin rule ~ 12 px under it; TOTAL KILLS WITH
# SQUAD's number is right-aligned at x ~ 1786 with its baseline at y ~ 172.
TRIO_CARD_X = (110.0, 710.0, 1310.0)
DUO_CARD_X = (395.0, 995.0)
CARD_TOP = 255.0
CARD_VALUE_DX = 24.0  # value's left edge from the card's left edge
KILLS_BASELINE = CARD_TOP + 171.0
KILLS_CAP = 27.0
SQUAD_TOTAL_RIGHT = 1786.0  # right edge of the squad total number
SQUAD_TOTAL_BASELINE = 172.0
SQUAD_TOTAL_CAP = 40.0


def own_card_index(n_cards: int) -> int:
    """Index (left to right) of the player's own card among ``n_cards`` (see the rule above)."""
    return {1: 0, 2: 1, 3: 1}[n_cards]
