"""The synthetic frame renderer: every screen, geometry of the kill digits, flashes, determinism."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from vodstream.readers.regions import hud_box, text_box
from vodstream.testbed.synth.render import HUD_FONTS, Renderer, kill_digit_boxes, render_hud_crop
from vodstream.testbed.synth.state import FrameState

# 16:9 at three scales, 21:9 and 4:3 (small sizes keep the suite fast; 2560x1080 is checked once)
SIZES = [(1920, 1080), (1280, 720), (854, 480), (1280, 540), (960, 720)]


def _match(**kw) -> FrameState:
    base = dict(t=10.0, screen="in_match", kills=3, squads_left=17, alive=49, camera_t=2.5, scene_seed=1)
    base.update(kw)
    return FrameState(**base)


ALL_SCREENS = [
    _match(),
    _match(era="2019", spectators=2),
    _match(red=True),
    _match(inventory_open=True),
    _match(spectating=True, kills=9),
    FrameState(t=0.0, screen="lobby_ready"),
    FrameState(t=3.0, screen="lobby_matchmaking"),
    FrameState(t=0.0, screen="select_legend", countdown=14),
    FrameState(t=0.0, screen="end", era="2019", end_kind="placed", placement=3, of=20, squad_kills=7),
    FrameState(t=0.0, screen="end", end_kind="squad_eliminated", placement=8, squad_kills=4),
    FrameState(t=0.0, screen="end", end_kind="champions", placement=1, squad_kills=12),
    FrameState(t=0.0, screen="end", end_kind="match_summary", placement=2, squad_kills=5),
    FrameState(t=0.0, screen="arenas", round_no=2),
    FrameState(t=0.0, screen="arenas", round_no=5, arenas_result="defeat"),
    FrameState(t=0.0, screen="other_game", camera_t=4.0, scene_seed=5),
    FrameState(t=0.0, screen="black"),
]


@pytest.fixture(scope="module")
def renderers() -> dict[tuple[int, int], Renderer]:
    return {wh: Renderer(*wh, seed=7) for wh in SIZES}


@pytest.mark.parametrize("wh", [(1280, 720), (854, 480), (1280, 540), (960, 720)])
def test_every_screen_renders(renderers, wh) -> None:
    r = renderers[wh]
    for st in ALL_SCREENS:
        f = r.render(st)
        assert f.shape == (wh[1], wh[0], 3) and f.dtype == np.uint8, st.screen
    # screens are not all the same picture
    assert len({r.render(st).tobytes()[::997] for st in ALL_SCREENS}) == len(ALL_SCREENS)


@pytest.mark.parametrize("wh", SIZES)
def test_digits_where_geometry_says(renderers, wh) -> None:
    W, H = wh
    r = renderers[wh]
    for kills in (1, 7, 12):
        st = _match(kills=kills)
        boxes = kill_digit_boxes(st, W, H)
        assert len(boxes) == len(str(kills))
        hx0, hy0, hx1, hy1 = hud_box(W, H)
        with_box = r.render(st).astype(int)
        without = r.render(_match(kills=kills, show_kill_box=False)).astype(int)
        for x0, y0, x1, y1 in boxes:
            assert hx0 <= x0 < x1 <= hx1 and hy0 <= y0 < y1 <= hy1
            region = with_box[y0:y1, x0:x1]
            # the digit's ink is white (anti-aliased thin strokes at small sizes)
            assert region.min(axis=2).max() > 200
            assert np.abs(region - without[y0:y1, x0:x1]).mean() > 8
        # boxes follow one another left to right
        assert all(a[2] <= b[0] + 1 for a, b in pairwise(boxes))


def test_digit_pixels_match_digit_value() -> None:
    """Different kill numbers draw different glyphs in the digit box (on the same background)."""
    W, H = 1280, 720
    r = Renderer(W, H, seed=1)
    crops = []
    for k in range(10):
        ((x0, y0, _x1, y1),) = kill_digit_boxes(_match(kills=k), W, H)
        f = r.render(_match(kills=k))
        crops.append(f[y0:y1, x0 - 2 : x0 + 8].astype(int))
    for i in range(10):
        for j in range(i + 1, 10):
            assert np.abs(crops[i] - crops[j]).mean() > 3, (i, j)


def test_kill_box_hidden(renderers) -> None:
    W, H = 1920, 1080
    r = renderers[(W, H)]
    hidden = _match(kills=0, show_kill_box=False)
    assert kill_digit_boxes(hidden, W, H) == []
    assert kill_digit_boxes(_match(inventory_open=True), W, H) == []
    assert kill_digit_boxes(FrameState(t=0.0, screen="select_legend"), W, H) == []
    # the 2019 era always shows its kill box
    assert len(kill_digit_boxes(_match(era="2019", kills=0, show_kill_box=False), W, H)) == 1
    # hidden box: the kill box area is pure background
    bg_only = r.render(_match(kills=5, show_kill_box=False))
    shown = r.render(_match(kills=5))
    x0, y0, x1, y1 = kill_digit_boxes(_match(kills=5), W, H)[0]
    assert np.abs(bg_only[y0:y1, x0 - 30 : x1].astype(int) - shown[y0:y1, x0 - 30 : x1]).mean() > 10
    # inventory: the HUD corner shows no white digits at the kill box
    inv = r.render(_match(kills=5, inventory_open=True))
    assert (inv[y0:y1, x0:x1].min(axis=2) > 215).mean() < 0.05


def test_red_flash_makes_red() -> None:
    W, H = 1280, 720
    calm = render_hud_crop(_match(kills=4), W, H).astype(int)
    red = render_hud_crop(_match(kills=4, red=True), W, H).astype(int)

    def reds(a: np.ndarray) -> int:
        return int(((a[..., 0] > 150) & (a[..., 1] < 80) & (a[..., 2] < 80)).sum())

    assert reds(red) > reds(calm) + 200


def test_hud_crop_equals_frame_crop(renderers) -> None:
    for W, H in [(1280, 720), (1280, 540)]:
        st = _match(kills=11, spectating=True)
        x0, y0, x1, y1 = hud_box(W, H)
        full = renderers[(W, H)].render(st)
        crop = render_hud_crop(st, W, H, seed=7)
        assert crop.shape == (y1 - y0, x1 - x0, 3)
        # same pixels up to the warp's fixed-point rounding (+-1 on a few pixels)
        d = np.abs(crop.astype(int) - full[y0:y1, x0:x1])
        assert d.max() <= 2 and (d > 0).mean() < 0.01


def test_deterministic_and_cached() -> None:
    st = _match(kills=6, camera_t=7.25, scene_seed=4)
    a = Renderer(854, 480, seed=11).render(st)
    b = Renderer(854, 480, seed=11).render(st)
    assert np.array_equal(a, b)
    c = Renderer(854, 480, seed=12).render(st)
    assert not np.array_equal(a, c)
    r = Renderer(854, 480, seed=11)
    assert r.render(st) is r.render(st)
    assert not r.render(st).flags.writeable
    # the camera moves
    assert not np.array_equal(r.render(st), r.render(_match(kills=6, camera_t=7.5, scene_seed=4)))


@pytest.mark.parametrize("wh", [(1280, 720), (960, 720), (1280, 540)])
def test_marker_text_only_in_top_45_percent(renderers, wh) -> None:
    W, H = wh
    r = renderers[wh]
    ty1 = text_box(W, H)[3]
    world = r.render(
        FrameState(t=0.0, screen="end", end_kind="squad_eliminated", placement=8, squad_kills=0, scene_seed=2)
    ).astype(int)
    for kind in ("squad_eliminated", "champions", "match_summary"):
        other = r.render(
            FrameState(
                t=0.0,
                screen="end",
                end_kind=kind,
                placement=8 if kind != "champions" else 1,
                squad_kills=23,
                scene_seed=2,
            )
        ).astype(int)
        diff = np.abs(world - other).max(axis=2) > 40
        ys = np.nonzero(diff.any(axis=1))[0]
        assert ys.size > 0
        # whatever the banner/placement/kills change lies in the top 45%
        # (kill digits on the player cards below are allowed; the banner row must be inside)
        assert ys.min() < ty1
    # the banner and placement rows themselves: render with/without the end overlay
    sel = r.render(FrameState(t=0.0, screen="select_legend", countdown=5)).astype(int)
    sel2 = r.render(FrameState(t=0.0, screen="select_legend", countdown=6)).astype(int)
    ys = np.nonzero((np.abs(sel - sel2).max(axis=2) > 40).any(axis=1))[0]
    assert ys.size and ys.max() < ty1


def test_end_banner_rows_inside_text_box() -> None:
    """Placement / kill numbers on the banner change only pixels inside the OCR's text box."""
    W, H = 960, 720
    r = Renderer(W, H, seed=5)
    ty1 = text_box(W, H)[3]
    for era, kind in (("2019", "placed"), ("modern", "squad_eliminated")):
        a = r.render(
            FrameState(
                t=0.0, screen="end", era=era, end_kind=kind, placement=4, of=20, squad_kills=9, scene_seed=3
            )
        ).astype(int)
        b = r.render(
            FrameState(
                t=0.0, screen="end", era=era, end_kind=kind, placement=7, of=20, squad_kills=9, scene_seed=3
            )
        ).astype(int)
        ys = np.nonzero((np.abs(a - b).max(axis=2) > 40).any(axis=1))[0]
        assert ys.size and ys.max() < ty1, (era, ys.max(), ty1)


def test_spectating_tab_bar_where_overtrack_looks(renderers) -> None:
    W, H = 1920, 1080
    r = renderers[(W, H)]
    a = r.render(_match(spectating=True)).astype(int)
    b = r.render(_match(spectating=False)).astype(int)
    roi = (np.abs(a - b).max(axis=2) > 40)[40:70, 670:800]
    assert roi.mean() > 0.1


def test_fonts_and_bad_font() -> None:
    assert "rajdhani-bold" in HUD_FONTS
    for font in HUD_FONTS:
        crop = render_hud_crop(_match(kills=8), 1280, 720, hud_font=font)
        assert crop.shape[2] == 3
    with pytest.raises(ValueError):
        Renderer(640, 360, hud_font="comic-sans")


@pytest.mark.parametrize("wh", [(2560, 1080), (1440, 1080)])
def test_real_aspect_ratios_hud_crop(wh) -> None:
    """The real crops' frame sizes (21:9, 4:3): digits inside the HUD crop, white ink there."""
    W, H = wh
    x0, y0, x1, y1 = hud_box(W, H)
    st = _match(kills=14, scene_seed=3)
    crop = render_hud_crop(st, W, H, seed=7)
    assert crop.shape == (y1 - y0, x1 - x0, 3)
    boxes = kill_digit_boxes(st, W, H)
    assert len(boxes) == 2
    for bx0, by0, bx1, by1 in boxes:
        assert x0 <= bx0 < bx1 <= x1 and y0 <= by0 < by1 <= y1
        assert crop[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0].min(axis=2).max() > 200


@pytest.mark.parametrize("mode", ["duos", "ranked", "elite"])
def test_queue_layouts(renderers, mode) -> None:
    """Duos/ranked/elite shift the counters left (ranked puts the kills on a second row); the
    digit boxes follow, stay in the HUD crop and hold white ink."""
    W, H = 1280, 720
    r = renderers[(W, H)]
    trios = kill_digit_boxes(_match(kills=12), W, H)
    st = _match(kills=12, hud_mode=mode, assists=3)
    boxes = kill_digit_boxes(st, W, H)
    assert len(boxes) == 2
    hx0, hy0, hx1, hy1 = hud_box(W, H)
    frame = r.render(st)
    for x0, y0, x1, y1 in boxes:
        assert hx0 <= x0 < x1 <= hx1 and hy0 <= y0 < y1 <= hy1
        assert frame[y0:y1, x0:x1].min(axis=2).max() > 200
    if mode == "ranked":
        assert boxes[0][1] > trios[0][3]  # second row, below the first
    else:
        assert boxes[0][0] < trios[0][0] - 30  # moved left
    # the 2019 era ignores the queue layout
    assert kill_digit_boxes(_match(era="2019", hud_mode=mode), W, H) == kill_digit_boxes(
        _match(era="2019"), W, H
    )


def test_bar_red_flashes_only_the_squads_bar() -> None:
    W, H = 1280, 720

    def reds(a: np.ndarray) -> np.ndarray:
        return (a[..., 0] > 150) & (a[..., 1] < 80) & (a[..., 2] < 80)

    x0 = hud_box(W, H)[0]
    calm = render_hud_crop(_match(kills=4), W, H)
    bar = render_hud_crop(_match(kills=4, bar_red=True), W, H)
    ((_kx0, _ky0, kx1, _ky1),) = kill_digit_boxes(_match(kills=4), W, H)
    split = kx1 - x0 + 12  # columns right of the kill box: the squads bar
    assert reds(bar)[:, split:].sum() > reds(calm)[:, split:].sum() + 200
    assert reds(bar)[:, : split - 12].sum() == reds(calm)[:, : split - 12].sum()
