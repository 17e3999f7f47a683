"""Draw a :class:`~vodstream.testbed.synth.state.FrameState` as an RGB frame at any resolution.

    r = Renderer(1280, 720, seed=3)
    frame = r.render(state)            # HxWx3 uint8, read-only (may be a cached array)
    crop = render_hud_crop(state, 1280, 720)   # just regions.hud_box(W, H)
    boxes = kill_digit_boxes(state, 1280, 720) # where the kill digits are (frame px)

What is drawn (layouts measured on real Apex frames; benchmarks/hud_likeness.py compares them):

* in_match: a moving game world (backgrounds.py) under the top-right HUD (hud.py): kill box
  (skull + count; modern era hidden until shown, 2019 era with the spectators eye), "N SQUADS
  LEFT" + alive box, the kill feed under them, red flash phases, duos/ranked/elite layouts
  (``FrameState.hud_mode``); plus minimap, compass, health bars and ammo (screens.py).
  ``inventory_open`` covers it all with the inventory; ``spectating`` adds the SPECTATE | DEATH
  RECAP | SUMMARY tab bar and "SPECTATING" (the counter shows ``state.kills``, the spectated
  player's).
* select_legend, lobby_ready, lobby_matchmaking, end (per EndKind), arenas, other_game, black:
  screens.py. Marker text stays in the top 45% of the frame at every aspect ratio.

In-match frames are one camera slice of the scene texture with the cached HUD layers blended
over their own small rectangles only. Static screens (lobby, SELECT LEGEND, end screens,
inventory, black) are rendered once per distinct content and reused; the same state twice in
a row returns the same array. Everything is deterministic for (seed, state).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

import cv2
import numpy as np
from PIL import Image

from vodstream.readers.regions import hud_box
from vodstream.testbed.synth import hud as _hud
from vodstream.testbed.synth.backgrounds import SceneBank
from vodstream.testbed.synth.canvas import Layer, composite
from vodstream.testbed.synth.fonts import ALL_FONTS, HUD_FONTS, SCRIPT_FONTS
from vodstream.testbed.synth.screens import (
    event_image,
    game_hud_image,
    inventory_frame,
    menu_frame,
    overlay_image,
    spectate_layer,
)
from vodstream.testbed.synth.state import FrameState

__all__ = ["HUD_FONTS", "Renderer", "kill_box_covered", "kill_digit_boxes", "render_hud_crop"]

_STATIC = ("lobby_ready", "lobby_matchmaking", "select_legend", "end", "black")
_TILE = 96


def _check_font(name: str, fonts: tuple[str, ...] = SCRIPT_FONTS) -> str:
    if name not in fonts:
        raise ValueError(f"unknown or missing HUD font {name!r}; available: {', '.join(fonts)}")
    return name


def _hud_key(
    state: FrameState, width: int, height: int, font: str, style: _hud.HudStyle = _hud.DEFAULT_STYLE
) -> _hud.HudKey:
    return _hud.HudKey(
        era=state.era,
        kills=max(0, int(state.kills)),
        show_kill_box=bool(state.show_kill_box) or state.era == "2019",
        red=bool(state.red),
        squads_left=int(state.squads_left),
        alive=int(state.alive),
        spectators=int(state.spectators),
        font=font,
        width=width,
        height=height,
        mode=state.hud_mode if state.era == "modern" else "trios",
        assists=max(0, int(state.assists)),
        bar_red=bool(state.bar_red),
        style=style,
    )


def _tiles(rgba: Image.Image) -> tuple[Layer, ...]:
    """Split a transparent RGBA overlay into premultiplied tiles cut to their ink, dropping empty ones."""
    arr = np.asarray(rgba, dtype=np.uint8)
    h, w = arr.shape[:2]
    out = []
    for y in range(0, h, _TILE):
        for x in range(0, w, _TILE):
            t = arr[y : y + _TILE, x : x + _TILE]
            bx, by, bw, bh = cv2.boundingRect((t[..., 3] > 0).astype(np.uint8))
            if bw == 0 or bh == 0:
                continue
            t = t[by : by + bh, bx : bx + bw]
            a = t[..., 3:4].astype(np.float32) / 255.0
            p = t[..., :3].astype(np.float32) * a
            a.setflags(write=False)
            p.setflags(write=False)
            out.append(Layer(x + bx, y + by, a, p))
    return tuple(out)


_T = TypeVar("_T")


class Renderer:
    """Renders FrameStates at one output size. Not thread-safe (keep one per worker)."""

    def __init__(
        self,
        width: int,
        height: int,
        *,
        seed: int = 0,
        hud_font: str = "rajdhani-bold",
        style: _hud.HudStyle | None = None,
    ) -> None:
        """``style``: the HUD's look (vodstream.testbed.synth.styles); its face replaces ``hud_font``.
        None: today's look (``hud.DEFAULT_STYLE``) in ``hud_font``."""
        if width < 16 or height < 16:
            raise ValueError(f"frame size {width}x{height} is too small")
        self.width, self.height, self.seed = int(width), int(height), int(seed)
        if style is not None:
            self.font = _check_font(style.font, ALL_FONTS)
            self.style = style
        else:
            self.font = _check_font(hud_font)
            self.style = _hud.DEFAULT_STYLE
        self.bank = SceneBank(self.width, self.height, self.seed)
        self._last: tuple[FrameState, np.ndarray] | None = None
        self._static: OrderedDict[object, np.ndarray] = OrderedDict()
        self._overlays: OrderedDict[object, tuple[Layer, ...]] = OrderedDict()
        self._spectate: Layer | None = None

    # --- public -----------------------------------------------------------------------
    def render(self, state: FrameState) -> np.ndarray:
        """The whole frame (HxWx3 RGB uint8, read-only)."""
        if self._last is not None and self._last[0] == state:
            return self._last[1]
        frame = self._render(state, None)
        frame.setflags(write=False)
        self._last = (state, frame)
        return frame

    def render_rect(self, state: FrameState, rect: tuple[int, int, int, int]) -> np.ndarray:
        """Just the pixels of frame rect (x0, y0, x1, y1) -- equal to render(state)[y0:y1, x0:x1]."""
        return self._render(state, rect)

    def layers(self, state: FrameState) -> list[Layer]:
        """The in-match HUD layers drawn over the world for `state` (empty when not in a match)."""
        if state.screen != "in_match" or state.inventory_open:
            return []
        key = _hud_key(state, self.width, self.height, self.font, self.style)
        game_hud = self._cached(
            self._overlays,
            ("game_hud", state.era),
            lambda: _tiles(game_hud_image(self.width, self.height, self.font, state.era)),
            cap=8,
        )
        out = list(game_hud)
        kl = _hud.kill_layer(key)
        if kl is not None:
            out.append(kl)
        out.append(_hud.squads_layer(key))  # incl. the kill feed under it
        if state.red and state.kills > 0 and not state.spectating:  # the kill's centre notification
            event = self._cached(
                self._overlays,
                ("event", state.kills),
                lambda: _tiles(event_image(self.width, self.height, self.font, state.kills)),
                cap=8,
            )
            out.extend(event)
        if state.spectating:
            if self._spectate is None:
                self._spectate = spectate_layer(self.width, self.height, self.font)
            out.append(self._spectate)
        for extra in (
            _hud.banner_layer(self.style, self.width, self.height),
            _hud.occluder_layer(self.style, self.width, self.height),
        ):
            if extra is not None:
                out.append(extra)
        return out

    # --- internals --------------------------------------------------------------------
    def _cached(
        self, cache: OrderedDict[object, _T], key: object, make: Callable[[], _T], cap: int = 6
    ) -> _T:
        v = cache.get(key)
        if v is None:
            v = make()
            cache[key] = v
            while len(cache) > cap:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        return v

    def _static_key(self, st: FrameState) -> object:
        t = math.floor(st.t) if st.screen == "lobby_matchmaking" else 0.0
        return replace(
            st,
            t=float(t),
            camera_t=0.0,
            kills=st.kills if st.screen == "end" else 0,
            red=False,
            spectating=False,
        )

    def _render(self, st: FrameState, rect: tuple[int, int, int, int] | None) -> np.ndarray:
        W, H = self.width, self.height
        x0, y0, x1, y1 = rect if rect is not None else (0, 0, W, H)
        if st.screen in _STATIC:
            full = self._cached(self._static, ("static", self._static_key(st)), lambda: self._menu(st))
            return full[y0:y1, x0:x1].copy() if rect is not None else full  # cached, read-only
        if st.screen == "in_match" and st.inventory_open:
            full = self._cached(self._static, ("inv", st.scene_seed), lambda: self._inventory(st))
            return full[y0:y1, x0:x1].copy() if rect is not None else full
        frame = self.bank.view(
            st.scene_seed,
            st.camera_t,
            (x0, y0, x1, y1),
            look="other" if st.screen == "other_game" else "apex",
        )
        if st.screen == "in_match":
            layers = self.layers(st)
        else:  # arenas, other_game: world + that screen's own overlay
            okey = (
                st.screen,
                st.round_no,
                st.arenas_result,
                st.kills if st.screen == "other_game" else 0,
                st.scene_seed,
            )
            overlay = self._cached(
                self._overlays, okey, lambda: _tiles(overlay_image(st, W, H, self.font, self.seed)), cap=8
            )
            layers = list(overlay)
        for layer in layers:
            composite(frame, layer, (x0, y0))
        return frame

    def _inventory(self, st: FrameState) -> np.ndarray:
        out = inventory_frame(self.bank.view(st.scene_seed, 0.0), self.width, self.height, self.font)
        out.setflags(write=False)
        return out

    def _menu(self, st: FrameState) -> np.ndarray:
        bg = self.bank.view(st.scene_seed, 0.0) if st.screen == "end" else None
        out = menu_frame(st, self.width, self.height, bg, self.font, self.seed)
        out.setflags(write=False)
        return out


_RENDERERS: OrderedDict[tuple, Renderer] = OrderedDict()


def _renderer(
    width: int, height: int, seed: int, hud_font: str, style: _hud.HudStyle | None = None
) -> Renderer:
    key = (width, height, seed, hud_font, style)
    r = _RENDERERS.get(key)
    if r is None:
        r = Renderer(width, height, seed=seed, hud_font=hud_font, style=style)
        _RENDERERS[key] = r
        while len(_RENDERERS) > 8:
            _RENDERERS.popitem(last=False)
    else:
        _RENDERERS.move_to_end(key)
    return r


def render_hud_crop(
    state: FrameState,
    width: int,
    height: int,
    *,
    seed: int = 0,
    hud_font: str = "rajdhani-bold",
    style: _hud.HudStyle | None = None,
) -> np.ndarray:
    """The regions.hud_box(width, height) crop of the frame, rendering only those pixels."""
    if style is None:
        _check_font(hud_font)
    return _renderer(width, height, seed, hud_font, style).render_rect(state, hud_box(width, height))


def kill_box_covered(state: FrameState, width: int, height: int, *, style: _hud.HudStyle) -> bool:
    """True when the style's stream overlay covers any of the kill box (or where it would be)."""
    if style.occluder is None or state.screen != "in_match":
        return False
    return _hud.kill_slot_covered(_hud_key(state, width, height, _check_font(style.font, ALL_FONTS), style))


def kill_digit_boxes(
    state: FrameState,
    width: int,
    height: int,
    *,
    hud_font: str = "rajdhani-bold",
    style: _hud.HudStyle | None = None,
) -> list[tuple[int, int, int, int]]:
    """Frame-pixel boxes (x0, y0, x1, y1) of the kill-count digits, left to right.

    Empty when no kill count is visible (not in a match, inventory open, or the modern-era
    kill box hidden before the first kill). While spectating these are the spectated
    player's digits.
    """
    if state.screen != "in_match" or state.inventory_open:
        return []
    if style is not None:
        return _hud.kill_digit_boxes_for(
            _hud_key(state, width, height, _check_font(style.font, ALL_FONTS), style)
        )
    return _hud.kill_digit_boxes_for(_hud_key(state, width, height, _check_font(hud_font)))
