"""End-screen squad summary: the renderer's cards and the reader (real renders, real tesseract)."""

from __future__ import annotations

import numpy as np
import pytest

from vodstream.decode import crop_rgb
from vodstream.endscreen import EndScreenReader, EndScreenReading
from vodstream.markers import MarkerReader, _unit
from vodstream.regions import own_card_index
from vodstream.synth.render import Renderer
from vodstream.synth.screens import card_kills
from vodstream.synth.script import end_screen_squad_kills, load_script, preset, truth
from vodstream.synth.state import FrameState
from vodstream.types import Sample


@pytest.fixture(scope="module")
def reader() -> EndScreenReader:
    return EndScreenReader(all_cards=True)


def _sample(r: Renderer, st: FrameState) -> Sample:
    hud, text = crop_rgb(np.asarray(r.render(st)))
    return Sample(vod_time=st.t, segment_index=0, frame_size=(r.width, r.height), hud=hud, text=text)


def _read(reader: EndScreenReader, r: Renderer, st: FrameState) -> EndScreenReading | None:
    s = _sample(r, st)
    return reader.read(s.text, _unit(s), era_2019=st.end_kind == "placed")


def _end(
    kind: str, own: int, squad: int, mode: str = "trios", scene: int = 0, place: int | None = None
) -> FrameState:
    place = place if place is not None else (1 if kind == "champions" else 6)
    return FrameState(t=3.0, screen="end", end_kind=kind, placement=place, kills=own, squad_kills=squad,
                      hud_mode=mode, scene_seed=scene)  # type: ignore[arg-type]


def test_card_kills_put_the_player_on_their_card_and_add_up() -> None:
    rng = np.random.default_rng(3)
    for n in (2, 3):
        for own, squad in ((0, 0), (4, 4), (3, 11), (12, 27)):
            cards = card_kills(own, squad, n, rng)
            assert len(cards) == n and sum(cards) == squad and min(cards) >= 0
            assert cards[own_card_index(n)] == own
    assert own_card_index(3) == 1 and own_card_index(2) == 1  # centre of three, right of two


def test_truth_has_the_squad_total_and_it_bounds_the_kills() -> None:
    script = preset("test")
    t = truth(script)
    shown = [m for m in t["matches"] if m["end_seen"]]
    assert shown
    for m in t["matches"]:
        if m["end_seen"]:
            assert m["squad_kills"] == end_screen_squad_kills(script, m["index"]) >= m["kills"]
        else:
            assert m["squad_kills"] is None
    # a given squad_kills is kept as written
    s2 = load_script({"duration": 60.0, "matches": [
        {"start": 0.0, "select_legend": 5.0, "end": 40.0, "end_screen": 8.0, "placement": 3,
         "kills": [10.0, 20.0], "squad_kills": 7}]})
    assert truth(s2)["matches"][0]["squad_kills"] == 7


# (end kind, own, squad, hud mode, scene, size)
CASES = [
    ("squad_eliminated", 3, 9, "trios", 1, (1280, 720)),
    ("champions", 12, 27, "trios", 2, (1280, 720)),
    ("match_summary", 0, 4, "duos", 3, (1280, 720)),
    ("champions", 7, 12, "duos", 4, (1280, 720)),
    ("squad_eliminated", 1, 1, "trios", 5, (1280, 720)),
    ("match_summary", 10, 18, "trios", 6, (1280, 720)),
    ("squad_eliminated", 5, 5, "trios", 7, (1920, 1080)),
    ("champions", 2, 14, "duos", 8, (1920, 1080)),
    ("match_summary", 4, 6, "trios", 9, (1920, 1080)),
    ("squad_eliminated", 0, 3, "duos", 10, (1920, 1080)),
]


def test_reader_reads_own_and_squad_kills_and_never_a_wrong_number(reader: EndScreenReader) -> None:
    renderers = {wh: Renderer(*wh, seed=11) for wh in {c[5] for c in CASES}}
    own_right = squad_right = 0
    for kind, own, squad, mode, scene, wh in CASES:
        res = _read(reader, renderers[wh], _end(kind, own, squad, mode, scene))
        assert res is not None, (kind, own, squad, mode, wh)
        assert res.layout == mode
        # an unread value may be None; a read one is right
        assert res.own_kills in (None, own), (kind, own, squad, mode, wh, res)
        assert res.squad_kills in (None, squad), (kind, own, squad, mode, wh, res)
        # the teammates' split is the renderer's (random): a full read must add up to the total
        if all(c is not None for c in res.cards) and res.squad_kills is not None:
            assert res.consistent
        own_right += res.own_kills == own
        squad_right += res.squad_kills == squad
    assert own_right >= len(CASES) - 2
    assert squad_right >= len(CASES) - 1


def test_player_card_is_the_centre_of_three_and_the_right_of_two(reader: EndScreenReader) -> None:
    r = Renderer(1920, 1080, seed=5)
    trio = _read(reader, r, _end("squad_eliminated", 7, 7, "trios", scene=3))  # teammates have 0
    assert trio is not None and trio.layout == "trios"
    assert trio.own_kills == 7 and trio.cards[1] == 7 and trio.cards[0] == 0 and trio.cards[2] == 0
    duo = _read(reader, r, _end("match_summary", 6, 6, "duos", scene=4))
    assert duo is not None and duo.layout == "duos"
    assert duo.own_kills == 6 and duo.cards == (0, 6)


def test_2019_screen_gives_the_squad_total_only(reader: EndScreenReader) -> None:
    r = Renderer(1920, 1080, seed=5)
    st = FrameState(t=3.0, screen="end", era="2019", end_kind="placed", placement=3, of=20, kills=4,
                    squad_kills=11, scene_seed=2)
    res = _read(reader, r, st)
    assert res is not None and res.layout == "2019"
    assert res.squad_kills == 11 and res.own_kills is None


def test_gate_no_ocr_where_no_summary(reader: EndScreenReader) -> None:
    r = Renderer(1280, 720, seed=5)
    before = reader.ocr_calls
    for st in (
        FrameState(t=3.0, screen="in_match", kills=3, scene_seed=1, camera_t=1.0),
        FrameState(t=3.0, screen="select_legend", countdown=5),
        FrameState(t=3.0, screen="lobby_ready", scene_seed=2),
        FrameState(t=3.0, screen="black"),
    ):
        s = _sample(r, st)
        assert reader.read(s.text, _unit(s)) is None
    assert reader.ocr_calls == before


def test_marker_reader_attaches_the_summary_to_the_end_marker() -> None:
    mr = MarkerReader()
    r = Renderer(1280, 720, seed=9)
    m = mr.read(_sample(r, _end("squad_eliminated", 3, 8, "trios", scene=2, place=7)), hud_visible=False)
    assert m is not None and m.kind == "end" and m.placement == 7
    assert (m.own_kills, m.squad_kills) == (3, 8)
    off = MarkerReader(read_summary=False)
    m2 = off.read(_sample(r, _end("squad_eliminated", 3, 8, "trios", scene=2, place=7)), hud_visible=False)
    assert m2 is not None and (m2.own_kills, m2.squad_kills) == (None, None)
