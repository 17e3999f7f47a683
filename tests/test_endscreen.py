"""End-screen squad summary: the renderer's cards and the reader (real renders, real tesseract)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vodstream.matches.tracker import KillEstimate, MatchTracker, check_end_screen
from vodstream.media.decode import crop_rgb
from vodstream.readers.endscreen import EndScreenReader, EndScreenReading
from vodstream.readers.markers import MarkerReader, _unit
from vodstream.readers.regions import own_card_index
from vodstream.testbed.synth.render import Renderer
from vodstream.testbed.synth.screens import card_kills
from vodstream.testbed.synth.script import end_screen_squad_kills, load_script, preset, truth
from vodstream.testbed.synth.state import FrameState
from vodstream.types import Marker, Match, Sample, Score


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
    return FrameState(
        t=3.0,
        screen="end",
        end_kind=kind,
        placement=place,
        kills=own,
        squad_kills=squad,
        hud_mode=mode,
        scene_seed=scene,
    )  # type: ignore[arg-type]


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
    s2 = load_script(
        {
            "duration": 60.0,
            "matches": [
                {
                    "start": 0.0,
                    "select_legend": 5.0,
                    "end": 40.0,
                    "end_screen": 8.0,
                    "placement": 3,
                    "kills": [10.0, 20.0],
                    "squad_kills": 7,
                }
            ],
        }
    )
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
    ("match_summary", 11, 11, "trios", 11, (1280, 720)),  # "11": read glyph by glyph
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
    assert own_right >= len(CASES) - 1
    assert squad_right >= len(CASES) - 1


def test_player_card_is_the_centre_of_three_and_the_right_of_two(reader: EndScreenReader) -> None:
    r = Renderer(1920, 1080, seed=5)
    trio = _read(reader, r, _end("squad_eliminated", 7, 7, "trios", scene=3))  # teammates have 0
    assert trio is not None and trio.layout == "trios"
    assert trio.own_kills == 7 and trio.cards[1] == 7 and trio.cards[0] == 0 and trio.cards[2] == 0
    duo = _read(reader, r, _end("match_summary", 6, 6, "duos", scene=4))
    assert duo is not None and duo.layout == "duos"
    assert duo.own_kills == 6 and duo.cards == (0, 6)


def test_the_same_summary_again_is_read_from_the_cache() -> None:
    """A summary on screen for several samples: identical digit crops are OCR'd once (the exact
    content cache), and the reading is the same."""
    fresh = EndScreenReader()
    s = _sample(Renderer(1280, 720, seed=5), _end("squad_eliminated", 3, 8, "trios", scene=6))
    first = fresh.read(s.text, _unit(s))
    calls = fresh.ocr_calls
    assert first is not None and calls > 0 and fresh.cache_hits == 0
    again = fresh.read(s.text.copy(), _unit(s))
    assert again == first
    assert fresh.ocr_calls == calls and fresh.cache_hits > 0


def test_2019_screen_gives_the_squad_total_only(reader: EndScreenReader) -> None:
    r = Renderer(1920, 1080, seed=5)
    st = FrameState(
        t=3.0,
        screen="end",
        era="2019",
        end_kind="placed",
        placement=3,
        of=20,
        kills=4,
        squad_kills=11,
        scene_seed=2,
    )
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


# --------------------------------------------------------------------------- the tracker's cross-check


def _stream(*parts: tuple[str, int, dict]) -> list[Score]:
    """Scores at 2 s steps: ("lobby"|"legend"|"hud"|"end", n, fields)."""
    out: list[Score] = []
    t = 0.0
    for kind, n, kw in parts:
        for _ in range(n):
            if kind == "hud":
                k = kw.get("kills")
                out.append(
                    Score(
                        vod_time=t,
                        segment_index=int(t // 10),
                        kills=k,
                        hud_visible=True,
                        confidence=0.99 if k is not None else 0.0,
                        kill_box=True if k is not None else kw.get("kill_box"),
                    )
                )
            else:
                label = {"lobby": "READY", "legend": "SELECT LEGEND", "end": "SQUAD ELIMINATED"}[kind]
                m = Marker(
                    kind={"lobby": "lobby", "legend": "select_legend", "end": "end"}[kind],  # type: ignore[arg-type]
                    text=label,
                    label=label,
                    placement=5 if kind == "end" else None,
                    own_kills=kw.get("own"),
                    squad_kills=kw.get("squad"),
                )
                out.append(Score(vod_time=t, segment_index=int(t // 10), marker=m))
            t += 2.0
    return out


def _track(scores: list[Score]) -> list[Match]:
    tr = MatchTracker(reorder_window=30.0)
    tr.update(scores)
    return tr.finish()


def test_end_screen_gives_the_kills_when_the_hud_was_never_read() -> None:
    s = _stream(
        ("lobby", 3, {}),
        ("legend", 5, {}),
        ("hud", 30, {}),
        ("end", 4, {"own": 3, "squad": 7}),
        ("lobby", 3, {}),
    )
    [m] = _track(s)
    assert m.kills == 3 and m.kills_source == "end_screen" and m.squad_kills == 7
    assert m.kills_end_screen == 3 and m.kills_agree is None and m.kills_confidence >= 0.5
    assert m.to_json()["kills_source"] == "end_screen"
    # only the squad total (e.g. the 2019 screen): still unknown, bounded in the reason
    s2 = _stream(
        ("lobby", 3, {}), ("legend", 5, {}), ("hud", 30, {}), ("end", 4, {"squad": 7}), ("lobby", 3, {})
    )
    [m2] = _track(s2)
    assert m2.kills is None and m2.squad_kills == 7 and "squad total is 7" in (m2.kills_reason or "")


def test_end_screen_agrees_confirms_disagrees_and_caps() -> None:
    hud = [("lobby", 3, {}), ("legend", 5, {}), ("hud", 10, {"kills": 0}), ("hud", 20, {"kills": 4})]
    [agree] = _track(_stream(*hud, ("end", 4, {"own": 4, "squad": 9}), ("lobby", 3, {})))
    assert agree.kills == 4 and agree.kills_source == "hud" and agree.kills_agree is True
    [dis] = _track(_stream(*hud, ("end", 4, {"own": 2, "squad": 9}), ("lobby", 3, {})))
    assert dis.kills == 4 and dis.kills_agree is False and dis.kills_end_screen == 2
    assert dis.kills_confidence < 0.5 and any("disagree" in n for n in dis.notes)
    # a HUD count read once against an own card read on many summary samples: the card is used
    once = [("lobby", 3, {}), ("legend", 5, {}), ("hud", 10, {"kills": 0}), ("hud", 1, {"kills": 4})]
    [late] = _track(_stream(*once, ("hud", 2, {}), ("end", 6, {"own": 5, "squad": 9}), ("lobby", 3, {})))
    assert late.kills == 5 and late.kills_source == "end_screen" and late.kills_agree is False
    assert late.kills_confidence < 0.5 and any("end screen's used" in n for n in late.notes)
    # a well-read HUD count, then the counter unread at the end of the player's life (a late kill
    # in a red flash the reader missed): a higher own card read twice gives the count
    [miss] = _track(_stream(*hud, ("hud", 1, {}), ("end", 2, {"own": 5, "squad": 9}), ("lobby", 3, {})))
    assert miss.kills == 5 and miss.kills_source == "end_screen" and miss.kills_agree is False
    # ... not when the HUD was read to the end, however many summary samples read the card (the
    # summary is a still: its samples repeat one reading, and either witness may be the misreading)
    for n in (2, 12):
        [kept] = _track(_stream(*hud, ("end", n, {"own": 5, "squad": 9}), ("lobby", 3, {})))
        assert kept.kills == 4 and kept.kills_source == "hud" and kept.kills_agree is False
        assert kept.kills_end_screen == 5 and kept.kills_confidence < 0.5
    # ... nor on a card read once
    [once_card] = _track(_stream(*hud, ("hud", 1, {}), ("end", 1, {"own": 5, "squad": 9}), ("lobby", 3, {})))
    assert once_card.kills == 4 and once_card.kills_agree is False
    # a HUD count above the squad total: the own card replaces it, or the total caps it
    [over] = _track(_stream(*hud, ("end", 4, {"own": 1, "squad": 3}), ("lobby", 3, {})))
    assert over.kills == 1 and over.kills_source == "end_screen" and over.kills_agree is False
    [cap] = _track(_stream(*hud, ("end", 4, {"squad": 3}), ("lobby", 3, {})))
    assert cap.kills == 3 and "capped" in (cap.kills_reason or "") and cap.kills_confidence < 0.5
    # a box never shown (0 inferred) is confirmed by a 0 card, replaced by another value
    hidden = [("lobby", 3, {}), ("legend", 5, {}), ("hud", 30, {"kill_box": False})]
    [zero] = _track(_stream(*hidden, ("end", 4, {"own": 0, "squad": 2}), ("lobby", 3, {})))
    assert zero.kills == 0 and zero.kills_agree is True and zero.kills_source == "hidden_box"
    [two] = _track(_stream(*hidden, ("end", 4, {"own": 2, "squad": 2}), ("lobby", 3, {})))
    assert two.kills == 2 and two.kills_source == "end_screen" and two.kills_agree is False


def test_check_end_screen_votes() -> None:
    none = KillEstimate(None, 0.0, [], "none", "kill counter not found")
    # a split vote is no vote; a squad total of 0 means 0
    assert check_end_screen(none, {2: 1, 3: 1}, {}).kills is None
    assert check_end_screen(none, {}, {0: 3}).kills == 0
    # own above the squad total: the summary contradicts itself, no count from it
    assert check_end_screen(none, {5: 3}, {2: 3}).kills is None
    one = check_end_screen(none, {4: 1}, {})
    assert one.kills == 4 and one.reason == "end screen read once" and one.confidence < 0.7


def test_report_html_and_json_show_the_end_screen_witness(tmp_path) -> None:
    from vodstream.matches.analysis import AnalysisResult
    from vodstream.report.assemble import build_report
    from vodstream.report.document import write_reports

    ms = [
        Match(start=0.0, end=100.0, kills=4, kills_end_screen=2, squad_kills=9, kills_agree=False),
        Match(start=200.0, end=300.0, kills=3, kills_source="end_screen", kills_end_screen=3, squad_kills=3),
    ]
    res = AnalysisResult(matches=ms, gaps=[], timings={}, ocr_calls=0, ocr_seconds=0.0, samples=0)
    rep = build_report(vod_id="9", duration=400.0, result=res)
    j, h = write_reports(rep, tmp_path / "9", {})
    data = json.loads(j.read_text())
    assert [(m["kills_end_screen"], m["squad_kills"], m["kills_agree"]) for m in data["matches"]] == [
        (2, 9, False),
        (3, 3, None),
    ]
    assert Match.from_json(data["matches"][0]).kills_agree is False
    page = h.read_text()
    assert "end screen: own card 2, squad total 9 disagrees with the HUD" in page
    assert "end screen: own card 3, squad total 3" in page


def test_end_screen_votes_survive_a_snapshot() -> None:
    s = _stream(
        ("lobby", 3, {}),
        ("legend", 5, {}),
        ("hud", 30, {}),
        ("end", 4, {"own": 3, "squad": 7}),
        ("lobby", 3, {}),
    )
    cut = len(s) - 5  # in the middle of the end screen
    tr = MatchTracker(reorder_window=30.0)
    tr.update(s[:cut])
    tr2 = MatchTracker.from_dict(json.loads(json.dumps(tr.to_dict())))
    tr2.update(s[cut:])
    [m] = tr2.finish()
    assert (m.kills, m.kills_source, m.squad_kills) == (3, "end_screen", 7)
