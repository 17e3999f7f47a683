"""What one synthetic frame shows: the contract between the timeline and the renderer.

The timeline (vodstream.testbed.synth.timeline) turns a script into a FrameState per frame time; the
renderer (vodstream.testbed.synth.render) draws a FrameState at any resolution. Equal states render
to equal frames, which lets the encoder reuse unchanged frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ArenasResult", "EndKind", "Era", "FrameState", "HudMode", "ScreenKind"]

Era = Literal["2019", "modern"]
# queue the top-right HUD belongs to (real crops show all four): trios = the plain layout;
# duos (+ badge), elite (+ flame streak box) and ranked (+ rank badge, kills on a second row
# "[skull] k / [assists] a  xN") shift the counters left.
HudMode = Literal["trios", "duos", "ranked", "elite"]

ScreenKind = Literal[
    "lobby_ready",  # lobby with READY button
    "lobby_matchmaking",  # lobby, MATCHMAKING
    "select_legend",  # SELECT LEGEND screen (match start)
    "in_match",  # gameplay with the HUD (kills, squads left, alive)
    "end",  # end screen (see EndKind)
    "arenas",  # Arenas/Mixtape: ROUND n / VICTORY / DEFEAT -- not a BR match
    "other_game",  # another game entirely (no Apex HUD)
    "black",  # a black/loading screen
]

EndKind = Literal[
    "placed",  # 2019: "CHAMPIONS OF THE ARENA"/"SQUAD ELIMINATED" + "PLACED #n OF k"
    "squad_eliminated",  # later: "SQUAD ELIMINATED" + "SQUAD PLACED #n"
    "champions",  # later: "CHAMPIONS" (+ "OF THE ARENA" in 2019-20) + "SQUAD PLACED #1"
    "match_summary",  # later: "MATCH SUMMARY" + "SQUAD PLACED #n"
]

ArenasResult = Literal["victory", "defeat"]


@dataclass(frozen=True, kw_only=True)
class FrameState:
    t: float  # VOD seconds of this frame
    screen: ScreenKind
    era: Era = "modern"
    scene_seed: int = 0  # chooses the background scene (deterministic)
    camera_t: float = 0.0  # seconds into the current scene: drives camera motion
    # in-match HUD
    kills: int = 0  # number the kill counter shows (the spectated player's when spectating)
    show_kill_box: bool = True  # modern era hides the kill box until the first kill
    red: bool = False  # kill counter flashing red (just changed); the squads/alive bar flashes too
    bar_red: bool = False  # only the squads/alive bar flashing (squads left / alive just changed)
    inventory_open: bool = False  # inventory covers the HUD counter
    spectating: bool = False  # dead, watching another player ("SPECTATING")
    squads_left: int = 20
    alive: int = 60
    spectators: int = 0  # 2019 era: the eye box beside the skull
    hud_mode: HudMode = "trios"  # modern era queue layout (see HudMode)
    assists: int = 0  # ranked layout: the assists count beside the kills
    # end screen
    end_kind: EndKind | None = None
    placement: int | None = None
    of: int | None = None  # k in "PLACED #n OF k" (2019 era)
    squad_kills: int | None = None
    # arenas
    round_no: int | None = None
    arenas_result: ArenasResult | None = None
    # select legend countdown (seconds left), purely cosmetic
    countdown: int | None = None
