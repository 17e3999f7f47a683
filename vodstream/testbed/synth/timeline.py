"""Script -> what the screen shows at any VOD time (a :class:`FrameState`), plus audio events.

Pure and deterministic: ``Timeline(script).state_at(t)`` depends only on the script (and its seed).
The VOD is cut into *phases* (lobby, select legend, in-match, end screen, arenas, other game, black);
gaps between script items are lobby (READY, then MATCHMAKING just before a match).

Rules the readers rely on:

* the kill counter turns red for :data:`RED_SECONDS` after its number changes;
* modern era: the kill box is hidden while the shown count is 0 (2019: always shown, with the
  spectators eye);
* after death + while spectating, the counter shows the spectated player's kills;
* squads left / players alive fall over the match and reach the placement at the end screen;
* ``scene_seed`` changes per span and every few tens of seconds in a match; ``camera_t`` counts
  seconds into the current scene. Menu screens step ``camera_t`` by :data:`MENU_STEP` so equal
  frames repeat and are rendered once.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import random
import zlib
from dataclasses import dataclass
from typing import Literal

from vodstream.testbed.synth.script import Match, Script, Span, end_screen_squad_kills
from vodstream.testbed.synth.state import Era, FrameState, ScreenKind

__all__ = ["MENU_STEP", "RED_SECONDS", "Event", "Phase", "Timeline", "stable_seed"]

RED_SECONDS = 2.5  # kill counter red after a change
MENU_STEP = 0.5  # camera_t quantum on menu screens (lobby, select legend, end screen)

PhaseKind = Literal[
    "lobby_ready",
    "lobby_matchmaking",
    "select_legend",
    "in_match",
    "end",
    "arenas_select",
    "arenas",
    "other_game",
    "black",
]
EventKind = Literal[
    "match_start",
    "kill",
    "spectated_kill",
    "death",
    "end_screen",
    "arenas_start",
    "arenas_round",
    "arenas_result",
]


def stable_seed(*parts: object) -> int:
    """A 31-bit seed from parts, stable across processes (unlike hash())."""
    return zlib.crc32(repr(parts).encode()) & 0x7FFFFFFF


@dataclass(frozen=True)
class Phase:
    start: float
    end: float
    kind: PhaseKind
    match: int | None = None  # index into script.matches
    span: int | None = None  # index into script.spans


@dataclass(frozen=True)
class Event:
    """A moment with its own sound cue."""

    t: float
    kind: EventKind


@dataclass
class _MatchPlan:
    m: Match
    era: Era
    squad_elims: list[float]
    player_deaths: list[float]
    scene_starts: list[float]
    scene_seeds: list[int]
    spectators_t: list[float]
    spectators_n: list[int]
    squad_kills: int
    final_squads: int


class Timeline:
    """The compiled script. ``state_at(t)`` is O(log n)."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.duration = script.vod_duration
        self._plans = [self._plan(i, m) for i, m in enumerate(script.matches)]
        self.phases = self._build_phases()
        self._starts = [p.start for p in self.phases]

    # -- compile --------------------------------------------------------------------------------

    def _plan(self, idx: int, m: Match) -> _MatchPlan:
        rng = random.Random(stable_seed(self.script.seed, "match", idx))
        gs, end = m.game_start, m.end
        length = end - gs
        if m.placement is not None:
            final = m.placement
        else:
            final = rng.randint(2, max(2, m.squads // 3))
        n_elim = m.squads - final
        lo, hi = gs + 0.05 * length, end - min(1.0, 0.02 * length)
        elims = sorted(rng.uniform(lo, hi) for _ in range(n_elim))
        deaths: list[float] = []
        for e in elims:
            deaths += [e - rng.uniform(0, 20), e - rng.uniform(0, 8), e][-m.players_per_squad :]
        deaths = sorted(max(gs, d) for d in deaths)
        # scenes: a new place every 15-45 s; spectating is somewhere else
        starts, seeds = [gs], [stable_seed(self.script.seed, "scene", idx, 0)]
        t = gs
        while True:
            t += rng.uniform(15, 45)
            if t >= end:
                break
            starts.append(t)
            seeds.append(stable_seed(self.script.seed, "scene", idx, len(seeds)))
        if m.spectate is not None:
            k = bisect.bisect_right(starts, m.spectate.start)
            starts.insert(k, m.spectate.start)
            seeds.insert(k, stable_seed(self.script.seed, "spectate", idx))
        spec_t, spec_n = [gs], [rng.randint(0, 3)]
        t = gs
        while t < end:
            t += rng.uniform(20, 60)
            spec_t.append(t)
            spec_n.append(max(0, min(9, spec_n[-1] + rng.choice([-1, 0, 1, 1]))))
        squad_kills = end_screen_squad_kills(self.script, idx)
        return _MatchPlan(
            m=m,
            era=m.era,
            squad_elims=elims,
            player_deaths=deaths,
            scene_starts=starts,
            scene_seeds=seeds,
            spectators_t=spec_t,
            spectators_n=spec_n,
            squad_kills=squad_kills,
            final_squads=final,
        )

    def _build_phases(self) -> list[Phase]:
        items: list[tuple[float, float, list[Phase]]] = []
        for i, m in enumerate(self.script.matches):
            ph = []
            if m.select_legend > 0:
                ph.append(Phase(m.start, m.game_start, "select_legend", match=i))
            ph.append(Phase(m.game_start, m.end, "in_match", match=i))
            if not m.abandoned:
                ph.append(Phase(m.end, m.stop, "end", match=i))
            items.append((m.start, m.stop, ph))
        for j, s in enumerate(self.script.spans):
            items.append((s.start, s.end, self._span_phases(j, s)))
        items.sort(key=lambda x: x[0])
        out: list[Phase] = []
        cursor = 0.0
        for start, stop, ph in items:
            if start > cursor:
                out += self._lobby(cursor, start, next_is_game=True)
            out += ph
            cursor = max(cursor, stop)
        if cursor < self.duration:
            out += self._lobby(cursor, self.duration, next_is_game=False)
        # clip to the VOD
        clipped = []
        for p in out:
            a, b = max(p.start, 0.0), min(p.end, self.duration)
            if b > a:
                clipped.append(dataclasses.replace(p, start=a, end=b))
        return clipped

    def _span_phases(self, j: int, s: Span) -> list[Phase]:
        if s.type == "lobby":
            if s.screen is None:
                return self._lobby(s.start, s.end, next_is_game=True, span=j)
            kind: PhaseKind = "lobby_ready" if s.screen == "ready" else "lobby_matchmaking"
            return [Phase(s.start, s.end, kind, span=j)]
        if s.type == "arenas":
            ph = []
            if s.select_legend > 0:
                ph.append(Phase(s.start, s.start + s.select_legend, "arenas_select", span=j))
            ph.append(Phase(s.start + s.select_legend, s.end, "arenas", span=j))
            return ph
        if s.type == "other_game":
            return [Phase(s.start, s.end, "other_game", span=j)]
        return [Phase(s.start, s.end, "black", span=j)]

    @staticmethod
    def _lobby(a: float, b: float, *, next_is_game: bool, span: int | None = None) -> list[Phase]:
        if not next_is_game:
            return [Phase(a, b, "lobby_ready", span=span)]
        mm = min(15.0, 0.5 * (b - a))
        if b - a - mm <= 0.5:
            return [Phase(a, b, "lobby_matchmaking", span=span)]
        return [Phase(a, b - mm, "lobby_ready", span=span), Phase(b - mm, b, "lobby_matchmaking", span=span)]

    # -- query ------------------------------------------------------------------------------------

    def phase_at(self, t: float) -> Phase:
        k = bisect.bisect_right(self._starts, t) - 1
        return self.phases[max(0, min(k, len(self.phases) - 1))]

    def state_at(self, t: float) -> FrameState:
        """What the screen shows at VOD time ``t``."""
        p = self.phase_at(t)
        seed = self.script.seed
        era = self.script.era
        menu_t = math.floor((t - p.start) / MENU_STEP) * MENU_STEP
        if p.kind in ("lobby_ready", "lobby_matchmaking"):
            screen: ScreenKind = "lobby_ready" if p.kind == "lobby_ready" else "lobby_matchmaking"
            return FrameState(
                t=t,
                screen=screen,
                era=era,
                camera_t=menu_t,
                scene_seed=stable_seed(seed, "lobby", round(p.start, 3)),
            )
        if p.kind == "black":
            return FrameState(t=t, screen="black", era=era)
        if p.kind == "other_game":
            scene_len = 30.0
            k = int((t - p.start) // scene_len)
            return FrameState(
                t=t,
                screen="other_game",
                era=era,
                scene_seed=stable_seed(seed, "other", p.span, k),
                camera_t=round(t - p.start - k * scene_len, 6),
            )
        if p.kind in ("arenas_select", "arenas"):
            s = self.script.spans[p.span or 0]
            if p.kind == "arenas_select":
                return FrameState(
                    t=t,
                    screen="select_legend",
                    era=era,
                    camera_t=menu_t,
                    scene_seed=stable_seed(seed, "arenas_select", p.span),
                    countdown=max(0, math.ceil(p.end - t)),
                )
            play = s.end - (s.start + s.select_legend)
            round_no = min(s.rounds, 1 + int((t - p.start) / play * s.rounds))
            result = s.result if s.end - t <= min(6.0, play / 2) else None
            return FrameState(
                t=t,
                screen="arenas",
                era=era,
                round_no=round_no,
                arenas_result=result,
                scene_seed=stable_seed(seed, "arenas", p.span, round_no),
                camera_t=round(t - p.start, 6),
            )
        plan = self._plans[p.match or 0]
        m = plan.m
        era = plan.era
        if p.kind == "select_legend":
            return FrameState(
                t=t,
                screen="select_legend",
                era=era,
                camera_t=menu_t,
                scene_seed=stable_seed(seed, "select", p.match),
                countdown=max(0, math.ceil(m.game_start - t)),
            )
        if p.kind == "end":
            assert m.end_kind != "abandoned"  # an abandoned match has no end-screen phase
            return FrameState(
                t=t,
                screen="end",
                era=era,
                camera_t=menu_t,
                scene_seed=stable_seed(seed, "end", p.match),
                kills=len(m.kills),
                end_kind=m.end_kind,
                placement=m.placement,
                of=(m.of or m.squads) if m.end_kind == "placed" else None,
                squad_kills=plan.squad_kills,
                squads_left=plan.final_squads,
                alive=self._alive(plan, m.end),
                hud_mode=m.hud_mode,
            )
        return self._in_match(t, plan, p.match or 0)

    @staticmethod
    def _alive(plan: _MatchPlan, t: float) -> int:
        return plan.m.squads * plan.m.players_per_squad - bisect.bisect_right(plan.player_deaths, t)

    def _in_match(self, t: float, plan: _MatchPlan, idx: int) -> FrameState:
        m = plan.m
        own = bisect.bisect_right(m.kills, t)
        sp = m.spectate
        spectating = sp is not None and sp.start <= t < sp.end
        if spectating:
            assert sp is not None
            j = bisect.bisect_right(sp.kill_times, t)
            shown = sp.kills + j
            last = sp.kill_times[j - 1] if j else None
        else:
            shown = own
            last = m.kills[own - 1] if own else None
        red = last is not None and t - last < RED_SECONDS
        inv = not spectating and (m.death is None or t < m.death) and any(a <= t < b for a, b in m.inventory)
        k = bisect.bisect_right(plan.scene_starts, t) - 1
        k = max(0, k)
        gone = bisect.bisect_right(plan.squad_elims, t)
        squads_left = m.squads - gone
        bar_red = gone > 0 and t - plan.squad_elims[gone - 1] < RED_SECONDS
        spectators = 0
        if plan.era == "2019":
            spectators = plan.spectators_n[max(0, bisect.bisect_right(plan.spectators_t, t) - 1)]
        return FrameState(
            t=t,
            screen="in_match",
            era=plan.era,
            scene_seed=plan.scene_seeds[k],
            camera_t=round(t - plan.scene_starts[k], 6),
            kills=shown,
            show_kill_box=plan.era == "2019" or shown > 0,
            red=red,
            inventory_open=inv,
            spectating=spectating,
            squads_left=squads_left,
            alive=self._alive(plan, t),
            spectators=spectators,
            bar_red=bar_red,
            hud_mode=m.hud_mode,
            assists=bisect.bisect_right(m.assists, t),
        )

    # -- audio ------------------------------------------------------------------------------------

    def events(self) -> list[Event]:
        """Sound cues in time order (only those inside the VOD)."""
        ev: list[Event] = []
        for m in self.script.matches:
            ev.append(Event(m.start if m.select_legend > 0 else m.game_start, "match_start"))
            ev += [Event(k, "kill") for k in m.kills]
            if m.death is not None:
                ev.append(Event(m.death, "death"))
            if m.spectate is not None:
                ev += [Event(k, "spectated_kill") for k in m.spectate.kill_times]
            if not m.abandoned:
                ev.append(Event(m.end, "end_screen"))
        for s in self.script.spans:
            if s.type == "arenas":
                ev.append(Event(s.start, "arenas_start"))
                play_start = s.start + s.select_legend
                play = s.end - play_start
                ev += [Event(play_start + r * play / s.rounds, "arenas_round") for r in range(s.rounds)]
                ev.append(Event(s.end - min(6.0, play / 2), "arenas_result"))
        return sorted((e for e in ev if 0 <= e.t < self.duration), key=lambda e: (e.t, e.kind))
