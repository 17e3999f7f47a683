"""The synthetic-VOD script: what happens when, validated, plus presets and random scripts.

A script is JSON (documented in docs/script-format.md). It describes matches and other spans on the
VOD clock; anything not covered is the lobby. The same script is the ground truth
(:func:`truth`). Times may lie outside ``[0, duration)``: a match that starts before 0 means the VOD
begins mid-match, one that ends after ``duration`` means the VOD ends mid-match.

Every validation error is a :class:`~vodstream.errors.ScriptError` whose message names the field,
e.g. ``matches[2].kills[1]: time 812.0 is after the match end 800.0``.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import random
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from vodstream.errors import ScriptError, VariantRateError
from vodstream.testbed.synth.state import ArenasResult, EndKind, Era, HudMode

__all__ = [
    "APEX_GAME_ID",
    "END_KINDS",
    "PRESETS",
    "Match",
    "Script",
    "Span",
    "Spectate",
    "Variant",
    "end_screen_squad_kills",
    "load_script",
    "preset",
    "random_script",
    "truth",
]

APEX_GAME_ID = "511224"
APEX_GAME_NAME = "Apex Legends"
MatchEnd = EndKind | Literal["abandoned"]  # how a match ends: an end screen, or none shown

ERAS: tuple[Era, ...] = ("2019", "modern")
END_KINDS: tuple[MatchEnd, ...] = ("placed", "squad_eliminated", "champions", "match_summary", "abandoned")
ARENAS_RESULTS: tuple[ArenasResult, ...] = ("victory", "defeat")
SPAN_TYPES = ("lobby", "arenas", "other_game", "black")
LOBBY_SCREENS = ("ready", "matchmaking")
PLAYERS_PER_SQUAD = 3
HUD_MODES: tuple[HudMode, ...] = ("trios", "duos", "ranked", "elite")
# how often a modern match is drawn in each layout (generated VODs, per-sample benchmark)
HUD_MODE_WEIGHTS: dict[str, float] = {"trios": 0.55, "ranked": 0.2, "duos": 0.15, "elite": 0.1}
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium")


# ----------------------------------------------------------------------------------------------
# records
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Variant:
    """One HLS rendition. ``chunked`` is the source; others are downscaled/decimated copies."""

    name: str  # group id: "chunked", "720p60", "480p30", ...
    width: int
    height: int
    fps: int
    bitrate: int  # target video bits/s

    @property
    def display_name(self) -> str:
        """Twitch's NAME: "1080p60", "720p60", "480p" (30 fps names drop the 30)."""
        return f"{self.height}p" if self.fps == 30 else f"{self.height}p{self.fps}"


@dataclass(frozen=True, kw_only=True)
class Spectate:
    """After death: watching a teammate, whose kill count the HUD shows."""

    start: float
    end: float
    kills: int  # the spectated player's kills when spectating starts
    kill_times: tuple[float, ...] = ()  # later kills by the spectated player


@dataclass(frozen=True, kw_only=True)
class Match:
    """A battle-royale match. ``start`` = first moment SELECT LEGEND shows; ``end`` = end screen."""

    start: float
    end: float
    select_legend: float = 20.0  # seconds of SELECT LEGEND; 0 = none shown
    end_screen: float = 10.0  # seconds of end screen (ignored when abandoned)
    end_kind: MatchEnd = "squad_eliminated"
    placement: int | None = None  # None only when abandoned
    squads: int = 20
    of: int | None = None  # k in "PLACED #n OF k" (2019); defaults to squads
    squad_kills: int | None = None  # end-screen squad kills; defaults from kills
    kills: tuple[float, ...] = ()  # times of the player's own kills
    inventory: tuple[tuple[float, float], ...] = ()
    death: float | None = None
    spectate: Spectate | None = None
    era: Era = "modern"
    hud_mode: HudMode = "trios"  # modern top-right layout: trios / duos / ranked / elite
    assists: tuple[float, ...] = ()  # times of the player's assists (shown in the ranked layout)

    @property
    def players_per_squad(self) -> int:
        return 2 if self.hud_mode == "duos" else PLAYERS_PER_SQUAD

    @property
    def game_start(self) -> float:
        """First moment of gameplay (the HUD shows)."""
        return self.start + self.select_legend

    @property
    def abandoned(self) -> bool:
        return self.end_kind == "abandoned"

    @property
    def stop(self) -> float:
        """When the match leaves the screen (end screen over, or the lobby returns)."""
        return self.end if self.abandoned else self.end + self.end_screen


@dataclass(frozen=True, kw_only=True)
class Span:
    """A non-match span: lobby, arenas (not BR), another game, or black."""

    type: str
    start: float
    end: float
    screen: str | None = None  # lobby: "ready" / "matchmaking" (None = auto)
    select_legend: float = 0.0  # arenas: legend pick seconds at its start
    rounds: int = 3  # arenas
    result: ArenasResult = "victory"  # arenas
    game_id: str | None = None  # other_game
    game_name: str | None = None  # other_game

    @property
    def stop(self) -> float:
        return self.end


@dataclass(frozen=True, kw_only=True)
class Script:
    """A whole synthetic VOD. Build with :func:`load_script`, :func:`preset` or :func:`random_script`."""

    vod_id: str = "2400000000"
    title: str = "synthetic apex ranked grind"
    owner_login: str = "synthstreamer"
    owner_display_name: str = "SynthStreamer"
    created_at: str = "2024-05-01T18:00:00Z"
    era: Era = "modern"
    width: int = 1920
    height: int = 1080
    fps: int = 60
    bitrate: int | None = None  # source video bits/s; None = by resolution
    variants: tuple[str | dict[str, Any], ...] = ("chunked", "720p60", "480p30")
    seed: int = 0
    hud_font: str = "rajdhani-bold"
    # the HUD's look: "default" (today's, in hud_font) or a vodstream.testbed.synth.styles name
    # ("train:SEED", "validation:SEED": the family choices are made on, "heldout:SEED": the
    # held-out family no network was trained or chosen on)
    hud_style: str = "default"
    x264_preset: str = "veryfast"
    audio: bool = True
    duration: float | None = None  # None = when the last match/span stops
    matches: tuple[Match, ...] = ()
    spans: tuple[Span, ...] = ()

    # -- derived --------------------------------------------------------------------------------

    @property
    def frame_count(self) -> int:
        """Source frames; rounded so that every variant gets a whole number of frames."""
        step = max(self.fps // v.fps for v in self.variant_specs())
        n = round(self.vod_duration_raw * self.fps)
        return max(step, n - n % step)

    @property
    def vod_duration_raw(self) -> float:
        if self.duration is not None:
            return float(self.duration)
        stops = [m.stop for m in self.matches] + [s.stop for s in self.spans]
        return max(stops) if stops else 60.0

    @property
    def vod_duration(self) -> float:
        """The VOD's length in seconds (whole frames)."""
        return self.frame_count / self.fps

    @property
    def source_bitrate(self) -> int:
        return self.bitrate or default_bitrate(self.width, self.height, self.fps)

    def variant_specs(self) -> list[Variant]:
        return [_variant(v, self, f"variants[{i}]") for i, v in enumerate(self.variants)]

    def replace(self, **changes: Any) -> Script:
        """A copy with fields changed, validated again."""
        return validate(dataclasses.replace(self, **changes))

    def cut(self, duration: float) -> Script:
        """The first ``duration`` seconds: items starting at or after it are dropped."""
        return self.replace(
            duration=duration,
            matches=tuple(m for m in self.matches if m.start < duration),
            spans=tuple(s for s in self.spans if s.start < duration),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (round-trips through :func:`load_script`)."""
        d: dict[str, Any] = {
            "vod_id": self.vod_id,
            "title": self.title,
            "owner": {"login": self.owner_login, "display_name": self.owner_display_name},
            "created_at": self.created_at,
            "era": self.era,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "bitrate": self.bitrate,
            "variants": list(self.variants),
            "seed": self.seed,
            "hud_font": self.hud_font,
            "hud_style": self.hud_style,
            "x264_preset": self.x264_preset,
            "audio": self.audio,
            "duration": self.duration,
            "matches": [_match_dict(m) for m in self.matches],
            "spans": [_span_dict(s) for s in self.spans],
        }
        return {k: v for k, v in d.items() if v is not None}


def default_bitrate(width: int, height: int, fps: int) -> int:
    """Twitch-like bits/s: ~6 Mb/s at 1080p60, ~3.8 at 720p60, ~1.2 at 480p30."""
    pixels = width * height
    bpp = 0.05 * (1920 * 1080 / pixels) ** 0.4
    return int(round(pixels * fps * bpp, -3))


def _match_dict(m: Match) -> dict[str, Any]:
    d = dataclasses.asdict(m)
    d["kills"] = list(m.kills)
    d["assists"] = list(m.assists)
    d["inventory"] = [list(x) for x in m.inventory]
    if m.spectate is not None:
        d["spectate"] = {
            "start": m.spectate.start,
            "end": m.spectate.end,
            "kills": m.spectate.kills,
            "kill_times": list(m.spectate.kill_times),
        }
    return {k: v for k, v in d.items() if v is not None}


def _span_dict(s: Span) -> dict[str, Any]:
    d: dict[str, Any] = {"type": s.type, "start": s.start, "end": s.end}
    if s.type == "lobby" and s.screen:
        d["screen"] = s.screen
    if s.type == "arenas":
        d.update(select_legend=s.select_legend, rounds=s.rounds, result=s.result)
    if s.type == "other_game":
        d.update(game_id=s.game_id, game_name=s.game_name)
    return d


# ----------------------------------------------------------------------------------------------
# parsing + validation
# ----------------------------------------------------------------------------------------------

_MISSING = object()


class _Obj:
    """Typed access to one JSON object, with its path for error messages."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise ScriptError(f"{path or 'script'}: expected an object, got {_typename(data)}")
        self.data = data
        self.path = path
        self.used: set[str] = set()

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, kind: str, default: Any = _MISSING) -> Any:
        self.used.add(key)
        if key not in self.data or self.data[key] is None:
            if default is _MISSING:
                raise ScriptError(f"{self.at(key)}: required field is missing")
            return default
        return _check(self.data[key], kind, self.at(key))

    def done(self) -> None:
        extra = sorted(set(self.data) - self.used)
        if extra:
            raise ScriptError(f"{self.at(extra[0])}: unknown field")


def _typename(v: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(v), type(v).__name__
    )


def _check(v: Any, kind: str, path: str) -> Any:
    if kind == "number":
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise ScriptError(f"{path}: expected a number, got {_typename(v)} {v!r}")
        return float(v)
    if kind == "int":
        if isinstance(v, bool) or not isinstance(v, int):
            if isinstance(v, float) and v.is_integer():
                return int(v)
            raise ScriptError(f"{path}: expected an integer, got {_typename(v)} {v!r}")
        return v
    if kind == "str":
        if not isinstance(v, str):
            raise ScriptError(f"{path}: expected a string, got {_typename(v)}")
        return v
    if kind == "bool":
        if not isinstance(v, bool):
            raise ScriptError(f"{path}: expected true or false, got {_typename(v)}")
        return v
    if kind == "list":
        if not isinstance(v, list | tuple):
            raise ScriptError(f"{path}: expected a list, got {_typename(v)}")
        return list(v)
    if kind == "any":
        return v
    raise AssertionError(kind)


_Option = TypeVar("_Option", bound=str)


def _choice(v: str, options: tuple[_Option, ...], path: str) -> _Option:
    if v not in options:
        raise ScriptError(f"{path}: {v!r} is not one of {', '.join(options)}")
    return options[options.index(v)]


def _positive(v: float, path: str, *, zero: bool = False) -> None:
    if v < 0 or (v == 0 and not zero):
        raise ScriptError(f"{path}: must be {'>= 0' if zero else '> 0'}, got {v:g}")


_VARIANT_RE = re.compile(r"^(\d{3,4})p(\d{2})$")


def _variant(v: str | dict[str, Any], script: Script, path: str) -> Variant:
    if isinstance(v, str):
        o = _Obj({"name": v}, path)
    else:
        o = _Obj(v, path)
    name = o.get("name", "str")
    if name == "chunked":
        h, fps = script.height, script.fps
    else:
        m = _VARIANT_RE.match(name)
        if not m:
            raise ScriptError(f"{o.at('name')}: {name!r} is not 'chunked' or like '720p60'")
        h, fps = int(m.group(1)), int(m.group(2))
    h = o.get("height", "int", h)
    fps = o.get("fps", "int", fps)
    w = o.get("width", "int", _even(h * script.width / script.height))
    if h > script.height or w > script.width:
        raise ScriptError(f"{path}: {w}x{h} is larger than the source {script.width}x{script.height}")
    if w % 2 or h % 2 or w < 16 or h < 16:
        raise ScriptError(f"{path}: size {w}x{h} must be even and at least 16x16")
    if fps <= 0 or script.fps % fps:
        raise VariantRateError(f"{path}: {fps} fps must divide the source rate {script.fps}")
    bitrate = o.get(
        "bitrate", "int", script.source_bitrate if name == "chunked" else default_bitrate(w, h, fps)
    )
    o.done()
    return Variant(name=name, width=w, height=h, fps=fps, bitrate=bitrate)


def _even(x: float) -> int:
    return max(2, int(x) // 2 * 2)


def _times(o: _Obj, key: str) -> tuple[float, ...]:
    items = o.get(key, "list", [])
    out = tuple(_check(x, "number", f"{o.at(key)}[{i}]") for i, x in enumerate(items))
    for i in range(1, len(out)):
        if out[i] < out[i - 1]:
            raise ScriptError(
                f"{o.at(key)}[{i}]: time {out[i]:g} is before the previous {out[i - 1]:g}"
                " (times must be in order)"
            )
    return out


def _parse_match(data: Any, path: str, vod_era: str) -> Match:
    o = _Obj(data, path)
    era = _choice(o.get("era", "str", vod_era), ERAS, o.at("era"))
    start = o.get("start", "number")
    end = o.get("end", "number")
    select_legend = o.get("select_legend", "number", 20.0)
    _positive(select_legend, o.at("select_legend"), zero=True)
    end_screen = o.get("end_screen", "number", 10.0)
    placement = o.get("placement", "int", None)
    default_kind = "placed" if era == "2019" else ("champions" if placement == 1 else "squad_eliminated")
    end_kind = _choice(o.get("end_kind", "str", default_kind), END_KINDS, o.at("end_kind"))
    squads = o.get("squads", "int", 20)
    of = o.get("of", "int", None)
    squad_kills = o.get("squad_kills", "int", None)
    kills = _times(o, "kills")
    inv_raw = o.get("inventory", "list", [])
    death = o.get("death", "number", None)
    spec_raw = o.get("spectate", "any", None)
    hud_mode = _choice(o.get("hud_mode", "str", "trios"), HUD_MODES, o.at("hud_mode"))
    assists = _times(o, "assists")
    o.done()
    if hud_mode != "trios" and era != "modern":
        raise ScriptError(f"{o.at('hud_mode')}: {hud_mode!r} is a modern-era layout (this match is {era})")

    if squads < 2 or squads > 60:
        raise ScriptError(f"{o.at('squads')}: must be 2..60, got {squads}")
    if of is not None and not 2 <= of <= 60:
        raise ScriptError(f"{o.at('of')}: must be 2..60, got {of}")
    if end_kind == "abandoned":
        if placement is not None:
            raise ScriptError(f"{o.at('placement')}: an abandoned match has no placement")
    else:
        _positive(end_screen, o.at("end_screen"))
        if placement is None:
            raise ScriptError(f"{o.at('placement')}: required unless end_kind is 'abandoned'")
        if not 1 <= placement <= (of or squads):
            raise ScriptError(f"{o.at('placement')}: {placement} is not in 1..{of or squads}")
        if end_kind == "champions" and placement != 1:
            raise ScriptError(f"{o.at('placement')}: 'champions' needs placement 1, got {placement}")
        if end_kind == "squad_eliminated" and placement == 1:
            raise ScriptError(f"{o.at('end_kind')}: placement 1 is not 'squad_eliminated'")
        if end_kind == "placed" and era != "2019":
            raise ScriptError(f"{o.at('end_kind')}: 'placed' (PLACED #n OF k) is the 2019 end screen")
    if squad_kills is not None and squad_kills < len(kills):
        raise ScriptError(
            f"{o.at('squad_kills')}: {squad_kills} is less than the player's {len(kills)} kills"
        )
    game_start = start + select_legend
    if end <= game_start:
        raise ScriptError(
            f"{o.at('end')}: {end:g} must be after gameplay starts at {game_start:g} "
            f"(start {start:g} + select_legend {select_legend:g})"
        )
    if death is not None and not game_start < death <= end:
        raise ScriptError(f"{o.at('death')}: {death:g} is not within the gameplay {game_start:g}..{end:g}")
    last_own = death if death is not None else end
    for i, k in enumerate(kills):
        p = f"{o.at('kills')}[{i}]"
        if k < game_start:
            raise ScriptError(f"{p}: time {k:g} is before gameplay starts at {game_start:g}")
        if k > end:
            raise ScriptError(f"{p}: time {k:g} is after the match end {end:g}")
        if k == end:
            raise ScriptError(f"{p}: time {k:g} is at the match end (kills come before the end screen)")
        if death is not None and k > death:
            raise ScriptError(f"{p}: time {k:g} is after the death at {death:g}")
    for i, a in enumerate(assists):
        if not game_start <= a <= last_own:
            raise ScriptError(
                f"{o.at('assists')}[{i}]: time {a:g} is outside the player's gameplay "
                f"{game_start:g}..{last_own:g}"
            )
    inventory: list[tuple[float, float]] = []
    for i, raw in enumerate(inv_raw):
        p = f"{o.at('inventory')}[{i}]"
        pair = _check(raw, "list", p)
        if len(pair) != 2:
            raise ScriptError(f"{p}: expected [open, close], got {len(pair)} values")
        a, b = (_check(x, "number", f"{p}[{j}]") for j, x in enumerate(pair))
        if not game_start <= a < b <= last_own:
            raise ScriptError(
                f"{p}: [{a:g}, {b:g}] is not an open span within the player's gameplay "
                f"{game_start:g}..{last_own:g}"
            )
        if inventory and a < inventory[-1][1]:
            raise ScriptError(f"{p}: overlaps the previous inventory span")
        inventory.append((a, b))
    spectate = None
    if spec_raw is not None:
        sp = f"{o.at('spectate')}"
        if death is None:
            raise ScriptError(f"{sp}: spectating needs a death time")
        so = _Obj(spec_raw, sp)
        s_start = so.get("start", "number", death + 3.0)
        s_end = so.get("end", "number", end)
        s_kills = so.get("kills", "int")
        s_times = _times(so, "kill_times")
        so.done()
        if not death <= s_start < s_end <= end:
            raise ScriptError(
                f"{sp}: [{s_start:g}, {s_end:g}] must lie within death {death:g} .. end {end:g}"
            )
        if s_kills < 0 or s_kills > 99:
            raise ScriptError(f"{so.at('kills')}: must be 0..99, got {s_kills}")
        for i, k in enumerate(s_times):
            if not s_start <= k <= s_end:
                raise ScriptError(
                    f"{so.at('kill_times')}[{i}]: time {k:g} is outside the spectating span "
                    f"{s_start:g}..{s_end:g}"
                )
        spectate = Spectate(start=s_start, end=s_end, kills=s_kills, kill_times=s_times)
    if len(kills) > 99:
        raise ScriptError(f"{o.at('kills')}: at most 99 kills, got {len(kills)}")
    return Match(
        start=start,
        end=end,
        select_legend=select_legend,
        end_screen=end_screen,
        end_kind=end_kind,
        placement=placement,
        squads=squads,
        of=of,
        squad_kills=squad_kills,
        kills=kills,
        inventory=tuple(inventory),
        death=death,
        spectate=spectate,
        era=era,
        hud_mode=hud_mode,
        assists=assists,
    )


def _parse_span(data: Any, path: str) -> Span:
    o = _Obj(data, path)
    kind = _choice(o.get("type", "str"), SPAN_TYPES, o.at("type"))
    start = o.get("start", "number")
    end = o.get("end", "number")
    if end <= start:
        raise ScriptError(f"{o.at('end')}: {end:g} must be after start {start:g}")
    kw: dict[str, Any] = {}
    if kind == "lobby":
        screen = o.get("screen", "str", None)
        kw["screen"] = None if screen is None else _choice(screen, LOBBY_SCREENS, o.at("screen"))
    elif kind == "arenas":
        kw["select_legend"] = o.get("select_legend", "number", 15.0)
        _positive(kw["select_legend"], o.at("select_legend"), zero=True)
        kw["rounds"] = o.get("rounds", "int", 3)
        if not 1 <= kw["rounds"] <= 9:
            raise ScriptError(f"{o.at('rounds')}: must be 1..9, got {kw['rounds']}")
        kw["result"] = _choice(o.get("result", "str", "victory"), ARENAS_RESULTS, o.at("result"))
        if start + kw["select_legend"] >= end:
            raise ScriptError(f"{o.at('select_legend')}: the legend pick fills the whole arenas span")
    elif kind == "other_game":
        kw["game_name"] = o.get("game_name", "str", "Just Chatting")
        kw["game_id"] = o.get("game_id", "str", "509658")
        if kw["game_id"] == APEX_GAME_ID:
            raise ScriptError(f"{o.at('game_id')}: {APEX_GAME_ID} is Apex Legends, not another game")
    o.done()
    return Span(type=kind, start=start, end=end, **kw)


def _from_dict(data: Any) -> Script:
    o = _Obj(data, "")
    kw: dict[str, Any] = {}
    for key in ("vod_id", "title", "created_at", "hud_font", "hud_style", "x264_preset"):
        v = o.get(key, "str", None)
        if v is not None:
            kw[key] = v
    owner = o.get("owner", "any", None)
    if owner is not None:
        if isinstance(owner, str):
            kw["owner_login"] = kw["owner_display_name"] = owner
        else:
            oo = _Obj(owner, "owner")
            kw["owner_login"] = oo.get("login", "str")
            kw["owner_display_name"] = oo.get("display_name", "str", kw["owner_login"])
            oo.done()
    era = _choice(o.get("era", "str", "modern"), ERAS, "era")
    kw["era"] = era
    for key in ("width", "height", "fps", "bitrate", "seed"):
        v = o.get(key, "int", None)
        if v is not None:
            kw[key] = v
    kw["audio"] = o.get("audio", "bool", True)
    kw["duration"] = o.get("duration", "number", None)
    variants = o.get("variants", "list", None)
    if variants is not None:
        for i, v in enumerate(variants):
            if not isinstance(v, str | dict):
                raise ScriptError(f"variants[{i}]: expected a name or an object, got {_typename(v)}")
        kw["variants"] = tuple(variants)
    kw["matches"] = tuple(
        _parse_match(m, f"matches[{i}]", era) for i, m in enumerate(o.get("matches", "list", []))
    )
    kw["spans"] = tuple(_parse_span(s, f"spans[{i}]") for i, s in enumerate(o.get("spans", "list", [])))
    o.done()
    return validate(Script(**kw))


def validate(script: Script) -> Script:
    """Whole-script checks (ordering, overlaps, sizes); returns the script unchanged."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", script.vod_id):
        raise ScriptError(f"vod_id: {script.vod_id!r} must be 1-64 letters, digits, '_' or '-'")
    if not re.fullmatch(r"[a-z0-9_]{1,25}", script.owner_login):
        raise ScriptError(
            f"owner.login: {script.owner_login!r} must be 1-25 lowercase letters, digits or '_'"
        )
    w, h = script.width, script.height
    if w % 2 or h % 2 or not 64 <= w <= 7680 or not 64 <= h <= 4320:
        raise ScriptError(f"width/height: {script.width}x{script.height} must be even, 64..7680 x 64..4320")
    if not 1 <= script.fps <= 120:
        raise ScriptError(f"fps: {script.fps} must be 1..120")
    if script.bitrate is not None and not 50_000 <= script.bitrate <= 100_000_000:
        raise ScriptError(f"bitrate: {script.bitrate} must be 50000..100000000 bits/s")
    if script.duration is not None and script.duration <= 0:
        raise ScriptError(f"duration: must be > 0, got {script.duration:g}")
    _choice(script.era, ERAS, "era")
    _choice(script.x264_preset, X264_PRESETS, "x264_preset")
    from vodstream.testbed.synth.fonts import SCRIPT_FONTS

    if script.hud_font not in SCRIPT_FONTS:
        raise ScriptError(f"hud_font: {script.hud_font!r} is not one of {', '.join(SCRIPT_FONTS)}")
    from vodstream.testbed.synth.styles import style_by_name

    try:
        style_by_name(script.hud_style)
    except ValueError as e:
        raise ScriptError(f"hud_style: {e}") from None
    specs = script.variant_specs()
    if not specs:
        raise ScriptError("variants: at least one variant is needed")
    names = [v.name for v in specs]
    for i, n in enumerate(names):
        if n in names[:i]:
            raise ScriptError(f"variants[{i}]: duplicate variant {n!r}")
    # ordering and overlaps, on one list of (start, stop, path)
    items = [(m.start, m.stop, f"matches[{i}]") for i, m in enumerate(script.matches)]
    items += [(s.start, s.stop, f"spans[{i}]") for i, s in enumerate(script.spans)]
    for i in range(1, len(script.matches)):
        if script.matches[i].start < script.matches[i - 1].start:
            raise ScriptError(
                f"matches[{i}].start: {script.matches[i].start:g} is before matches[{i - 1}]"
                " (list matches in time order)"
            )
    items.sort()
    for (_a0, a1, ap), (b0, _b1, bp) in itertools.pairwise(items):
        if b0 < a1:
            raise ScriptError(f"{bp}: starts at {b0:g}, before {ap} is over at {a1:g}")
    duration = script.vod_duration_raw
    for start, stop, path in items:
        if stop <= 0:
            raise ScriptError(f"{path}: lies entirely before the VOD starts (ends at {stop:g})")
        if start >= duration:
            raise ScriptError(f"{path}: starts at {start:g}, at or after the VOD end {duration:g}")
    if duration > 24 * 3600:
        raise ScriptError(f"duration: {duration:g} s is longer than 24 h")
    return script


def load_script(source: str | Path | dict[str, Any]) -> Script:
    """Parse and validate a script from a JSON file path, a JSON string, or a dict."""
    if isinstance(source, dict):
        return _from_dict(source)
    if isinstance(source, str) and source.lstrip().startswith("{"):
        text, where = source, "script"
    else:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise ScriptError(f"{path}: cannot read the script: {err.strerror or err}") from None
        where = str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ScriptError(
            f"{where}: not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    return _from_dict(data)


# ----------------------------------------------------------------------------------------------
# ground truth
# ----------------------------------------------------------------------------------------------


def end_screen_squad_kills(script: Script, index: int) -> int:
    """TOTAL KILLS WITH SQUAD on match ``index``'s end screen: ``squad_kills`` when the script
    gives it, else the player's kills plus 0-4 teammates' kills (deterministic for the seed)."""
    m = script.matches[index]
    if m.squad_kills is not None:
        return m.squad_kills
    rng = random.Random(zlib.crc32(repr((script.seed, "squad_kills", index)).encode()))
    return len(m.kills) + rng.randint(0, 4)


def truth(script: Script) -> dict[str, Any]:
    """The ground truth (truth.json): what a perfect reader of this VOD reports.

    ``matches`` lists every BR match whose gameplay (the in-match HUD) is on screen at some moment
    of ``[0, duration)``, in time order, each with numeric ``start``/``end``:

    * ``start``: first moment SELECT LEGEND shows. If it is not shown (the VOD starts after it, or
      the match has ``select_legend: 0``), the first moment the match is on screen
      (``start_seen: false``).
    * ``end``: first moment the end screen shows. If none is shown (VOD ends mid-match, or the match
      is abandoned back to the lobby), the moment the match leaves the screen (``end_seen: false``).
    * ``kills``: the player's own final count at ``end`` (never the spectated player's).
    * ``placement``: from the end screen; ``null`` when no end screen is shown.
    * ``squad_kills``: TOTAL KILLS WITH SQUAD on the end screen (its summary cards show the
      player's own ``kills`` on the player's card, see vodstream.testbed.synth.screens); ``null`` when no
      end screen is shown.

    Matches that show no gameplay inside the VOD (only an end screen at the very start, only a
    SELECT LEGEND at the very end) are not matches; they are listed in ``fragments``.
    """
    dur = script.vod_duration
    matches: list[dict[str, Any]] = []
    fragments: list[dict[str, Any]] = []
    for i, m in enumerate(script.matches):
        game_end = m.end
        visible_game = min(game_end, dur) - max(m.game_start, 0.0)
        if visible_game <= 0:
            fragments.append(
                {
                    "index": i,
                    "era": m.era,
                    "shows": "end_screen" if m.end <= 0 else "select_legend",
                    "start": max(m.start, 0.0),
                    "end": min(m.stop, dur),
                }
            )
            continue
        edges: list[str] = []
        start_seen = m.select_legend > 0 and m.game_start > 0
        if m.start >= 0:
            start = m.start
        else:
            start = 0.0
            if m.game_start <= 0:
                edges.append("starts_mid_match")
        if m.select_legend == 0 and m.start >= 0:
            edges.append("no_select_legend")
        end_screen_shown = not m.abandoned and m.end < dur
        if end_screen_shown:
            end = m.end
        elif m.abandoned and m.end < dur:
            end = m.end
            edges.append("abandoned")
        else:
            end = dur
            edges.append("ends_mid_match")
        kills = sum(1 for k in m.kills if k < end)
        spectated = None
        if m.spectate is not None and m.spectate.start < end:
            spectated = m.spectate.kills + sum(1 for k in m.spectate.kill_times if k < end)
        matches.append(
            {
                "index": i,
                "start": round(start, 3),
                "end": round(end, 3),
                "kills": kills,
                "placement": m.placement if end_screen_shown else None,
                "of": (m.of or m.squads) if end_screen_shown and m.end_kind == "placed" else None,
                "era": m.era,
                "end_kind": m.end_kind if end_screen_shown else ("abandoned" if m.abandoned else None),
                "start_seen": start_seen,
                "end_seen": end_screen_shown,
                "edges": edges,
                "game_start": round(max(m.game_start, 0.0), 3),
                "kill_times": [round(k, 3) for k in m.kills if k < end],
                "death": m.death if m.death is not None and m.death < end else None,
                "spectated_kills": spectated,
                "hud_mode": m.hud_mode,
                "squad_kills": end_screen_squad_kills(script, i) if end_screen_shown else None,
            }
        )
    others = []
    for s in script.spans:
        if s.type in ("arenas", "other_game", "black"):
            o: dict[str, Any] = {"type": s.type, "start": max(s.start, 0.0), "end": min(s.end, dur)}
            if s.type == "other_game":
                o["game_name"] = s.game_name
            others.append(o)
    return {
        "vod_id": script.vod_id,
        "duration": round(dur, 3),
        "era": script.era,
        "seed": script.seed,
        "matches": matches,
        "fragments": fragments,
        "non_br_spans": others,
    }


# ----------------------------------------------------------------------------------------------
# presets and random scripts
# ----------------------------------------------------------------------------------------------


def _test_script(seed: int) -> dict[str, Any]:
    """~76 s, 720p30 + 480p30, x264 ultrafast: starts mid-match, a full match, ends mid-match."""
    return {
        "vod_id": "2400000002",
        "title": "vodstream test vod",
        "seed": seed,
        "era": "modern",
        "width": 1280,
        "height": 720,
        "fps": 30,
        "variants": ["chunked", "480p30"],
        "x264_preset": "ultrafast",
        "duration": 76.0,
        "matches": [
            # the VOD begins mid-match (gameplay since -10 s, one kill before the VOD starts)
            {"start": -30.0, "end": 14.0, "end_screen": 5.0, "placement": 4, "kills": [-6.0, 4.0]},
            # a whole match: kills, inventory open, death, spectating a teammate with more kills
            {
                "start": 23.0,
                "select_legend": 5.0,
                "end": 52.0,
                "end_screen": 5.0,
                "placement": 6,
                "kills": [32.0, 37.0, 41.0],
                "inventory": [[43.5, 46.0]],
                "death": 47.0,
                "spectate": {"start": 48.5, "end": 52.0, "kills": 7},
            },
            # the VOD ends mid-match
            {"start": 60.0, "select_legend": 5.0, "end": 140.0, "placement": 2, "kills": [70.0]},
        ],
        "spans": [{"type": "lobby", "start": 19.0, "end": 23.0, "screen": "matchmaking"}],
    }


def _demo_script(seed: int) -> dict[str, Any]:
    """~2.5 min of 1080p30 (+720p30, 480p30): 3 short complete matches (2, 7, 3 kills), lobby gaps."""
    return {
        "vod_id": "2400000001",
        "title": "demo: three quick apex games",
        "seed": seed,
        "era": "modern",
        "width": 1920,
        "height": 1080,
        "fps": 30,
        "variants": ["chunked", "720p30", "480p30"],
        "x264_preset": "ultrafast",
        "duration": 156.0,
        "matches": [
            {
                "start": 5.0,
                "select_legend": 7.0,
                "end": 42.0,
                "end_screen": 6.0,
                "placement": 9,
                "kills": [20.0, 31.0],
                "death": 37.0,
            },
            {
                "start": 55.0,
                "select_legend": 7.0,
                "end": 104.0,
                "end_screen": 6.0,
                "placement": 1,
                "kills": [66.0, 71.0, 76.0, 83.0, 88.0, 94.0, 99.0],
                "inventory": [[79.0, 81.5]],
            },
            {
                "start": 116.0,
                "select_legend": 7.0,
                "end": 148.0,
                "end_screen": 6.0,
                "placement": 5,
                "kills": [128.0, 134.0, 138.0],
                "death": 141.0,
                "spectate": {"start": 143.0, "end": 148.0, "kills": 6},
            },
        ],
    }


def _demo60_script(seed: int) -> dict[str, Any]:
    """The demo's three matches as a 1080p60 source with Twitch's ladder (720p60, 720p30, 480p30):
    the source class of issue 16's ">= 100x realtime end to end" target (analyse low, clip high)."""
    return {
        **_demo_script(seed),
        "vod_id": "2400000004",
        "title": "demo60: three quick apex games at 1080p60",
        "fps": 60,
        "variants": ["chunked", "720p60", "720p30", "480p30"],
    }


def _long_script(seed: int) -> dict[str, Any]:
    """~24 min, 720p30 + 480p30: 12 random matches (eras mixed) with every edge case."""
    s = random_script(
        seed,
        matches=12,
        vod_id="2400000003",
        era="mixed",
        width=1280,
        height=720,
        fps=30,
        variants=("chunked", "480p30"),
    )
    return {**s.to_dict(), "title": "long: twelve apex games, every edge case", "x264_preset": "ultrafast"}


PRESETS = {"test": _test_script, "demo": _demo_script, "demo60": _demo60_script, "long": _long_script}


def preset(name: str, seed: int | None = None) -> Script:
    """A built-in script: ``test`` (fast, for the test suite), ``demo`` (a few minutes), ``demo60`` (the
    demo at 1080p60 with 720p60/720p30/480p30), ``long``."""
    try:
        make = PRESETS[name]
    except KeyError:
        raise ScriptError(f"preset: {name!r} is not one of {', '.join(PRESETS)}") from None
    return load_script(make(0 if seed is None else seed))


def random_script(
    seed: int,
    matches: int = 6,
    *,
    era: str | None = None,
    edge_cases: bool = True,
    vod_id: str | None = None,
    width: int = 1280,
    height: int = 720,
    fps: int = 30,
    variants: tuple[str, ...] = ("chunked", "480p30"),
    match_seconds: tuple[float, float] = (50.0, 150.0),
    hud_modes: tuple[str, ...] = HUD_MODES,
) -> Script:
    """A random but valid script, deterministic for ``seed``.

    With ``edge_cases`` (and enough matches) it contains, in random places: a VOD that starts
    mid-match, one that ends mid-match, an abandoned match, a match without SELECT LEGEND, a
    spectating death, inventory spans, an arenas span, another game and a black span.
    ``era``: "2019", "modern", "mixed" (per match) or None (one random era for the VOD).
    ``hud_modes``: layouts drawn for modern matches (trios most often; duos have 30 squads of 2,
    ranked shows assists); ``("trios",)`` keeps the plain layout.
    """
    if matches < 1:
        raise ScriptError(f"random matches: need at least 1, got {matches}")
    rng = random.Random(seed * 7919 + 17)
    mode_rng = random.Random(seed * 104729 + 3)  # separate stream: modes do not reshuffle the rest
    vod_era = era if era in ERAS else rng.choice(ERAS)
    n = matches
    special: dict[int, str] = {}
    if edge_cases:
        pool = list(range(1, n - 1)) if n > 2 else []
        rng.shuffle(pool)
        if n >= 2:
            special[0] = "starts_mid_match"
            special[n - 1] = "ends_mid_match"
        for kind in ("abandoned", "no_select_legend", "spectate_champion"):
            if pool:
                special[pool.pop()] = kind
    span_after: dict[int, str] = {}
    if edge_cases and n >= 2:
        gaps = list(range(n - 1))
        rng.shuffle(gaps)
        for kind in ("arenas", "other_game", "black"):
            if gaps:
                span_after[gaps.pop()] = kind
    t = 0.0
    out_matches: list[dict[str, Any]] = []
    out_spans: list[dict[str, Any]] = []
    duration: float | None = None
    for i in range(n):
        m_era = rng.choice(ERAS) if era == "mixed" else vod_era
        kind = special.get(i, "")
        sl = 0.0 if kind == "no_select_legend" else float(rng.choice([8, 10, 12, 15, 20]))
        length = round(rng.uniform(*match_seconds), 1)
        if kind == "starts_mid_match":
            start = -round(sl + rng.uniform(0.3, 0.6) * length, 1)
        else:
            lobby = round(rng.uniform(6, 25), 1)
            start = round(t + lobby, 1)
        game_start = start + sl
        end = round(game_start + length, 1)
        squads = 20 if m_era == "2019" else rng.choice([20, 20, 20, 30])
        n_kills = min(int(rng.expovariate(1 / 4.0)), 20)
        champion = kind == "spectate_champion" or (kind == "" and rng.random() < 0.15)
        died = not champion and rng.random() < 0.75 and kind != "abandoned"
        death = round(end - rng.uniform(6, min(30, length / 3)), 1) if died or champion else None
        if champion and death is not None and death <= game_start + 2:
            death = None
        own_end = death if death is not None else end
        times = sorted(round(rng.uniform(game_start + 3, own_end - 1), 1) for _ in range(n_kills))
        times = [x for j, x in enumerate(times) if j == 0 or x > times[j - 1]]
        m: dict[str, Any] = {
            "start": start,
            "select_legend": sl,
            "end": end,
            "era": m_era,
            "squads": squads,
            "kills": times,
            "end_screen": float(rng.choice([8, 10, 12])),
        }
        if kind == "abandoned":
            m["end_kind"] = "abandoned"
        else:
            place = 1 if champion else rng.randint(2, squads)
            m["placement"] = place
            if m_era == "modern":
                m["end_kind"] = (
                    "champions"
                    if place == 1
                    else rng.choice(["squad_eliminated", "squad_eliminated", "match_summary"])
                )
            else:
                m["end_kind"] = "placed"
            m["squad_kills"] = len(times) + rng.randint(0, 6)
        if death is not None:
            m["death"] = death
            if rng.random() < 0.7 or champion:
                s_start = round(death + rng.uniform(1.5, 4.0), 1)
                if s_start < end - 1:
                    s_kills = rng.randint(0, 12)
                    if s_kills == len(times):
                        s_kills += 2
                    kt = sorted({round(rng.uniform(s_start, end), 1) for _ in range(rng.randint(0, 2))})
                    m["spectate"] = {"start": s_start, "end": end, "kills": s_kills, "kill_times": kt}
        inv = []
        cur = game_start + 4
        for _ in range(rng.randint(0, 3)):
            a = round(cur + rng.uniform(5, 30), 1)
            b = round(a + rng.uniform(2, 8), 1)
            if b < own_end - 1:
                inv.append([a, b])
                cur = b
        m["inventory"] = inv
        if m_era == "modern" and hud_modes:
            mode = mode_rng.choices(hud_modes, [HUD_MODE_WEIGHTS.get(x, 0.1) for x in hud_modes])[0]
            m["hud_mode"] = mode
            if mode == "duos":
                m["squads"] = 30
            if mode == "ranked":
                n_assists = mode_rng.randint(0, 5)
                m["assists"] = sorted(
                    {round(mode_rng.uniform(game_start + 3, own_end - 1), 1) for _ in range(n_assists)}
                )
        out_matches.append(m)
        stop = end if kind == "abandoned" else end + m["end_screen"]
        if kind == "ends_mid_match":
            duration = round(game_start + rng.uniform(0.4, 0.8) * length, 1)
            stop = duration
        t = stop
        extra = span_after.get(i)
        if extra and i < n - 1:
            a = round(t + rng.uniform(4, 10), 1)
            if extra == "arenas":
                b = round(a + rng.uniform(40, 70), 1)
                out_spans.append(
                    {
                        "type": "arenas",
                        "start": a,
                        "end": b,
                        "select_legend": 10.0,
                        "rounds": rng.randint(2, 4),
                        "result": rng.choice(["victory", "defeat"]),
                    }
                )
            elif extra == "other_game":
                b = round(a + rng.uniform(30, 60), 1)
                out_spans.append(
                    {
                        "type": "other_game",
                        "start": a,
                        "end": b,
                        "game_name": rng.choice(["Just Chatting", "VALORANT", "Fortnite"]),
                        "game_id": rng.choice(["509658", "516575", "33214"]),
                    }
                )
            else:
                b = round(a + rng.uniform(3, 8), 1)
                out_spans.append({"type": "black", "start": a, "end": b})
            t = b
    if duration is None:
        duration = round(t + rng.uniform(5, 15), 1)
    d: dict[str, Any] = {
        "vod_id": vod_id or f"25{seed % 10**8:08d}",
        "title": f"random apex vod (seed {seed}, {n} matches)",
        "seed": seed,
        "era": vod_era,
        "width": width,
        "height": height,
        "fps": fps,
        "variants": list(variants),
        "duration": duration,
        "matches": out_matches,
        "spans": out_spans,
    }
    return load_script(d)
