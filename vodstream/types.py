"""Typed records passed between the stages (fetch -> decode -> score -> track -> clip).

All times are VOD seconds: the segment's start from the media playlist plus the offset
inside the segment. Nothing downstream uses PTS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

__all__ = [
    "Gap",
    "Marker",
    "MarkerKind",
    "Match",
    "Sample",
    "Score",
    "Segment",
    "SegmentData",
]


@dataclass(frozen=True, kw_only=True)
class Segment:
    """One media segment of a variant playlist."""

    index: int                 # position in the playlist (0-based), the segment's identity
    start: float               # VOD seconds at which the segment starts (sum of earlier EXTINFs)
    duration: float            # EXTINF seconds
    url: str                   # absolute URL (or a local path for file inputs)
    muted: bool = False        # "-muted" segment (audio silenced by Twitch)
    init_url: str | None = None  # fMP4 init segment (EXT-X-MAP), if any
    discontinuity: bool = False

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass(frozen=True, kw_only=True)
class SegmentData:
    """A fetched segment: its bytes (and fMP4 init bytes) in memory."""

    segment: Segment
    data: bytes
    init: bytes | None = None


@dataclass(kw_only=True)
class Sample:
    """A decoded frame, reduced to the regions the scorers need (see vodstream.regions)."""

    vod_time: float
    segment_index: int
    frame_size: tuple[int, int]            # (width, height) of the decoded frame
    hud: np.ndarray                        # top-right HUD crop, RGB uint8, HxWx3
    text: np.ndarray                       # marker text region, luma uint8, HxW (downscaled)
    keyframe: bool = True


MarkerKind = Literal[
    "select_legend",   # match start (SELECT LEGEND / NOW SELECTING)
    "end",             # an end screen: PLACED #n OF k, SQUAD ELIMINATED, CHAMPIONS, MATCH SUMMARY
    "lobby",           # READY / MATCHMAKING / lobby screens
    "spectating",      # the player is dead and watching someone else
    "arenas",          # ROUND n / VICTORY / DEFEAT: not a battle-royale match
]


@dataclass(frozen=True, kw_only=True)
class Marker:
    kind: MarkerKind
    text: str = ""                 # what OCR read (for the report)
    placement: int | None = None   # n in "#n"
    of: int | None = None          # k in "OF k", where shown
    label: str | None = None       # e.g. "SQUAD ELIMINATED", "CHAMPIONS"


@dataclass(kw_only=True)
class Score:
    """What the scorers read from one sample."""

    vod_time: float
    segment_index: int
    kills: int | None = None       # None: hidden, inventory open, or unreadable -- never a guess
    red: bool = False              # counter flashing red (just changed)
    hud_visible: bool = False      # the in-match HUD (squads-left box) is visible
    marker: Marker | None = None
    confidence: float = 0.0        # of the kills reading
    kill_box: bool | None = None   # kill box on screen (False: hidden, e.g. modern HUD before the first kill)


@dataclass(frozen=True, kw_only=True)
class Gap:
    """A VOD-time span that could not be analysed."""

    start: float
    end: float
    reason: str
    segment_index: int | None = None

    def to_json(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "reason": self.reason,
                "segment_index": self.segment_index}


@dataclass(kw_only=True)
class Match:
    start: float | None            # first moment SELECT LEGEND shows (None: VOD began mid-match)
    end: float | None              # first moment the end screen shows (None: VOD ended mid-match)
    kills: int | None
    placement: int | None = None
    of: int | None = None
    confidence: float = 0.0
    end_label: str | None = None
    readings: list[tuple[float, int]] = field(default_factory=list)  # (vod_time, kills) used
    notes: list[str] = field(default_factory=list)
    start_seen: bool = True        # False: no SELECT LEGEND seen; start = first moment the match shows
    end_seen: bool = True          # False: no end screen; end = when the match left the screen / VOD end

    def to_json(self) -> dict[str, object]:
        return {
            "start": self.start, "end": self.end, "kills": self.kills,
            "placement": self.placement, "of": self.of, "confidence": round(self.confidence, 3),
            "end_label": self.end_label, "notes": self.notes,
            "start_seen": self.start_seen, "end_seen": self.end_seen,
            "readings": [[round(t, 3), k] for t, k in self.readings],
        }
