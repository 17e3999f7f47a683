"""Typed records passed between the stages (fetch -> decode -> score -> track -> clip).

All times are VOD seconds: the segment's start from the media playlist plus the offset
inside the segment. Nothing downstream uses PTS.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

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
    "merge_gaps",
]


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars (a reader's output) become Python numbers."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True, kw_only=True)
class Segment:
    """One media segment of a variant playlist."""

    index: int  # position in the playlist (0-based), the segment's identity
    start: float  # VOD seconds at which the segment starts (sum of earlier EXTINFs)
    duration: float  # EXTINF seconds
    url: str  # absolute URL (or a local path for file inputs)
    muted: bool = False  # "-muted" segment (audio silenced by Twitch)
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
    """A decoded frame, reduced to the regions the scorers need (see vodstream.readers.regions)."""

    vod_time: float
    segment_index: int
    frame_size: tuple[int, int]  # (width, height) of the decoded frame
    hud: np.ndarray  # top-right HUD crop, RGB uint8, HxWx3
    text: np.ndarray  # marker text region, luma uint8, HxW (downscaled)
    keyframe: bool = True


MarkerKind = Literal[
    "select_legend",  # match start (SELECT LEGEND / NOW SELECTING)
    "end",  # an end screen: PLACED #n OF k, SQUAD ELIMINATED, CHAMPIONS, MATCH SUMMARY
    "lobby",  # READY / MATCHMAKING / lobby screens
    "spectating",  # the player is dead and watching someone else
    "arenas",  # ROUND n / VICTORY / DEFEAT: not a battle-royale match
]


@dataclass(frozen=True, kw_only=True)
class Marker:
    kind: MarkerKind
    text: str = ""  # what OCR read (for the report)
    placement: int | None = None  # n in "#n"
    of: int | None = None  # k in "OF k", where shown
    label: str | None = None  # e.g. "SQUAD ELIMINATED", "CHAMPIONS"
    # end screens, from the squad summary (vodstream.readers.endscreen): the player's own card's kills
    # (None: not shown, unread, or which card is the player's cannot be told) and the squad total
    own_kills: int | None = None
    squad_kills: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Marker:
        """Inverse of :meth:`to_json`; keys it does not know are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass(kw_only=True)
class Score:
    """What the scorers read from one sample."""

    vod_time: float
    segment_index: int
    kills: int | None = None  # None: hidden, inventory open, or unreadable -- never a guess
    red: bool = False  # counter flashing red (just changed)
    hud_visible: bool = False  # the in-match HUD (squads-left box) is visible
    marker: Marker | None = None
    confidence: float = 0.0  # of the kills reading
    # The kill reader's contract with the tracker:
    #   kill_box True  = the kill box was found;
    #   kill_box False = the slot where it would be is verified in view and EMPTY (modern HUD
    #                    before the first kill) -- the only evidence that may give "0 kills";
    #   kill_box None  = cannot tell (not found, covered, not looked for).
    kill_box: bool | None = None
    hud_era: str | None = None  # "2019" / "modern" when the reader can tell; None: unknown

    def to_json(self) -> dict[str, Any]:
        """The one serialisation of a score (tracker snapshots, the run store); every field, so a
        field added later survives the round trip."""
        out = {f.name: _plain(getattr(self, f.name)) for f in fields(self)}
        out["marker"] = self.marker.to_json() if self.marker is not None else None
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Score:
        """Inverse of :meth:`to_json`; keys it does not know are ignored."""
        names = {f.name for f in fields(cls)}
        data = {k: v for k, v in d.items() if k in names}
        if isinstance(data.get("marker"), dict):
            data["marker"] = Marker.from_json(data["marker"])
        return cls(**data)


@dataclass(frozen=True, kw_only=True)
class Gap:
    """A VOD-time span that could not be analysed."""

    start: float
    end: float
    reason: str
    segment_index: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "reason": self.reason,
            "segment_index": self.segment_index,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Gap:
        """Inverse of :meth:`to_json` (a report's gap may carry more keys: ignored)."""
        return cls(
            start=float(d["start"]),
            end=float(d["end"]),
            reason=str(d["reason"]),
            segment_index=d.get("segment_index"),
        )


def merge_gaps(gaps: list[Gap]) -> list[Gap]:
    """The one gap-merging rule: gaps in time order; a gap that overlaps or touches the one before
    it joins it when both are in the same segment (the decoder's problems in one segment: one span,
    the reasons joined with '; ', each once) or have the same reason (a run of segments failing
    alike: one span). Touching gaps of different segments and different reasons stay apart, so
    the report says which span failed why."""
    out: list[Gap] = []
    for g in sorted(gaps, key=lambda g: (g.start, g.end)):
        last = out[-1] if out else None
        same_segment = (
            last is not None and g.segment_index is not None and g.segment_index == last.segment_index
        )
        if last is not None and g.start <= last.end + 1e-6 and (same_segment or g.reason == last.reason):
            reasons = last.reason.split("; ")
            reason = last.reason if g.reason in reasons else f"{last.reason}; {g.reason}"
            out[-1] = Gap(
                start=last.start, end=max(last.end, g.end), reason=reason, segment_index=last.segment_index
            )
        else:
            out.append(g)
    return out


@dataclass(kw_only=True)
class Match:
    start: float | None  # first moment SELECT LEGEND shows (None: VOD began mid-match)
    end: float | None  # first moment the end screen shows (None: VOD ended mid-match)
    kills: int | None  # None: the counter was never read -- never a guessed 0
    placement: int | None = None
    of: int | None = None
    confidence: float = 0.0  # of the whole match (kills, boundaries seen, spans analysed)
    end_label: str | None = None
    readings: list[tuple[float, int]] = field(default_factory=list)  # (vod_time, kills) used
    notes: list[str] = field(default_factory=list)
    start_seen: bool = True  # False: no SELECT LEGEND seen; start = first moment the match shows
    end_seen: bool = True  # False: no end screen; end = when the match left the screen / VOD end
    kills_readings: int = 0  # the player's own kill-counter readings in the match
    kills_confidence: float = 0.0  # of ``kills`` alone
    kills_reason: str | None = None  # why kills is unknown or weak ("kill counter not found", ...)
    kills_source: str | None = None  # what gave kills: "hud", "hidden_box", "end_screen"
    # the end screen's squad summary (vodstream.readers.endscreen, checked in vodstream.matches.tracker):
    kills_end_screen: int | None = None  # the player's own card
    squad_kills: int | None = None  # TOTAL KILLS WITH SQUAD (bounds kills)
    kills_agree: bool | None = None  # HUD count vs the end screen (None: nothing to compare)
    kills_at_least: bool = False  # kills is a lower bound: the counter went unread at the match's end

    def to_json(self) -> dict[str, object]:
        """The one serialisation of a match (report.json, tracker snapshots, the run store)."""
        return {
            "start": self.start,
            "end": self.end,
            "kills": self.kills,
            "kills_readings": self.kills_readings,
            "kills_confidence": round(self.kills_confidence, 3),
            "kills_reason": self.kills_reason,
            "kills_source": self.kills_source,
            "kills_end_screen": self.kills_end_screen,
            "squad_kills": self.squad_kills,
            "kills_agree": self.kills_agree,
            "kills_at_least": self.kills_at_least,
            "placement": self.placement,
            "of": self.of,
            "confidence": round(self.confidence, 3),
            "end_label": self.end_label,
            "notes": list(self.notes),
            "start_seen": self.start_seen,
            "end_seen": self.end_seen,
            "readings": [[round(t, 3), k] for t, k in self.readings],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Match:
        """Inverse of :meth:`to_json` (fields a report lacks take their defaults)."""
        return cls(
            start=d.get("start"),
            end=d.get("end"),
            kills=d.get("kills"),
            placement=d.get("placement"),
            of=d.get("of"),
            confidence=float(d.get("confidence", 0.0)),
            end_label=d.get("end_label"),
            readings=[(float(t), int(k)) for t, k in d.get("readings", [])],
            notes=list(d.get("notes", [])),
            start_seen=bool(d.get("start_seen", True)),
            end_seen=bool(d.get("end_seen", True)),
            kills_readings=int(d.get("kills_readings", 0)),
            kills_confidence=float(d.get("kills_confidence", 0.0)),
            kills_reason=d.get("kills_reason"),
            kills_source=d.get("kills_source"),
            kills_end_screen=d.get("kills_end_screen"),
            squad_kills=d.get("squad_kills"),
            kills_agree=d.get("kills_agree"),
            kills_at_least=bool(d.get("kills_at_least", False)),
        )
