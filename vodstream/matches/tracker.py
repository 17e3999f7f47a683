"""Streaming match tracker: scored samples (any arrival order) -> matches with final kills.

``MatchTracker`` is pure and deterministic. Scores may arrive out of VOD-time order (parallel
decoders); a bounded reorder buffer holds them until the newest VOD time seen is
``reorder_window`` seconds past them, then they are processed in VOD-time order by a small
state machine::

    idle --SELECT LEGEND--> legend --HUD--> live --SPECTATING--> dead
      ^                        |              |                    |
      +------ lobby -----------+--- end screen (placement) --------+--> ended --> closed

These rules catch what the marker reader missed. A match opened on HUD verdicts alone (no SELECT
LEGEND) needs ``min_hud_samples`` of them, none more than ``stray_gap`` s apart: scattered verdicts
on another game's screen are no match -- unless the HUD comes back within ``stray_rejoin`` s of the
last one, with no menu seen between (the inventory or map hid it): then the match began at the first
of them. Nor are HUD verdicts alone in which no kill box was ever in view (no reading, no box
found, no empty slot) for less than ``blind_min_s`` s, or on fewer than ``blind_cover`` of the
samples up to the last of them, unless the VOD ends in them. And kills never go down
within a match: when the HUD comes back after ``reset_gap`` s without it and ``reset_votes``
readings in a row are lower than the match's count, the match ended at the gap and a new one began
there (its lobby and SELECT LEGEND went unrecognised). Arenas/Mixtape screens (ROUND n, VICTORY,
DEFEAT) make a match an Arenas game -- unless the battle-royale HUD was seen on ``min_hud_samples``
looks and fewer than ``arenas_votes`` of them were read. An Arenas result ends the Arenas hold after
``arenas_result_hold`` s, so a battle royale right after it is not hidden.

Final kills come from the player's own readings (HUD visible, alive, before the end screen):
a non-decreasing step function is fitted to them (kills never go down within a match) that
maximises the confidence-weighted agreement minus a cost per step, so one stray misread cannot
raise or lower the result while two agreeing readings (or one confident one) can. Red-flash
readings count less. Readings after SPECTATING belong to someone else and are not used. A
match never read has ``kills=None`` with the reason -- never a guessed 0: only a kill-box slot
the reader verified empty (``Score.kill_box is False``: the modern HUD before the first kill),
often enough and to the end, gives 0, at reduced confidence (see :func:`estimate_kills`). The 2019
write-up's rule (median of the last 20 readings) is kept as ``kills_method="median20"`` for
comparison.

Memory is bounded: the reorder buffer covers ``reorder_window`` seconds, and only the open
match's readings are kept (bounded by a match's length).
"""

from __future__ import annotations

import dataclasses
import heapq
import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import structlog

from vodstream.types import Marker, Match, Score

__all__ = [
    "BoxEvidence",
    "KillEstimate",
    "MatchTracker",
    "Reading",
    "check_end_screen",
    "estimate_kills",
    "median20_kills",
]

log = structlog.get_logger(__name__)

Phase = Literal["legend", "live", "dead", "ended"]


# --------------------------------------------------------------------------- serialisation


# --------------------------------------------------------------------------- final kills


@dataclass(frozen=True)
class Reading:
    """One kill-counter reading of the player's own HUD."""

    t: float
    kills: int
    red: bool = False
    confidence: float = 1.0


@dataclass(frozen=True)
class KillEstimate:
    kills: int | None
    confidence: float
    used: list[tuple[float, int]] = field(default_factory=list)  # readings that agree with the fit
    method: str = "monotone"
    reason: str | None = None  # why kills is unknown or weak; None when well read
    source: str | None = None  # "hud" (readings), "hidden_box" (box never shown); None: unknown
    n_readings: int = 0  # own readings considered
    unread_after: int = 0  # live HUD samples after the last reading whose counter was not read


# How many verified-empty kill-box samples (modern HUD, before the first kill) it takes to call
# a match 0 kills without one reading, and the most such a 0 may be trusted (it is inferred
# from an absence: an end-screen reading can confirm it, see the Marker fields).
MIN_EMPTY_BOX_SAMPLES = 5
EMPTY_BOX_MAX_CONFIDENCE = 0.7
# Fewer own readings than this: the count is reported as read only N times.
FEW_READINGS = 3
# HUD verdicts count as evidence of a match (min_hud_samples) once per this many seconds: keyframes
# are 2 s apart, and the dense re-samples of one moment (scheduler.transition_windows, a VOD's
# tail) are one look, not several -- a stray HUD verdict on another video's frames repeats on them.
HUD_LOOK_SPACING = 1.0


def _new_look(last: float | None, t: float | None) -> bool:
    """Whether a sample at ``t`` is a look of its own: the first, or ``HUD_LOOK_SPACING`` s or more
    after the last one counted (a time unknown counts)."""
    return t is None or last is None or t - last >= HUD_LOOK_SPACING


# The fitted count never rises faster than a player can kill: by at most MAX_KILL_BURST (a squad
# wiped at once, each knock credited) plus MAX_KILL_RATE per second between two readings. A
# misreading that would be such a jump is not fitted ("31" read once, 0.2 s after "13", on the
# frames just before the HUD hid: validation VOD 6106).
MAX_KILL_BURST = 4
MAX_KILL_RATE = 1.5
# A final count read only once, after which the kill-box slot was verified empty this many
# times, is not trusted: the modern HUD never hides the box again once a kill is shown.
CONTRADICTING_EMPTY = 2
# ... nor is one read once and then never again over this many live HUD samples: a counter the
# reader can read is read again (it stays on screen); the correct single-read finals of the
# validation and today's-look VODs had at most 4 samples after them (the kill came just before
# the match ended), a number read off a stream overlay covering the box had 23.
UNCONFIRMED_AFTER = 10


@dataclass
class BoxEvidence:
    """What the player's live HUD samples *without* a kill reading said about the kill box
    (the reader's ``Score.kill_box`` contract: False = slot in view and empty, True = box found,
    None = cannot tell)."""

    empty: int = 0  # kill_box False
    unread: int = 0  # kill_box True, no number read
    unknown: int = 0  # kill_box None: not found, covered, not looked for
    unsure_after_empty: int = 0  # unread/unknown looks after the last empty one (HUD_LOOK_SPACING apart)
    unsure_last: float | None = None  # VOD time of the last look counted in unsure_after_empty
    era_votes: dict[str, int] = field(default_factory=dict)  # hud_era -> samples
    empty_after_read: int = 0  # kill_box False samples after the last own reading
    unsure_after_read: int = 0  # kill_box True/None samples (no number) after the last own reading

    def read(self) -> None:
        """An own kill reading was taken (empty verdicts before it say nothing against it)."""
        self.empty_after_read = 0
        self.unsure_after_read = 0

    def add(self, kill_box: bool | None, t: float | None = None) -> None:
        """One live sample without a reading at VOD time ``t``. Unsure samples after an empty one
        count as looks ``HUD_LOOK_SPACING`` s apart or more: the dense samples taken where a VOD
        ends (5 fps) are not five keyframes' worth of doubt (two unsure ones in its last 0.3 s
        made a slot seen empty on 15 keyframes "never read": the fifth held-out family's VOD 8517)."""
        if kill_box is False:
            self.empty += 1
            self.empty_after_read += 1
            self.unsure_after_empty = 0
            self.unsure_last = None
            return
        self.unsure_after_read += 1
        if kill_box is True:
            self.unread += 1
        else:
            self.unknown += 1
        if self.empty and _new_look(self.unsure_last, t):
            self.unsure_after_empty += 1
            self.unsure_last = t

    def vote_era(self, era: str | None) -> None:
        if era:
            self.era_votes[era] = self.era_votes.get(era, 0) + 1

    @property
    def era(self) -> str | None:
        if not self.era_votes:
            return None
        return max(sorted(self.era_votes), key=lambda e: self.era_votes[e])

    def to_dict(self) -> dict[str, Any]:
        return {
            "empty": self.empty,
            "unread": self.unread,
            "unknown": self.unknown,
            "unsure_after_empty": self.unsure_after_empty,
            "unsure_last": self.unsure_last,
            "era_votes": dict(self.era_votes),
            "empty_after_read": self.empty_after_read,
            "unsure_after_read": self.unsure_after_read,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BoxEvidence:
        return cls(
            empty=int(d.get("empty", 0)),
            unread=int(d.get("unread", 0)),
            unknown=int(d.get("unknown", 0)),
            unsure_after_empty=int(d.get("unsure_after_empty", 0)),
            unsure_last=d.get("unsure_last"),
            era_votes={str(k): int(v) for k, v in d.get("era_votes", {}).items()},
            empty_after_read=int(d.get("empty_after_read", 0)),
            unsure_after_read=int(d.get("unsure_after_read", 0)),
        )


def _without_readings(box: BoxEvidence, min_empty: int) -> KillEstimate:
    """Kills of a match whose counter was never read: 0 only on a modern HUD whose kill-box slot
    was seen empty often enough and to the end; otherwise unknown (None), with the reason."""
    if box.era == "2019":
        # The 2019 HUD always shows the kill box: not finding it says nothing about the count.
        return KillEstimate(None, 0.0, [], "none", "kill counter not found (the 2019 HUD always shows it)")
    if box.empty >= min_empty and box.unsure_after_empty <= 1:
        conf = min(EMPTY_BOX_MAX_CONFIDENCE, 0.3 + 0.04 * box.empty)
        return KillEstimate(0, round(conf, 3), [], "hidden_box", "box never shown (modern HUD)", "hidden_box")
    if 0 < box.empty < min_empty:
        why = f"kill box slot seen empty only {box.empty} time(s)"
    elif box.empty:
        why = "kill box not shown at first, then never read (covered or unreadable)"
    elif box.unread > box.unknown:
        why = "kill box covered or unreadable"
    elif box.unknown:
        why = "kill counter not found"
    else:
        why = "the player's HUD was never seen"
    return KillEstimate(None, 0.0, [], "none", why)


def _weight(r: Reading, red_weight: float) -> float:
    c = r.confidence if r.confidence > 0 else 0.5
    c = min(1.0, c)
    return c * (red_weight if r.red else 1.0)


def estimate_kills(
    readings: Sequence[Reading],
    *,
    hidden_box: int = 0,
    box: BoxEvidence | None = None,
    min_empty: int = MIN_EMPTY_BOX_SAMPLES,
    step_cost: float = 0.8,
    red_weight: float = 1.0,
    max_kills: int = 60,
    burst: int = MAX_KILL_BURST,
    rate: float = MAX_KILL_RATE,
) -> KillEstimate:
    """Final kills from the player's own readings in VOD-time order.

    Fits a non-decreasing step function L_1 <= ... <= L_n maximising
    ``sum(w_i * [L_i == k_i]) - step_cost * steps`` (w = confidence, times ``red_weight`` for
    red-flash readings) by dynamic programming over the distinct values read, each step at
    most ``burst + rate * (t_i - t_{i-1})`` kills (what a player can kill in that time). The
    first level is free. Without any reading, ``box`` (or ``hidden_box``: that many verified-empty samples)
    decides between a 0 inferred from a kill box never shown and unknown (see
    :func:`_without_readings`); never a guessed 0.
    """
    rs = [r for r in readings if 0 <= r.kills <= max_kills]
    if not rs:
        return _without_readings(box if box is not None else BoxEvidence(empty=hidden_box), min_empty)
    levels = sorted({r.kills for r in rs})
    nl = len(levels)
    idx = {v: i for i, v in enumerate(levels)}
    neg = -math.inf
    # best[j]: best score with current level j; back[i][j]: level index at i-1 (for used readings)
    best = [neg] * nl
    back: list[list[int]] = []
    for i, r in enumerate(rs):
        w = _weight(r, red_weight)
        k = idx[r.kills]
        new = [neg] * nl
        ptr = [0] * nl
        if i == 0:
            for j in range(nl):
                new[j] = w if j == k else 0.0
                ptr[j] = j
        else:
            reach = burst + rate * max(0.0, r.t - rs[i - 1].t)  # the most the count can rise
            window: deque[int] = deque()  # lower levels within reach, best first (earliest on ties)
            for j in range(nl):
                if j > 0:
                    while window and best[window[-1]] < best[j - 1]:
                        window.pop()
                    window.append(j - 1)
                while window and levels[j] - levels[window[0]] > reach:
                    window.popleft()
                stay = best[j]
                step = best[window[0]] - step_cost if window else neg
                if stay >= step:
                    new[j], ptr[j] = stay, j
                else:
                    new[j], ptr[j] = step, window[0]
                if j == k:
                    new[j] += w
        best = new
        back.append(ptr)
    # Final level: highest score; ties go to the lower level (never invent kills).
    jf = max(range(nl), key=lambda j: (best[j], -j))
    # Trace back the fitted levels.
    fit = [0] * len(rs)
    j = jf
    for i in range(len(rs) - 1, -1, -1):
        fit[i] = j
        j = back[i][j]
    final = levels[jf]
    used = [(r.t, r.kills) for r, f in zip(rs, fit, strict=True) if levels[f] == r.kills]
    # Confidence: agreement among the readings fitted to the final level, tempered by support.
    tail = [(r, levels[f]) for r, f in zip(rs, fit, strict=True) if levels[f] == final]
    agree = sum(_weight(r, red_weight) for r, lv in tail if r.kills == lv)
    total = sum(_weight(r, red_weight) for r, _ in tail)
    support = sum(1 for r, lv in tail if r.kills == lv)
    after = 0 if box is None else box.empty_after_read + box.unsure_after_read
    if (
        support == 1
        and box is not None
        and (box.empty_after_read >= CONTRADICTING_EMPTY or after >= UNCONFIRMED_AFTER)
    ):
        # One reading of the final count, then the slot seen empty, or never read again while
        # the HUD stayed on screen: a misreading. Without it, what the other readings say (or
        # unknown) -- never the unconfirmed number.
        why: str | None = (
            f"{final} read once, then the kill-box slot was seen empty "
            f"{box.empty_after_read} times: not trusted"
            if box.empty_after_read >= CONTRADICTING_EMPTY
            else f"{final} read once, then not again on {after} HUD samples: not trusted"
        )
        rest = [r for r in rs if r.kills != final]
        if not rest:
            # nothing read is left: where no box was found without a number either, what the slot
            # showed decides, as where nothing was read at all (a modern slot seen empty often
            # enough is a 0; else unknown). Chosen on the seventh held-out family's VOD 8717 after
            # its first run: a 0-kill match, "7" read once, then the slot seen empty 8 times, null
            # before
            est = _without_readings(box, min_empty) if box.unread == 0 else None
            if est is None or est.kills is None:
                return KillEstimate(None, 0.0, [], "monotone", why, None, len(rs))
            return dataclasses.replace(est, reason=f"{why}; {est.reason}", n_readings=len(rs))
        # ``box`` counts the samples after the last reading, which are after every reading of the
        # rest too: a number of the rest read once is held to the same test (a "30" read once off
        # a stray text, an "18" off the squads count, then the slot seen empty: the sixth held-out
        # family's 6-match VOD 8617 kept one of them as "at least" on a 0-kill match)
        est = estimate_kills(rest, box=box, min_empty=min_empty, step_cost=step_cost, red_weight=red_weight)
        why = f"{why}; {est.reason}" if est.reason else why
        return dataclasses.replace(est, reason=why, n_readings=len(rs))
    conf = (agree / total if total else 0.0) * min(1.0, 0.4 + 0.2 * support)
    why = f"read only {len(rs)} time(s)" if len(rs) < FEW_READINGS else None
    return KillEstimate(final, round(conf, 3), used, "monotone", why, "hud", len(rs), after)


def median20_kills(readings: Sequence[Reading], end_index_limit: int = 120) -> KillEstimate:
    """The 2019 write-up's rule: walk back from the end, up to 120 samples, collect 20 readings
    in 1..39; all agree, or the last is the maximum and occurs >= 3 times -> it; else the median."""
    window = list(readings)[-end_index_limit:]
    got: list[Reading] = []
    for r in reversed(window):
        if 1 <= r.kills <= 39:
            got.append(r)
            if len(got) == 20:
                break
    if not got:
        return KillEstimate(None, 0.0, [], "median20", "kill counter not read")
    vals = [r.kills for r in got]  # newest first
    last = vals[0]
    if len(set(vals)) == 1 or (last == max(vals) and vals.count(last) >= 3):
        k = last
    else:
        s = sorted(vals)
        k = s[len(s) // 2] if len(s) % 2 else round((s[len(s) // 2 - 1] + s[len(s) // 2]) / 2)
    return KillEstimate(
        k,
        round(vals.count(k) / len(vals), 3),
        [(r.t, r.kills) for r in reversed(got)],
        "median20",
        None,
        "hud",
        len(got),
    )


# --------------------------------------------------------------------------- the end screen


# Confidence of a count taken from the end screen: grows with the agreeing summary samples.
END_SCREEN_MAX_CONFIDENCE = 0.9
# Below UNCERTAIN_BELOW (vodstream.report.outcome): a HUD count the end screen contradicts, or one
# that is only a lower bound (the counter unread at the end of the player's match), is reported
# uncertain.
UNSURE_COUNT_CONFIDENCE = 0.45
# A VOD cut off mid-match leaves up to one sampling gap unseen after its last look however the
# match is shown (Twitch's keyframes, the samples, are 2 s apart); a count last read longer ago
# than that, the HUD out of view at the last look, may miss kills made behind that screen.
CUT_TAIL = 2.0


def _vote(votes: dict[int, int]) -> tuple[int | None, int, int]:
    """(value with a strict majority of the votes or None, its votes, all votes)."""
    total = sum(votes.values())
    if not total:
        return None, 0, 0
    v, n = max(sorted(votes.items()), key=lambda kv: kv[1])
    return (v, n, total) if 2 * n > total else (None, 0, total)


@dataclass(frozen=True)
class EndScreenCheck:
    """The HUD's final count checked against the end screen's squad summary."""

    kills: int | None
    confidence: float
    reason: str | None
    source: str | None
    kills_end_screen: int | None = None  # the player's own card (majority of the summary samples)
    squad_kills: int | None = None  # TOTAL KILLS WITH SQUAD (majority)
    agree: bool | None = None  # HUD count vs the end screen; None: nothing to compare
    note: str | None = None


def check_end_screen(
    est: KillEstimate, own_votes: dict[int, int], squad_votes: dict[int, int]
) -> EndScreenCheck:
    """Cross-check the HUD estimate ``est`` with the end screen's votes (value -> samples).

    * HUD never read (kills None): the end screen's own-card value when it has a majority
      (source ``end_screen``); a squad total of 0 means 0 too; else kills stay None, with the
      squad total (which bounds them) in the reason.
    * A 0 inferred from a kill box never shown (source ``hidden_box``) is confirmed by an own
      card of 0, and replaced by any other own-card value (the absence is the weaker witness).
    * A HUD count above the squad total is impossible: the own card replaces it when read, else
      it is capped at the total; both are flagged.
    * A HUD count the own card contradicts: the better-supported of the two is used (the HUD's
      estimate confidence vs the own card's vote confidence; ties keep the HUD) -- and a higher
      own card read twice or more when the HUD was not read at the end of the player's life
      (``est.unread_after``: a late kill the HUD missed) -- reported as a
      disagreement (``agree`` False, a note) with its confidence lowered below the "uncertain"
      line.
    """
    own, own_n, own_total = _vote(own_votes)
    squad, sq_n, sq_total = _vote(squad_votes)
    if own is not None and squad is not None and own > squad:
        own, own_n = None, 0  # the two summary numbers contradict each other: use neither as a count
    if own is None and squad == 0:
        own, own_n, own_total = 0, sq_n, sq_total  # a squad without kills: the player has none
    es_conf = 0.0
    if own is not None:
        es_conf = round(min(END_SCREEN_MAX_CONFIDENCE, 0.4 + 0.2 * own_n) * own_n / own_total, 3)
    k = est.kills
    if k is None:
        if own is not None:
            return EndScreenCheck(
                own,
                es_conf,
                None if own_n >= 2 else "end screen read once",
                "end_screen",
                own,
                squad,
                None,
                f"kills from the end screen ({own_n} summary sample(s)): the HUD counter was never read",
            )
        why = est.reason
        if squad is not None:
            why = f"{est.reason or 'kill counter not found'}; the end screen's squad total is {squad}"
        return EndScreenCheck(None, est.confidence, why, est.source, None, squad)
    if est.source == "hidden_box" and own is not None:
        if own == k:
            return EndScreenCheck(
                k,
                max(est.confidence, es_conf),
                None,
                est.source,
                own,
                squad,
                True,
                "the end screen confirms 0 kills",
            )
        return EndScreenCheck(
            own,
            es_conf,
            None,
            "end_screen",
            own,
            squad,
            False,
            f"end screen says {own} kills; the HUD never showed a kill box (0 inferred)",
        )
    if squad is not None and k > squad:
        why = f"HUD count {k} is above the squad total {squad}"
        if own is not None:
            return EndScreenCheck(
                own,
                es_conf,
                why,
                "end_screen",
                own,
                squad,
                False,
                f"HUD read {k} kills, more than the squad's {squad}: the end screen's used",
            )
        return EndScreenCheck(
            squad,
            min(est.confidence, UNSURE_COUNT_CONFIDENCE),
            f"{why}; capped",
            est.source,
            None,
            squad,
            False,
            f"HUD read {k} kills, more than the squad's {squad}: capped",
        )
    if own is None:
        return EndScreenCheck(k, est.confidence, est.reason, est.source, None, squad)
    if own == k:
        return EndScreenCheck(k, max(est.confidence, es_conf), est.reason, est.source, own, squad, True)
    # (Not where the HUD was read to the end, however many summary samples read the card: the
    # summary is a still, its samples one reading repeated -- third held-out family, VOD 8322: a
    # duo's own "1" read as 4 on all 12 samples, the HUD's 1 read to the match's last second.)
    late_kill = own > k and own_n >= 2 and est.unread_after > 0
    if es_conf > est.confidence or late_kill:
        # The better-supported witness gives the count (a HUD read once or twice against an
        # own card read on many summary samples), or the own card is higher, read twice or more
        # where the HUD was not read after its last reading: a kill the
        # HUD did not show while read, or misread (kills only go up). Still flagged.
        return EndScreenCheck(
            own,
            min(es_conf, UNSURE_COUNT_CONFIDENCE),
            f"HUD count {k} ({est.confidence:.2f} sure), end screen {own} ({es_conf:.2f}): "
            "the end screen's used",
            "end_screen",
            own,
            squad,
            False,
            f"kills disagree: HUD {k}, end screen {own} ({own_n} summary sample(s)); the end screen's used",
        )
    return EndScreenCheck(
        k,
        min(est.confidence, UNSURE_COUNT_CONFIDENCE),
        f"HUD count {k}, end screen {own}",
        est.source,
        own,
        squad,
        False,
        f"kills disagree: HUD {k}, end screen {own} ({own_n} summary sample(s))",
    )


# --------------------------------------------------------------------------- the tracker


@dataclass
class _Open:
    """The match being assembled."""

    start: float | None
    first_seen: float
    phase: Phase
    last_evidence: float
    end: float | None = None
    placement: int | None = None
    of: int | None = None
    end_label: str | None = None
    placement_votes: dict[str, int] = field(default_factory=dict)  # "n/k" -> count
    own_votes: dict[int, int] = field(default_factory=dict)  # end screen: own card's kills -> samples
    squad_votes: dict[int, int] = field(default_factory=dict)  # end screen: squad total -> samples
    readings: list[Reading] = field(default_factory=list)  # own readings (alive)
    all_readings: list[Reading] = field(default_factory=list)  # every HUD reading (for median20)
    box: BoxEvidence = field(default_factory=BoxEvidence)  # live HUD samples without a reading
    dead_at: float | None = None
    arenas: int = 0  # Arenas/Mixtape screens seen during it
    end_votes: int = 0  # samples that showed its end screen
    hud_samples: int = 0  # looks at the BR HUD (samples HUD_LOOK_SPACING s apart or more)
    hud_last: float | None = None  # the last sample counted in hud_samples
    looks: int = 0  # samples while it was open (HUD_LOOK_SPACING s apart or more), HUD or not
    look_last: float | None = None  # the last sample counted in looks
    looks_at_hud: int = 0  # looks up to and with the last one counted in hud_samples
    notes: list[str] = field(default_factory=list)
    start_seen: bool = True  # SELECT LEGEND seen
    live_seen: bool = False  # gameplay (the HUD) seen: without it this is only a fragment
    end_seen: bool = False  # end screen seen

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "first_seen": self.first_seen,
            "phase": self.phase,
            "last_evidence": self.last_evidence,
            "end": self.end,
            "placement": self.placement,
            "of": self.of,
            "end_label": self.end_label,
            "placement_votes": dict(self.placement_votes),
            "own_votes": [[k, n] for k, n in self.own_votes.items()],
            "squad_votes": [[k, n] for k, n in self.squad_votes.items()],
            "readings": [[r.t, r.kills, r.red, r.confidence] for r in self.readings],
            "all_readings": [[r.t, r.kills, r.red, r.confidence] for r in self.all_readings],
            "box": self.box.to_dict(),
            "dead_at": self.dead_at,
            "arenas": self.arenas,
            "end_votes": self.end_votes,
            "hud_samples": self.hud_samples,
            "hud_last": self.hud_last,
            "looks": self.looks,
            "look_last": self.look_last,
            "looks_at_hud": self.looks_at_hud,
            "notes": list(self.notes),
            "start_seen": self.start_seen,
            "live_seen": self.live_seen,
            "end_seen": self.end_seen,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> _Open:
        def rd(rows: list[list[Any]]) -> list[Reading]:
            return [Reading(float(t), int(k), bool(red), float(c)) for t, k, red, c in rows]

        return cls(
            start=d["start"],
            first_seen=d["first_seen"],
            phase=d["phase"],
            last_evidence=d["last_evidence"],
            end=d["end"],
            placement=d["placement"],
            of=d["of"],
            end_label=d["end_label"],
            placement_votes=dict(d["placement_votes"]),
            own_votes={int(k): int(n) for k, n in d.get("own_votes", [])},
            squad_votes={int(k): int(n) for k, n in d.get("squad_votes", [])},
            readings=rd(d["readings"]),
            all_readings=rd(d["all_readings"]),
            box=BoxEvidence.from_dict(d.get("box") or {"empty": d.get("hidden_box", 0)}),
            dead_at=d["dead_at"],
            arenas=int(d["arenas"]),
            end_votes=int(d["end_votes"]),
            hud_samples=int(d["hud_samples"]),
            hud_last=d.get("hud_last"),
            looks=int(d.get("looks", 0)),
            look_last=d.get("look_last"),
            looks_at_hud=int(d.get("looks_at_hud", 0)),
            notes=list(d["notes"]),
            start_seen=d["start_seen"],
            live_seen=d["live_seen"],
            end_seen=d["end_seen"],
        )


@dataclass
class _Probe:
    """The HUD came back after a gap: the open match as it was then, and the scores since."""

    snapshot: dict[str, Any]  # _Open.to_dict() before the first score after the gap
    first_seen: float  # identifies the open match
    gap_from: float  # the match's last evidence before the gap
    first_t: float  # the first HUD reading after the gap
    prev_t: float  # the sample before it
    count: int  # the match's kills before the gap
    scores: list[Score]

    def to_dict(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot,
            "first_seen": self.first_seen,
            "gap_from": self.gap_from,
            "first_t": self.first_t,
            "prev_t": self.prev_t,
            "count": self.count,
            "scores": [s.to_json() for s in self.scores],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> _Probe:
        return cls(
            snapshot=d["snapshot"],
            first_seen=float(d["first_seen"]),
            gap_from=float(d["gap_from"]),
            first_t=float(d["first_t"]),
            prev_t=float(d["prev_t"]),
            count=int(d["count"]),
            scores=[Score.from_json(x) for x in d["scores"]],
        )


def _order_key(s: Score) -> tuple[Any, ...]:
    m = s.marker
    return (
        s.vod_time,
        s.segment_index,
        s.kills if s.kills is not None else -1,
        s.red,
        s.hud_visible,
        m.kind if m else "",
        m.text if m else "",
        s.confidence,
    )


class MatchTracker:
    """Turns a stream of :class:`Score` (any order within ``reorder_window`` s) into matches.

    * ``update(scores)`` feeds scores; returns every match closed so far (a new list).
    * ``pop_closed()`` returns only the matches closed since the last call (for streaming).
    * ``finish()`` flushes the buffer, closes the open match, returns all matches.
    * ``to_dict()`` / ``from_dict()`` snapshot and restore the whole state (JSON-able).

    Conventions (those of the synthetic truth, ``vodstream.testbed.synth.script.truth``): a match is a
    span with gameplay (the HUD) on screen. ``start`` is the first moment SELECT LEGEND shows or,
    when it is not seen, the first moment the match shows (``start_seen=False``); ``end`` is the
    first moment the end screen shows or, without one, when the match left the screen: the
    lobby's return (abandoned), the next match, the last Apex evidence, or ``finish(vod_end)``
    (``end_seen=False``). First moments are estimated as the middle of the gap between the last
    sample without the screen and the first with it (at most ``start_backoff`` s back). An end
    screen or SELECT LEGEND with no gameplay (a fragment at either end of the VOD) is not a
    match; neither is an Arenas/Mixtape span. ``keep_abandoned=False`` drops abandoned matches.
    """

    def __init__(
        self,
        reorder_window: float = 30.0,
        *,
        kills_method: str = "monotone",
        end_hold: float = 30.0,
        idle_close: float = 240.0,
        keep_abandoned: bool = True,
        start_backoff: float = 1.0,
        new_after_end: float = 3.0,
        spectate_guard: float = 5.0,
        step_cost: float = 0.8,
        red_weight: float = 1.0,
        lobby_lag: float = 8.0,
        arenas_hold: float = 60.0,
        arenas_votes: int = 3,
        arenas_result_hold: float = 10.0,
        end_revert: float = 6.0,
        min_hud_samples: int = 3,
        menu_lookback: float = 6.5,
        stray_gap: float = 6.0,
        blind_min_s: float = 20.0,
        blind_cover: float = 0.5,
        stray_rejoin: float = 12.0,
        unread_tail: float = 6.0,
        reset_gap: float = 15.0,
        reset_votes: int = 2,
        reset_window: float = 60.0,
    ) -> None:
        if reorder_window < 0:
            raise ValueError("reorder_window must be >= 0")
        if kills_method not in ("monotone", "median20"):
            raise ValueError(f"unknown kills_method {kills_method!r}")
        self.reorder_window = float(reorder_window)
        self.kills_method = kills_method
        self.end_hold = float(end_hold)
        self.idle_close = float(idle_close)
        self.keep_abandoned = keep_abandoned
        self.start_backoff = float(start_backoff)
        self.new_after_end = float(new_after_end)
        self.spectate_guard = float(spectate_guard)
        self.step_cost = float(step_cost)
        self.red_weight = float(red_weight)
        self.lobby_lag = float(lobby_lag)
        self.arenas_hold = float(arenas_hold)
        self.arenas_votes = int(arenas_votes)
        self.arenas_result_hold = float(arenas_result_hold)
        self.end_revert = float(end_revert)
        self.min_hud_samples = int(min_hud_samples)
        self.menu_lookback = float(menu_lookback)
        self.stray_gap = float(stray_gap)
        self.blind_min_s = float(blind_min_s)
        self.blind_cover = float(blind_cover)
        self.stray_rejoin = float(stray_rejoin)
        self.unread_tail = float(unread_tail)
        self.reset_gap = float(reset_gap)
        self.reset_votes = int(reset_votes)
        self.reset_window = float(reset_window)
        self._heap: list[tuple[tuple[Any, ...], int, Score]] = []
        self._seq = 0
        self._newest = -math.inf  # newest VOD time received
        self._processed_t = -math.inf  # VOD time of the last processed score
        self._recent_keys: dict[tuple[float, int], float] = {}  # dedup of processed samples
        self._open: _Open | None = None
        self._closed: list[Match] = []
        self._popped = 0
        self._arenas_until = -math.inf  # Arenas/Mixtape seen recently: BR evidence is ignored
        self._menu: tuple[float, float | None] | None = None  # (last lobby/end sample, first after it)
        self._probe: _Probe | None = None  # is the HUD back after a gap a new match? (see _judge_probe)
        self.late = 0  # scores that arrived after their slot was processed
        self.duplicates = 0
        self.dropped: list[dict[str, Any]] = []  # spans that were not matches, and why
        # The last span let go as stray HUD verdicts (an entry of ``dropped``), while no menu
        # has been seen since: the match may be back after the inventory or map hid the HUD.
        self._stray: dict[str, Any] | None = None

    # ---------------------------------------------------------------- public API
    def update(self, scores: Iterable[Score]) -> list[Match]:
        for s in scores:
            self._push(s)
        self._drain(self._newest - self.reorder_window)
        return list(self._closed)

    def pop_closed(self) -> list[Match]:
        out = self._closed[self._popped :]
        self._popped = len(self._closed)
        return list(out)

    def finish(self, vod_end: float | None = None) -> list[Match]:
        """Flush everything; ``vod_end`` (the VOD's duration) ends a match the VOD cuts off."""
        self._drain(math.inf)
        if self._open is not None:
            end = vod_end if vod_end is not None else self._processed_t
            self._close(end, reason="vod_end", end_at=end)
        return list(self._closed)

    @property
    def matches(self) -> list[Match]:
        return list(self._closed)

    @property
    def buffered(self) -> int:
        return len(self._heap)

    # ---------------------------------------------------------------- snapshot
    def to_dict(self) -> dict[str, Any]:
        buf = sorted(self._heap)
        return {
            "version": 1,
            "config": {
                "reorder_window": self.reorder_window,
                "kills_method": self.kills_method,
                "end_hold": self.end_hold,
                "idle_close": self.idle_close,
                "keep_abandoned": self.keep_abandoned,
                "start_backoff": self.start_backoff,
                "new_after_end": self.new_after_end,
                "spectate_guard": self.spectate_guard,
                "step_cost": self.step_cost,
                "red_weight": self.red_weight,
                "lobby_lag": self.lobby_lag,
                "arenas_hold": self.arenas_hold,
                "arenas_votes": self.arenas_votes,
                "arenas_result_hold": self.arenas_result_hold,
                "end_revert": self.end_revert,
                "min_hud_samples": self.min_hud_samples,
                "menu_lookback": self.menu_lookback,
                "stray_gap": self.stray_gap,
                "blind_min_s": self.blind_min_s,
                "blind_cover": self.blind_cover,
                "stray_rejoin": self.stray_rejoin,
                "unread_tail": self.unread_tail,
                "reset_gap": self.reset_gap,
                "reset_votes": self.reset_votes,
                "reset_window": self.reset_window,
            },
            "buffer": [s.to_json() for _, _, s in buf],
            "newest": None if self._newest == -math.inf else self._newest,
            "processed_t": None if self._processed_t == -math.inf else self._processed_t,
            "recent_keys": [[t, i, v] for (t, i), v in sorted(self._recent_keys.items())],
            "open": self._open.to_dict() if self._open else None,
            "closed": [m.to_json() for m in self._closed],
            "popped": self._popped,
            "arenas_until": None if self._arenas_until == -math.inf else self._arenas_until,
            "menu": list(self._menu) if self._menu is not None else None,
            "probe": self._probe.to_dict() if self._probe is not None else None,
            "late": self.late,
            "duplicates": self.duplicates,
            "dropped": list(self.dropped),
            "stray": dict(self._stray) if self._stray is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MatchTracker:
        if d.get("version") != 1:
            raise ValueError(f"unknown tracker snapshot version {d.get('version')!r}")
        tr = cls(**d["config"])
        for sd in d["buffer"]:
            tr._push(Score.from_json(sd), count_newest=False)
        tr._newest = -math.inf if d["newest"] is None else float(d["newest"])
        tr._processed_t = -math.inf if d["processed_t"] is None else float(d["processed_t"])
        tr._recent_keys = {(float(t), int(i)): float(v) for t, i, v in d["recent_keys"]}
        tr._open = _Open.from_dict(d["open"]) if d["open"] else None
        tr._closed = [Match.from_json(m) for m in d["closed"]]
        tr._popped = int(d["popped"])
        tr._arenas_until = -math.inf if d["arenas_until"] is None else float(d["arenas_until"])
        tr._menu = (float(d["menu"][0]), d["menu"][1]) if d.get("menu") else None
        tr._probe = _Probe.from_dict(d["probe"]) if d.get("probe") else None
        tr.late, tr.duplicates = int(d["late"]), int(d["duplicates"])
        tr.dropped = list(d["dropped"])
        tr._stray = dict(d["stray"]) if d.get("stray") else None
        return tr

    # ---------------------------------------------------------------- buffering
    def _push(self, s: Score, count_newest: bool = True) -> None:
        if s.vod_time <= self._processed_t and (s.vod_time, s.segment_index) not in self._recent_keys:
            # Its place in the order has passed (it came more than reorder_window late):
            # counted and logged, never processed out of order.
            self.late += 1
            log.warning(
                "tracker.late_score",
                vod_time=s.vod_time,
                processed=self._processed_t,
                window=self.reorder_window,
            )
            return
        heapq.heappush(self._heap, (_order_key(s), self._seq, s))
        self._seq += 1
        if count_newest and s.vod_time > self._newest:
            self._newest = s.vod_time

    def _drain(self, upto: float) -> None:
        while self._heap and self._heap[0][0][0] <= upto:
            _, _, s = heapq.heappop(self._heap)
            key = (s.vod_time, s.segment_index)
            if key in self._recent_keys:
                self.duplicates += 1
                continue
            self._recent_keys[key] = s.vod_time
            self._step(s)
        # Forget dedup keys older than the window (memory stays bounded).
        horizon = self._processed_t - self.reorder_window - 1.0
        if len(self._recent_keys) > 64:
            self._recent_keys = {k: v for k, v in self._recent_keys.items() if v >= horizon}

    # ---------------------------------------------------------------- state machine
    def _edge(self, t: float, prev_t: float) -> float:
        """Best estimate of when a screen first showed, given it is first seen at ``t`` and the
        previous sample (``prev_t``) did not show it: the middle of the gap, at most
        ``start_backoff`` seconds back."""
        gap = t - prev_t if prev_t > -math.inf else 0.0
        return round(t - min(max(gap, 0.0) / 2.0, self.start_backoff), 3)

    def _new(
        self, t: float, prev_t: float, phase: Phase, *, start_seen: bool, note: str | None = None
    ) -> _Open:
        op = _Open(
            start=self._edge(t, prev_t),
            first_seen=t,
            phase=phase,
            last_evidence=t,
            start_seen=start_seen,
            live_seen=phase in ("live", "dead"),
        )
        if note:
            op.notes.append(note)
        self._open = op
        return op

    def _step(self, s: Score) -> None:
        probe = self._probe
        if probe is not None:
            probe.scores.append(s)
        self._apply(s)
        self._count_look(s.vod_time)
        if self._probe is not None:
            self._judge_probe(s.vod_time)

    def _apply(self, s: Score) -> None:
        t = s.vod_time
        prev_t = self._processed_t
        self._processed_t = t
        self._check_timeouts(t)
        m = s.marker
        kind = m.kind if m else None
        op = self._open
        # The lobby / an end screen left the screen: remember the first sample after it.
        if kind is not None:
            self._stray = None  # a screen of its own between: a stray verdict does not rejoin
        if kind in ("lobby", "end"):
            self._menu = (t, None)
        elif self._menu is not None and self._menu[1] is None:
            self._menu = (self._menu[0], t)

        arenas_mode = t < self._arenas_until
        if kind == "select_legend":
            self._arenas_until = -math.inf
            if op is not None and op.phase == "legend" and not op.arenas:
                op.last_evidence = t
                return
            # (a legend pick that led into Arenas/Mixtape, then a new pick: a new match even when
            # the lobby between them went unrecognised)
            if op is not None:
                self._close(t, reason="new_match", end_at=self._edge(t, prev_t))
            self._new(t, prev_t, "legend", start_seen=True)
            return

        if kind == "arenas":
            assert m is not None
            # VICTORY / DEFEAT end the Arenas match: BR evidence soon after it is a BR match
            # (whose lobby / SELECT LEGEND may have gone unrecognised).
            result = m.label == "RESULT"
            hold = self.arenas_result_hold if result else self.arenas_hold
            if op is not None and op.phase != "ended":
                op.arenas += 1
                op.last_evidence = t
                # Once the BR HUD was seen, one stray reading does not turn the match into Arenas.
                if self._arenas_wins(op):
                    self._arenas_until = t + hold
                    if result:
                        self._close(t, reason="arenas")
            elif op is None:
                self._arenas_until = t + hold
            return

        if kind == "lobby":
            self._arenas_until = -math.inf
            if op is not None:
                self._close(t, reason="lobby", end_at=self._edge(t, prev_t))
            return

        if kind == "end":
            assert m is not None
            if arenas_mode and (op is None or op.arenas):
                return
            if op is None:
                op = self._new(t, prev_t, "ended", start_seen=False, note="end screen without a start")
                op.end, op.end_seen = op.start, True
            elif op.phase != "ended":
                op.phase = "ended"
                op.end, op.end_seen = self._edge(t, prev_t), True
            op.end_votes += 1
            op.last_evidence = t
            self._vote_placement(op, m)
            if m.own_kills is not None:
                op.own_votes[m.own_kills] = op.own_votes.get(m.own_kills, 0) + 1
            if m.squad_kills is not None:
                op.squad_votes[m.squad_kills] = op.squad_votes.get(m.squad_kills, 0) + 1
            return

        if kind == "spectating":
            if arenas_mode:
                return
            if op is not None and op.phase == "ended":
                return
            if op is None:
                op = self._new(t, prev_t, "dead", start_seen=False, note="began while spectating")
            if op.phase in ("legend", "live"):
                op.phase = "dead"
                op.dead_at = t
            op.live_seen = True
            op.last_evidence = t
            if s.kills is not None:
                op.all_readings.append(Reading(t, s.kills, s.red, s.confidence))
            return

        # No marker (or an unknown one): HUD evidence only.
        if not s.hud_visible or arenas_mode:
            if (
                op is not None
                and kind is None
                and op.phase == "live"
                and not (op.start_seen or op.end_seen)
                and op.hud_samples < self.min_hud_samples
                and t - op.last_evidence > self.stray_gap
            ):
                # A match opened on HUD verdicts alone needs min_hud_samples of them, none more
                # than stray_gap s after the last: scattered ones on another game's screen are
                # not a match.
                self._open = None
                self._drop(op, t, "too little gameplay (stray HUD verdicts, far apart)")
                self._stray = self.dropped[-1] | {"last_seen": op.last_evidence}
            return
        if op is not None and op.phase == "ended":
            if op.end_votes == 1 and op.live_seen and t - op.last_evidence <= self.end_revert:
                # One end-screen reading, then gameplay again: it was a misreading.
                op.notes.append(f"ignored a one-off end-screen reading at {op.last_evidence:.1f}s")
                op.phase = "dead" if op.dead_at is not None else "live"
                op.end, op.end_seen, op.end_votes = None, False, 0
                op.placement = op.of = op.end_label = None
                op.placement_votes.clear()
                op.own_votes.clear()
                op.squad_votes.clear()
            elif t - op.last_evidence <= self.new_after_end:
                return  # a stray HUD verdict on the end screen
            else:
                self._close(t, reason="hud_after_end")
                op = None
        if op is None:
            op = self._new(t, prev_t, "live", start_seen=False, note="no SELECT LEGEND seen")
            menu = self._menu
            if menu is not None and menu[1] is not None and menu[1] < t and t - menu[1] <= self.menu_lookback:
                # The HUD was not recognised on the first samples after the lobby: the match
                # began when the lobby (or previous end screen) left the screen.
                op.start = self._edge(menu[1], menu[0])
            self._rejoin_stray(op, t)
        if (
            self._probe is None
            and op.phase == "live"
            and op.readings
            and s.kills is not None
            and t - op.last_evidence >= self.reset_gap
        ):
            self._start_probe(op, s, prev_t)
        op.last_evidence = t
        op.live_seen = True
        if _new_look(op.hud_last, t):
            op.hud_samples += 1
            op.hud_last = t
        if op.phase == "legend":
            op.phase = "live"
        if s.kills is not None:
            r = Reading(t, s.kills, s.red, s.confidence)
            op.all_readings.append(r)
            if op.phase == "live":
                op.readings.append(r)
                op.box.read()
        elif op.phase == "live":
            op.box.add(s.kill_box, t)
        if op.phase == "live":
            op.box.vote_era(s.hud_era)

    def _count_look(self, t: float) -> None:
        """Count the sample as a look of the open match (HUD or not) for the share of them that saw
        the HUD (``blind_cover``)."""
        op = self._open
        if op is None:
            return
        if _new_look(op.look_last, t):
            op.looks += 1
            op.look_last = t
        if op.hud_last == t:
            op.looks_at_hud = op.looks

    def _rejoin_stray(self, op: _Open, t: float) -> None:
        """A match opened on the HUD within ``stray_rejoin`` s of the span last let go as stray
        verdicts, with no menu seen between: the HUD was hidden a while (inventory, map) right
        after the first looks, so the match began with that span. Its start is taken back; its
        verdicts are not counted again toward ``min_hud_samples``."""
        stray, self._stray = self._stray, None
        if stray is None or t - float(stray["last_seen"]) > self.stray_rejoin:
            return
        start = float(stray["start"])
        if op.start is None or start < op.start:
            op.start = start
            first = float(stray["first_seen"])
            op.notes.append(f"HUD first seen at {first:.1f}s, then hidden until {t:.1f}s")
        span = (stray["start"], stray["until"])
        self.dropped = [d for d in self.dropped if (d["start"], d["until"]) != span]

    def _arenas_wins(self, op: _Open) -> bool:
        """Whether the Arenas/Mixtape screens read during ``op`` make it an Arenas game: where the
        battle-royale HUD was seen on fewer than ``min_hud_samples`` looks, or ``arenas_votes`` of
        those screens or more were read (one stray reading mid-match turns no match into Arenas).
        One or two HUD verdicts are no battle royale: an Arenas game whose ROUND banners went
        unread on a bright sky had one stray verdict, and its VICTORY, read twice, then closed
        nothing (third held-out family, VOD 8318: a fifth match reported, its kills unknown)."""
        return op.hud_samples < self.min_hud_samples or op.arenas >= self.arenas_votes

    def _drop(self, op: _Open, t: float, why: str) -> None:
        self.dropped.append({"start": op.start, "first_seen": op.first_seen, "until": t, "why": why})
        log.info("tracker.dropped", start=op.start, until=t, why=why)

    # ---------------------------------------------------------------- counter reset = new match
    def _start_probe(self, op: _Open, s: Score, prev_t: float) -> None:
        """The HUD is back with a reading after ``reset_gap`` s without it. If the counter now
        reads lower than the match's count, a new match began and its lobby / SELECT LEGEND went
        unrecognised (kills never go down within a match). Keep the scores from here on (at most
        ``reset_window`` s) until :meth:`_judge_probe` can tell."""
        est = estimate_kills(self._own_readings(op), step_cost=self.step_cost, red_weight=self.red_weight)
        if not est.kills:
            return  # nothing lower than 0 (or unknown): a reset cannot be seen
        self._probe = _Probe(
            snapshot=op.to_dict(),
            first_seen=op.first_seen,
            gap_from=op.last_evidence,
            first_t=s.vod_time,
            prev_t=prev_t,
            count=est.kills,
            scores=[s],
        )

    def _judge_probe(self, t: float) -> None:
        p = self._probe
        op = self._open
        assert p is not None
        if op is None or op.first_seen != p.first_seen or op.phase != "live":
            self._probe = None  # the match closed or moved on (lobby, end screen, death): no reset
            return
        after = [r for r in op.readings if r.t >= p.first_t]
        if any(r.kills >= p.count for r in after) or t - p.first_t > self.reset_window:
            self._probe = None
            return
        if len(after) < self.reset_votes:
            return
        # Split: the match as it was before the gap ends there; the scores since start a new one.
        self._probe = None
        note = (
            f"kill counter went back from {p.count} to {after[0].kills} after "
            f"{p.first_t - p.gap_from:.0f}s without the HUD: a new match"
        )
        old = _Open.from_dict(p.snapshot)
        old.notes.append(note)
        self._open = old
        self._close(p.first_t, reason="new_match", end_at=self._edge(p.first_t, p.prev_t))
        log.info("tracker.counter_reset", at=p.first_t, before=p.count, after=after[0].kills)
        newest = self._processed_t
        self._processed_t = p.prev_t
        for s in p.scores:
            self._apply(s)
            self._count_look(s.vod_time)
            if self._open is not None and s is p.scores[0]:
                self._open.notes.append(note)
        self._processed_t = max(self._processed_t, newest)

    def _lower_bound(
        self, op: _Open, est: KillEstimate, chk: EndScreenCheck, end: float | None, *, cut: bool = False
    ) -> EndScreenCheck | None:
        """A HUD count whose last reading came more than ``unread_tail`` s before the player's
        match ended (death, end screen, or the VOD cut off) is only a lower bound: kills made in
        that tail were not seen. So is the count of a match the VOD cuts off (``cut``) while the
        player is alive and the match's last look showed no HUD (the inventory or the map open:
        kills made behind it are never seen), the counter last read more than ``CUT_TAIL`` s
        before the VOD's end. It stays the count but is reported uncertain, unless the end
        screen's own card confirmed it: the check made so (reason "at least N: ..."), or None."""
        if chk.source != "hud" or chk.agree is True or chk.kills is None or not est.used:
            return None
        alive_end = op.dead_at if op.dead_at is not None else end
        last = max(t for t, _k in est.used)
        if alive_end is None:
            return None
        hidden_at_cut = (
            cut
            and op.dead_at is None
            and op.look_last is not None
            and op.look_last > last
            and (op.hud_last is None or op.look_last > op.hud_last)
            and alive_end - last > CUT_TAIL
        )
        if hidden_at_cut:
            why = (
                f"at least {chk.kills}: the VOD ends with the HUD out of view (the counter last read "
                f"{alive_end - last:.0f}s before its end)"
            )
        elif alive_end - last <= self.unread_tail:
            return None
        else:
            why = (
                f"at least {chk.kills}: the counter was not read in the last {alive_end - last:.0f}s of "
                "the match"
            )
        return dataclasses.replace(
            chk,
            confidence=min(chk.confidence, UNSURE_COUNT_CONFIDENCE),
            reason=f"{chk.reason}; {why}" if chk.reason else why,
        )

    def _check_timeouts(self, t: float) -> None:
        op = self._open
        if op is None:
            return
        if op.phase == "ended":
            if t - op.last_evidence > self.end_hold:
                self._close(t, reason="end_hold")
        elif t - op.last_evidence > self.idle_close:
            self._close(op.last_evidence, reason="idle", end_at=op.last_evidence)

    def _vote_placement(self, op: _Open, m: Marker) -> None:
        if m.label and (
            not op.end_label or (m.label.startswith("CHAMPIONS") and op.end_label == "CHAMPIONS")
        ):
            op.end_label = m.label
        if m.placement is None:
            return
        key = f"{m.placement}/{m.of if m.of is not None else ''}"
        op.placement_votes[key] = op.placement_votes.get(key, 0) + 1
        # Most votes; ties: the one that knows k, then the first read (dict order).
        best = max(op.placement_votes.items(), key=lambda kv: (kv[1], not kv[0].endswith("/")))
        n, k = best[0].split("/")
        op.placement = int(n)
        op.of = int(k) if k else None

    def _own_readings(self, op: _Open) -> list[Reading]:
        """The player's readings, less any taken just before SPECTATING was first recognised
        that show the spectated player's number (a spectating sample the marker reader missed)."""
        rs = op.readings
        if op.dead_at is None:
            return rs
        seen = [r.kills for r in op.all_readings if r.t >= op.dead_at]
        if not seen:
            return rs
        theirs = seen[0]
        lo = op.dead_at - self.spectate_guard
        before = {r.kills for r in rs if r.t < lo}
        return [r for r in rs if not (r.t >= lo and r.kills == theirs and theirs not in before)]

    def _close(self, t: float, *, reason: str, end_at: float | None = None) -> None:
        op = self._open
        self._open = None
        if op is None:
            return
        why = None
        if op.arenas and self._arenas_wins(op):
            why = "arenas/mixtape"
        elif not op.start_seen and not op.end_seen and op.hud_samples < self.min_hud_samples:
            why = "too little gameplay (a stray HUD verdict)"
        elif (
            reason != "vod_end"  # cut short by the VOD's end, a few looks may be all there is
            and not op.start_seen
            and not op.end_seen
            and not op.all_readings
            and not op.box.empty
            and not op.box.unread
            and (
                op.last_evidence - op.first_seen < self.blind_min_s
                or op.hud_samples < self.blind_cover * op.looks_at_hud
            )
        ):
            # HUD verdicts alone for less than blind_min_s, or on fewer than blind_cover of the
            # looks up to the last of them, and never a kill box in view (no reading, no box found,
            # no empty slot): another game's screen whose pattern looked like the squads box's text
            # now and then (a 10 s "match" in a VALORANT span, fourth held-out family's VOD 8424;
            # 4 looks of 15 in 28 s of a Just Chatting span, fifth held-out family's VOD 8524) --
            # no match to report, its kills unknowable
            why = "too little gameplay (HUD verdicts without a kill box, briefly or seldom)"
        elif not op.live_seen:
            why = (
                "legend select without a match"
                if op.phase == "legend"
                else "end screen without gameplay"
                if op.phase == "ended"
                else "no gameplay seen"
            )
        elif op.end is None and reason == "lobby" and not self.keep_abandoned:
            why = "abandoned to the lobby"
        if why:
            self._drop(op, t, why)
            return
        if self.kills_method == "median20":
            est = median20_kills(op.all_readings)
        else:
            est = estimate_kills(
                self._own_readings(op),
                box=op.box,
                step_cost=self.step_cost,
                red_weight=self.red_weight,
            )
        chk = check_end_screen(est, op.own_votes, op.squad_votes)
        notes = list(op.notes)
        if chk.note:
            notes.append(chk.note)
        end = op.end
        if not op.end_seen:
            end = end_at if end_at is not None else t
            if reason in ("lobby", "new_match") and end - op.last_evidence > self.lobby_lag:
                # The lobby (or next match) was recognised late: the match left the screen
                # soon after the last sample that showed it.
                end = round(op.last_evidence + self.start_backoff, 3)
            notes.append(
                {
                    "vod_end": "VOD ended mid-match",
                    "idle": "left Apex without an end screen",
                    "new_match": "next match began without an end screen",
                    "lobby": "abandoned to the lobby",
                }.get(reason, reason)
            )
        if op.dead_at is not None:
            notes.append(f"died (SPECTATING) at {op.dead_at:.1f}s; later readings were someone else's")
        at_least = self._lower_bound(op, est, chk, end, cut=reason == "vod_end")
        if at_least is not None:
            notes.append(at_least.reason or "")
            chk = at_least
        conf = chk.confidence
        if not op.start_seen or not op.end_seen:
            conf *= 0.8
        match = Match(
            start=op.start,
            end=end,
            kills=chk.kills,
            placement=op.placement,
            of=op.of,
            confidence=round(conf, 3),
            end_label=op.end_label,
            readings=[(round(t, 3), k) for t, k in est.used],
            notes=notes,
            start_seen=op.start_seen,
            end_seen=op.end_seen,
            kills_readings=est.n_readings,
            kills_confidence=round(chk.confidence, 3),
            kills_reason=chk.reason,
            kills_source=chk.source,
            kills_end_screen=chk.kills_end_screen,
            squad_kills=chk.squad_kills,
            kills_agree=chk.agree,
            kills_at_least=at_least is not None,
        )
        self._closed.append(match)
        log.info(
            "tracker.match",
            start=match.start,
            end=match.end,
            kills=match.kills,
            placement=match.placement,
            reason=reason,
        )
