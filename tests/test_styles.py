"""HUD style variety: the default look is today's, the families are disjoint, styles render."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from vodstream.testbed.synth import hud as _hud
from vodstream.testbed.synth.fonts import (
    DIGIT_SHAPE_FONTS,
    HELDOUT2_FONTS,
    HELDOUT3_FONTS,
    HELDOUT4_FONTS,
    HELDOUT5_FONTS,
    HELDOUT6_FONTS,
    HELDOUT7_FONTS,
    HELDOUT8_FONTS,
    HELDOUT9_FONTS,
    HELDOUT10_FONTS,
    HELDOUT_FONTS,
    SELECTION_FONTS,
    STYLE_FONTS,
    VALIDATION_FONTS,
)
from vodstream.testbed.synth.render import Renderer, kill_digit_boxes
from vodstream.testbed.synth.state import FrameState
from vodstream.testbed.synth.styles import (
    HELDOUT2_GEOMETRY,
    HELDOUT2_SKULL,
    HELDOUT3_GEOMETRY,
    HELDOUT3_SKULL,
    HELDOUT4_GEOMETRY,
    HELDOUT4_SKULL,
    HELDOUT5_GEOMETRY,
    HELDOUT5_SKULL,
    HELDOUT6_GEOMETRY,
    HELDOUT6_SKULL,
    HELDOUT7_GEOMETRY,
    HELDOUT7_SKULL,
    HELDOUT8_GEOMETRY,
    HELDOUT8_SKULL,
    HELDOUT9_GEOMETRY,
    HELDOUT9_SKULL,
    HELDOUT10_GEOMETRY,
    HELDOUT10_SKULL,
    HELDOUT_GEOMETRY,
    HELDOUT_SKULL,
    VALIDATION_GEOMETRY,
    VALIDATION_SKULL,
    family_style,
    heldout2_style,
    heldout3_style,
    heldout4_style,
    heldout5_style,
    heldout6_style,
    heldout7_style,
    heldout8_style,
    heldout9_style,
    heldout10_style,
    heldout_style,
    style_by_name,
    training_style,
    validation_style,
)

# the fixed families in the order they were defined (validation first): each later held-out family
# is checked apart from those before it
_FIXED_FAMILIES = (
    ("validation", VALIDATION_GEOMETRY, VALIDATION_SKULL),
    ("heldout", HELDOUT_GEOMETRY, HELDOUT_SKULL),
    ("heldout2", HELDOUT2_GEOMETRY, HELDOUT2_SKULL),
    ("heldout3", HELDOUT3_GEOMETRY, HELDOUT3_SKULL),
    ("heldout4", HELDOUT4_GEOMETRY, HELDOUT4_SKULL),
    ("heldout5", HELDOUT5_GEOMETRY, HELDOUT5_SKULL),
    ("heldout6", HELDOUT6_GEOMETRY, HELDOUT6_SKULL),
    ("heldout7", HELDOUT7_GEOMETRY, HELDOUT7_SKULL),
    ("heldout8", HELDOUT8_GEOMETRY, HELDOUT8_SKULL),
    ("heldout9", HELDOUT9_GEOMETRY, HELDOUT9_SKULL),
    ("heldout10", HELDOUT10_GEOMETRY, HELDOUT10_SKULL),
)


def _before(name: str) -> tuple[tuple[tuple[float, ...], ...], tuple[_hud.SkullShape, ...]]:
    """The box geometries and skulls of the fixed families defined before ``name``."""
    names = [n for n, _g, _s in _FIXED_FAMILIES]
    earlier = _FIXED_FAMILIES[: names.index(name)] if name in names else _FIXED_FAMILIES
    return tuple(g for _n, g, _s in earlier), tuple(sk for _n, _g, sk in earlier)


def _match(**kw) -> FrameState:
    base = dict(t=10.0, screen="in_match", kills=3, squads_left=17, alive=49, camera_t=2.5, scene_seed=1)
    base.update(kw)
    return FrameState(**base)


@pytest.mark.parametrize(
    "state",
    [
        _match(),
        _match(era="2019", spectators=2),
        _match(red=True, kills=14),
        _match(hud_mode="ranked", kills=11, assists=2),
    ],
)
def test_default_style_is_todays_look(state) -> None:
    a = Renderer(1280, 720, seed=3).render(state)
    b = Renderer(1280, 720, seed=3, style=_hud.DEFAULT_STYLE).render(state)
    assert np.array_equal(a, b)


def test_heldout_family_never_in_training() -> None:
    assert HELDOUT_FONTS and not set(HELDOUT_FONTS) & set(STYLE_FONTS)
    top, bot, slant, kill_w1, gap, _sdx, _dg = HELDOUT_GEOMETRY
    for i in range(300):
        st = training_style(np.random.default_rng(i))
        assert st.font in STYLE_FONTS
        assert st.skull.eyes != HELDOUT_SKULL.eyes and st.skull.teeth < HELDOUT_SKULL.teeth
        assert st.skull.cranium_w < HELDOUT_SKULL.cranium_w and st.skull.jaw < HELDOUT_SKULL.jaw
        assert st.slant > slant and st.bot - st.top < bot - top and st.kill_w1 < kill_w1 and st.kill_gap < gap
    ho = heldout_style(np.random.default_rng(0))
    assert ho.font == HELDOUT_FONTS[0] and ho.skull == HELDOUT_SKULL and ho.slant == slant


def test_second_heldout_family_apart_from_every_other() -> None:
    others = set(STYLE_FONTS) | set(HELDOUT_FONTS) | set(VALIDATION_FONTS) | set(SELECTION_FONTS)
    assert HELDOUT2_FONTS and not set(HELDOUT2_FONTS) & others
    top, bot, _slant, _kill_w1, gap, _sdx, dgap, _size, cap, stretch = HELDOUT2_GEOMETRY
    assert HELDOUT2_SKULL.eyes not in {HELDOUT_SKULL.eyes, VALIDATION_SKULL.eyes}
    v_top, v_bot, *_rest = VALIDATION_GEOMETRY
    h_top, h_bot, *_rest = HELDOUT_GEOMETRY
    assert bot - top > max(v_bot - v_top, h_bot - h_top) and gap < VALIDATION_GEOMETRY[4]
    for i in range(300):
        st = training_style(np.random.default_rng(i))
        assert st.skull.eyes != HELDOUT2_SKULL.eyes
        assert st.bot - st.top < bot - top and st.kill_gap > gap
        assert st.digit_cap < cap and st.digit_stretch > stretch
        assert st.digit_dx - st.skull_dx - 19.5 * st.skull_size < dgap
    h2 = heldout2_style(np.random.default_rng(0))
    assert h2.font == HELDOUT2_FONTS[0] and h2.skull == HELDOUT2_SKULL and h2.digit_stretch == stretch
    _named_and_rendered("heldout2", HELDOUT2_FONTS, "heldout")


def _named_and_rendered(family: str, fonts: tuple[str, ...], other: str) -> None:
    """A one-face family by name: seeded, in its face (not ``other``'s), and its digit cases
    rendered in that face."""
    from models.data import render_cases

    assert style_by_name(f"{family}:4") == style_by_name(f"{family}:4") != style_by_name(f"{family}:5")
    assert style_by_name(f"{family}:4").font == fonts[0] != style_by_name(f"{other}:4").font
    cases = render_cases(3, "test", 3, resolutions=((1280, 720),), style=family, group=3)
    assert {c.font for c in cases} == set(fonts)


def test_third_heldout_family_apart_from_every_other() -> None:
    others = set(STYLE_FONTS) | set(HELDOUT_FONTS) | set(HELDOUT2_FONTS) | set(VALIDATION_FONTS)
    assert HELDOUT3_FONTS and not set(HELDOUT3_FONTS) & (others | set(SELECTION_FONTS))
    top, bot, slant, kill_w1, gap, sdx, dgap, size, _cap, stretch = HELDOUT3_GEOMETRY
    skulls = (HELDOUT_SKULL, HELDOUT2_SKULL, VALIDATION_SKULL)
    assert HELDOUT3_SKULL.eyes not in {s.eyes for s in skulls}
    assert HELDOUT3_SKULL.teeth > max(s.teeth for s in skulls)
    fixed = (HELDOUT_GEOMETRY, HELDOUT2_GEOMETRY, VALIDATION_GEOMETRY)
    assert bot - top > max(g[1] - g[0] for g in fixed) and gap < min(g[4] for g in fixed)
    assert kill_w1 > max(g[3] for g in fixed) and sdx > max(g[5] for g in fixed)
    assert dgap > max(g[6] for g in fixed)
    for i in range(300):
        st = training_style(np.random.default_rng(i))
        assert st.skull.eyes != HELDOUT3_SKULL.eyes and st.skull.cranium_w < HELDOUT3_SKULL.cranium_w
        assert st.skull.cranium_h > HELDOUT3_SKULL.cranium_h and st.skull.jaw < HELDOUT3_SKULL.jaw
        assert st.bot - st.top < bot - top and st.kill_gap > gap and st.kill_w1 < kill_w1
        assert st.slant > slant and st.skull_dx < sdx and st.skull_size > size
        assert st.digit_stretch < stretch and st.digit_dx - st.skull_dx - 19.5 * st.skull_size < dgap
    h3 = heldout3_style(np.random.default_rng(0))
    assert h3.font == HELDOUT3_FONTS[0] and h3.skull == HELDOUT3_SKULL and h3.digit_stretch == stretch
    _named_and_rendered("heldout3", HELDOUT3_FONTS, "heldout2")


def test_fourth_heldout_family_apart_from_every_other() -> None:
    others = set(STYLE_FONTS) | set(HELDOUT_FONTS) | set(HELDOUT2_FONTS) | set(HELDOUT3_FONTS)
    others |= set(VALIDATION_FONTS) | set(SELECTION_FONTS)
    assert HELDOUT4_FONTS and not set(HELDOUT4_FONTS) & others
    top, bot, slant, kill_w1, _gap, sdx, _dgap, _size, _cap, stretch = HELDOUT4_GEOMETRY
    skulls = (HELDOUT_SKULL, HELDOUT2_SKULL, HELDOUT3_SKULL, VALIDATION_SKULL)
    assert HELDOUT4_SKULL.eyes not in {s.eyes for s in skulls} and HELDOUT4_SKULL.jaw == 0
    fixed = (HELDOUT_GEOMETRY, HELDOUT2_GEOMETRY, HELDOUT3_GEOMETRY, VALIDATION_GEOMETRY)
    assert slant < min(g[2] for g in fixed) and bot - top < min(g[1] - g[0] for g in fixed)
    assert kill_w1 < min(g[3] for g in fixed) and sdx < min(g[5] for g in fixed)
    assert stretch < HELDOUT2_GEOMETRY[9]
    for i in range(300):
        st = training_style(np.random.default_rng(i))
        assert st.skull.eyes != HELDOUT4_SKULL.eyes and st.skull.cranium_w > HELDOUT4_SKULL.cranium_w
        assert st.skull.cranium_h < HELDOUT4_SKULL.cranium_h
        assert st.skull.cranium_cut < HELDOUT4_SKULL.cranium_cut
        assert st.bot - st.top > bot - top and st.slant > slant and st.kill_w1 > kill_w1
        assert st.skull_dx > sdx and st.digit_stretch > stretch
    h4 = heldout4_style(np.random.default_rng(0))
    assert h4.font == HELDOUT4_FONTS[0] and h4.skull == HELDOUT4_SKULL and h4.slant == slant
    _named_and_rendered("heldout4", HELDOUT4_FONTS, "heldout3")


def test_fifth_heldout_family_apart_from_every_other() -> None:
    others = set(STYLE_FONTS) | set(HELDOUT_FONTS) | set(HELDOUT2_FONTS) | set(HELDOUT3_FONTS)
    others |= set(HELDOUT4_FONTS) | set(VALIDATION_FONTS) | set(SELECTION_FONTS)
    assert HELDOUT5_FONTS and not set(HELDOUT5_FONTS) & others
    _top, _bot, slant, _kill_w1, gap, _sdx, _dgap, _size, cap, _stretch = HELDOUT5_GEOMETRY
    skulls = (HELDOUT_SKULL, HELDOUT2_SKULL, HELDOUT3_SKULL, HELDOUT4_SKULL, VALIDATION_SKULL)
    assert HELDOUT5_SKULL.eyes not in {s.eyes for s in skulls}
    fixed = (HELDOUT_GEOMETRY, HELDOUT2_GEOMETRY, HELDOUT3_GEOMETRY, HELDOUT4_GEOMETRY, VALIDATION_GEOMETRY)
    assert slant > max(g[2] for g in fixed) and gap > max(g[4] for g in fixed)
    assert cap > max(g[8] for g in fixed if len(g) > 8)
    for i in range(300):
        st = training_style(np.random.default_rng(i))
        assert st.skull.eyes != HELDOUT5_SKULL.eyes and st.skull.cranium_w < HELDOUT5_SKULL.cranium_w
        assert st.skull.cranium_h > HELDOUT5_SKULL.cranium_h
        assert st.skull.cranium_cut > HELDOUT5_SKULL.cranium_cut
        assert st.slant < slant and st.kill_gap < gap and st.digit_cap < cap
    h5 = heldout5_style(np.random.default_rng(0))
    assert h5.font == HELDOUT5_FONTS[0] and h5.skull == HELDOUT5_SKULL and h5.slant == slant
    _named_and_rendered("heldout5", HELDOUT5_FONTS, "heldout4")


def test_sixth_heldout_family_apart_from_every_other() -> None:
    others = set(STYLE_FONTS) | set(HELDOUT_FONTS) | set(HELDOUT2_FONTS) | set(HELDOUT3_FONTS)
    others |= set(HELDOUT4_FONTS) | set(HELDOUT5_FONTS) | set(VALIDATION_FONTS) | set(SELECTION_FONTS)
    assert HELDOUT6_FONTS and not set(HELDOUT6_FONTS) & others
    top, bot, _slant, _kill_w1, _gap, _sdx, _dgap, size, _cap, stretch = HELDOUT6_GEOMETRY
    fixed, skulls = _before("heldout6")
    sk = HELDOUT6_SKULL
    assert sk.eyes not in {s.eyes for s in skulls} and sk.teeth not in {s.teeth for s in skulls}
    assert sk.jaw_bot > max(s.jaw_bot for s in skulls) and sk.eye_dx > max(s.eye_dx for s in skulls)
    assert bot - top > max(g[1] - g[0] for g in fixed)
    # _fixed_style's defaults for the fields a shorter tuple leaves out: size 1.0, stretch 1.0
    assert size > max((*g, 1.0)[7] for g in fixed) and stretch > max((*g, 1.0, 14.2, 1.0)[9] for g in fixed)
    for i in range(300):
        st = training_style(np.random.default_rng(i))
        assert st.skull.eyes != sk.eyes and st.skull.teeth != sk.teeth
        assert st.skull.jaw_bot < sk.jaw_bot and st.skull.eye_dx < sk.eye_dx
        assert st.bot - st.top < bot - top and st.skull_size < size and st.digit_stretch < stretch
    h6 = heldout6_style(np.random.default_rng(0))
    assert h6.font == HELDOUT6_FONTS[0] and h6.skull == sk and h6.digit_stretch == stretch
    assert h6.skull_size == size
    _named_and_rendered("heldout6", HELDOUT6_FONTS, "heldout5")


def test_seventh_heldout_family_apart_from_every_other() -> None:
    others = set(STYLE_FONTS) | set(HELDOUT_FONTS) | set(HELDOUT2_FONTS) | set(HELDOUT3_FONTS)
    others |= set(HELDOUT4_FONTS) | set(HELDOUT5_FONTS) | set(HELDOUT6_FONTS)
    others |= set(VALIDATION_FONTS) | set(SELECTION_FONTS)
    assert HELDOUT7_FONTS and not set(HELDOUT7_FONTS) & others
    top, bot, _slant, _kill_w1, _gap, _sdx, _dgap, size, _cap, stretch = HELDOUT7_GEOMETRY
    fixed, skulls = _before("heldout7")
    sk = HELDOUT7_SKULL
    # the existing drawing options in a combination no family has (eyes, nose, jaw, teeth) ...
    combos = {(s.eyes, s.nose, s.jaw > 0, s.teeth) for s in skulls}
    assert (sk.eyes, sk.nose, sk.jaw > 0, sk.teeth) not in combos
    # ... with the eyes closest together over the narrowest, shortest jaw
    jawed = [s for s in skulls if s.jaw > 0]
    assert sk.eye_dx < min(s.eye_dx for s in skulls) and 0 < sk.jaw < min(s.jaw for s in jawed)
    assert sk.jaw_bot < min(s.jaw_bot for s in jawed)
    assert bot - top < min(g[1] - g[0] for g in fixed)
    # _fixed_style's defaults for the fields a shorter tuple leaves out: size 1.0, stretch 1.0
    assert size < min((*g, 1.0)[7] for g in fixed) and stretch < min((*g, 1.0, 14.2, 1.0)[9] for g in fixed)
    for i in range(300):
        st = training_style(np.random.default_rng(i))
        assert st.skull.eyes != sk.eyes and st.skull.eye_dx > sk.eye_dx
        assert st.skull.jaw == 0 or (st.skull.jaw > sk.jaw and st.skull.jaw_bot > sk.jaw_bot)
        assert st.bot - st.top > bot - top and st.skull_size > size and st.digit_stretch > stretch
    h7 = heldout7_style(np.random.default_rng(0))
    assert h7.font == HELDOUT7_FONTS[0] and h7.skull == sk and h7.digit_stretch == stretch
    assert h7.skull_size == size and h7.bot - h7.top == bot - top
    _named_and_rendered("heldout7", HELDOUT7_FONTS, "heldout6")


# the families defined after the seventh: each in one new face, a skull of the existing drawing
# options in a new combination, and a box geometry inside the span of those before it
_LATER_FAMILIES = (
    ("heldout8", HELDOUT8_FONTS, HELDOUT8_SKULL, HELDOUT8_GEOMETRY, heldout8_style, "heldout7"),
    ("heldout9", HELDOUT9_FONTS, HELDOUT9_SKULL, HELDOUT9_GEOMETRY, heldout9_style, "heldout8"),
    ("heldout10", HELDOUT10_FONTS, HELDOUT10_SKULL, HELDOUT10_GEOMETRY, heldout10_style, "heldout9"),
)


@pytest.mark.parametrize(("family", "fonts", "sk", "geometry", "maker", "before"), _LATER_FAMILIES)
def test_later_heldout_family_apart_from_every_other(family, fonts, sk, geometry, maker, before) -> None:
    others = set(STYLE_FONTS) | set(HELDOUT_FONTS) | set(HELDOUT2_FONTS) | set(HELDOUT3_FONTS)
    others |= set(HELDOUT4_FONTS) | set(HELDOUT5_FONTS) | set(HELDOUT6_FONTS) | set(HELDOUT7_FONTS)
    others |= (
        set(HELDOUT8_FONTS)
        | set(HELDOUT9_FONTS)
        | set(HELDOUT10_FONTS)
        | set(VALIDATION_FONTS)
        | set(SELECTION_FONTS)
    )
    assert fonts and not set(fonts) & (others - set(fonts))
    fixed, skulls = _before(family)
    assert len(fixed) == [n for n, _g, _s in _FIXED_FAMILIES].index(family)
    # the existing drawing options in a combination no family has (eyes, nose, jaw, teeth)
    combos = {(s.eyes, s.nose, s.jaw > 0, s.teeth) for s in skulls}
    assert (sk.eyes, sk.nose, sk.jaw > 0, sk.teeth) not in combos
    # every box value inside the span the other fixed families cover, none at its end, and the
    # whole unlike any one of them (_fixed_style's defaults for the fields a shorter tuple leaves out)
    full = [(*g, 1.0, 14.2, 1.0)[:10] for g in fixed]
    assert len(geometry) == 10
    for i, v in enumerate(geometry):
        assert min(g[i] for g in full) < v < max(g[i] for g in full), i
    assert min(g[1] - g[0] for g in full) < geometry[1] - geometry[0] < max(g[1] - g[0] for g in full)
    assert all(sum(a != b for a, b in zip(geometry, g, strict=True)) >= 8 for g in full)
    top, bot, slant, kill_w1, _gap, sdx, dgap, size, cap, stretch = geometry
    # the skull fits its box and stands at least 1.25 digits tall; one digit fits before the slant
    assert 23.0 * size + 8.0 <= bot - top and sk.jaw_bot * size >= 1.25 * cap
    assert kill_w1 >= sdx + 19.5 * size + dgap + 0.75 * cap * stretch + 0.5 * slant + 6.0
    for i in range(300):
        st = training_style(np.random.default_rng(i))
        assert st.skull.eyes != sk.eyes
    h = maker(np.random.default_rng(0))
    assert h.font == fonts[0] and h.skull == sk and h.digit_stretch == stretch
    assert (h.top, h.bot, h.slant, h.kill_w1) == (top, bot, slant, kill_w1)
    assert (h.skull_dx, h.skull_size, h.digit_cap) == (sdx, size, cap)
    assert family_style(family, np.random.default_rng(3)) == maker(np.random.default_rng(3))
    _named_and_rendered(family, fonts, before)


def test_validation_family_apart_from_training_and_heldout() -> None:
    assert VALIDATION_FONTS and not set(VALIDATION_FONTS) & (set(STYLE_FONTS) | set(HELDOUT_FONTS))
    top, bot, slant, _kill_w1, gap, *_ = VALIDATION_GEOMETRY
    eyes = {VALIDATION_SKULL.eyes, HELDOUT_SKULL.eyes}
    assert len(eyes) == 2
    for i in range(300):
        st = training_style(np.random.default_rng(i))
        assert st.skull.eyes not in eyes
        assert st.slant < slant and st.bot - st.top > bot - top and st.kill_gap > gap
    va = validation_style(np.random.default_rng(0))
    assert va.font == VALIDATION_FONTS[0] and va.skull == VALIDATION_SKULL and va.slant == slant
    assert style_by_name("validation:4") == style_by_name("validation:4") != style_by_name("heldout:4")


def test_selection_and_shape_families() -> None:
    # the selection faces: installed, never trained on, apart from the validation and held-out faces
    assert len(SELECTION_FONTS) == 6
    assert not set(SELECTION_FONTS) & (set(STYLE_FONTS) | set(HELDOUT_FONTS) | set(VALIDATION_FONTS))
    # the digit-shape faces: installed, trained on (part of the training family)
    assert len(DIGIT_SHAPE_FONTS) == 8 and set(DIGIT_SHAPE_FONTS) <= set(STYLE_FONTS)
    sel = {family_style("selection", np.random.default_rng(i)).font for i in range(200)}
    shapes = {family_style("shapes", np.random.default_rng(i)).font for i in range(200)}
    assert sel == set(SELECTION_FONTS) and shapes == set(DIGIT_SHAPE_FONTS)
    # the same geometry draws as the training family, only the face differs
    tr, se = training_style(np.random.default_rng(5)), family_style("selection", np.random.default_rng(5))
    assert (tr.slant, tr.kill_w1, tr.skull) == (se.slant, se.kill_w1, se.skull) and se.font != tr.font


def test_style_names() -> None:
    assert style_by_name("default") == _hud.DEFAULT_STYLE
    assert style_by_name("heldout:4") == style_by_name("heldout:4") != style_by_name("heldout:5")
    assert style_by_name("train:2").font in STYLE_FONTS
    with pytest.raises(ValueError):
        style_by_name("fancy")
    with pytest.raises(ValueError):
        style_by_name("train:x")


@pytest.mark.parametrize(
    "name", ["train:1", "train:2", "validation:2", "heldout:3", "heldout8:3", "heldout9:3", "heldout10:3"]
)
def test_styled_digits_where_geometry_says(name) -> None:
    """The digit boxes of a styled HUD hold bright ink, and the box differs from the default look."""
    st = style_by_name(name)
    state = _match(kills=18)
    W, H = 1280, 720
    f = Renderer(W, H, seed=2, style=st).render(state)
    boxes = kill_digit_boxes(state, W, H, style=st)
    assert len(boxes) == 2
    for x0, y0, x1, y1 in boxes:
        assert 0 <= x0 < x1 <= W and 0 <= y0 < y1 <= H
        assert f[y0:y1, x0:x1].max() >= 200
    assert not np.array_equal(f, Renderer(W, H, seed=2).render(state))


@pytest.mark.parametrize("era", ["2019", "modern"])
def test_covered_family_hides_the_kill_box_not_the_squads_box(era) -> None:
    W, H = 1280, 720
    for seed in range(3):
        st = style_by_name(f"covered:{seed}")
        x0, y0, x1, y1 = _hud.occluder_rect(st, W, H)
        for kills, spectators in ((0, 0), (7, 2), (23, 11), (113, 0)):
            key = _hud.HudKey(era, kills, True, False, 12, 30, spectators, "rajdhani-bold", W, H, style=st)
            assert _hud.kill_slot_covered(key) and _hud.kill_slot_covered(key, count_only=True)
            for bx0, by0, bx1, by1 in kill_digit_boxes(_match(era=era, kills=kills), W, H):
                assert x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1
        # the squads text ("N SQUADS LEFT") stays in view, right of the overlay
        assert W - (1920.0 - _hud.SQ_TEXT_X) * (W / 1920.0) > x1


def test_an_overlay_over_the_ranked_rows_slanted_corner_covers_no_count() -> None:
    # the covered family's slot ends where the ranked row's box begins: one slanted corner of the
    # box under the overlay, its skull and digits in view -- a count a reader can see
    W, H = 1280, 720
    st = style_by_name("covered:0")
    _x0, _y0, x1, _y1 = _hud.occluder_rect(st, W, H)
    boxes = kill_digit_boxes(_match(hud_mode="ranked", kills=3, assists=1), W, H, style=st)
    assert boxes and all(bx0 >= x1 for bx0, _by0, _bx1, _by1 in boxes)
    key = _hud.HudKey("modern", 3, True, False, 12, 30, 0, "rajdhani-bold", W, H, mode="ranked", style=st)
    assert _hud.kill_slot_covered(key)  # the box: its corner is under the overlay
    assert not _hud.kill_slot_covered(key, count_only=True)
    # the overlay reaching the row's digits covers its count
    wider = replace(st, occluder=(1380.0, 0.0, 1700.0, 140.0))
    assert _hud.kill_slot_covered(replace(key, style=wider), count_only=True)


def test_occluder_and_banner() -> None:
    st = style_by_name("train:0")
    covered = _hud.HudStyle(occluder=(1300.0, 0.0, 1920.0, 200.0), occluder_seed=1)
    key = _hud.HudKey("modern", 5, True, False, 12, 30, 0, "rajdhani-bold", 1280, 720, style=covered)
    assert _hud.kill_slot_covered(key)
    assert not _hud.kill_slot_covered(
        _hud.HudKey(
            "modern",
            5,
            True,
            False,
            12,
            30,
            0,
            "rajdhani-bold",
            1280,
            720,
            style=st.__class__(occluder=(1300.0, 150.0, 1500.0, 200.0)),
        )
    )
    pushed = _hud.HudStyle(dy=50.0, banner="SPECTATING")
    assert _hud.banner_layer(pushed, 1280, 720) is not None
    a = kill_digit_boxes(_match(), 1280, 720)
    b = kill_digit_boxes(_match(), 1280, 720, style=pushed)
    assert [y0 for _x0, y0, _x1, _y1 in b] > [y0 for _x0, y0, _x1, _y1 in a]


def test_styled_training_renders_and_scripts() -> None:
    from models.data import render_cases
    from vodstream.testbed import synth
    from vodstream.testbed.synth.script import ScriptError

    cases = render_cases(12, "train", 3, resolutions=((1280, 720),), style="train", group=12)
    assert {c.font for c in cases} <= set(STYLE_FONTS) and len(cases) == 12
    held = render_cases(3, "test", 3, resolutions=((1280, 720),), style="heldout", group=3)
    assert {c.font for c in held} == set(HELDOUT_FONTS)
    with pytest.raises(ValueError):
        render_cases(1, "train", 3, style="fancy")
    script = synth.preset("test").replace(hud_style="heldout:2")
    assert script.to_dict()["hud_style"] == "heldout:2"
    with pytest.raises(ScriptError, match="hud_style"):
        synth.preset("test").replace(hud_style="nope")


def test_family_style() -> None:
    from vodstream.testbed.synth.styles import family_style

    assert family_style("heldout", np.random.default_rng(3)) == heldout_style(np.random.default_rng(3))
    assert family_style("train", np.random.default_rng(3)) == training_style(np.random.default_rng(3))
    with pytest.raises(ValueError):
        family_style("nope", np.random.default_rng(0))


def _geometry(st: _hud.HudStyle) -> tuple[float, ...]:
    """A style's box geometry as the fixed families spell it (top, box height, slant, kill_w1,
    kill_gap, skull_dx, digit gap after the skull, skull size, digit cap, digit stretch)."""
    dgap = st.digit_dx - st.skull_dx - 19.5 * st.skull_size
    box = (st.top, st.bot - st.top, st.slant, st.kill_w1, st.kill_gap, st.skull_dx, dgap)
    return (*box, st.skull_size, st.digit_cap, st.digit_stretch)


def test_wide_family_spans_every_fixed_geometry_in_training_faces_and_eyes() -> None:
    from vodstream.testbed.synth.styles import wide_style

    fixed = _FIXED_FAMILIES
    eyes = {"round", "tall", "wide"}  # the training drawings' eye shapes; the fixed families' are others
    assert not eyes & {sk.eyes for _n, _g, sk in fixed}
    styles = [wide_style(np.random.default_rng(i)) for i in range(3000)]
    for st in styles:
        assert st.font in STYLE_FONTS and st.skull.eyes in eyes
        ink = st.skull.jaw_bot if st.skull.jaw else st.skull.cranium_cut
        assert ink * st.skull_size >= 0.95 * st.digit_cap - 1e-9  # a skull about the digits' height or more
        assert st.bot - st.top >= st.digit_cap + 7.0 - 1e-9  # the digits fit the box
    spans = np.array([_geometry(st) for st in styles])
    lo, hi = spans.min(0), spans.max(0)
    slack = 0.03 * (hi - lo)
    for name, _g, _sk in fixed:
        st = family_style(name, np.random.default_rng(0))
        g = np.array(_geometry(st))
        assert np.all(g >= lo - slack) and np.all(g <= hi + slack), (name, g, lo, hi)
    assert wide_style(np.random.default_rng(3)) == family_style("wide", np.random.default_rng(3))
    assert style_by_name("wide:2") == style_by_name("wide:2") != style_by_name("train:2")
    # the training family itself is unchanged by the wide family's skull ranges
    assert training_style(np.random.default_rng(7)).skull.name.startswith("train")
