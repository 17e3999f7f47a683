"""The HUD kill reader on rendered frames: every screen kind, both HUD eras, several resolutions."""

from __future__ import annotations

import numpy as np
import pytest

from vodstream.readers.digits import extract, find_skull, squads_box_visible
from vodstream.readers.hudlocate import legacy_ref
from vodstream.readers.killreader import KillReader, KillReading
from vodstream.readers.regions import hud_box
from vodstream.testbed.synth.render import Renderer, render_hud_crop
from vodstream.testbed.synth.state import FrameState
from vodstream.types import Sample

SCENE = 1_234_567  # a test-split scene seed (never used in training)
SEED = 1_000_003


@pytest.fixture(scope="module")
def reader() -> KillReader:
    import torch

    torch.set_num_threads(1)
    return KillReader()


def _state(**kw) -> FrameState:
    base = {
        "t": 100.0,
        "screen": "in_match",
        "scene_seed": SCENE,
        "camera_t": 30.0,
        "squads_left": 12,
        "alive": 33,
    }
    base.update(kw)
    return FrameState(**base)


def _sample(state: FrameState, w: int, h: int, font: str = "rajdhani-bold", i: int = 0) -> Sample:
    hud = render_hud_crop(state, w, h, seed=SEED, hud_font=font)
    return Sample(
        vod_time=2.0 * i, segment_index=i, frame_size=(w, h), hud=hud, text=np.zeros((2, 2), np.uint8)
    )


@pytest.mark.parametrize(("w", "h"), [(1920, 1080), (1280, 720), (2560, 1080), (1440, 1080)])
def test_reads_visible_counters_both_eras(reader: KillReader, w: int, h: int) -> None:
    cases = [
        _state(kills=3, era="modern"),
        _state(kills=17, era="modern", camera_t=51.0),
        _state(kills=8, era="2019", spectators=4, camera_t=12.0),
        _state(kills=26, era="2019", spectators=11, camera_t=70.0),
    ]
    fonts = ["rajdhani-bold", "teko", "titillium-web-bold", "dejavu-sans-condensed-bold"]
    samples = [_sample(st, w, h, fonts[i % len(fonts)], i) for i, st in enumerate(cases)]
    got = reader.read_batch(samples)
    assert [r.kills for r in got] == [st.kills for st in cases], [r.reason for r in got]
    for r in got:
        assert isinstance(r, KillReading)
        assert r.hud_visible and not r.red and r.reason == "ok"
        assert 0.97 <= r.confidence <= 1.0


def test_red_flash_is_flagged_and_read(reader: KillReader) -> None:
    states = [
        _state(kills=5, red=True),
        _state(kills=12, red=True, era="2019", spectators=2),
        _state(kills=5),
    ]
    got = reader.read_batch([_sample(st, 1920, 1080, i=i) for i, st in enumerate(states)])
    assert [r.kills for r in got] == [5, 12, 5]
    assert [r.red for r in got] == [True, True, False]


def test_hidden_inventory_and_menus_read_none(reader: KillReader) -> None:
    hidden = _state(kills=0, show_kill_box=False)
    inventory = _state(kills=9, inventory_open=True)
    menus = [
        FrameState(t=1.0, screen="lobby_ready", scene_seed=SCENE),
        FrameState(t=1.0, screen="select_legend", scene_seed=SCENE, countdown=9),
        FrameState(t=1.0, screen="end", end_kind="squad_eliminated", placement=4, scene_seed=SCENE),
        FrameState(t=1.0, screen="other_game", scene_seed=SCENE),
        FrameState(t=1.0, screen="black"),
    ]
    got = reader.read_batch([_sample(st, 1280, 720, i=i) for i, st in enumerate([hidden, inventory, *menus])])
    assert all(r.kills is None for r in got), [(r.kills, r.reason) for r in got]
    assert got[0].hud_visible and got[0].reason == "no_kill_box"
    assert not got[1].hud_visible
    assert not any(r.hud_visible for r in got[2:])


def test_spectating_reads_the_shown_counter(reader: KillReader) -> None:
    got = reader.read_batch([_sample(_state(kills=14, spectating=True), 1920, 1080)])
    assert got[0].kills == 14


def test_full_frame_crop_through_regions_matches_render_hud_crop() -> None:
    st = _state(kills=7)
    r = Renderer(1600, 900, seed=SEED)
    x0, y0, x1, y1 = hud_box(1600, 900)
    full = r.render(st)[y0:y1, x0:x1]
    assert np.array_equal(full, render_hud_crop(st, 1600, 900, seed=SEED))
    ex = extract(full)
    assert ex.ok and len(ex.digits) == 1 and ex.skull is not None and ex.skull.row == 0


def test_extraction_is_resolution_independent() -> None:
    """The skull lands at the same reference position at every scale."""
    pos = []
    for w, h in [(2560, 1440), (1920, 1080), (1366, 768), (852, 480)]:
        skull = find_skull(legacy_ref(render_hud_crop(_state(kills=4), w, h, seed=SEED))[0])
        assert skull is not None
        pos.append((skull.x, skull.y))
    xs, ys = zip(*pos, strict=True)
    assert max(xs) - min(xs) <= 2 and max(ys) - min(ys) <= 2


def test_low_confidence_is_refused_not_guessed() -> None:
    """A model that knows nothing (uniform softmax) must yield None, never a number."""
    import torch

    from models.net import BoxNet, DigitNet

    blank = DigitNet()
    blank_box = BoxNet().eval()
    for p in [*blank.parameters(), *blank_box.parameters()]:
        torch.nn.init.zeros_(p)
    sample = _sample(_state(kills=6), 1920, 1080)
    got = KillReader(blank, use_box=False).read_batch([sample])
    assert got[0].kills is None and got[0].reason == "low_confidence"
    got = KillReader(blank, box_model=blank_box).read_batch([sample])
    assert got[0].kills is None and got[0].reason == "low_confidence"


def test_score_box_reader_alone_and_as_second_opinion(reader: KillReader) -> None:
    """The shipped score-box model reads the whole box; where the digit path is blind it answers."""
    import torch

    from models.net import DigitNet

    states = [_state(kills=k, camera_t=20.0 + 3 * i) for i, k in enumerate((4, 13, 27))]
    samples = [_sample(st, 1280, 720, i=i) for i, st in enumerate(states)]
    assert reader.box_model is not None
    boxes = reader.read_boxes([s.hud for s in samples])
    assert [b[0] if b else None for b in boxes] == [4, 13, 27]
    assert reader.read_boxes(
        [render_hud_crop(_state(kills=0, show_kill_box=False), 1280, 720, seed=SEED)]
    ) == [None]
    # a digit CNN that knows nothing: the box reader alone never carries a reading (it read 20
    # for a 17 on the validation family), only with the digit CNN's own most likely classes
    blank = DigitNet(n_classes=11)
    for p in blank.parameters():
        torch.nn.init.zeros_(p)
    got = KillReader(blank, box_model=reader.box_model).read_batch(samples)
    assert [r.kills for r in got] == [None, None, None]


def test_readers_that_disagree_refuse(reader: KillReader) -> None:
    """The digit path sure and the box reader fairly sure of another number: None, not a guess."""
    from vodstream.readers.killreader import KillReading as KR

    digit = KR(12, False, True, 0.99, "ok")
    assert reader._combine(digit, (17, 0.999)).kills is None
    assert reader._combine(digit, (17, 0.999)).reason == "readers_disagree"
    assert reader._combine(digit, (12, 0.999)).kills == 12
    assert reader._combine(digit, (17, 0.95)).kills is None  # fairly sure is enough to refuse
    assert reader._combine(digit, (17, 0.5)).kills == 12  # the box reader unsure: digit path
    assert reader._combine(KR(None, False, True, 0.0, "merged"), (-1, 0.999)).kills is None
    # a faint skull: only both readers naming the same number counts
    assert reader._combine(digit, (12, 0.999), faint=True).kills == 12
    assert reader._combine(digit, (12, 0.5), faint=True).reason == "weak_skull"
    assert reader._combine(KR(None, False, True, 0.0, "merged"), (12, 0.999), faint=True).kills is None


def test_temporal_mean_option(reader: KillReader) -> None:
    states = [_state(kills=11, camera_t=30.0 + 2 * i) for i in range(3)]
    samples = [_sample(st, 1280, 720, i=i) for i, st in enumerate(states)]
    reader.temporal = True
    try:
        got = reader.read_batch(samples)
    finally:
        reader.temporal = False
    assert len(got) == 3
    assert all(r.kills in (11, None) for r in got), [(r.kills, r.reason) for r in got]
    assert any(r.kills == 11 for r in got)


def test_touching_digits_are_refused_not_misread(reader: KillReader) -> None:
    """ "11" at 720p blurs into one blob as wide as a single digit; it must never read as one."""
    samples = [_sample(_state(kills=11, camera_t=30.0 + 2 * i), 1280, 720, i=i) for i in range(2)]
    for r in reader.read_batch(samples):
        assert r.kills in (11, None), (r.kills, r.reason)


def test_squads_box_detector_on_rendered_screens() -> None:
    on = legacy_ref(render_hud_crop(_state(kills=2), 1920, 1080, seed=SEED))[0]
    off = legacy_ref(
        render_hud_crop(FrameState(t=0.0, screen="lobby_ready", scene_seed=SCENE), 1920, 1080, seed=SEED)
    )[0]
    assert squads_box_visible(on) and not squads_box_visible(off)


def test_bad_crop_shape_is_an_error(reader: KillReader) -> None:
    with pytest.raises(ValueError, match="RGB"):
        reader.read_huds([np.zeros((175, 560), np.uint8)])


def test_score_box_reader_alone_gives_no_number(reader: KillReader) -> None:
    """Where the digit path cannot read, the score-box reader's very sure number counts only when
    the digit CNN's most likely classes spell it too (validation family: a "17" whose 7 touched
    the box's slanted edge was read as 20 by the score-box reader alone)."""
    from vodstream.readers.killreader import KillReading as KR

    merged = KR(None, False, True, 0.0, "merged")
    assert reader._combine(merged, (20, 0.995)).kills is None
    assert reader._combine(merged, (20, 0.995), guess=17).kills is None
    got = reader._combine(merged, (17, 0.995), guess=17)
    assert (got.kills, got.reason) == (17, "ok_box")
    assert reader._combine(KR(None, False, True, 0.0, "low_confidence"), (9, 0.999), guess=None).kills is None


def test_touching_digits_get_a_second_look() -> None:
    """One component of two-digit width (touching digits) is also cut in two: the digit CNN's
    classes of the two halves are its second look for the score-box reader's number."""
    from vodstream.readers.digits import DIGIT_SIZE, _forced_cut

    soft = np.zeros((40, 60), np.float32)
    labels = np.zeros((40, 60), np.int32)
    labels[10:30, 10:20] = 1  # two bars joined by a thin bridge at x 20..22
    labels[10:30, 22:32] = 1
    labels[18:20, 20:22] = 1
    soft[labels > 0] = 1.0
    crops = _forced_cut(soft, labels, [(10, 10, 22, 20, 1)], 20.0, 20.0)
    assert crops.shape == (2, DIGIT_SIZE, DIGIT_SIZE)
    # each half holds one bar: the cut is at the bridge, not through a bar
    assert all(float(c.sum()) > 0 for c in crops)
    assert abs(float(crops[0].sum()) - float(crops[1].sum())) < 0.25 * float(crops[0].sum())


def test_touching_digits_in_a_faint_box_need_both_readers(reader: KillReader) -> None:
    """A faint box (relaxed layout look or learned detector) whose digits touch: the digit CNN's
    second look (the component cut in two) spelling the score-box reader's very sure number is a
    reading (validation family: 14, 16, 17 read so); anything less stays None."""
    from vodstream.readers.killreader import KillReading as KR

    merged = KR(None, False, True, 0.0, "not_a_digit")
    got = reader._combine(merged, (14, 0.999), faint=True, agree=0.7, guess=14)
    assert (got.kills, got.reason) == (14, "ok_box")
    assert reader._combine(merged, (14, 0.9), faint=True, agree=0.7, guess=14).kills is None
    assert reader._combine(merged, (14, 0.999), faint=True, agree=0.7, guess=11).kills is None
    assert reader._combine(merged, (14, 0.999), faint=True, agree=0.7).kills is None
