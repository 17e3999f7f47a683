"""Fonts for the synthetic HUD and menus, and anti-aliased text masks.

The real Apex HUD uses a commercial condensed face (TT Lakes Condensed Bold, not shipped);
Rajdhani Bold is the closest free face measured (apex-hud.md, section 5). Fonts come from the
``fontpkg-*`` wheels (and DejaVu Sans Condensed Bold where the system has it). Text is drawn
by Pillow into a supersampled mask, normalised to a requested *cap height* and digit width so
that every face fills the same box as the real HUD digits.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "ALL_FONTS",
    "DIGIT_SHAPE_FONTS",
    "HELDOUT2_FONTS",
    "HELDOUT3_FONTS",
    "HELDOUT4_FONTS",
    "HELDOUT5_FONTS",
    "HELDOUT6_FONTS",
    "HELDOUT7_FONTS",
    "HELDOUT8_FONTS",
    "HELDOUT9_FONTS",
    "HELDOUT10_FONTS",
    "HELDOUT_FONTS",
    "HUD_FONTS",
    "MENU_FONT",
    "SCRIPT_FONTS",
    "SELECTION_FONTS",
    "STYLE_FONTS",
    "UNTRAINED_FONTS",
    "VALIDATION_FONTS",
    "font_path",
    "pil_font",
    "text_mask",
]

# name -> (python package, file under files/) or an absolute system path
_SOURCES: dict[str, tuple[str, str]] = {
    "rajdhani-bold": ("fontpkg_rajdhani", "Rajdhani-Bold.ttf"),
    "teko": ("fontpkg_teko", "Teko[wght].ttf"),
    "titillium-web-bold": ("fontpkg_titillium_web", "TitilliumWeb-Bold.ttf"),
    "rajdhani-semibold": ("fontpkg_rajdhani", "Rajdhani-SemiBold.ttf"),
    "dejavu-sans-condensed-bold": ("", "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"),
    # condensed sans families of other shapes, for HUD style variety (vodstream.testbed.synth.styles)
    "oswald": ("fontpkg_oswald", "Oswald[wght].ttf"),
    "barlow-condensed-bold": ("fontpkg_barlow_condensed", "BarlowCondensed-Bold.ttf"),
    "saira-condensed-bold": ("fontpkg_saira_condensed", "SairaCondensed-Bold.ttf"),
    "roboto-condensed": ("fontpkg_roboto_condensed", "RobotoCondensed[wght].ttf"),
    "fira-sans-condensed-bold": ("fontpkg_fira_sans_condensed", "FiraSansCondensed-Bold.ttf"),
    "ibm-plex-sans-condensed-bold": ("fontpkg_ibm_plex_sans_condensed", "IBMPlexSansCondensed-Bold.ttf"),
    "archivo-narrow": ("fontpkg_archivo_narrow", "ArchivoNarrow[wght].ttf"),
    "pt-sans-narrow-bold": ("fontpkg_pt_sans_narrow", "PT_Sans-Narrow-Web-Bold.ttf"),
    "fjalla-one": ("fontpkg_fjalla_one", "FjallaOne-Regular.ttf"),
    "anton": ("fontpkg_anton", "Anton-Regular.ttf"),
    "bebas-neue": ("fontpkg_bebas_neue", "BebasNeue-Regular.ttf"),
    "barlow-semi-condensed-bold": ("fontpkg_barlow_semi_condensed", "BarlowSemiCondensed-Bold.ttf"),
    "alumni-sans": ("fontpkg_alumni_sans", "AlumniSans[wght].ttf"),
    "yanone-kaffeesatz": ("fontpkg_yanone_kaffeesatz", "YanoneKaffeesatz[wght].ttf"),
    "smooch-sans": ("fontpkg_smooch_sans", "SmoochSans[wght].ttf"),
    "dosis": ("fontpkg_dosis", "Dosis[wght].ttf"),
    "share-tech": ("fontpkg_share_tech", "ShareTech-Regular.ttf"),
    "play-bold": ("fontpkg_play", "Play-Bold.ttf"),
    "exo-2": ("fontpkg_exo_2", "Exo2[wght].ttf"),
    # other shape categories than condensed sans (chosen by category, one or more each):
    # geometric
    "montserrat": ("fontpkg_montserrat", "Montserrat[wght].ttf"),
    "jost": ("fontpkg_jost", "Jost[wght].ttf"),
    "league-spartan": ("fontpkg_league_spartan", "LeagueSpartan[wght].ttf"),
    # squarish / techno / blocky display
    "orbitron": ("fontpkg_orbitron", "Orbitron[wght].ttf"),
    "russo-one": ("fontpkg_russo_one", "RussoOne-Regular.ttf"),
    "bungee": ("fontpkg_bungee", "Bungee-Regular.ttf"),
    "saira": ("fontpkg_saira", "Saira[wdth,wght].ttf"),
    # rounded
    "nunito": ("fontpkg_nunito", "Nunito[wght].ttf"),
    "varela-round": ("fontpkg_varela_round", "VarelaRound-Regular.ttf"),
    "fredoka": ("fontpkg_fredoka", "Fredoka[wdth,wght].ttf"),
    # monospace
    "roboto-mono": ("fontpkg_roboto_mono", "RobotoMono[wght].ttf"),
    "jetbrains-mono": ("fontpkg_jetbrains_mono", "JetBrainsMono[wght].ttf"),
    "space-mono-bold": ("fontpkg_space_mono", "SpaceMono-Bold.ttf"),
    # grotesque / neo-grotesque
    "inter": ("fontpkg_inter", "Inter[opsz,wght].ttf"),
    "archivo": ("fontpkg_archivo", "Archivo[wdth,wght].ttf"),
    "libre-franklin": ("fontpkg_libre_franklin", "LibreFranklin[wght].ttf"),
    "work-sans": ("fontpkg_work_sans", "WorkSans[wght].ttf"),
    # wide
    "unbounded": ("fontpkg_unbounded", "Unbounded[wght].ttf"),
    # digit shapes the faces above lack (trained on, in STYLE_FONTS, and alone in the "shapes" style
    # family): slashed zeros (Inconsolata, Geist Mono), dotted zeros (IBM Plex Mono, Fira Code), an
    # open-top 4 (Josefin Sans), slab-serif 1s (Arvo), wide geometric and rounded-heavy (Lexend, Rubik)
    "inconsolata": ("fontpkg_inconsolata", "Inconsolata[wdth,wght].ttf"),
    "geist-mono": ("fontpkg_geist_mono", "GeistMono[wght].ttf"),
    "ibm-plex-mono-bold": ("fontpkg_ibm_plex_mono", "IBMPlexMono-Bold.ttf"),
    "fira-code": ("fontpkg_fira_code", "FiraCode[wght].ttf"),
    "josefin-sans": ("fontpkg_josefin_sans", "JosefinSans[wght].ttf"),
    "arvo-bold": ("fontpkg_arvo", "Arvo-Bold.ttf"),
    "lexend": ("fontpkg_lexend", "Lexend[wght].ttf"),
    "rubik": ("fontpkg_rubik", "Rubik[wght].ttf"),
    # the selection family's faces: never trained on; digit networks are chosen on them (beside
    # the validation face), one of each shape above in another face: a slashed zero (DM Mono), a
    # dotted zero (Source Code Pro), open-top 4s (Righteous, Space Grotesk: also a flat-top 3 and a
    # hooked 1), a slab-serif 1 (Roboto Slab), a wide geometric face (Sora)
    "dm-mono-medium": ("fontpkg_dm_mono", "DMMono-Medium.ttf"),
    "source-code-pro": ("fontpkg_source_code_pro", "SourceCodePro[wght].ttf"),
    "righteous": ("fontpkg_righteous", "Righteous-Regular.ttf"),
    "space-grotesk": ("fontpkg_space_grotesk", "SpaceGrotesk[wght].ttf"),
    "roboto-slab": ("fontpkg_roboto_slab", "RobotoSlab[wght].ttf"),
    "sora": ("fontpkg_sora", "Sora[wght].ttf"),
    # the validation family's face: never trained on; the readers' choices are made on it
    "kanit-semibold": ("fontpkg_kanit", "Kanit-SemiBold.ttf"),
    # the held-out family's face: never used for training or for any choice
    "chakra-petch-bold": ("fontpkg_chakra_petch", "ChakraPetch-Bold.ttf"),
    # the second held-out family's face: a plain sans no family used, never trained on
    "sofia-sans": ("fontpkg_sofia_sans", "SofiaSans[wght].ttf"),
    # the third held-out family's face: a humanist sans with soft terminals, never trained on
    "signika": ("fontpkg_signika", "Signika[GRAD,wght].ttf"),
    # the fourth held-out family's face: a gothic grotesque (News Gothic's lineage), never trained on
    "news-cycle-bold": ("fontpkg_news_cycle", "NewsCycle-Bold.ttf"),
    # the fifth held-out family's face: a sturdy sans with squarish rounds, never trained on
    "viga": ("fontpkg_viga", "Viga-Regular.ttf"),
    # the sixth held-out family's face: a light condensed sans with flat-sided rounds, never trained on
    "abel": ("fontpkg_abel", "Abel-Regular.ttf"),
    # the seventh held-out family's face: a humanist condensed sans (Cabin at its narrowest width,
    # bold) with a curved flag on the 1, a bowed 7 and stroke contrast in its rounds, never trained on
    "cabin-condensed-bold": ("fontpkg_cabin", "Cabin[wdth,wght].ttf"),
    # the eighth held-out family's face: a narrow grotesque (Encode Sans at its condensed width,
    # semibold) with straight-sided rounds, a 6 and 9 on straight slanting spines and a plain
    # flagged 1, never trained on
    "encode-sans-condensed-semibold": ("fontpkg_encode_sans", "EncodeSans[wdth,wght].ttf"),
    # the ninth held-out family's face: a humanist condensed sans (Asap at its condensed width,
    # bold) with open, round-shouldered figures, a flat-topped 3 and a 1 with a short flag, never
    # trained on
    "asap-condensed-bold": ("fontpkg_asap", "Asap[wdth,wght].ttf"),
    # the tenth held-out family's face: a techno sans (Exo 2, semibold) with rounded-square
    # figures, a 1 with a flag and no foot, a 4 closed at the top, never trained on
    "exo-2-semibold": ("fontpkg_exo_2", "Exo2[wght].ttf"),
    # a handwriting face no network is trained on: the labelling round trip (`vodstream label`,
    # `train --labels`) adapts the reader to it (tests/test_label_roundtrip.py)
    "caveat": ("fontpkg_caveat", "Caveat[wght].ttf"),
}
# variable faces: the weight axis value to draw with (other axes at their defaults, the width
# where _WIDTHS names one)
_WEIGHTS = {
    "teko": 600,
    "oswald": 600,
    "roboto-condensed": 700,
    "archivo-narrow": 700,
    "alumni-sans": 700,
    "yanone-kaffeesatz": 700,
    "smooch-sans": 800,
    "dosis": 700,
    "exo-2": 700,
    "montserrat": 700,
    "jost": 700,
    "league-spartan": 700,
    "orbitron": 700,
    "saira": 700,
    "nunito": 800,
    "fredoka": 600,
    "roboto-mono": 700,
    "jetbrains-mono": 700,
    "inter": 700,
    "archivo": 700,
    "libre-franklin": 700,
    "work-sans": 700,
    "unbounded": 600,
    "inconsolata": 700,
    "geist-mono": 700,
    "fira-code": 700,
    "josefin-sans": 700,
    "lexend": 700,
    "rubik": 700,
    "source-code-pro": 700,
    "space-grotesk": 700,
    "roboto-slab": 700,
    "sora": 700,
    "sofia-sans": 700,
    "signika": 700,
    "cabin-condensed-bold": 700,
    "encode-sans-condensed-semibold": 600,
    "asap-condensed-bold": 700,
    "exo-2-semibold": 600,
}
# variable faces drawn at another width than the default: the width axis value
_WIDTHS = {"cabin-condensed-bold": 75, "encode-sans-condensed-semibold": 75, "asap-condensed-bold": 75}
_ORIGINAL = ("rajdhani-bold", "teko", "titillium-web-bold", "rajdhani-semibold", "dejavu-sans-condensed-bold")
_HELDOUT = ("chakra-petch-bold",)
_HELDOUT2 = ("sofia-sans",)
_HELDOUT3 = ("signika",)
_HELDOUT4 = ("news-cycle-bold",)
_HELDOUT5 = ("viga",)
_HELDOUT6 = ("abel",)
_HELDOUT7 = ("cabin-condensed-bold",)
_HELDOUT8 = ("encode-sans-condensed-semibold",)
_HELDOUT9 = ("asap-condensed-bold",)
_HELDOUT10 = ("exo-2-semibold",)
_VALIDATION = ("kanit-semibold",)
_UNTRAINED = ("caveat",)
_SELECTION = ("dm-mono-medium", "source-code-pro", "righteous", "space-grotesk", "roboto-slab", "sora")
_DIGIT_SHAPES = (
    "inconsolata",
    "geist-mono",
    "ibm-plex-mono-bold",
    "fira-code",
    "josefin-sans",
    "arvo-bold",
    "lexend",
    "rubik",
)

# Digit width / cap height of the real HUD digits (measured on 1080p crops: ~8.5-9.5 px wide, 14 px tall).
DIGIT_ASPECT = 0.68


def _resolve(name: str) -> Path | None:
    pkg, file = _SOURCES[name]
    if not pkg:
        p = Path(file)
        return p if p.is_file() else None
    spec = importlib.util.find_spec(pkg)
    if spec is None or not spec.submodule_search_locations:
        return None
    p = Path(next(iter(spec.submodule_search_locations))) / "files" / file
    return p if p.is_file() else None


ALL_FONTS: tuple[str, ...] = tuple(n for n in _SOURCES if _resolve(n) is not None)
# the default renderer's faces (today's look; synth scripts choose among these)
HUD_FONTS: tuple[str, ...] = tuple(n for n in _ORIGINAL if n in ALL_FONTS)
# faces the varied training styles draw with (never the held-out, validation, selection or untrained ones)
_HELD_OUT_ALL = (
    _HELDOUT
    + _HELDOUT2
    + _HELDOUT3
    + _HELDOUT4
    + _HELDOUT5
    + _HELDOUT6
    + _HELDOUT7
    + _HELDOUT8
    + _HELDOUT9
    + _HELDOUT10
)
_NOT_TRAINED = _HELD_OUT_ALL + _VALIDATION + _SELECTION + _UNTRAINED
STYLE_FONTS: tuple[str, ...] = tuple(n for n in ALL_FONTS if n not in _NOT_TRAINED)
# the training faces added for their digit shapes (a subset of STYLE_FONTS)
DIGIT_SHAPE_FONTS: tuple[str, ...] = tuple(n for n in _DIGIT_SHAPES if n in ALL_FONTS)
# the selection family's faces: never trained on; digit networks are chosen on them
SELECTION_FONTS: tuple[str, ...] = tuple(n for n in _SELECTION if n in ALL_FONTS)
HELDOUT_FONTS: tuple[str, ...] = tuple(n for n in _HELDOUT if n in ALL_FONTS)
HELDOUT2_FONTS: tuple[str, ...] = tuple(n for n in _HELDOUT2 if n in ALL_FONTS)
HELDOUT3_FONTS: tuple[str, ...] = tuple(n for n in _HELDOUT3 if n in ALL_FONTS)
HELDOUT4_FONTS: tuple[str, ...] = tuple(n for n in _HELDOUT4 if n in ALL_FONTS)
HELDOUT5_FONTS: tuple[str, ...] = tuple(n for n in _HELDOUT5 if n in ALL_FONTS)
HELDOUT6_FONTS: tuple[str, ...] = tuple(n for n in _HELDOUT6 if n in ALL_FONTS)
HELDOUT7_FONTS: tuple[str, ...] = tuple(n for n in _HELDOUT7 if n in ALL_FONTS)
HELDOUT8_FONTS: tuple[str, ...] = tuple(n for n in _HELDOUT8 if n in ALL_FONTS)
HELDOUT9_FONTS: tuple[str, ...] = tuple(n for n in _HELDOUT9 if n in ALL_FONTS)
HELDOUT10_FONTS: tuple[str, ...] = tuple(n for n in _HELDOUT10 if n in ALL_FONTS)
VALIDATION_FONTS: tuple[str, ...] = tuple(n for n in _VALIDATION if n in ALL_FONTS)
UNTRAINED_FONTS: tuple[str, ...] = tuple(n for n in _UNTRAINED if n in ALL_FONTS)
# what a synth script's hud_font may name
SCRIPT_FONTS: tuple[str, ...] = HUD_FONTS + UNTRAINED_FONTS
MENU_FONT = "rajdhani-bold" if "rajdhani-bold" in HUD_FONTS else (HUD_FONTS[0] if HUD_FONTS else "")


def font_path(name: str) -> Path:
    """Path of the TTF for a HUD font name; ValueError when it is not installed."""
    if name not in _SOURCES:
        raise ValueError(f"unknown font {name!r}; available: {', '.join(ALL_FONTS)}")
    p = _resolve(name)
    if p is None:
        raise ValueError(f"font {name!r} is not installed; available: {', '.join(ALL_FONTS)}")
    return p


@lru_cache(maxsize=256)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    f = ImageFont.truetype(str(font_path(name)), size)
    if name in _WEIGHTS:
        try:
            axes = f.get_variation_axes()
            values: list[float] = []
            for a in axes:
                axis = (a.get("name") or b"").lower()
                is_weight = len(axes) == 1 or axis == b"weight"
                default = a.get("default")
                if not is_weight and axis == b"width" and name in _WIDTHS:
                    values.append(float(_WIDTHS[name]))
                else:
                    values.append(float(_WEIGHTS[name]) if is_weight or default is None else float(default))
            f.set_variation_by_axes(values)
        except Exception:  # pragma: no cover - old FreeType without variations
            pass
    return f


@lru_cache(maxsize=64)
def _metrics(name: str) -> tuple[float, float]:
    """(cap height per px of font size, '0' width per px of font size)."""
    f = _font(name, 200)
    x0, y0, x1, _y1 = f.getbbox("0", anchor="ls")
    return (-y0) / 200.0, (x1 - x0) / 200.0


@lru_cache(maxsize=4096)
def text_mask(
    text: str, name: str, cap_px: float, *, stretch: float = 1.0, digit_norm: bool = True
) -> tuple[np.ndarray, float, float]:
    """An anti-aliased float32 mask (0..1) of `text` whose cap height is `cap_px` pixels.

    Returns (mask, baseline_y, advance): the mask's row of the baseline and the horizontal
    advance in pixels. With `digit_norm` the text is scaled horizontally so a '0' is
    DIGIT_ASPECT * cap_px wide (every face then fills the real HUD's digit box); `stretch`
    multiplies that. The mask's column 0 is the pen origin.
    """
    cap_ratio, zero_w = _metrics(name)
    size = max(4, round(cap_px / cap_ratio))
    f = _font(name, size)
    real_cap = cap_ratio * size
    sy = cap_px / real_cap
    sx = sy * stretch
    if digit_norm:
        sx = (DIGIT_ASPECT * cap_px) / (zero_w * size) * stretch
    asc = int(np.ceil(size * 1.1)) + 2
    bbox = f.getbbox(text, anchor="ls")
    width = int(np.ceil(max(bbox[2], f.getlength(text)))) + 4
    height = asc + int(np.ceil(size * 0.35)) + 2
    img = Image.new("L", (width, height), 0)
    ImageDraw.Draw(img).text((0, asc), text, font=f, fill=255, anchor="ls")
    m: np.ndarray = np.asarray(img, dtype=np.float32) / 255.0
    if abs(sx - 1.0) > 1e-3 or abs(sy - 1.0) > 1e-3:
        nw = max(1, round(width * sx))
        nh = max(1, round(height * sy))
        m = cv2.resize(m, (nw, nh), interpolation=cv2.INTER_AREA if sx < 1 else cv2.INTER_LINEAR)
        baseline = asc * nh / height
        advance = f.getlength(text) * nw / width
    else:
        baseline = float(asc)
        advance = float(f.getlength(text))
    m.setflags(write=False)
    return m, baseline, advance


def pil_font(name: str, cap_px: float) -> ImageFont.FreeTypeFont:
    """A Pillow font whose capital letters are about `cap_px` pixels tall."""
    cap_ratio, _zw = _metrics(name)
    return _font(name, max(4, round(cap_px / cap_ratio)))
